package rtnl_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// cpuTime is the process's user and system time so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rawRouteReader is the hand-written reference: a NETLINK_ROUTE socket in
// ns joined to the IPv4 route group with a forced 64 MiB buffer, read with
// recvfrom into one buffer, counting route messages until want.
func rawRouteReader(tb testing.TB, ns *netnstest.NS, ready chan<- struct{}, want int) (got int, overruns int) {
	var fd int
	err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rtnl.DefaultWatchBuffer); err != nil {
			return err
		}
		return unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1 << (unix.RTNLGRP_IPV4_ROUTE - 1)})
	})
	if err != nil {
		tb.Fatal(err)
	}
	defer unix.Close(fd)
	close(ready)
	buf := make([]byte, 64<<10)
	for got < want {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err == unix.ENOBUFS {
			overruns++
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		for b := buf[:n]; len(b) >= unix.NLMSG_HDRLEN; {
			l := int(binary.NativeEndian.Uint32(b))
			t := binary.NativeEndian.Uint16(b[4:])
			if t == unix.RTM_NEWROUTE || t == unix.RTM_DELROUTE {
				got++
			}
			if l < unix.NLMSG_HDRLEN || l > len(b) {
				break
			}
			b = b[(l+3)&^3:]
		}
	}
	return got, overruns
}

// churnEnv makes the test binary a churner (TestMain): "PATH,INDEX,N" adds
// N /32 routes through link INDEX in the namespace at PATH, in batches as
// fast as the kernel takes them, then deletes them.
const churnEnv = "NLKIT_TEST_CHURN"

// TestMain runs the churner when asked to, else the tests.
func TestMain(m *testing.M) {
	if spec := os.Getenv(churnEnv); spec != "" {
		if err := churnMain(spec); err != nil {
			fmt.Fprintln(os.Stderr, "churner:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func churnMain(spec string) error {
	var path string
	var idx, n int
	parts := strings.Split(spec, ",")
	if len(parts) != 3 {
		return fmt.Errorf("bad %s %q", churnEnv, spec)
	}
	path = parts[0]
	if _, err := fmt.Sscan(parts[1], &idx); err != nil {
		return err
	}
	if _, err := fmt.Sscan(parts[2], &n); err != nil {
		return err
	}
	h, err := rtnl.DialNetNS(path)
	if err != nil {
		return err
	}
	defer h.Close()
	for _, v := range []rtnl.Verb{rtnl.Add, rtnl.Delete} {
		bt := h.NewBatch()
		bt.Grow(n)
		for i := range n {
			r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx}
			if err := bt.Route(v, &r); err != nil {
				return err
			}
		}
		if err := bt.Run(context.Background(), nil); err != nil {
			return err
		}
	}
	return nil
}

// runChurner runs this test binary as a churner (churnEnv) of n routes
// through link idx in ns, and waits for it.
func runChurner(tb testing.TB, ns *netnstest.NS, idx, n int) {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), churnEnv+"="+fmt.Sprintf("%s,%d,%d", ns.Path(), idx, n))
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("churner: %v: %s", err, out)
	}
}

// BenchmarkWatchStorm churns 100,000 route adds then 100,000 deletes from
// another process (this test binary as a churner, in batches as fast as
// the kernel takes them) twice: once followed by
// the hand-written reader above, once by Watch with its defaults, and
// reports the CPU time each spent per event and the watcher's rate.
func BenchmarkWatchStorm(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "wb0", "type", "ifb")
	ns.IP("link", "set", "wb0", "up")
	const n = 100000
	idx := ipIfindex(b, ns, "wb0")
	churn := func() { runChurner(b, ns, idx, n) }
	for b.Loop() {
		// The reference.
		ready := make(chan struct{})
		type result struct{ got, overruns int }
		done := make(chan result)
		before := cpuTime(b)
		go func() {
			g, o := rawRouteReader(b, ns, ready, 2*n)
			done <- result{g, o}
		}()
		<-ready
		churn()
		raw := <-done
		rawCPU := cpuTime(b) - before

		// The watcher.
		ctx, cancel := contextWithCancel()
		synced := make(chan struct{})
		type wres struct{ events, resyncs int }
		wdone := make(chan wres)
		go func() {
			var r wres
			for ev, err := range h.Watch(ctx, &rtnl.WatchOptions{Kinds: rtnl.KindRoute, Family: rtnl.IPv4}) {
				if err != nil {
					break
				}
				switch {
				case ev.Type == rtnl.EventSynced:
					close(synced)
				case ev.Type == rtnl.EventResyncEnd:
					r.resyncs++
				case ev.Kind == rtnl.KindRoute && !ev.Initial && !ev.Resync && ev.Route.Dst.Bits() == 32:
					r.events++
				}
				if r.events == 2*n || r.resyncs > 0 {
					break
				}
			}
			wdone <- r
		}()
		<-synced
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		before = cpuTime(b)
		start := time.Now()
		churn()
		w := <-wdone
		runtime.ReadMemStats(&ms1)
		elapsed := time.Since(start)
		watchCPU := cpuTime(b) - before
		cancel()

		b.ReportMetric(float64(rawCPU.Nanoseconds())/float64(raw.got), "raw-cpu-ns/event")
		b.ReportMetric(float64(watchCPU.Nanoseconds())/float64(max(w.events, 1)), "watch-cpu-ns/event")
		b.ReportMetric(float64(watchCPU)/float64(rawCPU)*float64(raw.got)/float64(max(w.events, 1)), "x-raw")
		b.ReportMetric(float64(w.events)/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(w.resyncs), "resyncs")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(max(w.events, 1)), "allocs/event")
		b.ReportMetric(float64(raw.overruns), "raw-overruns")
	}
}

func contextWithCancel() (context.Context, context.CancelFunc) { return context.WithCancel(bg) }

// BenchmarkWatchStormState is the storm of issue 13's first acceptance
// point, ten times: 100,000 route adds then deletes from a churner
// process, unthrottled, followed by Watch with its defaults; each run must
// end with the events' picture equal to a fresh dump (whether every event
// arrived or a resync made up for a loss), and the stream alive: a change
// made afterwards is seen.
func BenchmarkWatchStormState(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "wt0", "type", "ifb")
	ns.IP("link", "set", "wt0", "up")
	idx := ipIfindex(b, ns, "wt0")
	const n, runs = 100000, 10
	for b.Loop() {
		lossless, resynced := 0, 0
		for run := range runs {
			ctx, cancel := context.WithCancel(bg)
			type result struct {
				routes  map[rtnl.RouteKey]bool
				resyncs int
				events  int
			}
			marker := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 97, byte(run), 0}), 24)
			synced, done := make(chan struct{}), make(chan result)
			go func() {
				r := result{routes: map[rtnl.RouteKey]bool{}}
				for ev, err := range h.Watch(ctx, &rtnl.WatchOptions{Kinds: rtnl.KindRoute, Family: rtnl.IPv4}) {
					if err != nil {
						break
					}
					switch {
					case ev.Type == rtnl.EventSynced:
						close(synced)
					case ev.Type == rtnl.EventResyncEnd:
						r.resyncs++
					case ev.Kind == rtnl.KindRoute && ev.Type == rtnl.EventNew:
						r.routes[ev.Route.Key()] = true
						r.events++
					case ev.Kind == rtnl.KindRoute && ev.Type == rtnl.EventDelete:
						delete(r.routes, ev.Route.Key())
						r.events++
					}
					if ev.Kind == rtnl.KindRoute && ev.Route.Dst == marker {
						break
					}
				}
				done <- r
			}()
			<-synced
			runChurner(b, ns, idx, n)
			if err := h.AddRoute(bg, &rtnl.Route{Dst: marker, LinkIndex: idx}); err != nil {
				b.Fatal(err)
			}
			r := <-done
			cancel()
			want := ipv4Routes(b, h)
			if len(want) != len(r.routes) {
				b.Fatalf("run %d: the events paint %d routes, a dump has %d (%d resyncs)", run, len(r.routes), len(want), r.resyncs)
			}
			for k := range want {
				if !r.routes[k] {
					b.Fatalf("run %d: route %v missing from the events' picture", run, k)
				}
			}
			if r.resyncs > 0 {
				resynced++
			} else if r.events >= 2*n {
				lossless++
			}
			if err := h.DeleteRoute(bg, &rtnl.Route{Dst: marker, LinkIndex: idx}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(lossless), "runs-lossless")
		b.ReportMetric(float64(resynced), "runs-resynced")
	}
}
