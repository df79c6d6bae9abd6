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

// readMode says how a datagram is read from the socket.
type readMode uint8

const (
	// readPeek peeks at each datagram first to learn its size, grows the
	// buffer if it must and reads it then: nothing is ever cut, at the
	// price of a second system call per datagram. Exchanges use it, since
	// a reply cut short could not be asked for again.
	readPeek readMode = iota
	// readOnce reads each datagram with one recvmsg. One larger than the
	// buffer comes back cut: its full length says so, and the buffer grows
	// for the next. Listeners, dumps and batch acknowledgements use it.
	readOnce
)

// errListenerYield is returned by receive when a listener must give the
// socket to a waiting requester.
var errListenerYield = errors.New("yield")

// receive reads one datagram into *buf and returns the bytes read, their
// metadata and the datagram's full length, which exceeds len(data) when
// the datagram was cut (readOnce only; the buffer has then grown). Called
// with the exchange lock held. A listener (listening) returns
// errListenerYield when a requester waits.
func (c *Conn) receive(o *op, buf *[]byte, oob []byte, listening bool, mode readMode) ([]byte, Meta, int, error) {
	for {
		dl, which, err := c.readyRead(o, listening)
		if err == errLookAgain {
			continue
		}
		if err != nil {
			return nil, Meta{}, 0, err
		}
		n, oobn, from, err := c.sock.Receive(*buf, oob, mode == readPeek)
		if err != nil {
			if err = c.readFailed(o, err, dl, which); err == nil {
				continue // woken for another reason: look again
			}
			return nil, Meta{}, 0, err
		}
		got := min(n, len(*buf))
		data := (*buf)[:got]
		if n > len(*buf) {
			grown := make([]byte, Align(n+4095)&^4095)
			if mode == readPeek {
				*buf = grown
				continue // read it again, whole
			}
			// The head stays valid for the caller: it lives in the old
			// buffer, which the connection no longer uses.
			*buf = grown
		}
		if mode == readPeek {
			if _, _, _, err := c.sock.Receive(nil, nil, false); err != nil {
				if errors.Is(err, unix.ENOBUFS) {
					// The kernel reported its overrun before dequeuing:
					// the datagram stays queued, to be read again.
					c.noteOverrun()
					return nil, Meta{}, 0, &OverrunError{}
				}
				return nil, Meta{}, 0, fmt.Errorf("netlink: receive: %w", err)
			}
		}
		meta := Meta{Port: from.Port}
		if from.Groups != 0 {
			meta.Group = uint32(firstBit(from.Groups))
		}
		ParseControl(oob[:oobn], &meta)
		if c.trace != nil {
			c.trace.datagram("recv", data, meta, n)
		}
		return data, meta, n, nil
	}
}

// errLookAgain is returned by readyRead when the read deadline moved
// while it was being set.
var errLookAgain = errors.New("look again")

// readyRead prepares a read: it sets the socket's read deadline to the
// op's and returns it with which bound it is, or the error that ends the
// read before it starts (closed, context done, a listener's turn over).
func (c *Conn) readyRead(o *op, listening bool) (time.Time, int, error) {
	if c.closed.Load() {
		return time.Time{}, 0, net.ErrClosed
	}
	gen := c.dlGen.Load()
	dl, which := o.deadline(c)
	if !c.sockDLOK || !dl.Equal(c.sockDL) {
		c.sock.SetReadDeadline(dl)
		c.sockDL, c.sockDLOK = dl, true
	}
	if c.dlGen.Load() != gen {
		// SetReadDeadline ran meanwhile: its kick may have been
		// overwritten by the deadline just set; look again.
		c.sockDLOK = false
		return time.Time{}, 0, errLookAgain
	}
	if err := o.ctx.Err(); err != nil {
		return time.Time{}, 0, err
	}
	if listening && c.waiting.Load() > 0 {
		return time.Time{}, 0, errListenerYield
	}
	return dl, which, nil
}

// readFailed turns a failed read into the error the receive returns, or
// nil when the read must be tried again (woken by a deadline that moved).
func (c *Conn) readFailed(o *op, err error, dl time.Time, which int) error {
	switch {
	case c.closed.Load():
		return net.ErrClosed
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.sockDLOK = false // a kick may have moved it
		if cerr := o.ctx.Err(); cerr != nil {
			return cerr
		}
		if !dl.IsZero() && !time.Now().Before(dl) {
			switch which {
			case dlContext:
				return context.DeadlineExceeded
			case dlInner:
				return errInnerDeadline
			}
			return os.ErrDeadlineExceeded
		}
		return nil
	case errors.Is(err, unix.ENOBUFS):
		c.noteOverrun()
		return &OverrunError{}
	}
	return fmt.Errorf("netlink: receive: %w", err)
}

// receiveBatch reads the datagrams queued for a listener, as many as one
// system call returns (at most Config.ReadBatch), into c.lbatch for the
// listener to deliver in order. Called with the exchange lock held, the
// previous batch delivered and c.lslots laid out.
func (c *Conn) receiveBatch(o *op, br batchReceiver) error {
	for {
		dl, which, err := c.readyRead(o, true)
		if err == errLookAgain {
			continue
		}
		if err != nil {
			return err
		}
		k, err := br.receiveBatch(c.lslots, c.loobs, c.lrecv)
		if err != nil {
			if err = c.readFailed(o, err, dl, which); err == nil {
				continue
			}
			return err
		}
		batch := c.lbatch[:0]
		largest := 0
		for i := range k {
			r := c.lrecv[i]
			slot := c.lslots[i]
			data := slot[:min(r.n, len(slot))]
			meta := Meta{Port: r.from.Port}
			if r.from.Groups != 0 {
				meta.Group = uint32(firstBit(r.from.Groups))
			}
			ParseControl(c.loobs[i][:r.oobn], &meta)
			if c.trace != nil {
				c.trace.datagram("recv", data, meta, r.n)
			}
			batch = append(batch, Datagram{Data: data, Meta: meta, Len: r.n})
			largest = max(largest, r.n)
		}
		width, size := len(c.lslots), len(c.lslots[0])
		if k == width && width < c.cfg.ReadBatch {
			width = min(2*width, c.cfg.ReadBatch)
		}
		if largest > size {
			size = Align(largest+4095) &^ 4095
		}
		if width != len(c.lslots) || size != len(c.lslots[0]) {
			// New buffers: the batch's datagrams keep the old ones.
			c.layBatch(width, size)
		}
		c.qmu.Lock()
		c.lbatch, c.lnext = batch, 0
		c.qmu.Unlock()
		return nil
	}
}

// layBatch gives a batch-reading listener width buffers of size bytes.
func (c *Conn) layBatch(width, size int) {
	data := make([]byte, width*size)
	oob := make([]byte, width*oobSize)
	c.lslots, c.loobs = make([][]byte, width), make([][]byte, width)
	for i := range width {
		c.lslots[i] = data[i*size : (i+1)*size : (i+1)*size]
		c.loobs[i] = oob[i*oobSize : (i+1)*oobSize : (i+1)*oobSize]
	}
	c.lrecv = make([]received, width)
	c.lbatch = make([]Datagram, 0, width)
}

// nextBatched takes the next undelivered datagram of the listener's
// batch, when no datagram kept for it comes first. Called with c.qmu held.
func (c *Conn) nextBatched() (Datagram, bool) {
	if len(c.pending) > 0 || c.lnext >= len(c.lbatch) {
		return Datagram{}, false
	}
	d := c.lbatch[c.lnext]
	c.lbatch[c.lnext] = Datagram{}
	c.lnext++
	return d, true
}

// keepBatch moves the undelivered datagrams of the listener's batch to
// the pending queue, copied, before a requester adds a later datagram to
// it. Called with c.qmu held.
func (c *Conn) keepBatch() {
	for ; c.lnext < len(c.lbatch); c.lnext++ {
		d := c.lbatch[c.lnext]
		c.lbatch[c.lnext] = Datagram{}
		c.pending = append(c.pending, parked{data: append([]byte(nil), d.Data...), meta: d.Meta, full: max(d.Len, len(d.Data))})
	}
}

// settle readies the socket for a request: it drains what is left of an
// abandoned dump, and reads out the queue after an overrun, since the
// kernel drops every message for a socket from its overrun until its queue
// is read empty, replies included. What is read is kept for the listener
// (or dropped as a late reply). Called with the exchange lock held.
func (c *Conn) settle(o *op) error {
	if err := c.drainDump(o); err != nil {
		return err
	}
	return c.drainCongested(o)
}

// congestedIdle is how long an empty queue must stay empty for
// drainCongested to take it for read out; congestedMax bounds the whole
// drain, for a socket that events keep filling.
const (
	congestedIdle = time.Millisecond
	congestedMax  = 100 * time.Millisecond
)

// drainCongested reads the socket's queue out after an overrun. Called
// with the exchange lock held.
func (c *Conn) drainCongested(o *op) error {
	if !c.congested {
		return nil
	}
	c.congested = false
	end := time.Now().Add(congestedMax)
	for time.Now().Before(end) {
		o.inner = time.Now().Add(congestedIdle)
		data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, readPeek)
		o.inner = time.Time{}
		switch {
		case err == errInnerDeadline:
			// A read whose deadline passed before it ran reports it
			// without looking: make sure the queue is empty.
			if queued, qerr := c.socketQueued(); qerr == nil && queued {
				continue
			}
			return nil
		case errors.As(err, new(*OverrunError)):
			continue
		case err != nil:
			return err
		}
		c.keep(data, meta, full)
	}
	return nil
}

// keep hands a datagram that no request waits for to the listener, or
// drops the late replies in it.
func (c *Conn) keep(data []byte, meta Meta, full int) {
	if !c.fromPeer(meta) || full > len(data) {
		c.parkDatagram(data, meta, full)
		return
	}
	for m, err := range Messages(data) {
		if err != nil {
			break
		}
		m.Meta = meta
		c.park(m)
	}
}

func firstBit(v uint32) int {
	for i := 0; i < 32; i++ {
		if v&(1<<i) != 0 {
			return i + 1
		}
	}
	return 0
}
