package rtnl

import (
	"bytes"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// tunnelSamples are tunnels of every kind the tunnel types accept, set as
// ip sets them.
func tunnelSamples() []Link {
	a4, b4 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")
	a6, b6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")
	return []Link{
		{Name: "gre1", Info: LinkInfo{Data: &GreInfo{Local: a4, Remote: b4, LinkIndex: 3, IFlags: new(GreKey), OFlags: new(GreKey | GreCsum),
			IKey: new(uint32(5)), OKey: new(uint32(6)), TTL: new(uint8(64)), TOS: new(uint8(1)), PMTUDisc: new(true), FWMark: new(uint32(0))}}},
		{Name: "gt1", Info: LinkInfo{Kind: "gretap", Data: &GreInfo{Remote: b4, IgnoreDF: new(true),
			Encap: &TunnelEncap{Type: TunnelEncapGUE, Flags: TunnelEncapCsum | TunnelEncapRemCsum, SPort: 1, DPort: 6080}}}},
		{Name: "ers1", Info: LinkInfo{Kind: "erspan", Data: &GreInfo{Remote: b4, ERSPANVer: new(uint8(2)), ERSPANDir: new(ERSPANEgress),
			ERSPANHWID: new(uint16(7))}}},
		{Name: "g6", Info: LinkInfo{Data: &GreInfo{Local: a6, Remote: b6, TTL: new(uint8(64)), EncapLimit: new(uint8(4)),
			FlowInfo: new(uint32(0x0ff12345)), Flags: new(IP6TunnelUseOrigTClass)}}},
		{Name: "g6t", Info: LinkInfo{Kind: "ip6gretap", Data: &GreInfo{External: true}}},
		{Name: "ipip1", Info: LinkInfo{Data: &IPTunInfo{Proto: new(IPTunAny), Local: a4, Remote: b4, TTL: new(uint8(0)),
			TOS: new(uint8(0)), PMTUDisc: new(false), Encap: &TunnelEncap{Type: TunnelEncapFOU, DPort: 1}}}},
		{Name: "sit1", Info: LinkInfo{Kind: "sit", Data: &IPTunInfo{Proto: new(IPTunIPv6), Remote: b4, ISATAP: new(true),
			SIT6RDPrefix: netip.MustParsePrefix("2002::/16"), SIT6RDRelayPrefix: netip.MustParsePrefix("10.0.0.0/8")}}},
		{Name: "t6", Info: LinkInfo{Data: &IPTunInfo{Proto: new(IPTunIPIP), Local: a6, Remote: b6, LinkIndex: 2, TTL: new(uint8(64)),
			EncapLimit: new(uint8(4)), FlowInfo: new(uint32(0)), Flags: new(IP6TunnelIgnEncapLimit | IP6TunnelRcvDSCPCopy)}}},
		{Name: "t6x", Info: LinkInfo{Kind: "ip6tnl", Data: &IPTunInfo{Proto: new(IPTunAny), External: true}}},
		{Name: "gnv1", Info: LinkInfo{Data: &GeneveInfo{ID: new(uint32(7)), Remote: b4, TTL: new(uint8(0)), TTLInherit: new(true),
			TOS: new(uint8(1)), DF: new(GeneveDFInherit), Label: new(uint32(0)), Port: new(uint16(6081)), UDPCsum: new(false)}}},
		{Name: "gnv6", Info: LinkInfo{Data: &GeneveInfo{ID: new(uint32(1<<24 - 1)), Remote: b6, Label: new(uint32(0xfffff)),
			UDPZeroCsum6Tx: new(true), UDPZeroCsum6Rx: new(false), InnerProtoInherit: true}}},
		{Name: "gnvx", Info: LinkInfo{Data: &GeneveInfo{External: true}}},
	}
}

// TestTunnelRoundTrip: each sample encodes, decodes to the same data, and
// encodes again to the same bytes.
func TestTunnelRoundTrip(t *testing.T) {
	for _, l := range tunnelSamples() {
		var e nl.Encoder
		if err := encodeLink(&e, Add, &l); err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		var back Link
		if err := back.Decode(e.Message(0)); err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		if back.Info.Kind != l.Info.kind() {
			t.Errorf("%s: kind %q, want %q", l.Name, back.Info.Kind, l.Info.kind())
		}
		if !reflect.DeepEqual(back.Info.Data, l.Info.Data) {
			t.Errorf("%s: decoded\n%+v\nwant\n%+v", l.Name, back.Info.Data, l.Info.Data)
		}
		var e2 nl.Encoder
		if err := encodeLink(&e2, Add, &back); err != nil {
			t.Fatalf("%s again: %v", l.Name, err)
		}
		if !bytes.Equal(e.Bytes(), e2.Bytes()) {
			t.Errorf("%s: encodings differ\n%x\n%x", l.Name, e.Bytes(), e2.Bytes())
		}
	}
}

// TestTunnelWire pins the bytes of attributes whose order or size is the
// kernel's business: big-endian keys, flags and ports (marked
// NLA_F_NET_BYTEORDER, which the kernel masks off), sit's 16-bit and
// ip6tnl's 32-bit flags.
func TestTunnelWire(t *testing.T) {
	for _, c := range []struct {
		data LinkData
		want []byte
	}{
		{&GreInfo{IFlags: new(GreKey), IKey: new(uint32(5))}, []byte{6, 0, 2, 0x40, 0x20, 0, 0, 0, 8, 0, 4, 0x40, 0, 0, 0, 5}},
		{&GreInfo{Encap: &TunnelEncap{Type: TunnelEncapFOU, Flags: TunnelEncapCsum6, SPort: 0x1234, DPort: 0x5678}},
			[]byte{6, 0, 14, 0, 1, 0, 0, 0, 6, 0, 15, 0, 2, 0, 0, 0, 6, 0, 16, 0x40, 0x12, 0x34, 0, 0, 6, 0, 17, 0x40, 0x56, 0x78, 0, 0}},
		{&IPTunInfo{ISATAP: new(true)}, []byte{6, 0, 8, 0, 1, 0, 0, 0}},
		{&IPTunInfo{Flags: new(IP6TunnelAllowLocalRemote)}, []byte{8, 0, 8, 0, 0x40, 0, 0, 0}},
		{&IPTunInfo{FlowInfo: new(uint32(0x00300abc))}, []byte{8, 0, 7, 0x40, 0, 0x30, 0x0a, 0xbc}},
		{&GeneveInfo{Port: new(uint16(6081)), Label: new(uint32(0x12345))}, []byte{8, 0, 11, 0x40, 0, 1, 0x23, 0x45, 6, 0, 5, 0x40, 0x17, 0xc1, 0, 0}},
	} {
		got := encodeDataOnly(c.data)
		if !bytes.Equal(got, c.want) {
			t.Errorf("%+v: % x, want % x", c.data, got, c.want)
		}
	}
}

// TestTunnelKindChecks: data that does not fit its kind is refused before
// anything is sent.
func TestTunnelKindChecks(t *testing.T) {
	v4, v6 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2001:db8::1")
	for _, c := range []struct {
		info LinkInfo
		want string
	}{
		{LinkInfo{Kind: "gre", Data: &GreInfo{Remote: v6}}, "IPv4 addresses"},
		{LinkInfo{Kind: "ip6gretap", Data: &GreInfo{Local: v4}}, "IPv6 addresses"},
		{LinkInfo{Kind: "gre", Data: &GreInfo{EncapLimit: new(uint8(1))}}, "IPv6 GRE"},
		{LinkInfo{Kind: "ip6gre", Data: &GreInfo{TOS: new(uint8(1))}}, "traffic class"},
		{LinkInfo{Kind: "ipip", Data: &IPTunInfo{ISATAP: new(true)}}, "sit"},
		{LinkInfo{Kind: "sit", Data: &IPTunInfo{Remote: netip.MustParseAddr("::ffff:10.0.0.1")}}, "IPv4 addresses"},
		{LinkInfo{Kind: "sit", Data: &IPTunInfo{Flags: new(IP6TunnelMIP6Dev)}}, "ip6tnl"},
		{LinkInfo{Kind: "ip6tnl", Data: &IPTunInfo{TOS: new(uint8(1))}}, "IPv4 tunnels"},
		{LinkInfo{Kind: "vxlan", Data: &IPTunInfo{}}, "cannot have"},
		{LinkInfo{Kind: "ipip", Data: &GreInfo{}}, "cannot have"},
		{LinkInfo{Data: &GeneveInfo{ID: new(uint32(1 << 24))}}, "24 bits"},
		{LinkInfo{Data: &GreInfo{FlowInfo: new(uint32(0xf0000000)), Remote: v6}}, "FlowInfo"},
		{LinkInfo{Kind: "sit", Data: &IPTunInfo{SIT6RDPrefix: netip.MustParsePrefix("10.0.0.0/8")}}, "IPv6 prefix"},
	} {
		var e nl.Encoder
		l := Link{Name: "x", Info: c.info}
		err := encodeLink(&e, Add, &l)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: %v, want an error saying %q", c.info.kind(), c.info.Data, err, c.want)
		}
	}
	// The kind follows from the addresses when not given.
	for _, c := range []struct {
		d    LinkData
		want string
	}{{&GreInfo{Remote: v6}, "ip6gre"}, {&GreInfo{}, "gre"}, {&IPTunInfo{Local: v6}, "ip6tnl"}, {&IPTunInfo{}, "ipip"}} {
		if k := (&LinkInfo{Data: c.d}).kind(); k != c.want {
			t.Errorf("%+v: kind %q, want %q", c.d, k, c.want)
		}
	}
}

// tunnelKinds are the kinds FuzzTunnelData decodes data as.
var tunnelKinds = []string{"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan", "ipip", "sit", "ip6tnl", "geneve"}

// FuzzTunnelData decodes any bytes as the IFLA_INFO_DATA of each tunnel
// kind. What decodes (and fits the kind) must encode, decode to the same
// data, and encode again to the same bytes. Seeds: our encodings of the
// samples, and the data of tunnels dumped from guest kernels.
func FuzzTunnelData(f *testing.F) {
	for _, l := range tunnelSamples() {
		f.Add(encodeDataOnly(l.Info.Data))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, kind := range tunnelKinds {
			d, err := decodeLinkData(kind, b, 0, nil)
			if err != nil {
				continue
			}
			info := LinkInfo{Kind: kind, Data: d}
			if info.validate(0) != nil {
				continue
			}
			enc := encodeDataOnly(d)
			back, err := decodeLinkData(kind, enc, 0, nil)
			if err != nil {
				t.Fatalf("%s: decoding our encoding %x of %+v: %v", kind, enc, d, err)
			}
			if !reflect.DeepEqual(back, d) {
				t.Fatalf("%s: round trip changed the data:\n%+v\n%+v", kind, d, back)
			}
			if enc2 := encodeDataOnly(back); !bytes.Equal(enc, enc2) {
				t.Fatalf("%s: encodings differ:\n%x\n%x", kind, enc, enc2)
			}
		}
	})
}

// encodeDataOnly returns the attributes d puts in IFLA_INFO_DATA.
func encodeDataOnly(d LinkData) []byte {
	var e nl.Encoder
	e.Begin(0, 0)
	d.encodeData(&e)
	e.End()
	return e.Message(0).Data
}
