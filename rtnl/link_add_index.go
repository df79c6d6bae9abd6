package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// ifiChangeAll is the ifi_change of the announcement of a link just
// created: rtnl_configure_link reports every field as changed (~0U) when
// it makes the link initialized, and only then.
const ifiChangeAll = 0xffffffff

// addUnnamedLink sends the RTM_NEWLINK request in e, which creates a link
// the kernel names, in the Handle's namespace, and returns the new link's
// index.
//
// The kernel echoes the new link to a request with NLM_F_ECHO only since
// 6.3; before, nothing in the answer names the link, and its name is the
// kernel's choice (KIND%d), so it cannot be looked up by name. So the
// request is sent on a socket of its own that listens to the link group
// (RTNLGRP_LINK), which then receives, in the kernel's order, the
// announcements made while the kernel handled the request, before its
// acknowledgement: the new link is the last link of the requested kind
// announced as created (ifi_change all ones, sent once, when the new link
// is configured) before the acknowledgement — a veth's peer is configured
// before the link asked for. An earlier announcement is cut off by a
// barrier, a NLMSG_NOOP acknowledged on the same socket just before the
// request. Where the kernel echoes, the echo (the announcement carrying
// the request's port and sequence number) settles it. What remains is the
// instant between the kernel's handling of the request and its
// acknowledgement, in which another process could create a link of the
// same kind in the same namespace; a link created by this request is
// announced in any case, so finding none is reported as an error, and so
// is a loss of announcements (an overrun) without an echo.
//
// ok is false, with nothing sent, when no such socket can be opened (a
// Handle made with New over a connection whose namespace is unknown): the
// caller then sends the request on its connection, relying on the echo.
func (h *Handle) addUnnamedLink(ctx context.Context, e *nl.Encoder) (index int, ok bool, err error) {
	cfg, release, err := h.sibling()
	if err != nil {
		return 0, false, nil
	}
	defer release()
	c, err := nl.Dial(nl.Route, &cfg)
	if err != nil {
		return 0, false, nil
	}
	defer c.Close()
	if err := c.JoinGroup(unix.RTNLGRP_LINK); err != nil {
		return 0, false, nil
	}
	index, err = addOnListener(ctx, h, c, e)
	return index, true, err
}

// addOnListener sends the request in e on c, which listens to the link
// group, and returns the new link's index (see addUnnamedLink).
func addOnListener(ctx context.Context, h *Handle, c *nl.Conn, e *nl.Encoder) (int, error) {
	// The barrier: everything announced before its acknowledgement is
	// older than the request.
	barrier := make([]byte, nl.HeaderLen)
	binary.NativeEndian.PutUint32(barrier[0:4], nl.HeaderLen)
	binary.NativeEndian.PutUint16(barrier[4:6], unix.NLMSG_NOOP)
	binary.NativeEndian.PutUint16(barrier[6:8], unix.NLM_F_REQUEST|unix.NLM_F_ACK)
	binary.NativeEndian.PutUint32(barrier[8:12], 1)
	binary.NativeEndian.PutUint32(barrier[12:16], c.Port())
	if err := c.Send(ctx, barrier, nl.Addr{}); err != nil {
		return 0, fmt.Errorf("rtnl: add link: barrier: %w", err)
	}
	if _, err := awaitAck(ctx, c, 1, nil, nil); err != nil {
		return 0, fmt.Errorf("rtnl: add link: barrier: %w", err)
	}

	const seq = 2
	req := append([]byte(nil), e.Bytes()...)
	flags := binary.NativeEndian.Uint16(req[6:8]) | unix.NLM_F_REQUEST | unix.NLM_F_ACK | unix.NLM_F_ECHO
	binary.NativeEndian.PutUint16(req[6:8], flags)
	binary.NativeEndian.PutUint32(req[8:12], seq)
	binary.NativeEndian.PutUint32(req[12:16], c.Port())
	kind := requestKind(req[nl.HeaderLen:])
	echoed, last, lost := 0, 0, false
	ack, err := awaitAck(ctx, c, seq, &lost, func(m nl.Message) {
		if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < ifinfomsgLen {
			return
		}
		index := int(int32(binary.NativeEndian.Uint32(m.Data[4:8])))
		switch {
		case m.Header.Seq == seq && m.Header.Port == c.Port(): // the echo, however delivered
			if echoed == 0 {
				echoed = index
			}
		case m.Meta.Group != 0 && binary.NativeEndian.Uint32(m.Data[12:16]) == ifiChangeAll && requestKind(m.Data) == kind:
			last = index
		}
	}, req)
	if err != nil {
		return 0, err
	}
	if ack != nil {
		var ne *nl.Error
		if errors.As(ack, &ne) {
			h.nameError(ctx, ack, e.Message(0))
		}
		return 0, ack
	}
	if echoed != 0 {
		return echoed, nil
	}
	if lost {
		return 0, fmt.Errorf("rtnl: add link of kind %q: created, but announcements were lost (overrun): its index is unknown", kind)
	}
	if last == 0 {
		return 0, fmt.Errorf("rtnl: add link of kind %q: created, but the kernel announced no new link of that kind", kind)
	}
	return last, nil
}

// awaitAck sends req on c if given, then reads c's messages until the
// acknowledgement of the request of sequence number seq, passing every
// other message to fn if it is not nil and setting *lost, if lost is not
// nil, when messages were lost. It returns the kernel's refusal of the
// request, if it refused it, as ack, and a failure to exchange as err.
func awaitAck(ctx context.Context, c *nl.Conn, seq uint32, lost *bool, fn func(nl.Message), req ...[]byte) (ack, err error) {
	for _, r := range req {
		if err := c.Send(ctx, r, nl.Addr{}); err != nil {
			return nil, fmt.Errorf("rtnl: add link: %w", err)
		}
	}
	for m, err := range c.Messages(ctx) {
		if err != nil {
			var oe *nl.OverrunError
			if errors.As(err, &oe) {
				if lost != nil {
					*lost = true
				}
				continue // notifications lost; the acknowledgement is a unicast, still to come
			}
			return nil, fmt.Errorf("rtnl: add link: %w", err)
		}
		if m.Meta.Group == 0 && m.Header.Seq == seq && m.Header.Type == unix.NLMSG_ERROR {
			var r []byte
			attrOff := 0
			if len(req) > 0 {
				r, attrOff = req[0], ifinfomsgLen
			}
			ne, perr := nl.ParseError(m, r, attrOff)
			if perr != nil {
				return nil, fmt.Errorf("rtnl: add link: %w", perr)
			}
			if ne != nil {
				return ne, nil
			}
			return nil, nil
		}
		if fn != nil {
			fn(m)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("rtnl: add link: %w", err)
	}
	return nil, errors.New("rtnl: add link: the socket closed before the acknowledgement")
}

// requestKind returns the IFLA_INFO_KIND in the IFLA_LINKINFO of an
// ifinfomsg and its attributes, or "".
func requestKind(b []byte) string {
	if len(b) < ifinfomsgLen {
		return ""
	}
	d := nl.NewAttrDecoder(b[ifinfomsgLen:])
	for d.Next() {
		if d.Type() != unix.IFLA_LINKINFO {
			continue
		}
		in := nl.NewAttrDecoder(d.Bytes())
		for in.Next() {
			if in.Type() == unix.IFLA_INFO_KIND {
				return string(cstringBytes(in.Bytes()))
			}
		}
	}
	return ""
}
