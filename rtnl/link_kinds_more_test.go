package rtnl_test

import (
	"errors"
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// ipSameKeys compares, key by key, what ip prints in a link's
// linkinfo.<obj> (info_data or info_slave_data) with ours, what the typed
// data says ip must print: every key ip prints must be in ours, with the
// same value. Ours may have more keys than ip prints (attributes newer
// than the host's ip).
func ipSameKeys(t *testing.T, name, obj string, ip map[string]any, ours map[string]any) {
	t.Helper()
	li, _ := ip["linkinfo"].(map[string]any)
	d, _ := li[obj].(map[string]any)
	if d == nil {
		t.Errorf("%s: ip prints no linkinfo.%s: %v", name, obj, ip)
		return
	}
	for k, v := range d {
		w, ok := ours[k]
		if !ok {
			t.Errorf("%s: ip prints %s.%s = %v, which we do not model", name, obj, k, v)
			continue
		}
		if !reflect.DeepEqual(normJSON(v), normJSON(w)) {
			t.Errorf("%s: %s.%s: ip %v (%T), ours %v (%T)", name, obj, k, v, v, w, w)
		}
	}
}

// normJSON turns Go values into what encoding/json decodes them as.
func normJSON(v any) any {
	switch v := v.(type) {
	case int:
		return float64(v)
	case uint8:
		return float64(v)
	case uint16:
		return float64(v)
	case uint32:
		return float64(v)
	case int32:
		return float64(v)
	case []string:
		a := make([]any, len(v))
		for i, s := range v {
			a[i] = s
		}
		return a
	case []map[string]any:
		a := make([]any, len(v))
		for i, m := range v {
			a[i] = normJSON(m)
		}
		return a
	case map[string]any:
		m := map[string]any{}
		for k, x := range v {
			m[k] = normJSON(x)
		}
		return m
	case []any:
		a := make([]any, len(v))
		for i, x := range v {
			a[i] = normJSON(x)
		}
		return a
	}
	return v
}

// addVeth creates a veth pair, down.
func addVeth(t *testing.T, h *rtnl.Handle, name, peer string) *rtnl.Link {
	t.Helper()
	if err := h.AddLink(bg, &rtnl.Link{Name: name, Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: peer}}}}); err != nil {
		t.Fatalf("add veth %s: %v", name, err)
	}
	return mustLink(t, h, name)
}

func linkGone(t *testing.T, h *rtnl.Handle, ns *netnstest.NS, name string) {
	t.Helper()
	if _, err := h.LinkByName(bg, name); err == nil {
		t.Errorf("%s still listed after delete", name)
	}
	if _, ok := ipLinks(t, ns)[name]; ok {
		t.Errorf("ip still shows %s after delete", name)
	}
}

func vlanQoSJSON(ms []rtnl.VlanQoSMapping) []map[string]any {
	out := []map[string]any{}
	for _, m := range ms {
		out = append(out, map[string]any{"from": m.From, "to": m.To})
	}
	return out
}

// vlanIPKeys is what ip prints of a VLAN's data.
func vlanIPKeys(v *rtnl.VlanInfo) map[string]any {
	m := map[string]any{"id": *v.ID, "protocol": "802.1Q"}
	if v.Protocol != nil && *v.Protocol == rtnl.VlanProtocol8021AD {
		m["protocol"] = "802.1ad"
	}
	if v.Flags != nil {
		m["flags"] = rtnl.VlanFlagNames(v.Flags.Value)
		if m["flags"] == nil {
			m["flags"] = []string{}
		}
	}
	if v.IngressQoS != nil {
		m["ingress_qos"] = vlanQoSJSON(v.IngressQoS)
	}
	if v.EgressQoS != nil {
		m["egress_qos"] = vlanQoSJSON(v.EgressQoS)
	}
	return m
}

func TestLinkVlan(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "vlan", "veth")
	v0 := addVeth(t, h, "v0", "v1")
	for _, l := range []rtnl.Link{
		{Name: "vl5", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Data: &rtnl.VlanInfo{ID: new(uint16(5)), Protocol: new(rtnl.VlanProtocol8021AD),
			Flags:      &rtnl.VlanFlags{Value: rtnl.VlanLooseBinding, Mask: rtnl.VlanLooseBinding | rtnl.VlanReorderHdr},
			IngressQoS: []rtnl.VlanQoSMapping{{1, 2}, {3, 4}}, EgressQoS: []rtnl.VlanQoSMapping{{2, 5}}}}},
		{Name: "vl6", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Kind: "vlan", Data: &rtnl.VlanInfo{ID: new(uint16(6))}}},
	} {
		if err := h.AddLink(bg, &l); err != nil {
			t.Fatalf("add %s: %v", l.Name, err)
		}
	}
	ip := ipLinks(t, ns)
	vl5 := mustLink(t, h, "vl5")
	v, ok := vl5.Info.Data.(*rtnl.VlanInfo)
	if !ok || vl5.Info.Kind != "vlan" || vl5.ParentIndex != v0.Index || *v.ID != 5 || *v.Protocol != rtnl.VlanProtocol8021AD ||
		v.Flags == nil || v.Flags.Value&(rtnl.VlanLooseBinding|rtnl.VlanReorderHdr) != rtnl.VlanLooseBinding ||
		!slices.Equal(v.IngressQoS, []rtnl.VlanQoSMapping{{1, 2}, {3, 4}}) || !slices.Equal(v.EgressQoS, []rtnl.VlanQoSMapping{{2, 5}}) {
		t.Fatalf("vl5: %+v %+v", vl5, vl5.Info.Data)
	}
	ipSameKeys(t, "vl5", "info_data", ip["vl5"], vlanIPKeys(v))
	vl6 := mustLink(t, h, "vl6")
	v6, ok := vl6.Info.Data.(*rtnl.VlanInfo)
	if !ok || *v6.ID != 6 || *v6.Protocol != rtnl.VlanProtocol8021Q || v6.Flags.Value&rtnl.VlanReorderHdr == 0 || v6.IngressQoS != nil || v6.EgressQoS != nil {
		t.Fatalf("vl6: %+v", vl6.Info.Data)
	}
	ipSameKeys(t, "vl6", "info_data", ip["vl6"], vlanIPKeys(v6))

	// Change: flags, and a mapping to 0 removes it.
	err := h.SetLink(bg, &rtnl.Link{Index: vl5.Index}, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Kind: "vlan", Data: &rtnl.VlanInfo{
		Flags: &rtnl.VlanFlags{Value: rtnl.VlanReorderHdr, Mask: rtnl.VlanReorderHdr | rtnl.VlanLooseBinding}, EgressQoS: []rtnl.VlanQoSMapping{{2, 0}}}}})
	if err != nil {
		t.Fatal(err)
	}
	vl5 = mustLink(t, h, "vl5")
	v = vl5.Info.Data.(*rtnl.VlanInfo)
	if v.Flags.Value&(rtnl.VlanLooseBinding|rtnl.VlanReorderHdr) != rtnl.VlanReorderHdr || v.EgressQoS != nil || len(v.IngressQoS) != 2 {
		t.Fatalf("vl5 after change: %+v", v)
	}
	ipSameKeys(t, "vl5", "info_data", ipLink(t, ns, "vl5"), vlanIPKeys(v))

	if err := h.DeleteLink(bg, &rtnl.Link{Index: vl5.Index}); err != nil {
		t.Fatal(err)
	}
	linkGone(t, h, ns, "vl5")
}

var bondEnumNames = map[string][]string{
	"arp_validate":     {"none", "active", "backup", "all", "filter", "filter_active", "filter_backup"},
	"arp_all_targets":  {"any", "all"},
	"primary_reselect": {"always", "better", "failure"},
	"fail_over_mac":    {"none", "active", "follow"},
	"ad_select":        {"stable", "bandwidth", "count"},
}

func bondEnum(key string, v uint32) string {
	if n := bondEnumNames[key]; int(v) < len(n) {
		return n[v]
	}
	return "UNKNOWN"
}

func b01(p *bool) uint32 {
	if *p {
		return 1
	}
	return 0
}

// bondIPKeys is what ip prints of a bond's data, names naming the links.
func bondIPKeys(b *rtnl.BondInfo, names map[int]string) map[string]any {
	m := map[string]any{}
	put := func(k string, ok bool, v func() any) {
		if ok {
			m[k] = v()
		}
	}
	put("mode", b.Mode != nil, func() any { return b.Mode.String() })
	put("active_slave", b.ActivePortIndex != nil && *b.ActivePortIndex != 0, func() any { return names[*b.ActivePortIndex] })
	put("miimon", b.MIIMon != nil, func() any { return *b.MIIMon })
	put("updelay", b.UpDelay != nil, func() any { return *b.UpDelay })
	put("downdelay", b.DownDelay != nil, func() any { return *b.DownDelay })
	put("peer_notify_delay", b.PeerNotifyDelay != nil, func() any { return *b.PeerNotifyDelay })
	put("use_carrier", b.UseCarrier != nil, func() any { return b01(b.UseCarrier) })
	put("arp_interval", b.ARPInterval != nil, func() any { return *b.ARPInterval })
	put("arp_missed_max", b.ARPMissedMax != nil, func() any { return *b.ARPMissedMax })
	put("arp_ip_target", len(b.ARPIPTargets) > 0, func() any {
		var s []string
		for _, a := range b.ARPIPTargets {
			s = append(s, a.String())
		}
		return s
	})
	put("ns_ip6_target", len(b.NSIP6Targets) > 0, func() any {
		var s []string
		for _, a := range b.NSIP6Targets {
			s = append(s, a.String())
		}
		return s
	})
	put("arp_validate", b.ARPValidate != nil, func() any {
		if *b.ARPValidate == 0 {
			return nil
		}
		return bondEnum("arp_validate", *b.ARPValidate)
	})
	put("arp_all_targets", b.ARPAllTargets != nil, func() any { return bondEnum("arp_all_targets", *b.ARPAllTargets) })
	put("primary", b.PrimaryPortIndex != nil && *b.PrimaryPortIndex != 0, func() any { return names[*b.PrimaryPortIndex] })
	put("primary_reselect", b.PrimaryReselect != nil, func() any { return bondEnum("primary_reselect", uint32(*b.PrimaryReselect)) })
	put("fail_over_mac", b.FailOverMAC != nil, func() any { return bondEnum("fail_over_mac", uint32(*b.FailOverMAC)) })
	put("xmit_hash_policy", b.XmitHashPolicy != nil, func() any { return b.XmitHashPolicy.String() })
	put("resend_igmp", b.ResendIGMP != nil, func() any { return *b.ResendIGMP })
	put("num_peer_notif", b.NumPeerNotif != nil, func() any { return *b.NumPeerNotif })
	put("all_slaves_active", b.AllSlavesActive != nil, func() any { return b01(b.AllSlavesActive) })
	put("min_links", b.MinLinks != nil, func() any { return *b.MinLinks })
	put("lp_interval", b.LPInterval != nil, func() any { return *b.LPInterval })
	put("packets_per_slave", b.PacketsPerSlave != nil, func() any { return *b.PacketsPerSlave })
	put("ad_lacp_active", b.ADLACPActive != nil, func() any { return []string{"off", "on"}[b01(b.ADLACPActive)] })
	put("ad_lacp_rate", b.ADLACPRate != nil, func() any { return []string{"slow", "fast"}[b01(b.ADLACPRate)] })
	put("ad_select", b.ADSelect != nil, func() any { return bondEnum("ad_select", uint32(*b.ADSelect)) })
	put("ad_actor_sys_prio", b.ADActorSysPrio != nil, func() any { return *b.ADActorSysPrio })
	put("ad_user_port_key", b.ADUserPortKey != nil, func() any { return *b.ADUserPortKey })
	put("ad_actor_system", len(b.ADActorSystem) > 0, func() any { return b.ADActorSystem.String() })
	put("tlb_dynamic_lb", b.TLBDynamicLB != nil, func() any { return b01(b.TLBDynamicLB) })
	put("ad_info", b.ADInfo != nil, func() any {
		return map[string]any{"aggregator": b.ADInfo.Aggregator, "num_ports": b.ADInfo.NumPorts,
			"actor_key": b.ADInfo.ActorKey, "partner_key": b.ADInfo.PartnerKey, "partner_mac": b.ADInfo.PartnerMAC.String()}
	})
	return m
}

// bondPortIPKeys is what ip prints of a bond port's data.
func bondPortIPKeys(p *rtnl.BondPortInfo) map[string]any {
	m := map[string]any{"state": p.State.String(), "mii_status": p.MIIStatus.String(),
		"link_failure_count": p.LinkFailureCount, "perm_hwaddr": p.PermHWAddr.String()}
	if p.QueueID != nil {
		m["queue_id"] = *p.QueueID
	}
	if p.Prio != nil {
		m["prio"] = *p.Prio
	}
	if p.ADAggregatorID != nil {
		m["ad_aggregator_id"] = *p.ADAggregatorID
	}
	return m
}

func linkNames(t *testing.T, h *rtnl.Handle) map[int]string {
	t.Helper()
	ls, err := h.ListLinks(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := map[int]string{}
	for _, l := range ls {
		m[l.Index] = l.Name
	}
	return m
}

// TestLinkBond: a bond in active-backup mode with two ports enslaved, its
// mode and miimon read back, its active port changed, its ports released,
// its mode changed, and the bond deleted.
func TestLinkBond(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bond", "veth")
	bi := &rtnl.BondInfo{Mode: new(rtnl.BondActiveBackup), MIIMon: new(uint32(100)), UpDelay: new(uint32(0)),
		ARPIPTargets: nil, FailOverMAC: new(uint8(1)), MinLinks: new(uint32(1))}
	if err := h.AddLink(bg, &rtnl.Link{Name: "b0", Info: rtnl.LinkInfo{Data: bi}}); err != nil {
		t.Fatal(err)
	}
	b0 := mustLink(t, h, "b0")
	if err := h.SetLinkUp(bg, b0); err != nil {
		t.Fatal(err)
	}
	var ports []*rtnl.Link
	for i := range 2 {
		p := addVeth(t, h, fmt.Sprintf("p%d", i), fmt.Sprintf("p%dx", i))
		// The peer up: the port has a carrier once the bond opens it.
		if err := h.SetLinkUp(bg, &rtnl.Link{Name: fmt.Sprintf("p%dx", i)}); err != nil {
			t.Fatal(err)
		}
		if err := h.SetLink(bg, p, &rtnl.LinkChange{MasterIndex: &b0.Index}); err != nil {
			t.Fatalf("enslaving %s: %v", p.Name, err)
		}
		ports = append(ports, p)
	}
	// A port's queue id is set through its slave data.
	err := h.SetLink(bg, ports[1], &rtnl.LinkChange{Info: &rtnl.LinkInfo{SlaveKind: "bond", SlaveData: &rtnl.BondPortInfo{QueueID: new(uint16(3))}}})
	if err != nil {
		t.Fatal(err)
	}

	check := func(active int) {
		t.Helper()
		names := linkNames(t, h)
		ip := ipLinks(t, ns)
		b0 := mustLink(t, h, "b0")
		b, ok := b0.Info.Data.(*rtnl.BondInfo)
		if !ok || b0.Info.Kind != "bond" || *b.Mode != rtnl.BondActiveBackup || *b.MIIMon != 100 || *b.FailOverMAC != 1 || *b.MinLinks != 1 {
			t.Fatalf("b0: %+v %+v", b0.Info, b0.Info.Data)
		}
		if b.ActivePortIndex == nil || *b.ActivePortIndex != ports[active].Index {
			t.Errorf("active port: %v, want %s (%d)", b.ActivePortIndex, ports[active].Name, ports[active].Index)
		}
		ipSameKeys(t, "b0", "info_data", ip["b0"], bondIPKeys(b, names))
		for i, p := range ports {
			l := mustLink(t, h, p.Name)
			bp, ok := l.Info.SlaveData.(*rtnl.BondPortInfo)
			if !ok || l.Info.SlaveKind != "bond" || l.MasterIndex != b0.Index {
				t.Fatalf("%s: %+v", p.Name, l.Info)
			}
			want := rtnl.BondPortBackup
			if i == active {
				want = rtnl.BondPortActive
			}
			if bp.State != want || bp.MIIStatus != rtnl.BondLinkUp || len(bp.PermHWAddr) != 6 || bp.QueueID == nil || i == 1 && *bp.QueueID != 3 {
				t.Errorf("%s port data: %+v", p.Name, bp)
			}
			ipSameKeys(t, p.Name, "info_slave_data", ip[p.Name], bondPortIPKeys(bp))
		}
	}
	check(0)

	// The active port changes by the bond's data.
	err = h.SetLink(bg, b0, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Data: &rtnl.BondInfo{ActivePortIndex: &ports[1].Index}}})
	if err != nil {
		t.Fatal(err)
	}
	check(1)

	// Listing the ports by master.
	got, err := h.ListLinks(bg, &rtnl.LinkFilter{MasterIndex: b0.Index})
	if err != nil || len(got) != 2 {
		t.Fatalf("ports of b0: %v %v", got, err)
	}

	// Released, the ports have no master and no port data.
	for _, p := range ports {
		if err := h.SetLink(bg, p, &rtnl.LinkChange{MasterIndex: new(0)}); err != nil {
			t.Fatalf("releasing %s: %v", p.Name, err)
		}
		l := mustLink(t, h, p.Name)
		if l.MasterIndex != 0 || l.Info.SlaveKind != "" || l.Info.SlaveData != nil {
			t.Errorf("%s after release: %+v", p.Name, l)
		}
		if m, ok := ipLink(t, ns, p.Name)["master"]; ok {
			t.Errorf("ip: %s still has master %v", p.Name, m)
		}
	}
	if b := mustLink(t, h, "b0").Info.Data.(*rtnl.BondInfo); b.ActivePortIndex != nil {
		t.Errorf("active port after release: %d", *b.ActivePortIndex)
	}

	// The mode changes while the bond is down without ports.
	if err := h.SetLinkDown(bg, b0); err != nil {
		t.Fatal(err)
	}
	err = h.SetLink(bg, b0, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Data: &rtnl.BondInfo{Mode: new(rtnl.BondBalanceXOR),
		XmitHashPolicy: new(rtnl.BondHashLayer34), MIIMon: new(uint32(0)),
		ARPInterval: new(uint32(200)), ARPIPTargets: []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")}}}})
	if err != nil {
		t.Fatal(err)
	}
	b := mustLink(t, h, "b0").Info.Data.(*rtnl.BondInfo)
	if *b.Mode != rtnl.BondBalanceXOR || *b.XmitHashPolicy != rtnl.BondHashLayer34 || *b.MIIMon != 0 || *b.ARPInterval != 200 ||
		len(b.ARPIPTargets) != 2 || b.ARPIPTargets[1] != netip.MustParseAddr("192.0.2.2") {
		t.Fatalf("b0 after change: %+v", b)
	}
	ipSameKeys(t, "b0", "info_data", ipLink(t, ns, "b0"), bondIPKeys(b, linkNames(t, h)))
	// A non-nil empty list clears the targets.
	err = h.SetLink(bg, b0, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Data: &rtnl.BondInfo{ARPIPTargets: []netip.Addr{}}}})
	if err != nil {
		t.Fatal(err)
	}
	if b := mustLink(t, h, "b0").Info.Data.(*rtnl.BondInfo); len(b.ARPIPTargets) != 0 {
		t.Fatalf("targets after clearing: %v", b.ARPIPTargets)
	}

	if err := h.DeleteLink(bg, b0); err != nil {
		t.Fatal(err)
	}
	linkGone(t, h, ns, "b0")
}

func TestLinkVrf(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "vrf", "veth")
	if err := h.AddLink(bg, &rtnl.Link{Name: "red", Info: rtnl.LinkInfo{Data: &rtnl.VrfInfo{Table: new(uint32(10))}}}); err != nil {
		t.Fatal(err)
	}
	red := mustLink(t, h, "red")
	if v, ok := red.Info.Data.(*rtnl.VrfInfo); !ok || red.Info.Kind != "vrf" || *v.Table != 10 {
		t.Fatalf("red: %+v", red.Info)
	}
	ipSameKeys(t, "red", "info_data", ipLink(t, ns, "red"), map[string]any{"table": uint32(10)})
	if err := h.SetLinkUp(bg, red); err != nil {
		t.Fatal(err)
	}
	v0 := addVeth(t, h, "v0", "v1")
	if err := h.SetLink(bg, v0, &rtnl.LinkChange{MasterIndex: &red.Index}); err != nil {
		t.Fatal(err)
	}
	l := mustLink(t, h, "v0")
	if p, ok := l.Info.SlaveData.(*rtnl.VrfPortInfo); !ok || l.Info.SlaveKind != "vrf" || p.Table != 10 || l.MasterIndex != red.Index {
		t.Fatalf("v0 in red: %+v %+v", l.Info, l.Info.SlaveData)
	}
	ipv0 := ipLink(t, ns, "v0")
	ipSameKeys(t, "v0", "info_slave_data", ipv0, map[string]any{"table": uint32(10)})
	if ipv0["master"] != "red" {
		t.Errorf("ip: v0's master %v", ipv0["master"])
	}
	if err := h.SetLink(bg, v0, &rtnl.LinkChange{MasterIndex: new(0)}); err != nil {
		t.Fatal(err)
	}
	if l := mustLink(t, h, "v0"); l.MasterIndex != 0 || l.Info.SlaveData != nil {
		t.Errorf("v0 released: %+v", l)
	}
	if err := h.DeleteLink(bg, red); err != nil {
		t.Fatal(err)
	}
	linkGone(t, h, ns, "red")
}

// ipvlanIPKeys is what ip prints of an ipvlan's data.
func ipvlanIPKeys(v *rtnl.IpvlanInfo) map[string]any {
	m := map[string]any{"mode": v.Mode.String()}
	switch {
	case *v.Flags&rtnl.IpvlanPrivate != 0:
		m["private"] = true
	case *v.Flags&rtnl.IpvlanVEPA != 0:
		m["vepa"] = true
	default:
		m["bridge"] = true
	}
	return m
}

func TestLinkIpvlan(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "ipvlan", "veth")
	// The mode and flags are the lower device's: one ipvlan per veth.
	v0 := addVeth(t, h, "v0", "v1")
	w0 := addVeth(t, h, "w0", "w1")
	for _, l := range []rtnl.Link{
		{Name: "ipv0", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Data: &rtnl.IpvlanInfo{Mode: new(rtnl.IpvlanL2)}}},
		{Name: "ipv1", ParentIndex: w0.Index, Info: rtnl.LinkInfo{Kind: "ipvlan", Data: &rtnl.IpvlanInfo{Mode: new(rtnl.IpvlanL3), Flags: new(rtnl.IpvlanPrivate)}}},
	} {
		if err := h.AddLink(bg, &l); err != nil {
			t.Fatalf("add %s: %v", l.Name, err)
		}
	}
	ip := ipLinks(t, ns)
	for name, want := range map[string]rtnl.IpvlanInfo{
		"ipv0": {Mode: new(rtnl.IpvlanL2), Flags: new(rtnl.IpvlanFlags(0))},
		"ipv1": {Mode: new(rtnl.IpvlanL3), Flags: new(rtnl.IpvlanPrivate)},
	} {
		l := mustLink(t, h, name)
		v, ok := l.Info.Data.(*rtnl.IpvlanInfo)
		if !ok || l.Info.Kind != "ipvlan" || *v.Mode != *want.Mode || *v.Flags != *want.Flags || l.ParentIndex == 0 {
			t.Fatalf("%s: %+v %+v", name, l.Info, l.Info.Data)
		}
		ipSameKeys(t, name, "info_data", ip[name], ipvlanIPKeys(v))
	}
	// Changed to l3s (where the kernel has it) and vepa.
	ipv1 := mustLink(t, h, "ipv1")
	err := h.SetLink(bg, ipv1, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Kind: "ipvlan", Data: &rtnl.IpvlanInfo{Mode: new(rtnl.IpvlanL3S), Flags: new(rtnl.IpvlanVEPA)}}})
	mode := rtnl.IpvlanL3S
	var ne *nl.Error
	if errors.As(err, &ne) && ne.Errno == unix.Errno(524) { // ENOTSUPP
		// Without CONFIG_IPVLAN_L3S the kernel refuses l3s: try l2.
		kfeature.SkipPart(t, "l3s", "ipvlan l3s mode (CONFIG_IPVLAN_L3S)", err.Error())
		mode = rtnl.IpvlanL2
		err = h.SetLink(bg, ipv1, &rtnl.LinkChange{Info: &rtnl.LinkInfo{Kind: "ipvlan", Data: &rtnl.IpvlanInfo{Mode: new(mode), Flags: new(rtnl.IpvlanVEPA)}}})
		if err != nil {
			t.Fatal(err)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	ipv1 = mustLink(t, h, "ipv1")
	v := ipv1.Info.Data.(*rtnl.IpvlanInfo)
	if *v.Mode != mode || *v.Flags != rtnl.IpvlanVEPA {
		t.Fatalf("ipv1 after change: mode %v flags %v", *v.Mode, *v.Flags)
	}
	ipSameKeys(t, "ipv1", "info_data", ipLink(t, ns, "ipv1"), ipvlanIPKeys(v))
	if err := h.DeleteLink(bg, ipv1); err != nil {
		t.Fatal(err)
	}
	linkGone(t, h, ns, "ipv1")
}

func TestLinkDummy(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "dummy")
	if err := h.AddLink(bg, &rtnl.Link{Name: "d0", MTU: 1400, Info: rtnl.LinkInfo{Kind: "dummy"}}); err != nil {
		t.Fatal(err)
	}
	d0 := mustLink(t, h, "d0")
	if d0.Info.Kind != "dummy" || d0.Info.Data != nil || d0.MTU != 1400 {
		t.Fatalf("d0: %+v", d0)
	}
	ip := ipLink(t, ns, "d0")
	li, _ := ip["linkinfo"].(map[string]any)
	if li["info_kind"] != "dummy" || li["info_data"] != nil || ip["mtu"] != 1400.0 {
		t.Fatalf("ip: %v", ip)
	}
	if err := h.SetLink(bg, d0, &rtnl.LinkChange{MTU: 9000, Flags: rtnl.LinkUp, FlagMask: rtnl.LinkUp}); err != nil {
		t.Fatal(err)
	}
	if l := mustLink(t, h, "d0"); l.MTU != 9000 || l.Flags&rtnl.LinkUp == 0 {
		t.Fatalf("d0 after change: %+v", l)
	}
	if err := h.DeleteLink(bg, d0); err != nil {
		t.Fatal(err)
	}
	linkGone(t, h, ns, "d0")
}

// TestLinkKindsInCacheAndWatch: the cache and the watcher decode kind and
// port data with the same decoders as listings.
func TestLinkKindsInCacheAndWatch(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "vlan", "bond", "veth")
	for _, c := range [][]string{
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "add", "vl5", "link", "v0", "type", "vlan", "id", "5", "protocol", "802.1ad"},
		{"link", "add", "b0", "type", "bond", "mode", "active-backup", "miimon", "100"},
		{"link", "set", "v1", "master", "b0"},
	} {
		ns.IP(c...)
	}
	check := func(where string, l *rtnl.Link) {
		t.Helper()
		switch l.Name {
		case "vl5":
			if v, ok := l.Info.Data.(*rtnl.VlanInfo); !ok || *v.ID != 5 || *v.Protocol != rtnl.VlanProtocol8021AD {
				t.Errorf("%s: vl5: %#v", where, l.Info.Data)
			}
		case "b0":
			if b, ok := l.Info.Data.(*rtnl.BondInfo); !ok || *b.Mode != rtnl.BondActiveBackup || *b.MIIMon != 100 {
				t.Errorf("%s: b0: %#v", where, l.Info.Data)
			}
		case "v1":
			if p, ok := l.Info.SlaveData.(*rtnl.BondPortInfo); !ok || p.QueueID == nil {
				t.Errorf("%s: v1: %#v", where, l.Info.SlaveData)
			}
		}
	}
	c, err := h.NewCache(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, n := range []string{"vl5", "b0", "v1"} {
		l, ok := c.LinkByName(n)
		if !ok {
			t.Fatalf("cache: no %s", n)
		}
		check("cache", &l)
	}
	seen := map[string]bool{}
	for ev, err := range h.Watch(bg, &rtnl.WatchOptions{Kinds: rtnl.KindLink}) {
		if err != nil {
			t.Fatal(err)
		}
		if ev.Link == nil {
			continue
		}
		check("watch", ev.Link)
		seen[ev.Link.Name] = true
		if seen["vl5"] && seen["b0"] && seen["v1"] {
			break
		}
	}
}
