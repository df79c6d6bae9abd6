package nl_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// A batch asks an ACK of the last request of each sendmsg only, and still
// reports every failure, including that of a last request, which is its
// sendmsg's ACK too.
func TestFakeBatchAckLast(t *testing.T) {
	fail := map[uint32]bool{}
	sock := nltest.NewSocket(func(req nl.Message) []nltest.Datagram {
		i := req.Data[0]
		if fail[uint32(i)] {
			return nltest.One(nltest.Error(req, unix.EEXIST, "exists", 0))
		}
		if req.Header.Flags&nl.Acknowledge != 0 {
			return nltest.One(nltest.Ack(req))
		}
		return nil // the kernel answers only failures and asked-for ACKs
	})
	c, err := nl.NewConn(sock, nl.Route, nil)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	for i := range 20 {
		e.Begin(unix.RTM_NEWROUTE, nl.Acknowledge) // the batch clears it where it is not needed
		e.Fixed(4)[0] = byte(i)
		e.End()
	}
	fail[0], fail[4], fail[9], fail[19] = true, true, true, true
	err = c.Batch(context.Background(), &e, &nl.BatchOptions{MaxBytes: 5 * 20, ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || be.Done != 20 {
		t.Fatalf("batch: %v", err)
	}
	var idx []int
	for _, f := range be.Failures {
		idx = append(idx, f.Index)
	}
	if fmt.Sprint(idx) != "[0 4 9 19]" {
		t.Fatalf("failures at %v, want [0 4 9 19]", idx)
	}
	// Four sendmsgs of five; each asks an ACK of its last request only.
	sent := sock.Sent()
	if len(sent) != 4 {
		t.Fatalf("%d sendmsgs, want 4", len(sent))
	}
	for _, d := range sent {
		msgs, _ := nl.ParseMessages(nil, d)
		for i, m := range msgs {
			if (m.Header.Flags&nl.Acknowledge != 0) != (i == len(msgs)-1) {
				t.Errorf("request %d of %d: flags %v", i, len(msgs), m.Header.Flags)
			}
		}
	}
}
