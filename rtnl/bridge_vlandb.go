package rtnl

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"slices"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A BridgeVLANEntry is a VLAN, or a range of VLANs with the same options,
// of a bridge port or bridge as the VLAN database reports it (RTM_NEWVLAN,
// BRIDGE_VLANDB_ENTRY; Linux 5.10 and later): with its per-VLAN STP state
// and options, what `bridge -d vlan show` prints.
type BridgeVLANEntry struct {
	// LinkIndex is the port or bridge.
	LinkIndex int
	// VID is the VLAN; VIDEnd, if not 0, ends a range.
	VID, VIDEnd uint16
	// Flags are the kernel's flags of the VLAN (BridgeVLANPVID,
	// BridgeVLANUntagged, ...).
	Flags BridgeVLANFlags
	// State is the VLAN's STP state on the port
	// (BRIDGE_VLANDB_ENTRY_STATE).
	State BridgePortState
	// TunnelID is the VLAN's tunnel id, or 0 (BRIDGE_VLANDB_ENTRY_TUNNEL_INFO).
	TunnelID uint32
	// McastRouter is the VLAN's multicast router setting, when the kernel
	// reports it (per-VLAN multicast snooping on).
	McastRouter *uint8
	// Stats are the VLAN's counters, when asked for
	// (BridgeVLANEntryFilter.Stats).
	Stats *BridgeVLANStats
}

// BridgeVLANStats are a VLAN's counters on a port.
type BridgeVLANStats struct {
	RxBytes, RxPackets, TxBytes, TxPackets uint64
}

// A BridgeVLANDB is one message of the VLAN database: the entries of one
// port (or bridge), as a dump or an event (RTM_NEWVLAN, RTM_DELVLAN)
// carries them.
type BridgeVLANDB struct {
	// LinkIndex is the port or bridge (br_vlan_msg.ifindex).
	LinkIndex int
	Entries   []BridgeVLANEntry
}

// VLAN database attributes (BRIDGE_VLANDB_*) and message types.
const (
	rtmNewVLAN = 112
	rtmDelVLAN = 113
	rtmGetVLAN = 114

	brVLANMsgLen = 8

	bridgeVLANDBDumpFlags = 1
	bridgeVLANDBDumpStats = 1

	bridgeVLANDBEntry            = 1
	bridgeVLANDBEntryInfo        = 1
	bridgeVLANDBEntryRange       = 2
	bridgeVLANDBEntryState       = 3
	bridgeVLANDBEntryTunnelInfo  = 4
	bridgeVLANDBEntryStats       = 5
	bridgeVLANDBEntryMcastRouter = 6
	bridgeVLANDBTInfoID          = 1
	bridgeVLANDBStatsRxBytes     = 1
	bridgeVLANDBStatsRxPackets   = 2
	bridgeVLANDBStatsTxBytes     = 3
	bridgeVLANDBStatsTxPackets   = 4
)

// Decode fills db from an RTM_NEWVLAN or RTM_DELVLAN message, as a dump or
// an event delivers it. db should be the zero BridgeVLANDB; it does not
// alias m afterwards. Malformed input gives an error wrapping
// nl.ErrMalformed, never a panic.
func (db *BridgeVLANDB) Decode(m nl.Message) error {
	b := m.Data
	if len(b) < brVLANMsgLen {
		return fmt.Errorf("rtnl: bridge vlan message of %d bytes, shorter than br_vlan_msg: %w", len(b), nl.ErrMalformed)
	}
	db.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	d := nl.NewAttrDecoder(b[brVLANMsgLen:])
	for d.Next() {
		if d.Type() != bridgeVLANDBEntry {
			continue
		}
		e := BridgeVLANEntry{LinkIndex: db.LinkIndex}
		if err := e.decode(d.Nested()); err != nil {
			d.Fail(err)
			continue
		}
		db.Entries = append(db.Entries, e)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: bridge vlan: %w", err)
	}
	db.Entries = slices.Clip(db.Entries)
	return nil
}

func (e *BridgeVLANEntry) decode(d nl.AttrDecoder) error {
	info := false
	for d.Next() {
		switch d.Type() {
		case bridgeVLANDBEntryInfo:
			var vi [4]byte
			if d.Len() < 4 {
				return fmt.Errorf("bridge VLAN info of %d bytes: %w", d.Len(), nl.ErrMalformed)
			}
			d.Struct(vi[:])
			e.Flags = BridgeVLANFlags(binary.NativeEndian.Uint16(vi[0:]))
			e.VID = binary.NativeEndian.Uint16(vi[2:])
			info = true
		case bridgeVLANDBEntryRange:
			e.VIDEnd = d.Uint16()
		case bridgeVLANDBEntryState:
			e.State = BridgePortState(d.Uint8())
		case bridgeVLANDBEntryMcastRouter:
			v := d.Uint8()
			e.McastRouter = &v
		case bridgeVLANDBEntryTunnelInfo:
			t := d.Nested()
			for t.Next() {
				if t.Type() == bridgeVLANDBTInfoID {
					e.TunnelID = t.Uint32()
				}
			}
			if err := t.Err(); err != nil {
				return err
			}
		case bridgeVLANDBEntryStats:
			st := new(BridgeVLANStats)
			s := d.Nested()
			for s.Next() {
				switch s.Type() {
				case bridgeVLANDBStatsRxBytes:
					st.RxBytes = s.Uint64()
				case bridgeVLANDBStatsRxPackets:
					st.RxPackets = s.Uint64()
				case bridgeVLANDBStatsTxBytes:
					st.TxBytes = s.Uint64()
				case bridgeVLANDBStatsTxPackets:
					st.TxPackets = s.Uint64()
				}
			}
			if err := s.Err(); err != nil {
				return err
			}
			e.Stats = st
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if !info {
		return fmt.Errorf("bridge VLAN entry without BRIDGE_VLANDB_ENTRY_INFO: %w", nl.ErrMalformed)
	}
	if e.VIDEnd == e.VID {
		e.VIDEnd = 0
	}
	return nil
}

// A BridgeVLANEntryFilter selects VLAN database entries; a nil filter
// selects those of every bridge and port.
type BridgeVLANEntryFilter struct {
	// LinkIndex selects one port's (or bridge's) entries (filtered by
	// the kernel).
	LinkIndex int
	// Stats asks for the VLANs' counters (BRIDGE_VLANDB_DUMPF_STATS).
	Stats bool
}

func buildBridgeVLANDump(e *nl.Encoder, f *BridgeVLANEntryFilter) {
	e.Begin(rtmGetVLAN, unix.NLM_F_DUMP)
	h := e.Fixed(brVLANMsgLen)
	h[0] = unix.AF_BRIDGE
	if f != nil {
		binary.NativeEndian.PutUint32(h[4:], uint32(f.LinkIndex))
		if f.Stats {
			e.Uint32(bridgeVLANDBDumpFlags, bridgeVLANDBDumpStats)
		}
	}
	e.End()
}

// BridgeVLANEntries lists the VLAN database (`bridge -d vlan show`), one
// entry (a VLAN or a range of VLANs with the same options) at a time. The
// *BridgeVLANEntry is reused: it is valid until the next iteration. A
// kernel without the VLAN database (before 5.10, or without
// CONFIG_BRIDGE_VLAN_FILTERING) refuses the dump.
func (h *Handle) BridgeVLANEntries(ctx context.Context, f *BridgeVLANEntryFilter) iter.Seq2[*BridgeVLANEntry, error] {
	return flatDump(ctx, h, func(e *nl.Encoder) { buildBridgeVLANDump(e, f) }, rtmNewVLAN, (*BridgeVLANDB).Decode,
		func(db *BridgeVLANDB) bool { return f == nil || f.LinkIndex == 0 || db.LinkIndex == f.LinkIndex },
		func(db *BridgeVLANDB) []BridgeVLANEntry { return db.Entries })
}

// ListBridgeVLANEntries returns the VLAN database entries the filter
// selects, fetching the dump again if the kernel reports it was
// interrupted by a change.
func (h *Handle) ListBridgeVLANEntries(ctx context.Context, f *BridgeVLANEntryFilter) ([]BridgeVLANEntry, error) {
	return listAll(h.BridgeVLANEntries(ctx, f))
}
