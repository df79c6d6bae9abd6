package usersock

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Message types of the test protocol.
const (
	typeEcho  nl.MsgType = 16 // replies with the payload
	typeFail  nl.MsgType = 17 // refuses with the payload as the message
	typeMany  nl.MsgType = 18 // replies with N messages (payload: N, u32)
	typeQuiet nl.MsgType = 19 // no reply
	typePanic nl.MsgType = 20
	typeWarn  nl.MsgType = 21
)

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// echo is the test protocol's input handler.
func echo(ctx context.Context, w *Writer, r *Request) error {
	switch r.Header.Type {
	case typeEcho:
		return w.Reply(typeEcho, r.Data)
	case typeFail:
		return Errorf(unix.EINVAL, "%s", r.Data)
	case typeMany:
		if len(r.Data) != 4 {
			return Errorf(unix.EINVAL, "want a 4-byte count, have %d bytes", len(r.Data))
		}
		for i := range binary.NativeEndian.Uint32(r.Data) {
			if err := w.Reply(typeMany, fmt.Appendf(make([]byte, 0, 100), "%-100d", i)); err != nil {
				return err
			}
		}
		return nil
	case typeQuiet:
		return nil
	case typePanic:
		panic("test panic")
	case typeWarn:
		return &nl.Error{Message: "this type is deprecated"}
	}
	return Errorf(unix.EOPNOTSUPP, "unknown type %d", r.Header.Type)
}

// dumpN dumps N messages (payload: N, u32), failing after N if the payload
// has a fifth byte.
func dumpN(ctx context.Context, w *Writer, r *Request) error {
	if len(r.Data) < 4 {
		return Errorf(unix.EINVAL, "want a 4-byte count")
	}
	for i := range binary.NativeEndian.Uint32(r.Data) {
		if err := w.Reply(typeMany, fmt.Appendf(nil, "%-100d", i)); err != nil {
			return err
		}
	}
	if len(r.Data) > 4 {
		return Errorf(unix.ENOSPC, "dump failed on purpose")
	}
	return nil
}

// Every socket a test opens lives in the test's own network namespace
// (NETLINK_USERSOCK is per namespace): nothing a test sends reaches the
// host's NETLINK_USERSOCK, whose ports and groups other processes use.
var (
	nsMu    sync.Mutex
	testNSs = map[testing.TB]*netnstest.NS{}
)

// testNS returns the test's network namespace, created by the first call
// and deleted when the test ends. Without root the test is skipped (it
// fails under NLKIT_REQUIRE_PRIV=1), so the first call must come from the
// test's goroutine; the helpers below make it.
func testNS(t testing.TB) *netnstest.NS {
	t.Helper()
	nsMu.Lock()
	defer nsMu.Unlock()
	if ns := testNSs[t]; ns != nil {
		return ns
	}
	ns := netnstest.New(t)
	testNSs[t] = ns
	t.Cleanup(func() {
		nsMu.Lock()
		delete(testNSs, t)
		nsMu.Unlock()
	})
	return ns
}

// joinsGroups says that the test joins NETLINK_USERSOCK groups, which
// needs CAP_NET_ADMIN over its namespace: it skips the test without it
// (fails it under NLKIT_REQUIRE_PRIV=1).
func joinsGroups(t testing.TB) {
	t.Helper()
	testNS(t)
	netnstest.RequireCapabilities(t, unix.CAP_NET_ADMIN)
}

// listen starts a server on a kernel-chosen port in the test's namespace,
// closed at the end of the test; its log goes to the returned buffer.
func listen(t testing.TB, cfg Config) (*Server, *syncBuffer) {
	t.Helper()
	logs := new(syncBuffer)
	if cfg.ErrorLog == nil {
		cfg.ErrorLog = log.New(logs, "", 0)
	}
	if cfg.Input == nil {
		cfg.Input = echo
	}
	if cfg.NetNS == nil {
		cfg.NetNS = testNS(t).NS
	}
	s, err := Listen(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, logs
}

// dial opens a client of server in the test's namespace, closed at the
// end of the test.
func dial(t testing.TB, server uint32, cfg *ClientConfig) *Client {
	t.Helper()
	var c ClientConfig
	if cfg != nil {
		c = *cfg
	}
	if c.NetNS == nil {
		c.NetNS = testNS(t).NS
	}
	cl, err := Dial(server, &c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// rawConn is a core connection to the server, in the test's namespace.
func rawConn(t testing.TB, server uint32) *nl.Conn {
	t.Helper()
	return coreConn(t, nl.Config{Peer: server})
}

// coreConn is a core connection configured by cfg, in the test's
// namespace, closed at the end of the test.
func coreConn(t testing.TB, cfg nl.Config) *nl.Conn {
	t.Helper()
	return testNS(t).Dial(nl.UserSock, &cfg)
}

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// The core's Conn.Do/Execute get replies with their sequence number echoed,
// and an acknowledgement when they ask for one.
func TestUnicastRequestAck(t *testing.T) {
	s, _ := listen(t, Config{})
	c := rawConn(t, s.Port())
	ctx := context.Background()

	var e nl.Encoder
	e.Begin(typeEcho, nl.Acknowledge)
	e.Payload([]byte("hello"))
	e.End()
	msgs, err := c.Execute(ctx, &e)
	if err != nil {
		t.Fatal(err)
	}
	req := e.Message(0).Header
	if len(msgs) != 1 || msgs[0].Header.Type != typeEcho || !bytes.HasPrefix(msgs[0].Data, []byte("hello")) {
		t.Fatalf("replies: %+v", msgs)
	}
	if h := msgs[0].Header; h.Seq != req.Seq || h.Port != c.Port() || msgs[0].Meta.Port != s.Port() {
		t.Fatalf("reply header %v (meta port %d) to request %v", h, msgs[0].Meta.Port, req)
	}

	// Without NLM_F_ACK, Do returns after the one reply.
	e.Reset()
	e.Begin(typeEcho, 0)
	e.Payload([]byte("again"))
	e.End()
	if msgs, err = c.Execute(ctx, &e); err != nil || len(msgs) != 1 {
		t.Fatalf("no-ack request: %v %v", msgs, err)
	}

	// A request with no reply is answered by its acknowledgement alone.
	e.Reset()
	e.Begin(typeQuiet, nl.Acknowledge)
	e.End()
	if msgs, err = c.Execute(ctx, &e); err != nil || len(msgs) != 0 {
		t.Fatalf("quiet request: %v %v", msgs, err)
	}

	// The Client: exact payloads (no padding).
	cl := dial(t, s.Port(), nil)
	msgs, err = cl.Request(ctx, typeEcho, nl.Acknowledge, []byte("hello"))
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != "hello" {
		t.Fatalf("client request: %v %v", msgs, err)
	}
	if st := s.Stats(); st.Requests != 4 || st.Rejected != 0 || st.Invalid != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Errors reach the client as *nl.Error with the errno and message.
func TestErrorWithMessage(t *testing.T) {
	s, logs := listen(t, Config{})
	c := dial(t, s.Port(), nil)
	ctx := context.Background()

	_, err := c.Request(ctx, typeFail, 0, []byte("the widget is blue"))
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.EINVAL || ne.Message != "the widget is blue" || !errors.Is(err, unix.EINVAL) {
		t.Fatalf("error %#v", err)
	}
	// Unknown types, missing handlers, panics.
	if _, err := c.Request(ctx, 99, 0, nil); !errors.Is(err, unix.EOPNOTSUPP) {
		t.Fatalf("unknown type: %v", err)
	}
	_, err = c.Request(ctx, typePanic, 0, nil)
	if !errors.As(err, &ne) || ne.Errno != unix.EIO || !strings.Contains(logs.String(), "test panic") {
		t.Fatalf("panic: %v; log %q", err, logs)
	}
	// A warning rides on the acknowledgement of a request that succeeded.
	var warned *nl.Error
	rc := coreConn(t, nl.Config{Peer: s.Port(), OnWarning: func(e *nl.Error) { warned = e }})
	var e nl.Encoder
	e.Begin(typeWarn, nl.Acknowledge)
	e.End()
	if err := rc.Do(ctx, &e, func(nl.Message) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if warned == nil || warned.Message != "this type is deprecated" {
		t.Fatalf("warning %v", warned)
	}
	// A server without a dump handler refuses dumps.
	for _, err := range c.Dump(ctx, typeMany, u32(1)) {
		if !errors.Is(err, unix.EOPNOTSUPP) {
			t.Fatalf("dump without handler: %v", err)
		}
	}
}

// Dumps are multipart and end with NLMSG_DONE, which carries an error if
// the dump failed; long replies to plain requests are multipart too.
func TestDump(t *testing.T) {
	s, _ := listen(t, Config{Dump: dumpN})
	ctx := context.Background()
	const n = 3000 // about 330 KiB: many datagrams
	check := func(name string, seq func(yield func(nl.Message, error) bool)) {
		i := 0
		for m, err := range seq {
			if err != nil {
				t.Fatalf("%s: after %d: %v", name, i, err)
			}
			if m.Header.Flags&nl.Multi == 0 || strings.TrimSpace(string(m.Data[:100])) != fmt.Sprint(i) {
				t.Fatalf("%s: message %d: %v %q", name, i, m.Header, m.Data)
			}
			i++
		}
		if i != n {
			t.Fatalf("%s: %d messages, want %d", name, i, n)
		}
	}
	c := rawConn(t, s.Port())
	var e nl.Encoder
	e.Begin(typeMany, 0)
	e.Payload(u32(n))
	e.End()
	check("core dump", c.Dump(ctx, &e))
	cl := dial(t, s.Port(), nil)
	check("client dump", cl.Dump(ctx, typeMany, u32(n)))

	// A failing dump: the messages, then the error.
	got := 0
	var derr error
	for _, err := range cl.Dump(ctx, typeMany, append(u32(10), 1)) {
		if err != nil {
			derr = err
			break
		}
		got++
	}
	var ne *nl.Error
	if got != 10 || !errors.As(derr, &ne) || ne.Errno != unix.ENOSPC || ne.Message != "dump failed on purpose" {
		t.Fatalf("failing dump: %d messages, %v", got, derr)
	}

	// A plain request answered by more than a datagram's worth.
	msgs, err := cl.Request(ctx, typeMany, nl.Acknowledge, u32(1000))
	if err != nil || len(msgs) != 1000 {
		t.Fatalf("multipart reply: %d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		if strings.TrimSpace(string(m.Data)) != fmt.Sprint(i) {
			t.Fatalf("multipart message %d: %q", i, m.Data)
		}
	}
}

// Broadcasts reach the members of their group only; joins and leaves are
// announced to the Bind and Unbind hooks, which may refuse a join.
func TestBroadcastGroups(t *testing.T) {
	joinsGroups(t)
	var mu sync.Mutex
	var events []string
	s, _ := listen(t, Config{
		Groups: 4,
		Bind: func(ctx context.Context, port uint32, creds nl.Credentials, g uint32) error {
			if g == 4 {
				return Errorf(unix.EACCES, "group 4 is closed")
			}
			mu.Lock()
			events = append(events, fmt.Sprintf("join %d %d", port, g))
			mu.Unlock()
			return nil
		},
		Unbind: func(ctx context.Context, port uint32, creds nl.Credentials, g uint32) {
			mu.Lock()
			events = append(events, fmt.Sprintf("leave %d %d", port, g))
			mu.Unlock()
		},
	})
	ctx := context.Background()
	a := dial(t, s.Port(), nil)
	b := dial(t, s.Port(), nil)
	if err := a.Subscribe(ctx, 1, 2); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe(ctx, 2, 3); err != nil {
		t.Fatal(err)
	}
	if err := a.Subscribe(ctx, 4); !errors.Is(err, unix.EACCES) {
		t.Fatalf("refused join: %v", err)
	}
	if err := a.Subscribe(ctx, 5); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("join of a group the server lacks: %v", err)
	}
	if gs, _ := a.Conn().Groups(); fmt.Sprint(gs) != "[1 2]" {
		t.Fatalf("a's groups %v", gs)
	}

	// next returns the next message a client receives, as "group:payload".
	next := func(c *Client) string {
		for m, err := range c.Messages(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			return fmt.Sprintf("%d:%s", m.Meta.Group, m.Data)
		}
		return ""
	}
	for g := uint32(1); g <= 3; g++ {
		if err := s.Broadcast(ctx, g, typeEcho, fmt.Appendf(nil, "to %d", g)); err != nil {
			t.Fatal(err)
		}
	}
	if got := []string{next(a), next(a)}; fmt.Sprint(got) != "[1:to 1 2:to 2]" {
		t.Fatalf("a got %v", got)
	}
	if got := []string{next(b), next(b)}; fmt.Sprint(got) != "[2:to 2 3:to 3]" {
		t.Fatalf("b got %v", got)
	}

	// a leaves group 2: the next broadcast to 2 reaches b only; a's next
	// message is the one to group 1 sent after it.
	if err := a.Unsubscribe(ctx, 2); err != nil {
		t.Fatal(err)
	}
	s.Broadcast(ctx, 2, typeEcho, []byte("after"))
	s.Broadcast(ctx, 1, typeEcho, []byte("marker"))
	if got := next(a); got != "1:marker" {
		t.Fatalf("a after leaving: %s", got)
	}
	if got := next(b); got != "2:after" {
		t.Fatalf("b: %s", got)
	}
	// Unicast reaches one client.
	if err := s.Unicast(ctx, b.Port(), typeEcho, []byte("just b")); err != nil {
		t.Fatal(err)
	}
	if got := next(b); got != "0:just b" {
		t.Fatalf("unicast: %s", got)
	}
	if err := s.Broadcast(ctx, 5, typeEcho, nil); err == nil {
		t.Fatal("broadcast to group 5 of 4 succeeded")
	}

	// Closing a client announces its leaves.
	b.Close()
	want := []string{
		fmt.Sprintf("join %d 1", a.Port()), fmt.Sprintf("join %d 2", a.Port()),
		fmt.Sprintf("join %d 2", b.Port()), fmt.Sprintf("join %d 3", b.Port()),
		fmt.Sprintf("leave %d 2", a.Port()),
	}
	// b's leaves were sent without waiting: a request on the server after
	// them is answered after they were handled only if one worker runs
	// them in order, so look for them as a set.
	a.Request(ctx, typeQuiet, nl.Acknowledge, nil)
	mu.Lock()
	defer mu.Unlock()
	for _, w := range want {
		if !strings.Contains(strings.Join(events, ","), w) {
			t.Fatalf("events %v lack %q", events, w)
		}
	}
}

// A sender's port is the kernel's word: a client that lies in nlmsg_pid is
// seen, and answered, at its real port.
func TestSpoofedPort(t *testing.T) {
	seen := make(chan *Request, 1)
	s, _ := listen(t, Config{Input: func(ctx context.Context, w *Writer, r *Request) error {
		seen <- &Request{Header: r.Header, Port: r.Port, Creds: r.Creds}
		return w.Reply(typeEcho, []byte("to you"))
	}})
	liar := rawConn(t, s.Port())
	victim := rawConn(t, 0)
	b := make([]byte, nl.HeaderLen)
	nl.PutHeader(b, nl.Header{Len: nl.HeaderLen, Type: typeEcho, Flags: nl.Request, Seq: 7, Port: victim.Port()})
	if err := liar.Send(context.Background(), b, nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	r := <-seen
	if r.Port != liar.Port() || r.Header.Port != victim.Port() {
		t.Fatalf("server saw port %d (header %d); liar %d, victim %d", r.Port, r.Header.Port, liar.Port(), victim.Port())
	}
	if r.Creds.PID != int32(unix.Getpid()) || r.Creds.UID != uint32(unix.Getuid()) {
		t.Fatalf("credentials %+v", r.Creds)
	}
	msgs, err := liar.Receive(context.Background())
	if err != nil || len(msgs) != 1 || msgs[0].Header.Seq != 7 || string(msgs[0].Data) != "to you" {
		t.Fatalf("liar got %v %v", msgs, err)
	}
}

// Malformed datagrams get error replies, and the server goes on.
func TestMalformed(t *testing.T) {
	s, _ := listen(t, Config{MaxMessage: 1024})
	c := rawConn(t, s.Port())
	ctx := context.Background()
	hdr := func(l uint32, seq uint32) []byte {
		b := make([]byte, nl.HeaderLen)
		nl.PutHeader(b, nl.Header{Len: l, Type: typeEcho, Flags: nl.Request, Seq: seq})
		return b
	}
	cases := []struct {
		name  string
		data  []byte
		errno unix.Errno
		seq   uint32
	}{
		{"short", []byte{1, 2, 3}, unix.EINVAL, 0},
		{"length past the end", hdr(64, 11), unix.EINVAL, 11},
		{"length below a header", hdr(8, 12), unix.EINVAL, 12},
		{"oversized", append(hdr(2000, 13), make([]byte, 2000-nl.HeaderLen)...), unix.EMSGSIZE, 13},
	}
	for _, tc := range cases {
		if err := c.Send(ctx, tc.data, nl.Addr{Port: s.Port()}); err != nil {
			t.Fatal(err)
		}
		msgs, err := c.Receive(ctx)
		if err != nil || len(msgs) != 1 || msgs[0].Header.Type != nl.MsgError || msgs[0].Header.Seq != tc.seq {
			t.Fatalf("%s: %v %v", tc.name, msgs, err)
		}
		e, err := nl.ParseError(msgs[0], nil, 0)
		if err != nil || e == nil || e.Errno != tc.errno || !strings.Contains(e.Message, "") {
			t.Fatalf("%s: error %v %v", tc.name, e, err)
		}
	}
	if st := s.Stats(); st.Invalid != uint64(len(cases)) {
		t.Fatalf("stats %+v", st)
	}
	cl := dial(t, s.Port(), nil)
	if _, err := cl.Request(ctx, typeEcho, nl.Acknowledge, []byte("still here")); err != nil {
		t.Fatal(err)
	}
}

// A sender the policy does not allow gets EPERM.
func TestPolicyRejects(t *testing.T) {
	ctx := context.Background()
	s, _ := listen(t, Config{Policy: &Policy{UIDs: []uint32{uint32(unix.Getuid()) + 4242}}})
	c := dial(t, s.Port(), nil)
	_, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("x"))
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.EPERM || !strings.Contains(ne.Message, "not allowed") {
		t.Fatalf("rejected request: %v", err)
	}
	if st := s.Stats(); st.Rejected != 1 || st.Requests != 0 {
		t.Fatalf("stats %+v", st)
	}
	// A function may allow it.
	s2, _ := listen(t, Config{Policy: &Policy{Allow: func(id Identity) bool { return id.UID == uint32(unix.Getuid()) }}})
	c2 := dial(t, s2.Port(), nil)
	if _, err := c2.Request(ctx, typeEcho, nl.Acknowledge, []byte("x")); err != nil {
		t.Fatal(err)
	}
}

// asUser runs fn on a thread whose real and effective ids are uid and gid.
// Only that thread changes (the raw system calls act per thread, unlike
// syscall.Setuid); it is never unlocked, so it exits with the goroutine.
func asUser(t *testing.T, uid, gid uint32, fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESGID, uintptr(gid), uintptr(gid), uintptr(gid)); e != 0 {
			t.Errorf("setresgid: %v", e)
			return
		}
		if _, _, e := unix.RawSyscall(unix.SYS_SETRESUID, uintptr(uid), uintptr(uid), uintptr(uid)); e != 0 {
			t.Errorf("setresuid: %v", e)
			return
		}
		fn()
	}()
	<-done
}

// A process of another user is refused by the default policy (own user
// and root), and its real credentials are what a server sees.
func TestPolicyOtherUser(t *testing.T) {
	netnstest.RequirePrivileged(t) // asUser
	ctx := context.Background()
	s, _ := listen(t, Config{})
	c := dial(t, s.Port(), nil)
	if _, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("root")); err != nil {
		t.Fatalf("root: %v", err)
	}
	var err error
	asUser(t, 65534, 65534, func() { _, err = c.Request(ctx, typeEcho, nl.Acknowledge, []byte("nobody")) })
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.EPERM || !strings.Contains(ne.Message, "uid 65534") {
		t.Fatalf("nobody: %v", err)
	}

	seen := make(chan nl.Credentials, 1)
	s2, _ := listen(t, Config{Policy: &Policy{GIDs: []uint32{65534}}, Input: func(ctx context.Context, w *Writer, r *Request) error {
		seen <- r.Creds
		return nil
	}})
	c2 := dial(t, s2.Port(), nil)
	asUser(t, 65534, 65534, func() { _, err = c2.Request(ctx, typeQuiet, nl.Acknowledge, nil) })
	if err != nil {
		t.Fatal(err)
	}
	if cr := <-seen; cr.UID != 65534 || cr.GID != 65534 || cr.PID != int32(unix.Getpid()) {
		t.Fatalf("credentials %+v", cr)
	}
}

// 10,000 requests from 50 goroutines, all answered with their own reply.
func TestConcurrentRequests(t *testing.T) {
	s, _ := listen(t, Config{})
	const goroutines, each = 50, 200
	clients := make([]*Client, 10) // five goroutines share each client
	for i := range clients {
		clients[i] = dial(t, s.Port(), nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := clients[g%len(clients)]
			for i := range each {
				want := fmt.Sprintf("g%d-r%d", g, i)
				msgs, err := c.Request(context.Background(), typeEcho, 0, []byte(want))
				if err != nil || len(msgs) != 1 || string(msgs[0].Data) != want {
					errs <- fmt.Errorf("%s: %v %v", want, msgs, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st := s.Stats(); st.Requests != goroutines*each || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
}

// Shutdown answers the requests in flight, refuses new ones, then closes
// the port.
func TestShutdownInFlight(t *testing.T) {
	const inflight = 4
	entered := make(chan struct{}, inflight)
	release := make(chan struct{})
	s, _ := listen(t, Config{Workers: inflight, Input: func(ctx context.Context, w *Writer, r *Request) error {
		if string(r.Data) == "slow" {
			entered <- struct{}{}
			<-release
		}
		return w.Reply(typeEcho, r.Data)
	}})
	ctx := context.Background()
	results := make(chan error, inflight)
	for range inflight {
		c := dial(t, s.Port(), nil)
		go func() {
			msgs, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("slow"))
			if err == nil && (len(msgs) != 1 || string(msgs[0].Data) != "slow") {
				err = fmt.Errorf("replies %v", msgs)
			}
			results <- err
		}()
	}
	for range inflight {
		<-entered
	}
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	for s.serving.Err() == nil { // until Shutdown began
		runtime.Gosched()
	}

	// A new request while shutting down is refused: the port stays open
	// until the requests in flight are answered.
	late := dial(t, s.Port(), nil)
	_, err := late.Request(ctx, typeEcho, nl.Acknowledge, []byte("late"))
	if !errors.Is(err, unix.ESHUTDOWN) {
		t.Fatalf("request during shutdown: %v", err)
	}
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned with requests in flight: %v", err)
	default:
	}
	close(release)
	for range inflight {
		if err := <-results; err != nil {
			t.Fatalf("in-flight request: %v", err)
		}
	}
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if _, err := late.Request(ctx, typeEcho, nl.Acknowledge, []byte("after")); !errors.Is(err, unix.ECONNREFUSED) {
		t.Fatalf("request after shutdown: %v", err)
	}
	if err := s.Broadcast(ctx, 1, typeEcho, nil); err == nil {
		t.Fatal("broadcast after shutdown succeeded")
	}
}

// A client that does not read gets its reply dropped after SendTimeout;
// the reply waits outside the pool, and other clients are served
// meanwhile.
func TestStalledClient(t *testing.T) {
	s, logs := listen(t, Config{Workers: 2, SendTimeout: 50 * time.Millisecond})
	stalled := coreConn(t, nl.Config{Peer: s.Port(), ReadBuffer: 4096})
	b := make([]byte, nl.HeaderLen)
	nl.PutHeader(b, nl.Header{Len: nl.HeaderLen + 4, Type: typeMany, Flags: nl.Request, Seq: 1})
	if err := stalled.Send(context.Background(), append(b, u32(2000)...), nl.Addr{Port: s.Port()}); err != nil {
		t.Fatal(err)
	}
	c := dial(t, s.Port(), nil)
	if _, err := c.Request(context.Background(), typeEcho, nl.Acknowledge, []byte("meanwhile")); err != nil {
		t.Fatal(err)
	}
	for s.Stats().Dropped == 0 {
		time.Sleep(time.Millisecond)
	}
	if !strings.Contains(logs.String(), "is not reading") {
		t.Fatalf("log %q", logs)
	}
}

// The core's Conn.Batch: many requests per datagram, answered with their
// acknowledgements gathered in few datagrams, failures named by index.
func TestBatch(t *testing.T) {
	s, _ := listen(t, Config{})
	c := rawConn(t, s.Port())
	var e nl.Encoder
	for i := range 300 {
		typ := typeQuiet
		if i%100 == 7 {
			typ = typeFail
		}
		e.Begin(typ, 0)
		e.Payload(fmt.Appendf(nil, "request %d", i))
		e.End()
	}
	err := c.Batch(context.Background(), &e, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 3 || be.Failures[1].Index != 107 || be.Done != 300 {
		t.Fatalf("batch: %v", err)
	}
	var ne *nl.Error
	if !errors.As(be.Failures[1].Err, &ne) || !strings.HasPrefix(ne.Message, "request 107") {
		t.Fatalf("failure: %v", be.Failures[1].Err)
	}
}

// The sealed seeds of the fuzz corpus are real requests: the fuzzer starts
// from the decrypting paths, not from authentication failures.
func TestFuzzSeedsAnswered(t *testing.T) {
	for i, seed := range fuzzSeeds(t) {
		if !seed.sealed || i == len(fuzzSeeds(t))-1 {
			continue
		}
		s := fuzzServer(t, true)
		var got []nl.Message
		o := &outbuf{to: fuzzPort, send: func(b []byte, to uint32, refusal bool) error {
			msgs, err := nl.ParseMessages(nil, append([]byte(nil), b...))
			got = append(got, msgs...)
			return err
		}}
		s.handleDatagram(context.Background(), append([]byte(nil), seed.data...), nl.Meta{Port: fuzzPort, HasCreds: true}, o)
		s.cancel()
		for _, m := range got {
			if m.Header.Type == nl.MsgError {
				if e, _ := nl.ParseError(m, nil, 0); e != nil {
					t.Fatalf("seed %d refused: %v", i, e)
				}
			}
		}
		if len(got) == 0 {
			t.Fatalf("seed %d: no reply", i)
		}
	}
}
