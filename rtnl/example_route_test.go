package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/netip"
	"os"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// List the main table's IPv4 routes without copying them: each route is
// decoded in place from the receive buffer.
func ExampleHandle_Routes() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	f := &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain}
	for r, err := range h.Routes(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r)
	}
}

// Add a route and handle the kernel's refusal.
func ExampleHandle_AddRoute() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	r := &rtnl.Route{
		Dst:      netip.MustParsePrefix("10.0.0.0/8"),
		Gateway:  netip.MustParseAddr("192.0.2.1"),
		Protocol: rtnl.ProtoStatic,
		Priority: 100,
	}
	err = h.AddRoute(context.Background(), r)
	switch {
	case errors.Is(err, os.ErrExist):
		fmt.Println("already there")
	case err != nil:
		// add route 10.0.0.0/8 via 192.0.2.1 proto static metric 100: Nexthop has invalid gateway ...
		log.Fatal(err)
	}
}

// Ask which route the kernel would use, as `ip route get` does.
func ExampleHandle_RouteGet() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	r, err := h.RouteGet(context.Background(), &rtnl.RouteQuery{Dst: netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(r.Type, r.PrefSrc)
}

// Load a large table with one result per route, as a routing daemon does.
func ExampleBatch() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	b := h.NewBatch()
	for i := range 1000 {
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 200, byte(i >> 8), byte(i)}), 32)
		if err := b.Route(rtnl.Add, &rtnl.Route{Dst: dst, Type: rtnl.RouteBlackhole, Protocol: rtnl.ProtoBGP}); err != nil {
			log.Fatal(err)
		}
	}
	err = b.Run(context.Background(), &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			fmt.Printf("route %d: %v\n", f.Index, f.Err) // add route 10.200.0.7 ...: File exists
		}
	} else if err != nil {
		log.Fatal(err)
	}
}
