package rtnl

import (
	"strconv"

	"golang.org/x/sys/unix"
)

// The multicast groups of routing netlink (RTNLGRP_* of
// linux/rtnetlink.h) on which the kernel announces changes, to join with
// nl.Conn.JoinGroup. The messages are the ones dumps return (RTM_NEWLINK,
// RTM_DELLINK, ...), decoded by the same Decode methods. Groups above 32
// (nexthops and later) need JoinGroup: the bind-time mask reaches 32.
const (
	GroupLink        = unix.RTNLGRP_LINK        // links: RTM_NEWLINK, RTM_DELLINK
	GroupNeigh       = unix.RTNLGRP_NEIGH       // neighbours and bridge FDB entries
	GroupIPv4Addr    = unix.RTNLGRP_IPV4_IFADDR // IPv4 addresses
	GroupIPv4Route   = unix.RTNLGRP_IPV4_ROUTE  // IPv4 routes
	GroupIPv4Rule    = unix.RTNLGRP_IPV4_RULE   // IPv4 rules
	GroupIPv6Addr    = unix.RTNLGRP_IPV6_IFADDR // IPv6 addresses
	GroupIPv6Route   = unix.RTNLGRP_IPV6_ROUTE  // IPv6 routes
	GroupIPv6Rule    = unix.RTNLGRP_IPV6_RULE   // IPv6 rules
	GroupIPv4Netconf = unix.RTNLGRP_IPV4_NETCONF
	GroupIPv6Netconf = unix.RTNLGRP_IPV6_NETCONF
	GroupMDB         = unix.RTNLGRP_MDB        // bridge multicast database
	GroupMPLSRoute   = unix.RTNLGRP_MPLS_ROUTE // MPLS routes
	GroupNSID        = unix.RTNLGRP_NSID       // namespace ids: RTM_NEWNSID, RTM_DELNSID
	GroupNexthop     = unix.RTNLGRP_NEXTHOP    // nexthop objects (group 32)
	GroupBridgeVLAN  = unix.RTNLGRP_BRVLAN     // bridge VLANs (above 32)
	GroupTunnel      = unix.RTNLGRP_TUNNEL     // tunnel metadata (above 32)
	GroupStats       = unix.RTNLGRP_STATS      // link statistics (above 32)
	GroupIPv4MCAddr  = unix.RTNLGRP_IPV4_MCADDR
	GroupIPv6MCAddr  = unix.RTNLGRP_IPV6_MCADDR
	GroupIPv6ACAddr  = unix.RTNLGRP_IPV6_ACADDR
)

// groupNames names the groups by number, as linux/rtnetlink.h does.
var groupNames = [...]string{
	unix.RTNLGRP_LINK: "RTNLGRP_LINK", unix.RTNLGRP_NOTIFY: "RTNLGRP_NOTIFY",
	unix.RTNLGRP_NEIGH: "RTNLGRP_NEIGH", unix.RTNLGRP_TC: "RTNLGRP_TC",
	unix.RTNLGRP_IPV4_IFADDR: "RTNLGRP_IPV4_IFADDR", unix.RTNLGRP_IPV4_MROUTE: "RTNLGRP_IPV4_MROUTE",
	unix.RTNLGRP_IPV4_ROUTE: "RTNLGRP_IPV4_ROUTE", unix.RTNLGRP_IPV4_RULE: "RTNLGRP_IPV4_RULE",
	unix.RTNLGRP_IPV6_IFADDR: "RTNLGRP_IPV6_IFADDR", unix.RTNLGRP_IPV6_MROUTE: "RTNLGRP_IPV6_MROUTE",
	unix.RTNLGRP_IPV6_ROUTE: "RTNLGRP_IPV6_ROUTE", unix.RTNLGRP_IPV6_IFINFO: "RTNLGRP_IPV6_IFINFO",
	unix.RTNLGRP_IPV6_PREFIX: "RTNLGRP_IPV6_PREFIX", unix.RTNLGRP_IPV6_RULE: "RTNLGRP_IPV6_RULE",
	unix.RTNLGRP_ND_USEROPT: "RTNLGRP_ND_USEROPT", unix.RTNLGRP_DCB: "RTNLGRP_DCB",
	unix.RTNLGRP_IPV4_NETCONF: "RTNLGRP_IPV4_NETCONF", unix.RTNLGRP_IPV6_NETCONF: "RTNLGRP_IPV6_NETCONF",
	unix.RTNLGRP_MDB: "RTNLGRP_MDB", unix.RTNLGRP_MPLS_ROUTE: "RTNLGRP_MPLS_ROUTE",
	unix.RTNLGRP_NSID: "RTNLGRP_NSID", unix.RTNLGRP_MPLS_NETCONF: "RTNLGRP_MPLS_NETCONF",
	unix.RTNLGRP_IPV4_MROUTE_R: "RTNLGRP_IPV4_MROUTE_R", unix.RTNLGRP_IPV6_MROUTE_R: "RTNLGRP_IPV6_MROUTE_R",
	unix.RTNLGRP_NEXTHOP: "RTNLGRP_NEXTHOP", unix.RTNLGRP_BRVLAN: "RTNLGRP_BRVLAN",
	unix.RTNLGRP_MCTP_IFADDR: "RTNLGRP_MCTP_IFADDR", unix.RTNLGRP_TUNNEL: "RTNLGRP_TUNNEL",
	unix.RTNLGRP_STATS: "RTNLGRP_STATS", unix.RTNLGRP_IPV4_MCADDR: "RTNLGRP_IPV4_MCADDR",
	unix.RTNLGRP_IPV6_MCADDR: "RTNLGRP_IPV6_MCADDR", unix.RTNLGRP_IPV6_ACADDR: "RTNLGRP_IPV6_ACADDR",
}

// GroupName returns the kernel's name of routing netlink group g, such as
// "RTNLGRP_IPV4_ROUTE", or its number.
func GroupName(g uint32) string {
	if int(g) < len(groupNames) && groupNames[g] != "" {
		return groupNames[g]
	}
	return "group " + strconv.FormatUint(uint64(g), 10)
}
