package rtnl

import (
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// FuzzAddress feeds any bytes, as a whole netlink message, to the address
// decoder and to the error wording; what decodes (and is valid to send)
// must encode and decode back to the same address. Seeds: addresses dumped
// from the kernel (TestCaptureAddressSeeds) and our own encodings.
func FuzzAddress(f *testing.F) {
	for _, a := range []Address{
		{LinkIndex: 3, Prefix: netip.MustParsePrefix("10.1.0.5/24"), Broadcast: netip.MustParseAddr("10.1.0.255"), Label: "v0:1", RoutePriority: 9},
		{LinkIndex: 3, Prefix: netip.MustParsePrefix("10.2.0.1/32"), Peer: netip.MustParsePrefix("10.2.0.2/32"), Scope: ScopeLink},
		{LinkIndex: 4, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: AddrNoDAD | AddrNoPrefixRoute | AddrManageTempAddr,
			ValidLifetime: 100, PreferredLifetime: 50, Protocol: AddrProtoKernelRA, Anycast: netip.MustParseAddr("2001:db8::")},
	} {
		var e nl.Encoder
		if err := encodeAddress(&e, Add, &a); err != nil {
			f.Fatal(err)
		}
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		_ = addrObject(m, nil)
		var a Address
		if a.Decode(m) != nil {
			return
		}
		_ = a.String()
		_ = a.Flags.String()
		var e nl.Encoder
		if encodeAddress(&e, Replace, &a) != nil {
			return
		}
		var back Address
		if err := back.Decode(e.Message(0)); err != nil {
			t.Fatalf("decoding our encoding of %+v: %v", a, err)
		}
		want := a
		want.Family = a.family()
		want.Created, want.Updated = 0, 0
		if want.ValidLifetime == 0 && want.PreferredLifetime != 0 {
			want.ValidLifetime = LifetimeForever
		}
		if back != want {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	})
}

// The lifetimes of IFA_CACHEINFO are read, and its timestamps are in
// hundredths of seconds.
func TestAddressDecodeCacheInfo(t *testing.T) {
	msg := []byte{
		8, 0, 0, 0, 3, 0, 0, 0, // ifaddrmsg: inet6, /0, index 3
		8, 0, 1, 0, 10, 0, 0, 1, // IFA_ADDRESS 10.0.0.1 (in an inet6 message: the address decides)
		20, 0, 6, 0, 50, 0, 0, 0, 100, 0, 0, 0, 200, 0, 0, 0, 44, 1, 0, 0, // IFA_CACHEINFO
		8, 0, 8, 0, 0, 2, 0, 0, // IFA_FLAGS noprefixroute
	}
	msg[0] = 10
	var a Address
	if err := a.Decode(nl.Message{Data: msg}); err != nil {
		t.Fatal(err)
	}
	if a.PreferredLifetime != 50 || a.ValidLifetime != 100 || a.Created != 2*time.Second || a.Updated != 3*time.Second ||
		a.Flags != AddrNoPrefixRoute || a.Prefix != netip.MustParsePrefix("10.0.0.1/0") || a.LinkIndex != 3 {
		t.Fatalf("%+v", a)
	}
	// A prefix length beyond the address is malformed.
	msg[1] = 33
	if err := a.Decode(nl.Message{Data: msg}); err == nil {
		t.Fatal("prefix length 33 accepted")
	}
}
