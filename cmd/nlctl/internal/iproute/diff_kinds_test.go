package iproute

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// kindsSetup builds, with ip, links of the kinds deployments stack on
// their NICs: VLANs (802.1Q and 802.1ad, flags, QoS maps), an
// active-backup bond with two ports (one with a queue id), an 802.3ad
// bond, a VRF with a port, ipvlans and a dummy. Nothing in it carries
// traffic that would move counters between ip's look and nlctl's but the
// bond ports' peers being up, which ip -j and nlctl -j do not show.
var kindsSetup = [][]string{
	{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
	{"link", "add", "vl5", "link", "v0", "type", "vlan", "id", "5", "protocol", "802.1ad", "reorder_hdr", "off",
		"loose_binding", "on", "ingress-qos-map", "1:2", "3:4", "egress-qos-map", "2:5"},
	{"link", "add", "vl6", "link", "v0", "type", "vlan", "id", "6"},
	{"link", "add", "vl7", "link", "v0", "type", "vlan", "id", "7", "gvrp", "off", "mvrp", "off", "bridge_binding", "on"},
	{"link", "add", "b0", "type", "bond", "mode", "active-backup", "miimon", "100", "updelay", "200", "primary_reselect", "better",
		"fail_over_mac", "active", "num_grat_arp", "3"},
	{"link", "add", "p0", "type", "veth", "peer", "name", "p0x"},
	{"link", "add", "p1", "type", "veth", "peer", "name", "p1x"},
	{"link", "set", "p0x", "up"},
	{"link", "set", "p1x", "up"},
	{"link", "set", "b0", "up"},
	{"link", "set", "p0", "master", "b0"},
	{"link", "set", "p1", "master", "b0"},
	{"link", "set", "p1", "type", "bond_slave", "queue_id", "2"},
	{"link", "add", "b1", "type", "bond", "mode", "balance-xor", "xmit_hash_policy", "layer3+4", "arp_interval", "100",
		"arp_ip_target", "192.0.2.1,192.0.2.2", "arp_validate", "all", "min_links", "1"},
	{"link", "add", "b2", "type", "bond", "mode", "802.3ad", "lacp_rate", "fast", "ad_select", "count",
		"ad_actor_sys_prio", "100", "ad_user_port_key", "5", "ad_actor_system", "02:00:00:00:00:aa"},
	{"link", "add", "red", "type", "vrf", "table", "10"},
	{"link", "add", "r0", "master", "red", "type", "veth", "peer", "name", "r0x"},
	{"link", "add", "w0", "type", "veth", "peer", "name", "w1"},
	{"link", "add", "x0", "type", "veth", "peer", "name", "x1"},
	{"link", "add", "ipv0", "link", "w0", "type", "ipvlan", "mode", "l2", "private"},
	{"link", "add", "ipv1", "link", "x0", "type", "ipvlan", "mode", "l3", "vepa"},
	{"link", "add", "d0", "type", "dummy"},
}

func kindsState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "vlan", "bond", "vrf", "ipvlan", "dummy", "veth")
	for _, c := range kindsSetup {
		ns.IP(c...)
	}
	return ns
}

func TestDiffLinkKinds(t *testing.T) {
	ns := kindsState(t)
	for _, args := range [][]string{
		{"-d", "link", "show"},
		{"link", "show"},
		{"-d", "link", "show", "type", "vlan"},
		{"-d", "link", "show", "type", "bond"},
		{"-d", "link", "show", "type", "bond_slave"},
		{"-d", "link", "show", "master", "b0"},
		{"-d", "link", "show", "type", "vrf"},
		{"-d", "link", "show", "vrf", "red"},
		{"-d", "link", "show", "type", "vrf_slave"},
		{"-d", "link", "show", "type", "ipvlan"},
		{"-d", "link", "show", "type", "dummy"},
		{"-d", "link", "show", "dev", "vl5"},
	} {
		showLinksBoth(t, ns, args...)
	}
}

func TestDiffLinkKindsText(t *testing.T) {
	ns := kindsState(t)
	textCases(t, ns, []textNorm{normTimers}, [][]string{
		{"-d", "link", "show"},
		{"-d", "-o", "link", "show", "type", "vlan"},
		{"-d", "link", "show", "type", "bond_slave"},
		{"-d", "link", "show", "type", "vrf_slave"},
	})
}

// kindCommands are applied with ip in one namespace and with nlctl in
// another (after kindsSetup's veths): both must succeed or both fail, and
// leave the same links.
var kindCommands = [][]string{
	{"link", "add", "vl5", "link", "v0", "type", "vlan", "id", "5", "protocol", "802.1ad", "reorder_hdr", "off",
		"ingress-qos-map", "1:2", "3:4", "egress-qos-map", "2:5", "7:1"},
	{"l", "a", "vl6", "li", "v0", "ty", "vlan", "i", "6", "p", "802.1Q", "lo", "on", "b", "off"},
	{"link", "set", "vl5", "type", "vlan", "egress-qos-map", "2:0", "reorder_hdr", "on"},
	{"link", "add", "vl9", "link", "v0", "type", "vlan", "id", "9999"},
	{"link", "add", "vl8", "link", "v0", "type", "vlan", "id", "8", "reorder_hdr", "maybe"},
	{"link", "add", "vl8", "link", "v0", "type", "vlan", "id", "8", "bogus"},
	{"link", "add", "b0", "type", "bond", "mode", "active-backup", "miimon", "100"},
	{"link", "set", "b0", "up"},
	{"link", "set", "p0", "master", "b0"},
	{"link", "set", "p1", "master", "b0"},
	{"link", "set", "p1", "type", "bond_slave", "queue_id", "3"},
	{"link", "set", "b0", "type", "bond", "active_slave", "p1"},
	{"link", "set", "b0", "type", "bond", "mii", "200", "upd", "400", "downdelay", "400"},
	{"link", "set", "p0", "nomaster"},
	{"link", "set", "b0", "type", "bond", "clear_active_slave"},
	{"link", "set", "p1", "nomaster"},
	{"link", "set", "b0", "down"},
	{"link", "set", "b0", "type", "bond", "mode", "balance-alb", "tlb_dynamic_lb", "0"},
	{"link", "set", "b0", "type", "bond", "mode", "4"},
	{"link", "set", "b0", "type", "bond", "mode", "nosuch"},
	{"link", "set", "b0", "type", "bond", "active_slave", "nosuch"},
	{"link", "add", "b1", "type", "bond", "mode", "balance-xor", "xmit_hash_policy", "layer2+3", "arp_interval", "100",
		"arp_ip_target", "192.0.2.1,192.0.2.2", "arp_all_targets", "all", "resend_igmp", "2", "lp_interval", "3"},
	{"link", "set", "b1", "type", "bond", "arp_ip_target"},
	{"link", "add", "b2", "type", "bond", "mode", "802.3ad", "lacp_rate", "fast", "ad_select", "bandwidth", "ad_actor_system", "02:00:00:00:00:bb"},
	{"link", "add", "red", "type", "vrf", "table", "10"},
	{"link", "add", "blue", "type", "vrf", "table", "main"},
	{"link", "add", "green", "type", "vrf"},
	{"link", "set", "red", "up"},
	{"link", "set", "r0", "master", "red"},
	{"link", "set", "r0", "nomaster"},
	{"link", "set", "r0", "vrf", "red"},
	{"link", "add", "ipv0", "link", "w0", "type", "ipvlan", "mode", "l2"},
	{"link", "add", "ipv1", "link", "x0", "type", "ipvlan", "mode", "l3s", "private"},
	{"link", "set", "ipv1", "type", "ipvlan", "mode", "l3", "vepa"},
	{"link", "add", "ipv2", "link", "w0", "type", "ipvlan", "mode", "l4"},
	{"link", "add", "ipv3", "link", "w0", "type", "ipvlan", "private", "vepa"},
	{"link", "add", "d0", "type", "dummy"},
	{"link", "set", "d0", "mtu", "9000", "up"},
	{"link", "add", "d1", "type", "dummy", "bogus"},
	{"link", "del", "vl6"},
	{"link", "del", "b2"},
	{"link", "del", "d0"},
}

func TestDiffLinkKindChanges(t *testing.T) {
	probe := netnstest.New(t)
	kfeature.RequireLinkKinds(t, probe, "vlan", "bond", "vrf", "ipvlan", "dummy", "veth")
	withIP, withNlctl := netnstest.New(t), netnstest.New(t)
	for _, ns := range []*netnstest.NS{withIP, withNlctl} {
		for _, c := range [][]string{
			{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
			{"link", "add", "p0", "type", "veth", "peer", "name", "p0x"},
			{"link", "add", "p1", "type", "veth", "peer", "name", "p1x"},
			{"link", "set", "p0x", "up"},
			{"link", "set", "p1x", "up"},
			{"link", "add", "r0", "type", "veth", "peer", "name", "r0x"},
			{"link", "add", "w0", "type", "veth", "peer", "name", "w1"},
			{"link", "add", "x0", "type", "veth", "peer", "name", "x1"},
		} {
			ns.IP(c...)
		}
	}
	for _, c := range kindCommands {
		_, ipErr := withIP.TryIP(c...)
		code, _, errs := nlctl(append([]string{"-n", withNlctl.Name}, c...)...)
		if (ipErr == nil) != (code == 0) {
			t.Errorf("%s: ip: %v; nlctl: exit %d %s", strings.Join(c, " "), ipErr, code, errs)
		}
	}
	dump := func(ns *netnstest.NS) any {
		var v any
		out := ns.IP("-j", "-d", "link", "show")
		if err := json.Unmarshal([]byte(orEmpty(out)), &v); err != nil {
			t.Fatalf("ip -j -d link show: %v", err)
		}
		// A bond's and its ports' addresses are random, as are the
		// 802.3ad ids made of them.
		for _, l := range v.([]any) {
			m := l.(map[string]any)
			if li, ok := m["linkinfo"].(map[string]any); ok {
				for _, k := range []string{"info_data", "info_slave_data"} {
					if d, ok := li[k].(map[string]any); ok {
						delete(d, "perm_hwaddr")
						delete(d, "ad_info")
					}
				}
			}
		}
		return dropVolatile(v)
	}
	var problems []string
	a, b := dump(withIP), dump(withNlctl)
	diffValue("link", a, b, &problems)
	if fmt.Sprint(a) != fmt.Sprint(b) && len(problems) == 0 {
		problems = append(problems, "nlctl's namespace has more: "+fmt.Sprint(b))
	}
	if len(problems) > 0 {
		t.Errorf("ip -d link show after ip's and nlctl's changes:\n%s", strings.Join(problems, "\n"))
	}
}

// TestDiffLinkBond8023AD compares an 802.3ad bond with a port: its
// aggregator info, and the port's LACP states (which the bond's state
// machines may change between two looks: a difference must persist over
// three looks in a row).
func TestDiffLinkBond8023AD(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bond", "veth")
	for _, c := range [][]string{
		{"link", "add", "b2", "type", "bond", "mode", "802.3ad", "lacp_rate", "fast", "ad_actor_system", "02:00:00:00:00:aa"},
		{"link", "add", "q0", "type", "veth", "peer", "name", "q0x"},
		{"link", "set", "q0x", "up"},
		{"link", "set", "b2", "up"},
		{"link", "set", "q0", "master", "b2"},
	} {
		ns.IP(c...)
	}
	for _, args := range [][]string{{"-d", "link", "show", "b2"}, {"-d", "link", "show", "q0"}} {
		var err error
		var ipOut, ours string
		for range 3 {
			ipOut = ns.IP(append([]string{"-j"}, args...)...)
			code, out, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
			if code != 0 {
				t.Fatalf("nlctl %v: exit %d: %s", args, code, errs)
			}
			ours = out
			if err = compareIPJSON(dropTimers(t, ipOut), dropTimers(t, ours), keyOf("ifname")); err == nil {
				break
			}
		}
		if err != nil {
			t.Errorf("nlctl -j %s differs from ip:\n%v\nip:    %s\nnlctl: %s", strings.Join(args, " "), err, ipOut, ours)
		}
		textBoth(t, ns, nil, args...)
	}
}
