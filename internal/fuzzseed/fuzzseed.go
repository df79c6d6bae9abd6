// Package fuzzseed splits the big netlink messages captured from the
// kernel into small fuzz seeds, for the fuzz targets of nlkit's packages:
// a seed of a few kilobytes makes every minimisation of the inputs derived
// from it take seconds, while parts of at most a hundred-odd bytes keep
// every attribute the kernel sent in some seed.
package fuzzseed

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
)

// A Splitter splits attribute lists, keeping the attributes at the paths
// Keep (attribute types, outermost first) in every part, such as a link's
// name and kind, so that each part still decodes as its kind.
type Splitter struct{ Keep [][]uint16 }

// Split splits the attribute list b into lists of at most max bytes where
// it can; a list that fits, or is not well-formed, is returned as it is.
func (s Splitter) Split(b []byte, max int) [][]byte {
	if len(b) <= max {
		return [][]byte{b}
	}
	parts, ok := s.splitAttrs(b, max, nil)
	if !ok {
		return [][]byte{b}
	}
	return parts
}

// DropKept returns the attributes of the list b that are not kept in
// every part (b itself if it is not a well-formed list): what makes two
// parts differ.
func (s Splitter) DropKept(b []byte) []byte {
	attrs, ok := AttrList(b)
	if !ok {
		return b
	}
	var rest []byte
	for _, a := range attrs {
		if !s.kept(nil, a) {
			rest = append(rest, a...)
		}
	}
	return rest
}

// splitAttrs packs the attribute list b, of the nest at path, into lists
// of at most max bytes that each start with the attributes kept at path.
// An attribute too big for a list is split, if it is a nest, into copies
// of the nest that share out its attributes; otherwise it makes a list of
// its own. It reports whether b is a well-formed attribute list.
func (s Splitter) splitAttrs(b []byte, max int, path []uint16) ([][]byte, bool) {
	attrs, ok := AttrList(b)
	if !ok {
		return nil, false
	}
	var kept []byte
	var rest [][]byte
	for _, a := range attrs {
		if s.kept(path, a) {
			kept = append(kept, a...)
		} else {
			rest = append(rest, a)
		}
	}
	max -= len(kept)
	var out [][]byte
	var cur []byte
	flush := func() {
		if cur != nil {
			out = append(out, append(slices.Clip(kept), cur...))
			cur = nil
		}
	}
	for _, a := range rest {
		if len(cur)+len(a) <= max {
			cur = append(cur, a...)
			continue
		}
		flush()
		if len(a) > max && max > nl.AttrHeaderLen {
			t := binary.NativeEndian.Uint16(a[2:]) & nl.AttrTypeMask
			inner := a[nl.AttrHeaderLen:binary.NativeEndian.Uint16(a)]
			if parts, ok := s.splitAttrs(inner, max-nl.AttrHeaderLen, append(slices.Clip(path), t)); ok && len(parts) > 1 {
				for _, p := range parts {
					n := append(slices.Clip(a[:nl.AttrHeaderLen]), p...)
					binary.NativeEndian.PutUint16(n, uint16(len(n)))
					out = append(out, append(slices.Clip(kept), n...))
				}
				continue
			}
		}
		cur = a
	}
	flush()
	if out == nil {
		out = [][]byte{kept}
	}
	return out, true
}

// kept reports whether the attribute a, in the nest at path, is to be kept
// in every part.
func (s Splitter) kept(path []uint16, a []byte) bool {
	t := binary.NativeEndian.Uint16(a[2:]) & nl.AttrTypeMask
	for _, k := range s.Keep {
		if len(k) == len(path)+1 && k[len(path)] == t && slices.Equal(k[:len(path)], path) {
			return true
		}
	}
	return false
}

// AttrList returns the attributes of the list b, each a copy padded to
// alignment, and whether b is a well-formed list.
func AttrList(b []byte) ([][]byte, bool) {
	var out [][]byte
	for len(b) > 0 {
		if len(b) < nl.AttrHeaderLen {
			return nil, false
		}
		l := int(binary.NativeEndian.Uint16(b))
		if l < nl.AttrHeaderLen || l > len(b) {
			return nil, false
		}
		n := min(nl.AttrAlign(l), len(b))
		a := make([]byte, nl.AttrAlign(l))
		copy(a, b[:n])
		out = append(out, a)
		b = b[n:]
	}
	return out, true
}

// Read returns the one []byte value of the go test corpus file name.
func Read(name string) ([]byte, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "[]byte("); ok {
			v, err := strconv.Unquote(strings.TrimSuffix(l, ")"))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			return []byte(v), nil
		}
	}
	return nil, fmt.Errorf("%s: no []byte value", name)
}

// Write writes b as a go test corpus file of one []byte value.
func Write(name string, b []byte) error {
	return os.WriteFile(name, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", b), 0o644)
}
