// Command hello is the user program of the netlink document's custom
// protocol, written on nlkit: it opens a socket of protocol 31, which the
// kernel module kmod/hello registers, sends a message to the kernel
// (port 0), and prints the reply.
//
// Usage:
//
//	hello [-msg TEXT] [-pid] [-timeout D]
//	hello -join GROUP [-broadcast GROUP] [-count N] [-timeout D]
//	hello -broadcast GROUP
//
// With no flags it sends "Hello from user" and prints the kernel's answer,
// "Hello from kernel! seq=N", checking that N is the request's sequence
// number. -pid binds the socket with the process id as its port id, as the
// document's C program does; by default the kernel assigns one. -join
// listens for the module's events on a multicast group and prints them;
// -broadcast asks the module to send one (it needs CAP_NET_ADMIN, and so
// does -join). Given both, hello joins first, so it sees its own event.
//
// Without the module loaded, hello says that protocol 31 is not registered
// and exits with status 1; kmod/hello/README.md tells how to load it. Run
// in another network namespace than the initial one, which the module
// serves, it says that too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/kmod/hello/hellonl"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// errNotRegistered replaces the bare EPROTONOSUPPORT of a kernel without
// the module.
var errNotRegistered = errors.New("protocol 31 is not registered: load kmod/hello (see kmod/hello/README.md)")

// errOtherNamespace replaces the ECONNREFUSED of a request sent from a
// network namespace the module does not serve.
var errOtherNamespace = errors.New("protocol 31 has no kernel side in this network namespace: kmod/hello serves only the initial one")

// errUsage marks a command line that could not be used; run has already
// said why.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are hello's parsed flags.
type options struct {
	msg       string
	pid       bool
	join      uint32
	broadcast uint32
	count     int
	timeout   time.Duration
}

// run is the whole program; it returns the exit status: 0 on success,
// 1 on failure, 2 for a bad command line.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if err != nil {
		if !errors.Is(err, errUsage) && !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintf(stderr, "hello: %v\n", err)
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := hello(ctx, o, stdout); err != nil {
		fmt.Fprintf(stderr, "hello: %v\n", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var join, bcast uint
	fs := flag.NewFlagSet("hello", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.msg, "msg", "Hello from user", "the `text` to send")
	fs.BoolVar(&o.pid, "pid", false, "bind with the process id as port id (default: assigned by the kernel)")
	fs.UintVar(&join, "join", 0, "listen for events on multicast `group` 1-32")
	fs.UintVar(&bcast, "broadcast", 0, "ask the kernel to send an event to `group` 1-32")
	fs.IntVar(&o.count, "count", 0, "with -join, stop after `n` events (0: until interrupted)")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Second, "how long to wait for a reply or, with -join, for each event; 0 waits forever (the default with -join)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, g := range []uint{join, bcast} {
		if g > hellonl.Groups {
			return o, fmt.Errorf("group %d out of range 1-%d", g, hellonl.Groups)
		}
	}
	if o.count < 0 {
		return o, fmt.Errorf("negative -count %d", o.count)
	}
	o.join, o.broadcast = uint32(join), uint32(bcast)
	if o.join != 0 {
		timed := false
		fs.Visit(func(f *flag.Flag) { timed = timed || f.Name == "timeout" })
		if !timed {
			o.timeout = 0
		}
	}
	return o, nil
}

func hello(ctx context.Context, o options, stdout io.Writer) error {
	var cfg nl.Config
	if o.pid {
		cfg.Port = uint32(os.Getpid())
	}
	c, err := nl.Dial(hellonl.Protocol, &cfg)
	if errors.Is(err, unix.EPROTONOSUPPORT) {
		return errNotRegistered
	}
	if err != nil {
		return err
	}
	defer c.Close()

	if o.join != 0 {
		if err := c.JoinGroup(o.join); err != nil {
			return fmt.Errorf("join group %d: %w", o.join, err)
		}
	}
	if o.broadcast != 0 {
		if err := broadcast(ctx, c, o); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "asked for an event to group %d\n", o.broadcast)
	}
	switch {
	case o.join != 0:
		return listen(ctx, c, o, stdout)
	case o.broadcast != 0:
		return nil
	}
	return echo(ctx, c, o, stdout)
}

// within bounds ctx by d, unless d is 0.
func within(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, d)
}

// echo sends o.msg to the kernel and prints its reply.
func echo(ctx context.Context, c *nl.Conn, o options, stdout io.Writer) error {
	ctx, cancel := within(ctx, o.timeout)
	defer cancel()
	var e nl.Encoder
	hellonl.EncodeEcho(&e, 0, o.msg)
	msgs, err := c.Execute(ctx, &e)
	if errors.Is(err, unix.ECONNREFUSED) {
		return errOtherNamespace
	}
	if err != nil {
		return fmt.Errorf("echo: %w", err)
	}
	sent, err := nl.ParseHeader(e.Bytes()) // as stamped by the Conn
	if err != nil {
		return err
	}
	if len(msgs) != 1 {
		return fmt.Errorf("echo: %d replies, want 1", len(msgs))
	}
	r, err := hellonl.ParseReply(msgs[0])
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Text)
	if r.Seq != sent.Seq {
		return fmt.Errorf("the reply echoes seq=%d, the request had seq=%d", r.Seq, sent.Seq)
	}
	return nil
}

// broadcast asks the kernel for an event to group o.broadcast and waits for
// its acknowledgement.
func broadcast(ctx context.Context, c *nl.Conn, o options) error {
	ctx, cancel := within(ctx, o.timeout)
	defer cancel()
	var e nl.Encoder
	hellonl.EncodeBroadcast(&e, nl.Acknowledge, o.broadcast)
	_, err := c.Execute(ctx, &e)
	if errors.Is(err, unix.ECONNREFUSED) {
		return errOtherNamespace
	}
	if err != nil {
		return fmt.Errorf("broadcast to group %d: %w", o.broadcast, err)
	}
	return nil
}

// listen prints the events of group o.join until o.count have arrived, ctx
// ends, or no event comes within o.timeout.
func listen(ctx context.Context, c *nl.Conn, o options, stdout io.Writer) error {
	for n := 0; o.count == 0 || n < o.count; {
		rctx, cancel := within(ctx, o.timeout)
		msgs, err := c.Receive(rctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil // interrupted
			}
			return fmt.Errorf("group %d: %w", o.join, err)
		}
		for _, m := range msgs {
			ev, err := hellonl.ParseEvent(m)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "event %d on group %d\n", ev.Count, ev.Group)
			n++
		}
	}
	return nil
}
