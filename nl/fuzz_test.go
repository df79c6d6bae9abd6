package nl_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// FuzzMessages splits arbitrary datagrams: every message returned lies
// within the input, and malformed input is an error, never a panic.
func FuzzMessages(f *testing.F) {
	f.Add(nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 16}, Data: []byte("abcde")}))
	f.Fuzz(func(t *testing.T, b []byte) {
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
		m := nl.Message{Header: nl.Header{Type: nl.MsgError, Flags: nl.Flags(flags)}, Data: payload}
		e, err := nl.ParseError(m, req, attrOff%4096)
		if err == nil && e != nil {
			_ = e.Error()
		}
	})
}

// FuzzDescribe runs the describer (traces, nlctl raw) over arbitrary
// messages of every protocol, as replies and as requests.
func FuzzDescribe(f *testing.F) {
	f.Add(uint8(0), uint16(unix.RTM_NEWLINK), []byte{0, 0, 4, 3, 1, 0, 0, 0, 0x49, 0, 1, 0, 0, 0, 0, 0, 7, 0, 3, 0, 'l', 'o', 0, 0})
	f.Add(uint8(unix.NETLINK_GENERIC), uint16(unix.GENL_ID_CTRL), []byte{unix.CTRL_CMD_GETFAMILY, 1, 0, 0, 11, 0, 2, 0, 'n', 'l', 'c', 't', 'r', 'l', 0, 0})
	f.Add(uint8(unix.NETLINK_SOCK_DIAG), uint16(unix.SOCK_DIAG_BY_FAMILY), make([]byte, 72))
	f.Fuzz(func(t *testing.T, proto uint8, typ uint16, payload []byte) {
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
		body := "go test fuzz v1\n"
		for _, l := range lines {
			body += l + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("kernel-%03d", i)), []byte(body), 0o644); err != nil {
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
}

func (r *recordingSocket) Receive(b, oob []byte, peek bool) (int, int, nl.Addr, error) {
	n, oobn, from, err := r.Socket.Receive(b, oob, peek)
	if err == nil && peek && n <= len(b) {
		r.datagrams = append(r.datagrams, append([]byte(nil), b[:n]...))
	}
	return n, oobn, from, err
}
