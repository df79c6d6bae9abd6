// Package nltest provides a fake netlink socket, scripted by a function,
// behind the real [nl.Conn]: it can answer requests with any replies,
// split multipart replies across datagrams, and inject malformed messages,
// interrupted dumps, overruns and errors — what the real kernel cannot be
// made to do on demand.
package nltest

import (
	"encoding/binary"
	"net"
	"os"
	"sync"
	"time"
	"unsafe"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Datagram is one datagram the fake kernel delivers.
type Datagram struct {
	// Messages are encoded back to back, with their lengths computed.
	Messages []nl.Message
	// Raw, if not nil, is delivered as is instead of Messages: it may be
	// malformed on purpose.
	Raw []byte
	// Err, if set, makes the receive fail with it instead of delivering
	// data (unix.ENOBUFS simulates an overrun).
	Err error
	// From is the sender's address; Port 0 is the kernel.
	From nl.Addr
	// Group is the multicast group the datagram was sent to (0: unicast).
	Group uint32
}

// A Func answers one request message sent on the connection with the
// datagrams to deliver, in order. The request's Data aliases the sent
// buffer and is valid only during the call.
type Func func(req nl.Message) []Datagram

// Port is the port id of a fake socket.
const Port = 4242

// A Socket is a fake netlink socket implementing [nl.Socket].
type Socket struct {
	fn Func

	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Datagram
	closed bool
	rdl    time.Time
	timer  *time.Timer
	opts   map[[2]int]int
	sent   [][]byte
}

// NewSocket returns a fake socket that answers with fn.
func NewSocket(fn Func) *Socket {
	s := &Socket{fn: fn, opts: make(map[[2]int]int)}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// Dial returns a real [nl.Conn] of protocol p over a fake socket that
// answers with fn. cfg may be nil.
func Dial(p nl.Protocol, fn Func, cfg *nl.Config) *nl.Conn {
	c, err := nl.NewConn(NewSocket(fn), p, cfg)
	if err != nil {
		panic("nltest: " + err.Error()) // the fake accepts every option
	}
	return c
}

// Inject queues datagrams as if the kernel sent them unprompted (multicast
// events, for instance).
func (s *Socket) Inject(ds ...Datagram) {
	s.mu.Lock()
	s.queue = append(s.queue, ds...)
	s.mu.Unlock()
	s.cond.Broadcast()
}

// Sent returns copies of every datagram sent so far.
func (s *Socket) Sent() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.sent...)
}

// Send implements nl.Socket: it calls the script for each message of b and
// queues what it returns. Control messages (types below
// nl.MsgMinType, such as the NLMSG_NOOP a transaction is fenced with) do
// not reach the script: the fake acknowledges those that ask for it, as
// the kernel does.
func (s *Socket) Send(b []byte, to nl.Addr) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return net.ErrClosed
	}
	s.sent = append(s.sent, append([]byte(nil), b...))
	s.mu.Unlock()
	var out []Datagram
	for m, err := range nl.Messages(b) {
		if err != nil {
			return unix.EINVAL
		}
		if m.Header.Type < nl.MsgMinType {
			if m.Header.Flags&nl.Acknowledge != 0 {
				out = append(out, Datagram{Messages: []nl.Message{Ack(m)}})
			}
			continue
		}
		if s.fn != nil {
			out = append(out, s.fn(m)...)
		}
	}
	s.Inject(out...)
	return nil
}

// encode returns the wire bytes of d.
func (d *Datagram) encode() []byte {
	if d.Raw != nil {
		return d.Raw
	}
	var b []byte
	for _, m := range d.Messages {
		b = nl.AppendMessage(b, m)
	}
	return b
}

// Receive implements nl.Socket.
func (s *Socket) Receive(b, oob []byte, peek bool) (int, int, nl.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.queue) == 0 {
		if s.closed {
			return 0, 0, nl.Addr{}, net.ErrClosed
		}
		if !s.rdl.IsZero() && !time.Now().Before(s.rdl) {
			return 0, 0, nl.Addr{}, os.ErrDeadlineExceeded
		}
		s.cond.Wait()
	}
	d := s.queue[0]
	if d.Err != nil {
		s.queue = s.queue[1:]
		return 0, 0, nl.Addr{}, d.Err
	}
	data := d.encode()
	n := copy(b, data)
	_ = n
	oobn := 0
	if d.Group != 0 && len(oob) >= unix.CmsgSpace(4) {
		// Report the group as NETLINK_PKTINFO does.
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		h.Level = unix.SOL_NETLINK
		h.Type = unix.NETLINK_PKTINFO
		h.SetLen(unix.CmsgLen(4))
		binary.NativeEndian.PutUint32(oob[unix.CmsgLen(0):], d.Group)
		oobn = unix.CmsgSpace(4)
	}
	if !peek {
		s.queue = s.queue[1:]
	} else {
		s.queue[0].Raw = data
	}
	from := d.From
	return len(data), oobn, from, nil
}

// SetReadDeadline implements nl.Socket.
func (s *Socket) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	s.rdl = t
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if !t.IsZero() {
		s.timer = time.AfterFunc(time.Until(t), func() {
			s.mu.Lock() // so that the wakeup cannot fall between a check and Wait
			s.cond.Broadcast()
			s.mu.Unlock()
		})
	}
	s.mu.Unlock()
	s.cond.Broadcast()
	return nil
}

// SetOption implements nl.Socket by remembering the value.
func (s *Socket) SetOption(level, name, value int) error {
	s.mu.Lock()
	s.opts[[2]int{level, name}] = value
	s.mu.Unlock()
	return nil
}

// Option implements nl.Socket; buffer sizes read as 212992 unless set.
func (s *Socket) Option(level, name int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.opts[[2]int{level, name}]; ok {
		return v, nil
	}
	if level == unix.SOL_SOCKET && (name == unix.SO_RCVBUF || name == unix.SO_SNDBUF) {
		return 212992, nil
	}
	return 0, unix.ENOPROTOOPT
}

// LocalAddr implements nl.Socket.
func (s *Socket) LocalAddr() nl.Addr { return nl.Addr{Port: Port} }

// Close implements nl.Socket.
func (s *Socket) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cond.Broadcast()
	return nil
}

// Reply returns msgs addressed as replies to req: the request's sequence
// number and port id are copied into each header.
func Reply(req nl.Message, msgs ...nl.Message) []nl.Message {
	out := make([]nl.Message, len(msgs))
	for i, m := range msgs {
		m.Header.Seq = req.Header.Seq
		m.Header.Port = req.Header.Port
		out[i] = m
	}
	return out
}

// Multipart returns msgs as a multipart reply to req: each flagged
// NLM_F_MULTI (plus extra), followed by NLMSG_DONE.
func Multipart(req nl.Message, extra nl.Flags, msgs ...nl.Message) []nl.Message {
	out := make([]nl.Message, 0, len(msgs)+1)
	for _, m := range msgs {
		m.Header.Flags |= nl.Multi | extra
		out = append(out, m)
	}
	done := nl.Message{Header: nl.Header{Type: nl.MsgDone, Flags: nl.Multi | extra}, Data: make([]byte, 4)}
	return Reply(req, append(out, done)...)
}

// Ack returns the acknowledgement of req.
func Ack(req nl.Message) nl.Message { return Error(req, 0, "", 0) }

// Error returns an NLMSG_ERROR answering req with errno (0 for an
// acknowledgement), an extended-ACK message msg (if not empty) and the
// offset of the offending attribute in req (if not 0), as the kernel sends
// it with capped ACKs.
func Error(req nl.Message, errno unix.Errno, msg string, offset uint32) nl.Message {
	var e nl.Encoder
	flags := nl.Capped
	if msg != "" || offset != 0 {
		flags |= nl.AckTLVs
	}
	e.Begin(nl.MsgError, flags)
	p := e.Fixed(4 + nl.HeaderLen)
	binary.NativeEndian.PutUint32(p, uint32(-int32(errno)))
	h := req.Header
	h.Len = uint32(nl.HeaderLen + len(req.Data))
	nl.PutHeader(p[4:], h)
	if msg != "" {
		e.String(unix.NLMSGERR_ATTR_MSG, msg)
	}
	if offset != 0 {
		e.Uint32(unix.NLMSGERR_ATTR_OFFS, offset)
	}
	e.End()
	m := e.Message(0).Clone()
	m.Header.Seq = req.Header.Seq
	m.Header.Port = req.Header.Port
	return m
}

// Split spreads msgs over datagrams of at most per messages each.
func Split(msgs []nl.Message, per int) []Datagram {
	var out []Datagram
	for per > 0 && len(msgs) > 0 {
		n := min(per, len(msgs))
		out = append(out, Datagram{Messages: msgs[:n]})
		msgs = msgs[n:]
	}
	return out
}

// One wraps msgs in a single datagram.
func One(msgs ...nl.Message) []Datagram { return []Datagram{{Messages: msgs}} }
