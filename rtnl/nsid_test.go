package rtnl_test

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// ipNSIDs returns `ip -n NS -j netns list-id` as nsid → name.
func ipNSIDs(t *testing.T, ns *netnstest.NS) map[int]string {
	t.Helper()
	out := ns.IP("-j", "netns", "list-id")
	var ids []struct {
		NSID int    `json:"nsid"`
		Name string `json:"name"`
	}
	if len(out) > 0 {
		if err := json.Unmarshal([]byte(out), &ids); err != nil {
			t.Fatalf("ip netns list-id: %v\n%s", err, out)
		}
	}
	m := map[int]string{}
	for _, id := range ids {
		m[id.NSID] = id.Name
	}
	return m
}

func TestNetNSID(t *testing.T) {
	ns, h := newHandle(t)
	a, b := netnstest.New(t), netnstest.New(t)
	for _, o := range []*netnstest.NS{a, b} {
		id, err := h.NetNSID(bg, o.NS)
		if err != nil || id != rtnl.NoNetNSID {
			t.Fatalf("id before assignment: %d %v", id, err)
		}
	}
	if err := h.SetNetNSID(bg, a.NS, 7); err != nil {
		t.Fatal(err)
	}
	if err := h.SetNetNSID(bg, b.NS, rtnl.NoNetNSID); err != nil { // the kernel picks one
		t.Fatal(err)
	}
	idA, err := h.NetNSID(bg, a.NS)
	if err != nil || idA != 7 {
		t.Fatalf("id of a: %d %v", idA, err)
	}
	idB, err := h.NetNSID(bg, b.NS)
	if err != nil || idB < 0 || idB == 7 {
		t.Fatalf("id of b: %d %v", idB, err)
	}
	// ip agrees.
	if got := ipNSIDs(t, ns); got[7] != a.Name || got[idB] != b.Name {
		t.Fatalf("ip netns list-id: %v", got)
	}
	ids, err := h.ListNetNSIDs(bg)
	if err != nil || !slices.Equal(ids, []int{min(7, idB), max(7, idB)}) {
		t.Fatalf("ListNetNSIDs: %v %v", ids, err)
	}
	// An id is assigned once.
	err = h.SetNetNSID(bg, a.NS, 8)
	if !errors.Is(err, os.ErrExist) || linkOp(err) != "set netns id" {
		t.Fatalf("reassign: %v (op %q)", err, linkOp(err))
	}
	// Ids are per namespace: a has none for this one yet.
	ha, err := rtnl.Dial(&nl.Config{NetNS: a.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer ha.Close()
	if id, err := ha.NetNSID(bg, ns.NS); err != nil || id != rtnl.NoNetNSID {
		t.Fatalf("id of this namespace in a: %d %v", id, err)
	}
	if _, err := h.NetNSID(bg, nil); err == nil {
		t.Fatal("nil namespace accepted")
	}
}
