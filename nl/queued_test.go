package nl_test

import (
	"context"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// TestQueued checks that Queued sees a datagram waiting in the socket's
// queue, without reading it, and nothing once it is read.
func TestQueued(t *testing.T) {
	ns := netnstest.New(t)
	ns.MustNotBeHost()
	c := ns.Dial(nl.Route, nil)
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		t.Fatal(err)
	}
	if q, err := c.Queued(); err != nil || q {
		t.Fatalf("before any event: Queued %v, %v", q, err)
	}
	ns.IP("link", "add", "q0", "type", "ifb")
	deadline := time.Now().Add(5 * time.Second)
	for {
		q, err := c.Queued()
		if err != nil {
			t.Fatal(err)
		}
		if q {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the link's event never showed in Queued")
		}
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := c.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	// ip may have caused more than one event; read them all.
	for {
		q, err := c.Queued()
		if err != nil {
			t.Fatal(err)
		}
		if !q {
			break
		}
		if _, err := c.Receive(ctx); err != nil {
			t.Fatal(err)
		}
	}
}
