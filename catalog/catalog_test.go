package catalog

import (
	"fmt"
	"iter"
	"maps"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// allSpaces returns every space reachable from the registered protocols
// (requests and replies), each once, with a path that reaches it. It tracks
// visited spaces, so it ends despite cycles such as VETH_INFO_PEER → link.
// It walks through the package's API, as an importer would.
func allSpaces() map[*Space]string {
	seen := map[*Space]string{}
	var visit func(s *Space, path string)
	visit = func(s *Space, path string) {
		if s == nil {
			return
		}
		if _, ok := seen[s]; ok {
			return
		}
		seen[s] = path
		for _, a := range s.All() {
			visit(a.Space, path+"/"+a.Name)
			for k, v := range a.Variants() {
				visit(v, path+"/"+a.Name+"["+k+"]")
			}
		}
	}
	for _, p := range protocols {
		for _, m := range p.Messages() {
			visit(m.Attrs, p.Name+":"+m.Name)
		}
		for _, m := range p.Replies() {
			visit(m.Attrs, p.Name+":"+m.Name+"(reply)")
		}
	}
	return seen
}

func TestNamesPresent(t *testing.T) {
	for num, p := range protocols {
		if p.Name == "" {
			t.Errorf("protocol %d has no name", num)
		}
		if p.Number != num {
			t.Errorf("protocol %q registered as %d, has Number %d", p.Name, num, p.Number)
		}
		for typ, m := range p.Messages() {
			if m.Name == "" {
				t.Errorf("%s: message type %d has no name", p.Name, typ)
			}
		}
	}
	for s, path := range allSpaces() {
		if s.Name() == "" {
			t.Errorf("space at %s has no name", path)
		}
		for typ, a := range s.All() {
			if a.Name == "" {
				t.Errorf("space %s (at %s): attribute %d has no name", s.Name(), path, typ)
			}
		}
	}
}

func TestNamesUnique(t *testing.T) {
	for _, p := range protocols {
		names := map[string]uint16{}
		for typ, m := range p.Messages() {
			if prev, ok := names[m.Name]; ok {
				t.Errorf("%s: message name %s used by types %d and %d", p.Name, m.Name, prev, typ)
			}
			names[m.Name] = typ
		}
	}
	for s, path := range allSpaces() {
		names := map[string]uint16{}
		for typ, a := range s.All() {
			if prev, ok := names[a.Name]; ok {
				t.Errorf("space %s (at %s): attribute name %s used by types %d and %d", s.Name(), path, a.Name, prev, typ)
			}
			names[a.Name] = typ
		}
	}
}

func TestProtocolNames(t *testing.T) {
	want := map[int]string{
		unix.NETLINK_ROUTE:          "route",
		unix.NETLINK_USERSOCK:       "usersock",
		unix.NETLINK_SOCK_DIAG:      "sock_diag",
		unix.NETLINK_XFRM:           "xfrm",
		unix.NETLINK_AUDIT:          "audit",
		unix.NETLINK_CONNECTOR:      "connector",
		unix.NETLINK_NETFILTER:      "netfilter",
		unix.NETLINK_KOBJECT_UEVENT: "kobject_uevent",
		unix.NETLINK_GENERIC:        "generic",
	}
	for _, reg := range []*Protocol{routeProtocol, genericProtocol, sockDiagProtocol} {
		p, ok := Known(reg.Number)
		if !ok || p.Name != reg.Name || p.Number != reg.Number || !maps.Equal(p.messages, reg.messages) || !maps.Equal(p.replies, reg.replies) {
			t.Errorf("Known(%d) does not return the registered table %s", reg.Number, reg.Name)
		}
	}
	for num, name := range want {
		p, ok := Known(num)
		if !ok || p.Name != name || p.Number != num {
			t.Errorf("Known(%d) = %q, %d, %v; want name %q", num, p.Name, p.Number, ok, name)
		}
	}
	if len(protocols) != len(want) {
		t.Errorf("%d protocols registered, want %d", len(protocols), len(want))
	}
	if p, ok := Known(99); ok || p.Name != "" {
		t.Errorf("Known(99) = %+v, %v", p, ok)
	}
}

func TestAttrsWellFormed(t *testing.T) {
	for s, path := range allSpaces() {
		for typ, a := range s.All() {
			where := s.Name() + "/" + a.Name + " (at " + path + ")"
			if int(a.Kind) >= len(kindNames) || a.Kind == Unknown {
				t.Errorf("%s: attribute %d has kind %v", where, typ, a.Kind)
			}
			nested := a.Kind == Nested || a.Kind == NestedArray
			if !nested && (a.Space != nil || a.variants != nil || a.SelectBy != "" || a.HeaderLen != 0) {
				t.Errorf("%s: kind %v with a space, variants or header", where, a.Kind)
			}
			if a.HeaderLen < 0 {
				t.Errorf("%s: HeaderLen %d", where, a.HeaderLen)
			}
			if (a.SelectBy == "") != (a.variants == nil) {
				t.Errorf("%s: SelectBy %q without variants, or the reverse", where, a.SelectBy)
			}
			if a.SelectBy != "" {
				_, sel, ok := s.Lookup(a.SelectBy)
				if !ok || sel.Name != a.SelectBy || sel.Kind != String {
					t.Errorf("%s: SelectBy %q is not a String attribute of the same space", where, a.SelectBy)
				}
				for k, v := range a.Variants() {
					if v == nil || a.Variant(k) != v {
						t.Errorf("%s: variant %q has no space", where, k)
					}
				}
			}
		}
	}
}

func TestLookupGetLink(t *testing.T) {
	for _, request := range []bool{true, false} {
		m, ok := Lookup(unix.NETLINK_ROUTE, unix.RTM_GETLINK, request)
		if !ok || m.Name != "RTM_GETLINK" || m.Op != OpGet || m.Header != "ifinfomsg" || m.HeaderLen != 16 || m.Attrs != linkSpace {
			t.Errorf("Lookup(0, RTM_GETLINK, %v) = %+v, %v", request, m, ok)
		}
	}
	if m, ok := Lookup(unix.NETLINK_ROUTE, 0xffff, true); ok || m != (Message{}) {
		t.Errorf("Lookup of an unknown type = %+v, %v", m, ok)
	}
	if m, ok := Lookup(99, unix.RTM_GETLINK, true); ok || m != (Message{}) {
		t.Errorf("Lookup in an unknown protocol = %+v, %v", m, ok)
	}
	if _, ok := Lookup(unix.NETLINK_USERSOCK, 16, false); ok {
		t.Error("Lookup found a message in a protocol known by name only")
	}
	g, ok := Lookup(unix.NETLINK_GENERIC, unix.GENL_ID_CTRL, true)
	if !ok || g.Name != "GENL_ID_CTRL" || g.Header != "genlmsghdr" || g.HeaderLen != 4 || g.Attrs != ctrlSpace {
		t.Errorf("Lookup(16, GENL_ID_CTRL) = %+v, %v", g, ok)
	}
}

// Requests and replies of one type are told apart where the kernel lays
// them out differently, and only there.
func TestRequestReply(t *testing.T) {
	tests := []struct {
		proto      int
		typ        uint16
		name       string
		reqHeader  string
		reqLen     int
		reqAttrs   *Space
		repHeader  string
		repLen     int
		replyAttrs *Space
	}{
		{unix.NETLINK_SOCK_DIAG, unix.SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY", "inet_diag_req_v2", 56, inetDiagReqSpace, "inet_diag_msg", 72, inetDiagSpace},
		{unix.NETLINK_SOCK_DIAG, tcpDiagGetSock, "TCPDIAG_GETSOCK", "inet_diag_req", 60, inetDiagReqSpace, "inet_diag_msg", 72, inetDiagSpace},
		{unix.NETLINK_SOCK_DIAG, dccpDiagGetSock, "DCCPDIAG_GETSOCK", "inet_diag_req", 60, inetDiagReqSpace, "inet_diag_msg", 72, inetDiagSpace},
		{unix.NETLINK_SOCK_DIAG, unix.SOCK_DESTROY, "SOCK_DESTROY", "inet_diag_req_v2", 56, inetDiagReqSpace, "inet_diag_req_v2", 56, inetDiagReqSpace},
		{unix.NETLINK_ROUTE, unix.RTM_NEWMDB, "RTM_NEWMDB", "br_port_msg", 8, mdbSetSpace, "br_port_msg", 8, mdbSpace},
		{unix.NETLINK_ROUTE, unix.RTM_DELMDB, "RTM_DELMDB", "br_port_msg", 8, mdbSetSpace, "br_port_msg", 8, mdbSpace},
		{unix.NETLINK_ROUTE, unix.RTM_GETMDB, "RTM_GETMDB", "br_port_msg", 8, mdbSpace, "br_port_msg", 8, mdbSpace},
		// The kernel answers RTM_GETSTATS with RTM_NEWSTATS: the types, not
		// the direction, pick the numbering.
		{unix.NETLINK_ROUTE, unix.RTM_GETSTATS, "RTM_GETSTATS", "if_stats_msg", 12, statsGetSetSpace, "if_stats_msg", 12, statsGetSetSpace},
		{unix.NETLINK_ROUTE, unix.RTM_SETSTATS, "RTM_SETSTATS", "if_stats_msg", 12, statsGetSetSpace, "if_stats_msg", 12, statsGetSetSpace},
		{unix.NETLINK_ROUTE, unix.RTM_NEWSTATS, "RTM_NEWSTATS", "if_stats_msg", 12, statsSpace, "if_stats_msg", 12, statsSpace},
	}
	for _, tt := range tests {
		req, ok1 := Lookup(tt.proto, tt.typ, true)
		rep, ok2 := Lookup(tt.proto, tt.typ, false)
		if !ok1 || req.Name != tt.name || req.Header != tt.reqHeader || req.HeaderLen != tt.reqLen || req.Attrs != tt.reqAttrs {
			t.Errorf("request %s = %+v (attrs %s), %v", tt.name, req, req.Attrs.Name(), ok1)
		}
		if !ok2 || rep.Name != tt.name || rep.Header != tt.repHeader || rep.HeaderLen != tt.repLen || rep.Attrs != tt.replyAttrs {
			t.Errorf("reply %s = %+v (attrs %s), %v", tt.name, rep, rep.Attrs.Name(), ok2)
		}
	}
	if a, ok := inetDiagSpace.Attr(4); !ok || a.Name != "INET_DIAG_CONG" || a.Kind != String {
		t.Errorf("INET_DIAG_CONG = %+v, %v", a, ok)
	}
	// A reply description exists only where it differs, and names the
	// same message as the request's.
	for _, p := range protocols {
		for typ, rep := range p.Replies() {
			req, ok := p.Message(typ, true)
			if !ok {
				t.Errorf("%s: reply %s (%d) has no request description", p.Name, rep.Name, typ)
				continue
			}
			if rep.Name != req.Name || rep.Op != req.Op {
				t.Errorf("%s %d: reply %s/%d, request %s/%d", p.Name, typ, rep.Name, rep.Op, req.Name, req.Op)
			}
			if rep == req {
				t.Errorf("%s %s: reply description equal to the request's", p.Name, rep.Name)
			}
		}
	}
}

func TestOps(t *testing.T) {
	for typ, m := range routeProtocol.Messages() {
		var want Op
		switch {
		case len(m.Name) > 7 && m.Name[:7] == "RTM_GET":
			want = OpGet
		case len(m.Name) > 7 && (m.Name[:7] == "RTM_NEW" || m.Name[:7] == "RTM_SET"):
			want = OpNew
		case len(m.Name) > 7 && m.Name[:7] == "RTM_DEL":
			want = OpDel
		}
		if m.Op != want {
			t.Errorf("%s (%d): Op %d, want %d", m.Name, typ, m.Op, want)
		}
	}
}

func TestMessageType(t *testing.T) {
	typ, m, ok := MessageType(unix.NETLINK_ROUTE, "rtm_newroute")
	if !ok || typ != unix.RTM_NEWROUTE || m.Name != "RTM_NEWROUTE" || m.Op != OpNew || m.Header != "rtmsg" {
		t.Errorf("MessageType(0, rtm_newroute) = %d, %+v, %v", typ, m, ok)
	}
	if _, _, ok := MessageType(unix.NETLINK_ROUTE, "RTM_NOSUCH"); ok {
		t.Error("MessageType found RTM_NOSUCH")
	}
	if _, _, ok := MessageType(99, "RTM_NEWROUTE"); ok {
		t.Error("MessageType found a message in an unknown protocol")
	}
	// The description is the request's.
	typ, m, ok = MessageType(unix.NETLINK_SOCK_DIAG, "sock_diag_by_family")
	if !ok || typ != unix.SOCK_DIAG_BY_FAMILY || m.Header != "inet_diag_req_v2" || m.Attrs != inetDiagReqSpace {
		t.Errorf("MessageType(4, sock_diag_by_family) = %d, %+v, %v", typ, m, ok)
	}
}

func TestAttrPath(t *testing.T) {
	lookup := func(proto int, typ uint16) Message {
		m, ok := Lookup(proto, typ, true)
		if !ok {
			t.Fatalf("Lookup(%d, %d) failed", proto, typ)
		}
		return m
	}
	newLink := lookup(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
	tests := []struct {
		m    Message
		path []uint16
		want string
	}{
		{newLink, []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_KIND}, "IFLA_LINKINFO/IFLA_INFO_KIND"},
		{newLink, []uint16{unix.IFLA_IFNAME}, "IFLA_IFNAME"},
		{newLink, []uint16{unix.IFLA_AF_SPEC, unix.AF_INET6, unix.IFLA_INET6_ADDR_GEN_MODE}, "IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE"},
		{newLink, []uint16{unix.IFLA_LINKINFO, 999}, "IFLA_LINKINFO/999"},
		{lookup(unix.NETLINK_ROUTE, unix.RTM_NEWROUTE), []uint16{unix.RTA_METRICS, unix.RTAX_CC_ALGO}, "RTA_METRICS/RTAX_CC_ALGO"},
		{lookup(unix.NETLINK_GENERIC, unix.GENL_ID_CTRL), []uint16{unix.CTRL_ATTR_MCAST_GROUPS, 1, unix.CTRL_ATTR_MCAST_GRP_NAME}, "CTRL_ATTR_MCAST_GROUPS/1/CTRL_ATTR_MCAST_GRP_NAME"},
		{lookup(unix.NETLINK_ROUTE, unix.RTM_NEWMDB), []uint16{2, 1}, "MDBA_SET_ENTRY_ATTRS/MDBE_ATTR_SOURCE"},
		{Message{}, []uint16{3, 1}, "3/1"},
	}
	for _, tt := range tests {
		if got := tt.m.AttrPath(tt.path); got != tt.want {
			t.Errorf("AttrPath(%v) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestKinds(t *testing.T) {
	tests := []struct {
		s    *Space
		typ  uint16
		name string
		kind Kind
	}{
		{linkSpace, unix.IFLA_IFNAME, "IFLA_IFNAME", String},
		{linkSpace, unix.IFLA_MTU, "IFLA_MTU", U32},
		{linkSpace, unix.IFLA_ADDRESS, "IFLA_ADDRESS", HWAddr},
		{linkSpace, unix.IFLA_TARGET_NETNSID, "IFLA_TARGET_NETNSID", S32},
		{vxlanSpace, unix.IFLA_VXLAN_PORT, "IFLA_VXLAN_PORT", BE16},
		{routeSpace, unix.RTA_DST, "RTA_DST", Addr},
		{routeSpace, unix.RTA_MULTIPATH, "RTA_MULTIPATH", Binary},
		{neighSpace, unix.NDA_LLADDR, "NDA_LLADDR", HWAddr},
		{ruleSpace, unix.FRA_TUN_ID, "FRA_TUN_ID", BE64},
		{nexthopSpace, unix.NHA_BLACKHOLE, "NHA_BLACKHOLE", Flag},
		{ctrlSpace, unix.CTRL_ATTR_FAMILY_ID, "CTRL_ATTR_FAMILY_ID", U16},
		{ctrlSpace, unix.CTRL_ATTR_OPS, "CTRL_ATTR_OPS", NestedArray},
	}
	for _, tt := range tests {
		a, ok := tt.s.Attr(tt.typ)
		if !ok || a.Name != tt.name || a.Kind != tt.kind {
			t.Errorf("%s.Attr(%d) = %+v, %v; want %s %v", tt.s.Name(), tt.typ, a, ok, tt.name, tt.kind)
		}
	}
	if typ, a, ok := linkSpace.Lookup("ifla_ifname"); !ok || typ != unix.IFLA_IFNAME || a.Name != "IFLA_IFNAME" {
		t.Errorf(`linkSpace.Lookup("ifla_ifname") = %d, %+v, %v`, typ, a, ok)
	}
	if typ, a, ok := linkSpace.Lookup("txqlen"); !ok || typ != unix.IFLA_TXQLEN || a.Name != "IFLA_TXQLEN" {
		t.Errorf(`linkSpace.Lookup("txqlen") = %d, %+v, %v`, typ, a, ok)
	}
	// The prefix is what precedes the first "_": "INFO_KIND" names
	// IFLA_INFO_KIND.
	if typ, a, ok := linkInfoSpace.Lookup("info_kind"); !ok || typ != unix.IFLA_INFO_KIND || a.Name != "IFLA_INFO_KIND" {
		t.Errorf(`linkInfoSpace.Lookup("info_kind") = %d, %+v, %v`, typ, a, ok)
	}
	if _, _, ok := linkSpace.Lookup("nosuch"); ok {
		t.Error(`linkSpace.Lookup("nosuch") found something`)
	}
	var none *Space
	if _, ok := none.Attr(1); ok || none.Name() != "" || none.Len() != 0 {
		t.Error("a nil space is not empty")
	}
	if _, _, ok := none.Lookup("IFLA_IFNAME"); ok {
		t.Error("a nil space finds names")
	}
	for range none.All() {
		t.Error("a nil space yields attributes")
	}
	// All yields in type order, and stops when asked to.
	prev, n := -1, 0
	for typ := range linkSpace.All() {
		if int(typ) <= prev {
			t.Errorf("link space: type %d after %d", typ, prev)
		}
		prev = int(typ)
		n++
	}
	if n != linkSpace.Len() || n != len(linkSpace.attrs) {
		t.Errorf("All yielded %d attributes, Len is %d", n, linkSpace.Len())
	}
	for range linkSpace.All() {
		break
	}
}

// cSizes gives sizeof of each family header on amd64, from the structs in
// the UAPI headers.
var cSizes = map[string]int{
	"ifinfomsg":        16, // linux/rtnetlink.h
	"ifaddrmsg":        8,  // linux/if_addr.h
	"rtmsg":            12, // linux/rtnetlink.h
	"ndmsg":            12, // linux/neighbour.h
	"fib_rule_hdr":     12, // linux/fib_rules.h
	"tcmsg":            20, // linux/rtnetlink.h
	"tcamsg":           4,  // linux/rtnetlink.h
	"prefixmsg":        12, // linux/rtnetlink.h
	"ndtmsg":           4,  // linux/neighbour.h
	"nduseroptmsg":     16, // linux/rtnetlink.h
	"ifaddrlblmsg":     12, // linux/if_addrlabel.h
	"dcbmsg":           4,  // linux/dcbnl.h
	"netconfmsg":       1,  // linux/netconf.h
	"br_port_msg":      8,  // linux/if_bridge.h
	"rtgenmsg":         1,  // linux/rtnetlink.h
	"if_stats_msg":     12, // linux/if_link.h
	"nhmsg":            8,  // linux/nexthop.h
	"br_vlan_msg":      8,  // linux/if_bridge.h
	"tunnel_msg":       8,  // linux/if_link.h
	"genlmsghdr":       4,  // linux/genetlink.h
	"inet_diag_req":    60, // linux/inet_diag.h
	"inet_diag_req_v2": 56, // linux/inet_diag.h
	"inet_diag_msg":    72, // linux/inet_diag.h
}

func TestHeaderLen(t *testing.T) {
	// Where x/sys knows the size, it must agree with the table.
	fromUnix := map[string]int{
		"ifinfomsg":    unix.SizeofIfInfomsg,
		"ifaddrmsg":    unix.SizeofIfAddrmsg,
		"rtmsg":        unix.SizeofRtMsg,
		"ndmsg":        unix.SizeofNdMsg,
		"rtgenmsg":     unix.SizeofRtGenmsg,
		"prefixmsg":    unix.SizeofPrefixmsg,
		"ifaddrlblmsg": unix.SizeofIfAddrlblmsg,
		"nduseroptmsg": unix.SizeofNdUseroptmsg,
		"nhmsg":        unix.SizeofNhmsg,
	}
	for h, n := range fromUnix {
		if cSizes[h] != n {
			t.Errorf("sizeof(struct %s): table %d, x/sys %d", h, cSizes[h], n)
		}
	}
	for _, p := range protocols {
		for typ, m := range all(p) {
			if m.Header == "" {
				if m.HeaderLen != 0 {
					t.Errorf("%s %s: HeaderLen %d without a header", p.Name, m.Name, m.HeaderLen)
				}
				continue
			}
			want, ok := cSizes[m.Header]
			if !ok {
				t.Errorf("%s %s (%d): header %q has no known size", p.Name, m.Name, typ, m.Header)
				continue
			}
			if m.HeaderLen != want {
				t.Errorf("%s %s: HeaderLen %d, sizeof(struct %s) is %d", p.Name, m.Name, m.HeaderLen, m.Header, want)
			}
		}
	}
}

func TestRouteMessagesComplete(t *testing.T) {
	// Every RTM_* message type must be described, under its own name.
	allRTM := map[uint16]string{
		unix.RTM_NEWLINK:          "RTM_NEWLINK",
		unix.RTM_DELLINK:          "RTM_DELLINK",
		unix.RTM_GETLINK:          "RTM_GETLINK",
		unix.RTM_SETLINK:          "RTM_SETLINK",
		unix.RTM_NEWADDR:          "RTM_NEWADDR",
		unix.RTM_DELADDR:          "RTM_DELADDR",
		unix.RTM_GETADDR:          "RTM_GETADDR",
		unix.RTM_NEWROUTE:         "RTM_NEWROUTE",
		unix.RTM_DELROUTE:         "RTM_DELROUTE",
		unix.RTM_GETROUTE:         "RTM_GETROUTE",
		unix.RTM_NEWNEIGH:         "RTM_NEWNEIGH",
		unix.RTM_DELNEIGH:         "RTM_DELNEIGH",
		unix.RTM_GETNEIGH:         "RTM_GETNEIGH",
		unix.RTM_NEWRULE:          "RTM_NEWRULE",
		unix.RTM_DELRULE:          "RTM_DELRULE",
		unix.RTM_GETRULE:          "RTM_GETRULE",
		unix.RTM_NEWQDISC:         "RTM_NEWQDISC",
		unix.RTM_DELQDISC:         "RTM_DELQDISC",
		unix.RTM_GETQDISC:         "RTM_GETQDISC",
		unix.RTM_NEWTCLASS:        "RTM_NEWTCLASS",
		unix.RTM_DELTCLASS:        "RTM_DELTCLASS",
		unix.RTM_GETTCLASS:        "RTM_GETTCLASS",
		unix.RTM_NEWTFILTER:       "RTM_NEWTFILTER",
		unix.RTM_DELTFILTER:       "RTM_DELTFILTER",
		unix.RTM_GETTFILTER:       "RTM_GETTFILTER",
		unix.RTM_NEWACTION:        "RTM_NEWACTION",
		unix.RTM_DELACTION:        "RTM_DELACTION",
		unix.RTM_GETACTION:        "RTM_GETACTION",
		unix.RTM_NEWPREFIX:        "RTM_NEWPREFIX",
		unix.RTM_NEWMULTICAST:     "RTM_NEWMULTICAST",
		unix.RTM_DELMULTICAST:     "RTM_DELMULTICAST",
		unix.RTM_GETMULTICAST:     "RTM_GETMULTICAST",
		unix.RTM_NEWANYCAST:       "RTM_NEWANYCAST",
		unix.RTM_DELANYCAST:       "RTM_DELANYCAST",
		unix.RTM_GETANYCAST:       "RTM_GETANYCAST",
		unix.RTM_NEWNEIGHTBL:      "RTM_NEWNEIGHTBL",
		unix.RTM_GETNEIGHTBL:      "RTM_GETNEIGHTBL",
		unix.RTM_SETNEIGHTBL:      "RTM_SETNEIGHTBL",
		unix.RTM_NEWNDUSEROPT:     "RTM_NEWNDUSEROPT",
		unix.RTM_NEWADDRLABEL:     "RTM_NEWADDRLABEL",
		unix.RTM_DELADDRLABEL:     "RTM_DELADDRLABEL",
		unix.RTM_GETADDRLABEL:     "RTM_GETADDRLABEL",
		unix.RTM_GETDCB:           "RTM_GETDCB",
		unix.RTM_SETDCB:           "RTM_SETDCB",
		unix.RTM_NEWNETCONF:       "RTM_NEWNETCONF",
		unix.RTM_DELNETCONF:       "RTM_DELNETCONF",
		unix.RTM_GETNETCONF:       "RTM_GETNETCONF",
		unix.RTM_NEWMDB:           "RTM_NEWMDB",
		unix.RTM_DELMDB:           "RTM_DELMDB",
		unix.RTM_GETMDB:           "RTM_GETMDB",
		unix.RTM_NEWNSID:          "RTM_NEWNSID",
		unix.RTM_DELNSID:          "RTM_DELNSID",
		unix.RTM_GETNSID:          "RTM_GETNSID",
		unix.RTM_NEWSTATS:         "RTM_NEWSTATS",
		unix.RTM_GETSTATS:         "RTM_GETSTATS",
		unix.RTM_SETSTATS:         "RTM_SETSTATS",
		unix.RTM_NEWCACHEREPORT:   "RTM_NEWCACHEREPORT",
		unix.RTM_NEWCHAIN:         "RTM_NEWCHAIN",
		unix.RTM_DELCHAIN:         "RTM_DELCHAIN",
		unix.RTM_GETCHAIN:         "RTM_GETCHAIN",
		unix.RTM_NEWNEXTHOP:       "RTM_NEWNEXTHOP",
		unix.RTM_DELNEXTHOP:       "RTM_DELNEXTHOP",
		unix.RTM_GETNEXTHOP:       "RTM_GETNEXTHOP",
		unix.RTM_NEWLINKPROP:      "RTM_NEWLINKPROP",
		unix.RTM_DELLINKPROP:      "RTM_DELLINKPROP",
		unix.RTM_GETLINKPROP:      "RTM_GETLINKPROP",
		unix.RTM_NEWVLAN:          "RTM_NEWVLAN",
		unix.RTM_DELVLAN:          "RTM_DELVLAN",
		unix.RTM_GETVLAN:          "RTM_GETVLAN",
		unix.RTM_NEWNEXTHOPBUCKET: "RTM_NEWNEXTHOPBUCKET",
		unix.RTM_DELNEXTHOPBUCKET: "RTM_DELNEXTHOPBUCKET",
		unix.RTM_GETNEXTHOPBUCKET: "RTM_GETNEXTHOPBUCKET",
		unix.RTM_NEWTUNNEL:        "RTM_NEWTUNNEL",
		unix.RTM_DELTUNNEL:        "RTM_DELTUNNEL",
		unix.RTM_GETTUNNEL:        "RTM_GETTUNNEL",
	}
	for typ, name := range allRTM {
		if m, ok := routeProtocol.Message(typ, true); !ok || m.Name != name {
			t.Errorf("route message %d (%s) = %+v", typ, name, m)
		}
	}
	if len(routeProtocol.messages) != len(allRTM) {
		t.Errorf("route protocol has %d messages, want %d", len(routeProtocol.messages), len(allRTM))
	}
}

func TestVethPeerCycle(t *testing.T) {
	data, ok := linkInfoSpace.Attr(unix.IFLA_INFO_DATA)
	if !ok || data.SelectBy != "IFLA_INFO_KIND" {
		t.Fatalf("IFLA_INFO_DATA = %+v", data)
	}
	veth := data.Variant("veth")
	peer, ok := veth.Attr(vethInfoPeer)
	if !ok || peer.Name != "VETH_INFO_PEER" || peer.Kind != Nested || peer.HeaderLen != unix.SizeofIfInfomsg || peer.Space != linkSpace {
		t.Errorf("VETH_INFO_PEER = %+v", peer)
	}
	if data.Variant("macvtap") != data.Variant("macvlan") {
		t.Error("macvtap and macvlan do not share a space")
	}
	slave, _ := linkInfoSpace.Attr(unix.IFLA_INFO_SLAVE_DATA)
	if slave.Variant("bridge") != bridgePortSpace {
		t.Error("bridge slave data is not the bridge port space")
	}
	// The walk must end, and reach the spaces behind the cycle once.
	spaces := allSpaces()
	for _, s := range []*Space{linkSpace, vethSpace, vxlanSpace, bridgePortSpace, ctrlSpace} {
		if _, ok := spaces[s]; !ok {
			t.Errorf("space %s is not reachable", s.Name())
		}
	}
}

func TestGenericCommand(t *testing.T) {
	tests := []struct {
		family string
		cmd    uint8
		want   string
	}{
		{"nlctrl", unix.CTRL_CMD_GETFAMILY, "CTRL_CMD_GETFAMILY"},
		{"nlctrl", unix.CTRL_CMD_NEWFAMILY, "CTRL_CMD_NEWFAMILY"},
		{"nlctrl", unix.CTRL_CMD_GETPOLICY, "CTRL_CMD_GETPOLICY"},
		{"nlctrl", 0, ""},
		{"nlctrl", 200, ""},
		{"devlink", unix.CTRL_CMD_GETFAMILY, ""},
	}
	for _, tt := range tests {
		if got := GenericCommand(tt.family, tt.cmd); got != tt.want {
			t.Errorf("GenericCommand(%q, %d) = %q, want %q", tt.family, tt.cmd, got, tt.want)
		}
	}
}

// all yields the request descriptions of p, then its reply descriptions.
func all(p *Protocol) iter.Seq2[uint16, Message] {
	return func(yield func(uint16, Message) bool) {
		for typ, m := range p.Messages() {
			if !yield(typ, m) {
				return
			}
		}
		for typ, m := range p.Replies() {
			if !yield(typ, m) {
				return
			}
		}
	}
}

// TestCounts pins the size of the tables, so that a change to them is a
// deliberate one, and checks the figure README.md gives.
func TestCounts(t *testing.T) {
	const (
		wantProtocols = 9
		wantRoute     = 75  // every RTM_* type
		wantGeneric   = 1   // the controller
		wantSockDiag  = 4   // TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK, SOCK_DIAG_BY_FAMILY, SOCK_DESTROY
		wantReplies   = 5   // RTM_NEWMDB, RTM_DELMDB, and the three sock_diag dumps
		wantSpaces    = 128 // reachable from any message, each counted once
		wantAttrs     = 889 // summed over those spaces
	)
	var types, replies, attrs int
	for _, p := range protocols {
		types += len(p.messages)
		replies += len(p.replies)
	}
	spaces := allSpaces()
	for s := range spaces {
		attrs += s.Len()
	}
	t.Logf("%d protocols, %d message types (%d with replies of their own), %d spaces, %d attributes", len(protocols), types, replies, len(spaces), attrs)
	if len(protocols) != wantProtocols {
		t.Errorf("%d protocols, want %d", len(protocols), wantProtocols)
	}
	for _, c := range []struct {
		p    *Protocol
		want int
	}{{routeProtocol, wantRoute}, {genericProtocol, wantGeneric}, {sockDiagProtocol, wantSockDiag}} {
		if len(c.p.messages) != c.want {
			t.Errorf("%s: %d message types, want %d", c.p.Name, len(c.p.messages), c.want)
		}
	}
	if types != wantRoute+wantGeneric+wantSockDiag {
		t.Errorf("%d message types, want %d", types, wantRoute+wantGeneric+wantSockDiag)
	}
	if replies != wantReplies {
		t.Errorf("%d reply descriptions, want %d", replies, wantReplies)
	}
	if len(spaces) != wantSpaces {
		t.Errorf("%d spaces, want %d", len(spaces), wantSpaces)
	}
	if attrs != wantAttrs {
		t.Errorf("%d attributes, want %d", attrs, wantAttrs)
	}

	// README.md says "~N attributes": N must be within 5% of the count.
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`~([0-9][0-9,]*) attributes`).FindSubmatch(readme)
	if m == nil {
		t.Fatal(`README.md does not say "~N attributes"`)
	}
	claimed, err := strconv.Atoi(strings.ReplaceAll(string(m[1]), ",", ""))
	if err != nil {
		t.Fatal(err)
	}
	if off := max(attrs-claimed, claimed-attrs); off*20 > attrs {
		t.Errorf("README.md claims ~%d attributes; the catalog has %d", claimed, attrs)
	}
}

// The package's API gives no way to change its tables: whatever a caller
// does with what it returns, the next lookup sees the same thing.
func TestImmutable(t *testing.T) {
	snapshot := func() string {
		var b strings.Builder
		for _, num := range slices.Sorted(maps.Keys(protocols)) {
			p, _ := Known(num)
			fmt.Fprintf(&b, "%s %d\n", p.Name, p.Number)
			for typ, m := range all(protocols[num]) {
				fmt.Fprintf(&b, " %d %+v\n", typ, m)
			}
		}
		spaces := allSpaces()
		for _, s := range slices.SortedFunc(maps.Keys(spaces), func(a, b *Space) int { return strings.Compare(spaces[a], spaces[b]) }) {
			fmt.Fprintf(&b, "%s %s\n", spaces[s], s.Name())
			for typ, a := range s.All() {
				fmt.Fprintf(&b, " %d %s %v %p %d %s\n", typ, a.Name, a.Kind, a.Space, a.HeaderLen, a.SelectBy)
				for k, v := range a.Variants() {
					fmt.Fprintf(&b, "  %s %p\n", k, v)
				}
			}
		}
		return b.String()
	}
	before := snapshot()

	// Messages, by every way of getting one.
	m, _ := Lookup(unix.NETLINK_ROUTE, unix.RTM_NEWLINK, true)
	m.Name, m.HeaderLen, m.Attrs = "X", 99, nil
	_, m, _ = MessageType(unix.NETLINK_ROUTE, "RTM_NEWLINK")
	m.Name, m.Attrs = "X", ctrlSpace
	m, _ = Lookup(unix.NETLINK_SOCK_DIAG, unix.SOCK_DIAG_BY_FAMILY, false)
	m.Header, m.Attrs = "X", nil
	// Protocols.
	p, _ := Known(unix.NETLINK_ROUTE)
	p.Name, p.Number = "X", 99
	for _, m := range p.Messages() {
		m.Name, m.Attrs = "X", nil
	}
	for _, m := range p.Replies() {
		m.Attrs = nil
	}
	m, _ = p.Message(unix.RTM_GETLINK, false)
	m.Name = "X"
	// Attributes and spaces.
	link, _ := Lookup(unix.NETLINK_ROUTE, unix.RTM_GETLINK, true)
	a, _ := link.Attrs.Attr(unix.IFLA_IFNAME)
	a.Name, a.Kind = "X", Binary
	_, a, _ = link.Attrs.Lookup("IFLA_LINKINFO")
	a.Space = nil
	info, _ := a.Space.Attr(unix.IFLA_INFO_DATA)
	info.SelectBy = "X"
	info = info.WithVariants("IFLA_INFO_KIND", map[string]*Space{"veth": ctrlSpace})
	for _, a := range link.Attrs.All() {
		a.Name, a.Space = "X", nil
	}
	for _, v := range info.Variants() {
		v = nil
		_ = v
	}

	if after := snapshot(); after != before {
		t.Error("the tables changed")
	}
	if m, _ := Lookup(unix.NETLINK_ROUTE, unix.RTM_NEWLINK, true); m.Name != "RTM_NEWLINK" || m.Attrs != linkSpace {
		t.Errorf("RTM_NEWLINK is now %+v", m)
	}
	if a, _ := linkSpace.Attr(unix.IFLA_IFNAME); a.Name != "IFLA_IFNAME" || a.Kind != String {
		t.Errorf("IFLA_IFNAME is now %+v", a)
	}
	if d, _ := linkInfoSpace.Attr(unix.IFLA_INFO_DATA); d.Variant("veth") != vethSpace || d.SelectBy != "IFLA_INFO_KIND" {
		t.Errorf("IFLA_INFO_DATA is now %+v", d)
	}
	if p, _ := Known(unix.NETLINK_ROUTE); p.Name != "route" || p.Number != unix.NETLINK_ROUTE {
		t.Errorf("Known(0) is now %s %d", p.Name, p.Number)
	}
}

// What outside code builds is its own: NewSpace and WithVariants copy the
// maps they are given.
func TestBuildCopies(t *testing.T) {
	attrs := map[uint16]Attr{1: {Name: "FOO_NAME", Kind: String}, 2: {Name: "FOO_DATA", Kind: Nested}}
	variants := map[string]*Space{"a": NewSpace("foo_a", map[uint16]Attr{1: {Name: "FOO_A_X", Kind: U32}})}
	attrs[2] = attrs[2].WithVariants("FOO_NAME", variants)
	s := NewSpace("foo", attrs)

	attrs[1] = Attr{Name: "CHANGED", Kind: U8}
	attrs[3] = Attr{Name: "ADDED", Kind: U8}
	variants["a"] = nil
	variants["b"] = ctrlSpace

	if s.Name() != "foo" || s.Len() != 2 {
		t.Errorf("space %q with %d attributes", s.Name(), s.Len())
	}
	if a, ok := s.Attr(1); !ok || a.Name != "FOO_NAME" {
		t.Errorf("FOO_NAME = %+v, %v", a, ok)
	}
	if _, ok := s.Attr(3); ok {
		t.Error("an attribute added to the map after NewSpace is in the space")
	}
	typ, data, ok := s.Lookup("data")
	if !ok || typ != 2 || data.SelectBy != "FOO_NAME" || data.Variant("a").Name() != "foo_a" || data.Variant("b") != nil {
		t.Errorf("FOO_DATA = %d, %+v, %v", typ, data, ok)
	}
	var keys []string
	for k := range data.Variants() {
		keys = append(keys, k)
	}
	if !slices.Equal(keys, []string{"a"}) {
		t.Errorf("variants %v", keys)
	}
	if x, _ := data.Variant("a").Attr(1); x.Name != "FOO_A_X" {
		t.Errorf("FOO_A_X = %+v", x)
	}
	m := Message{Name: "FOO_CMD_GET", Attrs: s}
	if got := m.AttrPath([]uint16{2, 7}); got != "FOO_DATA/7" {
		t.Errorf("AttrPath = %q", got)
	}
	if none := data.WithVariants("", variants); none.SelectBy != "" || none.Variant("b") != nil {
		t.Errorf("WithVariants(\"\") = %+v", none)
	}
	if empty := NewSpace("empty", nil); empty.Len() != 0 || empty.Name() != "empty" {
		t.Error("NewSpace(nil)")
	}
}

// The exported types have no exported field through which a table could be
// changed: no maps, slices or pointers other than *Space, and Space has
// no exported fields at all.
func TestNoMutableFields(t *testing.T) {
	spaceType := reflect.TypeFor[*Space]()
	for _, typ := range []reflect.Type{reflect.TypeFor[Attr](), reflect.TypeFor[Space](), reflect.TypeFor[Message](), reflect.TypeFor[Protocol]()} {
		for f := range typ.Fields() {
			if !f.IsExported() {
				continue
			}
			if typ == reflect.TypeFor[Space]() {
				t.Errorf("Space has exported field %s", f.Name)
			}
			switch f.Type.Kind() {
			case reflect.String, reflect.Int, reflect.Uint8, reflect.Uint16:
			default:
				if f.Type != spaceType {
					t.Errorf("%s.%s is a %v", typ.Name(), f.Name, f.Type)
				}
			}
		}
	}
}
