package nl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Attribute type flags, carried in the top bits of an attribute's type.
const (
	AttrNested       = unix.NLA_F_NESTED        // the payload is a list of attributes
	AttrNetByteOrder = unix.NLA_F_NET_BYTEORDER // the payload is in network (big-endian) byte order
	AttrTypeMask     = ^uint16(AttrNested | AttrNetByteOrder)
)

// ErrTooLarge is wrapped by the error an [Encoder] reports when an
// attribute or a message exceeds what its 16-bit or 32-bit length field can
// describe.
var ErrTooLarge = errors.New("netlink: too large for its length field")

// An Encoder builds netlink messages, one after another, in one reusable
// buffer. Its zero value is ready to use; [Encoder.Reset] empties it for
// reuse without freeing memory, so encoding in a loop does not allocate once
// the buffer has grown.
//
// Begin starts a message, Fixed reserves the family's fixed header, the
// typed methods append attributes, Nest and EndNest bracket a nested list
// (its length is back-patched and NLA_F_NESTED is set), and End finishes the
// message. Errors (an attribute over 64 KiB, an unbalanced nest) are sticky
// and reported by End and Err.
//
// Sequence numbers and port ids are stamped into the buffer by the [Conn]
// that sends it.
type Encoder struct {
	buf   []byte
	msgs  []msgSpan // one per finished message
	start int       // offset of the open message's header
	body  int       // offset of the open message's attributes
	nests []int     // offsets of the open nests
	err   error
	open  bool
}

// msgSpan locates one encoded message in the buffer.
type msgSpan struct {
	off   int // offset of the header
	attrs int // offset of the first attribute, relative to off
}

// Grow makes room for n more bytes of messages, so that encoding that many
// does not reallocate: useful before encoding a large batch whose size is
// known.
func (e *Encoder) Grow(n int) {
	if n > 0 && cap(e.buf)-len(e.buf) < n {
		nb := make([]byte, len(e.buf), len(e.buf)+n)
		copy(nb, e.buf)
		e.buf = nb
	}
}

// GrowMessages makes room for n more messages in the encoder's index of
// messages, so that a large batch of known size is not re-indexed as it
// grows. It complements Grow, which reserves their bytes.
func (e *Encoder) GrowMessages(n int) {
	if n > 0 && cap(e.msgs)-len(e.msgs) < n {
		e.msgs = append(make([]msgSpan, 0, len(e.msgs)+n), e.msgs...)
	}
}

// Truncate keeps the first n finished messages and discards the rest,
// any open message and the sticky error: it takes back a message that
// failed to encode, so that the messages before it can still be sent.
func (e *Encoder) Truncate(n int) {
	if n < 0 {
		n = 0
	}
	switch {
	case n < len(e.msgs):
		e.buf = e.buf[:e.msgs[n].off]
		e.msgs = e.msgs[:n]
	case e.open:
		e.buf = e.buf[:e.start]
	}
	e.open = false
	e.nests = e.nests[:0]
	e.err = nil
}

// Reset empties the encoder, keeping its memory.
func (e *Encoder) Reset() {
	e.buf = e.buf[:0]
	e.msgs = e.msgs[:0]
	e.nests = e.nests[:0]
	e.err = nil
	e.open = false
}

// Begin starts a new message of type t with flags f. NLM_F_REQUEST is not
// added: the Conn adds it to requests it sends. A message left open is ended
// first.
func (e *Encoder) Begin(t MsgType, f Flags) {
	if e.open {
		e.End()
	}
	e.start = len(e.buf)
	e.buf = grow(e.buf, HeaderLen)
	PutHeader(e.buf[e.start:], Header{Type: t, Flags: f})
	e.body = len(e.buf)
	e.open = true
}

// Fixed appends n zeroed bytes (padded to alignment) for a fixed C struct
// and returns them to be filled in. The returned slice is valid only until
// the next call that appends. At the top level of a message it is the
// family's header, and the message's attributes start after it; inside a
// nest it is a struct that precedes the nest's attributes (as in
// VETH_INFO_PEER).
func (e *Encoder) Fixed(n int) []byte {
	off := len(e.buf)
	e.buf = grow(e.buf, Align(n))
	if len(e.nests) == 0 {
		e.body = len(e.buf)
	}
	return e.buf[off : off+n]
}

// Payload appends b as raw payload (padded to alignment), for messages that
// are not made of attributes. Attributes appended later start after it.
func (e *Encoder) Payload(b []byte) {
	copy(e.Fixed(len(b)), b)
}

// Attr appends an attribute of type t with payload v. The type may carry
// [AttrNested] or [AttrNetByteOrder].
func (e *Encoder) Attr(t uint16, v []byte) {
	copy(e.attr(t, len(v)), v)
}

// attr appends an attribute header for a payload of n bytes, pads it, and
// returns the payload to fill in.
func (e *Encoder) attr(t uint16, n int) []byte {
	l := AttrHeaderLen + n
	if l > 0xffff {
		e.fail(fmt.Errorf("netlink: attribute %d with %d bytes of payload: %w", t&AttrTypeMask, n, ErrTooLarge))
		l = AttrHeaderLen
		n = 0
	}
	off := len(e.buf)
	e.buf = grow(e.buf, AttrAlign(l))
	binary.NativeEndian.PutUint16(e.buf[off:], uint16(l))
	binary.NativeEndian.PutUint16(e.buf[off+2:], t)
	return e.buf[off+AttrHeaderLen : off+AttrHeaderLen+n]
}

// Flag appends an attribute with no payload, whose presence is its value.
func (e *Encoder) Flag(t uint16) { e.attr(t, 0) }

// Uint8 appends an 8-bit attribute.
func (e *Encoder) Uint8(t uint16, v uint8) { e.attr(t, 1)[0] = v }

// Uint16 appends a 16-bit attribute in host byte order.
func (e *Encoder) Uint16(t uint16, v uint16) { binary.NativeEndian.PutUint16(e.attr(t, 2), v) }

// Uint32 appends a 32-bit attribute in host byte order.
func (e *Encoder) Uint32(t uint16, v uint32) { binary.NativeEndian.PutUint32(e.attr(t, 4), v) }

// Uint64 appends a 64-bit attribute in host byte order.
func (e *Encoder) Uint64(t uint16, v uint64) { binary.NativeEndian.PutUint64(e.attr(t, 8), v) }

// Int8 appends a signed 8-bit attribute.
func (e *Encoder) Int8(t uint16, v int8) { e.Uint8(t, uint8(v)) }

// Int16 appends a signed 16-bit attribute in host byte order.
func (e *Encoder) Int16(t uint16, v int16) { e.Uint16(t, uint16(v)) }

// Int32 appends a signed 32-bit attribute in host byte order.
func (e *Encoder) Int32(t uint16, v int32) { e.Uint32(t, uint32(v)) }

// Int64 appends a signed 64-bit attribute in host byte order.
func (e *Encoder) Int64(t uint16, v int64) { e.Uint64(t, uint64(v)) }

// Uint16BE appends a 16-bit attribute in network byte order and sets
// [AttrNetByteOrder] in its type.
func (e *Encoder) Uint16BE(t uint16, v uint16) {
	binary.BigEndian.PutUint16(e.attr(t|AttrNetByteOrder, 2), v)
}

// Uint32BE appends a 32-bit attribute in network byte order and sets
// [AttrNetByteOrder] in its type.
func (e *Encoder) Uint32BE(t uint16, v uint32) {
	binary.BigEndian.PutUint32(e.attr(t|AttrNetByteOrder, 4), v)
}

// Uint64BE appends a 64-bit attribute in network byte order and sets
// [AttrNetByteOrder] in its type.
func (e *Encoder) Uint64BE(t uint16, v uint64) {
	binary.BigEndian.PutUint64(e.attr(t|AttrNetByteOrder, 8), v)
}

// String appends s as a NUL-terminated string attribute.
func (e *Encoder) String(t uint16, s string) {
	b := e.attr(t, len(s)+1)
	copy(b, s)
	if len(b) > 0 {
		b[len(b)-1] = 0
	}
}

// Addr appends an IP address: 4 bytes for an IPv4 address, 16 for IPv6
// (an IPv4-mapped IPv6 address stays 16 bytes). The zero Addr is an error.
func (e *Encoder) Addr(t uint16, a netip.Addr) {
	switch {
	case a.Is4():
		v := a.As4()
		copy(e.attr(t, 4), v[:])
	case a.Is6():
		v := a.As16()
		copy(e.attr(t, 16), v[:])
	default:
		e.fail(fmt.Errorf("netlink: attribute %d: invalid IP address", t&AttrTypeMask))
	}
}

// Prefix appends the address of a prefix with its host bits cleared. The
// prefix length is not encoded: netlink carries it elsewhere (for example in
// rtmsg.rtm_dst_len or ifaddrmsg.ifa_prefixlen).
func (e *Encoder) Prefix(t uint16, p netip.Prefix) {
	if !p.IsValid() {
		e.fail(fmt.Errorf("netlink: attribute %d: invalid IP prefix", t&AttrTypeMask))
		return
	}
	e.Addr(t, p.Masked().Addr())
}

// Nest opens a nested attribute of type t and returns its handle for
// [Encoder.EndNest]. [AttrNested] is set in its type.
func (e *Encoder) Nest(t uint16) int {
	off := len(e.buf)
	e.attr(t|AttrNested, 0)
	e.nests = append(e.nests, off)
	return off
}

// NestStruct opens a record that starts with the C struct h and whose
// first two bytes are a 16-bit length covering the struct and everything
// appended after it, such as struct rtnexthop in a multipath route. The
// length in h is ignored; EndNest(n) sets it. h must hold at least 4 bytes.
func (e *Encoder) NestStruct(h []byte) int {
	off := len(e.buf)
	if len(h) < 4 {
		e.fail(errors.New("netlink: NestStruct with a struct of fewer than 4 bytes"))
	}
	e.Payload(h)
	e.nests = append(e.nests, off)
	return off
}

// EndNest closes the nest opened by the Nest call that returned n,
// back-patching its length. Nests must be closed innermost first.
func (e *Encoder) EndNest(n int) {
	if len(e.nests) == 0 || e.nests[len(e.nests)-1] != n {
		e.fail(errors.New("netlink: EndNest does not match the innermost open nest"))
		return
	}
	e.nests = e.nests[:len(e.nests)-1]
	l := len(e.buf) - n
	if l > 0xffff {
		e.fail(fmt.Errorf("netlink: nested attribute %d of %d bytes: %w",
			binary.NativeEndian.Uint16(e.buf[n+2:])&AttrTypeMask, l, ErrTooLarge))
		return
	}
	binary.NativeEndian.PutUint16(e.buf[n:], uint16(l))
}

// End finishes the open message: it sets its length and records it. It
// returns the encoder's sticky error, if any.
func (e *Encoder) End() error {
	if !e.open {
		if e.err == nil {
			e.err = errors.New("netlink: End without Begin")
		}
		return e.err
	}
	e.open = false
	if len(e.nests) != 0 {
		e.fail(fmt.Errorf("netlink: %d nested attributes left open", len(e.nests)))
		e.nests = e.nests[:0]
	}
	l := len(e.buf) - e.start
	if uint64(l) > 0xffffffff {
		e.fail(fmt.Errorf("netlink: message of %d bytes: %w", l, ErrTooLarge))
	}
	binary.NativeEndian.PutUint32(e.buf[e.start:], uint32(l))
	e.msgs = append(e.msgs, msgSpan{off: e.start, attrs: e.body - e.start})
	return e.err
}

// Err returns the first error met while encoding, if any.
func (e *Encoder) Err() error { return e.err }

// Bytes returns every finished message, back to back, ready to send. The
// slice aliases the encoder's buffer.
func (e *Encoder) Bytes() []byte {
	if len(e.msgs) == 0 {
		return nil
	}
	if e.open {
		return e.buf[:e.start]
	}
	return e.buf
}

// Len returns the number of finished messages.
func (e *Encoder) Len() int { return len(e.msgs) }

// Message returns the i-th finished message; its Data aliases the buffer.
func (e *Encoder) Message(i int) Message {
	b := e.buf[e.msgs[i].off:]
	m, _, _ := NextMessage(b)
	return m
}

// AttrOffset returns where, within the i-th finished message's payload, its
// attributes start (after the family's fixed header).
func (e *Encoder) AttrOffset(i int) int { return e.msgs[i].attrs - HeaderLen }

func (e *Encoder) fail(err error) {
	if e.err == nil {
		e.err = err
	}
}
