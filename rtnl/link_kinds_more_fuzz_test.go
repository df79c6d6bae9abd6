package rtnl

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// fuzzKinds are the kinds FuzzLinkKindData decodes data of: the first
// byte of an input picks one, as a link's kind (IFLA_INFO_DATA) or, from
// kinds[len(kinds)/2] on, its master's (IFLA_INFO_SLAVE_DATA).
var fuzzKinds = [...]struct {
	kind  string
	slave bool
}{
	{"vlan", false}, {"bond", false}, {"vrf", false}, {"ipvlan", false}, {"ipvtap", false},
	{"bond", true}, {"vrf", true},
}

// FuzzLinkKindData feeds any bytes to the decoders of the vlan, bond, vrf
// and ipvlan data and of the bond and VRF port data, as the attributes
// inside IFLA_INFO_DATA (or IFLA_INFO_SLAVE_DATA). What decodes must
// encode, and its encoding decode to data that encodes to the same bytes.
// Seeds: our own encodings of each kind; real kernel messages with these
// kinds are FuzzLink's seeds (kernel-* from TestCaptureLinkSeeds and
// TestCaptureKindSeeds, run in a guest kernel that has the kinds).
func FuzzLinkKindData(f *testing.F) {
	for i, d := range []LinkData{
		&VlanInfo{ID: new(uint16(5)), Protocol: new(VlanProtocol8021AD), Flags: &VlanFlags{Value: 1, Mask: 0xffffffff},
			IngressQoS: []VlanQoSMapping{{1, 2}}, EgressQoS: []VlanQoSMapping{{3, 4}, {5, 6}}},
		&BondInfo{Mode: new(BondActiveBackup), MIIMon: new(uint32(100)), ActivePortIndex: new(3),
			ARPIPTargets: []netip.Addr{netip.MustParseAddr("10.0.0.1")}, NSIP6Targets: []netip.Addr{netip.MustParseAddr("2001:db8::1")},
			XmitHashPolicy: new(BondHashLayer34), ADActorSystem: net.HardwareAddr{2, 0, 0, 0, 0, 1}, ADLACPRate: new(true)},
		&VrfInfo{Table: new(uint32(10))},
		&IpvlanInfo{Mode: new(IpvlanL3S), Flags: new(IpvlanVEPA)},
		&IpvlanInfo{Mode: new(IpvlanL2)},
		&BondPortInfo{QueueID: new(uint16(2)), Prio: new(int32(-5))},
		&VrfPortInfo{Table: 10},
	} {
		var e nl.Encoder
		e.Begin(0, 0)
		d.encodeData(&e)
		e.End()
		f.Add(uint8(i), e.Message(0).Data)
	}
	// A bond's reported state, as the kernel sends it.
	var e nl.Encoder
	e.Begin(0, 0)
	n := e.Nest(23) // IFLA_BOND_AD_INFO
	e.Uint16(1, 1)
	e.Attr(5, []byte{2, 0, 0, 0, 0, 2})
	e.EndNest(n)
	e.End()
	f.Add(uint8(1), e.Message(0).Data)
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		fk := fuzzKinds[int(k)%len(fuzzKinds)]
		dec := func(b []byte) (LinkData, error) {
			if fk.slave {
				return decodeSlaveData(fk.kind, b, nil)
			}
			return decodeLinkData(fk.kind, b, 0, nil)
		}
		d, err := dec(b)
		if err != nil {
			return
		}
		if !d.accepts(fk.kind) {
			t.Fatalf("%T does not accept its kind %q", d, fk.kind)
		}
		if d.validate(0) != nil {
			return
		}
		enc := func(d LinkData) []byte {
			var e nl.Encoder
			e.Begin(0, 0)
			d.encodeData(&e)
			if err := e.End(); err != nil {
				t.Fatalf("encoding %+v: %v", d, err)
			}
			return e.Message(0).Data
		}
		b1 := enc(d)
		back, err := dec(b1)
		if err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", d, err)
		}
		if b2 := enc(back); !bytes.Equal(b1, b2) {
			t.Fatalf("encodings differ:\n%x\n%x", b1, b2)
		}
	})
}
