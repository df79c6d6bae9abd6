package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Route is an entry of a routing table (struct rtmsg and its RTA_*
// attributes).
//
// When adding, replacing, appending or changing a route, zero fields take
// the defaults `ip route add` gives them: Family from Dst, Table main,
// Type unicast, Protocol boot, and Scope as ip derives it: host for local
// and NAT routes; link for broadcast, multicast and anycast routes and for
// IPv4 unicast routes without a Gateway, Nexthops or NexthopID (reached
// directly on the link); global otherwise and for every IPv6 route. To
// send a zero Protocol (unspec) or Scope (global) instead, name the field
// in Explicit. Deleting matches any protocol and, unless Scope is set or
// explicit, any scope.
//
// A route decoded from the kernel has those fields in Explicit whose
// listed value is a zero the defaults would replace, so that a listed
// route sent back (to copy it to another table or namespace) is the route
// listed.
type Route struct {
	// Family is IPv4 or IPv6 (other families' routes are listed with their
	// addresses left out).
	Family Family
	// Dst is the destination; the default route is 0.0.0.0/0 or ::/0.
	Dst netip.Prefix
	// Src is the source prefix of IPv6 source-specific routes (RTA_SRC);
	// the zero Prefix when there is none.
	Src netip.Prefix
	// TOS is the type of service the route applies to (0: any).
	TOS uint8
	// Table is the routing table's id (TableMain, TableLocal, or any
	// number up to 2^32-1).
	Table uint32
	// Protocol says who installed the route.
	Protocol RouteProtocol
	// Scope is the distance to the destination.
	Scope Scope
	// Type is the kind of route: unicast, local, blackhole, ...
	Type RouteType
	// Flags are the route's flags (onlink, linkdown, ...).
	Flags RouteFlags
	// Gateway is the next hop's address. An address of the other family
	// (an IPv6 gateway for an IPv4 route) is sent as RTA_VIA.
	Gateway netip.Addr
	// LinkIndex is the output interface's index (RTA_OIF, ip's "dev"),
	// InputLinkIndex the input interface's (RTA_IIF, ip's "iif").
	LinkIndex, InputLinkIndex int
	// PrefSrc is the source address preferred for traffic to Dst.
	PrefSrc netip.Addr
	// Priority is the route's metric.
	Priority uint32
	// Mark is the firewall mark a lookup (RouteGet) was made with.
	Mark    uint32
	Metrics Metrics
	// Nexthops are the paths of a multipath route (RTA_MULTIPATH).
	Nexthops []RouteNexthop
	// NexthopID refers to a nexthop object (RTA_NH_ID) instead of a
	// gateway and interface. The kernel lists such a route with the
	// object's paths in Gateway, LinkIndex, Nexthops and Encap; requests
	// with a NexthopID leave those out, so that a listed route can be
	// deleted or added elsewhere as it is.
	NexthopID uint32
	// Pref is the preference of an IPv6 route learnt from a router
	// advertisement (RTA_PREF).
	Pref RoutePref
	// Expires is the remaining lifetime of an expiring route, in seconds
	// (0 if it does not expire). On add it sets the lifetime (IPv6 only).
	Expires uint32
	// Encap is the lightweight tunnel encapsulation, if any.
	Encap Encap
	// Realms are the source realm (high 16 bits) and destination realm
	// (low 16 bits) of the route's traffic (RTA_FLOW), for route-based
	// classification; 0 if none.
	Realms uint32
	// UID is the user a lookup was made for (RTA_UID), if the kernel said.
	UID *uint32
	// Cache holds the kernel's cache data of a cloned route (RouteGet).
	Cache RouteCacheInfo
	// Explicit names the fields a request sends even when they are zero:
	// RouteFieldExpires sends an Expires of 0, which makes an IPv6 route
	// expire at once (iproute2's "expires 0"); RouteFieldNexthopID sends a
	// NexthopID of 0, which the kernel refuses beside a gateway or an
	// interface for IPv6 routes (iproute2's "nhid 0"); RouteFieldProtocol
	// and RouteFieldScope send a zero Protocol (unspec) and Scope (global)
	// instead of their defaults. Decoding sets only RouteFieldProtocol and
	// RouteFieldScope, on a zero the defaults would replace.
	Explicit RouteFields
}

// RouteFields names fields of a Route, in its Explicit.
type RouteFields uint8

// The fields Explicit may name.
const (
	RouteFieldExpires RouteFields = 1 << iota
	RouteFieldNexthopID
	RouteFieldProtocol
	RouteFieldScope
)

// A RouteNexthop is one path of a multipath route.
type RouteNexthop struct {
	// Gateway is the path's next hop and LinkIndex its output interface's
	// index (rtnh_ifindex).
	Gateway   netip.Addr
	LinkIndex int
	// Weight is the path's share, 1 to 256 (0 is taken as 1).
	Weight int
	Flags  RouteFlags
	Encap  Encap
	// Realms are the path's realms (RTA_FLOW), as Route.Realms.
	Realms uint32
}

// RouteFlags are the flags of a route (rtm_flags) or of one of its paths
// (rtnh_flags).
type RouteFlags uint32

// Route and nexthop flags.
const (
	RouteDead          RouteFlags = unix.RTNH_F_DEAD
	RoutePervasive     RouteFlags = unix.RTNH_F_PERVASIVE
	RouteOnlink        RouteFlags = unix.RTNH_F_ONLINK
	RouteOffload       RouteFlags = unix.RTNH_F_OFFLOAD
	RouteLinkDown      RouteFlags = unix.RTNH_F_LINKDOWN
	RouteUnresolved    RouteFlags = unix.RTNH_F_UNRESOLVED
	RouteTrap          RouteFlags = unix.RTNH_F_TRAP
	RouteNotify        RouteFlags = unix.RTM_F_NOTIFY
	RouteCloned        RouteFlags = unix.RTM_F_CLONED
	RouteLookupTable   RouteFlags = unix.RTM_F_LOOKUP_TABLE
	RouteFibMatch      RouteFlags = unix.RTM_F_FIB_MATCH
	RouteRtOffload     RouteFlags = unix.RTM_F_OFFLOAD
	RouteRtTrap        RouteFlags = unix.RTM_F_TRAP
	RouteOffloadFailed RouteFlags = unix.RTM_F_OFFLOAD_FAILED
)

var routeFlagNames = []struct {
	f    RouteFlags
	name string
}{
	{RouteDead, "dead"}, {RouteOnlink, "onlink"}, {RoutePervasive, "pervasive"},
	{RouteOffload, "offload"}, {RouteTrap, "trap"}, {RouteNotify, "notify"},
	{RouteLinkDown, "linkdown"}, {RouteUnresolved, "unresolved"},
	{RouteRtOffload, "rt_offload"}, {RouteRtTrap, "rt_trap"},
	{RouteOffloadFailed, "rt_offload_failed"},
}

// Names returns the flags iproute2 prints, in its order ("onlink",
// "linkdown", ...). Flags it does not print (cloned, lookup_table) are left
// out.
func (f RouteFlags) Names() []string {
	names := []string{}
	for _, n := range routeFlagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// A RoutePref is the preference of an IPv6 route (RFC 4191).
type RoutePref uint8

// Route preferences, as carried in RTA_PREF.
const (
	PrefMedium RoutePref = 0
	PrefHigh   RoutePref = 1
	PrefLow    RoutePref = 3
)

// String returns "medium", "high", "low", or the number.
func (p RoutePref) String() string {
	switch p {
	case PrefMedium:
		return "medium"
	case PrefHigh:
		return "high"
	case PrefLow:
		return "low"
	}
	return strconv.Itoa(int(p))
}

// Metrics are a route's TCP and path metrics (RTA_METRICS). A zero field is
// not set. RTT, RTTVar and RTOMin are in milliseconds.
type Metrics struct {
	MTU, Window, RTT, RTTVar, SSThresh, CWnd, AdvMSS, Reordering uint32
	HopLimit, InitCWnd, Features, RTOMin, InitRWnd, QuickAck     uint32
	FastOpenNoCookie                                             uint32
	// Congestion is the congestion control algorithm (RTAX_CC_ALGO).
	Congestion string
	// Locked is a bit mask, 1<<RTAX_*, of the metrics the kernel must not
	// change (ip's "mtu lock 1400").
	Locked uint32
}

// IsZero reports whether no metric is set.
func (m *Metrics) IsZero() bool { return *m == Metrics{} }

// field returns the metric of type t (RTAX_*), or nil.
func (m *Metrics) field(t uint16) *uint32 {
	switch t {
	case unix.RTAX_MTU:
		return &m.MTU
	case unix.RTAX_WINDOW:
		return &m.Window
	case unix.RTAX_RTT:
		return &m.RTT
	case unix.RTAX_RTTVAR:
		return &m.RTTVar
	case unix.RTAX_SSTHRESH:
		return &m.SSThresh
	case unix.RTAX_CWND:
		return &m.CWnd
	case unix.RTAX_ADVMSS:
		return &m.AdvMSS
	case unix.RTAX_REORDERING:
		return &m.Reordering
	case unix.RTAX_HOPLIMIT:
		return &m.HopLimit
	case unix.RTAX_INITCWND:
		return &m.InitCWnd
	case unix.RTAX_FEATURES:
		return &m.Features
	case unix.RTAX_RTO_MIN:
		return &m.RTOMin
	case unix.RTAX_INITRWND:
		return &m.InitRWnd
	case unix.RTAX_QUICKACK:
		return &m.QuickAck
	case unix.RTAX_FASTOPEN_NO_COOKIE:
		return &m.FastOpenNoCookie
	case unix.RTAX_LOCK:
		return &m.Locked
	}
	return nil
}

// The kernel keeps RTT in 1/8 ms and RTTVar in 1/4 ms units.
func metricScale(t uint16) uint32 {
	switch t {
	case unix.RTAX_RTT:
		return 8
	case unix.RTAX_RTTVAR:
		return 4
	}
	return 1
}

// An Encap is a lightweight tunnel encapsulation (RTA_ENCAP_TYPE and the
// nested RTA_ENCAP), kept as its raw attributes so that every type
// round-trips.
type Encap struct {
	Type EncapType
	// Data is the content of RTA_ENCAP: the type's attributes, encoded.
	Data []byte
}

// An EncapType is a lightweight tunnel type (LWTUNNEL_ENCAP_*).
type EncapType uint16

var encapNames = map[uint32]string{
	0: "none", 1: "mpls", 2: "ip", 3: "ila", 4: "ip6", 5: "seg6", 6: "bpf",
	7: "seg6local", 8: "rpl", 9: "ioam6", 10: "xfrm",
}

// String returns the type as iproute2 names it.
func (t EncapType) String() string { return enumName(encapNames, uint32(t)) }

// RouteCacheInfo is the kernel's cache data for a route (RTA_CACHEINFO).
type RouteCacheInfo struct {
	// ClntRef counts the route's users; LastUse is when it was last used,
	// in clock ticks.
	ClntRef, LastUse uint32
	// Expires is the time left, in clock ticks (USER_HZ, normally 100 a
	// second).
	Expires int32
	// Error is the error a lookup of the route gives; Used counts its
	// uses.
	Error, Used uint32
}

const rtmsgLen = unix.SizeofRtMsg

// Decode fills r from a RTM_NEWROUTE or RTM_DELROUTE message, as a dump or an event
// delivers it: the same decoder serves listings, events and caches. r
// should be the zero Route; it does not alias m afterwards. Malformed
// input gives an error wrapping nl.ErrMalformed, never a panic.
func (r *Route) Decode(m nl.Message) error { return r.decode(m, nil) }

// decode is Decode with the memory r points to taken from s.
func (r *Route) decode(m nl.Message, s *store) error {
	b := m.Data
	if len(b) < rtmsgLen {
		return fmt.Errorf("rtnl: route message of %d bytes, shorter than rtmsg: %w", len(b), nl.ErrMalformed)
	}
	r.Family = Family(b[0])
	dstLen, srcLen := int(b[1]), int(b[2])
	r.TOS = b[3]
	r.Table = uint32(b[4])
	r.Protocol = RouteProtocol(b[5])
	r.Scope = Scope(b[6])
	r.Type = RouteType(b[7])
	r.Flags = RouteFlags(binary.NativeEndian.Uint32(b[8:12]))
	var dst, src netip.Addr
	// Addresses are IP addresses only in IPv4 and IPv6 routes: an MPLS
	// route's RTA_DST is a label, its RTA_VIA may be a link-layer address.
	ip := r.Family == IPv4 || r.Family == IPv6
	d := nl.NewAttrDecoder(b[rtmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.RTA_DST:
			if ip {
				dst = d.Addr()
			}
		case unix.RTA_SRC:
			if ip {
				src = d.Addr()
			}
		case unix.RTA_TABLE:
			r.Table = d.Uint32()
		case unix.RTA_GATEWAY:
			if ip {
				r.Gateway = d.Addr()
			}
		case unix.RTA_VIA:
			r.Gateway = decodeVia(&d)
		case unix.RTA_OIF:
			r.LinkIndex = int(d.Uint32())
		case unix.RTA_IIF:
			r.InputLinkIndex = int(d.Uint32())
		case unix.RTA_PREFSRC:
			if ip {
				r.PrefSrc = d.Addr()
			}
		case unix.RTA_PRIORITY:
			r.Priority = d.Uint32()
		case unix.RTA_MARK:
			r.Mark = d.Uint32()
		case unix.RTA_METRICS:
			if err := decodeMetrics(&r.Metrics, d.Nested(), s); err != nil {
				d.Fail(err)
			}
		case unix.RTA_MULTIPATH:
			nhs, err := decodeMultipath(d.Bytes(), r.Family, s)
			if err != nil {
				d.Fail(err)
				break
			}
			r.Nexthops = nhs
		case rtaNHID:
			r.NexthopID = d.Uint32()
		case unix.RTA_PREF:
			r.Pref = RoutePref(d.Uint8())
		case unix.RTA_EXPIRES:
			// 32 bits for IP routes, 64 for multicast cache entries.
			r.Expires = uint32(min(d.Uint(), 1<<32-1))
		case unix.RTA_ENCAP_TYPE:
			r.Encap.Type = EncapType(d.Uint16())
		case unix.RTA_ENCAP:
			data, err := encapData(s, d.Bytes())
			if err != nil {
				return err
			}
			r.Encap.Data = data
		case unix.RTA_FLOW:
			r.Realms = d.Uint32()
		case unix.RTA_UID:
			r.UID = s.u32Ptr(d.Uint32())
		case unix.RTA_CACHEINFO:
			var ci [20]byte
			d.Struct(ci[:])
			r.Cache = RouteCacheInfo{
				ClntRef: binary.NativeEndian.Uint32(ci[0:]),
				LastUse: binary.NativeEndian.Uint32(ci[4:]),
				Expires: int32(binary.NativeEndian.Uint32(ci[8:])),
				Error:   binary.NativeEndian.Uint32(ci[12:]),
				Used:    binary.NativeEndian.Uint32(ci[16:]),
			}
			if r.Cache.Expires > 0 {
				r.Expires = uint32(r.Cache.Expires) / 100
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: route: %w", err)
	}
	var err error
	if r.Dst, err = routePrefix(r.Family, dst, dstLen); err != nil {
		return err
	}
	if srcLen != 0 || src.IsValid() && !src.IsUnspecified() { // from ::/0 is no source prefix
		if r.Src, err = routePrefix(r.Family, src, srcLen); err != nil {
			return err
		}
	}
	// A zero the defaults would replace is marked explicit, so that the
	// route sent back (to add it elsewhere) is the route listed.
	r.Explicit = 0
	if r.Protocol == ProtoUnspec {
		r.Explicit |= RouteFieldProtocol
	}
	if r.Scope == ScopeGlobal && r.defaultScope(r.Family, r.Type) != ScopeGlobal {
		r.Explicit |= RouteFieldScope
	}
	return nil
}

// defaultScope is the scope `ip route add` gives a route of family f and
// type t when none is given: host for local and NAT routes, link for
// broadcast, multicast and anycast routes and for IPv4 unicast routes
// without a gateway, multipath or nexthop object (reached directly on the
// link), else global. IPv6 and MPLS routes are always global.
func (r *Route) defaultScope(f Family, t RouteType) Scope {
	if f != IPv4 {
		return ScopeGlobal
	}
	switch t {
	case RouteLocal, RouteNAT:
		return ScopeHost
	case RouteBroadcast, RouteMulticast, RouteAnycast:
		return ScopeLink
	case RouteUnicast, RouteUnspec:
		if !r.Gateway.IsValid() && len(r.Nexthops) == 0 && r.NexthopID == 0 {
			return ScopeLink
		}
	}
	return ScopeGlobal
}

// routePrefix builds a route's prefix from its address attribute (absent
// for the default route) and length.
func routePrefix(f Family, a netip.Addr, bits int) (netip.Prefix, error) {
	if !a.IsValid() {
		switch f {
		case IPv4:
			a = netip.IPv4Unspecified()
		case IPv6:
			a = netip.IPv6Unspecified()
		default:
			return netip.Prefix{}, nil // other families' routes carry other addresses
		}
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("rtnl: route prefix length %d for %v: %w", bits, a, nl.ErrMalformed)
	}
	return netip.PrefixFrom(a, bits), nil
}

// decodeVia reads struct rtvia: a family and an address of it. Only IP
// addresses are kept; others (an MPLS route's link-layer next hop) are
// skipped.
func decodeVia(d *nl.AttrDecoder) netip.Addr {
	b := d.Bytes()
	if len(b) < 2 {
		d.Fail(fmt.Errorf("RTA_VIA of %d bytes: %w", len(b), nl.ErrMalformed))
		return netip.Addr{}
	}
	switch binary.NativeEndian.Uint16(b) {
	case unix.AF_INET, unix.AF_INET6:
	default:
		return netip.Addr{}
	}
	a, ok := netip.AddrFromSlice(b[2:])
	if !ok {
		d.Fail(fmt.Errorf("RTA_VIA address of %d bytes: %w", len(b)-2, nl.ErrMalformed))
	}
	return a
}

func decodeMetrics(m *Metrics, d nl.AttrDecoder, s *store) error {
	for d.Next() {
		t := d.Type()
		if t == unix.RTAX_CC_ALGO {
			m.Congestion = s.intern(d.Bytes())
			continue
		}
		if f := m.field(t); f != nil {
			*f = d.Uint32() / metricScale(t)
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("RTA_METRICS: %w", err)
	}
	return nil
}

// decodeMultipath reads the rtnexthop list of RTA_MULTIPATH.
func decodeMultipath(b []byte, f Family, s *store) ([]RouteNexthop, error) {
	n := 0
	for rest := b; len(rest) >= 8; n++ {
		l := int(binary.NativeEndian.Uint16(rest))
		if l < 8 || l > len(rest) {
			return nil, fmt.Errorf("RTA_MULTIPATH nexthop of length %d: %w", l, nl.ErrMalformed)
		}
		rest = rest[min(nl.AttrAlign(l), len(rest)):]
	}
	nhs := s.makeRouteNexthops(n)[:0]
	for len(b) >= 8 {
		l := int(binary.NativeEndian.Uint16(b))
		nh := RouteNexthop{
			Flags:     RouteFlags(b[2]),
			Weight:    int(b[3]) + 1,
			LinkIndex: int(int32(binary.NativeEndian.Uint32(b[4:8]))),
		}
		d := nl.NewAttrDecoder(b[8:l])
		for d.Next() {
			switch d.Type() {
			case unix.RTA_GATEWAY:
				nh.Gateway = d.Addr()
			case unix.RTA_VIA:
				nh.Gateway = decodeVia(&d)
			case unix.RTA_ENCAP_TYPE:
				nh.Encap.Type = EncapType(d.Uint16())
			case unix.RTA_ENCAP:
				data, err := encapData(s, d.Bytes())
				if err != nil {
					return nil, err
				}
				nh.Encap.Data = data
			case unix.RTA_FLOW:
				nh.Realms = d.Uint32()
			}
		}
		if err := d.Err(); err != nil {
			return nil, err
		}
		nhs = append(nhs, nh)
		b = b[min(nl.AttrAlign(l), len(b)):]
	}
	return nhs, nil
}

// family returns the route's family: Family, or that of Dst (AnyFamily
// when neither is set).
func (r *Route) family() Family {
	if r.Family != AnyFamily || !r.Dst.IsValid() {
		return r.Family
	}
	return familyOfAddr(r.Dst.Addr())
}

// encodeRoute appends one route request to e.
func encodeRoute(e *nl.Encoder, v Verb, r *Route) error {
	if r == nil {
		return errors.New("rtnl: nil route")
	}
	f := r.family()
	if f == AnyFamily {
		return errors.New("rtnl: route without a destination (Dst) or family")
	}
	if r.Dst.IsValid() && (f == IPv4) != r.Dst.Addr().Is4() {
		return fmt.Errorf("rtnl: route family %v with destination %v", f, r.Dst)
	}
	if r.Src.IsValid() && r.Src.Addr().Is4() != (f == IPv4) {
		return fmt.Errorf("rtnl: route family %v with source %v", f, r.Src)
	}
	var t nl.MsgType = unix.RTM_NEWROUTE
	switch v {
	case Delete:
		t = unix.RTM_DELROUTE
	case Add, Replace, Change, Append, Prepend, Test:
	default:
		return errVerb(v, "route")
	}
	e.Begin(t, v.flags())
	h := e.Fixed(rtmsgLen)
	h[0] = byte(f)
	h[1] = byte(r.Dst.Bits())
	if r.Dst.Bits() < 0 {
		h[1] = 0
	}
	if r.Src.IsValid() {
		h[2] = byte(r.Src.Bits())
	}
	h[3] = r.TOS
	table := r.Table
	if table == 0 {
		table = TableMain
	}
	if table < 256 {
		h[4] = byte(table)
	} else {
		h[4] = unix.RT_TABLE_UNSPEC
	}
	proto, scope, typ := r.Protocol, r.Scope, r.Type
	if v == Delete {
		if scope == ScopeGlobal && r.Explicit&RouteFieldScope == 0 {
			scope = ScopeNowhere // match any scope
		}
	} else {
		if typ == RouteUnspec {
			typ = RouteUnicast
		}
		if proto == ProtoUnspec && r.Explicit&RouteFieldProtocol == 0 {
			proto = ProtoBoot
		}
		if scope == ScopeGlobal && r.Explicit&RouteFieldScope == 0 {
			scope = r.defaultScope(f, typ)
		}
	}
	h[5] = byte(proto)
	h[6] = byte(scope)
	h[7] = byte(typ)
	binary.NativeEndian.PutUint32(h[8:], uint32(r.Flags))
	// The default route has no RTA_DST; any other prefix, even one the
	// kernel will refuse (10.0.0.1/0), is sent as given.
	ip := f == IPv4 || f == IPv6
	if r.Dst.IsValid() && (r.Dst.Bits() > 0 || !r.Dst.Addr().IsUnspecified() || !ip) {
		e.Addr(unix.RTA_DST, r.Dst.Addr())
	}
	if r.Src.IsValid() && (r.Src.Bits() > 0 || !r.Src.Addr().IsUnspecified() || !ip) {
		e.Addr(unix.RTA_SRC, r.Src.Addr())
	}
	if table >= 256 { // as ip: smaller ids fit in rtm_table
		e.Uint32(unix.RTA_TABLE, table)
	}
	// A route through a nexthop object has its paths there: the kernel
	// lists them in the route, and refuses them in a request.
	paths := r.NexthopID == 0
	if paths {
		encodeGateway(e, f, r.Gateway)
	}
	if r.LinkIndex != 0 && paths {
		e.Uint32(unix.RTA_OIF, uint32(r.LinkIndex))
	}
	if r.InputLinkIndex != 0 {
		e.Uint32(unix.RTA_IIF, uint32(r.InputLinkIndex))
	}
	if r.PrefSrc.IsValid() {
		e.Addr(unix.RTA_PREFSRC, r.PrefSrc)
	}
	if r.Priority != 0 {
		e.Uint32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.Mark != 0 {
		e.Uint32(unix.RTA_MARK, r.Mark)
	}
	if !r.Metrics.IsZero() {
		encodeMetrics(e, &r.Metrics)
	}
	if len(r.Nexthops) > 0 && paths {
		encodeMultipath(e, f, r.Nexthops)
	}
	if r.NexthopID != 0 || r.Explicit&RouteFieldNexthopID != 0 {
		e.Uint32(rtaNHID, r.NexthopID)
	}
	if r.Pref != PrefMedium {
		e.Uint8(unix.RTA_PREF, uint8(r.Pref))
	}
	if (r.Expires != 0 || r.Explicit&RouteFieldExpires != 0) && v != Delete {
		e.Uint32(unix.RTA_EXPIRES, r.Expires)
	}
	if paths {
		encodeEncap(e, r.Encap)
	}
	if r.Realms != 0 {
		e.Uint32(unix.RTA_FLOW, r.Realms)
	}
	return e.End()
}

func encodeGateway(e *nl.Encoder, f Family, gw netip.Addr) {
	if !gw.IsValid() {
		return
	}
	if gw.Is4() && f == IPv4 || gw.Is6() && f == IPv6 {
		e.Addr(unix.RTA_GATEWAY, gw)
		return
	}
	var b [18]byte
	s := gw.AsSlice()
	if gw.Is4() {
		binary.NativeEndian.PutUint16(b[:], unix.AF_INET)
	} else {
		binary.NativeEndian.PutUint16(b[:], unix.AF_INET6)
	}
	n := copy(b[2:], s)
	e.Attr(unix.RTA_VIA, b[:2+n])
}

func encodeEncap(e *nl.Encoder, enc Encap) {
	if enc.Type == 0 {
		return
	}
	e.Uint16(unix.RTA_ENCAP_TYPE, uint16(enc.Type))
	e.Attr(unix.RTA_ENCAP|nl.AttrNested, enc.Data)
}

func encodeMetrics(e *nl.Encoder, m *Metrics) {
	n := e.Nest(unix.RTA_METRICS)
	for t := uint16(unix.RTAX_LOCK); t <= unix.RTAX_FASTOPEN_NO_COOKIE; t++ {
		if f := m.field(t); f != nil && *f != 0 {
			e.Uint32(t, *f*metricScale(t))
		}
	}
	if m.Congestion != "" {
		e.String(unix.RTAX_CC_ALGO, m.Congestion)
	}
	e.EndNest(n)
}

func encodeMultipath(e *nl.Encoder, f Family, nhs []RouteNexthop) {
	n := e.Nest(unix.RTA_MULTIPATH)
	for _, nh := range nhs {
		// Each path is a struct rtnexthop followed by its attributes.
		var h [8]byte
		w := nh.Weight
		if w < 1 {
			w = 1
		}
		h[2] = byte(nh.Flags)
		h[3] = byte(min(w, 256) - 1)
		binary.NativeEndian.PutUint32(h[4:], uint32(nh.LinkIndex))
		p := e.NestStruct(h[:])
		encodeGateway(e, f, nh.Gateway)
		encodeEncap(e, nh.Encap)
		if nh.Realms != 0 {
			e.Uint32(unix.RTA_FLOW, nh.Realms)
		}
		e.EndNest(p)
	}
	e.EndNest(n)
}

// String words the route as iproute2 prints it, with interfaces by index.
func (r *Route) String() string { return r.format(nil) }

// format words the route as ip would, naming interfaces with names (nil:
// "ifN").
func (r *Route) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var b strings.Builder
	if r.Type != RouteUnicast && r.Type != RouteUnspec {
		b.WriteString(r.Type.String())
		b.WriteByte(' ')
	}
	switch {
	case !r.Dst.IsValid():
		b.WriteString("default")
	case r.Dst.Bits() == 0:
		b.WriteString("default")
		if r.Dst.Addr().Is6() {
			b.WriteString(" (inet6)")
		}
	case r.Dst.Bits() == r.Dst.Addr().BitLen():
		b.WriteString(r.Dst.Addr().String())
	default:
		b.WriteString(r.Dst.String())
	}
	if r.Src.IsValid() {
		b.WriteString(" from " + r.Src.String())
	}
	if r.NexthopID != 0 {
		fmt.Fprintf(&b, " nhid %d", r.NexthopID)
	}
	if r.Gateway.IsValid() {
		b.WriteString(" via ")
		if r.Gateway.Is4() != (r.Family == IPv4 || r.Family == AnyFamily && r.Dst.Addr().Is4()) {
			b.WriteString(Family(familyOfAddr(r.Gateway)).String() + " ")
		}
		b.WriteString(r.Gateway.String())
	}
	if r.LinkIndex != 0 {
		b.WriteString(" dev " + names(r.LinkIndex))
	}
	if r.Table != 0 && r.Table != TableMain {
		b.WriteString(" table " + TableName(r.Table))
	}
	if r.Protocol != ProtoUnspec && r.Protocol != ProtoBoot {
		b.WriteString(" proto " + r.Protocol.String())
	}
	if r.Scope != ScopeGlobal {
		b.WriteString(" scope " + r.Scope.String())
	}
	if r.PrefSrc.IsValid() {
		b.WriteString(" src " + r.PrefSrc.String())
	}
	if r.Priority != 0 {
		fmt.Fprintf(&b, " metric %d", r.Priority)
	}
	for _, nh := range r.Nexthops {
		b.WriteString(" nexthop")
		if nh.Gateway.IsValid() {
			b.WriteString(" via " + nh.Gateway.String())
		}
		if nh.LinkIndex != 0 {
			b.WriteString(" dev " + names(nh.LinkIndex))
		}
		if nh.Weight > 1 {
			fmt.Fprintf(&b, " weight %d", nh.Weight)
		}
	}
	return b.String()
}

func familyOfAddr(a netip.Addr) Family {
	if a.Is4() {
		return IPv4
	}
	return IPv6
}

// routeObject words the route request m for errors.
func routeObject(m nl.Message, names func(int) string) string {
	var r Route
	if err := r.Decode(m); err != nil {
		return "(malformed)"
	}
	if m.Header.Type == unix.RTM_GETROUTE && r.Dst.IsValid() {
		return r.Dst.Addr().String()
	}
	if m.Header.Type == unix.RTM_DELROUTE && r.Scope == ScopeNowhere {
		r.Scope = ScopeGlobal // "any scope", which the encoder put there
	}
	return r.format(names)
}

// A RouteFilter selects routes in a listing. Zero fields select
// everything; a nil *RouteFilter selects every route of every table.
type RouteFilter struct {
	// Family selects IPv4 or IPv6 routes (AnyFamily: both).
	Family Family
	// Table selects one table (0: every table).
	Table uint32
	// Protocol, Type and LinkIndex select the routes of one protocol, of one
	// type, through one interface (by index; paths of multipath routes
	// count).
	Protocol  RouteProtocol
	Type      RouteType
	LinkIndex int
	// Cloned lists the route cache exceptions (such as learnt PMTUs)
	// instead of the routes.
	Cloned bool
}

// Routes lists routes, decoding each from the receive buffer as it
// arrives. The filter's table, protocol, type and interface are applied by
// the kernel. The *Route is reused: it is valid until the next iteration
// (copy it to keep it; its slices are its own).
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListRoutes retries it instead.
func (h *Handle) Routes(ctx context.Context, f *RouteFilter) iter.Seq2[*Route, error] {
	return dump(ctx, h, func(e *nl.Encoder) { buildRouteDump(e, f) }, unix.RTM_NEWROUTE, (*Route).decode, f.keep)
}

// ListRoutes returns the routes the filter selects, fetching the dump again
// if the kernel reports it was interrupted by a change.
func (h *Handle) ListRoutes(ctx context.Context, f *RouteFilter) ([]Route, error) {
	return collect(ctx, h, func(e *nl.Encoder) { buildRouteDump(e, f) }, unix.RTM_NEWROUTE, (*Route).decode, f.keep)
}

func buildRouteDump(e *nl.Encoder, f *RouteFilter) {
	e.Begin(unix.RTM_GETROUTE, unix.NLM_F_DUMP)
	h := e.Fixed(rtmsgLen)
	if f == nil {
		e.End()
		return
	}
	h[0] = byte(f.Family)
	if f.Table != 0 && f.Table < 256 {
		h[4] = byte(f.Table)
	}
	h[5] = byte(f.Protocol)
	h[7] = byte(f.Type)
	if f.Cloned {
		binary.NativeEndian.PutUint32(h[8:], unix.RTM_F_CLONED)
	}
	if f.Table != 0 {
		e.Uint32(unix.RTA_TABLE, f.Table)
	}
	if f.LinkIndex != 0 {
		e.Uint32(unix.RTA_OIF, uint32(f.LinkIndex))
	}
	e.End()
}

// keep applies the filter in user space, for kernels that do not filter.
func (f *RouteFilter) keep(r *Route) bool {
	if f == nil {
		return true
	}
	return (f.Family == AnyFamily || r.Family == f.Family) &&
		(f.Table == 0 || r.Table == f.Table) &&
		(f.Protocol == ProtoUnspec || r.Protocol == f.Protocol) &&
		(f.Type == RouteUnspec || r.Type == f.Type) &&
		(f.LinkIndex == 0 || r.LinkIndex == f.LinkIndex || hasNexthopVia(r, f.LinkIndex)) &&
		(r.Flags&RouteCloned != 0) == f.Cloned
}

func hasNexthopVia(r *Route, oif int) bool {
	for _, nh := range r.Nexthops {
		if nh.LinkIndex == oif {
			return true
		}
	}
	return false
}

// A RouteQuery asks the kernel which route it would use (ip route get).
type RouteQuery struct {
	// Dst is the destination to look up (required); Src the source
	// address the traffic would have.
	Dst, Src netip.Addr
	// InputLinkIndex is the interface the traffic would come in through
	// (a forwarding lookup, RTA_IIF); LinkIndex the one it must go out
	// through (RTA_OIF).
	InputLinkIndex, LinkIndex int
	// Mark and TOS are the traffic's firewall mark and type of service.
	Mark uint32
	TOS  uint8
	// UID, if set, is the user to look up for (ip route get ... uid).
	UID *uint32
	// FibMatch returns the matching route entry itself rather than the
	// resolved, cloned result.
	FibMatch bool
	// IPProto, SrcPort and DstPort describe the flow, for multipath and
	// policy routing decisions.
	IPProto          uint8
	SrcPort, DstPort uint16
}

// RouteGet returns the route the kernel would use for the query, as
// `ip route get` shows.
func (h *Handle) RouteGet(ctx context.Context, q *RouteQuery) (*Route, error) {
	if q == nil || !q.Dst.IsValid() {
		return nil, errors.New("rtnl: route get without a destination")
	}
	e := h.encoder()
	defer h.release(e)
	e.Begin(unix.RTM_GETROUTE, 0)
	hdr := e.Fixed(rtmsgLen)
	hdr[0] = byte(familyOfAddr(q.Dst))
	hdr[1] = byte(q.Dst.BitLen())
	hdr[3] = q.TOS
	if q.FibMatch {
		binary.NativeEndian.PutUint32(hdr[8:], unix.RTM_F_FIB_MATCH)
	}
	e.Addr(unix.RTA_DST, q.Dst)
	if q.Src.IsValid() {
		hdr[2] = byte(q.Src.BitLen())
		e.Addr(unix.RTA_SRC, q.Src)
	}
	if q.InputLinkIndex != 0 {
		e.Uint32(unix.RTA_IIF, uint32(q.InputLinkIndex))
	}
	if q.LinkIndex != 0 {
		e.Uint32(unix.RTA_OIF, uint32(q.LinkIndex))
	}
	if q.Mark != 0 {
		e.Uint32(unix.RTA_MARK, q.Mark)
	}
	if q.UID != nil {
		e.Uint32(unix.RTA_UID, *q.UID)
	}
	if q.IPProto != 0 {
		e.Uint8(unix.RTA_IP_PROTO, q.IPProto)
	}
	if q.SrcPort != 0 {
		e.Uint16BE(unix.RTA_SPORT, q.SrcPort)
	}
	if q.DstPort != 0 {
		e.Uint16BE(unix.RTA_DPORT, q.DstPort)
	}
	e.End()
	var r *Route
	err := h.request(ctx, e, func(m nl.Message) error {
		if m.Header.Type != unix.RTM_NEWROUTE {
			return nil
		}
		r = new(Route)
		if err := r.Decode(m); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("rtnl: route get: the kernel sent no route")
	}
	return r, nil
}

// AddRoute adds a route; it fails with an error matching os.ErrExist if
// the table already has it.
func (h *Handle) AddRoute(ctx context.Context, r *Route) error {
	return h.changeRoute(ctx, Add, r)
}

// ReplaceRoute adds a route or replaces the one with the same key.
func (h *Handle) ReplaceRoute(ctx context.Context, r *Route) error {
	return h.changeRoute(ctx, Replace, r)
}

// ChangeRoute changes an existing route; it fails if there is none.
func (h *Handle) ChangeRoute(ctx context.Context, r *Route) error {
	return h.changeRoute(ctx, Change, r)
}

// AppendRoute adds a route after existing ones with the same destination
// (an alternative route, or for IPv6 another path).
func (h *Handle) AppendRoute(ctx context.Context, r *Route) error {
	return h.changeRoute(ctx, Append, r)
}

// DeleteRoute deletes the route matching r: its destination and table, and
// those of its other fields that are set.
func (h *Handle) DeleteRoute(ctx context.Context, r *Route) error {
	return h.changeRoute(ctx, Delete, r)
}

func (h *Handle) changeRoute(ctx context.Context, v Verb, r *Route) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeRoute(e, v, r); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// Route adds a change of a route to the batch.
func (b *Batch) Route(v Verb, r *Route) error {
	return b.add(func(e *nl.Encoder) error { return encodeRoute(e, v, r) })
}

// rtaNHID is RTA_NH_ID, newer than golang.org/x/sys/unix knows.
const rtaNHID = 30
