package rtnl

import (
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// Global options: our request decodes as the kernel's reports do.
func TestEncodeBridgeVLANGlobalOptions(t *testing.T) {
	on, v := true, uint64(12600)
	o := &BridgeVLANGlobal{LinkIndex: 2, VID: 10, VIDEnd: 12, McastSnooping: &on, McastQueryInterval: &v}
	var e nl.Encoder
	if err := encodeBridgeVLANGlobal(&e, o); err != nil {
		t.Fatal(err)
	}
	var db BridgeVLANGlobalDB
	if err := db.Decode(e.Message(0)); err != nil {
		t.Fatal(err)
	}
	if db.LinkIndex != 2 || len(db.Options) != 1 {
		t.Fatalf("%+v", db)
	}
	x := db.Options[0]
	if x.VID != 10 || x.VIDEnd != 12 || x.McastSnooping == nil || !*x.McastSnooping || x.McastQueryInterval == nil ||
		*x.McastQueryInterval != 12600 || x.McastQuerier != nil {
		t.Errorf("%+v", x)
	}
	for _, bad := range []*BridgeVLANGlobal{nil, {LinkIndex: 2}, {VID: 10}, {LinkIndex: 2, VID: 5, VIDEnd: 4}} {
		var e nl.Encoder
		if err := encodeBridgeVLANGlobal(&e, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
