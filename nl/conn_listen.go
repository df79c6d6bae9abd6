package nl

import (
	"context"
	"errors"
	"fmt"
	"iter"
)

// A Datagram is one datagram received on a netlink socket, with where it
// came from. Most protocols carry netlink messages in it ([Datagram.Messages]
// splits them); some do not (kernel uevents are "ACTION@DEVPATH\0KEY=VALUE\0…"
// strings, udev's a libudev header), and the listener never parses them.
type Datagram struct {
	// Data is what was received. It aliases a receive buffer, valid until
	// the loop body that received it returns; copy it to keep it.
	Data []byte
	// Meta says who sent it and how: sender port, group, namespace id,
	// credentials.
	Meta Meta
	// Len is the datagram's full length. It exceeds len(Data) when the
	// datagram was larger than the receive buffer: the rest was lost (the
	// buffer has grown since, for the next one).
	Len int
}

// Truncated reports whether part of the datagram was lost because it did
// not fit the receive buffer.
func (d Datagram) Truncated() bool { return d.Len > len(d.Data) }

// Messages splits the datagram's netlink messages in place, each carrying
// the datagram's Meta. A malformed message ends the iteration with an
// error wrapping [ErrMalformed]. Check Truncated first: a cut datagram's
// last message is missing or reads as malformed.
func (d Datagram) Messages() iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		for m, err := range Messages(d.Data) {
			m.Meta = d.Meta
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// ErrTruncated is wrapped by the error reporting a datagram that was larger
// than the receive buffer: its tail was lost. [OverrunError] matches it
// when it reports such a loss.
var ErrTruncated = errors.New("netlink: datagram larger than the receive buffer was cut")

// Datagrams streams every datagram that is not a reply to a request —
// multicast events, unsolicited messages, the datagrams of protocols that
// do not speak netlink messages — until the context ends, the connection
// closes, or the loop breaks. Each datagram is read with one system call
// into a reused buffer and is valid only until the loop body returns.
//
// A datagram larger than the buffer is yielded with [Datagram.Truncated]
// set (and the buffer grows for the next one). An overrun (the kernel
// dropped datagrams for want of room in the socket's receive buffer) is
// yielded as an [*OverrunError] and the stream goes on. Any other error ends
// it. Requests may be made on the same connection, from the loop body or
// other goroutines, while it streams: datagrams that arrive during them are
// kept, in order, and yielded first. One listener runs at a time: a second
// one waits until the first ends.
func (c *Conn) Datagrams(ctx context.Context) iter.Seq2[Datagram, error] {
	return func(yield func(Datagram, error) bool) {
		c.listen(ctx, func(d Datagram, err error) bool { return yield(d, err) })
	}
}

// Messages streams every message that is not a reply to a request
// (multicast events, unsolicited messages) until the context ends, the
// connection closes, or the loop breaks. Each message read from the socket
// aliases a receive buffer and is valid only until the loop body returns.
//
// Errors that concern one datagram are yielded and the stream goes on: an
// overrun, or a datagram cut for want of buffer room, as an
// [*OverrunError] (messages were lost: state learnt from events must be
// fetched again); a malformed datagram as an error wrapping [ErrMalformed],
// after the well-formed messages before the fault. Any other error ends
// the stream. Requests may be made on the same connection, from the loop
// body or other goroutines, while it streams.
func (c *Conn) Messages(ctx context.Context) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		c.listen(ctx, func(d Datagram, err error) bool {
			if err != nil {
				return yield(Message{}, err)
			}
			return c.yieldMessages(d, yield)
		})
	}
}

// yieldMessages yields the messages of a datagram a listener received and
// reports whether the consumer wants more. Messages that answer abandoned
// requests are dropped.
func (c *Conn) yieldMessages(d Datagram, yield func(Message, error) bool) bool {
	data := d.Data
	for len(data) > 0 {
		m, rest, err := NextMessage(data)
		if err != nil {
			if d.Truncated() {
				break // the cut is reported below
			}
			return yield(Message{}, fmt.Errorf("netlink: datagram of %d bytes from port %d: %w", d.Len, d.Meta.Port, err))
		}
		data = rest
		m.Meta = d.Meta
		if c.droppable(&m) {
			continue
		}
		if !yield(m, nil) {
			c.requeue(rest, d)
			return false
		}
	}
	if d.Truncated() {
		return yield(Message{}, truncatedError("receive", d))
	}
	return true
}

// truncatedError reports the loss of a datagram's tail.
func truncatedError(op string, d Datagram) error {
	return &OverrunError{Op: op, Truncated: d.Len, Kept: len(d.Data)}
}

// Receive returns the messages of the next datagram that is not a reply to
// a request (multicast events, unsolicited messages), copied so that they
// may be kept. Messages that arrived during requests come first, in order.
// An overrun, or a datagram cut for want of buffer room, is reported as an
// [*OverrunError], and a malformed datagram as an error wrapping
// [ErrMalformed] with the messages before the fault; either way the next
// call goes on with the next datagram.
func (c *Conn) Receive(ctx context.Context) ([]Message, error) {
	var out []Message
	var rerr error
	c.listen(ctx, func(d Datagram, err error) bool {
		if err != nil {
			rerr = err
			return false
		}
		c.yieldMessages(d, func(m Message, err error) bool {
			if err != nil {
				rerr = err
				return false
			}
			out = append(out, m.Clone())
			return true
		})
		return len(out) == 0 && rerr == nil
	})
	return out, rerr
}

// A parked datagram arrived while a request held the socket and was not
// its reply; it waits for the listener. data is the connection's own copy.
type parked struct {
	data []byte
	meta Meta
	full int
}

// listen delivers to fn every datagram kept while requests held the socket,
// then every datagram read from the socket, until fn returns false or an
// error ends the stream (fn sees it first). Overruns are delivered to fn as
// errors and do not end the stream. It gives the socket up to requesters
// while it waits.
func (c *Conn) listen(ctx context.Context, fn func(Datagram, error) bool) {
	select {
	case c.llock <- struct{}{}:
	case <-ctx.Done():
		fn(Datagram{}, ctx.Err())
		return
	}
	defer func() { <-c.llock }()
	o := c.begin(ctx)
	defer o.end()
	br, batching := c.sock.(batchReceiver)
	batching = batching && c.cfg.ReadBatch > 1
	if batching && len(c.lslots) == 0 {
		c.layBatch(1, len(c.lbuf))
	}
	for {
		// The rest of the last batch read comes next, unless a
		// consumer that stopped mid-datagram left its tail first.
		c.qmu.Lock()
		d, ok := c.nextBatched()
		c.qmu.Unlock()
		if ok {
			if c.staleDatagram(d.Data, d.Meta) {
				continue
			}
			if !fn(d, nil) {
				return
			}
			continue
		}
		if err := c.lockListener(ctx); err != nil {
			fn(Datagram{}, err)
			return
		}
		// Requesters park datagrams only while they hold the exchange
		// lock, so the queue cannot grow while this listener holds it.
		// What was kept comes first, in order; then the report of what
		// was lost after it.
		c.qmu.Lock()
		var p parked
		hasParked, lost, cause := false, false, c.lostCause
		if len(c.pending) > 0 {
			p, hasParked = c.pending[0], true
			c.pending[0] = parked{}
			c.pending = c.pending[1:]
			if len(c.pending) == 0 {
				c.pending = nil
			}
		} else if c.lost {
			lost, c.lost, c.lostCause = true, false, ""
		}
		c.qmu.Unlock()
		if lost {
			c.unlock()
			if !fn(Datagram{}, &OverrunError{Op: "receive" + cause}) {
				return
			}
			continue
		}
		if hasParked {
			c.unlock()
			if !fn(Datagram{Data: p.data, Meta: p.meta, Len: p.full}, nil) {
				return
			}
			continue
		}
		if batching {
			err := c.receiveBatch(&o, br)
			c.unlock()
			if err == nil {
				continue // deliver what was read
			}
			if err == errListenerYield {
				continue
			}
			if errors.As(err, new(*OverrunError)) {
				c.qmu.Lock()
				if len(c.pending) == 0 {
					c.lost, c.lostCause = false, ""
				}
				c.qmu.Unlock()
				if !fn(Datagram{}, &OverrunError{Op: "receive"}) {
					return
				}
				continue
			}
			fn(Datagram{}, err)
			return
		}
		data, meta, full, err := c.receive(&o, &c.lbuf, c.loob, true, readOnce)
		c.unlock()
		if err == errListenerYield {
			continue // lockListener waits until the requester is done
		}
		if err != nil {
			var oe *OverrunError
			if errors.As(err, &oe) {
				c.qmu.Lock()
				if len(c.pending) == 0 {
					c.lost, c.lostCause = false, "" // this report is the one the listener gives
				}
				c.qmu.Unlock()
				if !fn(Datagram{}, &OverrunError{Op: "receive"}) {
					return
				}
				continue
			}
			fn(Datagram{}, err)
			return
		}
		if c.staleDatagram(data, meta) {
			continue
		}
		if !fn(Datagram{Data: data, Meta: meta, Len: full}, nil) {
			return
		}
	}
}

// parkDatagram keeps a copy of a datagram that is not a reply for the
// listener, or drops it when it answers an abandoned request.
func (c *Conn) parkDatagram(data []byte, meta Meta, full int) {
	if c.staleDatagram(data, meta) {
		return
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	c.keepBatch()
	if len(c.pending) >= c.cfg.PendingLimit {
		c.lost, c.lostCause = true, lostPending
		return
	}
	c.pending = append(c.pending, parked{data: append([]byte(nil), data...), meta: meta, full: max(full, len(data))})
}

// park keeps one message that is not a reply for the listener, as a
// datagram of its own, or drops it when it answers an abandoned request.
func (c *Conn) park(m Message) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.isStale(m) {
		return
	}
	c.keepBatch()
	if len(c.pending) >= c.cfg.PendingLimit {
		c.lost, c.lostCause = true, lostPending
		return
	}
	b := AppendMessage(nil, m)
	c.pending = append(c.pending, parked{data: b, meta: m.Meta, full: len(b)})
}

// requeue puts the undelivered rest of datagram d back in front of the
// queue, for the next listener, when a consumer stops in the middle.
func (c *Conn) requeue(rest []byte, d Datagram) {
	if len(rest) == 0 && !d.Truncated() {
		return
	}
	p := parked{data: append([]byte(nil), rest...), meta: d.Meta, full: len(rest)}
	if d.Truncated() {
		p.full = len(rest) + d.Len - len(d.Data)
	}
	c.qmu.Lock()
	c.pending = append([]parked{p}, c.pending...)
	c.qmu.Unlock()
}

// noteOverrun records that the kernel dropped messages: a listener learns
// it from its next receive even if a request consumed the kernel's report,
// and the next request reads the queue out first (see settle). Called with
// the exchange lock held.
func (c *Conn) noteOverrun() {
	c.congested = true
	if c.multicast.Load() {
		c.markLost()
	}
}

// lostPending is the cause of a loss the Conn made itself.
const lostPending = " (datagrams that arrived during requests exceeded Config.PendingLimit)"

// markLost records that datagrams meant for the listener were lost.
func (c *Conn) markLost() {
	c.qmu.Lock()
	c.lost = true
	c.qmu.Unlock()
}

// A seqRange is n sequence numbers from lo.
type seqRange struct{ lo, n uint32 }

// abandon records that replies to seq may still arrive and must be dropped.
func (c *Conn) abandon(seq uint32) { c.abandonRange(seq, 1) }

// abandonRange records that replies to the n requests numbered from lo may
// still arrive and must be dropped.
func (c *Conn) abandonRange(lo, n uint32) {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.nstale < len(c.stale) {
		c.nstale++
	} else {
		copy(c.stale[:], c.stale[1:])
	}
	c.stale[c.nstale-1] = seqRange{lo, n}
}

// isStale reports whether m answers an abandoned request. Called with
// c.qmu held.
func (c *Conn) isStale(m Message) bool {
	if m.Meta.Group != 0 || m.Meta.Port != c.cfg.Peer || m.Header.Seq == 0 {
		return false
	}
	for _, r := range c.stale[:c.nstale] {
		if m.Header.Seq-r.lo < r.n {
			return true
		}
	}
	return false
}

// staleDatagram reports whether a datagram answers an abandoned request:
// a unicast from the peer whose first message carries such a request's
// sequence number (the peer never mixes the replies to one request with
// anything else in a datagram).
func (c *Conn) staleDatagram(data []byte, meta Meta) bool {
	if meta.Group != 0 || meta.Port != c.cfg.Peer {
		return false
	}
	h, err := ParseHeader(data)
	if err != nil {
		return false
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.nstale == 0 {
		return false
	}
	return c.isStale(Message{Header: h, Meta: meta})
}

// droppable reports whether a message read by a listener answers an
// abandoned request.
func (c *Conn) droppable(m *Message) bool {
	if m.Meta.Group != 0 || m.Meta.Port != c.cfg.Peer || m.Header.Seq == 0 {
		return false
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	return c.isStale(*m)
}
