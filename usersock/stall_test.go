package usersock

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// latency times one echo request of c.
func latency(t *testing.T, c *Client) time.Duration {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	start := time.Now()
	_, err := c.Request(ctx, typeEcho, nl.Acknowledge, make([]byte, 64))
	d := time.Since(start)
	if err != nil {
		t.Fatalf("legitimate request: %v (after %v)", err, d)
	}
	return d
}

// quantile returns the q-quantile of ds (which it sorts).
func quantile(ds []time.Duration, q float64) time.Duration {
	slices.Sort(ds)
	return ds[min(len(ds)-1, int(q*float64(len(ds))))]
}

// ackFlood is a datagram of one request asking for a 4 KiB echo and an
// acknowledgement: a reply the stalled sender has no room for.
func ackFlood(seq uint32) []byte {
	b := make([]byte, nl.HeaderLen+4096)
	nl.PutHeader(b, nl.Header{Len: uint32(len(b)), Type: typeEcho, Flags: nl.Request | nl.Acknowledge, Seq: seq})
	return b
}

// Finding 1 of issue 11: a sender that never reads, and floods requests
// asking for replies and acknowledgements, held a worker per reply for
// SendTimeout; with every worker held, the reader stopped and a
// legitimate request waited for seconds. Now a reply that must wait
// leaves the pool, and a port has at most MaxInFlight requests queued,
// handled or waiting: a legitimate client's latency stays within 10x of
// its normal latency, and the replies to the flooder are dropped and
// counted. The normal latency is measured in the same run, alongside:
// requests to a twin server that nobody floods alternate with those to
// the flooded one, so that both see the same load of the machine (the
// medians and 90th percentiles of 200 requests each are compared).
func TestNonReaderDoesNotStall(t *testing.T) {
	const workers, samples = 2, 200
	// A SendTimeout far above a request's latency: a reply that held a
	// worker for it would show.
	cfg := Config{Workers: workers, SendTimeout: time.Second}
	s, _ := listen(t, cfg)
	twin, _ := listen(t, cfg)
	good, other := dial(t, s.Port(), nil), dial(t, twin.Port(), nil)
	for range 50 { // warm up
		latency(t, good)
		latency(t, other)
	}

	bad := stalledSender(t)
	ctx := context.Background()
	seq := uint32(0)
	flood := func(n int) {
		for range n {
			seq++
			if err := bad.Send(ctx, ackFlood(seq), nl.Addr{Port: s.Port()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// As in the finding: 10 requests (~40 KiB), never read; then many
	// more, past what one port may have in flight.
	flood(10)
	flood(100)
	// And it goes on flooding while the legitimate clients work.
	var base, attacked []time.Duration
	for i := range samples {
		flood(1)
		if i%2 == 0 {
			attacked = append(attacked, latency(t, good))
			base = append(base, latency(t, other))
		} else {
			base = append(base, latency(t, other))
			attacked = append(attacked, latency(t, good))
		}
	}
	baseMedian, attackedMedian := quantile(base, 0.5), quantile(attacked, 0.5)
	baseP90, attackedP90 := quantile(base, 0.9), quantile(attacked, 0.9)
	t.Logf("legitimate request: median %v, p90 %v, max %v to the flooded server; median %v, p90 %v, max %v to its twin",
		attackedMedian, attackedP90, quantile(attacked, 1), baseMedian, baseP90, quantile(base, 1))
	if attackedMedian > 10*baseMedian {
		t.Fatalf("a non-reading sender slowed a legitimate request from %v to %v (median)", baseMedian, attackedMedian)
	}
	if attackedP90 > 10*baseP90 {
		t.Fatalf("a non-reading sender slowed a legitimate request from %v to %v (90th percentile)", baseP90, attackedP90)
	}

	// Every reply to the flooder is accounted for: once the waiting ones
	// gave up (after SendTimeout), what it did not receive was counted
	// as dropped, the replies to its admitted requests and the EBUSY
	// refusals of the others alike.
	waitFor(t, "the replies waiting for the flooder to give up", func() bool { return s.waiting.Load() == 0 })
	st := s.Stats()
	admitted := st.Requests - uint64(50+samples)
	delivered := uint64(0)
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	for _, err := range bad.Datagrams(dctx) {
		if err == nil {
			delivered++
		} else if errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	t.Logf("flooder: %d requests admitted, %d refused as busy; %d replies delivered, %d dropped", admitted, st.Busy, delivered, st.Dropped)
	// The flooder filled its quota and never passed it (requests admitted
	// may be more than the quota: a slot frees when a reply is dropped,
	// after SendTimeout, which a slow machine reaches while flooding).
	if st.Busy == 0 || st.PeakInFlight != s.cfg.MaxInFlight {
		t.Fatalf("the flooder had %d requests admitted and %d refused, at most %d in flight at once (limit %d): %+v",
			admitted, st.Busy, st.PeakInFlight, s.cfg.MaxInFlight, st)
	}
	if st.Dropped+delivered != admitted+st.Busy {
		t.Fatalf("%d replies dropped and %d delivered, for %d requests admitted and %d refused", st.Dropped, delivered, admitted, st.Busy)
	}
}

// waitFor waits until cond holds, failing the test after liveness.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", liveness, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// answers returns the messages c receives until it has been quiet for a
// while.
func answers(t *testing.T, c *nl.Conn) []nl.Message {
	t.Helper()
	var got []nl.Message
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for m, err := range c.Messages(ctx) {
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatal(err)
			}
			break
		}
		got = append(got, m.Clone())
	}
	return got
}

// One port may have at most MaxInFlight request datagrams queued or
// handled: the next is refused at once with EBUSY, and counted; once one
// is answered, the port is served again.
func TestMaxInFlight(t *testing.T) {
	release := make(chan struct{})
	var entered atomic.Int32
	s, _ := listen(t, Config{Workers: 4, MaxInFlight: 2, Input: func(ctx context.Context, w *Writer, r *Request) error {
		if r.Header.Type == typeQuiet {
			entered.Add(1)
			<-release
		}
		return echo(ctx, w, r)
	}})
	c := rawConn(t, s.Port())
	ctx := context.Background()
	req := func(typ nl.MsgType, seq uint32) []byte {
		b := appendHeader(nil, typ, nl.Request|nl.Acknowledge, seq, 0)
		return endMessage(b, 0)
	}
	for seq := range uint32(2) {
		if err := c.Send(ctx, req(typeQuiet, seq+1), nl.Addr{Port: s.Port()}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "two handlers", func() bool { return entered.Load() == 2 })
	if err := c.Send(ctx, req(typeEcho, 3), nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	got := answers(t, c)
	if len(got) != 1 || got[0].Header.Seq != 3 {
		t.Fatalf("answers %v", got)
	}
	e, err := nl.ParseError(got[0], nil, 0)
	if err != nil || e.Errno != unix.EBUSY || !strings.Contains(e.Message, "in flight") {
		t.Fatalf("third request: %v %v", e, err)
	}
	if st := s.Stats(); st.Busy != 1 {
		t.Fatalf("stats %+v", st)
	}
	// Other ports are served meanwhile.
	if _, err := dial(t, s.Port(), nil).Request(ctx, typeEcho, nl.Acknowledge, []byte("other")); err != nil {
		t.Fatal(err)
	}
	close(release)
	waitFor(t, "the port's requests to land", func() bool {
		s.flightMu.Lock()
		defer s.flightMu.Unlock()
		return len(s.inFlight) == 0
	})
	var e2 nl.Encoder
	e2.Begin(typeEcho, nl.Acknowledge)
	e2.Payload([]byte("again"))
	e2.End()
	if _, err := c.Execute(ctx, &e2); err != nil {
		t.Fatalf("after the limit: %v", err)
	}
}

// Past MaxWaiting replies waiting for their receivers, a reply that finds
// its receiver full is dropped at once, not after SendTimeout; the pool
// is never short of workers.
func TestMaxWaitingDropsAtOnce(t *testing.T) {
	s, logs := listen(t, Config{Workers: 1, MaxWaiting: 1, SendTimeout: time.Hour})
	bad := stalledSender(t)
	ctx := context.Background()
	for i := range 10 {
		if err := bad.Send(ctx, ackFlood(uint32(i+1)), nl.Addr{Port: s.Port()}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "replies dropped at once", func() bool { return s.Stats().Dropped > 0 })
	if n := s.waiting.Load(); n != 1 {
		t.Fatalf("%d replies waiting, want MaxWaiting (1)", n)
	}
	if !strings.Contains(logs.String(), "wait for their receivers already") {
		t.Fatalf("log %q", logs)
	}
	if _, err := dial(t, s.Port(), nil).Request(ctx, typeEcho, nl.Acknowledge, []byte("served")); err != nil {
		t.Fatal(err)
	}
	// Close ends the waiting reply.
	s.Close()
	s.workers.Wait()
	if n := s.waiting.Load(); n != 0 {
		t.Fatalf("%d replies waiting after Close", n)
	}
}
