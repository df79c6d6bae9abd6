package ipcbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"unsafe"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Every transport carries netlink messages: a 16-byte header whose nlmsg_len
// (the first four bytes, native endian) is the whole message's length, then
// the payload. Byte streams use nlmsg_len as their length prefix.
const (
	msgEcho nl.MsgType = nl.MsgMinType     // echo me
	msgStop nl.MsgType = nl.MsgMinType + 1 // the server (or subscriber) returns

	maxMsg = 64 << 10 // the largest message a transport accepts

	// sockBuf is the send and receive buffer of every socket: four times
	// what a window of 64 messages of 4 KiB can queue, so that no sender
	// waits for buffer space (and no netlink receiver overruns). Forced
	// when privileged, capped by net.core.[rw]mem_max otherwise.
	sockBuf = 4 << 20
	// pipeBuf is the capacity of every pipe (F_SETPIPE_SZ), at most
	// fs.pipe-max-size without privilege.
	pipeBuf = 1 << 20
	// window is how many requests (or fan-out messages) are in flight in
	// the throughput benchmarks.
	window = 64
)

// newMessage returns a message of size bytes (header included) of type t
// whose payload is pattern(seq).
func newMessage(t nl.MsgType, size int, seq uint32) []byte {
	b := make([]byte, size)
	nl.PutHeader(b, nl.Header{Len: uint32(size), Type: t, Flags: nl.Request, Seq: seq})
	fillPattern(b[nl.HeaderLen:], seq)
	return b
}

// fillPattern fills p with bytes that depend on seq and on their position,
// so that a reply carrying another message's payload, or a shifted one,
// is caught.
func fillPattern(p []byte, seq uint32) {
	for i := range p {
		p[i] = byte(uint32(i)*7 + seq)
	}
}

// checkPattern reports whether p is what fillPattern(p, seq) writes.
func checkPattern(p []byte, seq uint32) error {
	for i, c := range p {
		if want := byte(uint32(i)*7 + seq); c != want {
			return fmt.Errorf("payload byte %d of message %d is %#x, want %#x", i, seq, c, want)
		}
	}
	return nil
}

// setSeq stamps seq into the header of the message at b[0].
func setSeq(b []byte, seq uint32) { binary.NativeEndian.PutUint32(b[8:12], seq) }

// parse splits one received message into its header and payload, checking
// that nlmsg_len matches what arrived.
func parse(b []byte) (nl.Header, []byte, error) {
	h, err := nl.ParseHeader(b)
	if err != nil {
		return nl.Header{}, nil, err
	}
	if int(h.Len) != len(b) {
		return nl.Header{}, nil, fmt.Errorf("message of %d bytes says nlmsg_len %d", len(b), h.Len)
	}
	return h, b[nl.HeaderLen:], nil
}

// A msgIO sends and receives whole messages over one transport. One
// goroutine may write while another reads.
type msgIO interface {
	// write sends one whole message.
	write(b []byte) error
	// read returns the next whole message, valid until the next read.
	read() ([]byte, error)
	// close releases the transport's descriptors.
	close() error
}

// retry repeats a system call interrupted by a signal.
func retry(fn func() (int, error)) (int, error) {
	for {
		n, err := fn()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// dgramIO is a message-preserving socket (netlink, SOCK_SEQPACKET,
// connected SOCK_DGRAM): one write, one read per message.
type dgramIO struct {
	fd  int
	buf []byte
}

func newDgramIO(fd int) *dgramIO { return &dgramIO{fd: fd, buf: make([]byte, maxMsg)} }

func (d *dgramIO) write(b []byte) error {
	n, err := retry(func() (int, error) { return unix.Write(d.fd, b) })
	if err != nil {
		return os.NewSyscallError("write", err)
	}
	if n != len(b) {
		return fmt.Errorf("short datagram write: %d of %d bytes", n, len(b))
	}
	return nil
}

func (d *dgramIO) read() ([]byte, error) {
	n, err := retry(func() (int, error) { return unix.Read(d.fd, d.buf) })
	if err != nil {
		return nil, os.NewSyscallError("read", err)
	}
	if n == 0 {
		return nil, io.EOF
	}
	return d.buf[:n], nil
}

func (d *dgramIO) close() error { return unix.Close(d.fd) }

// streamIO frames messages on a byte stream (SOCK_STREAM, pipes) by their
// nlmsg_len. It reads as much as the kernel has, so that a window of small
// messages costs one read, not two per message.
type streamIO struct {
	rfd, wfd int
	buf      []byte
	r, w     int // buf[r:w] is read but not yet returned
}

func newStreamIO(rfd, wfd int) *streamIO {
	return &streamIO{rfd: rfd, wfd: wfd, buf: make([]byte, 4*maxMsg)}
}

func (s *streamIO) write(b []byte) error {
	for len(b) > 0 {
		n, err := retry(func() (int, error) { return unix.Write(s.wfd, b) })
		if err != nil {
			return os.NewSyscallError("write", err)
		}
		b = b[n:]
	}
	return nil
}

func (s *streamIO) read() ([]byte, error) {
	for {
		if s.w-s.r >= 4 {
			n := int(binary.NativeEndian.Uint32(s.buf[s.r:]))
			if n < nl.HeaderLen || n > maxMsg {
				return nil, fmt.Errorf("stream frame of %d bytes: %w", n, nl.ErrMalformed)
			}
			if s.w-s.r >= n {
				m := s.buf[s.r : s.r+n]
				s.r += n
				return m, nil
			}
		}
		// Make room for at least one whole message after the unread bytes.
		if s.r == s.w {
			s.r, s.w = 0, 0
		} else if len(s.buf)-s.w < maxMsg {
			s.w = copy(s.buf, s.buf[s.r:s.w])
			s.r = 0
		}
		n, err := retry(func() (int, error) { return unix.Read(s.rfd, s.buf[s.w:]) })
		if err != nil {
			return nil, os.NewSyscallError("read", err)
		}
		if n == 0 {
			if s.w > s.r {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, io.EOF
		}
		s.w += n
	}
}

func (s *streamIO) close() error {
	err := unix.Close(s.rfd)
	if s.wfd != s.rfd {
		err = errors.Join(err, unix.Close(s.wfd))
	}
	return err
}

// mqIO is a pair of POSIX message queues: rq to read from, wq to write to.
type mqIO struct {
	rq, wq int
	buf    []byte // exactly mq_msgsize, which mq_timedreceive insists on
}

func (m *mqIO) write(b []byte) error {
	_, err := retry(func() (int, error) {
		_, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDSEND, uintptr(m.wq),
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)), 0, 0, 0)
		return 0, errnoErr(e)
	})
	if err != nil {
		return os.NewSyscallError("mq_timedsend", err)
	}
	return nil
}

func (m *mqIO) read() ([]byte, error) {
	n, err := retry(func() (int, error) {
		n, _, e := unix.Syscall6(unix.SYS_MQ_TIMEDRECEIVE, uintptr(m.rq),
			uintptr(unsafe.Pointer(&m.buf[0])), uintptr(len(m.buf)), 0, 0, 0)
		return int(n), errnoErr(e)
	})
	if err != nil {
		return nil, os.NewSyscallError("mq_timedreceive", err)
	}
	return m.buf[:n], nil
}

func (m *mqIO) close() error { return errors.Join(unix.Close(m.rq), unix.Close(m.wq)) }

// errnoErr turns a raw errno into an error, nil for 0.
func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// mqAttr is struct mq_attr: four longs and four reserved ones.
type mqAttr struct {
	Flags, MaxMsg, MsgSize, CurMsgs int
	_                               [4]int
}

// mqOpen creates a message queue of depth messages of msgSize bytes, opens
// it for reading and writing, and unlinks its name at once, so that nothing
// outlives the descriptor. A depth the system refuses (above
// fs.mqueue.msg_max without CAP_SYS_RESOURCE) is lowered to that limit.
func mqOpen(name string, depth, msgSize int) (int, error) {
	p, err := unix.BytePtrFromString(name) // no leading slash: that is libc's
	if err != nil {
		return -1, err
	}
	for {
		attr := mqAttr{MaxMsg: depth, MsgSize: msgSize}
		fd, _, e := unix.Syscall6(unix.SYS_MQ_OPEN, uintptr(unsafe.Pointer(p)),
			unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o600,
			uintptr(unsafe.Pointer(&attr)), 0, 0)
		if e == unix.EINVAL {
			if lim, lerr := readIntFile("/proc/sys/fs/mqueue/msg_max"); lerr == nil && lim < depth {
				depth = lim
				continue
			}
		}
		if e != 0 {
			return -1, os.NewSyscallError("mq_open", e)
		}
		if _, _, e := unix.Syscall(unix.SYS_MQ_UNLINK, uintptr(unsafe.Pointer(p)), 0, 0); e != 0 {
			unix.Close(int(fd))
			return -1, os.NewSyscallError("mq_unlink", e)
		}
		return int(fd), nil
	}
}

func readIntFile(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return strconv.Atoi(string(b))
}

// netIO is a seqpacket socket through package net, on the runtime poller.
type netIO struct {
	c   net.Conn
	buf []byte
}

func (n *netIO) write(b []byte) error {
	_, err := n.c.Write(b)
	return err
}

func (n *netIO) read() ([]byte, error) {
	k, err := n.c.Read(n.buf)
	if err != nil {
		return nil, err
	}
	return n.buf[:k], nil
}

func (n *netIO) close() error { return n.c.Close() }

// newNetIO wraps fd, which it takes over, in a net.Conn.
func newNetIO(fd int) (*netIO, error) {
	f := os.NewFile(uintptr(fd), "seqpacket")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return nil, err
	}
	return &netIO{c: c, buf: make([]byte, maxMsg)}, nil
}

// setSockBuf sets fd's send and receive buffers to n bytes, forced past the
// system limits when the process may.
func setSockBuf(fd, n int) error {
	for _, o := range [][2]int{{unix.SO_SNDBUFFORCE, unix.SO_SNDBUF}, {unix.SO_RCVBUFFORCE, unix.SO_RCVBUF}} {
		if unix.SetsockoptInt(fd, unix.SOL_SOCKET, o[0], n) != nil {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, o[1], n); err != nil {
				return os.NewSyscallError("setsockopt", err)
			}
		}
	}
	return nil
}

// usersockSocket opens a blocking NETLINK_USERSOCK socket bound to a
// kernel-assigned port id (never one another process holds) and to the
// multicast groups in mask, and returns it with its port id.
func usersockSocket(groups uint32) (fd int, port uint32, err error) {
	fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_USERSOCK)
	if err != nil {
		return -1, 0, os.NewSyscallError("socket", err)
	}
	fail := func(e error) (int, uint32, error) {
		unix.Close(fd)
		return -1, 0, e
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		return fail(os.NewSyscallError("bind", err))
	}
	if err := setSockBuf(fd, sockBuf); err != nil {
		return fail(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return fail(os.NewSyscallError("getsockname", err))
	}
	nsa, ok := sa.(*unix.SockaddrNetlink)
	if !ok {
		return fail(fmt.Errorf("netlink socket has address %T", sa))
	}
	return fd, nsa.Pid, nil
}

// socketPair returns a blocking Unix socket pair of type typ with large
// buffers.
func socketPair(typ int) ([2]int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fds, os.NewSyscallError("socketpair", err)
	}
	for _, fd := range fds {
		if err := setSockBuf(fd, sockBuf); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}

// pipe returns a blocking pipe (read end, write end) of capacity pipeBuf,
// or the system's default where that is refused.
func pipe() ([2]int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return p, os.NewSyscallError("pipe2", err)
	}
	unix.FcntlInt(uintptr(p[1]), unix.F_SETPIPE_SZ, pipeBuf)
	return p, nil
}

// closeAll closes descriptors, ignoring -1.
func closeAll(fds ...int) {
	for _, fd := range fds {
		if fd >= 0 {
			unix.Close(fd)
		}
	}
}
