package nl

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// An Addr is a netlink socket address: a port id and a bitmask of the first
// 32 multicast groups.
type Addr struct {
	Port   uint32
	Groups uint32
}

// A Socket is the transport under a [Conn]: an AF_NETLINK socket, or a fake
// one such as package nltest provides. Only one goroutine at a time calls
// Receive; Send may be called concurrently with everything.
type Socket interface {
	// Send transmits b, one datagram of one or more messages, to addr, in
	// one attempt that never waits: when the receiver, a user-space port,
	// has no room, it returns unix.EAGAIN, unwrapped, and nothing was
	// sent. The Conn decides whether to wait and retry.
	Send(b []byte, to Addr) error
	// Receive reads the next datagram into b and its control messages into
	// oob. n is the datagram's full length, which exceeds len(b) when b was
	// too small; with peek the datagram stays queued, otherwise it is
	// consumed (and whatever did not fit is lost). It blocks until a
	// datagram arrives, the read deadline passes (os.ErrDeadlineExceeded),
	// or the socket is closed (net.ErrClosed). With an empty b, no peek
	// and a datagram known to be queued (just peeked), it discards that
	// datagram without regard to the deadline.
	Receive(b, oob []byte, peek bool) (n, oobn int, from Addr, err error)
	// SetReadDeadline sets when a blocked Receive gives up; the zero time
	// means never.
	SetReadDeadline(t time.Time) error
	// SetOption sets an integer socket option.
	SetOption(level, name, value int) error
	// Option reads an integer socket option.
	Option(level, name int) (int, error)
	// LocalAddr returns the address the socket is bound to.
	LocalAddr() Addr
	// Close closes the socket, unblocking Receive.
	Close() error
}

// sysSocket is an AF_NETLINK socket on the Go runtime's poller: a blocked
// Receive parks the goroutine, not an OS thread.
type sysSocket struct {
	f     *os.File
	rc    syscall.RawConn
	local Addr

	rmu   sync.Mutex // guards the receive state below
	rmsg  unix.Msghdr
	rname unix.RawSockaddrNetlink
	riov  unix.Iovec
	rflag int
	rn    int
	rerr  error
	read  func(fd uintptr) bool // prebuilt, so that Receive does not allocate
	drop  func(fd uintptr)

	// receiveBatch's state (socket_batch.go), also guarded by rmu.
	bhdrs     []mmsghdr
	bnames    []unix.RawSockaddrNetlink
	biovs     []unix.Iovec
	bk        int
	readBatch func(fd uintptr) bool

	wmu   sync.Mutex // guards the send state below, for one attempt
	wname unix.RawSockaddrNetlink
	wbuf  []byte
	werr  error
	write func(fd uintptr) bool
}

// openSocket opens and binds an AF_NETLINK socket of protocol proto in the
// calling thread's network namespace.
func openSocket(proto int, port, groups uint32) (*sysSocket, error) {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, proto)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: port, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("getsockname", err)
	}
	s := &sysSocket{f: os.NewFile(uintptr(fd), "netlink")}
	if nsa, ok := sa.(*unix.SockaddrNetlink); ok {
		s.local = Addr{Port: nsa.Pid, Groups: nsa.Groups}
	}
	s.rc, err = s.f.SyscallConn()
	if err != nil {
		s.f.Close()
		return nil, err
	}
	s.read = s.doRead
	s.readBatch = s.doReadBatch
	s.drop = s.doDrop
	s.write = s.doWrite
	return s, nil
}

func (s *sysSocket) doRead(fd uintptr) bool {
	n, _, errno := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.rmsg)), uintptr(s.rflag))
	for errno == unix.EINTR {
		n, _, errno = unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.rmsg)), uintptr(s.rflag))
	}
	if errno == unix.EAGAIN {
		return false
	}
	s.rn = int(n)
	s.rerr = nil
	if errno != 0 {
		s.rerr = errno
	}
	return true
}

func (s *sysSocket) Receive(b, oob []byte, peek bool) (int, int, Addr, error) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if len(b) == 0 && !peek {
		return s.discard()
	}
	s.rmsg = unix.Msghdr{}
	s.rname = unix.RawSockaddrNetlink{}
	s.rmsg.Name = (*byte)(unsafe.Pointer(&s.rname))
	s.rmsg.Namelen = unix.SizeofSockaddrNetlink
	s.riov = unix.Iovec{}
	if len(b) > 0 {
		s.riov.Base = &b[0]
		s.riov.SetLen(len(b))
	}
	s.rmsg.Iov = &s.riov
	s.rmsg.Iovlen = 1
	if len(oob) > 0 {
		s.rmsg.Control = &oob[0]
		s.rmsg.SetControllen(len(oob))
	}
	s.rflag = unix.MSG_TRUNC
	if peek {
		s.rflag |= unix.MSG_PEEK
	}
	if err := s.rc.Read(s.read); err != nil {
		return 0, 0, Addr{}, err
	}
	s.riov.Base = nil
	s.rmsg.Control = nil
	if s.rerr != nil {
		return 0, 0, Addr{}, s.rerr
	}
	return s.rn, int(s.rmsg.Controllen), Addr{Port: s.rname.Pid, Groups: s.rname.Groups}, nil
}

// discard drops the datagram at the head of the queue, which a peek has
// just seen, without waiting and without looking at the deadline (a kick
// may have set it in the past meanwhile).
func (s *sysSocket) discard() (int, int, Addr, error) {
	if err := s.rc.Control(s.drop); err != nil {
		return 0, 0, Addr{}, err
	}
	if s.rerr != nil {
		return 0, 0, Addr{}, os.NewSyscallError("recvmsg", s.rerr)
	}
	return s.rn, 0, Addr{}, nil
}

func (s *sysSocket) doDrop(fd uintptr) {
	s.rmsg = unix.Msghdr{}
	for {
		n, _, errno := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&s.rmsg)), unix.MSG_TRUNC|unix.MSG_DONTWAIT)
		if errno == unix.EINTR {
			continue
		}
		s.rn, s.rerr = int(n), nil
		if errno != 0 {
			s.rerr = errno
		}
		return
	}
}

func (s *sysSocket) doWrite(fd uintptr) bool {
	var p unsafe.Pointer
	if len(s.wbuf) > 0 {
		p = unsafe.Pointer(&s.wbuf[0])
	}
	_, _, errno := unix.Syscall6(unix.SYS_SENDTO, fd, uintptr(p), uintptr(len(s.wbuf)), unix.MSG_DONTWAIT,
		uintptr(unsafe.Pointer(&s.wname)), unix.SizeofSockaddrNetlink)
	s.werr = nil
	if errno != 0 {
		s.werr = errno
	}
	return true
}

// Send transmits b to addr in one attempt (see Socket.Send).
func (s *sysSocket) Send(b []byte, to Addr) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.wname = unix.RawSockaddrNetlink{Family: unix.AF_NETLINK, Pid: to.Port, Groups: to.Groups}
	s.wbuf = b
	defer func() { s.wbuf = nil }()
	for {
		if err := s.rc.Write(s.write); err != nil {
			return err
		}
		switch s.werr {
		case nil:
			return nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return unix.EAGAIN
		}
		return os.NewSyscallError("sendto", s.werr)
	}
}

func (s *sysSocket) SetReadDeadline(t time.Time) error { return s.f.SetReadDeadline(t) }

func (s *sysSocket) SetOption(level, name, value int) error {
	var serr error
	err := s.rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), level, name, value)
	})
	if err != nil {
		return err
	}
	return serr
}

func (s *sysSocket) Option(level, name int) (int, error) {
	var v int
	var serr error
	err := s.rc.Control(func(fd uintptr) {
		v, serr = unix.GetsockoptInt(int(fd), level, name)
	})
	if err != nil {
		return 0, err
	}
	return v, serr
}

func (s *sysSocket) LocalAddr() Addr { return s.local }

func (s *sysSocket) Close() error { return s.f.Close() }

// SyscallConn gives access to the file descriptor, for options that are not
// integers (filters, membership lists).
func (s *sysSocket) SyscallConn() (syscall.RawConn, error) { return s.rc, nil }

// errNotSupported is returned for operations a fake socket cannot do.
var errNotSupported = errors.New("netlink: not supported by this socket")
