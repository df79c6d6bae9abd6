package nl_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

func TestFlagsFormat(t *testing.T) {
	cases := []struct {
		f    nl.Flags
		op   nl.Op
		want string
	}{
		{nl.Request | nl.Dump, nl.OpUnknown, "REQUEST|DUMP"},
		{nl.Request | nl.Acknowledge | nl.Create | nl.Excl, nl.OpUnknown, "REQUEST|ACK|EXCL|CREATE"},
		{nl.Request | nl.Root, nl.OpGet, "REQUEST|ROOT"},
		{nl.Request | nl.Replace, nl.OpNew, "REQUEST|REPLACE"},
		{nl.Request | nl.Bulk, nl.OpDel, "REQUEST|BULK"},
		{nl.Capped | nl.AckTLVs, nl.OpAck, "CAPPED|ACK_TLVS"},
		{nl.Multi | nl.DumpIntr | nl.DumpFiltered, nl.OpUnknown, "MULTI|DUMP_INTR|DUMP_FILTERED"},
		{nl.Echo | 0x8000, nl.OpUnknown, "ECHO|0x8000"},
		{0, nl.OpUnknown, "0"},
		{nl.Append, nl.OpNew, "APPEND"},
		{nl.Atomic, nl.OpGet, "ATOMIC"},
	}
	for _, c := range cases {
		if got := c.f.Format(c.op); got != c.want {
			t.Errorf("Flags(%#x).Format(%d) = %q, want %q", uint16(c.f), c.op, got, c.want)
		}
	}
	h := nl.Header{Len: 36, Type: nl.MsgError, Flags: nl.Capped, Seq: 3, Port: 9}
	if got := h.String(); got != "type=NLMSG_ERROR flags=CAPPED seq=3 port=9 len=36" {
		t.Errorf("Header.String() = %q", got)
	}
	for _, mt := range []nl.MsgType{nl.MsgNoop, nl.MsgError, nl.MsgDone, nl.MsgOverrun, 77} {
		if mt.String() == "" {
			t.Errorf("empty name for %d", mt)
		}
	}
}

// The helpers agree with the kernel's macros on known values.
func TestAlignmentMacros(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 4, 3: 4, 4: 4, 5: 8, 17: 20} {
		if nl.Align(n) != want || nl.AttrAlign(n) != want {
			t.Errorf("Align(%d) = %d, want %d", n, nl.Align(n), want)
		}
	}
	if nl.MsgLength(5) != 21 || nl.MsgSpace(5) != 24 || nl.HeaderLen != 16 || nl.AttrHeaderLen != 4 {
		t.Error("MsgLength/MsgSpace/HeaderLen disagree with NLMSG_LENGTH/NLMSG_SPACE/NLMSG_HDRLEN")
	}
	var b []byte
	b = nl.AppendMessage(b, nl.Message{Header: nl.Header{Type: 20}, Data: []byte{1, 2, 3, 4, 5}})
	b = nl.AppendMessage(b, nl.Message{Header: nl.Header{Type: 21}, Data: []byte{6}})
	if len(b) != 24+20 {
		t.Fatalf("two messages take %d bytes", len(b))
	}
	if !nl.MsgOK(b) || !bytes.Equal(nl.MsgData(b), []byte{1, 2, 3, 4, 5}) {
		t.Fatal("MsgOK/MsgData")
	}
	next := nl.MsgNext(b)
	if !nl.MsgOK(next) || !bytes.Equal(nl.MsgData(next), []byte{6}) || len(nl.MsgNext(next)) != 0 {
		t.Fatal("MsgNext")
	}
	h, _ := nl.ParseHeader(b)
	if nl.MsgPayload(h, 4) != 21-20 || nl.MsgPayload(h, 8) >= 0 {
		t.Errorf("MsgPayload = %d, %d", nl.MsgPayload(h, 4), nl.MsgPayload(h, 8))
	}
	if nl.MsgOK(b[:10]) || nl.MsgOK(b[:20]) {
		t.Error("MsgOK accepted a short buffer")
	}
}

func TestSplitRejectsMalformed(t *testing.T) {
	good := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 20}, Data: []byte("abcd")})
	bad := map[string][]byte{
		"short header":     good[:10],
		"length too big":   func() []byte { b := bytes.Clone(good); binary.NativeEndian.PutUint32(b, 1000); return b }(),
		"length too small": func() []byte { b := bytes.Clone(good); binary.NativeEndian.PutUint32(b, 8); return b }(),
		"trailing garbage": append(bytes.Clone(good), 1, 2, 3),
	}
	for name, b := range bad {
		_, err := nl.ParseMessages(nil, b)
		if !errors.Is(err, nl.ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", name, err)
		}
	}
	// A last message whose padding is cut off is accepted, as by the kernel.
	odd := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 20}, Data: []byte("abc")})
	msgs, err := nl.ParseMessages(nil, odd[:19])
	if err != nil || len(msgs) != 1 || string(msgs[0].Data) != "abc" {
		t.Errorf("unpadded last message: %v, %v", msgs, err)
	}
}

func TestEncoderLayout(t *testing.T) {
	var e nl.Encoder
	e.Begin(20, nl.Acknowledge)
	copy(e.Fixed(3), []byte{9, 9, 9})
	e.Uint8(1, 0xab)
	e.Uint16(2, 0x1234)
	e.Uint32BE(3, 0x01020304)
	e.String(4, "eth0")
	e.Flag(5)
	n := e.Nest(6)
	e.Addr(1, netip.MustParseAddr("192.0.2.1"))
	inner := e.Nest(2)
	e.Prefix(1, netip.MustParsePrefix("2001:db8::1/32"))
	e.EndNest(inner)
	e.EndNest(n)
	e.Int64(7, -2)
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	m := e.Message(0)
	if int(m.Header.Len) != len(e.Bytes()) || m.Header.Type != 20 || m.Header.Flags != nl.Acknowledge {
		t.Fatalf("header %+v for %d bytes", m.Header, len(e.Bytes()))
	}
	if e.AttrOffset(0) != 4 || !bytes.Equal(m.Data[:4], []byte{9, 9, 9, 0}) {
		t.Fatalf("fixed header %x, attributes at %d", m.Data[:4], e.AttrOffset(0))
	}
	d := nl.NewAttrDecoder(m.Data[4:])
	var got []string
	for d.Next() {
		switch d.Type() {
		case 1:
			got = append(got, "u8", string(rune('0'+d.Uint8()%10)))
		case 2:
			if d.Uint16() != 0x1234 {
				t.Error("u16")
			}
		case 3:
			if !d.NetByteOrder() || d.Uint32() != 0x01020304 || d.Uint32BE() != 0x01020304 {
				t.Error("be32")
			}
		case 4:
			if d.String() != "eth0" || d.Len() != 5 {
				t.Errorf("string %q len %d", d.String(), d.Len())
			}
		case 5:
			if !d.Flag() || d.Len() != 0 {
				t.Error("flag")
			}
		case 6:
			if !d.IsNested() {
				t.Error("NLA_F_NESTED not set")
			}
			nd := d.Nested()
			nd.Next()
			if nd.Addr() != netip.MustParseAddr("192.0.2.1") {
				t.Error("addr")
			}
			nd.Next()
			in := nd.Nested()
			in.Next()
			if p := in.Prefix(32); p != netip.MustParsePrefix("2001:db8::/32") {
				t.Errorf("prefix %v", p)
			}
			if nd.Next() || in.Next() || nd.Err() != nil || in.Err() != nil {
				t.Error("nest contents")
			}
		case 7:
			if d.Int64() != -2 {
				t.Error("s64")
			}
		}
	}
	if d.Err() != nil || len(got) != 2 {
		t.Fatalf("decode: %v %v", d.Err(), got)
	}
}

func TestEncoderErrors(t *testing.T) {
	var e nl.Encoder
	e.Begin(20, 0)
	e.Attr(1, make([]byte, 70000))
	if err := e.End(); !errors.Is(err, nl.ErrTooLarge) {
		t.Errorf("oversized attribute: %v", err)
	}
	e.Reset()
	e.Begin(20, 0)
	n := e.Nest(1)
	e.Attr(2, make([]byte, 40000))
	e.Attr(3, make([]byte, 40000))
	e.EndNest(n)
	if err := e.End(); !errors.Is(err, nl.ErrTooLarge) {
		t.Errorf("oversized nest: %v", err)
	}
	e.Reset()
	e.Begin(20, 0)
	e.Nest(1)
	if err := e.End(); err == nil || !strings.Contains(err.Error(), "open") {
		t.Errorf("unclosed nest: %v", err)
	}
	e.Reset()
	e.Begin(20, 0)
	e.Addr(1, netip.Addr{})
	if err := e.End(); err == nil {
		t.Error("zero address accepted")
	}
	e.Reset()
	if err := e.End(); err == nil {
		t.Error("End without Begin accepted")
	}
}

// Acceptance (performance): encoding a route request into a reused buffer
// does not allocate.
func TestEncodeRouteDoesNotAllocate(t *testing.T) {
	var e nl.Encoder
	dst := netip.MustParsePrefix("10.1.2.0/24")
	encodeRoute(&e, dst, 2, nl.Create)
	allocs := testing.AllocsPerRun(1000, func() {
		e.Reset()
		encodeRoute(&e, dst, 2, nl.Create|nl.Excl)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per encoded route", allocs)
	}
}

func TestDecoderErrors(t *testing.T) {
	var e nl.Encoder
	e.Begin(20, 0)
	e.Uint16(1, 7)
	e.Uint32(2, 8)
	e.End()
	payload := e.Message(0).Data
	d := nl.NewAttrDecoder(payload)
	d.Next()
	if v := d.Uint32(); v != 0 || !errors.Is(d.Err(), nl.ErrMalformed) {
		t.Fatalf("u32 of a u16: %v, %v", v, d.Err())
	}
	if d.Next() {
		t.Fatal("error is not sticky")
	}
	// Truncated attribute.
	d = nl.NewAttrDecoder(payload[:5])
	if d.Next() || !errors.Is(d.Err(), nl.ErrMalformed) {
		t.Fatalf("truncated: %v", d.Err())
	}
	// Tolerant structs: longer and shorter than expected.
	var dst [8]byte
	nl.CopyStruct(dst[:], []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
	if dst != [8]byte{1, 2, 3, 4, 5, 6, 7, 8} {
		t.Error("longer struct")
	}
	nl.CopyStruct(dst[:], []byte{1, 2})
	if dst != [8]byte{1, 2} {
		t.Error("shorter struct")
	}
	// Addresses of a wrong size.
	e.Reset()
	e.Begin(20, 0)
	e.Attr(1, []byte{1, 2, 3})
	e.End()
	d = nl.NewAttrDecoder(e.Message(0).Data)
	d.Next()
	if a := d.Addr(); a.IsValid() || d.Err() == nil {
		t.Error("3-byte address accepted")
	}
}

func TestParseErrorExtAck(t *testing.T) {
	// A request with a nested attribute, and a kernel error pointing at
	// the inner attribute, with a policy and a missing attribute.
	var req nl.Encoder
	req.Begin(24, nl.Request|nl.Acknowledge)
	req.Fixed(12)
	req.Uint32(1, 5)
	n := req.Nest(2)
	req.Uint32(3, 6)
	req.Uint32(4, 7) // at 16+12+8+4+8 = 48
	req.EndNest(n)
	req.End()
	rb := req.Bytes()

	var e nl.Encoder
	e.Begin(nl.MsgError, nl.Capped|nl.AckTLVs)
	p := e.Fixed(20)
	code := -int32(unix.EINVAL)
	binary.NativeEndian.PutUint32(p, uint32(code))
	copy(p[4:], rb[:16])
	e.String(unix.NLMSGERR_ATTR_MSG, "bad value\n")
	e.Uint32(unix.NLMSGERR_ATTR_OFFS, 48)
	pol := e.Nest(4) // NLMSGERR_ATTR_POLICY
	e.Uint32(1, 4)   // u32
	e.Uint64(4, 1)
	e.Uint64(5, 100)
	e.EndNest(pol)
	e.Uint32(5, 9) // NLMSGERR_ATTR_MISS_TYPE
	e.Uint32(6, 36)
	e.Attr(unix.NLMSGERR_ATTR_COOKIE, []byte{0xca, 0xfe})
	e.End()
	ne, err := nl.ParseError(e.Message(0), rb, 12)
	if err != nil {
		t.Fatal(err)
	}
	if ne.Errno != unix.EINVAL || ne.Message != "bad value" || ne.Offset != 48 || ne.MissingType != 9 || ne.MissingNest != 36 || !bytes.Equal(ne.Cookie, []byte{0xca, 0xfe}) {
		t.Fatalf("%+v", ne)
	}
	if len(ne.Attr) != 2 || ne.Attr[0] != 2 || ne.Attr[1] != 4 {
		t.Errorf("Attr = %v, want [2 4]", ne.Attr)
	}
	if len(ne.MissingNestAttr) != 1 || ne.MissingNestAttr[0] != 2 {
		t.Errorf("MissingNestAttr = %v", ne.MissingNestAttr)
	}
	if ne.Policy == nil || ne.Policy.Type != 4 || ne.Policy.MinU != 1 || ne.Policy.MaxU != 100 {
		t.Errorf("policy %+v", ne.Policy)
	}
	s := ne.Error()
	for _, want := range []string{"bad value", "attribute 2/4", "u32 value in [1, 100]", "missing attribute 9 in 2", "invalid argument"} {
		if !strings.Contains(s, want) {
			t.Errorf("%q lacks %q", s, want)
		}
	}
	if !errors.Is(ne, unix.EINVAL) || errors.Is(ne, os.ErrExist) {
		t.Error("errors.Is")
	}

	// A plain ACK is no error; an ACK with a warning is one, with errno 0.
	e.Reset()
	e.Begin(nl.MsgError, nl.Capped)
	e.Fixed(20)
	e.End()
	if ne, err := nl.ParseError(e.Message(0), nil, 0); ne != nil || err != nil {
		t.Errorf("ack: %v, %v", ne, err)
	}
	e.Reset()
	e.Begin(nl.MsgError, nl.Capped|nl.AckTLVs)
	e.Fixed(20)
	e.String(unix.NLMSGERR_ATTR_MSG, "deprecated")
	e.End()
	if ne, err := nl.ParseError(e.Message(0), nil, 0); ne == nil || !ne.Warning() || err != nil || ne.Unwrap() != nil {
		t.Errorf("warning: %v, %v", ne, err)
	}
	// Truncated error messages are malformed, not a panic.
	if _, err := nl.ParseError(nl.Message{Header: nl.Header{Type: nl.MsgError}, Data: make([]byte, 10)}, nil, 0); !errors.Is(err, nl.ErrMalformed) {
		t.Errorf("short error: %v", err)
	}
}

func TestProtocolNames(t *testing.T) {
	for _, s := range []string{"route", "ROUTE", "NETLINK_ROUTE", "rtnl", "0"} {
		if p, err := nl.ParseProtocol(s); err != nil || p != nl.Route {
			t.Errorf("ParseProtocol(%q) = %v, %v", s, p, err)
		}
	}
	if p, _ := nl.ParseProtocol("genl"); p != nl.Generic || p.String() != "generic" {
		t.Error("generic")
	}
	for _, s := range []string{"nope", "32", "-1"} {
		if _, err := nl.ParseProtocol(s); err == nil {
			t.Errorf("ParseProtocol(%q) accepted", s)
		}
	}
}

// NestStruct brackets a length-prefixed C struct and what follows it, as
// struct rtnexthop in RTA_MULTIPATH.
func TestEncoderNestStruct(t *testing.T) {
	var e nl.Encoder
	e.Begin(24, 0)
	outer := e.Nest(9)
	p := e.NestStruct([]byte{0, 0, 7, 1, 3, 0, 0, 0})
	e.Uint32(5, 0x0a000001)
	e.EndNest(p)
	e.EndNest(outer)
	if err := e.End(); err != nil {
		t.Fatal(err)
	}
	d := nl.NewAttrDecoder(e.Message(0).Data)
	if !d.Next() || d.Type() != 9 {
		t.Fatal("no outer nest")
	}
	b := d.Bytes()
	if len(b) != 16 || b[0] != 16 || b[1] != 0 || b[2] != 7 || b[3] != 1 || b[4] != 3 {
		t.Fatalf("record: % x", b)
	}
	in := nl.NewAttrDecoder(b[8:])
	if !in.Next() || in.Type() != 5 || in.Uint32() != 0x0a000001 {
		t.Fatalf("attribute after the struct: % x", b[8:])
	}
	var bad nl.Encoder
	bad.Begin(24, 0)
	bad.NestStruct([]byte{1})
	if bad.End() == nil {
		t.Fatal("a struct of 1 byte was accepted")
	}
}

// Grow reserves room once: encoding what fits then does not reallocate.
func TestEncoderGrow(t *testing.T) {
	var e nl.Encoder
	e.Begin(24, 0)
	e.Uint32(1, 7)
	e.End()
	e.Grow(100 * 24)
	before := cap(e.Bytes())
	for range 100 {
		e.Begin(24, 0)
		e.Uint32(1, 7)
		e.End()
	}
	if cap(e.Bytes()) != before || e.Len() != 101 {
		t.Fatalf("capacity %d -> %d, %d messages", before, cap(e.Bytes()), e.Len())
	}
	if m := e.Message(0); len(m.Data) != 8 {
		t.Fatalf("first message after Grow: %+v", m)
	}
}
