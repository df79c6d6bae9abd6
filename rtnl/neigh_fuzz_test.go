package rtnl

import (
	"net"
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzNeighbour feeds any bytes, as a whole netlink message, to the
// neighbour decoder and to the error wording; what decodes (and is valid to
// send) must encode and decode back to the same entry. Seeds: neighbour,
// proxy and FDB entries dumped from the kernel (TestCaptureNeighbourSeeds)
// and our own encodings.
func FuzzNeighbour(f *testing.F) {
	for _, n := range []Neighbour{
		{LinkIndex: 3, Addr: netip.MustParseAddr("10.1.0.9"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}, State: NeighPermanent},
		{LinkIndex: 3, Addr: netip.MustParseAddr("2001:db8::9"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}, State: NeighStale,
			Flags: NeighRouter | NeighExternLearn, ExtFlags: NeighManaged, Protocol: ProtoBGP},
		{LinkIndex: 3, Addr: netip.MustParseAddr("10.1.0.13"), Flags: NeighProxy},
		{Family: Bridge, LinkIndex: 4, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 0xaa}, State: NeighNoARP, Flags: NeighMaster, Vlan: 10},
		{Family: Bridge, LinkIndex: 5, LinkAddr: net.HardwareAddr{0, 0, 0, 0, 0, 0}, Addr: netip.MustParseAddr("192.0.2.1"),
			State: NeighPermanent, Flags: NeighSelf, VNI: 42, Port: 4789, NexthopID: 7},
	} {
		var e nl.Encoder
		if err := encodeNeighbour(&e, Add, &n); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = neighObject(m, nil)
		var n Neighbour
		if n.Decode(m) != nil {
			return
		}
		_ = n.String()
		_ = n.State.String()
		_ = n.Flags.String()
		var e nl.Encoder
		if encodeNeighbour(&e, Replace, &n) != nil {
			return
		}
		var back Neighbour
		if err := back.Decode(e.Message(0)); err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", n, err)
		}
		want := n
		want.Family = n.family()
		want.Probes, want.MasterIndex, want.LinkNetNSID = 0, 0, nil
		want.Used, want.Confirmed, want.Updated, want.RefCount = 0, 0, 0, 0
		if len(want.LinkAddr) == 0 {
			want.LinkAddr = nil
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	})
}
