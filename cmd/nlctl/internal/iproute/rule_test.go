package iproute

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// ipRuleList returns `ip -j [-6] rule show` keyed by priority.
func ipRuleList(t *testing.T, ns *netnstest.NS, v6 bool) map[float64]map[string]any {
	t.Helper()
	args := []string{"-j", "rule", "show"}
	if v6 {
		args = append([]string{"-6"}, args...)
	}
	var rs []map[string]any
	if err := json.Unmarshal([]byte(ns.IP(args...)), &rs); err != nil {
		t.Fatal(err)
	}
	m := map[float64]map[string]any{}
	for _, r := range rs {
		m[r["priority"].(float64)] = r
	}
	return m
}

func TestRuleCLIAddDelete(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	// The l3mdev and realms selectors are tested where the kernel is built
	// with them.
	l3mdev, l3mdevWhy := kfeature.HasL3mdevRules(t, ns)
	realms, realmsWhy := kfeature.HasRouteClassid(t, ns)
	for _, c := range []struct {
		args []string
		prio float64
		v6   bool
		want map[string]any
	}{
		{[]string{"rule", "add", "from", "10.0.0.0/8", "to", "192.168.1.0/24", "lookup", "100", "pref", "100"}, 100, false,
			map[string]any{"src": "10.0.0.0", "srclen": 8.0, "dst": "192.168.1.0", "dstlen": 24.0, "table": "100"}},
		{[]string{"rule", "add", "not", "from", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "lo", "oif", "x0", "table", "1000", "priority", "200"}, 200, false,
			map[string]any{"not": nil, "fwmark": "0x10", "fwmask": "0xff", "iif": "lo", "oif": "x0", "table": "1000"}},
		{[]string{"ru", "a", "uidrange", "100-200", "ipproto", "udp", "sport", "1000-2000", "dport", "53", "order", "300"}, 300, false,
			map[string]any{"uid_start": 100.0, "uid_end": 200.0, "ipproto": "udp", "sport_start": 1000.0, "sport_end": 2000.0, "dport": 53.0, "table": "main"}},
		{[]string{"rule", "add", "pref", "400", "goto", "500"}, 400, false, map[string]any{"goto": 500.0}},
		{[]string{"rule", "add", "pref", "500", "blackhole"}, 500, false, map[string]any{"action": "blackhole"}},
		{[]string{"rule", "add", "pref", "501", "type", "unreachable"}, 501, false, map[string]any{"action": "unreachable"}},
		{[]string{"rule", "add", "pref", "502", "prohibit"}, 502, false, map[string]any{"action": "prohibit"}},
		{[]string{"rule", "add", "pref", "503", "nop"}, 503, false, map[string]any{"nop": nil}},
		{[]string{"rule", "add", "pref", "504", "tos", "10", "table", "5", "suppress_prefixlength", "0", "protocol", "bgp"}, 504, false,
			map[string]any{"tos": "0x10", "table": "5", "suppress_prefixlen": 0.0, "protocol": "bgp"}},
		{[]string{"rule", "add", "pref", "505", "suppress_ifgroup", "default", "lookup", "6", "realms", "3/4"}, 505, false,
			map[string]any{"suppress_ifgroup": "default", "flow_from": "3", "flow_to": "4"}},
		{[]string{"rule", "add", "pref", "506", "l3mdev"}, 506, false, map[string]any{"l3mdev": nil}},
		{[]string{"rule", "add", "pref", "507", "tun_id", "55", "table", "7"}, 507, false, map[string]any{"tun_id": 55.0}},
		{[]string{"-6", "rule", "add", "from", "2001:db8::/32", "table", "9", "pref", "100"}, 100, true,
			map[string]any{"src": "2001:db8::", "srclen": 32.0, "table": "9"}},
		// Without -6, an IPv6 prefix makes an IPv6 rule.
		{[]string{"rule", "add", "to", "2001:db8:1::/48", "pref", "101", "ipproto", "ipv6-icmp", "unreachable"}, 101, true,
			map[string]any{"dst": "2001:db8:1::", "dstlen": 48.0, "ipproto": "ipv6-icmp", "action": "unreachable"}},
	} {
		switch {
		case slices.Contains(c.args, "l3mdev") && !l3mdev:
			kfeature.SkipPart(t, "l3mdev", kfeature.L3mdevRulesFeature, l3mdevWhy)
			continue
		case slices.Contains(c.args, "realms") && !realms:
			kfeature.SkipPart(t, "realms", kfeature.RouteClassidFeature, realmsWhy)
			continue
		}
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != 0 {
			t.Fatalf("nlctl %v: exit %d: %s", c.args, code, errs)
		}
		r := ipRuleList(t, ns, c.v6)[c.prio]
		if r == nil {
			t.Errorf("%v: no rule at %v", c.args, c.prio)
			continue
		}
		for k, v := range c.want {
			if got, ok := r[k]; !ok || got != v {
				t.Errorf("%v: %s = %#v, want %#v", c.args, k, got, v)
			}
		}
	}
	// Delete by priority, by selector, and by the same words as the add.
	for _, args := range [][]string{
		{"rule", "del", "pref", "100"},
		{"rule", "delete", "tun_id", "55"},
		{"rule", "del", "not", "from", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "lo", "oif", "x0", "table", "1000"},
		{"-6", "rule", "del", "pref", "100"},
	} {
		if code, _, errs := nlctl(append([]string{"-n", ns.Name}, args...)...); code != 0 {
			t.Fatalf("nlctl %v: exit %d: %s", args, code, errs)
		}
	}
	rules := ipRuleList(t, ns, false)
	if rules[100] != nil || rules[507] != nil || rules[200] != nil || rules[300] == nil {
		t.Errorf("after delete: %v", rules)
	}
	if ipRuleList(t, ns, true)[100] != nil {
		t.Error("IPv6 rule 100 not deleted")
	}
	// Flush with a selector, then everything but priority 0.
	if code, _, errs := nlctl("-n", ns.Name, "rule", "flush", "table", "main"); code != 0 {
		t.Fatalf("flush table main: %d %s", code, errs)
	}
	rules = ipRuleList(t, ns, false)
	if rules[300] != nil || rules[32766] != nil || rules[500] == nil {
		t.Errorf("after flush table main: %v", rules)
	}
	if code, _, errs := nlctl("-n", ns.Name, "rule", "flush"); code != 0 {
		t.Fatalf("flush: %d %s", code, errs)
	}
	if rules = ipRuleList(t, ns, false); len(rules) != 1 || rules[0] == nil {
		t.Errorf("after flush: %v", rules)
	}
	if len(ipRuleList(t, ns, true)) != 3 {
		t.Error("flush without -6 touched IPv6 rules")
	}
}

func TestRuleCLIBatchAndExitCodes(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	var b strings.Builder
	for i := range 100 {
		b.WriteString("rule add fwmark " + strconv.Itoa(i+1) + " table " + strconv.Itoa(100+i) + " pref " + strconv.Itoa(1000+i) + "\n")
	}
	b.WriteString("rule show pref 1050\n")
	b.WriteString("rule add from 2001:db8::/64 table 5 pref 9\n")
	b.WriteString("rule del pref 1099\n")
	path := filepath.Join(t.TempDir(), "rules")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := nlctl("-n", ns.Name, "-batch", path)
	if code != 0 {
		t.Fatalf("batch: exit %d: %s", code, errs)
	}
	if out != "1050:\tfrom all fwmark 0x33 lookup 150\n" {
		t.Errorf("batch show: %q", out)
	}
	rules := ipRuleList(t, ns, false)
	if len(rules) != 3+99 || rules[1099] != nil || rules[1000]["fwmark"] != "0x1" {
		t.Errorf("%d rules after the batch", len(rules))
	}
	if ipRuleList(t, ns, true)[9] == nil {
		t.Error("IPv6 rule of the batch missing")
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"rule", "add", "fwmark", "1", "table", "100", "pref", "1000"}, cli.ExitRefused, "add rule from all fwmark 0x1 lookup 100 pref 1000: file exists"},
		{[]string{"rule", "del", "pref", "77"}, cli.ExitRefused, "delete rule from all pref 77"},
		{[]string{"rule", "add", "pref", "5", "l3mdev", "table", "3"}, cli.ExitRefused, "add rule from all l3mdev"},
		{[]string{"rule", "add", "from", "nonsense"}, cli.ExitFailure, "invalid address"},
		{[]string{"rule", "add", "pref"}, cli.ExitSyntax, "needs an argument"},
		{[]string{"rule", "add", "frobnicate"}, cli.ExitSyntax, "frobnicate"},
		{[]string{"rule", "add", "iif", "", "table", "5"}, cli.ExitSyntax, `invalid iif "": an interface name`},
		{[]string{"rule", "show", "iif", ""}, cli.ExitSyntax, `invalid iif "": an interface name`},
		{[]string{"rule", "show", "table", "nosuchtable"}, cli.ExitSyntax, `invalid table "nosuchtable": a table name`},
		{[]string{"rule", "add", "table", "5", "fwmark", "x"}, cli.ExitSyntax, `invalid fwmark "x": MARK[/MASK]`},
		{[]string{"rule", "del"}, cli.ExitFailure, "requires arguments"},
		{[]string{"rule", "replace", "pref", "5"}, cli.ExitSyntax, `command "replace" is unknown`},
		{[]string{"-4", "rule", "add", "from", "2001:db8::/64"}, cli.ExitFailure, "not IPv4"},
	} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != c.code || !strings.Contains(strings.ToLower(errs), strings.ToLower(c.msg)) {
			t.Errorf("nlctl %v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.msg)
		}
	}
}
