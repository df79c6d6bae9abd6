package nl_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// uevent splits a kernel uevent, "ACTION@DEVPATH\0KEY=VALUE\0...", into
// its header and variables.
func uevent(b []byte) (string, map[string]string) {
	parts := bytes.Split(bytes.TrimRight(b, "\x00"), []byte{0})
	vars := map[string]string{}
	for _, p := range parts[1:] {
		if k, v, ok := strings.Cut(string(p), "="); ok {
			vars[k] = v
		}
	}
	return string(parts[0]), vars
}

// Acceptance: kernel uevents, which are not netlink messages, received
// through the datagram listener in a fresh namespace (a veth pair added and
// removed), and the listener ended by cancelling its context.
func TestUeventDatagrams(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.KObjectUEvent, &nl.Config{Groups: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type event struct {
		head string
		vars map[string]string
		meta nl.Meta
	}
	events := make(chan event, 64)
	done := make(chan error, 1)
	go func() {
		for d, err := range c.Datagrams(ctx) {
			if err != nil {
				done <- err
				return
			}
			if d.Truncated() {
				t.Errorf("uevent of %d bytes cut to %d", d.Len, len(d.Data))
			}
			head, vars := uevent(d.Data)
			events <- event{head, vars, d.Meta}
		}
		done <- nil
	}()
	ns.IP("link", "add", "ue0", "type", "veth", "peer", "name", "ue1")
	ns.IP("link", "del", "ue0")
	want := []string{"add@/devices/virtual/net/ue0", "remove@/devices/virtual/net/ue0"}
	for len(want) > 0 {
		select {
		case ev := <-events:
			if ev.meta.Port != 0 || ev.meta.Group != 1 {
				t.Errorf("%s: from port %d group %d, want the kernel's group 1", ev.head, ev.meta.Port, ev.meta.Group)
			}
			if ev.head == want[0] {
				if ev.vars["INTERFACE"] != "ue0" || ev.vars["SUBSYSTEM"] != "net" {
					t.Errorf("%s: variables %v", ev.head, ev.vars)
				}
				want = want[1:]
			}
		case err := <-done:
			t.Fatalf("the listener ended early: %v (still waiting for %v)", err, want)
		case <-ctx.Done():
			t.Fatalf("no uevent %v", want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("the listener ended with %v, want the context's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("cancelling the context did not end the listener")
	}
}

func event(typ nl.MsgType, text string) nl.Message {
	return nl.Message{Header: nl.Header{Type: typ}, Data: []byte(text)}
}

// A malformed datagram between two good ones is reported, and the good one
// after it is delivered: the fake's version.
func TestFakeMessagesSkipMalformed(t *testing.T) {
	sock := nltest.NewSocket(nil)
	c, err := nl.NewConn(sock, nl.Route, nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := nl.AppendMessage(nil, event(unix.RTM_NEWLINK, "cut"))
	bad[0] = 200 // a length beyond the datagram
	sock.Inject(
		nltest.Datagram{Messages: []nl.Message{event(unix.RTM_NEWLINK, "first")}, Group: 1},
		nltest.Datagram{Raw: bad, Group: 1},
		nltest.Datagram{Messages: []nl.Message{event(unix.RTM_NEWLINK, "second")}, Group: 1},
	)
	if got := threeMessages(t, c, context.Background(), nil); got != "first malformed second" {
		t.Fatalf("got %v", got)
	}
}

// threeMessages reads three items from c's listener: the payloads of
// messages, or "malformed" for an error wrapping ErrMalformed (any other
// error fails the test); check, if not nil, looks at each message.
func threeMessages(t *testing.T, c *nl.Conn, ctx context.Context, check func(nl.Message)) string {
	t.Helper()
	var got []string
	for m, err := range c.Messages(ctx) {
		switch {
		case errors.Is(err, nl.ErrMalformed):
			if !strings.Contains(err.Error(), "port") {
				t.Errorf("%v does not name the sender", err)
			}
			got = append(got, "malformed")
		case err != nil:
			t.Fatalf("error %v, want one wrapping ErrMalformed", err)
		default:
			if check != nil {
				check(m)
			}
			got = append(got, string(m.Data))
		}
		if len(got) == 3 {
			break
		}
	}
	return strings.Join(got, " ")
}

// The same through the real kernel: a user-space peer sends a good
// datagram, garbage, and a good one to a listener on NETLINK_USERSOCK.
func TestMessagesSkipMalformed(t *testing.T) {
	ns := netnstest.New(t)
	rx := ns.Dial(nl.UserSock, nil)
	tx := ns.Dial(nl.UserSock, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	to := nl.Addr{Port: rx.Port()}
	for _, b := range [][]byte{
		nl.AppendMessage(nil, event(100, "first")),
		[]byte("not a netlink message"),
		nl.AppendMessage(nil, event(100, "second")),
	} {
		if err := tx.Send(ctx, b, to); err != nil {
			t.Fatal(err)
		}
	}
	got := threeMessages(t, rx, ctx, func(m nl.Message) {
		if m.Meta.Port != tx.Port() {
			t.Errorf("from port %d, want %d", m.Meta.Port, tx.Port())
		}
	})
	if got != "first malformed second" {
		t.Fatalf("got %v", got)
	}
}

// A datagram larger than the listener's buffer is reported as cut, with its
// full length, never silently; the buffer grows and the next one fits.
func TestDatagramTruncatedReported(t *testing.T) {
	sock := nltest.NewSocket(nil)
	c, err := nl.NewConn(sock, nl.Route, &nl.Config{DatagramBuffer: 64})
	if err != nil {
		t.Fatal(err)
	}
	big := event(unix.RTM_NEWLINK, strings.Repeat("x", 200))
	sock.Inject(
		nltest.Datagram{Messages: []nl.Message{big}, Group: 1},
		nltest.Datagram{Messages: []nl.Message{big}, Group: 1},
		nltest.Datagram{Messages: []nl.Message{big}, Group: 1},
	)
	n := 0
	for d, err := range c.Datagrams(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 1 && (!d.Truncated() || d.Len != 216 || len(d.Data) != 64) {
			t.Fatalf("first datagram: %d of %d bytes, truncated %v", len(d.Data), d.Len, d.Truncated())
		}
		if n == 2 {
			if d.Truncated() || len(d.Data) != 216 {
				t.Fatalf("second datagram: %d of %d bytes", len(d.Data), d.Len)
			}
			break
		}
	}
	// Messages turns a cut datagram into an overrun that says so.
	c2, _ := nl.NewConn(sock, nl.Route, &nl.Config{DatagramBuffer: 64})
	for _, err := range c2.Messages(context.Background()) {
		var oe *nl.OverrunError
		if !errors.As(err, &oe) || !errors.Is(err, nl.ErrTruncated) || !errors.Is(err, nl.ErrOverrun) || oe.Truncated != 216 {
			t.Fatalf("err = %v, want an overrun reporting the cut", err)
		}
		break
	}
}

// TrySend never waits for a full receiver: it says so at once, and Send
// waits until its context ends.
func TestTrySendFull(t *testing.T) {
	ns := netnstest.New(t)
	rx := ns.Dial(nl.UserSock, nil)
	rx.SetReadBuffer(1) // the kernel's minimum
	tx := ns.Dial(nl.UserSock, nil)
	msg := nl.AppendMessage(nil, event(100, strings.Repeat("y", 1000)))
	to := nl.Addr{Port: rx.Port()}
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = tx.TrySend(msg, to)
	}
	if !errors.Is(err, nl.ErrFull) || !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("TrySend to a receiver that does not read: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tx.Send(ctx, msg, to); !errors.Is(err, nl.ErrFull) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a full receiver: %v", err)
	}
}
