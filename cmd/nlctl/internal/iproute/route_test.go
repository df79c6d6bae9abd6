package iproute

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"golang.org/x/sys/unix"
)

// The route commands change the kernel as ip's would; ip checks.
func TestRouteCLI(t *testing.T) {
	ns := batchNS(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET) // table 7
	ok, why := kfeature.HasLWTEncap(t, ns, unix.LWTUNNEL_ENCAP_IP)
	kfeature.Require(t, kfeature.LWTFeature(unix.LWTUNNEL_ENCAP_IP), ok, why)
	ip := func(args ...string) []map[string]any {
		t.Helper()
		var rs []map[string]any
		if err := json.Unmarshal([]byte(ns.IP(append([]string{"-j"}, args...)...)), &rs); err != nil {
			t.Fatal(err)
		}
		return rs
	}
	run := func(want int, args ...string) string {
		t.Helper()
		code, out, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != want {
			t.Fatalf("nlctl %v: exit %d, want %d: %s", args, code, want, errs)
		}
		return out + errs
	}
	run(0, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "metric", "5", "mtu", "lock", "1400", "proto", "static")
	run(0, "ro", "a", "10.3.0.0/16", "dev", "r0", "src", "10.1.0.1") // abbreviations, as ip takes them
	run(0, "route", "add", "blackhole", "10.4.0.0/16", "table", "7")
	run(0, "route", "add", "10.5.0.0/16", "nexthop", "via", "10.1.0.2", "weight", "3", "nexthop", "via", "10.1.0.3")
	run(0, "route", "add", "10.6.0.0/16", "encap", "ip", "id", "9", "dst", "10.1.0.9", "dev", "r0")
	run(0, "-6", "route", "add", "2001:db8:1::/48", "dev", "r0", "metric", "300")
	rs := ip("route", "show", "table", "all")
	byDst := map[string]map[string]any{}
	for _, r := range rs {
		byDst[r["dst"].(string)] = r
	}
	if r := byDst["10.2.0.0/16"]; r["gateway"] != "10.1.0.2" || r["metric"] != 5.0 || r["protocol"] != "static" {
		t.Errorf("10.2: %v", r)
	}
	if r := byDst["10.3.0.0/16"]; r["scope"] != "link" || r["prefsrc"] != "10.1.0.1" {
		t.Errorf("10.3 (scope link by default, as ip): %v", r)
	}
	if r := byDst["10.4.0.0/16"]; r["type"] != "blackhole" || r["table"] != "7" {
		t.Errorf("10.4: %v", r)
	}
	if r := byDst["10.5.0.0/16"]; len(r["nexthops"].([]any)) != 2 {
		t.Errorf("10.5: %v", r)
	}
	if r := byDst["10.1.0.9"]; r["encap"] != "ip" || r["id"] != 9.0 { // ip repeats "dst" for the tunnel's
		t.Errorf("10.6 encap: %v", rs)
	}
	if r := byDst["2001:db8:1::/48"]; r["metric"] != 300.0 {
		t.Errorf("ipv6: %v", r)
	}
	run(0, "route", "replace", "10.2.0.0/16", "via", "10.1.0.3", "proto", "static", "metric", "5")
	run(0, "route", "change", "10.3.0.0/16", "dev", "r0", "src", "10.1.0.1", "metric", "0", "mtu", "1300")
	if r := ip("route", "show", "10.2.0.0/16"); len(r) != 1 || r[0]["gateway"] != "10.1.0.3" {
		t.Errorf("after replace: %v", r)
	}
	if r := ip("route", "show", "10.3.0.0/16"); len(r) != 1 || r[0]["metrics"] == nil {
		t.Errorf("after change: %v", r)
	}
	run(0, "route", "append", "10.7.0.0/16", "via", "10.1.0.2")
	run(0, "route", "append", "10.7.0.0/16", "via", "10.1.0.3", "metric", "9")
	if r := ip("route", "show", "10.7.0.0/16"); len(r) != 2 {
		t.Errorf("after append: %v", r)
	}
	out := run(0, "route", "get", "10.2.3.4")
	if !strings.HasPrefix(out, "10.2.3.4 via 10.1.0.3 dev r0 src 10.1.0.1") {
		t.Errorf("get: %q", out)
	}
	run(0, "route", "del", "10.2.0.0/16")
	run(0, "route", "flush", "table", "7")
	if r := ip("route", "show", "table", "7"); len(r) != 0 {
		t.Errorf("after flush: %v", r)
	}
	// Refusals exit 2 with the kernel's reason; as with ip, a malformed
	// or misplaced word 255, a name that matches nothing 1.
	if out := run(2, "route", "add", "10.2.0.0/16", "via", "10.9.9.9"); !strings.Contains(out, "add route 10.2.0.0/16 via 10.9.9.9: Nexthop has invalid gateway") {
		t.Errorf("refusal: %s", out)
	}
	run(2, "route", "del", "10.99.0.0/16")
	run(255, "route", "add", "10.2.0.0/16", "via")
	run(255, "route", "add", "10.2.0.0/16", "bogus")
	run(255, "route", "add", "10.2.0.0/16", "via", "10.1.0.2", "via", "10.1.0.3")
	run(255, "route", "add", "via", "10.1.0.2")
	run(255, "route", "show", "table", "nosuchtable")
	run(1, "route", "add", "10.2.0.0/16", "dev", "")
	run(1, "route", "add", "10.2.0.0/16", "dev", "nosuch")
	run(255, "route", "frobnicate")
}

// "default" takes its family from the gateway, as with ip; "to match"
// selects as "match" does.
func TestRouteDefaultFamilyAndTo(t *testing.T) {
	ns := batchNS(t)
	ns.IP("addr", "add", "2001:db8::1/64", "dev", "r0", "nodad")
	if code, _, errs := nlctl("-n", ns.Name, "route", "add", "default", "via", "2001:db8::2"); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out := ns.IP("-6", "route", "show", "default"); !strings.Contains(out, "default via 2001:db8::2 dev r0") {
		t.Fatalf("ipv6 default: %q", out)
	}
	if out := ns.IP("-4", "route", "show", "default"); out != "" {
		t.Fatalf("an IPv4 default appeared: %q", out)
	}
	ns.IP("route", "add", "10.9.0.0/16", "via", "10.1.0.2")
	code, out, _ := nlctl("-n", ns.Name, "route", "show", "to", "match", "10.9.1.1")
	if code != 0 || !strings.Contains(out, "10.9.0.0/16 via 10.1.0.2") {
		t.Fatalf("to match: %d %q", code, out)
	}
}
