package iproute

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// neighState builds a namespace with neighbour entries of many kinds, with
// ip: permanent, reachable, stale with the router flag, noarp, none,
// externally learnt, IPv6, on two interfaces and on a bridge port, and IPv4
// and IPv6 proxy entries. No entry is one the kernel would resolve (or
// fail) while ip and nlctl look, and the kernel adds none of its own, which
// it would do for every multicast packet it sends, at moments of its
// choosing: the links that are up have no IPv6 link-local address (whose
// duplicate address detection, multicast listener reports and router
// solicitations are sent from timers, up to seconds after the link comes
// up), and the IPv6 proxy entry, which joins its solicited-node group and
// so has a listener report sent, is on a link that is down.
func neighState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	for _, c := range [][]string{
		{"link", "add", "n0", "type", "veth", "peer", "name", "n1"},
		{"link", "set", "n0", "addrgenmode", "none"},
		{"link", "set", "n1", "addrgenmode", "none"},
		{"link", "set", "n0", "up"},
		{"link", "set", "n1", "up"},
		{"link", "add", "br0", "type", "bridge"},
		{"link", "add", "p0", "type", "veth", "peer", "name", "p1"},
		{"link", "set", "p0", "master", "br0"},
		{"neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "n0", "nud", "permanent"},
		{"neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "n0", "nud", "reachable"},
		{"neigh", "add", "10.1.0.11", "lladdr", "02:00:00:00:00:0b", "dev", "n0", "nud", "noarp"},
		{"neigh", "add", "10.1.0.12", "lladdr", "02:00:00:00:00:0c", "dev", "n0", "nud", "stale", "router"},
		{"neigh", "add", "10.1.0.15", "lladdr", "02:00:00:00:00:0f", "dev", "n0", "extern_learn"},
		{"neigh", "add", "10.1.0.16", "dev", "n0", "nud", "none"},
		{"neigh", "add", "10.2.0.1", "lladdr", "02:00:00:00:01:01", "dev", "n1", "nud", "permanent"},
		{"neigh", "add", "10.7.0.1", "lladdr", "02:00:00:00:07:01", "dev", "p0", "nud", "permanent"},
		{"neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:19", "dev", "n0", "router", "nud", "permanent"},
		{"neigh", "add", "2001:db8::a", "lladdr", "02:00:00:00:00:1a", "dev", "n1", "nud", "stale"},
		{"neigh", "add", "proxy", "10.1.0.13", "dev", "n0"},
		{"neigh", "add", "proxy", "2001:db8::13", "dev", "p0"},
	} {
		ns.IP(c...)
	}
	// The kernel's own entries would be multicast ones.
	for _, n := range ipNeighInfo(t, ns, "nud", "all") {
		if dst, _ := n["dst"].(string); netip.MustParseAddr(dst).IsMulticast() {
			t.Fatalf("the kernel made a neighbour entry: %v", n)
		}
	}
	return ns
}

func TestDiffNeighbours(t *testing.T) {
	ns := neighState(t)
	key := keyOf("dst", "dev")
	for _, args := range [][]string{
		{"neigh", "show"},
		{"neigh"},
		{"neighbour", "list"},
		{"-4", "neigh", "show"},
		{"-6", "neigh", "show"},
		{"neigh", "show", "dev", "n0"},
		{"neigh", "show", "dev", "n1"},
		{"-6", "neigh", "show", "dev", "n0"},
		{"neigh", "show", "proxy"},
		{"neigh", "show", "proxy", "dev", "p0"},
		{"neigh", "show", "nud", "all"},
		{"neigh", "show", "nud", "none"},
		{"neigh", "show", "nud", "permanent"},
		{"neigh", "show", "nud", "noarp"},
		{"neigh", "show", "nud", "stale", "nud", "reachable"},
		{"neigh", "show", "to", "10.1.0.0/24"},
		{"neigh", "show", "10.1.0.9"},
		{"neigh", "show", "2001:db8::/64"},
		{"neigh", "show", "master", "br0"},
		{"-s", "neigh", "show"},
		{"-s", "neigh", "show", "dev", "n0", "nud", "all"},
		{"-s", "neigh", "show", "proxy"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { showBothTimed(t, ns, key, args...) })
	}
}

// The text forms of the same state (without -s, whose ages move).
func TestDiffNeighbourText(t *testing.T) {
	ns := neighState(t)
	for _, args := range [][]string{
		{"neigh", "show"},
		{"neigh", "show", "nud", "all"},
		{"neigh", "show", "dev", "n0"},
		{"neigh", "show", "proxy"},
		{"-6", "neigh", "show"},
		{"neigh", "show", "nud", "none"},
	} {
		want := ns.IP(args...)
		code, got, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != 0 || got != want {
			t.Errorf("nlctl %s: exit %d %s\nip:\n%s\nnlctl:\n%s", strings.Join(args, " "), code, errs, want, got)
		}
	}
}
