package usersock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// liveness bounds how long a test waits for something that must happen;
// it is a failure bound for a hang, not a measure of speed.
const liveness = 30 * time.Second

// stalledSender is a socket with a small receive buffer that never reads.
func stalledSender(t *testing.T) *nl.Conn {
	t.Helper()
	return coreConn(t, nl.Config{ReadBuffer: 4096})
}

// malformed is a request datagram whose length field exceeds the datagram.
func malformed() []byte {
	b := make([]byte, nl.HeaderLen+4)
	nl.PutHeader(b, nl.Header{Len: 400, Type: typeEcho, Flags: nl.Request | nl.Acknowledge, Seq: 1})
	return b
}

// A sender that keeps its receive buffer full and sends refused requests
// holds up nobody: refusals are dropped at once, not after SendTimeout,
// and other clients are served meanwhile by the only worker.
func TestRefusalsDoNotWait(t *testing.T) {
	key := testKey(t, testSecret)
	s, logs := listen(t, Config{Workers: 1, Key: key, SendTimeout: time.Hour})
	bad := stalledSender(t)
	ctx := context.Background()
	unsealed := make([]byte, nl.HeaderLen)
	nl.PutHeader(unsealed, nl.Header{Len: nl.HeaderLen, Type: typeEcho, Flags: nl.Request, Seq: 1})
	// Control messages asking for an acknowledgement, which a server
	// answers before any check: from a sender that proved no secret, they
	// are not waited for either.
	noops := make([]byte, 0, 64*nl.HeaderLen)
	for range 64 {
		var h [nl.HeaderLen]byte
		nl.PutHeader(h[:], nl.Header{Len: nl.HeaderLen, Type: nl.MsgNoop, Flags: nl.Request | nl.Acknowledge})
		noops = append(noops, h[:]...)
	}
	for i := range 300 {
		msg := malformed()
		switch i % 3 {
		case 1:
			msg = unsealed // unauthentic: refused with EBADMSG
		case 2:
			msg = noops
		}
		if err := bad.Send(ctx, msg, nl.Addr{Port: s.Port()}); err != nil {
			t.Fatal(err)
		}
	}
	good := dial(t, s.Port(), &ClientConfig{Key: key})
	lctx, cancel := context.WithTimeout(ctx, liveness)
	defer cancel()
	msgs, err := good.Request(lctx, typeEcho, 0, []byte("still served"))
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != "still served" {
		t.Fatalf("good client: %v %v", msgs, err)
	}
	st := s.Stats()
	if st.Invalid < 200 || st.Dropped == 0 {
		t.Fatalf("stats %+v", st)
	}
	// The log is rate-limited: 300 refusals and their dropped replies do
	// not make 600 lines, and the next line says how many were left out.
	lines := strings.Count(logs.String(), "\n")
	if lines > logBurst+5 {
		t.Fatalf("%d log lines for 300 refusals", lines)
	}
	time.Sleep(200 * time.Millisecond) // let the limiter earn a token
	bad.Send(ctx, malformed(), nl.Addr{Port: s.Port()})
	for !strings.Contains(logs.String(), "more messages suppressed") {
		good.Request(lctx, typeQuiet, nl.Acknowledge, nil) // the worker has handled bad's datagram
		if lctx.Err() != nil {
			t.Fatalf("no count of suppressed lines in %q", logs)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Shutdown ends though a sender keeps sending refused requests and never
// reads the refusals. (A sender the policy allows, whose requests the
// server must answer, holds Shutdown up to SendTimeout or its ctx.)
func TestShutdownWithSteadySender(t *testing.T) {
	s, _ := listen(t, Config{Workers: 1, SendTimeout: time.Hour})
	bad := stalledSender(t)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		req := malformed()
		for ctx.Err() == nil {
			if err := bad.Send(ctx, req, nl.Addr{Port: s.Port()}); err != nil && !errors.Is(err, unix.ECONNREFUSED) {
				return
			}
		}
	}()
	defer wg.Wait()
	defer cancel()
	time.Sleep(20 * time.Millisecond)
	sctx, scancel := context.WithTimeout(context.Background(), liveness)
	defer scancel()
	if err := s.Shutdown(sctx); err != nil {
		t.Fatalf("shutdown with a steady sender: %v", err)
	}
}

// Handlers still running while Shutdown waits may broadcast and unicast;
// once Shutdown is done, the server sends nothing more.
func TestPushDuringShutdown(t *testing.T) {
	joinsGroups(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var srv atomic.Pointer[Server]
	s, _ := listen(t, Config{Groups: 1, Input: func(ctx context.Context, w *Writer, r *Request) error {
		close(entered)
		<-release
		s := srv.Load()
		if err := s.Broadcast(ctx, 1, typeEcho, []byte("bye")); err != nil {
			return err
		}
		return s.Unicast(ctx, r.Port, typeEcho, []byte("just you"))
	}})
	srv.Store(s)
	ctx := context.Background()
	member := dial(t, s.Port(), nil)
	if err := member.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Port(), nil)
	done := make(chan error, 1)
	go func() { _, err := c.Request(ctx, typeQuiet, nl.Acknowledge, nil); done <- err }()
	<-entered
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	for s.serving.Err() == nil { // until Shutdown began
		time.Sleep(time.Millisecond)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("request whose handler pushed during shutdown: %v", err)
	}
	for m, err := range member.Messages(ctx) {
		if err != nil || string(m.Data) != "bye" {
			t.Fatalf("broadcast during shutdown: %q %v", m.Data, err)
		}
		break
	}
	for m, err := range c.Messages(ctx) {
		if err != nil || string(m.Data) != "just you" {
			t.Fatalf("unicast during shutdown: %q %v", m.Data, err)
		}
		break
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := s.Unicast(ctx, c.Port(), typeEcho, nil); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("unicast after shutdown: %v", err)
	}
}

// Close ends the running handlers' contexts, returns without waiting for
// them (so a handler may call it), and drops the queued requests.
func TestCloseDropsQueued(t *testing.T) {
	entered, release := make(chan struct{}, 8), make(chan struct{})
	var started atomic.Int32
	s, _ := listen(t, Config{Workers: 1, Input: func(ctx context.Context, w *Writer, r *Request) error {
		started.Add(1)
		entered <- struct{}{}
		<-ctx.Done()
		<-release
		return ctx.Err()
	}})
	c := rawConn(t, s.Port())
	for i := range 4 { // one runs, three wait in the queue
		req := make([]byte, nl.HeaderLen)
		nl.PutHeader(req, nl.Header{Len: nl.HeaderLen, Type: typeEcho, Flags: nl.Request, Seq: uint32(i + 1)})
		c.Send(context.Background(), req, nl.Addr{Port: s.Port()})
	}
	<-entered
	for len(s.jobs) < 3 { // the reader queued the other three
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil { // the handler is still running
		t.Fatal(err)
	}
	close(release)
	s.workers.Wait()
	if n := started.Load(); n != 1 {
		t.Fatalf("%d handlers ran, want 1: queued requests must be dropped at Close", n)
	}

	// From a handler, Close returns, even when the reader waits for room
	// in a full queue.
	for _, queue := range []int{1, 64} {
		closeFromHandler(t, queue)
	}
}

func closeFromHandler(t *testing.T, queue int) {
	closed := make(chan error, 1)
	var srv atomic.Pointer[Server]
	started := make(chan struct{})
	s2, _ := listen(t, Config{Workers: 1, Queue: queue, Input: func(ctx context.Context, w *Writer, r *Request) error {
		if r.Header.Seq == 1 {
			<-started
			closed <- srv.Load().Close()
		}
		return nil
	}})
	srv.Store(s2)
	c2 := rawConn(t, s2.Port())
	for i := range 4 { // with a queue of 1, the reader waits to queue the third
		req := make([]byte, nl.HeaderLen)
		nl.PutHeader(req, nl.Header{Len: nl.HeaderLen, Type: typeEcho, Flags: nl.Request, Seq: uint32(i + 1)})
		c2.Send(context.Background(), req, nl.Addr{Port: s2.Port()})
	}
	for len(s2.jobs) < min(queue, 3) {
		time.Sleep(time.Millisecond)
	}
	close(started)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

// Any process may send to a NETLINK_USERSOCK group, even without
// privileges: a Client takes only its server's messages; a client of
// server 0 takes everyone's.
func TestForgedBroadcast(t *testing.T) {
	netnstest.RequirePrivileged(t) // asUser
	joinsGroups(t)
	s, _ := listen(t, Config{Groups: 1})
	ctx := context.Background()
	member := dial(t, s.Port(), nil)
	if err := member.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	anyone := dial(t, 0, nil)
	if err := anyone.Join(1); err != nil {
		t.Fatal(err)
	}
	forger := rawConn(t, 0)
	forged := make([]byte, nl.HeaderLen+8)
	nl.PutHeader(forged, nl.Header{Len: uint32(len(forged)), Type: typeEcho, Port: s.Port()})
	copy(forged[nl.HeaderLen:], "forgery!")
	var err error
	asUser(t, 65534, 65534, func() { err = forger.Send(ctx, forged, nl.Addr{Groups: 1}) })
	if err != nil && !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("unprivileged group send: %v", err)
	}
	if err := s.Broadcast(ctx, 1, typeEcho, []byte("genuine")); err != nil {
		t.Fatal(err)
	}
	for m, err := range member.Messages(ctx) {
		if err != nil || string(m.Data) != "genuine" {
			t.Fatalf("member took %q (%v), not the server's message", m.Data, err)
		}
		break
	}
	for m, err := range anyone.Messages(ctx) {
		if err != nil || string(m.Data) != "forgery!" || m.Meta.Port != forger.Port() {
			t.Fatalf("client of server 0: %q from %d %v", m.Data, m.Meta.Port, err)
		}
		break
	}
}

// Joining a NETLINK_USERSOCK group needs CAP_NET_ADMIN: Subscribe says
// so, and the server never hears of the join.
func TestSubscribeNeedsNetAdmin(t *testing.T) {
	netnstest.RequirePrivileged(t) // asUser
	joins := 0
	s, _ := listen(t, Config{Groups: 1, Policy: &Policy{Anyone: true},
		Bind: func(context.Context, uint32, nl.Credentials, uint32) error { joins++; return nil }})
	c := dial(t, s.Port(), nil)
	var err error
	asUser(t, 65534, 65534, func() { err = c.Subscribe(context.Background(), 1) })
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), "CAP_NET_ADMIN") {
		t.Fatalf("unprivileged subscribe: %v", err)
	}
	c.Request(context.Background(), typeQuiet, nl.Acknowledge, nil)
	if joins != 0 {
		t.Fatal("the server heard of a join that failed")
	}
}

// groupSpy is a socket in group 1 that records what is broadcast there.
func groupSpy(t *testing.T) *nl.Conn {
	t.Helper()
	spy := rawConn(t, 0)
	if err := spy.JoinGroup(1); err != nil {
		t.Fatal(err)
	}
	return spy
}

// replay binds port, as an impostor without the key once the server is
// gone, and sends the recorded messages to group 1 from it.
func replay(t *testing.T, port uint32, msgs ...[]byte) {
	t.Helper()
	impostor, _ := listen(t, Config{Groups: 1, Port: port})
	for _, msg := range msgs {
		if err := impostor.send(context.Background(), msg, nl.Addr{Groups: 1}, 0); err != nil {
			t.Fatal(err)
		}
	}
}

// record returns the next message spy receives, as raw bytes to replay.
func record(t *testing.T, spy *nl.Conn) []byte {
	t.Helper()
	for m, err := range spy.Messages(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, nl.HeaderLen, nl.HeaderLen+len(m.Data))
		nl.PutHeader(b, m.Header)
		return append(b, m.Data...)
	}
	return nil
}

// nothingMore checks that c yields nothing for a while.
func nothingMore(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	for m, err := range c.Messages(ctx) {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("took %q (%v)", m.Data, err)
		}
		break
	}
}

// A process that holds the server's port while the server is down cannot
// replay its sealed broadcasts to a client: those of an earlier run, and
// those of the current run sealed before the client joined, were never
// sent to the client and are dropped; one the client already took, or one
// sealed before it, is refused (ErrReplay).
func TestReplayedRecordings(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	spy := groupSpy(t)
	first, _ := listen(t, Config{Groups: 1, Key: key})
	port := first.Port()
	first.Broadcast(ctx, 1, typeEcho, []byte("earlier run"))
	earlierRun := record(t, spy)
	first.Close()

	second, _ := listen(t, Config{Groups: 1, Key: key, Port: port})
	second.Broadcast(ctx, 1, typeEcho, []byte("before the client joined"))
	beforeJoin := record(t, spy)
	c := dial(t, port, &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	second.Broadcast(ctx, 1, typeEcho, []byte("delivered"))
	delivered := record(t, spy)
	for m, err := range c.Messages(ctx) {
		if err != nil || string(m.Data) != "delivered" {
			t.Fatalf("genuine broadcast: %q %v", m.Data, err)
		}
		break
	}
	second.Close()

	// The impostor answers requests, without the key, and replays.
	replay(t, port, earlierRun, beforeJoin, delivered)
	for m, err := range c.Messages(ctx) {
		if !errors.Is(err, ErrReplay) {
			t.Fatalf("replayed broadcasts: %q %v, want only the delivered one refused as a replay", m.Data, err)
		}
		break
	}
	nothingMore(t, c)
}

// Broadcasts sealed while a client was not a member (its first Subscribe
// was refused, or it had left) are never taken, even if no later one was;
// a broadcast received while it was a member and read after it left and
// joined again is taken.
func TestMembershipIntervals(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	spy := groupSpy(t)
	var refuse atomic.Bool
	refuse.Store(true)
	s, _ := listen(t, Config{Groups: 1, Key: key, Bind: func(context.Context, uint32, nl.Credentials, uint32) error {
		if refuse.Load() {
			return Errorf(unix.EACCES, "not yet")
		}
		return nil
	}})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); !errors.Is(err, unix.EACCES) {
		t.Fatalf("refused subscribe: %v", err)
	}
	s.Broadcast(ctx, 1, typeEcho, []byte("while refused"))
	whileRefused := record(t, spy)
	refuse.Store(false)
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.Broadcast(ctx, 1, typeEcho, []byte("member"))
	if err := c.Unsubscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.Broadcast(ctx, 1, typeEcho, []byte("while away"))
	record(t, spy) // "member"
	whileAway := record(t, spy)
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for m, err := range c.Messages(ctx) {
		if err != nil || string(m.Data) != "member" {
			t.Fatalf("queued broadcast of an earlier membership: %q %v", m.Data, err)
		}
		break
	}
	s.Close()
	replay(t, s.Port(), whileRefused, whileAway)
	nothingMore(t, c)
}

// Broadcasts a client missed to an overrun cannot be slipped in after a
// later one it took, even from a later run of the server.
func TestMissedNotSlippedIn(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	spy := groupSpy(t)
	first, _ := listen(t, Config{Groups: 1, Key: key})
	port := first.Port()
	c := dial(t, port, &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	first.Broadcast(ctx, 1, typeEcho, []byte("missed"))
	missed := record(t, spy)
	for range c.Messages(ctx) { // the client's copy is lost, as to an overrun
		break
	}
	first.Close()
	second, _ := listen(t, Config{Groups: 1, Key: key, Port: port})
	second.Broadcast(ctx, 1, typeEcho, []byte("new state"))
	for m, err := range c.Messages(ctx) {
		if err != nil || string(m.Data) != "new state" {
			t.Fatalf("second run: %q %v", m.Data, err)
		}
		break
	}
	second.Close()
	replay(t, port, missed)
	for m, err := range c.Messages(ctx) {
		if !errors.Is(err, ErrReplay) {
			t.Fatalf("missed broadcast slipped in after a later one: %q %v", m.Data, err)
		}
		break
	}
}

// A client that subscribes while the server broadcasts without pause gets
// no error: broadcasts sealed before it joined are dropped quietly.
func TestSubscribeWhileBroadcasting(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Groups: 1, Key: key})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			s.Broadcast(ctx, 1, typeEcho, []byte("tick"))
			time.Sleep(20 * time.Microsecond) // steady, without overrunning the clients
		}
	}()
	defer wg.Wait()
	defer cancel()
	for range 50 {
		c := dial(t, s.Port(), &ClientConfig{Key: key, ReadBuffer: 4 << 20})
		if err := c.Subscribe(ctx, 1); err != nil {
			t.Fatal(err)
		}
		for _, err := range c.Messages(ctx) {
			if err != nil {
				t.Fatalf("first message after subscribing: %v", err)
			}
			break
		}
		c.Close()
	}
}

// A client follows its server across a restart: the new run's messages
// are taken (a new session, sealed after the client joined).
func TestServerRestartFollowed(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	first, _ := listen(t, Config{Groups: 1, Key: key})
	port := first.Port()
	c := dial(t, port, &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	first.Broadcast(ctx, 1, typeEcho, []byte("first run"))
	first.Close()
	second, _ := listen(t, Config{Groups: 1, Key: key, Port: port})
	for i := range 3 {
		second.Broadcast(ctx, 1, typeEcho, fmt.Appendf(nil, "second run %d", i))
	}
	second.Unicast(ctx, c.Port(), typeEcho, []byte("just you"))
	var got []string
	for m, err := range c.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if got = append(got, string(m.Data)); len(got) == 5 {
			break
		}
	}
	if fmt.Sprint(got) != "[first run second run 0 second run 1 second run 2 just you]" {
		t.Fatalf("got %q", got)
	}
	// The client's requests reach the new run too.
	if msgs, err := c.Request(ctx, typeEcho, 0, []byte("hi")); err != nil || len(msgs) != 1 {
		t.Fatalf("request after restart: %v %v", msgs, err)
	}
}

// In one session a client orders the server's messages by counter, so a
// clock set back between two broadcasts loses nothing.
func TestClockSetBackInSession(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	s, _ := listen(t, Config{Groups: 1, Key: key})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.pushMu.Lock()
	at := now() + int64(time.Second)
	s.seal.clock = func() int64 { at -= int64(100 * time.Millisecond); return at }
	s.pushMu.Unlock()
	for i := range 3 {
		s.Broadcast(ctx, 1, typeEcho, fmt.Appendf(nil, "%d", i))
	}
	for i := range 3 {
		for m, err := range c.Messages(ctx) {
			if err != nil || string(m.Data) != fmt.Sprint(i) {
				t.Fatalf("broadcast %d after the clock went back: %q %v", i, m.Data, err)
			}
			break
		}
	}
}

// A failed Subscribe to a group the client is subscribed to already
// leaves the subscription alone.
func TestFailedResubscribeKeepsGroup(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	ctx := context.Background()
	joins := 0
	s, _ := listen(t, Config{Groups: 1, Key: key, Workers: 1, Bind: func(context.Context, uint32, nl.Credentials, uint32) error {
		if joins++; joins > 1 {
			return Errorf(unix.EBUSY, "once is enough")
		}
		return nil
	}})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	if err := c.Subscribe(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(ctx, 1); !errors.Is(err, unix.EBUSY) {
		t.Fatalf("second subscribe: %v", err)
	}
	if gs, _ := c.Conn().Groups(); fmt.Sprint(gs) != "[1]" {
		t.Fatalf("groups after a failed re-subscribe: %v", gs)
	}
	s.Broadcast(ctx, 1, typeEcho, []byte("still here"))
	for m, err := range c.Messages(ctx) {
		if err != nil || string(m.Data) != "still here" {
			t.Fatalf("%q %v", m.Data, err)
		}
		break
	}
}

// Joins and leaves of one group from several goroutines keep the client's
// record of its memberships in step with the kernel's.
func TestJoinLeaveRecordsInStep(t *testing.T) {
	joinsGroups(t)
	c := dial(t, 0, &ClientConfig{Key: testKey(t, testSecret)})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if i%2 == 0 {
					c.Join(1)
				} else {
					c.Leave(1)
				}
			}
		}()
	}
	wg.Wait()
	gs, err := c.Conn().Groups()
	if err != nil {
		t.Fatal(err)
	}
	c.gmu.Lock()
	member := c.joined[1] != nil && c.joined[1].since != 0
	c.gmu.Unlock()
	if member != (len(gs) == 1) {
		t.Fatalf("kernel groups %v, record says member=%v", gs, member)
	}
}
