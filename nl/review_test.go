package nl_test

// Regression tests for problems found in review.

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// A dump abandoned by its context leaves the kernel's dump running; the
// next dump on the connection drains it instead of failing with EBUSY.
func TestDumpAfterCancelledDump(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "set", "lo", "up")
	addLoAddresses(t, ns, 30, 2000)
	c := ns.Dial(nl.Route, nil)
	dump := func(ctx context.Context, cancelAfter int) (int, error) {
		var e nl.Encoder
		e.Begin(unix.RTM_GETADDR, 0)
		e.Fixed(unix.SizeofIfAddrmsg)[0] = unix.AF_INET
		e.End()
		n := 0
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		for _, err := range c.Dump(ctx, &e) {
			if err != nil {
				return n, err
			}
			n++
			if n == cancelAfter {
				cancel()
			}
		}
		return n, nil
	}
	if _, err := dump(context.Background(), 10); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled dump: %v", err)
	}
	n, err := dump(context.Background(), -1)
	if err != nil || n != 2001 {
		t.Fatalf("dump after a cancelled one: %d addresses, %v", n, err)
	}
}

// SetReadDeadline reaches a receive that is already blocked.
func TestSetReadDeadlineWakesBlockedReceive(t *testing.T) {
	c := nltest.Dial(nl.Route, nil, nil)
	err := receiveUnblockedBy(t, c, context.Background(), func() {
		c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
	})
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("receive: %v", err)
	}
}

// Waiting for the connection respects the context.
func TestLockWaitRespectsContext(t *testing.T) {
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram { return nil }, nil) // never answers
	var e1 nl.Encoder
	e1.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e1.End()
	hold, release := context.WithCancel(context.Background())
	defer release()
	go c.Do(hold, &e1, nil) // holds the connection until released
	time.Sleep(20 * time.Millisecond)

	var e2 nl.Encoder
	e2.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e2.End()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := c.Do(ctx, &e2, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do behind a stuck request: %v", err)
	}
	if _, err := c.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive behind a stuck request: %v", err)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("waited %v", time.Since(start))
	}
}

// An overrun that a request consumed is still reported to the listener.
func TestOverrunSeenByRequestReachesReceive(t *testing.T) {
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		return []nltest.Datagram{{Err: unix.ENOBUFS}}
	}, nil)
	c.JoinGroup(unix.RTNLGRP_LINK)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge)
	e.End()
	if err := c.Do(context.Background(), &e, nil); !errors.Is(err, nl.ErrOverrun) {
		t.Fatalf("request: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := c.Receive(ctx); !errors.Is(err, nl.ErrOverrun) {
		t.Fatalf("listener after the request's overrun: %v", err)
	}
}

// A NEW request whose flags include Replace is not taken for a dump.
func TestReplaceRequestIsNotADump(t *testing.T) {
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram {
		// The echo of the object, without NLM_F_MULTI and without DONE.
		return nltest.One(nltest.Reply(req, nl.Message{Header: nl.Header{Type: unix.RTM_NEWROUTE}})...)
	}, nil)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWROUTE, nl.Echo|nl.Replace|nl.Create)
	e.End()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	msgs, err := c.Execute(ctx, &e)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%v, %v", msgs, err)
	}
}

// A function that calls runtime.Goexit inside NS.Do makes Do return an
// error instead of hanging; a panic is raised in the caller.
func TestNamespaceDoGoexitAndPanic(t *testing.T) {
	ns := netnstest.New(t)
	done := make(chan error, 1)
	go func() {
		done <- ns.Do(func() error {
			runtimeGoexit()
			return nil
		})
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "Goexit") {
			t.Fatalf("Do after Goexit: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Do hung after Goexit")
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Fatalf("recovered %v, want boom", r)
		}
	}()
	ns.Do(func() error { panic("boom") })
}

func runtimeGoexit() { runtime.Goexit() }
