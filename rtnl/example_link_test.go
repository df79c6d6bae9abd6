package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// List the ports of a bridge: the kernel sends only the links whose master
// is br0.
func ExampleHandle_ListLinks() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	br, err := h.LinkByName(ctx, "br0")
	if errors.Is(err, os.ErrNotExist) {
		fmt.Println("no br0")
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	ports, err := h.ListLinks(ctx, &rtnl.LinkFilter{MasterIndex: br.Index})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ports {
		if bp, ok := p.Info.SlaveData.(*rtnl.BridgePortInfo); ok && bp.State != nil {
			fmt.Println(p.Name, *bp.State)
		}
	}
}

// Walk the links without copying them; each is valid until the next
// iteration.
func ExampleHandle_Links() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	for l, err := range h.Links(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(l.Index, l.Name, l.OperState, l.Flags)
	}
}

// Create a veth pair whose peer is born in another namespace, and bring
// this end up.
func ExampleHandle_AddLink() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	other, err := netns.OpenName("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer other.Close()
	err = h.AddLink(ctx, &rtnl.Link{
		Name:  "veth-blue",
		Flags: rtnl.LinkUp,
		Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{
			Peer: &rtnl.Link{Name: "eth0", NetNS: other, MTU: 1450},
		}},
	})
	if err != nil {
		// add link veth-blue up type veth peer name eth0 mtu 1450: File exists
		log.Fatal(err)
	}
}

// Change several settings of a link in one request.
func ExampleHandle_SetLink() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	// A link is named by the object: a listed *Link, or one holding only
	// its Index or, as here, its Name.
	err = h.SetLink(ctx, &rtnl.Link{Name: "eth1"}, &rtnl.LinkChange{
		Flags: rtnl.LinkUp, FlagMask: rtnl.LinkUp, // up
		MTU:         9000,
		Alias:       new("uplink"),
		MasterIndex: new(0), // nomaster
	})
	if err != nil {
		log.Fatal(err)
	}
}

// Create a bridge with STP and forty ports in one batch.
func ExampleBatch_Link() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	b := h.NewBatch()
	err = b.Link(rtnl.Add, &rtnl.Link{Name: "br0", Flags: rtnl.LinkUp,
		Info: rtnl.LinkInfo{Data: &rtnl.BridgeInfo{STPState: new(uint32(1))}}})
	if err != nil {
		log.Fatal(err)
	}
	if err := b.Run(ctx, nil); err != nil {
		log.Fatal(err)
	}
	br, err := h.LinkByName(ctx, "br0")
	if err != nil {
		log.Fatal(err)
	}
	b.Reset()
	for i := range 40 {
		err := b.Link(rtnl.Add, &rtnl.Link{Name: fmt.Sprintf("p%d", i), MasterIndex: br.Index,
			Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: fmt.Sprintf("p%dx", i)}}}})
		if err != nil {
			log.Fatal(err)
		}
	}
	if err := b.Run(ctx, nil); err != nil {
		log.Fatal(err)
	}
}

// Find the id this namespace gives another one, assigning one if needed.
func ExampleHandle_NetNSID() {
	ctx := context.Background()
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	blue, err := netns.OpenName("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer blue.Close()
	id, err := h.NetNSID(ctx, blue)
	if err != nil {
		log.Fatal(err)
	}
	if id == rtnl.NoNetNSID {
		if err := h.SetNetNSID(ctx, blue, rtnl.NoNetNSID); err != nil { // the kernel picks one
			log.Fatal(err)
		}
		if id, err = h.NetNSID(ctx, blue); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("blue is nsid", id)
}
