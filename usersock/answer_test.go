package usersock

import (
	"encoding/binary"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// FuzzClientAnswer feeds arbitrary control messages, as answers to a
// sealed request, to a client's check: it must never panic, and must take
// only an NLMSG_ERROR or NLMSG_DONE carrying the server's code for that
// request.
func FuzzClientAnswer(f *testing.F) {
	key := fuzzKey(f)
	sl, err := newSealer(key, fuzzPort, 5)
	if err != nil {
		f.Fatal(err)
	}
	req := appendHeader(nil, typeEcho, nl.Request|nl.Acknowledge, 9, fuzzPort)
	req, bind := sl.seal(req, kindRequest, typeEcho, 1, binding{}, []byte("request"))
	req = endMessage(req, 0)
	h, _ := nl.ParseHeader(req)
	code := func(t nl.MsgType, errno unix.Errno) *nl.Error {
		return &nl.Error{Message: "seed", Cookie: key.answerCookie(1, fuzzPort, bind, t, errnoCode(errno), now())}
	}
	for _, m := range [][]byte{
		appendError(nil, h, fuzzPort, 0, code(nl.MsgError, 0)),
		appendError(nil, h, fuzzPort, unix.EPERM, code(nl.MsgError, unix.EPERM)),
		appendDone(nil, h, fuzzPort, 0, code(nl.MsgDone, 0)),
		appendError(nil, h, fuzzPort, 0, nil),
		appendError(nil, h, fuzzPort, 0, &nl.Error{Cookie: make([]byte, answerCookieLen)}),
	} {
		mh, _ := nl.ParseHeader(m)
		f.Add(uint16(mh.Type), uint16(mh.Flags), m[nl.HeaderLen:])
	}
	f.Add(uint16(15), uint16(0), []byte("forged"))
	f.Fuzz(func(t *testing.T, typ, flags uint16, data []byte) {
		c := &Client{key: key, server: 1, port: fuzzPort}
		m := nl.Message{Header: nl.Header{Type: nl.MsgType(typ), Flags: nl.Flags(flags), Seq: 9}, Data: data}
		claims(m)
		if err := c.checkControl(m, req); err != nil {
			return
		}
		got, cookie, ok := answerFields(m)
		if !ok || (m.Header.Type != nl.MsgError && m.Header.Type != nl.MsgDone) {
			t.Fatalf("took %v without a code", m.Header)
		}
		tag := key.answerTag(1, fuzzPort, bind, m.Header.Type, got, int64(binary.BigEndian.Uint64(cookie)))
		if string(tag[:]) != string(cookie[8:]) {
			t.Fatalf("took %v with a wrong code", m.Header)
		}
	})
}

// BenchmarkAnswer measures what authenticating an answer costs: the
// server's code, and the client's check of it.
func BenchmarkAnswer(b *testing.B) {
	key := testKey(b, testSecret)
	var bind binding
	bind[15] = 1
	b.Run("code", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			key.answerCookie(1, 2, bind, nl.MsgError, 0, 42)
		}
	})
	b.Run("check", func(b *testing.B) {
		req := appendHeader(nil, typeEcho, nl.Request|nl.Acknowledge, 1, 2)
		req = endMessage(append(req, bind[:]...), 0)
		h, _ := nl.ParseHeader(req)
		ack := appendError(nil, h, 2, 0, &nl.Error{Cookie: key.answerCookie(1, 2, bind, nl.MsgError, 0, now())})
		mh, _ := nl.ParseHeader(ack)
		m := nl.Message{Header: mh, Data: ack[nl.HeaderLen:]}
		b.ReportAllocs()
		for b.Loop() {
			if err := key.checkAnswer(m, req, 1, 2, 0, now()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
