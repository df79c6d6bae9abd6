package iproute

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// changeSetup is the state both namespaces of TestDiffChanges start from:
// links without IPv6 link-local addresses (which differ with their MAC
// addresses), so that the two namespaces' states can be compared.
var changeSetup = [][]string{
	{"link", "set", "lo", "up"},
	{"link", "add", "r0", "type", "veth", "peer", "name", "r1"},
	{"link", "set", "r0", "addrgenmode", "none"},
	{"link", "set", "r1", "addrgenmode", "none"},
	{"link", "set", "r0", "up"},
	{"link", "set", "r1", "up"},
	{"address", "add", "10.1.0.1/24", "dev", "r0"},
	{"address", "add", "2001:db8::1/64", "dev", "r0", "nodad"},
}

// changeCommands are applied with ip in one namespace and with nlctl in
// another: keywords abbreviated as ip takes them, explicit zeros, the
// keywords nlctl gained. Both must succeed or both fail, and leave the
// same state.
var changeCommands = [][]string{
	// Routes.
	{"r", "a", "10.50.0.0/16", "via", "10.1.0.2", "met", "5", "pro", "static"},
	{"ro", "a", "10.51.0.0/16", "dev", "r0", "t", "100"},
	{"r", "a", "unr", "10.52.0.0/16"},
	{"r", "a", "pro", "10.53.0.0/16", "t", "100"}, // the type prohibit, then table
	{"r", "prepend", "10.50.0.0/16", "via", "10.1.0.3", "metric", "5", "proto", "static"},
	{"r", "append", "10.50.0.0/16", "via", "10.1.0.4", "metric", "5", "proto", "static"},
	{"r", "test", "10.50.0.0/16", "via", "10.1.0.2", "metric", "5", "proto", "static"},
	{"r", "a", "10.54.0.0/16", "dev", "r0", "realms", "3/4"},
	{"r", "a", "10.55.0.0/16", "dev", "r0", "tos", "10"},
	{"r", "a", "10.56.0.0/16", "via", "10.1.0.2", "mtu", "0", "window", "0", "quickack", "0", "metric", "0"},
	{"r", "a", "10.57.0.0/16", "encap", "ip", "id", "9", "dst", "10.1.0.9", "tos", "10", "key", "dev", "r0"},
	{"r", "a", "10.58.0.0/16", "nexthop", "via", "10.1.0.2", "r", "5", "nexthop", "via", "10.1.0.3", "w", "2"},
	{"r", "a", "10.59.0.0/16", "dev", "r0", "ttl-propagate", "disabled"},
	{"r", "a", "10.60.0.0/16", "dev", "r0", "pref", "high", "dsf", "0x08", "con", "reno", "initc", "5", "fastopen", "1"},
	{"r", "a", "2001:db8:50::/48", "via", "2001:db8::2", "pref", "low"},
	{"r", "c", "10.56.0.0/16", "via", "10.1.0.3"},
	{"r", "rep", "10.55.0.0/16", "dev", "r0", "tos", "0x10", "metric", "7"},
	{"r", "d", "10.51.0.0/16", "t", "100"},
	{"r", "del", "10.52.0.0/16"},
	// Rules.
	{"ru", "a", "pre", "300", "ta", "100"},
	{"ru", "a", "pref", "0", "table", "7"},
	{"ru", "a", "pref", "301", "table", "0"},
	{"ru", "a", "pre", "302", "fwmark", "5", "t", "55", "ta", "8"},
	{"ru", "a", "pref", "303", "g", "400"},
	{"ru", "a", "pref", "304", "n"},
	{"ru", "a", "pref", "305", "type", "unr"},
	{"ru", "a", "pref", "306", "u"},
	{"ru", "a", "pref", "307", "nat", "192.0.2.1"},
	{"ru", "a", "pref", "308", "from", "10.1.0.0/24", "dsf", "0x10", "r", "3/4", "ta", "9"},
	{"ru", "a", "pref", "309", "suppress_p", "0", "suppress_i", "5", "table", "main", "proto", "static"},
	{"ru", "a", "pref", "310", "sport", "0", "table", "9"},
	{"ru", "a", "pref", "311", "dport", "0-0", "table", "9"},
	{"ru", "d", "pref", "0", "table", "7"},
	{"ru", "d", "pref", "302"},
	// Nexthops.
	{"nexth", "a", "id", "1", "via", "10.1.0.2", "dev", "r0", "pro", "static"},
	{"nexth", "a", "id", "2", "encap", "ip", "id", "5", "dst", "10.1.1.1", "ttl", "3", "via", "10.1.0.2", "dev", "r0"},
	{"nexth", "a", "id", "3", "via", "inet", "10.1.0.3", "dev", "r0"},
	{"nexth", "a", "id", "5", "encap", "ip6", "id", "6", "dst", "2001:db8::7", "hoplimit", "3", "tc", "2", "csum", "dev", "r0"},
	{"nexth", "a", "id", "4", "blackhole"},
	{"nexth", "a", "id", "10", "group", "1/3", "type", "resilient", "buckets", "2", "idle_timer", "0", "unbalanced_timer", "0"},
	{"nexth", "a", "id", "11", "group", "1/3", "type", "resilient", "buckets", "2", "unbalanced_timer", "30"},
	{"nexth", "replace", "id", "11", "group", "1/3", "type", "resilient", "buckets", "2"},
	{"nexth", "replace", "id", "11", "group", "1/3", "type", "resilient", "buckets", "2", "unbalanced_timer", "0"},
	{"nexth", "a", "id", "12", "group", "1/3", "type", "resilient", "buckets", "0"},
	{"nexth", "a", "id", "13", "group", "1,5/3", "type", "mpath"},
	{"nexth", "a", "id", "6", "encap", "mpls", "100/200", "ttl", "5", "via", "10.1.0.2", "dev", "r0"},
	{"r", "a", "10.62.0.0/16", "encap", "mpls", "300", "via", "10.1.0.2", "dev", "r0"},
	{"nexth", "d", "id", "3"},
	{"r", "a", "10.61.0.0/16", "nhid", "2"},
	{"r", "a", "2001:db8:51::/48", "nhid", "0", "dev", "r0"},
	{"r", "a", "10.63.0.0/16", "nhid", "0", "dev", "r0"},
	// Neighbours.
	{"n", "a", "10.1.0.20", "l", "02:00:00:00:00:20", "dev", "r0", "nud", "permanent"},
	{"n", "a", "p", "10.1.0.21", "dev", "r0"},
	{"n", "a", "10.1.0.22", "lladdr", "02:00:00:00:00:22", "dev", "r0", "ext", "router"},
	{"n", "a", "10.1.0.23", "lladdr", "02:00:00:00:00:23", "dev", "r0", "nud", "noarp", "pro", "static"},
	{"n", "c", "10.1.0.20", "lladdr", "02:00:00:00:00:21", "dev", "r0"},
	{"n", "rep", "10.1.0.24", "lladdr", "02:00:00:00:00:24", "dev", "r0", "nud", "reachable"},
	{"n", "d", "10.1.0.23", "dev", "r0"},
	// Addresses.
	{"a", "a", "10.1.0.5/24", "dev", "r0", "met", "9"},
	{"a", "a", "10.1.0.6/24", "b", "+", "dev", "r0"},
	{"a", "a", "10.1.0.7/24", "dev", "r0", "pre", "7"}, // preference: the metric
	{"a", "a", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "r0", "sc", "link"},
	{"a", "a", "2001:db8:1::1/64", "dev", "r0", "nodad", "noprefixroute", "metric", "0"},
	{"a", "c", "10.1.0.5/24", "dev", "r0", "metric", "0"},
	{"a", "rep", "10.1.0.6/24", "brd", "-", "dev", "r0", "label", "r0:x"},
	{"a", "d", "10.1.0.7", "dev", "r0"},
	// Links.
	{"l", "a", "x0", "txqlen", "0", "type", "veth", "peer", "name", "x1"},
	{"l", "a", "x2", "numtx", "2", "numrx", "3", "ty", "veth", "peer", "x3", "mtu", "1400"},
	{"l", "a", "x4", "mtu", "0", "type", "veth"},
	{"l", "a", "x5", "numtxqueues", "0", "type", "veth"},
	{"l", "s", "x0", "mtu", "1400", "al", "foo", "gro_max_size", "0", "gso_max_segs", "0"},
	{"l", "s", "x0", "mode", "dormant", "d", "on", "arp", "off", "multicast", "off"},
	{"l", "s", "x0", "mtu", "0"},
	{"l", "s", "x0", "txqueuelen", "0", "group", "5"},
	{"l", "a", "br9", "ty", "bridge", "s", "1", "forw", "500", "vlan_f", "1", "vlan_p", "802.1ad"},
	{"l", "a", "mv9", "l", "x0", "ty", "macvlan", "m", "bridge", "f", "nopromisc"},
	{"l", "a", "mv8", "l", "x0", "ty", "macvlan", "m", "passthru", "f", "nopromisc", "f", "nodst"},
	{"l", "a", "mv7", "l", "x2", "ty", "macvlan", "m", "vepa", "nod", "bc", "5"},
	{"l", "a", "vx9", "type", "vxlan", "i", "42", "d", "r0", "dstport", "4789", "port", "1000", "2000", "nol"},
	{"l", "s", "x2", "ma", "br9"},
	{"l", "s", "x2", "ty", "bridge_slave", "c", "7", "h", "on", "gu", "on"},
	{"l", "s", "x2", "n"},
	{"l", "property", "add", "dev", "x0", "altname", "x0-alt", "alt", "x0-alt2"},
	{"l", "property", "del", "dev", "x0", "altname", "x0-alt2"},
	{"l", "d", "x5"},
}

// changeStateDumps are what TestDiffChanges compares, read with ip.
var changeStateDumps = [][]string{
	{"-d", "link", "show"},
	{"address", "show"},
	{"route", "show", "table", "all"},
	{"-6", "route", "show", "table", "all"},
	{"rule", "show"},
	{"-d", "nexthop", "show"},
	{"neigh", "show", "nud", "all"},
	{"neigh", "show", "proxy"},
}

// volatileKeys differ between two namespaces built alike: random MAC
// addresses (and the bridge ids made of them), timers, lifetimes.
var volatileKeys = map[string]bool{
	"address": true, "permaddr": true, "bridge_id": true, "root_id": true, "designated_bridge": true,
	"designated_root": true, "hello_timer": true, "tcn_timer": true, "topology_change_timer": true,
	"gc_timer": true, "hold_timer": true, "message_age_timer": true, "forward_delay_timer": true,
	"valid_life_time": true, "preferred_life_time": true, "expires": true, "link_netnsid": true,
}

func dropVolatile(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k := range x {
			if volatileKeys[k] {
				delete(x, k)
			} else {
				x[k] = dropVolatile(x[k])
			}
		}
	case []any:
		for i := range x {
			x[i] = dropVolatile(x[i])
		}
	}
	return v
}

func TestDiffChanges(t *testing.T) {
	probe := netnstest.New(t) // the probes create links, which would shift interface indexes
	kfeature.RequireRuleFamilies(t, probe, unix.AF_INET)
	kfeature.RequireLinkKinds(t, probe, "bridge", "macvlan", "vxlan")
	withIP, withNlctl := netnstest.New(t), netnstest.New(t)
	for _, ns := range []*netnstest.NS{withIP, withNlctl} {
		for _, c := range changeSetup {
			ns.IP(c...)
		}
	}
	for _, c := range changeCommands {
		_, ipErr := withIP.TryIP(c...)
		code, _, errs := nlctl(append([]string{"-n", withNlctl.Name}, c...)...)
		if (ipErr == nil) != (code == 0) {
			t.Errorf("%s: ip: %v; nlctl: exit %d %s", strings.Join(c, " "), ipErr, code, errs)
		}
	}
	for _, d := range changeStateDumps {
		args := append([]string{"-j"}, d...)
		a, b := withIP.IP(args...), withNlctl.IP(args...)
		var va, vb any
		if err := json.Unmarshal([]byte(orEmpty(a)), &va); err != nil {
			t.Fatalf("ip %v: %v", args, err)
		}
		if err := json.Unmarshal([]byte(orEmpty(b)), &vb); err != nil {
			t.Fatalf("ip %v: %v", args, err)
		}
		if d[0] == "neigh" { // a hash table's order, which differs between namespaces
			for _, v := range []any{va, vb} {
				l := v.([]any)
				sort.Slice(l, func(i, j int) bool { return fmt.Sprint(l[i]) < fmt.Sprint(l[j]) })
			}
		}
		var problems []string
		diffValue(strings.Join(d, " "), dropVolatile(va), dropVolatile(vb), &problems)
		if ja, jb := fmt.Sprint(dropVolatile(va)), fmt.Sprint(dropVolatile(vb)); ja != jb && len(problems) == 0 {
			problems = append(problems, "nlctl's namespace has more: "+jb)
		}
		if len(problems) > 0 {
			t.Errorf("ip %s after ip's and nlctl's changes:\n%s", strings.Join(d, " "), strings.Join(problems, "\n"))
		}
	}
}

func orEmpty(s string) string {
	if strings.TrimSpace(s) == "" {
		return "[]"
	}
	return s
}

// TestExplicitZerosCLI checks, on the kernel's state as ip -j reads it,
// that an optional number given as 0 is sent, not dropped.
func TestExplicitZerosCLI(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET)
	resilient, why := kfeature.HasNexthopResilient(t, ns)
	for _, c := range changeSetup {
		ns.IP(c...)
	}
	run := func(want bool, args ...string) {
		t.Helper()
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if (code == 0) != want {
			t.Errorf("nlctl %s: exit %d %s", strings.Join(args, " "), code, errs)
		}
	}
	one := func(args ...string) map[string]any {
		t.Helper()
		var l []map[string]any
		if err := json.Unmarshal([]byte(orEmpty(ns.IP(append([]string{"-j"}, args...)...))), &l); err != nil || len(l) != 1 {
			t.Fatalf("ip -j %v: %v %v", args, l, err)
		}
		return l[0]
	}
	if resilient {
		run(true, "nexthop", "add", "id", "1", "via", "10.1.0.2", "dev", "r0")
		run(true, "nexthop", "add", "id", "10", "group", "1", "type", "resilient", "buckets", "2", "idle_timer", "0")
		if a := one("nexthop", "show", "id", "10")["resilient_args"].(map[string]any); a["idle_timer"] != 0.0 {
			t.Errorf("idle_timer 0: %v", a)
		}
		run(true, "nexthop", "add", "id", "11", "group", "1", "type", "resilient", "buckets", "2", "unbalanced_timer", "9")
		run(true, "nexthop", "replace", "id", "11", "group", "1", "type", "resilient", "unbalanced_timer", "0")
		if a := one("nexthop", "show", "id", "11")["resilient_args"].(map[string]any); a["unbalanced_timer"] != 0.0 {
			t.Errorf("unbalanced_timer 0 on replace: %v", a)
		}
		run(false, "nexthop", "add", "id", "12", "group", "1", "type", "resilient", "buckets", "0")
	} else {
		t.Log("no resilient nexthop groups:", why)
	}
	run(true, "rule", "add", "pref", "0", "table", "7")
	if r := one("rule", "show", "table", "7"); r["priority"] != 0.0 {
		t.Errorf("pref 0: %v", r)
	}
	run(true, "rule", "add", "pref", "5", "table", "0")
	if r := one("rule", "show", "pref", "5"); r["table"] == "main" {
		t.Errorf("table 0: %v", r)
	}
	run(true, "link", "add", "z0", "txqueuelen", "0", "type", "veth", "peer", "name", "z1")
	if l := one("link", "show", "z0"); l["txqlen"] != nil {
		t.Errorf("txqueuelen 0: %v", l)
	}
	run(true, "link", "set", "z0", "gro_max_size", "0", "gso_max_segs", "0")
	l := one("-d", "link", "show", "z0")
	if l["gso_max_segs"] != 0.0 {
		t.Errorf("gso_max_segs 0: %v", l)
	}
	if _, ok := l["gro_max_size"]; !ok { // the kernel lists it from Linux 5.19 on
		kfeature.SkipPart(t, "gro_max_size 0", "the GRO size limit (IFLA_GRO_MAX_SIZE)", "ip -d link show z0 lists no gro_max_size")
	} else if l["gro_max_size"] != 0.0 {
		t.Errorf("gro_max_size 0: %v", l)
	}
	run(false, "link", "set", "z0", "mtu", "0")
	run(false, "link", "add", "z2", "mtu", "0", "type", "veth")
	run(false, "link", "add", "z2", "numtxqueues", "0", "type", "veth")
	// Linux 6.3 refuses a GSO size below the TCP header; older kernels
	// take 0: nlctl must do as ip does.
	ipErr := exec.Command("ip", "-n", ns.Name, "link", "set", "z0", "gso_max_size", "0").Run()
	run(ipErr == nil, "link", "set", "z0", "gso_max_size", "0")
	run(true, "address", "add", "10.1.0.5/24", "dev", "r0", "metric", "9")
	run(true, "address", "change", "10.1.0.5/24", "dev", "r0", "metric", "0")
	for _, a := range one("address", "show", "dev", "r0")["addr_info"].([]any) {
		if a := a.(map[string]any); a["local"] == "10.1.0.5" && a["metric"] != nil {
			t.Errorf("metric 0: %v", a)
		}
	}
	run(true, "-6", "route", "add", "2001:db8:9::/48", "dev", "r0", "expires", "0")
	time.Sleep(50 * time.Millisecond) // its lifetime, 0 when added, is now past (or it is gone)
	if out := ns.IP("-6", "route", "show", "2001:db8:9::/48"); out != "" && !strings.Contains(out, "expires") {
		t.Errorf("expires 0 dropped: %s", out)
	}
}
