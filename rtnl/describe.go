package rtnl

import (
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// DescribeRequest words the request m as iproute2 would, such as
// "add route 10.0.0.0/8 via 10.9.9.9 dev v0". names, if not nil, names
// interfaces by index; without it they appear as "if7". It is what names
// the operation in this package's errors.
func DescribeRequest(m nl.Message, names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var object string
	switch m.Header.Type {
	case unix.RTM_NEWLINK, unix.RTM_DELLINK, unix.RTM_GETLINK, unix.RTM_SETLINK:
		if len(m.Data) > 0 && m.Data[0] == unix.AF_BRIDGE {
			object = bridgeLinkObject(m, names)
			if m.Header.Type == unix.RTM_SETLINK && strings.HasPrefix(object, "bridge vlan ") {
				return "add " + object // a VLAN is added by a set of its port
			}
		} else {
			object = "link " + linkObject(m, names)
		}
	case unix.RTM_NEWMDB, unix.RTM_DELMDB, unix.RTM_GETMDB:
		object = mdbObject(m, names)
	case unix.RTM_NEWLINKPROP, unix.RTM_DELLINKPROP:
		object = "link property " + linkPropObject(m, names)
	case unix.RTM_NEWADDR, unix.RTM_DELADDR, unix.RTM_GETADDR:
		object = "address " + addrObject(m, names)
	case unix.RTM_NEWROUTE, unix.RTM_DELROUTE, unix.RTM_GETROUTE:
		object = "route " + routeObject(m, names)
	case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH, unix.RTM_GETNEIGH:
		object = "neighbour " + neighObject(m, names)
	case unix.RTM_NEWRULE, unix.RTM_DELRULE, unix.RTM_GETRULE:
		object = "rule " + ruleObject(m, names)
	case unix.RTM_NEWNEXTHOP, unix.RTM_DELNEXTHOP, unix.RTM_GETNEXTHOP:
		object = "nexthop " + nexthopObject(m, names)
	case unix.RTM_NEWNEXTHOPBUCKET, unix.RTM_DELNEXTHOPBUCKET, unix.RTM_GETNEXTHOPBUCKET:
		object = "nexthop bucket " + nexthopBucketObject(m, names)
	case unix.RTM_NEWNSID, unix.RTM_DELNSID, unix.RTM_GETNSID:
		object = "netns id"
	default:
		object = "message type " + strconv.Itoa(int(m.Header.Type))
	}
	return requestVerb(m.Header) + " " + object
}

// requestVerb names what a request does from its type and flags.
func requestVerb(h nl.Header) string {
	f := h.Flags
	switch h.Type % 4 { // rtnetlink types come in NEW, DEL, GET, SET order
	case unix.RTM_NEWLINK % 4:
		switch {
		case f&unix.NLM_F_REPLACE != 0 && f&unix.NLM_F_CREATE != 0:
			return "replace"
		case f&unix.NLM_F_REPLACE != 0:
			return "change"
		case f&unix.NLM_F_APPEND != 0:
			return "append"
		case f&unix.NLM_F_CREATE != 0 && f&unix.NLM_F_EXCL == 0:
			return "prepend"
		case f&unix.NLM_F_CREATE != 0:
			return "add"
		case f&unix.NLM_F_EXCL != 0:
			return "test"
		}
		return "set"
	case unix.RTM_DELLINK % 4:
		return "delete"
	case unix.RTM_GETLINK % 4:
		if f&unix.NLM_F_DUMP == unix.NLM_F_DUMP {
			return "list"
		}
		return "get"
	}
	return "set"
}
