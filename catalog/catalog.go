// Package catalog names netlink message types and attributes, and says how
// their payloads are laid out, for tracing, error messages and the raw
// request tool. It holds read-only tables built from the kernel's UAPI
// headers; it depends on nothing else in nlkit.
package catalog

import (
	"strconv"
	"strings"
)

// Kind says how an attribute's payload is laid out.
type Kind uint8

// The payload kinds.
const (
	Unknown     Kind = iota // shown as bytes
	Flag                    // no payload; presence is the value
	U8                      // unsigned integers in host byte order
	U16                     //
	U32                     //
	U64                     //
	S8                      // signed integers in host byte order
	S16                     //
	S32                     //
	S64                     //
	BE16                    // unsigned integers in network byte order
	BE32                    //
	BE64                    //
	String                  // NUL-terminated string
	Binary                  // opaque bytes
	Addr                    // IP address, 4 or 16 bytes
	HWAddr                  // link-layer address, shown as aa:bb:cc
	Nested                  // a list of attributes (Attr.Space)
	NestedArray             // a list of nests whose types are indexes, each holding attributes of Attr.Space
	Struct                  // a fixed-size C struct, shown as bytes
	Uint                    // unsigned integer of 1, 2, 4 or 8 bytes (NLA_UINT)
)

var kindNames = [...]string{
	Unknown: "unknown", Flag: "flag", U8: "u8", U16: "u16", U32: "u32", U64: "u64",
	S8: "s8", S16: "s16", S32: "s32", S64: "s64", BE16: "be16", BE32: "be32", BE64: "be64",
	String: "string", Binary: "bytes", Addr: "addr", HWAddr: "hwaddr", Nested: "nested",
	NestedArray: "nested-array", Struct: "struct", Uint: "uint",
}

// String returns the kind's name as the raw request tool accepts it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind" + strconv.Itoa(int(k))
}

// ParseKind returns the kind named s (as String returns it).
func ParseKind(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n == s {
			return Kind(k), true
		}
	}
	switch s {
	case "str":
		return String, true
	case "hex", "binary":
		return Binary, true
	case "nest":
		return Nested, true
	case "ip":
		return Addr, true
	case "mac":
		return HWAddr, true
	}
	return Unknown, false
}

// An Attr describes one attribute type within a Space.
type Attr struct {
	Name string // the kernel's name, such as "IFLA_IFNAME"
	Kind Kind
	// Space lists the attributes inside a Nested or NestedArray attribute.
	Space *Space
	// HeaderLen is the size of a fixed struct that precedes the nested
	// attributes (VETH_INFO_PEER holds an ifinfomsg first).
	HeaderLen int
	// SelectBy names a sibling String attribute whose value picks the nested
	// space from Variants (IFLA_INFO_DATA is chosen by IFLA_INFO_KIND).
	SelectBy string
	Variants map[string]*Space
}

// A Space is a set of attribute types that share a numbering, such as the
// IFLA_* attributes of a link message.
type Space struct {
	Name  string          // a short name for the space, such as "link"
	Attrs map[uint16]Attr // by type, without flag bits
}

// Attr returns the description of attribute type t, and whether it is known.
func (s *Space) Attr(t uint16) (Attr, bool) {
	if s == nil {
		return Attr{}, false
	}
	a, ok := s.Attrs[t]
	return a, ok
}

// Lookup returns the attribute of the space named name, as the kernel names
// it (in any case) or without its prefix when that is unambiguous ("IFNAME"
// for IFLA_IFNAME), and its type.
func (s *Space) Lookup(name string) (uint16, Attr, bool) {
	if s == nil {
		return 0, Attr{}, false
	}
	for t, a := range s.Attrs {
		if strings.EqualFold(a.Name, name) {
			return t, a, true
		}
	}
	// Accept the name without its prefix, e.g. "IFNAME" for IFLA_IFNAME,
	// when exactly one attribute of the space ends so.
	var found uint16
	matches := 0
	for t, a := range s.Attrs {
		if i := strings.IndexByte(a.Name, '_'); i >= 0 && strings.EqualFold(a.Name[i+1:], name) {
			found, matches = t, matches+1
		}
	}
	if matches == 1 {
		return found, s.Attrs[found], true
	}
	return 0, Attr{}, false
}

// Op classifies a message type as a request kind. The values match package
// nl's Op constants.
type Op uint8

// The request kinds.
const (
	OpUnknown Op = iota
	OpGet
	OpNew
	OpDel
)

// A Message describes one message type of a protocol.
type Message struct {
	Name      string // the kernel's name, such as "RTM_NEWLINK"
	Op        Op
	Header    string // the fixed family header, such as "ifinfomsg"; "" when none
	HeaderLen int    // its size in bytes; attributes follow it
	Attrs     *Space // the message's top-level attributes, nil when it has none
}

// A Protocol gathers the message types of one netlink protocol.
type Protocol struct {
	Name     string
	Number   int
	Messages map[uint16]*Message
}

// Lookup returns the description of message type t of netlink protocol
// proto, or nil when it is not known.
func Lookup(proto int, t uint16) *Message {
	p := protocols[proto]
	if p == nil {
		return nil
	}
	return p.Messages[t]
}

// MessageType returns the type of the message named name (such as
// "RTM_GETLINK", in any case) in protocol proto.
func MessageType(proto int, name string) (uint16, *Message, bool) {
	p := protocols[proto]
	if p == nil {
		return 0, nil, false
	}
	for t, m := range p.Messages {
		if strings.EqualFold(m.Name, name) {
			return t, m, true
		}
	}
	return 0, nil, false
}

// Known returns the description of protocol proto, or nil.
func Known(proto int) *Protocol { return protocols[proto] }

// AttrPath names the attribute at path (types outermost first) in messages
// of type m, joined by "/", such as "IFLA_LINKINFO/IFLA_INFO_KIND". Unknown
// steps are shown as numbers.
func (m *Message) AttrPath(path []uint16) string {
	var b strings.Builder
	var s *Space
	if m != nil {
		s = m.Attrs
	}
	for i := 0; i < len(path); i++ {
		if i > 0 {
			b.WriteByte('/')
		}
		a, ok := s.Attr(path[i])
		if !ok {
			b.WriteString(strconv.Itoa(int(path[i])))
			s = nil
			continue
		}
		b.WriteString(a.Name)
		s = a.Space
		if a.Kind == NestedArray && i+1 < len(path) {
			// The next step is an index into the array.
			i++
			b.WriteString("/")
			b.WriteString(strconv.Itoa(int(path[i])))
		}
	}
	return b.String()
}

// protocols is the read-only table of every known protocol, filled by the
// per-protocol files of this package.
var protocols = map[int]*Protocol{}

func register(p *Protocol) *Protocol {
	protocols[p.Number] = p
	return p
}
