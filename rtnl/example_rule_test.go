package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// List the IPv4 policy routing rules, as `ip rule show` does.
func ExampleHandle_ListRules() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	rules, err := h.ListRules(context.Background(), &rtnl.RuleFilter{Family: rtnl.IPv4})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range rules {
		fmt.Printf("%d:\t%s\n", r.Priority, &r)
	}
}

// Send the traffic of one user and of marked packets to their own tables,
// and keep default routes of the main table from capturing it (the
// WireGuard "suppress_prefixlength 0" trick).
func ExampleHandle_AddRule() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	rules := []rtnl.Rule{
		{Priority: 100, Table: rtnl.TableMain, SuppressPrefixLen: new(0)},
		{Priority: 110, UIDRange: &rtnl.RuleUIDRange{Start: 1000, End: 1000}, Table: 1000},
		{Priority: 120, Invert: true, Mark: 0xca6c, Table: 51820},
		{Priority: 130, IPProto: unix.IPPROTO_TCP, DstPort: rtnl.RulePortRange{Start: 443, End: 443}, Table: 443},
		{Priority: 140, Src: netip.MustParsePrefix("2001:db8::/32"), Action: rtnl.RuleProhibit},
	}
	for i := range rules {
		if err := h.AddRule(ctx, &rules[i]); err != nil {
			log.Fatal(err) // such as "add rule from all fwmark 0xca6c ...: file exists"
		}
	}
}

// Rules cannot be replaced; a batch deletes the old one and adds the new
// one with a single system call.
func ExampleBatch_Rule() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	b := h.NewBatch()
	b.Rule(rtnl.Delete, &rtnl.Rule{Priority: 1000})
	b.Rule(rtnl.Add, &rtnl.Rule{Priority: 1000, Src: netip.MustParsePrefix("10.1.0.0/16"), Table: 200})
	if err := b.Run(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
}

// List nexthop objects and groups, as `ip nexthop show` does.
func ExampleHandle_ListNexthops() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	nhs, err := h.ListNexthops(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, nh := range nhs {
		fmt.Println(&nh)
	}
}

// Two paths, a weighted resilient group of them, and a route through the
// group. Replacing a path later moves every route that uses it at once.
func ExampleHandle_AddNexthop() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	ctx := context.Background()
	links, err := h.ListLinks(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	var eth0 int
	for _, l := range links {
		if l.Name == "eth0" {
			eth0 = l.Index
		}
	}
	b := h.NewBatch()
	b.Nexthop(rtnl.Add, &rtnl.Nexthop{ID: 1, Gateway: netip.MustParseAddr("192.0.2.1"), LinkIndex: eth0})
	b.Nexthop(rtnl.Add, &rtnl.Nexthop{ID: 2, Gateway: netip.MustParseAddr("192.0.2.2"), LinkIndex: eth0})
	b.Nexthop(rtnl.Add, &rtnl.Nexthop{
		ID:        100,
		Group:     []rtnl.NexthopGroupMember{{ID: 1, Weight: 3}, {ID: 2}},
		GroupType: rtnl.NexthopGroupResilient,
		Resilient: rtnl.NexthopResilient{Buckets: 64, IdleTimer: 30 * time.Second},
	})
	b.Route(rtnl.Add, &rtnl.Route{Dst: netip.MustParsePrefix("198.51.100.0/24"), NexthopID: 100})
	if err := b.Run(ctx, &nl.BatchOptions{ContinueOnError: true}); err != nil {
		log.Fatal(err)
	}
	// Later: the first path moves, and so do the route's flows through it.
	err = h.ReplaceNexthop(ctx, &rtnl.Nexthop{ID: 1, Gateway: netip.MustParseAddr("192.0.2.9"), LinkIndex: eth0})
	if err != nil {
		log.Fatal(err)
	}
}

// Which member each bucket of a resilient group sends its flows to.
func ExampleHandle_ListNexthopBuckets() {
	h, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	buckets, err := h.ListNexthopBuckets(context.Background(), &rtnl.NexthopBucketFilter{ID: 100})
	if err != nil {
		log.Fatal(err)
	}
	for _, bk := range buckets {
		fmt.Printf("bucket %d: nexthop %d, idle %v\n", bk.Index, bk.NexthopID, bk.IdleTime)
	}
}
