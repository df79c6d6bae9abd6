package nl

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// An AttrDecoder iterates over a list of attributes without allocating.
//
//	d := nl.NewAttrDecoder(payload)
//	for d.Next() {
//		switch d.Type() {
//		case unix.IFLA_MTU:
//			mtu = d.Uint32()
//		case unix.IFLA_LINKINFO:
//			info := d.Nested()
//			for info.Next() { ... }
//		}
//	}
//	if err := d.Err(); err != nil { ... }
//
// Errors are sticky: the first malformed attribute, or a getter whose
// attribute has the wrong length, sets Err and ends the iteration. Getters
// return the zero value after an error. Attributes the caller does not ask
// about are simply skipped; their payload stays reachable with Bytes.
//
// Integers are read in host byte order, or in network byte order when the
// attribute carries [AttrNetByteOrder].
type AttrDecoder struct {
	b    []byte // what is left to iterate
	typ  uint16 // type of the current attribute, flags included
	data []byte // payload of the current attribute
	err  error
}

// NewAttrDecoder returns a decoder for the attributes in b.
func NewAttrDecoder(b []byte) AttrDecoder { return AttrDecoder{b: b} }

// Next advances to the next attribute and reports whether there is one.
func (d *AttrDecoder) Next() bool {
	if d.err != nil || len(d.b) == 0 {
		return false
	}
	if len(d.b) < AttrHeaderLen {
		d.err = fmt.Errorf("netlink: %d trailing bytes cannot hold an attribute header: %w", len(d.b), ErrMalformed)
		return false
	}
	l := int(binary.NativeEndian.Uint16(d.b))
	t := binary.NativeEndian.Uint16(d.b[2:])
	if l < AttrHeaderLen || l > len(d.b) {
		d.err = fmt.Errorf("netlink: attribute %d has length %d, but %d bytes remain: %w", t&AttrTypeMask, l, len(d.b), ErrMalformed)
		return false
	}
	d.typ = t
	d.data = d.b[AttrHeaderLen:l:l]
	next := AttrAlign(l)
	if next > len(d.b) {
		next = len(d.b)
	}
	d.b = d.b[next:]
	return true
}

// Type returns the current attribute's type without its flag bits.
func (d *AttrDecoder) Type() uint16 { return d.typ & AttrTypeMask }

// RawType returns the current attribute's type with its flag bits.
func (d *AttrDecoder) RawType() uint16 { return d.typ }

// IsNested reports whether the current attribute carries [AttrNested]. Many
// kernel nests do not set it; decode by type, not by this flag.
func (d *AttrDecoder) IsNested() bool { return d.typ&AttrNested != 0 }

// NetByteOrder reports whether the current attribute carries
// [AttrNetByteOrder].
func (d *AttrDecoder) NetByteOrder() bool { return d.typ&AttrNetByteOrder != 0 }

// Len returns the length of the current attribute's payload.
func (d *AttrDecoder) Len() int { return len(d.data) }

// Bytes returns the current attribute's payload. It aliases the decoded
// buffer.
func (d *AttrDecoder) Bytes() []byte { return d.data }

// Err returns the first error met, if any.
func (d *AttrDecoder) Err() error { return d.err }

// Fail records err as the decoder's error (if it has none yet) and ends the
// iteration. Family decoders use it to report a semantic error.
func (d *AttrDecoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *AttrDecoder) want(n int) bool {
	if d.err != nil {
		return false
	}
	if len(d.data) != n {
		d.err = fmt.Errorf("netlink: attribute %d: want %d bytes, have %d: %w", d.Type(), n, len(d.data), ErrMalformed)
		return false
	}
	return true
}

func (d *AttrDecoder) order() binary.ByteOrder {
	if d.typ&AttrNetByteOrder != 0 {
		return binary.BigEndian
	}
	return binary.NativeEndian
}

// Flag returns true: a flag attribute's presence is its value. It accepts
// any payload.
func (d *AttrDecoder) Flag() bool { return d.err == nil }

// Uint8 returns the current attribute as an 8-bit integer.
func (d *AttrDecoder) Uint8() uint8 {
	if !d.want(1) {
		return 0
	}
	return d.data[0]
}

// Uint16 returns the current attribute as a 16-bit integer.
func (d *AttrDecoder) Uint16() uint16 {
	if !d.want(2) {
		return 0
	}
	return d.order().Uint16(d.data)
}

// Uint32 returns the current attribute as a 32-bit integer.
func (d *AttrDecoder) Uint32() uint32 {
	if !d.want(4) {
		return 0
	}
	return d.order().Uint32(d.data)
}

// Uint64 returns the current attribute as a 64-bit integer.
func (d *AttrDecoder) Uint64() uint64 {
	if !d.want(8) {
		return 0
	}
	return d.order().Uint64(d.data)
}

// Uint returns the current attribute as an unsigned integer of 1, 2, 4 or 8
// bytes, the variable-width form the kernel uses for NLA_UINT attributes.
func (d *AttrDecoder) Uint() uint64 {
	switch len(d.data) {
	case 1:
		return uint64(d.Uint8())
	case 2:
		return uint64(d.Uint16())
	case 4:
		return uint64(d.Uint32())
	default:
		return d.Uint64()
	}
}

// Int8 returns the current attribute as a signed 8-bit integer.
func (d *AttrDecoder) Int8() int8 { return int8(d.Uint8()) }

// Int16 returns the current attribute as a signed 16-bit integer.
func (d *AttrDecoder) Int16() int16 { return int16(d.Uint16()) }

// Int32 returns the current attribute as a signed 32-bit integer.
func (d *AttrDecoder) Int32() int32 { return int32(d.Uint32()) }

// Int64 returns the current attribute as a signed 64-bit integer.
func (d *AttrDecoder) Int64() int64 { return int64(d.Uint64()) }

// Uint16BE returns the current attribute as a 16-bit integer in network byte
// order, whether or not it carries [AttrNetByteOrder] (many kernel
// attributes, ports among them, are big-endian without saying so).
func (d *AttrDecoder) Uint16BE() uint16 {
	if !d.want(2) {
		return 0
	}
	return binary.BigEndian.Uint16(d.data)
}

// Uint32BE returns the current attribute as a 32-bit integer in network
// byte order.
func (d *AttrDecoder) Uint32BE() uint32 {
	if !d.want(4) {
		return 0
	}
	return binary.BigEndian.Uint32(d.data)
}

// Uint64BE returns the current attribute as a 64-bit integer in network
// byte order.
func (d *AttrDecoder) Uint64BE() uint64 {
	if !d.want(8) {
		return 0
	}
	return binary.BigEndian.Uint64(d.data)
}

// String returns the current attribute as a string, without the NUL that
// terminates it (and anything after that NUL).
func (d *AttrDecoder) String() string {
	if d.err != nil {
		return ""
	}
	return cString(d.data)
}

// Addr returns the current attribute as an IP address of 4 or 16 bytes.
func (d *AttrDecoder) Addr() netip.Addr {
	if d.err != nil {
		return netip.Addr{}
	}
	a, ok := netip.AddrFromSlice(d.data)
	if !ok {
		d.err = fmt.Errorf("netlink: attribute %d: an IP address needs 4 or 16 bytes, have %d: %w", d.Type(), len(d.data), ErrMalformed)
	}
	return a
}

// Prefix returns the current attribute, an IP address, as a prefix of the
// given length (which netlink carries outside the attribute).
func (d *AttrDecoder) Prefix(bits int) netip.Prefix {
	a := d.Addr()
	if d.err != nil {
		return netip.Prefix{}
	}
	if bits < 0 || bits > a.BitLen() {
		d.err = fmt.Errorf("netlink: attribute %d: prefix length %d out of range for %v: %w", d.Type(), bits, a, ErrMalformed)
		return netip.Prefix{}
	}
	return netip.PrefixFrom(a, bits)
}

// Nested returns a decoder for the attributes nested in the current one.
// Errors found by the nested decoder are its own; check both.
func (d *AttrDecoder) Nested() AttrDecoder {
	if d.err != nil {
		return AttrDecoder{err: d.err}
	}
	return AttrDecoder{b: d.data}
}

// Struct copies the current attribute, a fixed-size kernel struct, into dst
// tolerantly: a longer payload (a newer kernel's larger struct) is cut to
// len(dst), a shorter one (an older kernel's) leaves the rest of dst zeroed.
// It returns the number of bytes the kernel sent.
func (d *AttrDecoder) Struct(dst []byte) int {
	if d.err != nil {
		clear(dst)
		return 0
	}
	CopyStruct(dst, d.data)
	return len(d.data)
}

// CopyStruct copies src, a fixed-size kernel struct as received, into dst
// tolerantly: extra bytes from a newer kernel's larger struct are ignored,
// and bytes an older kernel did not send are zeroed.
func CopyStruct(dst, src []byte) {
	n := copy(dst, src)
	clear(dst[n:])
}

// cString returns b up to its first NUL.
func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
