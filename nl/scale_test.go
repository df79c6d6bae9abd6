package nl_test

import (
	"context"
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// addRoutes installs n routes 10.x.y.0/24 (from 10.0.0.0/24 up) out of
// interface oif through one batch.
func addRoutes(tb testing.TB, c *nl.Conn, n int, oif uint32) {
	tb.Helper()
	var e nl.Encoder
	for i := range n {
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
		encodeRoute(&e, dst, oif, nl.Create|nl.Excl)
	}
	if err := c.Batch(context.Background(), &e, nil); err != nil {
		tb.Fatalf("batch of %d routes: %v", n, err)
	}
}

// countMainRoutes dumps IPv4 routes and counts those of the main table, as
// `ip route show` lists them.
func countMainRoutes(tb testing.TB, c *nl.Conn, e *nl.Encoder) int {
	e.Reset()
	e.Begin(unix.RTM_GETROUTE, 0)
	e.Fixed(unix.SizeofRtMsg)[0] = unix.AF_INET
	e.End()
	n := 0
	for m, err := range c.Dump(context.Background(), e) {
		if err != nil {
			tb.Fatal(err)
		}
		if len(m.Data) >= unix.SizeofRtMsg && m.Data[4] == unix.RT_TABLE_MAIN {
			n++
		}
	}
	return n
}

// Acceptance 3: 100,000 routes stream through a fixed-size buffer with no
// allocation per message, and the count matches `ip route | wc -l`.
func TestDump100kRoutes(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skips the 100,000-route dump")
	}
	const n = 100000
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	idx := upVeth(t, ns)
	addRoutes(t, c, n, idx)

	var e nl.Encoder
	got := countMainRoutes(t, c, &e) // warm up: buffers reach their size
	allocs := testing.AllocsPerRun(3, func() {
		if k := countMainRoutes(t, c, &e); k != got {
			t.Fatalf("dump count changed: %d then %d", got, k)
		}
	})
	out := ns.IP("route", "show")
	lines := strings.Count(out, "\n")
	if got != lines {
		t.Fatalf("dump counted %d main-table routes, ip route shows %d lines", got, lines)
	}
	if got < n {
		t.Fatalf("dump counted %d routes, want at least %d", got, n)
	}
	perMsg := allocs / float64(got)
	t.Logf("%d routes; %.0f allocations per whole dump (%.6f per message)", got, allocs, perMsg)
	if allocs > 10 {
		t.Fatalf("%.0f allocations for a dump of %d messages: the raw path must not allocate per message", allocs, got)
	}
}

// The raw iterator path allocates nothing per message: the message header
// and payload are views into the receive buffer.
func TestMessagesDoNotAllocate(t *testing.T) {
	var b []byte
	for i := range 100 {
		var p [8]byte
		binary.NativeEndian.PutUint64(p[:], uint64(i))
		b = nl.AppendMessage(b, nl.Message{Header: nl.Header{Type: 20, Seq: 1}, Data: p[:]})
	}
	allocs := testing.AllocsPerRun(100, func() {
		sum := 0
		for m, err := range nl.Messages(b) {
			if err != nil {
				t.Fatal(err)
			}
			sum += len(m.Data)
		}
		if sum != 800 {
			t.Fatal(sum)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per iteration over 100 messages", allocs)
	}
	_ = netnstest.RequirePrivEnv
}
