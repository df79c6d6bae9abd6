package ipcbench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// fanGroup is the NETLINK_USERSOCK multicast group the fan-out uses, in a
// network namespace of its own.
const fanGroup = 1

// A fanout is one sender and its subscribers.
type fanout struct {
	// send delivers msg to every subscriber.
	send func(msg []byte) error
	// subs are the subscribers' receive loops: each calls fn with every
	// message it receives until fn says stop or an error occurs.
	subs []func(fn func(h nl.Header, payload []byte) (stop bool, err error)) error
}

// fanoutKinds returns the fan-out mechanisms, in table order.
func fanoutKinds() []string {
	return []string{"netlink", "netlink-nlkit", "unix-seqpacket", "unix-seqpacket-net", "unix-dgram-sendmmsg"}
}

// subscriberCounts returns the numbers of subscribers measured.
func subscriberCounts() []int { return []int{1, 8, 32} }

// openFanout builds a fan-out of kind to n subscribers, closed when tb ends.
func openFanout(tb testing.TB, kind string, n int) *fanout {
	tb.Helper()
	var (
		f   *fanout
		err error
	)
	switch kind {
	case "netlink":
		ns := netnstest.New(tb)
		// Sockets keep the namespace they were opened in.
		err = ns.Do(func() error {
			var oerr error
			f, oerr = openNetlinkFanout(tb, n)
			return oerr
		})
	case "netlink-nlkit":
		f = openNLFanout(tb, netnstest.New(tb), n)
	case "unix-seqpacket", "unix-seqpacket-net":
		f, err = openSeqpacketFanout(tb, n, kind == "unix-seqpacket-net")
	case "unix-dgram-sendmmsg":
		f, err = openSendmmsgFanout(tb, n)
	default:
		err = fmt.Errorf("unknown fan-out %q", kind)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// cleanupFDs closes fds when tb ends.
func cleanupFDs(tb testing.TB, fds ...int) {
	tb.Cleanup(func() { closeAll(fds...) })
}

// readLoop is a subscriber's receive loop on a message transport.
func readLoop(t msgIO) func(fn func(nl.Header, []byte) (bool, error)) error {
	return func(fn func(nl.Header, []byte) (bool, error)) error {
		for {
			m, err := t.read()
			if err != nil {
				return err
			}
			h, p, err := parse(m)
			if err != nil {
				return err
			}
			if stop, err := fn(h, p); stop || err != nil {
				return err
			}
		}
	}
}

// openNetlinkFanout: subscribers bound to the group by the bind mask, a
// sender that sends each message once to the group, with raw system calls.
// It runs in the fan-out's network namespace.
func openNetlinkFanout(tb testing.TB, n int) (*fanout, error) {
	sfd, _, err := usersockSocket(0)
	if err != nil {
		return nil, err
	}
	cleanupFDs(tb, sfd)
	f := &fanout{}
	for range n {
		fd, _, err := usersockSocket(1 << (fanGroup - 1))
		if err != nil {
			return nil, err
		}
		cleanupFDs(tb, fd)
		f.subs = append(f.subs, readLoop(newDgramIO(fd)))
	}
	to := &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1 << (fanGroup - 1)}
	f.send = func(msg []byte) error {
		err := unix.Sendto(sfd, msg, 0, to)
		// Port 0 of NETLINK_USERSOCK is no kernel socket: the unicast half
		// of a group send to it is refused after the group has had it.
		if err == unix.ECONNREFUSED {
			err = nil
		}
		if err != nil {
			return os.NewSyscallError("sendto", err)
		}
		return nil
	}
	return f, nil
}

// openNLFanout: the same on package nl, subscribers joined with
// Conn.JoinGroup, reading with Conn.Messages.
func openNLFanout(tb testing.TB, ns *netnstest.NS, n int) *fanout {
	cfg := &nl.Config{ReadBuffer: sockBuf, WriteBuffer: sockBuf}
	sender := ns.Dial(nl.UserSock, cfg)
	f := &fanout{}
	for range n {
		c := ns.Dial(nl.UserSock, cfg)
		if err := c.JoinGroup(fanGroup); err != nil {
			tb.Fatal(err)
		}
		f.subs = append(f.subs, func(fn func(nl.Header, []byte) (bool, error)) error {
			for m, err := range c.Messages(context.Background()) {
				if err != nil {
					return err
				}
				if stop, err := fn(m.Header, m.Data); stop || err != nil {
					return err
				}
			}
			return errors.New("netlink: message stream ended")
		})
	}
	ctx := context.Background()
	f.send = func(msg []byte) error {
		return sender.Send(ctx, msg, nl.Addr{Groups: 1 << (fanGroup - 1)})
	}
	return f
}

// openSeqpacketFanout: a socket pair per subscriber, one write each, with
// blocking system calls or (withNet) through package net on the poller.
func openSeqpacketFanout(tb testing.TB, n int, withNet bool) (*fanout, error) {
	f := &fanout{}
	var out []msgIO
	for range n {
		fds, err := socketPair(unix.SOCK_SEQPACKET)
		if err != nil {
			return nil, err
		}
		var w, r msgIO = newDgramIO(fds[0]), newDgramIO(fds[1])
		if withNet {
			nw, err1 := newNetIO(fds[0])
			nr, err2 := newNetIO(fds[1])
			if err := errors.Join(err1, err2); err != nil {
				return nil, err
			}
			w, r = nw, nr
		}
		tb.Cleanup(func() { w.close(); r.close() })
		out = append(out, w)
		f.subs = append(f.subs, readLoop(r))
	}
	f.send = func(msg []byte) error {
		for _, w := range out {
			if err := w.write(msg); err != nil {
				return err
			}
		}
		return nil
	}
	return f, nil
}

// mmsghdr is struct mmsghdr; Go pads it as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// openSendmmsgFanout: one unbound-name (autobound) datagram socket per
// subscriber and one sender that reaches all of them with one sendmmsg.
// Each subscriber connects to the sender, which lifts the
// net.unix.max_dgram_qlen limit on its queue, as a socket pair has none.
func openSendmmsgFanout(tb testing.TB, n int) (*fanout, error) {
	sfd, saddr, err := autoboundDgram()
	if err != nil {
		return nil, err
	}
	cleanupFDs(tb, sfd)
	// The sender's buffer holds every datagram queued at any subscriber.
	if err := setSockBuf(sfd, 8*sockBuf); err != nil {
		return nil, err
	}
	f := &fanout{}
	names := make([]unix.RawSockaddrUnix, n)
	lens := make([]uint32, n)
	for i := range n {
		fd, addr, err := autoboundDgram()
		if err != nil {
			return nil, err
		}
		cleanupFDs(tb, fd)
		if err := unix.Connect(fd, saddr); err != nil {
			return nil, os.NewSyscallError("connect", err)
		}
		names[i], lens[i] = rawUnix(addr)
		f.subs = append(f.subs, readLoop(newDgramIO(fd)))
	}
	hdrs := make([]mmsghdr, n)
	var iov unix.Iovec
	f.send = func(msg []byte) error {
		iov.Base = unsafe.SliceData(msg)
		iov.SetLen(len(msg))
		for i := range hdrs {
			hdrs[i] = mmsghdr{hdr: unix.Msghdr{
				Name: (*byte)(unsafe.Pointer(&names[i])), Namelen: lens[i],
				Iov: &iov, Iovlen: 1,
			}}
		}
		for sent := 0; sent < n; {
			k, _, e := unix.Syscall6(unix.SYS_SENDMMSG, uintptr(sfd),
				uintptr(unsafe.Pointer(&hdrs[sent])), uintptr(n-sent), 0, 0, 0)
			if e == unix.EINTR {
				continue
			}
			if e != 0 {
				return os.NewSyscallError("sendmmsg", e)
			}
			sent += int(k)
		}
		return nil
	}
	return f, nil
}

// autoboundDgram opens a blocking Unix datagram socket bound to a
// kernel-chosen abstract name, and returns it with that name.
func autoboundDgram() (int, *unix.SockaddrUnix, error) {
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, nil, os.NewSyscallError("socket", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{}); err != nil { // empty name: autobind
		unix.Close(fd)
		return -1, nil, os.NewSyscallError("bind", err)
	}
	if err := setSockBuf(fd, sockBuf); err != nil {
		unix.Close(fd)
		return -1, nil, err
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		unix.Close(fd)
		return -1, nil, os.NewSyscallError("getsockname", err)
	}
	ua, ok := sa.(*unix.SockaddrUnix)
	if !ok || len(ua.Name) < 2 || ua.Name[0] != '@' {
		unix.Close(fd)
		return -1, nil, fmt.Errorf("autobound socket has address %#v", sa)
	}
	return fd, ua, nil
}

// rawUnix converts an abstract address ("@" and the name) to a sockaddr_un
// and its length.
func rawUnix(a *unix.SockaddrUnix) (unix.RawSockaddrUnix, uint32) {
	var r unix.RawSockaddrUnix
	r.Family = unix.AF_UNIX
	// Path[0] stays 0: the abstract namespace.
	for i := 1; i < len(a.Name); i++ {
		r.Path[i] = int8(a.Name[i])
	}
	return r, uint32(unsafe.Offsetof(r.Path)) + uint32(len(a.Name))
}

// fanRun is one measurement on a fanout: the subscribers' goroutines and
// the bookkeeping that tells the sender when a message has reached all of
// them.
type fanRun struct {
	f     *fanout
	depth int
	// left[seq%depth] counts the subscribers still to receive message seq.
	left []atomic.Int32
	// free holds a token per message that may be sent: a message's token
	// comes back when its last subscriber has it. Messages complete in
	// order, because each subscriber receives in order.
	free   chan struct{}
	failed chan struct{} // closed on the first subscriber error
	once   sync.Once
	err    error
	wg     sync.WaitGroup
	got    []int // messages received, per subscriber
}

// start runs the subscribers of f, allowing depth messages in flight. With
// check, each verifies every payload.
func start(f *fanout, depth int, check bool) *fanRun {
	r := &fanRun{
		f: f, depth: depth, left: make([]atomic.Int32, depth),
		free: make(chan struct{}, depth), failed: make(chan struct{}),
		got: make([]int, len(f.subs)),
	}
	for range depth {
		r.free <- struct{}{}
	}
	for i, sub := range f.subs {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			var next uint32
			err := sub(func(h nl.Header, p []byte) (bool, error) {
				if h.Type == msgStop {
					return true, nil
				}
				if h.Seq != next {
					return false, fmt.Errorf("subscriber %d: message %d arrived when %d was due", i, h.Seq, next)
				}
				if check {
					if err := checkPattern(p, h.Seq); err != nil {
						return false, fmt.Errorf("subscriber %d: %w", i, err)
					}
				}
				next++
				r.got[i]++
				if r.left[h.Seq%uint32(depth)].Add(-1) == 0 {
					r.free <- struct{}{}
				}
				return false, nil
			})
			if err != nil {
				r.fail(err)
			}
		}()
	}
	return r
}

func (r *fanRun) fail(err error) {
	r.once.Do(func() {
		r.err = err
		close(r.failed)
	})
}

// run sends n messages made from msg, numbered from first, and returns when
// every subscriber has every one of them. With fill, each payload is
// rewritten with its own pattern.
func (r *fanRun) run(msg []byte, first uint32, n int, fill bool) error {
	subs := int32(len(r.f.subs))
	for i := range n {
		select {
		case <-r.free:
		case <-r.failed:
			return r.err
		}
		seq := first + uint32(i)
		r.left[seq%uint32(r.depth)].Store(subs)
		setSeq(msg, seq)
		if fill {
			fillPattern(msg[nl.HeaderLen:], seq)
		}
		if err := r.f.send(msg); err != nil {
			return err
		}
	}
	for range r.depth {
		select {
		case <-r.free:
		case <-r.failed:
			return r.err
		}
	}
	for range r.depth {
		r.free <- struct{}{}
	}
	return nil
}

// stop ends the subscribers and waits for them.
func (r *fanRun) stop() error {
	err := r.f.send(newMessage(msgStop, nl.HeaderLen, 0))
	r.wg.Wait()
	return errors.Join(err, r.err)
}

// benchFanout measures kind with depth messages in flight: 1 for latency
// (each message sent when the previous has reached every subscriber).
func benchFanout(b *testing.B, depth int) {
	for _, kind := range fanoutKinds() {
		for _, n := range subscriberCounts() {
			for _, size := range sizes() {
				b.Run(fmt.Sprintf("%s/subs=%d/%s", kind, n, sizeName(size)), func(b *testing.B) {
					r := start(openFanout(b, kind, n), depth, false)
					msg := newMessage(msgEcho, size, 0)
					// Warm up every subscriber's path before timing.
					if err := r.run(msg, 0, window, false); err != nil {
						b.Fatal(err)
					}
					b.ResetTimer()
					err := r.run(msg, window, b.N, false)
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					if err := r.stop(); err != nil {
						b.Fatal(err)
					}
					report(b, b.N, "msg")
					if el := b.Elapsed(); el > 0 {
						b.ReportMetric(float64(el.Nanoseconds())/float64(b.N*n), "ns/delivery")
					}
				})
			}
		}
	}
}

// BenchmarkFanoutLatency times one message until every subscriber has it,
// one message at a time.
func BenchmarkFanoutLatency(b *testing.B) { benchFanout(b, 1) }

// BenchmarkFanoutThroughput times messages to every subscriber with window
// of them in flight.
func BenchmarkFanoutThroughput(b *testing.B) { benchFanout(b, window) }

// TestFanout checks that every mechanism delivers every message, in order
// and intact, to every subscriber, one at a time and pipelined.
func TestFanout(t *testing.T) {
	for _, kind := range fanoutKinds() {
		for _, n := range subscriberCounts() {
			for _, depth := range []int{1, 16} {
				t.Run(fmt.Sprintf("%s/subs=%d/depth=%d", kind, n, depth), func(t *testing.T) {
					r := start(openFanout(t, kind, n), depth, true)
					msg := newMessage(msgEcho, 1000, 0)
					const total = 100
					if err := r.run(msg, 0, total, true); err != nil {
						t.Fatal(err)
					}
					if err := r.stop(); err != nil {
						t.Fatal(err)
					}
					for i, got := range r.got {
						if got != total {
							t.Errorf("subscriber %d received %d messages, want %d", i, got, total)
						}
					}
				})
			}
		}
	}
}

// TestUsersockGroupSendRefused pins down the quirk the fan-out works
// around: a group send to port 0 of NETLINK_USERSOCK fails with
// ECONNREFUSED, yet the group has received the message.
func TestUsersockGroupSendRefused(t *testing.T) {
	ns := netnstest.New(t)
	err := ns.Do(func() error {
		sfd, _, err := usersockSocket(0)
		if err != nil {
			return err
		}
		defer unix.Close(sfd)
		rfd, _, err := usersockSocket(1 << (fanGroup - 1))
		if err != nil {
			return err
		}
		defer unix.Close(rfd)
		msg := newMessage(msgEcho, 64, 42)
		err = unix.Sendto(sfd, msg, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: 1 << (fanGroup - 1)})
		if err != unix.ECONNREFUSED {
			return fmt.Errorf("group send to port 0: %v, want ECONNREFUSED", err)
		}
		buf := make([]byte, 128)
		k, _, err := unix.Recvfrom(rfd, buf, unix.MSG_DONTWAIT)
		if err != nil {
			return fmt.Errorf("the group member received nothing: %w", err)
		}
		if h, p, err := parse(buf[:k]); err != nil || h.Seq != 42 || checkPattern(p, 42) != nil {
			return fmt.Errorf("the group member received %x", buf[:k])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
