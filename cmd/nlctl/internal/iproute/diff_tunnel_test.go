package iproute

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// tunnelKindsUsed are the kinds tunnelCommands create.
var tunnelKindsUsed = []string{"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan", "ipip", "sit", "ip6tnl", "geneve"}

// tunnelCommands create tunnels of every kind with most of their options,
// then change and delete some: run by ip in one namespace and by nlctl in
// another, they must leave the same links.
var tunnelCommands = [][]string{
	{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
	{"link", "add", "gre1", "type", "gre", "remote", "10.0.0.2", "local", "10.0.0.1", "ttl", "64", "key", "5"},
	{"link", "add", "gre2", "type", "gre", "remote", "10.0.0.3", "ikey", "1.2.3.4", "okey", "9", "iseq", "ocsum", "tos", "inherit", "nopmtudisc"},
	{"link", "add", "gre3", "type", "gre", "remote", "239.1.1.1", "local", "10.0.0.1", "dev", "v0", "fwmark", "0x10"},
	{"link", "add", "gre4", "type", "gre", "rem", "10.0.0.9", "loc", "10.0.0.1", "hoplimit", "3", "dsfield", "0x20", "csum"},
	{"link", "add", "gt1", "type", "gretap", "remote", "10.0.0.4", "local", "10.0.0.1", "ignore-df", "nopmtudisc"},
	{"link", "add", "gte", "type", "gretap", "external"},
	{"link", "add", "ers1", "type", "erspan", "remote", "10.0.0.5", "local", "10.0.0.1", "erspan_ver", "1", "erspan", "123", "seq", "key", "3"},
	{"link", "add", "ers2", "type", "erspan", "remote", "10.0.0.6", "local", "10.0.0.1", "erspan_ver", "2", "erspan_dir", "egress", "erspan_hwid", "7", "seq", "key", "4"},
	{"link", "add", "g6", "type", "ip6gre", "remote", "2001:db8::2", "local", "2001:db8::1", "hoplimit", "20", "flowlabel", "0x12345", "tclass", "0x10", "encaplimit", "3", "key", "7"},
	{"link", "add", "g6b", "type", "ip6gre", "remote", "2001:db8::3", "tclass", "inherit", "flowlabel", "inherit", "dscp", "inherit", "encaplimit", "none", "allow-localremote", "fwmark", "inherit"},
	{"link", "add", "g6t", "type", "ip6gretap", "remote", "2001:db8::4", "dev", "v0", "csum"},
	{"link", "add", "e6a", "type", "ip6erspan", "remote", "2001:db8::5", "local", "2001:db8::1", "erspan_ver", "2", "erspan_dir", "ingress", "erspan_hwid", "3", "seq", "key", "8"},
	{"link", "add", "e6b", "type", "ip6erspan", "remote", "2001:db8::6", "local", "2001:db8::1", "erspan_ver", "1", "erspan", "77", "seq", "key", "9", "hoplimit", "9"},
	{"link", "add", "ipip1", "type", "ipip", "remote", "10.1.0.2", "local", "10.1.0.1", "ttl", "10", "tos", "0x10", "dev", "v0"},
	{"link", "add", "ipip2", "type", "ipip", "mode", "ipip", "remote", "10.1.0.3", "fwmark", "0x20"},
	{"link", "add", "ipx", "type", "ipip", "external"},
	{"link", "add", "sit1", "type", "sit", "remote", "10.2.0.2", "local", "10.2.0.1", "mode", "ip6ip", "ttl", "64"},
	{"link", "add", "sit2", "type", "sit", "isatap", "local", "10.2.0.9"},
	{"link", "add", "sit3", "type", "sit", "local", "10.2.0.10", "6rd-prefix", "2001:db8::/32", "6rd-relay_prefix", "10.0.0.0/8"},
	{"link", "add", "sit4", "type", "sit", "mode", "any", "remote", "10.2.0.4"},
	{"link", "add", "t6a", "type", "ip6tnl", "mode", "ip6ip6", "remote", "2001:db8:1::2", "local", "2001:db8:1::1", "hoplimit", "30"},
	{"link", "add", "t6b", "type", "ip6tnl", "mode", "ipip6", "remote", "2001:db8:1::3", "encaplimit", "none", "tclass", "0x20", "flowlabel", "0xabc", "dev", "v0"},
	{"link", "add", "t6c", "type", "ip6tnl", "remote", "2001:db8:1::4", "fwmark", "inherit", "dscp", "inherit"},
	{"link", "add", "t6x", "type", "ip6tnl", "external"},
	{"link", "add", "gnv0", "type", "geneve", "id", "7", "remote", "10.3.0.2", "dstport", "6081"},
	{"link", "add", "gnv1", "type", "geneve", "id", "8", "remote", "10.3.0.3", "ttl", "inherit", "tos", "inherit", "df", "set", "noudpcsum", "dstport", "6082"},
	{"link", "add", "gnv6", "type", "geneve", "id", "9", "remote", "2001:db8::9", "flowlabel", "0x123", "udp6zerocsumtx", "udp6zerocsumrx", "ttl", "auto"},
	{"link", "add", "gnvx", "type", "geneve", "external", "dstport", "6090"},
	// Changes: ip reads a GRE or IP tunnel first and sends it whole.
	{"link", "set", "gre1", "type", "gre", "ttl", "32"},
	{"link", "set", "gre2", "type", "gre", "noiseq", "okey", "10"},
	{"link", "set", "g6", "type", "ip6gre", "hoplimit", "40", "nokey"},
	{"link", "set", "e6a", "type", "ip6erspan", "erspan_dir", "egress", "erspan_hwid", "4"},
	{"link", "set", "ipip1", "type", "ipip", "ttl", "20"},
	{"link", "set", "sit1", "type", "sit", "ttl", "33"},
	{"link", "set", "t6a", "type", "ip6tnl", "hoplimit", "50", "encaplimit", "2"},
	{"link", "set", "gnv0", "type", "geneve", "id", "7", "ttl", "9"},
	// Refused alike.
	{"link", "add", "bad1", "type", "geneve", "remote", "10.3.0.9"},
	{"link", "add", "bad2", "type", "ipip", "ttl", "5", "nopmtudisc"},
	{"link", "add", "bad3", "type", "gre", "remote", "239.1.1.2"},
	{"link", "del", "gre4"},
}

// tunnelState builds a namespace with the tunnels of tunnelCommands, made
// by ip.
func tunnelState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, tunnelKindsUsed...)
	for _, c := range tunnelCommands {
		if strings.HasPrefix(c[2], "bad") {
			continue
		}
		ns.IP(c...)
	}
	return ns
}

// TestDiffTunnelLinks compares nlctl's listings of tunnels with ip's, in
// JSON key by key and in text line by line.
func TestDiffTunnelLinks(t *testing.T) {
	ns := tunnelState(t)
	for _, args := range [][]string{
		{"-d", "link", "show"},
		{"link", "show"},
		{"-d", "link", "show", "type", "gre"},
		{"-d", "link", "show", "dev", "t6b"},
	} {
		showLinksBoth(t, ns, args...)
	}
	textCases(t, ns, nil, [][]string{{"-d", "link", "show"}, {"link", "show"}})
}

// TestDiffTunnelChanges runs tunnelCommands with ip and with nlctl, in two
// namespaces, and compares the links they leave.
func TestDiffTunnelChanges(t *testing.T) {
	probe := netnstest.New(t)
	kfeature.RequireLinkKinds(t, probe, tunnelKindsUsed...)
	diffCommandsInTwins(t, tunnelCommands)
}

// tunnelEncapCommands encapsulate tunnels of each family in UDP, FOU and
// GUE, then change and remove encapsulations.
var tunnelEncapCommands = [][]string{
	{"link", "add", "gf", "type", "gre", "remote", "10.0.0.2", "local", "10.0.0.1", "encap", "fou", "encap-dport", "5555", "encap-csum"},
	{"link", "add", "gg", "type", "gretap", "remote", "10.0.0.3", "encap", "gue", "encap-sport", "1234", "encap-dport", "6080", "encap-remcsum"},
	{"link", "add", "if", "type", "ipip", "remote", "10.1.0.2", "encap", "fou", "encap-sport", "auto", "encap-dport", "5556", "noencap-csum"},
	{"link", "add", "sg", "type", "sit", "remote", "10.2.0.2", "encap", "gue", "encap-dport", "5557", "encap-csum"},
	{"link", "add", "g6f", "type", "ip6gre", "remote", "2001:db8::2", "encap", "fou", "encap-dport", "5558", "encap-udp6-csum"},
	{"link", "add", "t6g", "type", "ip6tnl", "remote", "2001:db8:1::2", "encap", "gue", "encap-sport", "999", "encap-dport", "5559", "noencap-udp6-csum"},
	{"link", "set", "gf", "type", "gre", "encap-dport", "7777", "noencap-csum"},
	{"link", "set", "if", "type", "ipip", "encap", "none"},
	// ip's ip6tnl set does not read the encapsulation (it starts again from
	// its defaults) and nlctl's keeps it: the change repeats every setting.
	{"link", "set", "t6g", "type", "ip6tnl", "encap", "fou", "encap-sport", "auto", "encap-dport", "6000", "encap-udp6-csum"},
	// Refused alike: a port out of range, and the usage's encap-csum6,
	// which ip's parser does not know (it takes encap-udp6-csum).
	{"link", "add", "bad1", "type", "gre", "remote", "10.0.0.9", "encap", "fou", "encap-dport", "70000"},
	{"link", "add", "bad2", "type", "ip6gre", "remote", "2001:db8::9", "encap", "fou", "encap-csum6"},
}

// TestDiffTunnelEncap compares nlctl's creation, listing and change of
// tunnels encapsulated in UDP with ip's.
func TestDiffTunnelEncap(t *testing.T) {
	probe := netnstest.New(t)
	kfeature.RequireLinkKinds(t, probe, "gre", "gretap", "ipip", "sit", "ip6gre", "ip6tnl")
	for _, typ := range []uint16{kfeature.TunnelEncapFOU, kfeature.TunnelEncapGUE} {
		kfeature.RequireTunnelEncap(t, probe, typ, false)
		kfeature.RequireTunnelEncap(t, probe, typ, true)
	}
	diffCommandsInTwins(t, tunnelEncapCommands)
	ns := netnstest.New(t)
	for _, c := range tunnelEncapCommands[:9] {
		ns.IP(c...)
	}
	showLinksBoth(t, ns, "-d", "link", "show")
	textCases(t, ns, nil, [][]string{{"-d", "link", "show"}})
}

// diffCommandsInTwins runs the commands with ip in one namespace and with
// nlctl in another (each must succeed or fail alike) and compares the
// links they leave, as ip -j -d lists them.
func diffCommandsInTwins(t *testing.T, commands [][]string) {
	t.Helper()
	withIP, withNlctl := netnstest.New(t), netnstest.New(t)
	for _, c := range commands {
		_, ipErr := withIP.TryIP(c...)
		code, _, errs := nlctl(append([]string{"-n", withNlctl.Name}, c...)...)
		if (ipErr == nil) != (code == 0) {
			t.Errorf("%s: ip: %v; nlctl: exit %d %s", strings.Join(c, " "), ipErr, code, errs)
		}
	}
	links := func(ns *netnstest.NS) any {
		var v any
		if err := json.Unmarshal([]byte(ns.IP("-j", "-d", "link", "show")), &v); err != nil {
			t.Fatal(err)
		}
		return dropVolatile(v)
	}
	a, b := links(withIP), links(withNlctl)
	var problems []string
	diffValue("link", a, b, &problems)
	if fmt.Sprint(a) != fmt.Sprint(b) && len(problems) == 0 {
		problems = append(problems, "nlctl's namespace has more: "+fmt.Sprint(b))
	}
	if len(problems) > 0 {
		t.Errorf("ip -j -d link show after ip's and nlctl's commands:\n%s", strings.Join(problems, "\n"))
	}
}
