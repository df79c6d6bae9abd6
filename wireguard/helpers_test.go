package wireguard_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/wireguard"
)

var bg = context.Background()

// feature names WireGuard for the skip log.
const feature = "WireGuard devices and their generic netlink family (CONFIG_WIREGUARD)"

// requireWireGuard skips the test unless the namespace's kernel has
// WireGuard: it asks the kernel to create a link of kind "wireguard",
// which a kernel without it refuses as an unknown device type (loading the
// module first where it can).
func requireWireGuard(t *testing.T, ns *netnstest.NS) {
	t.Helper()
	ok, ev := kfeature.HasLinkKind(t, ns, "wireguard")
	kfeature.Require(t, feature, ok, ev)
}

// newNS returns a fresh namespace with WireGuard, an rtnl Handle and a
// Client in it.
func newNS(t *testing.T) (*netnstest.NS, *rtnl.Handle, *wireguard.Client) {
	t.Helper()
	ns := netnstest.New(t)
	requireWireGuard(t, ns)
	h, err := rtnl.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	c, err := wireguard.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return ns, h, c
}

// addDevice creates a wireguard link and returns it as listed.
func addDevice(t *testing.T, h *rtnl.Handle, name string) *rtnl.Link {
	t.Helper()
	if err := h.AddLink(bg, &rtnl.Link{Name: name, Info: rtnl.LinkInfo{Kind: "wireguard"}}); err != nil {
		t.Fatal(err)
	}
	l, err := h.LinkByName(bg, name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// mustKey returns a new private key.
func mustKey(t *testing.T) wireguard.Key {
	t.Helper()
	k, err := wireguard.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// sortedPrefixes returns the prefixes sorted, for comparing sets: the
// kernel lists allowed IPs in its trie's order.
func sortedPrefixes(p []netip.Prefix) []netip.Prefix {
	s := slices.Clone(p)
	slices.SortFunc(s, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	return s
}

// peerOf returns the device's peer with the key.
func peerOf(t *testing.T, d *wireguard.Device, k wireguard.Key) *wireguard.Peer {
	t.Helper()
	for i := range d.Peers {
		if d.Peers[i].PublicKey == k {
			return &d.Peers[i]
		}
	}
	t.Fatalf("device %s has no peer %s", d.Name, k)
	return nil
}

// masked returns the prefixes with their host bits cleared, as the kernel
// keeps them.
func masked(p []netip.Prefix) []netip.Prefix {
	out := make([]netip.Prefix, len(p))
	for i, x := range p {
		out[i] = x.Masked()
	}
	return out
}
