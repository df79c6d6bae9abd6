package rtnl

import (
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzBridgeVLANGlobal feeds any bytes, as a whole netlink message, to the
// decoder of VLAN global options; options that decode (and are valid to
// send) must encode and decode back to the same options, but for what is
// reported only. Seeds: global option dumps and RTNLGRP_BRVLAN events
// captured from a 6.1 kernel (in the kernel matrix's guest), each nest
// split so that a seed stays within maxSeedLen, and our own requests.
func FuzzBridgeVLANGlobal(f *testing.F) {
	on, v8, v32, v64 := true, uint8(3), uint32(4), uint64(12600)
	for _, o := range []BridgeVLANGlobal{
		{LinkIndex: 2, VID: 10, McastSnooping: &on, McastQuerier: &on, McastIGMPVersion: &v8, McastMLDVersion: &v8,
			McastLastMemberCount: &v32, McastStartupQueryCount: &v32, McastLastMemberInterval: &v64,
			McastMembershipInterval: &v64, McastQuerierInterval: &v64, McastQueryInterval: &v64,
			McastQueryResponseInterval: &v64, McastStartupQueryInterval: &v64},
		{LinkIndex: 2, VID: 20, VIDEnd: 22, McastSnooping: new(false)},
	} {
		var e nl.Encoder
		if err := encodeBridgeVLANGlobal(&e, &o); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		var db BridgeVLANGlobalDB
		if db.Decode(m) != nil {
			return
		}
		for _, x := range db.Options {
			if x.VIDEnd != 0 && x.VIDEnd == x.VID {
				t.Fatalf("range of one VLAN kept: %+v", x)
			}
			var e nl.Encoder
			if encodeBridgeVLANGlobal(&e, &x) != nil {
				continue
			}
			var back BridgeVLANGlobalDB
			if err := back.Decode(e.Message(0)); err != nil {
				t.Fatalf("decoding our encoding of %+v: %v", x, err)
			}
			want := x
			want.McastRouterPorts, want.MSTI = nil, nil
			if len(back.Options) != 1 || !reflect.DeepEqual(back.Options[0], want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back.Options, want)
			}
		}
	})
}
