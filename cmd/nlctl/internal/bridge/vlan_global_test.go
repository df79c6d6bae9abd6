package bridge

import (
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// bridgeVLANGlobalFeature names the kernel's VLAN global options.
const bridgeVLANGlobalFeature = "bridge VLAN global options (BRIDGE_VLANDB_GLOBAL_OPTIONS, Linux 5.13)"

// hasVLANGlobals reports whether the kernel lists global VLAN options
// for br0, which has VLANs: one before 5.13 does not know the dump's
// BRIDGE_VLANDB_DUMPF_GLOBAL flag. It returns the evidence.
func hasVLANGlobals(t *testing.T, ns *netnstest.NS) (bool, string) {
	t.Helper()
	out, err := ns.TryExec("bridge", "-j", "vlan", "global", "show", "dev", "br0")
	if err != nil {
		return false, "bridge -j vlan global show dev br0 failed: " + err.Error()
	}
	return strings.Contains(out, `"ifname":"br0"`), "bridge -j vlan global show dev br0 printed " + strings.TrimSpace(out)
}

// requireVLANGlobals skips the test where the kernel lists no global VLAN
// options.
func requireVLANGlobals(t *testing.T, ns *netnstest.NS) {
	t.Helper()
	if ok, why := hasVLANGlobals(t, ns); !ok {
		netnstest.SkipFeature(t, bridgeVLANGlobalFeature, why)
	}
}

// TestDiffBridgeVLANGlobal sets global VLAN options with nlctl bridge
// vlan global set, reads them back with bridge, and compares bridge vlan
// global show with nlctl's, text and JSON, with filters, router ports
// and -s.
func TestDiffBridgeVLANGlobal(t *testing.T) {
	ns := vlanState(t)
	requireVLANGlobals(t, ns)
	textBoth(t, ns, "vlan", "global", "show")
	showBoth(t, ns, "vlan", "global", "show")
	// Per-VLAN snooping (5.13 and later, with snooping) gives VLANs
	// multicast router ports.
	if _, err := ns.TryIP("link", "set", "br0", "type", "bridge", "mcast_vlan_snooping", "1"); err != nil {
		t.Logf("no per-VLAN multicast snooping: %v", err)
	} else {
		bridgeCmd(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "mcast_router", "2")
	}
	nlctlOK(t, ns, "vlan", "global", "set", "dev", "br0", "vid", "10", "mcast_snooping", "1", "mcast_querier", "1",
		"mcast_igmp_version", "3", "mcast_mld_version", "2", "mcast_last_member_count", "3", "mcast_startup_query_count", "4",
		"mcast_last_member_interval", "200", "mcast_membership_interval", "26000", "mcast_querier_interval", "25600",
		"mcast_query_interval", "12600", "mcast_query_response_interval", "1100", "mcast_startup_query_interval", "3200")
	nlctlOK(t, ns, "vlan", "global", "set", "vid", "20-22", "dev", "br0", "mcast_snooping", "0")
	out := bridgeCmd(t, ns, "-j", "vlan", "global", "show")
	for _, want := range []string{
		`{"vlan":10,"mcast_snooping":1,"mcast_querier":1,"mcast_igmp_version":3,"mcast_mld_version":2,"mcast_last_member_count":3,"mcast_last_member_interval":200,"mcast_startup_query_count":4,"mcast_startup_query_interval":3200,"mcast_membership_interval":26000,"mcast_querier_interval":25600,"mcast_query_interval":12600,"mcast_query_response_interval":1100`,
		`{"vlan":20,"vlanEnd":22,"mcast_snooping":0,`,
		`{"vlan":23,"vlanEnd":25,"mcast_snooping":1,`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bridge -j vlan global show lacks %s:\n%s", want, out)
		}
	}
	for _, args := range [][]string{
		{"vlan", "global", "show"},
		{"vlan", "global"},
		{"vlan", "global", "list", "dev", "br0"},
		{"vlan", "global", "show", "vid", "21"},
		{"vlan", "global", "show", "vid", "10"},
		{"-s", "vlan", "global", "show"},
		{"-d", "vlan", "global", "show"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			textBoth(t, ns, args...)
			showBoth(t, ns, args...)
		})
	}
}

// TestBridgeVLANGlobalErrors: bad input to bridge vlan global gets a
// clear error, before or from the kernel.
func TestBridgeVLANGlobalErrors(t *testing.T) {
	ns, vlans := state(t)
	nlctlFails(t, ns, 255, "Device and VLAN ID are required arguments", "vlan", "global", "set", "dev", "br0", "mcast_snooping", "1")
	nlctlFails(t, ns, 1, `Cannot find network device "nope"`, "vlan", "global", "set", "dev", "nope", "vid", "1")
	nlctlFails(t, ns, 255, `Invalid VLAN ID "5000"`, "vlan", "global", "set", "dev", "br0", "vid", "5000")
	nlctlFails(t, ns, 255, `Invalid VLAN range "30-20"`, "vlan", "global", "set", "dev", "br0", "vid", "30-20")
	nlctlFails(t, ns, 255, `invalid mcast_snooping "x"`, "vlan", "global", "set", "dev", "br0", "vid", "10", "mcast_snooping", "x")
	nlctlFails(t, ns, 255, `invalid mcast_query_interval "-1"`, "vlan", "global", "set", "dev", "br0", "vid", "10", "mcast_query_interval", "-1")
	nlctlFails(t, ns, 255, `argument "mcast_router" is unknown`, "vlan", "global", "set", "dev", "br0", "vid", "10", "mcast_router", "1")
	nlctlFails(t, ns, 255, `command "frob" is unknown`, "vlan", "global", "frob")
	nlctlFails(t, ns, 255, `command "sh" is unknown`, "vlan", "global", "sh")
	if !vlans {
		return // state recorded the skip of the VLANs
	}
	t.Run("kernel", func(t *testing.T) {
		requireVLANGlobals(t, ns)
		// The kernel's refusals, with its messages: a port, a VLAN the
		// bridge lacks.
		nlctlFails(t, ns, 2, "bridge device", "vlan", "global", "set", "dev", "v0", "vid", "10", "mcast_snooping", "1")
		nlctlFails(t, ns, 2, "doesn't exist", "vlan", "global", "set", "dev", "br0", "vid", "99", "mcast_snooping", "1")
	})
}
