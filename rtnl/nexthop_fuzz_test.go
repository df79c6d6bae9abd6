package rtnl

import (
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// FuzzNexthop feeds arbitrary messages to the nexthop and nexthop bucket
// decoders and describers, and checks that a nexthop that decodes and
// validates survives an encode and a decode.
func FuzzNexthop(f *testing.F) {
	for _, nh := range []Nexthop{
		{ID: 1, Gateway: netip.MustParseAddr("10.0.0.1"), LinkIndex: 3, Flags: RouteOnlink, Protocol: ProtoBGP},
		{ID: 2, Group: []NexthopGroupMember{{ID: 1, Weight: 300}, {ID: 3}}, GroupType: NexthopGroupResilient,
			Resilient: NexthopResilient{Buckets: 8, IdleTimer: time.Second}},
		{ID: 3, Family: IPv6, Blackhole: true},
	} {
		var e nl.Encoder
		if err := encodeNexthop(&e, Replace, &nh); err != nil {
			f.Fatal(err)
		}
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = nexthopObject(m, fuzzNames)
		_ = nexthopBucketObject(m, fuzzNames)
		var bk NexthopBucket
		_ = bk.Decode(m)
		var nh Nexthop
		if err := nh.Decode(m); err != nil {
			return
		}
		_ = nh.String()
		var e nl.Encoder
		if err := encodeNexthop(&e, Replace, &nh); err != nil {
			return // the decoded nexthop is not one a request may carry
		}
		var back Nexthop
		if err := back.decodeMessage(e.Message(0), true, nil); err != nil {
			t.Fatalf("decoding the encoded %+v: %v", nh, err)
		}
		// What a request does not carry.
		want := nh
		want.Family = nh.family()
		want.Scope = 0
		want.Flags &= nexthopUserFlag
		want.HWStatsUsed = false
		want.Resilient.UnbalancedTime = 0
		if want.Encap.Type == 0 {
			want.Encap.Data = nil
		}
		if want.Group != nil {
			want.Group = append([]NexthopGroupMember(nil), want.Group...)
			for i := range want.Group {
				want.Group[i].Packets, want.Group[i].HWPackets = 0, 0
			}
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip:\n%+v\nbecame\n%+v", want, back)
		}
	})
}
