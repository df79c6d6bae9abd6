package nl_test

// Tests of what the real kernel cannot be made to do on demand, through the
// nltest fake behind the real Conn.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

func getReq(e *nl.Encoder) {
	e.Reset()
	e.Begin(unix.RTM_GETLINK, 0)
	e.Fixed(unix.SizeofIfInfomsg)
	e.End()
}

func link(i int) nl.Message {
	return nl.Message{Header: nl.Header{Type: unix.RTM_NEWLINK}, Data: []byte(fmt.Sprintf("link%04d", i))}
}

func links(n int) []nl.Message {
	out := make([]nl.Message, n)
	for i := range out {
		out[i] = link(i)
	}
	return out
}

func collect(c *nl.Conn, e *nl.Encoder) ([]string, error) {
	var got []string
	for m, err := range c.Dump(context.Background(), e) {
		if err != nil {
			return got, err
		}
		got = append(got, string(m.Data))
	}
	return got, nil
}

func TestFakeMultipartAcrossDatagrams(t *testing.T) {
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		if req.Header.Flags&nl.Dump != nl.Dump || req.Header.Flags&nl.Request == 0 {
			t.Errorf("dump request flags %v", req.Header.Flags)
		}
		return nltest.Split(nltest.Multipart(req, 0, links(10)...), 3)
	}, nil)
	var e nl.Encoder
	getReq(&e)
	got, err := collect(c, &e)
	if err != nil || len(got) != 10 || got[9] != "link0009" {
		t.Fatalf("%v, %v", got, err)
	}
}

// Acceptance 6 (fake): DUMP_INTR is typed, and Retry retries a bounded
// number of times.
func TestFakeDumpInterrupted(t *testing.T) {
	var attempts atomic.Int32
	interruptFirst := int32(2)
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		n := attempts.Add(1)
		if n <= interruptFirst {
			msgs := nltest.Multipart(req, 0, links(5)...)
			msgs[2].Header.Flags |= nl.DumpIntr
			msgs[len(msgs)-1].Header.Flags |= nl.DumpIntr
			return nltest.Split(msgs, 2)
		}
		return nltest.One(nltest.Multipart(req, 0, links(5)...)...)
	}, nil)
	var e nl.Encoder
	getReq(&e)
	got, err := collect(c, &e)
	if !errors.Is(err, nl.ErrDumpInterrupted) {
		t.Fatalf("first attempt: %v, want ErrDumpInterrupted", err)
	}
	if len(got) != 2 {
		t.Errorf("messages before the interruption: %v", got)
	}
	// The connection drained the interrupted dump: Retry's next attempt
	// succeeds and sees exactly the new dump.
	var result []string
	err = nl.Retry(5, func() error {
		getReq(&e)
		var err error
		result, err = collect(c, &e)
		return err
	})
	if err != nil || len(result) != 5 || attempts.Load() != 3 {
		t.Fatalf("retry: %v, %v after %d attempts", result, err, attempts.Load())
	}
	// Always interrupted: Retry gives up after its bound with the typed error.
	attempts.Store(0)
	interruptFirst = 1 << 30
	err = nl.Retry(4, func() error {
		getReq(&e)
		_, err := collect(c, &e)
		return err
	})
	if !errors.Is(err, nl.ErrDumpInterrupted) || attempts.Load() != 4 {
		t.Fatalf("always interrupted: %v after %d attempts", err, attempts.Load())
	}
}

func TestFakeMalformedReply(t *testing.T) {
	cases := map[string][]byte{
		"length beyond datagram": {0xff, 0, 0, 0, 16, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"short header":           {1, 2, 3},
		"short error":            nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: nl.MsgError}, Data: []byte{1, 2}}),
	}
	for name, raw := range cases {
		t.Run(name, func(t *testing.T) {
			calls := 0
			c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
				calls++
				if calls == 1 {
					raw := bytes.Clone(raw)
					if len(raw) >= 16 {
						// Address it to the request.
						copy(raw[8:12], []byte{byte(req.Header.Seq), byte(req.Header.Seq >> 8), byte(req.Header.Seq >> 16), byte(req.Header.Seq >> 24)})
					}
					return []nltest.Datagram{{Raw: raw}}
				}
				return nltest.One(nltest.Multipart(req, 0, links(1)...)...)
			}, nil)
			var e nl.Encoder
			getReq(&e)
			_, err := collect(c, &e)
			if !errors.Is(err, nl.ErrMalformed) {
				t.Fatalf("dump with %s: %v, want ErrMalformed", name, err)
			}
			// The connection is still usable.
			getReq(&e)
			got, err := collect(c, &e)
			if err != nil || len(got) != 1 {
				t.Fatalf("after a malformed reply: %v, %v", got, err)
			}
		})
	}
}

func TestFakeErrorsInsideDump(t *testing.T) {
	var e nl.Encoder
	// An NLMSG_ERROR inside a dump ends it with that error.
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		msgs := []nl.Message{link(0), link(1)}
		for i := range msgs {
			msgs[i].Header.Flags = nl.Multi
		}
		return nltest.One(append(nltest.Reply(req, msgs...), nltest.Error(req, unix.EOPNOTSUPP, "dump not supported here", 0))...)
	}, nil)
	getReq(&e)
	got, err := collect(c, &e)
	if !errors.Is(err, unix.EOPNOTSUPP) || len(got) != 2 || !strings.Contains(err.Error(), "dump not supported here") {
		t.Fatalf("%v, %v", got, err)
	}
	// An NLMSG_DONE carrying an error code ends it with that error.
	c = nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		msgs := nltest.Multipart(req, 0, link(0))
		code := -int32(unix.EMSGSIZE)
		done := &msgs[len(msgs)-1]
		done.Data = []byte{byte(code), byte(code >> 8), byte(code >> 16), byte(code >> 24)}
		return nltest.One(msgs...)
	}, nil)
	getReq(&e)
	if _, err := collect(c, &e); !errors.Is(err, unix.EMSGSIZE) {
		t.Fatalf("DONE with an error: %v", err)
	}
	// NLMSG_OVERRUN and ENOBUFS are the typed overrun.
	c = nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		return []nltest.Datagram{{Err: unix.ENOBUFS}}
	}, nil)
	getReq(&e)
	if _, err := collect(c, &e); !errors.Is(err, nl.ErrOverrun) {
		t.Fatalf("ENOBUFS: %v", err)
	}
	c = nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		return nltest.One(nltest.Reply(req, nl.Message{Header: nl.Header{Type: nl.MsgOverrun}})...)
	}, nil)
	getReq(&e)
	if _, err := collect(c, &e); !errors.Is(err, nl.ErrOverrun) {
		t.Fatalf("NLMSG_OVERRUN: %v", err)
	}
}

func TestFakeLargeDatagramGrowsBuffer(t *testing.T) {
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte(i)
	}
	c := nltest.Dial(nl.Generic, func(req nl.Message) []nltest.Datagram {
		return nltest.One(nltest.Reply(req, nl.Message{Header: nl.Header{Type: 30}, Data: big}, nltest.Ack(req))...)
	}, nil)
	var e nl.Encoder
	e.Begin(30, nl.Acknowledge)
	e.End()
	msgs, err := c.Execute(context.Background(), &e)
	if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0].Data, big) {
		t.Fatalf("large reply: %d messages, %v", len(msgs), err)
	}
}

func TestFakeMulticastKeptDuringRequest(t *testing.T) {
	var sock *nltest.Socket
	sock = nltest.NewSocket(func(req nl.Message) []nltest.Datagram {
		event := nl.Message{Header: nl.Header{Type: unix.RTM_NEWADDR}, Data: []byte("event")}
		// An event with the request's own sequence number, but delivered to
		// a group: never a reply.
		ev2 := event
		ev2.Header.Seq = req.Header.Seq
		return []nltest.Datagram{
			{Messages: []nl.Message{event}, Group: unix.RTNLGRP_IPV4_IFADDR},
			{Messages: []nl.Message{ev2}, Group: unix.RTNLGRP_IPV4_IFADDR},
			{Messages: []nl.Message{nltest.Ack(req)}},
		}
	})
	c, err := nl.NewConn(sock, nl.Route, nil)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	e.Begin(unix.RTM_NEWADDR, nl.Acknowledge)
	e.Fixed(8)
	e.End()
	if err := c.Do(context.Background(), &e, func(m nl.Message) error {
		t.Errorf("an event was taken for a reply: %+v", m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// Each kept datagram comes back from its own Receive, in order.
	var msgs []nl.Message
	for range 2 {
		got, err := c.Receive(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, got...)
	}
	if len(msgs) != 2 || msgs[0].Meta.Group != unix.RTNLGRP_IPV4_IFADDR || string(msgs[1].Data) != "event" || msgs[1].Header.Seq == 0 {
		t.Fatalf("kept events: %+v", msgs)
	}
}

func TestFakeWarningSurfaced(t *testing.T) {
	var warned *nl.Error
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		return nltest.One(nltest.Error(req, 0, "this option is deprecated", 0))
	}, &nl.Config{OnWarning: func(e *nl.Error) { warned = e }})
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e.Fixed(16)
	e.End()
	if err := c.Do(context.Background(), &e, nil); err != nil {
		t.Fatal(err)
	}
	if warned == nil || warned.Message != "this option is deprecated" || !warned.Warning() {
		t.Fatalf("warning: %+v", warned)
	}
}

// A request abandoned by its context does not confuse the next one: its
// late reply is dropped.
func TestFakeAbandonedRequest(t *testing.T) {
	var sock *nltest.Socket
	var late []nltest.Datagram
	calls := 0
	sock = nltest.NewSocket(func(req nl.Message) []nltest.Datagram {
		calls++
		if calls == 1 {
			late = nltest.One(nltest.Error(req, unix.EBUSY, "late", 0))
			return nil // no answer yet
		}
		return append(late, nltest.One(nltest.Ack(req))...)
	})
	c, _ := nl.NewConn(sock, nl.Route, nil)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e.End()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := c.Do(ctx, &e, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first request: %v", err)
	}
	e.Reset()
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e.End()
	if err := c.Do(context.Background(), &e, nil); err != nil {
		t.Fatalf("second request got %v", err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if msgs, err := c.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the late reply leaked to Receive: %v, %v", msgs, err)
	}
}

func TestFakeRequestShapes(t *testing.T) {
	c := nltest.Dial(nl.Route, nil, nil)
	var e nl.Encoder
	if err := c.Do(context.Background(), &e, nil); err == nil {
		t.Error("empty encoder accepted")
	}
	e.Begin(20, 0)
	e.End()
	e.Begin(20, 0)
	e.End()
	if err := c.Do(context.Background(), &e, nil); err == nil {
		t.Error("two messages accepted by Do")
	}
	c.Close()
	e.Reset()
	e.Begin(20, 0)
	e.End()
	if err := c.Do(context.Background(), &e, nil); err == nil {
		t.Error("closed connection accepted a request")
	}
}

// A dump datagram larger than the receive buffer, on a connection that
// reads without peeking, ends the dump with ErrDumpInterrupted; Retry then
// fetches it whole with the grown buffer.
func TestFakeOversizedDumpDatagram(t *testing.T) {
	attempts := 0
	big := make([]byte, 50<<10)
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		attempts++
		m := nl.Message{Header: nl.Header{Type: unix.RTM_NEWLINK}, Data: big}
		return nltest.Split(nltest.Multipart(req, 0, link(0), m, link(2)), 2)
	}, nil)
	var e nl.Encoder
	getReq(&e)
	if _, err := collect(c, &e); !errors.Is(err, nl.ErrDumpInterrupted) || !strings.Contains(err.Error(), "receive buffer") {
		t.Fatalf("first attempt: %v", err)
	}
	var got []string
	err := nl.Retry(3, func() error {
		getReq(&e)
		var err error
		got, err = collect(c, &e)
		return err
	})
	if err != nil || len(got) != 3 || len(got[1]) != len(big) || attempts != 2 {
		t.Fatalf("retry: %d messages, %v, after %d attempts", len(got), err, attempts)
	}
	// The late half of the cut dump was dropped, not taken for events.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if msgs, err := c.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stale dump parts leaked: %d messages, %v", len(msgs), err)
	}
}

// With a multicast membership, dumps peek first, so an oversized datagram
// is read whole the first time.
func TestFakeOversizedDumpDatagramPeeked(t *testing.T) {
	big := make([]byte, 50<<10)
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		m := nl.Message{Header: nl.Header{Type: unix.RTM_NEWLINK}, Data: big}
		return nltest.One(nltest.Multipart(req, 0, m)...)
	}, nil)
	c.JoinGroup(1)
	var e nl.Encoder
	getReq(&e)
	if got, err := collect(c, &e); err != nil || len(got) != 1 || len(got[0]) != len(big) {
		t.Fatalf("%d messages, %v", len(got), err)
	}
}
