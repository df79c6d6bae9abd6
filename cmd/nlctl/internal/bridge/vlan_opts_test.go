package bridge

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// vlanState is state with VLAN filtering, which the test needs whole: a
// kernel without it skips the test.
func vlanState(t *testing.T) *netnstest.NS {
	t.Helper()
	ns, vlans := state(t)
	if !vlans {
		_, why := kfeature.HasBridgeVLANFiltering(t, ns)
		netnstest.SkipFeature(t, kfeature.BridgeVLANFilteringFeature, why)
	}
	return ns
}

// textBoth runs `bridge ARGS` and `nlctl bridge ARGS` in ns and compares
// their outputs line by line.
func textBoth(t *testing.T, ns *netnstest.NS, args ...string) {
	t.Helper()
	want := bridgeCmd(t, ns, args...)
	code, got, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
	if code != 0 || got != want {
		t.Errorf("nlctl bridge %s: exit %d %s\n%s", strings.Join(args, " "), code, errs, lineDiff(want, got))
	}
}

// lineDiff shows two outputs' differing lines.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, c string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			c = g[i]
		}
		if a != c {
			b.WriteString(fmt.Sprintf("line %d:\n  bridge: %q\n  nlctl:  %q\n", i+1, a, c))
		}
	}
	if b.Len() == 0 {
		return "(same lines)"
	}
	return b.String()
}

// nlctlOK runs nlctl bridge ARGS in ns, which must succeed.
func nlctlOK(t *testing.T, ns *netnstest.NS, args ...string) {
	t.Helper()
	code, out, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl bridge %s: exit %d: %s%s", strings.Join(args, " "), code, out, errs)
	}
}

// nlctlFails runs nlctl bridge ARGS in ns, which must fail with exit
// code and an error message holding msg.
func nlctlFails(t *testing.T, ns *netnstest.NS, code int, msg string, args ...string) {
	t.Helper()
	c, out, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
	if c != code || !strings.Contains(errs, msg) {
		t.Errorf("nlctl bridge %s: exit %d, stderr %q, stdout %q; want exit %d and %q", strings.Join(args, " "), c, errs, out, code, msg)
	}
}

// TestDiffBridgeVLANSet sets per-VLAN options with nlctl bridge vlan set,
// reads them back with bridge, and compares bridge -d vlan show with
// nlctl's, text and JSON, with and without a VLAN filter.
func TestDiffBridgeVLANSet(t *testing.T) {
	ns := vlanState(t)
	nlctlOK(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "state", "blocking")
	nlctlOK(t, ns, "vlan", "set", "dev", "v0", "vid", "21-23", "state", "2")
	nlctlOK(t, ns, "vlan", "set", "vid", "10", "dev", "br0", "state", "listening")
	// Per-VLAN multicast router settings (5.15 and later) are reported
	// where the kernel has them.
	if strings.Contains(bridgeCmd(t, ns, "-j", "-d", "vlan", "show"), `"mcast_router"`) {
		nlctlOK(t, ns, "vlan", "set", "dev", "v1", "vid", "30", "mcast_router", "2")
	} else {
		kfeature.SkipPart(t, "mcast_router", "per-VLAN multicast router (BRIDGE_VLANDB_ENTRY_MCAST_ROUTER)",
			"bridge -j -d vlan show printed no mcast_router")
	}
	out := bridgeCmd(t, ns, "-j", "-d", "vlan", "show")
	for _, want := range []string{
		`{"vlan":10,"flags":["PVID","Egress Untagged"],"state":"blocking"`,
		`{"vlan":21,"vlanEnd":23,"state":"learning"`,
		`{"ifname":"br0","vlans":[{"vlan":1,"flags":["PVID","Egress Untagged"],"state":"forwarding"`,
		`{"vlan":10,"state":"listening"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("bridge -j -d vlan show lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `"mcast_router"`) && !strings.Contains(out, `{"vlan":30,"flags":["Egress Untagged"],"state":"forwarding","mcast_router":2}`) {
		t.Errorf("vlan set mcast_router 2 not applied:\n%s", out)
	}
	for _, args := range [][]string{
		{"-d", "vlan", "show"},
		{"-d", "vlan", "show", "dev", "v0"},
		{"-d", "vlan", "show", "vid", "22"},
		{"vlan", "show"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			textBoth(t, ns, args...)
			showBoth(t, ns, args...)
		})
	}
}

// TestBridgeVLANSetErrors: bad input to bridge vlan set gets a clear
// error, before or from the kernel.
func TestBridgeVLANSetErrors(t *testing.T) {
	ns, vlans := state(t)
	nlctlFails(t, ns, 255, "Device and VLAN ID are required arguments", "vlan", "set", "vid", "10", "state", "1")
	nlctlFails(t, ns, 255, "Device and VLAN ID are required arguments", "vlan", "set", "dev", "v0", "state", "1")
	nlctlFails(t, ns, 1, `Cannot find network device "nope"`, "vlan", "set", "dev", "nope", "vid", "10")
	nlctlFails(t, ns, 255, `Invalid VLAN ID "5000"`, "vlan", "set", "dev", "v0", "vid", "5000")
	nlctlFails(t, ns, 255, `Invalid VLAN ID "0"`, "vlan", "set", "dev", "v0", "vid", "0")
	nlctlFails(t, ns, 255, `Invalid VLAN range "10-5"`, "vlan", "set", "dev", "v0", "vid", "10-5")
	nlctlFails(t, ns, 255, `Invalid VLAN ID "x"`, "vlan", "set", "dev", "v0", "vid", "x")
	nlctlFails(t, ns, 255, `State must be a number from 0 to 4 or a state name, not "bogus"`, "vlan", "set", "dev", "v0", "vid", "10", "state", "bogus")
	nlctlFails(t, ns, 255, `invalid mcast_router "bogus"`, "vlan", "set", "dev", "v0", "vid", "10", "mcast_router", "bogus")
	nlctlFails(t, ns, 255, `invalid mcast_router "256"`, "vlan", "set", "dev", "v0", "vid", "10", "mcast_router", "256")
	nlctlFails(t, ns, 255, `"state" needs an argument`, "vlan", "set", "dev", "v0", "vid", "10", "state")
	nlctlFails(t, ns, 255, `argument "frob" is unknown`, "vlan", "set", "dev", "v0", "vid", "10", "frob")
	if !vlans {
		return // state recorded the skip of the VLANs
	}
	// The kernel's refusal, with its message: a VLAN the port lacks.
	nlctlFails(t, ns, 2, "doesn't exist", "vlan", "set", "dev", "v0", "vid", "99", "state", "1")
}
