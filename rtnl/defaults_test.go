package rtnl_test

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// TestRouteDefaultsAsIP adds each route twice, with `ip route add` into
// table 100 and with a Route whose Protocol, Scope and Type are left zero
// into table 101, and compares what the kernel holds: the defaults must be
// ip's (protocol boot, the scope ip derives, type unicast).
func TestRouteDefaultsAsIP(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "set", "lo", "up")
	ns.IP("link", "add", "d0", "type", "ifb")
	ns.IP("link", "set", "d0", "up")
	ns.IP("addr", "add", "10.9.0.1/24", "dev", "d0")
	ns.IP("-6", "addr", "add", "2001:db8:9::1/64", "dev", "d0", "nodad")
	ns.IP("nexthop", "add", "id", "7", "via", "10.9.0.2", "dev", "d0")
	d0 := ipIfindex(t, ns, "d0")
	gw := netip.MustParseAddr("10.9.0.2")
	cases := []struct {
		ip []string
		r  rtnl.Route
	}{
		{[]string{"10.1.0.0/16", "dev", "d0"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.1.0.0/16"), LinkIndex: d0}},
		{[]string{"10.2.0.0/16", "via", "10.9.0.2"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.2.0.0/16"), Gateway: gw}},
		{[]string{"10.3.0.0/16", "nhid", "7"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.3.0.0/16"), NexthopID: 7}},
		{[]string{"10.4.0.0/16", "nexthop", "via", "10.9.0.2", "dev", "d0", "nexthop", "via", "10.9.0.3", "dev", "d0"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.4.0.0/16"), Nexthops: []rtnl.RouteNexthop{
				{Gateway: gw, LinkIndex: d0}, {Gateway: netip.MustParseAddr("10.9.0.3"), LinkIndex: d0}}}},
		{[]string{"local", "10.5.0.1", "dev", "d0"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.5.0.1/32"), LinkIndex: d0, Type: rtnl.RouteLocal}},
		{[]string{"broadcast", "10.6.0.255", "dev", "d0"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.6.0.255/32"), LinkIndex: d0, Type: rtnl.RouteBroadcast}},
		{[]string{"blackhole", "10.7.0.0/16"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.7.0.0/16"), Type: rtnl.RouteBlackhole}},
		{[]string{"2001:db8:1::/48", "dev", "d0"},
			rtnl.Route{Dst: netip.MustParsePrefix("2001:db8:1::/48"), LinkIndex: d0}},
		{[]string{"2001:db8:2::/48", "via", "2001:db8:9::2"},
			rtnl.Route{Dst: netip.MustParsePrefix("2001:db8:2::/48"), Gateway: netip.MustParseAddr("2001:db8:9::2")}},
		// Explicit zeros: proto unspec, scope global on a route without a
		// gateway.
		{[]string{"10.8.0.0/16", "dev", "d0", "proto", "unspec", "scope", "global"},
			rtnl.Route{Dst: netip.MustParsePrefix("10.8.0.0/16"), LinkIndex: d0,
				Explicit: rtnl.RouteFieldProtocol | rtnl.RouteFieldScope}},
	}
	for _, c := range cases {
		ns.IP(append([]string{"route", "add", "table", "100"}, c.ip...)...)
		r := c.r
		r.Table = 101
		if err := h.AddRoute(bg, &r); err != nil {
			t.Fatalf("AddRoute %v: %v", &r, err)
		}
	}
	for _, fam := range []string{"-4", "-6"} {
		byIP := routeShow(t, ns, fam, "100")
		byUs := routeShow(t, ns, fam, "101")
		if byIP != byUs {
			t.Errorf("ip route add and AddRoute with zero fields differ (%s):\nip:\n%s\nrtnl:\n%s", fam, byIP, byUs)
		}
	}

	// Every route listed from table 101, added to table 102 as it was
	// listed, is the same route: the zeros listed are sent as zeros.
	routes, err := h.ListRoutes(bg, &rtnl.RouteFilter{Table: 101})
	if err != nil {
		t.Fatal(err)
	}
	for i := range routes {
		r := routes[i]
		r.Table = 102
		if err := h.AddRoute(bg, &r); err != nil {
			t.Fatalf("AddRoute (listed) %v: %v", &r, err)
		}
	}
	for _, fam := range []string{"-4", "-6"} {
		if a, b := routeShow(t, ns, fam, "101"), routeShow(t, ns, fam, "102"); a != b {
			t.Errorf("routes listed and added back differ (%s):\nlisted:\n%s\nadded back:\n%s", fam, a, b)
		}
	}

	// Deleting with zero fields matches any protocol and scope, as ip
	// route del does.
	for _, p := range []string{"10.1.0.0/16", "10.8.0.0/16", "10.5.0.1/32"} {
		if err := h.DeleteRoute(bg, &rtnl.Route{Dst: netip.MustParsePrefix(p), Table: 101}); err != nil {
			t.Errorf("DeleteRoute %s: %v", p, err)
		}
	}
}

// routeShow is `ip -d route show table T` with the table's number taken
// out, one route per line.
func routeShow(t *testing.T, ns interface{ IP(...string) string }, fam, table string) string {
	t.Helper()
	out := ns.IP(fam, "-d", "route", "show", "table", table)
	return strings.ReplaceAll(out, "table "+table+" ", "table T ")
}

// TestRouteDecodeExplicit checks which zeros a decoded route marks
// explicit: only those the defaults would replace.
func TestRouteDecodeExplicit(t *testing.T) {
	cases := []struct {
		r    rtnl.Route
		want rtnl.RouteFields
	}{
		{rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("10.9.9.9"), Protocol: rtnl.ProtoBoot}, 0},
		{rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), LinkIndex: 2, Protocol: rtnl.ProtoBoot, Scope: rtnl.ScopeLink}, 0},
		{rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), LinkIndex: 2, Protocol: rtnl.ProtoBoot,
			Explicit: rtnl.RouteFieldScope}, rtnl.RouteFieldScope},
		{rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("10.9.9.9"),
			Explicit: rtnl.RouteFieldProtocol}, rtnl.RouteFieldProtocol},
		{rtnl.Route{Dst: netip.MustParsePrefix("2001:db8::/32"), LinkIndex: 2, Protocol: rtnl.ProtoKernel}, 0},
	}
	for _, c := range cases {
		m := routeRequest(t, &c.r)
		var got rtnl.Route
		if err := got.Decode(m); err != nil {
			t.Fatal(err)
		}
		if got.Explicit != c.want {
			t.Errorf("%v: decoded Explicit %b, want %b", &c.r, got.Explicit, c.want)
		}
		// Encoding what was decoded gives the same message.
		m2 := routeRequest(t, &got)
		if !reflect.DeepEqual(m.Data, m2.Data) {
			t.Errorf("%v: decoded and encoded again differs:\n%x\n%x", &c.r, m.Data, m2.Data)
		}
	}
}

// routeRequest encodes the request that adds r.
func routeRequest(t *testing.T, r *rtnl.Route) nl.Message {
	t.Helper()
	b := (&rtnl.Handle{}).NewBatch()
	if err := b.Route(rtnl.Add, r); err != nil {
		t.Fatal(fmt.Errorf("encode %v: %w", r, err))
	}
	return b.Request(0)
}

// TestNeighbourDefaultState adds an entry with no State, as `ip neigh add`
// would without "nud": it must be permanent, not an invisible NUD_NONE
// entry; and an entry sent back as listed keeps its state.
func TestNeighbourDefaultState(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "n0", "type", "ifb")
	ns.IP("link", "set", "n0", "up")
	n0 := ipIfindex(t, ns, "n0")
	mac := []byte{2, 0, 0, 0, 0, 9}
	if err := h.AddNeighbour(bg, &rtnl.Neighbour{LinkIndex: n0, Addr: netip.MustParseAddr("10.0.0.9"), LinkAddr: mac}); err != nil {
		t.Fatal(err)
	}
	ns.IP("neigh", "add", "10.0.0.8", "lladdr", "02:00:00:00:00:08", "dev", "n0")
	got := ipJSON(t, ns, "-4", "neigh", "show", "dev", "n0")
	if len(got) != 2 {
		t.Fatalf("neighbours: %v", got)
	}
	for _, n := range got {
		if fmt.Sprint(n["state"]) != "[PERMANENT]" {
			t.Errorf("%v: state %v, want PERMANENT as ip neigh add gives", n["dst"], n["state"])
		}
	}
	// Listed and added back (replaced) as listed: unchanged.
	list, err := h.ListNeighbours(bg, &rtnl.NeighbourFilter{Family: rtnl.IPv4, LinkIndex: n0})
	if err != nil || len(list) != 2 {
		t.Fatalf("ListNeighbours: %d, %v", len(list), err)
	}
	for i := range list {
		if list[i].Explicit != 0 {
			t.Errorf("%v: a permanent entry decoded with Explicit %b", list[i].Addr, list[i].Explicit)
		}
		if err := h.ReplaceNeighbour(bg, &list[i]); err != nil {
			t.Fatal(err)
		}
	}
	if again := ipJSON(t, ns, "-4", "neigh", "show", "dev", "n0"); !reflect.DeepEqual(again, got) {
		t.Errorf("after replacing the listed entries:\n%v\nwant\n%v", again, got)
	}
}
