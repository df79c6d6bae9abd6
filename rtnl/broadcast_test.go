package rtnl_test

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/rtnl"
)

func TestBroadcastOf(t *testing.T) {
	for p, want := range map[string]string{
		"10.1.0.5/24":    "10.1.0.255",
		"10.1.0.5/8":     "10.255.255.255",
		"192.168.1.1/30": "192.168.1.3",
		"0.0.0.0/0":      "255.255.255.255",
		"10.1.0.5/31":    "",
		"10.1.0.5/32":    "",
		"2001:db8::1/64": "",
	} {
		got, ok := rtnl.BroadcastOf(netip.MustParsePrefix(p))
		if want == "" {
			if ok {
				t.Errorf("%s: %v, want none", p, got)
			}
			continue
		}
		if !ok || got != netip.MustParseAddr(want) {
			t.Errorf("%s: %v %v, want %s", p, got, ok, want)
		}
	}
}

func ExampleBroadcastOf() {
	p := netip.MustParsePrefix("10.1.0.5/24")
	brd, _ := rtnl.BroadcastOf(p) // ip address add 10.1.0.5/24 brd + ...
	a := rtnl.Address{Prefix: p, Broadcast: brd}
	fmt.Println(a.Broadcast)
	// Output: 10.1.0.255
}
