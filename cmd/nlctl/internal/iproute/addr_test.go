package iproute

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// addrNS makes a namespace with an up veth pair a0/a1 and no duplicate
// address detection.
func addrNS(t *testing.T) *netnstest.NS {
	t.Helper()
	ns := netnstest.New(t)
	ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	ns.IP("link", "add", "a0", "type", "veth", "peer", "name", "a1")
	ns.IP("link", "set", "a0", "up")
	ns.IP("link", "set", "a1", "up")
	return ns
}

// addrRun runs nlctl in ns and fails the test unless it succeeds.
func addrRun(t *testing.T, ns *netnstest.NS, args ...string) string {
	t.Helper()
	code, out, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// ipAddrInfo returns the addresses ip shows on dev (but IPv6 link-local
// ones), by local address.
func ipAddrInfo(t *testing.T, ns *netnstest.NS, dev string) map[string]map[string]any {
	t.Helper()
	var links []struct {
		AddrInfo []map[string]any `json:"addr_info"`
	}
	out := ns.IP("-j", "address", "show", "dev", dev)
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j address show dev %s: %v\n%s", dev, err, out)
	}
	m := map[string]map[string]any{}
	for _, a := range links[0].AddrInfo {
		if l, _ := a["local"].(string); !strings.HasPrefix(l, "fe80:") {
			m[l] = a
		}
	}
	return m
}

func TestAddressCLI(t *testing.T) {
	ns := addrNS(t)
	addrRun(t, ns, "address", "add", "10.1.0.5/24", "brd", "+", "dev", "a0", "metric", "9", "label", "a0:web")
	addrRun(t, ns, "a", "a", "10.1.0.6/24", "dev", "a0")
	addrRun(t, ns, "addr", "add", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "a0", "scope", "link")
	addrRun(t, ns, "address", "add", "10.3.0.1/24", "dev", "a0", "valid_lft", "1000", "preferred_lft", "500")
	addrRun(t, ns, "address", "add", "2001:db8::1/64", "dev", "a0", "nodad", "noprefixroute")
	addrRun(t, ns, "address", "add", "local", "2001:db8:1::1/64", "dev", "a0", "home", "mngtmpaddr", "valid_lft", "forever", "preferred_lft", "0")
	addrRun(t, ns, "address", "add", "127.1.0.1/8", "dev", "a1")
	got := ipAddrInfo(t, ns, "a0")
	check := func(local string, want map[string]any) {
		t.Helper()
		g, ok := got[local]
		if !ok {
			t.Errorf("%s missing: %v", local, got)
			return
		}
		for k, v := range want {
			if g[k] != v {
				t.Errorf("%s: %s is %v, want %v (%v)", local, k, g[k], v, g)
			}
		}
	}
	check("10.1.0.5", map[string]any{"prefixlen": 24.0, "broadcast": "10.1.0.255", "metric": 9.0, "label": "a0:web"})
	check("10.1.0.6", map[string]any{"secondary": true, "label": "a0"})
	check("10.2.0.1", map[string]any{"address": "10.2.0.2", "prefixlen": 32.0, "scope": "link"})
	check("10.3.0.1", map[string]any{"dynamic": true})
	check("2001:db8::1", map[string]any{"nodad": true, "noprefixroute": true})
	check("2001:db8:1::1", map[string]any{"home": true, "mngtmpaddr": true, "deprecated": true, "preferred_life_time": 0.0})
	if g := ipAddrInfo(t, ns, "a1")["127.1.0.1"]; g["scope"] != "host" {
		t.Errorf("127.1.0.1 has scope %v, want host", g["scope"])
	}

	// replace and change
	addrRun(t, ns, "address", "replace", "10.1.0.5/24", "dev", "a0", "metric", "20", "label", "a0:web")
	addrRun(t, ns, "address", "change", "2001:db8::1/64", "dev", "a0", "nodad")
	got = ipAddrInfo(t, ns, "a0")
	check("10.1.0.5", map[string]any{"metric": 20.0})
	if got["2001:db8::1"]["noprefixroute"] != nil {
		t.Errorf("change kept noprefixroute: %v", got["2001:db8::1"])
	}

	// delete, with ip's "wildcard" form for IPv4 addresses without a length
	addrRun(t, ns, "address", "del", "10.3.0.1", "dev", "a0")
	addrRun(t, ns, "address", "delete", "2001:db8:1::1/64", "dev", "a0")
	got = ipAddrInfo(t, ns, "a0")
	if _, ok := got["10.3.0.1"]; ok {
		t.Error("10.3.0.1 not deleted")
	}
	if _, ok := got["2001:db8:1::1"]; ok {
		t.Error("2001:db8:1::1 not deleted")
	}

	// flush: the secondaries go first, every selected address goes
	addrRun(t, ns, "address", "flush", "dev", "a0", "to", "10.0.0.0/8")
	got = ipAddrInfo(t, ns, "a0")
	for l := range got {
		if strings.HasPrefix(l, "10.") {
			t.Errorf("%s left after flush", l)
		}
	}
	if _, ok := got["2001:db8::1"]; !ok {
		t.Error("flush took an IPv6 address")
	}
	out := addrRun(t, ns, "-s", "address", "flush", "dev", "a0", "scope", "global")
	if !strings.Contains(out, "*** Round 1, deleting 1 addresses ***") || !strings.Contains(out, "Flush is complete after 1 round") {
		t.Errorf("flush -s said: %s", out)
	}
	if len(ipAddrInfo(t, ns, "a0")) != 0 {
		t.Errorf("after flush: %v", ipAddrInfo(t, ns, "a0"))
	}
}

func TestAddressCLIErrors(t *testing.T) {
	ns := addrNS(t)
	addrRun(t, ns, "address", "add", "10.1.0.5/24", "dev", "a0")
	// The kernel explains the refusal of a duplicate address (extack)
	// from Linux 6.3 on; before, it gives only EEXIST: nlctl must say what
	// ip says the kernel said.
	exists := "add address 10.1.0.5/24 dev a0: file exists"
	if msg := ipRefusal(t, ns, "address", "add", "10.1.0.5/24", "dev", "a0"); msg != "" {
		exists = "add address 10.1.0.5/24 dev a0: " + msg
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"address", "add", "10.1.0.5/24", "dev", "a0"}, cli.ExitRefused, exists},
		{[]string{"address", "del", "10.1.0.99/24", "dev", "a0"}, cli.ExitRefused, "delete address 10.1.0.99/24 dev a0: "},
		{[]string{"address", "add", "10.1.0.7/24"}, cli.ExitFailure, `"dev" argument is required`},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "nosuch"}, cli.ExitFailure, `Cannot find device "nosuch"`},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "label", "0123456789abcdefg"}, cli.ExitRefused, "Label"},
		{[]string{"address", "add", "10.1.0.7/24", "dev", ""}, cli.ExitFailure, `Cannot find device ""`},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "peer", "10.1.0.8", "peer", "10.1.0.9"}, cli.ExitSyntax, `duplicate "peer": "10.1.0.9"`},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "valid_lft", "soon"}, cli.ExitSyntax, `invalid valid_lft "soon": forever or a number of seconds`},
		{[]string{"address", "add", "dev", "a0"}, cli.ExitRefused, "without its local address"},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "valid_lft", "100"}, cli.ExitFailure, "preferred_lft is greater than valid_lft"},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "valid_lft", "0", "preferred_lft", "0"}, cli.ExitFailure, "valid_lft is zero"},
		{[]string{"address", "add", "10.1.0.7/24", "dev", "a0", "scope", "bogus"}, cli.ExitSyntax, `invalid scope "bogus": host, link,`},
		// As ip: a flag the kernel sets is ignored with a warning (and
		// the address, there already, is refused).
		{[]string{"address", "add", "10.1.0.5/24", "dev", "a0", "tentative"}, cli.ExitRefused, "warning: the tentative flag is the kernel's to set; ignored"},
		{[]string{"address", "add", "2001:db8::1/64", "brd", "+", "dev", "a0"}, cli.ExitFailure, "only for IPv4"},
		{[]string{"address", "add", "10.1.0.7/24", "10.1.0.8/24", "dev", "a0"}, cli.ExitSyntax, `either "local" is duplicate, or "10.1.0.8/24" is garbage`},
		{[]string{"address", "flush"}, cli.ExitFailure, "Flush requires arguments"},
		{[]string{"address", "show", "dev", "nosuch"}, cli.ExitFailure, `Device "nosuch" does not exist`},
		{[]string{"address", "show", "dev", ""}, cli.ExitFailure, `Device "" does not exist`},
		{[]string{"address", "flush", "dev", ""}, cli.ExitFailure, `Device "" does not exist`},
		{[]string{"address", "show", "a0", "lo"}, cli.ExitSyntax, `either "dev" is duplicate, or "lo" is garbage`},
		{[]string{"address", "show", "master", "nosuch"}, cli.ExitSyntax, `invalid master "nosuch": the device does not exist`},
		{[]string{"address", "frobnicate"}, cli.ExitSyntax, `command "frobnicate" is unknown`},
	} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("nlctl %s: exit %d, %q; want exit %d, %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}

func TestAddressAndNeighCLIBatch(t *testing.T) {
	ns := addrNS(t)
	path := filepath.Join(t.TempDir(), "addr.batch")
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "address add 10.5.%d.1/24 dev a0\n", i)
		fmt.Fprintf(&b, "neigh add 10.5.%d.9 lladdr 02:00:00:00:05:%02x dev a0\n", i, i)
	}
	b.WriteString("address add 10.5.3.1/24 dev a0\n") // line 61: refused, exists
	b.WriteString("address del 10.5.4.1/24 dev a0\n")
	b.WriteString("neigh del 10.5.4.9 dev a0\n")
	b.WriteString("neigh replace 10.5.5.9 lladdr 02:00:00:00:00:55 dev a0 nud reachable\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := nlctl("-n", ns.Name, "-force", "-batch", path)
	// As ip -batch: a failed command (refused by the kernel) ends the
	// run with 1.
	if code != cli.ExitFailure || !strings.Contains(errs, "line 61") || !strings.Contains(errs, "add address 10.5.3.1/24 dev a0") {
		t.Fatalf("batch: exit %d: %s", code, errs)
	}
	got := ipAddrInfo(t, ns, "a0")
	if len(got) != 29 {
		t.Errorf("%d addresses after the batch", len(got))
	}
	if _, ok := got["10.5.4.1"]; ok {
		t.Error("10.5.4.1 not deleted")
	}
	var neighs []map[string]any
	if err := json.Unmarshal([]byte(ns.IP("-j", "neigh", "show", "dev", "a0", "nud", "all")), &neighs); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range neighs {
		if d, _ := e["dst"].(string); strings.HasPrefix(d, "10.5.") {
			n++
		}
		if e["dst"] == "10.5.5.9" && (e["lladdr"] != "02:00:00:00:00:55" || e["state"].([]any)[0] != "REACHABLE") {
			t.Errorf("replaced entry: %v", e)
		}
		if e["dst"] == "10.5.4.9" {
			t.Error("10.5.4.9 not deleted")
		}
	}
	if n != 29 {
		t.Errorf("%d neighbours after the batch", n)
	}
}

// ipNeighInfo returns `ip -j neigh show ARGS` by destination.
func ipNeighInfo(t *testing.T, ns *netnstest.NS, args ...string) map[string]map[string]any {
	t.Helper()
	var list []map[string]any
	out := ns.IP(append([]string{"-j", "neigh", "show"}, args...)...)
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("ip -j neigh show: %v\n%s", err, out)
	}
	m := map[string]map[string]any{}
	for _, e := range list {
		m[e["dst"].(string)] = e
	}
	return m
}

func TestNeighCLI(t *testing.T) {
	ns := addrNS(t)
	addrRun(t, ns, "neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "a0")
	addrRun(t, ns, "neighbour", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "a0", "nud", "reachable")
	addrRun(t, ns, "n", "add", "to", "10.1.0.11", "lladdr", "02:00:00:00:00:0b", "dev", "a0", "nud", "noarp")
	addrRun(t, ns, "neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:19", "dev", "a0", "router", "nud", "stale")
	addrRun(t, ns, "neigh", "add", "10.1.0.15", "lladdr", "02:00:00:00:00:0f", "dev", "a0", "extern_learn")
	addrRun(t, ns, "neigh", "add", "proxy", "10.1.0.13", "dev", "a0")
	addrRun(t, ns, "neigh", "add", "10.1.0.20", "lladdr", "02:00:00:00:00:20", "dev", "a1", "nud", "stale")
	got := ipNeighInfo(t, ns, "nud", "all")
	for dst, want := range map[string]string{"10.1.0.9": "PERMANENT", "10.1.0.10": "REACHABLE", "10.1.0.11": "NOARP", "2001:db8::9": "STALE"} {
		e := got[dst]
		if e == nil || e["dev"] != "a0" || e["state"].([]any)[0] != want {
			t.Errorf("%s: %v", dst, e)
		}
	}
	if _, ok := got["2001:db8::9"]["router"]; !ok {
		t.Errorf("router flag: %v", got["2001:db8::9"])
	}
	if _, ok := got["10.1.0.15"]["extern_learn"]; !ok {
		t.Errorf("extern_learn flag: %v", got["10.1.0.15"])
	}
	if p := ipNeighInfo(t, ns, "proxy"); p["10.1.0.13"] == nil {
		t.Errorf("proxy: %v", p)
	}

	addrRun(t, ns, "neigh", "replace", "10.1.0.9", "lladdr", "02:00:00:00:00:99", "dev", "a0")
	addrRun(t, ns, "neigh", "change", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "a0", "nud", "stale")
	got = ipNeighInfo(t, ns)
	if got["10.1.0.9"]["lladdr"] != "02:00:00:00:00:99" || got["10.1.0.10"]["state"].([]any)[0] != "STALE" {
		t.Errorf("after replace and change: %v", got)
	}

	// get, as ip neigh get
	out := addrRun(t, ns, "neigh", "get", "10.1.0.9", "dev", "a0")
	if out != "10.1.0.9 dev a0 lladdr 02:00:00:00:00:99 PERMANENT \n" {
		t.Errorf("get: %q", out)
	}

	addrRun(t, ns, "neigh", "del", "10.1.0.9", "dev", "a0")
	addrRun(t, ns, "neigh", "del", "proxy", "10.1.0.13", "dev", "a0")
	if _, ok := ipNeighInfo(t, ns)["10.1.0.9"]; ok {
		t.Error("10.1.0.9 not deleted")
	}
	if p := ipNeighInfo(t, ns, "proxy"); len(p) != 0 {
		t.Errorf("proxy not deleted: %v", p)
	}

	// flush takes the dynamic entries of a0 only
	addrRun(t, ns, "neigh", "flush", "dev", "a0")
	got = ipNeighInfo(t, ns, "nud", "all")
	if _, ok := got["10.1.0.10"]; ok {
		t.Error("stale 10.1.0.10 not flushed")
	}
	if _, ok := got["2001:db8::9"]; ok {
		t.Error("stale 2001:db8::9 not flushed")
	}
	if _, ok := got["10.1.0.11"]; !ok {
		t.Error("noarp 10.1.0.11 flushed")
	}
	if _, ok := got["10.1.0.20"]; !ok {
		t.Error("10.1.0.20 of a1 flushed")
	}
	// "nud all" flushes all but the noarp entries, as ip does.
	addrRun(t, ns, "neigh", "flush", "dev", "a0", "nud", "all")
	for dst, e := range ipNeighInfo(t, ns, "dev", "a0", "nud", "all") {
		if strings.HasPrefix(dst, "10.") && dst != "10.1.0.11" {
			t.Errorf("%s left after flush nud all: %v", dst, e)
		}
	}
}

func TestNeighCLIErrors(t *testing.T) {
	ns := addrNS(t)
	addrRun(t, ns, "neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "a0")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "a0"}, cli.ExitRefused, "add neighbour 10.1.0.9 lladdr 02:00:00:00:00:09 dev a0: file exists"},
		{[]string{"neigh", "del", "10.1.0.99", "dev", "a0"}, cli.ExitRefused, "delete neighbour 10.1.0.99 dev a0: "},
		{[]string{"neigh", "change", "10.1.0.98", "lladdr", "02:00:00:00:00:98", "dev", "a0"}, cli.ExitRefused, "change neighbour 10.1.0.98"},
		{[]string{"neigh", "get", "10.1.0.97", "dev", "a0"}, cli.ExitRefused, "get neighbour 10.1.0.97 dev a0"},
		{[]string{"neigh", "add", "10.1.0.9"}, cli.ExitSyntax, "Device and destination are required"},
		{[]string{"neigh", "add", "10.1.0.9", "dev", ""}, cli.ExitFailure, `Cannot find device ""`},
		{[]string{"neigh", "get", "10.1.0.9"}, cli.ExitFailure, "Device and address are required"},
		{[]string{"neigh", "get", "10.1.0.9", "dev", ""}, cli.ExitFailure, `Cannot find device ""`},
		{[]string{"neigh", "add", "10.1.0.9", "dev", "a0", "lladdr", "02:00:00:00:00:01", "lladdr", "02:00:00:00:00:02"}, cli.ExitSyntax, `duplicate "lladdr"`},
		{[]string{"neigh", "add", "10.1.0.9", "dev", "nosuch"}, cli.ExitFailure, `Cannot find device "nosuch"`},
		{[]string{"neigh", "add", "10.1.0.9", "dev", "a0", "nud", "bogus"}, cli.ExitSyntax, `invalid nud "bogus": permanent, noarp,`},
		{[]string{"neigh", "add", "10.1.0.9", "dev", "a0", "lladdr", "zz:00"}, cli.ExitFailure, "invalid lladdr"},
		{[]string{"neigh", "add", "10.1.0.9", "10.1.0.8", "dev", "a0"}, cli.ExitSyntax, "garbage"},
		{[]string{"neigh", "show", "nud", "bogus"}, cli.ExitSyntax, `invalid nud "bogus"`},
		{[]string{"neigh", "flush"}, cli.ExitFailure, "Flush requires arguments"},
		{[]string{"neigh", "frobnicate"}, cli.ExitSyntax, `command "frobnicate" is unknown`},
	} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("nlctl %s: exit %d, %q; want exit %d, %q", strings.Join(c.args, " "), code, errs, c.code, c.want)
		}
	}
}

// ipRefusal runs ip with args in ns, which must fail, and returns the
// kernel's extended acknowledgement message as ip prints it ("Error:
// MSG."), or "" when the kernel sent none.
func ipRefusal(t *testing.T, ns *netnstest.NS, args ...string) string {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...).CombinedOutput()
	if err == nil {
		t.Fatalf("ip %s: accepted, want a refusal", strings.Join(args, " "))
	}
	for line := range strings.Lines(string(out)) {
		if msg, ok := strings.CutPrefix(strings.TrimSpace(line), "Error: "); ok {
			return strings.TrimSuffix(msg, ".")
		}
	}
	return ""
}
