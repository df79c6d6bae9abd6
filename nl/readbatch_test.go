package nl_test

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// routeEventDst returns the destination of an IPv4 route event.
func routeEventDst(t *testing.T, m nl.Message) netip.Addr {
	t.Helper()
	if len(m.Data) < unix.SizeofRtMsg {
		t.Fatalf("short route message: %x", m.Data)
	}
	d := nl.NewAttrDecoder(m.Data[unix.SizeofRtMsg:])
	for d.Next() {
		if d.Type() == unix.RTA_DST {
			if a, ok := netip.AddrFromSlice(d.Bytes()); ok {
				return a
			}
		}
	}
	t.Fatalf("route event without RTA_DST: %x", m.Data)
	return netip.Addr{}
}

// routeAt is the i-th /32 of the batch-read tests, 10.77.x.y.
func routeAt(i int) netip.Prefix {
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 77, byte(i >> 8), byte(i)}), 32)
}

// A listener that reads several datagrams per system call (ReadBatch)
// delivers every event, in the order the kernel sent it, also when a
// request made from the loop body, in the middle of a batch, keeps the
// events that arrive during it; and it does read several at once.
func TestReadBatchKeepsOrder(t *testing.T) {
	ns := netnstest.New(t)
	idx := upVeth(t, ns)
	mon := ns.Dial(nl.Route, &nl.Config{ReadBatch: 8, ReadBuffer: 16 << 20})
	if err := mon.JoinGroup(unix.RTNLGRP_IPV4_ROUTE); err != nil {
		t.Fatal(err)
	}
	// 600 events queued before the listener starts.
	const queued = 600
	var e nl.Encoder
	for i := range queued {
		encodeRoute(&e, routeAt(i), idx, nl.Create|nl.Excl)
	}
	other := ns.Dial(nl.Route, nil)
	if err := other.Batch(context.Background(), &e, nil); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	next, requested := 0, false
	bases := map[uintptr]bool{}
	for d, err := range mon.Datagrams(ctx) {
		if err != nil {
			t.Fatalf("after %d events: %v", next, err)
		}
		bases[uintptr(unsafe.Pointer(unsafe.SliceData(d.Data)))] = true
		for m, err := range d.Messages() {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Type != unix.RTM_NEWROUTE {
				continue
			}
			if got, want := routeEventDst(t, m), routeAt(next).Addr(); got != want {
				t.Fatalf("event %d is for %v, want %v", next, got, want)
			}
			next++
		}
		if next == 5 && !requested {
			// A request on the listening connection, mid-batch: its own
			// event and three more from another socket arrive while it
			// holds the socket, and must come after the 595 read before.
			requested = true
			var r nl.Encoder
			encodeRoute(&r, routeAt(queued), idx, nl.Acknowledge|nl.Create|nl.Excl)
			if err := mon.Do(ctx, &r, nil); err != nil {
				t.Fatal(err)
			}
			var more nl.Encoder
			for i := queued + 1; i < queued+4; i++ {
				encodeRoute(&more, routeAt(i), idx, nl.Create|nl.Excl)
			}
			if err := other.Batch(ctx, &more, nil); err != nil {
				t.Fatal(err)
			}
			// The next request finds those three queued: it keeps them.
			if names := linkNames(t, mon); len(names) != 3 {
				t.Fatalf("links = %v", names)
			}
		}
		if next == queued+4 {
			break
		}
	}
	// One datagram buffer would give every datagram the same address;
	// reads of several fill several buffers.
	if len(bases) < 2 {
		t.Errorf("every datagram was read into the same buffer: ReadBatch did not batch")
	}
}

// A datagram larger than a batch buffer comes back cut, says so, and the
// buffers grow: the next one arrives whole.
func TestReadBatchTruncatesThenGrows(t *testing.T) {
	ns := netnstest.New(t)
	a := ns.Dial(nl.UserSock, nil)
	b := ns.Dial(nl.UserSock, &nl.Config{ReadBatch: 4, DatagramBuffer: 512})
	if err := b.JoinGroup(3); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	big := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 100}, Data: make([]byte, 3000)})
	for range 2 {
		if err := a.Send(ctx, big, nl.Addr{Groups: 1 << (3 - 1)}); err != nil {
			t.Fatal(err)
		}
	}
	var sizes []int
	var cut []bool
	for d, err := range b.Datagrams(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(d.Data))
		cut = append(cut, d.Truncated())
		if len(sizes) == 1 && d.Len != len(big) {
			t.Errorf("a cut datagram's Len = %d, want %d", d.Len, len(big))
		}
		if len(sizes) == 1 {
			// The second was read with the first, into a small buffer.
			if err := a.Send(ctx, big, nl.Addr{Groups: 1 << (3 - 1)}); err != nil {
				t.Fatal(err)
			}
		}
		if len(sizes) == 3 {
			break
		}
	}
	if !cut[0] || sizes[0] != 512 {
		t.Errorf("first datagram: %d bytes, cut %v; want 512, cut", sizes[0], cut[0])
	}
	if cut[2] || sizes[2] != len(big) {
		t.Errorf("third datagram (after the buffers grew): %d bytes, cut %v; want %d whole", sizes[2], cut[2], len(big))
	}
}

// An overrun met by a batch read is reported, and the stream goes on: once
// the queue is read out, a new event arrives.
func TestReadBatchOverrun(t *testing.T) {
	ns := netnstest.New(t)
	mon := ns.Dial(nl.Route, &nl.Config{ReadBatch: 8})
	if err := mon.SetReadBuffer(1); err != nil { // the kernel's minimum
		t.Fatal(err)
	}
	if err := mon.JoinGroup(unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
	ns.IP("link", "set", "lo", "up")
	addLoAddresses(t, ns, 7, 300)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	overrun := false
	for _, err := range mon.Datagrams(ctx) {
		if err != nil {
			if !errors.Is(err, nl.ErrOverrun) {
				t.Fatalf("receive: %v, want the overrun error", err)
			}
			overrun = true
			break
		}
	}
	if !overrun {
		t.Fatal("a flood into a minimal buffer did not report an overrun")
	}
	// The kernel drops every event until the queue is read out.
	for {
		short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		_, err := mon.Receive(short)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	ns.IP("address", "add", "10.8.0.1/32", "dev", "lo")
	for d, err := range mon.Datagrams(ctx) {
		if err != nil {
			t.Fatalf("after the overrun: %v", err)
		}
		for m := range d.Messages() {
			if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
				continue
			}
			ad := nl.NewAttrDecoder(m.Data[unix.SizeofIfAddrmsg:])
			for ad.Next() {
				if ad.Type() == unix.IFA_LOCAL && netip.AddrFrom4([4]byte(ad.Bytes())) == netip.MustParseAddr("10.8.0.1") {
					return
				}
			}
		}
	}
}
