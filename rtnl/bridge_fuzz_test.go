package rtnl

import (
	"net"
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzBridgePort feeds any bytes, as a whole netlink message, to the
// bridge family's link decoder (ports, VLANs, tunnel mappings) and to the
// error wording; a VLAN or mapping that decodes from our own request must
// be the one encoded. Seeds: bridge link and VLAN dumps from the kernel
// (TestCaptureBridgeSeeds) and our own VLAN and port requests.
func FuzzBridgePort(f *testing.F) {
	add := func(enc func(e *nl.Encoder) error) {
		var e nl.Encoder
		if err := enc(&e); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	add(func(e *nl.Encoder) error {
		return encodeBridgeVLAN(e, Add, &BridgeVLAN{LinkIndex: 3, VID: 10, Flags: BridgeVLANPVID | BridgeVLANUntagged})
	})
	add(func(e *nl.Encoder) error {
		return encodeBridgeVLAN(e, Delete, &BridgeVLAN{LinkIndex: 3, VID: 20, VIDEnd: 25, Where: BridgeFlagSelf})
	})
	add(func(e *nl.Encoder) error {
		return encodeBridgeVLANTunnel(e, Add, &BridgeVLANTunnel{LinkIndex: 4, VID: 100, VIDEnd: 102, TunnelID: 1100})
	})
	add(func(e *nl.Encoder) error {
		return encodeBridgeVLANTunnel(e, Add, &BridgeVLANTunnel{LinkIndex: 4, VID: 200, TunnelID: 2200})
	})
	on, st := true, BridgePortForwarding
	add(func(e *nl.Encoder) error {
		return encodeBridgePort(e, &BridgePort{LinkIndex: 5, Port: &BridgePortInfo{Learning: &on, State: &st}, Where: BridgeFlagMaster})
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = DescribeRequest(m, nil)
		var p BridgePort
		if p.Decode(m) != nil {
			return
		}
		for _, v := range p.VLANs {
			_ = v.String()
			v.Flags &^= BridgeVLANMaster | BridgeVLANBrEntry
			var e nl.Encoder
			if encodeBridgeVLAN(&e, Add, &v) != nil {
				continue
			}
			var back BridgePort
			if err := back.Decode(e.Message(0)); err != nil {
				t.Fatalf("decoding our encoding of %+v: %v", v, err)
			}
			want := v
			if want.VIDEnd == want.VID {
				want.VIDEnd = 0
			}
			if len(back.VLANs) != 1 || back.VLANs[0] != want {
				t.Fatalf("round trip of %+v: %+v", want, back.VLANs)
			}
		}
		for _, x := range p.Tunnels {
			_ = x.String()
			var e nl.Encoder
			if encodeBridgeVLANTunnel(&e, Add, &x) != nil {
				continue
			}
			var back BridgePort
			if err := back.Decode(e.Message(0)); err != nil {
				t.Fatalf("decoding our encoding of %+v: %v", x, err)
			}
			want := x
			if want.VIDEnd == 0 || want.VIDEnd == want.VID {
				want.VIDEnd, want.TunnelIDEnd = 0, 0
			} else if want.TunnelIDEnd == 0 {
				want.TunnelIDEnd = want.TunnelID + uint32(want.VIDEnd-want.VID)
			}
			if len(back.Tunnels) != 1 || back.Tunnels[0] != want {
				t.Fatalf("round trip of %+v: %+v", want, back.Tunnels)
			}
		}
	})
}

// FuzzMDB feeds any bytes, as a whole netlink message, to the multicast
// database decoder and to the error wording; an entry that decodes (and is
// valid to send) must encode and decode back to the same entry. Seeds:
// MDB dumps from the kernel (TestCaptureBridgeSeeds) and our own requests.
func FuzzMDB(f *testing.F) {
	for _, x := range []MDBEntry{
		{MasterIndex: 2, LinkIndex: 3, Group: netip.MustParseAddr("239.1.1.1"), State: MDBPermanent, VID: 10},
		{MasterIndex: 2, LinkIndex: 4, Group: netip.MustParseAddr("ff0e::1")},
		{MasterIndex: 2, LinkIndex: 4, GroupMAC: net.HardwareAddr{1, 0, 0x5e, 1, 2, 3}, State: MDBPermanent},
		{MasterIndex: 2, LinkIndex: 3, Group: netip.MustParseAddr("232.1.1.1"), Source: netip.MustParseAddr("192.0.2.1"), State: MDBPermanent},
	} {
		var e nl.Encoder
		if err := encodeMDBEntry(&e, Add, &x); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = DescribeRequest(m, nil)
		var mdb MDB
		if mdb.Decode(m) != nil {
			return
		}
		for _, x := range mdb.Entries {
			_ = x.String()
			_ = x.Flags.Names()
			var e nl.Encoder
			if encodeMDBEntry(&e, Replace, &x) != nil {
				continue
			}
			// A request carries the entry as MDBA_SET_ENTRY: read it back
			// as the error wording does.
			want := x
			want.Flags, want.FilterMode, want.Sources, want.Protocol, want.Timer = 0, 0, nil, 0, 0
			want.Source = netip.Addr{}
			if want.Group.IsValid() {
				want.GroupMAC = nil
			}
			msg := e.Message(0)
			back := MDBEntry{MasterIndex: x.MasterIndex}
			d := nl.NewAttrDecoder(msg.Data[brPortMsgLen:])
			for d.Next() {
				if d.Type() == mdbaSetEntry {
					if err := back.decodeInfo(d.Bytes()); err != nil {
						t.Fatalf("decoding our encoding of %+v: %v", x, err)
					}
				}
			}
			want.Group = want.Group.Unmap()
			if !reflect.DeepEqual(back, want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
			}
		}
	})
}

// FuzzBridgeVLANDB feeds any bytes, as a whole netlink message, to the VLAN
// database decoder. Seeds: VLAN database dumps from the kernel
// (TestCaptureBridgeSeeds, on a kernel with VLAN filtering) and a message
// built here.
func FuzzBridgeVLANDB(f *testing.F) {
	var e nl.Encoder
	e.Begin(rtmNewVLAN, 0)
	h := e.Fixed(brVLANMsgLen)
	h[0], h[4] = 7, 3
	n := e.Nest(bridgeVLANDBEntry)
	e.Attr(bridgeVLANDBEntryInfo, []byte{6, 0, 10, 0})
	e.Uint16(bridgeVLANDBEntryRange, 12)
	e.Uint8(bridgeVLANDBEntryState, 3)
	e.Uint8(bridgeVLANDBEntryMcastRouter, 1)
	t := e.Nest(bridgeVLANDBEntryTunnelInfo)
	e.Uint32(bridgeVLANDBTInfoID, 1010)
	e.EndNest(t)
	s := e.Nest(bridgeVLANDBEntryStats)
	e.Uint64(bridgeVLANDBStatsRxBytes, 1)
	e.Uint64(bridgeVLANDBStatsTxPackets, 2)
	e.EndNest(s)
	e.EndNest(n)
	if err := e.End(); err != nil {
		f.Fatal(err)
	}
	f.Add(nl.AppendMessage(nil, e.Message(0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		var db BridgeVLANDB
		if db.Decode(m) != nil {
			return
		}
		for _, x := range db.Entries {
			if x.VIDEnd != 0 && x.VIDEnd == x.VID {
				t.Fatalf("range of one VLAN kept: %+v", x)
			}
			_ = x.Flags.Names()
		}
	})
}
