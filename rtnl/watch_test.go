package rtnl_test

import (
	"context"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
)

// watchLog runs a Watch in the background and records its events as
// strings (the values are reused), for tests to wait on.
type watchLog struct {
	mu     sync.Mutex
	lines  []string
	err    error
	more   chan struct{} // a line arrived
	pause  chan struct{} // when not nil, the consumer blocks on it after EventSynced
	cancel context.CancelFunc
	done   chan struct{}
	// routes is the picture of the IPv4 routes the events paint.
	routes map[rtnl.RouteKey]string
}

func startWatch(t *testing.T, h *rtnl.Handle, opts *rtnl.WatchOptions, pause chan struct{}) *watchLog {
	t.Helper()
	ctx, cancel := context.WithCancel(bg)
	w := &watchLog{more: make(chan struct{}, 1), pause: pause, cancel: cancel, done: make(chan struct{}),
		routes: map[rtnl.RouteKey]string{}}
	go func() {
		defer close(w.done)
		for ev, err := range h.Watch(ctx, opts) {
			w.mu.Lock()
			if err != nil {
				w.err = err
				w.mu.Unlock()
				return
			}
			s := ev.String()
			if ev.Peer {
				s = fmt.Sprintf("[nsid %d] %s", ev.PeerNSID, s)
			}
			if ev.Initial {
				s += " (initial)"
			}
			if ev.Resync {
				s += " (resync)"
			}
			w.lines = append(w.lines, s)
			if r := ev.Route; ev.Kind == rtnl.KindRoute && r.Family == rtnl.IPv4 {
				switch ev.Type {
				case rtnl.EventNew:
					w.routes[r.Key()] = r.String()
				case rtnl.EventDelete:
					delete(w.routes, r.Key())
				}
			}
			w.mu.Unlock()
			select {
			case w.more <- struct{}{}:
			default:
			}
			if ev.Type == rtnl.EventSynced && w.pause != nil {
				<-w.pause
			}
		}
	}()
	t.Cleanup(func() { w.stop() })
	return w
}

func (w *watchLog) stop() {
	w.cancel()
	<-w.done
}

// wait waits until a line contains each of want, in order, and returns
// the lines.
func (w *watchLog) wait(t *testing.T, want ...string) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		w.mu.Lock()
		lines, err := slices.Clone(w.lines), w.err
		w.mu.Unlock()
		if err != nil {
			t.Fatalf("watch ended: %v", err)
		}
		i := 0
		for _, l := range lines {
			if i < len(want) && strings.Contains(l, want[i]) {
				i++
			}
		}
		if i == len(want) {
			return lines
		}
		select {
		case <-w.more:
		case <-deadline:
			t.Fatalf("no %q after 20 s in:\n%s", want[i], strings.Join(lines, "\n"))
		}
	}
}

// ipv4Routes is a fresh dump of the IPv4 routes, as the watch tests paint
// them from events: by identity, as text.
func ipv4Routes(tb testing.TB, h *rtnl.Handle) map[rtnl.RouteKey]string {
	tb.Helper()
	m := map[rtnl.RouteKey]string{}
	for r, err := range h.Routes(bg, &rtnl.RouteFilter{Family: rtnl.IPv4}) {
		if err != nil {
			tb.Fatal(err)
		}
		m[r.Key()] = r.String()
	}
	return m
}

// settled waits until every resync begun has ended (a loss during a
// resync makes another), and returns the lines.
func (w *watchLog) settled(t *testing.T) []string {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		w.mu.Lock()
		lines, err := slices.Clone(w.lines), w.err
		w.mu.Unlock()
		if err != nil {
			t.Fatalf("watch ended: %v", err)
		}
		open := 0
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "resync-begin"):
				open++
			case strings.HasPrefix(l, "resync-end"):
				open--
			}
		}
		if open == 0 {
			return lines
		}
		select {
		case <-w.more:
		case <-deadline:
			t.Fatalf("a resync did not end in 20 s:\n%s", strings.Join(lines, "\n"))
		}
	}
}

// TestWatchEvents lists, then follows changes of every kind, as typed
// events.
func TestWatchEvents(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "set", "lo", "up")
	ns.IP("link", "add", "wa0", "type", "ifb")
	w := startWatch(t, h, nil, nil)
	w.wait(t, "new link lo index 1 (initial)", "new link wa0", "synced")

	ns.IP("link", "set", "wa0", "up")
	ns.IP("address", "add", "10.50.0.1/24", "dev", "wa0")
	ns.IP("route", "add", "10.51.0.0/16", "via", "10.50.0.2")
	ns.IP("nexthop", "add", "id", "5", "via", "10.50.0.3", "dev", "wa0")
	ns.IP("neigh", "add", "10.50.0.9", "lladdr", "02:00:00:00:00:09", "dev", "wa0")
	ns.IP("rule", "add", "pref", "100", "table", "100")
	ns.IP("route", "del", "10.51.0.0/16")
	ns.IP("link", "del", "wa0")
	lines := w.wait(t,
		"new link wa0",
		"new address 10.50.0.1/24",
		"new route 10.51.0.0/16 via 10.50.0.2",
		"new nexthop id 5",
		"new neighbour 10.50.0.9",
		"new rule from all lookup 100 pref 100",
		"delete route 10.51.0.0/16",
		"delete link wa0",
	)
	for _, l := range lines {
		if strings.Contains(l, "resync") {
			t.Errorf("a resync without a loss: %s", l)
		}
	}
}

// TestWatchResync makes the kernel drop events (a small receive buffer,
// a consumer that stops reading while thousands of routes change), and
// checks, 20 times, that the stream reports the loss, resyncs, and ends
// with the picture the events paint equal to a fresh dump.
func TestWatchResync(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "wr0", "type", "ifb")
	ns.IP("link", "set", "wr0", "up")
	idx := ipIfindex(t, ns, "wr0")
	runs := 20
	if testing.Short() {
		runs = 3
	}
	const n = 3000
	for run := range runs {
		pause := make(chan struct{})
		w := startWatch(t, h, &rtnl.WatchOptions{Kinds: rtnl.KindRoute, Family: rtnl.IPv4, ReadBuffer: 64 << 10}, pause)
		w.wait(t, "synced")
		// While the consumer sleeps: add n routes, delete the first half,
		// change some of the rest.
		b := h.NewBatch()
		for i := range n {
			b.Route(rtnl.Add, &rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 60 + byte(i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx})
		}
		for i := range n / 2 {
			b.Route(rtnl.Delete, &rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 60 + byte(i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx})
		}
		for i := n / 2; i < n; i += 7 {
			b.Route(rtnl.Replace, &rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 60 + byte(i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: idx, Scope: rtnl.ScopeHost})
		}
		if err := b.Run(bg, nil); err != nil {
			t.Fatal(err)
		}
		close(pause)
		lines := w.wait(t, "resync-begin", "resync-end")
		// A change after the resync is seen.
		marker := fmt.Sprintf("10.99.%d.0/24", run)
		ns.IP("route", "add", marker, "dev", "wr0")
		w.wait(t, "resync-end", "new route "+marker)
		lines = w.settled(t)
		w.stop()

		want := ipv4Routes(t, h)
		w.mu.Lock()
		got := w.routes
		w.mu.Unlock()
		if len(got) != len(want) {
			var extra []string
			for k, v := range got {
				if _, ok := want[k]; !ok && len(extra) < 5 {
					extra = append(extra, v)
				}
			}
			var marks []string
			for i, l := range lines {
				if strings.HasPrefix(l, "resync") || strings.HasPrefix(l, "synced") {
					marks = append(marks, fmt.Sprintf("%d: %s", i, l))
				}
			}
			var hist []string
			if len(extra) > 0 {
				probe := strings.Fields(extra[0])[0] + " "
				for i, l := range lines {
					if strings.Contains(l, probe) {
						hist = append(hist, fmt.Sprintf("%d: %s", i, l))
					}
				}
			}
			t.Fatalf("run %d: the events paint %d routes, a dump has %d; extra %q; %d lines, markers %q; history of the first: %q", run, len(got), len(want), extra, len(lines), marks, hist)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("run %d: route %v: events say %q, the dump %q", run, k, got[k], v)
			}
		}
		resyncs := 0
		for _, l := range lines {
			if strings.HasSuffix(l, "(resync)") {
				resyncs++
			}
		}
		if resyncs == 0 {
			t.Fatalf("run %d: a resync with no differences delivered after losing events", run)
		}
		// Clean up for the next run.
		ns.IP("route", "flush", "dev", "wr0")
	}
}

// TestWatchOptions checks the options Watch refuses.
func TestWatchOptions(t *testing.T) {
	_, h := newHandle(t)
	for _, o := range []*rtnl.WatchOptions{{Kinds: 1 << 12}, {Family: rtnl.Bridge}} {
		for _, err := range h.Watch(bg, o) {
			if err == nil {
				t.Errorf("Watch(%+v) started", o)
			}
			break
		}
	}
}

// storm writes a batch file of n route adds then n deletes, for ip -batch.
func storm(t testing.TB, dev string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "route add 10.%d.%d.%d/32 dev %s\n", 64+i>>16, byte(i>>8), byte(i), dev)
	}
	for i := range n {
		fmt.Fprintf(&b, "route del 10.%d.%d.%d/32 dev %s\n", 64+i>>16, byte(i>>8), byte(i), dev)
	}
	f := filepath.Join(t.TempDir(), "storm")
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestWatchStorm churns routes from another process (ip -batch, as fast as
// it goes) while a watcher with the default options follows: it either
// receives every event or resyncs, its picture ends equal to a fresh dump,
// and the stream is alive afterwards.
func TestWatchStorm(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "ws0", "type", "ifb")
	ns.IP("link", "set", "ws0", "up")
	n := 10000 // 100,000 in BenchmarkWatchStorm
	if testing.Short() {
		n = 2000
	}
	file := storm(t, "ws0", n)
	for run := range 2 {
		w := startWatch(t, h, &rtnl.WatchOptions{Kinds: rtnl.KindRoute, Family: rtnl.IPv4}, nil)
		w.wait(t, "synced")
		ns.IP("-batch", file)
		marker := fmt.Sprintf("10.98.%d.0/24", run)
		ns.IP("route", "add", marker, "dev", "ws0")
		w.wait(t, "new route "+marker)
		lines := w.settled(t)
		w.stop()
		news, dels, resyncs := 0, 0, 0
		for _, l := range lines {
			switch {
			case strings.HasPrefix(l, "resync-end"):
				resyncs++
			case strings.HasPrefix(l, "new route 10.") && !strings.Contains(l, "(initial)"):
				news++
			case strings.HasPrefix(l, "delete route 10."):
				dels++
			}
		}
		t.Logf("run %d: %d adds and %d deletes seen, %d resyncs", run, news, dels, resyncs)
		if resyncs == 0 && (news < n || dels < n) {
			t.Errorf("run %d: %d adds and %d deletes of %d each seen, and no resync", run, news, dels, n)
		}
		want := ipv4Routes(t, h)
		w.mu.Lock()
		got := w.routes
		w.mu.Unlock()
		if !maps.Equal(got, want) {
			t.Fatalf("run %d: the events paint %d routes, a dump has %d", run, len(got), len(want))
		}
		ns.IP("route", "del", marker, "dev", "ws0")
	}
}

// TestWatchNoLeaks starts and stops a watch 1,000 times (and a Cache 100
// times) and checks that no goroutine or file descriptor is left behind.
func TestWatchNoLeaks(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "wl0", "type", "ifb")
	count := func() (fds, goroutines int) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond) // goroutines that are ending
		d, err := os.ReadDir("/proc/self/fd")
		check(t, err)
		return len(d), runtime.NumGoroutine()
	}
	cycles := 1000
	if testing.Short() {
		cycles = 100
	}
	cycle := func() {
		for ev, err := range h.Watch(bg, nil) {
			check(t, err)
			if ev.Type == rtnl.EventSynced {
				break
			}
		}
	}
	cycle()
	fds, gs := count()
	for range cycles {
		cycle()
	}
	for range cycles / 10 {
		c, err := h.NewCache(bg, nil)
		check(t, err)
		c.Close()
	}
	fds2, gs2 := count()
	t.Logf("%d watches and %d caches: fds %d → %d, goroutines %d → %d", cycles, cycles/10, fds, fds2, gs, gs2)
	if fds2 != fds {
		t.Errorf("file descriptors: %d before, %d after", fds, fds2)
	}
	if gs2 > gs {
		t.Errorf("goroutines: %d before, %d after", gs, gs2)
	}
}

// TestWatchNetNS follows two namespaces named, then every namespace of
// /run/netns, including one made after the stream began.
func TestWatchNetNS(t *testing.T) {
	a, b := netnstest.New(t), netnstest.New(t)
	a.MustNotBeHost()
	b.MustNotBeHost()
	for _, every := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(bg, 30*time.Second)
		list := []string{a.Name, b.Name}
		if every {
			list = nil
		}
		type seen struct{ ns, what string }
		got := make(chan seen, 64)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev, err := range rtnl.WatchNetNS(ctx, list, &rtnl.WatchOptions{Kinds: rtnl.KindLink}) {
				if err != nil {
					// In every mode, other tests' namespaces come and go.
					if ctx.Err() == nil && !every {
						t.Errorf("WatchNetNS: %v", err)
					}
					continue
				}
				if ev.Initial {
					continue
				}
				s := seen{ev.NetNS, ev.Type.String()}
				if ev.Link != nil {
					s.what += " " + ev.Link.Name
				}
				select {
				case got <- s:
				case <-ctx.Done():
				}
			}
		}()
		have := map[seen]bool{}
		want := func(ns, what string) {
			t.Helper()
			for !have[seen{ns, what}] {
				select {
				case s := <-got:
					have[s] = true
				case <-ctx.Done():
					t.Fatalf("every=%v: no %q from %s", every, what, ns)
				}
			}
		}
		want(a.Name, "synced")
		want(b.Name, "synced")
		a.IP("link", "add", "na0", "type", "ifb")
		want(a.Name, "new na0")
		b.IP("link", "add", "nb0", "type", "ifb")
		want(b.Name, "new nb0")
		if every {
			c := netnstest.New(t)
			c.MustNotBeHost()
			want(c.Name, "synced")
			c.IP("link", "add", "nc0", "type", "ifb")
			want(c.Name, "new nc0")
		}
		a.IP("link", "del", "na0")
		b.IP("link", "del", "nb0")
		cancel()
		<-done
	}
}

// TestWatchAllNSID follows a namespace and, with AllNSID, a peer that has
// an id in it: the peer's events come marked with that id, the watched
// namespace's without.
func TestWatchAllNSID(t *testing.T) {
	ns, h := newHandle(t)
	peer := netnstest.New(t)
	peer.MustNotBeHost()
	ns.IP("netns", "set", peer.Name, "9")
	w := startWatch(t, h, &rtnl.WatchOptions{Kinds: rtnl.KindLink, AllNSID: true}, nil)
	w.wait(t, "synced")
	peer.IP("link", "add", "pe0", "type", "ifb")
	ns.IP("link", "add", "ow0", "type", "ifb")
	lines := w.wait(t, "new link pe0", "new link ow0")
	for _, l := range lines {
		switch {
		case strings.Contains(l, "link pe0") && !strings.HasPrefix(l, "[nsid 9] "):
			t.Errorf("the peer's event is not marked with its id: %q", l)
		case strings.Contains(l, "link ow0") && strings.HasPrefix(l, "[nsid"):
			t.Errorf("the watched namespace's event is marked as a peer's: %q", l)
		}
	}
	// The watch's own picture holds only its namespace's links.
	c, err := h.NewCache(bg, &rtnl.CacheOptions{Kinds: rtnl.KindLink})
	check(t, err)
	defer c.Close()
	if _, ok := c.LinkByName("pe0"); ok {
		t.Error("the peer's link is in the watched namespace's cache")
	}
}
