package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Nexthop is a nexthop object (struct nhmsg and its NHA_* attributes):
// a gateway and interface, a blackhole, or a group of other nexthops, which
// routes refer to by ID (Route.NexthopID) instead of carrying their own
// paths. Changing a nexthop changes every route that uses it.
//
// A nexthop is one of three kinds: a single path (Gateway and/or LinkIndex),
// a blackhole (Blackhole), or a group (Group, with GroupType and, for a
// resilient group, Resilient). FDB nexthops and groups serve the bridge
// FDB (VXLAN) instead of routes.
type Nexthop struct {
	// ID identifies the nexthop. When adding, 0 asks the kernel to choose
	// one.
	ID uint32
	// Family is IPv4 or IPv6 for a single path or a blackhole (0 means
	// the gateway's family, else IPv4), and AnyFamily for a group.
	Family Family
	// Protocol says who installed the nexthop.
	Protocol RouteProtocol
	// Scope is computed by the kernel (link for a gateway, host for an
	// interface alone); it is not sent.
	Scope Scope
	// Flags are the RTNH_F_* flags: only RouteOnlink may be set; the
	// kernel reports the others (RouteDead, RouteLinkDown, RouteOffload,
	// RouteTrap, ...), and they are not sent.
	Flags RouteFlags
	// Gateway is the next hop's address (NHA_GATEWAY).
	Gateway netip.Addr
	// LinkIndex is the output interface's index (NHA_OIF).
	LinkIndex int
	// Blackhole makes the nexthop drop packets (NHA_BLACKHOLE). Adding
	// one needs the loopback interface to be up.
	Blackhole bool
	// FDB marks a nexthop or group used by the bridge FDB (NHA_FDB).
	FDB bool
	// Encap is the lightweight tunnel encapsulation of a single path
	// (NHA_ENCAP_TYPE and NHA_ENCAP), kept as raw attributes.
	Encap Encap
	// Group are the members of a nexthop group (NHA_GROUP).
	Group []NexthopGroupMember
	// GroupType is the group's type (NHA_GROUP_TYPE).
	GroupType NexthopGroupType
	// Resilient holds the parameters of a resilient group
	// (NHA_RES_GROUP).
	Resilient NexthopResilient
	// HWStats asks drivers to collect hardware statistics for a group
	// (NHA_HW_STATS_ENABLE; Linux 6.10 and later).
	HWStats bool
	// HWStatsUsed reports that some driver collects them
	// (NHA_HW_STATS_USED). It is not sent.
	HWStatsUsed bool
}

// A NexthopGroupMember is one nexthop of a group.
type NexthopGroupMember struct {
	// ID is the member nexthop's ID.
	ID uint32
	// Weight is the member's share of the traffic, 1 to 65535 (values
	// over 256 need Linux 6.12 or later); 0 is taken as 1.
	Weight int
	// Packets and HWPackets are the packets forwarded through this
	// member, counted in software and by hardware. They are reported only
	// when a listing asks for statistics (NexthopFilter.Stats).
	Packets, HWPackets uint64
}

// A NexthopGroupType is the kind of a nexthop group (NHA_GROUP_TYPE).
type NexthopGroupType uint16

// The nexthop group types.
const (
	// NexthopGroupMpath spreads flows over the members by hash-threshold.
	NexthopGroupMpath NexthopGroupType = 0
	// NexthopGroupResilient spreads flows over a table of buckets whose
	// flows stay put when members come and go.
	NexthopGroupResilient NexthopGroupType = 1
)

var nexthopGroupTypeNames = map[uint32]string{0: "mpath", 1: "resilient"}

// String returns "mpath", "resilient" or the number.
func (t NexthopGroupType) String() string { return enumName(nexthopGroupTypeNames, uint32(t)) }

// ParseNexthopGroupType reads a group type name (mpath, resilient) or
// number.
func ParseNexthopGroupType(s string) (NexthopGroupType, error) {
	v, err := enumParse(nexthopGroupTypeNames, s, "nexthop group type", 65535)
	return NexthopGroupType(v), err
}

// NexthopResilient are the parameters of a resilient nexthop group. The
// kernel keeps times in hundredths of a second. Zero fields are not sent
// (unless Explicit names them): when adding, they take the kernel's
// defaults (128 buckets, an idle timer of 120s, no unbalanced timer);
// when replacing, the group keeps its own.
type NexthopResilient struct {
	// Buckets is the number of buckets (NHA_RES_GROUP_BUCKETS).
	Buckets uint16
	// IdleTimer is how long a bucket must be idle before it may move to
	// another member (NHA_RES_GROUP_IDLE_TIMER).
	IdleTimer time.Duration
	// UnbalancedTimer is how long the group may stay unbalanced before
	// busy buckets are moved too (NHA_RES_GROUP_UNBALANCED_TIMER).
	UnbalancedTimer time.Duration
	// UnbalancedTime is how long the group has been unbalanced
	// (NHA_RES_GROUP_UNBALANCED_TIME). It is not sent.
	UnbalancedTime time.Duration
	// Explicit names the fields sent even when they are zero: an idle
	// timer of 0 (buckets move at once), no unbalanced timer on replace,
	// or 0 buckets, which the kernel refuses (iproute2 sends them as
	// given). Listing never sets it.
	Explicit NexthopResilientFields
}

// NexthopResilientFields names fields of a NexthopResilient, in its
// Explicit.
type NexthopResilientFields uint8

// The fields Explicit may name.
const (
	ResilientFieldBuckets NexthopResilientFields = 1 << iota
	ResilientFieldIdleTimer
	ResilientFieldUnbalancedTimer
)

// NHA_* attributes and flags newer than golang.org/x/sys/unix knows.
const (
	nhaFDB              = 11
	nhaResGroup         = 12
	nhaResBucket        = 13
	nhaOpFlags          = 14
	nhaGroupStats       = 15
	nhaHWStatsEnable    = 16
	nhaHWStatsUsed      = 17
	nhaResGroupBuckets  = 1
	nhaResGroupIdle     = 2
	nhaResGroupUnbTimer = 3
	nhaResGroupUnbTime  = 4
	nhaResBucketIndex   = 1
	nhaResBucketIdle    = 2
	nhaResBucketNHID    = 3
	nhaGroupStatsEntry  = 1
	nhaStatsEntryID     = 1
	nhaStatsEntryPkts   = 2
	nhaStatsEntryHWPkts = 3

	nhaOpFlagDumpStats   = 1 << 0
	nhaOpFlagDumpHWStats = 1 << 1
	nhaOpFlagRespResvd0  = 1 << 31 // the kernel zeroes nexthop_grp's reserved bytes

	nhmsgLen        = 8
	nexthopGrpLen   = 8
	clockTick       = 10 * time.Millisecond // USER_HZ is 100
	maxGroupWeight  = 1<<16 - 1             // the wire's 0xffff (65536) is refused
	nexthopUserFlag = RouteOnlink           // the only flag a request may carry
)

// Decode fills nh from a RTM_NEWNEXTHOP or RTM_DELNEXTHOP message, as a
// dump or an event delivers it. nh should be the zero Nexthop; it does not
// alias m afterwards. Malformed input gives an error wrapping
// nl.ErrMalformed, never a panic.
func (nh *Nexthop) Decode(m nl.Message) error { return nh.decode(m, nil) }

// decode is Decode with the memory nh points to taken from s.
func (nh *Nexthop) decode(m nl.Message, s *store) error {
	return nh.decodeMessage(m, m.Header.Flags&unix.NLM_F_REQUEST != 0, s)
}

// decodeMessage fills nh from a nexthop message; request says that it is a
// request, such as one of ours, rather than a kernel's reply.
func (nh *Nexthop) decodeMessage(m nl.Message, request bool, s *store) error {
	b := m.Data
	if len(b) < nhmsgLen {
		return fmt.Errorf("rtnl: nexthop message of %d bytes, shorter than nhmsg: %w", len(b), nl.ErrMalformed)
	}
	nh.Family = Family(b[0])
	nh.Scope = Scope(b[1])
	nh.Protocol = RouteProtocol(b[2])
	nh.Flags = RouteFlags(binary.NativeEndian.Uint32(b[4:8]))
	var respFlags uint32
	var group, stats []byte // decoded when all attributes are known
	d := nl.NewAttrDecoder(b[nhmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.NHA_ID:
			nh.ID = d.Uint32()
		case unix.NHA_GROUP:
			group = d.Bytes()
			if len(group)%nexthopGrpLen != 0 {
				d.Fail(fmt.Errorf("NHA_GROUP of %d bytes: %w", len(group), nl.ErrMalformed))
			}
		case unix.NHA_GROUP_TYPE:
			nh.GroupType = NexthopGroupType(d.Uint16())
		case unix.NHA_BLACKHOLE:
			nh.Blackhole = d.Flag()
		case unix.NHA_OIF:
			nh.LinkIndex = int(d.Uint32())
		case unix.NHA_GATEWAY:
			nh.Gateway = d.Addr()
		case unix.NHA_ENCAP_TYPE:
			nh.Encap.Type = EncapType(d.Uint16())
		case unix.NHA_ENCAP:
			data, err := encapData(s, d.Bytes())
			if err != nil {
				return err
			}
			nh.Encap.Data = data
		case nhaFDB:
			nh.FDB = d.Flag()
		case nhaResGroup:
			decodeResilient(&nh.Resilient, &d)
		case nhaOpFlags:
			respFlags = d.Uint32()
		case nhaGroupStats:
			stats = d.Bytes()
		case nhaHWStatsEnable:
			nh.HWStats = d.Uint32() != 0
		case nhaHWStatsUsed:
			nh.HWStatsUsed = d.Uint32() != 0
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: nexthop: %w", err)
	}
	if len(group) > 0 {
		// The wire carries weight-1. Its high byte (weight_high) counts
		// in requests, and in replies when the kernel says it zeroes the
		// reserved bytes: before Linux 6.12 that byte was reserved.
		wide := respFlags&nhaOpFlagRespResvd0 != 0 || request
		nh.Group = s.makeGroup(len(group) / nexthopGrpLen)
		for i := range nh.Group {
			e := group[i*nexthopGrpLen:]
			w := int(e[4])
			if wide {
				w |= int(e[5]) << 8
			}
			nh.Group[i] = NexthopGroupMember{ID: binary.NativeEndian.Uint32(e), Weight: w + 1}
		}
	}
	if stats != nil {
		if err := decodeGroupStats(nh.Group, stats); err != nil {
			return fmt.Errorf("rtnl: nexthop: %w", err)
		}
	}
	return nil
}

func decodeResilient(r *NexthopResilient, d *nl.AttrDecoder) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case nhaResGroupBuckets:
			r.Buckets = n.Uint16()
		case nhaResGroupIdle:
			r.IdleTimer = clockToDuration(uint64(n.Uint32()))
		case nhaResGroupUnbTimer:
			r.UnbalancedTimer = clockToDuration(uint64(n.Uint32()))
		case nhaResGroupUnbTime:
			r.UnbalancedTime = clockToDuration(n.Uint64())
		}
	}
	if err := n.Err(); err != nil {
		d.Fail(fmt.Errorf("NHA_RES_GROUP: %w", err))
	}
}

// decodeGroupStats adds the counters of NHA_GROUP_STATS to the members.
func decodeGroupStats(g []NexthopGroupMember, b []byte) error {
	d := nl.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() != nhaGroupStatsEntry {
			continue
		}
		var id uint32
		var pkts, hw uint64
		e := d.Nested()
		for e.Next() {
			switch e.Type() {
			case nhaStatsEntryID:
				id = e.Uint32()
			case nhaStatsEntryPkts:
				pkts = e.Uint()
			case nhaStatsEntryHWPkts:
				hw = e.Uint()
			}
		}
		if err := e.Err(); err != nil {
			return fmt.Errorf("NHA_GROUP_STATS: %w", err)
		}
		for i := range g {
			if g[i].ID == id {
				g[i].Packets, g[i].HWPackets = pkts, hw
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("NHA_GROUP_STATS: %w", err)
	}
	return nil
}

// clockToDuration converts clock_t (hundredths of a second), saturating.
func clockToDuration(c uint64) time.Duration {
	if c > uint64(math.MaxInt64/clockTick) {
		return math.MaxInt64
	}
	return time.Duration(c) * clockTick
}

// durationToClock converts a timer to clock_t for a u32 attribute.
func durationToClock(name string, d time.Duration) (uint32, error) {
	if d < 0 || d/clockTick > math.MaxUint32 {
		return 0, fmt.Errorf("rtnl: nexthop %s %v out of range", name, d)
	}
	return uint32(d / clockTick), nil
}

// family is the family a nexthop is sent with.
func (nh *Nexthop) family() Family {
	switch {
	case len(nh.Group) > 0 || nh.Family != AnyFamily:
		return nh.Family
	case nh.Gateway.IsValid() && nh.Gateway.Is6():
		return IPv6
	}
	return IPv4
}

// validate checks what the kernel would refuse less clearly.
func (nh *Nexthop) validate(v Verb) error {
	switch v {
	case Add, Replace, Change:
	case Delete:
		if nh.ID == 0 {
			return errors.New("rtnl: deleting a nexthop needs its ID")
		}
		return nil
	default:
		return errVerb(v, "nexthop")
	}
	if len(nh.Group) > 0 {
		switch {
		case nh.Family != AnyFamily:
			return fmt.Errorf("rtnl: nexthop group %d has family %v; a group has none", nh.ID, nh.Family)
		case nh.Gateway.IsValid() || nh.LinkIndex != 0 || nh.Blackhole || nh.Encap.Type != 0:
			return fmt.Errorf("rtnl: nexthop group %d with a Gateway, Index, Blackhole or Encap", nh.ID)
		}
		for _, m := range nh.Group {
			if m.ID == 0 {
				return fmt.Errorf("rtnl: nexthop group %d has a member without an ID", nh.ID)
			}
			if m.Weight < 0 || m.Weight > maxGroupWeight {
				return fmt.Errorf("rtnl: nexthop group %d member %d has weight %d, not 1-65535", nh.ID, m.ID, m.Weight)
			}
		}
	} else if nh.GroupType != NexthopGroupMpath || nh.HWStats {
		return fmt.Errorf("rtnl: nexthop %d has a GroupType or HWStats but no Group", nh.ID)
	}
	if nh.Resilient != (NexthopResilient{}) && nh.GroupType != NexthopGroupResilient {
		return fmt.Errorf("rtnl: nexthop %d has Resilient parameters but GroupType %v", nh.ID, nh.GroupType)
	}
	if nh.Blackhole && (nh.Gateway.IsValid() || nh.LinkIndex != 0 || nh.FDB) {
		return fmt.Errorf("rtnl: blackhole nexthop %d with a Gateway, Index or FDB", nh.ID)
	}
	if nh.Gateway.IsValid() {
		if f := nh.family(); f != IPv4 && f != IPv6 || nh.Gateway.Is4() != (f == IPv4) {
			return fmt.Errorf("rtnl: nexthop %d gateway %v is not of family %v", nh.ID, nh.Gateway, f)
		}
	}
	if nh.LinkIndex < 0 || int64(nh.LinkIndex) > math.MaxInt32 {
		return fmt.Errorf("rtnl: nexthop %d interface index %d out of range", nh.ID, nh.LinkIndex)
	}
	if _, err := durationToClock("IdleTimer", nh.Resilient.IdleTimer); err != nil {
		return err
	}
	if _, err := durationToClock("UnbalancedTimer", nh.Resilient.UnbalancedTimer); err != nil {
		return err
	}
	return nil
}

// encodeNexthop appends one nexthop request to e.
func encodeNexthop(e *nl.Encoder, v Verb, nh *Nexthop) error {
	if err := nh.validate(v); err != nil {
		return err
	}
	if v == Delete {
		e.Begin(unix.RTM_DELNEXTHOP, v.flags())
		e.Fixed(nhmsgLen)
		e.Uint32(unix.NHA_ID, nh.ID)
		return e.End()
	}
	e.Begin(unix.RTM_NEWNEXTHOP, v.flags())
	h := e.Fixed(nhmsgLen)
	h[0] = byte(nh.family())
	h[2] = byte(nh.Protocol)
	binary.NativeEndian.PutUint32(h[4:], uint32(nh.Flags&nexthopUserFlag))
	if nh.ID != 0 {
		e.Uint32(unix.NHA_ID, nh.ID)
	}
	if len(nh.Group) > 0 {
		var buf [16 * nexthopGrpLen]byte
		g := buf[:0]
		for _, m := range nh.Group {
			w := max(m.Weight, 1) - 1 // the wire carries weight-1, high byte in resvd1
			g = binary.NativeEndian.AppendUint32(g, m.ID)
			g = append(g, byte(w), byte(w>>8), 0, 0)
		}
		e.Attr(unix.NHA_GROUP, g)
		if nh.GroupType != NexthopGroupMpath {
			e.Uint16(unix.NHA_GROUP_TYPE, uint16(nh.GroupType))
		}
		if nh.GroupType == NexthopGroupResilient && nh.Resilient != (NexthopResilient{}) {
			r := e.Nest(nhaResGroup)
			x := nh.Resilient.Explicit
			if nh.Resilient.Buckets != 0 || x&ResilientFieldBuckets != 0 {
				e.Uint16(nhaResGroupBuckets, nh.Resilient.Buckets)
			}
			if nh.Resilient.IdleTimer != 0 || x&ResilientFieldIdleTimer != 0 {
				c, _ := durationToClock("IdleTimer", nh.Resilient.IdleTimer)
				e.Uint32(nhaResGroupIdle, c)
			}
			if nh.Resilient.UnbalancedTimer != 0 || x&ResilientFieldUnbalancedTimer != 0 {
				c, _ := durationToClock("UnbalancedTimer", nh.Resilient.UnbalancedTimer)
				e.Uint32(nhaResGroupUnbTimer, c)
			}
			e.EndNest(r)
		}
		if nh.HWStats {
			e.Uint32(nhaHWStatsEnable, 1)
		}
	}
	if nh.Blackhole {
		e.Flag(unix.NHA_BLACKHOLE)
	}
	if nh.LinkIndex != 0 {
		e.Uint32(unix.NHA_OIF, uint32(nh.LinkIndex))
	}
	if nh.Gateway.IsValid() {
		e.Addr(unix.NHA_GATEWAY, nh.Gateway)
	}
	if nh.Encap.Type != 0 {
		e.Uint16(unix.NHA_ENCAP_TYPE, uint16(nh.Encap.Type))
		n := e.Nest(unix.NHA_ENCAP)
		e.Payload(nh.Encap.Data)
		e.EndNest(n)
	}
	if nh.FDB {
		e.Flag(nhaFDB)
	}
	return e.End()
}

// String words the nexthop as `ip nexthop` prints it, with interfaces by
// index.
func (nh *Nexthop) String() string { return nh.format(nil) }

func (nh *Nexthop) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var b strings.Builder
	fmt.Fprintf(&b, "id %d", nh.ID)
	if len(nh.Group) > 0 {
		b.WriteString(" group ")
		for i, m := range nh.Group {
			if i > 0 {
				b.WriteByte('/')
			}
			b.WriteString(strconv.FormatUint(uint64(m.ID), 10))
			if m.Weight > 1 {
				b.WriteString("," + strconv.Itoa(m.Weight))
			}
		}
	}
	if nh.GroupType != NexthopGroupMpath {
		b.WriteString(" type " + nh.GroupType.String())
		r := nh.Resilient
		if r.Buckets != 0 {
			fmt.Fprintf(&b, " buckets %d", r.Buckets)
		}
		if r.IdleTimer != 0 {
			b.WriteString(" idle_timer " + strconv.FormatFloat(r.IdleTimer.Seconds(), 'g', -1, 64))
		}
		if r.UnbalancedTimer != 0 {
			b.WriteString(" unbalanced_timer " + strconv.FormatFloat(r.UnbalancedTimer.Seconds(), 'g', -1, 64))
		}
	}
	if nh.Encap.Type != 0 {
		b.WriteString(" encap " + nh.Encap.Type.String())
	}
	if nh.Gateway.IsValid() {
		b.WriteString(" via " + nh.Gateway.String())
	}
	if nh.LinkIndex != 0 {
		b.WriteString(" dev " + names(nh.LinkIndex))
	}
	if nh.Blackhole {
		b.WriteString(" blackhole")
	}
	if nh.Flags&RouteOnlink != 0 {
		b.WriteString(" onlink")
	}
	if nh.Protocol != ProtoUnspec {
		b.WriteString(" proto " + nh.Protocol.String())
	}
	if nh.FDB {
		b.WriteString(" fdb")
	}
	return b.String()
}

// nexthopObject words the nexthop request m for errors.
func nexthopObject(m nl.Message, names func(int) string) string {
	var nh Nexthop
	if err := nh.decodeMessage(m, true, nil); err != nil {
		return "(malformed)"
	}
	if m.Header.Type != unix.RTM_NEWNEXTHOP {
		if nh.ID == 0 {
			return "(all)"
		}
		return "id " + strconv.FormatUint(uint64(nh.ID), 10)
	}
	return nh.format(names)
}

// A NexthopFilter selects nexthops in a listing. Zero fields select
// everything; a nil *NexthopFilter selects every nexthop.
//
// Family, LinkIndex, MasterIndex, Groups and FDB are applied by the kernel, which
// leaves groups out when Family, LinkIndex or MasterIndex is set.
type NexthopFilter struct {
	// ID selects the nexthop of this ID (with a RTM_GETNEXTHOP request
	// rather than a dump).
	ID uint32
	// Family selects single nexthops of this family.
	Family Family
	// LinkIndex selects nexthops through this interface (NHA_OIF).
	LinkIndex int
	// MasterIndex selects nexthops through ports of this master device, such
	// as a VRF (NHA_MASTER).
	MasterIndex int
	// Groups selects nexthop groups only (NHA_GROUPS).
	Groups bool
	// FDB selects FDB nexthops and groups only (NHA_FDB).
	FDB bool
	// Protocol selects nexthops installed by this protocol (applied in
	// user space).
	Protocol RouteProtocol
	// Stats asks for the groups' packet counters, in
	// NexthopGroupMember.Packets (Linux 6.10 and later); HWStats for the
	// hardware's too, in HWPackets.
	Stats, HWStats bool
}

func (f *NexthopFilter) keep(nh *Nexthop) bool {
	if f == nil {
		return true
	}
	group := len(nh.Group) > 0
	switch {
	case f.ID != 0 && nh.ID != f.ID,
		f.Groups && !group,
		f.FDB && !nh.FDB,
		f.Protocol != ProtoUnspec && nh.Protocol != f.Protocol:
		return false
	case f.Family == AnyFamily && f.LinkIndex == 0 && f.MasterIndex == 0:
		return true
	case group,
		f.Family != AnyFamily && nh.Family != f.Family,
		f.LinkIndex != 0 && nh.LinkIndex != f.LinkIndex:
		return false
	}
	return true
}

func (f *NexthopFilter) opFlags() uint32 {
	var o uint32
	if f.Stats || f.HWStats {
		o |= nhaOpFlagDumpStats
	}
	if f.HWStats {
		o |= nhaOpFlagDumpHWStats
	}
	return o
}

// buildNexthopRequest encodes the dump, or the get of one ID, that f asks
// for.
func buildNexthopRequest(e *nl.Encoder, f *NexthopFilter) {
	if f != nil && f.ID != 0 {
		e.Begin(unix.RTM_GETNEXTHOP, 0)
		e.Fixed(nhmsgLen)
		e.Uint32(unix.NHA_ID, f.ID)
		if o := f.opFlags(); o != 0 {
			e.Uint32(nhaOpFlags, o)
		}
		e.End()
		return
	}
	e.Begin(unix.RTM_GETNEXTHOP, unix.NLM_F_DUMP)
	h := e.Fixed(nhmsgLen)
	if f != nil {
		h[0] = byte(f.Family)
		if f.LinkIndex != 0 {
			e.Uint32(unix.NHA_OIF, uint32(f.LinkIndex))
		}
		if f.MasterIndex != 0 {
			e.Uint32(unix.NHA_MASTER, uint32(f.MasterIndex))
		}
		if f.Groups {
			e.Flag(unix.NHA_GROUPS)
		}
		if f.FDB {
			e.Flag(nhaFDB)
		}
		if o := f.opFlags(); o != 0 {
			e.Uint32(nhaOpFlags, o)
		}
	}
	e.End()
}

// Nexthops lists nexthop objects, in ID order, decoding each from the
// receive buffer as it arrives. The *Nexthop is reused: it is valid until
// the next iteration (copy it to keep it; its Group slice is its own).
//
// With a filter's ID set, the one nexthop is fetched; that it does not
// exist is no error, only an empty listing.
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListNexthops retries it instead.
func (h *Handle) Nexthops(ctx context.Context, f *NexthopFilter) iter.Seq2[*Nexthop, error] {
	if f != nil && f.ID != 0 {
		return func(yield func(*Nexthop, error) bool) {
			nh, err := h.getNexthop(ctx, f)
			switch {
			case errors.Is(err, unix.ENOENT):
			case err != nil:
				yield(nil, err)
			case f.keep(nh):
				yield(nh, nil)
			}
		}
	}
	return dump(ctx, h, func(e *nl.Encoder) { buildNexthopRequest(e, f) }, unix.RTM_NEWNEXTHOP, (*Nexthop).decode, f.keep)
}

// ListNexthops returns the nexthops the filter selects, in ID order,
// fetching the dump again if the kernel reports it was interrupted by a
// change.
func (h *Handle) ListNexthops(ctx context.Context, f *NexthopFilter) ([]Nexthop, error) {
	if f != nil && f.ID != 0 {
		var out []Nexthop
		for nh, err := range h.Nexthops(ctx, f) {
			if err != nil {
				return nil, err
			}
			out = append(out, *nh)
		}
		return out, nil
	}
	return collect(ctx, h, func(e *nl.Encoder) { buildNexthopRequest(e, f) }, unix.RTM_NEWNEXTHOP, (*Nexthop).decode, f.keep)
}

// NexthopByID returns the nexthop of the given ID. It fails with an error
// matching os.ErrNotExist if there is none.
func (h *Handle) NexthopByID(ctx context.Context, id uint32) (*Nexthop, error) {
	return h.getNexthop(ctx, &NexthopFilter{ID: id})
}

func (h *Handle) getNexthop(ctx context.Context, f *NexthopFilter) (*Nexthop, error) {
	e := h.encoder()
	defer h.release(e)
	buildNexthopRequest(e, f)
	var nh *Nexthop
	err := h.request(ctx, e, func(m nl.Message) error {
		if m.Header.Type != unix.RTM_NEWNEXTHOP || nh != nil {
			return nil
		}
		nh = new(Nexthop)
		return nh.Decode(m)
	})
	if err != nil {
		return nil, err
	}
	if nh == nil {
		return nil, fmt.Errorf("rtnl: get nexthop id %d: the kernel sent no nexthop", f.ID)
	}
	return nh, nil
}

// AddNexthop adds a nexthop. It fails with an error matching os.ErrExist if
// one with the same ID exists. If nh.ID is 0 the kernel chooses the ID
// (the lowest free one after the last it chose) and AddNexthop sets nh.ID
// to it.
func (h *Handle) AddNexthop(ctx context.Context, nh *Nexthop) error {
	return h.changeNexthop(ctx, Add, nh)
}

// ReplaceNexthop adds a nexthop or replaces the one with the same ID, and
// with it the paths of every route that uses it. A group cannot replace a
// single nexthop or the other way round.
func (h *Handle) ReplaceNexthop(ctx context.Context, nh *Nexthop) error {
	return h.changeNexthop(ctx, Replace, nh)
}

// ChangeNexthop changes the nexthop with nh.ID, which must exist, and with
// it the paths of every route that uses it.
func (h *Handle) ChangeNexthop(ctx context.Context, nh *Nexthop) error {
	return h.changeNexthop(ctx, Change, nh)
}

// DeleteNexthop deletes the nexthop nh.ID (the only field used), and with
// it the routes that use it.
func (h *Handle) DeleteNexthop(ctx context.Context, nh *Nexthop) error {
	return h.changeNexthop(ctx, Delete, nh)
}

func (h *Handle) changeNexthop(ctx context.Context, v Verb, nh *Nexthop) error {
	if nh == nil {
		return errors.New("rtnl: nil nexthop")
	}
	e := h.encoder()
	defer h.release(e)
	if err := encodeNexthop(e, v, nh); err != nil {
		return err
	}
	if nh.ID != 0 || v == Delete {
		return h.request(ctx, e, nil)
	}
	// The kernel chooses the id: ask for the request's echo to learn it.
	b := e.Bytes()
	binary.NativeEndian.PutUint16(b[6:], binary.NativeEndian.Uint16(b[6:])|unix.NLM_F_ECHO)
	return h.request(ctx, e, func(m nl.Message) error {
		var echo Nexthop
		if m.Header.Type == unix.RTM_NEWNEXTHOP && echo.Decode(m) == nil {
			nh.ID = echo.ID
		}
		return nil
	})
}

// Nexthop adds a change of a nexthop to the batch: v is Add, Replace,
// Change or Delete (which needs only nh.ID).
func (b *Batch) Nexthop(v Verb, nh *Nexthop) error {
	if nh == nil {
		return errors.New("rtnl: nil nexthop")
	}
	return b.add(func(e *nl.Encoder) error { return encodeNexthop(e, v, nh) })
}

// A NexthopBucket is one bucket of a resilient nexthop group
// (RTM_NEWNEXTHOPBUCKET): the member its flows go to.
type NexthopBucket struct {
	// ID is the group's ID.
	ID uint32
	// Index is the bucket's index in the group.
	Index uint16
	// IdleTime is how long the bucket has had no traffic.
	IdleTime time.Duration
	// NexthopID is the member nexthop the bucket sends its flows to.
	NexthopID uint32
	// Flags are the bucket's flags (RouteOffload, RouteTrap).
	Flags RouteFlags
}

// Decode fills bk from a RTM_NEWNEXTHOPBUCKET message. bk should be the
// zero NexthopBucket; it does not alias m afterwards.
func (bk *NexthopBucket) Decode(m nl.Message) error { return bk.decode(m, nil) }

// decode is Decode; a bucket points to no memory, s is unused.
func (bk *NexthopBucket) decode(m nl.Message, _ *store) error {
	b := m.Data
	if len(b) < nhmsgLen {
		return fmt.Errorf("rtnl: nexthop bucket message of %d bytes, shorter than nhmsg: %w", len(b), nl.ErrMalformed)
	}
	bk.Flags = RouteFlags(binary.NativeEndian.Uint32(b[4:8]))
	d := nl.NewAttrDecoder(b[nhmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.NHA_ID:
			bk.ID = d.Uint32()
		case nhaResBucket:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case nhaResBucketIndex:
					bk.Index = n.Uint16()
				case nhaResBucketIdle:
					bk.IdleTime = clockToDuration(n.Uint64())
				case nhaResBucketNHID:
					bk.NexthopID = n.Uint32()
				}
			}
			if err := n.Err(); err != nil {
				d.Fail(fmt.Errorf("NHA_RES_BUCKET: %w", err))
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: nexthop bucket: %w", err)
	}
	return nil
}

// A NexthopBucketFilter selects buckets in a listing; zero fields select
// everything. The kernel applies all of them.
type NexthopBucketFilter struct {
	// ID selects the buckets of this resilient group.
	ID uint32
	// LinkIndex selects buckets whose nexthop goes through this interface.
	LinkIndex int
	// MasterIndex selects buckets whose nexthop goes through a port of this
	// master device.
	MasterIndex int
	// NexthopID selects buckets that send their flows to this nexthop.
	NexthopID uint32
}

func (f *NexthopBucketFilter) keep(bk *NexthopBucket) bool {
	if f == nil {
		return true
	}
	return (f.ID == 0 || bk.ID == f.ID) && (f.NexthopID == 0 || bk.NexthopID == f.NexthopID)
}

func buildBucketDump(e *nl.Encoder, f *NexthopBucketFilter) {
	e.Begin(unix.RTM_GETNEXTHOPBUCKET, unix.NLM_F_DUMP)
	e.Fixed(nhmsgLen)
	if f != nil {
		if f.ID != 0 {
			e.Uint32(unix.NHA_ID, f.ID)
		}
		if f.LinkIndex != 0 {
			e.Uint32(unix.NHA_OIF, uint32(f.LinkIndex))
		}
		if f.MasterIndex != 0 {
			e.Uint32(unix.NHA_MASTER, uint32(f.MasterIndex))
		}
		if f.NexthopID != 0 {
			n := e.Nest(nhaResBucket)
			e.Uint32(nhaResBucketNHID, f.NexthopID)
			e.EndNest(n)
		}
	}
	e.End()
}

// NexthopBuckets lists the buckets of resilient nexthop groups, decoding
// each from the receive buffer as it arrives. The *NexthopBucket is
// reused: it is valid until the next iteration.
func (h *Handle) NexthopBuckets(ctx context.Context, f *NexthopBucketFilter) iter.Seq2[*NexthopBucket, error] {
	return dump(ctx, h, func(e *nl.Encoder) { buildBucketDump(e, f) }, unix.RTM_NEWNEXTHOPBUCKET, (*NexthopBucket).decode, f.keep)
}

// ListNexthopBuckets returns the buckets the filter selects, fetching the
// dump again if the kernel reports it was interrupted by a change.
func (h *Handle) ListNexthopBuckets(ctx context.Context, f *NexthopBucketFilter) ([]NexthopBucket, error) {
	return collect(ctx, h, func(e *nl.Encoder) { buildBucketDump(e, f) }, unix.RTM_NEWNEXTHOPBUCKET, (*NexthopBucket).decode, f.keep)
}

// NexthopBucketByIndex returns bucket index of the resilient group id.
func (h *Handle) NexthopBucketByIndex(ctx context.Context, id uint32, index uint16) (*NexthopBucket, error) {
	e := h.encoder()
	defer h.release(e)
	e.Begin(unix.RTM_GETNEXTHOPBUCKET, 0)
	e.Fixed(nhmsgLen)
	e.Uint32(unix.NHA_ID, id)
	n := e.Nest(nhaResBucket)
	e.Uint16(nhaResBucketIndex, index)
	e.EndNest(n)
	e.End()
	var bk *NexthopBucket
	err := h.request(ctx, e, func(m nl.Message) error {
		if m.Header.Type != unix.RTM_NEWNEXTHOPBUCKET || bk != nil {
			return nil
		}
		bk = new(NexthopBucket)
		return bk.Decode(m)
	})
	if err != nil {
		return nil, err
	}
	if bk == nil {
		return nil, fmt.Errorf("rtnl: get nexthop bucket id %d index %d: the kernel sent no bucket", id, index)
	}
	return bk, nil
}

// nexthopBucketObject words the nexthop bucket request m for errors, as
// "id 11 index 3".
func nexthopBucketObject(m nl.Message, names func(int) string) string {
	var bk NexthopBucket
	if err := bk.Decode(m); err != nil {
		return "(malformed)"
	}
	var b strings.Builder
	if bk.ID != 0 {
		fmt.Fprintf(&b, "id %d", bk.ID)
	}
	d := nl.NewAttrDecoder(m.Data[nhmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.NHA_OIF:
			fmt.Fprintf(&b, " dev %s", names(int(d.Uint32())))
		case nhaResBucket:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case nhaResBucketIndex:
					fmt.Fprintf(&b, " index %d", n.Uint16())
				case nhaResBucketNHID:
					fmt.Fprintf(&b, " nhid %d", n.Uint32())
				}
			}
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "(all)"
	}
	return s
}
