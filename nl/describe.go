package nl

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/catalog"
	"golang.org/x/sys/unix"
)

// A Describer finds the description of a message type, for traces, errors
// and debugging tools. The default, used when Config.Describe is nil, is
// package catalog's table of the kernel's protocols; families with dynamic
// message types (generic netlink) supply their own.
type Describer interface {
	Describe(p Protocol, m Message) (catalog.Message, bool)
}

// CatalogDescriber describes messages from package catalog's tables.
type CatalogDescriber struct{}

// Describe implements Describer.
func (CatalogDescriber) Describe(p Protocol, m Message) (catalog.Message, bool) {
	cm := catalog.Lookup(int(p), uint16(m.Header.Type))
	if cm == nil {
		return catalog.Message{}, false
	}
	return *cm, true
}

// A Description is a decoded view of one message, for people: its header
// with names, its fixed family header, and its attribute tree. It marshals
// to JSON as `nlctl raw -j` prints it.
type Description struct {
	Type     string       `json:"type"`
	TypeID   uint16       `json:"type_id"`
	Flags    []string     `json:"flags"`
	Seq      uint32       `json:"seq"`
	Port     uint32       `json:"port"`
	Len      uint32       `json:"len"`
	Group    uint32       `json:"group,omitempty"`
	NSID     *int32       `json:"nsid,omitempty"`
	Creds    *Credentials `json:"creds,omitempty"`
	Header   *FixedHeader `json:"header,omitempty"`
	Error    *ErrorDesc   `json:"error,omitempty"`
	Attrs    []AttrDesc   `json:"attrs,omitempty"`
	Payload  string       `json:"payload,omitempty"` // hex, when the payload is not understood
	Problems []string     `json:"problems,omitempty"`
	msg      *catalog.Message
}

// A FixedHeader is the family's fixed header of a message, in hex.
type FixedHeader struct {
	Name string `json:"name,omitempty"`
	Hex  string `json:"hex"`
}

// ErrorDesc describes an NLMSG_ERROR (or an NLMSG_DONE with an error code).
type ErrorDesc struct {
	Errno       int    `json:"errno"`
	Name        string `json:"name,omitempty"` // the errno's symbol, such as "EEXIST"
	Text        string `json:"text,omitempty"`
	Message     string `json:"msg,omitempty"`
	Offset      int    `json:"offset,omitempty"`
	MissingType uint16 `json:"missing_type,omitempty"`
	Policy      string `json:"policy,omitempty"`
	Request     string `json:"request,omitempty"`
}

// An AttrDesc describes one attribute.
type AttrDesc struct {
	Type   uint16     `json:"type"`
	Name   string     `json:"name,omitempty"`
	Flags  []string   `json:"flags,omitempty"`
	Kind   string     `json:"kind,omitempty"`
	Value  any        `json:"value,omitempty"`
	Hex    string     `json:"hex,omitempty"`
	Header string     `json:"header,omitempty"` // hex of a struct before nested attributes
	Attrs  []AttrDesc `json:"attrs,omitempty"`
}

// Describe decodes m, a message of protocol p, for people. d may be nil for
// DefaultDescriber. Malformed parts are reported in Problems, never by
// panicking.
func Describe(p Protocol, m Message, d Describer) Description {
	if d == nil {
		d = CatalogDescriber{}
	}
	h := m.Header
	desc := Description{TypeID: uint16(h.Type), Seq: h.Seq, Port: h.Port, Len: h.Len, Group: m.Meta.Group}
	if m.Meta.HasNSID {
		n := m.Meta.NSID
		desc.NSID = &n
	}
	if m.Meta.HasCreds {
		c := m.Meta.Creds
		desc.Creds = &c
	}
	op := OpUnknown
	var cm *catalog.Message
	if h.Type < MsgMinType {
		desc.Type = h.Type.String()
		if h.Type == MsgError {
			op = OpAck
		}
	} else if v, ok := d.Describe(p, m); ok {
		cm = &v
		desc.Type = cm.Name
		op = Op(cm.Op)
	} else {
		desc.Type = strconv.Itoa(int(h.Type))
	}
	desc.msg = cm
	desc.Flags = strings.Split(h.Flags.Format(op), "|")
	switch {
	case h.Type == MsgError:
		desc.describeError(p, m, d)
	case h.Type == MsgDone && h.Flags&Multi != 0 && len(m.Data) >= 4:
		if e, err := parseDoneError(m); err != nil {
			desc.Problems = append(desc.Problems, err.Error())
		} else if e != nil {
			desc.Error = errorDesc(e)
		}
	case cm != nil && cm.HeaderLen >= 0:
		data := m.Data
		if cm.HeaderLen > 0 {
			n := min(cm.HeaderLen, len(data))
			desc.Header = &FixedHeader{Name: cm.Header, Hex: hex.EncodeToString(data[:n])}
			if len(data) < cm.HeaderLen {
				desc.Problems = append(desc.Problems, fmt.Sprintf("%s needs %d bytes, have %d", cm.Header, cm.HeaderLen, len(data)))
				data = nil
			} else {
				data = data[min(Align(cm.HeaderLen), len(data)):]
			}
		}
		if cm.Attrs != nil || len(data) > 0 {
			attrs, err := describeAttrs(data, cm.Attrs)
			desc.Attrs = attrs
			if err != nil {
				desc.Problems = append(desc.Problems, err.Error())
			}
		}
	default:
		if len(m.Data) > 0 {
			desc.Payload = hex.EncodeToString(m.Data)
		}
	}
	return desc
}

func errorDesc(e *Error) *ErrorDesc {
	ed := &ErrorDesc{Errno: int(e.Errno), Message: e.Message, Offset: e.Offset, MissingType: e.MissingType}
	if e.Errno != 0 {
		ed.Text = e.Errno.Error()
		ed.Name = unix.ErrnoName(e.Errno)
	}
	if e.Policy != nil {
		ed.Policy = e.Policy.String()
	}
	return ed
}

func (desc *Description) describeError(p Protocol, m Message, d Describer) {
	e, err := ParseError(m, nil, 0)
	if err != nil {
		desc.Problems = append(desc.Problems, err.Error())
		desc.Payload = hex.EncodeToString(m.Data)
		return
	}
	if e == nil {
		desc.Error = &ErrorDesc{}
		if len(m.Data) >= 4+HeaderLen {
			orig, _ := ParseHeader(m.Data[4:])
			desc.Error.Request = describeHeader(p, orig, d)
		}
		return
	}
	desc.Error = errorDesc(e)
	desc.Error.Request = describeHeader(p, e.Request, d)
}

func describeHeader(p Protocol, h Header, d Describer) string {
	name := h.Type.String()
	op := OpUnknown
	if h.Type >= MsgMinType {
		if cm, ok := d.Describe(p, Message{Header: h}); ok {
			name, op = cm.Name, Op(cm.Op)
		}
	}
	return fmt.Sprintf("%s flags=%s seq=%d port=%d len=%d", name, h.Flags.Format(op), h.Seq, h.Port, h.Len)
}

// describeAttrs decodes a list of attributes of space s (nil if unknown).
func describeAttrs(b []byte, s *catalog.Space) ([]AttrDesc, error) {
	var out []AttrDesc
	ad := NewAttrDecoder(b)
	var strs map[string]string // string attributes seen at this level, for variants
	for ad.Next() {
		a := AttrDesc{Type: ad.Type()}
		if ad.IsNested() {
			a.Flags = append(a.Flags, "NESTED")
		}
		if ad.NetByteOrder() {
			a.Flags = append(a.Flags, "NET_BYTEORDER")
		}
		info, known := s.Attr(ad.Type())
		kind := catalog.Unknown
		if known {
			a.Name = info.Name
			kind = info.Kind
		} else if ad.IsNested() {
			kind = catalog.Nested
		}
		data := ad.Bytes()
		if kind == catalog.Nested || kind == catalog.NestedArray {
			a.Kind = kind.String()
			sub := info.Space
			if info.SelectBy != "" {
				sub = info.Variants[strs[info.SelectBy]]
			}
			if info.HeaderLen > 0 {
				n := min(info.HeaderLen, len(data))
				a.Header = hex.EncodeToString(data[:n])
				data = data[min(Align(info.HeaderLen), len(data)):]
			}
			var err error
			if kind == catalog.NestedArray {
				a.Attrs, err = describeArray(data, sub)
			} else {
				a.Attrs, err = describeAttrs(data, sub)
			}
			if err != nil {
				return append(out, a), fmt.Errorf("%s: %w", attrLabel(a), err)
			}
			out = append(out, a)
			continue
		}
		a.Kind, a.Value = describeValue(kind, data, ad.NetByteOrder())
		if a.Value == nil {
			a.Hex = hex.EncodeToString(data)
		}
		if kind == catalog.String {
			if strs == nil {
				strs = make(map[string]string)
			}
			strs[info.Name] = cString(data)
		}
		out = append(out, a)
	}
	return out, ad.Err()
}

// describeArray decodes a nested array: entries whose types are indexes,
// each holding attributes of space s.
func describeArray(b []byte, s *catalog.Space) ([]AttrDesc, error) {
	var out []AttrDesc
	ad := NewAttrDecoder(b)
	for ad.Next() {
		a := AttrDesc{Type: ad.Type(), Kind: catalog.Nested.String()}
		var err error
		a.Attrs, err = describeAttrs(ad.Bytes(), s)
		out = append(out, a)
		if err != nil {
			return out, err
		}
	}
	return out, ad.Err()
}

// describeValue renders a payload of the given kind, or returns a nil value
// when it does not fit the kind (the caller then shows hex).
func describeValue(k catalog.Kind, b []byte, be bool) (string, any) {
	var order binary.ByteOrder = binary.NativeEndian
	if be {
		order = binary.BigEndian
	}
	switch k {
	case catalog.Flag:
		if len(b) == 0 {
			return "flag", true
		}
	case catalog.U8:
		if len(b) == 1 {
			return "u8", b[0]
		}
	case catalog.S8:
		if len(b) == 1 {
			return "s8", int8(b[0])
		}
	case catalog.U16:
		if len(b) == 2 {
			return "u16", order.Uint16(b)
		}
	case catalog.S16:
		if len(b) == 2 {
			return "s16", int16(order.Uint16(b))
		}
	case catalog.U32:
		if len(b) == 4 {
			return "u32", order.Uint32(b)
		}
	case catalog.S32:
		if len(b) == 4 {
			return "s32", int32(order.Uint32(b))
		}
	case catalog.U64:
		if len(b) == 8 {
			return "u64", order.Uint64(b)
		}
	case catalog.S64:
		if len(b) == 8 {
			return "s64", int64(order.Uint64(b))
		}
	case catalog.BE16:
		if len(b) == 2 {
			return "be16", binary.BigEndian.Uint16(b)
		}
	case catalog.BE32:
		if len(b) == 4 {
			return "be32", binary.BigEndian.Uint32(b)
		}
	case catalog.BE64:
		if len(b) == 8 {
			return "be64", binary.BigEndian.Uint64(b)
		}
	case catalog.Uint:
		switch len(b) {
		case 1, 2, 4, 8:
			d := AttrDecoder{data: b}
			if be {
				d.typ = AttrNetByteOrder
			}
			return "uint", d.Uint()
		}
	case catalog.String:
		return "string", cString(b)
	case catalog.Addr:
		if a, ok := netip.AddrFromSlice(b); ok {
			return "addr", a.String()
		}
	case catalog.HWAddr:
		if len(b) > 0 {
			return "hwaddr", net.HardwareAddr(b).String()
		}
	case catalog.Binary, catalog.Struct:
		return k.String(), nil
	}
	return "", nil
}

func attrLabel(a AttrDesc) string {
	if a.Name != "" {
		return a.Name
	}
	return "attribute " + strconv.Itoa(int(a.Type))
}

// Format writes the description as indented text, one line for the header
// and one per attribute, as the tracer and `nlctl raw` print it.
func (desc *Description) Format(w io.Writer, indent string) {
	fmt.Fprintf(w, "%s%s flags=%s seq=%d port=%d len=%d", indent, desc.Type, strings.Join(desc.Flags, "|"), desc.Seq, desc.Port, desc.Len)
	if desc.Group != 0 {
		fmt.Fprintf(w, " group=%d", desc.Group)
	}
	if desc.NSID != nil {
		fmt.Fprintf(w, " nsid=%d", *desc.NSID)
	}
	if desc.Creds != nil {
		fmt.Fprintf(w, " pid=%d uid=%d gid=%d", desc.Creds.PID, desc.Creds.UID, desc.Creds.GID)
	}
	fmt.Fprintln(w)
	in := indent + "    "
	if e := desc.Error; e != nil {
		if e.Errno == 0 && e.Message == "" {
			fmt.Fprintf(w, "%sack of %s\n", in, e.Request)
		} else {
			fmt.Fprintf(w, "%serror %s %d (%s)", in, e.Name, e.Errno, e.Text)
			if e.Message != "" {
				fmt.Fprintf(w, ": %q", e.Message)
			}
			if e.Offset != 0 {
				fmt.Fprintf(w, " offset=%d", e.Offset)
			}
			if e.MissingType != 0 {
				fmt.Fprintf(w, " missing-attr=%d", e.MissingType)
			}
			if e.Policy != "" {
				fmt.Fprintf(w, " policy=%q", e.Policy)
			}
			fmt.Fprintln(w)
			if e.Request != "" {
				fmt.Fprintf(w, "%sin reply to %s\n", in, e.Request)
			}
		}
	}
	if desc.Header != nil {
		name := desc.Header.Name
		if name == "" {
			name = "header"
		}
		fmt.Fprintf(w, "%s%s: %s\n", in, name, spacedHex(desc.Header.Hex))
	}
	formatAttrs(w, desc.Attrs, in)
	if desc.Payload != "" {
		fmt.Fprintf(w, "%spayload: %s\n", in, spacedHex(desc.Payload))
	}
	for _, p := range desc.Problems {
		fmt.Fprintf(w, "%s!! %s\n", in, p)
	}
}

func formatAttrs(w io.Writer, attrs []AttrDesc, indent string) {
	for _, a := range attrs {
		fmt.Fprintf(w, "%s%s (%d)", indent, attrLabel(a), a.Type)
		if len(a.Flags) > 0 {
			fmt.Fprintf(w, " [%s]", strings.Join(a.Flags, ","))
		}
		switch v := a.Value.(type) {
		case nil:
			if a.Attrs == nil && a.Kind != "nested" && a.Kind != "nested-array" {
				if a.Hex == "" {
					fmt.Fprint(w, " (empty)")
				} else {
					fmt.Fprintf(w, " %s", spacedHex(a.Hex))
				}
			}
		case string:
			if a.Kind == "string" {
				fmt.Fprintf(w, " %q", v)
			} else {
				fmt.Fprintf(w, " %s", v)
			}
		case bool:
		default:
			fmt.Fprintf(w, " %v", v)
		}
		fmt.Fprintln(w)
		if a.Header != "" {
			fmt.Fprintf(w, "%s    header: %s\n", indent, spacedHex(a.Header))
		}
		formatAttrs(w, a.Attrs, indent+"    ")
	}
}

// spacedHex groups a hex string by 4 bytes for reading.
func spacedHex(h string) string {
	if len(h) <= 8 {
		return h
	}
	var b strings.Builder
	for i := 0; i < len(h); i += 8 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i:min(i+8, len(h))])
	}
	return b.String()
}
