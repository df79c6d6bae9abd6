package nl_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// A tiny typed object for the toolkit tests: a link's index and name.
type testLink struct {
	Index int32
	Name  string
}

func decodeTestLink(l *testLink, m nl.Message) error {
	if len(m.Data) < unix.SizeofIfInfomsg {
		return fmt.Errorf("short link message: %w", nl.ErrMalformed)
	}
	l.Index = int32(binary.NativeEndian.Uint32(m.Data[4:]))
	d := nl.NewAttrDecoder(m.Data[unix.SizeofIfInfomsg:])
	for d.Next() {
		if d.Type() == unix.IFLA_IFNAME {
			l.Name = d.String()
		}
	}
	return d.Err()
}

var testLinks = nl.ObjectDecoder[testLink]{Type: unix.RTM_NEWLINK, Decode: decodeTestLink}

// fakeLinks is a fake kernel whose link dump holds n links, interrupted
// the first time when interruptOnce is set.
func fakeLinks(n int, interrupted *int) nltest.Func {
	return func(req nl.Message) []nltest.Datagram {
		msgs := make([]nl.Message, n)
		for i := range msgs {
			var e nl.Encoder
			e.Begin(unix.RTM_NEWLINK, 0)
			h := e.Fixed(unix.SizeofIfInfomsg)
			binary.NativeEndian.PutUint32(h[4:], uint32(i+1))
			e.String(unix.IFLA_IFNAME, fmt.Sprintf("l%d", i+1))
			e.End()
			msgs[i] = e.Message(0).Clone()
		}
		var extra nl.Flags
		if *interrupted > 0 {
			*interrupted--
			extra = nl.DumpIntr
		}
		return nltest.Split(nltest.Multipart(req, extra, msgs...), 50)
	}
}

func linkDumpRequest() *nl.Encoder {
	var e nl.Encoder
	e.Begin(unix.RTM_GETLINK, nl.Dump)
	e.Fixed(unix.SizeofIfInfomsg)
	e.End()
	return &e
}

// Collect gathers small and large listings alike, retrying an interrupted
// dump; Objects reuses one value and filters with Keep.
func TestCollectAndObjects(t *testing.T) {
	for _, n := range []int{0, 3, 1500} {
		interrupted := 2
		c := nltest.Dial(nl.Route, fakeLinks(n, &interrupted), nil)
		got, err := nl.Collect(context.Background(), c, linkDumpRequest(), testLinks)
		if err != nil {
			t.Fatalf("%d links: %v", n, err)
		}
		if len(got) != n || interrupted != 0 {
			t.Fatalf("%d links: got %d, %d interruptions left", n, len(got), interrupted)
		}
		for i, l := range got {
			if l.Index != int32(i+1) || l.Name != fmt.Sprintf("l%d", i+1) {
				t.Fatalf("link %d: %+v", i, l)
			}
		}
	}
	interrupted := 0
	c := nltest.Dial(nl.Route, fakeLinks(10, &interrupted), nil)
	d := testLinks
	d.Keep = func(l *testLink) bool { return l.Index%2 == 0 }
	var first *testLink
	n := 0
	for l, err := range nl.Objects(context.Background(), c, linkDumpRequest(), d) {
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = l
		} else if l != first {
			t.Fatal("Objects yields a new value per object; it should reuse one")
		}
		if l.Index%2 != 0 {
			t.Fatalf("Keep ignored: %+v", *l)
		}
		n++
	}
	if n != 5 {
		t.Fatalf("%d links kept, want 5", n)
	}
	// An interrupted dump ends Objects with ErrDumpInterrupted; Collect
	// gives up after DefaultRetries.
	interrupted = nl.DefaultRetries + 1
	c = nltest.Dial(nl.Route, fakeLinks(10, &interrupted), nil)
	if _, err := nl.Collect(context.Background(), c, linkDumpRequest(), testLinks); !errors.Is(err, nl.ErrDumpInterrupted) {
		t.Fatalf("Collect of a dump always interrupted: %v", err)
	}
}

// A decoding error ends the listing, after the dump let the connection go.
func TestObjectsDecodeError(t *testing.T) {
	interrupted := 0
	c := nltest.Dial(nl.Route, fakeLinks(10, &interrupted), nil)
	d := testLinks
	d.Decode = func(l *testLink, m nl.Message) error {
		if err := decodeTestLink(l, m); err != nil {
			return err
		}
		if l.Index == 4 {
			return errors.New("link 4 is bad")
		}
		return nil
	}
	n := 0
	for _, err := range nl.Objects(context.Background(), c, linkDumpRequest(), d) {
		if err != nil {
			if err.Error() != "link 4 is bad" {
				t.Fatal(err)
			}
			// The connection is usable from the loop body.
			if _, err := nl.Collect(context.Background(), c, linkDumpRequest(), testLinks); err != nil {
				t.Fatalf("the connection after a decoding error: %v", err)
			}
			break
		}
		n++
	}
	if n != 3 {
		t.Fatalf("%d links before the error, want 3", n)
	}
}

// Acceptance: the resync helper. A listener loses link events to an
// overrun; the Resync dumps on a connection of its own, in the listener's
// namespace (not the caller's), and Diff tells what changed since the
// last snapshot. The events that kept arriving stay with the listener.
func TestResyncAfterOverrun(t *testing.T) {
	ns := netnstest.New(t)
	listener := ns.Dial(nl.Route, nil)
	if err := listener.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	r := nl.NewResync(listener, nil)
	defer r.Close()
	dc, err := r.Conn()
	if err != nil {
		t.Fatal(err)
	}
	key := func(l *testLink) int32 { return l.Index }
	before, err := nl.Snapshot(context.Background(), dc, linkDumpRequest(), testLinks, key)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 { // lo: the namespace's, not the host's
		t.Fatalf("snapshot of a fresh namespace: %v", before)
	}
	listener.SetReadBuffer(1) // the kernel's minimum: events overflow it
	for i := range 20 {
		ns.IP("link", "add", fmt.Sprintf("rs%d", i), "type", "veth", "peer", "name", fmt.Sprintf("rs%dp", i))
	}
	ns.IP("link", "set", "lo", "up")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	lost := false
	for _, err := range listener.Messages(ctx) {
		if errors.Is(err, nl.ErrOverrun) {
			lost = true
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !lost {
		t.Fatal("no overrun with a minimal receive buffer")
	}
	// The kernel drops every event from the overrun until the socket's
	// queue is read empty: read it out first, then fetch the state.
	listener.SetReadBuffer(1 << 20)
	idle, stop := context.WithTimeout(ctx, 200*time.Millisecond)
	for _, err := range listener.Messages(idle) {
		if err != nil && !errors.Is(err, nl.ErrOverrun) {
			break
		}
	}
	stop()
	after, err := nl.Snapshot(context.Background(), dc, linkDumpRequest(), testLinks, key)
	if err != nil {
		t.Fatal(err)
	}
	var added []string
	for ch := range nl.Diff(before, after, nil) {
		switch {
		case ch.Old == nil:
			added = append(added, ch.New.Name)
		case ch.New == nil:
			t.Errorf("removed: %+v", *ch.Old)
		default:
			t.Errorf("changed: %+v to %+v", *ch.Old, *ch.New) // an index or a name
		}
	}
	sort.Strings(added)
	if len(added) != 40 || !strings.HasPrefix(added[0], "rs") {
		t.Fatalf("added %d links: %v", len(added), added)
	}
	// The listener goes on, and sees what changes next.
	ns.IP("link", "del", "rs0")
	seen := false
	for m, err := range listener.Messages(ctx) {
		if err != nil {
			t.Fatalf("after the resync: %v", err)
		}
		if m.Header.Type == unix.RTM_DELLINK {
			seen = true
			break
		}
	}
	if !seen {
		t.Fatal("the listener missed the deletion after the resync")
	}
}

// After an overrun the kernel drops every message for the socket until its
// queue is read empty, replies included: a request made then still gets
// its reply, the queue being read out first, and the events read are kept
// for the listener.
func TestRequestAfterOverrun(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	c.SetReadBuffer(1)
	for i := range 20 {
		ns.IP("link", "add", fmt.Sprintf("ov%d", i), "type", "veth", "peer", "name", fmt.Sprintf("ov%dp", i))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// The first request meets the overrun; the next ones must get their
	// replies, which the kernel sends as unicasts, dropped while the
	// socket is congested.
	var e nl.Encoder
	for i := range 3 {
		e.Reset()
		e.Begin(unix.RTM_GETLINK, 0)
		e.Fixed(unix.SizeofIfInfomsg)
		e.String(unix.IFLA_IFNAME, "lo")
		e.End()
		rctx, rcancel := context.WithTimeout(ctx, 3*time.Second)
		_, err := c.Execute(rctx, &e)
		rcancel()
		if i == 0 && !errors.Is(err, nl.ErrOverrun) {
			t.Logf("first request: %v (no overrun met)", err)
		}
		if i > 0 && err != nil {
			t.Fatalf("request %d after the overrun: %v", i, err)
		}
	}
	c.SetReadBuffer(1 << 20)
	got, err := c.Receive(ctx)
	if err == nil && len(got) == 0 {
		t.Fatal("the listener got nothing")
	}
}

// A Resync refuses a listener over a fake socket rather than dump the
// caller's namespace.
func TestResyncFakeRefused(t *testing.T) {
	c := nltest.Dial(nl.Route, nil, nil)
	if _, err := nl.NewResync(c, nil).Conn(); err == nil {
		t.Fatal("a Resync of a fake listener dialed a real socket")
	}
}
