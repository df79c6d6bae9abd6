package iproute

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// bondWords are the options of `type bond`, in the order ip tries them.
var bondWords = sync.OnceValue(func() []cli.Word {
	return cli.Words(
		[]cli.Word{cli.KwChoice("mode*", bondModes...)},
		cli.KwValue(cli.ValueDevice, "active_slave*"),
		cli.Kw("clear_active_slave*"),
		cli.KwValue(cli.ValueText, "miimon*", "updelay*", "downdelay*", "peer_notify_delay*", "use_carrier*",
			"arp_interval*", "arp_ip_target*", "ns_ip6_target"),
		[]cli.Word{cli.KwChoice("arp_validate*", bondEnums["arp_validate"]...),
			cli.KwChoice("arp_all_targets*", bondEnums["arp_all_targets"]...)},
		cli.KwValue(cli.ValueText, "arp_missed_max"),
		cli.KwValue(cli.ValueDevice, "primary*"),
		[]cli.Word{cli.KwChoice("primary_reselect*", bondEnums["primary_reselect"]...),
			cli.KwChoice("fail_over_mac*", bondEnums["fail_over_mac"]...),
			cli.KwChoice("xmit_hash_policy*", bondHashPolicies...)},
		cli.KwValue(cli.ValueText, "resend_igmp*", "num_grat_arp*", "num_unsol_na*", "all_slaves_active*", "min_links*",
			"lp_interval*", "packets_per_slave*"),
		[]cli.Word{cli.KwChoice("lacp_rate*", "slow", "fast"), cli.KwChoice("lacp_active", "off", "on"),
			cli.KwChoice("ad_select*", bondEnums["ad_select"]...)},
		cli.KwValue(cli.ValueText, "ad_user_port_key*", "ad_actor_sys_prio*", "ad_actor_system*", "tlb_dynamic_lb*"),
		cli.Kw("help*"),
	)
})

var (
	bondModes        = []string{"balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"}
	bondHashPolicies = []string{"layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"}
	// bondEnums are the names of the bond options whose values are
	// numbers, by value.
	bondEnums = map[string][]string{
		"arp_validate":     {"none", "active", "backup", "all", "filter", "filter_active", "filter_backup"},
		"arp_all_targets":  {"any", "all"},
		"primary_reselect": {"always", "better", "failure"},
		"fail_over_mac":    {"none", "active", "follow"},
		"ad_select":        {"stable", "bandwidth", "count"},
		"lacp_rate":        {"slow", "fast"},
		"lacp_active":      {"off", "on"},
	}
)

// bondIndex reads a value of a table as ip does: a number that indexes
// it, or one of its names.
func bondIndex(tbl []string, s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil && n >= 0 && n < len(tbl) {
		return n, true
	}
	for i, n := range tbl {
		if n == s {
			return i, true
		}
	}
	return 0, false
}

// bondName names a table's value as ip prints it.
func bondName(tbl []string, v uint64) string {
	if v < uint64(len(tbl)) {
		return tbl[v]
	}
	return "UNKNOWN"
}

func parseBondArgs(x *ipctx, a *cli.Args) (*rtnl.BondInfo, error) {
	d := &rtnl.BondInfo{}
	for a.More() {
		w := cli.Resolve(bondWords(), a.Next())
		var err error
		num := func(bits int) (uint64, bool) {
			s, e := a.Value(w)
			if e != nil {
				err = e
				return 0, false
			}
			n, e := strconv.ParseUint(s, 0, bits)
			if e != nil {
				err = cli.Syntaxf("invalid %s %s", w, cli.Quote(s))
				return 0, false
			}
			return n, true
		}
		u32 := func(p **uint32) {
			if n, ok := num(32); ok {
				*p = new(uint32(n))
			}
		}
		u8 := func(p **uint8) {
			if n, ok := num(8); ok {
				*p = new(uint8(n))
			}
		}
		u16 := func(p **uint16) {
			if n, ok := num(16); ok {
				*p = new(uint16(n))
			}
		}
		b := func(p **bool) {
			if n, ok := num(8); ok {
				*p = new(n != 0)
			}
		}
		enum := func(tbl []string) (int, bool) {
			s, e := a.Value(w)
			if e != nil {
				err = e
				return 0, false
			}
			i, ok := bondIndex(tbl, s)
			if !ok {
				err = cli.Syntaxf("invalid %s %s: %s is expected", w, cli.Quote(s), strings.Join(tbl, ", "))
			}
			return i, ok
		}
		dev := func(p **int) {
			s, e := a.Value(w)
			if e != nil {
				err = e
				return
			}
			i, e := x.linkIndex(s)
			if e != nil {
				err = e
				return
			}
			*p = &i
		}
		switch w {
		case "mode":
			if i, ok := enum(bondModes); ok {
				d.Mode = new(rtnl.BondMode(i))
			}
		case "active_slave":
			dev(&d.ActivePortIndex)
		case "clear_active_slave":
			d.ActivePortIndex = new(0)
		case "miimon":
			u32(&d.MIIMon)
		case "updelay":
			u32(&d.UpDelay)
		case "downdelay":
			u32(&d.DownDelay)
		case "peer_notify_delay":
			u32(&d.PeerNotifyDelay)
		case "use_carrier":
			b(&d.UseCarrier)
		case "arp_interval":
			u32(&d.ARPInterval)
		case "arp_ip_target", "ns_ip6_target":
			as := []netip.Addr{}
			if a.More() {
				for t := range strings.SplitSeq(a.Next(), ",") {
					if t == "" {
						continue
					}
					ad, e := netip.ParseAddr(t)
					if e != nil || (w == "arp_ip_target") != ad.Is4() {
						return nil, cli.Syntaxf("invalid %s %s: an IPv%s address is expected", w, cli.Quote(t), map[bool]string{true: "4", false: "6"}[w == "arp_ip_target"])
					}
					as = append(as, ad)
				}
			}
			if w == "arp_ip_target" {
				d.ARPIPTargets = as
			} else {
				d.NSIP6Targets = as
			}
		case "arp_validate":
			if i, ok := enum(bondEnums[w]); ok {
				d.ARPValidate = new(uint32(i))
			}
		case "arp_all_targets":
			if i, ok := enum(bondEnums[w]); ok {
				d.ARPAllTargets = new(uint32(i))
			}
		case "arp_missed_max":
			u8(&d.ARPMissedMax)
		case "primary":
			dev(&d.PrimaryPortIndex)
		case "primary_reselect":
			if i, ok := enum(bondEnums[w]); ok {
				d.PrimaryReselect = new(uint8(i))
			}
		case "fail_over_mac":
			if i, ok := enum(bondEnums[w]); ok {
				d.FailOverMAC = new(uint8(i))
			}
		case "xmit_hash_policy":
			if i, ok := enum(bondHashPolicies); ok {
				d.XmitHashPolicy = new(rtnl.BondXmitHashPolicy(i))
			}
		case "resend_igmp":
			u32(&d.ResendIGMP)
		case "num_grat_arp", "num_unsol_na":
			u8(&d.NumPeerNotif)
		case "all_slaves_active":
			b(&d.AllSlavesActive)
		case "min_links":
			u32(&d.MinLinks)
		case "lp_interval":
			u32(&d.LPInterval)
		case "packets_per_slave":
			u32(&d.PacketsPerSlave)
		case "lacp_rate":
			if i, ok := enum(bondEnums[w]); ok {
				d.ADLACPRate = new(i == 1)
			}
		case "lacp_active":
			if i, ok := enum(bondEnums[w]); ok {
				d.ADLACPActive = new(i == 1)
			}
		case "ad_select":
			if i, ok := enum(bondEnums[w]); ok {
				d.ADSelect = new(uint8(i))
			}
		case "ad_user_port_key":
			u16(&d.ADUserPortKey)
		case "ad_actor_sys_prio":
			u16(&d.ADActorSysPrio)
		case "ad_actor_system":
			d.ADActorSystem, err = linkParseLLAddr(a, w)
		case "tlb_dynamic_lb":
			b(&d.TLBDynamicLB)
		case "help":
			return nil, cli.Failf("bond: the options are %s", wordNames(bondWords()))
		default:
			return nil, cli.Failf("bond: unknown command %s", cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func bondFields(t *linkTable, d *rtnl.BondInfo) linkFields {
	var f linkFields
	u := func(key, label string, v uint64) { f.uint(key, fmt.Sprintf("%s %d", label, v), v) }
	u32 := func(key string, p *uint32) {
		if p != nil {
			u(key, key, uint64(*p))
		}
	}
	u8 := func(key, label string, p *uint8) {
		if p != nil {
			u(key, label, uint64(*p))
		}
	}
	u16 := func(key string, p *uint16) {
		if p != nil {
			u(key, key, uint64(*p))
		}
	}
	b := func(key string, p *bool) {
		if p != nil {
			u(key, key, uint64(linkB01(*p)))
		}
	}
	str := func(key, label, v string) { f.str(key, label+" "+v, v) }
	if d.Mode != nil {
		str("mode", "mode", bondName(bondModes, uint64(*d.Mode)))
	}
	if d.ActivePortIndex != nil && *d.ActivePortIndex != 0 {
		str("active_slave", "active_slave", t.name(*d.ActivePortIndex))
	}
	u32("miimon", d.MIIMon)
	u32("updelay", d.UpDelay)
	u32("downdelay", d.DownDelay)
	u32("peer_notify_delay", d.PeerNotifyDelay)
	b("use_carrier", d.UseCarrier)
	u32("arp_interval", d.ARPInterval)
	u8("arp_missed_max", "arp_missed_max", d.ARPMissedMax)
	targets := func(key string, as []netip.Addr) {
		if len(as) == 0 {
			return
		}
		ss := make([]string, len(as))
		for i, a := range as {
			ss[i] = a.String()
		}
		f = append(f, linkField{key: key, kind: 'a', ss: ss, text: key + " " + strings.Join(ss, ",")})
	}
	targets("arp_ip_target", d.ARPIPTargets)
	targets("ns_ip6_target", d.NSIP6Targets)
	if d.ARPValidate != nil {
		v := bondName(bondEnums["arp_validate"], uint64(*d.ARPValidate))
		if *d.ARPValidate == 0 {
			f = append(f, linkField{key: "arp_validate", kind: 'z', text: "arp_validate " + v})
		} else {
			str("arp_validate", "arp_validate", v)
		}
	}
	if d.ARPAllTargets != nil {
		str("arp_all_targets", "arp_all_targets", bondName(bondEnums["arp_all_targets"], uint64(*d.ARPAllTargets)))
	}
	if d.PrimaryPortIndex != nil && *d.PrimaryPortIndex != 0 {
		str("primary", "primary", t.name(*d.PrimaryPortIndex))
	}
	if d.PrimaryReselect != nil {
		str("primary_reselect", "primary_reselect", bondName(bondEnums["primary_reselect"], uint64(*d.PrimaryReselect)))
	}
	if d.FailOverMAC != nil {
		str("fail_over_mac", "fail_over_mac", bondName(bondEnums["fail_over_mac"], uint64(*d.FailOverMAC)))
	}
	if d.XmitHashPolicy != nil {
		str("xmit_hash_policy", "xmit_hash_policy", bondName(bondHashPolicies, uint64(*d.XmitHashPolicy)))
	}
	u32("resend_igmp", d.ResendIGMP)
	u8("num_peer_notif", "num_grat_arp", d.NumPeerNotif)
	b("all_slaves_active", d.AllSlavesActive)
	u32("min_links", d.MinLinks)
	u32("lp_interval", d.LPInterval)
	u32("packets_per_slave", d.PacketsPerSlave)
	if d.ADLACPActive != nil {
		str("ad_lacp_active", "lacp_active", bondName(bondEnums["lacp_active"], uint64(linkB01(*d.ADLACPActive))))
	}
	if d.ADLACPRate != nil {
		str("ad_lacp_rate", "lacp_rate", bondName(bondEnums["lacp_rate"], uint64(linkB01(*d.ADLACPRate))))
	}
	if d.ADSelect != nil {
		str("ad_select", "ad_select", bondName(bondEnums["ad_select"], uint64(*d.ADSelect)))
	}
	if ai := d.ADInfo; ai != nil {
		f = append(f, linkField{key: "ad_info", kind: '{'})
		u("aggregator", "ad_aggregator", uint64(ai.Aggregator))
		u("num_ports", "ad_num_ports", uint64(ai.NumPorts))
		u("actor_key", "ad_actor_key", uint64(ai.ActorKey))
		u("partner_key", "ad_partner_key", uint64(ai.PartnerKey))
		if len(ai.PartnerMAC) > 0 {
			str("partner_mac", "ad_partner_mac", ai.PartnerMAC.String())
		}
		f = append(f, linkField{kind: '}'})
	}
	u16("ad_actor_sys_prio", d.ADActorSysPrio)
	u16("ad_user_port_key", d.ADUserPortKey)
	if len(d.ADActorSystem) > 0 {
		str("ad_actor_system", "ad_actor_system", d.ADActorSystem.String())
	}
	b("tlb_dynamic_lb", d.TLBDynamicLB)
	return f
}

func linkB01(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// lacpStateNames are the bits of an 802.3ad port state, as ip names them.
var lacpStateNames = [...]string{"active", "short_timeout", "aggregating", "in_sync", "collecting", "distributing", "defaulted", "expired"}

func bondPortFields(d *rtnl.BondPortInfo) linkFields {
	var f linkFields
	if d.State <= rtnl.BondPortBackup {
		f.str("state", "state "+d.State.String(), d.State.String())
	} else {
		f.uint("state_index", fmt.Sprintf("state %d", d.State), uint64(d.State))
	}
	if d.MIIStatus <= rtnl.BondLinkGoingBack {
		f.str("mii_status", "mii_status "+d.MIIStatus.String(), d.MIIStatus.String())
	} else {
		f.uint("mii_status_index", fmt.Sprintf("mii_status %d", d.MIIStatus), uint64(d.MIIStatus))
	}
	f.uint("link_failure_count", fmt.Sprintf("link_failure_count %d", d.LinkFailureCount), uint64(d.LinkFailureCount))
	if d.PermHWAddr != nil {
		f.str("perm_hwaddr", "perm_hwaddr "+d.PermHWAddr.String(), d.PermHWAddr.String())
	}
	if d.QueueID != nil {
		f.uint("queue_id", fmt.Sprintf("queue_id %d", *d.QueueID), uint64(*d.QueueID))
	}
	if d.Prio != nil {
		f = append(f, linkField{key: "prio", kind: 'n', s: strconv.Itoa(int(*d.Prio)), text: fmt.Sprintf("prio %d", *d.Prio)})
	}
	if d.ADAggregatorID != nil {
		f.uint("ad_aggregator_id", fmt.Sprintf("ad_aggregator_id %d", *d.ADAggregatorID), uint64(*d.ADAggregatorID))
	}
	state := func(key string, v uint8) {
		f.uint(key, fmt.Sprintf("%s %d", key, v), uint64(v))
		var ns []string
		for i, n := range lacpStateNames {
			if v&(1<<i) != 0 {
				ns = append(ns, n)
			}
		}
		f = append(f, linkField{key: key + "_str", kind: 'a', ss: ns, text: key + "_str <" + strings.Join(ns, ",") + ">"})
	}
	if d.ADActorOperPortState != nil {
		state("ad_actor_oper_port_state", *d.ADActorOperPortState)
	}
	if d.ADPartnerOperPortState != nil {
		state("ad_partner_oper_port_state", uint8(*d.ADPartnerOperPortState))
	}
	return f
}

// bondSlaveWords are the options of `type bond_slave`.
var bondSlaveWords = sync.OnceValue(func() []cli.Word {
	return cli.Words(cli.KwValue(cli.ValueText, "queue_id*", "prio"), cli.Kw("help*"))
})

func parseBondPortArgs(a *cli.Args) (*rtnl.BondPortInfo, error) {
	d := &rtnl.BondPortInfo{}
	for a.More() {
		w := cli.Resolve(bondSlaveWords(), a.Next())
		switch w {
		case "queue_id":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(s, 0, 16)
			if err != nil {
				return nil, invalidArg(w, s, "a number from 0 to 65535")
			}
			d.QueueID = new(uint16(n))
		case "prio":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseInt(s, 0, 32)
			if err != nil {
				return nil, invalidArg(w, s, "a 32-bit signed number")
			}
			d.Prio = new(int32(n))
		default:
			if w != "help" {
				return nil, cli.Failf("bond_slave: unknown option %s (queue_id or prio)", cli.Quote(w))
			}
			return nil, cli.Failf("bond_slave: the options are queue_id ID and prio PRIORITY")
		}
	}
	return d, nil
}
