package nl_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/fuzzseed"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// FuzzMessages splits arbitrary datagrams: every message returned lies
// within the input, and malformed input is an error, never a panic.
func FuzzMessages(f *testing.F) {
	f.Add(nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 16}, Data: []byte("abcde")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:min(len(b), maxFuzzLen)]
		total := 0
		for m, err := range nl.Messages(b) {
			if err != nil {
				return
			}
			if int(m.Header.Len) != nl.HeaderLen+len(m.Data) {
				t.Fatalf("Len %d for %d bytes of payload", m.Header.Len, len(m.Data))
			}
			total += int(m.Header.Len)
			if total > len(b) {
				t.Fatalf("messages cover %d bytes of %d", total, len(b))
			}
			for range nl.Messages(m.Data) {
				// Payloads are datagrams too, sometimes (errors).
			}
		}
	})
}

// FuzzAttrDecoder decodes arbitrary attribute lists with every getter and
// nested decoding, which must never panic.
func FuzzAttrDecoder(f *testing.F) {
	var e nl.Encoder
	e.Begin(16, 0)
	e.String(3, "lo")
	n := e.Nest(18)
	e.Uint32(1, 5)
	e.EndNest(n)
	e.End()
	f.Add(e.Message(0).Data)
	f.Fuzz(func(t *testing.T, b []byte) {
		b = b[:min(len(b), maxFuzzLen)]
		var walk func(d nl.AttrDecoder, depth int)
		walk = func(d nl.AttrDecoder, depth int) {
			for d.Next() {
				switch d.Type() % 8 {
				case 0:
					_ = d.Uint8()
				case 1:
					_ = d.Uint16() + d.Uint16BE()
				case 2:
					_ = d.Uint32() + d.Uint32BE()
				case 3:
					_ = d.Uint64() + d.Uint64BE() + d.Uint()
				case 4:
					_ = d.String()
				case 5:
					_ = d.Addr()
					_ = d.Prefix(int(d.Type() % 200))
				case 6:
					var s [24]byte
					d.Struct(s[:])
				case 7:
					if depth < 8 {
						walk(d.Nested(), depth+1)
					}
				}
			}
			_ = d.Err()
		}
		walk(nl.NewAttrDecoder(b), 0)
	})
}

// FuzzParseError decodes arbitrary NLMSG_ERROR payloads against an
// arbitrary request.
func FuzzParseError(f *testing.F) {
	f.Add(uint16(nl.Capped|nl.AckTLVs), []byte{0xea, 0xff, 0xff, 0xff, 40, 0, 0, 0, 16, 0, 5, 0, 1, 0, 0, 0, 0, 0, 0, 0, 8, 0, 2, 0, 32, 0, 0, 0}, []byte{}, 0)
	f.Fuzz(func(t *testing.T, flags uint16, payload, req []byte, attrOff int) {
		payload, req = payload[:min(len(payload), maxFuzzLen)], req[:min(len(req), maxFuzzLen)]
		m := nl.Message{Header: nl.Header{Type: nl.MsgError, Flags: nl.Flags(flags)}, Data: payload}
		e, err := nl.ParseError(m, req, attrOff%4096)
		if err == nil && e != nil {
			_ = e.Error()
		}
	})
}

// An error offset inside a deep nest that holds no attribute there is
// resolved to no path, at once: the search took time exponential in the
// depth of nesting (2 s for 22 nests in 112 bytes, hours for 40), found by
// FuzzParseError (testdata/fuzz/FuzzParseError/deep-nest).
func TestAttrPathAtDeepNest(t *testing.T) {
	req := deepNestRequest(40)
	if p := nl.AttrPathAt(req, nl.HeaderLen, len(req)-2); p != nil {
		t.Errorf("path %v to a byte within an attribute", p)
	}
	if p := nl.AttrPathAt(req, nl.HeaderLen, len(req)-8); len(p) != 41 {
		t.Errorf("path %v to the innermost attribute", p)
	}
}

// deepNestRequest returns a request whose attributes are depth nests one
// in the other around an attribute of 4 bytes.
func deepNestRequest(depth int) []byte {
	b := []byte{8, 0, 1, 0, 0xaa, 0xbb, 0xcc, 0xdd}
	for range depth {
		n := binary.NativeEndian.AppendUint16(nil, uint16(4+len(b)))
		n = binary.NativeEndian.AppendUint16(n, 2)
		b = append(n, b...)
	}
	req := make([]byte, nl.HeaderLen, nl.HeaderLen+len(b))
	binary.NativeEndian.PutUint32(req, uint32(nl.HeaderLen+len(b)))
	return append(req, b...)
}

// FuzzDescribe runs the describer (traces, nlctl raw) over arbitrary
// messages of every protocol, as replies and as requests.
func FuzzDescribe(f *testing.F) {
	f.Add(uint8(0), uint16(unix.RTM_NEWLINK), []byte{0, 0, 4, 3, 1, 0, 0, 0, 0x49, 0, 1, 0, 0, 0, 0, 0, 7, 0, 3, 0, 'l', 'o', 0, 0})
	f.Add(uint8(unix.NETLINK_GENERIC), uint16(unix.GENL_ID_CTRL), []byte{unix.CTRL_CMD_GETFAMILY, 1, 0, 0, 11, 0, 2, 0, 'n', 'l', 'c', 't', 'r', 'l', 0, 0})
	f.Add(uint8(unix.NETLINK_SOCK_DIAG), uint16(unix.SOCK_DIAG_BY_FAMILY), make([]byte, 72))
	f.Fuzz(func(t *testing.T, proto uint8, typ uint16, payload []byte) {
		payload = payload[:min(len(payload), maxFuzzLen)]
		for _, flags := range []nl.Flags{nl.Multi, nl.Request | nl.Acknowledge} {
			m := nl.Message{Header: nl.Header{Type: nl.MsgType(typ), Flags: flags, Len: uint32(16 + len(payload))}, Data: payload}
			d := nl.Describe(nl.Protocol(proto%32), m, nil)
			d.Format(discard{}, "")
		}
	})
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// TestCaptureSeeds records real kernel datagrams as seed corpora for the
// fuzz targets. It runs only when NLKIT_CAPTURE_SEEDS=1:
//
//	NLKIT_CAPTURE_SEEDS=1 go test ./nl -run CaptureSeeds
func TestCaptureSeeds(t *testing.T) {
	if os.Getenv("NLKIT_CAPTURE_SEEDS") != "1" {
		t.Skip("set NLKIT_CAPTURE_SEEDS=1 to capture seed corpora from the kernel")
	}
	ns := netnstest.New(t)
	idx := upVeth(t, ns)
	ns.IP("address", "add", "192.0.2.1/24", "dev", "v0")
	ns.IP("address", "add", "2001:db8::1/64", "dev", "v0", "nodad")
	ns.IP("route", "add", "10.1.0.0/16", "via", "192.0.2.2")
	ns.IP("neigh", "add", "192.0.2.9", "lladdr", "02:00:00:00:00:09", "dev", "v0")
	ns.IP("rule", "add", "from", "10.3.0.0/16", "table", "100", "priority", "100")
	ns.IP("nexthop", "add", "id", "1", "via", "192.0.2.3", "dev", "v0")
	_ = idx

	sock, err := nl.OpenSocket(nl.Route, &nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recordingSocket{Socket: sock}
	c2, err := nl.NewConn(rec, nl.Route, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	var e nl.Encoder
	dumps := []struct {
		typ uint16
		hdr int
	}{
		{unix.RTM_GETLINK, unix.SizeofIfInfomsg}, {unix.RTM_GETADDR, unix.SizeofIfAddrmsg},
		{unix.RTM_GETROUTE, unix.SizeofRtMsg}, {unix.RTM_GETNEIGH, unix.SizeofNdMsg},
		{unix.RTM_GETRULE, unix.SizeofRtMsg}, {106 /* RTM_GETNEXTHOP */, 8 /* nhmsg */},
	}
	for _, d := range dumps {
		e.Reset()
		e.Begin(nl.MsgType(d.typ), 0)
		e.Fixed(d.hdr)
		e.End()
		for _, err := range c2.Dump(context.Background(), &e) {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	// Errors with extended ACKs.
	e.Reset()
	encodeVeth(&e, "a-name-far-too-long-for-ifnamsiz", "p")
	c2.Do(context.Background(), &e, nil)
	e.Reset()
	encodeVeth(&e, "v9", "a-peer-name-far-too-long-for-ifnamsiz")
	c2.Do(context.Background(), &e, nil)
	datagrams := rec.datagrams

	write := func(target string, i int, lines ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		os.MkdirAll(dir, 0o755)
		if err := writeSeeds(dir, fmt.Sprintf("kernel-%03d", i), lines); err != nil {
			t.Fatal(err)
		}
	}
	for i, d := range datagrams {
		write("FuzzMessages", i, fmt.Sprintf("[]byte(%q)", d))
		for j, m := range mustParse(t, d) {
			k := i*1000 + j
			if m.Header.Type == nl.MsgError {
				write("FuzzParseError", k, fmt.Sprintf("uint16(%d)", m.Header.Flags), fmt.Sprintf("[]byte(%q)", m.Data), `[]byte("")`, "int(0)")
				continue
			}
			if m.Header.Type < nl.MsgMinType || j > 2 {
				continue
			}
			write("FuzzDescribe", k, "uint8(0)", fmt.Sprintf("uint16(%d)", m.Header.Type), fmt.Sprintf("[]byte(%q)", m.Data))
			if cm, ok := (nl.CatalogDescriber{}).Describe(nl.Route, m); ok && cm.HeaderLen >= 0 && cm.HeaderLen <= len(m.Data) {
				write("FuzzAttrDecoder", k, fmt.Sprintf("[]byte(%q)", m.Data[nl.Align(cm.HeaderLen):]))
			}
		}
	}
	t.Logf("captured %d datagrams", len(datagrams))
}

func mustParse(t *testing.T, b []byte) []nl.Message {
	msgs, err := nl.ParseMessages(nil, b)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// recordingSocket passes through to a real socket and records every
// datagram received.
type recordingSocket struct {
	nl.Socket
	datagrams [][]byte
	peeked    bool // the last receive was a peek: its datagram is recorded
}

func (r *recordingSocket) Receive(b, oob []byte, peek bool) (int, int, nl.Addr, error) {
	n, oobn, from, err := r.Socket.Receive(b, oob, peek)
	// A datagram is recorded when it is read whole: by a peek (a read
	// follows), or by a single read (dumps, listeners); not by the empty
	// read that drops a peeked datagram.
	if err == nil && len(b) > 0 && n <= len(b) && (peek || !r.peeked) {
		r.datagrams = append(r.datagrams, append([]byte(nil), b[:n]...))
	}
	r.peeked = peek && err == nil
	return n, oobn, from, err
}

// Inputs and seeds are kept small. When an input gains coverage, the
// fuzzer shrinks it by deleting bytes; its last pass tries every deletion
// of a range, n²/2 tries for n bytes, at tens of microseconds each
// whatever the target. Netlink inputs hardly shrink that way, since nearly
// every deletion breaks a length field (of a message, an attribute or a
// nest), and a long input gains count-sensitive coverage (how many times a
// loop ran) more often. So a fuzzer fed the kernel's 1.5 KB link messages
// and 3 KB datagrams spent most of -fuzztime minimising one input after
// another, at up to a minute each (the default -fuzzminimizetime). Hence
// the targets look at the first maxFuzzLen bytes of an input only (the
// fuzzer still grows some to kilobytes), and seeds are split to
// maxSeedLen bytes. (With 512 bytes, FuzzDescribe's inputs kept growing
// to the bound, its hex dumps going by 4 bytes and 128 of them making a
// new coverage count, and each took 4 seconds to minimise.)
//
// A message bigger than that is split: each part has the header, the
// family header, the attributes to keep (a link's name, and its kind with
// the kind's data) and a share of the other attributes, a nest too big
// being itself split into copies that share out its attributes. So every
// attribute the kernel sent is still in some seed. A datagram is split
// between messages, in datagrams of up to maxSeedDatagramLen bytes, and a
// message too big is cut to its first part there (see splitDatagram).
const (
	maxFuzzLen         = 384
	maxSeedLen         = 128
	maxSeedDatagramLen = 256
)

// seedKeep lists, by message type, the paths of the attributes to keep in
// every part of a split message.
var seedKeep = map[nl.MsgType][][]uint16{
	unix.RTM_NEWLINK: {
		{unix.IFLA_IFNAME},
		{unix.IFLA_LINKINFO, unix.IFLA_INFO_KIND},
		{unix.IFLA_LINKINFO, unix.IFLA_INFO_SLAVE_KIND},
	},
}

// TestSplitSeeds splits the seeds in testdata/fuzz that are too big (see
// maxSeedLen). TestCaptureSeeds writes them split already.
//
//	NLKIT_SPLIT_SEEDS=1 go test ./nl -run SplitSeeds
func TestSplitSeeds(t *testing.T) {
	if os.Getenv("NLKIT_SPLIT_SEEDS") != "1" {
		t.Skip("set NLKIT_SPLIT_SEEDS=1 to split the big seeds in testdata/fuzz")
	}
	for _, target := range []string{"FuzzMessages", "FuzzDescribe", "FuzzAttrDecoder"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", target, "kernel-*"))
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")[1:]
			parts, err := splitSeed(target, lines)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(parts) == 1 && slices.Equal(parts[0], lines) {
				continue
			}
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
			if err := writeSeeds(filepath.Dir(name), filepath.Base(name), lines); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: %d parts", name, len(parts))
		}
	}
}

// writeSeeds writes the corpus file dir/name holding the values lines, or
// if its []byte value is too big, the files name-0, name-1... of its parts,
// leaving out a part that is already a seed.
func writeSeeds(dir, name string, lines []string) error {
	target := filepath.Base(dir)
	parts, err := splitSeed(target, lines)
	if err != nil {
		return err
	}
	existing := make(map[string]bool)
	if len(parts) > 1 {
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				existing[string(b)] = true
			}
		}
	}
	for i, p := range parts {
		body := "go test fuzz v1\n" + strings.Join(p, "\n") + "\n"
		file := name
		if len(parts) > 1 {
			if existing[body] {
				continue
			}
			existing[body] = true
			file = fmt.Sprintf("%s-%d", name, i)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// splitSeed splits the values lines of a seed of target into the values
// of its parts; a seed small enough is its only part.
func splitSeed(target string, lines []string) ([][]string, error) {
	last := len(lines) - 1
	lit, ok := strings.CutPrefix(lines[last], "[]byte(")
	if !ok || target == "FuzzParseError" {
		return [][]string{lines}, nil
	}
	v, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	if err != nil {
		return nil, err
	}
	var parts [][]byte
	switch b := []byte(v); target {
	case "FuzzMessages":
		parts = splitDatagram(b)
	case "FuzzDescribe": // uint8(proto), uint16(type), []byte(payload)
		typ, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(lines[1], "uint16("), ")"), 0, 16)
		if err != nil {
			return nil, err
		}
		parts = splitPayload(b, nl.MsgType(typ), maxSeedLen-nl.HeaderLen)
	case "FuzzAttrDecoder":
		parts = fuzzseed.Splitter{}.Split(b, maxSeedLen-nl.HeaderLen)
	default:
		parts = [][]byte{b}
	}
	var out [][]string
	for _, p := range parts {
		l := append([]string(nil), lines...)
		l[last] = fmt.Sprintf("[]byte(%q)", p)
		out = append(out, l)
	}
	return out, nil
}

// splitDatagram splits the datagram d between messages, in datagrams of
// at most maxSeedDatagramLen bytes where it can. A message too big is cut
// to the first of its parts (only its framing matters here: FuzzDescribe
// and FuzzAttrDecoder have all its parts).
func splitDatagram(d []byte) [][]byte {
	if len(d) <= maxSeedDatagramLen {
		return [][]byte{d}
	}
	msgs, err := nl.ParseMessages(nil, d)
	if err != nil {
		return [][]byte{d}
	}
	var out [][]byte
	var cur []byte
	for _, m := range msgs {
		m.Data = splitPayload(m.Data, m.Header.Type, maxSeedLen-nl.HeaderLen)[0]
		mb := nl.AppendMessage(nil, m)
		if cur != nil && len(cur)+len(mb) > maxSeedDatagramLen {
			out = append(out, cur)
			cur = nil
		}
		cur = append(cur, mb...)
	}
	return append(out, cur)
}

// splitPayload splits the payload of a route message of type typ (its
// family header, then attributes) into payloads of at most max bytes
// where it can.
func splitPayload(b []byte, typ nl.MsgType, max int) [][]byte {
	cm, ok := nl.CatalogDescriber{}.Describe(nl.Route, nl.Message{Header: nl.Header{Type: typ}})
	if len(b) <= max || !ok || cm.HeaderLen < 0 || nl.Align(cm.HeaderLen) > len(b) {
		return [][]byte{b}
	}
	head := b[:nl.Align(cm.HeaderLen)]
	var out [][]byte
	for _, p := range (fuzzseed.Splitter{Keep: seedKeep[typ]}).Split(b[len(head):], max-len(head)) {
		out = append(out, append(slices.Clip(head), p...))
	}
	return out
}
