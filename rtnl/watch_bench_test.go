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
	"unsafe"

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
// recvfrom into one buffer (batch 1) or with recvmmsg into batch buffers
// of 32 KiB, counting route messages until want.
func rawRouteReader(tb testing.TB, ns *netnstest.NS, ready chan<- struct{}, want, batch int) (got int, overruns int) {
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
	count := func(b []byte) {
		for len(b) >= unix.NLMSG_HDRLEN {
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
	if batch <= 1 {
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
			count(buf[:n])
		}
		return got, overruns
	}
	type mmsghdr struct {
		hdr unix.Msghdr
		n   uint32
	}
	hdrs := make([]mmsghdr, batch)
	iovs := make([]unix.Iovec, batch)
	bufs := make([][]byte, batch)
	for i := range batch {
		bufs[i] = make([]byte, 32<<10)
		iovs[i].Base = &bufs[i][0]
		iovs[i].SetLen(len(bufs[i]))
		hdrs[i].hdr.Iov = &iovs[i]
		hdrs[i].hdr.Iovlen = 1
	}
	for got < want {
		// MSG_WAITFORONE: a blocking socket would otherwise wait for
		// all of them.
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, uintptr(fd), uintptr(unsafe.Pointer(&hdrs[0])), uintptr(batch), unix.MSG_WAITFORONE, 0, 0)
		switch errno {
		case 0:
		case unix.ENOBUFS:
			overruns++
			continue
		case unix.EINTR:
			continue
		default:
			tb.Fatal(errno)
		}
		for i := range int(n) {
			count(bufs[i][:hdrs[i].n])
		}
	}
	return got, overruns
}

// churnEnv makes the test binary a churner (TestMain): "PATH,INDEX,N"
// adds N /32 routes through link INDEX in the namespace at PATH, in
// batches as fast as the kernel takes them, then deletes them;
// "PATH,INDEX,N,RATE,ROUNDS" does that ROUNDS times at RATE route changes
// a second, in batches of 1,000, and prints the rate it kept.
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
	parts := strings.Split(spec, ",")
	if len(parts) != 3 && len(parts) != 5 {
		return fmt.Errorf("bad %s %q", churnEnv, spec)
	}
	path := parts[0]
	var idx, n, rate, rounds int
	rounds = 1
	for i, v := range []*int{&idx, &n, &rate, &rounds} {
		if i+1 < len(parts) {
			if _, err := fmt.Sscan(parts[i+1], v); err != nil {
				return fmt.Errorf("bad %s %q: %w", churnEnv, spec, err)
			}
		}
	}
	h, err := rtnl.DialNetNS(path)
	if err != nil {
		return err
	}
	defer h.Close()
	chunk := n
	if rate > 0 {
		chunk = 1000
	}
	start, done := time.Now(), 0
	for range rounds {
		for _, v := range []rtnl.Verb{rtnl.Add, rtnl.Delete} {
			for lo := 0; lo < n; lo += chunk {
				bt := h.NewBatch()
				bt.Grow(min(chunk, n-lo))
				for i := lo; i < min(lo+chunk, n); i++ {
					r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx}
					if err := bt.Route(v, &r); err != nil {
						return err
					}
				}
				if err := bt.Run(context.Background(), nil); err != nil {
					return err
				}
				done += min(chunk, n-lo)
				if rate > 0 {
					if ahead := time.Duration(float64(done)/float64(rate)*float64(time.Second)) - time.Since(start); ahead > 0 {
						time.Sleep(ahead)
					}
				}
			}
		}
	}
	if rate > 0 {
		fmt.Printf("%d %d\n", done, time.Since(start).Nanoseconds())
	}
	return nil
}

// runChurner runs this test binary as a churner (churnEnv) of n routes
// through link idx in ns, and waits for it.
func runChurner(tb testing.TB, ns *netnstest.NS, idx, n int) {
	tb.Helper()
	runChurnerSpec(tb, fmt.Sprintf("%s,%d,%d", ns.Path(), idx, n))
}

// runPacedChurner runs the churner for rounds of n route adds and deletes
// at rate changes a second, and returns how many it made and the rate it
// kept.
func runPacedChurner(tb testing.TB, ns *netnstest.NS, idx, n, rate, rounds int) (int, float64) {
	tb.Helper()
	out := runChurnerSpec(tb, fmt.Sprintf("%s,%d,%d,%d,%d", ns.Path(), idx, n, rate, rounds))
	var done int
	var ns64 int64
	if _, err := fmt.Sscan(out, &done, &ns64); err != nil {
		tb.Fatalf("churner said %q: %v", out, err)
	}
	return done, float64(done) / time.Duration(ns64).Seconds()
}

func runChurnerSpec(tb testing.TB, spec string) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), churnEnv+"="+spec)
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		tb.Fatalf("churner: %v: %s", err, stderr)
	}
	return string(out)
}

// BenchmarkWatchStorm churns 100,000 route adds then 100,000 deletes from
// another process (this test binary as a churner, in batches as fast as
// the kernel takes them) three times: followed by the hand-written reader
// above with recvfrom (the reference), by the same with recvmmsg
// (16 datagrams a call), and by Watch with its defaults; it reports the
// CPU time each spent per event and the watcher's rate.
func BenchmarkWatchStorm(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "wb0", "type", "ifb")
	ns.IP("link", "set", "wb0", "up")
	const n = 100000
	idx := ipIfindex(b, ns, "wb0")
	churn := func() { runChurner(b, ns, idx, n) }
	for b.Loop() {
		// The references.
		type result struct {
			got, overruns int
			cpu           time.Duration
		}
		raw := func(batch int) result {
			ready := make(chan struct{})
			done := make(chan result)
			before := cpuTime(b)
			go func() {
				g, o := rawRouteReader(b, ns, ready, 2*n, batch)
				done <- result{got: g, overruns: o}
			}()
			<-ready
			churn()
			r := <-done
			r.cpu = cpuTime(b) - before
			return r
		}
		recvfrom, recvmmsg := raw(1), raw(16)

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
		before := cpuTime(b)
		start := time.Now()
		churn()
		w := <-wdone
		runtime.ReadMemStats(&ms1)
		elapsed := time.Since(start)
		watchCPU := cpuTime(b) - before
		cancel()

		perEvent := func(cpu time.Duration, events int) float64 {
			return float64(cpu.Nanoseconds()) / float64(max(events, 1))
		}
		watch := perEvent(watchCPU, w.events)
		b.ReportMetric(perEvent(recvfrom.cpu, recvfrom.got), "raw-cpu-ns/event")
		b.ReportMetric(perEvent(recvmmsg.cpu, recvmmsg.got), "raw-mmsg-cpu-ns/event")
		b.ReportMetric(watch, "watch-cpu-ns/event")
		b.ReportMetric(watch/perEvent(recvfrom.cpu, recvfrom.got), "x-raw")
		b.ReportMetric(watch/perEvent(recvmmsg.cpu, recvmmsg.got), "x-raw-mmsg")
		b.ReportMetric(float64(w.events)/elapsed.Seconds(), "events/s")
		b.ReportMetric(float64(w.resyncs), "resyncs")
		b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(max(w.events, 1)), "allocs/event")
		b.ReportMetric(float64(recvfrom.overruns+recvmmsg.overruns), "raw-overruns")
	}
}

// BenchmarkWatchSustained follows a steady churn at fixed rates with Watch
// and its defaults: for each rate, rounds of 20,000 route adds then
// deletes for about two seconds (the churner paces its batches of 1,000),
// and reports, per rate asked, the rate kept, the events received out of
// those made, and the resyncs. The highest rate is the churner's own limit
// (it is not paced).
func BenchmarkWatchSustained(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "ws0", "type", "ifb")
	ns.IP("link", "set", "ws0", "up")
	idx := ipIfindex(b, ns, "ws0")
	const n = 20000
	for b.Loop() {
		for _, rate := range []int{300000, 400000, 1 << 30} {
			rounds := max(1, min(2*rate, 1200000)/(2*n))
			ctx, cancel := contextWithCancel()
			synced := make(chan struct{})
			type wres struct{ events, resyncs int }
			wdone := make(chan wres)
			stop := make(chan struct{})
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
					if r.events == 2*n*rounds {
						break
					}
					select {
					case <-stop:
						wdone <- r
						return
					default:
					}
				}
				wdone <- r
			}()
			<-synced
			made, kept := runPacedChurner(b, ns, idx, n, rate, rounds)
			var w wres
			select {
			case w = <-wdone:
			case <-time.After(2 * time.Second): // events lost: the count stops short
				close(stop)
				h.AddRoute(bg, &rtnl.Route{Dst: netip.MustParsePrefix("10.98.0.0/24"), LinkIndex: idx}) // wake it
				w = <-wdone
				h.DeleteRoute(bg, &rtnl.Route{Dst: netip.MustParsePrefix("10.98.0.0/24"), LinkIndex: idx})
			}
			cancel()
			name := fmt.Sprintf("at-%dk", rate/1000)
			if rate == 1<<30 {
				name = "unpaced"
			}
			b.ReportMetric(kept, name+"-events/s")
			b.ReportMetric(float64(made-w.events), name+"-missed")
			b.ReportMetric(float64(w.resyncs), name+"-resyncs")
		}
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
