package rtnl_test

import (
	"context"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// An event and a dumped object are one type, from one decoder, with one
// identity: the RTM_NEWLINK, RTM_NEWADDR and RTM_NEWROUTE events of a
// change decode to the values the dumps list afterwards (counters and
// times aside), with equal keys; the deletions decode too.
func TestEventsDecodeAsDumps(t *testing.T) {
	ns, h := newHandle(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	mon := ns.Dial(nl.Route, nil)
	for _, g := range []uint32{rtnl.GroupLink, rtnl.GroupIPv4Addr, rtnl.GroupIPv4Route} {
		if err := mon.JoinGroup(g); err != nil {
			t.Fatalf("join %s: %v", rtnl.GroupName(g), err)
		}
	}
	ns.IP("link", "add", "ev0", "type", "veth", "peer", "name", "ev1")
	ns.IP("link", "set", "ev0", "up")
	ns.IP("address", "add", "10.77.0.1/24", "dev", "ev0")
	ns.IP("route", "add", "10.78.0.0/16", "dev", "ev0", "proto", "static")

	var link rtnl.Link
	var addr rtnl.Address
	var route rtnl.Route
	for m, err := range mon.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		switch m.Header.Type {
		case unix.RTM_NEWLINK:
			var l rtnl.Link
			if err := l.Decode(m); err != nil {
				t.Fatal(err)
			}
			if l.Name == "ev0" {
				link = l
			}
		case unix.RTM_NEWADDR:
			if err := addr.Decode(m); err != nil {
				t.Fatal(err)
			}
		case unix.RTM_NEWROUTE:
			var r rtnl.Route
			if err := r.Decode(m); err != nil {
				t.Fatal(err)
			}
			if r.Protocol == rtnl.ProtoStatic {
				route = r
			}
		}
		if route.Dst.IsValid() {
			break
		}
	}

	l, err := h.LinkByName(ctx, "ev0")
	if err != nil {
		t.Fatal(err)
	}
	if l.Key() != link.Key() || l.Name != link.Name || l.Info.Kind != "veth" || l.Info.Kind != link.Info.Kind {
		t.Errorf("link event %+v, dump %+v", link, *l)
	}
	addrs, err := h.ListAddresses(ctx, &rtnl.AddressFilter{LinkIndex: l.Index, Family: rtnl.IPv4})
	if err != nil || len(addrs) != 1 {
		t.Fatalf("addresses: %v %v", addrs, err)
	}
	a := addrs[0]
	a.ValidLifetime, a.PreferredLifetime, a.Created, a.Updated = addr.ValidLifetime, addr.PreferredLifetime, addr.Created, addr.Updated
	if a.Key() != addr.Key() || !reflect.DeepEqual(a, addr) || addr.Prefix != netip.MustParsePrefix("10.77.0.1/24") {
		t.Errorf("address event %+v, dump %+v", addr, a)
	}
	routes, err := h.ListRoutes(ctx, &rtnl.RouteFilter{Family: rtnl.IPv4, Protocol: rtnl.ProtoStatic})
	if err != nil || len(routes) != 1 {
		t.Fatalf("routes: %v %v", routes, err)
	}
	if routes[0].Key() != route.Key() || !reflect.DeepEqual(routes[0], route) {
		t.Errorf("route event %+v, dump %+v", route, routes[0])
	}
	if k := route.Key(); k.Table != rtnl.TableMain || k.Dst != netip.MustParsePrefix("10.78.0.0/16") {
		t.Errorf("route key %+v", k)
	}

	// Deletions carry the same identity.
	ns.IP("link", "del", "ev0")
	for m, err := range mon.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type == unix.RTM_DELLINK {
			var gone rtnl.Link
			if err := gone.Decode(m); err != nil {
				t.Fatal(err)
			}
			if gone.Key() == link.Key() {
				break
			}
		}
	}
}
