package rtnl

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Namespace ids: a network namespace names its peers (other namespaces) by
// small integers, the ids that appear in IFLA_LINK_NETNSID and in
// NETLINK_LISTEN_ALL_NSID messages. They are local to the namespace of the
// Handle: the same peer may have different ids in different namespaces.

// NoNetNSID is the id of a namespace that has none assigned
// (NETNSA_NSID_NOT_ASSIGNED).
const NoNetNSID = -1

// rtgenmsgLen is the size of struct rtgenmsg, padded.
const rtgenmsgLen = 1

// NetNSID returns the id that the Handle's namespace gives ns, or NoNetNSID
// if it has none (RTM_GETNSID with NETNSA_FD).
func (h *Handle) NetNSID(ctx context.Context, ns *netns.NS) (int, error) {
	if ns == nil {
		return 0, errors.New("rtnl: netns id of a nil namespace")
	}
	e := h.encoder()
	defer h.release(e)
	e.Begin(unix.RTM_GETNSID, 0)
	e.Fixed(rtgenmsgLen)
	e.Uint32(unix.NETNSA_FD, uint32(ns.FD()))
	if err := e.End(); err != nil {
		return 0, err
	}
	id, found := NoNetNSID, false
	err := h.request(ctx, e, func(m nl.Message) error {
		if m.Header.Type != unix.RTM_NEWNSID {
			return nil
		}
		v, err := decodeNSID(m)
		id, found = v, err == nil
		return err
	})
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("rtnl: get netns id: no reply: %w", nl.ErrMalformed)
	}
	return id, nil
}

// SetNetNSID assigns id to ns in the Handle's namespace (RTM_NEWNSID).
// An id of NoNetNSID lets the kernel choose one. The kernel refuses to
// change an id once assigned (EEXIST).
func (h *Handle) SetNetNSID(ctx context.Context, ns *netns.NS, id int) error {
	if ns == nil {
		return errors.New("rtnl: set netns id of a nil namespace")
	}
	if id < NoNetNSID || id > 1<<31-1 {
		return fmt.Errorf("rtnl: invalid netns id %d", id)
	}
	e := h.encoder()
	defer h.release(e)
	e.Begin(unix.RTM_NEWNSID, nl.Flags(unix.NLM_F_ACK))
	e.Fixed(rtgenmsgLen)
	e.Uint32(unix.NETNSA_FD, uint32(ns.FD()))
	e.Int32(unix.NETNSA_NSID, int32(id))
	if err := e.End(); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// ListNetNSIDs returns, in increasing order, the ids the Handle's namespace
// has assigned to its peers.
func (h *Handle) ListNetNSIDs(ctx context.Context) ([]int, error) {
	build := func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETNSID, unix.NLM_F_DUMP)
		e.Fixed(rtgenmsgLen)
		e.End()
	}
	decode := func(id *int, m nl.Message, _ *store) error {
		v, err := decodeNSID(m)
		*id = v
		return err
	}
	ids, err := collect(ctx, h, build, unix.RTM_NEWNSID, decode, func(id *int) bool { return *id >= 0 })
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

// decodeNSID reads NETNSA_NSID from a RTM_NEWNSID message.
func decodeNSID(m nl.Message) (int, error) {
	if len(m.Data) < rtgenmsgLen {
		return 0, fmt.Errorf("rtnl: netns id message of %d bytes: %w", len(m.Data), nl.ErrMalformed)
	}
	id := NoNetNSID
	d := nl.NewAttrDecoder(m.Data[min(nl.Align(rtgenmsgLen), len(m.Data)):])
	for d.Next() {
		if d.Type() == unix.NETNSA_NSID {
			id = int(d.Int32())
		}
	}
	if err := d.Err(); err != nil {
		return 0, fmt.Errorf("rtnl: netns id: %w", err)
	}
	return id, nil
}
