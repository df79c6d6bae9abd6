package kfeature

import (
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// TestFeatureProbes checks the probes on what every kernel has and on what
// none has, so that a probe cannot drift into calling everything present
// (hiding nothing, but testing nothing) or absent (skipping everything).
func TestFeatureProbes(t *testing.T) {
	ns := netnstest.New(t)
	for _, c := range []struct {
		name string
		want bool
		has  func() (bool, string)
	}{
		{"rule family IPv4", true, func() (bool, string) { return HasRuleFamily(t, ns, unix.AF_INET) }},
		{"rule family 99", false, func() (bool, string) { return HasRuleFamily(t, ns, 99) }},
		{"link kind veth", true, func() (bool, string) { return HasLinkKind(t, ns, "veth") }},
		{"link kind nlkit-none", false, func() (bool, string) { return HasLinkKind(t, ns, "nlkit-none") }},
		{"veth data VETH_INFO_PEER", true, func() (bool, string) { return HasLinkDataAttr(t, ns, "veth", 1) }},
		{"veth data attribute 200", false, func() (bool, string) { return HasLinkDataAttr(t, ns, "veth", 200) }},
		{"rule FRA_TABLE", true, func() (bool, string) { return HasRuleAttr(t, ns, unix.AF_INET, unix.FRA_TABLE) }},
		{"rule attribute 200", false, func() (bool, string) { return HasRuleAttr(t, ns, unix.AF_INET, 200) }},
		{"nexthop NHA_GROUP", true, func() (bool, string) { return hasNexthopAttr(t, ns, unix.NHA_GROUP) }},
		{"nexthop attribute 200", false, func() (bool, string) { return hasNexthopAttr(t, ns, 200) }},
		{"nexthop dump NHA_OIF", true, func() (bool, string) { return hasNexthopDumpAttr(t, ns, unix.NHA_OIF) }},
		{"nexthop dump attribute 200", false, func() (bool, string) { return hasNexthopDumpAttr(t, ns, 200) }},
		{"encapsulation type 200", false, func() (bool, string) { return HasLWTEncap(t, ns, 200) }},
		{"bridge data IFLA_BR_FORWARD_DELAY", true, func() (bool, string) {
			return bridgeDataHas(t, ns, unix.IFLA_BR_FORWARD_DELAY, "IFLA_BR_FORWARD_DELAY")
		}},
		{"bridge data attribute 200", false, func() (bool, string) { return bridgeDataHas(t, ns, 200, "attribute 200") }},
	} {
		got, why := c.has()
		if got != c.want {
			t.Errorf("%s: present %v, want %v (%s)", c.name, got, c.want, why)
		}
	}
	// Tunnel encapsulation: a type no kernel has, where GRE devices exist.
	if ok, _ := HasLinkKind(t, ns, "gre"); ok {
		if has, why := HasTunnelEncap(t, ns, 200, false); has {
			t.Errorf("tunnel encapsulation type 200: present (%s)", why)
		}
	}
	// VLAN filtering: the probe agrees with what the kernel does when
	// asked to turn it on.
	has, why := HasBridgeVLANFiltering(t, ns)
	ns.IP("link", "add", "kf-br0", "type", "bridge")
	_, err := ns.TryIP("link", "set", "kf-br0", "type", "bridge", "vlan_filtering", "1")
	if has != (err == nil) {
		t.Errorf("bridge VLAN filtering: probe says %v (%s), turning it on: %v", has, why, err)
	}
	ns.IP("link", "del", "kf-br0")
	// What is left in the namespace: nothing the probes made.
	if out := ns.IP("-o", "link", "show"); strings.Count(out, "\n") != 1 {
		t.Errorf("links left by the probes:\n%s", out)
	}
}
