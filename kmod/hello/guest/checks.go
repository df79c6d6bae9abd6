package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/kmod/hello/hellonl"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// testGroup is the multicast group the multicast checks use.
const testGroup = 3

// How long a check waits for what must come, and for what must not.
const (
	replyWait   = 5 * time.Second
	silenceWait = 500 * time.Millisecond
)

// guest is the state the checks share: the module's parameters, whether it
// is loaded, and the sockets the multicast checks set up.
type guest struct {
	params string
	loaded bool
	conns  []*nl.Conn

	bound  *nl.Conn // member of testGroup by its bind mask
	joined *nl.Conn // member of testGroup by NETLINK_ADD_MEMBERSHIP
	sender *nl.Conn // asks for broadcasts; member of no group
	count  uint32   // the count of the last event asked for
}

func checks() []check {
	return []check{
		{"unregistered", (*guest).unregistered},
		{"example-unloaded", (*guest).exampleUnloaded},
		{"load", (*guest).load},
		{"echo", (*guest).echo},
		{"broadcast", (*guest).broadcast},
		{"multicast-bind", (*guest).multicastBind},
		{"multicast-join", (*guest).multicastJoin},
		{"leave", (*guest).leave},
		{"full-member", (*guest).fullMember},
		{"malformed", (*guest).malformed},
		{"example", (*guest).example},
		{"other-netns", (*guest).otherNetns},
		{"unload", (*guest).unload},
	}
}

// dial opens a socket of the hello protocol that unload will close.
func (g *guest) dial(cfg *nl.Config) (*nl.Conn, error) {
	if !g.loaded {
		return nil, errors.New("module not loaded")
	}
	c, err := nl.Dial(hellonl.Protocol, cfg)
	if err != nil {
		return nil, err
	}
	g.conns = append(g.conns, c)
	return c, nil
}

// wantUnregistered checks that protocol 31 has no kernel side.
func wantUnregistered() error {
	c, err := nl.Dial(hellonl.Protocol, nil)
	if err == nil {
		c.Close()
		return errors.New("protocol 31 can be opened")
	}
	if !errors.Is(err, unix.EPROTONOSUPPORT) {
		return fmt.Errorf("dial: %w, want EPROTONOSUPPORT", err)
	}
	return nil
}

func (g *guest) unregistered() error { return wantUnregistered() }

// runExample runs examples/hello with args and returns its status and
// output.
func runExample(args ...string) (code int, stdout, stderr string, err error) {
	return runExampleIn(nil, args...)
}

// runExampleIn runs examples/hello with the process attributes attr.
func runExampleIn(attr *syscall.SysProcAttr, args ...string) (code int, stdout, stderr string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, examplePath, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = attr
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), out.String(), errb.String(), nil
	}
	return 0, out.String(), errb.String(), err
}

func (g *guest) exampleUnloaded() error {
	code, out, errs, err := runExample()
	if err != nil {
		return err
	}
	want := "hello: protocol 31 is not registered: load kmod/hello (see kmod/hello/README.md)\n"
	if code != 1 || errs != want || out != "" {
		return fmt.Errorf("status %d, stdout %q, stderr %q; want 1, nothing, %q", code, out, errs, want)
	}
	return nil
}

func (g *guest) load() error {
	f, err := os.Open(modulePath)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.FinitModule(int(f.Fd()), g.params, 0); err != nil {
		return fmt.Errorf("finit_module %s %q: %w", modulePath, g.params, err)
	}
	g.loaded = true
	fmt.Printf("     loaded with %q\n", g.params)
	return nil
}

// exchange sends one echo request (with flags f) on c and checks the
// framing of the reply: one NLMSG_DONE from the kernel, unicast, with the
// request's sequence number in its header. It returns the reply and that
// sequence number.
func exchange(c *nl.Conn, f nl.Flags, text string) (hellonl.Reply, uint32, error) {
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	var e nl.Encoder
	hellonl.EncodeEcho(&e, f, text)
	msgs, err := c.Execute(ctx, &e)
	if err != nil {
		return hellonl.Reply{}, 0, err
	}
	sent, err := nl.ParseHeader(e.Bytes())
	if err != nil {
		return hellonl.Reply{}, 0, err
	}
	if len(msgs) != 1 {
		return hellonl.Reply{}, 0, fmt.Errorf("%d replies to seq=%d, want 1", len(msgs), sent.Seq)
	}
	m := msgs[0]
	if m.Header.Seq != sent.Seq || m.Meta.Port != 0 || m.Meta.Group != 0 {
		return hellonl.Reply{}, 0, fmt.Errorf("reply %v from port %d group %d, want seq=%d from the kernel, unicast",
			m.Header, m.Meta.Port, m.Meta.Group, sent.Seq)
	}
	r, err := hellonl.ParseReply(m)
	return r, sent.Seq, err
}

// echoOnce checks that the reply to an echo request names the request's
// sequence number.
func echoOnce(c *nl.Conn, f nl.Flags, text string) error {
	r, seq, err := exchange(c, f, text)
	if err != nil {
		return err
	}
	if r.Seq != seq {
		return fmt.Errorf("reply %q to seq=%d", r.Text, seq)
	}
	return nil
}

func (g *guest) echo() error {
	c, err := g.dial(nil)
	if err != nil {
		return err
	}
	for i := range 3 {
		if err := echoOnce(c, 0, fmt.Sprintf("Hello from user %d", i)); err != nil {
			return err
		}
	}
	// With NLM_F_ACK the reply is followed by an acknowledgement.
	return echoOnce(c, nl.Acknowledge, "Hello with an ACK")
}

// askBroadcast asks the module, through c, for an event to group.
func askBroadcast(c *nl.Conn, group uint32) error {
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	var e nl.Encoder
	hellonl.EncodeBroadcast(&e, nl.Acknowledge, group)
	_, err := c.Execute(ctx, &e)
	return err
}

// wantEvent receives on c the event numbered count for testGroup.
func wantEvent(c *nl.Conn, count uint32) error {
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	msgs, err := c.Receive(ctx)
	if err != nil {
		return fmt.Errorf("no event: %w", err)
	}
	if len(msgs) != 1 {
		return fmt.Errorf("%d messages, want 1 event", len(msgs))
	}
	ev, err := hellonl.ParseEvent(msgs[0])
	if err != nil {
		return err
	}
	if ev.Count != count || ev.Group != testGroup || msgs[0].Meta.Group != testGroup || msgs[0].Meta.Port != 0 {
		return fmt.Errorf("event %+v delivered to group %d from port %d, want count %d group %d from the kernel",
			ev, msgs[0].Meta.Group, msgs[0].Meta.Port, count, testGroup)
	}
	return nil
}

// wantSilence checks that nothing arrives on c for a while.
func wantSilence(c *nl.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), silenceWait)
	defer cancel()
	msgs, err := c.Receive(ctx)
	if err == nil {
		return fmt.Errorf("received %v", headers(msgs))
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	return nil
}

// headers lists the headers of msgs, for errors.
func headers(msgs []nl.Message) []nl.Header {
	hs := make([]nl.Header, len(msgs))
	for i, m := range msgs {
		hs[i] = m.Header
	}
	return hs
}

// member reports whether c is a member of group, as the kernel lists it.
func member(c *nl.Conn, group uint32) (bool, error) {
	gs, err := c.Groups()
	if err != nil {
		return false, err
	}
	return slices.Contains(gs, group), nil
}

// broadcast sets up the members of testGroup and asks for the first event.
func (g *guest) broadcast() error {
	var err error
	if g.bound, err = g.dial(&nl.Config{Groups: 1 << (testGroup - 1)}); err != nil {
		return err
	}
	if g.joined, err = g.dial(nil); err != nil {
		return err
	}
	if err := g.joined.JoinGroup(testGroup); err != nil {
		return fmt.Errorf("join group %d: %w", testGroup, err)
	}
	for _, c := range []*nl.Conn{g.bound, g.joined} {
		if in, err := member(c, testGroup); err != nil || !in {
			return fmt.Errorf("port %d not listed in group %d (%v)", c.Port(), testGroup, err)
		}
	}
	if g.sender, err = g.dial(nil); err != nil {
		return err
	}
	if err := askBroadcast(g.sender, testGroup); err != nil {
		return err
	}
	g.count = 1
	return nil
}

func (g *guest) multicastBind() error {
	if g.bound == nil {
		return errors.New("no member")
	}
	return wantEvent(g.bound, g.count)
}

func (g *guest) multicastJoin() error {
	if g.joined == nil {
		return errors.New("no member")
	}
	return wantEvent(g.joined, g.count)
}

// leave checks that a member that left gets nothing, while one that
// stayed gets the event.
func (g *guest) leave() error {
	if g.joined == nil || g.bound == nil || g.sender == nil {
		return errors.New("no members")
	}
	if err := g.joined.LeaveGroup(testGroup); err != nil {
		return err
	}
	if in, err := member(g.joined, testGroup); err != nil || in {
		return fmt.Errorf("still listed in group %d after leaving (%v)", testGroup, err)
	}
	if err := askBroadcast(g.sender, testGroup); err != nil {
		return err
	}
	g.count++
	if err := wantEvent(g.bound, g.count); err != nil {
		return fmt.Errorf("remaining member: %w", err)
	}
	if err := wantSilence(g.joined); err != nil {
		return fmt.Errorf("member that left: %w", err)
	}
	if err := wantSilence(g.sender); err != nil {
		return fmt.Errorf("non-member: %w", err)
	}
	return nil
}

// fullMember checks that a member whose receive buffer is full, and which
// asked for delivery errors (NETLINK_BROADCAST_ERROR), misses events
// without failing the requests: netlink_broadcast then returns -ENOBUFS,
// which the module must not pass on, since the other members got the
// event. The full member then sees an overrun.
func (g *guest) fullMember() error {
	if g.bound == nil || g.sender == nil {
		return errors.New("no members")
	}
	full, err := g.dial(&nl.Config{Groups: 1 << (testGroup - 1), ReadBuffer: 1, BroadcastError: true})
	if err != nil {
		return err
	}
	for i := range 64 { // the smallest receive buffer holds a few events
		if err := askBroadcast(g.sender, testGroup); err != nil {
			return fmt.Errorf("broadcast %d with a full member: %w", i+1, err)
		}
		g.count++
		if err := wantEvent(g.bound, g.count); err != nil {
			return fmt.Errorf("broadcast %d, other member: %w", i+1, err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	for {
		if _, err := full.Receive(ctx); errors.Is(err, nl.ErrOverrun) {
			return nil
		} else if err != nil {
			return fmt.Errorf("full member: %w, want an overrun", err)
		}
	}
}

// wantRejected checks that err is the module's refusal with errno and an
// extended-ACK message containing text.
func wantRejected(err error, errno unix.Errno, text string) error {
	var e *nl.Error
	if !errors.As(err, &e) {
		return fmt.Errorf("got %v, want %v %q", err, errno, text)
	}
	if e.Errno != errno || !strings.Contains(e.Message, text) {
		return fmt.Errorf("got %v (%q), want %v %q", e.Errno, e.Message, errno, text)
	}
	return nil
}

// malformed checks that the module refuses requests whose lengths or
// values are wrong, with the errno and message its source promises, and
// survives them.
func (g *guest) malformed() error {
	c, err := g.dial(nil)
	if err != nil {
		return err
	}
	group := func(n uint32) []byte { return binary.NativeEndian.AppendUint32(nil, n) }
	for _, r := range []struct {
		name  string
		typ   nl.MsgType
		data  []byte
		errno unix.Errno
		text  string
	}{
		{"broadcast payload of 8 bytes", hellonl.MsgBroadcast, make([]byte, 8), unix.EINVAL, "4-byte group number"},
		{"broadcast payload of 0 bytes", hellonl.MsgBroadcast, nil, unix.EINVAL, "4-byte group number"},
		{"group 0", hellonl.MsgBroadcast, group(0), unix.EINVAL, "group out of range"},
		{"group 33", hellonl.MsgBroadcast, group(hellonl.Groups + 1), unix.EINVAL, "group out of range"},
		{"echo payload of 260 bytes", hellonl.MsgEcho, bytes.Repeat([]byte("x"), hellonl.MaxEcho+4), unix.EINVAL, "longer than 256"},
		{"unknown type", 0x20, nil, unix.EOPNOTSUPP, "unknown message type"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), replyWait)
		var e nl.Encoder
		e.Begin(r.typ, nl.Acknowledge)
		e.Payload(r.data)
		e.End()
		_, err := c.Execute(ctx, &e)
		cancel()
		if err := wantRejected(err, r.errno, r.text); err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
	}
	if err := badLength(c); err != nil {
		return err
	}
	if err := shortDatagram(c); err != nil {
		return err
	}
	// The module survived all of it (whether its text is right is the echo
	// check's business).
	_, _, err = exchange(c, 0, "still there?")
	return err
}

// badLength sends a header whose nlmsg_len (64) exceeds its datagram (20
// bytes): the module must answer EINVAL and read nothing past the header.
func badLength(c *nl.Conn) error {
	const seq = 0x7e570001
	b := make([]byte, nl.HeaderLen+4)
	nl.PutHeader(b, nl.Header{Len: 64, Type: hellonl.MsgEcho, Flags: nl.Request, Seq: seq, Port: c.Port()})
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	if err := c.Send(ctx, b, nl.Addr{}); err != nil {
		return err
	}
	msgs, err := c.Receive(ctx)
	if err != nil {
		return fmt.Errorf("nlmsg_len past the datagram: no answer: %w", err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != nl.MsgError || msgs[0].Header.Seq != seq {
		return fmt.Errorf("nlmsg_len past the datagram: answered with %d messages %v; want one NLMSG_ERROR seq=%d",
			len(msgs), headers(msgs), seq)
	}
	e, err := nl.ParseError(msgs[0], nil, 0)
	if err != nil {
		return err
	}
	if e == nil {
		return errors.New("nlmsg_len past the datagram: acknowledged, want EINVAL")
	}
	if err := wantRejected(e, unix.EINVAL, "nlmsg_len inconsistent"); err != nil {
		return fmt.Errorf("nlmsg_len past the datagram: %w", err)
	}
	return nil
}

// shortDatagram sends 8 bytes, too few for a header: the module drops them.
func shortDatagram(c *nl.Conn) error {
	ctx, cancel := context.WithTimeout(context.Background(), replyWait)
	defer cancel()
	if err := c.Send(ctx, make([]byte, 8), nl.Addr{}); err != nil {
		return err
	}
	if err := wantSilence(c); err != nil {
		return fmt.Errorf("8-byte datagram: %w", err)
	}
	return nil
}

// example runs examples/hello against the module: an echo from a socket
// bound with the process id, and an event it asks for on a group it joined.
func (g *guest) example() error {
	if !g.loaded {
		return errors.New("module not loaded")
	}
	code, out, errs, err := runExample("-pid")
	if err != nil {
		return err
	}
	text, ok := strings.CutSuffix(out, "\n")
	if code != 0 || !strings.HasPrefix(text, "Hello from kernel! seq=") || strings.Contains(text, "\n") || errs != "" {
		return fmt.Errorf("hello -pid: status %d, stdout %q, stderr %q", code, out, errs)
	}
	if !ok {
		return fmt.Errorf("hello -pid: stdout %q lacks a newline", out)
	}
	code, out, errs, err = runExample("-join", "7", "-broadcast", "7", "-count", "1", "-timeout", "5s")
	if err != nil {
		return err
	}
	if code != 0 || !strings.Contains(out, " on group 7\n") || errs != "" {
		return fmt.Errorf("hello -join 7 -broadcast 7: status %d, stdout %q, stderr %q", code, out, errs)
	}
	return nil
}

// otherNetns checks that the protocol has no kernel side outside the
// initial network namespace: a socket opens there (protocols are
// registered system-wide), but a request finds nobody at port 0.
func (g *guest) otherNetns() error {
	ns, err := netns.New()
	if err != nil {
		return err
	}
	defer ns.Close()
	c, err := g.dial(&nl.Config{NetNS: ns})
	if err != nil {
		return err
	}
	_, _, err = exchange(c, 0, "anyone here?")
	if !errors.Is(err, unix.ECONNREFUSED) {
		return fmt.Errorf("echo in a new namespace: %v, want ECONNREFUSED", err)
	}
	code, out, errs, err := runExampleIn(&syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET})
	if err != nil {
		return err
	}
	want := "hello: protocol 31 has no kernel side in this network namespace: kmod/hello serves only the initial one\n"
	if code != 1 || errs != want || out != "" {
		return fmt.Errorf("hello in a new namespace: status %d, stdout %q, stderr %q; want 1, nothing, %q", code, out, errs, want)
	}
	return nil
}

// unload closes every socket (each holds a reference on the module),
// removes the module and checks that the protocol is gone.
func (g *guest) unload() error {
	for _, c := range g.conns {
		c.Close()
	}
	g.conns = nil
	if !g.loaded {
		return errors.New("module not loaded")
	}
	var err error
	for range 20 {
		err = unix.DeleteModule(moduleName, unix.O_NONBLOCK)
		if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EBUSY) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("delete_module: %w", err)
	}
	g.loaded = false
	return wantUnregistered()
}
