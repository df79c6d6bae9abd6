package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"slices"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A BridgePort is a link as the bridge family sees it (an RTM_NEWLINK of
// family AF_BRIDGE): a port of a bridge with its port settings, or a
// bridge itself, with the VLANs of either. It is what `bridge link show`
// and `bridge vlan show` print.
type BridgePort struct {
	// LinkIndex is the link's index (ifi_index).
	LinkIndex int
	// Name is the link's name (IFLA_IFNAME).
	Name string
	// Flags are the link's flags (ifi_flags).
	Flags LinkFlags
	// MTU is the link's MTU (IFLA_MTU).
	MTU uint32
	// OperState is the link's operational state (IFLA_OPERSTATE).
	OperState OperState
	// HardwareAddr is the link's address (IFLA_ADDRESS).
	HardwareAddr net.HardwareAddr
	// MasterIndex is the bridge the link is a port of (IFLA_MASTER); a
	// bridge listing its own VLANs has its own index here.
	MasterIndex int
	// ParentIndex is the link's parent (IFLA_LINK), such as a veth's
	// peer; LinkNetNSID, if not nil, the namespace it lives in.
	ParentIndex int
	LinkNetNSID *int
	// Port holds the port's settings and status (IFLA_PROTINFO); nil for
	// a link that is not a port (a bridge listing its VLANs). When set,
	// the fields that are not nil are sent (SetBridgePort).
	Port *BridgePortInfo
	// Mode is the hardware mode of a port's own device (IFLA_AF_SPEC/
	// IFLA_BRIDGE_MODE: BridgeModeVEB or BridgeModeVEPA), or nil.
	Mode *BridgeMode
	// VLANs are the link's VLANs (IFLA_AF_SPEC/IFLA_BRIDGE_VLAN_INFO),
	// listed when the filter asks (BridgePortFilter.VLANs); a range the
	// kernel sends compressed is one entry with VIDEnd set.
	VLANs []BridgeVLAN
	// Tunnels are the port's VLAN to tunnel id mappings
	// (IFLA_AF_SPEC/IFLA_BRIDGE_VLAN_TUNNEL_INFO), listed with the VLANs;
	// the kernel sends them as ranges.
	Tunnels []BridgeVLANTunnel
	// Where says whose settings SetBridgePort changes: BridgeFlagMaster
	// (the bridge's, the default) or BridgeFlagSelf (the device's own,
	// such as Mode). Never filled by listing.
	Where BridgeFlags
}

// BridgeMode is the hardware mode of a bridge port's device
// (BRIDGE_MODE_*).
type BridgeMode uint16

// The bridge modes.
const (
	BridgeModeVEB  BridgeMode = 0
	BridgeModeVEPA BridgeMode = 1
)

// String returns the mode as iproute2 names it: VEB, VEPA, or a number.
func (m BridgeMode) String() string {
	switch m {
	case BridgeModeVEB:
		return "VEB"
	case BridgeModeVEPA:
		return "VEPA"
	}
	return fmt.Sprintf("%#x", uint16(m))
}

// BridgeFlags says whose table a bridge request changes
// (IFLA_BRIDGE_FLAGS).
type BridgeFlags uint16

// The bridge request flags.
const (
	// BridgeFlagMaster changes the bridge's table (the kernel's default).
	BridgeFlagMaster BridgeFlags = 1
	// BridgeFlagSelf changes the device's own table (a bridge's own
	// VLANs, a switch driver's).
	BridgeFlagSelf BridgeFlags = 2
)

// Attributes of the bridge family in IFLA_AF_SPEC (IFLA_BRIDGE_*), and the
// link dump's extended masks.
const (
	iflaBridgeFlags          = 0
	iflaBridgeMode           = 1
	iflaBridgeVLANInfo       = 2
	iflaBridgeVLANTunnelInfo = 3

	iflaBridgeVLANTunnelID    = 1
	iflaBridgeVLANTunnelVID   = 2
	iflaBridgeVLANTunnelFlags = 3

	rtextFilterBrVLAN           = 1 << 1
	rtextFilterBrVLANCompressed = 1 << 2
)

// Decode fills p from an RTM_NEWLINK or RTM_DELLINK message of family
// AF_BRIDGE, as a dump or an event delivers it. p should be the zero
// BridgePort; it does not alias m afterwards. Malformed input gives an
// error wrapping nl.ErrMalformed, never a panic.
func (p *BridgePort) Decode(m nl.Message) error { return p.decode(m, nil) }

func (p *BridgePort) decode(m nl.Message, s *store) error {
	b := m.Data
	if len(b) < ifinfomsgLen {
		return fmt.Errorf("rtnl: bridge port: message of %d bytes, shorter than ifinfomsg: %w", len(b), nl.ErrMalformed)
	}
	p.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	p.Flags = LinkFlags(binary.NativeEndian.Uint32(b[8:12]))
	// A link message of another family (an event of the link group) has
	// IFLA_PROTINFO and IFLA_AF_SPEC of its own families: only the
	// bridge family's are read.
	bridge := b[0] == unix.AF_BRIDGE
	d := nl.NewAttrDecoder(b[ifinfomsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			p.Name = s.cstring(d.Bytes())
		case unix.IFLA_MTU:
			p.MTU = d.Uint32()
		case unix.IFLA_OPERSTATE:
			p.OperState = OperState(d.Uint8())
		case unix.IFLA_ADDRESS:
			p.HardwareAddr = s.hwaddr(d.Bytes())
		case unix.IFLA_MASTER:
			p.MasterIndex = int(d.Uint32())
		case unix.IFLA_LINK:
			p.ParentIndex = int(d.Uint32())
		case unix.IFLA_LINK_NETNSID:
			p.LinkNetNSID = s.intPtr(int(d.Int32()))
		case unix.IFLA_PROTINFO:
			if !bridge {
				continue
			}
			pi := s.newBridgePortInfo()
			if d.IsNested() {
				if err := pi.decode(d.Nested(), s); err != nil {
					d.Fail(err)
				}
			} else { // old kernels: the state alone
				pi.State = (*BridgePortState)(s.u8Ptr(d.Uint8()))
			}
			p.Port = pi
		case unix.IFLA_AF_SPEC:
			if !bridge {
				continue
			}
			if err := p.decodeAFSpec(d.Nested(), s); err != nil {
				d.Fail(err)
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: bridge port: %w", err)
	}
	return nil
}

// decodeAFSpec reads the bridge family's attributes: the mode, the VLANs
// and the tunnel mappings, joining range begin and end entries.
func (p *BridgePort) decodeAFSpec(d nl.AttrDecoder, s *store) error {
	var begin *BridgeVLAN
	var tbegin *BridgeVLANTunnel
	for d.Next() {
		switch d.Type() {
		case iflaBridgeMode:
			m := BridgeMode(d.Uint16())
			p.Mode = &m
		case iflaBridgeVLANInfo:
			var vi [4]byte
			if d.Len() < 4 {
				return fmt.Errorf("bridge VLAN info of %d bytes: %w", d.Len(), nl.ErrMalformed)
			}
			d.Struct(vi[:])
			v := BridgeVLAN{
				LinkIndex: p.LinkIndex,
				Flags:     BridgeVLANFlags(binary.NativeEndian.Uint16(vi[0:])),
				VID:       binary.NativeEndian.Uint16(vi[2:]),
			}
			switch {
			case v.Flags&bridgeVLANRangeBegin != 0:
				v.Flags &^= bridgeVLANRangeBegin
				begin = &v
				continue
			case v.Flags&bridgeVLANRangeEnd != 0 && begin != nil:
				v.Flags &^= bridgeVLANRangeEnd
				v.VID, v.VIDEnd = begin.VID, v.VID
				begin = nil
			default:
				v.Flags &^= bridgeVLANRangeEnd
				begin = nil
			}
			p.VLANs = append(p.VLANs, v)
		case iflaBridgeVLANTunnelInfo:
			t := BridgeVLANTunnel{LinkIndex: p.LinkIndex}
			var flags uint16
			a := d.Nested()
			for a.Next() {
				switch a.Type() {
				case iflaBridgeVLANTunnelID:
					t.TunnelID = a.Uint32()
				case iflaBridgeVLANTunnelVID:
					t.VID = a.Uint16()
				case iflaBridgeVLANTunnelFlags:
					flags = a.Uint16()
				}
			}
			if err := a.Err(); err != nil {
				return err
			}
			switch {
			case flags&uint16(bridgeVLANRangeBegin) != 0:
				tbegin = &t
				continue
			case flags&uint16(bridgeVLANRangeEnd) != 0 && tbegin != nil:
				t.VID, t.VIDEnd = tbegin.VID, t.VID
				t.TunnelID, t.TunnelIDEnd = tbegin.TunnelID, t.TunnelID
				tbegin = nil
			default:
				tbegin = nil
			}
			p.Tunnels = append(p.Tunnels, t)
		}
	}
	p.VLANs = slices.Clip(p.VLANs)
	p.Tunnels = slices.Clip(p.Tunnels)
	return d.Err()
}

// A BridgePortFilter selects bridge ports in a listing; a nil filter
// selects every link the bridge family reports (ports, and bridges with
// VLANs when VLANs are asked for).
type BridgePortFilter struct {
	// LinkIndex selects one link.
	LinkIndex int
	// MasterIndex selects the ports of one bridge (and the bridge
	// itself, when it lists its own VLANs).
	MasterIndex int
	// VLANs asks for the VLANs and tunnel mappings
	// (RTEXT_FILTER_BRVLAN): then the kernel also reports bridges and
	// ports with VLANs only. CompressVLANs asks for ranges instead of
	// one entry per VLAN (RTEXT_FILTER_BRVLAN_COMPRESSED).
	VLANs         bool
	CompressVLANs bool
}

func (f *BridgePortFilter) keep(p *BridgePort) bool {
	if f == nil {
		return true
	}
	switch {
	case f.LinkIndex != 0 && p.LinkIndex != f.LinkIndex,
		f.MasterIndex != 0 && p.MasterIndex != f.MasterIndex && p.LinkIndex != f.MasterIndex:
		return false
	}
	return true
}

func buildBridgePortDump(e *nl.Encoder, f *BridgePortFilter) {
	e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	h := e.Fixed(ifinfomsgLen)
	h[0] = unix.AF_BRIDGE
	if f != nil {
		var mask uint32
		if f.VLANs {
			mask |= rtextFilterBrVLAN
		}
		if f.CompressVLANs {
			mask |= rtextFilterBrVLANCompressed
		}
		if mask != 0 {
			e.Uint32(unix.IFLA_EXT_MASK, mask)
		}
	}
	e.End()
}

// BridgePorts lists the links the bridge family reports (`bridge link
// show`, and with f.VLANs `bridge vlan show`). The *BridgePort is reused:
// it is valid until the next iteration.
func (h *Handle) BridgePorts(ctx context.Context, f *BridgePortFilter) iter.Seq2[*BridgePort, error] {
	return dump(ctx, h, func(e *nl.Encoder) { buildBridgePortDump(e, f) }, unix.RTM_NEWLINK, (*BridgePort).decode, f.keep)
}

// ListBridgePorts returns the bridge ports the filter selects, fetching
// the dump again if the kernel reports it was interrupted by a change.
func (h *Handle) ListBridgePorts(ctx context.Context, f *BridgePortFilter) ([]BridgePort, error) {
	return collect(ctx, h, func(e *nl.Encoder) { buildBridgePortDump(e, f) }, unix.RTM_NEWLINK, (*BridgePort).decode, f.keep)
}

// encodeBridgePort appends an RTM_SETLINK of family AF_BRIDGE that sets
// p.Port's non-nil fields (IFLA_PROTINFO) and p.Mode, on the link
// p.LinkIndex (`bridge link set`).
func encodeBridgePort(e *nl.Encoder, p *BridgePort) error {
	if p == nil {
		return errors.New("rtnl: nil bridge port")
	}
	if p.LinkIndex <= 0 {
		return fmt.Errorf("rtnl: bridge port without a link index (LinkIndex %d)", p.LinkIndex)
	}
	e.Begin(unix.RTM_SETLINK, unix.NLM_F_ACK)
	h := e.Fixed(ifinfomsgLen)
	h[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(p.LinkIndex))
	if p.Port != nil {
		n := e.Nest(unix.IFLA_PROTINFO)
		p.Port.encodeData(e)
		e.EndNest(n)
	}
	if p.Where != 0 || p.Mode != nil {
		n := e.Nest(unix.IFLA_AF_SPEC)
		if p.Where != 0 {
			e.Uint16(iflaBridgeFlags, uint16(p.Where))
		}
		if p.Mode != nil {
			e.Uint16(iflaBridgeMode, uint16(*p.Mode))
		}
		e.EndNest(n)
	}
	return e.End()
}

// SetBridgePort changes the settings of the bridge port p.LinkIndex: the
// fields of p.Port that are not nil, and p.Mode (`bridge link set`).
func (h *Handle) SetBridgePort(ctx context.Context, p *BridgePort) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeBridgePort(e, p); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// BridgePort adds a change of a bridge port's settings (SetBridgePort) to
// the batch.
func (b *Batch) BridgePort(p *BridgePort) error {
	return b.add(func(e *nl.Encoder) error { return encodeBridgePort(e, p) })
}

// bridgeLinkObject words a bridge family link request m for errors: the
// VLAN or tunnel mapping it adds or deletes, or the port it sets.
func bridgeLinkObject(m nl.Message, names func(int) string) string {
	var p BridgePort
	if err := p.Decode(m); err != nil {
		return "(malformed)"
	}
	switch {
	case m.Header.Type == unix.RTM_GETLINK:
		return "bridge ports"
	case len(p.Tunnels) > 0:
		return "bridge vlan " + p.Tunnels[0].format(names)
	case len(p.VLANs) > 0:
		return "bridge vlan " + p.VLANs[0].format(names)
	}
	return "bridge port dev " + names(p.LinkIndex)
}
