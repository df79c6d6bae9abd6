package rtnl

import (
	"net/netip"
	"reflect"
	"strconv"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

func fuzzNames(i int) string { return "if" + strconv.Itoa(i) }

// FuzzRule feeds arbitrary messages to the rule decoder and describer, and
// checks that what decodes and validates survives an encode and a decode.
func FuzzRule(f *testing.F) {
	for _, r := range []Rule{
		{Priority: 100, Src: netip.MustParsePrefix("10.0.0.0/8"), Table: 1000, Invert: true, InputLinkName: "eth0", Mark: 1, Mask: 3},
		{Family: IPv6, Dst: netip.MustParsePrefix("2001:db8::/32"), Goto: 7, UIDRange: &RuleUIDRange{1, 2},
			SrcPort: RulePortRange{5, 5}, SrcPortMask: 0xf0, SuppressPrefixLen: new(0), DSCP: new(uint8(3)), DSCPMask: 3},
	} {
		var e nl.Encoder
		if err := encodeRule(&e, Add, &r); err != nil {
			f.Fatal(err)
		}
		f.Add(e.Bytes())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = ruleObject(m, fuzzNames)
		var r Rule
		if err := r.Decode(m); err != nil {
			return
		}
		_ = r.String()
		var e nl.Encoder
		if err := encodeRule(&e, Delete, &r); err != nil {
			return // the decoded rule is not one a request may carry
		}
		var back Rule
		if err := back.Decode(e.Message(0)); err != nil {
			t.Fatalf("decoding the encoded %+v: %v", r, err)
		}
		// What a request does not carry, or carries in its short form.
		want := r
		want.Family = r.family()
		want.Flags = 0
		if want.Src.IsValid() {
			want.Src = want.Src.Masked()
		}
		if want.Dst.IsValid() {
			want.Dst = want.Dst.Masked()
		}
		if want.SrcPortMask == 0xffff {
			want.SrcPortMask = 0
		}
		if want.DstPortMask == 0xffff {
			want.DstPortMask = 0
		}
		if want.DSCPMask == 0x3f {
			want.DSCPMask = 0
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip:\n%+v\nbecame\n%+v", want, back)
		}
	})
}
