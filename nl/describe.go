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

// A Describer says how a message of protocol p is laid out, for traces,
// errors and debugging tools: its name, its fixed family header and its
// attributes. It sees the whole message m: its header, whose Flags hold
// Request for a request (replies and notifications lack it), and its
// payload in Data, so it can tell requests from replies and look inside
// the family header (a generic netlink command, a sock_diag family). Data
// may be shorter than the family header, or empty: a request echoed in a
// capped acknowledgement has its header alone. Describe reports false when
// it does not know the message; a description with a negative HeaderLen
// makes the payload shown as bytes.
//
// The default, used when Config.Describe is nil, is CatalogDescriber, from
// package catalog's tables of the kernel's protocols. Families whose
// message types or attributes are known only at run time (generic netlink
// families get their type from the controller) supply their own, and may
// fall back on CatalogDescriber for the rest. A Describer is called from
// any goroutine that uses the Conn.
type Describer interface {
	Describe(p Protocol, m Message) (catalog.Message, bool)
}

// CatalogDescriber describes messages from package catalog's tables. Its
// zero value is ready to use.
//
// Beyond the tables' lookup by protocol, type and direction, it names the
// command of generic netlink controller messages (CTRL_CMD_GETFAMILY rather
// than GENL_ID_CTRL), and describes only the inet sockets of sock_diag,
// whose headers the tables give: messages of other address families show
// their payload as bytes.
type CatalogDescriber struct{}

// Describe implements Describer.
func (CatalogDescriber) Describe(p Protocol, m Message) (catalog.Message, bool) {
	h := m.Header
	cm, ok := catalog.Lookup(int(p), uint16(h.Type), h.Flags&Request != 0)
	if !ok {
		return cm, false
	}
	switch {
	case p == Generic && h.Type == unix.GENL_ID_CTRL && len(m.Data) > 0:
		// struct genlmsghdr begins with the command.
		if name := catalog.GenericCommand("nlctrl", m.Data[0]); name != "" {
			cm.Name, cm.Op = name, commandOp(name)
		}
	case p == SockDiag && (h.Type == unix.SOCK_DIAG_BY_FAMILY || h.Type == unix.SOCK_DESTROY) && len(m.Data) > 0:
		// The first byte of every sock_diag header is the address family,
		// and each family has its own layout.
		if f := m.Data[0]; f != unix.AF_INET && f != unix.AF_INET6 {
			cm.Header, cm.HeaderLen, cm.Attrs = "", -1, nil
		}
	}
	return cm, true
}

// commandOp classifies a generic netlink command by its name, such as
// CTRL_CMD_GETFAMILY.
func commandOp(name string) catalog.Op {
	_, verb, ok := strings.Cut(name, "_CMD_")
	switch {
	case !ok:
	case strings.HasPrefix(verb, "GET"):
		return catalog.OpGet
	case strings.HasPrefix(verb, "NEW"):
		return catalog.OpNew
	case strings.HasPrefix(verb, "DEL"):
		return catalog.OpDel
	}
	return catalog.OpUnknown
}

// requestMessage returns req, a request as we sent it (or are about to), as
// a Message for a Describer, with Request set.
func requestMessage(req []byte) (Message, bool) {
	m, _, err := NextMessage(req)
	if err != nil {
		h, err := ParseHeader(req)
		if err != nil {
			return Message{}, false
		}
		m = Message{Header: h}
	}
	m.Header.Flags |= Request
	return m, true
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

// Describe decodes m, a message of protocol p, for people, as d describes
// it; d may be nil for CatalogDescriber. Whether m is a request or a reply
// is read from its Request flag. Malformed parts are reported in Problems,
// never by panicking.
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
	var cm catalog.Message
	known := false
	if h.Type < MsgMinType {
		desc.Type = h.Type.String()
		if h.Type == MsgError {
			op = OpAck
		}
	} else if cm, known = d.Describe(p, m); known {
		desc.Type = cm.Name
		op = Op(cm.Op)
	} else {
		desc.Type = strconv.Itoa(int(h.Type))
	}
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
	case known && cm.HeaderLen >= 0:
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
	} else {
		desc.Error = errorDesc(e)
	}
	desc.Error.Request = describeHeader(p, echoedRequest(m), d)
}

// echoedRequest returns the request an NLMSG_ERROR (checked by ParseError)
// echoes: its header, and its payload unless the kernel capped it.
func echoedRequest(m Message) Message {
	if len(m.Data) < 4+HeaderLen {
		return Message{}
	}
	h, _ := ParseHeader(m.Data[4:])
	req := Message{Header: h}
	if m.Header.Flags&Capped == 0 && h.Len >= HeaderLen && int64(h.Len) <= int64(len(m.Data)-4) {
		req.Data = m.Data[4+HeaderLen : 4+h.Len]
	}
	return req
}

// describeHeader words the header of req, a request echoed in an error.
func describeHeader(p Protocol, req Message, d Describer) string {
	h := req.Header
	name := h.Type.String()
	op := OpUnknown
	if h.Type >= MsgMinType {
		if cm, ok := d.Describe(p, req); ok {
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
				sub = info.Variant(strs[info.SelectBy])
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
