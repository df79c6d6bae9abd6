package rtnl

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzLink feeds any bytes, as a whole netlink message, to the link
// decoder and to the error wording. What decodes must encode (as a link to
// create, and as a change), and its encoding must decode to the same link
// and encode again to the same bytes. Seeds: links dumped from the kernel
// (TestCaptureLinkSeeds), split in parts of 128 bytes (TestSplitSeeds), and
// our own encodings.
func FuzzLink(f *testing.F) {
	id := 3
	for _, l := range []Link{
		{Name: "v0", MTU: 1400, Flags: LinkUp, HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Info: LinkInfo{
			Data: &VethInfo{Peer: &Link{Name: "v1", MTU: 1300, LinkNetNSID: &id}}}},
		{Name: "br0", AddrGenMode: AddrGenNone, Info: LinkInfo{Data: &BridgeInfo{STPState: new(uint32(1)), VLANProtocol: new(uint16(0x88a8)),
			GroupAddr: net.HardwareAddr{1, 0x80, 0xc2, 0, 0, 3}, BoolOpts: &BridgeBoolOpts{Value: 1, Mask: 3}}}},
		{Name: "p0", MasterIndex: 4, Info: LinkInfo{Kind: "veth", SlaveKind: "bridge", SlaveData: &BridgePortInfo{
			Cost: new(uint32(5)), State: new(BridgePortForwarding), BackupPortIndex: new(7)}}},
		{Name: "mv0", ParentIndex: 2, Info: LinkInfo{Kind: "macvtap", Data: &MacvlanInfo{Mode: MacvlanSource,
			MACAddrs: []net.HardwareAddr{{2, 0, 0, 0, 0, 9}}, Flags: new(MacvlanNoDst)}}},
		{Name: "vx0", Info: LinkInfo{Data: &VxlanInfo{ID: new(uint32(42)), Group: netip.MustParseAddr("ff05::1"),
			Port: new(uint16(4789)), PortRange: &VxlanPortRange{1, 2}, TTLInherit: true, GBP: true, Label: new(uint32(0x12345))}}},
		{Name: "g0", Info: LinkInfo{Kind: "geneve", Data: RawLinkData{8, 0, 1, 0, 7, 0, 0, 0}}},
	} {
		var e nl.Encoder
		if err := encodeLink(&e, Add, &l); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = linkObject(m, nil)
		_ = DescribeRequest(m, nil)
		var l Link
		if l.Decode(m) != nil {
			return
		}
		_ = l.Flags.String()
		_ = l.Type.String()
		var c nl.Encoder
		_ = encodeLink(&c, Change, &l)
		if l.Info.kind() == "" {
			l.Info.Kind = "dummy"
		}
		var e1 nl.Encoder
		if encodeLink(&e1, Add, &l) != nil {
			return
		}
		_ = linkObject(e1.Message(0), nil)
		var back Link
		if err := back.Decode(e1.Message(0)); err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", l, err)
		}
		if back.Name != l.Name || back.Index != l.Index || back.MTU != l.MTU || back.Info.kind() != l.Info.kind() ||
			!bytes.Equal(back.HardwareAddr, l.HardwareAddr) || back.MasterIndex != l.MasterIndex {
			t.Fatalf("round trip changed the link:\n%+v\n%+v", l, back)
		}
		// Kind data kept raw is sent back padded, which may then decode
		// differently once; from there on the encoding is stable.
		var e2 nl.Encoder
		if err := encodeLink(&e2, Add, &back); err != nil {
			t.Fatalf("encoding %+v again: %v", back, err)
		}
		var back2 Link
		if err := back2.Decode(e2.Message(0)); err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", back, err)
		}
		var e3 nl.Encoder
		if err := encodeLink(&e3, Add, &back2); err != nil {
			t.Fatalf("encoding %+v again: %v", back2, err)
		}
		if !bytes.Equal(e2.Bytes(), e3.Bytes()) {
			t.Fatalf("encodings differ:\n%x\n%x", e2.Bytes(), e3.Bytes())
		}
		_, rawData := l.Info.Data.(RawLinkData)
		_, rawSlave := l.Info.SlaveData.(RawLinkData)
		if !rawData && !rawSlave && !bytes.Equal(e1.Bytes(), e2.Bytes()) {
			t.Fatalf("encodings of typed data differ:\n%x\n%x", e1.Bytes(), e2.Bytes())
		}
	})
}
