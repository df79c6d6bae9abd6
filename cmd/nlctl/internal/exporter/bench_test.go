package exporter

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// addRoutes adds n IPv4 routes (10.64.0.0/32 and up, through an ifb) to
// namespace ns in batches.
func addRoutes(b *testing.B, ns *netnstest.NS, n int) {
	ns.IP("link", "add", "r0", "type", "ifb")
	ns.IP("link", "set", "r0", "up")
	if n == 0 {
		return
	}
	h, err := rtnl.DialNetNS(ns.Name)
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	l, err := h.LinkByName(context.Background(), "r0")
	if err != nil {
		b.Fatal(err)
	}
	bt := h.NewBatch()
	bt.Grow(n)
	for i := range n {
		r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: l.Index}
		if err := bt.Route(rtnl.Add, &r); err != nil {
			b.Fatal(err)
		}
	}
	if err := bt.Run(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the CPU time this process has used, user and system (the
// kernel's side of the scrape's link dump included).
func cpuTime(b *testing.B) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkExporterScrape follows a namespace holding 0 or 100,000 IPv4
// routes (and two links) with an Exporter, and scrapes it once per
// iteration through its HTTP handler, in process (no socket): ns/op and
// B/op are per scrape; cpu-ms/scrape is the process's CPU time per
// scrape, user and system; cpu-µs/1k-routes divides it by the thousands
// of routes held; heap-MB is the heap in use after a collection with the
// Cache built (the whole test process), heap-B/route what following the
// namespace added to it, per route held.
func BenchmarkExporterScrape(b *testing.B) {
	for _, n := range []int{0, 100000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			ns := netnstest.New(b)
			addRoutes(b, ns, n)

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			x, err := New(ctx, Config{Self: func() (*rtnl.Handle, error) { return rtnl.DialNetNS(ns.Name) }, SelfName: ns.Name})
			if err != nil {
				b.Fatal(err)
			}
			defer x.Close()
			runtime.GC()
			runtime.ReadMemStats(&after)
			counts, _ := x.targets[ns.Name].c.Len()
			routes := counts[rtnl.KindRoute]
			if routes < n {
				b.Fatalf("the cache holds %d routes, want at least %d", routes, n)
			}

			h := x.Handler()
			scrape := func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
				if rec.Code != http.StatusOK {
					b.Fatalf("scrape: %d %s", rec.Code, rec.Body)
				}
			}
			scrape() // the first one sets up what later ones reuse
			b.ReportAllocs()
			cpu := cpuTime(b)
			for b.Loop() {
				scrape()
			}
			perScrape := float64(cpuTime(b)-cpu) / float64(b.N)
			b.ReportMetric(perScrape/1e6, "cpu-ms/scrape")
			if n > 0 {
				b.ReportMetric(perScrape/1e3/(float64(routes)/1000), "cpu-µs/1k-routes")
				b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/float64(routes), "heap-B/route")
			}
			b.ReportMetric(float64(after.HeapInuse)/(1<<20), "heap-MB")
			b.ReportMetric(float64(routes), "routes")
		})
	}
}
