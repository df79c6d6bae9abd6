package rtnl_test

import (
	"context"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

// BenchmarkCacheProperty is TestCacheProperty at length: 1,000 random
// steps, each checked against a fresh dump.
func BenchmarkCacheProperty(b *testing.B) {
	for b.Loop() {
		runCacheProperty(b, 1000)
	}
}

// BenchmarkCacheRoutes holds 100,000 IPv4 routes in a Cache and reports
// the memory it takes per route (the heap it adds, after a collection),
// how long the initial listing took, and, for comparison, a plain dump of
// the same routes with the iterator.
func BenchmarkCacheRoutes(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "cr0", "type", "ifb")
	ns.IP("link", "set", "cr0", "up")
	idx := ipIfindex(b, ns, "cr0")
	const n = 100000
	bt := h.NewBatch()
	bt.Grow(n)
	for i := range n {
		r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx}
		if err := bt.Route(rtnl.Add, &r); err != nil {
			b.Fatal(err)
		}
	}
	if err := bt.Run(bg, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		start := time.Now()
		count := 0
		for _, err := range h.Routes(bg, &rtnl.RouteFilter{Family: rtnl.IPv4}) {
			if err != nil {
				b.Fatal(err)
			}
			count++
		}
		dump := time.Since(start)

		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ctx, cancel := context.WithCancel(bg)
		start = time.Now()
		c, err := h.NewCache(ctx, &rtnl.CacheOptions{Kinds: rtnl.KindRoute, Family: rtnl.IPv4})
		if err != nil {
			b.Fatal(err)
		}
		list := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		counts, bodies := c.Len()
		if counts[rtnl.KindRoute] < n {
			b.Fatalf("the cache holds %d routes, want %d", counts[rtnl.KindRoute], n)
		}
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/float64(counts[rtnl.KindRoute]), "heap-B/route")
		b.ReportMetric(float64(bodies)/float64(counts[rtnl.KindRoute]), "body-B/route")
		b.ReportMetric(float64(list.Milliseconds()), "list-ms")
		b.ReportMetric(float64(dump.Milliseconds()), "dump-ms")
		b.ReportMetric(float64(count), "routes")
		c.Close()
		cancel()
	}
}
