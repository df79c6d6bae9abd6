// Package catalog names netlink message types and attributes, and says how
// their payloads are laid out, for tracing, error messages and the raw
// request tool. It holds read-only tables built from the kernel's UAPI
// headers; it depends on nothing else in nlkit.
//
// Nothing it returns can change the tables: messages, protocols and
// attributes are values, and spaces are read through methods. Families
// that describe their attributes at run time build spaces of their own
// with NewSpace.
package catalog

import (
	"iter"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// An Attr describes one attribute type within a Space. It is a value:
// changing a copy changes nothing else, and its variants can be read but
// not changed.
type Attr struct {
	Name string // the kernel's name, such as "IFLA_IFNAME"
	Kind Kind
	// Space lists the attributes inside a Nested or NestedArray attribute.
	Space *Space
	// HeaderLen is the size of a fixed struct that precedes the nested
	// attributes (VETH_INFO_PEER holds an ifinfomsg first).
	HeaderLen int
	// SelectBy names a sibling String attribute whose value picks the nested
	// space among the variants (IFLA_INFO_DATA is chosen by IFLA_INFO_KIND).
	SelectBy string
	variants map[string]*Space // by the value of SelectBy; never changed once built
}

// Variant returns the space of the attributes nested in a when its SelectBy
// sibling has value value, or nil when that value is not known.
func (a Attr) Variant(value string) *Space { return a.variants[value] }

// Variants yields each known value of the SelectBy sibling with the space
// it selects, sorted by value.
func (a Attr) Variants() iter.Seq2[string, *Space] {
	return func(yield func(string, *Space) bool) {
		for _, k := range slices.Sorted(maps.Keys(a.variants)) {
			if !yield(k, a.variants[k]) {
				return
			}
		}
	}
}

// WithVariants returns a copy of a whose nested space is picked by the
// value of its sibling String attribute selectBy, from v. It is how code
// outside this package describes such an attribute (a family's own
// IFLA_INFO_DATA, say). v is copied: changing it afterwards changes nothing
// in the result. An empty selectBy or v gives an attribute without
// variants.
func (a Attr) WithVariants(selectBy string, v map[string]*Space) Attr {
	if selectBy == "" || len(v) == 0 {
		a.SelectBy, a.variants = "", nil
		return a
	}
	a.SelectBy, a.variants = selectBy, maps.Clone(v)
	return a
}

// A Space is a set of attribute types that share a numbering, such as the
// IFLA_* attributes of a link message. It cannot be changed once built:
// its methods return copies. A nil *Space is an empty space, of attributes
// whose names are not known.
type Space struct {
	name  string
	attrs map[uint16]Attr // by type, without flag bits
}

// NewSpace returns a space named name (a short name, such as "link")
// holding attrs, indexed by attribute type without the NLA_F_* flag bits.
// It is for families that describe themselves at run time: generic netlink
// families, from the controller's policy dumps. attrs is copied, so
// changing it afterwards changes nothing in the space.
func NewSpace(name string, attrs map[uint16]Attr) *Space {
	return &Space{name: name, attrs: maps.Clone(attrs)}
}

// Name returns the space's short name, such as "link"; "" for a nil space.
func (s *Space) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// Len returns the number of attribute types the space describes.
func (s *Space) Len() int {
	if s == nil {
		return 0
	}
	return len(s.attrs)
}

// Attr returns the description of attribute type t, and whether it is known.
func (s *Space) Attr(t uint16) (Attr, bool) {
	if s == nil {
		return Attr{}, false
	}
	a, ok := s.attrs[t]
	return a, ok
}

// All yields every attribute type of the space with its description, in
// type order.
func (s *Space) All() iter.Seq2[uint16, Attr] {
	return func(yield func(uint16, Attr) bool) {
		if s == nil {
			return
		}
		for _, t := range slices.Sorted(maps.Keys(s.attrs)) {
			if !yield(t, s.attrs[t]) {
				return
			}
		}
	}
}

// Lookup returns the attribute of the space named name, as the kernel names
// it (in any case) or without its prefix when that is unambiguous ("IFNAME"
// for IFLA_IFNAME), and its type.
func (s *Space) Lookup(name string) (uint16, Attr, bool) {
	for t, a := range s.All() {
		if strings.EqualFold(a.Name, name) {
			return t, a, true
		}
	}
	// Accept the name without its prefix, e.g. "IFNAME" for IFLA_IFNAME,
	// when exactly one attribute of the space ends so.
	var found uint16
	matches := 0
	for t, a := range s.All() {
		if i := strings.IndexByte(a.Name, '_'); i >= 0 && strings.EqualFold(a.Name[i+1:], name) {
			found, matches = t, matches+1
		}
	}
	if matches == 1 {
		return found, s.attrs[found], true
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

// A Message describes one message type of a protocol, as requests or as
// replies of that type are laid out. It is a value: changing a copy
// changes nothing else.
type Message struct {
	Name      string // the kernel's name, such as "RTM_NEWLINK"
	Op        Op
	Header    string // the fixed family header, such as "ifinfomsg"; "" when none
	HeaderLen int    // its size in bytes; attributes follow it
	Attrs     *Space // the message's top-level attributes, nil when they are not known
}

// AttrPath names the attribute at path (types outermost first) in messages
// described by m, joined by "/", such as "IFLA_LINKINFO/IFLA_INFO_KIND".
// Unknown steps are shown as numbers.
func (m Message) AttrPath(path []uint16) string {
	var b strings.Builder
	s := m.Attrs
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

// A Protocol describes the message types of one netlink protocol. It is a
// value: Known returns a copy, and the messages can be read but not changed.
type Protocol struct {
	Name   string // a short name, such as "route"
	Number int    // the protocol number, such as unix.NETLINK_ROUTE

	// messages describes each message type as its requests are laid out,
	// and its replies too unless replies has the type.
	messages map[uint16]Message
	// replies describes the message types whose replies (messages without
	// NLM_F_REQUEST: answers, dumps, notifications) are laid out
	// differently from their requests.
	replies map[uint16]Message
}

// Message returns the description of message type t: of requests of that
// type if request is set, of replies (and notifications) otherwise. The two
// differ only where the kernel lays them out differently, such as
// sock_diag's SOCK_DIAG_BY_FAMILY.
func (p Protocol) Message(t uint16, request bool) (Message, bool) {
	if !request {
		if m, ok := p.replies[t]; ok {
			return m, true
		}
	}
	m, ok := p.messages[t]
	return m, ok
}

// MessageType returns the type of the message named name (such as
// "RTM_GETLINK", in any case), with the description of its requests.
func (p Protocol) MessageType(name string) (uint16, Message, bool) {
	for t, m := range p.Messages() {
		if strings.EqualFold(m.Name, name) {
			return t, m, true
		}
	}
	return 0, Message{}, false
}

// Messages yields every message type of the protocol with the description
// of its requests, in type order.
func (p Protocol) Messages() iter.Seq2[uint16, Message] { return sortedMessages(p.messages) }

// Replies yields the message types whose replies are laid out differently
// from their requests, with the description of the replies, in type order.
func (p Protocol) Replies() iter.Seq2[uint16, Message] { return sortedMessages(p.replies) }

func sortedMessages(ms map[uint16]Message) iter.Seq2[uint16, Message] {
	return func(yield func(uint16, Message) bool) {
		for _, t := range slices.Sorted(maps.Keys(ms)) {
			if !yield(t, ms[t]) {
				return
			}
		}
	}
}

// Lookup returns the description of message type t of netlink protocol
// proto: of requests if request is set (NLM_F_REQUEST), of replies and
// notifications otherwise. It reports false when the type is not known.
func Lookup(proto int, t uint16, request bool) (Message, bool) {
	load()
	p, ok := protocols[proto]
	if !ok {
		return Message{}, false
	}
	return p.Message(t, request)
}

// MessageType returns the type of the message named name (such as
// "RTM_GETLINK", in any case) in protocol proto, with the description of
// its requests.
func MessageType(proto int, name string) (uint16, Message, bool) {
	load()
	p, ok := protocols[proto]
	if !ok {
		return 0, Message{}, false
	}
	return p.MessageType(name)
}

// Known returns the description of protocol proto, and whether it is known.
func Known(proto int) (Protocol, bool) {
	load()
	p, ok := protocols[proto]
	if !ok {
		return Protocol{}, false
	}
	return *p, true
}

// protocols is the read-only table of every known protocol, filled by
// load and never changed afterwards.
var protocols map[int]*Protocol

// load builds the tables, once, on first use: a program that never
// describes a message (most never meet an error) does not pay for them at
// start-up.
var load = sync.OnceFunc(func() {
	protocols = map[int]*Protocol{}
	loadRoute()
	loadGeneric()
	loadMisc()
})

func register(p *Protocol) {
	protocols[p.Number] = p
}
