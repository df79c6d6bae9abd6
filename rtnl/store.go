package rtnl

import (
	"net"
	"unsafe"
)

// A store holds the memory that the values of one listing point to: their
// strings, byte slices, slices and pointed-to structs. It carves them out
// of blocks instead of allocating each on its own, so that a listing of
// many objects allocates a few blocks, not a few values per object.
//
// What a store hands out is never handed out again nor written again: a
// decoded value stays valid, and independent of the others, when copied and
// kept after the listing moves on (its slices have no spare capacity, so
// appending to one copies it). The price is that anything kept keeps its
// whole block alive (blocks grow up to blockMax bytes).
//
// A nil *store allocates every value on its own, exactly: Decode methods
// and single requests use it.
type store struct {
	text    block[byte] // strings and byte slices
	strings block[string]
	ints    block[int]
	u8s     block[uint8]
	u16s    block[uint16]
	u32s    block[uint32]
	u64s    block[uint64]
	i32s    block[int32]
	bools   block[bool]
	// interned maps strings that repeat from object to object (a queueing
	// discipline, a link kind, an address label) to one copy; at most
	// maxInterned of them.
	interned map[string]string

	linkStats   block[LinkStats]
	vfs         block[VFInfo]
	bridges     block[BridgeInfo]
	boolOpts    block[BridgeBoolOpts]
	bridgePorts block[BridgePortInfo]
	macvlans    block[MacvlanInfo]
	veths       block[VethInfo]
	vxlans      block[VxlanInfo]
	vxlanPorts  block[VxlanPortRange]
	routeNHs    block[RouteNexthop]
	groups      block[NexthopGroupMember]
	uidRanges   block[RuleUIDRange]

	// tunnels (link_gre.go, link_iptun.go, link_geneve.go)
	greInfos     block[GreInfo]
	ipTunInfos   block[IPTunInfo]
	geneveInfos  block[GeneveInfo]
	tunnelEncaps block[TunnelEncap]
}

// Block sizes, in bytes: the first block of each kind is small, so that a
// short listing stays small; each next one is twice as large, up to
// blockMax.
const (
	blockMin = 1 << 10
	blockMax = 64 << 10
	// maxInterned bounds the strings a store interns; past it, repeated
	// strings are copied again.
	maxInterned = 256
)

// A block is the unused rest of the current block of Ts and the size of
// the next one.
type block[T any] struct {
	free []T
	next int // elements in the next block; 0 before the first
}

// take returns n zeroed Ts, with no spare capacity.
func (b *block[T]) take(n int) []T {
	if n > len(b.free) {
		size := int(unsafe.Sizeof(*new(T)))
		if b.next == 0 {
			b.next = max(1, blockMin/size)
		}
		if n > max(1, blockMax/size) {
			return make([]T, n) // larger than any block: on its own
		}
		b.free = make([]T, max(n, b.next))
		b.next = min(2*b.next, max(1, blockMax/size))
	}
	s := b.free[:n:n]
	b.free = b.free[n:]
	return s
}

// string returns b as a string.
func (s *store) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if s == nil {
		return string(b)
	}
	t := s.text.take(len(b))
	copy(t, b)
	return unsafe.String(&t[0], len(t))
}

// cstring returns a NUL-terminated string attribute's payload as a string
// (without the NUL and what follows it).
func (s *store) cstring(b []byte) string { return s.string(cstringBytes(b)) }

// intern returns a NUL-terminated string attribute's payload as a string,
// shared with the earlier objects of the listing that had the same.
func (s *store) intern(b []byte) string {
	b = cstringBytes(b)
	if s == nil || len(b) == 0 {
		return s.string(b)
	}
	if v, ok := s.interned[string(b)]; ok {
		return v
	}
	v := s.string(b)
	if len(s.interned) < maxInterned {
		if s.interned == nil {
			s.interned = make(map[string]string)
		}
		s.interned[v] = v
	}
	return v
}

func cstringBytes(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// bytes returns a copy of b (nil for an empty b).
func (s *store) bytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	if s == nil {
		return append([]byte(nil), b...)
	}
	t := s.text.take(len(b))
	copy(t, b)
	return t
}

// hwaddr returns a copy of b as a link-layer address (nil for an empty b).
func (s *store) hwaddr(b []byte) net.HardwareAddr { return net.HardwareAddr(s.bytes(b)) }

// appendString appends v to the slice of strings ss, copying ss into the
// store when it is full: a value's few alternative names, say.
func (s *store) appendString(ss []string, v string) []string {
	if len(ss) < cap(ss) || s == nil {
		return append(ss, v)
	}
	n := s.strings.take(max(2*len(ss), 2))
	copy(n, ss)
	n = n[:len(ss):len(n)]
	return append(n, v)
}

// The pointer helpers return a pointer to a copy of v, from the store's
// blocks (or allocated on its own with a nil store).

func (s *store) intPtr(v int) *int {
	if s == nil {
		return &v
	}
	p := &s.ints.take(1)[0]
	*p = v
	return p
}

func (s *store) u8Ptr(v uint8) *uint8 {
	if s == nil {
		return &v
	}
	p := &s.u8s.take(1)[0]
	*p = v
	return p
}

func (s *store) u16Ptr(v uint16) *uint16 {
	if s == nil {
		return &v
	}
	p := &s.u16s.take(1)[0]
	*p = v
	return p
}

func (s *store) u32Ptr(v uint32) *uint32 {
	if s == nil {
		return &v
	}
	p := &s.u32s.take(1)[0]
	*p = v
	return p
}

func (s *store) u64Ptr(v uint64) *uint64 {
	if s == nil {
		return &v
	}
	p := &s.u64s.take(1)[0]
	*p = v
	return p
}

func (s *store) i32Ptr(v int32) *int32 {
	if s == nil {
		return &v
	}
	p := &s.i32s.take(1)[0]
	*p = v
	return p
}

func (s *store) boolPtr(v bool) *bool {
	if s == nil {
		return &v
	}
	p := &s.bools.take(1)[0]
	*p = v
	return p
}

// The struct helpers return zero values from the store's blocks (or
// allocated on their own with a nil store).

func (s *store) newLinkStats() *LinkStats {
	if s == nil {
		return new(LinkStats)
	}
	return &s.linkStats.take(1)[0]
}

func (s *store) makeVFs(n int) []VFInfo {
	if s == nil {
		return make([]VFInfo, n)
	}
	return s.vfs.take(n)
}

func (s *store) newBridgeInfo() *BridgeInfo {
	if s == nil {
		return new(BridgeInfo)
	}
	return &s.bridges.take(1)[0]
}

func (s *store) newBridgeBoolOpts() *BridgeBoolOpts {
	if s == nil {
		return new(BridgeBoolOpts)
	}
	return &s.boolOpts.take(1)[0]
}

func (s *store) newBridgePortInfo() *BridgePortInfo {
	if s == nil {
		return new(BridgePortInfo)
	}
	return &s.bridgePorts.take(1)[0]
}

func (s *store) newMacvlanInfo() *MacvlanInfo {
	if s == nil {
		return new(MacvlanInfo)
	}
	return &s.macvlans.take(1)[0]
}

func (s *store) newVethInfo() *VethInfo {
	if s == nil {
		return new(VethInfo)
	}
	return &s.veths.take(1)[0]
}

func (s *store) newVxlanInfo() *VxlanInfo {
	if s == nil {
		return new(VxlanInfo)
	}
	return &s.vxlans.take(1)[0]
}

func (s *store) newVxlanPortRange() *VxlanPortRange {
	if s == nil {
		return new(VxlanPortRange)
	}
	return &s.vxlanPorts.take(1)[0]
}

func (s *store) makeRouteNexthops(n int) []RouteNexthop {
	if s == nil {
		return make([]RouteNexthop, n)
	}
	return s.routeNHs.take(n)
}

func (s *store) makeGroup(n int) []NexthopGroupMember {
	if s == nil {
		return make([]NexthopGroupMember, n)
	}
	return s.groups.take(n)
}

func (s *store) newUIDRange() *RuleUIDRange {
	if s == nil {
		return new(RuleUIDRange)
	}
	return &s.uidRanges.take(1)[0]
}
