package usersock

import (
	"context"
	"testing"

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
