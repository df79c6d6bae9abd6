package bridge

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// The differential tests build a namespace's state with ip and bridge,
// then compare `nlctl bridge -j OBJECT show` with `bridge -j OBJECT show`:
// every value bridge prints must be printed by nlctl, at the same place,
// with the same value (nlctl may print more keys), and the text outputs
// must be equal.

func registry() *cli.Registry { return clitest.Registry(nil, Commands()...) }

func nlctl(args ...string) (int, string, string) { return clitest.Run(registry(), args...) }

// bridgeCmd runs iproute2's bridge in ns.
func bridgeCmd(t *testing.T, ns *netnstest.NS, args ...string) string {
	t.Helper()
	return ns.Exec("bridge", args...)
}

// state builds a bridge br0 with veth ports v0 and v1, a VXLAN port vx0
// (external, vlan_tunnel on) and a veth pair u0/u1 for the VXLAN's
// underlay; FDB entries static, dynamic, sticky, extern_learn, on the
// bridge and in the VXLAN's own table with dst, vni, port, via, src_vni
// and a nexthop group; MDB entries IPv4, IPv6 and layer 2, permanent and
// temporary; port settings. Where the kernel has VLAN filtering, br0
// filters VLANs and the ports have VLANs with pvid, untagged, ranges, and
// tunnel mappings; it returns whether it does. No link has an IPv6
// link-local address, so the kernel learns nothing while the tests look.
func state(t *testing.T) (*netnstest.NS, bool) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bridge", "veth", "vxlan")
	vlans, why := kfeature.HasBridgeVLANFiltering(t, ns)
	ip := func(args ...string) { ns.IP(args...) }
	br := func(args ...string) { bridgeCmd(t, ns, args...) }
	ip("link", "add", "br0", "type", "bridge")
	if vlans {
		ip("link", "set", "br0", "type", "bridge", "vlan_filtering", "1")
	}
	ip("link", "add", "v0", "type", "veth", "peer", "name", "v0p")
	ip("link", "add", "v1", "type", "veth", "peer", "name", "v1p")
	ip("link", "add", "u0", "type", "veth", "peer", "name", "u1")
	for _, d := range []string{"br0", "v0", "v0p", "v1", "v1p", "u0", "u1"} {
		ip("link", "set", d, "addrgenmode", "none")
	}
	ip("link", "set", "v0", "master", "br0")
	ip("link", "set", "v1", "master", "br0")
	ip("link", "add", "vx0", "type", "vxlan", "dstport", "4789", "local", "10.0.0.1", "nolearning", "external")
	ip("link", "set", "vx0", "addrgenmode", "none")
	ip("link", "set", "vx0", "master", "br0")
	ip("link", "set", "vx0", "type", "bridge_slave", "vlan_tunnel", "on", "neigh_suppress", "on", "learning", "off")
	ip("link", "set", "v1", "type", "bridge_slave", "cost", "7", "priority", "9", "hairpin", "on")
	for _, d := range []string{"br0", "v0", "v0p", "v1", "v1p", "vx0", "u0", "u1"} {
		ip("link", "set", d, "up")
	}
	waitForwarding(t, ns, "v0", "v1")
	ip("addr", "add", "10.0.0.1/24", "dev", "u0")
	vlan := func(args ...string) []string {
		if !vlans {
			return nil
		}
		return args
	}
	if vlans {
		br("vlan", "add", "dev", "v0", "vid", "10", "pvid", "untagged")
		br("vlan", "add", "dev", "v0", "vid", "20-25")
		br("vlan", "add", "dev", "v1", "vid", "30", "untagged")
		br("vlan", "add", "dev", "vx0", "vid", "100-102")
		br("vlan", "add", "dev", "vx0", "vid", "100-102", "tunnel_info", "id", "1100-1102")
		br("vlan", "add", "dev", "vx0", "vid", "200")
		br("vlan", "add", "dev", "vx0", "vid", "200", "tunnel_info", "id", "2200")
		br("vlan", "add", "dev", "br0", "vid", "10", "self")
	} else {
		kfeature.SkipPart(t, "VLANs", kfeature.BridgeVLANFilteringFeature, why)
	}
	br(append([]string{"fdb", "add", "02:00:00:00:00:01", "dev", "v0", "master", "static"}, vlan("vlan", "10")...)...)
	br("fdb", "add", "02:00:00:00:00:02", "dev", "v1", "master", "dynamic")
	br("fdb", "add", "02:00:00:00:00:03", "dev", "v0", "master", "sticky", "static")
	br("fdb", "add", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.0.0.2", "self", "permanent")
	br("fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.0.0.3", "vni", "1100", "self", "permanent")
	br("fdb", "add", "02:00:00:00:00:04", "dev", "vx0", "dst", "10.0.0.4", "vni", "1101", "port", "4790", "via", "u0", "self")
	br("fdb", "add", "02:00:00:00:00:05", "dev", "vx0", "master", "extern_learn")
	ip("nexthop", "add", "id", "1", "via", "10.0.0.2", "fdb")
	ip("nexthop", "add", "id", "2", "via", "10.0.0.3", "fdb")
	ip("nexthop", "add", "id", "10", "group", "1/2", "fdb")
	br("fdb", "add", "02:00:00:00:00:06", "dev", "vx0", "nhid", "10", "self")
	br("fdb", "add", "02:00:00:00:00:07", "dev", "vx0", "dst", "10.0.0.9", "src_vni", "77", "self")
	if ok, why := kfeature.HasBridgeMcastSnooping(t, ns); ok {
		br(append([]string{"mdb", "add", "dev", "br0", "port", "v0", "grp", "239.1.1.1", "permanent"}, vlan("vid", "10")...)...)
		br(append([]string{"mdb", "add", "dev", "br0", "port", "v1", "grp", "239.1.1.2", "temp"}, vlan("vid", "30")...)...)
		br("mdb", "add", "dev", "br0", "port", "v0", "grp", "ff0e::1", "permanent")
		// Layer-2 groups: a kernel without them answers "Unknown entry
		// protocol" (EINVAL); the rest of the MDB is compared anyway.
		if _, err := ns.TryExec("bridge", "mdb", "add", "dev", "br0", "port", "v1", "grp", "01:00:5e:01:02:03", "permanent"); err != nil {
			if !strings.Contains(err.Error(), "Unknown entry protocol") {
				t.Fatal(err)
			}
			kfeature.SkipPart(t, "L2 MDB", kfeature.BridgeL2MDBFeature, "bridge mdb add of 01:00:5e:01:02:03 answered "+err.Error())
		}
		br("link", "set", "dev", "v0", "mcast_router", "2")
	} else {
		kfeature.SkipPart(t, "MDB", kfeature.BridgeMcastSnoopingFeature, why)
	}
	return ns, vlans
}

// waitForwarding waits until the ports are forwarding: the kernel moves
// a port there once it sees the veth's carrier, a moment after both ends
// are up, and refuses a dynamic FDB entry on a port that cannot learn yet
// (EPERM).
func waitForwarding(t *testing.T, ns *netnstest.NS, ports ...string) {
	t.Helper()
	for _, p := range ports {
		for i := 0; !strings.Contains(bridgeCmd(t, ns, "-j", "link", "show", "dev", p), `"state":"forwarding"`); i++ {
			if i == 500 {
				t.Fatalf("port %s is not forwarding: %s", p, bridgeCmd(t, ns, "link", "show", "dev", p))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// diffJSON compares bridge's JSON with ours: every object key bridge
// prints must be in ours with the same value (ours may have more keys),
// arrays element by element, in order. skip names keys whose values move
// with time (timers, ages).
func diffJSON(path string, want, got any, skip map[string]bool, problems *[]string) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: bridge has an object, nlctl %s", path, describe(got)))
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				*problems = append(*problems, fmt.Sprintf("%s.%s: missing (bridge: %s)", path, k, describe(wv)))
				continue
			}
			if skip[k] {
				// A moving value: the same JSON type is enough.
				if reflect.TypeOf(wv) != reflect.TypeOf(gv) {
					*problems = append(*problems, fmt.Sprintf("%s.%s: bridge %s, nlctl %s (not the same type)", path, k, describe(wv), describe(gv)))
				}
				continue
			}
			diffJSON(path+"."+k, wv, gv, skip, problems)
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			*problems = append(*problems, fmt.Sprintf("%s: bridge %s, nlctl %s", path, describe(want), describe(got)))
			return
		}
		for i := range w {
			diffJSON(fmt.Sprintf("%s[%d]", path, i), w[i], g[i], skip, problems)
		}
	default:
		if !reflect.DeepEqual(want, got) {
			*problems = append(*problems, fmt.Sprintf("%s: bridge %s, nlctl %s", path, describe(want), describe(got)))
		}
	}
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// timeKeys are the keys whose values move between two listings: times,
// and the VLANs' traffic counters (compared by presence and type only).
var timeKeys = map[string]bool{"used": true, "updated": true, "timer": true,
	"rx_bytes": true, "rx_packets": true, "tx_bytes": true, "tx_packets": true}

// showBoth runs `bridge -j ARGS` and `nlctl bridge -j ARGS` in ns and
// compares them key by key.
func showBoth(t *testing.T, ns *netnstest.NS, args ...string) {
	t.Helper()
	theirs := bridgeCmd(t, ns, append([]string{"-j"}, args...)...)
	code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j", "bridge"}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl bridge -j %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	var a, b any
	if strings.TrimSpace(theirs) == "" {
		theirs = "[]"
	}
	if err := json.Unmarshal([]byte(theirs), &a); err != nil {
		t.Fatalf("bridge -j %s: %v: %s", strings.Join(args, " "), err, theirs)
	}
	if err := json.Unmarshal([]byte(ours), &b); err != nil {
		t.Fatalf("nlctl bridge -j %s: %v: %s", strings.Join(args, " "), err, ours)
	}
	var problems []string
	diffJSON("", a, b, timeKeys, &problems)
	if len(problems) > 0 {
		sort.Strings(problems)
		t.Errorf("nlctl bridge -j %s differs from bridge:\n%s\nbridge: %.3000s\nnlctl:  %.3000s", strings.Join(args, " "), strings.Join(problems, "\n"), theirs, ours)
	}
	// Without -s (ages, timers) the output is bridge's, byte for byte.
	if !strings.Contains(" "+strings.Join(args, " ")+" ", " -s ") && theirs != ours {
		t.Errorf("nlctl bridge -j %s is not bridge's output byte for byte:\nbridge: %q\nnlctl:  %q", strings.Join(args, " "), tail(theirs), tail(ours))
	}
	// Something was compared: the listings the state fills are not empty.
	if n := strings.Count(theirs, "{"); n == 0 && !strings.Contains(strings.Join(args, " "), "vlan") {
		t.Errorf("bridge -j %s printed nothing to compare", strings.Join(args, " "))
	}
}

func TestDiffBridgeJSON(t *testing.T) {
	ns, vlans := state(t)
	cmds := [][]string{
		{"link", "show"},
		{"link"},
		{"-d", "link", "show"},
		{"link", "show", "dev", "vx0"},
		{"fdb", "show"},
		{"fdb"},
		{"-s", "fdb", "show"},
		// bridge 6.1 prints no more FDB fields with -d: the same output.
		{"-d", "fdb", "show"},
		{"-d", "-s", "fdb", "show"},
		{"fdb", "show", "dev", "vx0"},
		{"fdb", "show", "br", "br0"},
		{"fdb", "show", "state", "permanent"},
		{"fdb", "show", "dynamic"},
		{"mdb", "show"},
		{"mdb", "show", "dev", "br0"},
		{"-d", "mdb", "show"},
		{"-d", "-s", "mdb", "show"},
		{"vlan", "show"},
		{"vlan", "tunnelshow"},
		{"-compressvlans", "vlan", "show"},
	}
	if vlans {
		cmds = append(cmds,
			[]string{"fdb", "show", "vlan", "10"},
			[]string{"vlan", "show", "dev", "v0"},
			[]string{"vlan", "show", "vid", "22"},
			[]string{"-compressvlans", "vlan", "show", "vid", "22"},
			[]string{"-compressvlans", "vlan", "tunnelshow"},
			[]string{"vlan", "tunnelshow", "dev", "vx0"},
			[]string{"mdb", "show", "vid", "10"},
			[]string{"-d", "vlan", "show"},
			[]string{"-d", "vlan", "show", "dev", "vx0"},
			[]string{"-d", "vlan", "show", "vid", "22"},
		)
	}
	for _, args := range cmds {
		t.Run(strings.Join(args, " "), func(t *testing.T) { showBoth(t, ns, args...) })
	}
}

// The text forms of the same state (without -s, whose ages and timers
// move).
func TestDiffBridgeText(t *testing.T) {
	ns, vlans := state(t)
	cmds := [][]string{
		{"link", "show"},
		{"-d", "link", "show"},
		{"link", "show", "dev", "v1"},
		{"fdb", "show"},
		{"-d", "fdb", "show"},
		{"fdb", "show", "dev", "vx0"},
		{"fdb", "show", "br", "br0"},
		{"mdb", "show"},
		{"-d", "mdb", "show"},
		{"vlan", "show"},
		{"vlan", "tunnelshow"},
	}
	if vlans {
		cmds = append(cmds,
			[]string{"-compressvlans", "vlan", "show"},
			[]string{"-compressvlans", "vlan", "tunnelshow"},
			[]string{"vlan", "show", "vid", "22"},
			[]string{"-d", "vlan", "show"},
		)
	}
	for _, args := range cmds {
		want := bridgeCmd(t, ns, args...)
		code, got, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
		if code != 0 || got != want {
			t.Errorf("nlctl bridge %s: exit %d %s\nbridge:\n%s\nnlctl:\n%s", strings.Join(args, " "), code, errs, want, got)
		}
	}
}

// TestBridgeChanges makes changes with nlctl and reads them back with
// bridge.
func TestBridgeChanges(t *testing.T) {
	ns, vlans := state(t)
	run := func(args ...string) {
		t.Helper()
		code, out, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
		if code != 0 {
			t.Fatalf("nlctl bridge %s: exit %d: %s%s", strings.Join(args, " "), code, out, errs)
		}
	}
	has := func(s string, args ...string) bool {
		t.Helper()
		return strings.Contains(bridgeCmd(t, ns, args...), s)
	}
	run("fdb", "add", "02:00:00:00:00:aa", "dev", "v0", "master", "static")
	if !has("02:00:00:00:00:aa dev v0 master br0 static", "fdb", "show", "br", "br0") {
		t.Error("fdb add: entry not there")
	}
	run("fdb", "replace", "02:00:00:00:00:aa", "dev", "v1", "master", "static")
	if !has("02:00:00:00:00:aa dev v1 master br0 static", "fdb", "show", "br", "br0") {
		t.Error("fdb replace: entry not moved")
	}
	// (With VLAN filtering, an entry added without a VLAN is added in
	// every VLAN of the port too, and replace moves only those the new
	// port has: the test looks at v1 alone.)
	run("fdb", "del", "02:00:00:00:00:aa", "dev", "v1", "master")
	if has("02:00:00:00:00:aa", "fdb", "show", "dev", "v1") {
		t.Error("fdb del: entry still there")
	}
	run("fdb", "append", "00:00:00:00:00:00", "dev", "vx0", "dst", "10.0.0.5", "vni", "1200", "self")
	if !has("00:00:00:00:00:00 dst 10.0.0.5 vni 1200 self permanent", "fdb", "show", "dev", "vx0") {
		t.Error("fdb append: remote not there")
	}
	run("fdb", "add", "02:00:00:00:00:bb", "dev", "vx0", "nhid", "10", "self")
	if !has("02:00:00:00:00:bb nhid 10 self permanent", "fdb", "show", "dev", "vx0") {
		t.Error("fdb add nhid: entry not there")
	}
	if code, _, _ := nlctl("-n", ns.Name, "bridge", "fdb", "add", "02:00:00:00:00:cc", "dev", "vx0", "nhid", "10", "dst", "10.0.0.1"); code != 255 {
		t.Errorf("nhid with dst: exit %d, want 255", code)
	}
	run("link", "set", "dev", "v0", "learning", "off", "cost", "42", "flood", "off", "isolated", "on")
	if !has("\"learning\":false", "-j", "-d", "link", "show", "dev", "v0") || !has("cost 42", "link", "show", "dev", "v0") ||
		!has("\"isolated\":true", "-j", "-d", "link", "show", "dev", "v0") {
		t.Errorf("link set: %s", bridgeCmd(t, ns, "-d", "link", "show", "dev", "v0"))
	}
	if ok, _ := kfeature.HasBridgeMcastSnooping(t, ns); ok {
		run("mdb", "add", "dev", "br0", "port", "v1", "grp", "239.9.9.9", "permanent")
		if !has("dev br0 port v1 grp 239.9.9.9 permanent", "mdb", "show") {
			t.Error("mdb add: entry not there")
		}
		run("mdb", "del", "dev", "br0", "port", "v1", "grp", "239.9.9.9", "permanent")
		if has("239.9.9.9", "mdb", "show") {
			t.Error("mdb del: entry still there")
		}
	}
	if !vlans {
		return // state recorded the skip of the VLANs
	}
	run("vlan", "add", "dev", "v1", "vid", "40-45", "untagged")
	run("vlan", "add", "dev", "v1", "vid", "50", "pvid")
	out := bridgeCmd(t, ns, "-compressvlans", "vlan", "show", "dev", "v1")
	if !strings.Contains(out, "40-45 Egress Untagged") || !strings.Contains(out, "50 PVID") {
		t.Errorf("vlan add:\n%s", out)
	}
	run("vlan", "add", "dev", "vx0", "vid", "300-301")
	run("vlan", "add", "dev", "vx0", "vid", "300-301", "tunnel_info", "id", "3300-3301")
	if !has("300-301    3300-3301", "-compressvlans", "vlan", "tunnelshow", "dev", "vx0") {
		t.Errorf("vlan tunnel add:\n%s", bridgeCmd(t, ns, "vlan", "tunnelshow"))
	}
	run("vlan", "del", "dev", "vx0", "vid", "300-301", "tunnel_info", "id", "3300-3301")
	if has("3300", "vlan", "tunnelshow") {
		t.Error("vlan tunnel del: mapping still there")
	}
	run("vlan", "del", "dev", "v1", "vid", "40-45")
	if has("42", "vlan", "show", "dev", "v1") {
		t.Error("vlan del: range still there")
	}
	if code, _, _ := nlctl("-n", ns.Name, "bridge", "vlan", "add", "dev", "v1", "vid", "60-61", "pvid"); code != 255 {
		t.Errorf("pvid on a range: exit %d, want 255", code)
	}
}

// tail returns the end of a long output, for messages.
func tail(s string) string { return s[max(0, len(s)-300):] }
