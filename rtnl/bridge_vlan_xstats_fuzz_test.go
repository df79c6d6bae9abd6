package rtnl

import (
	"encoding/binary"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// FuzzBridgeXStats feeds any bytes, as a whole netlink message, to the
// decoder of the bridge VLANs' counters in link statistics. Seeds:
// RTM_GETSTATS dumps (bridges' and ports' extended statistics) captured
// from a 6.1 kernel with traffic counted, one VLAN's (or the STP) counters
// a seed, and a message built here.
func FuzzBridgeXStats(f *testing.F) {
	var e nl.Encoder
	e.Begin(unix.RTM_NEWSTATS, 0)
	h := e.Fixed(ifStatsMsgLen)
	h[4] = 3
	for _, at := range []uint16{iflaStatsLinkXStats, iflaStatsLinkXStatsSlv} {
		x := e.Nest(at)
		br := e.Nest(linkXStatsTypeBridge)
		var v [bridgeVLANXStatsLen]byte
		binary.NativeEndian.PutUint64(v[8:], 7)
		binary.NativeEndian.PutUint16(v[32:], 10)
		binary.NativeEndian.PutUint16(v[34:], uint16(BridgeVLANPVID|BridgeVLANUntagged))
		e.Attr(bridgeXStatsVLAN, v[:])
		e.EndNest(br)
		e.EndNest(x)
	}
	if err := e.End(); err != nil {
		f.Fatal(err)
	}
	f.Add(nl.AppendMessage(nil, e.Message(0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		var s BridgeXStats
		if s.Decode(m) != nil {
			return
		}
		for _, v := range s.VLANs {
			if v.LinkIndex != s.LinkIndex {
				t.Fatalf("counters of link %d in link %d's message", v.LinkIndex, s.LinkIndex)
			}
			_ = v.Flags.Names()
		}
	})
}
