package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"slices"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A VxlanVNI is a VNI, or a range of VNIs, of a VXLAN device's VNI filter
// (a device in external mode with vnifilter on, VxlanInfo.VNIFilter;
// Linux 5.18 and later), with the group or remote address the VNIs use:
// what `bridge vni show` lists and `bridge vni add` adds
// (VXLAN_VNIFILTER_ENTRY in RTM_NEWTUNNEL).
type VxlanVNI struct {
	// LinkIndex is the VXLAN device (tunnel_msg.ifindex).
	LinkIndex int
	// VNI is the VNI, 1-16777215; VNIEnd, if not 0, ends a range.
	VNI, VNIEnd uint32
	// Group is the VNIs' multicast group or unicast remote, IPv4 or IPv6;
	// the zero Addr when there is none (the kernel reports the
	// unspecified address then).
	Group netip.Addr
	// Stats are the VNI's counters, when asked for (VxlanVNIFilter.Stats;
	// the kernel reports ranges one VNI at a time then). Never sent.
	Stats *VxlanVNIStats
}

// VxlanVNIStats are the counters of a VNI (VXLAN_VNIFILTER_ENTRY_STATS).
type VxlanVNIStats struct {
	RxBytes, RxPackets, RxDrops, RxErrors uint64
	TxBytes, TxPackets, TxDrops, TxErrors uint64
}

// A VxlanVNIDB is one message of the VNI filter: VNIs of one VXLAN device,
// as a dump or an event (RTM_NEWTUNNEL, RTM_DELTUNNEL) carries them.
type VxlanVNIDB struct {
	// LinkIndex is the VXLAN device (tunnel_msg.ifindex).
	LinkIndex int
	// Family is tunnel_msg.family: AF_BRIDGE (Bridge) for the VNI filter.
	Family  Family
	Entries []VxlanVNI
}

// VNI filter message types and attributes (RTM_*TUNNEL, struct
// tunnel_msg, VXLAN_VNIFILTER_*, VNIFILTER_ENTRY_STATS_*).
const (
	rtmNewTunnel = 120
	rtmDelTunnel = 121
	rtmGetTunnel = 122

	tunnelMsgLen       = 8
	tunnelMsgFlagStats = 1

	vxlanVNIFilterEntry       = 1
	vxlanVNIFilterEntryStart  = 1
	vxlanVNIFilterEntryEnd    = 2
	vxlanVNIFilterEntryGroup  = 3
	vxlanVNIFilterEntryGroup6 = 4
	vxlanVNIFilterEntryStats  = 5

	vniStatsRxBytes  = 1
	vniStatsRxPkts   = 2
	vniStatsRxDrops  = 3
	vniStatsRxErrors = 4
	vniStatsTxBytes  = 5
	vniStatsTxPkts   = 6
	vniStatsTxDrops  = 7
	vniStatsTxErrors = 8

	maxVNI = 1<<24 - 1
)

// Decode fills db from an RTM_NEWTUNNEL or RTM_DELTUNNEL message, as a
// dump or an event delivers it. db should be the zero VxlanVNIDB; it does
// not alias m afterwards. Malformed input gives an error wrapping
// nl.ErrMalformed, never a panic.
func (db *VxlanVNIDB) Decode(m nl.Message) error {
	b := m.Data
	if len(b) < tunnelMsgLen {
		return fmt.Errorf("rtnl: tunnel message of %d bytes, shorter than tunnel_msg: %w", len(b), nl.ErrMalformed)
	}
	db.Family = Family(b[0])
	db.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	d := nl.NewAttrDecoder(b[tunnelMsgLen:])
	for d.Next() {
		if d.Type() != vxlanVNIFilterEntry {
			continue
		}
		v := VxlanVNI{LinkIndex: db.LinkIndex}
		if err := v.decode(d.Nested()); err != nil {
			d.Fail(err)
			continue
		}
		db.Entries = append(db.Entries, v)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: vxlan vni filter: %w", err)
	}
	db.Entries = slices.Clip(db.Entries)
	return nil
}

func (v *VxlanVNI) decode(d nl.AttrDecoder) error {
	start, group4 := false, false
	for d.Next() {
		switch d.Type() {
		case vxlanVNIFilterEntryStart:
			v.VNI, start = d.Uint32(), true
		case vxlanVNIFilterEntryEnd:
			v.VNIEnd = d.Uint32()
		case vxlanVNIFilterEntryGroup, vxlanVNIFilterEntryGroup6:
			want := 4
			if d.Type() == vxlanVNIFilterEntryGroup6 {
				want = 16
			} else {
				group4 = true
			}
			if d.Len() != want {
				return fmt.Errorf("VNI group attribute %d of %d bytes, want %d: %w", d.Type(), d.Len(), want, nl.ErrMalformed)
			}
			// As bridge does, an IPv4 group attribute wins over an
			// IPv6 one.
			if a := d.Addr(); d.Type() == vxlanVNIFilterEntryGroup || !group4 {
				v.Group = a
			}
		case vxlanVNIFilterEntryStats:
			st := new(VxlanVNIStats)
			s := d.Nested()
			for s.Next() {
				switch s.Type() {
				case vniStatsRxBytes:
					st.RxBytes = s.Uint64()
				case vniStatsRxPkts:
					st.RxPackets = s.Uint64()
				case vniStatsRxDrops:
					st.RxDrops = s.Uint64()
				case vniStatsRxErrors:
					st.RxErrors = s.Uint64()
				case vniStatsTxBytes:
					st.TxBytes = s.Uint64()
				case vniStatsTxPkts:
					st.TxPackets = s.Uint64()
				case vniStatsTxDrops:
					st.TxDrops = s.Uint64()
				case vniStatsTxErrors:
					st.TxErrors = s.Uint64()
				}
			}
			if err := s.Err(); err != nil {
				return err
			}
			v.Stats = st
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if !start {
		return fmt.Errorf("VNI filter entry without VXLAN_VNIFILTER_ENTRY_START: %w", nl.ErrMalformed)
	}
	if v.Group.IsUnspecified() {
		v.Group = netip.Addr{}
	}
	if v.VNIEnd == v.VNI {
		v.VNIEnd = 0
	}
	return nil
}

// checkVNIs checks a VNI or range of VNIs to send.
func checkVNIs(vni, end uint32) error {
	if vni == 0 || vni > maxVNI {
		return fmt.Errorf("rtnl: VNI %d out of range 1-%d", vni, maxVNI)
	}
	if end != 0 && (end < vni || end > maxVNI) {
		return fmt.Errorf("rtnl: VNI range %d-%d: the end is below the start or above %d", vni, end, maxVNI)
	}
	return nil
}

// encodeVxlanVNI appends the request adding (Add) or deleting (Delete) v.
func encodeVxlanVNI(e *nl.Encoder, verb Verb, v *VxlanVNI) error {
	if v == nil {
		return errors.New("rtnl: nil VXLAN VNI")
	}
	var t nl.MsgType
	flags := nl.Flags(unix.NLM_F_ACK)
	switch verb {
	case Add:
		t = rtmNewTunnel
	case Delete:
		t = rtmDelTunnel
	default:
		return fmt.Errorf("rtnl: VXLAN VNI: verb %d is neither Add nor Delete", verb)
	}
	if v.LinkIndex <= 0 {
		return fmt.Errorf("rtnl: VXLAN VNI without a link index (LinkIndex %d)", v.LinkIndex)
	}
	if err := checkVNIs(v.VNI, v.VNIEnd); err != nil {
		return err
	}
	e.Begin(t, flags)
	h := e.Fixed(tunnelMsgLen)
	h[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(v.LinkIndex))
	n := e.Nest(vxlanVNIFilterEntry)
	e.Uint32(vxlanVNIFilterEntryStart, v.VNI)
	if v.VNIEnd != 0 && v.VNIEnd != v.VNI {
		e.Uint32(vxlanVNIFilterEntryEnd, v.VNIEnd)
	}
	if v.Group.IsValid() {
		a := v.Group.Unmap()
		if a.Is4() {
			e.Addr(vxlanVNIFilterEntryGroup, a)
		} else {
			e.Addr(vxlanVNIFilterEntryGroup6, a)
		}
	}
	e.EndNest(n)
	return e.End()
}

// AddVxlanVNI adds a VNI or a range of VNIs, with its group or remote if
// any, to a VXLAN device's VNI filter (`bridge vni add`); adding VNIs that
// are there changes their group. A multicast group needs the device to
// have a local address and a device to send by.
func (h *Handle) AddVxlanVNI(ctx context.Context, v *VxlanVNI) error {
	return h.changeVxlanVNI(ctx, Add, v)
}

// DeleteVxlanVNI deletes a VNI or a range of VNIs from a VXLAN device's
// VNI filter (`bridge vni delete`).
func (h *Handle) DeleteVxlanVNI(ctx context.Context, v *VxlanVNI) error {
	return h.changeVxlanVNI(ctx, Delete, v)
}

func (h *Handle) changeVxlanVNI(ctx context.Context, verb Verb, v *VxlanVNI) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeVxlanVNI(e, verb, v); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// VxlanVNI adds the addition (Add) or deletion (Delete) of VNIs of a
// VXLAN device's VNI filter to the batch.
func (b *Batch) VxlanVNI(v Verb, x *VxlanVNI) error {
	return b.add(func(e *nl.Encoder) error { return encodeVxlanVNI(e, v, x) })
}

// A VxlanVNIFilter selects VNI filter entries; a nil filter selects those
// of every VXLAN device.
type VxlanVNIFilter struct {
	// LinkIndex selects one VXLAN device's VNIs (filtered by the kernel).
	LinkIndex int
	// Stats asks for the VNIs' counters (TUNNEL_MSG_FLAG_STATS).
	Stats bool
}

func buildVxlanVNIDump(e *nl.Encoder, f *VxlanVNIFilter) {
	e.Begin(rtmGetTunnel, unix.NLM_F_DUMP)
	h := e.Fixed(tunnelMsgLen)
	h[0] = unix.AF_BRIDGE
	if f != nil {
		if f.Stats {
			h[1] = tunnelMsgFlagStats
		}
		binary.NativeEndian.PutUint32(h[4:], uint32(f.LinkIndex))
	}
	e.End()
}

// VxlanVNIs lists the VNI filters of VXLAN devices (`bridge vni show`),
// one VNI or range of VNIs at a time, in the kernel's order: a device's
// VNIs together. The *VxlanVNI is reused: it is valid until the next
// iteration. A kernel without the VNI filter (before 5.18) refuses the
// dump (EOPNOTSUPP), and so does one asked for a device that is not a
// VXLAN device with vnifilter on (EINVAL).
func (h *Handle) VxlanVNIs(ctx context.Context, f *VxlanVNIFilter) iter.Seq2[*VxlanVNI, error] {
	return flatDump(ctx, h, func(e *nl.Encoder) { buildVxlanVNIDump(e, f) }, rtmNewTunnel, (*VxlanVNIDB).Decode,
		func(db *VxlanVNIDB) bool {
			return db.Family == Bridge && (f == nil || f.LinkIndex == 0 || db.LinkIndex == f.LinkIndex)
		},
		func(db *VxlanVNIDB) []VxlanVNI { return db.Entries })
}

// ListVxlanVNIs returns the VNI filter entries the filter selects,
// fetching the dump again if the kernel reports it was interrupted by a
// change.
func (h *Handle) ListVxlanVNIs(ctx context.Context, f *VxlanVNIFilter) ([]VxlanVNI, error) {
	return listAll(h.VxlanVNIs(ctx, f))
}
