package nl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Extended-ACK attributes the kernel may append to an NLMSG_ERROR message
// (enum nlmsgerr_attrs in <linux/netlink.h>). x/sys/unix lacks the last
// three.
const (
	extAckMsg      = unix.NLMSGERR_ATTR_MSG
	extAckOffset   = unix.NLMSGERR_ATTR_OFFS
	extAckCookie   = unix.NLMSGERR_ATTR_COOKIE
	extAckPolicy   = 4 // NLMSGERR_ATTR_POLICY
	extAckMissType = 5 // NLMSGERR_ATTR_MISS_TYPE
	extAckMissNest = 6 // NLMSGERR_ATTR_MISS_NEST
)

// An Error is the kernel's answer to a request it refused (an NLMSG_ERROR
// with a non-zero errno), or a warning attached to a request it accepted
// (errno zero, see Config.OnWarning). It carries every extended-ACK field the
// kernel sent.
//
// errors.Is works with the errno (errors.Is(err, unix.EEXIST)) and with the
// os package's sentinel errors (os.ErrExist, os.ErrNotExist,
// os.ErrPermission).
type Error struct {
	// Op names what was being done, such as "add route 10.0.0.0/8" or
	// "RTM_NEWROUTE"; family packages set it.
	Op string
	// Errno is the error number; zero for a warning.
	Errno unix.Errno
	// Message is the kernel's explanation (NLMSGERR_ATTR_MSG), if any.
	Message string
	// Offset is the byte offset, from the start of the request's header, of
	// the attribute the kernel rejected (NLMSGERR_ATTR_OFFS), or 0.
	Offset int
	// Attr is the path of attribute types (outermost first, flags removed)
	// from the request's top level to the attribute at Offset. It is empty
	// when the kernel named none or the request is not known.
	Attr []uint16
	// AttrName is the readable name of Attr (such as
	// "IFLA_LINKINFO/IFLA_INFO_KIND"), when the connection's Describer
	// knows the family's names.
	AttrName string
	// MissingType is the type of a required attribute the request lacked
	// (NLMSGERR_ATTR_MISS_TYPE), or 0.
	MissingType uint16
	// MissingName names the missing attribute, with the path of its nest,
	// when the connection knows the family's names.
	MissingName string
	// MissingNest is the offset of the nest the attribute was missing from
	// (NLMSGERR_ATTR_MISS_NEST), or 0 for the top level; MissingNestAttr is
	// its path in the request.
	MissingNest     int
	MissingNestAttr []uint16
	// Policy is the policy the rejected attribute violated
	// (NLMSGERR_ATTR_POLICY), when the kernel sent it.
	Policy *Policy
	// Cookie is the subsystem-specific cookie (NLMSGERR_ATTR_COOKIE), if any.
	Cookie []byte
	// Request is the header of the request this error answers.
	Request Header
}

// Policy describes the constraint on an attribute, as the kernel reports it
// with a rejected attribute (enum netlink_policy_type_attr). Fields the
// kernel did not send are zero; Has* tell which bounds are present.
type Policy struct {
	Type                 uint32 // enum netlink_attribute_type (NL_ATTR_TYPE_*)
	MinS, MaxS           int64
	HasMinS, HasMaxS     bool
	MinU, MaxU           uint64
	HasMinU, HasMaxU     bool
	MinLength, MaxLength uint32
	HasMinLen, HasMaxLen bool
	PolicyIndex, MaxType uint32
	Bitfield32Mask       uint32
	HasBitfield32Mask    bool
	Mask                 uint64
	HasMask              bool
}

var policyTypeNames = [...]string{
	"invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
	"binary", "string", "nul-string", "nested", "nested-array", "bitfield32", "sint", "uint",
}

// String describes the policy briefly, as in "u32 in [1, 4096]".
func (p *Policy) String() string {
	var b strings.Builder
	if int(p.Type) < len(policyTypeNames) {
		b.WriteString(policyTypeNames[p.Type])
	} else {
		fmt.Fprintf(&b, "type %d", p.Type)
	}
	bound := func(lo, hi string, hasLo, hasHi bool, what string) {
		switch {
		case hasLo && hasHi:
			fmt.Fprintf(&b, " %s in [%s, %s]", what, lo, hi)
		case hasLo:
			fmt.Fprintf(&b, " %s >= %s", what, lo)
		case hasHi:
			fmt.Fprintf(&b, " %s <= %s", what, hi)
		}
	}
	bound(strconv.FormatInt(p.MinS, 10), strconv.FormatInt(p.MaxS, 10), p.HasMinS, p.HasMaxS, "value")
	bound(strconv.FormatUint(p.MinU, 10), strconv.FormatUint(p.MaxU, 10), p.HasMinU, p.HasMaxU, "value")
	bound(strconv.FormatUint(uint64(p.MinLength), 10), strconv.FormatUint(uint64(p.MaxLength), 10), p.HasMinLen, p.HasMaxLen, "length")
	if p.HasBitfield32Mask {
		fmt.Fprintf(&b, " mask %#x", p.Bitfield32Mask)
	}
	if p.HasMask {
		fmt.Fprintf(&b, " mask %#x", p.Mask)
	}
	return b.String()
}

// Error formats the error as "op: message (attribute)": the kernel's text
// when it sent one, the errno's text otherwise.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	switch {
	case e.Message != "":
		b.WriteString(e.Message)
	case e.Errno != 0:
		b.WriteString(e.Errno.Error())
	default:
		b.WriteString("warning")
	}
	if a := e.attrText(); a != "" {
		b.WriteString(" (")
		b.WriteString(a)
		if e.Policy != nil {
			b.WriteString(": ")
			b.WriteString(e.Policy.String())
		}
		b.WriteString(")")
	}
	if e.MissingType != 0 {
		if e.MissingName != "" {
			fmt.Fprintf(&b, " (missing %s)", e.MissingName)
		} else {
			fmt.Fprintf(&b, " (missing attribute %d", e.MissingType)
			if len(e.MissingNestAttr) > 0 {
				fmt.Fprintf(&b, " in %s", formatPath(e.MissingNestAttr))
			}
			b.WriteString(")")
		}
	}
	if e.Message != "" && e.Errno != 0 {
		// Keep the errno's text too when the kernel's message does not
		// already say it (it usually does not).
		if !strings.Contains(strings.ToLower(e.Message), e.Errno.Error()) {
			b.WriteString(": ")
			b.WriteString(e.Errno.Error())
		}
	}
	return b.String()
}

func (e *Error) attrText() string {
	if e.AttrName != "" {
		return e.AttrName
	}
	if len(e.Attr) > 0 {
		return "attribute " + formatPath(e.Attr)
	}
	if e.Offset != 0 {
		return fmt.Sprintf("at byte %d of the request", e.Offset)
	}
	return ""
}

func formatPath(p []uint16) string {
	var b strings.Builder
	for i, t := range p {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.Itoa(int(t)))
	}
	return b.String()
}

// Unwrap returns the errno, so that errors.Is matches it and the os
// package's sentinels.
func (e *Error) Unwrap() error {
	if e.Errno == 0 {
		return nil
	}
	return e.Errno
}

// Is reports whether e means target for the os package's sentinels in the
// way netlink uses errnos: besides what the errno itself matches, ESRCH (no
// such route or rule), ENODEV (no such device) and EADDRNOTAVAIL (no such
// address) mean os.ErrNotExist.
func (e *Error) Is(target error) bool {
	if target == os.ErrNotExist {
		return e.Errno == unix.ENOENT || e.Errno == unix.ESRCH || e.Errno == unix.ENODEV || e.Errno == unix.EADDRNOTAVAIL
	}
	return false
}

// Warning reports whether e is a warning on an accepted request rather than
// a refusal.
func (e *Error) Warning() bool { return e.Errno == 0 }

// ErrDumpInterrupted is wrapped by the error a dump returns when the kernel
// flagged it NLM_F_DUMP_INTR: the state changed while it was dumped, so the
// result may be inconsistent and must be fetched again. [Retry] does that.
var ErrDumpInterrupted = errors.New("netlink: dump interrupted by a concurrent change (NLM_F_DUMP_INTR)")

// ErrOverrun is wrapped by the error a receive returns when the kernel
// dropped messages for the socket because its receive buffer was full
// (ENOBUFS, or an NLMSG_OVERRUN message). The socket stays usable, but state
// learnt from events must be resynchronized, for example by a dump.
var ErrOverrun = errors.New("netlink: receive buffer overrun, messages were lost")

// OverrunError is the typed form of [ErrOverrun]: messages meant for this
// socket were lost. errors.Is matches it with ErrOverrun and with
// unix.ENOBUFS, and, when it reports a datagram cut for want of buffer
// room, with [ErrTruncated].
type OverrunError struct {
	Op string // what was being done when the loss was noticed
	// Truncated, when not 0, is the length of a datagram that did not fit
	// the receive buffer, of which only the first Kept bytes were read:
	// the loss was this datagram's tail, not an overrun of the socket.
	Truncated, Kept int
}

// Error says that messages were lost, and while doing what.
func (e *OverrunError) Error() string {
	var s string
	if e.Truncated > 0 {
		s = fmt.Sprintf("netlink: a %d-byte datagram did not fit the receive buffer and was cut, %d bytes kept; messages were lost (the buffer has grown)", e.Truncated, e.Kept)
	} else {
		s = ErrOverrun.Error()
	}
	if e.Op == "" {
		return s
	}
	return e.Op + ": " + s
}

// Is matches [ErrOverrun] and unix.ENOBUFS, and [ErrTruncated] for a cut
// datagram.
func (e *OverrunError) Is(target error) bool {
	return target == ErrOverrun || target == unix.ENOBUFS || (e.Truncated > 0 && target == ErrTruncated)
}

// Retry calls fn until it returns an error that is not [ErrDumpInterrupted],
// at most attempts times (at least once). Family packages wrap every dump
// in it, so that a dump raced by a concurrent change is fetched again and a
// caller sees either a consistent result or ErrDumpInterrupted, never a
// silently inconsistent one. fn must discard what an interrupted attempt
// collected.
func Retry(attempts int, fn func() error) error {
	var err error
	for i := 0; i < max(attempts, 1); i++ {
		err = fn()
		if !errors.Is(err, ErrDumpInterrupted) {
			return err
		}
	}
	return fmt.Errorf("after %d attempts: %w", max(attempts, 1), err)
}

// DefaultRetries is the number of attempts family packages give a dump that
// the kernel reports interrupted.
const DefaultRetries = 10

// ParseError decodes an NLMSG_ERROR message. It returns nil for a plain
// acknowledgement (errno 0 without a warning message). req, if not nil, is
// the request the error answers, with its attributes starting at attrOff
// bytes into its payload; it lets the offending attribute be located.
func ParseError(m Message, req []byte, attrOff int) (*Error, error) {
	if len(m.Data) < 4+HeaderLen {
		return nil, fmt.Errorf("netlink: NLMSG_ERROR with %d bytes of payload, need %d: %w", len(m.Data), 4+HeaderLen, ErrMalformed)
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	orig, _ := ParseHeader(m.Data[4:])
	e := &Error{Request: orig}
	if code < 0 {
		e.Errno = unix.Errno(-code)
	} else if code > 0 {
		// Positive values are not errnos; the kernel never sends them,
		// but a user-space peer might.
		e.Errno = unix.Errno(code)
	}
	if m.Header.Flags&AckTLVs != 0 {
		tlv := uint64(4 + HeaderLen)
		if m.Header.Flags&Capped == 0 {
			tlv = 4 + (uint64(orig.Len)+3)&^3
		}
		if tlv > uint64(len(m.Data)) {
			return nil, fmt.Errorf("netlink: NLMSG_ERROR echoes a %d-byte request in %d bytes: %w", orig.Len, len(m.Data), ErrMalformed)
		}
		if err := e.parseTLVs(m.Data[tlv:]); err != nil {
			return nil, err
		}
	}
	if e.Errno == 0 && e.Message == "" {
		return nil, nil
	}
	if req != nil {
		e.locate(req, attrOff)
	}
	return e, nil
}

func (e *Error) parseTLVs(b []byte) error {
	d := NewAttrDecoder(b)
	for d.Next() {
		switch d.Type() {
		case extAckMsg:
			e.Message = strings.TrimRight(d.String(), "\n")
		case extAckOffset:
			e.Offset = int(d.Uint32())
		case extAckCookie:
			e.Cookie = append([]byte(nil), d.Bytes()...)
		case extAckPolicy:
			p, err := parsePolicy(d.Nested())
			if err != nil {
				return err
			}
			e.Policy = p
		case extAckMissType:
			e.MissingType = uint16(d.Uint32())
		case extAckMissNest:
			e.MissingNest = int(d.Uint32())
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("netlink: extended ACK: %w", err)
	}
	return nil
}

func parsePolicy(d AttrDecoder) (*Policy, error) {
	p := new(Policy)
	for d.Next() {
		switch d.Type() {
		case 1: // NL_POLICY_TYPE_ATTR_TYPE
			p.Type = d.Uint32()
		case 2: // NL_POLICY_TYPE_ATTR_MIN_VALUE_S
			p.MinS, p.HasMinS = d.Int64(), true
		case 3: // NL_POLICY_TYPE_ATTR_MAX_VALUE_S
			p.MaxS, p.HasMaxS = d.Int64(), true
		case 4: // NL_POLICY_TYPE_ATTR_MIN_VALUE_U
			p.MinU, p.HasMinU = d.Uint64(), true
		case 5: // NL_POLICY_TYPE_ATTR_MAX_VALUE_U
			p.MaxU, p.HasMaxU = d.Uint64(), true
		case 6: // NL_POLICY_TYPE_ATTR_MIN_LENGTH
			p.MinLength, p.HasMinLen = d.Uint32(), true
		case 7: // NL_POLICY_TYPE_ATTR_MAX_LENGTH
			p.MaxLength, p.HasMaxLen = d.Uint32(), true
		case 8: // NL_POLICY_TYPE_ATTR_POLICY_IDX
			p.PolicyIndex = d.Uint32()
		case 9: // NL_POLICY_TYPE_ATTR_POLICY_MAXTYPE
			p.MaxType = d.Uint32()
		case 10: // NL_POLICY_TYPE_ATTR_BITFIELD32_MASK
			p.Bitfield32Mask, p.HasBitfield32Mask = d.Uint32(), true
		case 12: // NL_POLICY_TYPE_ATTR_MASK
			p.Mask, p.HasMask = d.Uint64(), true
		}
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("netlink: extended ACK policy: %w", err)
	}
	return p, nil
}

// locate maps the offsets in e to attribute paths in req, the request as
// sent, whose attributes begin attrOff bytes into its payload.
func (e *Error) locate(req []byte, attrOff int) {
	start := HeaderLen + attrOff
	if e.Offset >= start {
		e.Attr = AttrPathAt(req, start, e.Offset)
	}
	if e.MissingNest >= start {
		e.MissingNestAttr = AttrPathAt(req, start, e.MissingNest)
	}
}

// AttrPathAt returns the path of attribute types (outermost first) leading
// to the attribute that starts at byte off of msg, a message whose top-level
// attributes start at byte start. It descends into any attribute whose
// payload parses as attributes, skipping a fixed struct that some nests
// carry before their attributes (VETH_INFO_PEER holds an ifinfomsg first).
// It returns nil when no attribute starts at off.
func AttrPathAt(msg []byte, start, off int) []uint16 {
	if start < 0 || start > len(msg) || off < start || off >= len(msg) {
		return nil
	}
	return pathIn(msg[start:], start, off, false, make(map[[2]int]bool))
}

// pathIn looks for the attribute at absolute offset off in b, a list of
// attributes at absolute offset base, and returns the path to it from b.
// With skip, a leading struct of unknown size may precede the attributes.
//
// failed holds the nests (offset and length of their payload) already
// searched in vain: with skip, a nest is met again from every offset tried
// in the nests around it, and searching it again each time took time
// exponential in the depth of nesting. The path is built on the way out,
// once found, for the same reason: copying it at every attribute met cost
// a factor of the depth.
func pathIn(b []byte, base, off int, skip bool, failed map[[2]int]bool) []uint16 {
	for s := 0; s < len(b) && base+s <= off; s += 4 {
		if p, ok := scan(b[s:], base+s, off, failed); ok {
			return p
		}
		if !skip {
			break
		}
	}
	return nil
}

// scan walks the well-formed list of attributes b at absolute offset base
// and, if one starts at off or contains it, returns the path to it.
func scan(b []byte, base, off int, failed map[[2]int]bool) ([]uint16, bool) {
	d := NewAttrDecoder(b)
	pos := base
	hit := false
	var typ uint16
	var inside []byte
	insideAt := 0
	for d.Next() {
		l := AttrHeaderLen + d.Len()
		switch {
		case off == pos:
			hit, typ = true, d.Type()
		case off > pos && off < pos+l && !hit:
			hit, typ = true, d.Type()
			inside, insideAt = d.Bytes(), pos+AttrHeaderLen
		}
		pos += AttrAlign(l)
	}
	if d.Err() != nil || !hit {
		return nil, false
	}
	if inside != nil {
		nest := [2]int{insideAt, len(inside)}
		if failed[nest] {
			return nil, false
		}
		if p := pathIn(inside, insideAt, off, true, failed); p != nil {
			return append([]uint16{typ}, p...), true
		}
		failed[nest] = true
		return nil, false
	}
	return []uint16{typ}, true
}
