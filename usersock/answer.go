package usersock

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A request's outcome comes in an answer, an NLMSG_ERROR (an error, or
// the acknowledgement) or an NLMSG_DONE (the end of a multipart reply or
// dump), which is not sealed: nl.Conn decodes it as it decodes the
// kernel's. With a Key, a server authenticates every answer to a request
// in its extended-ACK cookie (NLMSGERR_ATTR_COOKIE, which has room for 20
// bytes):
//
//	time (8 bytes) | tag (12 bytes)
//
// The time is when the answer was made, in nanoseconds; the tag is
// HMAC-SHA256, cut to its first 12 bytes, under the answer key (derived
// from the shared secret with HKDF-SHA256, info "nlkit/usersock v1
// answer"), over
//
//	server port (4) | client port (4) | binding (16) | type (2) | code (4) | time (8)
//
// all big-endian: the server's port and the port the answer goes to, the
// binding of the request (the first 16 bytes of its payload, zero-padded:
// the sealed request's session and counter), the answer's message type,
// its 32-bit code (-errno, 0 for success) and the time. A Client takes an
// answer to a sealed request only if the tag is right for the request it
// sent, so that whoever takes the server's port while it is down cannot
// make a request succeed, nor fail with an error of its choice; a Client
// with a Key refuses every other message below NLMSG_MIN_TYPE.
//
// The server authenticates a success (code 0) only for a request that
// authenticated; a refusal it authenticates over the binding the request
// claims, so that a Client learns why its request was refused (a stale
// one is sealed anew): that binding is the Client's only if the request
// came from the Client's port. The extended-ACK message, offset and
// missing-attribute fields travel as the server wrote them.
const (
	answerInfo      = "nlkit/usersock v1 answer" // HKDF info of the answer key
	answerTagLen    = 12
	answerCookieLen = 8 + answerTagLen
)

// claimOf returns the binding a request's payload claims: its first 16
// bytes, zero-padded.
func claimOf(payload []byte) binding {
	var b binding
	copy(b[:], payload)
	return b
}

// errnoCode returns the code field of an answer with errno.
func errnoCode(errno unix.Errno) uint32 { return uint32(-int32(errno)) }

// answerTag returns the tag of an answer of type t with code, sent at
// sealed by the server at port server to port to, for the request bound
// by b.
func (k *Key) answerTag(server, to uint32, b binding, t nl.MsgType, code uint32, sealed int64) [answerTagLen]byte {
	var in [4 + 4 + len(binding{}) + 2 + 4 + 8]byte
	binary.BigEndian.PutUint32(in[0:], server)
	binary.BigEndian.PutUint32(in[4:], to)
	copy(in[8:], b[:])
	binary.BigEndian.PutUint16(in[24:], uint16(t))
	binary.BigEndian.PutUint32(in[26:], code)
	binary.BigEndian.PutUint64(in[30:], uint64(sealed))
	var m hash.Hash
	if k.answerMACs != nil { // nil in a Key not made by NewKey
		m, _ = k.answerMACs.Get().(hash.Hash)
	}
	if m == nil {
		m = hmac.New(sha256.New, k.answer)
	}
	m.Reset()
	m.Write(in[:])
	var sum [sha256.Size]byte
	var tag [answerTagLen]byte
	copy(tag[:], m.Sum(sum[:0]))
	if k.answerMACs != nil {
		k.answerMACs.Put(m)
	}
	return tag
}

// answerCookie returns the cookie that authenticates an answer (see
// answerTag).
func (k *Key) answerCookie(server, to uint32, b binding, t nl.MsgType, code uint32, sealed int64) []byte {
	c := make([]byte, answerCookieLen)
	binary.BigEndian.PutUint64(c, uint64(sealed))
	tag := k.answerTag(server, to, b, t, code, sealed)
	copy(c[8:], tag[:])
	return c
}

// answerFields returns the code and the cookie of an answer (an
// NLMSG_ERROR or NLMSG_DONE), or ok false if it has no cookie of the
// length of an answer's. It never panics, whatever m holds.
func answerFields(m nl.Message) (code uint32, cookie []byte, ok bool) {
	d := m.Data
	if len(d) < 4 || m.Header.Flags&nl.AckTLVs == 0 {
		return 0, nil, false
	}
	code = binary.NativeEndian.Uint32(d)
	off := uint64(4)
	if m.Header.Type == nl.MsgError {
		if len(d) < 4+nl.HeaderLen {
			return 0, nil, false
		}
		if m.Header.Flags&nl.Capped != 0 {
			off += nl.HeaderLen
		} else {
			off += (uint64(binary.NativeEndian.Uint32(d[4:])) + 3) &^ 3 // the echoed request, padded
		}
	}
	if off > uint64(len(d)) {
		return 0, nil, false
	}
	ad := nl.NewAttrDecoder(d[off:])
	for ad.Next() {
		if ad.Type() == unix.NLMSGERR_ATTR_COOKIE {
			cookie = ad.Bytes()
		}
	}
	if ad.Err() != nil || len(cookie) != answerCookieLen {
		return 0, nil, false
	}
	return code, cookie, true
}

// checkAnswer checks that m, an NLMSG_ERROR or NLMSG_DONE from the server
// at port server to port to, answers the request req (as sent): its tag
// must be right, and its time after since (when the client began to
// listen) and at most maxAhead ahead of now.
func (k *Key) checkAnswer(m nl.Message, req []byte, server, to uint32, since, now int64) error {
	what := m.Header.Type.String()
	code, cookie, ok := answerFields(m)
	if !ok {
		return fmt.Errorf("%w: %s%s without the server's authentication code", ErrAuth, what, claims(m))
	}
	var payload []byte
	if h, err := nl.ParseHeader(req); err == nil && h.Len >= nl.HeaderLen && uint64(h.Len) <= uint64(len(req)) {
		payload = req[nl.HeaderLen:h.Len]
	}
	sealed := int64(binary.BigEndian.Uint64(cookie))
	want := k.answerTag(server, to, claimOf(payload), m.Header.Type, code, sealed)
	switch {
	case !hmac.Equal(cookie[8:], want[:]):
		return fmt.Errorf("%w: %s%s does not authenticate as the answer to the request", ErrAuth, what, claims(m))
	case sealed <= since:
		return fmt.Errorf("%w: %s sealed before the client began to listen", ErrStale, what)
	case sealed > now+int64(maxAhead):
		return fmt.Errorf("%w: %s %s", ErrStale, what, staleFuture)
	}
	return nil
}

// claims describes what an unauthenticated answer claims, for errors:
// success or an errno. (Its message is not repeated: anyone may have
// written it.)
func claims(m nl.Message) string {
	if len(m.Data) < 4 {
		return ""
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	switch {
	case code == 0:
		return " (claiming success)"
	case code < 0 && unix.ErrnoName(unix.Errno(-code)) != "":
		return " (claiming " + unix.ErrnoName(unix.Errno(-code)) + ")"
	}
	return fmt.Sprintf(" (claiming code %d)", code)
}
