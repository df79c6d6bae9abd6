package rtnl

import (
	"net/netip"
	"reflect"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// FuzzVxlanVNI feeds any bytes, as a whole netlink message, to the decoder
// of the VNI filter; entries that decode (and are valid to send) must
// encode and decode back to the same entries, but for the counters, which
// are reported only. Seeds: VNI filter dumps captured from the kernel
// (TestCaptureVxlanVNISeeds) and our own requests.
func FuzzVxlanVNI(f *testing.F) {
	for _, v := range []VxlanVNI{
		{LinkIndex: 3, VNI: 100},
		{LinkIndex: 3, VNI: 200, VNIEnd: 210, Group: netip.MustParseAddr("239.1.1.1")},
		{LinkIndex: 4, VNI: 300, Group: netip.MustParseAddr("2001:db8::1")},
	} {
		var e nl.Encoder
		if err := encodeVxlanVNI(&e, Add, &v); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		var db VxlanVNIDB
		if db.Decode(m) != nil {
			return
		}
		for _, x := range db.Entries {
			if x.VNIEnd != 0 && x.VNIEnd == x.VNI {
				t.Fatalf("range of one VNI kept: %+v", x)
			}
			if x.Group.IsValid() && x.Group.IsUnspecified() {
				t.Fatalf("unspecified group kept: %+v", x)
			}
			var e nl.Encoder
			if encodeVxlanVNI(&e, Add, &x) != nil {
				continue
			}
			var back VxlanVNIDB
			if err := back.Decode(e.Message(0)); err != nil {
				t.Fatalf("decoding our encoding of %+v: %v", x, err)
			}
			want := x
			want.Stats = nil
			if len(back.Entries) != 1 || !reflect.DeepEqual(back.Entries[0], want) {
				t.Fatalf("round trip:\n got %+v\nwant %+v", back.Entries, want)
			}
		}
	})
}
