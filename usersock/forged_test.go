package usersock

import (
	"context"
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// forged appends a request of type typeEcho, asking for an
// acknowledgement, whose payload has the sealed envelope of session epoch
// (counter 1, sealed now, which passes the replay checks) but was not
// sealed with the Key: it fails authentication only after its session
// key is derived. The plaintext is empty, so 1,170 of them fill 64 KiB.
func forged(b []byte, seq uint32, epoch uint64) []byte {
	start := len(b)
	b = appendHeader(b, typeEcho, nl.Request|nl.Acknowledge, seq, 0)
	var env [sealOverhead]byte
	binary.BigEndian.PutUint64(env[:], epoch)
	binary.BigEndian.PutUint64(env[8:], 1)
	binary.BigEndian.PutUint64(env[16:], uint64(now()))
	for i := sealHeader; i < len(env); i++ {
		env[i] = byte(i * 7) // a "tag" that does not authenticate
	}
	return endMessage(append(b, env[:]...), start)
}

// Finding 6 of issue 11: a datagram of 1,170 forged messages cost 1,170
// key derivations (~4 ms of a worker) and as many error replies. Now the
// first message that fails authentication ends the datagram: one
// derivation, one error (EBADMSG, for the first message), the rest
// counted invalid unread. A session named again costs no derivation (the
// cache), and the server goes on serving.
func TestForgedDatagramOneDerivation(t *testing.T) {
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key, Policy: &Policy{Anyone: true}, Workers: 1})
	forger := rawConn(t, s.Port())
	ctx := context.Background()

	const n = 1170
	var dgram []byte
	for i := range n {
		dgram = forged(dgram, uint32(i+1), uint64(1000+i))
	}
	if len(dgram) > DefaultMaxMessage {
		t.Fatalf("forged datagram of %d bytes", len(dgram))
	}
	if err := forger.Send(ctx, dgram, nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	got := answers(t, forger)
	if len(got) != 1 || got[0].Header.Type != nl.MsgError || got[0].Header.Seq != 1 {
		t.Fatalf("%d answers to a forged datagram, want one error for its first message: %v", len(got), got)
	}
	if e, err := nl.ParseError(got[0], nil, 0); err != nil || e.Errno != unix.EBADMSG {
		t.Fatalf("answer %v %v, want EBADMSG", e, err)
	}
	if st := s.Stats(); st.Derived != 1 || st.Invalid != n || st.Requests != 0 {
		t.Fatalf("a forged datagram of %d messages: %+v, want 1 derivation and %d invalid", n, st, n)
	}

	// The same session, named again in other datagrams: the key is
	// cached, not derived again.
	for i := range 20 {
		if err := forger.Send(ctx, forged(nil, uint32(n+i), 1000), nl.Addr{Port: s.Port()}); err != nil {
			t.Fatal(err)
		}
	}
	if got := answers(t, forger); len(got) != 20 {
		t.Fatalf("%d answers to 20 forged datagrams", len(got))
	}
	if st := s.Stats(); st.Derived != 1 {
		t.Fatalf("a known forged session derived again: %+v", st)
	}

	// A sealed client is served: its session costs one derivation.
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	if msgs, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("genuine")); err != nil || len(msgs) != 1 || string(msgs[0].Data) != "genuine" {
		t.Fatalf("genuine request: %v %v", msgs, err)
	}
	if st := s.Stats(); st.Derived != 2 || st.Requests != 1 {
		t.Fatalf("after a genuine request: %+v", st)
	}
}

// A sender whose new sessions fail to authenticate spends its user id's
// budget of derivations (a burst, then a rate): past it, its requests of
// unknown sessions are refused with EAGAIN before any derivation and
// counted in Stats.Limited. Other user ids, and sessions that
// authenticate, are not limited.
func TestForgedSessionsBudget(t *testing.T) {
	netnstest.RequirePrivileged(t) // asUser
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key, Policy: &Policy{Anyone: true}, Workers: 1})
	// The clock of the budgets stands still: no derivation is earned
	// during the test.
	t0 := time.Now()
	s.budget.mu.Lock()
	s.budget.now = func() time.Time { return t0 }
	s.budget.mu.Unlock()

	ctx := context.Background()
	forger := rawConn(t, s.Port())
	const sent = 3 * deriveBurst
	var sendErr error
	asUser(t, 65534, 65534, func() {
		for i := range sent {
			if err := forger.Send(ctx, forged(nil, uint32(i+1), uint64(5000+i)), nl.Addr{Port: s.Port()}); err != nil {
				sendErr = err
				return
			}
		}
	})
	if sendErr != nil {
		t.Fatal(sendErr)
	}
	waitFor(t, "the forged requests to be handled", func() bool {
		st := s.Stats()
		return st.Invalid+st.Limited == sent
	})
	st := s.Stats()
	if st.Derived != deriveBurst || st.Limited != sent-deriveBurst || st.Invalid != deriveBurst {
		t.Fatalf("%d forged sessions from one user: %+v, want %d derivations and %d limited", sent, st, deriveBurst, sent-deriveBurst)
	}
	answers(t, forger) // the refusals, read so that the next one has room

	// The refusal says why.
	asUser(t, 65534, 65534, func() { sendErr = forger.Send(ctx, forged(nil, 9999, 9999), nl.Addr{Port: s.Port()}) })
	if sendErr != nil {
		t.Fatal(sendErr)
	}
	got := answers(t, forger)
	if len(got) != 1 {
		t.Fatalf("%d answers", len(got))
	}
	if e, err := nl.ParseError(got[0], nil, 0); err != nil || e.Errno != unix.EAGAIN || !strings.Contains(e.Message, "try again later") {
		t.Fatalf("limited request: %v %v", e, err)
	}

	// Another user id (root, the test's) holding the Key is served, and
	// so are many of its new sessions: a derivation for a session that
	// authenticates is given back.
	for range deriveBurst + 16 {
		c := dial(t, s.Port(), &ClientConfig{Key: key})
		if _, err := c.Request(ctx, typeQuiet, nl.Acknowledge, nil); err != nil {
			t.Fatalf("genuine client during the limit: %v", err)
		}
		c.Close()
	}
	// And the limit is per user id: root's forged sessions are derived.
	before := s.Stats().Derived
	if err := rawConn(t, s.Port()).Send(ctx, forged(nil, 1, 77777), nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "root's forged request", func() bool { return s.Stats().Derived == before+1 })
}

// A datagram from a sender the Policy refuses is answered with one EPERM,
// for its first request, however many requests it holds; all are counted.
func TestRefusedDatagramOneError(t *testing.T) {
	s, _ := listen(t, Config{Policy: &Policy{UIDs: []uint32{uint32(unix.Getuid()) + 4242}}})
	c := rawConn(t, s.Port())
	var dgram []byte
	for i := range 100 {
		start := len(dgram)
		dgram = appendHeader(dgram, typeEcho, nl.Request|nl.Acknowledge, uint32(i+1), 0)
		dgram = endMessage(append(dgram, "refused"...), start)
	}
	if err := c.Send(context.Background(), dgram, nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	got := answers(t, c)
	if len(got) != 1 || got[0].Header.Seq != 1 {
		t.Fatalf("%d answers to a refused datagram of 100 requests", len(got))
	}
	if e, err := nl.ParseError(got[0], nil, 0); err != nil || e.Errno != unix.EPERM {
		t.Fatalf("answer %v %v", e, err)
	}
	if st := s.Stats(); st.Rejected != 100 {
		t.Fatalf("stats %+v", st)
	}
}

// The key cache holds at most keyCacheSize sessions, forgetting the
// oldest first; a cached session is not derived again.
func TestKeyCacheBounded(t *testing.T) {
	pt := newPeerTable(testKey(t, testSecret))
	for e := range uint64(keyCacheSize + 10) {
		if _, err := pt.sessionKey(sessionID{7, e + 1}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(pt.keys.keys); n != keyCacheSize {
		t.Fatalf("%d keys cached, want %d", n, keyCacheSize)
	}
	if pt.keys.get(sessionID{7, 1}) != nil || pt.keys.get(sessionID{7, keyCacheSize + 10}) == nil {
		t.Fatal("the cache did not forget its oldest entries first")
	}
	before := pt.keys.derived.Load()
	if _, err := pt.sessionKey(sessionID{7, keyCacheSize}); err != nil {
		t.Fatal(err)
	}
	if pt.keys.derived.Load() != before {
		t.Fatal("a cached session was derived again")
	}
}

// The derivation budget: a burst per user id, refilled at deriveRate a
// second, given back for sessions that authenticate; past maxBudgets
// user ids, full budgets are forgotten and then the rest share one.
func TestDeriveBudget(t *testing.T) {
	d := newDeriveBudget()
	at := time.Now()
	d.now = func() time.Time { return at }
	for i := range deriveBurst {
		if !d.take(1) {
			t.Fatalf("derivation %d of the burst refused", i)
		}
	}
	if d.take(1) {
		t.Fatal("a derivation past the burst allowed")
	}
	if !d.take(2) {
		t.Fatal("another user id limited")
	}
	d.giveBack(1)
	if !d.take(1) || d.take(1) {
		t.Fatal("a derivation given back was not spendable once")
	}
	at = at.Add(time.Second / deriveRate)
	if !d.take(1) || d.take(1) {
		t.Fatal("the budget did not earn one derivation per 1/deriveRate second")
	}
	// Many user ids: the idle ones are forgotten, the spent ones kept.
	for uid := range int64(maxBudgets + 100) {
		d.take(1000 + uid)
	}
	if n := len(d.buckets); n > maxBudgets {
		t.Fatalf("%d budgets kept", n)
	}
	if _, ok := d.buckets[1]; !ok {
		t.Fatal("a spent budget was forgotten")
	}
	at = at.Add(time.Hour)
	for uid := range int64(maxBudgets + 100) {
		d.take(5000 + uid)
	}
	if n := len(d.buckets); n > maxBudgets {
		t.Fatalf("%d budgets kept", n)
	}
}
