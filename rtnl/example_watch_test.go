package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
)

// Follow routes and links: the objects that exist, then every change.
// A loss is reported, and made up for, never hidden.
func ExampleHandle_Watch() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	opts := &rtnl.WatchOptions{Kinds: rtnl.KindRoute | rtnl.KindLink, Derived: true}
	for ev, err := range h.Watch(ctx, opts) {
		if err != nil {
			log.Fatal(err)
		}
		switch {
		case ev.Initial:
			// the state when the watch began
		case ev.Type == rtnl.EventResyncBegin:
			log.Printf("events were lost (%v): fetching the state again", ev.Err)
		case ev.Type == rtnl.EventResyncEnd:
			log.Printf("resync: %d objects differed", ev.Changes)
		case ev.Route != nil:
			fmt.Println(ev.Type, ev.Route) // "new 10.0.0.0/8 via 10.1.0.1 dev eth0"
		}
	}
}

// Keep the routing state of a namespace in memory and look it up.
func ExampleHandle_NewCache() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	c, err := h.NewCache(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if l, ok := c.LinkByName("eth0"); ok {
		fmt.Println(l.Name, l.OperState)
	}
	k := (&rtnl.Route{Dst: netip.MustParsePrefix("0.0.0.0/0")}).Key()
	if r, ok := c.RouteByKey(k); ok {
		fmt.Println("default via", r.Gateway)
	}
	perTable := map[uint32]int{}
	c.RangeRoutes(func(r *rtnl.Route) bool {
		perTable[r.Table]++
		return true
	})
	fmt.Println(perTable, c.Stats().Resyncs)
}
