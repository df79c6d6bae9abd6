package usersock

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

var testSecret = []byte("correct horse battery staple 42!")

func testKey(t testing.TB, secret []byte) *Key {
	t.Helper()
	k, err := NewKey(secret)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Sealed requests, replies and dumps round-trip; handlers see plaintext.
func TestSealedRoundTrip(t *testing.T) {
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key, Dump: dumpN})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	ctx := context.Background()
	msgs, err := c.Request(ctx, typeEcho, nl.Acknowledge, []byte("attack at dawn"))
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != "attack at dawn" {
		t.Fatalf("sealed echo: %v %v", msgs, err)
	}
	n := 0
	for m, err := range c.Dump(ctx, typeMany, u32(500)) {
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(string(m.Data)) != fmt.Sprint(n) {
			t.Fatalf("dump message %d: %q", n, m.Data)
		}
		n++
	}
	if n != 500 {
		t.Fatalf("dump: %d messages", n)
	}
	// Refusals still carry their message.
	if _, err := c.Request(ctx, typeFail, 0, []byte("no")); !errors.Is(err, unix.EINVAL) {
		t.Fatalf("sealed refusal: %v", err)
	}
	// Concurrent sealed requests on one client stay within the window.
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				want := fmt.Sprintf("%d/%d", g, i)
				msgs, err := c.Request(ctx, typeEcho, 0, []byte(want))
				if err != nil || len(msgs) != 1 || string(msgs[0].Data) != want {
					t.Errorf("%s: %v %v", want, msgs, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A tampered message fails authentication and a replayed one is refused,
// each with its own errno and message; so does a client with another key
// or none.
func TestSealedTamperAndReplay(t *testing.T) {
	key := testKey(t, testSecret)
	s, logs := listen(t, Config{Key: key})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	ctx := context.Background()

	var e nl.Encoder
	if _, err := c.encode(&e, typeEcho, nl.Acknowledge, []byte("pay 10 euros")); err != nil {
		t.Fatal(err)
	}
	e.Bytes()[nl.HeaderLen+sealHeader+5] ^= 1
	err := c.Conn().Do(ctx, &e, func(nl.Message) error { return nil })
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.EBADMSG || !strings.Contains(ne.Message, "authentication failed") {
		t.Fatalf("tampered: %v", err)
	}

	e.Reset()
	if _, err := c.encode(&e, typeEcho, nl.Acknowledge, []byte("pay 10 euros")); err != nil {
		t.Fatal(err)
	}
	if err := c.Conn().Do(ctx, &e, func(nl.Message) error { return nil }); err != nil {
		t.Fatalf("original: %v", err)
	}
	err = c.Conn().Do(ctx, &e, func(nl.Message) error { return nil }) // the same bytes again
	if !errors.As(err, &ne) || ne.Errno != unix.EALREADY || !strings.Contains(ne.Message, "replayed") {
		t.Fatalf("replayed: %v", err)
	}
	// The same bytes from another port do not authenticate.
	other := rawConn(t, s.Port())
	if err := other.Do(ctx, &e, func(nl.Message) error { return nil }); !errors.Is(err, unix.EBADMSG) {
		t.Fatalf("replayed from another port: %v", err)
	}

	// A client with another key cannot authenticate the server's refusal
	// either: it reports it as unauthentic, with the errno it claims.
	wrong := dial(t, s.Port(), &ClientConfig{Key: testKey(t, []byte("another secret of some length"))})
	if _, err := wrong.Request(ctx, typeEcho, nl.Acknowledge, []byte("x")); !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "EBADMSG") {
		t.Fatalf("wrong key: %v", err)
	}
	plain := dial(t, s.Port(), nil)
	if _, err := plain.Request(ctx, typeEcho, nl.Acknowledge, []byte("x")); !errors.Is(err, unix.EBADMSG) {
		t.Fatalf("no key: %v", err)
	}
	if st := s.Stats(); st.Invalid != 5 || st.Requests != 1 {
		t.Fatalf("stats %+v", st)
	}
	if !strings.Contains(logs.String(), "replayed") {
		t.Fatalf("log %q", logs)
	}
}

// A request sealed before the server started is stale (it may be a
// recording); the client seals it anew and retries, once. A request
// sealed in the future is stale too.
func TestSealedStaleRequest(t *testing.T) {
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	var sealedAt []int64
	c.seal.clock = func() int64 {
		at := now()
		if len(sealedAt) == 0 {
			at = s.started - 1 // before the server
		}
		sealedAt = append(sealedAt, at)
		return at
	}
	msgs, err := c.Request(context.Background(), typeEcho, 0, []byte("hi"))
	if err != nil || len(msgs) != 1 || len(sealedAt) != 2 {
		t.Fatalf("after resealing: %v %v (%d seals)", msgs, err, len(sealedAt))
	}
	// Without the retry, the server's refusal.
	var e nl.Encoder
	c.seal.clock = func() int64 { return s.started }
	c.encode(&e, typeEcho, nl.Acknowledge, []byte("old"))
	err = c.Conn().Do(context.Background(), &e, func(nl.Message) error { return nil })
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Errno != unix.ESTALE || !strings.Contains(ne.Message, staleBefore) {
		t.Fatalf("request sealed before the server: %v", err)
	}
	e.Reset()
	c.seal.clock = func() int64 { return now() + int64(time.Hour) }
	c.encode(&e, typeEcho, nl.Acknowledge, []byte("future"))
	err = c.Conn().Do(context.Background(), &e, func(nl.Message) error { return nil })
	if !errors.As(err, &ne) || ne.Errno != unix.ESTALE || !strings.Contains(ne.Message, staleFuture) {
		t.Fatalf("request sealed in the future: %v", err)
	}
}

// Sealed broadcasts are read by members with the key, unreadable without
// it, and refused with a wrong one.
func TestSealedBroadcast(t *testing.T) {
	joinsGroups(t)
	key := testKey(t, testSecret)
	s, _ := listen(t, Config{Key: key, Groups: 2})
	ctx := context.Background()
	good := dial(t, s.Port(), &ClientConfig{Key: key})
	if err := good.Subscribe(ctx, 2); err != nil {
		t.Fatal(err)
	}
	eavesdropper := dial(t, s.Port(), nil)
	eavesdropper.Join(2)
	wrongKey := testKey(t, []byte("another secret of some length"))
	wrong := dial(t, s.Port(), &ClientConfig{Key: wrongKey})
	wrong.Join(2)
	if err := s.Broadcast(ctx, 2, typeEcho, []byte("the eagle has landed")); err != nil {
		t.Fatal(err)
	}
	for m, err := range good.Messages(ctx) {
		if err != nil || string(m.Data) != "the eagle has landed" || m.Meta.Group != 2 {
			t.Fatalf("member: %q %v", m.Data, err)
		}
		break
	}
	for m, err := range eavesdropper.Messages(ctx) {
		if err != nil || strings.Contains(string(m.Data), "eagle") || len(m.Data) != len("the eagle has landed")+sealOverhead {
			t.Fatalf("eavesdropper: %q %v", m.Data, err)
		}
		break
	}
	for _, err := range wrong.Messages(ctx) {
		if !errors.Is(err, ErrAuth) {
			t.Fatalf("wrong key: %v", err)
		}
		break
	}
}

// secretChecker returns a check that fails the test if a string shows key
// material of key, made from testSecret.
func secretChecker(t *testing.T, key *Key) func(what, s string) {
	forbidden := []string{
		string(testSecret), hex.EncodeToString(testSecret), fmt.Sprint(testSecret),
		string(key.prk), hex.EncodeToString(key.prk), fmt.Sprint(key.prk),
	}
	return func(what, s string) {
		t.Helper()
		for _, f := range forbidden {
			if strings.Contains(s, f) {
				t.Fatalf("%s shows key material: %s", what, s)
			}
		}
	}
}

// No key material appears in any formatting of a Key or of what holds one,
// nor in errors.
func TestSecretsNeverShown(t *testing.T) {
	key := testKey(t, testSecret)
	check := secretChecker(t, key)
	cfg := Config{Key: key, Port: 7}
	ccfg := ClientConfig{Key: key}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		for _, v := range []any{key, *key, cfg, &cfg, ccfg, &ccfg} {
			check(verb, fmt.Sprintf(verb, v))
		}
	}
	if _, err := NewKey(testSecret[:10]); err == nil {
		t.Fatal("short secret accepted")
	} else {
		check("error", err.Error())
		if strings.Contains(err.Error(), string(testSecret[:10])) {
			t.Fatalf("error shows the secret: %v", err)
		}
	}
}

// No key material appears in the descriptions of a sealed server and
// client, nor in the errors and logs of the messages they refuse.
func TestSecretsNeverLogged(t *testing.T) {
	key := testKey(t, testSecret)
	check := secretChecker(t, key)
	s, logs := listen(t, Config{Key: key})
	c := dial(t, s.Port(), &ClientConfig{Key: key})
	check("server", s.String())
	check("client", c.String())
	// Errors and logs of refused messages.
	var e nl.Encoder
	c.encode(&e, typeEcho, nl.Acknowledge, testSecret)
	e.Bytes()[nl.HeaderLen+sealHeader] ^= 1
	err := c.Conn().Do(context.Background(), &e, func(nl.Message) error { return nil })
	check("tamper error", fmt.Sprintf("%v %+v %#v", err, err, err))
	_, err = dial(t, s.Port(), nil).Request(context.Background(), typeEcho, nl.Acknowledge, []byte("x"))
	check("plain error", fmt.Sprintf("%v", err))
	check("log", logs.String())
	if logs.String() == "" {
		t.Fatal("nothing logged")
	}
}

func TestWindow(t *testing.T) {
	var w window
	accept := func(c uint64) bool {
		if !w.check(c) {
			return false
		}
		w.accept(c)
		return true
	}
	if accept(0) {
		t.Fatal("counter 0 accepted")
	}
	for _, c := range []uint64{1, 2, 5, 4, 3} {
		if !accept(c) {
			t.Fatalf("fresh %d refused", c)
		}
	}
	for _, c := range []uint64{1, 3, 5} {
		if accept(c) {
			t.Fatalf("replayed %d accepted", c)
		}
	}
	if !accept(5 + windowBits - 1) {
		t.Fatal("jump refused")
	}
	if accept(5) || !accept(6) || accept(6) {
		t.Fatal("window edge")
	}
	if !accept(1 << 40) {
		t.Fatal("far jump refused")
	}
	if accept(6+windowBits) || !accept(1<<40-10) || accept(1<<40-10) {
		t.Fatal("after far jump")
	}
}

// A table full with maxSessions forgets the least recently heard quarter
// of them, and then refuses messages of unknown sessions of their ports
// sealed at or before the newest message of the sessions it forgot of the
// port, and no others.
func TestPeerTableEviction(t *testing.T) {
	key := testKey(t, testSecret)
	tab := newPeerTable(key)
	seal := func(port uint32, epoch uint64, at int64) []byte {
		s, err := newSealer(key, port, epoch)
		if err != nil {
			t.Fatal(err)
		}
		s.clock = func() int64 { return at }
		b, _ := s.seal(nil, kindRequest, 16, 1, binding{}, []byte("x"))
		return b
	}
	base := now()
	if _, _, err := tab.open(seal(1, 7, base-5), 1, kindRequest, 16, 1, binding{}, true, base); !errors.Is(err, ErrStale) {
		t.Fatalf("sealed before since: %v", err)
	}
	for p := range uint32(maxSessions + 1) {
		if _, _, err := tab.open(seal(p+1, 7, base+int64(p)+1), p+1, kindRequest, 16, 1, binding{}, true, base); err != nil {
			t.Fatalf("port %d: %v", p+1, err)
		}
	}
	// The new session made room by forgetting the oldest quarter and one,
	// each raising its own port's floor only.
	if len(tab.sessions) != maxSessions-maxSessions/4 || tab.floor != 0 || tab.sessions[sessionID{1, 7}] != nil ||
		tab.peers[1].floor != base+1 || tab.peers[maxSessions/4+1].floor != base+maxSessions/4+1 || tab.peers[maxSessions/4+2].floor != 0 {
		t.Fatalf("%d sessions, floor %d (base %d)", len(tab.sessions), tab.floor, base)
	}
	// Another port's new session sealed as early is taken.
	if _, _, err := tab.open(seal(maxSessions+7, 7, base+1), maxSessions+7, kindRequest, 16, 1, binding{}, true, base); err != nil {
		t.Fatalf("new port after eviction: %v", err)
	}
	// The forgotten session's message is not taken again.
	if _, _, err := tab.open(seal(1, 7, base+1), 1, kindRequest, 16, 1, binding{}, true, base); !errors.Is(err, ErrStale) {
		t.Fatalf("replay of a forgotten session's message: %v", err)
	}
	// A later one is.
	if _, _, err := tab.open(seal(1, 8, base+int64(maxSessions)+5), 1, kindRequest, 16, 1, binding{}, true, base); err != nil {
		t.Fatalf("new session after eviction: %v", err)
	}
}
