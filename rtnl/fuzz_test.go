package rtnl

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// What keeps the fuzz targets of this package fuzzing rather than
// minimising. When an input gains coverage, the fuzzer shrinks it by
// deleting bytes; its last pass tries every deletion of a range, n²/2
// tries for n bytes, at tens of microseconds each whatever the target.
// Netlink inputs hardly shrink that way: nearly every deletion breaks a
// length field, of the message, an attribute or a nest. And a longer input
// gains coverage more often, since coverage counts how many times each
// loop runs. So a 300-byte input can take a second to minimise, and one of
// 2 KB over a minute: the default -fuzzminimizetime, all of it lost to
// fuzzing. Hence the targets frame their input without trusting its length
// field, and up to maxFuzzLen bytes (fuzzMessage), and no seed is bigger
// than maxSeedLen (TestSplitSeeds).

// maxFuzzLen bounds the messages the targets decode: 384 bytes hold any of
// the kernel's messages but a link's, which is split into seeds of
// maxSeedLen, and minimise in 2 or 3 seconds at worst. The fuzzer still
// grows some inputs to kilobytes.
const maxFuzzLen = 384

// fuzzMessage frames b, any bytes, as the one netlink message the targets
// decode: its header is the first 16 bytes of b, and its payload the rest,
// up to maxFuzzLen bytes in all, whatever the header's length field says.
// Framing, that field included, is nl.FuzzMessages's to fuzz. Checking the
// field here would turn nearly every input the fuzzer derives by inserting
// or deleting bytes into a framing error that never reaches the decoder,
// and would keep the minimiser from ever shrinking an input: every
// deletion would break the framing, so it would try all n²/2 in vain.
func fuzzMessage(b []byte) (nl.Message, bool) {
	b = b[:min(len(b), maxFuzzLen)]
	h, err := nl.ParseHeader(b)
	if err != nil {
		return nl.Message{}, false
	}
	h.Len = uint32(len(b))
	return nl.Message{Header: h, Data: b[nl.HeaderLen:len(b):len(b)]}, true
}

// maxSeedLen bounds the kernel seeds kept in testdata/fuzz: the fuzzer's
// inputs come from them, and a big seed makes big inputs, slow to
// minimise (with whole 1.5 KB link messages, FuzzLink did little else).
const maxSeedLen = 128

// seedSpecs gives, for the targets whose kernel seeds need splitting, the
// length of the family header their messages carry, and the attributes
// that go in every part of a message or nest split in parts: a link's
// name, and its kind with the kind's data. (The kernel's addresses,
// routes, neighbours, rules and nexthops come in messages of 300 bytes at
// most, which shrink well enough now that fuzzMessage lets them.)
var seedSpecs = map[string]seedSpec{
	"FuzzLink": {unix.SizeofIfInfomsg, [][]uint16{
		{unix.IFLA_IFNAME},
		{unix.IFLA_LINKINFO, unix.IFLA_INFO_KIND},
		{unix.IFLA_LINKINFO, unix.IFLA_INFO_SLAVE_KIND},
	}},
}

// TestSplitSeeds splits each kernel seed in testdata/fuzz bigger than
// maxSeedLen into messages that each hold the header, the family header,
// the attributes to keep and a share of the other attributes (a nest too
// big is itself split, into copies that share its attributes out), so
// that every attribute the kernel sent is still in some seed. Run it after
// recording seeds (the TestCapture*Seeds tests):
//
//	NLKIT_SPLIT_SEEDS=1 go test ./rtnl -run SplitSeeds
func TestSplitSeeds(t *testing.T) {
	if os.Getenv("NLKIT_SPLIT_SEEDS") != "1" {
		t.Skip("set NLKIT_SPLIT_SEEDS=1 to split the big kernel seeds in testdata/fuzz")
	}
	for target, spec := range seedSpecs {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "kernel-*"))
		// Parts that differ from one already there only in the
		// attributes kept in each (a link's name) are left out.
		seen := make(map[string]bool)
		for _, name := range files {
			if raw := readSeed(t, name); len(raw) <= maxSeedLen {
				seen[string(spec.dropKept(raw))] = true
			}
		}
		for _, name := range files {
			raw := readSeed(t, name)
			if len(raw) <= maxSeedLen {
				continue
			}
			parts := spec.splitMessage(raw, maxSeedLen)
			if len(parts) == 1 {
				continue // nothing to split: one big attribute
			}
			for _, p := range parts {
				k := string(spec.dropKept(p))
				if seen[k] {
					continue
				}
				seen[k] = true
				sum := sha256.Sum256(p)
				out := filepath.Join(filepath.Dir(name), "kernel-"+hex.EncodeToString(sum[:8]))
				if err := os.WriteFile(out, fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", p), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d bytes split in %d", name, len(raw), len(parts))
		}
	}
}

// readSeed returns the one []byte value of the corpus file name.
func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	for sc.Scan() {
		if l, ok := strings.CutPrefix(sc.Text(), "[]byte("); ok {
			v, err := strconv.Unquote(strings.TrimSuffix(l, ")"))
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return []byte(v)
		}
	}
	t.Fatalf("%s: no []byte value", name)
	return nil
}

// A seedSpec says how to split the seeds of a target.
type seedSpec struct {
	hdrLen int        // length of the family header
	keep   [][]uint16 // paths of the attributes to keep in every part
}

// kept reports whether the attribute a, in the nest at path, is to be kept
// in every part.
func (s seedSpec) kept(path []uint16, a []byte) bool {
	t := binary.NativeEndian.Uint16(a[2:]) & nl.AttrTypeMask
	for _, k := range s.keep {
		if len(k) == len(path)+1 && k[len(path)] == t && slices.Equal(k[:len(path)], path) {
			return true
		}
	}
	return false
}

// dropKept returns the top-level attributes of the message raw that are
// not kept in every part.
func (s seedSpec) dropKept(raw []byte) []byte {
	start := nl.HeaderLen + nl.Align(s.hdrLen)
	if len(raw) < start {
		return raw
	}
	attrs, ok := attrList(raw[start:])
	if !ok {
		return raw
	}
	var rest []byte
	for _, a := range attrs {
		if !s.kept(nil, a) {
			rest = append(rest, a...)
		}
	}
	return rest
}

// splitMessage splits the message raw into messages of at most max bytes
// where it can (see TestSplitSeeds). A message that fits is returned as
// it is.
func (s seedSpec) splitMessage(raw []byte, max int) [][]byte {
	start := nl.HeaderLen + nl.Align(s.hdrLen)
	if len(raw) <= max || len(raw) < start {
		return [][]byte{raw}
	}
	parts, ok := s.splitAttrs(raw[start:], max-start, nil)
	if !ok {
		return [][]byte{raw}
	}
	var out [][]byte
	for _, p := range parts {
		m := append(slices.Clip(raw[:start]), p...)
		binary.NativeEndian.PutUint32(m, uint32(len(m)))
		out = append(out, m)
	}
	return out
}

// splitAttrs packs the attribute list b, of the nest at path, into lists
// of at most max bytes that each start with the attributes kept at path.
// An attribute too big for a list is split, if it is a nest, into copies
// of the nest that share out its attributes; otherwise it makes a list of
// its own. It reports whether b is a well-formed attribute list.
func (s seedSpec) splitAttrs(b []byte, max int, path []uint16) ([][]byte, bool) {
	attrs, ok := attrList(b)
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

// attrList returns the attributes of the list b, each padded to
// alignment, and whether b is a well-formed list.
func attrList(b []byte) ([][]byte, bool) {
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
