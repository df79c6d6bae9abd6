package nl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"

	"github.com/nlkit/nlkit/catalog"
	"golang.org/x/sys/unix"
)

// single checks that e holds exactly one finished message and returns it.
func single(e *Encoder) ([]byte, int, error) {
	if e.open {
		return nil, 0, errors.New("netlink: request not ended (call End)")
	}
	if err := e.Err(); err != nil {
		return nil, 0, err
	}
	if e.Len() != 1 {
		return nil, 0, fmt.Errorf("netlink: a request must be exactly one message, have %d", e.Len())
	}
	return e.buf, e.msgs[0].attrs - HeaderLen, nil
}

// Do sends the single request encoded in e and calls fn for each reply
// message, in order; each message (and its Data) is valid only during the
// call. Do returns when the exchange is complete: after the NLMSG_ERROR
// answering a request that asked for an acknowledgement (NLM_F_ACK), after
// NLMSG_DONE ends a multipart reply, or else after the first reply. An error
// from the kernel is returned as an [*Error]; an error from fn stops the
// exchange (the rest of the reply is read and dropped) and is returned.
//
// Do stamps the sequence number and port id into e's buffer and sets
// NLM_F_REQUEST.
func (c *Conn) Do(ctx context.Context, e *Encoder, fn func(Message) error) error {
	req, attrOff, err := single(e)
	if err != nil {
		return err
	}
	o, err := c.acquire(ctx)
	if err != nil {
		return err
	}
	defer c.release(o)
	return c.exchange(o, req, attrOff, fn)
}

// Execute sends the single request encoded in e, as [Conn.Do] does, and
// returns copies of the reply messages (without the final acknowledgement).
func (c *Conn) Execute(ctx context.Context, e *Encoder) ([]Message, error) {
	var out []Message
	err := c.Do(ctx, e, func(m Message) error {
		out = append(out, m.Clone())
		return nil
	})
	return out, err
}

// fromPeer reports whether a datagram is a unicast from the port requests
// go to: only those carry replies (and the echo of a request with
// NLM_F_ECHO, which comes as a copy of a group notification).
func (c *Conn) fromPeer(meta Meta) bool {
	return meta.Group == 0 && meta.Port == c.cfg.Peer
}

// exchange runs one request/reply exchange. Called with the exchange lock
// held.
func (c *Conn) exchange(o *op, req []byte, attrOff int, fn func(Message) error) error {
	seq := c.nextSeq()
	c.stamp(req, seq, 0)
	h, _ := ParseHeader(req)
	wantAck := h.Flags&Acknowledge != 0
	isDump := h.Flags&Dump == Dump
	echo := h.Flags&Echo != 0
	if err := c.send(o.ctx, req); err != nil {
		return err
	}
	var fnErr, result error
	interrupted := false
	for {
		data, meta, full, err := c.receive(o, &c.rbuf, c.oob, false, readPeek)
		if err != nil {
			if isDump {
				c.abandonDump(seq)
			} else {
				c.abandon(seq)
			}
			if errors.As(err, new(*OverrunError)) {
				// Our reply may be among what was lost: give up on it.
				return &OverrunError{Op: c.opName(req)}
			}
			return err
		}
		if !echo && !c.fromPeer(meta) {
			c.parkDatagram(data, meta, full)
			continue
		}
		finished := false
		for len(data) > 0 {
			m, rest, err := NextMessage(data)
			if err != nil {
				c.abandon(seq)
				return fmt.Errorf("netlink: %s: reply: %w", c.opName(req), err)
			}
			data = rest
			m.Meta = meta
			if finished || !c.isReply(&m, seq, h) {
				c.park(m)
				continue
			}
			if m.Header.Flags&DumpIntr != 0 {
				interrupted = true
			}
			if m.Header.Type < MsgMinType && c.cfg.CheckControl != nil {
				if err := c.cfg.CheckControl(m, req); err != nil {
					c.abandon(seq)
					result, finished = err, true
					continue
				}
			}
			switch m.Header.Type {
			case MsgNoop:
				continue
			case MsgOverrun:
				result = &OverrunError{Op: c.opName(req)}
				finished = true
				continue
			case MsgError:
				result = c.requestError(m, req, attrOff)
				finished = true
				continue
			case MsgDone:
				if m.Header.Flags&Multi != 0 || isDump {
					result = c.requestError(m, req, attrOff)
					if !wantAck || result != nil || isDump {
						finished = true
					}
					continue
				}
			}
			if fnErr == nil {
				fnErr = fn(m)
			}
			if m.Header.Flags&Multi == 0 && !wantAck && !isDump {
				finished = true
			}
		}
		if finished {
			break
		}
	}
	if result != nil {
		return result
	}
	if interrupted {
		return fmt.Errorf("netlink: %s: %w", c.opName(req), ErrDumpInterrupted)
	}
	return fnErr
}

// isReply reports whether m, received in a datagram with meta, answers
// the request req, stamped with sequence number seq.
func (c *Conn) isReply(m *Message, seq uint32, req Header) bool {
	return m.Header.Seq == seq && m.Meta.Port == c.cfg.Peer &&
		(m.Meta.Group == 0 || c.isEcho(m, req))
}

// isEcho reports whether m, delivered to a multicast group, is the echo of
// our request req (NLM_F_ECHO): the kernel sends the echo to the requester
// as a copy of the group notification, group included, with the
// requester's port id in the header.
func (c *Conn) isEcho(m *Message, req Header) bool {
	return req.Flags&Echo != 0 && m.Header.Port == c.Port()
}

// cutReply accounts for a datagram that did not fit the receive buffer,
// given its head: if it came from the peer and ours says its sequence
// number belongs to the caller's request, it returns that number and true;
// otherwise an unsolicited message was lost, which is recorded for the
// listener.
func (c *Conn) cutReply(head []byte, meta Meta, ours func(seq uint32) bool) (uint32, bool) {
	if h, err := ParseHeader(head); err == nil && c.fromPeer(meta) && ours(h.Seq) {
		return h.Seq, true
	}
	if !c.staleDatagram(head, meta) { // a late reply nobody waits for is no loss
		c.markLost()
	}
	return 0, false
}

// stamp sets the sequence number, port and request flag of the message at
// b[0].
func (c *Conn) stamp(b []byte, seq uint32, add Flags) {
	f := Flags(binary.NativeEndian.Uint16(b[6:8])) | Request | add
	binary.NativeEndian.PutUint16(b[6:8], uint16(f))
	binary.NativeEndian.PutUint32(b[8:12], seq)
	binary.NativeEndian.PutUint32(b[12:16], c.local.Port)
}

// send sends one datagram of requests to the peer, waiting while a
// user-space peer's buffer is full until ctx ends or the write deadline.
func (c *Conn) send(ctx context.Context, b []byte) error {
	if c.closed.Load() {
		return net.ErrClosed
	}
	if c.trace != nil {
		c.trace.datagram("send", b, Meta{Port: c.cfg.Peer}, len(b))
	}
	if err := c.sendWait(ctx, b, Addr{Port: c.cfg.Peer}); err != nil {
		if c.closed.Load() {
			return net.ErrClosed
		}
		return fmt.Errorf("netlink: send: %w", err)
	}
	return nil
}

// describeRequest describes the request message at req[0] for errors.
func (c *Conn) describeRequest(req []byte) (catalog.Message, bool) {
	m, ok := requestMessage(req)
	if !ok {
		return catalog.Message{}, false
	}
	return c.desc.Describe(c.proto, m)
}

// opName names the request at req[0] for errors: the name of its type.
func (c *Conn) opName(req []byte) string {
	h, err := ParseHeader(req)
	if err != nil {
		return "request"
	}
	if h.Type < MsgMinType {
		return h.Type.String()
	}
	if m, ok := c.describeRequest(req); ok {
		return m.Name
	}
	return fmt.Sprintf("%v message type %d", c.proto, uint16(h.Type))
}

// requestError decodes an NLMSG_ERROR (or an NLMSG_DONE carrying an error)
// answering req, the request as sent with attributes at attrOff.
func (c *Conn) requestError(m Message, req []byte, attrOff int) error {
	var e *Error
	var err error
	if m.Header.Type == MsgDone {
		e, err = parseDoneError(m)
	} else {
		e, err = ParseError(m, req, attrOff)
	}
	if err != nil || e == nil {
		return err
	}
	if len(req) >= HeaderLen {
		if e.Op == "" {
			e.Op = c.opName(req)
		}
		if d, ok := c.describeRequest(req); ok {
			if len(e.Attr) > 0 {
				e.AttrName = d.AttrPath(e.Attr)
			}
			if e.MissingType != 0 {
				e.MissingName = d.AttrPath(append(append([]uint16(nil), e.MissingNestAttr...), e.MissingType))
			}
		}
	}
	if e.Errno == 0 {
		c.warn(e)
		return nil
	}
	return e
}

func (c *Conn) warn(e *Error) {
	if c.cfg.OnWarning != nil {
		c.cfg.OnWarning(e)
	} else if c.trace != nil {
		c.trace.note("warning: " + e.Error())
	}
}

// parseDoneError decodes the error code and extended ACK a dump's
// NLMSG_DONE may carry. It returns nil for a plain DONE.
func parseDoneError(m Message) (*Error, error) {
	if len(m.Data) < 4 {
		return nil, nil
	}
	code := int32(binary.NativeEndian.Uint32(m.Data))
	e := &Error{}
	if code < 0 {
		e.Errno = unix.Errno(-code)
	}
	if m.Header.Flags&AckTLVs != 0 {
		if err := e.parseTLVs(m.Data[4:]); err != nil {
			return nil, err
		}
	}
	if e.Errno == 0 && e.Message == "" {
		return nil, nil
	}
	return e, nil
}
