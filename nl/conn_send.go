package nl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// ErrFull is wrapped by the error a send returns when the receiver, a
// user-space port, has no room in its receive buffer: [Conn.TrySend] at
// once, [Conn.Send] once its context or the write deadline ends. The error
// matches unix.EAGAIN too. The kernel never refuses for this reason.
var ErrFull = errors.New("netlink: the receiver's buffer is full")

// Send sends b, one or more complete messages, as one datagram to addr,
// unchanged: no sequence number or flag is stamped. Replies, if any, arrive
// through the listener ([Conn.Messages], [Conn.Datagrams], [Conn.Receive]).
// It is the primitive for protocols without request/reply semantics
// (uevents, connector, user-space peers).
//
// While a user-space receiver's buffer is full, Send waits, retrying with a
// growing pause, until ctx ends or the write deadline passes; then it
// returns an error wrapping [ErrFull].
//
// A broadcast (to.Groups set, one of the first 32 groups) to port 0 of a
// protocol whose kernel side takes no input, such as NETLINK_USERSOCK, is
// delivered to the group even though the kernel refuses the unicast part
// with ECONNREFUSED; Send reports success then.
func (c *Conn) Send(ctx context.Context, b []byte, to Addr) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if c.trace != nil {
		c.trace.datagram("send", b, Meta{Port: to.Port, Group: uint32(firstBit(to.Groups))}, len(b))
	}
	return c.sendResult(c.sendWait(ctx, b, to), to)
}

// TrySend sends b as one datagram to addr, as Send does, but never waits:
// when the receiver, a user-space port, has no room, it returns at once
// with an error wrapping [ErrFull] (and unix.EAGAIN), and nothing was sent.
// Servers answer many clients with it, so that one client that does not
// read cannot hold up the others.
func (c *Conn) TrySend(b []byte, to Addr) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if c.trace != nil {
		c.trace.datagram("send", b, Meta{Port: to.Port, Group: uint32(firstBit(to.Groups))}, len(b))
	}
	err := c.sock.Send(b, to)
	if err == unix.EAGAIN {
		err = fullError(to)
	}
	return c.sendResult(err, to)
}

// sendResult words the outcome of a send to to.
func (c *Conn) sendResult(err error, to Addr) error {
	switch {
	case err == nil:
		return nil
	case c.closed.Load():
		return net.ErrClosed
	case to.Groups != 0 && to.Port == 0 && errors.Is(err, unix.ECONNREFUSED):
		return nil
	case errors.Is(err, ErrFull):
		return err
	}
	return fmt.Errorf("netlink: send to port %d: %w", to.Port, err)
}

func fullError(to Addr) error {
	return fmt.Errorf("netlink: send to port %d: %w (%w)", to.Port, ErrFull, unix.EAGAIN)
}

// sendWait sends b to addr, retrying while the receiver's buffer is full
// until ctx ends or the write deadline passes.
func (c *Conn) sendWait(ctx context.Context, b []byte, to Addr) error {
	pause := 20 * time.Microsecond
	var t *time.Timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		err := c.sock.Send(b, to)
		if err != unix.EAGAIN {
			return err
		}
		if c.closed.Load() {
			return net.ErrClosed
		}
		wait := pause
		if p := c.writeDL.Load(); p != nil {
			left := time.Until(*p)
			if left <= 0 {
				return fmt.Errorf("%w: %w", fullError(to), os.ErrDeadlineExceeded)
			}
			wait = min(wait, left) // one last try at the deadline
		}
		if t == nil {
			t = time.NewTimer(wait)
		} else {
			t.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", fullError(to), ctx.Err())
		case <-t.C:
		}
		pause = min(2*pause, 10*time.Millisecond)
	}
}
