package nl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// BatchOptions tune [Conn.Batch].
type BatchOptions struct {
	// MaxBytes bounds the bytes sent in one sendmsg. The default is 64 KiB;
	// it is also capped by the socket's send buffer.
	MaxBytes int
	// ContinueOnError sends every request even after failures. By default
	// the batch stops after the sendmsg that carried the first failure:
	// requests already sent in it are processed by the kernel (and their
	// outcomes reported), the rest are not sent.
	ContinueOnError bool
	// OnReply, if set, is called with every reply other than an
	// acknowledgement (such as the echo of a request with NLM_F_ECHO),
	// with the index of the request it answers. Its Data is valid only
	// during the call.
	OnReply func(index int, m Message) error
}

// A BatchFailure is the kernel's refusal of one request of a batch.
type BatchFailure struct {
	Index int   // the request's position in the Encoder
	Err   error // usually an [*Error] with the extended ACK
}

// A BatchError reports what went wrong in a batch: every request the kernel
// refused, and what stopped the batch early, if anything. Requests before
// Done that are not among the Failures were applied; requests from Done on
// were not sent, or their outcome is unknown (see Err).
type BatchError struct {
	Failures []BatchFailure
	Done     int   // requests whose outcome is known, counted from the first
	Total    int   // requests in the batch
	Err      error // what stopped the batch early, other than failures; nil if none
}

// Error summarizes the batch's outcome and its first failures.
func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netlink batch: %d of %d requests failed", len(e.Failures), e.Total)
	if e.Done < e.Total {
		if e.Err != nil {
			fmt.Fprintf(&b, ", %d not sent or of unknown outcome", e.Total-e.Done)
		} else {
			fmt.Fprintf(&b, ", %d not sent", e.Total-e.Done)
		}
	}
	if e.Err != nil {
		fmt.Fprintf(&b, " (stopped: %v)", e.Err)
	}
	for i, f := range e.Failures {
		if i == 3 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-3)
			break
		}
		fmt.Fprintf(&b, "; request %d: %v", f.Index, f.Err)
	}
	return b.String()
}

// Unwrap returns the failures' errors and the stopping error, so that
// errors.Is and errors.As look into them.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, 0, len(e.Failures)+1)
	for _, f := range e.Failures {
		errs = append(errs, f.Err)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

// batchReadBuffer is the receive buffer Batch asks for, so that the
// failures of a whole sendmsg's worth of requests fit.
const batchReadBuffer = 4 << 20

// ackCost estimates the receive buffer an acknowledgement or error occupies
// in the kernel (its socket buffer's true size), in bytes.
const ackCost = 1024

// Batch sends every message of e, many per sendmsg, and reports the outcome
// of each: it returns nil when the kernel accepted them all, and otherwise a
// [*BatchError] naming each failed request by its index with the kernel's
// extended ACK. It is the mechanism for bulk changes in every family.
//
// Only the last request of each sendmsg asks for an acknowledgement
// (NLM_F_ACK is cleared on the others): the kernel handles a datagram's
// requests in order and answers every failure whether or not it was asked
// to, so the acknowledgement of the last one says that the failures of all
// are in. This is what makes a batch cost about one receive per sendmsg
// rather than one per request. A request whose handler the kernel runs
// later, such as a dump, does not belong in a batch.
//
// The requests in flight are bounded so that the worst case, a failure for
// every one, fits the socket's receive buffer, which Batch raises (to
// 4 MiB, forced when privileged) the first time it runs.
func (c *Conn) Batch(ctx context.Context, e *Encoder, opts *BatchOptions) error {
	if opts == nil {
		opts = &BatchOptions{}
	}
	if e.open {
		return errors.New("netlink: batch: last request not ended (call End)")
	}
	if err := e.Err(); err != nil {
		return err
	}
	n := e.Len()
	if n == 0 {
		return nil
	}
	if i, ok := findDump(e); ok {
		return fmt.Errorf("netlink: batch: request %d is a dump request (NLM_F_DUMP), which the kernel answers later: use Dump", i)
	}
	o, err := c.acquire(ctx)
	if err != nil {
		return &BatchError{Total: n, Err: err}
	}
	defer c.release(o)

	maxBytes, budget := c.batchLimits(opts.MaxBytes)
	base := c.reserveSeq(n)
	be := &BatchError{Total: n}
	buf := e.buf
	end := func(i int) int { // end offset of message i
		if i+1 < n {
			return e.msgs[i+1].off
		}
		return len(buf)
	}
	for i := 0; i < n; {
		// Choose the chunk [i, j).
		start := e.msgs[i].off
		j, cost := i, 0
		for j < n {
			l := end(j) - e.msgs[j].off
			if j > i && (end(j)-start > maxBytes || cost+ackCost+2*l > budget) {
				break
			}
			cost += ackCost + 2*l
			j++
		}
		for k := i; k < j; k++ {
			c.stampAck(buf[e.msgs[k].off:], base+uint32(k), k == j-1)
		}
		if err := c.send(o.ctx, buf[start:end(j-1)]); err != nil {
			be.Done, be.Err = i, err
			return be
		}
		failed := len(be.Failures)
		if err := c.collectBatch(o, e, base, i, j, be, opts); err != nil {
			c.abandonRange(base+uint32(i), uint32(j-i))
			be.Err = err
			return be
		}
		be.Done = j
		i = j
		if len(be.Failures) > failed && !opts.ContinueOnError {
			break
		}
	}
	if len(be.Failures) == 0 {
		return nil
	}
	return be
}

// findDump returns the index of the first dump request (NLM_F_DUMP) in e.
func findDump(e *Encoder) (int, bool) {
	for i, m := range e.msgs {
		if Flags(binary.NativeEndian.Uint16(e.buf[m.off+6:]))&Dump == Dump {
			return i, true
		}
	}
	return 0, false
}

// stampAck stamps the message at b[0] as stamp does, and sets or clears
// its NLM_F_ACK flag.
func (c *Conn) stampAck(b []byte, seq uint32, ack bool) {
	f := Flags(binary.NativeEndian.Uint16(b[6:8])) &^ Acknowledge
	if ack {
		f |= Acknowledge
	}
	binary.NativeEndian.PutUint16(b[6:8], uint16(f))
	c.stamp(b, seq, 0)
}

// batchLimits returns the bytes per sendmsg and the receive-buffer budget
// for answers in flight. Called with the exchange lock held.
func (c *Conn) batchLimits(maxBytes int) (int, int) {
	if maxBytes <= 0 {
		maxBytes = 64 << 10
	}
	if wb, err := c.WriteBuffer(); err == nil && wb > 64 && maxBytes > wb-64 {
		maxBytes = wb - 64
	}
	return maxBytes, c.answerBudget()
}

// answerBudget raises the receive buffer for a burst of answers, if it is
// small, and returns how many bytes of answers may be in flight. Called
// with the exchange lock held.
func (c *Conn) answerBudget() int {
	rb, err := c.ReadBuffer()
	if err == nil && rb < 2*batchReadBuffer {
		c.SetReadBuffer(batchReadBuffer)
		rb, err = c.ReadBuffer()
	}
	if err != nil || rb <= 0 {
		rb = 212992
	}
	return rb * 3 / 4
}

// collectBatch reads the answers to the requests [lo, hi) of the batch
// numbered from base, until the acknowledgement (or error) of the last
// one, recording failures in be. Called with the exchange lock held.
func (c *Conn) collectBatch(o *op, e *Encoder, base uint32, lo, hi int, be *BatchError, opts *BatchOptions) error {
	want := uint32(hi - lo)
	last := want - 1
	be.Done = lo
	// Without multicast memberships only answers (small, unless the
	// caller asked for echoes) and rare unsolicited unicasts arrive: read
	// each with one recvmsg. Anything that does not fit is accounted for
	// below, never silently lost.
	mode := readOnce
	if c.multicast.Load() || opts.OnReply != nil {
		mode = readPeek
	}
	for {
		data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, mode)
		if err != nil {
			if errors.As(err, new(*OverrunError)) {
				return &OverrunError{Op: fmt.Sprintf("batch requests %d-%d", lo, hi-1)}
			}
			return err
		}
		if opts.OnReply == nil && !c.fromPeer(meta) {
			c.parkDatagram(data, meta, full)
			continue
		}
		if full > len(data) {
			inChunk := func(s uint32) bool { return s-base-uint32(lo) < want }
			if seq, ours := c.cutReply(data, meta, inChunk); ours {
				return fmt.Errorf("netlink: batch: an answer to request %d did not fit the receive buffer and was lost: %w",
					int(seq-base), ErrOverrun)
			}
			continue
		}
		done := false
		for len(data) > 0 {
			m, rest, err := NextMessage(data)
			if err != nil {
				return fmt.Errorf("netlink: batch: reply: %w", err)
			}
			data = rest
			m.Meta = meta
			rel := m.Header.Seq - base - uint32(lo)
			if m.Meta.Port != c.cfg.Peer || rel >= want ||
				m.Meta.Group != 0 && !c.isEcho(&m, e.Message(lo+int(rel)).Header) {
				c.park(m)
				continue
			}
			idx := lo + int(rel)
			switch m.Header.Type {
			case MsgNoop:
				continue
			case MsgOverrun:
				return &OverrunError{Op: fmt.Sprintf("batch requests %d-%d", lo, hi-1)}
			case MsgError:
				if rel == last {
					done = true
				}
				if m.Header.Flags&AckTLVs == 0 && len(m.Data) >= 4 && binary.NativeEndian.Uint32(m.Data) == 0 {
					continue // a plain acknowledgement
				}
				req := e.buf[e.msgs[idx].off:]
				if rerr := c.requestError(m, req[:min(len(req), msgLenAt(req))], e.msgs[idx].attrs-HeaderLen); rerr != nil {
					be.Failures = append(be.Failures, BatchFailure{Index: idx, Err: rerr})
				}
			default:
				if opts.OnReply != nil {
					if err := opts.OnReply(idx, m); err != nil {
						return err
					}
				}
			}
		}
		if done {
			return nil
		}
	}
}

// msgLenAt returns the length field of the message at b[0].
func msgLenAt(b []byte) int {
	h, err := ParseHeader(b)
	if err != nil {
		return 0
	}
	return int(h.Len)
}
