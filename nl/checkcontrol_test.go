package nl_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// Config.CheckControl sees every control message answering a request, with
// the request as sent, before Do and Dump act on it; its error ends the
// exchange in place of the answer's, and data messages do not reach it.
func TestFakeCheckControl(t *testing.T) {
	refuse := errors.New("not authenticated")
	var seen []nl.MsgType
	var requests [][]byte
	check := func(m nl.Message, req []byte) error {
		seen = append(seen, m.Header.Type)
		requests = append(requests, append([]byte(nil), req...))
		if m.Header.Type == nl.MsgError {
			if e, _ := nl.ParseError(m, nil, 0); e != nil && e.Errno == unix.EPERM {
				return nil // the one this check takes
			}
		}
		return refuse
	}
	var answers func(req nl.Message) []nltest.Datagram
	c := nltest.Dial(nl.Route, func(req nl.Message) []nltest.Datagram { return answers(req) }, &nl.Config{CheckControl: check})
	ctx := context.Background()
	request := func(flags nl.Flags) *nl.Encoder {
		e := new(nl.Encoder)
		e.Begin(unix.RTM_NEWLINK, flags)
		e.Payload([]byte("payload!"))
		e.End()
		return e
	}

	// A refused acknowledgement: Do fails with the check's error, and the
	// data reply before it was passed on.
	answers = func(req nl.Message) []nltest.Datagram {
		return nltest.One(append(nltest.Reply(req, link(1)), nltest.Ack(req))...)
	}
	var got []string
	err := c.Do(ctx, request(nl.Acknowledge), func(m nl.Message) error { got = append(got, string(m.Data)); return nil })
	if !errors.Is(err, refuse) || len(got) != 1 || len(seen) != 1 || seen[0] != nl.MsgError {
		t.Fatalf("refused ack: %v, replies %q, checked %v", err, got, seen)
	}
	if !bytes.HasSuffix(requests[0], []byte("payload!")) {
		t.Fatalf("check got request %x", requests[0])
	}
	// A taken error is decoded as usual.
	answers = func(req nl.Message) []nltest.Datagram { return nltest.One(nltest.Error(req, unix.EPERM, "no", 0)) }
	if err := c.Do(ctx, request(nl.Acknowledge), nil); !errors.Is(err, unix.EPERM) {
		t.Fatalf("taken error: %v", err)
	}
	// A control message of another type is checked too, and ends the
	// exchange; what else answers the request is dropped.
	answers = func(req nl.Message) []nltest.Datagram {
		forged := nl.Message{Header: nl.Header{Type: 15, Seq: req.Header.Seq, Port: req.Header.Port}, Data: []byte("forged")}
		return nltest.One(forged, nltest.Ack(req))
	}
	seen = nil
	if err := c.Do(ctx, request(0), func(nl.Message) error { t.Error("type 15 reached fn"); return nil }); !errors.Is(err, refuse) || len(seen) != 1 || seen[0] != 15 {
		t.Fatalf("type 15: %v, checked %v", err, seen)
	}
	// A dump's NLMSG_DONE.
	answers = func(req nl.Message) []nltest.Datagram { return nltest.One(nltest.Multipart(req, 0, links(3)...)...) }
	seen = nil
	n := 0
	for _, err := range c.Dump(ctx, request(0)) {
		if err != nil {
			if !errors.Is(err, refuse) {
				t.Fatalf("dump: %v", err)
			}
			break
		}
		n++
	}
	if n != 3 || len(seen) != 1 || seen[0] != nl.MsgDone {
		t.Fatalf("dump: %d messages, checked %v", n, seen)
	}
}
