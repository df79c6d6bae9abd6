package iproute

import (
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// ruleState builds rules of every form ip knows, IPv4 and IPv6: the
// l3mdev rule where the kernel has l3mdev. (Where it lacks realms, it
// keeps the realms rules without them, which ip and nlctl both show.)
func ruleState(t *testing.T, ns *netnstest.NS) {
	t.Helper()
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	l3mdev, l3mdevWhy := kfeature.HasL3mdevRules(t, ns)
	ns.IP("link", "add", "d0", "type", "veth", "peer", "name", "d0p")
	for _, r := range [][]string{
		{"from", "10.0.0.0/8", "to", "192.168.1.0/24", "table", "100", "pref", "100"},
		{"not", "from", "10.1.0.0/16", "fwmark", "0x10/0xff", "iif", "d0", "oif", "lo", "table", "1000", "pref", "200"},
		{"iif", "gone0", "oif", "gone1", "lookup", "main", "pref", "201"},
		{"uidrange", "100-200", "ipproto", "tcp", "sport", "1000-2000", "dport", "80", "lookup", "main", "pref", "300"},
		{"ipproto", "200", "sport", "53", "dport", "1-1024", "lookup", "main", "pref", "301"},
		{"uidrange", "0-0", "lookup", "main", "pref", "302"},
		{"pref", "400", "goto", "500"},
		{"pref", "401", "goto", "9999"},
		{"pref", "500", "blackhole"},
		{"pref", "501", "unreachable"},
		{"pref", "502", "prohibit"},
		{"pref", "503", "nop"},
		{"pref", "504", "tos", "0x10", "table", "5", "suppress_prefixlength", "0", "protocol", "bgp"},
		{"pref", "505", "suppress_ifgroup", "5", "table", "6"},
		{"pref", "506", "suppress_ifgroup", "default", "table", "6"},
		{"pref", "507", "l3mdev"},
		{"pref", "508", "fwmark", "5", "realms", "3/4", "table", "7"},
		{"pref", "509", "fwmark", "0/0xff", "realms", "7", "table", "7"},
		{"pref", "510", "tun_id", "55", "table", "7"},
		{"pref", "511", "from", "10.9.9.9", "to", "10.0.0.0/8", "table", "100000", "protocol", "static"},
		{"pref", "512", "fwmark", "0xffffffff", "table", "8", "protocol", "kernel"},
	} {
		if slices.Contains(r, "l3mdev") && !l3mdev {
			kfeature.SkipPart(t, "l3mdev", kfeature.L3mdevRulesFeature, l3mdevWhy)
			continue
		}
		ns.IP(append([]string{"rule", "add"}, r...)...)
	}
	for _, r := range [][]string{
		{"from", "2001:db8::/32", "to", "2001:db8:1::1", "table", "9", "pref", "100"},
		{"not", "to", "2001:db8:2::/48", "fwmark", "7", "iif", "d0", "lookup", "main", "pref", "200"},
		{"pref", "300", "ipproto", "ipv6-icmp", "dport", "128-129", "prohibit"},
		{"pref", "301", "tos", "0x20", "table", "9"},
	} {
		ns.IP(append([]string{"-6", "rule", "add"}, r...)...)
	}
}

func TestDiffRuleDefaults(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	for _, args := range [][]string{
		{"rule", "show"}, {"-6", "rule", "show"}, {"-4", "-d", "rule", "list"}, {"-6", "-d", "rule"},
	} {
		showBoth(t, ns, keyOf("priority"), args...)
	}
}

func TestDiffRule(t *testing.T) {
	ns := netnstest.New(t)
	ruleState(t, ns)
	for _, args := range [][]string{
		{"rule", "show"},
		{"rule", "list"},
		{"-d", "rule", "show"},
		{"-4", "rule", "show"},
		{"-6", "rule", "show"},
		{"-6", "-d", "rule", "show"},
		{"rule", "show", "table", "100"},
		{"rule", "show", "lookup", "main"},
		{"rule", "show", "pref", "200"},
		{"rule", "show", "priority", "0"},
		{"rule", "show", "from", "10.0.0.0/8"},
		{"rule", "show", "from", "10.9.0.0/16"},
		{"rule", "show", "to", "192.168.0.0/16"},
		{"rule", "show", "192.168.1.0/24"},
		{"rule", "show", "iif", "d0"},
		{"rule", "show", "oif", "gone1"},
		{"rule", "show", "not"},
		{"rule", "show", "fwmark", "0x10/0xff"},
		{"rule", "show", "fwmark", "5"},
		{"rule", "show", "tos", "0x10"},
		{"rule", "show", "uidrange", "100-200"},
		{"rule", "show", "ipproto", "tcp"},
		{"rule", "show", "sport", "1000-2000"},
		{"rule", "show", "dport", "80"},
		{"rule", "show", "protocol", "all"},
		{"rule", "show", "l3mdev"},
		{"rule", "show", "tun_id", "55"},
		{"-6", "rule", "show", "from", "2001:db8::/16"},
		{"-6", "rule", "show", "not", "iif", "d0"},
		{"-6", "rule", "show", "ipproto", "ipv6-icmp"},
	} {
		showBoth(t, ns, keyOf("priority"), args...)
	}
	// iproute2 6.1 ignores "protocol" when listing; nlctl selects.
	code, out, errs := nlctl("-n", ns.Name, "rule", "show", "protocol", "bgp")
	if code != 0 || out != "504:\tfrom all tos 0x10 lookup 5 suppress_prefixlength 0 proto bgp\n" {
		t.Errorf("rule show protocol bgp: exit %d %s\n%q", code, errs, out)
	}
}

// The text output is ip's, byte for byte.
func TestDiffRuleText(t *testing.T) {
	ns := netnstest.New(t)
	ruleState(t, ns)
	for _, args := range [][]string{
		{"rule", "show"}, {"-6", "rule", "show"}, {"-d", "rule", "show"}, {"rule", "show", "table", "main"},
	} {
		want := ns.IP(args...)
		code, got, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != 0 || got != want {
			t.Errorf("nlctl %v: exit %d %s\n%s\nip:\n%s", args, code, errs, got, want)
		}
	}
}
