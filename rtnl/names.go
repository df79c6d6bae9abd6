package rtnl

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A Family is an address family, as in the family field of every routing
// netlink header.
type Family uint8

// The families routing netlink speaks.
const (
	AnyFamily Family = unix.AF_UNSPEC
	IPv4      Family = unix.AF_INET
	IPv6      Family = unix.AF_INET6
	Bridge    Family = unix.AF_BRIDGE
	MPLS      Family = unix.AF_MPLS
)

// String returns the family as iproute2 names it: inet, inet6, bridge, mpls.
func (f Family) String() string {
	switch f {
	case AnyFamily:
		return "unspec"
	case IPv4:
		return "inet"
	case IPv6:
		return "inet6"
	case Bridge:
		return "bridge"
	case MPLS:
		return "mpls"
	}
	return "family" + strconv.Itoa(int(f))
}

// A Scope is the distance to a destination (rtm_scope, ifa_scope).
type Scope uint8

// The scopes iproute2 names.
const (
	ScopeGlobal  Scope = unix.RT_SCOPE_UNIVERSE
	ScopeSite    Scope = unix.RT_SCOPE_SITE
	ScopeLink    Scope = unix.RT_SCOPE_LINK
	ScopeHost    Scope = unix.RT_SCOPE_HOST
	ScopeNowhere Scope = unix.RT_SCOPE_NOWHERE
)

var scopeNames = map[uint32]string{0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

// String returns the scope as iproute2 names it, or its number.
func (s Scope) String() string { return enumName(scopeNames, uint32(s)) }

// ParseScope reads a scope name (global, universe, site, link, host,
// nowhere) or number.
func ParseScope(s string) (Scope, error) {
	if s == "universe" {
		return ScopeGlobal, nil
	}
	v, err := enumParse(scopeNames, s, "scope", 255)
	return Scope(v), err
}

// A RouteProtocol says who installed a route (rtm_protocol).
type RouteProtocol uint8

// Some route protocols; iproute2's /etc/iproute2/rt_protos names the rest.
const (
	ProtoUnspec   RouteProtocol = unix.RTPROT_UNSPEC
	ProtoRedirect RouteProtocol = unix.RTPROT_REDIRECT
	ProtoKernel   RouteProtocol = unix.RTPROT_KERNEL
	ProtoBoot     RouteProtocol = unix.RTPROT_BOOT
	ProtoStatic   RouteProtocol = unix.RTPROT_STATIC
	ProtoRA       RouteProtocol = unix.RTPROT_RA
	ProtoDHCP     RouteProtocol = unix.RTPROT_DHCP
	ProtoBGP      RouteProtocol = 186
	ProtoOSPF     RouteProtocol = 188
)

var protoNames = map[uint32]string{
	0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static",
	8: "gated", 9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted",
	14: "xorp", 15: "ntk", 16: "dhcp", 17: "mrouted", 18: "keepalived",
	42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf",
	189: "rip", 192: "eigrp",
}

// String returns the protocol as iproute2 names it, or its number.
func (p RouteProtocol) String() string { return enumName(protoNames, uint32(p)) }

// ParseRouteProtocol reads a route protocol name or number.
func ParseRouteProtocol(s string) (RouteProtocol, error) {
	v, err := enumParse(protoNames, s, "protocol", 255)
	return RouteProtocol(v), err
}

// A RouteType is the kind of a route (rtm_type).
type RouteType uint8

// The route types.
const (
	RouteUnspec      RouteType = unix.RTN_UNSPEC
	RouteUnicast     RouteType = unix.RTN_UNICAST
	RouteLocal       RouteType = unix.RTN_LOCAL
	RouteBroadcast   RouteType = unix.RTN_BROADCAST
	RouteAnycast     RouteType = unix.RTN_ANYCAST
	RouteMulticast   RouteType = unix.RTN_MULTICAST
	RouteBlackhole   RouteType = unix.RTN_BLACKHOLE
	RouteUnreachable RouteType = unix.RTN_UNREACHABLE
	RouteProhibit    RouteType = unix.RTN_PROHIBIT
	RouteThrow       RouteType = unix.RTN_THROW
	RouteNAT         RouteType = unix.RTN_NAT
	RouteXResolve    RouteType = unix.RTN_XRESOLVE
)

var routeTypeNames = map[uint32]string{
	0: "none", 1: "unicast", 2: "local", 3: "broadcast", 4: "anycast",
	5: "multicast", 6: "blackhole", 7: "unreachable", 8: "prohibit",
	9: "throw", 10: "nat", 11: "xresolve",
}

// String returns the type as iproute2 names it.
func (t RouteType) String() string { return enumName(routeTypeNames, uint32(t)) }

// ParseRouteType reads a route type name or number.
func ParseRouteType(s string) (RouteType, error) {
	v, err := enumParse(routeTypeNames, s, "route type", 255)
	return RouteType(v), err
}

// Well-known routing tables.
const (
	TableUnspec  uint32 = unix.RT_TABLE_UNSPEC
	TableDefault uint32 = unix.RT_TABLE_DEFAULT
	TableMain    uint32 = unix.RT_TABLE_MAIN
	TableLocal   uint32 = unix.RT_TABLE_LOCAL
)

var tableNames = map[uint32]string{0: "unspec", 253: "default", 254: "main", 255: "local"}

// TableName names a routing table as iproute2 does: main, local, default,
// or its number.
func TableName(t uint32) string { return enumName(tableNames, t) }

// ParseTable reads a table name (main, local, default, all, unspec) or
// number. "all" is TableUnspec, which lists every table.
func ParseTable(s string) (uint32, error) {
	if s == "all" {
		return TableUnspec, nil
	}
	return enumParse(tableNames, s, "table", 1<<32-1)
}

func enumName(names map[uint32]string, v uint32) string {
	if n, ok := names[v]; ok {
		return n
	}
	return strconv.FormatUint(uint64(v), 10)
}

func enumParse(names map[uint32]string, s, what string, max uint64) (uint32, error) {
	for v, n := range names {
		if strings.EqualFold(n, s) {
			return v, nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil || v > max {
		return 0, fmt.Errorf("rtnl: invalid %s %q", what, s)
	}
	return uint32(v), nil
}
