// Package hellonl is the user-space half of the wire format of the hello
// kernel module (kmod/hello): its protocol number, message types, multicast
// groups, and the payloads of its requests, replies and events.
//
// An echo request (MsgEcho, optional text up to MaxEcho bytes) is answered
// with a unicast NLMSG_DONE whose payload is the NUL-terminated text
// "Hello from kernel! seq=N", N being the request's sequence number.
// A broadcast request (MsgBroadcast, a 4-byte group number) makes the
// module send an Event to that group. Requests go to port 0 of
// Protocol; see kmod/hello/README.md for the rest.
package hellonl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/nlkit/nlkit/nl"
)

// Protocol is the netlink protocol number the module registers
// (NETLINK_HELLO).
const Protocol nl.Protocol = 31

// Groups is the number of multicast groups of the protocol: 1 to Groups.
const Groups = 32

// The module's message types.
const (
	MsgEcho      nl.MsgType = 0x10 // request: optional text; reply: Reply
	MsgBroadcast nl.MsgType = 0x11 // request: a group number; sends an Event
	MsgEvent     nl.MsgType = 0x12 // multicast notification: Event
)

// MaxEcho is the longest payload an echo request may carry; the module
// rejects longer ones with EINVAL.
const MaxEcho = 256

// greetingPrefix starts the text of every echo reply.
const greetingPrefix = "Hello from kernel! seq="

// eventLen is the size of struct hello_event.
const eventLen = 8

// EncodeEcho appends to e an echo request carrying text. The Conn that
// sends it stamps the sequence number the reply will echo. A text longer
// than MaxEcho is encoded as it is, for the module to refuse with EINVAL.
func EncodeEcho(e *nl.Encoder, f nl.Flags, text string) {
	e.Begin(MsgEcho, f)
	e.Payload([]byte(text))
	e.End()
}

// EncodeBroadcast appends to e a request for an Event to group.
func EncodeBroadcast(e *nl.Encoder, f nl.Flags, group uint32) {
	e.Begin(MsgBroadcast, f)
	e.Payload(binary.NativeEndian.AppendUint32(nil, group))
	e.End()
}

// Greeting returns the text of the module's reply to an echo request with
// sequence number seq.
func Greeting(seq uint32) string {
	return greetingPrefix + strconv.FormatUint(uint64(seq), 10)
}

// A Reply is the module's answer to an echo request.
type Reply struct {
	Text string // the whole text, such as "Hello from kernel! seq=7"
	Seq  uint32 // the sequence number the text echoes
}

// ParseReply decodes the module's reply to an echo request: an NLMSG_DONE
// whose payload is a Greeting, ended by a NUL and padding. The sequence
// number is the one the text names, which a correct module takes from the
// request; compare it with m.Header.Seq.
func ParseReply(m nl.Message) (Reply, error) {
	if m.Header.Type != nl.MsgDone {
		return Reply{}, fmt.Errorf("hello: reply of type %v, want NLMSG_DONE: %w", m.Header.Type, nl.ErrMalformed)
	}
	text, _, _ := bytes.Cut(m.Data, []byte{0})
	num, ok := bytes.CutPrefix(text, []byte(greetingPrefix))
	if !ok {
		return Reply{}, fmt.Errorf("hello: reply %q lacks %q: %w", text, greetingPrefix, nl.ErrMalformed)
	}
	seq, err := strconv.ParseUint(string(num), 10, 32)
	if err != nil {
		return Reply{}, fmt.Errorf("hello: reply %q: bad sequence number: %w", text, nl.ErrMalformed)
	}
	return Reply{Text: string(text), Seq: uint32(seq)}, nil
}

// An Event is the notification the module broadcasts on request
// (struct hello_event).
type Event struct {
	Count uint32 // broadcasts the module has served since it was loaded
	Group uint32 // the group the event was sent to
}

// ParseEvent decodes an event. Longer payloads are accepted, so that
// fields may be added.
func ParseEvent(m nl.Message) (Event, error) {
	if m.Header.Type != MsgEvent {
		return Event{}, fmt.Errorf("hello: message of type %v, want event (%d): %w", m.Header.Type, MsgEvent, nl.ErrMalformed)
	}
	if len(m.Data) < eventLen {
		return Event{}, fmt.Errorf("hello: event of %d bytes, want %d: %w", len(m.Data), eventLen, nl.ErrMalformed)
	}
	return Event{
		Count: binary.NativeEndian.Uint32(m.Data[0:4]),
		Group: binary.NativeEndian.Uint32(m.Data[4:8]),
	}, nil
}
