package raw

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/catalog"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
)

// An attribute specification on the command line:
//
//	list  = item { "," item }
//	item  = key [ "=" value ]
//	key   = NAME | NUMBER            (NAME from the message's attribute space)
//	value = "{" list "}"             (a nested attribute)
//	      | [ KIND ":" ] TEXT        (KIND as catalog.Kind names it: u8 … u64,
//	                                  s8 … s64, be16 … be64, string, hex, flag,
//	                                  addr, mac; by default the kind the
//	                                  catalog gives the attribute)
//
// TEXT may be double-quoted to hold commas or braces. Inside a nest whose
// attributes follow a fixed struct (VETH_INFO_PEER), the struct is zeroed
// unless an item HEADER=HEX gives it.

// specItem is one parsed item.
type specItem struct {
	key   string
	value string
	set   bool       // "=" was present
	list  []specItem // for "{...}"
	nest  bool
}

// maxAttrPayload is the largest value an attribute (or a nest) holds: its
// 16-bit length counts its 4-byte header too.
const maxAttrPayload = 0xffff - nl.AttrHeaderLen

// parseSpec parses a comma-separated list of items.
func parseSpec(s string) ([]specItem, error) {
	p := &specParser{s: s}
	items, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %s at position %d of %s", cli.Quote(p.s[p.i:]), p.i, cli.Quote(s))
	}
	return items, nil
}

type specParser struct {
	s string
	i int
}

func (p *specParser) list() ([]specItem, error) {
	var items []specItem
	for {
		it, err := p.item()
		if err != nil {
			return nil, err
		}
		items = append(items, it)
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return items, nil
	}
}

func (p *specParser) item() (specItem, error) {
	start := p.i
	for p.i < len(p.s) && !strings.ContainsRune("=,{}", rune(p.s[p.i])) {
		p.i++
	}
	it := specItem{key: strings.TrimSpace(p.s[start:p.i])}
	if it.key == "" {
		return it, fmt.Errorf("missing attribute name at position %d of %s", start, cli.Quote(p.s))
	}
	if p.i >= len(p.s) || p.s[p.i] != '=' {
		return it, nil
	}
	p.i++
	it.set = true
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		it.nest = true
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return it, nil
		}
		list, err := p.list()
		if err != nil {
			return it, err
		}
		if p.i >= len(p.s) || p.s[p.i] != '}' {
			return it, fmt.Errorf("missing } for %s in %s", cli.Quote(it.key), cli.Quote(p.s))
		}
		p.i++
		it.list = list
		return it, nil
	}
	var b strings.Builder
	quoted := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			quoted = !quoted
			p.i++
			continue
		}
		if !quoted && (c == ',' || c == '}' || c == '{') {
			break
		}
		b.WriteByte(c)
		p.i++
	}
	if quoted {
		return it, fmt.Errorf("unterminated quote in %s", cli.Quote(p.s))
	}
	it.value = b.String()
	return it, nil
}

// encodeItems appends the items as attributes of space s (nil if unknown).
func encodeItems(e *nl.Encoder, s *catalog.Space, items []specItem) error {
	strs := map[string]string{} // string values seen here, for variant nests
	for i, it := range items {
		if strings.EqualFold(it.key, "HEADER") {
			if i != 0 {
				return fmt.Errorf("HEADER must come first in a nest")
			}
			continue // handled by the caller
		}
		t, info, err := resolveAttr(s, it.key)
		if err != nil {
			return err
		}
		kind := info.Kind
		text := it.value
		if k, rest, ok := strings.Cut(text, ":"); ok && !it.nest {
			if pk, known := catalog.ParseKind(k); known {
				kind, text = pk, rest
			}
		}
		if it.nest {
			if kind != catalog.Nested && kind != catalog.NestedArray && kind != catalog.Unknown {
				return fmt.Errorf("%s is %v, not nested", label(info, t), kind)
			}
			sub := info.Space
			if info.SelectBy != "" {
				sub = info.Variant(strs[info.SelectBy])
			}
			n := e.Nest(t)
			hdr := info.HeaderLen
			if len(it.list) > 0 && strings.EqualFold(it.list[0].key, "HEADER") {
				b, err := parseHex(it.list[0].value)
				if err != nil {
					return fmt.Errorf("%s HEADER: %v", label(info, t), err)
				}
				e.Payload(b)
			} else if hdr > 0 {
				e.Fixed(hdr)
			}
			if kind == catalog.NestedArray {
				for _, el := range it.list {
					idx, err := strconv.ParseUint(el.key, 0, 16)
					if err != nil || !el.nest {
						return fmt.Errorf("%s: array entries are INDEX={...} with INDEX from 0 to 65535, not %s", label(info, t), cli.Quote(el.key))
					}
					m := e.Nest(uint16(idx))
					if err := encodeItems(e, sub, el.list); err != nil {
						return err
					}
					e.EndNest(m)
				}
			} else if err := encodeItems(e, sub, it.list); err != nil {
				return fmt.Errorf("%s: %w", label(info, t), err)
			}
			e.EndNest(n)
			if errors.Is(e.Err(), nl.ErrTooLarge) {
				return fmt.Errorf("%s: its contents come to more than the %d bytes a nested attribute holds", label(info, t), maxAttrPayload)
			}
			continue
		}
		if kind == catalog.Nested || kind == catalog.NestedArray {
			return fmt.Errorf("%s is nested: give its contents as %s={...}", label(info, t), it.key)
		}
		if kind == catalog.Unknown {
			return fmt.Errorf("the kind of %s is not known: write it as %s=KIND:VALUE (u32:7, string:eth0, hex:0a0b, ...)", label(info, t), it.key)
		}
		b, err := encodeValue(kind, text, it.set)
		if err != nil {
			return fmt.Errorf("%s: %v", label(info, t), err)
		}
		if len(b) > maxAttrPayload {
			return fmt.Errorf("%s: the value is %d bytes, more than the %d an attribute holds", label(info, t), len(b), maxAttrPayload)
		}
		if kind == catalog.String {
			strs[info.Name] = text
		}
		e.Attr(t, b)
	}
	return nil
}

func label(info catalog.Attr, t uint16) string {
	if info.Name != "" {
		return info.Name
	}
	return "attribute " + strconv.Itoa(int(t))
}

// resolveAttr finds an attribute by name in s, or takes a number.
func resolveAttr(s *catalog.Space, key string) (uint16, catalog.Attr, error) {
	if n, err := strconv.ParseUint(key, 0, 16); err == nil {
		info, _ := s.Attr(uint16(n))
		return uint16(n) &^ (nl.AttrNested | nl.AttrNetByteOrder), info, nil
	}
	if t, info, ok := s.Lookup(key); ok {
		return t, info, nil
	}
	if s == nil {
		return 0, catalog.Attr{}, fmt.Errorf("attribute names are not known here: give %s as a number from 0 to 65535", cli.Quote(key))
	}
	return 0, catalog.Attr{}, fmt.Errorf("unknown attribute %s in the %s attributes (a name, or a number from 0 to 65535)", cli.Quote(key), s.Name())
}

// encodeValue renders text as the payload of an attribute of kind k.
func encodeValue(k catalog.Kind, text string, set bool) ([]byte, error) {
	uintOf := func(bits int) (uint64, error) {
		v, err := strconv.ParseUint(text, 0, bits)
		if err != nil {
			return 0, fmt.Errorf("%s is not a number from 0 to %d (%d bits, unsigned)", cli.Quote(text), ^uint64(0)>>(64-bits), bits)
		}
		return v, nil
	}
	intOf := func(bits int) (int64, error) {
		v, err := strconv.ParseInt(text, 0, bits)
		if err != nil {
			return 0, fmt.Errorf("%s is not a number from %d to %d (%d bits, signed)", cli.Quote(text), int64(-1)<<(bits-1), int64(1)<<(bits-1)-1, bits)
		}
		return v, nil
	}
	ne := binary.NativeEndian
	switch k {
	case catalog.Flag:
		if set && text != "" {
			return nil, fmt.Errorf("a flag takes no value")
		}
		return nil, nil
	case catalog.U8:
		v, err := uintOf(8)
		return []byte{byte(v)}, err
	case catalog.S8:
		v, err := intOf(8)
		return []byte{byte(v)}, err
	case catalog.U16, catalog.S16:
		var v uint64
		var err error
		if k == catalog.U16 {
			v, err = uintOf(16)
		} else {
			var s int64
			s, err = intOf(16)
			v = uint64(s)
		}
		return ne.AppendUint16(nil, uint16(v)), err
	case catalog.U32, catalog.S32:
		var v uint64
		var err error
		if k == catalog.U32 {
			v, err = uintOf(32)
		} else {
			var s int64
			s, err = intOf(32)
			v = uint64(s)
		}
		return ne.AppendUint32(nil, uint32(v)), err
	case catalog.U64, catalog.S64:
		var v uint64
		var err error
		if k == catalog.U64 {
			v, err = uintOf(64)
		} else {
			var s int64
			s, err = intOf(64)
			v = uint64(s)
		}
		return ne.AppendUint64(nil, v), err
	case catalog.Uint:
		v, err := uintOf(64)
		if v <= 0xffffffff {
			return ne.AppendUint32(nil, uint32(v)), err
		}
		return ne.AppendUint64(nil, v), err
	case catalog.BE16:
		v, err := uintOf(16)
		return binary.BigEndian.AppendUint16(nil, uint16(v)), err
	case catalog.BE32:
		v, err := uintOf(32)
		return binary.BigEndian.AppendUint32(nil, uint32(v)), err
	case catalog.BE64:
		v, err := uintOf(64)
		return binary.BigEndian.AppendUint64(nil, v), err
	case catalog.String:
		return append([]byte(text), 0), nil
	case catalog.Addr:
		a, err := netip.ParseAddr(text)
		if err != nil {
			return nil, err
		}
		return a.AsSlice(), nil
	case catalog.HWAddr:
		hw, err := net.ParseMAC(text)
		return hw, err
	case catalog.Binary, catalog.Struct:
		return parseHex(text)
	}
	return nil, fmt.Errorf("cannot write a value of kind %v", k)
}

// parseHex accepts hex digits, optionally prefixed with 0x and separated
// by colons, spaces or dots.
func parseHex(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.NewReplacer(":", "", " ", "", ".", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%s is not hex bytes", cli.Quote(s))
	}
	return b, nil
}
