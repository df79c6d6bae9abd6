// Package rtnl is routing netlink (NETLINK_ROUTE) as typed Go values: links,
// addresses, routes, nexthop objects, neighbours, policy rules and namespace
// ids, listed, added, replaced, changed and deleted through a [Handle].
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
package rtnl
