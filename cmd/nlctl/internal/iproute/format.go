package iproute

import (
	"bufio"
	"strconv"

	"github.com/nlkit/nlkit/rtnl"
)

// Printing a listing of thousands of objects should cost no allocation per
// object: lines are built by appending to a reused buffer, numbers and
// addresses are appended (strconv.Append*, netip's AppendTo), and the names
// of flag values, which repeat from object to object, are worked out once
// per value.

// printCache is what the printers of one nlctl run reuse from object to
// object.
type printCache struct {
	// line is a buffer to build a line or an object's text in.
	line []byte
	// The names of flag values, by value.
	linkFlags   map[linkFlagsKey][]string
	neighStates map[rtnl.NeighState][]string
	routeFlags  map[rtnl.RouteFlags][]string
	// tables names routing tables as ipctx.tableName does; groups names
	// interface groups as linkGroupName does.
	tables, groups map[uint32]string
}

// linkFlagsKey is what a link's flag list as ip prints it depends on.
type linkFlagsKey struct {
	flags            rtnl.LinkFlags
	noCarrier, mdown bool
}

// cachedNames returns m's names for k, computing them with names (and
// keeping them) the first time.
func cachedNames[K comparable](m *map[K][]string, k K, names func() []string) []string {
	if v, ok := (*m)[k]; ok {
		return v
	}
	if *m == nil {
		*m = make(map[K][]string)
	}
	v := names()
	if v == nil {
		v = []string{}
	}
	(*m)[k] = v
	return v
}

// neighStateNames returns the names of a neighbour state.
func (c *printCache) neighStateNames(s rtnl.NeighState) []string {
	return cachedNames(&c.neighStates, s, s.Names)
}

// routeFlagNames returns the names of route (or nexthop) flags.
func (c *printCache) routeFlagNames(f rtnl.RouteFlags) []string {
	return cachedNames(&c.routeFlags, f, f.Names)
}

// linkGroupName names an interface group as linkGroupName does, reading
// the group file once per group at most.
func (c *printCache) linkGroupName(g uint32) string {
	if g == 0 {
		return "default"
	}
	if n, ok := c.groups[g]; ok {
		return n
	}
	if c.groups == nil {
		c.groups = make(map[uint32]string)
	}
	n := linkGroupName(g)
	c.groups[g] = n
	return n
}

// writeCopy writes b to w by copying it into w's buffer, so that b, often
// an array on the caller's stack, stays there: a slice passed to Write
// escapes to the heap, since Write may hand it on to the underlying writer.
func writeCopy(w *bufio.Writer, b []byte) {
	for len(b) > 0 {
		if w.Available() == 0 {
			w.Flush()
			if w.Available() == 0 {
				return // the writer failed; it says so at its next Flush
			}
		}
		buf := w.AvailableBuffer()
		n := min(len(b), cap(buf))
		w.Write(append(buf, b[:n]...))
		b = b[n:]
	}
}

const lowerHex = "0123456789abcdef"

// appendHexByte appends c as two lower-case hexadecimal digits (C's
// %02x).
func appendHexByte(b []byte, c byte) []byte {
	return append(b, lowerHex[c>>4], lowerHex[c&0xf])
}

// appendLLAddr appends a link-layer address as ip prints it: bytes in
// two hexadecimal digits, separated by colons.
func appendLLAddr(b []byte, a []byte) []byte {
	for i, c := range a {
		if i > 0 {
			b = append(b, ':')
		}
		b = appendHexByte(b, c)
	}
	return b
}

// appendUint appends v in decimal.
func appendUint[T ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint](b []byte, v T) []byte {
	return strconv.AppendUint(b, uint64(v), 10)
}

// appendInt appends v in decimal.
func appendInt[T ~int8 | ~int16 | ~int32 | ~int64 | ~int](b []byte, v T) []byte {
	return strconv.AppendInt(b, int64(v), 10)
}

// appendPadRight appends s and spaces up to width bytes (C's %-*s).
func appendPadRight(b []byte, s string, width int) []byte {
	b = append(b, s...)
	for n := len(s); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}
