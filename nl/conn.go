package nl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// MinReadBuffer is the initial size of a Conn's receive buffers. The kernel
// fills dump datagrams up to the reader's buffer size, capped near 32 KiB;
// larger datagrams make the buffer grow.
const MinReadBuffer = 32 << 10

// Config configures a [Conn]. The zero value (or nil) dials a socket with a
// kernel-assigned port id, extended ACKs and capped ACKs on.
type Config struct {
	// NetNS, if set, is the network namespace to open the socket in. The
	// caller's thread never changes namespace.
	NetNS *netns.NS
	// Port is the port id to bind; 0 lets the kernel assign one.
	Port uint32
	// Groups is the legacy bitmask of the first 32 multicast groups to join
	// at bind time; JoinGroup reaches every group.
	Groups uint32
	// Peer is the port id requests are sent to: 0, the kernel, unless the
	// other end is a user-space process (NETLINK_USERSOCK).
	Peer uint32

	// DisableExtAck turns off extended ACKs (NETLINK_EXT_ACK), which are on
	// by default where the kernel supports them.
	DisableExtAck bool
	// DisableCapAck turns off capped ACKs (NETLINK_CAP_ACK), on by default:
	// the kernel then echoes only the header of a failed request, which the
	// Conn does not need since it keeps its own copy.
	DisableCapAck bool
	// StrictCheck asks the kernel to check requests strictly and to filter
	// dumps by the request's fields (NETLINK_GET_STRICT_CHK). Where the
	// kernel lacks it, Conn.StrictCheck reports false and families filter
	// in user space.
	StrictCheck bool
	// NoENOBUFS tells the kernel not to report overruns (NETLINK_NO_ENOBUFS).
	NoENOBUFS bool
	// ListenAllNSID delivers multicast messages from every peer namespace
	// with an id, and surfaces that id in Meta.NSID
	// (NETLINK_LISTEN_ALL_NSID).
	ListenAllNSID bool
	// PacketInfo surfaces the multicast group of every message in
	// Meta.Group (NETLINK_PKTINFO). It is turned on by JoinGroup for
	// groups above 32, which the bind address cannot report.
	PacketInfo bool
	// BroadcastError makes failed deliveries of this socket's broadcasts
	// reported to it (NETLINK_BROADCAST_ERROR).
	BroadcastError bool
	// PassCred surfaces every sender's credentials in Meta.Creds
	// (SO_PASSCRED).
	PassCred bool
	// ReadBuffer and WriteBuffer set the socket's buffer sizes in bytes;
	// they are forced past the system limits when the process is
	// privileged, and capped by them otherwise.
	ReadBuffer, WriteBuffer int

	// Trace, if set, receives a description of every message sent and
	// received. Setting the environment variable NLKIT_TRACE=1 traces to
	// standard error.
	Trace io.Writer
	// Describe, if set, names message types and attributes in traces and
	// errors; CatalogDescriber (package catalog's tables) is used otherwise.
	Describe Describer
	// OnWarning, if set, is called with the warning the kernel attached to a
	// request it accepted. Without it, warnings are traced (when tracing)
	// and otherwise dropped.
	OnWarning func(*Error)
	// PendingLimit bounds how many multicast or unsolicited messages that
	// arrive during requests are kept for Receive; beyond it they are
	// dropped and the next Receive reports an overrun. Default 4096.
	PendingLimit int
}

// A Conn is a netlink connection: one socket, its receive buffers, and the
// bookkeeping that matches replies to requests. It is safe for concurrent
// use by many goroutines.
type Conn struct {
	sock  Socket
	proto Protocol
	cfg   Config
	local Addr

	seq     atomic.Uint32
	closed  atomic.Bool
	waiting atomic.Int32 // requesters waiting for the exchange lock

	// xlock, a one-slot semaphore that can be waited on with a context,
	// owns the socket's receive side: a request/reply exchange holds it
	// throughout; a listener holds it only while it reads.
	xlock chan struct{}
	rbuf  []byte // receive buffer for replies (under xlock)
	oob   []byte
	// An abandoned dump (cancelled, or cut) may still be running in the
	// kernel, which refuses a new dump until it ends (EBUSY); the next
	// exchange drains it first. Under xlock.
	openDump uint32

	qmu     sync.Mutex   // guards the fields below; held only briefly
	pending []Message    // messages that are not replies, kept for Receive
	lost    bool         // messages were lost: Receive reports an overrun
	stale   [16]seqRange // requests abandoned mid-reply, whose late replies are dropped
	nstale  int

	llock chan struct{} // one listener at a time
	lbuf  []byte        // receive buffer for Receive and Messages (under xlock)
	loob  []byte

	dlmu   sync.Mutex
	readDL time.Time
	// sockDL is the read deadline last set on the socket, so that a
	// receive does not set it again (a system call's worth of locking per
	// datagram) when it has not changed; sockDLOK is false when a kick may
	// have moved it since. Both are used with the exchange lock held.
	sockDL   time.Time
	sockDLOK bool

	pktinfo   atomic.Bool
	multicast atomic.Bool // the socket may receive multicast messages
	strict    atomic.Bool
	trace     *tracer

	batchAcks []uint64 // bitmap of acknowledged requests in a batch chunk
}

var aLongTimeAgo = time.Unix(1, 0)

// Dial opens a netlink socket of protocol p, configured by cfg (nil for the
// defaults).
func Dial(p Protocol, cfg *Config) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	s, err := OpenSocket(p, cfg)
	if err != nil {
		return nil, err
	}
	c, err := NewConn(s, p, cfg)
	if err != nil {
		s.Close()
		return nil, err
	}
	return c, nil
}

// OpenSocket opens and binds the AF_NETLINK socket that Dial would use
// (cfg's NetNS, Port and Groups apply), without a Conn around it: for
// wrapping it (to record or to inject faults) before [NewConn].
func OpenSocket(p Protocol, cfg *Config) (Socket, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if p < 0 || p > MaxProtocol {
		return nil, fmt.Errorf("netlink: dial protocol %d: out of range 0-%d", p, MaxProtocol)
	}
	var s *sysSocket
	open := func() error {
		var err error
		s, err = openSocket(int(p), cfg.Port, cfg.Groups)
		return err
	}
	var err error
	if cfg.NetNS != nil {
		err = cfg.NetNS.Do(open)
	} else {
		err = open()
	}
	if err != nil && s != nil {
		// The socket opened but the thread could not be restored.
		s.Close()
	}
	if err != nil {
		if errors.Is(err, unix.EPROTONOSUPPORT) {
			return nil, fmt.Errorf("netlink: dial %v: %w: protocol not registered in this kernel", p, err)
		}
		return nil, fmt.Errorf("netlink: dial %v: %w", p, err)
	}
	return s, nil
}

// NewConn returns a Conn over an already open socket s of protocol p and
// applies cfg's options to it. Dial uses it; so does package nltest, with a
// fake socket.
func NewConn(s Socket, p Protocol, cfg *Config) (*Conn, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	c := &Conn{
		sock:  s,
		proto: p,
		cfg:   *cfg,
		local: s.LocalAddr(),
		rbuf:  make([]byte, MinReadBuffer),
		oob:   make([]byte, 128),
		lbuf:  make([]byte, MinReadBuffer),
		loob:  make([]byte, 128),
		xlock: make(chan struct{}, 1),
		llock: make(chan struct{}, 1),
	}
	if c.cfg.PendingLimit <= 0 {
		c.cfg.PendingLimit = 4096
	}
	c.seq.Store(uint32(time.Now().UnixNano()>>10) | 1)
	c.trace = newTracer(cfg, p)
	if !cfg.DisableExtAck {
		c.setOptional(unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	}
	if !cfg.DisableCapAck {
		c.setOptional(unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	}
	if cfg.StrictCheck {
		c.strict.Store(c.setOptional(unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1))
	}
	opts := []struct {
		on         bool
		level, opt int
		name       string
	}{
		{cfg.NoENOBUFS, unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, "NETLINK_NO_ENOBUFS"},
		{cfg.ListenAllNSID, unix.SOL_NETLINK, unix.NETLINK_LISTEN_ALL_NSID, "NETLINK_LISTEN_ALL_NSID"},
		{cfg.PacketInfo, unix.SOL_NETLINK, unix.NETLINK_PKTINFO, "NETLINK_PKTINFO"},
		{cfg.BroadcastError, unix.SOL_NETLINK, unix.NETLINK_BROADCAST_ERROR, "NETLINK_BROADCAST_ERROR"},
		{cfg.PassCred, unix.SOL_SOCKET, unix.SO_PASSCRED, "SO_PASSCRED"},
	}
	for _, o := range opts {
		if !o.on {
			continue
		}
		if err := s.SetOption(o.level, o.opt, 1); err != nil {
			return nil, fmt.Errorf("netlink: set %s: %w", o.name, err)
		}
	}
	c.pktinfo.Store(cfg.PacketInfo)
	c.multicast.Store(cfg.Groups != 0 || cfg.ListenAllNSID)
	if cfg.ReadBuffer > 0 {
		if err := c.SetReadBuffer(cfg.ReadBuffer); err != nil {
			return nil, err
		}
	}
	if cfg.WriteBuffer > 0 {
		if err := c.SetWriteBuffer(cfg.WriteBuffer); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// setOptional sets a boolean option the kernel may lack, and reports
// whether it took.
func (c *Conn) setOptional(level, opt, v int) bool {
	return c.sock.SetOption(level, opt, v) == nil
}

// Protocol returns the connection's protocol.
func (c *Conn) Protocol() Protocol { return c.proto }

// Port returns the connection's port id.
func (c *Conn) Port() uint32 { return c.local.Port }

// StrictCheck reports whether the kernel checks this connection's requests
// strictly (Config.StrictCheck was set and the kernel supports it).
func (c *Conn) StrictCheck() bool { return c.strict.Load() }

// Close closes the connection. A blocked receive returns net.ErrClosed.
func (c *Conn) Close() error {
	if c.closed.Swap(true) {
		return nil
	}
	return c.sock.Close()
}

// SetReadDeadline sets when receives (replies, Receive, Messages) give up
// with os.ErrDeadlineExceeded. The zero time means never. A context's
// deadline, when earlier, applies instead.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dlmu.Lock()
	c.readDL = t
	c.dlmu.Unlock()
	c.kick()
	return nil
}

// SetWriteDeadline sets when a send towards a full user-space receiver gives
// up. Sends to the kernel never block.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.sock.SetWriteDeadline(t) }

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// kick wakes whoever is blocked receiving, so that it re-examines its
// situation (context done, deadline changed, a requester waiting).
func (c *Conn) kick() { c.sock.SetReadDeadline(aLongTimeAgo) }

// nextSeq returns a fresh sequence number; 0 is skipped, as multicast
// messages use it.
func (c *Conn) nextSeq() uint32 {
	for {
		if s := c.seq.Add(1); s != 0 {
			return s
		}
	}
}

// reserveSeq returns the first of n consecutive fresh sequence numbers, none
// of them 0.
func (c *Conn) reserveSeq(n int) uint32 {
	for {
		end := c.seq.Add(uint32(n))
		start := end - uint32(n) + 1
		if start != 0 && start <= end {
			return start
		}
	}
}

// lock takes the exchange lock for a request, waking a listener that holds
// it so that it yields. It gives up when ctx ends.
func (c *Conn) lock(ctx context.Context) error {
	select {
	case c.xlock <- struct{}{}:
		return nil
	default:
	}
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	c.kick()
	select {
	case c.xlock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockListener takes the exchange lock for a listener, which does not wake
// anyone.
func (c *Conn) lockListener(ctx context.Context) error {
	select {
	case c.xlock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Conn) unlock() { <-c.xlock }

// op is the state of one blocking call: its context and deadlines.
type op struct {
	ctx   context.Context
	ctxDL time.Time // the context's deadline, or zero
	inner time.Time // a deadline of the call's own (draining), or zero
	stop  func() bool
}

func (c *Conn) begin(ctx context.Context) op {
	o := op{ctx: ctx}
	if d, ok := ctx.Deadline(); ok {
		o.ctxDL = d
	}
	if ctx.Done() != nil {
		o.stop = context.AfterFunc(ctx, c.kick)
	}
	return o
}

// deadline returns the earliest of the connection's read deadline (read
// anew each time, so that SetReadDeadline reaches a blocked call), the
// context's and the call's own, and which one it is.
func (o *op) deadline(c *Conn) (time.Time, int) {
	c.dlmu.Lock()
	dl, which := c.readDL, dlConn
	c.dlmu.Unlock()
	if !o.ctxDL.IsZero() && (dl.IsZero() || o.ctxDL.Before(dl)) {
		dl, which = o.ctxDL, dlContext
	}
	if !o.inner.IsZero() && (dl.IsZero() || o.inner.Before(dl)) {
		dl, which = o.inner, dlInner
	}
	return dl, which
}

// Which deadline expired.
const (
	dlConn = iota
	dlContext
	dlInner
)

// errInnerDeadline reports that a call's own deadline passed.
var errInnerDeadline = errors.New("netlink: inner deadline")

func (o *op) end() {
	if o.stop != nil {
		o.stop()
	}
}

// errListenerYield is returned by receive when a listener must give the
// socket to a waiting requester.
var errListenerYield = errors.New("yield")

// receive reads one datagram into *buf (growing it rather than
// truncating) and returns it with its metadata. Called with the exchange
// lock held. A listener (listening) returns errListenerYield when a
// requester waits.
func (c *Conn) receive(o *op, buf *[]byte, oob []byte, listening bool) ([]byte, Meta, error) {
	return c.receiveMode(o, buf, oob, listening, false)
}

// errTruncated is returned by receiveMode in direct mode for a datagram
// that did not fit the buffer: its head is returned, the rest is lost, and
// the buffer has grown for the next one.
var errTruncated = errors.New("netlink: datagram truncated")

// receiveMode is receive with a choice: direct reads each datagram with one
// recvmsg instead of peeking first, for paths where only small replies are
// expected (batch acknowledgements); a larger datagram then comes back
// truncated, with errTruncated, for the caller to account for.
func (c *Conn) receiveMode(o *op, buf *[]byte, oob []byte, listening, direct bool) ([]byte, Meta, error) {
	for {
		if c.closed.Load() {
			return nil, Meta{}, net.ErrClosed
		}
		dl, which := o.deadline(c)
		if !c.sockDLOK || !dl.Equal(c.sockDL) {
			c.sock.SetReadDeadline(dl)
			c.sockDL, c.sockDLOK = dl, true
		}
		if err := o.ctx.Err(); err != nil {
			return nil, Meta{}, err
		}
		if listening && c.waiting.Load() > 0 {
			return nil, Meta{}, errListenerYield
		}
		n, oobn, from, err := c.sock.Receive(*buf, oob, !direct)
		if err != nil {
			switch {
			case c.closed.Load():
				return nil, Meta{}, net.ErrClosed
			case errors.Is(err, os.ErrDeadlineExceeded):
				c.sockDLOK = false // a kick may have moved it
				if cerr := o.ctx.Err(); cerr != nil {
					return nil, Meta{}, cerr
				}
				if !dl.IsZero() && !time.Now().Before(dl) {
					switch which {
					case dlContext:
						return nil, Meta{}, context.DeadlineExceeded
					case dlInner:
						return nil, Meta{}, errInnerDeadline
					}
					return nil, Meta{}, os.ErrDeadlineExceeded
				}
				continue // woken for another reason: look again
			case errors.Is(err, unix.ENOBUFS):
				c.noteOverrun()
				return nil, Meta{}, &OverrunError{}
			}
			return nil, Meta{}, fmt.Errorf("netlink: receive: %w", err)
		}
		truncated := n > len(*buf)
		if truncated {
			head := *buf
			*buf = make([]byte, Align(n+4095)&^4095)
			if direct {
				return head, Meta{Port: from.Port}, errTruncated
			}
			continue
		}
		if !direct {
			if _, _, _, err := c.sock.Receive(nil, nil, false); err != nil {
				if errors.Is(err, unix.ENOBUFS) {
					// The kernel reported its overrun before dequeuing:
					// the datagram stays queued, to be read again.
					c.noteOverrun()
					return nil, Meta{}, &OverrunError{}
				}
				return nil, Meta{}, fmt.Errorf("netlink: receive: %w", err)
			}
		}
		meta := Meta{Port: from.Port}
		if from.Groups != 0 {
			meta.Group = uint32(firstBit(from.Groups))
		}
		parseControl(oob[:oobn], &meta)
		data := (*buf)[:n]
		if c.trace != nil {
			c.trace.datagram("recv", data, meta)
		}
		return data, meta, nil
	}
}

func firstBit(v uint32) int {
	for i := 0; i < 32; i++ {
		if v&(1<<i) != 0 {
			return i + 1
		}
	}
	return 0
}

func cmsgAlign(n int) int {
	const a = int(unsafe.Sizeof(uintptr(0)))
	return (n + a - 1) &^ (a - 1)
}

// parseControl reads the control messages the Conn asks for into m.
func parseControl(b []byte, m *Meta) {
	for len(b) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		l := int(h.Len)
		if l < unix.SizeofCmsghdr || l > len(b) {
			return
		}
		data := b[cmsgAlign(unix.SizeofCmsghdr):l]
		switch {
		case h.Level == unix.SOL_NETLINK && h.Type == unix.NETLINK_PKTINFO && len(data) >= 4:
			m.Group = binary.NativeEndian.Uint32(data)
		case h.Level == unix.SOL_NETLINK && h.Type == unix.NETLINK_LISTEN_ALL_NSID && len(data) >= 4:
			m.NSID = int32(binary.NativeEndian.Uint32(data))
			m.HasNSID = true
		case h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_CREDENTIALS && len(data) >= 12:
			m.Creds = Credentials{
				PID: int32(binary.NativeEndian.Uint32(data)),
				UID: binary.NativeEndian.Uint32(data[4:]),
				GID: binary.NativeEndian.Uint32(data[8:]),
			}
			m.HasCreds = true
		}
		next := cmsgAlign(l)
		if next >= len(b) {
			return
		}
		b = b[next:]
	}
}

// isReply reports whether m, received in a datagram with meta, answers
// the request req, stamped with sequence number seq.
func (c *Conn) isReply(m *Message, seq uint32, req Header) bool {
	return m.Header.Seq == seq && m.Meta.Port == c.cfg.Peer &&
		(m.Meta.Group == 0 || c.isEcho(m, req))
}

// isEcho reports whether m, delivered to a multicast group, is the echo of
// our request req (NLM_F_ECHO): the kernel sends the echo to the requester
// as a copy of the group notification, group included, with the
// requester's port id in the header.
func (c *Conn) isEcho(m *Message, req Header) bool {
	return req.Flags&Echo != 0 && m.Header.Port == c.Port()
}

// park keeps a message that is not a reply for Receive, or drops it when it
// answers an abandoned request.
func (c *Conn) park(m Message) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.isStale(m) {
		return
	}
	if len(c.pending) >= c.cfg.PendingLimit {
		c.lost = true
		return
	}
	c.pending = append(c.pending, m.Clone())
}

// noteOverrun records that the kernel dropped messages: a listener learns
// it from its next receive even if a request consumed the kernel's report.
func (c *Conn) noteOverrun() {
	if c.multicast.Load() {
		c.markLost()
	}
}

// markLost records that messages meant for Receive were lost.
func (c *Conn) markLost() {
	c.qmu.Lock()
	c.lost = true
	c.qmu.Unlock()
}

// cutReply accounts for a datagram that did not fit the receive buffer
// (errTruncated), given its head: if it came from the peer and ours says
// its sequence number belongs to the caller's request, it returns that
// number and true; otherwise an unsolicited message was lost, which is
// recorded for Receive.
func (c *Conn) cutReply(head []byte, meta Meta, ours func(seq uint32) bool) (uint32, bool) {
	if h, err := ParseHeader(head); err == nil && meta.Port == c.cfg.Peer && ours(h.Seq) {
		return h.Seq, true
	}
	c.markLost()
	return 0, false
}

// A seqRange is n sequence numbers from lo.
type seqRange struct{ lo, n uint32 }

// abandon records that replies to seq may still arrive and must be dropped.
func (c *Conn) abandon(seq uint32) { c.abandonRange(seq, 1) }

// abandonRange records that replies to the n requests numbered from lo may
// still arrive and must be dropped.
func (c *Conn) abandonRange(lo, n uint32) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.nstale < len(c.stale) {
		c.nstale++
	} else {
		copy(c.stale[:], c.stale[1:])
	}
	c.stale[c.nstale-1] = seqRange{lo, n}
}

// isStale reports whether m answers an abandoned request. Called with
// c.qmu held.
func (c *Conn) isStale(m Message) bool {
	if m.Meta.Group != 0 || m.Meta.Port != c.cfg.Peer || m.Header.Seq == 0 {
		return false
	}
	for _, r := range c.stale[:c.nstale] {
		if m.Header.Seq-r.lo < r.n {
			return true
		}
	}
	return false
}

// stamp sets the sequence number, port and request flag of the message at
// b[0].
func (c *Conn) stamp(b []byte, seq uint32, add Flags) {
	f := Flags(binary.NativeEndian.Uint16(b[6:8])) | Request | add
	binary.NativeEndian.PutUint16(b[6:8], uint16(f))
	binary.NativeEndian.PutUint32(b[8:12], seq)
	binary.NativeEndian.PutUint32(b[12:16], c.local.Port)
}

func (c *Conn) send(b []byte) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if c.trace != nil {
		c.trace.datagram("send", b, Meta{Port: c.cfg.Peer})
	}
	if err := c.sock.Send(b, Addr{Port: c.cfg.Peer}); err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		return fmt.Errorf("netlink: send: %w", err)
	}
	return nil
}

func (c *Conn) describer() Describer {
	if c.cfg.Describe != nil {
		return c.cfg.Describe
	}
	return CatalogDescriber{}
}

// opName names the operation of req, a request as sent.
func (c *Conn) opName(req []byte) string {
	m, ok := requestMessage(req)
	if !ok {
		return fmt.Sprintf("%v request", c.proto)
	}
	if t := m.Header.Type; t < MsgMinType {
		return t.String()
	}
	if d, ok := c.describer().Describe(c.proto, m); ok {
		return d.Name
	}
	return fmt.Sprintf("%v message type %d", c.proto, uint16(m.Header.Type))
}

// requestError decodes an NLMSG_ERROR (or an NLMSG_DONE carrying an error)
// answering req, the request as sent with attributes at attrOff.
func (c *Conn) requestError(m Message, req []byte, attrOff int) error {
	var e *Error
	var err error
	if m.Header.Type == MsgDone {
		e, err = parseDoneError(m)
	} else {
		e, err = ParseError(m, req, attrOff)
	}
	if err != nil || e == nil {
		return err
	}
	if rm, ok := requestMessage(req); ok {
		if e.Op == "" {
			e.Op = c.opName(req)
		}
		if m, ok := c.describer().Describe(c.proto, rm); ok {
			if len(e.Attr) > 0 {
				e.AttrName = m.AttrPath(e.Attr)
			}
			if e.MissingType != 0 {
				e.MissingName = m.AttrPath(append(append([]uint16(nil), e.MissingNestAttr...), e.MissingType))
			}
		}
	}
	if e.Errno == 0 {
		c.warn(e)
		return nil
	}
	return e
}

func (c *Conn) warn(e *Error) {
	if c.cfg.OnWarning != nil {
		c.cfg.OnWarning(e)
	} else if c.trace != nil {
		c.trace.note("warning: " + e.Error())
	}
}

// parseDoneError decodes the error code and extended ACK a dump's
// NLMSG_DONE may carry. It returns nil for a plain DONE.
func parseDoneError(m Message) (*Error, error) {
	if len(m.Data) < 4 {
		return nil, nil
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	e := &Error{}
	if code < 0 {
		e.Errno = unix.Errno(-code)
	}
	if m.Header.Flags&AckTLVs != 0 {
		if err := e.parseTLVs(m.Data[4:]); err != nil {
			return nil, err
		}
	}
	if e.Errno == 0 && e.Message == "" {
		return nil, nil
	}
	return e, nil
}

// single checks that e holds exactly one finished message and returns it.
func single(e *Encoder) ([]byte, int, error) {
	if e.open {
		return nil, 0, errors.New("netlink: request not ended (call End)")
	}
	if err := e.Err(); err != nil {
		return nil, 0, err
	}
	if e.Len() != 1 {
		return nil, 0, fmt.Errorf("netlink: a request must be exactly one message, have %d", e.Len())
	}
	return e.buf, e.msgs[0].attrs - HeaderLen, nil
}

// Do sends the single request encoded in e and calls fn for each reply
// message, in order; each message (and its Data) is valid only during the
// call. Do returns when the exchange is complete: after the NLMSG_ERROR
// answering a request that asked for an acknowledgement (NLM_F_ACK), after
// NLMSG_DONE ends a multipart reply, or else after the first reply. An error
// from the kernel is returned as an [*Error]; an error from fn stops the
// exchange (the rest of the reply is read and dropped) and is returned.
//
// Do stamps the sequence number and port id into e's buffer and sets
// NLM_F_REQUEST.
func (c *Conn) Do(ctx context.Context, e *Encoder, fn func(Message) error) error {
	req, attrOff, err := single(e)
	if err != nil {
		return err
	}
	if err := c.lock(ctx); err != nil {
		return err
	}
	defer c.unlock()
	o := c.begin(ctx)
	defer o.end()
	return c.exchange(&o, req, attrOff, fn)
}

// Execute sends the single request encoded in e, as [Conn.Do] does, and
// returns copies of the reply messages (without the final acknowledgement).
func (c *Conn) Execute(ctx context.Context, e *Encoder) ([]Message, error) {
	var out []Message
	err := c.Do(ctx, e, func(m Message) error {
		out = append(out, m.Clone())
		return nil
	})
	return out, err
}

// exchange runs one request/reply exchange. Called with the exchange lock
// held.
func (c *Conn) exchange(o *op, req []byte, attrOff int, fn func(Message) error) error {
	seq := c.nextSeq()
	c.stamp(req, seq, 0)
	h, _ := ParseHeader(req)
	wantAck := h.Flags&Acknowledge != 0
	isDump := h.Flags&Dump == Dump
	if err := c.send(req); err != nil {
		return err
	}
	var fnErr, result error
	interrupted := false
	for {
		data, meta, err := c.receive(o, &c.rbuf, c.oob, false)
		if err != nil {
			if isDump {
				c.abandonDump(seq)
			} else {
				c.abandon(seq)
			}
			if errors.As(err, new(*OverrunError)) {
				// Our reply may be among what was lost: give up on it.
				return &OverrunError{Op: c.opName(req)}
			}
			return err
		}
		finished := false
		for len(data) > 0 {
			m, rest, err := NextMessage(data)
			if err != nil {
				c.abandon(seq)
				return fmt.Errorf("netlink: %s: reply: %w", c.opName(req), err)
			}
			data = rest
			m.Meta = meta
			if finished || !c.isReply(&m, seq, h) {
				c.park(m)
				continue
			}
			if m.Header.Flags&DumpIntr != 0 {
				interrupted = true
			}
			switch m.Header.Type {
			case MsgNoop:
				continue
			case MsgOverrun:
				result = &OverrunError{Op: c.opName(req)}
				finished = true
				continue
			case MsgError:
				result = c.requestError(m, req, attrOff)
				finished = true
				continue
			case MsgDone:
				if m.Header.Flags&Multi != 0 || isDump {
					result = c.requestError(m, req, attrOff)
					if !wantAck || result != nil || isDump {
						finished = true
					}
					continue
				}
			}
			if fnErr == nil {
				fnErr = fn(m)
			}
			if m.Header.Flags&Multi == 0 && !wantAck && !isDump {
				finished = true
			}
		}
		if finished {
			break
		}
	}
	if result != nil {
		return result
	}
	if interrupted {
		return fmt.Errorf("netlink: %s: %w", c.opName(req), ErrDumpInterrupted)
	}
	return fnErr
}

// Dump sends the single request encoded in e as a dump (NLM_F_DUMP is set)
// and streams the reply: each message is yielded as it is read, with Data
// aliasing the connection's receive buffer, valid only until the loop body
// returns. An error ends the iteration: an [*Error] from the kernel (an
// NLMSG_ERROR, or an NLMSG_DONE carrying an error), [ErrDumpInterrupted] as
// soon as a message is flagged NLM_F_DUMP_INTR, an overrun, or a context
// error. Breaking out of the loop early reads and drops the rest of the dump.
//
// The connection is busy until the loop ends: do not use it from the loop
// body. Wrap the loop in [Retry] to refetch interrupted dumps.
//
// On a connection without multicast memberships each datagram is read with
// a single recvmsg into the receive buffer (32 KiB, the most the kernel puts
// in a dump datagram unless a family asks for more). If a datagram does not
// fit, the buffer grows, and the dump ends with an error wrapping
// ErrDumpInterrupted, so that Retry fetches it again, now whole. On a
// connection with memberships every datagram is peeked at first, so nothing
// is ever cut.
func (c *Conn) Dump(ctx context.Context, e *Encoder) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		req, attrOff, err := single(e)
		if err != nil {
			yield(Message{}, err)
			return
		}
		if err := c.lock(ctx); err != nil {
			yield(Message{}, err)
			return
		}
		defer c.unlock()
		o := c.begin(ctx)
		defer o.end()
		if err := c.drainDump(&o); err != nil {
			yield(Message{}, err)
			return
		}
		seq := c.nextSeq()
		c.stamp(req, seq, Dump)
		// The end of a dump is its acknowledgement.
		binary.NativeEndian.PutUint16(req[6:8], binary.NativeEndian.Uint16(req[6:8])&^uint16(Acknowledge))
		if err := c.send(req); err != nil {
			yield(Message{}, err)
			return
		}
		d := dumpState{c: c, req: req, attrOff: attrOff, seq: seq, yield: yield}
		// Without multicast memberships, read each datagram with one
		// recvmsg (see the Dump doc on datagrams that do not fit).
		direct := !c.multicast.Load()
		for {
			data, meta, err := c.receiveMode(&o, &c.rbuf, c.oob, false, direct)
			if err == errTruncated {
				if _, ours := c.cutReply(data, meta, func(s uint32) bool { return s == seq }); !ours {
					continue
				}
				// Whether the cut datagram ended the dump is unknown: stop
				// here; the next dump drains the rest first.
				c.abandonDump(seq)
				d.fail(fmt.Errorf("netlink: dump %s: a datagram larger than the %d-byte receive buffer was cut (the buffer has grown; fetch the dump again): %w",
					d.name(), len(data), ErrDumpInterrupted))
				return
			}
			if err != nil {
				c.abandonDump(seq)
				if errors.As(err, new(*OverrunError)) {
					err = &OverrunError{Op: "dump " + d.name()}
				}
				d.fail(err)
				return
			}
			if d.datagram(data, meta) {
				return
			}
		}
	}
}

// abandonDump records that the dump numbered seq was left before its end:
// its late parts are dropped, and the next dump drains it first. Called
// with the exchange lock held.
func (c *Conn) abandonDump(seq uint32) {
	c.abandon(seq)
	c.openDump = seq
}

// dumpDrainIdle is how long drainDump waits for more of an abandoned dump.
// The kernel queues a dump's next datagram within the read that consumes
// the previous one, so an empty queue for this long means the dump is over.
const dumpDrainIdle = 100 * time.Millisecond

// drainDump reads and drops the rest of an abandoned dump, which the kernel
// would otherwise keep running, refusing new dumps with EBUSY. Called with
// the exchange lock held.
func (c *Conn) drainDump(o *op) error {
	for c.openDump != 0 {
		seq := c.openDump
		o.inner = time.Now().Add(dumpDrainIdle)
		data, meta, err := c.receiveMode(o, &c.rbuf, c.oob, false, false)
		o.inner = time.Time{}
		if err == errInnerDeadline {
			c.openDump = 0
			return nil
		}
		if err != nil {
			if errors.As(err, new(*OverrunError)) {
				c.openDump = 0
				continue
			}
			return err
		}
		for m, err := range Messages(data) {
			if err != nil {
				break
			}
			m.Meta = meta
			if m.Header.Seq == seq && meta.Group == 0 && meta.Port == c.cfg.Peer &&
				(m.Header.Type == MsgDone || m.Header.Type == MsgError) {
				c.openDump = 0
				continue
			}
			c.park(m) // dropped as stale, or kept for Receive
		}
	}
	return nil
}

// dumpState follows one dump through its datagrams.
type dumpState struct {
	c        *Conn
	req      []byte
	attrOff  int
	seq      uint32
	yield    func(Message, error) bool
	stopped  bool // the consumer is gone, or an error was yielded
	finished bool // the dump's last message was seen
}

func (d *dumpState) name() string {
	return d.c.opName(d.req)
}

// fail yields err unless the consumer is gone; the rest of the dump is
// then read and dropped.
func (d *dumpState) fail(err error) {
	if !d.stopped {
		d.stopped = true
		d.yield(Message{}, err)
	}
}

// datagram handles the messages of one datagram and reports whether the
// dump is over. This is the hot path of large dumps: per message it reads
// the header in place and yields a view of the receive buffer.
func (d *dumpState) datagram(data []byte, meta Meta) bool {
	ours := meta.Group == 0 && meta.Port == d.c.cfg.Peer
	for len(data) >= HeaderLen {
		l := binary.NativeEndian.Uint32(data)
		if l < HeaderLen || uint64(l) > uint64(len(data)) {
			break // malformed: reported below
		}
		m := Message{
			Header: Header{
				Len:   l,
				Type:  MsgType(binary.NativeEndian.Uint16(data[4:])),
				Flags: Flags(binary.NativeEndian.Uint16(data[6:])),
				Seq:   binary.NativeEndian.Uint32(data[8:]),
				Port:  binary.NativeEndian.Uint32(data[12:]),
			},
			Data: data[HeaderLen:l:l],
			Meta: meta,
		}
		next := Align(int(l))
		if next > len(data) {
			next = len(data)
		}
		data = data[next:]
		if d.finished || !ours || m.Header.Seq != d.seq {
			d.c.park(m)
			continue
		}
		if m.Header.Flags&DumpIntr != 0 {
			d.fail(fmt.Errorf("netlink: dump %s: %w", d.name(), ErrDumpInterrupted))
		}
		if m.Header.Type < MsgMinType {
			switch m.Header.Type {
			case MsgNoop:
				continue
			case MsgOverrun:
				d.fail(&OverrunError{Op: "dump " + d.name()})
				d.finished = true
				continue
			case MsgError, MsgDone:
				if err := d.c.requestError(m, d.req, d.attrOff); err != nil {
					d.fail(err)
				}
				d.finished = true
				continue
			}
		}
		if !d.stopped && !d.yield(m, nil) {
			d.stopped = true
		}
	}
	if len(data) > 0 {
		_, _, err := NextMessage(data)
		d.c.abandonDump(d.seq)
		d.fail(fmt.Errorf("netlink: dump %s: %w", d.name(), err))
		return true
	}
	return d.finished
}

// Send sends b, one or more complete messages, as one datagram to addr,
// unchanged: no sequence number or flag is stamped. Replies, if any, arrive
// through Receive or Messages. It is the primitive for protocols without
// request/reply semantics (uevents, connector, user-space peers).
//
// A broadcast (to.Groups set, one of the first 32 groups) to port 0 of a
// protocol whose kernel side takes no input, such as NETLINK_USERSOCK, is
// delivered to the group even though the kernel refuses the unicast part
// with ECONNREFUSED; Send reports success then.
func (c *Conn) Send(ctx context.Context, b []byte, to Addr) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if dl, ok := ctx.Deadline(); ok {
		c.sock.SetWriteDeadline(dl)
		defer c.sock.SetWriteDeadline(time.Time{})
	}
	if c.trace != nil {
		c.trace.datagram("send", b, Meta{Port: to.Port, Group: uint32(firstBit(to.Groups))})
	}
	if err := c.sock.Send(b, to); err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		if to.Groups != 0 && to.Port == 0 && errors.Is(err, unix.ECONNREFUSED) {
			return nil
		}
		return fmt.Errorf("netlink: send: %w", err)
	}
	return nil
}

// Receive returns the messages of the next datagram that is not a reply to
// a request (multicast events, unsolicited messages), copied so that they
// may be kept. Messages that arrived during requests come first, in order.
// An overrun is reported as [*OverrunError]; the connection stays usable.
func (c *Conn) Receive(ctx context.Context) ([]Message, error) {
	var out []Message
	err := c.listen(ctx, func(batch []Message, data []byte, meta Meta) (bool, error) {
		if batch != nil {
			out = batch
			return false, nil
		}
		for m, err := range Messages(data) {
			if err != nil {
				return false, err
			}
			m.Meta = meta
			if c.droppable(&m) {
				continue
			}
			out = append(out, m.Clone())
		}
		return len(out) == 0, nil
	})
	return out, err
}

// Messages streams every message that is not a reply to a request
// (multicast events, unsolicited messages) until the context ends, the
// connection closes, or the loop breaks. Each message read from the socket
// aliases a receive buffer and is valid only until the loop body returns.
// An overrun is yielded as an [*OverrunError] and the stream goes on; any
// other error ends it. Requests may be made on the same connection, from
// the loop body or other goroutines, while it streams.
func (c *Conn) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for {
			cont := true
			err := c.listen(ctx, func(batch []Message, data []byte, meta Meta) (bool, error) {
				for i, m := range batch {
					if !yield(m, nil) {
						c.requeue(batch[i+1:])
						cont = false
						return false, nil
					}
				}
				if batch != nil {
					return false, nil
				}
				for len(data) > 0 {
					m, rest, err := NextMessage(data)
					if err != nil {
						return false, err
					}
					data = rest
					m.Meta = meta
					if c.droppable(&m) {
						continue
					}
					if !yield(m, nil) {
						c.requeueData(data, meta)
						cont = false
						return false, nil
					}
				}
				return false, nil
			})
			if err != nil {
				var oe *OverrunError
				if errors.As(err, &oe) {
					if yield(Message{}, err) {
						continue
					}
					return
				}
				yield(Message{}, err)
				return
			}
			if !cont {
				return
			}
		}
	}
}

// requeue puts messages a listener did not deliver back in front of the
// pending queue.
func (c *Conn) requeue(msgs []Message) {
	if len(msgs) == 0 {
		return
	}
	c.qmu.Lock()
	c.pending = append(msgs[:len(msgs):len(msgs)], c.pending...)
	c.qmu.Unlock()
}

// requeueData copies the undelivered rest of a datagram in front of the
// pending queue.
func (c *Conn) requeueData(data []byte, meta Meta) {
	var msgs []Message
	for m, err := range Messages(data) {
		if err != nil {
			break
		}
		m.Meta = meta
		msgs = append(msgs, m.Clone())
	}
	c.requeue(msgs)
}

// droppable reports whether a message read by a listener answers an
// abandoned request.
func (c *Conn) droppable(m *Message) bool {
	if m.Meta.Group != 0 || m.Meta.Port != c.cfg.Peer || m.Header.Seq == 0 {
		return false
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return c.isStale(*m)
}

// listen delivers, to fn, either the pending messages (batch != nil) or one
// datagram read from the socket, until fn returns false. It gives the
// socket up to requesters while it waits.
func (c *Conn) listen(ctx context.Context, fn func(batch []Message, data []byte, meta Meta) (more bool, err error)) error {
	select {
	case c.llock <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-c.llock }()
	o := c.begin(ctx)
	defer o.end()
	for {
		if err := c.lockListener(ctx); err != nil {
			return err
		}
		// Requesters park messages only while they hold the exchange lock,
		// so the queue cannot grow while this listener holds it.
		c.qmu.Lock()
		lost := c.lost
		batch := c.pending
		c.lost, c.pending = false, nil
		if lost {
			batch = nil
		}
		c.qmu.Unlock()
		if lost {
			c.unlock()
			return &OverrunError{Op: "receive"}
		}
		if len(batch) > 0 {
			c.unlock()
			more, err := fn(batch, nil, Meta{})
			if err != nil || !more {
				return err
			}
			continue
		}
		data, meta, err := c.receive(&o, &c.lbuf, c.loob, true)
		c.unlock()
		if err == errListenerYield {
			continue // lockListener waits until the requester is done
		}
		if err != nil {
			if errors.As(err, new(*OverrunError)) {
				c.qmu.Lock()
				c.lost = false // this report is the one the listener gives
				c.qmu.Unlock()
				return &OverrunError{Op: "receive"}
			}
			return err
		}
		more, err := fn(nil, data, meta)
		if err != nil || !more {
			return err
		}
	}
}

// JoinGroup joins multicast group g (any group number, not only the first
// 32). Joining a group above 32 turns on packet info, so that
// Meta.Group reports it.
func (c *Conn) JoinGroup(g uint32) error {
	if g > 32 && !c.pktinfo.Load() {
		if err := c.sock.SetOption(unix.SOL_NETLINK, unix.NETLINK_PKTINFO, 1); err == nil {
			c.pktinfo.Store(true)
		}
	}
	c.multicast.Store(true)
	if err := c.sock.SetOption(unix.SOL_NETLINK, unix.NETLINK_ADD_MEMBERSHIP, int(g)); err != nil {
		return fmt.Errorf("netlink: join %v group %d: %w", c.proto, g, err)
	}
	return nil
}

// LeaveGroup leaves multicast group g.
func (c *Conn) LeaveGroup(g uint32) error {
	if err := c.sock.SetOption(unix.SOL_NETLINK, unix.NETLINK_DROP_MEMBERSHIP, int(g)); err != nil {
		return fmt.Errorf("netlink: leave %v group %d: %w", c.proto, g, err)
	}
	return nil
}

// An Option is a boolean socket option of a Conn.
type Option int

// The boolean options; see the Config fields of the same names.
const (
	ExtendedAck Option = iota
	CapAck
	StrictCheck
	NoENOBUFS
	ListenAllNSID
	PacketInfo
	BroadcastError
	PassCred
)

var optionSockopts = [...]struct {
	level, opt int
	name       string
}{
	ExtendedAck:    {unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, "NETLINK_EXT_ACK"},
	CapAck:         {unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, "NETLINK_CAP_ACK"},
	StrictCheck:    {unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, "NETLINK_GET_STRICT_CHK"},
	NoENOBUFS:      {unix.SOL_NETLINK, unix.NETLINK_NO_ENOBUFS, "NETLINK_NO_ENOBUFS"},
	ListenAllNSID:  {unix.SOL_NETLINK, unix.NETLINK_LISTEN_ALL_NSID, "NETLINK_LISTEN_ALL_NSID"},
	PacketInfo:     {unix.SOL_NETLINK, unix.NETLINK_PKTINFO, "NETLINK_PKTINFO"},
	BroadcastError: {unix.SOL_NETLINK, unix.NETLINK_BROADCAST_ERROR, "NETLINK_BROADCAST_ERROR"},
	PassCred:       {unix.SOL_SOCKET, unix.SO_PASSCRED, "SO_PASSCRED"},
}

// String returns the option's kernel name.
func (o Option) String() string {
	if o >= 0 && int(o) < len(optionSockopts) {
		return optionSockopts[o].name
	}
	return fmt.Sprintf("Option(%d)", int(o))
}

// SetOption turns a boolean option on or off.
func (c *Conn) SetOption(o Option, on bool) error {
	if o < 0 || int(o) >= len(optionSockopts) {
		return fmt.Errorf("netlink: unknown option %d", int(o))
	}
	so := optionSockopts[o]
	v := 0
	if on {
		v = 1
	}
	if err := c.sock.SetOption(so.level, so.opt, v); err != nil {
		return fmt.Errorf("netlink: set %s: %w", so.name, err)
	}
	switch o {
	case PacketInfo:
		c.pktinfo.Store(on)
	case StrictCheck:
		c.strict.Store(on)
	}
	return nil
}

// SetReadBuffer sets the socket's receive buffer to n bytes: forced past
// net.core.rmem_max when the process has CAP_NET_ADMIN, capped by it
// otherwise. The kernel doubles the value for its bookkeeping; ReadBuffer
// reports what it holds.
func (c *Conn) SetReadBuffer(n int) error {
	return c.setBuffer(unix.SO_RCVBUFFORCE, unix.SO_RCVBUF, n)
}

// SetWriteBuffer sets the socket's send buffer to n bytes, forced when
// privileged as SetReadBuffer is.
func (c *Conn) SetWriteBuffer(n int) error {
	return c.setBuffer(unix.SO_SNDBUFFORCE, unix.SO_SNDBUF, n)
}

func (c *Conn) setBuffer(force, plain, n int) error {
	if err := c.sock.SetOption(unix.SOL_SOCKET, force, n); err == nil {
		return nil
	}
	if err := c.sock.SetOption(unix.SOL_SOCKET, plain, n); err != nil {
		return fmt.Errorf("netlink: set buffer size %d: %w", n, err)
	}
	return nil
}

// ReadBuffer returns the socket's receive buffer size as the kernel holds it.
func (c *Conn) ReadBuffer() (int, error) { return c.sock.Option(unix.SOL_SOCKET, unix.SO_RCVBUF) }

// WriteBuffer returns the socket's send buffer size as the kernel holds it.
func (c *Conn) WriteBuffer() (int, error) { return c.sock.Option(unix.SOL_SOCKET, unix.SO_SNDBUF) }

// syscallConn returns the raw connection of a real socket.
func (c *Conn) syscallConn() (interface {
	Control(func(fd uintptr)) error
}, error) {
	s, ok := c.sock.(*sysSocket)
	if !ok {
		return nil, errNotSupported
	}
	return s.rc, nil
}

// AttachFilter attaches a classic BPF program that the kernel runs on every
// message delivered to the socket; messages it rejects never reach the
// receive buffer. See golang.org/x/net/bpf for an assembler.
func (c *Conn) AttachFilter(prog []unix.SockFilter) error {
	rc, err := c.syscallConn()
	if err != nil {
		return err
	}
	if len(prog) == 0 {
		return errors.New("netlink: attach filter: empty program")
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptSockFprog(int(fd), unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, &fprog)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("netlink: attach filter: %w", serr)
	}
	return nil
}

// DetachFilter removes the socket's BPF filter.
func (c *Conn) DetachFilter() error {
	rc, err := c.syscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DETACH_FILTER, 0)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("netlink: detach filter: %w", serr)
	}
	return nil
}

// Groups returns the multicast groups the socket is a member of
// (NETLINK_LIST_MEMBERSHIPS).
func (c *Conn) Groups() ([]uint32, error) {
	rc, err := c.syscallConn()
	if err != nil {
		return nil, err
	}
	buf := make([]uint32, 8)
	var serr error
	for {
		l := uint32(len(buf) * 4)
		if err := rc.Control(func(fd uintptr) {
			_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_NETLINK, unix.NETLINK_LIST_MEMBERSHIPS,
				uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l)), 0)
			if e != 0 {
				serr = e
			}
		}); err != nil {
			return nil, err
		}
		if serr != nil {
			return nil, fmt.Errorf("netlink: list memberships: %w", serr)
		}
		if int(l) <= len(buf)*4 {
			buf = buf[:int(l)/4]
			break
		}
		buf = make([]uint32, int(l)/4)
	}
	var groups []uint32
	for i, w := range buf {
		for b := 0; b < 32; b++ {
			if w&(1<<b) != 0 {
				groups = append(groups, uint32(i*32+b+1))
			}
		}
	}
	return groups, nil
}
