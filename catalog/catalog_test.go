package catalog

import (
	"testing"

	"golang.org/x/sys/unix"
)

// allSpaces returns every space reachable from the registered protocols,
// each once, with a path that reaches it. It tracks visited spaces, so it
// ends despite cycles such as VETH_INFO_PEER → link.
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
		for _, a := range s.Attrs {
			visit(a.Space, path+"/"+a.Name)
			for k, v := range a.Variants {
				visit(v, path+"/"+a.Name+"["+k+"]")
			}
		}
	}
	for _, p := range protocols {
		for _, m := range p.Messages {
			visit(m.Attrs, p.Name+":"+m.Name)
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
		for typ, m := range p.Messages {
			if m == nil || m.Name == "" {
				t.Errorf("%s: message type %d has no name", p.Name, typ)
			}
		}
	}
	for s, path := range allSpaces() {
		if s.Name == "" {
			t.Errorf("space at %s has no name", path)
		}
		for typ, a := range s.Attrs {
			if a.Name == "" {
				t.Errorf("space %s (at %s): attribute %d has no name", s.Name, path, typ)
			}
		}
	}
}

func TestNamesUnique(t *testing.T) {
	for _, p := range protocols {
		names := map[string]uint16{}
		for typ, m := range p.Messages {
			if prev, ok := names[m.Name]; ok {
				t.Errorf("%s: message name %s used by types %d and %d", p.Name, m.Name, prev, typ)
			}
			names[m.Name] = typ
		}
	}
	for s, path := range allSpaces() {
		names := map[string]uint16{}
		for typ, a := range s.Attrs {
			if prev, ok := names[a.Name]; ok {
				t.Errorf("space %s (at %s): attribute name %s used by types %d and %d", s.Name, path, a.Name, prev, typ)
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
	if Known(unix.NETLINK_ROUTE) != routeProtocol || Known(unix.NETLINK_GENERIC) != genericProtocol || Known(unix.NETLINK_SOCK_DIAG) != sockDiagProtocol {
		t.Error("Known does not return the registered tables")
	}
	for num, name := range want {
		p := Known(num)
		if p == nil || p.Name != name {
			t.Errorf("Known(%d) = %+v, want name %q", num, p, name)
		}
	}
}

func TestAttrsWellFormed(t *testing.T) {
	for s, path := range allSpaces() {
		for typ, a := range s.Attrs {
			where := s.Name + "/" + a.Name + " (at " + path + ")"
			if int(a.Kind) >= len(kindNames) || a.Kind == Unknown {
				t.Errorf("%s: attribute %d has kind %v", where, typ, a.Kind)
			}
			nested := a.Kind == Nested || a.Kind == NestedArray
			if !nested && (a.Space != nil || a.Variants != nil || a.SelectBy != "" || a.HeaderLen != 0) {
				t.Errorf("%s: kind %v with a space, variants or header", where, a.Kind)
			}
			if a.HeaderLen < 0 {
				t.Errorf("%s: HeaderLen %d", where, a.HeaderLen)
			}
			if (a.SelectBy == "") != (a.Variants == nil) {
				t.Errorf("%s: SelectBy %q without variants, or the reverse", where, a.SelectBy)
			}
			if a.SelectBy != "" {
				_, sel, ok := s.Lookup(a.SelectBy)
				if !ok || sel.Name != a.SelectBy || sel.Kind != String {
					t.Errorf("%s: SelectBy %q is not a String attribute of the same space", where, a.SelectBy)
				}
				for k, v := range a.Variants {
					if v == nil {
						t.Errorf("%s: variant %q has no space", where, k)
					}
				}
			}
		}
	}
}

func TestLookupGetLink(t *testing.T) {
	m := Lookup(unix.NETLINK_ROUTE, unix.RTM_GETLINK)
	if m == nil {
		t.Fatal("Lookup(0, RTM_GETLINK) = nil")
	}
	if m.Name != "RTM_GETLINK" || m.Op != OpGet || m.Header != "ifinfomsg" || m.HeaderLen != 16 {
		t.Errorf("Lookup(0, RTM_GETLINK) = %+v", *m)
	}
	if Lookup(unix.NETLINK_ROUTE, 0xffff) != nil {
		t.Error("Lookup of an unknown type is not nil")
	}
	if Lookup(99, unix.RTM_GETLINK) != nil {
		t.Error("Lookup in an unknown protocol is not nil")
	}
	g := Lookup(unix.NETLINK_GENERIC, unix.GENL_ID_CTRL)
	if g == nil || g.Name != "GENL_ID_CTRL" || g.Header != "genlmsghdr" || g.HeaderLen != 4 {
		t.Errorf("Lookup(16, GENL_ID_CTRL) = %+v", g)
	}
}

func TestOps(t *testing.T) {
	for typ, m := range routeProtocol.Messages {
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
}

func TestAttrPath(t *testing.T) {
	newLink := Lookup(unix.NETLINK_ROUTE, unix.RTM_NEWLINK)
	tests := []struct {
		m    *Message
		path []uint16
		want string
	}{
		{newLink, []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_KIND}, "IFLA_LINKINFO/IFLA_INFO_KIND"},
		{newLink, []uint16{unix.IFLA_IFNAME}, "IFLA_IFNAME"},
		{newLink, []uint16{unix.IFLA_AF_SPEC, unix.AF_INET6, unix.IFLA_INET6_ADDR_GEN_MODE}, "IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE"},
		{newLink, []uint16{unix.IFLA_LINKINFO, 999}, "IFLA_LINKINFO/999"},
		{Lookup(unix.NETLINK_ROUTE, unix.RTM_NEWROUTE), []uint16{unix.RTA_METRICS, unix.RTAX_CC_ALGO}, "RTA_METRICS/RTAX_CC_ALGO"},
		{Lookup(unix.NETLINK_GENERIC, unix.GENL_ID_CTRL), []uint16{unix.CTRL_ATTR_MCAST_GROUPS, 1, unix.CTRL_ATTR_MCAST_GRP_NAME}, "CTRL_ATTR_MCAST_GROUPS/1/CTRL_ATTR_MCAST_GRP_NAME"},
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
			t.Errorf("%s.Attr(%d) = %+v, %v; want %s %v", tt.s.Name, tt.typ, a, ok, tt.name, tt.kind)
		}
	}
	if typ, a, ok := linkSpace.Lookup("ifla_ifname"); !ok || typ != unix.IFLA_IFNAME || a.Name != "IFLA_IFNAME" {
		t.Errorf(`linkSpace.Lookup("ifla_ifname") = %d, %+v, %v`, typ, a, ok)
	}
	if typ, a, ok := linkSpace.Lookup("txqlen"); !ok || typ != unix.IFLA_TXQLEN || a.Name != "IFLA_TXQLEN" {
		t.Errorf(`linkSpace.Lookup("txqlen") = %d, %+v, %v`, typ, a, ok)
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
		for typ, m := range p.Messages {
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
		if m := routeProtocol.Messages[typ]; m == nil || m.Name != name {
			t.Errorf("route message %d (%s) = %+v", typ, name, m)
		}
	}
	if len(routeProtocol.Messages) != len(allRTM) {
		t.Errorf("route protocol has %d messages, want %d", len(routeProtocol.Messages), len(allRTM))
	}
}

func TestVethPeerCycle(t *testing.T) {
	data, ok := linkInfoSpace.Attr(unix.IFLA_INFO_DATA)
	if !ok || data.SelectBy != "IFLA_INFO_KIND" {
		t.Fatalf("IFLA_INFO_DATA = %+v", data)
	}
	veth := data.Variants["veth"]
	peer, ok := veth.Attr(vethInfoPeer)
	if !ok || peer.Name != "VETH_INFO_PEER" || peer.Kind != Nested || peer.HeaderLen != unix.SizeofIfInfomsg || peer.Space != linkSpace {
		t.Errorf("VETH_INFO_PEER = %+v", peer)
	}
	if data.Variants["macvtap"] != data.Variants["macvlan"] {
		t.Error("macvtap and macvlan do not share a space")
	}
	slave, _ := linkInfoSpace.Attr(unix.IFLA_INFO_SLAVE_DATA)
	if slave.Variants["bridge"] != bridgePortSpace {
		t.Error("bridge slave data is not the bridge port space")
	}
	// The walk must end, and reach the spaces behind the cycle once.
	spaces := allSpaces()
	for _, s := range []*Space{linkSpace, vethSpace, vxlanSpace, bridgePortSpace, ctrlSpace} {
		if _, ok := spaces[s]; !ok {
			t.Errorf("space %s is not reachable", s.Name)
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

func TestCounts(t *testing.T) {
	var msgs, attrs int
	for _, p := range protocols {
		msgs += len(p.Messages)
	}
	spaces := allSpaces()
	for s := range spaces {
		attrs += len(s.Attrs)
	}
	t.Logf("%d protocols, %d messages, %d spaces, %d attributes", len(protocols), msgs, len(spaces), attrs)
}
