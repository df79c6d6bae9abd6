package iproute

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// The text differential tests compare `ip ARGS` with `nlctl ARGS` line by
// line. The outputs are equal but for what changes between ip's look and
// nlctl's, which the normalisations below replace in both before the
// comparison (docs/NLCTL-GRAMMAR.md lists them): nothing else is
// normalised, trailing spaces included.

// A textNorm replaces what may change between the two looks.
type textNorm struct {
	re   *regexp.Regexp
	repl string
}

var (
	// normLifetimes: address lifetimes count down, a second at a time.
	normLifetimes = textNorm{regexp.MustCompile(`(valid_lft|preferred_lft) -?\d+sec`), "$1 Nsec"}
	// normExpires: route lifetimes (and expired routes' negative ones)
	// count down too.
	normExpires = textNorm{regexp.MustCompile(`expires -?\d+sec`), "expires Nsec"}
	// normNeighAges: neighbour entries' ages (used/confirmed/updated) grow.
	normNeighAges = textNorm{regexp.MustCompile(`used \d+/\d+/\d+`), "used N/N/N"}
	// normTimers: bridge and bridge port timers run.
	normTimers = textNorm{regexp.MustCompile(`(hello_timer|tcn_timer|topology_change_timer|gc_timer|hold_timer|message_age_timer|forward_delay_timer) +\d+\.\d+`), "$1 N"}
	// normIdleTime: resilient nexthop buckets' idle times grow.
	normIdleTime = textNorm{regexp.MustCompile(`idle_time [\d.e+-]+`), "idle_time N"}
)

// normalise applies norms to s.
func normalise(s string, norms []textNorm) string {
	for _, n := range norms {
		s = n.re.ReplaceAllString(s, n.repl)
	}
	return s
}

// textBoth runs args through ip and nlctl in ns and compares their text
// line by line, after norms.
func textBoth(t *testing.T, ns *netnstest.NS, norms []textNorm, args ...string) {
	t.Helper()
	// A counter of a link that has a carrier may move between the two
	// reads (the kernel's own IPv6 packets): a difference must persist
	// over three reads in a row to count.
	var d string
	for range 3 {
		ipOut, err := ns.TryIP(args...)
		code, ours, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if err != nil {
			t.Fatalf("ip %s: %v", strings.Join(args, " "), err)
		}
		if code != 0 {
			t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		if d = diffLines(normalise(ipOut, norms), normalise(ours, norms)); d == "" {
			return
		}
	}
	t.Errorf("nlctl %s differs from ip:\n%s", strings.Join(args, " "), d)
}

// diffLines describes the first lines where ip's text (want) and nlctl's
// (got) differ, "" if none.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 5; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		fmt.Fprintf(&b, "line %d:\n  ip:    %q\n  nlctl: %q\n", i+1, wl, gl)
		n++
	}
	return b.String()
}

// textCases runs each command line of cases as a subtest.
func textCases(t *testing.T, ns *netnstest.NS, norms []textNorm, cases [][]string) {
	t.Helper()
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			skipUnlessIPCanRun(t, ns, args)
			textBoth(t, ns, norms, args...)
		})
	}
}

// skipUnlessIPCanRun skips a differential case that ip cannot answer
// right on this kernel: "nomaster" makes ip ask the kernel to filter by a
// master of -1, which a kernel without the no-master filter takes for a
// master that does not exist, so that ip lists nothing (nlctl, which
// filters itself, lists the links and neighbours without a master).
func skipUnlessIPCanRun(t *testing.T, ns *netnstest.NS, args []string) {
	t.Helper()
	if !slices.Contains(args, "nomaster") {
		return
	}
	if ok, why := kfeature.HasNoMasterFilter(t, ns); !ok {
		netnstest.SkipFeature(t, kfeature.NoMasterFilterFeature, why)
	}
}

func TestDiffRouteText(t *testing.T) {
	ns := routeState(t)
	textCases(t, ns, []textNorm{normExpires}, [][]string{
		{"route", "show"},
		{"route", "list"},
		{"-d", "route", "show"},
		{"-6", "route", "show"},
		{"-6", "-d", "route", "show"},
		{"route", "show", "table", "all"},
		{"-d", "route", "show", "table", "all"},
		{"route", "show", "table", "local"},
		{"route", "show", "table", "100"},
		{"route", "show", "dev", "r0"},
		{"route", "show", "proto", "static"},
		{"route", "show", "scope", "link"},
		{"route", "show", "type", "unreachable"},
		{"route", "show", "via", "10.1.0.2"},
		{"route", "show", "src", "10.1.0.1"},
		{"route", "show", "metric", "5"},
		{"route", "show", "tos", "0x10"},
		{"route", "show", "realms", "3/4"},
		{"route", "show", "realms", "4"},
		{"route", "show", "from", "0.0.0.0/0"},
		{"route", "show", "root", "10.0.0.0/8"},
		{"route", "show", "match", "10.10.1.1"},
		{"route", "show", "exact", "10.20.0.5"},
		{"-o", "route", "show"},
		{"-s", "route", "show"},
		{"route", "get", "10.10.1.2"},
		{"route", "get", "10.10.1.2", "fibmatch"},
		{"route", "get", "2001:db8:5::1"},
		// Abbreviations, as ip takes them.
		{"r", "s", "t", "all"},
		{"ro", "ls", "ta", "100"},
		{"r", "sh", "pro", "static"},
		{"r", "s", "ty", "unr"},
		{"r", "s", "m", "5"},
		{"r", "s", "ro", "10.0.0.0/8"},
	})
}

func TestDiffLinkText(t *testing.T) {
	ns := linkState(t)
	textCases(t, ns, []textNorm{normTimers}, [][]string{
		{"link", "show"},
		{"link"},
		{"-d", "link", "show"},
		{"-s", "link", "show"},
		{"-s", "-s", "link", "show"},
		{"-d", "-s", "link", "show"},
		{"-br", "link", "show"},
		{"-o", "link", "show"},
		{"-o", "-d", "link", "show"},
		{"link", "show", "dev", "v0"},
		{"-d", "link", "show", "br0"},
		{"-d", "link", "show", "p0"},
		{"link", "show", "up"},
		{"-d", "link", "show", "master", "br0"},
		{"link", "show", "type", "vxlan"},
		{"-d", "link", "show", "type", "vxlan"},
		{"-d", "link", "show", "type", "macvlan"},
		{"link", "show", "type", "bridge_slave"},
		{"link", "show", "group", "5"},
		{"link", "show", "nomaster"},
		{"-d", "link", "show", "x0"},
		{"-br", "-d", "link", "show"},
		// Abbreviations.
		{"l", "sh", "type", "vxlan"}, // type is strcmp, t a device
		{"l", "ls", "up"},
		{"li", "lst", "group", "5"},
	})
}

func TestDiffAddressTextAll(t *testing.T) {
	ns := addrState(t)
	textCases(t, ns, []textNorm{normLifetimes}, [][]string{
		{"address", "show"},
		{"address"},
		{"-4", "address", "show"},
		{"-6", "address", "show"},
		{"-d", "address", "show"},
		// (The counters of links without a carrier only: a0 and a1 send
		// IPv6 packets of their own, counted between the two looks.)
		{"-s", "address", "show", "dev", "lo"},
		{"-s", "-s", "address", "show", "dev", "a2"},
		{"-br", "address", "show"},
		{"-br", "-6", "address", "show"},
		{"-o", "address", "show"},
		{"-o", "-6", "address", "show"},
		{"address", "show", "dev", "a0"},
		{"address", "show", "scope", "link"},
		{"address", "show", "secondary"},
		{"address", "show", "primary"},
		{"address", "show", "dynamic"},
		{"address", "show", "-deprecated"},
		{"address", "show", "to", "10.0.0.0/8"},
		{"address", "show", "label", "a0:*"},
		{"address", "show", "up"},
		{"address", "show", "type", "veth"},
		{"address", "show", "type", "veth_slave"},
		// Abbreviations.
		{"a"},
		{"a", "s", "a0"},
		{"a", "l", "scope", "link"},
	})
}

func TestDiffNeighbourTextAll(t *testing.T) {
	ns := neighState(t)
	textCases(t, ns, []textNorm{normNeighAges}, [][]string{
		{"neigh", "show"},
		{"neigh"},
		{"-4", "neigh", "show"},
		{"-6", "neigh", "show"},
		{"-s", "neigh", "show"},
		{"-s", "-s", "neigh", "show"},
		{"-d", "neigh", "show"},
		{"-o", "neigh", "show"},
		{"neigh", "show", "nud", "all"},
		{"neigh", "show", "nud", "stale", "nud", "reachable"},
		{"neigh", "show", "dev", "n0"},
		{"neigh", "show", "proxy"},
		{"neigh", "show", "master", "br0"},
		{"neigh", "show", "nomaster"},
		{"neigh", "show", "to", "10.1.0.0/24"},
		{"neigh", "get", "10.1.0.9", "dev", "n0"},
		{"neigh", "get", "proxy", "10.1.0.13", "dev", "n0"},
		// Abbreviations.
		{"n"},
		{"n", "s", "pro", "kernel"},
		{"n", "g", "10.1.0.9", "dev", "n0"},
		{"neighbor", "l", "proxy"},
	})
}

func TestDiffNexthopTextAll(t *testing.T) {
	ns := netnstest.New(t)
	resilient, why := nexthopState(t, ns)
	if !resilient {
		t.Log("no resilient groups:", why)
	}
	ns.IP("nexthop", "add", "id", "30", "encap", "ip", "id", "5", "dst", "10.1.1.1", "ttl", "3", "key", "csum", "via", "10.9.0.2", "dev", "n0")
	ns.IP("nexthop", "add", "id", "31", "encap", "ip6", "id", "6", "dst", "2001:db8::7", "hoplimit", "3", "tc", "2", "dev", "n0")
	ns.IP("route", "add", "10.60.0.0/16", "nhid", "30")
	norms := []textNorm{normIdleTime}
	cases := [][]string{
		{"nexthop", "show"},
		{"nexthop"},
		{"-d", "nexthop", "show"},
		{"-4", "nexthop", "show"},
		{"-6", "nexthop", "show"},
		{"-o", "nexthop", "show"},
		{"nexthop", "show", "dev", "n0"},
		{"nexthop", "show", "groups"},
		{"nexthop", "show", "protocol", "186"},
		{"nexthop", "show", "id", "30"},
		{"nexthop", "get", "id", "31"},
		{"route", "show", "10.60.0.0/16"},
		{"-d", "route", "show", "10.60.0.0/16"},
		// Abbreviations.
		{"nexth", "s", "d", "n0"},
		{"nexth", "ls", "g"},
	}
	if resilient {
		cases = append(cases, [][]string{
			{"nexthop", "bucket", "show"},
			{"nexthop", "bucket", "show", "id", "11"},
			{"nexthop", "bucket", "get", "id", "11", "index", "0"},
			{"nexthop", "b", "s", "nhid", "1"},
		}...)
	}
	textCases(t, ns, norms, cases)
}

func TestDiffRuleTextAll(t *testing.T) {
	ns := netnstest.New(t)
	ruleState(t, ns)
	ns.IP("rule", "add", "pref", "600", "nat", "192.0.2.1")
	textCases(t, ns, nil, [][]string{
		{"rule", "show"},
		{"rule"},
		{"-6", "rule", "show"},
		{"-d", "rule", "show"},
		{"-6", "-d", "rule", "show"},
		{"-o", "rule", "show"},
		{"rule", "show", "table", "100"},
		{"rule", "show", "pref", "200"},
		{"rule", "show", "from", "10.0.0.0/8"},
		{"rule", "show", "iif", "d0"},
		{"rule", "show", "not"},
		{"rule", "show", "fwmark", "0x10/0xff"},
		{"rule", "show", "uidrange", "100-200"},
		{"rule", "show", "dport", "80"},
		// Abbreviations.
		{"ru"},
		{"ru", "s", "pre", "100"},
		{"ru", "l", "ta", "main"},
	})
}

// TestDiffNetnsText compares the namespace listings' text. Other tests
// (of other packages too) add and delete namespaces meanwhile: only the
// lines of this test's namespaces are compared.
func TestDiffNetnsText(t *testing.T) {
	ns := netnstest.New(t)
	other := netnstest.New(t)
	third := netnstest.New(t)
	ns.IP("link", "add", "x0", "type", "veth", "peer", "name", "x1", "netns", other.Name) // gives other an id in ns
	ns.IP("netns", "set", third.Name, "7")
	mine := regexp.MustCompile(`(?m)^.*(` + regexp.QuoteMeta(ns.Name) + `|` + regexp.QuoteMeta(other.Name) + `|` + regexp.QuoteMeta(third.Name) + `).*$`)
	keep := func(s string) string { return strings.Join(mine.FindAllString(s, -1), "\n") }
	for _, args := range [][]string{{"netns", "list"}, {"netns"}, {"netns", "show"}, {"netns", "list-id"}, {"netns", "list-id", "nsid", "7"}, {"netns", "l"}} {
		ipOut := ns.IP(args...)
		code, ours, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != 0 {
			t.Fatalf("nlctl %v: exit %d %s", args, code, errs)
		}
		if d := diffLines(keep(ipOut), keep(ours)); d != "" {
			t.Errorf("nlctl %v differs from ip:\n%s", args, d)
		}
	}
}

// TestNetnsAttachAndLinkPropertyCLI: the verbs nlctl gained.
func TestNetnsAttachAndLinkPropertyCLI(t *testing.T) {
	ns := netnstest.New(t)
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	name := fmt.Sprintf("nlkit-attach-%d", os.Getpid())
	var pid string
	for range 100 { // until ip netns exec has entered ns
		if out, _ := exec.Command("ip", "netns", "identify", strconv.Itoa(cmd.Process.Pid)).Output(); strings.TrimSpace(string(out)) == ns.Name {
			pid = strconv.Itoa(cmd.Process.Pid)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if pid == "" {
		t.Fatal("the process did not enter the namespace")
	}
	if code, _, errs := nlctl("netns", "att", name, pid); code != 0 {
		t.Fatalf("netns attach: exit %d %s", code, errs)
	}
	defer exec.Command("ip", "netns", "del", name).Run()
	attached, err := netns.OpenName(name)
	if err != nil {
		t.Fatal(err)
	}
	if !attached.Equal(ns.NS) {
		t.Errorf("%s is not the namespace of process %s", name, pid)
	}
	attached.Close()
	if code, _, _ := nlctl("netns", "attach", name, pid); code == 0 {
		t.Error("attach to a name in use succeeded")
	}
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	for _, c := range [][]string{
		{"link", "property", "add", "dev", "p0", "altname", "p0-a", "altname", "p0-b"},
		{"l", "p", "a", "p0", "alt", "p0-c"},
		{"link", "property", "del", "dev", "p0", "altname", "p0-b"},
	} {
		if code, _, errs := nlctl(append([]string{"-n", ns.Name}, c...)...); code != 0 {
			t.Fatalf("nlctl %v: exit %d %s", c, code, errs)
		}
	}
	if got := ns.IP("-j", "link", "show", "p0-c"); !strings.Contains(got, `"altnames":["p0-a","p0-c"]`) {
		t.Errorf("altnames: %s", got)
	}
	for _, c := range [][]string{
		{"link", "property", "delete", "dev", "p0", "altname", "p0-a"}, // ip knows del only
		{"link", "property", "add", "altname", "x"},
		{"link", "property", "del", "dev", "p0", "altname", "nosuch"},
	} {
		if code, _, _ := nlctl(append([]string{"-n", ns.Name}, c...)...); code == 0 {
			t.Errorf("nlctl %v succeeded", c)
		}
	}
}

// TestDiffFlushText compares what flush prints with -s and -s -s, on two
// namespaces built alike (flush changes what it looks at).
func TestDiffFlushText(t *testing.T) {
	for _, c := range [][]string{
		{"-s", "route", "flush", "dev", "r0"},
		{"-s", "-s", "route", "flush", "table", "main", "proto", "static"},
		{"-s", "route", "flush", "table", "100"},
		{"-s", "address", "flush", "dev", "r0"},
		{"-s", "-s", "address", "flush", "dev", "r0"},
		{"-s", "-s", "neigh", "flush", "all"},
		{"-s", "-s", "neigh", "flush", "dev", "r0"},
		{"-s", "neigh", "flush", "dev", "r1"},
		{"nexthop", "flush"},
	} {
		t.Run(strings.Join(c, " "), func(t *testing.T) {
			withIP, withNlctl := netnstest.New(t), netnstest.New(t)
			for _, ns := range []*netnstest.NS{withIP, withNlctl} {
				for _, s := range append(changeSetup, [][]string{
					{"route", "add", "10.50.0.0/16", "via", "10.1.0.2", "proto", "static"},
					{"route", "add", "10.51.0.0/16", "dev", "r0", "metric", "7"},
					{"address", "add", "10.1.0.9/24", "dev", "r0"},
					{"neigh", "add", "10.1.0.20", "lladdr", "02:00:00:00:00:20", "dev", "r0", "nud", "stale"},
					{"nexthop", "add", "id", "1", "via", "10.1.0.2", "dev", "r0"},
				}...) {
					ns.IP(s...)
				}
			}
			want, err := withIP.TryIP(c...)
			code, got, errs := nlctl(append([]string{"-n", withNlctl.Name}, c...)...)
			if (err == nil) != (code == 0) {
				t.Fatalf("ip: %v; nlctl: exit %d %s", err, code, errs)
			}
			norms := []textNorm{normNeighAges}
			if d := diffLines(normalise(want, norms), normalise(got, norms)); d != "" {
				t.Errorf("nlctl %s differs from ip:\n%s", strings.Join(c, " "), d)
			}
		})
	}
}
