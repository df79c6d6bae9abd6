package usersock

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log"
	"net"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// MaxGroups is the number of multicast groups NETLINK_USERSOCK has.
const MaxGroups = 32

// DefaultMaxMessage is the largest request datagram a Server accepts unless
// Config.MaxMessage says otherwise.
const DefaultMaxMessage = 64 << 10

// ErrServerClosed is returned by the methods of a Server that was shut down
// or closed.
var ErrServerClosed = errors.New("usersock: server closed")

// Config configures a Server, as struct netlink_kernel_cfg configures a
// kernel netlink protocol.
type Config struct {
	// Port is the well-known port id to bind, which clients send to. 0 lets
	// the kernel choose one (see Server.Port).
	Port uint32
	// Groups is the number of multicast groups the protocol has, at most
	// MaxGroups; groups are numbered from 1.
	Groups int
	// Input answers requests (the kernel's input callback). Requests
	// flagged as dumps (NLM_F_DUMP) go to Dump instead. A nil Input
	// refuses every request with EOPNOTSUPP.
	Input Handler
	// Dump answers dump requests: each reply is sent with NLM_F_MULTI and
	// the dump ends with NLMSG_DONE when Dump returns.
	Dump Handler
	// Bind is called when a client announces that it joins a group
	// (MsgJoin, which Client.Subscribe sends); an error refuses the join.
	// NETLINK_USERSOCK has no kernel bind callback, and the kernel lets
	// any process with CAP_NET_ADMIN join its groups: Bind learns of
	// well-behaved clients only and is not access control. Use a Key to
	// keep broadcasts confidential. Of creds, only the UID and GID are
	// vouched for (see Policy).
	Bind func(ctx context.Context, port uint32, creds nl.Credentials, group uint32) error
	// Unbind is called when a client announces that it left a group.
	Unbind func(ctx context.Context, port uint32, creds nl.Credentials, group uint32)
	// Policy decides which senders are served; others get EPERM. Nil
	// allows the server's own user id and root only.
	Policy *Policy
	// Key, if set, authenticates and encrypts every payload; clients must
	// use the same Key. Acknowledgements, errors and dump ends are not
	// encrypted but carry a code that authenticates them to the client
	// whose request they answer (see the package documentation).
	Key *Key
	// Workers bounds how many requests are handled at once; the default is
	// runtime.GOMAXPROCS(0). A request whose reply waits for room in its
	// client's receive buffer leaves the pool (see SendTimeout) and no
	// longer counts.
	Workers int
	// Queue is how many received datagrams may wait for a worker before
	// the server stops reading (and senders block); default 4 × Workers.
	Queue int
	// MaxInFlight bounds the request datagrams of one sender port that
	// may be queued, handled or waiting for room in that port's receive
	// buffer at once; default DefaultMaxInFlight. The reader refuses the
	// next ones at once with EBUSY, one error for the datagram and
	// without waiting, and counts them in Stats.Busy. Clients of this
	// package have one request in flight at a time (and up to MaxGroups
	// leave announcements, sent without waiting at Close).
	MaxInFlight int
	// MaxWaiting bounds the replies that may wait for room in their
	// receivers' buffers at once, across all ports; default
	// DefaultMaxWaiting. A reply that must wait does so outside the
	// worker pool (see SendTimeout); past MaxWaiting, a reply that finds
	// its receiver full is dropped at once, as the kernel drops its own
	// acknowledgements to a full socket, and counted in Stats.Dropped.
	MaxWaiting int
	// MaxMessage is the largest request datagram accepted (default
	// DefaultMaxMessage); a larger one is refused with EMSGSIZE.
	MaxMessage int
	// ReadBuffer and WriteBuffer set the socket's buffer sizes (see
	// nl.Config).
	ReadBuffer, WriteBuffer int
	// SendTimeout bounds how long a reply datagram waits for a client
	// whose receive buffer is full; the reply is then dropped and counted
	// in Stats.Dropped. Default 5 seconds. A reply waits outside the
	// worker pool: the worker that handled the request hands its place
	// to a new one and waits alone, so a client that does not read holds
	// up no one else's requests (see MaxInFlight and MaxWaiting).
	// Refusals (policy, malformed, unauthentic, oversized or excess
	// messages, shutdown) never wait: they are dropped at once when the
	// sender's buffer is full.
	SendTimeout time.Duration
	// NetNS, if set, is the network namespace to serve in.
	NetNS *netns.NS
	// ErrorLog receives what the server cannot tell a client: receive
	// errors, refused and malformed messages, dropped replies, handler
	// panics. Nil logs with the log package's standard logger. Lines are
	// rate-limited (a burst of 20, then 10 a second; the next line
	// counts those suppressed), since senders can provoke them. Messages
	// never contain key material.
	ErrorLog *log.Logger
}

// Defaults of Config.MaxInFlight and Config.MaxWaiting.
const (
	DefaultMaxInFlight = MaxGroups
	DefaultMaxWaiting  = 256
)

// Stats counts what a Server did.
type Stats struct {
	Requests uint64 // request messages handled (passed to a handler, or joins and leaves)
	Rejected uint64 // request messages refused by the Policy
	Invalid  uint64 // malformed, oversized, unauthentic or replayed messages
	Dropped  uint64 // reply datagrams that could not be delivered
	// Busy counts request datagrams refused with EBUSY because their
	// port had Config.MaxInFlight datagrams in flight.
	Busy uint64
	// Derived counts the session keys derived (HKDF-SHA256 and an
	// AES-GCM setup, some microseconds each) to open requests of sender
	// sessions the server did not know, authentic or not. With a Key
	// only.
	Derived uint64
	// Limited counts request messages refused with EAGAIN because their
	// sender's user id had spent its budget of key derivations for
	// sessions that fail to authenticate (see the package documentation).
	Limited uint64
	// PeakInFlight is the most request datagrams one sender port had in
	// flight at once since the server started: Config.MaxInFlight at
	// most, reached when some client was refused as Busy.
	PeakInFlight int
}

// A Server is the user-space end of a NETLINK_USERSOCK protocol, shaped like
// a kernel netlink protocol: it answers requests sent to its port, and
// sends unicast and multicast messages. It is safe for concurrent use.
type Server struct {
	cfg     Config
	port    uint32
	conn    *nl.Conn
	policy  *Policy
	seal    *sealer    // nil without a Key
	peers   *peerTable // nil without a Key
	started int64      // with a Key: requests sealed before it are refused
	log     *rateLog

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	// The reader's phases: it serves until stopServing (Shutdown began),
	// then refuses until stopRefusing (the handlers are done), then
	// drains what is queued for a bounded time.
	serving, refusing         context.Context
	stopServing, stopRefusing context.CancelFunc

	jobs       chan job
	jobsClosed sync.Once
	workers    sync.WaitGroup
	readerDone chan struct{}
	bufs       sync.Pool // *[]byte
	outs       sync.Pool // *outbuf

	closed atomic.Bool

	pushMu sync.Mutex // orders the sealing and sending of server-initiated messages
	// sendto makes one attempt to send a datagram, never waiting: an
	// error wrapping nl.ErrFull when the receiver is full (conn.TrySend;
	// fuzzing replaces it).
	sendto func(b []byte, to nl.Addr) error

	requests, rejected, invalid, dropped, busy, limited atomic.Uint64

	budget *deriveBudget // with a Key: derivations for unknown sessions, per user id

	flightMu sync.Mutex
	inFlight map[uint32]int // request datagrams queued, handled or waiting, by source port
	// peakInFlight is the highest value inFlight held (Stats.PeakInFlight).
	peakInFlight int
	waiting      atomic.Int64 // goroutines that left the pool to wait for a receiver
}

// A job is one received datagram waiting for a worker.
type job struct {
	buf  *[]byte
	meta nl.Meta
}

// Listen binds a NETLINK_USERSOCK socket to cfg.Port and starts serving
// it: a reader goroutine and cfg.Workers handler goroutines.
func Listen(cfg *Config) (*Server, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	// Each request datagram is read once, into a buffer of MaxMessage
	// bytes at first; a longer one is seen with its full length (cut, or
	// whole once a longer one made the buffer grow) and refused either way.
	conn, err := nl.Dial(nl.UserSock, &nl.Config{
		NetNS:          cfg.NetNS,
		Port:           cfg.Port,
		PassCred:       true,
		DisableExtAck:  true,
		DisableCapAck:  true,
		ReadBuffer:     cfg.ReadBuffer,
		WriteBuffer:    cfg.WriteBuffer,
		DatagramBuffer: s.cfg.MaxMessage,
	})
	if err != nil {
		return nil, fmt.Errorf("usersock: listen on port %d: %w", cfg.Port, err)
	}
	s.conn, s.port = conn, conn.Port()
	s.sendto = conn.TrySend
	// Requests sealed before the port was ours may be recordings, caught
	// by whoever held it before.
	s.started = now()
	if s.cfg.Key != nil {
		if s.seal, err = newSealer(s.cfg.Key, s.port, newEpoch()); err != nil {
			conn.Close()
			return nil, err
		}
	}
	s.start()
	return s, nil
}

// newServer checks cfg and builds a Server without a socket.
func newServer(cfg *Config) (*Server, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if cfg.Groups < 0 || cfg.Groups > MaxGroups {
		return nil, fmt.Errorf("usersock: %d groups: NETLINK_USERSOCK has %d", cfg.Groups, MaxGroups)
	}
	s := &Server{cfg: *cfg, policy: cfg.Policy}
	s.sendto = func([]byte, nl.Addr) error { return ErrServerClosed }
	if s.cfg.Workers <= 0 {
		s.cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if s.cfg.Queue <= 0 {
		s.cfg.Queue = 4 * s.cfg.Workers
	}
	if s.cfg.MaxMessage <= 0 {
		s.cfg.MaxMessage = DefaultMaxMessage
	}
	s.cfg.MaxMessage = max(s.cfg.MaxMessage, nl.HeaderLen)
	if s.cfg.SendTimeout <= 0 {
		s.cfg.SendTimeout = 5 * time.Second
	}
	if s.cfg.MaxInFlight <= 0 {
		s.cfg.MaxInFlight = DefaultMaxInFlight
	}
	if s.cfg.MaxWaiting <= 0 {
		s.cfg.MaxWaiting = DefaultMaxWaiting
	}
	s.inFlight = make(map[uint32]int)
	if s.policy == nil {
		s.policy = defaultPolicy()
	}
	out := cfg.ErrorLog
	if out == nil {
		out = log.Default()
	}
	s.log = newRateLog(out)
	if cfg.Key != nil {
		// Messages sealed before the server started are refused: they
		// may be recordings. A Client seals such a request anew.
		s.peers = newPeerTable(cfg.Key)
		s.budget = newDeriveBudget()
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.serving, s.stopServing = context.WithCancel(s.ctx)
	s.refusing, s.stopRefusing = context.WithCancel(s.ctx)
	return s, nil
}

func (s *Server) start() {
	s.jobs = make(chan job, s.cfg.Queue)
	s.readerDone = make(chan struct{})
	s.workers.Add(s.cfg.Workers)
	for range s.cfg.Workers {
		go s.work()
	}
	go s.read()
}

// Port returns the port id the server is bound to.
func (s *Server) Port() uint32 { return s.port }

// Stats returns the server's counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Requests: s.requests.Load(),
		Rejected: s.rejected.Load(),
		Invalid:  s.invalid.Load(),
		Dropped:  s.dropped.Load(),
		Busy:     s.busy.Load(),
		Limited:  s.limited.Load(),
	}
	if s.peers != nil {
		st.Derived = s.peers.keys.derived.Load()
	}
	s.flightMu.Lock()
	st.PeakInFlight = s.peakInFlight
	s.flightMu.Unlock()
	return st
}

// String describes the server without any key material.
func (s *Server) String() string {
	sealed := ""
	if s.cfg.Key != nil {
		sealed = ", sealed"
	}
	return fmt.Sprintf("usersock server on port %d (%d groups, %d workers%s)", s.port, s.cfg.Groups, s.cfg.Workers, sealed)
}

func (s *Server) logf(format string, args ...any) {
	s.log.printf("usersock: port %d: "+format, append([]any{s.port}, args...)...)
}

// read is the reader goroutine: it receives datagrams and hands them to the
// workers; once Shutdown began, it refuses them itself; once the workers
// are done, it refuses what is still queued for at most drainTime.
func (s *Server) read() {
	defer close(s.readerDone)
	defer s.closeJobs()
	if !s.readPhase(s.serving, s.dispatch) {
		return
	}
	s.closeJobs()
	refuse := func(d nl.Datagram) bool {
		s.refuseShutdown(d)
		return true
	}
	if !s.readPhase(s.refusing, refuse) {
		return
	}
	// Answer the requests still queued on the socket, so that their
	// senders learn at once that the server stopped rather than time
	// out; a steady sender cannot keep this going past drainTime.
	drain, cancel := context.WithTimeout(s.ctx, drainTime)
	defer cancel()
	s.readPhase(drain, refuse)
}

// readPhase hands every datagram received until ctx ends to fn, and
// reports whether the server goes on to its next phase (false once it is
// closed, or when fn says so).
func (s *Server) readPhase(ctx context.Context, fn func(nl.Datagram) bool) bool {
	for {
		var failed error
		for d, err := range s.conn.Datagrams(ctx) {
			if err != nil {
				switch {
				case s.closed.Load() || errors.Is(err, net.ErrClosed):
					return false
				case ctx.Err() != nil:
					return s.ctx.Err() == nil
				case errors.Is(err, nl.ErrOverrun):
					s.logf("receive buffer overrun: requests were lost")
					continue
				}
				failed = err
				break
			}
			if !fn(d) {
				return false
			}
		}
		if failed == nil {
			return s.ctx.Err() == nil
		}
		s.logf("receive: %v", failed)
		time.Sleep(time.Millisecond) // do not spin on a persistent error
	}
}

// dispatch checks one datagram and queues it for a worker, and reports
// whether the reader goes on.
func (s *Server) dispatch(d nl.Datagram) bool {
	if d.Len > s.cfg.MaxMessage {
		s.invalid.Add(1)
		s.logf("refused a datagram of %d bytes from port %d: the limit is %d", d.Len, d.Meta.Port, s.cfg.MaxMessage)
		s.refuse(d.Data[:min(len(d.Data), s.cfg.MaxMessage)], d.Meta, unix.EMSGSIZE,
			fmt.Sprintf("request datagram of %d bytes exceeds the server's limit of %d", d.Len, s.cfg.MaxMessage), true)
		return true
	}
	if s.serving.Err() != nil { // Shutdown began
		s.refuseShutdown(d)
		return true
	}
	if !s.admit(d.Meta.Port) {
		s.busy.Add(1)
		s.logf("refused a datagram from port %d: it has %d requests in flight", d.Meta.Port, s.cfg.MaxInFlight)
		s.refuse(d.Data, d.Meta, unix.EBUSY,
			fmt.Sprintf("too many requests in flight from this port (the server's limit is %d)", s.cfg.MaxInFlight), true)
		return true
	}
	p := s.getBuf(len(d.Data))
	copy(*p, d.Data)
	select {
	case s.jobs <- job{buf: p, meta: d.Meta}:
		return true
	case <-s.ctx.Done(): // Close, with the queue full
		s.landed(d.Meta.Port)
		s.putBuf(p)
		return false
	}
}

// admit counts a request datagram from port in flight, unless port has
// MaxInFlight in flight already.
func (s *Server) admit(port uint32) bool {
	s.flightMu.Lock()
	defer s.flightMu.Unlock()
	if s.inFlight[port] >= s.cfg.MaxInFlight {
		return false
	}
	s.inFlight[port]++
	s.peakInFlight = max(s.peakInFlight, s.inFlight[port])
	return true
}

// landed counts a request datagram from port out of flight: answered,
// dropped, or refused.
func (s *Server) landed(port uint32) {
	s.flightMu.Lock()
	defer s.flightMu.Unlock()
	if n := s.inFlight[port] - 1; n > 0 {
		s.inFlight[port] = n
	} else {
		delete(s.inFlight, port)
	}
}

// drainTime bounds how long a stopping server goes on refusing the
// requests still queued on its socket.
const drainTime = 20 * time.Millisecond

// refuseShutdown refuses a datagram received once Shutdown began.
func (s *Server) refuseShutdown(d nl.Datagram) {
	n := min(len(d.Data), s.cfg.MaxMessage)
	s.refuse(d.Data[:n], d.Meta, unix.ESHUTDOWN, "server shutting down", d.Len > n)
}

func (s *Server) closeJobs() { s.jobsClosed.Do(func() { close(s.jobs) }) }

// refuse answers every request in data with errno and msg, or with cut
// only the first message (the datagram was cut, or is refused as a
// whole). It never waits for the sender's receive buffer.
func (s *Server) refuse(data []byte, meta nl.Meta, errno unix.Errno, msg string, cut bool) {
	r := s.getOut(meta.Port)
	defer s.putOut(r)
	o := &r.outbuf
	o.refusal = true
	e := &nl.Error{Errno: errno, Message: msg}
	for len(data) >= nl.HeaderLen {
		h, _ := nl.ParseHeader(data)
		if h.Flags&nl.Request != 0 {
			o.room(errSize(e))
			o.buf = s.appendRefusal(o.buf, data, h, meta.Port, errno, e)
		}
		if cut || h.Len < nl.HeaderLen || uint64(h.Len) > uint64(len(data)) { // uint64: no overflow on 32-bit
			break
		}
		data = data[min(nl.Align(int(h.Len)), len(data)):]
	}
	o.flush()
}

// work is a worker goroutine of the pool. It leaves the pool when a
// reply must wait for room in its receiver's buffer: a new worker takes
// its place, and it ends once that job is done.
func (s *Server) work() {
	defer s.workers.Done()
	for j := range s.jobs {
		if s.serve(j) {
			return
		}
	}
}

// serve handles one job, and reports whether its goroutine left the pool
// meanwhile.
func (s *Server) serve(j job) (left bool) {
	defer s.landed(j.meta.Port)
	defer s.putBuf(j.buf)
	if s.closed.Load() { // Close drops what is queued
		return false
	}
	r := s.getOut(j.meta.Port)
	s.handleDatagram(s.ctx, *j.buf, j.meta, &r.outbuf)
	left = r.left
	s.putOut(r)
	if left {
		s.waiting.Add(-1)
	}
	return left
}

// leavePool lets the calling worker leave the pool to wait for a
// receiver, starting a worker in its place, unless MaxWaiting goroutines
// wait already. It reports whether it did.
func (s *Server) leavePool() bool {
	for {
		n := s.waiting.Load()
		if n >= int64(s.cfg.MaxWaiting) {
			return false
		}
		if s.waiting.CompareAndSwap(n, n+1) {
			break
		}
	}
	s.workers.Add(1) // the caller is a worker not yet done: never from 0
	go s.work()
	return true
}

func (s *Server) getBuf(n int) *[]byte {
	if p, ok := s.bufs.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n, max(n, 512))
	return &b
}

func (s *Server) putBuf(p *[]byte) {
	if cap(*p) <= 64<<10 {
		s.bufs.Put(p)
	}
}

// A reply gathers the answers to one datagram, and knows whether the
// goroutine sending them left the worker pool to wait for the receiver.
type reply struct {
	outbuf
	s    *Server
	left bool
}

func (s *Server) getOut(to uint32) *reply {
	r, ok := s.outs.Get().(*reply)
	if !ok {
		r = &reply{s: s}
		r.send = r.sendReply
	}
	o := &r.outbuf
	o.buf, o.to, o.err, o.refusal, o.authentic = o.buf[:0], to, nil, false, false
	r.left = false
	return r
}

func (s *Server) putOut(r *reply) {
	if cap(r.buf) <= 2*maxDatagram {
		s.outs.Put(r)
	}
}

// sendReply sends a reply datagram to a client. A refusal never waits
// for room in the client's receive buffer. A reply to a request waits at
// most SendTimeout, outside the worker pool: the worker leaves it (once
// per datagram) and a new one takes its place; when MaxWaiting replies
// wait already, it is dropped at once.
func (r *reply) sendReply(b []byte, to uint32, refusal bool) error {
	s := r.s
	addr := nl.Addr{Port: to}
	err := s.sendto(b, addr)
	if errors.Is(err, nl.ErrFull) {
		switch {
		case refusal:
			err = fmt.Errorf("usersock: port %d is not reading (its receive buffer is full)", to)
		case r.left || s.leavePool():
			r.left = true
			var bo backoff
			for errors.Is(err, nl.ErrFull) {
				if werr := bo.wait(s.ctx, to, s.cfg.SendTimeout); werr != nil {
					err = werr
					break
				}
				err = s.sendto(b, addr)
			}
		default:
			err = fmt.Errorf("usersock: port %d is not reading (its receive buffer is full), and %d replies wait for their receivers already", to, s.cfg.MaxWaiting)
		}
	}
	if err != nil {
		s.logf("reply to port %d dropped: %v", to, err)
		s.dropped.Add(1)
	}
	return err
}

// A backoff paces retries while a receiver's buffer is full.
type backoff struct {
	pause    time.Duration
	deadline time.Time
}

// wait sleeps before the next attempt to send to port, and fails when ctx
// ends or, if limit is not 0, once limit has passed since the first wait.
func (bo *backoff) wait(ctx context.Context, port uint32, limit time.Duration) error {
	if bo.pause == 0 {
		bo.pause = 20 * time.Microsecond
		if limit > 0 {
			bo.deadline = time.Now().Add(limit)
		}
	} else if limit > 0 && time.Now().After(bo.deadline) {
		return fmt.Errorf("usersock: port %d is not reading (its receive buffer stayed full for %v)", port, limit)
	}
	t := time.NewTimer(bo.pause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("usersock: port %d is not reading (its receive buffer is full): %w", port, ctx.Err())
	case <-t.C:
	}
	bo.pause = min(2*bo.pause, 10*time.Millisecond)
	return nil
}

// send sends one datagram, retrying while the receiver's buffer is full
// until ctx ends or, if limit is not 0, for at most limit.
func (s *Server) send(ctx context.Context, b []byte, to nl.Addr, limit time.Duration) error {
	var bo backoff
	for {
		err := s.sendto(b, to)
		if !errors.Is(err, nl.ErrFull) {
			return err
		}
		if err := bo.wait(ctx, to.Port, limit); err != nil {
			return err
		}
	}
}

// push sends one server-initiated message. With a Key, the message is
// sealed and sent under one lock, and sealed again at each attempt, so
// that the server's messages reach every receiver in the order of their
// counters and no receiver's replay window sees them out of order.
func (s *Server) push(ctx context.Context, kind byte, t nl.MsgType, payload []byte, to nl.Addr, dst uint32) error {
	if s.refusing.Err() != nil { // the handlers are done, or Close
		return ErrServerClosed
	}
	if t < nl.MsgMinType || t >= MsgReserved {
		return fmt.Errorf("usersock: message type %d is reserved", uint16(t))
	}
	b := make([]byte, 0, nl.HeaderLen+len(payload)+sealOverhead+4)
	b = appendHeader(b, t, 0, 0, s.port)
	if s.seal == nil {
		b = endMessage(append(b, payload...), 0)
		return s.send(ctx, b, to, 0)
	}
	var bo backoff
	for {
		s.pushMu.Lock()
		m, _ := s.seal.seal(b, kind, t, dst, binding{}, payload)
		m = endMessage(m, 0)
		err := s.sendto(m, to)
		s.pushMu.Unlock()
		if !errors.Is(err, nl.ErrFull) {
			return err
		}
		if err := bo.wait(ctx, to.Port, 0); err != nil {
			return err
		}
	}
}

// Unicast sends a message of type t with payload to the client at port, as
// the kernel's nlmsg_unicast does (sequence number 0, the server's port id
// in the header). It waits while the client's receive buffer is full, until
// ctx ends. It may be called from handlers while Shutdown waits for them.
func (s *Server) Unicast(ctx context.Context, port uint32, t nl.MsgType, payload []byte) error {
	return s.push(ctx, kindUnicast, t, payload, nl.Addr{Port: port}, port)
}

// Broadcast sends a message of type t with payload to every member of
// group (1 to Config.Groups), as the kernel's netlink_broadcast does.
// Members whose receive buffer is full miss it (they see an overrun).
// It may be called from handlers while Shutdown waits for them.
func (s *Server) Broadcast(ctx context.Context, group uint32, t nl.MsgType, payload []byte) error {
	if group < 1 || int(group) > s.cfg.Groups {
		return fmt.Errorf("usersock: broadcast to group %d: the server has groups 1 to %d", group, s.cfg.Groups)
	}
	return s.push(ctx, kindBroadcast, t, payload, nl.Addr{Groups: 1 << (group - 1)}, group)
}

// Shutdown stops accepting requests and returns when those already
// received are answered, or when ctx ends (then with ctx's error; Close
// ends the rest). Requests that arrive meanwhile are refused with
// ESHUTDOWN; once Shutdown returns the port is closed, and sends to it fail
// with ECONNREFUSED. A request sent in the instant between the last read
// and the close is lost, and its sender times out. Shutdown waits for the
// handlers, so a handler must not call it (it would wait for itself until
// ctx ends); a handler may call Close.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.closed.Load() {
		return ErrServerClosed
	}
	s.stopServing() // the reader refuses from now on
	done := make(chan struct{})
	go func() {
		s.workers.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	s.stopRefusing() // the reader drains, then exits
	select {
	case <-s.readerDone:
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Close()
}

// Close closes the server at once: the socket closes, handlers' contexts
// end, requests not yet handled are dropped, and replies not yet sent are
// lost. It does not wait for running handlers, whose sends fail from then
// on; Shutdown does. Close may be called from a handler.
func (s *Server) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.cancel() // ends every phase
	var err error
	if s.conn != nil {
		err = s.conn.Close()
	}
	if s.readerDone != nil {
		<-s.readerDone
	}
	return err
}

// handleDatagram handles every message of one received datagram, in
// order, gathering the replies in o and sending them. It never panics on
// any input: it is the fuzzed entry point of the server.
func (s *Server) handleDatagram(ctx context.Context, data []byte, meta nl.Meta, o *outbuf) {
	allowed := s.policy.allows(meta)
	o.refusal = !allowed // nothing sent to a refused sender waits
	for len(data) > 0 {
		if len(data) < nl.HeaderLen {
			s.invalid.Add(1)
			o.refusal = true
			e := &nl.Error{Errno: unix.EINVAL, Message: fmt.Sprintf("malformed message: %d trailing bytes are shorter than a message header", len(data))}
			o.room(errSize(e))
			o.buf = appendError(o.buf, nl.Header{}, meta.Port, unix.EINVAL, e)
			break
		}
		m, rest, err := nl.NextMessage(data)
		if err != nil {
			s.invalid.Add(1)
			o.refusal = true
			h, _ := nl.ParseHeader(data)
			e := &nl.Error{Errno: unix.EINVAL, Message: fmt.Sprintf("malformed message: length %d in a datagram of %d bytes", h.Len, len(data))}
			o.room(errSize(e))
			o.buf = appendError(o.buf, h, meta.Port, unix.EINVAL, e)
			break
		}
		data = rest
		if refused := s.handleMessage(ctx, m, meta, allowed, o); refused != nil {
			// The rest of the datagram is refused unread, as the rest
			// of a malformed one is: it costs no cryptography, and gets
			// no answer (one error answers the datagram).
			refused.Add(countRequests(data))
			break
		}
		if o.err != nil {
			return
		}
	}
	o.flush()
}

// countRequests counts the requests of the protocol's own types in data,
// as far as it parses.
func countRequests(data []byte) uint64 {
	var n uint64
	for len(data) >= nl.HeaderLen {
		h, _ := nl.ParseHeader(data)
		if h.Flags&nl.Request != 0 && h.Type >= nl.MsgMinType {
			n++
		}
		if h.Len < nl.HeaderLen || uint64(h.Len) > uint64(len(data)) { // uint64: no overflow on 32-bit
			break
		}
		data = data[min(nl.Align(int(h.Len)), len(data)):]
	}
	return n
}

// handleMessage handles one message, as the kernel's netlink_rcv_skb
// does: only requests of the protocol's own types reach a handler; others
// are acknowledged when they ask for it. When it refuses the request for
// its sender (the Policy, the derivation budget) or because it fails the
// Key's checks, it returns the counter the rest of the datagram's
// requests are refused under.
func (s *Server) handleMessage(ctx context.Context, m nl.Message, meta nl.Meta, allowed bool, o *outbuf) (refused *atomic.Uint64) {
	h := m.Header
	if h.Flags&nl.Request == 0 || h.Type < nl.MsgMinType {
		if s.peers != nil && !o.authentic {
			// With a Key, only a sender that proved it holds the secret
			// is waited for.
			o.refusal = true
		}
		if h.Flags&nl.Acknowledge != 0 {
			o.room(errSize(nil))
			o.buf = appendError(o.buf, h, meta.Port, 0, nil)
		}
		return nil
	}
	w := Writer{s: s, o: o, req: h, port: meta.Port, start: len(o.buf), claim: claimOf(m.Data)}
	if !allowed {
		s.rejected.Add(1)
		o.refusal = true
		if meta.HasCreds {
			s.logf("refused a request from port %d: uid %d, gid %d not allowed (pid %d, not verified)", meta.Port, meta.Creds.UID, meta.Creds.GID, meta.Creds.PID)
		} else {
			s.logf("refused a request from port %d: no credentials", meta.Port)
		}
		if meta.HasCreds {
			w.finish(Errorf(unix.EPERM, "permission denied: uid %d is not allowed to use this protocol", meta.Creds.UID))
		} else {
			w.finish(Errorf(unix.EPERM, "permission denied: the sender's credentials are unknown"))
		}
		return &s.rejected
	}
	data := m.Data
	if s.peers != nil {
		// A session the server does not know costs a key derivation,
		// paid from its sender's budget and given back if the message
		// authenticates.
		who, charged := budgetOf(meta), false
		if s.peers.needsKey(data, meta.Port) {
			if !s.budget.take(who) {
				s.limited.Add(1)
				o.refusal = true
				s.logf("refused a request from port %d (uid %d): too many new sessions that failed to authenticate", meta.Port, meta.Creds.UID)
				w.finish(Errorf(unix.EAGAIN, "too many new sessions from this user failed to authenticate; try again later"))
				return &s.limited
			}
			charged = true
		}
		plain, bind, err := s.peers.open(data, meta.Port, kindRequest, h.Type, s.port, binding{}, true, s.started)
		if charged && !errors.Is(err, ErrAuth) {
			s.budget.giveBack(who)
		}
		if err != nil {
			s.invalid.Add(1)
			o.refusal = true
			s.logf("refused a request from port %d (uid %d): %v", meta.Port, meta.Creds.UID, err)
			w.finish(err)
			return &s.invalid
		}
		data, w.bind = plain, bind
		o.authentic = true
	}
	s.requests.Add(1)
	if h.Type >= MsgReserved {
		w.finish(s.call(h, meta.Port, func() error { return s.reserved(ctx, h.Type, data, meta) }))
		return nil
	}
	r := Request{Header: h, Data: data, Port: meta.Port, Creds: meta.Creds}
	handler := s.cfg.Input
	if h.Flags&nl.Dump == nl.Dump {
		w.dump = true
		handler = s.cfg.Dump
	}
	if handler == nil {
		what := "requests"
		if w.dump {
			what = "dumps"
		}
		w.finish(Errorf(unix.EOPNOTSUPP, "this server takes no %s", what))
		return nil
	}
	w.finish(s.call(h, meta.Port, func() error { return handler(ctx, &w, &r) }))
	return nil
}

// call runs a handler or hook, turning a panic into an error reply.
func (s *Server) call(h nl.Header, port uint32, fn func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.logf("handler panic on a request of type %d from port %d: %v", uint16(h.Type), port, p)
			err = Errorf(unix.EIO, "internal error in the server")
		}
	}()
	return fn()
}

// reserved handles the reserved requests MsgJoin and MsgLeave.
func (s *Server) reserved(ctx context.Context, t nl.MsgType, data []byte, meta nl.Meta) error {
	if t != MsgJoin && t != MsgLeave {
		return Errorf(unix.EOPNOTSUPP, "message type %#x is reserved", uint16(t))
	}
	if len(data) != 4 {
		return Errorf(unix.EINVAL, "membership payload must be a 4-byte group number, have %d bytes", len(data))
	}
	g := binary.NativeEndian.Uint32(data)
	if g < 1 || int64(g) > int64(s.cfg.Groups) {
		return Errorf(unix.EINVAL, "no group %d: the server has groups 1 to %d", g, s.cfg.Groups)
	}
	if t == MsgJoin {
		if s.cfg.Bind != nil {
			return s.cfg.Bind(ctx, meta.Port, meta.Creds, g)
		}
		return nil
	}
	if s.cfg.Unbind != nil {
		s.cfg.Unbind(ctx, meta.Port, meta.Creds, g)
	}
	return nil
}
