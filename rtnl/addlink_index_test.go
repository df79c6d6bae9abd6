package rtnl_test

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/rtnl"
)

// TestAddLinkSetsIndex checks that AddLink fills in the new link's index,
// named or not, a veth's too (not its peer's).
func TestAddLinkSetsIndex(t *testing.T) {
	ns, h := newHandle(t)
	links := []*rtnl.Link{
		{Name: "e0", Info: rtnl.LinkInfo{Kind: "ifb"}},
		{Name: "e1", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "e2"}}}},
		{Info: rtnl.LinkInfo{Kind: "ifb"}},                                        // the kernel names it
		{Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "e3"}}}}, // and this one, not its peer
	}
	for _, l := range links {
		if err := h.AddLink(bg, l); err != nil {
			t.Fatal(err)
		}
		if l.Index <= 0 {
			t.Fatalf("AddLink %q: Index %d", l.Name, l.Index)
		}
	}
	for _, name := range []string{"e0", "e1"} {
		if got, want := links[map[string]int{"e0": 0, "e1": 1}[name]].Index, ipIfindex(t, ns, name); got != want {
			t.Errorf("AddLink %s: Index %d, ip says %d", name, got, want)
		}
	}
	got, err := h.LinkByIndex(bg, links[2].Index)
	if err != nil || got.Info.Kind != "ifb" || got.Name == "e0" {
		t.Errorf("the unnamed link's index %d: %v %v", links[2].Index, got, err)
	}
	got, err = h.LinkByIndex(bg, links[3].Index)
	if err != nil || got.Info.Kind != "veth" || got.Name == "e3" || got.Name == "e1" || got.Name == "e2" {
		t.Errorf("the unnamed veth's index %d: %v %v", links[3].Index, got, err)
	}
	if links[3].Index == ipIfindex(t, ns, "e3") {
		t.Errorf("the unnamed veth's index %d is its peer's", links[3].Index)
	}
}

// TestSetLinkByName changes and renames a link named only by its name.
func TestSetLinkByName(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "rn0", "type", "ifb")
	idx := ipIfindex(t, ns, "rn0")
	if err := h.SetLink(bg, &rtnl.Link{Name: "rn0"}, &rtnl.LinkChange{Name: "rn1", MTU: 1400}); err != nil {
		t.Fatal(err)
	}
	l, err := h.LinkByIndex(bg, idx)
	if err != nil || l.Name != "rn1" || l.MTU != 1400 {
		t.Fatalf("after renaming rn0 by name: %v, %v", l, err)
	}
	if err := h.SetLinkUp(bg, &rtnl.Link{Name: "rn1"}); err != nil {
		t.Fatal(err)
	}
	err = h.SetLink(bg, &rtnl.Link{Name: "rn1"}, &rtnl.LinkChange{Explicit: rtnl.LinkFieldTxQueueLen})
	if err == nil || !strings.Contains(err.Error(), "LinkFieldTxQueueLen") {
		t.Errorf("Explicit TxQueueLen in a LinkChange: %v, want an error naming it", err)
	}
	if err := h.SetLinkUp(bg, &rtnl.Link{Name: "nosuch0"}); !errors.Is(err, unix.ENODEV) {
		t.Errorf("a missing link by name: %v, want ENODEV", err)
	}
}
