package rtnl

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/fuzzseed"

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
	"FuzzBridgePort":   {unix.SizeofIfInfomsg, [][]uint16{{unix.IFLA_IFNAME}}},
	"FuzzMDB":          {8, nil},
	"FuzzBridgeVLANDB": {8, nil},
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
				if err := fuzzseed.Write(out, p); err != nil {
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

// A seedSpec says how to split the seeds of a target.
type seedSpec struct {
	hdrLen int        // length of the family header
	keep   [][]uint16 // paths of the attributes to keep in every part
}

// dropKept returns the top-level attributes of the message raw that are
// not kept in every part.
func (s seedSpec) dropKept(raw []byte) []byte {
	start := nl.HeaderLen + nl.Align(s.hdrLen)
	if len(raw) < start {
		return raw
	}
	return fuzzseed.Splitter{Keep: s.keep}.DropKept(raw[start:])
}

// splitMessage splits the message raw into messages of at most max bytes
// where it can (see TestSplitSeeds). A message that fits is returned as
// it is.
func (s seedSpec) splitMessage(raw []byte, max int) [][]byte {
	start := nl.HeaderLen + nl.Align(s.hdrLen)
	if len(raw) <= max || len(raw) < start {
		return [][]byte{raw}
	}
	var out [][]byte
	for _, p := range (fuzzseed.Splitter{Keep: s.keep}).Split(raw[start:], max-start) {
		m := append(slices.Clip(raw[:start]), p...)
		binary.NativeEndian.PutUint32(m, uint32(len(m)))
		out = append(out, m)
	}
	return out
}

// readSeed returns the one []byte value of the corpus file name.
func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fuzzseed.Read(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
