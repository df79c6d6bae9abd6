package rtnl

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
)

// BenchmarkResync measures a resync of 100,000 IPv4 routes (a dump into a
// fresh table and the diff against the one held, 1,000 routes changed
// between them) against a plain dump of the same routes with the
// iterator.
func BenchmarkResync(b *testing.B) {
	ns := netnstest.New(b)
	ns.MustNotBeHost()
	h, err := Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ns.IP("link", "add", "rs0", "type", "ifb")
	ns.IP("link", "set", "rs0", "up")
	l, err := h.LinkByName(context.Background(), "rs0")
	if err != nil {
		b.Fatal(err)
	}
	const n = 100000
	route := func(i int) *Route {
		return &Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: l.Index}
	}
	bt := h.NewBatch()
	for i := range n {
		bt.Route(Add, route(i))
	}
	if err := bt.Run(context.Background(), nil); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	t := newTables(KindRoute, IPv4)[0]
	var ev Event
	if _, _, err := t.refresh(ctx, h.c, nil, &ev, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		// 1,000 routes change: half go, half come back.
		bt := h.NewBatch()
		for i := range 500 {
			bt.Route(Delete, route(i*97))
		}
		if err := bt.Run(ctx, nil); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, err := range h.Routes(ctx, &RouteFilter{Family: IPv4}) {
			if err != nil {
				b.Fatal(err)
			}
		}
		dump := time.Since(start)
		start = time.Now()
		changes, _, err := t.refresh(ctx, h.c, nil, &ev, func(*Event) bool { return true })
		if err != nil {
			b.Fatal(err)
		}
		resync := time.Since(start)
		if changes != 500 {
			b.Fatalf("resync found %d changes, want 500", changes)
		}
		b.ReportMetric(float64(dump.Microseconds())/1000, "dump-ms")
		b.ReportMetric(float64(resync.Microseconds())/1000, "resync-ms")
		b.ReportMetric(float64(resync)/float64(dump), "x-dump")
		bt = h.NewBatch()
		for i := range 500 {
			bt.Route(Add, route(i*97))
		}
		if err := bt.Run(ctx, nil); err != nil {
			b.Fatal(err)
		}
		if _, _, err := t.refresh(ctx, h.c, nil, &ev, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzWatchTables feeds any bytes, as a datagram of netlink messages, to
// the watcher's tables of every kind, as events: nothing may panic, and
// every body a table holds must decode again. Seeds: the kernel's
// messages of the decoders' corpora.
func FuzzWatchTables(f *testing.F) {
	var e nl.Encoder
	encodeRoute(&e, Add, &Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), LinkIndex: 2})
	encodeRoute(&e, Delete, &Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), LinkIndex: 2})
	f.Add(e.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		tables := newTables(AllKinds, AnyFamily)
		var ev Event
		for m, err := range nl.Messages(b) {
			if err != nil {
				break
			}
			for _, tb := range tables {
				if tb.handles(m.Header.Type) {
					tb.apply(m, &ev)
					tb.take()
				}
			}
		}
		for _, tb := range tables {
			switch tb := tb.(type) {
			case *typedTable[routeID, Route]:
				if got := len(tb.all()); got != tb.len() {
					t.Fatalf("%d routes held, %d decode", tb.len(), got)
				}
			case *typedTable[LinkKey, Link]:
				if got := len(tb.all()); got != tb.len() {
					t.Fatalf("%d links held, %d decode", tb.len(), got)
				}
			}
		}
	})
}

// BenchmarkTableApply measures the table's share of an event: 100,000
// route adds then their deletes, applied as events, per event.
func BenchmarkTableApply(b *testing.B) {
	const n = 100000
	var adds, dels nl.Encoder
	for i := range n {
		r := &Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), LinkIndex: 2, Protocol: ProtoBoot, Scope: ScopeLink}
		encodeRoute(&adds, Add, r)
		encodeRoute(&dels, Delete, r)
	}
	var msgs []nl.Message
	for m, err := range nl.Messages(adds.Bytes()) {
		if err != nil {
			b.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	for m, err := range nl.Messages(dels.Bytes()) {
		if err != nil {
			b.Fatal(err)
		}
		m.Header.Type = 25 // RTM_DELROUTE
		msgs = append(msgs, m)
	}
	b.ReportAllocs()
	for b.Loop() {
		t := newTables(KindRoute, IPv4)[0]
		var ev Event
		for _, m := range msgs {
			ev = Event{}
			if ok, err := t.apply(m, &ev); !ok || err != nil {
				b.Fatal(ok, err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(msgs)), "ns/event")
}
