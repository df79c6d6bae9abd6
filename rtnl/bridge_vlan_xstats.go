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

// A BridgeVLANCounter is one VLAN's counters on a bridge or a bridge port
// as the link statistics report them (struct bridge_vlan_xstats in
// RTM_NEWSTATS): what `bridge -s vlan show` prints. They count only while
// the bridge's vlan_stats_enabled is on.
type BridgeVLANCounter struct {
	// LinkIndex is the bridge or port.
	LinkIndex int
	// VID is the VLAN.
	VID uint16
	// Flags are the VLAN's flags: BridgeVLANPVID, BridgeVLANUntagged, and
	// on a bridge BridgeVLANMaster (the bridge's table has the VLAN) and
	// BridgeVLANBrEntry (the bridge itself is in it).
	Flags BridgeVLANFlags
	// Port says the counters are the link's as a bridge port
	// (IFLA_STATS_LINK_XSTATS_SLAVE), not as a bridge
	// (IFLA_STATS_LINK_XSTATS).
	Port  bool
	Stats BridgeVLANStats
}

// A BridgeXStats is the bridge part of one link's extended statistics
// (RTM_NEWSTATS): its VLANs' counters.
type BridgeXStats struct {
	// LinkIndex is the link (if_stats_msg.ifindex).
	LinkIndex int
	VLANs     []BridgeVLANCounter
}

// Extended statistics attributes (if_link.h, if_bridge.h).
const (
	ifStatsMsgLen          = 12
	iflaStatsLinkXStats    = 2
	iflaStatsLinkXStatsSlv = 3
	linkXStatsTypeBridge   = 1
	bridgeXStatsVLAN       = 1
	bridgeVLANXStatsLen    = 40
)

// Decode fills s from an RTM_NEWSTATS message; statistics other than the
// bridge VLANs' are skipped. s should be the zero BridgeXStats; it does
// not alias m afterwards. Malformed input gives an error wrapping
// nl.ErrMalformed, never a panic.
func (s *BridgeXStats) Decode(m nl.Message) error {
	b := m.Data
	if len(b) < ifStatsMsgLen {
		return fmt.Errorf("rtnl: stats message of %d bytes, shorter than if_stats_msg: %w", len(b), nl.ErrMalformed)
	}
	s.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	d := nl.NewAttrDecoder(b[ifStatsMsgLen:])
	for d.Next() {
		t := d.Type()
		if t != iflaStatsLinkXStats && t != iflaStatsLinkXStatsSlv {
			continue
		}
		x := d.Nested()
		for x.Next() {
			if x.Type() != linkXStatsTypeBridge {
				continue
			}
			if err := s.decodeBridge(x.Nested(), t == iflaStatsLinkXStatsSlv); err != nil {
				x.Fail(err)
			}
		}
		if err := x.Err(); err != nil {
			d.Fail(err)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: bridge vlan stats: %w", err)
	}
	s.VLANs = slices.Clip(s.VLANs)
	return nil
}

func (s *BridgeXStats) decodeBridge(d nl.AttrDecoder, port bool) error {
	for d.Next() {
		if d.Type() != bridgeXStatsVLAN {
			continue
		}
		b := d.Bytes()
		if len(b) < bridgeVLANXStatsLen {
			return fmt.Errorf("bridge_vlan_xstats of %d bytes: %w", len(b), nl.ErrMalformed)
		}
		ne := binary.NativeEndian
		s.VLANs = append(s.VLANs, BridgeVLANCounter{
			LinkIndex: s.LinkIndex,
			VID:       ne.Uint16(b[32:]),
			Flags:     BridgeVLANFlags(ne.Uint16(b[34:])),
			Port:      port,
			Stats: BridgeVLANStats{
				RxBytes: ne.Uint64(b[0:]), RxPackets: ne.Uint64(b[8:]),
				TxBytes: ne.Uint64(b[16:]), TxPackets: ne.Uint64(b[24:]),
			},
		})
	}
	return d.Err()
}

// A BridgeVLANCounterFilter selects VLAN counters; a nil filter selects
// those of every bridge (not of the ports).
type BridgeVLANCounterFilter struct {
	// LinkIndex selects one link's counters (filtered here: the kernel
	// dumps every link's).
	LinkIndex int
	// Ports selects the counters of the links as bridge ports rather
	// than as bridges.
	Ports bool
}

func buildBridgeVLANCountersDump(e *nl.Encoder, f *BridgeVLANCounterFilter) {
	e.Begin(unix.RTM_GETSTATS, unix.NLM_F_DUMP)
	h := e.Fixed(ifStatsMsgLen)
	attr := iflaStatsLinkXStats
	if f != nil && f.Ports {
		attr = iflaStatsLinkXStatsSlv
	}
	binary.NativeEndian.PutUint32(h[8:], 1<<(attr-1))
	e.End()
}

// BridgeVLANCounters lists VLANs' counters of bridges, or of bridge ports
// (`bridge -s vlan show` lists both, in that order), one VLAN at a time.
// The *BridgeVLANCounter is reused: it is valid until the next
// iteration. A kernel without VLAN filtering lists none.
func (h *Handle) BridgeVLANCounters(ctx context.Context, f *BridgeVLANCounterFilter) iter.Seq2[*BridgeVLANCounter, error] {
	return flatDump(ctx, h, func(e *nl.Encoder) { buildBridgeVLANCountersDump(e, f) }, unix.RTM_NEWSTATS, (*BridgeXStats).Decode,
		func(s *BridgeXStats) bool { return f == nil || f.LinkIndex == 0 || s.LinkIndex == f.LinkIndex },
		func(s *BridgeXStats) []BridgeVLANCounter { return s.VLANs })
}

// ListBridgeVLANCounters returns the VLAN counters the filter selects,
// fetching the dump again if the kernel reports it was interrupted by a
// change.
func (h *Handle) ListBridgeVLANCounters(ctx context.Context, f *BridgeVLANCounterFilter) ([]BridgeVLANCounter, error) {
	return listAll(h.BridgeVLANCounters(ctx, f))
}
