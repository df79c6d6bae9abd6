package nl

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/nlkit/nlkit/netns"

	"golang.org/x/sys/unix"
)

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

// NetNS returns the network namespace the connection's socket lives in
// (ioctl SIOCGSKNS, which needs CAP_NET_ADMIN), which may not be the
// caller's: for opening another socket next to it. The caller closes the
// returned handle.
func (c *Conn) NetNS() (*netns.NS, error) {
	rc, err := c.syscallConn()
	if err != nil {
		return nil, err
	}
	var nsfd int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		nsfd, serr = unix.IoctlRetInt(int(fd), unix.SIOCGSKNS)
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		if serr == unix.EPERM {
			return nil, fmt.Errorf("netlink: the socket's namespace (SIOCGSKNS needs CAP_NET_ADMIN): %w", serr)
		}
		return nil, fmt.Errorf("netlink: the socket's namespace (SIOCGSKNS): %w", serr)
	}
	defer unix.Close(nsfd)
	return netns.FromFD(nsfd)
}

// skMeminfoVars is SK_MEMINFO_VARS of linux/sock_diag.h: the number of
// counters SO_MEMINFO reports; the first, SK_MEMINFO_RMEM_ALLOC, is the
// memory the receive queue holds.
const skMeminfoVars = 9

// Queued reports whether datagrams wait to be read: in the socket's
// receive queue (the memory it holds, SO_MEMINFO's SK_MEMINFO_RMEM_ALLOC),
// or kept for the listener by requests. It never blocks. A listener that
// lost messages uses it to know that it has read everything queued before
// it fetches the state again (the kernel drops every message for the
// socket until its queue has been read empty); a read deadline alone
// cannot tell, since a read whose deadline passed before it ran reports a
// timeout without looking at the queue.
func (c *Conn) Queued() (bool, error) {
	c.qmu.Lock()
	parked := len(c.pending) > 0
	c.qmu.Unlock()
	if parked {
		return true, nil
	}
	return c.socketQueued()
}

// socketQueued reports whether the socket's receive queue holds anything.
func (c *Conn) socketQueued() (bool, error) {
	rc, err := c.syscallConn()
	if err != nil {
		return false, err
	}
	var mem [skMeminfoVars]uint32
	var serr error
	if err := rc.Control(func(fd uintptr) {
		l := uint32(unsafe.Sizeof(mem))
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, fd, unix.SOL_SOCKET, unix.SO_MEMINFO,
			uintptr(unsafe.Pointer(&mem[0])), uintptr(unsafe.Pointer(&l)), 0)
		if e != 0 {
			serr = e
		}
	}); err != nil {
		return false, err
	}
	if serr != nil {
		return false, fmt.Errorf("netlink: SO_MEMINFO: %w", serr)
	}
	return mem[0] > 0, nil
}
