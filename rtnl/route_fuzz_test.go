package rtnl

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzRoute feeds any bytes, as a whole netlink message, to the route
// decoder and to the error wording; what decodes must encode and decode
// back to the same route. Seeds: routes dumped from the kernel
// (TestCaptureRouteSeeds) and our own encodings.
func FuzzRoute(f *testing.F) {
	for _, r := range []Route{
		{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("10.1.0.2"), LinkIndex: 3, Priority: 5,
			Metrics: Metrics{MTU: 1400, RTT: 10, Congestion: "cubic"}},
		{Dst: netip.MustParsePrefix("10.6.0.0/16"), Nexthops: []RouteNexthop{
			{Gateway: netip.MustParseAddr("10.1.0.2"), LinkIndex: 3, Weight: 2},
			{Gateway: netip.MustParseAddr("2001:db8::2"), LinkIndex: 4, Flags: RouteOnlink}}},
		{Dst: netip.MustParsePrefix("2001:db8::/32"), Src: netip.MustParsePrefix("2001:db8:1::/48"), Pref: PrefHigh, Expires: 30},
		{Dst: netip.MustParsePrefix("10.9.0.0/16"), Encap: Encap{Type: 2, Data: []byte{8, 0, 1, 0, 0, 0, 0, 5}}, Type: RouteBlackhole, Table: 1000},
	} {
		var e nl.Encoder
		if err := encodeRoute(&e, Add, &r); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = routeObject(m, nil)
		var r Route
		if r.Decode(m) != nil {
			return
		}
		_ = r.String()
		var e nl.Encoder
		if encodeRoute(&e, Replace, &r) != nil {
			return
		}
		var back Route
		if err := back.Decode(e.Message(0)); err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", r, err)
		}
		want := r
		if want.Table == 0 {
			want.Table = TableMain
		}
		if want.Type == RouteUnspec {
			want.Type = RouteUnicast
		}
		if want.Family == AnyFamily {
			want.Family = familyOfAddr(want.Dst.Addr())
		}
		want.Mark, back.Mark = 0, 0
		want.Cache, back.Cache = RouteCacheInfo{}, RouteCacheInfo{}
		want.UID, back.UID = nil, nil
		want.Metrics.Congestion, back.Metrics.Congestion = "", ""
		want.Flags &= 0xff // flags above the nexthop ones are the kernel's, not ours to round-trip
		back.Flags &= 0xff
		for _, nhs := range [][]RouteNexthop{want.Nexthops, back.Nexthops} {
			for i := range nhs {
				if nhs[i].Encap.Type == 0 {
					nhs[i].Encap.Data = nil
				}
			}
		}
		if want.Encap.Type == 0 {
			want.Encap.Data = nil
		}
		if len(want.Nexthops) == 0 {
			want.Nexthops = nil
		}
		if want.NexthopID != 0 { // the object's paths are not sent
			want.Gateway, want.LinkIndex, want.Nexthops, want.Encap = netip.Addr{}, 0, nil, Encap{}
		}
		if !reflect.DeepEqual(normalizeEmpty(want), normalizeEmpty(back)) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	})
}

// normalizeEmpty treats nil and empty byte slices alike.
func normalizeEmpty(r Route) Route {
	if len(r.Encap.Data) == 0 {
		r.Encap.Data = nil
	}
	nhs := append([]RouteNexthop(nil), r.Nexthops...)
	for i := range nhs {
		if len(nhs[i].Encap.Data) == 0 {
			nhs[i].Encap.Data = nil
		}
	}
	r.Nexthops = nhs
	return r
}
