package iproute

import (
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// routeState builds a namespace with many kinds of routes, with ip.
func routeState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET) // tables other than main and local
	for _, typ := range []uint16{unix.LWTUNNEL_ENCAP_IP, unix.LWTUNNEL_ENCAP_IP6} {
		ok, why := kfeature.HasLWTEncap(t, ns, typ)
		kfeature.Require(t, kfeature.LWTFeature(typ), ok, why)
	}
	for _, c := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "r0", "type", "veth", "peer", "name", "r1"},
		{"link", "set", "r0", "up"},
		{"link", "set", "r1", "up"},
		{"link", "add", "r2", "type", "veth", "peer", "name", "r3"},
		{"link", "set", "r2", "up"}, // r3 stays down: r2's routes are linkdown
		{"addr", "add", "10.1.0.1/24", "dev", "r0"},
		{"addr", "add", "10.2.0.1/24", "dev", "r2"},
		{"addr", "add", "2001:db8::1/64", "dev", "r0", "nodad"},
		{"route", "add", "default", "via", "10.1.0.254"},
		{"route", "add", "10.10.0.0/16", "via", "10.1.0.2", "metric", "5", "mtu", "1400", "advmss", "1300", "proto", "static"},
		// (reno is the congestion control every kernel has built in.)
		{"route", "add", "10.11.0.0/16", "via", "10.1.0.2", "hoplimit", "9", "initcwnd", "10", "rtt", "10ms", "window", "1000", "congctl", "reno", "features", "ecn", "quickack", "1"},
		{"route", "add", "blackhole", "10.12.0.0/16", "table", "100"},
		{"route", "add", "unreachable", "10.13.0.0/16"},
		{"route", "add", "prohibit", "10.14.0.0/16", "table", "100000"},
		{"route", "add", "throw", "10.15.0.0/16", "table", "100"},
		{"route", "add", "10.16.0.0/16", "nexthop", "via", "10.1.0.2", "weight", "2", "nexthop", "via", "10.1.0.3", "dev", "r0"},
		{"route", "add", "10.17.0.0/16", "via", "inet6", "2001:db8::2", "dev", "r0"},
		{"route", "add", "10.18.0.0/16", "dev", "r0", "src", "10.1.0.1", "proto", "99"},
		{"route", "add", "10.19.0.0/16", "dev", "r2", "metric", "7"},
		{"route", "add", "10.20.0.5", "dev", "r0", "scope", "host"},
		{"route", "add", "local", "10.21.0.0/16", "dev", "lo"},
		{"route", "add", "10.22.0.0/16", "via", "10.2.0.9", "dev", "r2", "onlink"},
		{"route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "pref", "high"},
		{"route", "add", "2001:db8:6::/48", "dev", "r0", "metric", "77", "proto", "bird"},
		{"route", "add", "2001:db8:7::/48", "via", "2001:db8::2", "expires", "3000"},
		{"route", "add", "blackhole", "2001:db8:8::/48"},
		{"nexthop", "add", "id", "5", "via", "10.1.0.7", "dev", "r0"},
		{"route", "add", "10.23.0.0/16", "nhid", "5"},
		// A group: the kernel lists its paths with the route, which ip -d
		// prints after the nh_info line.
		{"nexthop", "add", "id", "6", "via", "10.1.0.8", "dev", "r0"},
		{"nexthop", "add", "id", "7", "group", "5/6"},
		{"route", "add", "10.34.0.0/16", "nhid", "7"},
		{"route", "add", "10.24.0.0/16", "encap", "ip", "id", "5", "dst", "10.1.0.9", "ttl", "9", "dev", "r0"},
		{"route", "add", "10.25.0.0/16", "encap", "ip6", "id", "6", "dst", "2001:db8::9", "tc", "2", "dev", "r0"},
		{"route", "add", "10.26.0.0/16", "dev", "r0", "realms", "3/4"},
		{"route", "add", "10.27.0.0/16", "nexthop", "via", "10.1.0.2", "realms", "5", "nexthop", "via", "10.1.0.3", "realms", "7/8"},
		{"route", "add", "10.28.0.0/16", "encap", "ip", "id", "7", "dst", "10.1.0.9", "tos", "10", "key", "csum", "seq", "dev", "r0"},
		{"route", "add", "10.29.0.0/16", "tos", "0x10", "dev", "r0"},
		{"route", "add", "10.30.0.0/16", "via", "10.1.0.2", "rtt", "1500", "rttvar", "2s", "rto_min", "5ms", "advmss", "lock", "1300", "ssthresh", "7", "cwnd", "3", "reordering", "4", "fastopen_no_cookie", "1", "initrwnd", "5"},
	} {
		ns.IP(c...)
	}
	return ns
}

var routeKey = keyOf("type", "dst", "from", "dev", "table", "metric", "tos")

func TestDiffRoutes(t *testing.T) {
	ns := routeState(t)
	for _, args := range [][]string{
		{"route", "show"},
		{"route", "list"},
		{"-4", "route", "show"},
		{"-6", "route", "show"},
		{"route", "show", "table", "all"},
		{"-6", "route", "show", "table", "all"},
		{"route", "show", "table", "local"},
		{"-6", "route", "show", "table", "local"},
		{"route", "show", "table", "100"},
		{"route", "show", "table", "100000"},
		{"-d", "route", "show"},
		{"-d", "route", "show", "table", "all"},
		{"route", "show", "dev", "r0"},
		{"route", "show", "dev", "r2"},
		{"route", "show", "proto", "static"},
		{"route", "show", "proto", "kernel"},
		{"route", "show", "type", "unreachable"},
		{"route", "show", "scope", "link"},
		{"route", "show", "via", "10.1.0.2"},
		{"route", "show", "10.10.0.0/16"},
		{"route", "show", "root", "10.0.0.0/8"},
		{"route", "show", "match", "10.10.1.1"},
		{"route", "show", "exact", "10.20.0.5"},
		{"-6", "route", "show", "2001:db8:6::/48"},
	} {
		// IPv6 routes' "expires" counts down between ip's look and nlctl's.
		t.Run(joinArgs(args), func(t *testing.T) { showBothTimed(t, ns, routeKey, args...) })
	}
}

func TestDiffRouteGet(t *testing.T) {
	ns := routeState(t)
	for _, args := range [][]string{
		{"route", "get", "10.10.1.2"},
		{"route", "get", "10.1.0.9"},
		{"route", "get", "10.10.1.2", "fibmatch"},
		{"route", "get", "2001:db8:5::1"},
	} {
		t.Run(joinArgs(args), func(t *testing.T) { showBothTimed(t, ns, routeKey, args...) })
	}
}

func joinArgs(a []string) string {
	s := ""
	for i, w := range a {
		if i > 0 {
			s += "_"
		}
		s += w
	}
	return s
}
