package rtnl_test

import (
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// TestVethListingTyped lists veth ends, in one namespace and across two,
// and finds each end's peer in its *VethInfo: what CNI plugins check.
func TestVethListingTyped(t *testing.T) {
	ns, h := newHandle(t)
	other := netnstest.New(t)
	other.MustNotBeHost()
	ns.IP("link", "add", "va", "type", "veth", "peer", "name", "vb")
	ns.IP("link", "add", "vc", "type", "veth", "peer", "name", "vd", "netns", other.Name)
	peerOf := func(h *rtnl.Handle, name string) *rtnl.VethInfo {
		t.Helper()
		l, err := h.LinkByName(bg, name)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := l.Info.Data.(*rtnl.VethInfo)
		if !ok {
			t.Fatalf("%s: Info.Data is %T, want *rtnl.VethInfo", name, l.Info.Data)
		}
		if v.PeerIndex != l.ParentIndex || v.PeerIndex == 0 {
			t.Fatalf("%s: PeerIndex %d, ParentIndex %d", name, v.PeerIndex, l.ParentIndex)
		}
		return v
	}
	if v := peerOf(h, "va"); v.PeerIndex != ipIfindex(t, ns, "vb") || v.PeerNetNSID != nil {
		t.Errorf("va: peer %d in %v, want vb (%d) here", v.PeerIndex, v.PeerNetNSID, ipIfindex(t, ns, "vb"))
	}
	v := peerOf(h, "vc")
	if v.PeerNetNSID == nil {
		t.Fatal("vc: the peer's namespace id is missing")
	}
	if v.PeerIndex != ipIfindex(t, other, "vd") {
		t.Errorf("vc: peer %d, want vd (%d) in the other namespace", v.PeerIndex, ipIfindex(t, other, "vd"))
	}
	id, err := h.NetNSID(bg, other.NS)
	if err != nil || id != *v.PeerNetNSID {
		t.Errorf("vc: PeerNetNSID %d, the other namespace's id here %d (%v)", *v.PeerNetNSID, id, err)
	}
	// The same through a listing (the store's memory) and from the other
	// side.
	links, err := h.ListLinks(bg, &rtnl.LinkFilter{Kind: "veth"})
	if err != nil || len(links) != 3 {
		t.Fatalf("veth listing: %d links, %v", len(links), err)
	}
	for _, l := range links {
		if v, ok := l.Info.Data.(*rtnl.VethInfo); !ok || v.PeerIndex == 0 {
			t.Errorf("listed %s: Info.Data %#v", l.Name, l.Info.Data)
		}
	}
	h2, err := rtnl.Dial(&nl.Config{NetNS: other.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if v := peerOf(h2, "vd"); v.PeerIndex != ipIfindex(t, ns, "vc") || v.PeerNetNSID == nil {
		t.Errorf("vd: peer %d in %v, want vc (%d) in the first namespace", v.PeerIndex, v.PeerNetNSID, ipIfindex(t, ns, "vc"))
	}
}
