package rtnl

import (
	"encoding/binary"
	"net/netip"
)

// Identity: which objects the kernel takes for the same one. A listing,
// an event and a cached object with equal keys describe the same kernel
// object (in different states, perhaps). The keys are comparable, for use
// as map keys (nl.Snapshot, nl.Diff, caches).

// LinkKey identifies a link: its index, unique in its namespace.
type LinkKey struct{ Index int }

// Key returns the link's identity.
func (l *Link) Key() LinkKey { return LinkKey{Index: l.Index} }

// AddressKey identifies an address: the interface, the family, and the
// address with its prefix length.
type AddressKey struct {
	LinkIndex int
	Family    Family
	Prefix    netip.Prefix
}

// Key returns the address's identity.
func (a *Address) Key() AddressKey {
	return AddressKey{LinkIndex: a.LinkIndex, Family: a.family(), Prefix: a.Prefix}
}

// RouteKey identifies a route as the kernel does: by table, family,
// destination prefix, source prefix (IPv6 source routing), TOS and
// priority. Routes appended with the same key (Append) share it: they are
// alternatives of one destination (IPv4), or paths of one multipath route
// (IPv6, whose routes with a gateway are merged into one). IPv6 routes
// without a gateway (a prefix on a link, the multicast route of each link)
// are not merged: their interface is part of their identity, LinkIndex.
type RouteKey struct {
	Family   Family
	Table    uint32
	Dst, Src netip.Prefix
	TOS      uint8
	Priority uint32
	// LinkIndex is the interface of an IPv6 route without a gateway,
	// multipath or nexthop object; 0 for every other route.
	LinkIndex int
}

// Key returns the route's identity. A route that names no table is in
// the main table.
func (r *Route) Key() RouteKey {
	t := r.Table
	if t == 0 {
		t = TableMain
	}
	k := RouteKey{Family: r.family(), Table: t, Dst: r.Dst, Src: r.Src, TOS: r.TOS, Priority: r.Priority}
	if k.Family == IPv6 && !r.Gateway.IsValid() && len(r.Nexthops) == 0 && r.NexthopID == 0 {
		k.LinkIndex = r.LinkIndex
	}
	return k
}

// routeID is a RouteKey packed into bytes, the form tables hold routes
// by: half the size, and hashed and compared as one block.
type routeID [48]byte

// id packs k.
func (k RouteKey) id() routeID {
	var b routeID
	b[0], b[1] = byte(k.Family), k.TOS
	if k.Dst.IsValid() {
		b[2] = byte(k.Dst.Bits() + 1)
		a := k.Dst.Addr().As16()
		copy(b[16:32], a[:])
	}
	if k.Src.IsValid() {
		b[3] = byte(k.Src.Bits() + 1)
		a := k.Src.Addr().As16()
		copy(b[32:48], a[:])
	}
	binary.NativeEndian.PutUint32(b[4:], k.Table)
	binary.NativeEndian.PutUint32(b[8:], k.Priority)
	binary.NativeEndian.PutUint32(b[12:], uint32(k.LinkIndex))
	return b
}

// NexthopKey identifies a nexthop object by its id.
type NexthopKey struct{ ID uint32 }

// Key returns the nexthop's identity.
func (nh *Nexthop) Key() NexthopKey { return NexthopKey{ID: nh.ID} }

// NeighbourKey identifies a neighbour entry: the family, the interface and
// the protocol address; for bridge FDB entries (Family Bridge), the
// link-layer address, VLAN and whether the entry is the bridge's or the
// port's own (NTF_SELF) instead of a protocol address.
type NeighbourKey struct {
	Family    Family
	LinkIndex int
	Addr      netip.Addr
	LinkAddr  string // bridge FDB only: the MAC address, as bytes
	Vlan      uint16
	Self      bool
}

// Key returns the neighbour's identity.
func (n *Neighbour) Key() NeighbourKey {
	k := NeighbourKey{Family: n.Family, LinkIndex: n.LinkIndex, Addr: n.Addr}
	if n.Family == Bridge {
		k.LinkAddr = string(n.LinkAddr)
		k.Vlan = n.Vlan
		k.Self = n.Flags&NeighSelf != 0
	}
	return k
}

// RuleKey identifies a policy routing rule as the kernel does when it
// refuses a duplicate: by its family, priority, selectors and action.
type RuleKey struct {
	Family                        Family
	Priority                      uint32
	Invert                        bool
	Src, Dst                      netip.Prefix
	TOS                           uint8
	DSCP                          int16 // -1 when not set
	DSCPMask                      uint8
	Mark, Mask                    uint32
	InputLinkName, OutputLinkName string
	L3mdev                        bool
	UIDRange                      RuleUIDRange
	HasUIDRange                   bool
	IPProto                       uint8
	SrcPort, DstPort              RulePortRange
	FlowLabel                     uint32
	FlowLabelMask                 uint32
	TunID                         uint64
	Action                        RuleAction
	Table, Goto                   uint32
}

// Key returns the rule's identity.
func (r *Rule) Key() RuleKey {
	k := RuleKey{
		Family: r.Family, Priority: r.Priority, Invert: r.Invert, Src: r.Src, Dst: r.Dst,
		TOS: r.TOS, DSCP: -1, DSCPMask: r.DSCPMask, Mark: r.Mark, Mask: r.Mask,
		InputLinkName: r.InputLinkName, OutputLinkName: r.OutputLinkName, L3mdev: r.L3mdev, IPProto: r.IPProto,
		SrcPort: r.SrcPort, DstPort: r.DstPort, FlowLabel: r.FlowLabel, FlowLabelMask: r.FlowLabelMask,
		TunID: r.TunID, Action: r.Action, Table: r.Table, Goto: r.Goto,
	}
	if r.DSCP != nil {
		k.DSCP = int16(*r.DSCP)
	}
	if r.UIDRange != nil {
		k.UIDRange, k.HasUIDRange = *r.UIDRange, true
	}
	return k
}
