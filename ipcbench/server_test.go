package ipcbench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// The echo server runs in a re-exec of the test binary, told what to serve
// by these environment variables. Its descriptor 3 is a stream socket to
// the benchmark: the server reports on it that it is ready (for
// netlink-nlkit, with its port id), and exits when it reaches end of file,
// which happens when the benchmark's process dies without stopping it. The
// transport's descriptors follow from 4.
const (
	envServe = "NLKIT_IPCBENCH_SERVE" // the transport
	envSize  = "NLKIT_IPCBENCH_SIZE"  // the message size, for mqueue
)

// TestMain runs the tests and benchmarks, or, in a re-exec with envServe
// set, the echo server.
func TestMain(m *testing.M) {
	if kind := os.Getenv(envServe); kind != "" {
		if err := serve(kind); err != nil {
			fmt.Fprintf(os.Stderr, "ipcbench %s server: %v\n", kind, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serve is the echo server process: it echoes every message back until a
// msgStop arrives.
func serve(kind string) error {
	ctl := os.NewFile(3, "control")
	ready := func(line string) error {
		if _, err := fmt.Fprintln(ctl, line); err != nil {
			return err
		}
		go func() {
			io.Copy(io.Discard, ctl)
			fmt.Fprintf(os.Stderr, "ipcbench %s server: the benchmark is gone\n", kind)
			os.Exit(2)
		}()
		return nil
	}
	if kind == "netlink-nlkit" {
		// Descriptor 4 is the benchmark's network namespace: netlink
		// between processes is never tried in the host's.
		ns, err := netns.FromFD(4)
		if err != nil {
			return err
		}
		defer ns.Close()
		return serveNL(ns, ready)
	}
	t, err := serverIO(kind)
	if err != nil {
		return err
	}
	defer t.close()
	if err := ready("ok"); err != nil {
		return err
	}
	return echo(t)
}

// serverIO builds the server's end of the transport from descriptors 4 and 5.
func serverIO(kind string) (msgIO, error) {
	switch kind {
	case "netlink", "unix-seqpacket":
		return newDgramIO(4), nil
	case "unix-stream":
		return newStreamIO(4, 4), nil
	case "pipe":
		return newStreamIO(4, 5), nil
	case "mqueue":
		size, err := strconv.Atoi(os.Getenv(envSize))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", envSize, err)
		}
		return &mqIO{rq: 4, wq: 5, buf: make([]byte, size)}, nil
	case "unix-seqpacket-net":
		return newNetIO(4)
	}
	return nil, fmt.Errorf("unknown transport %q", kind)
}

// echo writes back every message read until msgStop.
func echo(t msgIO) error {
	for {
		m, err := t.read()
		if err != nil {
			return err
		}
		h, _, err := parse(m)
		if err != nil {
			return err
		}
		if h.Type == msgStop {
			return nil
		}
		if err := t.write(m); err != nil {
			return err
		}
	}
}

// serveNL is the echo server on package nl: it reads with Conn.Messages and
// answers each request with Conn.Send to its sender's port.
func serveNL(ns *netns.NS, ready func(string) error) error {
	c, err := nl.Dial(nl.UserSock, &nl.Config{NetNS: ns, ReadBuffer: sockBuf, WriteBuffer: sockBuf})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := ready(strconv.FormatUint(uint64(c.Port()), 10)); err != nil {
		return err
	}
	ctx := context.Background()
	var out []byte
	for m, err := range c.Messages(ctx) {
		if err != nil {
			return err
		}
		if m.Header.Type == msgStop {
			return nil
		}
		out = nl.AppendMessage(out[:0], m)
		if err := c.Send(ctx, out, nl.Addr{Port: m.Meta.Port}); err != nil {
			return err
		}
	}
	return nil
}

// startServer re-executes the test binary as the echo server of kind,
// hands it files (which it closes here), and waits until it is ready. It
// returns the server's ready line. The server is waited for when tb ends,
// and killed if it has not exited 10 s after the cleanups registered after
// this call (which must make it stop) have run.
func startServer(tb testing.TB, kind string, size int, files ...*os.File) string {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(os.NewSyscallError("socketpair", err))
	}
	ctl, childCtl := os.NewFile(uintptr(fds[0]), "control"), os.NewFile(uintptr(fds[1]), "control")
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+kind, envSize+"="+strconv.Itoa(size))
	cmd.ExtraFiles = append([]*os.File{childCtl}, files...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Start()
	childCtl.Close()
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		ctl.Close()
		tb.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tb.Cleanup(func() {
		defer ctl.Close() // only now: closing it tells the server to exit
		select {
		case err := <-exited:
			if err != nil {
				tb.Errorf("%s server: %v\n%s", kind, err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
			tb.Errorf("%s server did not stop; killed\n%s", kind, stderr.String())
		}
	})
	line, err := bufio.NewReader(ctl).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		tb.Fatalf("%s server did not start: %v", kind, err)
	}
	return strings.TrimSpace(line)
}

// A client is the benchmark's end of a request/response transport.
type client interface {
	// roundTrip sends req and passes the reply to fn; the payload is valid
	// only during the call.
	roundTrip(req []byte, fn func(h nl.Header, payload []byte) error) error
	// send sends one request. It may run concurrently with receive.
	send(req []byte) error
	// receive calls fn with each of the next n replies.
	receive(n int, fn func(h nl.Header, payload []byte) error) error
	// stop tells the server to exit, and closes the client.
	stop() error
}

// ioClient is a client over a msgIO.
type ioClient struct{ io msgIO }

func (c ioClient) roundTrip(req []byte, fn func(nl.Header, []byte) error) error {
	if err := c.io.write(req); err != nil {
		return err
	}
	return c.receive(1, fn)
}

func (c ioClient) send(req []byte) error { return c.io.write(req) }

func (c ioClient) receive(n int, fn func(nl.Header, []byte) error) error {
	for range n {
		m, err := c.io.read()
		if err != nil {
			return err
		}
		h, p, err := parse(m)
		if err != nil {
			return err
		}
		if err := fn(h, p); err != nil {
			return err
		}
	}
	return nil
}

func (c ioClient) stop() error {
	return errors.Join(c.io.write(newMessage(msgStop, nl.HeaderLen, 0)), c.io.close())
}

// nlClient is a client on package nl: Conn.Do for a round trip, Conn.Send
// and Conn.Messages for a pipeline.
type nlClient struct {
	c    *nl.Conn
	peer uint32
	enc  nl.Encoder
}

// roundTrip encodes req anew, as a caller of Conn.Do would, and lets Do
// stamp its sequence number.
func (c *nlClient) roundTrip(req []byte, fn func(nl.Header, []byte) error) error {
	c.enc.Reset()
	c.enc.Begin(msgEcho, 0)
	c.enc.Payload(req[nl.HeaderLen:])
	if err := c.enc.End(); err != nil {
		return err
	}
	return c.c.Do(context.Background(), &c.enc, func(m nl.Message) error {
		return fn(m.Header, m.Data)
	})
}

func (c *nlClient) send(req []byte) error {
	return c.c.Send(context.Background(), req, nl.Addr{Port: c.peer})
}

func (c *nlClient) receive(n int, fn func(nl.Header, []byte) error) error {
	if n == 0 {
		return nil
	}
	got := 0
	for m, err := range c.c.Messages(context.Background()) {
		if err != nil {
			return err
		}
		if m.Meta.Port != c.peer {
			return fmt.Errorf("message from port %d, not the server's %d", m.Meta.Port, c.peer)
		}
		if err := fn(m.Header, m.Data); err != nil {
			return err
		}
		if got++; got == n {
			return nil
		}
	}
	return errors.New("netlink: message stream ended")
}

func (c *nlClient) stop() error {
	return errors.Join(c.send(newMessage(msgStop, nl.HeaderLen, 0)), c.c.Close())
}

// unicastKinds returns the request/response transports, in table order.
func unicastKinds() []string {
	return []string{
		"netlink", "netlink-nlkit", "unix-seqpacket", "unix-seqpacket-net",
		"unix-stream", "pipe", "mqueue",
	}
}

// openClient builds the transport kind for messages of up to size bytes,
// starts its echo server, and returns the client end, stopped when tb ends.
func openClient(tb testing.TB, kind string, size int) client {
	tb.Helper()
	var c client
	switch kind {
	case "netlink-nlkit":
		// Both ends in a namespace of the benchmark's own (NETLINK_USERSOCK
		// is per namespace); the server gets it as a descriptor.
		ns := netnstest.New(tb)
		nsFile, err := nsFile(ns)
		if err != nil {
			tb.Fatal(err)
		}
		line := startServer(tb, kind, size, nsFile)
		port, err := strconv.ParseUint(line, 10, 32)
		if err != nil {
			tb.Fatalf("server's port id %q: %v", line, err)
		}
		conn, err := nl.Dial(nl.UserSock, &nl.Config{NetNS: ns.NS, Peer: uint32(port), ReadBuffer: sockBuf, WriteBuffer: sockBuf})
		if err != nil {
			tb.Fatal(err)
		}
		c = &nlClient{c: conn, peer: uint32(port)}
	default:
		requireTransport(tb, kind)
		var t msgIO
		var files []*os.File
		var err error
		if kind == "netlink" {
			// Sockets keep the namespace they were opened in: one of the
			// benchmark's own, never the host's.
			ns := netnstest.New(tb)
			err = ns.Do(func() error {
				var oerr error
				t, files, oerr = openPair(kind, size)
				return oerr
			})
		} else {
			t, files, err = openPair(kind, size)
		}
		if err != nil {
			tb.Fatal(err)
		}
		startServer(tb, kind, size, files...)
		c = ioClient{t}
	}
	tb.Cleanup(func() {
		if err := c.stop(); err != nil {
			tb.Errorf("%s: stopping: %v", kind, err)
		}
	})
	return c
}

// requireTransport skips tb where the kernel is built without what the
// transport kind needs, asking the kernel: POSIX message queues exist
// exactly when it registers the mqueue file system. (Every other kind is
// in every kernel that runs these tests.) Where the kernel has the
// transport, any failure to open it fails tb.
func requireTransport(tb testing.TB, kind string) {
	tb.Helper()
	if kind != "mqueue" {
		return
	}
	fs, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		tb.Fatal(err)
	}
	for _, l := range strings.Split(string(fs), "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[len(f)-1] == "mqueue" {
			return
		}
	}
	netnstest.SkipFeature(tb, "POSIX message queues (CONFIG_POSIX_MQUEUE)", "/proc/filesystems lists no mqueue file system")
}

// openPair builds both ends of transport kind: the client's msgIO, and the
// server's descriptors as files, in the order serverIO expects them.
func openPair(kind string, size int) (msgIO, []*os.File, error) {
	switch kind {
	case "netlink":
		cfd, cport, err := usersockSocket(0)
		if err != nil {
			return nil, nil, err
		}
		sfd, sport, err := usersockSocket(0)
		if err != nil {
			closeAll(cfd)
			return nil, nil, err
		}
		// Connected, each socket sends to the other by default and accepts
		// unicasts from no one else.
		err = errors.Join(
			unix.Connect(cfd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: sport}),
			unix.Connect(sfd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Pid: cport}))
		if err != nil {
			closeAll(cfd, sfd)
			return nil, nil, fmt.Errorf("connect: %w", err)
		}
		return newDgramIO(cfd), []*os.File{os.NewFile(uintptr(sfd), "netlink")}, nil
	case "unix-seqpacket", "unix-seqpacket-net", "unix-stream":
		typ := unix.SOCK_SEQPACKET
		if kind == "unix-stream" {
			typ = unix.SOCK_STREAM
		}
		fds, err := socketPair(typ)
		if err != nil {
			return nil, nil, err
		}
		var t msgIO
		switch kind {
		case "unix-seqpacket":
			t = newDgramIO(fds[0])
		case "unix-stream":
			t = newStreamIO(fds[0], fds[0])
		default:
			t, err = newNetIO(fds[0])
			if err != nil {
				closeAll(fds[1])
				return nil, nil, err
			}
		}
		return t, []*os.File{os.NewFile(uintptr(fds[1]), kind)}, nil
	case "pipe":
		req, err := pipe()
		if err != nil {
			return nil, nil, err
		}
		rep, err := pipe()
		if err != nil {
			closeAll(req[0], req[1])
			return nil, nil, err
		}
		return newStreamIO(rep[0], req[1]),
			[]*os.File{os.NewFile(uintptr(req[0]), "request pipe"), os.NewFile(uintptr(rep[1]), "reply pipe")}, nil
	case "mqueue":
		base := fmt.Sprintf("nlkit-ipcbench-%d-%d", os.Getpid(), time.Now().UnixNano())
		req, err := mqOpen(base+"-req", window, size)
		if err != nil {
			return nil, nil, err
		}
		rep, err := mqOpen(base+"-rep", window, size)
		if err != nil {
			closeAll(req)
			return nil, nil, err
		}
		// Both processes use both queues: the server gets descriptors of
		// its own.
		sreq, err1 := unix.FcntlInt(uintptr(req), unix.F_DUPFD_CLOEXEC, 0)
		srep, err2 := unix.FcntlInt(uintptr(rep), unix.F_DUPFD_CLOEXEC, 0)
		if err := errors.Join(err1, err2); err != nil {
			closeAll(req, rep, sreq, srep)
			return nil, nil, os.NewSyscallError("fcntl", err)
		}
		return &mqIO{rq: rep, wq: req, buf: make([]byte, size)},
			[]*os.File{os.NewFile(uintptr(sreq), "request queue"), os.NewFile(uintptr(srep), "reply queue")}, nil
	}
	return nil, nil, fmt.Errorf("unknown transport %q", kind)
}

// pipeline sends n requests made from req (sequence numbers first, first+1,
// …) with at most depth outstanding, while another goroutine receives the
// replies and passes each to check. It returns when every reply has arrived.
func pipeline(c client, req []byte, first uint32, n, depth int, check func(h nl.Header, payload []byte) error) error {
	tokens := make(chan struct{}, depth)
	done := make(chan struct{})
	var rerr error
	go func() {
		defer close(done)
		next := first
		rerr = c.receive(n, func(h nl.Header, p []byte) error {
			if h.Seq != next {
				return fmt.Errorf("reply %d arrived when %d was due", h.Seq, next)
			}
			next++
			<-tokens
			if check != nil {
				return check(h, p)
			}
			return nil
		})
	}()
	for i := range n {
		select {
		case tokens <- struct{}{}:
		case <-done:
			if rerr == nil {
				rerr = errors.New("receiver ended early")
			}
			return rerr
		}
		setSeq(req, first+uint32(i))
		if err := c.send(req); err != nil {
			return err // the receiver stays blocked until the client stops
		}
	}
	<-done
	return rerr
}

// nsFile returns a duplicate of the namespace's descriptor, for a child.
func nsFile(ns *netnstest.NS) (*os.File, error) {
	fd, err := unix.FcntlInt(uintptr(ns.FD()), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	return os.NewFile(uintptr(fd), "netns"), nil
}
