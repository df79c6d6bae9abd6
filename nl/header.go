package nl

import (
	"encoding/binary"
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// HeaderLen is the size of a netlink message header (NLMSG_HDRLEN).
const HeaderLen = unix.NLMSG_HDRLEN

// A MsgType is the type of a netlink message (nlmsg_type). Types below
// [MsgMinType] are the control messages every protocol shares; the rest belong
// to the protocol.
type MsgType uint16

// The control message types shared by every netlink protocol.
const (
	MsgNoop    MsgType = unix.NLMSG_NOOP     // nothing; to be ignored
	MsgError   MsgType = unix.NLMSG_ERROR    // an error or an acknowledgement (errno 0)
	MsgDone    MsgType = unix.NLMSG_DONE     // the end of a multipart message (dump)
	MsgOverrun MsgType = unix.NLMSG_OVERRUN  // data was lost
	MsgMinType MsgType = unix.NLMSG_MIN_TYPE // the first type a protocol may use
)

// String returns the name of a control type, or the number of any other.
func (t MsgType) String() string {
	switch t {
	case MsgNoop:
		return "NLMSG_NOOP"
	case MsgError:
		return "NLMSG_ERROR"
	case MsgDone:
		return "NLMSG_DONE"
	case MsgOverrun:
		return "NLMSG_OVERRUN"
	}
	return fmt.Sprintf("%d", uint16(t))
}

// Flags are the header flags of a netlink message (nlmsg_flags).
//
// Bits 0x100 to 0x800 mean different things in different messages: in a GET
// request they modify a dump (Root, Match, Atomic), in a NEW request they say
// how to create (Replace, Excl, Create, Append), in a DEL request 0x200 asks
// for a bulk delete, and in an acknowledgement they describe the ACK (Capped,
// AckTLVs). [Flags.Format] names them for a given kind of message.
type Flags uint16

// The header flags. Names sharing a value are the readings of that bit in
// different kinds of messages.
const (
	Request      Flags = unix.NLM_F_REQUEST       // a request
	Multi        Flags = unix.NLM_F_MULTI         // part of a multipart message, ended by NLMSG_DONE
	Acknowledge  Flags = unix.NLM_F_ACK           // reply with an acknowledgement
	Echo         Flags = unix.NLM_F_ECHO          // echo this request
	DumpIntr     Flags = unix.NLM_F_DUMP_INTR     // the dump was inconsistent because state changed during it
	DumpFiltered Flags = unix.NLM_F_DUMP_FILTERED // the dump was filtered as the request asked

	// Modifiers of a GET request.
	Root   Flags = unix.NLM_F_ROOT   // return the whole table, not one entry
	Match  Flags = unix.NLM_F_MATCH  // return all entries matching the criteria
	Atomic Flags = unix.NLM_F_ATOMIC // return an atomic snapshot (obsolete)
	Dump   Flags = unix.NLM_F_DUMP   // Root|Match

	// Modifiers of a NEW request.
	Replace Flags = unix.NLM_F_REPLACE // replace an existing object
	Excl    Flags = unix.NLM_F_EXCL    // fail if the object already exists
	Create  Flags = unix.NLM_F_CREATE  // create the object if it does not exist
	Append  Flags = unix.NLM_F_APPEND  // add to the end of the object list

	// Modifiers of a DEL request.
	NonRec Flags = unix.NLM_F_NONREC // do not delete recursively
	Bulk   Flags = unix.NLM_F_BULK   // delete every object matching the request

	// Flags of an acknowledgement (NLMSG_ERROR).
	Capped  Flags = unix.NLM_F_CAPPED   // the request's payload was cut from the error message
	AckTLVs Flags = unix.NLM_F_ACK_TLVS // extended-ACK attributes follow
)

// An Op is the kind of message a header belongs to, which decides how the
// ambiguous flag bits are named.
type Op uint8

// The kinds of messages, for [Flags.Format].
const (
	OpUnknown Op = iota // guess from the flags themselves
	OpGet               // a GET request or a dump
	OpNew               // a NEW (create, replace, change) request
	OpDel               // a DEL request
	OpAck               // an NLMSG_ERROR message
)

type flagName struct {
	f    Flags
	name string
}

var commonFlagNames = [...]flagName{
	{Request, "REQUEST"}, {Multi, "MULTI"}, {Acknowledge, "ACK"}, {Echo, "ECHO"},
	{DumpIntr, "DUMP_INTR"}, {DumpFiltered, "DUMP_FILTERED"},
}

var opFlagNames = [...][]flagName{
	OpGet: {{Dump, "DUMP"}, {Root, "ROOT"}, {Match, "MATCH"}, {Atomic, "ATOMIC"}},
	OpNew: {{Replace, "REPLACE"}, {Excl, "EXCL"}, {Create, "CREATE"}, {Append, "APPEND"}},
	OpDel: {{NonRec, "NONREC"}, {Bulk, "BULK"}},
	OpAck: {{Capped, "CAPPED"}, {AckTLVs, "ACK_TLVS"}},
}

// String names the flags joined by "|". The bits 0x100 to 0x800 are read as
// a GET request's modifiers when Root and Match are both set (a dump), and as
// a NEW request's otherwise; use [Flags.Format] or [Header.String] when the
// kind of message is known.
func (f Flags) String() string { return f.Format(OpUnknown) }

// Format names the flags joined by "|", reading the ambiguous bits as they
// are meant in a message of kind op. Bits without a name are shown in hex.
func (f Flags) Format(op Op) string {
	if op == OpUnknown {
		op = OpNew
		if f&Dump == Dump {
			op = OpGet
		}
	}
	var b strings.Builder
	rest := f
	add := func(n flagName) {
		if rest&n.f == n.f && n.f != 0 {
			if b.Len() > 0 {
				b.WriteByte('|')
			}
			b.WriteString(n.name)
			rest &^= n.f
		}
	}
	for _, n := range commonFlagNames {
		add(n)
	}
	if int(op) < len(opFlagNames) {
		for _, n := range opFlagNames[op] {
			add(n)
		}
	}
	if rest != 0 {
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		fmt.Fprintf(&b, "%#x", uint16(rest))
	}
	if b.Len() == 0 {
		return "0"
	}
	return b.String()
}

// A Header is a netlink message header (struct nlmsghdr).
type Header struct {
	Len   uint32  // length of the message including the header (nlmsg_len)
	Type  MsgType // nlmsg_type
	Flags Flags   // nlmsg_flags
	Seq   uint32  // sequence number (nlmsg_seq)
	Port  uint32  // port id of the sending socket; 0 for the kernel (nlmsg_pid)
}

// String describes the header in one line, as the tracer prints it.
func (h Header) String() string {
	op := OpUnknown
	if h.Type == MsgError {
		op = OpAck
	}
	return fmt.Sprintf("type=%v flags=%s seq=%d port=%d len=%d", h.Type, h.Flags.Format(op), h.Seq, h.Port, h.Len)
}

// PutHeader writes h in the host's byte order into the first [HeaderLen]
// bytes of b, which must be long enough.
func PutHeader(b []byte, h Header) {
	_ = b[HeaderLen-1]
	binary.NativeEndian.PutUint32(b[0:4], h.Len)
	binary.NativeEndian.PutUint16(b[4:6], uint16(h.Type))
	binary.NativeEndian.PutUint16(b[6:8], uint16(h.Flags))
	binary.NativeEndian.PutUint32(b[8:12], h.Seq)
	binary.NativeEndian.PutUint32(b[12:16], h.Port)
}

// ParseHeader reads a header from the first [HeaderLen] bytes of b. It does
// not check Len against len(b); [NextMessage] does.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderLen {
		return Header{}, fmt.Errorf("netlink: header needs %d bytes, have %d: %w", HeaderLen, len(b), ErrMalformed)
	}
	return Header{
		Len:   binary.NativeEndian.Uint32(b[0:4]),
		Type:  MsgType(binary.NativeEndian.Uint16(b[4:6])),
		Flags: Flags(binary.NativeEndian.Uint16(b[6:8])),
		Seq:   binary.NativeEndian.Uint32(b[8:12]),
		Port:  binary.NativeEndian.Uint32(b[12:16]),
	}, nil
}
