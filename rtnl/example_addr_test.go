package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
	"os"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// List the global IPv6 addresses, as `ip -6 address show scope global`
// does; the kernel does the family filtering.
func ExampleHandle_Addresses() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	f := &rtnl.AddressFilter{Family: rtnl.IPv6, Scope: new(rtnl.ScopeGlobal)}
	for a, err := range h.Addresses(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.LinkIndex, a.Prefix, a.Flags, a.ValidLifetime)
	}
}

// Collect the addresses of one interface; the kernel filters by interface.
func ExampleHandle_ListAddresses() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	addrs, err := h.ListAddresses(context.Background(), &rtnl.AddressFilter{LinkIndex: 1})
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range addrs {
		fmt.Println(a.Prefix)
	}
}

// Add an address with a label and a limited lifetime, as
// `ip address add 10.1.0.5/24 brd + label eth0:web dev eth0 valid_lft 3600 preferred_lft 1800`.
func ExampleHandle_AddAddress() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	a := &rtnl.Address{
		LinkIndex:         2,
		Prefix:            netip.MustParsePrefix("10.1.0.5/24"),
		Broadcast:         netip.MustParseAddr("10.1.0.255"),
		Label:             "eth0:web",
		ValidLifetime:     3600,
		PreferredLifetime: 1800,
	}
	err = h.AddAddress(context.Background(), a)
	switch {
	case errors.Is(err, os.ErrExist):
		fmt.Println("already there")
	case err != nil:
		// add address 10.1.0.5/24 label eth0:web dev eth0: ...
		log.Fatal(err)
	}
}

// Load many addresses with one batch, each failure reported on its own.
func ExampleBatch_Address() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	b := h.NewBatch()
	for i := range 200 {
		a := &rtnl.Address{LinkIndex: 2, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 9, byte(i), 1}), 24)}
		if err := b.Address(rtnl.Replace, a); err != nil {
			log.Fatal(err)
		}
	}
	err = b.Run(context.Background(), &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if errors.As(err, &be) {
		for _, f := range be.Failures {
			fmt.Println(f.Index, f.Err)
		}
	}
}

// List the reachable and stale IPv4 neighbours of one interface.
func ExampleHandle_Neighbours() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	f := &rtnl.NeighbourFilter{Family: rtnl.IPv4, LinkIndex: 2, State: rtnl.NeighReachable | rtnl.NeighStale}
	for n, err := range h.Neighbours(context.Background(), f) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(n.Addr, n.LinkAddr, n.State)
	}
}

// List a bridge's forwarding database, as `bridge fdb show br br0` does.
func ExampleHandle_ListNeighbours() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	const bridge = 5 // the index of br0
	fdb, err := h.ListNeighbours(context.Background(), &rtnl.NeighbourFilter{Family: rtnl.Bridge, MasterIndex: bridge})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range fdb {
		fmt.Println(n.LinkAddr, n.LinkIndex, n.Vlan, n.Flags, n.State)
	}
}

// Add a permanent ARP entry, as
// `ip neigh add 10.1.0.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent`,
// and a static entry to a bridge's FDB, as
// `bridge fdb add 02:00:00:00:00:aa dev port1 master static`.
func ExampleHandle_AddNeighbour() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	lladdr, _ := net.ParseMAC("02:00:00:00:00:09")
	err = h.AddNeighbour(ctx, &rtnl.Neighbour{
		LinkIndex: 2,
		Addr:      netip.MustParseAddr("10.1.0.9"),
		LinkAddr:  lladdr,
		State:     rtnl.NeighPermanent,
	})
	if err != nil {
		log.Fatal(err)
	}
	mac, _ := net.ParseMAC("02:00:00:00:00:aa")
	err = h.AddNeighbour(ctx, &rtnl.Neighbour{
		Family:    rtnl.Bridge,
		LinkIndex: 6, // the port
		LinkAddr:  mac,
		State:     rtnl.NeighNoARP,
		Flags:     rtnl.NeighMaster,
	})
	if err != nil {
		log.Fatal(err)
	}
}
