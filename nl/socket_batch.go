package nl

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsghdr is the kernel's struct mmsghdr: one datagram's header in a
// recvmmsg and the length received into it.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// A received datagram's lengths and sender, from a batch read.
type received struct {
	n, oobn int
	from    Addr
}

// batchReceiver is a socket that reads several queued datagrams with one
// system call. The real socket is one; fakes read one at a time.
type batchReceiver interface {
	// receiveBatch reads up to len(bufs) datagrams, datagram i into
	// bufs[i] and its control messages into oobs[i], and describes them
	// in out; it blocks as Receive does until at least one is queued and
	// returns how many it read.
	receiveBatch(bufs, oobs [][]byte, out []received) (int, error)
}

// receiveBatch reads up to len(bufs) queued datagrams with one recvmmsg
// (see batchReceiver).
func (s *sysSocket) receiveBatch(bufs, oobs [][]byte, out []received) (int, error) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	k := len(bufs)
	if len(s.bhdrs) < k {
		s.bhdrs = make([]mmsghdr, k)
		s.bnames = make([]unix.RawSockaddrNetlink, k)
		s.biovs = make([]unix.Iovec, k)
	}
	for i := range k {
		s.bnames[i] = unix.RawSockaddrNetlink{}
		s.biovs[i] = unix.Iovec{Base: &bufs[i][0]}
		s.biovs[i].SetLen(len(bufs[i]))
		h := &s.bhdrs[i]
		*h = mmsghdr{}
		h.hdr.Name = (*byte)(unsafe.Pointer(&s.bnames[i]))
		h.hdr.Namelen = unix.SizeofSockaddrNetlink
		h.hdr.Iov = &s.biovs[i]
		h.hdr.Iovlen = 1
		h.hdr.Control = &oobs[i][0]
		h.hdr.SetControllen(len(oobs[i]))
	}
	s.bk = k
	err := s.rc.Read(s.readBatch)
	for i := range k {
		// The buffers are the caller's: do not keep them reachable.
		s.biovs[i].Base = nil
		s.bhdrs[i].hdr.Control = nil
	}
	if err != nil {
		return 0, err
	}
	if s.rerr != nil {
		return 0, s.rerr
	}
	for i := range s.rn {
		h := &s.bhdrs[i]
		out[i] = received{n: int(h.n), oobn: int(h.hdr.Controllen), from: Addr{Port: s.bnames[i].Pid, Groups: s.bnames[i].Groups}}
	}
	return s.rn, nil
}

// doReadBatch is the recvmmsg under receiveBatch. MSG_TRUNC makes each
// datagram's length its full length; on a socket that does not block the
// call returns with what was queued. An error after the first datagram
// (an overrun) is kept by the kernel for the next call.
func (s *sysSocket) doReadBatch(fd uintptr) bool {
	for {
		n, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&s.bhdrs[0])), uintptr(s.bk), unix.MSG_TRUNC, 0, 0)
		switch errno {
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return false
		}
		s.rn, s.rerr = int(n), nil
		if errno != 0 {
			s.rn, s.rerr = 0, errno
		}
		return true
	}
}
