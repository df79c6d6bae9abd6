package rtnl

import (
	"encoding/binary"
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// The request of `bridge vlan set dev if3 vid 20-22 state blocking
// mcast_router 2`: an RTM_NEWVLAN with one only-options entry.
func TestEncodeBridgeVLANOptions(t *testing.T) {
	st, r := BridgePortBlocking, uint8(2)
	o := &BridgeVLANOptions{LinkIndex: 3, VID: 20, VIDEnd: 22, State: &st, McastRouter: &r}
	if got, want := o.String(), "dev if3 vid 20-22 state blocking mcast_router 2"; got != want {
		t.Errorf("String: %q, want %q", got, want)
	}
	var e nl.Encoder
	if err := encodeBridgeVLANOptions(&e, o); err != nil {
		t.Fatal(err)
	}
	m := e.Message(0)
	if m.Header.Type != rtmNewVLAN || m.Data[0] != 7 || binary.NativeEndian.Uint32(m.Data[4:]) != 3 {
		t.Fatalf("header: %v % x", m.Header, m.Data[:8])
	}
	var db BridgeVLANDB
	if err := db.Decode(m); err != nil {
		t.Fatal(err)
	}
	if len(db.Entries) != 1 {
		t.Fatalf("entries: %+v", db.Entries)
	}
	x := db.Entries[0]
	if x.VID != 20 || x.VIDEnd != 22 || x.Flags != bridgeVLANOnlyOpts || x.State != BridgePortBlocking || x.McastRouter == nil || *x.McastRouter != 2 {
		t.Errorf("entry: %+v", x)
	}
	for _, bad := range []*BridgeVLANOptions{
		nil, {LinkIndex: 3}, {LinkIndex: 3, VID: 4095}, {LinkIndex: 3, VID: 20, VIDEnd: 10}, {VID: 10},
	} {
		var e nl.Encoder
		if err := encodeBridgeVLANOptions(&e, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
