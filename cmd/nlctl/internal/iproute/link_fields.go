package iproute

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// A linkField is one key of a kind's details, as ip prints it: under key
// in JSON (none if key is empty) and as text in the text form (none if
// text is empty).
type linkField struct {
	key  string
	kind byte // 's' string, 'u' unsigned, 'b' bool, 'n' raw JSON number, '{' object, '}' end, 'a' strings, '[' array, ']' its end, 'z' null
	s    string
	u    uint64
	b    bool
	ss   []string
	text string
}

type linkFields []linkField

func (f *linkFields) str(key, text, v string) {
	*f = append(*f, linkField{key: key, kind: 's', s: v, text: text})
}

func (f *linkFields) uint(key, text string, v uint64) {
	*f = append(*f, linkField{key: key, kind: 'u', u: v, text: text})
}

func (f *linkFields) bool(key, text string, v bool) {
	*f = append(*f, linkField{key: key, kind: 'b', b: v, text: text})
}

// onOff adds a bool that ip's text shows as "label on|off".
func (f *linkFields) onOff(key, label string, v bool) {
	t := label + " off"
	if v {
		t = label + " on"
	}
	f.bool(key, t, v)
}

// timer adds a time in hundredths of a second, shown as seconds with two
// decimals.
func (f *linkFields) timer(key string, cs uint64) {
	v := fmt.Sprintf("%d.%02d", cs/100, cs%100)
	*f = append(*f, linkField{key: key, kind: 'n', s: v, text: fmt.Sprintf("%s %7s", key, v)})
}

// hex formats v as C's "%#x": "0" for zero, "0x..." otherwise.
func linkHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

func writeFieldsJSON(j *output.JSON, fs linkFields) {
	for _, f := range fs {
		if f.key == "" && f.kind != '}' && f.kind != '{' && f.kind != ']' {
			continue // ('{' without a key: an object in an array)
		}
		switch f.kind {
		case 's':
			j.String(f.key, f.s)
		case 'u':
			j.Uint(f.key, f.u)
		case 'b':
			j.Bool(f.key, f.b)
		case 'n':
			j.Number(f.key, f.s)
		case 'a':
			j.Strings(f.key, f.ss)
		case '{':
			j.Object(f.key)
		case '}', ']':
			j.End()
		case '[':
			j.Array(f.key)
		case 'z':
			j.Null(f.key)
		}
	}
}

func writeFieldsText(b *strings.Builder, fs linkFields) {
	for _, f := range fs {
		if f.text != "" {
			b.WriteString(f.text)
			b.WriteByte(' ')
		}
	}
}

// linkDataFields lists the details ip prints for a kind's data (nil when
// ip prints no info_data object).
func linkDataFields(t *linkTable, data rtnl.LinkData) linkFields {
	switch d := data.(type) {
	case *rtnl.BridgeInfo:
		return bridgeFields(d)
	case *rtnl.BridgePortInfo:
		return bridgePortFields(t, d)
	case *rtnl.MacvlanInfo:
		return macvlanFields(d)
	case *rtnl.VxlanInfo:
		return vxlanFields(t, d)
	case *rtnl.VlanInfo:
		return vlanFields(d)
	case *rtnl.BondInfo:
		return bondFields(t, d)
	case *rtnl.BondPortInfo:
		return bondPortFields(d)
	case *rtnl.VrfInfo:
		return vrfFields(d)
	case *rtnl.VrfPortInfo:
		return vrfPortFields(d)
	case *rtnl.IpvlanInfo:
		return ipvlanFields(d)
	case *rtnl.GreInfo:
		return greFields(t, d)
	case *rtnl.IPTunInfo:
		return ipTunFields(t, d)
	case *rtnl.GeneveInfo:
		return geneveFields(d)
	}
	return nil
}

func bridgeFields(d *rtnl.BridgeInfo) linkFields {
	var f linkFields
	u32 := func(key string, p *uint32) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", key, *p), uint64(*p))
		}
	}
	u64 := func(key, label string, p *uint64) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", label, *p), *p)
		}
	}
	u8 := func(key, label string, p *uint8) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", label, *p), uint64(*p))
		}
	}
	b01 := func(key string, p *bool) {
		if p != nil {
			v := uint64(0)
			if *p {
				v = 1
			}
			f.uint(key, fmt.Sprintf("%s %d", key, v), v)
		}
	}
	u32("forward_delay", d.ForwardDelay)
	u32("hello_time", d.HelloTime)
	u32("max_age", d.MaxAge)
	u32("ageing_time", d.AgeingTime)
	u32("stp_state", d.STPState)
	if d.Priority != nil {
		f.uint("priority", fmt.Sprintf("priority %d", *d.Priority), uint64(*d.Priority))
	}
	b01("vlan_filtering", d.VLANFiltering)
	if d.VLANProtocol != nil {
		p := linkVLANProtoName(*d.VLANProtocol)
		f.str("vlan_protocol", "vlan_protocol "+p, p)
	}
	f.str("bridge_id", "bridge_id "+d.BridgeID.String(), d.BridgeID.String())
	f.str("root_id", "designated_root "+d.RootID.String(), d.RootID.String())
	f.uint("root_port", fmt.Sprintf("root_port %d", d.RootPort), uint64(d.RootPort))
	f.uint("root_path_cost", fmt.Sprintf("root_path_cost %d", d.RootPathCost), uint64(d.RootPathCost))
	tc, tcd := uint64(0), uint64(0)
	if d.TopologyChange {
		tc = 1
	}
	if d.TopologyChangeDetected {
		tcd = 1
	}
	f.uint("topology_change", fmt.Sprintf("topology_change %d", tc), tc)
	f.uint("topology_change_detected", fmt.Sprintf("topology_change_detected %d", tcd), tcd)
	f.timer("hello_timer", d.HelloTimer)
	f.timer("tcn_timer", d.TCNTimer)
	f.timer("topology_change_timer", d.TopologyChangeTimer)
	f.timer("gc_timer", d.GCTimer)
	if d.VLANDefaultPVID != nil {
		f.uint("vlan_default_pvid", fmt.Sprintf("vlan_default_pvid %d", *d.VLANDefaultPVID), uint64(*d.VLANDefaultPVID))
	}
	b01("vlan_stats_enabled", d.VLANStatsEnabled)
	b01("vlan_stats_per_port", d.VLANStatsPerPort)
	if d.GroupFwdMask != nil {
		f.str("group_fwd_mask", "group_fwd_mask "+linkHex(uint64(*d.GroupFwdMask)), linkHex(uint64(*d.GroupFwdMask)))
	}
	if len(d.GroupAddr) > 0 {
		f.str("group_addr", "group_address "+d.GroupAddr.String(), d.GroupAddr.String())
	}
	b01("mcast_snooping", d.McastSnooping)
	if o := d.BoolOpts; o != nil {
		for _, b := range []struct {
			bit uint32
			key string
		}{{rtnl.BridgeNoLinkLocalLearn, "no_linklocal_learn"}, {rtnl.BridgeMcastVLANSnooping, "mcast_vlan_snooping"}} {
			if o.Mask&b.bit != 0 {
				v := uint64(0)
				if o.Value&b.bit != 0 {
					v = 1
				}
				f.uint(b.key, fmt.Sprintf("%s %d", b.key, v), v)
			}
		}
	}
	u8("mcast_router", "mcast_router", d.McastRouter)
	b01("mcast_query_use_ifaddr", d.McastQueryUseIfaddr)
	b01("mcast_querier", d.McastQuerier)
	u32("mcast_hash_elasticity", d.McastHashElasticity)
	u32("mcast_hash_max", d.McastHashMax)
	if p := d.McastLastMemberCount; p != nil {
		f.uint("mcast_last_member_cnt", fmt.Sprintf("mcast_last_member_count %d", *p), uint64(*p))
	}
	if p := d.McastStartupQueryCount; p != nil {
		f.uint("mcast_startup_query_cnt", fmt.Sprintf("mcast_startup_query_count %d", *p), uint64(*p))
	}
	u64("mcast_last_member_intvl", "mcast_last_member_interval", d.McastLastMemberInterval)
	u64("mcast_membership_intvl", "mcast_membership_interval", d.McastMembershipInterval)
	u64("mcast_querier_intvl", "mcast_querier_interval", d.McastQuerierInterval)
	u64("mcast_query_intvl", "mcast_query_interval", d.McastQueryInterval)
	u64("mcast_query_response_intvl", "mcast_query_response_interval", d.McastQueryResponseInterval)
	u64("mcast_startup_query_intvl", "mcast_startup_query_interval", d.McastStartupQueryInterval)
	b01("mcast_stats_enabled", d.McastStatsEnabled)
	u8("mcast_igmp_version", "mcast_igmp_version", d.McastIGMPVersion)
	u8("mcast_mld_version", "mcast_mld_version", d.McastMLDVersion)
	b01("nf_call_iptables", d.NFCallIPTables)
	b01("nf_call_ip6tables", d.NFCallIP6Tables)
	b01("nf_call_arptables", d.NFCallARPTables)
	return f
}

func linkVLANProtoName(p uint16) string {
	switch p {
	case 0x8100:
		return "802.1Q"
	case 0x88a8:
		return "802.1ad"
	}
	return linkHex(uint64(p))
}

// linkFwdMaskNames words a bridge port's group_fwd_mask as ip does.
func linkFwdMaskNames(m uint16) string {
	var w []string
	for i := 0; i < 16; i++ {
		if m&(1<<i) == 0 {
			continue
		}
		switch i {
		case 0:
			w = append(w, "stp")
		case 2:
			w = append(w, "lacp")
		case 14:
			w = append(w, "lldp")
		default:
			w = append(w, "0x"+strconv.FormatUint(1<<i, 16))
		}
	}
	if len(w) == 0 {
		return "0x0"
	}
	return strings.Join(w, ",")
}

func bridgePortFields(t *linkTable, d *rtnl.BridgePortInfo) linkFields {
	var f linkFields
	on := func(key, label string, p *bool) {
		if p != nil {
			f.onOff(key, label, *p)
		}
	}
	if d.State != nil {
		if *d.State <= rtnl.BridgePortBlocking {
			f.str("state", "state "+d.State.String(), d.State.String())
		} else {
			f.uint("state_index", fmt.Sprintf("state (%d)", *d.State), uint64(*d.State))
		}
	}
	if d.Priority != nil {
		f.uint("priority", fmt.Sprintf("priority %d", *d.Priority), uint64(*d.Priority))
	}
	if d.Cost != nil {
		f.uint("cost", fmt.Sprintf("cost %d", *d.Cost), uint64(*d.Cost))
	}
	on("hairpin", "hairpin", d.Hairpin)
	on("guard", "guard", d.Guard)
	on("root_block", "root_block", d.RootBlock)
	on("fastleave", "fastleave", d.FastLeave)
	on("learning", "learning", d.Learning)
	on("flood", "flood", d.UnicastFlood)
	f.str("id", "port_id "+linkHex(uint64(d.ID)), linkHex(uint64(d.ID)))
	f.str("no", "port_no "+linkHex(uint64(d.No)), linkHex(uint64(d.No)))
	f.uint("designated_port", fmt.Sprintf("designated_port %d", d.DesignatedPort), uint64(d.DesignatedPort))
	f.uint("designated_cost", fmt.Sprintf("designated_cost %d", d.DesignatedCost), uint64(d.DesignatedCost))
	f.str("bridge_id", "designated_bridge "+d.BridgeID.String(), d.BridgeID.String())
	f.str("root_id", "designated_root "+d.RootID.String(), d.RootID.String())
	f.timer("hold_timer", d.HoldTimer)
	f.timer("message_age_timer", d.MessageAgeTimer)
	f.timer("forward_delay_timer", d.ForwardDelayTimer)
	f.uint("topology_change_ack", fmt.Sprintf("topology_change_ack %d", d.TopologyChangeAck), uint64(d.TopologyChangeAck))
	f.uint("config_pending", fmt.Sprintf("config_pending %d", d.ConfigPending), uint64(d.ConfigPending))
	on("proxy_arp", "proxy_arp", d.ProxyARP)
	on("proxy_arp_wifi", "proxy_arp_wifi", d.ProxyARPWiFi)
	if d.MulticastRouter != nil {
		f.uint("multicast_router", fmt.Sprintf("mcast_router %d", *d.MulticastRouter), uint64(*d.MulticastRouter))
	}
	if d.FastLeave != nil {
		f.onOff("", "mcast_fast_leave", *d.FastLeave)
	}
	on("mcast_flood", "mcast_flood", d.McastFlood)
	on("bcast_flood", "bcast_flood", d.BcastFlood)
	on("mcast_to_unicast", "mcast_to_unicast", d.McastToUnicast)
	on("neigh_suppress", "neigh_suppress", d.NeighSuppress)
	if d.GroupFwdMask != nil {
		m := *d.GroupFwdMask
		f.str("group_fwd_mask", "group_fwd_mask "+linkHex(uint64(m)), linkHex(uint64(m)))
		f.str("group_fwd_mask_str", "group_fwd_mask_str "+linkFwdMaskNames(m), linkFwdMaskNames(m))
	}
	on("vlan_tunnel", "vlan_tunnel", d.VLANTunnel)
	on("isolated", "isolated", d.Isolated)
	on("locked", "locked", d.Locked)
	if d.BackupPortIndex != nil && *d.BackupPortIndex != 0 {
		n := t.name(*d.BackupPortIndex)
		f.str("backup_port", "backup_port "+n, n)
	}
	return f
}

func macvlanFields(d *rtnl.MacvlanInfo) linkFields {
	var f linkFields
	if d.Mode == 0 {
		return f
	}
	f.str("mode", "mode "+d.Mode.String(), d.Mode.String())
	if d.Flags != nil {
		if *d.Flags&rtnl.MacvlanNoPromisc != 0 {
			f.bool("nopromisc", "nopromisc", true)
		}
		if *d.Flags&rtnl.MacvlanNoDst != 0 {
			f.bool("nodst", "nodst", true)
		}
	}
	if d.BCQueueLen != nil {
		f.uint("bcqueuelen", fmt.Sprintf("bcqueuelen %d", *d.BCQueueLen), uint64(*d.BCQueueLen))
	}
	if d.BCQueueLenUsed != nil { // not reported before Linux 5.11
		f.uint("usedbcqueuelen", fmt.Sprintf("usedbcqueuelen %d", *d.BCQueueLenUsed), uint64(*d.BCQueueLenUsed))
	}
	if d.Mode != rtnl.MacvlanSource {
		return f
	}
	f.uint("macaddr_count", fmt.Sprintf("remotes (%d)", d.MACAddrCount), uint64(d.MACAddrCount))
	if len(d.MACAddrs) > 0 {
		var ss []string
		for _, a := range d.MACAddrs {
			ss = append(ss, a.String())
		}
		f = append(f, linkField{key: "macaddr_data", kind: 'a', ss: ss, text: strings.Join(ss, " ")})
	}
	return f
}

func vxlanFields(t *linkTable, d *rtnl.VxlanInfo) linkFields {
	var f linkFields
	if d.External != nil && *d.External {
		f.bool("external", "external", true)
	}
	if d.VNIFilter != nil && *d.VNIFilter {
		f.bool("vnifilter", "vnifilter", true)
	}
	if d.ID == nil {
		return f
	}
	f.uint("id", fmt.Sprintf("id %d", *d.ID), uint64(*d.ID))
	if g := d.Group; g.IsValid() && !g.IsUnspecified() {
		key := "remote"
		if g.IsMulticast() {
			key = "group"
		}
		text := key + " " + g.String()
		if g.Is6() {
			key += "6"
		}
		f.str(key, text, g.String())
	}
	if l := d.Local; l.IsValid() && !l.IsUnspecified() {
		key := "local"
		if l.Is6() {
			key = "local6"
		}
		f.str(key, "local "+l.String(), l.String())
	}
	if d.LinkIndex != 0 {
		n := t.name(d.LinkIndex)
		f.str("link", "dev "+n, n)
	}
	if r := d.PortRange; r != nil {
		f = append(f, linkField{key: "port_range", kind: '{', text: fmt.Sprintf("srcport %d %d", r.Low, r.High)})
		f.uint("low", "", uint64(r.Low))
		f.uint("high", "", uint64(r.High))
		f = append(f, linkField{kind: '}'})
	}
	if d.Port != nil {
		f.uint("port", fmt.Sprintf("dstport %d", *d.Port), uint64(*d.Port))
	}
	if d.Learning != nil {
		text := ""
		if !*d.Learning {
			text = "nolearning"
		}
		f.bool("learning", text, *d.Learning)
	}
	for _, o := range []struct {
		key string
		p   *bool
	}{{"proxy", d.Proxy}, {"rsc", d.RSC}, {"l2miss", d.L2Miss}, {"l3miss", d.L3Miss}} {
		if o.p != nil && *o.p {
			f.bool(o.key, o.key, true)
		}
	}
	if d.TOS != nil && *d.TOS != 0 {
		text := "tos " + linkHex(uint64(*d.TOS))
		if *d.TOS == 1 {
			text = "tos inherit"
		}
		f.str("tos", text, linkHex(uint64(*d.TOS)))
	}
	switch {
	case d.TTLInherit:
		f.str("", "ttl inherit", "")
	case d.TTL != nil:
		text := fmt.Sprintf("ttl %d", *d.TTL)
		if *d.TTL == 0 {
			text = "ttl auto"
		}
		f.uint("ttl", text, uint64(*d.TTL))
	}
	if d.DF != nil {
		text := ""
		if *d.DF != rtnl.VxlanDFUnset {
			text = "df " + d.DF.String()
		}
		f.str("df", text, d.DF.String())
	}
	if d.Label != nil && *d.Label != 0 {
		f.str("label", "flowlabel "+linkHex(uint64(*d.Label)), linkHex(uint64(*d.Label)))
	}
	if d.Ageing != nil {
		text := fmt.Sprintf("ageing %d", *d.Ageing)
		if *d.Ageing == 0 {
			text = "ageing none"
		}
		f.uint("ageing", text, uint64(*d.Ageing))
	}
	if d.Limit != nil && *d.Limit != 0 {
		f.uint("limit", fmt.Sprintf("maxaddr %d", *d.Limit), uint64(*d.Limit))
	}
	for _, o := range []struct {
		key, text string
		p         *bool
	}{{"udp_csum", "udpcsum", d.UDPCsum}, {"udp_zero_csum6_tx", "udp6zerocsumtx", d.UDPZeroCsum6Tx}, {"udp_zero_csum6_rx", "udp6zerocsumrx", d.UDPZeroCsum6Rx}} {
		if o.p != nil {
			text := o.text
			if !*o.p {
				text = "no" + text
			}
			f.bool(o.key, text, *o.p)
		}
	}
	if d.RemCsumTx != nil && *d.RemCsumTx {
		f.bool("remcsum_tx", "remcsumtx", true)
	}
	if d.RemCsumRx != nil && *d.RemCsumRx {
		f.bool("remcsum_rx", "remcsumrx", true)
	}
	if d.GBP {
		f.bool("gbp", "gbp", true)
	}
	if d.GPE {
		f.bool("gpe", "gpe", true)
	}
	return f
}
