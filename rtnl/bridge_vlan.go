package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A BridgeVLAN is a VLAN, or a range of VLANs, of a bridge port or of a
// bridge itself (struct bridge_vlan_info in IFLA_AF_SPEC): what `bridge
// vlan add` adds and `bridge vlan show` lists.
type BridgeVLAN struct {
	// LinkIndex is the port (or, with Where BridgeFlagSelf, the bridge).
	LinkIndex int
	// VID is the VLAN id, 1-4094; VIDEnd, if not 0, ends a range VID-VIDEnd.
	VID, VIDEnd uint16
	// Flags are BridgeVLANPVID and BridgeVLANUntagged (and, in listings,
	// the kernel's BridgeVLANMaster and BridgeVLANBrEntry).
	Flags BridgeVLANFlags
	// Where says whose VLANs a change is for: BridgeFlagMaster (the
	// bridge's, for a port: the default) or BridgeFlagSelf (the bridge
	// device's own). Never filled by listing.
	Where BridgeFlags
}

// BridgeVLANFlags are the flags of a bridge VLAN (BRIDGE_VLAN_INFO_*).
type BridgeVLANFlags uint16

// The bridge VLAN flags.
const (
	// BridgeVLANMaster says the VLAN was set on the bridge's table.
	BridgeVLANMaster BridgeVLANFlags = 1 << 0
	// BridgeVLANPVID makes the VLAN the port's VLAN for untagged frames.
	BridgeVLANPVID BridgeVLANFlags = 1 << 1
	// BridgeVLANUntagged sends the VLAN's frames out untagged.
	BridgeVLANUntagged BridgeVLANFlags = 1 << 2
	// BridgeVLANBrEntry says the bridge itself is in the VLAN.
	BridgeVLANBrEntry BridgeVLANFlags = 1 << 5

	bridgeVLANRangeBegin BridgeVLANFlags = 1 << 3
	bridgeVLANRangeEnd   BridgeVLANFlags = 1 << 4
)

// Names returns the flags as `bridge vlan show` prints them ("PVID",
// "Egress Untagged"); the others have no names there.
func (f BridgeVLANFlags) Names() []string {
	var n []string
	if f&BridgeVLANPVID != 0 {
		n = append(n, "PVID")
	}
	if f&BridgeVLANUntagged != 0 {
		n = append(n, "Egress Untagged")
	}
	return n
}

// String returns the flags' names separated by commas.
func (f BridgeVLANFlags) String() string { return strings.Join(f.Names(), ",") }

// String words the VLAN as `bridge vlan` takes it: "dev if3 vid 10 pvid
// untagged".
func (v *BridgeVLAN) String() string { return v.format(nil) }

func (v *BridgeVLAN) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	s := "dev " + names(v.LinkIndex) + " vid " + vidRange(v.VID, v.VIDEnd)
	if v.Flags&BridgeVLANPVID != 0 {
		s += " pvid"
	}
	if v.Flags&BridgeVLANUntagged != 0 {
		s += " untagged"
	}
	if v.Where&BridgeFlagSelf != 0 {
		s += " self"
	}
	return s
}

func vidRange(a, b uint16) string {
	s := strconv.Itoa(int(a))
	if b != 0 && b != a {
		s += "-" + strconv.Itoa(int(b))
	}
	return s
}

// checkVIDs validates a VLAN id or range.
func checkVIDs(vid, end uint16) error {
	if vid == 0 || vid >= 4095 {
		return fmt.Errorf("rtnl: bridge VLAN id %d out of range 1-4094", vid)
	}
	if end != 0 && (end >= 4095 || end < vid) {
		return fmt.Errorf("rtnl: bridge VLAN range %d-%d invalid", vid, end)
	}
	return nil
}

// beginBridgeAFSpec starts a bridge family RTM_SETLINK (add) or
// RTM_DELLINK (delete) of link and opens IFLA_AF_SPEC with the flags.
func beginBridgeAFSpec(e *nl.Encoder, v Verb, link int, where BridgeFlags, what string) (int, error) {
	var t nl.MsgType
	switch v {
	case Add:
		t = unix.RTM_SETLINK
	case Delete:
		t = unix.RTM_DELLINK
	default:
		return 0, errVerb(v, what)
	}
	if link <= 0 {
		return 0, fmt.Errorf("rtnl: %s without a link index (LinkIndex %d)", what, link)
	}
	e.Begin(t, unix.NLM_F_ACK)
	h := e.Fixed(ifinfomsgLen)
	h[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(link))
	n := e.Nest(unix.IFLA_AF_SPEC)
	if where != 0 {
		e.Uint16(iflaBridgeFlags, uint16(where))
	}
	return n, nil
}

func putVLANInfo(e *nl.Encoder, flags BridgeVLANFlags, vid uint16) {
	var b [4]byte
	binary.NativeEndian.PutUint16(b[0:], uint16(flags))
	binary.NativeEndian.PutUint16(b[2:], vid)
	e.Attr(iflaBridgeVLANInfo, b[:])
}

// encodeBridgeVLAN appends the request adding or deleting v.
func encodeBridgeVLAN(e *nl.Encoder, verb Verb, v *BridgeVLAN) error {
	if v == nil {
		return errors.New("rtnl: nil bridge VLAN")
	}
	if err := checkVIDs(v.VID, v.VIDEnd); err != nil {
		return err
	}
	flags := v.Flags &^ (bridgeVLANRangeBegin | bridgeVLANRangeEnd)
	if v.VIDEnd != 0 && v.VIDEnd != v.VID && flags&BridgeVLANPVID != 0 {
		return errors.New("rtnl: a bridge VLAN range cannot be the PVID")
	}
	n, err := beginBridgeAFSpec(e, verb, v.LinkIndex, v.Where, "bridge VLAN")
	if err != nil {
		return err
	}
	if v.VIDEnd != 0 && v.VIDEnd != v.VID {
		putVLANInfo(e, flags|bridgeVLANRangeBegin, v.VID)
		putVLANInfo(e, flags|bridgeVLANRangeEnd, v.VIDEnd)
	} else {
		putVLANInfo(e, flags, v.VID)
	}
	e.EndNest(n)
	return e.End()
}

// AddBridgeVLAN adds a VLAN or a range of VLANs to a bridge port, or to
// the bridge itself with Where BridgeFlagSelf (`bridge vlan add`); adding
// one that is there changes its flags.
func (h *Handle) AddBridgeVLAN(ctx context.Context, v *BridgeVLAN) error {
	return h.changeBridgeVLAN(ctx, Add, v)
}

// DeleteBridgeVLAN deletes a VLAN or a range of VLANs from a bridge port
// (`bridge vlan del`).
func (h *Handle) DeleteBridgeVLAN(ctx context.Context, v *BridgeVLAN) error {
	return h.changeBridgeVLAN(ctx, Delete, v)
}

func (h *Handle) changeBridgeVLAN(ctx context.Context, verb Verb, v *BridgeVLAN) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeBridgeVLAN(e, verb, v); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// BridgeVLAN adds the addition (Add) or deletion (Delete) of a bridge
// VLAN to the batch.
func (b *Batch) BridgeVLAN(v Verb, x *BridgeVLAN) error {
	return b.add(func(e *nl.Encoder) error { return encodeBridgeVLAN(e, v, x) })
}

// A BridgeVLANTunnel maps a VLAN, or a range of VLANs, of a bridge port
// with vlan_tunnel on (a VXLAN device in external mode) to a tunnel id, or
// a range of them (IFLA_BRIDGE_VLAN_TUNNEL_INFO): `bridge vlan add dev
// vx0 vid 100-102 tunnel_info id 1100-1102`.
type BridgeVLANTunnel struct {
	// LinkIndex is the port.
	LinkIndex int
	// VID and VIDEnd are the VLAN id or range, as in BridgeVLAN.
	VID, VIDEnd uint16
	// TunnelID is the tunnel id (the VNI) of VID; TunnelIDEnd that of
	// VIDEnd, for a range (a range of VLANs maps to a range of ids of the
	// same length).
	TunnelID, TunnelIDEnd uint32
	// Where is as in BridgeVLAN. Never filled by listing.
	Where BridgeFlags
}

// String words the mapping as `bridge vlan` takes it: "dev if3 vid
// 100-102 tunnel_info id 1100-1102".
func (t *BridgeVLANTunnel) String() string { return t.format(nil) }

func (t *BridgeVLANTunnel) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	s := "dev " + names(t.LinkIndex) + " vid " + vidRange(t.VID, t.VIDEnd) + " tunnel_info id " + strconv.FormatUint(uint64(t.TunnelID), 10)
	if t.TunnelIDEnd != 0 && t.TunnelIDEnd != t.TunnelID {
		s += "-" + strconv.FormatUint(uint64(t.TunnelIDEnd), 10)
	}
	return s
}

func putTunnelInfo(e *nl.Encoder, vid uint16, id uint32, flags BridgeVLANFlags) {
	n := e.Nest(iflaBridgeVLANTunnelInfo)
	e.Uint32(iflaBridgeVLANTunnelID, id)
	e.Uint16(iflaBridgeVLANTunnelVID, vid)
	e.Uint16(iflaBridgeVLANTunnelFlags, uint16(flags))
	e.EndNest(n)
}

// encodeBridgeVLANTunnel appends the request adding or deleting t.
func encodeBridgeVLANTunnel(e *nl.Encoder, verb Verb, t *BridgeVLANTunnel) error {
	if t == nil {
		return errors.New("rtnl: nil bridge VLAN tunnel")
	}
	if err := checkVIDs(t.VID, t.VIDEnd); err != nil {
		return err
	}
	ranged := t.VIDEnd != 0 && t.VIDEnd != t.VID
	if ranged && t.TunnelIDEnd != 0 && t.TunnelIDEnd-t.TunnelID != uint32(t.VIDEnd-t.VID) {
		return fmt.Errorf("rtnl: bridge VLAN range %d-%d and tunnel id range %d-%d differ in length", t.VID, t.VIDEnd, t.TunnelID, t.TunnelIDEnd)
	}
	n, err := beginBridgeAFSpec(e, verb, t.LinkIndex, t.Where, "bridge VLAN tunnel")
	if err != nil {
		return err
	}
	if ranged {
		end := t.TunnelIDEnd
		if end == 0 {
			end = t.TunnelID + uint32(t.VIDEnd-t.VID)
		}
		putTunnelInfo(e, t.VID, t.TunnelID, bridgeVLANRangeBegin)
		putTunnelInfo(e, t.VIDEnd, end, bridgeVLANRangeEnd)
	} else {
		putTunnelInfo(e, t.VID, t.TunnelID, 0)
	}
	e.EndNest(n)
	return e.End()
}

// AddBridgeVLANTunnel maps a VLAN (or range) of a port to a tunnel id
// (or range); the port must have the VLANs and vlan_tunnel on.
func (h *Handle) AddBridgeVLANTunnel(ctx context.Context, t *BridgeVLANTunnel) error {
	return h.changeBridgeVLANTunnel(ctx, Add, t)
}

// DeleteBridgeVLANTunnel removes a VLAN to tunnel id mapping.
func (h *Handle) DeleteBridgeVLANTunnel(ctx context.Context, t *BridgeVLANTunnel) error {
	return h.changeBridgeVLANTunnel(ctx, Delete, t)
}

func (h *Handle) changeBridgeVLANTunnel(ctx context.Context, verb Verb, t *BridgeVLANTunnel) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeBridgeVLANTunnel(e, verb, t); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// BridgeVLANTunnel adds the addition (Add) or deletion (Delete) of a
// VLAN to tunnel id mapping to the batch.
func (b *Batch) BridgeVLANTunnel(v Verb, t *BridgeVLANTunnel) error {
	return b.add(func(e *nl.Encoder) error { return encodeBridgeVLANTunnel(e, v, t) })
}
