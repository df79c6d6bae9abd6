package rtnl_test

import (
	"testing"

	"github.com/nlkit/nlkit/rtnl"
)

// BenchmarkSmallListing measures the List* calls agents make in loops, on
// a namespace with a few objects of each kind (3 links, 3 IPv4 addresses,
// 3 main-table IPv4 routes), against the iterator over the same dump: a
// List* call should cost the iterator plus its slice.
func BenchmarkSmallListing(b *testing.B) {
	ns, h := newHandle(b)
	ns.IP("link", "add", "s0", "type", "veth", "peer", "name", "s1")
	ns.IP("link", "set", "s0", "up")
	ns.IP("link", "set", "s1", "up")
	ns.IP("address", "add", "10.7.0.1/24", "dev", "s0")
	ns.IP("address", "add", "10.7.1.1/24", "dev", "s1")
	ns.IP("address", "add", "127.0.0.2/8", "dev", "lo")
	ns.IP("route", "add", "10.8.0.0/16", "via", "10.7.0.2")
	links := &rtnl.LinkFilter{}
	addrs := &rtnl.AddressFilter{Family: rtnl.IPv4}
	routes := &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain}
	count := func(b *testing.B, n int) {
		b.ReportMetric(float64(n), "objects")
	}
	b.Run("ListLinks", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			l, err := h.ListLinks(bg, links)
			if err != nil {
				b.Fatal(err)
			}
			n = len(l)
		}
		count(b, n)
	})
	b.Run("Links", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = 0
			for _, err := range h.Links(bg, links) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		count(b, n)
	})
	b.Run("ListAddresses", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			a, err := h.ListAddresses(bg, addrs)
			if err != nil {
				b.Fatal(err)
			}
			n = len(a)
		}
		count(b, n)
	})
	b.Run("Addresses", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = 0
			for _, err := range h.Addresses(bg, addrs) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		count(b, n)
	})
	b.Run("ListRoutes", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			r, err := h.ListRoutes(bg, routes)
			if err != nil {
				b.Fatal(err)
			}
			n = len(r)
		}
		count(b, n)
	})
	b.Run("Routes", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			n = 0
			for _, err := range h.Routes(bg, routes) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		count(b, n)
	})
}
