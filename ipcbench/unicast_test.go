package ipcbench

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// sizes are the message sizes measured, header included.
func sizes() []int { return []int{64, 4096} }

func sizeName(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%dKiB", n/1024)
	}
	return fmt.Sprintf("%dB", n)
}

// BenchmarkRoundTrip times one request and its reply, with nothing else in
// flight: the latency of a request/response protocol.
func BenchmarkRoundTrip(b *testing.B) {
	for _, kind := range unicastKinds() {
		for _, size := range sizes() {
			b.Run(kind+"/"+sizeName(size), func(b *testing.B) {
				c := openClient(b, kind, size)
				req := newMessage(msgEcho, size, 0)
				var seq uint32
				check := func(h nl.Header, p []byte) error {
					if int(h.Len) != size || h.Type != msgEcho {
						return fmt.Errorf("reply %v to a request of %d bytes", h, size)
					}
					return nil
				}
				for b.Loop() {
					seq++
					setSeq(req, seq)
					if err := c.roundTrip(req, check); err != nil {
						b.Fatal(err)
					}
				}
				report(b, b.N, "roundtrip")
			})
		}
	}
}

// BenchmarkThroughput times requests and replies with window of them in
// flight: how many requests a second one client gets answered.
func BenchmarkThroughput(b *testing.B) {
	for _, kind := range unicastKinds() {
		for _, size := range sizes() {
			b.Run(kind+"/"+sizeName(size), func(b *testing.B) {
				c := openClient(b, kind, size)
				req := newMessage(msgEcho, size, 0)
				// Warm up: the first messages pay for page faults and
				// buffer growth in both processes.
				if err := pipeline(c, req, 1, window, window, nil); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				if err := pipeline(c, req, window+1, b.N, window, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				report(b, b.N, "msg")
			})
		}
	}
}

// report adds the time per unit (ns/roundtrip, ns/msg) and the rate
// (msgs/s) to the benchmark's result, for n units in the timed part.
func report(b *testing.B, n int, unit string) {
	el := b.Elapsed()
	if n == 0 || el <= 0 {
		return
	}
	b.ReportMetric(float64(el.Nanoseconds())/float64(n), "ns/"+unit)
	b.ReportMetric(float64(n)/el.Seconds(), "msgs/s")
}

// TestEcho checks that every transport's echo returns the bytes sent, one
// round trip at a time for several sizes, and pipelined (every reply back,
// in order, with its own payload), so that the benchmarks measure real
// deliveries. One server per transport serves all of it.
func TestEcho(t *testing.T) {
	for _, kind := range unicastKinds() {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			c := openClient(t, kind, 4096)
			for i, size := range []int{nl.HeaderLen, 64, 100, 1000, 4096} {
				seq := uint32(1000 + i)
				req := newMessage(msgEcho, size, seq)
				err := c.roundTrip(req, func(h nl.Header, p []byte) error {
					if int(h.Len) != size || h.Type != msgEcho {
						return fmt.Errorf("reply header %+v to a request of %d bytes", h, size)
					}
					if kind != "netlink-nlkit" && h.Seq != seq { // Conn.Do stamps its own
						return fmt.Errorf("reply has sequence number %d, want %d", h.Seq, seq)
					}
					if !bytes.Equal(p, req[nl.HeaderLen:]) {
						return fmt.Errorf("payload of %d bytes differs from the request's", len(p))
					}
					return nil
				})
				if err != nil {
					t.Fatalf("round trip of %d bytes: %v", size, err)
				}
			}
			first := uint32(1)
			for _, size := range sizes() {
				req := newMessage(msgEcho, size, 0)
				const n = 500
				got := 0
				// The request buffer is reused, so every payload carries
				// the pattern of one number; pipeline itself checks the
				// header's sequence number.
				fillPattern(req[nl.HeaderLen:], 7)
				err := pipeline(c, req, first, n, window, func(h nl.Header, p []byte) error {
					got++
					if int(h.Len) != size {
						return fmt.Errorf("reply %d has %d bytes, want %d", h.Seq, h.Len, size)
					}
					return checkPattern(p, 7)
				})
				if err != nil {
					t.Fatalf("pipeline of %s: %v", sizeName(size), err)
				}
				if got != n {
					t.Fatalf("pipeline of %s: %d replies, want %d", sizeName(size), got, n)
				}
				first += n
			}
		})
	}
}
