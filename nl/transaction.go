package nl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// A Framing opens and closes a transaction: the messages a family wraps a
// group of changes in so that the kernel applies all of them or none, such
// as nftables' NFNL_MSG_BATCH_BEGIN and NFNL_MSG_BATCH_END. Begin and End
// append complete messages to e (Begin ... End each); both are required.
// The Conn stamps their sequence numbers and port; their NLM_F_ACK flag is
// theirs to choose (kernels differ in whether they acknowledge these
// messages, and the Conn does not rely on it). All or nothing is the
// family's promise, kept for a correct framing: nfnetlink drops a batch
// whose framing is malformed (a second begin, no end) without a word, and
// Transact then cannot tell it from one applied.
type Framing struct {
	Begin, End func(e *Encoder)
}

// TransactionOptions tune [Conn.Transact].
type TransactionOptions struct {
	// OnReply, if set, is called with every reply other than an
	// acknowledgement or error (such as the echo of a message sent with
	// NLM_F_ECHO), with the index of the message it answers (-1 for the
	// framing's opening messages, the number of messages for its closing
	// ones). Its Data is valid only during the call. An error from it stops
	// further calls; Transact still reads every answer and returns the
	// error after the transaction's outcome (a TransactionError when the
	// kernel refused it; otherwise the error, the transaction applied).
	OnReply func(index int, m Message) error
}

// A TransactionError reports a transaction the kernel refused: nothing of
// it was applied. Failures lists every message the kernel refused, in
// order, with its extended ACK; the index of a message is its position in
// the Encoder, -1 for the framing's opening messages (a refusal of the
// whole transaction, such as a permission error or a failed commit) and
// Total for its closing ones.
type TransactionError struct {
	Failures []BatchFailure
	Total    int // messages in the transaction, without the framing
}

// Error says that nothing was applied and lists the first refusals.
func (e *TransactionError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netlink transaction of %d messages refused, nothing applied", e.Total)
	for i, f := range e.Failures {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-3)
			break
		}
		switch {
		case f.Index < 0:
			fmt.Fprintf(&b, "; at its beginning: %v", f.Err)
		case f.Index >= e.Total:
			fmt.Fprintf(&b, "; at its end: %v", f.Err)
		default:
			fmt.Fprintf(&b, "; message %d: %v", f.Index, f.Err)
		}
	}
	return b.String()
}

// Unwrap returns the refusals, so that errors.Is and errors.As look into
// them.
func (e *TransactionError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f.Err
	}
	return errs
}

// ErrOutcomeUnknown is wrapped by the error [Conn.Transact] returns when a
// transaction was sent but its answers could not all be read (an overrun,
// the context ended, the connection closed): whether the kernel applied it
// is unknown, and must be learnt from the kernel's state.
var ErrOutcomeUnknown = errors.New("netlink: transaction sent, outcome unknown")

// Transact sends the messages of e, framed by f, as one transaction: one
// datagram, never split, which families such as nftables apply all or
// nothing. It returns nil when the kernel applied it, a [*TransactionError]
// naming every message the kernel refused when it applied nothing, an
// error wrapping [ErrOutcomeUnknown] when the answers could not all be
// read, and any other error when nothing was sent (a transaction too large
// for one datagram is refused before sending, with the sizes).
//
// Each message keeps the NLM_F_ACK flag it was encoded with. Transact does
// not count acknowledgements, which kernels of different versions send for
// different messages: after the transaction it sends a second datagram, a
// NLMSG_NOOP asking for an acknowledgement, and the kernel, which handles a
// socket's datagrams in order, answers it only after every answer to the
// transaction. The peer must therefore be the kernel (Config.Peer 0), of a
// family whose input acknowledges control messages (netlink_rcv_skb does:
// nfnetlink, genl, rtnetlink; the connector does not). With
// Config.NoENOBUFS, answers the kernel drops for want of room are not
// reported: give ctx a deadline. Requests that start dumps (NLM_F_DUMP)
// are refused: the kernel answers them later, outside the transaction.
func (c *Conn) Transact(ctx context.Context, e *Encoder, f Framing, opts *TransactionOptions) error {
	if opts == nil {
		opts = &TransactionOptions{}
	}
	if e.open {
		return errors.New("netlink: transaction: last message not ended (call End)")
	}
	if err := e.Err(); err != nil {
		return err
	}
	if c.cfg.Peer != 0 {
		return fmt.Errorf("netlink: transaction: the peer is port %d; transactions are the kernel's", c.cfg.Peer)
	}
	if f.Begin == nil || f.End == nil {
		return errors.New("netlink: transaction without framing: Framing.Begin and End are required (use Batch for requests the kernel applies one by one)")
	}
	n := e.Len()
	if n == 0 {
		return nil
	}
	if i, ok := findDump(e); ok {
		return fmt.Errorf("netlink: transaction: message %d is a dump request (NLM_F_DUMP), which the kernel answers outside any transaction", i)
	}
	var head, tail Encoder
	f.Begin(&head)
	f.End(&tail)
	for _, fe := range []*Encoder{&head, &tail} {
		if fe.open {
			return errors.New("netlink: transaction: framing message not ended (call End)")
		}
		if err := fe.Err(); err != nil {
			return fmt.Errorf("netlink: transaction framing: %w", err)
		}
	}
	o, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.release(o)

	// The datagram: the opening messages, e's, the closing ones; each
	// message's index and offset in it, for stamping and for errors.
	size := len(head.Bytes()) + len(e.Bytes()) + len(tail.Bytes())
	if err := c.fitDatagram(size); err != nil {
		return err
	}
	t := txn{buf: c.txbuf[:0]}
	t.add(&head, func(int) int { return -1 })
	t.add(e, func(i int) int { return i })
	t.add(&tail, func(int) int { return n })
	c.txbuf = t.buf

	total := len(t.msgs)
	// Room for an answer to every message before anything is sent: the
	// kernel queues them all during the sendmsg.
	if c.answerBudget() < total*ackCost {
		c.SetReadBuffer(total * ackCost)
	}
	base := c.reserveSeq(total + 1)
	fence := base + uint32(total)
	for i, m := range t.msgs {
		c.stamp(t.buf[m.off:], base+uint32(i), 0)
	}
	if err := c.send(o.ctx, t.buf); err != nil {
		return fmt.Errorf("netlink: transaction of %d messages (%d bytes) not sent: %w", n, len(t.buf), err)
	}
	var noop [HeaderLen]byte
	PutHeader(noop[:], Header{Len: HeaderLen, Type: MsgNoop, Flags: Acknowledge})
	c.stamp(noop[:], fence, 0)
	if err := c.send(o.ctx, noop[:]); err != nil {
		c.abandonRange(base, uint32(total+1))
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	failures, replyErr, err := c.collectTransaction(o, &t, base, fence, opts)
	if err != nil {
		c.abandonRange(base, uint32(total+1))
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	if len(failures) > 0 {
		return &TransactionError{Failures: failures, Total: n}
	}
	if replyErr != nil {
		return fmt.Errorf("netlink: transaction applied, but handling a reply failed: %w", replyErr)
	}
	return nil
}

// fitDatagram checks that a datagram of size bytes can be sent in one
// sendmsg, raising the send buffer if it must: the kernel refuses a
// datagram longer than the send buffer less 32 bytes. Called with the
// exchange lock held.
func (c *Conn) fitDatagram(size int) error {
	wb, err := c.WriteBuffer()
	if err != nil || size <= wb-32 {
		return nil // a fake socket, or it fits
	}
	c.SetWriteBuffer(size + 64)
	if wb, err = c.WriteBuffer(); err == nil && size <= wb-32 {
		return nil
	}
	return fmt.Errorf("netlink: transaction of %d bytes does not fit one datagram: the socket's send buffer holds %d (raising it past net.core.wmem_max needs CAP_NET_ADMIN); a transaction is never split: make it smaller or raise the limit", size, wb-32)
}

// txn is a transaction's datagram being built.
type txn struct {
	buf  []byte
	msgs []txnMsg
}

// txnMsg locates one message of a transaction.
type txnMsg struct {
	off   int // offset in the datagram
	attrs int // offset of its attributes in its payload
	index int // its position in the caller's Encoder; -1 or n for framing
}

// add appends the messages of e to the datagram; index gives the index of
// its i-th message in the caller's terms.
func (t *txn) add(e *Encoder, index func(i int) int) {
	off := len(t.buf)
	t.buf = append(t.buf, e.Bytes()...)
	for i := range e.Len() {
		t.msgs = append(t.msgs, txnMsg{off: off + e.msgs[i].off, attrs: e.msgs[i].attrs - HeaderLen, index: index(i)})
	}
}

// collectTransaction reads answers until the fence's acknowledgement,
// recording refusals and the first error of OnReply. Called with the
// exchange lock held.
func (c *Conn) collectTransaction(o *op, t *txn, base, fence uint32, opts *TransactionOptions) (failures []BatchFailure, replyErr error, err error) {
	for {
		data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, readPeek)
		if err != nil {
			return nil, nil, err
		}
		if !c.fromPeer(meta) && (opts.OnReply == nil || meta.Port != c.cfg.Peer) {
			c.parkDatagram(data, meta, full)
			continue
		}
		for len(data) > 0 {
			m, rest, err := NextMessage(data)
			if err != nil {
				return nil, nil, fmt.Errorf("netlink: transaction: reply: %w", err)
			}
			data = rest
			m.Meta = meta
			if meta.Group != 0 {
				// The echo of a message sent with NLM_F_ECHO comes as a
				// copy of the group's notification; anything else in a
				// group is the listener's.
				rel := m.Header.Seq - base
				if rel >= uint32(len(t.msgs)) || !c.isEcho(&m, Header{Flags: Flags(binary.NativeEndian.Uint16(t.buf[t.msgs[rel].off+6:]))}) {
					c.park(m)
					continue
				}
			}
			if m.Header.Seq == fence {
				if m.Header.Type == MsgError || m.Header.Type == MsgDone {
					return failures, replyErr, nil
				}
				continue
			}
			rel := m.Header.Seq - base
			if rel >= uint32(len(t.msgs)) {
				c.park(m)
				continue
			}
			tm := t.msgs[rel]
			switch m.Header.Type {
			case MsgNoop:
			case MsgOverrun:
				return nil, nil, &OverrunError{Op: "transaction"}
			case MsgError:
				if m.Header.Flags&AckTLVs == 0 && len(m.Data) >= 4 && binary.NativeEndian.Uint32(m.Data) == 0 {
					continue // a plain acknowledgement
				}
				req := t.buf[tm.off:]
				if rerr := c.requestError(m, req[:min(len(req), msgLenAt(req))], tm.attrs); rerr != nil {
					failures = append(failures, BatchFailure{Index: tm.index, Err: rerr})
				}
			default:
				if opts.OnReply != nil && replyErr == nil {
					replyErr = opts.OnReply(tm.index, m)
				}
			}
		}
	}
}
