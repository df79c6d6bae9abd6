package usersock

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// BenchmarkRequest measures one request/reply round trip (64-byte echo) on
// one client: the latency of the server's path, plain and sealed.
func BenchmarkRequest(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		name := "plain"
		var key *Key
		if sealed {
			name, key = "sealed", testKey(b, testSecret)
		}
		b.Run(name, func(b *testing.B) {
			s, _ := listen(b, Config{Key: key})
			c := dial(b, s.Port(), &ClientConfig{Key: key})
			payload := make([]byte, 64)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := c.Do(ctx, typeEcho, 0, payload, func(nl.Message) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRequestParallel measures throughput with one client per
// goroutine and the default worker pool.
func BenchmarkRequestParallel(b *testing.B) {
	s, _ := listen(b, Config{})
	ns := testNS(b).NS
	payload := make([]byte, 64)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c, err := Dial(s.Port(), &ClientConfig{NetNS: ns})
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		ctx := context.Background()
		for pb.Next() {
			if err := c.Do(ctx, typeEcho, 0, payload, func(nl.Message) error { return nil }); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkDump measures a dump of 1,000 100-byte messages.
func BenchmarkDump(b *testing.B) {
	s, _ := listen(b, Config{Dump: dumpN})
	c := dial(b, s.Port(), nil)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, err := range c.Dump(ctx, typeMany, u32(1000)) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 1000 {
			b.Fatalf("%d messages", n)
		}
	}
}

// BenchmarkOpen measures what a receiver spends on one sealed 64-byte
// message: from a sender it knows, and from a new session, which costs a
// key derivation (HKDF-SHA256) and a cipher setup. Any sender the Policy
// allows can make the server pay the second price for every message it
// sends, which is why the figure matters.
func BenchmarkOpen(b *testing.B) {
	key := testKey(b, testSecret)
	plain := make([]byte, 64)
	for _, fresh := range []bool{false, true} {
		name := "known-session"
		if fresh {
			name = "new-session"
		}
		b.Run(name, func(b *testing.B) {
			t := newPeerTable(key)
			epoch := uint64(1)
			s, err := newSealer(key, 7, epoch)
			if err != nil {
				b.Fatal(err)
			}
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				if fresh {
					epoch++
					b.StopTimer()
					s, _ = newSealer(key, 7, epoch)
					b.StartTimer()
				}
				buf, _ = s.seal(buf[:0], kindRequest, typeEcho, 1, binding{}, plain)
				if _, _, err := t.open(buf, 7, kindRequest, typeEcho, 1, binding{}, true, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkForgedDatagram measures what a server spends on a 64 KiB
// datagram of 1,170 forged sealed requests, each of a session it never
// saw, from a sender the Policy allows (no sockets: the worker's time).
// The first message that fails authentication ends the datagram, so it
// costs one key derivation while its sender's budget lasts
// (new-sessions), and none past it (over-budget).
func BenchmarkForgedDatagram(b *testing.B) {
	for _, spent := range []bool{false, true} {
		name := "new-sessions"
		if spent {
			name = "over-budget"
		}
		b.Run(name, func(b *testing.B) {
			s := fuzzServer(b, true)
			defer s.cancel()
			o := &outbuf{to: fuzzPort, send: func([]byte, uint32, bool) error { return nil }}
			meta := nl.Meta{Port: fuzzPort, HasCreds: true}
			var dgram []byte
			for i := range 1170 {
				dgram = forged(dgram, uint32(i+1), 0)
			}
			in := make([]byte, len(dgram))
			epoch := uint64(1)
			at := time.Now()
			s.budget.now = func() time.Time { return at }
			b.ReportAllocs()
			for b.Loop() {
				copy(in, dgram)
				for off := 0; off < len(in); off += nl.HeaderLen + sealOverhead {
					epoch++ // a new session in every message
					binary.BigEndian.PutUint64(in[off+nl.HeaderLen:], epoch)
				}
				if !spent {
					at = at.Add(time.Second) // the budget never runs out
				}
				o.buf, o.err = o.buf[:0], nil
				s.handleDatagram(context.Background(), in, meta, o)
			}
			b.ReportMetric(float64(s.Stats().Derived)/float64(b.N), "derivations/op")
		})
	}
}
