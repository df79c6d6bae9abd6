package nl

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// MinReadBuffer is the default size of a Conn's receive buffers. The
// kernel fills dump datagrams up to the reader's buffer size, capped near
// 32 KiB; larger datagrams make the buffer grow.
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
	// DatagramBuffer is the initial size in bytes of the buffer a listener
	// receives datagrams into (default MinReadBuffer). A listener reads each
	// datagram once: one larger than the buffer is reported as truncated
	// (Datagram.Len, or an OverrunError wrapping ErrTruncated from
	// Messages) and the buffer grows to fit the next. Set it to the
	// largest datagram the protocol's peers send to rule truncation out.
	DatagramBuffer int
	// ReadBatch is how many queued datagrams a listener may read with one
	// system call (recvmmsg), each into a buffer of DatagramBuffer bytes.
	// A listener starts with one and doubles the number each time a read
	// comes back full, up to ReadBatch: an idle listener keeps one buffer,
	// one under a flood reads its queue at a fraction of a system call per
	// datagram, at the price of ReadBatch buffers (kept once grown).
	// Default 1: one datagram per read. Fake sockets always read one.
	ReadBatch int

	// Trace, if set, receives a description of every message sent and
	// received. Setting the environment variable NLKIT_TRACE=1 traces to
	// standard error.
	Trace io.Writer
	// Describe, if set, names message types and attributes in traces and
	// errors; package catalog's tables ([CatalogDescriber]) are used
	// otherwise. Families whose messages the catalog cannot name alone
	// (generic netlink's per-family commands) supply their own.
	Describe Describer
	// OnWarning, if set, is called with the warning the kernel attached to a
	// request it accepted. Without it, warnings are traced (when tracing)
	// and otherwise dropped.
	OnWarning func(*Error)
	// PendingLimit bounds how many datagrams of multicast or unsolicited
	// messages that arrive during requests are kept for the listener;
	// beyond it they are dropped, and the listener, after the datagrams
	// kept, reports an overrun that says so. Default 4096.
	PendingLimit int
	// CheckControl, if set, is called by Do, Execute and Dump with every
	// control message (a type below MsgMinType: NLMSG_ERROR, NLMSG_DONE,
	// NLMSG_NOOP, NLMSG_OVERRUN or a reserved one) that answers the
	// request, and with the request as sent, before the message is acted
	// on. An error from it ends the exchange and is returned; whatever
	// else answers the request is dropped. It is for user-space peers
	// that authenticate their answers (package usersock); the kernel's
	// need no check.
	CheckControl func(m Message, request []byte) error
}

// A Conn is a netlink connection: one socket, its receive buffers, and the
// bookkeeping that matches replies to requests. It is safe for concurrent
// use by many goroutines.
//
// Its methods live in files by concern: requests (conn_exchange.go), dumps
// (conn_dump.go), listening (conn_listen.go), sending (conn_send.go),
// receiving (conn_receive.go), the exchange lock and deadlines
// (conn_lock.go), options and memberships (conn_options.go), batches
// (batch.go) and transactions (transaction.go).
type Conn struct {
	sock  Socket
	proto Protocol
	cfg   Config
	local Addr
	desc  Describer

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
	// After an overrun the kernel drops every message for the socket
	// until its queue has been read empty (NETLINK_S_CONGESTED), replies
	// included: the next exchange reads the queue out first. Under xlock.
	congested bool

	qmu       sync.Mutex   // guards the fields below; held only briefly
	pending   []parked     // datagrams that are not replies, kept for the listener
	lost      bool         // datagrams were lost: the listener reports an overrun
	lostCause string       // why, when the Conn itself dropped them
	stale     [16]seqRange // requests abandoned mid-reply, whose late replies are dropped
	nstale    int

	llock chan struct{} // one listener at a time
	lbuf  []byte        // receive buffer for listeners (under xlock)
	loob  []byte
	// A listener reading several datagrams at once (Config.ReadBatch)
	// reads them into lslots/loobs, described in lrecv (under xlock), and
	// delivers them from lbatch, in order, from lnext on (under qmu: a
	// requester that keeps a datagram for the listener moves the
	// undelivered ones to pending first, so that order holds).
	lslots, loobs [][]byte
	lrecv         []received
	lbatch        []Datagram
	lnext         int

	dlmu   sync.Mutex
	readDL time.Time
	dlGen  atomic.Uint64 // bumped by SetReadDeadline, so a receive re-arms
	// sockDL is the read deadline last set on the socket, so that a
	// receive does not set it again (a system call's worth of locking per
	// datagram) when it has not changed; sockDLOK is false when a kick may
	// have moved it since. Both are used with the exchange lock held.
	sockDL   time.Time
	sockDLOK bool
	writeDL  atomic.Pointer[time.Time] // SetWriteDeadline's; nil: none

	pktinfo   atomic.Bool
	multicast atomic.Bool // the socket may receive multicast messages
	strict    atomic.Bool
	trace     *tracer

	txbuf []byte // a transaction's datagram (under xlock)
}

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
	size := MinReadBuffer
	if cfg.DatagramBuffer > 0 {
		size = cfg.DatagramBuffer
	}
	c := &Conn{
		sock:  s,
		proto: p,
		cfg:   *cfg,
		local: s.LocalAddr(),
		desc:  cfg.Describe,
		rbuf:  make([]byte, MinReadBuffer),
		oob:   make([]byte, oobSize),
		lbuf:  make([]byte, size),
		loob:  make([]byte, oobSize),
		xlock: make(chan struct{}, 1),
		llock: make(chan struct{}, 1),
	}
	if c.desc == nil {
		c.desc = CatalogDescriber{}
	}
	if c.cfg.PendingLimit <= 0 {
		c.cfg.PendingLimit = 4096
	}
	c.seq.Store(uint32(time.Now().UnixNano()>>10) | 1)
	c.trace = newTracer(cfg, p, c.desc)
	if !cfg.DisableExtAck {
		c.setOptional(unix.SOL_NETLINK, unix.NETLINK_EXT_ACK, 1)
	}
	if !cfg.DisableCapAck {
		c.setOptional(unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	}
	if cfg.StrictCheck {
		c.strict.Store(c.setOptional(unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1))
	}
	for _, o := range []struct {
		on  bool
		opt Option
	}{
		{cfg.NoENOBUFS, NoENOBUFS},
		{cfg.ListenAllNSID, ListenAllNSID},
		{cfg.PacketInfo, PacketInfo},
		{cfg.BroadcastError, BroadcastError},
		{cfg.PassCred, PassCred},
	} {
		if o.on {
			if err := c.SetOption(o.opt, true); err != nil {
				return nil, err
			}
		}
	}
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

// oobSize is the room for control messages: packet info, nsid and
// credentials together take 72 bytes on 64-bit systems.
const oobSize = 128

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
