package nl

import (
	"context"
	"errors"
	"time"
)

// The exchange lock and deadlines.
//
// A request/reply exchange (Do, Dump, Batch, Transact) holds the exchange
// lock throughout; a listener (Datagrams, Messages, Receive) holds it only
// while it reads. A requester that finds the lock taken wakes the listener
// by moving the socket's read deadline into the past ("a kick"); the
// listener steps aside until the request is done.

var aLongTimeAgo = time.Unix(1, 0)

// SetReadDeadline sets when receives (replies, listeners) give up with
// os.ErrDeadlineExceeded. The zero time means never. A context's deadline,
// when earlier, applies instead.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dlmu.Lock()
	c.readDL = t
	c.dlmu.Unlock()
	c.dlGen.Add(1)
	c.kick()
	return nil
}

// SetWriteDeadline sets when a send towards a full user-space receiver gives
// up. Sends to the kernel never wait.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	if t.IsZero() {
		c.writeDL.Store(nil)
	} else {
		c.writeDL.Store(&t)
	}
	return nil
}

// SetDeadline sets both deadlines.
func (c *Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.SetWriteDeadline(t)
}

// kick wakes whoever is blocked receiving, so that it re-examines its
// situation (context done, deadline changed, a requester waiting).
func (c *Conn) kick() { c.sock.SetReadDeadline(aLongTimeAgo) }

// lock takes the exchange lock for a request, waking a listener that holds
// it so that it yields. It gives up when ctx ends.
func (c *Conn) lock(ctx context.Context) error {
	select {
	case c.xlock <- struct{}{}:
		return nil
	default:
	}
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	c.kick()
	select {
	case c.xlock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lockListener takes the exchange lock for a listener, which does not wake
// anyone.
func (c *Conn) lockListener(ctx context.Context) error {
	select {
	case c.xlock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Conn) unlock() { <-c.xlock }

// acquire starts a request: it takes the exchange lock, begins the call's
// op and readies the socket (settle). release ends it.
func (c *Conn) acquire(ctx context.Context) (*op, error) {
	if err := c.lock(ctx); err != nil {
		return nil, err
	}
	o := c.begin(ctx)
	if err := c.settle(&o); err != nil {
		c.release(&o)
		return nil, err
	}
	return &o, nil
}

// release ends a request started by acquire.
func (c *Conn) release(o *op) {
	o.end()
	c.unlock()
}

// op is the state of one blocking call: its context and deadlines.
type op struct {
	ctx   context.Context
	ctxDL time.Time // the context's deadline, or zero
	inner time.Time // a deadline of the call's own (draining), or zero
	stop  func() bool
}

func (c *Conn) begin(ctx context.Context) op {
	o := op{ctx: ctx}
	if d, ok := ctx.Deadline(); ok {
		o.ctxDL = d
	}
	if ctx.Done() != nil {
		o.stop = context.AfterFunc(ctx, c.kick)
	}
	return o
}

func (o *op) end() {
	if o.stop != nil {
		o.stop()
	}
}

// Which deadline expired.
const (
	dlConn = iota
	dlContext
	dlInner
)

// errInnerDeadline reports that a call's own deadline passed.
var errInnerDeadline = errors.New("netlink: inner deadline")

// deadline returns the earliest of the connection's read deadline (read
// anew each time, so that SetReadDeadline reaches a blocked call), the
// context's and the call's own, and which one it is.
func (o *op) deadline(c *Conn) (time.Time, int) {
	c.dlmu.Lock()
	dl, which := c.readDL, dlConn
	c.dlmu.Unlock()
	if !o.ctxDL.IsZero() && (dl.IsZero() || o.ctxDL.Before(dl)) {
		dl, which = o.ctxDL, dlContext
	}
	if !o.inner.IsZero() && (dl.IsZero() || o.inner.Before(dl)) {
		dl, which = o.inner, dlInner
	}
	return dl, which
}
