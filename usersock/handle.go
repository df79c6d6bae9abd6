package usersock

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Message types this package reserves in every protocol it serves: types
// from MsgReserved up are never passed to a Handler.
const (
	// MsgJoin announces that the sender joins a multicast group; its
	// payload is the group number, a 32-bit integer in host byte order.
	// The server calls Config.Bind and answers like any request.
	MsgJoin nl.MsgType = 0xfff0
	// MsgLeave announces that the sender left a group (payload as MsgJoin);
	// the server calls Config.Unbind.
	MsgLeave nl.MsgType = 0xfff1
	// MsgReserved is the first reserved type.
	MsgReserved nl.MsgType = 0xfff0
)

// A Request is one request message received by a Server.
type Request struct {
	// Header is the message's header as the sender wrote it. Its Port is
	// whatever the sender put there; use Request.Port.
	Header nl.Header
	// Data is the payload, decrypted when the server has a Key. It is
	// valid only during the handler's call. Its length is whatever the
	// sender sent: check it before use (nl.AttrDecoder checks every
	// attribute's).
	Data []byte
	// Port is the sender's port id as the kernel reported it in the
	// datagram's source address, which a sender cannot forge; replies go
	// there.
	Port uint32
	// Creds are the sender's credentials as the kernel attached them
	// (SCM_CREDENTIALS): the UID and GID are sound, the PID is the
	// number the sender's own PID namespace gives it, which any user can
	// choose (see Policy): never authorise by it.
	Creds nl.Credentials
}

// A Handler answers requests: it writes zero or more reply messages to w and
// returns nil, or returns an error, which the client receives as an
// NLMSG_ERROR (see Errorf). ctx ends when the server is closed. With a
// Key, the extended-ACK cookie of every answer is the server's
// authentication code (see Client.Do): an *nl.Error's Cookie is not sent.
type Handler func(ctx context.Context, w *Writer, r *Request) error

// Errorf returns an error that a Handler returns to refuse a request with
// errno and an extended-ACK message, which the client's nl.Conn decodes
// into an *nl.Error with the same Errno and Message. An errno of 0 makes it
// a warning: the request succeeds and the message rides on its
// acknowledgement.
func Errorf(errno unix.Errno, format string, args ...any) error {
	return &nl.Error{Errno: errno, Message: fmt.Sprintf(format, args...)}
}

// maxDatagram bounds the reply datagrams a server sends: the size of a
// core Conn's receive buffer, so that a reply is never cut. A single
// larger message goes alone.
const maxDatagram = nl.MinReadBuffer

// maxErrorText bounds an extended-ACK message.
const maxErrorText = 1024

// An outbuf gathers the replies to one datagram's requests, to send them in
// as few datagrams as fit.
type outbuf struct {
	buf  []byte
	to   uint32
	send func(b []byte, to uint32, refusal bool) error
	err  error // sticky send error: nothing more goes out
	// refusal is set once the datagram is refused or found malformed or
	// unauthentic: what is sent from then on does not wait for room in
	// the sender's receive buffer.
	refusal bool
	// authentic is set once a message of the datagram authenticated
	// under the server's Key.
	authentic bool
}

// flush sends what is buffered.
func (o *outbuf) flush() error {
	if len(o.buf) > 0 && o.err == nil {
		o.err = o.send(o.buf, o.to, o.refusal)
	}
	o.buf = o.buf[:0]
	return o.err
}

// room flushes unless n more bytes fit in the datagram being gathered, and
// reports whether it flushed.
func (o *outbuf) room(n int) bool {
	if len(o.buf) > 0 && len(o.buf)+n > maxDatagram {
		o.flush()
		return true
	}
	return false
}

// appendHeader appends a message header; Len is patched by endMessage.
func appendHeader(b []byte, t nl.MsgType, f nl.Flags, seq, port uint32) []byte {
	var h [nl.HeaderLen]byte
	nl.PutHeader(h[:], nl.Header{Type: t, Flags: f, Seq: seq, Port: port})
	return append(b, h[:]...)
}

// endMessage sets the length of the message that starts at b[start] and
// pads it.
func endMessage(b []byte, start int) []byte {
	binary.NativeEndian.PutUint32(b[start:], uint32(len(b)-start))
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// appendAttr appends a netlink attribute, padded.
func appendAttr(b []byte, t uint16, v []byte) []byte {
	var h [nl.AttrHeaderLen]byte
	binary.NativeEndian.PutUint16(h[:], uint16(nl.AttrHeaderLen+len(v)))
	binary.NativeEndian.PutUint16(h[2:], t)
	b = append(append(b, h[:]...), v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func appendUint32Attr(b []byte, t uint16, v uint32) []byte {
	var x [4]byte
	binary.NativeEndian.PutUint32(x[:], v)
	return appendAttr(b, t, x[:])
}

// errorTLVs appends the extended-ACK attributes of e, if any, and reports
// whether it appended some.
func errorTLVs(b []byte, e *nl.Error) ([]byte, bool) {
	if e == nil {
		return b, false
	}
	n := len(b)
	if e.Message != "" {
		msg := e.Message
		if len(msg) > maxErrorText {
			msg = msg[:maxErrorText]
		}
		b = appendAttr(b, unix.NLMSGERR_ATTR_MSG, append([]byte(msg), 0))
	}
	if e.Offset > 0 {
		b = appendUint32Attr(b, unix.NLMSGERR_ATTR_OFFS, uint32(e.Offset))
	}
	if len(e.Cookie) > 0 && len(e.Cookie) <= 20 {
		b = appendAttr(b, unix.NLMSGERR_ATTR_COOKIE, e.Cookie)
	}
	if e.MissingType != 0 {
		b = appendUint32Attr(b, 5, uint32(e.MissingType)) // NLMSGERR_ATTR_MISS_TYPE
	}
	return b, len(b) > n
}

// appendError appends the NLMSG_ERROR answering req, sent from port to,
// with errno (0 for an acknowledgement) and the extended ACK of e. As the
// kernel does with NETLINK_CAP_ACK, only the request's header is echoed.
func appendError(b []byte, req nl.Header, to uint32, errno unix.Errno, e *nl.Error) []byte {
	start := len(b)
	b = appendHeader(b, nl.MsgError, nl.Capped, req.Seq, to)
	var code [4]byte
	binary.NativeEndian.PutUint32(code[:], uint32(-int32(errno)))
	b = append(b, code[:]...)
	var h [nl.HeaderLen]byte
	nl.PutHeader(h[:], req)
	b = append(b, h[:]...)
	b, tlvs := errorTLVs(b, e)
	if tlvs {
		f := binary.NativeEndian.Uint16(b[start+6:])
		binary.NativeEndian.PutUint16(b[start+6:], f|uint16(nl.AckTLVs))
	}
	return endMessage(b, start)
}

// appendDone appends the NLMSG_DONE that ends a multipart reply, with an
// error code and extended ACK as the kernel's netlink_dump_done sends them.
func appendDone(b []byte, req nl.Header, to uint32, errno unix.Errno, e *nl.Error) []byte {
	start := len(b)
	b = appendHeader(b, nl.MsgDone, nl.Multi, req.Seq, to)
	var code [4]byte
	binary.NativeEndian.PutUint32(code[:], uint32(-int32(errno)))
	b = append(b, code[:]...)
	b, tlvs := errorTLVs(b, e)
	if tlvs {
		f := binary.NativeEndian.Uint16(b[start+6:])
		binary.NativeEndian.PutUint16(b[start+6:], f|uint16(nl.AckTLVs))
	}
	return endMessage(b, start)
}

// replyError maps a handler's error to the errno and extended ACK the
// client receives.
func replyError(err error) (unix.Errno, *nl.Error) {
	var ne *nl.Error
	if errors.As(err, &ne) {
		return ne.Errno, ne
	}
	var errno unix.Errno
	switch {
	case errors.Is(err, ErrAuth):
		errno = unix.EBADMSG
	case errors.Is(err, ErrReplay):
		errno = unix.EALREADY
	case errors.Is(err, ErrStale):
		errno = unix.ESTALE
	case errors.Is(err, context.Canceled):
		errno = unix.ECANCELED
	case errors.Is(err, context.DeadlineExceeded):
		errno = unix.ETIMEDOUT
	case errors.As(err, &errno):
		if err == error(errno) {
			return errno, nil
		}
	default:
		errno = unix.EIO
	}
	if errno == 0 {
		errno = unix.EIO
	}
	return errno, &nl.Error{Errno: errno, Message: err.Error()}
}

// A Writer sends the replies to one request. It is valid only during the
// handler's call, on the handler's goroutine: it must not be kept or used
// concurrently. Replies are gathered and sent
// together with the other replies to the same datagram, several messages
// per sendmsg; a reply of more messages than fit one datagram is sent as a
// multipart message (NLM_F_MULTI, ended by NLMSG_DONE), as are the replies
// to a dump.
type Writer struct {
	s     *Server
	o     *outbuf
	req   nl.Header
	port  uint32
	dump  bool
	bind  binding
	start int  // offset in o.buf of this request's first unsent reply
	n     int  // replies written
	multi bool // part of the reply was sent: it is multipart
	done  bool // the handler returned

	// With a Key: bind is the request's binding once it authenticated,
	// and claim the binding it claims (claimOf), for refusals.
	claim binding
}

// Reply appends a reply message of type t with payload (copied, and
// sealed when the server has a Key). Its header echoes the request's
// sequence number. It returns an error when the reply cannot be delivered
// (the client is gone): the handler should stop and return it.
func (w *Writer) Reply(t nl.MsgType, payload []byte) error {
	if w.done {
		return errors.New("usersock: Reply after the handler returned")
	}
	if t < nl.MsgMinType || t >= MsgReserved {
		return fmt.Errorf("usersock: reply type %d is reserved", uint16(t))
	}
	return w.reply(t, payload)
}

// reply appends a reply of any type.
func (w *Writer) reply(t nl.MsgType, payload []byte) error {
	if w.o.err != nil {
		return w.o.err
	}
	size := nl.HeaderLen + len(payload)
	if w.s.seal != nil {
		size += sealOverhead
	}
	if len(w.o.buf) > 0 && len(w.o.buf)+nl.Align(size) > maxDatagram {
		if w.start < len(w.o.buf) {
			w.markMulti()
		}
		if err := w.o.flush(); err != nil {
			return err
		}
		w.start = 0
	}
	var f nl.Flags
	if w.dump || w.multi {
		f = nl.Multi
	}
	start := len(w.o.buf)
	w.o.buf = appendHeader(w.o.buf, t, f, w.req.Seq, w.port)
	if w.s.seal != nil {
		w.o.buf, _ = w.s.seal.seal(w.o.buf, kindReply, t, w.port, w.bind, payload)
	} else {
		w.o.buf = append(w.o.buf, payload...)
	}
	w.o.buf = endMessage(w.o.buf, start)
	w.n++
	return nil
}

// markMulti flags this request's unsent replies NLM_F_MULTI: the reply
// turned out to be multipart.
func (w *Writer) markMulti() {
	w.multi = true
	b := w.o.buf[w.start:]
	for len(b) >= nl.HeaderLen {
		l := int(binary.NativeEndian.Uint32(b))
		f := binary.NativeEndian.Uint16(b[6:])
		binary.NativeEndian.PutUint16(b[6:], f|uint16(nl.Multi))
		if l < nl.HeaderLen || nl.Align(l) > len(b) {
			break
		}
		b = b[nl.Align(l):]
	}
}

// finish ends the reply after the handler returned err.
func (w *Writer) finish(err error) {
	w.done = true
	o := w.o
	if o.err != nil {
		return
	}
	if err != nil {
		errno, e := replyError(err)
		if errno != 0 {
			if w.dump {
				e = w.authenticate(nl.MsgDone, errno, e)
				o.room(errSize(e))
				o.buf = appendDone(o.buf, w.req, w.port, errno, e)
				return
			}
			if !w.multi {
				o.buf = o.buf[:w.start] // unsent replies to a failed request are dropped
			}
			e = w.authenticate(nl.MsgError, errno, e)
			o.room(errSize(e))
			o.buf = appendError(o.buf, w.req, w.port, errno, e)
			return
		}
		// A warning: the request succeeded.
		w.end(e)
		return
	}
	w.end(nil)
}

// end closes a successful reply: NLMSG_DONE after a multipart one, and
// the acknowledgement (carrying warn, if any) when the request asked for
// one.
func (w *Writer) end(warn *nl.Error) {
	o := w.o
	if w.dump {
		done := w.authenticate(nl.MsgDone, 0, nil)
		o.room(errSize(done))
		o.buf = appendDone(o.buf, w.req, w.port, 0, done)
		return
	}
	if w.multi || w.n > 1 {
		if w.start < len(o.buf) {
			w.markMulti()
		}
		done := w.authenticate(nl.MsgDone, 0, nil)
		o.room(errSize(done))
		o.buf = appendDone(o.buf, w.req, w.port, 0, done)
	}
	if w.req.Flags&nl.Acknowledge != 0 {
		warn = w.authenticate(nl.MsgError, 0, warn)
		o.room(errSize(warn))
		o.buf = appendError(o.buf, w.req, w.port, 0, warn)
	}
}

// authenticate returns the extended ACK of an answer of type t with errno
// to the request, e, with the cookie that authenticates it when the
// server has a Key (see answer.go): a copy, so that a handler's error is
// left alone, whose own cookie it replaces. Success is authenticated only
// for a request that authenticated; a refusal, for the binding the request
// claims.
func (w *Writer) authenticate(t nl.MsgType, errno unix.Errno, e *nl.Error) *nl.Error {
	k := w.s.cfg.Key
	if k == nil {
		return e
	}
	b := w.bind // never zero once set: an accepted counter is not 0
	if b == (binding{}) {
		if errno == 0 {
			return e
		}
		b = w.claim
	}
	var a nl.Error
	if e != nil {
		a = *e
	}
	a.Cookie = k.answerCookie(w.s.port, w.port, b, t, errnoCode(errno), now())
	return &a
}

// appendRefusal appends the NLMSG_ERROR refusing the request msg (its
// bytes, possibly cut; h is its header) from port to with errno and the
// extended ACK e, authenticated over the binding it claims when the
// server has a Key.
func (s *Server) appendRefusal(b, msg []byte, h nl.Header, to uint32, errno unix.Errno, e *nl.Error) []byte {
	if k := s.cfg.Key; k != nil && errno != 0 {
		var payload []byte
		end := len(msg)
		if uint64(h.Len) < uint64(end) {
			end = int(h.Len)
		}
		if end > nl.HeaderLen {
			payload = msg[nl.HeaderLen:end]
		}
		a := *e
		a.Cookie = k.answerCookie(s.port, to, claimOf(payload), nl.MsgError, errnoCode(errno), now())
		e = &a
	}
	return appendError(b, h, to, errno, e)
}

// errSize bounds the size of an error or DONE message carrying e.
func errSize(e *nl.Error) int {
	n := 2*nl.HeaderLen + 4 + 64
	if e != nil {
		n += min(len(e.Message), maxErrorText) + len(e.Cookie)
	}
	return n
}
