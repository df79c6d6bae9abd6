package nl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"time"
)

// Dump sends the single request encoded in e as a dump (NLM_F_DUMP is set)
// and streams the reply: each message is yielded as it is read, with Data
// aliasing the connection's receive buffer, valid only until the loop body
// returns. An error ends the iteration: an [*Error] from the kernel (an
// NLMSG_ERROR, or an NLMSG_DONE carrying an error), [ErrDumpInterrupted] as
// soon as a message is flagged NLM_F_DUMP_INTR, an overrun, or a context
// error. Breaking out of the loop early reads and drops the rest of the dump.
//
// The connection is busy until the loop ends: do not use it from the loop
// body. Wrap the loop in [Retry] to refetch interrupted dumps, or use
// [Collect], which does.
//
// On a connection without multicast memberships each datagram is read with
// a single recvmsg into the receive buffer (32 KiB, the most the kernel puts
// in a dump datagram unless a family asks for more). If a datagram does not
// fit, the buffer grows, and the dump ends with an error wrapping
// ErrDumpInterrupted, so that Retry fetches it again, now whole. On a
// connection with memberships every datagram is peeked at first, so that no
// event is ever cut.
func (c *Conn) Dump(ctx context.Context, e *Encoder) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		req, attrOff, err := single(e)
		if err != nil {
			yield(Message{}, err)
			return
		}
		o, err := c.acquire(ctx)
		if err != nil {
			yield(Message{}, err)
			return
		}
		defer c.release(o)
		seq := c.nextSeq()
		c.stamp(req, seq, Dump)
		// The end of a dump is its acknowledgement.
		binary.NativeEndian.PutUint16(req[6:8], binary.NativeEndian.Uint16(req[6:8])&^uint16(Acknowledge))
		if err := c.send(o.ctx, req); err != nil {
			yield(Message{}, err)
			return
		}
		d := dumpState{c: c, req: req, attrOff: attrOff, seq: seq, yield: yield}
		mode := readOnce
		if c.multicast.Load() {
			mode = readPeek
		}
		for {
			data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, mode)
			if err != nil {
				c.abandonDump(seq)
				if errors.As(err, new(*OverrunError)) {
					err = &OverrunError{Op: "dump " + d.name()}
				}
				d.fail(err)
				return
			}
			if !c.fromPeer(meta) {
				c.parkDatagram(data, meta, full)
				continue
			}
			if full > len(data) {
				if _, ours := c.cutReply(data, meta, func(s uint32) bool { return s == seq }); !ours {
					continue
				}
				// Whether the cut datagram ended the dump is unknown: stop
				// here; the next dump drains the rest first.
				c.abandonDump(seq)
				d.fail(fmt.Errorf("netlink: dump %s: a %d-byte datagram did not fit the %d-byte receive buffer and was cut (the buffer has grown; fetch the dump again): %w",
					d.name(), full, len(data), ErrDumpInterrupted))
				return
			}
			if d.datagram(data, meta) {
				return
			}
		}
	}
}

// abandonDump records that the dump numbered seq was left before its end:
// its late parts are dropped, and the next dump drains it first. Called
// with the exchange lock held.
func (c *Conn) abandonDump(seq uint32) {
	c.abandon(seq)
	c.openDump = seq
}

// dumpDrainIdle is how long drainDump waits for more of an abandoned dump.
// The kernel queues a dump's next datagram within the read that consumes
// the previous one, so an empty queue for this long means the dump is over.
const dumpDrainIdle = 100 * time.Millisecond

// drainDump reads and drops the rest of an abandoned dump, which the kernel
// would otherwise keep running, refusing new dumps with EBUSY. Called with
// the exchange lock held.
func (c *Conn) drainDump(o *op) error {
	for c.openDump != 0 {
		seq := c.openDump
		o.inner = time.Now().Add(dumpDrainIdle)
		data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, readPeek)
		o.inner = time.Time{}
		if err == errInnerDeadline {
			c.openDump = 0
			return nil
		}
		if err != nil {
			if errors.As(err, new(*OverrunError)) {
				c.openDump = 0
				continue
			}
			return err
		}
		if !c.fromPeer(meta) {
			c.parkDatagram(data, meta, full)
			continue
		}
		for m, err := range Messages(data) {
			if err != nil {
				break
			}
			m.Meta = meta
			if m.Header.Seq == seq && (m.Header.Type == MsgDone || m.Header.Type == MsgError) {
				c.openDump = 0
				continue
			}
			c.park(m) // dropped as stale, or kept for the listener
		}
	}
	return nil
}

// dumpState follows one dump through its datagrams.
type dumpState struct {
	c        *Conn
	req      []byte
	attrOff  int
	seq      uint32
	yield    func(Message, error) bool
	stopped  bool // the consumer is gone, or an error was yielded
	finished bool // the dump's last message was seen
}

func (d *dumpState) name() string { return d.c.opName(d.req) }

// fail yields err unless the consumer is gone; the rest of the dump is
// then read and dropped.
func (d *dumpState) fail(err error) {
	if !d.stopped {
		d.stopped = true
		d.yield(Message{}, err)
	}
}

// datagram handles the messages of one datagram from the peer and reports
// whether the dump is over. This is the hot path of large dumps: per
// message it reads the header in place and yields a view of the receive
// buffer.
func (d *dumpState) datagram(data []byte, meta Meta) bool {
	for len(data) >= HeaderLen {
		l := binary.NativeEndian.Uint32(data)
		if l < HeaderLen || uint64(l) > uint64(len(data)) {
			break // malformed: reported below
		}
		m := Message{
			Header: Header{
				Len:   l,
				Type:  MsgType(binary.NativeEndian.Uint16(data[4:])),
				Flags: Flags(binary.NativeEndian.Uint16(data[6:])),
				Seq:   binary.NativeEndian.Uint32(data[8:]),
				Port:  binary.NativeEndian.Uint32(data[12:]),
			},
			Data: data[HeaderLen:l:l],
			Meta: meta,
		}
		next := Align(int(l))
		if next > len(data) {
			next = len(data)
		}
		data = data[next:]
		if d.finished || m.Header.Seq != d.seq {
			d.c.park(m)
			continue
		}
		if m.Header.Flags&DumpIntr != 0 {
			d.fail(fmt.Errorf("netlink: dump %s: %w", d.name(), ErrDumpInterrupted))
		}
		if m.Header.Type < MsgMinType {
			if check := d.c.cfg.CheckControl; check != nil {
				if err := check(m, d.req); err != nil {
					d.c.abandon(d.seq)
					d.fail(err)
					d.finished = true
					continue
				}
			}
			switch m.Header.Type {
			case MsgNoop:
				continue
			case MsgOverrun:
				d.fail(&OverrunError{Op: "dump " + d.name()})
				d.finished = true
				continue
			case MsgError, MsgDone:
				if err := d.c.requestError(m, d.req, d.attrOff); err != nil {
					d.fail(err)
				}
				d.finished = true
				continue
			}
		}
		if !d.stopped && !d.yield(m, nil) {
			d.stopped = true
		}
	}
	if len(data) > 0 {
		_, _, err := NextMessage(data)
		d.c.abandonDump(d.seq)
		d.fail(fmt.Errorf("netlink: dump %s: %w", d.name(), err))
		return true
	}
	return d.finished
}
