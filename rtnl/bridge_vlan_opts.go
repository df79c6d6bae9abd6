package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// BridgeVLANOptions are the options of a VLAN, or a range of VLANs, that a
// port (or the bridge itself) already has, changed through the VLAN
// database (RTM_NEWVLAN, BRIDGE_VLANDB_ENTRY with only-options info;
// Linux 5.10 and later): `bridge vlan set dev v0 vid 10 state blocking`.
// The fields that are not nil are sent; the VLANs' flags are left alone.
type BridgeVLANOptions struct {
	// LinkIndex is the port (or the bridge, for its own VLANs).
	LinkIndex int
	// VID is the VLAN id, 1-4094; VIDEnd, if not 0, ends a range.
	VID, VIDEnd uint16
	// State is the VLAN's STP state on the port
	// (BRIDGE_VLANDB_ENTRY_STATE).
	State *BridgePortState
	// McastRouter is the port's multicast router setting in the VLAN
	// (BRIDGE_VLANDB_ENTRY_MCAST_ROUTER; needs the bridge's per-VLAN
	// multicast snooping): 0 never, 1 learned (the default), 2 always.
	McastRouter *uint8
}

// bridgeVLANOnlyOpts is BRIDGE_VLAN_INFO_ONLY_OPTS: change the options of
// existing VLANs, create or delete nothing.
const bridgeVLANOnlyOpts BridgeVLANFlags = 1 << 6

// String words the change as `bridge vlan set` takes it: "dev if3 vid 10
// state blocking mcast_router 2".
func (o *BridgeVLANOptions) String() string {
	s := "dev if" + strconv.Itoa(o.LinkIndex) + " vid " + vidRange(o.VID, o.VIDEnd)
	if o.State != nil {
		s += " state " + o.State.String()
	}
	if o.McastRouter != nil {
		s += " mcast_router " + strconv.Itoa(int(*o.McastRouter))
	}
	return s
}

// beginBridgeVLANDB starts an RTM_NEWVLAN request for link.
func beginBridgeVLANDB(e *nl.Encoder, link int, what string) error {
	if link <= 0 {
		return fmt.Errorf("rtnl: %s without a link index (LinkIndex %d)", what, link)
	}
	e.Begin(rtmNewVLAN, unix.NLM_F_ACK)
	h := e.Fixed(brVLANMsgLen)
	h[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(link))
	return nil
}

// encodeBridgeVLANOptions appends the request setting o.
func encodeBridgeVLANOptions(e *nl.Encoder, o *BridgeVLANOptions) error {
	if o == nil {
		return errors.New("rtnl: nil bridge VLAN options")
	}
	if err := checkVIDs(o.VID, o.VIDEnd); err != nil {
		return err
	}
	if err := beginBridgeVLANDB(e, o.LinkIndex, "bridge VLAN options"); err != nil {
		return err
	}
	n := e.Nest(bridgeVLANDBEntry)
	var vi [4]byte
	binary.NativeEndian.PutUint16(vi[0:], uint16(bridgeVLANOnlyOpts))
	binary.NativeEndian.PutUint16(vi[2:], o.VID)
	e.Attr(bridgeVLANDBEntryInfo, vi[:])
	if o.VIDEnd != 0 && o.VIDEnd != o.VID {
		e.Uint16(bridgeVLANDBEntryRange, o.VIDEnd)
	}
	if o.State != nil {
		e.Uint8(bridgeVLANDBEntryState, uint8(*o.State))
	}
	if o.McastRouter != nil {
		e.Uint8(bridgeVLANDBEntryMcastRouter, *o.McastRouter)
	}
	e.EndNest(n)
	return e.End()
}

// SetBridgeVLANOptions changes the options of VLANs a port (or the
// bridge) has (`bridge vlan set`). The kernel refuses VLANs the port
// does not have, and needs VLAN filtering on the bridge.
func (h *Handle) SetBridgeVLANOptions(ctx context.Context, o *BridgeVLANOptions) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeBridgeVLANOptions(e, o); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// BridgeVLANOptions adds the change of VLAN options to the batch.
func (b *Batch) BridgeVLANOptions(o *BridgeVLANOptions) error {
	return b.add(func(e *nl.Encoder) error { return encodeBridgeVLANOptions(e, o) })
}
