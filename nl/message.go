package nl

import (
	"errors"
	"fmt"
	"iter"
)

// ErrMalformed is wrapped by every error that reports bytes which do not
// form valid netlink messages or attributes.
var ErrMalformed = errors.New("malformed netlink data")

// A Message is one netlink message: its header and its payload. The payload
// of a received message aliases the buffer it was received into unless the
// method that returned it says otherwise.
type Message struct {
	Header Header
	Data   []byte // the payload: everything after the header, up to Header.Len
	Meta   Meta   // where a received message came from; zero for messages built locally
}

// Meta describes the datagram a received message arrived in. Every message
// of one datagram shares the same Meta.
type Meta struct {
	// Port is the port id of the sender (0: the kernel).
	Port uint32
	// Group is the multicast group the message was delivered to, or 0 for
	// a unicast message. Groups above 32 are known only with packet info
	// enabled (Config.PacketInfo, or joining such a group).
	Group uint32
	// NSID is the id, in the receiving socket's namespace, of the namespace
	// the message came from, when HasNSID is set (Config.ListenAllNSID).
	// A negative id means the namespace has no id assigned.
	NSID    int32
	HasNSID bool
	// Creds are the sender's credentials, when HasCreds is set
	// (Config.PassCred).
	Creds    Credentials
	HasCreds bool
}

// Credentials are the process credentials the kernel attached to a message
// (SCM_CREDENTIALS). The kernel fills them in for every sender.
//
// UID and GID are sound: they are translated into the receiver's user
// namespace, and a sender can claim other ids only with CAP_SETUID or
// CAP_SETGID over them (root in a user namespace of its own is still its
// own uid outside it).
//
// PID is not an identity: it is the number the sender's own PID namespace
// gives it, and any user can create a user and PID namespace of its own
// in which it is pid 1, or in which it steers ns_last_pid to take the
// number of any running process. Use it for logs, never to authorise, and
// never look it up in /proc.
type Credentials struct {
	PID int32 // as the sender's PID namespace numbers it: not verified
	UID uint32
	GID uint32
}

// NextMessage splits the first message off b. It returns the message, whose
// Data aliases b, and the rest of b after the message's padding. It checks
// every length: a header shorter than [HeaderLen] or longer than b is an
// error wrapping [ErrMalformed], never a panic.
//
// A trailing message whose padding was cut off by the end of b is accepted,
// as the kernel accepts it.
func NextMessage(b []byte) (Message, []byte, error) {
	h, err := ParseHeader(b)
	if err != nil {
		return Message{}, nil, err
	}
	if h.Len < HeaderLen {
		return Message{}, nil, fmt.Errorf("netlink: message length %d is shorter than its header: %w", h.Len, ErrMalformed)
	}
	if int64(h.Len) > int64(len(b)) {
		return Message{}, nil, fmt.Errorf("netlink: message length %d exceeds the %d bytes received: %w", h.Len, len(b), ErrMalformed)
	}
	next := Align(int(h.Len))
	if next > len(b) {
		next = len(b)
	}
	return Message{Header: h, Data: b[HeaderLen:h.Len:h.Len]}, b[next:], nil
}

// Messages iterates over the messages of a datagram in place, without
// copying: each Message's Data aliases b. A malformed message ends the
// iteration with an error wrapping [ErrMalformed].
func Messages(b []byte) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for len(b) > 0 {
			m, rest, err := NextMessage(b)
			if err != nil {
				yield(Message{}, err)
				return
			}
			if !yield(m, nil) {
				return
			}
			b = rest
		}
	}
}

// ParseMessages splits a datagram into messages, appending them to dst
// (which may be nil) and returning the extended slice. The messages alias b.
func ParseMessages(dst []Message, b []byte) ([]Message, error) {
	for len(b) > 0 {
		m, rest, err := NextMessage(b)
		if err != nil {
			return dst, err
		}
		dst = append(dst, m)
		b = rest
	}
	return dst, nil
}

// AppendMessage appends m to b in wire format, with Header.Len set to the
// real length and the payload padded to alignment, and returns the extended
// buffer.
func AppendMessage(b []byte, m Message) []byte {
	h := m.Header
	h.Len = uint32(MsgLength(len(m.Data)))
	off := len(b)
	b = grow(b, MsgSpace(len(m.Data)))
	PutHeader(b[off:], h)
	copy(b[off+HeaderLen:], m.Data)
	return b
}

// Clone returns a copy of m whose Data no longer aliases any buffer.
func (m Message) Clone() Message {
	m.Data = append([]byte(nil), m.Data...)
	return m
}

// grow extends b by n zeroed bytes.
func grow(b []byte, n int) []byte {
	l := len(b)
	if cap(b)-l < n {
		nb := make([]byte, l, 2*cap(b)+n)
		copy(nb, b)
		b = nb
	}
	b = b[:l+n]
	clear(b[l:])
	return b
}
