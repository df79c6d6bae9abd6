package bridge

import (
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// vniState makes a namespace with VXLAN devices with a VNI filter: vx0
// and vx1, and vx2 with a local address and an underlay device (which a
// multicast group needs), and vx3 without the filter; a kernel without
// the VNI filter skips the test.
func vniState(t *testing.T) *netnstest.NS {
	t.Helper()
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "veth")
	kfeature.RequireVxlanVNIFilter(t, ns)
	ns.IP("link", "add", "u0", "type", "veth", "peer", "name", "u1")
	ns.IP("addr", "add", "10.0.0.1/24", "dev", "u0")
	ns.IP("link", "add", "vx0", "type", "vxlan", "dstport", "4789", "external", "vnifilter")
	ns.IP("link", "add", "vx1", "type", "vxlan", "dstport", "4790", "external", "vnifilter")
	ns.IP("link", "add", "vx2", "type", "vxlan", "dstport", "4791", "local", "10.0.0.1", "dev", "u0", "external", "vnifilter")
	ns.IP("link", "add", "vx3", "type", "vxlan", "dstport", "4792", "external")
	for _, d := range []string{"u0", "u1", "vx0", "vx1", "vx2", "vx3"} {
		ns.IP("link", "set", d, "addrgenmode", "none")
		ns.IP("link", "set", d, "up")
	}
	return ns
}

// vniChanges are the changes the tests make, with bridge or nlctl.
var vniChanges = [][]string{
	{"vni", "add", "vni", "100", "dev", "vx0"},
	{"vni", "add", "vni", "200-210", "dev", "vx0"},
	{"vni", "add", "vni", "300", "remote", "10.0.0.5", "dev", "vx0"},
	{"vni", "add", "vni", "400", "remote", "2001:db8::1", "dev", "vx0"},
	{"vni", "add", "vni", "500,600-602", "dev", "vx1"},
	{"vni", "add", "dev", "vx2", "vni", "700-701", "group", "239.1.1.1"},
	{"vni", "add", "vni", "800", "group", "ff0e::5", "dev", "vx2"},
	{"vni", "delete", "vni", "203-205", "dev", "vx0"},
	{"vni", "delete", "vni", "100", "dev", "vx0"},
	{"vni", "add", "vni", "900", "dev", "vx1"},
	{"vni", "delete", "vni", "900", "dev", "vx1"},
}

// vniShows are the listings compared.
var vniShows = [][]string{
	{"vni", "show"},
	{"vni"},
	{"vni", "list"},
	{"vni", "lst"},
	{"vni", "show", "dev", "vx0"},
	{"vni", "show", "dev", "vx2"},
	{"-s", "vni", "show"},
	{"-s", "vni", "show", "dev", "vx1"},
}

// TestDiffBridgeVNI builds VNI filters with bridge, then compares nlctl
// bridge vni show with bridge's, JSON key by key and byte for byte (the
// counters are 0: no traffic) and text line by line.
func TestDiffBridgeVNI(t *testing.T) {
	ns := vniState(t)
	for _, c := range vniChanges {
		bridgeCmd(t, ns, c...)
	}
	for _, args := range vniShows {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			showBoth(t, ns, args...)
			textBoth(t, ns, args...)
		})
	}
	// A device without VNIs: only the header, and [] in JSON.
	bridgeCmd(t, ns, "vni", "delete", "vni", "500,600-602", "dev", "vx1")
	textBoth(t, ns, "vni", "show", "dev", "vx1")
	if code, out, errs := nlctl("-n", ns.Name, "-j", "bridge", "vni", "show", "dev", "vx1"); code != 0 || out != bridgeCmd(t, ns, "-j", "vni", "show", "dev", "vx1") {
		t.Errorf("nlctl bridge -j vni show dev vx1 with no VNIs: exit %d %s: %q", code, errs, out)
	}
}

// TestDiffBridgeVNIChanges makes the same changes with bridge in one
// namespace and with nlctl in its twin, and compares what bridge lists in
// each, JSON and text.
func TestDiffBridgeVNIChanges(t *testing.T) {
	theirs, ours := vniState(t), vniState(t)
	for _, c := range vniChanges {
		bridgeCmd(t, theirs, c...)
		nlctlOK(t, ours, c...)
		for _, show := range [][]string{{"-j", "vni", "show"}, {"-s", "vni", "show"}} {
			if a, b := bridgeCmd(t, theirs, show...), bridgeCmd(t, ours, show...); a != b {
				t.Fatalf("after %s, bridge %s:\n%s", strings.Join(c, " "), strings.Join(show, " "), lineDiff(a, b))
			}
		}
	}
	out := bridgeCmd(t, ours, "-j", "vni", "show")
	for _, want := range []string{`{"vni":200,"vniEnd":202}`, `{"vni":206,"vniEnd":210}`, `{"vni":700,"vniEnd":701,"group":"239.1.1.1"}`,
		`{"vni":800,"group":"ff0e::5"}`, `{"vni":400,"remote":"2001:db8::1"}`} {
		if !strings.Contains(out, want) {
			t.Errorf("bridge -j vni show after nlctl's changes lacks %s: %s", want, out)
		}
	}
	// "del" as later bridges take it.
	nlctlOK(t, ours, "vni", "del", "vni", "300", "dev", "vx0")
	if strings.Contains(bridgeCmd(t, ours, "vni", "show"), "10.0.0.5") {
		t.Error("nlctl bridge vni del: VNI 300 still there")
	}
}

// TestBridgeVNIErrors: bad input to bridge vni gets a clear error, before
// or from the kernel.
func TestBridgeVNIErrors(t *testing.T) {
	ns := vniState(t)
	bridgeCmd(t, ns, "vni", "add", "vni", "10", "dev", "vx0")
	nlctlFails(t, ns, 255, "Device and VNI ID are required arguments", "vni", "add", "dev", "vx0")
	nlctlFails(t, ns, 255, "Device and VNI ID are required arguments", "vni", "add", "vni", "5")
	nlctlFails(t, ns, 1, `Cannot find vxlan device "nope"`, "vni", "add", "vni", "5", "dev", "nope")
	nlctlFails(t, ns, 1, `Cannot find device "nope"`, "vni", "show", "dev", "nope")
	nlctlFails(t, ns, 255, `Invalid VNI "abc"`, "vni", "add", "vni", "abc", "dev", "vx0")
	nlctlFails(t, ns, 255, `Invalid VNI "0"`, "vni", "add", "vni", "0", "dev", "vx0")
	nlctlFails(t, ns, 255, `Invalid VNI "16777216"`, "vni", "add", "vni", "16777216", "dev", "vx0")
	nlctlFails(t, ns, 255, `Invalid VNI "20-10"`, "vni", "add", "vni", "5,20-10", "dev", "vx0")
	nlctlFails(t, ns, 255, `argument "6" is wrong: duplicate vni`, "vni", "add", "vni", "5", "vni", "6", "dev", "vx0")
	nlctlFails(t, ns, 255, `argument "10.0.0.1" is wrong: invalid group address`, "vni", "add", "vni", "5", "group", "10.0.0.1", "dev", "vx0")
	nlctlFails(t, ns, 255, `argument "group" is wrong: duplicate group`, "vni", "add", "vni", "5", "remote", "10.0.0.1", "group", "239.1.1.1", "dev", "vx0")
	nlctlFails(t, ns, 1, `any valid address is expected rather than "nope"`, "vni", "add", "vni", "5", "remote", "nope", "dev", "vx0")
	nlctlFails(t, ns, 255, `argument "junk" is unknown`, "vni", "add", "vni", "5", "dev", "vx0", "junk")
	nlctlFails(t, ns, 255, `Command "frob" is unknown, try "bridge vni help".`, "vni", "frob")
	nlctlFails(t, ns, 255, `Command "sh" is unknown`, "vni", "sh")
	// The kernel's refusals: a group without a local address, a VNI the
	// filter lacks, a device without the filter.
	nlctlFails(t, ns, 2, "Local interface required for multicast remote group", "vni", "add", "vni", "5", "group", "239.1.1.1", "dev", "vx0")
	nlctlFails(t, ns, 2, "deleting VNI 77 on vx0", "vni", "delete", "vni", "77", "dev", "vx0")
	nlctlFails(t, ns, 2, "adding VNI 5 on vx3 (a VXLAN device in external mode with vnifilter on?)", "vni", "add", "vni", "5", "dev", "vx3")
	nlctlFails(t, ns, 2, "listing the VNI filter of vx3", "vni", "show", "dev", "vx3")
	// Nothing changed.
	if out := bridgeCmd(t, ns, "-j", "vni", "show"); out != `[{"ifname":"vx0","vnis":[{"vni":10}]}]`+"\n" {
		t.Errorf("after the refused changes: %s", out)
	}
}
