package usersock

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

const fuzzPort = 4242 // the sender's port in fuzzed datagrams

// fuzzServer is a server without a socket, whose handlers stay small
// whatever they are asked.
func fuzzServer(t testing.TB, sealed bool) *Server {
	cfg := &Config{
		Groups: 4,
		Policy: &Policy{UIDs: []uint32{0}},
		Input: func(ctx context.Context, w *Writer, r *Request) error {
			if r.Header.Type == typeMany && len(r.Data) == 4 {
				r.Data = binary.NativeEndian.AppendUint32(nil, min(binary.NativeEndian.Uint32(r.Data), 300))
			}
			return echo(ctx, w, r)
		},
		Dump: func(ctx context.Context, w *Writer, r *Request) error {
			if len(r.Data) >= 4 {
				binary.NativeEndian.PutUint32(r.Data, min(binary.NativeEndian.Uint32(r.Data), 300))
			}
			return dumpN(ctx, w, r)
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}
	if sealed {
		cfg.Key = fuzzKey(t)
	}
	s, err := newServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.port = 1
	s.sendto = func([]byte, nl.Addr) error { return nil } // no socket
	if sealed {
		s.peers = newPeerTable(cfg.Key)
		s.started = 0 // the committed seeds were sealed long ago
		if s.seal, err = newSealer(cfg.Key, s.port, 1); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func fuzzKey(t testing.TB) *Key {
	k, err := NewKey([]byte("fuzzing secret, not a real one"))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fuzzSeeds are the datagrams of the committed corpus: every kind of
// request, plain and sealed, and malformed ones.
func fuzzSeeds(t testing.TB) []struct {
	data   []byte
	sealed bool
} {
	msg := func(typ nl.MsgType, f nl.Flags, seq uint32, payload []byte) []byte {
		b := appendHeader(nil, typ, f, seq, fuzzPort)
		return endMessage(append(b, payload...), 0)
	}
	req := nl.Request
	key := fuzzKey(t)
	sl, err := newSealer(key, fuzzPort, 2)
	if err != nil {
		t.Fatal(err)
	}
	sealedMsg := func(typ nl.MsgType, f nl.Flags, seq uint32, payload []byte) []byte {
		b := appendHeader(nil, typ, f, seq, fuzzPort)
		b, _ = sl.seal(b, kindRequest, typ, 1, binding{}, payload)
		return endMessage(b, 0)
	}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	return []struct {
		data   []byte
		sealed bool
	}{
		{msg(typeEcho, req|nl.Acknowledge, 1, []byte("hello")), false},
		{msg(typeFail, req, 2, []byte("refused")), false},
		{msg(typeMany, req|nl.Acknowledge, 3, u32(40)), false},
		{msg(typeMany, req|nl.Dump, 4, u32(5)), false},
		{msg(typeMany, req|nl.Dump, 5, append(u32(2), 1)), false},
		{msg(MsgJoin, req|nl.Acknowledge, 6, u32(1)), false},
		{msg(MsgLeave, req|nl.Acknowledge, 7, u32(9)), false},
		{msg(typeWarn, req|nl.Acknowledge, 8, nil), false},
		{msg(typePanic, req, 9, nil), false},
		{cat(msg(typeEcho, req, 10, []byte("a")), msg(typeQuiet, req|nl.Acknowledge, 11, nil), msg(nl.MsgNoop, nl.Acknowledge, 12, nil)), false},
		{msg(typeEcho, req, 13, nil)[:10], false},
		{func() []byte { b := msg(typeEcho, req, 14, []byte("xy")); b[0] = 200; return b }(), false},
		{cat(msg(typeEcho, req, 15, []byte("ok")), []byte{1, 2, 3}), false},
		{sealedMsg(typeEcho, req|nl.Acknowledge, 16, []byte("sealed")), true},
		{sealedMsg(typeMany, req|nl.Dump, 17, u32(3)), true},
		{sealedMsg(MsgJoin, req|nl.Acknowledge, 18, u32(2)), true},
		{msg(typeEcho, req|nl.Acknowledge, 19, []byte("not sealed")), true},
	}
}

// FuzzHandleDatagram feeds arbitrary datagrams to the server's handling,
// without sockets: it must never panic, and whatever it sends must be
// well-formed netlink messages answering the datagram's requests.
func FuzzHandleDatagram(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s.data, s.sealed)
	}
	f.Fuzz(func(t *testing.T, data []byte, sealed bool) {
		s := fuzzServer(t, sealed)
		defer s.cancel()
		seqs := map[uint32]bool{0: true}
		for rest := data; len(rest) >= nl.HeaderLen; {
			h, _ := nl.ParseHeader(rest)
			seqs[h.Seq] = true
			if h.Len < nl.HeaderLen || uint64(h.Len) > uint64(len(rest)) {
				break
			}
			rest = rest[min(nl.Align(int(h.Len)), len(rest)):]
		}
		var sent [][]byte
		o := &outbuf{to: fuzzPort, send: func(b []byte, to uint32, refusal bool) error {
			if to != fuzzPort {
				t.Fatalf("reply sent to port %d", to)
			}
			if len(b) > maxDatagram {
				t.Fatalf("reply datagram of %d bytes", len(b))
			}
			sent = append(sent, append([]byte(nil), b...))
			return nil
		}}
		in := append([]byte(nil), data...)
		s.handleDatagram(context.Background(), in, nl.Meta{Port: fuzzPort, HasCreds: true}, o)
		for _, d := range sent {
			msgs, err := nl.ParseMessages(nil, d)
			if err != nil {
				t.Fatalf("reply datagram does not parse: %v", err)
			}
			for _, m := range msgs {
				if !seqs[m.Header.Seq] || m.Header.Port != fuzzPort {
					t.Fatalf("reply %v answers no request", m.Header)
				}
				if m.Header.Type == nl.MsgError {
					if _, err := nl.ParseError(m, nil, 0); err != nil {
						t.Fatalf("error reply does not parse: %v", err)
					}
				}
			}
		}
	})
}

// TestWriteFuzzSeeds writes the seed corpus of FuzzHandleDatagram to
// testdata/fuzz. It runs only when NLKIT_WRITE_SEEDS=1:
//
//	NLKIT_WRITE_SEEDS=1 go test ./usersock -run WriteFuzzSeeds
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("NLKIT_WRITE_SEEDS") != "1" {
		t.Skip("set NLKIT_WRITE_SEEDS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzHandleDatagram")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range fuzzSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\nbool(%v)\n", s.data, s.sealed)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%03d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzClientOpen feeds arbitrary payloads of unsolicited messages to a
// client's checks (membership and sealing order) and decryption: it must
// never panic, and must take nothing that does not authenticate.
func FuzzClientOpen(f *testing.F) {
	key := fuzzKey(f)
	sl, err := newSealer(key, 1, 3)
	if err != nil {
		f.Fatal(err)
	}
	for i, g := range []uint32{0, 1, 2} {
		kind, dst := byte(kindUnicast), uint32(fuzzPort)
		if g != 0 {
			kind, dst = kindBroadcast, g
		}
		b, _ := sl.seal(nil, kind, typeEcho, dst, binding{}, fmt.Appendf(nil, "message %d", i))
		f.Add(b, g)
	}
	f.Add([]byte{1, 2, 3}, uint32(0))
	f.Add(make([]byte, sealOverhead), uint32(1))
	f.Fuzz(func(t *testing.T, data []byte, group uint32) {
		c := &Client{key: key, server: 1, port: fuzzPort, peers: newPeerTable(key), joined: make(map[uint32]*membership)}
		c.peers.ordered = true
		c.joined[1] = &membership{since: 1}
		c.joined[2] = &membership{past: [][2]int64{{1, 2}}}
		if !c.sentToUs(group, data) {
			return
		}
		kind, dst := byte(kindUnicast), c.port
		if group != 0 {
			kind, dst = kindBroadcast, group
		}
		in := append([]byte(nil), data...)
		plain, _, err := c.peers.open(in, 1, kind, typeEcho, dst, binding{}, true, 0)
		if err == nil && !strings.HasPrefix(string(plain), "message ") {
			t.Fatalf("took %q", plain)
		}
	})
}
