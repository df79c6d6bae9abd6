package rtnl_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// nhSetup brings lo up (blackhole nexthops need it) and makes an up veth
// pair n0/n1 with 10.9.0.1/24 and 2001:db8:9::1/64 on n0; it returns n0's
// and n1's indexes.
func nhSetup(t *testing.T, ns *netnstest.NS) (int, int) {
	t.Helper()
	ns.IP("link", "set", "lo", "up")
	ns.IP("link", "add", "n0", "type", "veth", "peer", "name", "n1")
	ns.IP("link", "set", "n0", "up")
	ns.IP("link", "set", "n1", "up")
	ns.IP("addr", "add", "10.9.0.1/24", "dev", "n0")
	ns.IP("addr", "add", "10.8.0.1/24", "dev", "n1")
	ns.IP("addr", "add", "2001:db8:9::1/64", "dev", "n0", "nodad")
	var links []struct {
		Ifindex int    `json:"ifindex"`
		Ifname  string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(ns.IP("-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	idx := map[string]int{}
	for _, l := range links {
		idx[l.Ifname] = l.Ifindex
	}
	return idx["n0"], idx["n1"]
}

// ipNexthops returns `ip -j nexthop show ARGS` keyed by id.
func ipNexthops(t *testing.T, ns *netnstest.NS, args ...string) map[float64]map[string]any {
	t.Helper()
	out := ns.IP(append([]string{"-j", "nexthop", "show"}, args...)...)
	var nhs []map[string]any
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &nhs); err != nil {
			t.Fatalf("ip -j nexthop show %v: %v\n%s", args, err, out)
		}
	}
	m := map[float64]map[string]any{}
	for _, nh := range nhs {
		m[nh["id"].(float64)] = nh
	}
	return m
}

func nhAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

// testNexthops are nexthops of every kind, added in order, with what
// `ip -j nexthop show` prints for them.
func testNexthops(n0 int) []struct {
	nh rtnl.Nexthop
	ip map[string]any
} {
	return []struct {
		nh rtnl.Nexthop
		ip map[string]any
	}{
		{rtnl.Nexthop{ID: 1, Gateway: nhAddr("10.9.0.2"), LinkIndex: n0},
			map[string]any{"gateway": "10.9.0.2", "dev": "n0", "scope": "link", "flags": []any{}}},
		{rtnl.Nexthop{ID: 2, Gateway: nhAddr("10.9.0.3"), LinkIndex: n0, Protocol: rtnl.ProtoBGP},
			map[string]any{"gateway": "10.9.0.3", "protocol": "bgp"}},
		{rtnl.Nexthop{ID: 3, Gateway: nhAddr("2001:db8:9::2"), LinkIndex: n0},
			map[string]any{"gateway": "2001:db8:9::2", "dev": "n0"}},
		{rtnl.Nexthop{ID: 4, Blackhole: true}, map[string]any{"blackhole": nil}},
		{rtnl.Nexthop{ID: 5, Gateway: nhAddr("10.10.0.1"), LinkIndex: n0, Flags: rtnl.RouteOnlink},
			map[string]any{"gateway": "10.10.0.1", "flags": []any{"onlink"}}},
		// A device-only path's scope is the kernel's: host on 6.1 and
		// later, link on 5.10 (TestNexthopAddReplaceDelete reads it from ip).
		{rtnl.Nexthop{ID: 6, LinkIndex: n0}, map[string]any{"dev": "n0"}},
		{rtnl.Nexthop{ID: 7, Family: rtnl.IPv6, Blackhole: true}, map[string]any{"blackhole": nil}},
		{rtnl.Nexthop{ID: 10, Group: []rtnl.NexthopGroupMember{{ID: 1}, {ID: 2, Weight: 5}}},
			map[string]any{"group": []any{map[string]any{"id": 1.0}, map[string]any{"id": 2.0, "weight": 5.0}}}},
		{rtnl.Nexthop{ID: 11, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 3}, {ID: 2}}, GroupType: rtnl.NexthopGroupResilient,
			Resilient: rtnl.NexthopResilient{Buckets: 8, IdleTimer: 10 * time.Second, UnbalancedTimer: 20 * time.Second}},
			map[string]any{"type": "resilient", "resilient_args": map[string]any{"buckets": 8.0, "idle_timer": 10.0, "unbalanced_timer": 20.0, "unbalanced_time": 0.0}}},
		{rtnl.Nexthop{ID: 12, Gateway: nhAddr("10.9.0.4"), FDB: true}, map[string]any{"gateway": "10.9.0.4", "fdb": nil}},
		{rtnl.Nexthop{ID: 13, Group: []rtnl.NexthopGroupMember{{ID: 12}}, FDB: true},
			map[string]any{"group": []any{map[string]any{"id": 12.0}}, "fdb": nil}},
	}
}

func TestNexthopAddReplaceDelete(t *testing.T) {
	ns, h := newHandle(t)
	n0, _ := nhSetup(t, ns)
	// The resilient group is tested where the kernel has resilient groups.
	resilient, resilientWhy := kfeature.HasNexthopResilient(t, ns)
	var nhs []struct {
		nh rtnl.Nexthop
		ip map[string]any
	}
	for _, tn := range testNexthops(n0) {
		if tn.nh.GroupType == rtnl.NexthopGroupResilient && !resilient {
			kfeature.SkipPart(t, "resilient", kfeature.NexthopResilientFeature, resilientWhy)
			continue
		}
		nhs = append(nhs, tn)
	}
	for i := range nhs {
		if err := h.AddNexthop(bg, &nhs[i].nh); err != nil {
			t.Fatalf("add %v: %v", &nhs[i].nh, err)
		}
	}
	got := ipNexthops(t, ns)
	for _, tn := range nhs {
		wantKeys(t, tn.nh.String(), got[float64(tn.nh.ID)], tn.ip)
	}
	// The kernel picks a device-only path's scope (host, or link on
	// 5.10); ours must be the one ip reports.
	devOnlyScope := map[any]rtnl.Scope{"host": rtnl.ScopeHost, "link": rtnl.ScopeLink}[got[6]["scope"]]
	if devOnlyScope == 0 {
		t.Errorf("id 6 dev n0: scope %v, want host or link", got[6]["scope"])
	}
	var v6 []map[string]any
	json.Unmarshal([]byte(ns.IP("-6", "-j", "nexthop", "show")), &v6)
	if len(v6) != 2 || v6[0]["id"] != 3.0 || v6[1]["id"] != 7.0 {
		t.Errorf("ip -6 nexthop show: %v", v6)
	}

	// Our listing gives back what was added, with the kernel's scope.
	list, err := h.ListNexthops(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(nhs) {
		t.Fatalf("listed %d nexthops, want %d", len(list), len(nhs))
	}
	for i, nh := range list {
		want := nhs[i].nh
		if len(want.Group) == 0 && want.Family == rtnl.AnyFamily {
			want.Family = rtnl.IPv4
			if want.Gateway.Is6() {
				want.Family = rtnl.IPv6
			}
		}
		for j := range want.Group {
			want.Group[j].Weight = max(want.Group[j].Weight, 1)
		}
		switch {
		case want.Gateway.IsValid():
			want.Scope = rtnl.ScopeLink
		case want.LinkIndex != 0:
			want.Scope = devOnlyScope
		}
		if !reflect.DeepEqual(nh, want) {
			t.Errorf("listed\n%+v\nwant\n%+v", nh, want)
		}
	}

	// Replace a path and a group; routes through them follow.
	ns.IP("route", "add", "10.50.0.0/16", "nhid", "10")
	if err := h.ReplaceNexthop(bg, &rtnl.Nexthop{ID: 1, Gateway: nhAddr("10.9.0.7"), LinkIndex: n0, Protocol: rtnl.ProtoStatic}); err != nil {
		t.Fatal(err)
	}
	if err := h.ReplaceNexthop(bg, &rtnl.Nexthop{ID: 10, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 2}, {ID: 5, Weight: 200}}}); err != nil {
		t.Fatal(err)
	}
	got = ipNexthops(t, ns)
	wantKeys(t, "replaced 1", got[1], map[string]any{"gateway": "10.9.0.7", "protocol": "static"})
	wantKeys(t, "replaced 10", got[10], map[string]any{"group": []any{map[string]any{"id": 1.0, "weight": 2.0}, map[string]any{"id": 5.0, "weight": 200.0}}})
	if out := ns.IP("route", "show", "10.50.0.0/16"); !strings.Contains(out, "nhid 10") || !strings.Contains(out, "10.10.0.1") {
		t.Errorf("route through replaced group: %s", out)
	}
	// Change (replace without create) changes an existing nexthop.
	b := h.NewBatch()
	b.Nexthop(rtnl.Change, &rtnl.Nexthop{ID: 2, Gateway: nhAddr("10.9.0.8"), LinkIndex: n0})
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	wantKeys(t, "changed 2", ipNexthops(t, ns)[2], map[string]any{"gateway": "10.9.0.8"})

	// Deleting a group deletes the route that uses it; deleting a member
	// shrinks the groups.
	if err := h.DeleteNexthop(bg, &rtnl.Nexthop{ID: 10}); err != nil {
		t.Fatal(err)
	}
	if out := ns.IP("route", "show", "10.50.0.0/16"); out != "" {
		t.Errorf("route left after its group: %s", out)
	}
	if err := h.DeleteNexthop(bg, &rtnl.Nexthop{ID: 2}); err != nil {
		t.Fatal(err)
	}
	got = ipNexthops(t, ns)
	if got[10] != nil || got[2] != nil {
		t.Errorf("deleted nexthops listed: %v", got)
	}
	if resilient {
		wantKeys(t, "group 11 without 2", got[11], map[string]any{"group": []any{map[string]any{"id": 1.0, "weight": 3.0}}})
	}
}

// Group weights above 255, where the kernel has them (see
// kfeature.HasNexthopWideWeights); there, the kernel must take the group as encoded.
func TestNexthopWideWeights(t *testing.T) {
	ns, h := newHandle(t)
	ok, why := kfeature.HasNexthopWideWeights(t, ns)
	kfeature.Require(t, kfeature.NexthopWideWeightsFeature, ok, why)
	n0, _ := nhSetup(t, ns)
	for _, nh := range []rtnl.Nexthop{
		{ID: 1, Gateway: nhAddr("10.9.0.2"), LinkIndex: n0},
		{ID: 2, Gateway: nhAddr("10.9.0.3"), LinkIndex: n0},
	} {
		if err := h.AddNexthop(bg, &nh); err != nil {
			t.Fatal(err)
		}
	}
	g := rtnl.Nexthop{ID: 20, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 1000}, {ID: 2, Weight: 65535}}}
	if err := h.AddNexthop(bg, &g); err != nil {
		t.Fatalf("the kernel has 16-bit weights, yet: %v", err)
	}
	// The raw group entries: id, weight-1 as low and high bytes.
	var e nl.Encoder
	e.Begin(unix.RTM_GETNEXTHOP, 0)
	e.Fixed(8)
	e.Uint32(unix.NHA_ID, 20)
	e.End()
	msgs, err := h.Conn().Execute(bg, &e)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("raw get: %v %v", msgs, err)
	}
	d := nl.NewAttrDecoder(msgs[0].Data[8:])
	var grp []byte
	for d.Next() {
		if d.Type() == unix.NHA_GROUP {
			grp = d.Bytes()
		}
	}
	if len(grp) != 16 || binary.NativeEndian.Uint16(grp[4:]) != 999 || binary.NativeEndian.Uint16(grp[12:]) != 65534 {
		t.Fatalf("NHA_GROUP %x", grp)
	}
	nh, err := h.NexthopByID(bg, 20)
	if err != nil {
		t.Fatal(err)
	}
	if nh.Group[0].Weight != 1000 || nh.Group[1].Weight != 65535 {
		t.Errorf("weights %+v", nh.Group)
	}
	if err := h.AddNexthop(bg, &rtnl.Nexthop{ID: 21, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 65536}}}); err == nil || !strings.Contains(err.Error(), "weight 65536") {
		t.Errorf("weight 65536: %v", err)
	}
}

func TestNexthopFilters(t *testing.T) {
	ns, h := newHandle(t)
	n0, n1 := nhSetup(t, ns)
	for _, nh := range []rtnl.Nexthop{
		{ID: 1, Gateway: nhAddr("10.9.0.2"), LinkIndex: n0, Protocol: rtnl.ProtoBGP},
		{ID: 2, Gateway: nhAddr("10.8.0.2"), LinkIndex: n1},
		{ID: 3, Gateway: nhAddr("2001:db8:9::2"), LinkIndex: n0},
		{ID: 4, Blackhole: true},
		{ID: 5, Gateway: nhAddr("10.9.0.4"), FDB: true},
		{ID: 10, Group: []rtnl.NexthopGroupMember{{ID: 1}, {ID: 2}}},
		{ID: 11, Group: []rtnl.NexthopGroupMember{{ID: 5}}, FDB: true},
	} {
		if err := h.AddNexthop(bg, &nh); err != nil {
			t.Fatalf("%v: %v", &nh, err)
		}
	}
	idList := func(f *rtnl.NexthopFilter) string {
		t.Helper()
		list, err := h.ListNexthops(bg, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		var s []string
		for nh, err := range h.Nexthops(bg, f) {
			if err != nil {
				t.Fatal(err)
			}
			s = append(s, nh.String())
		}
		if len(s) != len(list) {
			t.Errorf("%+v: iterator gave %d, list %d", f, len(s), len(list))
		}
		var out []string
		for _, nh := range list {
			out = append(out, strings.Fields(nh.String())[1])
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		f    *rtnl.NexthopFilter
		want string
	}{
		{nil, "1,2,3,4,5,10,11"},
		{&rtnl.NexthopFilter{LinkIndex: n0}, "1,3"},
		{&rtnl.NexthopFilter{LinkIndex: n1}, "2"},
		{&rtnl.NexthopFilter{Groups: true}, "10,11"},
		{&rtnl.NexthopFilter{FDB: true}, "5,11"},
		{&rtnl.NexthopFilter{Groups: true, FDB: true}, "11"},
		{&rtnl.NexthopFilter{Family: rtnl.IPv6}, "3"},
		{&rtnl.NexthopFilter{Family: rtnl.IPv4}, "1,2,4,5"},
		{&rtnl.NexthopFilter{Protocol: rtnl.ProtoBGP}, "1"},
		{&rtnl.NexthopFilter{ID: 10}, "10"},
		{&rtnl.NexthopFilter{ID: 99}, ""},
		{&rtnl.NexthopFilter{ID: 10, Family: rtnl.IPv4}, ""},
	} {
		if got := idList(c.f); got != c.want {
			t.Errorf("%+v: %q, want %q", c.f, got, c.want)
		}
	}
	// ip agrees on the kernel-side filters.
	if got := ipNexthops(t, ns, "dev", "n0"); len(got) != 2 || got[1] == nil || got[3] == nil {
		t.Errorf("ip nexthop show dev n0: %v", got)
	}
	// Statistics come with the group members, where the kernel keeps them.
	if ok, why := kfeature.HasNexthopStats(t, ns); !ok {
		kfeature.SkipPart(t, "stats", kfeature.NexthopStatsFeature, why)
	} else {
		if got := idList(&rtnl.NexthopFilter{Stats: true}); got != "1,2,3,4,5,10,11" {
			t.Errorf("with statistics: %q", got)
		}
		list, err := h.ListNexthops(bg, &rtnl.NexthopFilter{ID: 10, Stats: true})
		if err != nil || len(list) != 1 || len(list[0].Group) != 2 || list[0].Group[1].ID != 2 {
			t.Fatalf("stats: %+v %v", list, err)
		}
	}
	// A VRF master filter, where VRFs exist.
	if ok, why := kfeature.HasLinkKind(t, ns, "vrf"); !ok {
		kfeature.SkipPart(t, "vrf", kfeature.LinkKindFeature("vrf"), why)
	} else {
		ns.IP("link", "add", "vrf0", "type", "vrf", "table", "10")
		ns.IP("link", "set", "vrf0", "up")
		ns.IP("link", "set", "n1", "master", "vrf0")
		var vrf int
		for _, l := range mustLinks(t, ns) {
			if l.name == "vrf0" {
				vrf = l.index
			}
		}
		// Enslaving n1 to the VRF cycles it down and up, which flushes
		// the nexthops through it:
		// add one through n1 now that it is in the VRF (its connected
		// route is in the VRF's table 10 then).
		if ids := ipNexthops(t, ns, "dev", "n1"); len(ids) != 0 {
			t.Errorf("ip nexthop show dev n1 after enslaving it to vrf0: %v, want none (flushed)", ids)
		}
		if err := h.AddNexthop(bg, &rtnl.Nexthop{ID: 6, Gateway: nhAddr("10.8.0.2"), LinkIndex: n1}); err != nil {
			t.Fatalf("nexthop 6 via 10.8.0.2 dev n1 in vrf0: %v", err)
		}
		if got := idList(&rtnl.NexthopFilter{MasterIndex: vrf}); got != "6" {
			t.Errorf("master vrf0: %q, want \"6\" (ip: %v)", got, ipNexthops(t, ns, "master", "vrf0"))
		}
		if got := ipNexthops(t, ns, "master", "vrf0"); len(got) != 1 || got[6] == nil {
			t.Errorf("ip nexthop show master vrf0: %v", got)
		}
	}
}

type nhLink struct {
	index int
	name  string
}

func mustLinks(t *testing.T, ns *netnstest.NS) []nhLink {
	var links []struct {
		Ifindex int    `json:"ifindex"`
		Ifname  string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(ns.IP("-j", "link", "show")), &links); err != nil {
		t.Fatal(err)
	}
	var out []nhLink
	for _, l := range links {
		out = append(out, nhLink{l.Ifindex, l.Ifname})
	}
	return out
}

func TestNexthopAutoIDAndGet(t *testing.T) {
	ns, h := newHandle(t)
	n0, _ := nhSetup(t, ns)
	nh := rtnl.Nexthop{Gateway: nhAddr("10.9.0.2"), LinkIndex: n0}
	if err := h.AddNexthop(bg, &nh); err != nil {
		t.Fatal(err)
	}
	got := ipNexthops(t, ns)
	if len(got) != 1 || got[1] == nil || nh.ID != 1 {
		t.Fatalf("auto id: %v, reported %d", got, nh.ID)
	}
	wantKeys(t, "auto id", got[1], map[string]any{"gateway": "10.9.0.2"})
	back, err := h.NexthopByID(bg, 1)
	if err != nil || back.ID != 1 || back.Gateway != nh.Gateway || back.LinkIndex != n0 || back.Scope != rtnl.ScopeLink {
		t.Errorf("NexthopByID: %+v %v", back, err)
	}
}

func TestNexthopErrors(t *testing.T) {
	ns, h := newHandle(t)
	n0, _ := nhSetup(t, ns)
	nh := rtnl.Nexthop{ID: 1, Gateway: nhAddr("10.9.0.2"), LinkIndex: n0}
	if err := h.AddNexthop(bg, &nh); err != nil {
		t.Fatal(err)
	}
	var ne *nl.Error
	err := h.AddNexthop(bg, &nh)
	if !errors.As(err, &ne) || !errors.Is(err, os.ErrExist) || ne.Op != "add nexthop id 1 via 10.9.0.2 dev n0" {
		t.Errorf("duplicate: %v (%q)", err, ne.Op)
	}
	err = h.DeleteNexthop(bg, &rtnl.Nexthop{ID: 99})
	if !errors.As(err, &ne) || !errors.Is(err, os.ErrNotExist) || ne.Op != "delete nexthop id 99" {
		t.Errorf("delete missing: %v", err)
	}
	_, err = h.NexthopByID(bg, 99)
	if !errors.As(err, &ne) || !errors.Is(err, os.ErrNotExist) || ne.Op != "get nexthop id 99" {
		t.Errorf("get missing: %v", err)
	}
	err = h.AddNexthop(bg, &rtnl.Nexthop{ID: 2, Gateway: nhAddr("10.77.0.1"), LinkIndex: n0})
	if !errors.As(err, &ne) || ne.Op != "add nexthop id 2 via 10.77.0.1 dev n0" || !strings.Contains(ne.Message, "gateway") {
		t.Errorf("unreachable gateway: %v", err)
	}
	err = h.AddNexthop(bg, &rtnl.Nexthop{ID: 3, Group: []rtnl.NexthopGroupMember{{ID: 1}, {ID: 42}}})
	if !errors.As(err, &ne) || ne.Op != "add nexthop id 3 group 1/42" {
		t.Errorf("group of a missing member: %v", err)
	}
	bad := []struct {
		v    rtnl.Verb
		nh   rtnl.Nexthop
		want string
	}{
		{rtnl.Append, nh, "cannot append a nexthop"},
		{rtnl.Delete, rtnl.Nexthop{}, "needs its ID"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Family: rtnl.IPv4, Group: []rtnl.NexthopGroupMember{{ID: 1}}}, "a group has none"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, LinkIndex: 1, Group: []rtnl.NexthopGroupMember{{ID: 1}}}, "with a Gateway, Index"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Group: []rtnl.NexthopGroupMember{{ID: 0}}}, "without an ID"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 70000}}}, "weight 70000"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, GroupType: rtnl.NexthopGroupResilient}, "but no Group"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Group: []rtnl.NexthopGroupMember{{ID: 1}}, Resilient: rtnl.NexthopResilient{Buckets: 4}}, "GroupType mpath"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Blackhole: true, LinkIndex: 1}, "blackhole nexthop 5"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Family: rtnl.IPv6, Gateway: nhAddr("10.0.0.1")}, "not of family inet6"},
		{rtnl.Add, rtnl.Nexthop{ID: 5, Group: []rtnl.NexthopGroupMember{{ID: 1}}, GroupType: rtnl.NexthopGroupResilient,
			Resilient: rtnl.NexthopResilient{IdleTimer: -time.Second}}, "IdleTimer -1s"},
	}
	b := h.NewBatch()
	for _, c := range bad {
		if err := b.Nexthop(c.v, &c.nh); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %+v: %v, want %q", c.v, c.nh, err, c.want)
		}
	}
	if b.Len() != 0 {
		t.Errorf("refused nexthops left %d messages", b.Len())
	}
}

func TestNexthopBatch(t *testing.T) {
	ns, h := newHandle(t)
	n0, _ := nhSetup(t, ns)
	b := h.NewBatch()
	const n = 500
	for i := range n {
		nh := rtnl.Nexthop{ID: uint32(1 + i), Gateway: netip.AddrFrom4([4]byte{10, 9, 0, byte(2 + i%250)}), LinkIndex: n0}
		if err := b.Nexthop(rtnl.Add, &nh); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 50 {
		g := rtnl.Nexthop{ID: uint32(1000 + i), Group: []rtnl.NexthopGroupMember{{ID: uint32(1 + i)}, {ID: uint32(100 + i), Weight: 2}}}
		if err := b.Nexthop(rtnl.Add, &g); err != nil {
			t.Fatal(err)
		}
	}
	b.Nexthop(rtnl.Add, &rtnl.Nexthop{ID: 1, Blackhole: true}) // a duplicate
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != n+50 ||
		!errors.Is(be.Failures[0].Err, os.ErrExist) || !strings.Contains(be.Failures[0].Err.Error(), "add nexthop id 1 blackhole") {
		t.Fatalf("batch: %v", err)
	}
	if got := ipNexthops(t, ns); len(got) != n+50 {
		t.Errorf("%d nexthops, want %d", len(got), n+50)
	}
	b.Reset()
	for i := range 50 {
		b.Nexthop(rtnl.Delete, &rtnl.Nexthop{ID: uint32(1000 + i)})
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	if got := ipNexthops(t, ns, "groups"); len(got) != 0 {
		t.Errorf("groups left: %v", got)
	}
}

func TestNexthopBuckets(t *testing.T) {
	ns, h := newHandle(t)
	ok, why := kfeature.HasNexthopResilient(t, ns)
	kfeature.Require(t, kfeature.NexthopResilientFeature, ok, why)
	n0, n1 := nhSetup(t, ns)
	for _, nh := range []rtnl.Nexthop{
		{ID: 1, Gateway: nhAddr("10.9.0.2"), LinkIndex: n0},
		{ID: 2, Gateway: nhAddr("10.8.0.2"), LinkIndex: n1},
		{ID: 11, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 3}, {ID: 2}}, GroupType: rtnl.NexthopGroupResilient,
			Resilient: rtnl.NexthopResilient{Buckets: 8, IdleTimer: 10 * time.Second}},
		{ID: 12, Group: []rtnl.NexthopGroupMember{{ID: 2}}, GroupType: rtnl.NexthopGroupResilient,
			Resilient: rtnl.NexthopResilient{Buckets: 4}},
	} {
		if err := h.AddNexthop(bg, &nh); err != nil {
			t.Fatalf("%v: %v", &nh, err)
		}
	}
	all, err := h.ListNexthopBuckets(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 12 {
		t.Fatalf("%d buckets, want 12", len(all))
	}
	// ip agrees bucket by bucket.
	var ipb []struct {
		ID     int `json:"id"`
		Bucket struct {
			Index int `json:"index"`
			NHID  int `json:"nhid"`
		} `json:"bucket"`
	}
	if err := json.Unmarshal([]byte(ns.IP("-j", "nexthop", "bucket", "show")), &ipb); err != nil || len(ipb) != 12 {
		t.Fatalf("ip buckets: %v %v", ipb, err)
	}
	ones := 0
	for i, bk := range all {
		if int(bk.ID) != ipb[i].ID || int(bk.Index) != ipb[i].Bucket.Index || int(bk.NexthopID) != ipb[i].Bucket.NHID {
			t.Errorf("bucket %d: %+v, ip %+v", i, bk, ipb[i])
		}
		if bk.ID == 11 && bk.NexthopID == 1 {
			ones++
		}
		if bk.IdleTime < 0 || bk.IdleTime > time.Minute {
			t.Errorf("idle time %v", bk.IdleTime)
		}
	}
	if ones != 6 {
		t.Errorf("%d of group 11's 8 buckets go to nexthop 1, want 6", ones)
	}
	for _, c := range []struct {
		f    rtnl.NexthopBucketFilter
		want int
	}{
		{rtnl.NexthopBucketFilter{ID: 12}, 4},
		{rtnl.NexthopBucketFilter{NexthopID: 2}, 6},
		{rtnl.NexthopBucketFilter{LinkIndex: n0}, 6},
		{rtnl.NexthopBucketFilter{ID: 11, NexthopID: 2}, 2},
	} {
		got, err := h.ListNexthopBuckets(bg, &c.f)
		if err != nil || len(got) != c.want {
			t.Errorf("%+v: %d buckets (%v), want %d", c.f, len(got), err, c.want)
		}
	}
	bk, err := h.NexthopBucketByIndex(bg, 12, 3)
	if err != nil || bk.ID != 12 || bk.Index != 3 || bk.NexthopID != 2 {
		t.Errorf("bucket 12/3: %+v %v", bk, err)
	}
	_, err = h.NexthopBucketByIndex(bg, 12, 9)
	var ne *nl.Error
	if !errors.As(err, &ne) {
		t.Errorf("bucket out of range: %v", err)
	}
	n := 0
	for range h.NexthopBuckets(bg, nil) {
		if n++; n == 3 {
			break
		}
	}
}

func TestCaptureNexthopSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	ns, h := newHandle(t)
	n0, _ := nhSetup(t, ns)
	for _, tn := range testNexthops(n0) {
		if err := h.AddNexthop(bg, &tn.nh); err != nil {
			t.Fatal(err)
		}
	}
	if err := h.AddNexthop(bg, &rtnl.Nexthop{ID: 20, Group: []rtnl.NexthopGroupMember{{ID: 1, Weight: 1000}, {ID: 2, Weight: 300}}}); err != nil {
		t.Fatal(err)
	}
	captureSeeds(t, "FuzzNexthop", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETNEXTHOP, unix.NLM_F_DUMP)
		e.Fixed(8)
		e.Uint32(14, 3) // NHA_OP_FLAGS: statistics too
		e.End()
	})
	captureSeeds(t, "FuzzNexthop", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETNEXTHOPBUCKET, unix.NLM_F_DUMP)
		e.Fixed(8)
		e.End()
	})
}
