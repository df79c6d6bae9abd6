// Package rtnl is routing netlink (NETLINK_ROUTE) as typed Go values: links,
// addresses, routes, nexthop objects, neighbours, policy rules and namespace
// ids, listed, added, replaced, changed and deleted through a [Handle]; and
// the bridge family: ports ([BridgePort]), VLANs ([BridgeVLAN], the VLAN
// database's [BridgeVLANEntry], per-VLAN options [BridgeVLANOptions] and
// global options [BridgeVLANGlobal], counters [BridgeVLANCounter]), the
// multicast database ([MDBEntry]), FDB entries (a [Neighbour] of family
// [Bridge]) and VXLAN devices' VNI filters ([VxlanVNI]).
//
// Every operation is one request encoded by this package and sent through
// package nl, which does the acknowledging, dumping, retrying, batching and
// error decoding. Listing returns iterators that decode each object from the
// receive buffer in place (List* methods collect them into slices, retrying
// a dump the kernel interrupted); a [Batch] applies thousands of changes with
// one result per change.
//
// Listing allocates no memory per object: an iterator yields one reused
// value, and the strings, link-layer addresses, slices and pointers of the
// values come out of blocks that one listing shares (List* slices too).
// What a block holds is never reused, so a copy of a value stays valid
// after the loop moves on; keeping any part of one keeps its block (64 KiB
// at most) alive.
//
// Errors name the operation and the object, as iproute2 would have written
// them, and carry the kernel's reason from the extended ACK:
//
//	add route 10.0.0.0/8 via 10.9.9.9 dev v0: Nexthop has invalid gateway
//
// They are *nl.Error values (with Op set), so errors.Is(err, os.ErrExist)
// and errors.Is(err, unix.EINVAL) work.
//
// # Conventions
//
// One convention holds for every object, and a test walks the exported API
// to keep it:
//
//   - A call that creates, changes or deletes something takes the object,
//     a pointer to the struct the kernel's message maps to, and the object's
//     key fields say which one: AddLink(l), SetLink(l, change),
//     SetLinkUp(l), DeleteLink(l), AddAltNames(l, names...) name the link by
//     l.Index, or by l.Name when the index is 0; DeleteNexthop(nh) by nh.ID;
//     DeleteRoute(r) by r's [RouteKey]. A value from a listing works, and so
//     does one holding only the key: &Link{Name: "eth0"}.
//   - Lookups are named TByK and take the key as plain values:
//     LinkByIndex, LinkByName, NexthopByID, NexthopBucketByIndex.
//   - Listings come in pairs taking a *TFilter (nil selects everything):
//     Ts, an iterator, and ListTs, a slice: Links and ListLinks.
//   - A link is named the same way in every struct: a link's own index is
//     Link.Index; the interface another object is on or goes through is
//     LinkIndex (Address, Neighbour, Nexthop, Route, RouteNexthop and their
//     filters); the input interface is InputLinkIndex; a master is
//     MasterIndex and the link below ParentIndex; by name, the field ends
//     in Name (Rule.InputLinkName).
//
// # Defaults
//
// Zero fields of an object being added take the defaults iproute2's ip
// command gives them, documented on each type ([Route], [Rule],
// [Address]); a field named in the object's Explicit mask is sent even
// when it is zero. An IPv4 broadcast address is never derived on its own:
// ip's "brd +" is Broadcast: BroadcastOf(prefix).
//
// # Namespaces
//
// [DialNetNS] opens a Handle in another network namespace by name, path
// or process (/proc/PID/ns/net) in one call; [Dial] with nl.Config.NetNS
// takes an open namespace. Neither moves the calling thread.
package rtnl
