package rtnl_test

import (
	"fmt"
	"iter"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// The listing benchmarks fill a namespace with many objects of one kind and
// range over its dump with the iterator, reporting ns/object and
// allocs/object: heap allocations (MemStats.Mallocs) per object listed,
// everything included (the request, the store's blocks, the iterator).
// TestListingAllocations checks the same with fewer objects.

// A listingCase is one kind of object: how to fill a namespace with n of
// them and how to list them.
type listingCase struct {
	name string
	// scale is the number of objects the benchmark lists.
	scale int
	// fill adds n objects to the namespace of h.
	fill func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int)
	// list ranges over the dump and returns the number of objects seen
	// (touching a field of each, so that nothing is optimised away).
	list func(h *rtnl.Handle) (int, error)
}

// count ranges over seq, calling touch on every value, and returns the
// number of values.
func count[T any](seq iter.Seq2[*T, error], touch func(*T) int) (int, error) {
	n, sum := 0, 0
	for v, err := range seq {
		if err != nil {
			return n, err
		}
		sum += touch(v)
		n++
	}
	if sum < 0 {
		return n, fmt.Errorf("impossible sum %d", sum)
	}
	return n, nil
}

// run applies the batch b and fails tb on error.
func runBatch(tb testing.TB, b *rtnl.Batch) {
	tb.Helper()
	if err := b.Run(bg, nil); err != nil {
		tb.Fatal(err)
	}
}

// vethUp makes the veth pair v0/v0p, up, with addr on v0, and returns
// v0's index.
func vethUp(tb testing.TB, ns *netnstest.NS, addr string) int {
	tb.Helper()
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v0p")
	ns.IP("link", "set", "v0", "up")
	ns.IP("link", "set", "v0p", "up")
	if addr != "" {
		ns.IP("addr", "add", addr, "dev", "v0")
	}
	l, err := rtnlLink(ns, "v0")
	if err != nil {
		tb.Fatal(err)
	}
	return l
}

// rtnlLink returns the index of the named link in ns.
func rtnlLink(ns *netnstest.NS, name string) (int, error) {
	h, err := rtnl.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		return 0, err
	}
	defer h.Close()
	l, err := h.LinkByName(bg, name)
	if err != nil {
		return 0, err
	}
	return l.Index, nil
}

// fillVeths adds n/2 veth pairs, down.
func fillVeths(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
	b := h.NewBatch()
	for i := range n / 2 {
		l := &rtnl.Link{
			Name: fmt.Sprintf("va%d", i),
			Info: rtnl.LinkInfo{Kind: "veth", Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: fmt.Sprintf("vb%d", i)}}},
		}
		if err := b.Link(rtnl.Add, l); err != nil {
			tb.Fatal(err)
		}
	}
	runBatch(tb, b)
}

var listingCases = []listingCase{
	{
		name:  "Links",
		scale: 2000, // 1,000 veth pairs
		fill:  fillVeths,
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Links(bg, nil), func(l *rtnl.Link) int { return len(l.Name) + len(l.HardwareAddr) })
		},
	},
	{
		name:  "Addresses",
		scale: 5000,
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			idx := vethUp(tb, ns, "")
			b := h.NewBatch()
			for i := range n {
				a := &rtnl.Address{LinkIndex: idx, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1}), 24)}
				if err := b.Address(rtnl.Add, a); err != nil {
					tb.Fatal(err)
				}
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Addresses(bg, nil), func(a *rtnl.Address) int { return len(a.Label) + a.Prefix.Bits() })
		},
	},
	{
		name:  "Neighbours",
		scale: 20000,
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			idx := vethUp(tb, ns, "10.1.0.1/16")
			b := h.NewBatch()
			for i := range n {
				hi, lo := byte((i+2)>>8), byte(i+2)
				nb := &rtnl.Neighbour{
					LinkIndex: idx,
					Addr:      netip.AddrFrom4([4]byte{10, 1, hi, lo}),
					LinkAddr:  []byte{2, 0, 0, 0, hi, lo},
					State:     rtnl.NeighPermanent,
				}
				if err := b.Neighbour(rtnl.Add, nb); err != nil {
					tb.Fatal(err)
				}
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Neighbours(bg, nil), func(n *rtnl.Neighbour) int { return len(n.LinkAddr) })
		},
	},
	{
		name:  "Rules",
		scale: 2000,
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			b := h.NewBatch()
			for i := range n {
				r := &rtnl.Rule{
					Family:        rtnl.IPv4,
					Priority:      uint32(1000 + i),
					Src:           netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24),
					InputLinkName: "lo",
					Table:         uint32(100 + i%50),
					Action:        rtnl.RuleLookup,
				}
				if err := b.Rule(rtnl.Add, r); err != nil {
					tb.Fatal(err)
				}
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Rules(bg, nil), func(r *rtnl.Rule) int { return len(r.InputLinkName) })
		},
	},
	{
		name:  "Nexthops",
		scale: 5000, // 4,900 gateways and 100 groups of two
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			idx := vethUp(tb, ns, "10.128.0.1/16")
			groups := n / 50
			b := h.NewBatch()
			for i := range n - groups {
				nh := &rtnl.Nexthop{ID: uint32(i + 1), Gateway: netip.AddrFrom4([4]byte{10, 128, byte((i + 2) >> 8), byte(i + 2)}), LinkIndex: idx}
				if err := b.Nexthop(rtnl.Add, nh); err != nil {
					tb.Fatal(err)
				}
			}
			for g := range groups {
				nh := &rtnl.Nexthop{ID: uint32(100000 + g), Group: []rtnl.NexthopGroupMember{{ID: uint32(2*g + 1)}, {ID: uint32(2*g + 2)}}}
				if err := b.Nexthop(rtnl.Add, nh); err != nil {
					tb.Fatal(err)
				}
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Nexthops(bg, nil), func(nh *rtnl.Nexthop) int { return len(nh.Group) + nh.LinkIndex })
		},
	},
	{
		name:  "NexthopBuckets",
		scale: 8192, // one resilient group of 8,192 buckets
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			if ok, why := kfeature.HasNexthopResilient(tb, ns); !ok {
				netnstest.SkipFeature(tb, kfeature.NexthopResilientFeature, why)
			}
			idx := vethUp(tb, ns, "10.128.0.1/16")
			b := h.NewBatch()
			for i := range 2 {
				nh := &rtnl.Nexthop{ID: uint32(i + 1), Gateway: netip.AddrFrom4([4]byte{10, 128, 0, byte(i + 2)}), LinkIndex: idx}
				if err := b.Nexthop(rtnl.Add, nh); err != nil {
					tb.Fatal(err)
				}
			}
			g := &rtnl.Nexthop{
				ID:        100,
				Group:     []rtnl.NexthopGroupMember{{ID: 1}, {ID: 2}},
				GroupType: rtnl.NexthopGroupResilient,
				Resilient: rtnl.NexthopResilient{Buckets: uint16(n), IdleTimer: time.Minute},
			}
			if err := b.Nexthop(rtnl.Add, g); err != nil {
				tb.Fatal(err)
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.NexthopBuckets(bg, nil), func(bk *rtnl.NexthopBucket) int { return int(bk.NexthopID) })
		},
	},
	{
		name:  "Routes",
		scale: 10000,
		fill: func(tb testing.TB, ns *netnstest.NS, h *rtnl.Handle, n int) {
			idx := vethUp(tb, ns, "10.255.0.1/24")
			b := h.NewBatch()
			for i := range n {
				r := &rtnl.Route{
					Dst:       netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32),
					LinkIndex: idx,
					Scope:     rtnl.ScopeLink,
					Protocol:  rtnl.ProtoStatic,
				}
				if err := b.Route(rtnl.Add, r); err != nil {
					tb.Fatal(err)
				}
			}
			runBatch(tb, b)
		},
		list: func(h *rtnl.Handle) (int, error) {
			return count(h.Routes(bg, nil), func(r *rtnl.Route) int { return r.Dst.Bits() })
		},
	},
}

// fillListing gives c's benchmark or test a namespace holding n of its
// objects (and a few of the namespace's own) and a Handle in it. It
// returns the number of objects the iterator lists there.
func fillListing(tb testing.TB, c listingCase, n int) (*rtnl.Handle, int) {
	tb.Helper()
	ns, h := newHandle(tb)
	c.fill(tb, ns, h, n)
	got, err := c.list(h)
	if err != nil {
		tb.Fatal(err)
	}
	if got < n {
		tb.Fatalf("%s: listed %d, want %d or more", c.name, got, n)
	}
	return h, got
}

// mallocs returns the heap allocations made so far.
func mallocs() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.Mallocs
}

// BenchmarkListing ranges over the dump of each kind of object with its
// iterator (Links, Addresses, Neighbours, Rules, Nexthops,
// NexthopBuckets, Routes) in a namespace holding many of them, reporting
// ns/object and allocs/object.
func BenchmarkListing(b *testing.B) {
	for _, c := range listingCases {
		b.Run(fmt.Sprintf("%s-%d", c.name, c.scale), func(b *testing.B) {
			h, n := fillListing(b, c, c.scale)
			runtime.GC()
			m0 := mallocs()
			b.ResetTimer()
			for b.Loop() {
				// The kernel may add a neighbour or address of its own
				// (IPv6 on a link up) between two listings.
				if got, err := c.list(h); err != nil || got < c.scale {
					b.Fatalf("listed %d (%v), want %d or more", got, err, c.scale)
				}
			}
			b.StopTimer()
			m1 := mallocs()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/object")
			b.ReportMetric(float64(m1-m0)/float64(b.N*n), "allocs/object")
		})
	}
}

// TestListingAllocations checks that listing with an iterator allocates
// far less than once per object, for every kind of object: the values'
// strings, addresses, slices and pointers come out of a few blocks per
// listing (1,000 objects of each kind, 0.05 allocations per object at
// most, everything included).
func TestListingAllocations(t *testing.T) {
	const n, most = 1000, 0.05
	for _, c := range listingCases {
		t.Run(c.name, func(t *testing.T) {
			h, listed := fillListing(t, c, n)
			allocs := testing.AllocsPerRun(5, func() {
				if got, err := c.list(h); err != nil || got < n {
					t.Fatalf("listed %d (%v), want %d or more", got, err, n)
				}
			})
			per := allocs / float64(listed)
			t.Logf("%s: %.0f allocations per listing of %d, %.4f per object", c.name, allocs, listed, per)
			if per > most {
				t.Errorf("%s: %.4f allocations per object, want at most %.2f", c.name, per, most)
			}
		})
	}
}

// TestListingCopiesKept checks that copies of the iterator's values stay
// as they were listed while the listing goes on and after it: the values
// share the store's blocks, which are never reused.
func TestListingCopiesKept(t *testing.T) {
	h, _ := fillListing(t, listingCases[0], 200) // links, down: nothing changes
	var kept []rtnl.Link
	for l, err := range h.Links(bg, nil) {
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, *l)
	}
	again, err := h.ListLinks(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(kept) {
		t.Fatalf("%d links listed, then %d", len(kept), len(again))
	}
	for i := range kept {
		if !reflect.DeepEqual(kept[i], again[i]) {
			t.Errorf("link %d kept as %+v, listed again as %+v", i, kept[i], again[i])
		}
	}
}
