package usersock

// Tests of the hardening against findings 3, 4 and 5 of the security
// review (issue 11): each reproduces the attack as it was shown, in the
// test's own network namespace, and checks that it now fails.

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

// flood opens n sessions of key from the ports of conns (in turn), each
// with one sealed request of type typeQuiet, without NLM_F_ACK, to server:
// a quarter dated 55 s ahead, a quarter 0.9 s ahead, the rest now. It
// sends them in datagrams of 100 requests and returns when all are sent.
func flood(t *testing.T, key *Key, server uint32, conns []*nl.Conn, n int) {
	t.Helper()
	bufs := make([][]byte, len(conns))
	send := func(i int) {
		if len(bufs[i]) > 0 {
			if err := conns[i].Send(context.Background(), bufs[i], nl.Addr{Port: server}); err != nil {
				t.Fatal(err)
			}
			bufs[i] = bufs[i][:0]
		}
	}
	for i := range n {
		ci := i % len(conns)
		sl, err := newSealer(key, conns[ci].Port(), newEpoch())
		if err != nil {
			t.Fatal(err)
		}
		at := now()
		switch i % 4 {
		case 0:
			at += int64(55 * time.Second)
		case 1:
			at += int64(900 * time.Millisecond)
		}
		sl.clock = func() int64 { return at }
		start := len(bufs[ci])
		bufs[ci] = appendHeader(bufs[ci], typeQuiet, nl.Request, uint32(i+1), conns[ci].Port())
		bufs[ci], _ = sl.seal(bufs[ci], kindRequest, typeQuiet, server, binding{}, nil)
		bufs[ci] = endMessage(bufs[ci], start)
		if (i/len(conns)+1)%100 == 0 {
			send(ci)
		}
	}
	for i := range conns {
		send(i)
	}
}

// handled waits until the server has handled n more request messages than
// it had when stats were taken.
func handled(t *testing.T, s *Server, before Stats, n int) {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		st := s.Stats()
		if st.Requests+st.Invalid+st.Rejected >= before.Requests+before.Invalid+before.Rejected+uint64(n) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server handled %+v of %d more requests (before: %+v)", st, n, before)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkFloors checks that no floor of the server's table is above its
// clock, and that no port has more than perPort sessions.
func checkFloors(t *testing.T, s *Server) {
	t.Helper()
	tab := s.peers
	tab.mu.Lock()
	defer tab.mu.Unlock()
	at := now()
	if tab.floor > at {
		t.Errorf("table floor %d above the clock %d", tab.floor, at)
	}
	for port, p := range tab.peers {
		if p.floor > at || len(p.sessions) > perPort {
			t.Errorf("port %d: floor %d (clock %d), %d sessions", port, p.floor, at, len(p.sessions))
		}
	}
	if len(tab.sessions) > maxSessions {
		t.Errorf("%d sessions", len(tab.sessions))
	}
}

// recordRequest seals a request of c's, has the server take it, and
// returns it as sent, to replay.
func recordRequest(t *testing.T, c *Client) *nl.Encoder {
	t.Helper()
	e := new(nl.Encoder)
	if _, err := c.encode(e, typeQuiet, nl.Acknowledge, []byte("recorded")); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn().Do(context.Background(), e, func(nl.Message) error { return nil }); err != nil {
		t.Fatalf("request to record: %v", err)
	}
	return e
}

// replayRefused replays a recorded request from its client's port and
// checks that the server refuses it as a replay or as stale.
func replayRefused(t *testing.T, c *Client, rec *nl.Encoder) {
	t.Helper()
	err := c.Conn().Do(context.Background(), rec, func(nl.Message) error { return nil })
	if !errors.Is(err, unix.EALREADY) && !errors.Is(err, unix.ESTALE) {
		t.Fatalf("replayed request: %v, want EALREADY or ESTALE", err)
	}
}

// Finding 3: one port that opens thousands of sessions, some dated ahead,
// locks nobody out. It was: 4,100 sessions from one port in 220 ms, 1,100
// dated 55 s ahead, and then established and new clients got ESTALE.
// Now dates more than a second ahead are refused, one port's sessions
// make room by forgetting its own, and floors stay below the clock.
func TestSessionFloodOnePort(t *testing.T) {
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key})
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	established := dial(t, s.Port(), &ClientConfig{Key: key})
	if _, err := established.Request(ctx, typeEcho, 0, []byte("before")); err != nil {
		t.Fatal(err)
	}
	rec := recordRequest(t, established)

	attacker := coreConn(t, nl.Config{Peer: s.Port(), ReadBuffer: 4 << 20})
	before := s.Stats()
	start := time.Now()
	flood(t, key, s.Port(), []*nl.Conn{attacker}, 4100)
	handled(t, s, before, 4100)
	t.Logf("4,100 sessions from one port in %v", time.Since(start))
	if st := s.Stats(); st.Invalid-before.Invalid < 4100/4 {
		t.Fatalf("stats %+v: the sessions dated 55 s ahead were not all refused", st)
	}
	checkFloors(t, s)

	if msgs, err := established.Request(ctx, typeEcho, 0, []byte("after")); err != nil || len(msgs) != 1 {
		t.Fatalf("established client after the flood: %v %v", msgs, err)
	}
	fresh := dial(t, s.Port(), &ClientConfig{Key: key})
	if msgs, err := fresh.Request(ctx, typeEcho, nl.Acknowledge, []byte("new")); err != nil || len(msgs) != 1 {
		t.Fatalf("new client after the flood: %v %v", msgs, err)
	}
	replayRefused(t, established, rec)
}

// Finding 3, from many ports: sessions enough to fill the table several
// times over, some dated ahead, make it forget the established client's
// session; the client's next request opens it anew, a new client is
// served, and a recording of the established client's, replayed after its
// session was forgotten and opened anew, is still refused.
func TestSessionFloodManyPorts(t *testing.T) {
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key})
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	established := dial(t, s.Port(), &ClientConfig{Key: key})
	rec := recordRequest(t, established)

	conns := make([]*nl.Conn, 400)
	for i := range conns {
		conns[i] = coreConn(t, nl.Config{Peer: s.Port(), ReadBuffer: 1 << 20})
	}
	before := s.Stats()
	n := 3 * maxSessions
	flood(t, key, s.Port(), conns, n)
	handled(t, s, before, n)
	checkFloors(t, s)
	s.peers.mu.Lock()
	forgotten := s.peers.sessions[sessionID{established.Port(), established.seal.epoch}] == nil
	s.peers.mu.Unlock()
	if !forgotten {
		t.Fatal("the flood did not make the server forget the established session")
	}

	if msgs, err := established.Request(ctx, typeEcho, 0, []byte("after")); err != nil || len(msgs) != 1 {
		t.Fatalf("established client after the flood: %v %v", msgs, err)
	}
	fresh := dial(t, s.Port(), &ClientConfig{Key: key})
	if msgs, err := fresh.Request(ctx, typeEcho, nl.Acknowledge, []byte("new")); err != nil || len(msgs) != 1 {
		t.Fatalf("new client after the flood: %v %v", msgs, err)
	}
	replayRefused(t, established, rec)
}

// The table's rules, on its own clock: nothing dated ahead of the clock is
// forgotten, so no floor rises above it; dates ahead are bounded per port
// and in all; and a forgotten session's messages are refused, even once
// the session is remembered anew with an empty window.
func TestPeerTableAhead(t *testing.T) {
	key := testKey(t, testSecret)
	tab := newPeerTable(key)
	clock := now()
	tab.now = func() int64 { return clock }
	type msg struct {
		b     []byte
		port  uint32
		epoch uint64
	}
	sealers := map[sessionID]*sealer{}
	seal := func(port uint32, epoch uint64, at int64) msg {
		id := sessionID{port, epoch}
		s := sealers[id]
		if s == nil {
			var err error
			if s, err = newSealer(key, port, epoch); err != nil {
				t.Fatal(err)
			}
			sealers[id] = s
		}
		s.clock = func() int64 { return at }
		b, _ := s.seal(nil, kindRequest, 16, 1, binding{}, []byte("x"))
		return msg{b, port, epoch}
	}
	open := func(m msg) error {
		_, _, err := tab.open(slices.Clone(m.b), m.port, kindRequest, 16, 1, binding{}, true, 0)
		return err
	}
	mustOpen := func(m msg) {
		t.Helper()
		if err := open(m); err != nil {
			t.Fatalf("port %d epoch %d: %v", m.port, m.epoch, err)
		}
	}
	refused := func(m msg, reason string) {
		t.Helper()
		if err := open(m); !errors.Is(err, ErrStale) || !strings.Contains(err.Error(), reason) {
			t.Fatalf("port %d epoch %d: %v, want %q", m.port, m.epoch, err, reason)
		}
	}

	// More than maxAhead ahead: refused. Within it: taken.
	refused(seal(1, 1, clock+int64(maxAhead)+1), staleFuture)
	ahead := seal(1, 2, clock+int64(maxAhead)/2)
	mustOpen(ahead)
	old := seal(2, 1, clock-10)
	mustOpen(old)

	// One port's sessions make room by forgetting its own: the port of the
	// session dated ahead fills its quota, and that session stays.
	for e := uint64(3); e < 3+2*perPort; e++ {
		mustOpen(seal(1, e, clock-100+int64(e)))
	}
	if tab.sessions[sessionID{1, 2}] == nil || len(tab.peers[1].sessions) != perPort || tab.peers[2] == nil || len(tab.peers[2].sessions) != 1 {
		t.Fatalf("after port 1's sessions: %d of port 1's, dated ahead kept: %v", len(tab.peers[1].sessions), tab.sessions[sessionID{1, 2}] != nil)
	}
	// Many ports fill the table: the least recently heard are forgotten,
	// but not the session dated ahead; no floor rises above the clock.
	for p := uint32(10); p < 10+maxSessions; p++ {
		mustOpen(seal(p, 1, clock-3))
	}
	if tab.sessions[sessionID{2, 1}] != nil || tab.sessions[sessionID{1, 2}] == nil {
		t.Fatal("table full: the wrong sessions were forgotten")
	}
	for port, p := range tab.peers {
		if p.floor > clock || tab.floor > clock {
			t.Fatalf("port %d: floor %d above the clock %d", port, p.floor, clock)
		}
	}
	// The forgotten session's message is refused; so is it once the
	// session is remembered anew by a later message.
	refused(old, staleForgotten)
	mustOpen(seal(2, 1, clock-1))
	refused(old, staleForgotten)
	// A new session of the same port sealed now is taken.
	mustOpen(seal(2, 9, clock))

	// Once the clock passes its date, the session dated ahead can be
	// forgotten, and its message is then refused.
	clock += int64(maxAhead)
	for p := uint32(10 + maxSessions); p < 10+2*maxSessions; p++ {
		mustOpen(seal(p, 1, clock-2))
	}
	if tab.sessions[sessionID{1, 2}] != nil {
		t.Fatal("a session whose date the clock passed was never forgotten")
	}
	refused(ahead, staleForgotten)

	// A port whose sessions are all dated ahead cannot open another, while
	// other ports can.
	clock += int64(time.Hour)
	for e := uint64(100); e < 100+perPort; e++ {
		mustOpen(seal(3, e, clock+1))
	}
	refused(seal(3, 1000, clock), staleCrowded)
	mustOpen(seal(4, 1, clock))
	// At most maxAheadSessions sessions are dated ahead at a time; others
	// are taken meanwhile, and once the clock passes the dates, more.
	n := perPort
	for p := uint32(5); n < maxAheadSessions; p++ {
		mustOpen(seal(p, 1, clock+1))
		n++
	}
	refused(seal(7777777, 1, clock+1), staleAhead)
	mustOpen(seal(7777777, 2, clock))
	clock += 2
	mustOpen(seal(7777777, 3, clock+1))
	for port, p := range tab.peers {
		if p.floor > clock || tab.floor > clock {
			t.Fatalf("port %d: floor %d above the clock %d", port, p.floor, clock)
		}
	}
}

// porttaker binds port, which the server held, and answers each request it
// receives with what forge returns, until the test ends. It returns its
// socket.
func porttaker(t *testing.T, port uint32, forge func(req nl.Header, to uint32) []byte) *nl.Conn {
	t.Helper()
	taker := coreConn(t, nl.Config{Port: port})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); <-done })
	go func() {
		defer close(done)
		for d, err := range taker.Datagrams(ctx) {
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				continue
			}
			for m, err := range d.Messages() {
				if err != nil || m.Header.Flags&nl.Request == 0 {
					break
				}
				if b := forge(m.Header, d.Meta.Port); b != nil {
					taker.Send(ctx, b, nl.Addr{Port: d.Meta.Port})
				}
			}
		}
	}()
	return taker
}

// Finding 4: whoever takes the server's port while it is down cannot fake
// success. It was: with a Key, a client passed every message type below
// 16 unauthenticated, so a forged ACK made a sealed Client.Do return nil,
// a forged type-15 payload reached the callback, and Subscribe reported
// success. Now answers carry the server's code, and a client with a Key
// takes only ERROR and DONE whose code is right for its request.
func TestForgedAnswers(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key, Groups: 1, Dump: dumpN})
	port := s.Port()
	c := dial(t, port, &ClientConfig{Key: key})
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()

	// The genuine server's answers authenticate: acknowledgements,
	// warnings, errors, multipart and dump ends, and a joined group.
	if msgs, err := c.Request(ctx, typeMany, nl.Acknowledge, u32(3)); err != nil || len(msgs) != 3 {
		t.Fatalf("genuine multipart with ack: %v %v", msgs, err)
	}
	if _, err := c.Request(ctx, typeWarn, nl.Acknowledge, nil); err != nil {
		t.Fatalf("genuine warning: %v", err)
	}
	var ne *nl.Error
	if _, err := c.Request(ctx, typeFail, nl.Acknowledge, []byte("no")); !errors.As(err, &ne) || ne.Errno != unix.EINVAL || ne.Cookie != nil {
		t.Fatalf("genuine error: %#v", err)
	}
	for _, err := range c.Dump(ctx, typeMany, append(u32(2), 1)) {
		if err != nil && !errors.Is(err, unix.ENOSPC) {
			t.Fatalf("genuine dump error: %v", err)
		}
	}
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatalf("genuine subscribe: %v", err)
	}
	if err := c.Unsubscribe(ctx, 1); err != nil {
		t.Fatalf("genuine unsubscribe: %v", err)
	}
	// What a recording gives: the genuine code of an earlier request.
	var earlier binding
	copy(earlier[:], recordRequest(t, c).Bytes()[nl.HeaderLen:])
	s.Close()

	var mode atomic.Value // string: the forgery to send
	forge := func(req nl.Header, to uint32) []byte {
		switch mode.Load().(string) {
		case "ack":
			return appendError(nil, req, to, 0, nil)
		case "ack, recorded code":
			return appendError(nil, req, to, 0, &nl.Error{Cookie: key.answerCookie(port, to, earlier, nl.MsgError, 0, now())})
		case "ack, junk code":
			return appendError(nil, req, to, 0, &nl.Error{Cookie: make([]byte, answerCookieLen)})
		case "error":
			return appendError(nil, req, to, unix.EPERM, &nl.Error{Message: "forged refusal"})
		case "done":
			return appendDone(nil, req, to, 0, nil)
		case "noop", "overrun", "type 15":
			t := map[string]nl.MsgType{"noop": nl.MsgNoop, "overrun": nl.MsgOverrun, "type 15": 15}[mode.Load().(string)]
			b := appendHeader(nil, t, 0, req.Seq, to)
			b = append(b, "forged payload"...)
			return append(endMessage(b, 0), appendError(nil, req, to, 0, nil)...)
		}
		return nil
	}
	taker := porttaker(t, port, forge)

	for _, m := range []string{"ack", "ack, recorded code", "ack, junk code", "error", "done", "noop", "overrun", "type 15"} {
		mode.Store(m)
		called := false
		flags := nl.Acknowledge
		if m == "done" {
			flags = 0
		}
		err := c.Do(ctx, typeEcho, flags, []byte("hello"), func(nl.Message) error { called = true; return nil })
		if !errors.Is(err, ErrAuth) || called || errors.Is(err, unix.EPERM) {
			t.Errorf("forged %s: Do returned %v (callback called: %v), want ErrAuth", m, err, called)
		}
	}
	mode.Store("done")
	for _, err := range c.Dump(ctx, typeMany, u32(0)) {
		if !errors.Is(err, ErrAuth) {
			t.Errorf("forged dump end: %v", err)
		}
	}
	mode.Store("ack")
	if err := c.Subscribe(ctx, 1); !errors.Is(err, ErrAuth) {
		t.Errorf("subscribe acknowledged by a forgery: %v", err)
	}
	if gs, _ := c.Conn().Groups(); len(gs) != 0 {
		t.Errorf("groups after a forged subscribe: %v", gs)
	}

	// Unprompted, a message below NLMSG_MIN_TYPE is refused too.
	b := appendHeader(nil, 15, 0, 0, port)
	b = endMessage(append(b, "unprompted"...), 0)
	if err := taker.Send(ctx, b, nl.Addr{Port: c.Port()}); err != nil {
		t.Fatal(err)
	}
	for m, err := range c.Messages(ctx) {
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("unprompted type 15: %q %v", m.Data, err)
		}
		break
	}
	if st := c.Stats(); st.Refused != 1 {
		t.Fatalf("client stats %+v", st)
	}
}

// Finding 5: a client does not take broadcasts of groups it never joined.
// It was: a recorded sealed group-1 broadcast, replayed by whoever took
// the server's port, addressed to the client's port and group 1 at once
// (which the kernel delivers to the port, reporting group 1), was taken by
// a client that had never joined group 1.
func TestNonMemberBroadcast(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	spy := groupSpy(t)
	s, _ := listen(t, Config{Groups: 2, Key: key})
	port := s.Port()
	c := dial(t, port, &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 2); err != nil { // a member of another group
		t.Fatal(err)
	}
	direct := dial(t, port, &ClientConfig{Key: key})
	if err := direct.Conn().JoinGroup(1); err != nil { // joined without a record
		t.Fatal(err)
	}
	plain := dial(t, port, nil) // no Key: the same rule
	s.Broadcast(ctx, 1, typeEcho, []byte("for the members of group 1"))
	recorded := record(t, spy)
	s.Close()

	// The impostor takes the port and replays the recording to each
	// client's port and group 1 at once; a socket of its own shows what
	// the kernel reports for such a message: group 1.
	impostor, _ := listen(t, Config{Groups: 2, Port: port})
	witness := rawConn(t, 0)
	for _, to := range []uint32{witness.Port(), c.Port(), direct.Port(), plain.Port()} {
		if err := impostor.send(ctx, recorded, nl.Addr{Port: to, Groups: 1}, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := impostor.send(ctx, recorded, nl.Addr{Groups: 1}, 0); err != nil { // and to the group
		t.Fatal(err)
	}
	msgs, err := witness.Receive(ctx)
	if err != nil || len(msgs) != 1 || msgs[0].Meta.Group != 1 || msgs[0].Meta.Port != port {
		t.Fatalf("witness: %+v %v", msgs, err)
	}
	for _, cl := range []*Client{c, direct, plain} {
		nothingMore(t, cl)
	}
	if st := c.Stats(); st.Dropped != 1 || st.Refused != 0 {
		t.Fatalf("client never in group 1: stats %+v", st)
	}
	// The genuine broadcast and the five replays (a message sent to a port
	// and a group reaches the group's other members too): no record.
	if st := direct.Stats(); st.Dropped != 6 || st.Refused != 0 {
		t.Fatalf("client joined directly: stats %+v", st)
	}
	if st := plain.Stats(); st.Dropped != 1 {
		t.Fatalf("client without a key: stats %+v", st)
	}
}

// The refusals a server makes before a request reaches a handler are
// authenticated too, over the binding the request claims, so that a
// sealed client learns why: the Policy's, an oversized datagram's, and
// those made while the server shuts down.
func TestAuthenticatedRefusals(t *testing.T) {
	key := testKey(t, testSecret)
	ctx, cancel := context.WithTimeout(context.Background(), liveness)
	defer cancel()
	s, _ := listen(t, Config{Key: key, Policy: &Policy{UIDs: []uint32{12345}}})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	if _, err := c.Request(ctx, typeEcho, nl.Acknowledge, nil); !errors.Is(err, unix.EPERM) {
		t.Fatalf("policy refusal: %v", err)
	}
	s, _ = listen(t, Config{Key: key, MaxMessage: 256})
	c = dial(t, s.Port(), &ClientConfig{Key: key})
	if _, err := c.Request(ctx, typeEcho, nl.Acknowledge, make([]byte, 1000)); !errors.Is(err, unix.EMSGSIZE) {
		t.Fatalf("oversized refusal: %v", err)
	}

	entered, release := make(chan struct{}), make(chan struct{})
	s, _ = listen(t, Config{Key: key, Input: func(ctx context.Context, w *Writer, r *Request) error {
		if r.Header.Type == typeQuiet {
			close(entered)
			<-release
		}
		return echo(ctx, w, r)
	}})
	busy := dial(t, s.Port(), &ClientConfig{Key: key})
	go busy.Request(ctx, typeQuiet, nl.Acknowledge, nil)
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	for s.serving.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	c = dial(t, s.Port(), &ClientConfig{Key: key})
	_, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("late"))
	close(release)
	if !errors.Is(err, unix.ESHUTDOWN) {
		t.Fatalf("refusal during shutdown: %v", err)
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
}
