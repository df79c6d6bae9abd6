package catalog

// The rtnetlink (NETLINK_ROUTE) tables, from the UAPI headers
// linux/rtnetlink.h, if_link.h, if_addr.h, neighbour.h, fib_rules.h,
// nexthop.h, netconf.h, net_namespace.h, if_addrlabel.h, if_bridge.h,
// veth.h, gen_stats.h, pkt_cls.h, pkt_sched.h, mroute.h, mpls.h and dcbnl.h.

import "golang.org/x/sys/unix"

// Sizes on amd64 of the family headers that x/sys/unix gives no size for.
const (
	sizeofFibRuleHdr = 12 // struct fib_rule_hdr (linux/fib_rules.h)
	sizeofTcmsg      = 20 // struct tcmsg (linux/rtnetlink.h)
	sizeofTcamsg     = 4  // struct tcamsg (linux/rtnetlink.h)
	sizeofNdtmsg     = 4  // struct ndtmsg (linux/neighbour.h)
	sizeofDcbmsg     = 4  // struct dcbmsg (linux/dcbnl.h)
	sizeofNetconfmsg = 1  // struct netconfmsg (linux/netconf.h)
	sizeofBrPortMsg  = 8  // struct br_port_msg (linux/if_bridge.h)
	sizeofIfStatsMsg = 12 // struct if_stats_msg (linux/if_link.h)
	sizeofBrVlanMsg  = 8  // struct br_vlan_msg (linux/if_bridge.h)
	sizeofTunnelMsg  = 8  // struct tunnel_msg (linux/if_link.h)
	sizeofBrMdbEntry = 28 // struct br_mdb_entry (linux/if_bridge.h)
)

// Links (RTM_*LINK, RTM_*LINKPROP; linux/if_link.h).

// vethInfoPeer is VETH_INFO_PEER (linux/veth.h).
const vethInfoPeer = 1

// Addresses (RTM_*ADDR, RTM_*MULTICAST, RTM_*ANYCAST; linux/if_addr.h).

// Routes (RTM_*ROUTE; linux/rtnetlink.h).

// Neighbours (RTM_*NEIGH; linux/neighbour.h).

// Rules (RTM_*RULE; linux/fib_rules.h).

// Traffic control (RTM_*QDISC, RTM_*TCLASS, RTM_*TFILTER, RTM_*CHAIN,
// RTM_*ACTION; linux/rtnetlink.h, gen_stats.h, pkt_cls.h, pkt_sched.h).

// Prefixes (RTM_NEWPREFIX; linux/rtnetlink.h).

// Address labels (RTM_*ADDRLABEL; linux/if_addrlabel.h).

// Data center bridging (RTM_GETDCB, RTM_SETDCB; linux/dcbnl.h).

// Network configuration (RTM_*NETCONF; linux/netconf.h).

// Bridge multicast database (RTM_*MDB; linux/if_bridge.h).

// Network namespace ids (RTM_*NSID; linux/net_namespace.h).

// Link statistics (RTM_*STATS; linux/if_link.h).

// Multicast routing cache reports (RTM_NEWCACHEREPORT; linux/mroute.h).

// Next hops (RTM_*NEXTHOP, RTM_*NEXTHOPBUCKET; linux/nexthop.h).

// Bridge VLANs (RTM_*VLAN; linux/if_bridge.h).

// Tunnels (RTM_*TUNNEL; linux/if_link.h).

// The rtnetlink tables, filled on first use by loadRoute (see
// load). The pointers exist from the start, so that the tables may refer
// to one another in any order.
var (
	routeProtocol         = &Protocol{}
	linkSpace             = &Space{}
	propListSpace         = &Space{}
	protoDownReasonSpace  = &Space{}
	xdpSpace              = &Space{}
	vfInfoListSpace       = &Space{}
	vfSpace               = &Space{}
	vfStatsSpace          = &Space{}
	vfVlanListSpace       = &Space{}
	vfPortsSpace          = &Space{}
	portSpace             = &Space{}
	afSpecSpace           = &Space{}
	inetAFSpace           = &Space{}
	inet6AFSpace          = &Space{}
	bridgeAFSpace         = &Space{}
	bridgeVlanTunnelSpace = &Space{}
	mrpSpace              = &Space{}
	mrpInstanceSpace      = &Space{}
	mrpPortStateSpace     = &Space{}
	mrpPortRoleSpace      = &Space{}
	mrpRingStateSpace     = &Space{}
	mrpRingRoleSpace      = &Space{}
	mrpStartTestSpace     = &Space{}
	mrpInfoSpace          = &Space{}
	mrpInRoleSpace        = &Space{}
	mrpInStateSpace       = &Space{}
	mrpStartInTestSpace   = &Space{}
	cfmSpace              = &Space{}
	cfmMepCreateSpace     = &Space{}
	cfmMepDeleteSpace     = &Space{}
	cfmMepConfigSpace     = &Space{}
	cfmCcConfigSpace      = &Space{}
	cfmCcPeerMepSpace     = &Space{}
	cfmCcRdiSpace         = &Space{}
	cfmCcCcmTxSpace       = &Space{}
	cfmMepStatusSpace     = &Space{}
	cfmCcPeerStatusSpace  = &Space{}
	mstSpace              = &Space{}
	mstEntrySpace         = &Space{}
	linkInfoSpace         = &Space{}
	linkDataSpaces        map[string]*Space
	linkSlaveDataSpaces   map[string]*Space
	vethSpace             = &Space{}
	vxlanSpace            = &Space{}
	bridgeSpace           = &Space{}
	bridgeQuerierSpace    = &Space{}
	bridgePortSpace       = &Space{}
	macvlanSpace          = &Space{}
	macvlanMacaddrSpace   = &Space{}
	vlanSpace             = &Space{}
	vlanQosSpace          = &Space{}
	vrfSpace              = &Space{}
	vrfPortSpace          = &Space{}
	macsecSpace           = &Space{}
	xfrmSpace             = &Space{}
	ipvlanSpace           = &Space{}
	geneveSpace           = &Space{}
	bareUDPSpace          = &Space{}
	pppSpace              = &Space{}
	gtpSpace              = &Space{}
	bondSpace             = &Space{}
	bondADInfoSpace       = &Space{}
	bondSlaveSpace        = &Space{}
	ipoibSpace            = &Space{}
	hsrSpace              = &Space{}
	tunSpace              = &Space{}
	rmnetSpace            = &Space{}
	dsaSpace              = &Space{}
	addrSpace             = &Space{}
	routeSpace            = &Space{}
	metricsSpace          = &Space{}
	neighSpace            = &Space{}
	fdbExtSpace           = &Space{}
	neighTblSpace         = &Space{}
	neighTblParmsSpace    = &Space{}
	ruleSpace             = &Space{}
	tcSpace               = &Space{}
	tcStatsSpace          = &Space{}
	tcStabSpace           = &Space{}
	tcRootSpace           = &Space{}
	tcActSpace            = &Space{}
	prefixSpace           = &Space{}
	addrLabelSpace        = &Space{}
	dcbSpace              = &Space{}
	netconfSpace          = &Space{}
	mdbSetSpace           = &Space{}
	mdbeAttrSpace         = &Space{}
	mdbSpace              = &Space{}
	mdbMdbSpace           = &Space{}
	mdbEntrySpace         = &Space{}
	mdbEntryAttrSpace     = &Space{}
	mdbSrcListSpace       = &Space{}
	mdbSrcAttrSpace       = &Space{}
	mdbRouterSpace        = &Space{}
	mdbRouterPortSpace    = &Space{}
	nsidSpace             = &Space{}
	statsSpace            = &Space{}
	linkXstatsSpace       = &Space{}
	bridgeXstatsSpace     = &Space{}
	offloadXstatsSpace    = &Space{}
	offloadHwSInfoSpace   = &Space{}
	hwSInfoSpace          = &Space{}
	statsAFSpace          = &Space{}
	mplsStatsSpace        = &Space{}
	statsGetSetSpace      = &Space{}
	statsFiltersSpace     = &Space{}
	cacheReportSpace      = &Space{}
	nexthopSpace          = &Space{}
	nhResGroupSpace       = &Space{}
	nhResBucketSpace      = &Space{}
	vlanDBSpace           = &Space{}
	vlanDBDumpSpace       = &Space{}
	vlanDBEntrySpace      = &Space{}
	vlanDBTunnelSpace     = &Space{}
	vlanDBStatsSpace      = &Space{}
	vlanDBGlobalSpace     = &Space{}
	tunnelSpace           = &Space{}
	vniFilterEntrySpace   = &Space{}
	vniFilterStatsSpace   = &Space{}
)

// loadRoute fills the tables of this file.
func loadRoute() {
	// linkDataSpaces gives the space of IFLA_INFO_DATA by IFLA_INFO_KIND.
	linkDataSpaces = map[string]*Space{
		"bareudp": bareUDPSpace,
		"bond":    bondSpace,
		"bridge":  bridgeSpace,
		"dsa":     dsaSpace,
		"dummy":   {name: "dummy"}, // no data
		"geneve":  geneveSpace,
		"gtp":     gtpSpace,
		"hsr":     hsrSpace,
		"ifb":     {name: "ifb"}, // no data
		"ipoib":   ipoibSpace,
		"ipvlan":  ipvlanSpace,
		"ipvtap":  ipvlanSpace,
		"macsec":  macsecSpace,
		"macvlan": macvlanSpace,
		"macvtap": macvlanSpace,
		"ppp":     pppSpace,
		"rmnet":   rmnetSpace,
		"tun":     tunSpace,
		"veth":    vethSpace,
		"vlan":    vlanSpace,
		"vrf":     vrfSpace,
		"vxlan":   vxlanSpace,
		"xfrm":    xfrmSpace,
	}

	// linkSlaveDataSpaces gives the space of IFLA_INFO_SLAVE_DATA by
	// IFLA_INFO_SLAVE_KIND.
	linkSlaveDataSpaces = map[string]*Space{
		"bond":   bondSlaveSpace,
		"bridge": bridgePortSpace,
		"vrf":    vrfPortSpace,
	}

	// routeProtocol describes every rtnetlink message type of linux/rtnetlink.h.
	*routeProtocol = Protocol{Name: "route", Number: unix.NETLINK_ROUTE, messages: map[uint16]Message{
		unix.RTM_NEWLINK: {Name: "RTM_NEWLINK", Op: OpNew, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},
		unix.RTM_DELLINK: {Name: "RTM_DELLINK", Op: OpDel, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},
		unix.RTM_GETLINK: {Name: "RTM_GETLINK", Op: OpGet, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},
		unix.RTM_SETLINK: {Name: "RTM_SETLINK", Op: OpNew, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},

		unix.RTM_NEWADDR: {Name: "RTM_NEWADDR", Op: OpNew, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_DELADDR: {Name: "RTM_DELADDR", Op: OpDel, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_GETADDR: {Name: "RTM_GETADDR", Op: OpGet, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},

		unix.RTM_NEWROUTE: {Name: "RTM_NEWROUTE", Op: OpNew, Header: "rtmsg", HeaderLen: unix.SizeofRtMsg, Attrs: routeSpace},
		unix.RTM_DELROUTE: {Name: "RTM_DELROUTE", Op: OpDel, Header: "rtmsg", HeaderLen: unix.SizeofRtMsg, Attrs: routeSpace},
		unix.RTM_GETROUTE: {Name: "RTM_GETROUTE", Op: OpGet, Header: "rtmsg", HeaderLen: unix.SizeofRtMsg, Attrs: routeSpace},

		unix.RTM_NEWNEIGH: {Name: "RTM_NEWNEIGH", Op: OpNew, Header: "ndmsg", HeaderLen: unix.SizeofNdMsg, Attrs: neighSpace},
		unix.RTM_DELNEIGH: {Name: "RTM_DELNEIGH", Op: OpDel, Header: "ndmsg", HeaderLen: unix.SizeofNdMsg, Attrs: neighSpace},
		unix.RTM_GETNEIGH: {Name: "RTM_GETNEIGH", Op: OpGet, Header: "ndmsg", HeaderLen: unix.SizeofNdMsg, Attrs: neighSpace},

		unix.RTM_NEWRULE: {Name: "RTM_NEWRULE", Op: OpNew, Header: "fib_rule_hdr", HeaderLen: sizeofFibRuleHdr, Attrs: ruleSpace},
		unix.RTM_DELRULE: {Name: "RTM_DELRULE", Op: OpDel, Header: "fib_rule_hdr", HeaderLen: sizeofFibRuleHdr, Attrs: ruleSpace},
		unix.RTM_GETRULE: {Name: "RTM_GETRULE", Op: OpGet, Header: "fib_rule_hdr", HeaderLen: sizeofFibRuleHdr, Attrs: ruleSpace},

		unix.RTM_NEWQDISC: {Name: "RTM_NEWQDISC", Op: OpNew, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_DELQDISC: {Name: "RTM_DELQDISC", Op: OpDel, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_GETQDISC: {Name: "RTM_GETQDISC", Op: OpGet, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},

		unix.RTM_NEWTCLASS: {Name: "RTM_NEWTCLASS", Op: OpNew, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_DELTCLASS: {Name: "RTM_DELTCLASS", Op: OpDel, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_GETTCLASS: {Name: "RTM_GETTCLASS", Op: OpGet, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},

		unix.RTM_NEWTFILTER: {Name: "RTM_NEWTFILTER", Op: OpNew, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_DELTFILTER: {Name: "RTM_DELTFILTER", Op: OpDel, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_GETTFILTER: {Name: "RTM_GETTFILTER", Op: OpGet, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},

		unix.RTM_NEWACTION: {Name: "RTM_NEWACTION", Op: OpNew, Header: "tcamsg", HeaderLen: sizeofTcamsg, Attrs: tcRootSpace},
		unix.RTM_DELACTION: {Name: "RTM_DELACTION", Op: OpDel, Header: "tcamsg", HeaderLen: sizeofTcamsg, Attrs: tcRootSpace},
		unix.RTM_GETACTION: {Name: "RTM_GETACTION", Op: OpGet, Header: "tcamsg", HeaderLen: sizeofTcamsg, Attrs: tcRootSpace},

		unix.RTM_NEWPREFIX: {Name: "RTM_NEWPREFIX", Op: OpNew, Header: "prefixmsg", HeaderLen: unix.SizeofPrefixmsg, Attrs: prefixSpace},

		// The kernel reports IPv6 multicast and anycast addresses with an
		// ifaddrmsg; the NEW and DEL notifications are newer than the
		// installed UAPI headers (values from x/sys).
		unix.RTM_NEWMULTICAST: {Name: "RTM_NEWMULTICAST", Op: OpNew, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_DELMULTICAST: {Name: "RTM_DELMULTICAST", Op: OpDel, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_GETMULTICAST: {Name: "RTM_GETMULTICAST", Op: OpGet, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_NEWANYCAST:   {Name: "RTM_NEWANYCAST", Op: OpNew, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_DELANYCAST:   {Name: "RTM_DELANYCAST", Op: OpDel, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},
		unix.RTM_GETANYCAST:   {Name: "RTM_GETANYCAST", Op: OpGet, Header: "ifaddrmsg", HeaderLen: unix.SizeofIfAddrmsg, Attrs: addrSpace},

		unix.RTM_NEWNEIGHTBL: {Name: "RTM_NEWNEIGHTBL", Op: OpNew, Header: "ndtmsg", HeaderLen: sizeofNdtmsg, Attrs: neighTblSpace},
		unix.RTM_GETNEIGHTBL: {Name: "RTM_GETNEIGHTBL", Op: OpGet, Header: "ndtmsg", HeaderLen: sizeofNdtmsg, Attrs: neighTblSpace},
		unix.RTM_SETNEIGHTBL: {Name: "RTM_SETNEIGHTBL", Op: OpNew, Header: "ndtmsg", HeaderLen: sizeofNdtmsg, Attrs: neighTblSpace},

		// The header is followed by nduseropt_opts_len bytes of ND options
		// before any attribute, so the attributes are not described.
		unix.RTM_NEWNDUSEROPT: {Name: "RTM_NEWNDUSEROPT", Op: OpNew, Header: "nduseroptmsg", HeaderLen: unix.SizeofNdUseroptmsg},

		unix.RTM_NEWADDRLABEL: {Name: "RTM_NEWADDRLABEL", Op: OpNew, Header: "ifaddrlblmsg", HeaderLen: unix.SizeofIfAddrlblmsg, Attrs: addrLabelSpace},
		unix.RTM_DELADDRLABEL: {Name: "RTM_DELADDRLABEL", Op: OpDel, Header: "ifaddrlblmsg", HeaderLen: unix.SizeofIfAddrlblmsg, Attrs: addrLabelSpace},
		unix.RTM_GETADDRLABEL: {Name: "RTM_GETADDRLABEL", Op: OpGet, Header: "ifaddrlblmsg", HeaderLen: unix.SizeofIfAddrlblmsg, Attrs: addrLabelSpace},

		unix.RTM_GETDCB: {Name: "RTM_GETDCB", Op: OpGet, Header: "dcbmsg", HeaderLen: sizeofDcbmsg, Attrs: dcbSpace},
		unix.RTM_SETDCB: {Name: "RTM_SETDCB", Op: OpNew, Header: "dcbmsg", HeaderLen: sizeofDcbmsg, Attrs: dcbSpace},

		unix.RTM_NEWNETCONF: {Name: "RTM_NEWNETCONF", Op: OpNew, Header: "netconfmsg", HeaderLen: sizeofNetconfmsg, Attrs: netconfSpace},
		unix.RTM_DELNETCONF: {Name: "RTM_DELNETCONF", Op: OpDel, Header: "netconfmsg", HeaderLen: sizeofNetconfmsg, Attrs: netconfSpace},
		unix.RTM_GETNETCONF: {Name: "RTM_GETNETCONF", Op: OpGet, Header: "netconfmsg", HeaderLen: sizeofNetconfmsg, Attrs: netconfSpace},

		// NEW and DEL requests carry MDBA_SET_ENTRY and MDBA_SET_ENTRY_ATTRS;
		// dumps and notifications (see the replies below) MDBA_MDB and
		// MDBA_ROUTER.
		unix.RTM_NEWMDB: {Name: "RTM_NEWMDB", Op: OpNew, Header: "br_port_msg", HeaderLen: sizeofBrPortMsg, Attrs: mdbSetSpace},
		unix.RTM_DELMDB: {Name: "RTM_DELMDB", Op: OpDel, Header: "br_port_msg", HeaderLen: sizeofBrPortMsg, Attrs: mdbSetSpace},
		unix.RTM_GETMDB: {Name: "RTM_GETMDB", Op: OpGet, Header: "br_port_msg", HeaderLen: sizeofBrPortMsg, Attrs: mdbSpace},

		unix.RTM_NEWNSID: {Name: "RTM_NEWNSID", Op: OpNew, Header: "rtgenmsg", HeaderLen: unix.SizeofRtGenmsg, Attrs: nsidSpace},
		unix.RTM_DELNSID: {Name: "RTM_DELNSID", Op: OpDel, Header: "rtgenmsg", HeaderLen: unix.SizeofRtGenmsg, Attrs: nsidSpace},
		unix.RTM_GETNSID: {Name: "RTM_GETNSID", Op: OpGet, Header: "rtgenmsg", HeaderLen: unix.SizeofRtGenmsg, Attrs: nsidSpace},

		// Requests (GET, SET) use the IFLA_STATS_GETSET_* numbering, replies
		// the IFLA_STATS_* one. The types tell them apart: the kernel answers
		// both requests with RTM_NEWSTATS, and takes no RTM_NEWSTATS request.
		unix.RTM_NEWSTATS: {Name: "RTM_NEWSTATS", Op: OpNew, Header: "if_stats_msg", HeaderLen: sizeofIfStatsMsg, Attrs: statsSpace},
		unix.RTM_GETSTATS: {Name: "RTM_GETSTATS", Op: OpGet, Header: "if_stats_msg", HeaderLen: sizeofIfStatsMsg, Attrs: statsGetSetSpace},
		unix.RTM_SETSTATS: {Name: "RTM_SETSTATS", Op: OpNew, Header: "if_stats_msg", HeaderLen: sizeofIfStatsMsg, Attrs: statsGetSetSpace},

		unix.RTM_NEWCACHEREPORT: {Name: "RTM_NEWCACHEREPORT", Op: OpNew, Header: "rtgenmsg", HeaderLen: unix.SizeofRtGenmsg, Attrs: cacheReportSpace},

		unix.RTM_NEWCHAIN: {Name: "RTM_NEWCHAIN", Op: OpNew, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_DELCHAIN: {Name: "RTM_DELCHAIN", Op: OpDel, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},
		unix.RTM_GETCHAIN: {Name: "RTM_GETCHAIN", Op: OpGet, Header: "tcmsg", HeaderLen: sizeofTcmsg, Attrs: tcSpace},

		unix.RTM_NEWNEXTHOP: {Name: "RTM_NEWNEXTHOP", Op: OpNew, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},
		unix.RTM_DELNEXTHOP: {Name: "RTM_DELNEXTHOP", Op: OpDel, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},
		unix.RTM_GETNEXTHOP: {Name: "RTM_GETNEXTHOP", Op: OpGet, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},

		unix.RTM_NEWLINKPROP: {Name: "RTM_NEWLINKPROP", Op: OpNew, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},
		unix.RTM_DELLINKPROP: {Name: "RTM_DELLINKPROP", Op: OpDel, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},
		unix.RTM_GETLINKPROP: {Name: "RTM_GETLINKPROP", Op: OpGet, Header: "ifinfomsg", HeaderLen: unix.SizeofIfInfomsg, Attrs: linkSpace},

		// Dump requests carry BRIDGE_VLANDB_DUMP_*, the rest BRIDGE_VLANDB_*.
		unix.RTM_NEWVLAN: {Name: "RTM_NEWVLAN", Op: OpNew, Header: "br_vlan_msg", HeaderLen: sizeofBrVlanMsg, Attrs: vlanDBSpace},
		unix.RTM_DELVLAN: {Name: "RTM_DELVLAN", Op: OpDel, Header: "br_vlan_msg", HeaderLen: sizeofBrVlanMsg, Attrs: vlanDBSpace},
		unix.RTM_GETVLAN: {Name: "RTM_GETVLAN", Op: OpGet, Header: "br_vlan_msg", HeaderLen: sizeofBrVlanMsg, Attrs: vlanDBDumpSpace},

		unix.RTM_NEWNEXTHOPBUCKET: {Name: "RTM_NEWNEXTHOPBUCKET", Op: OpNew, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},
		unix.RTM_DELNEXTHOPBUCKET: {Name: "RTM_DELNEXTHOPBUCKET", Op: OpDel, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},
		unix.RTM_GETNEXTHOPBUCKET: {Name: "RTM_GETNEXTHOPBUCKET", Op: OpGet, Header: "nhmsg", HeaderLen: unix.SizeofNhmsg, Attrs: nexthopSpace},

		unix.RTM_NEWTUNNEL: {Name: "RTM_NEWTUNNEL", Op: OpNew, Header: "tunnel_msg", HeaderLen: sizeofTunnelMsg, Attrs: tunnelSpace},
		unix.RTM_DELTUNNEL: {Name: "RTM_DELTUNNEL", Op: OpDel, Header: "tunnel_msg", HeaderLen: sizeofTunnelMsg, Attrs: tunnelSpace},
		unix.RTM_GETTUNNEL: {Name: "RTM_GETTUNNEL", Op: OpGet, Header: "tunnel_msg", HeaderLen: sizeofTunnelMsg, Attrs: tunnelSpace},
	}, replies: map[uint16]Message{
		// Replies and notifications whose attributes differ from the
		// requests' of the same type.
		unix.RTM_NEWMDB: {Name: "RTM_NEWMDB", Op: OpNew, Header: "br_port_msg", HeaderLen: sizeofBrPortMsg, Attrs: mdbSpace},
		unix.RTM_DELMDB: {Name: "RTM_DELMDB", Op: OpDel, Header: "br_port_msg", HeaderLen: sizeofBrPortMsg, Attrs: mdbSpace},
	}}
	register(routeProtocol)

	// linkSpace holds the IFLA_* attributes of a link message.
	*linkSpace = Space{name: "link", attrs: map[uint16]Attr{
		unix.IFLA_ADDRESS:             {Name: "IFLA_ADDRESS", Kind: HWAddr},
		unix.IFLA_BROADCAST:           {Name: "IFLA_BROADCAST", Kind: HWAddr},
		unix.IFLA_IFNAME:              {Name: "IFLA_IFNAME", Kind: String},
		unix.IFLA_MTU:                 {Name: "IFLA_MTU", Kind: U32},
		unix.IFLA_LINK:                {Name: "IFLA_LINK", Kind: U32},
		unix.IFLA_QDISC:               {Name: "IFLA_QDISC", Kind: String},
		unix.IFLA_STATS:               {Name: "IFLA_STATS", Kind: Struct},    // struct rtnl_link_stats
		unix.IFLA_COST:                {Name: "IFLA_COST", Kind: Binary},     // unused
		unix.IFLA_PRIORITY:            {Name: "IFLA_PRIORITY", Kind: Binary}, // unused
		unix.IFLA_MASTER:              {Name: "IFLA_MASTER", Kind: U32},
		unix.IFLA_WIRELESS:            {Name: "IFLA_WIRELESS", Kind: Binary}, // wireless extension event
		unix.IFLA_PROTINFO:            {Name: "IFLA_PROTINFO", Kind: Nested}, // IFLA_INET6_* for AF_INET6, IFLA_BRPORT_* for AF_BRIDGE
		unix.IFLA_TXQLEN:              {Name: "IFLA_TXQLEN", Kind: U32},
		unix.IFLA_MAP:                 {Name: "IFLA_MAP", Kind: Struct},    // struct rtnl_link_ifmap
		unix.IFLA_WEIGHT:              {Name: "IFLA_WEIGHT", Kind: Binary}, // unused
		unix.IFLA_OPERSTATE:           {Name: "IFLA_OPERSTATE", Kind: U8},
		unix.IFLA_LINKMODE:            {Name: "IFLA_LINKMODE", Kind: U8},
		unix.IFLA_LINKINFO:            {Name: "IFLA_LINKINFO", Kind: Nested, Space: linkInfoSpace},
		unix.IFLA_NET_NS_PID:          {Name: "IFLA_NET_NS_PID", Kind: U32},
		unix.IFLA_IFALIAS:             {Name: "IFLA_IFALIAS", Kind: String},
		unix.IFLA_NUM_VF:              {Name: "IFLA_NUM_VF", Kind: U32},
		unix.IFLA_VFINFO_LIST:         {Name: "IFLA_VFINFO_LIST", Kind: Nested, Space: vfInfoListSpace},
		unix.IFLA_STATS64:             {Name: "IFLA_STATS64", Kind: Struct}, // struct rtnl_link_stats64
		unix.IFLA_VF_PORTS:            {Name: "IFLA_VF_PORTS", Kind: Nested, Space: vfPortsSpace},
		unix.IFLA_PORT_SELF:           {Name: "IFLA_PORT_SELF", Kind: Nested, Space: portSpace},
		unix.IFLA_AF_SPEC:             {Name: "IFLA_AF_SPEC", Kind: Nested, Space: afSpecSpace},
		unix.IFLA_GROUP:               {Name: "IFLA_GROUP", Kind: U32},
		unix.IFLA_NET_NS_FD:           {Name: "IFLA_NET_NS_FD", Kind: U32},
		unix.IFLA_EXT_MASK:            {Name: "IFLA_EXT_MASK", Kind: U32},
		unix.IFLA_PROMISCUITY:         {Name: "IFLA_PROMISCUITY", Kind: U32},
		unix.IFLA_NUM_TX_QUEUES:       {Name: "IFLA_NUM_TX_QUEUES", Kind: U32},
		unix.IFLA_NUM_RX_QUEUES:       {Name: "IFLA_NUM_RX_QUEUES", Kind: U32},
		unix.IFLA_CARRIER:             {Name: "IFLA_CARRIER", Kind: U8},
		unix.IFLA_PHYS_PORT_ID:        {Name: "IFLA_PHYS_PORT_ID", Kind: Binary},
		unix.IFLA_CARRIER_CHANGES:     {Name: "IFLA_CARRIER_CHANGES", Kind: U32},
		unix.IFLA_PHYS_SWITCH_ID:      {Name: "IFLA_PHYS_SWITCH_ID", Kind: Binary},
		unix.IFLA_LINK_NETNSID:        {Name: "IFLA_LINK_NETNSID", Kind: S32},
		unix.IFLA_PHYS_PORT_NAME:      {Name: "IFLA_PHYS_PORT_NAME", Kind: String},
		unix.IFLA_PROTO_DOWN:          {Name: "IFLA_PROTO_DOWN", Kind: U8},
		unix.IFLA_GSO_MAX_SEGS:        {Name: "IFLA_GSO_MAX_SEGS", Kind: U32},
		unix.IFLA_GSO_MAX_SIZE:        {Name: "IFLA_GSO_MAX_SIZE", Kind: U32},
		unix.IFLA_PAD:                 {Name: "IFLA_PAD", Kind: Binary},
		unix.IFLA_XDP:                 {Name: "IFLA_XDP", Kind: Nested, Space: xdpSpace},
		unix.IFLA_EVENT:               {Name: "IFLA_EVENT", Kind: U32},
		unix.IFLA_NEW_NETNSID:         {Name: "IFLA_NEW_NETNSID", Kind: S32},
		unix.IFLA_TARGET_NETNSID:      {Name: "IFLA_TARGET_NETNSID", Kind: S32}, // also IFLA_IF_NETNSID
		unix.IFLA_CARRIER_UP_COUNT:    {Name: "IFLA_CARRIER_UP_COUNT", Kind: U32},
		unix.IFLA_CARRIER_DOWN_COUNT:  {Name: "IFLA_CARRIER_DOWN_COUNT", Kind: U32},
		unix.IFLA_NEW_IFINDEX:         {Name: "IFLA_NEW_IFINDEX", Kind: S32},
		unix.IFLA_MIN_MTU:             {Name: "IFLA_MIN_MTU", Kind: U32},
		unix.IFLA_MAX_MTU:             {Name: "IFLA_MAX_MTU", Kind: U32},
		unix.IFLA_PROP_LIST:           {Name: "IFLA_PROP_LIST", Kind: Nested, Space: propListSpace},
		unix.IFLA_ALT_IFNAME:          {Name: "IFLA_ALT_IFNAME", Kind: String},
		unix.IFLA_PERM_ADDRESS:        {Name: "IFLA_PERM_ADDRESS", Kind: HWAddr},
		unix.IFLA_PROTO_DOWN_REASON:   {Name: "IFLA_PROTO_DOWN_REASON", Kind: Nested, Space: protoDownReasonSpace},
		unix.IFLA_PARENT_DEV_NAME:     {Name: "IFLA_PARENT_DEV_NAME", Kind: String},
		unix.IFLA_PARENT_DEV_BUS_NAME: {Name: "IFLA_PARENT_DEV_BUS_NAME", Kind: String},
		unix.IFLA_GRO_MAX_SIZE:        {Name: "IFLA_GRO_MAX_SIZE", Kind: U32},
		unix.IFLA_TSO_MAX_SIZE:        {Name: "IFLA_TSO_MAX_SIZE", Kind: U32},
		unix.IFLA_TSO_MAX_SEGS:        {Name: "IFLA_TSO_MAX_SEGS", Kind: U32},
		unix.IFLA_ALLMULTI:            {Name: "IFLA_ALLMULTI", Kind: U32},
		unix.IFLA_DEVLINK_PORT:        {Name: "IFLA_DEVLINK_PORT", Kind: Nested},   // newer than the installed headers; value from x/sys; devlink attributes
		unix.IFLA_GSO_IPV4_MAX_SIZE:   {Name: "IFLA_GSO_IPV4_MAX_SIZE", Kind: U32}, // newer than the installed headers; value from x/sys
		unix.IFLA_GRO_IPV4_MAX_SIZE:   {Name: "IFLA_GRO_IPV4_MAX_SIZE", Kind: U32}, // newer than the installed headers; value from x/sys
		unix.IFLA_DPLL_PIN:            {Name: "IFLA_DPLL_PIN", Kind: Nested},       // newer than the installed headers; value from x/sys; DPLL pin attributes
	}}

	// propListSpace holds the alternative names of IFLA_PROP_LIST.
	*propListSpace = Space{name: "prop_list", attrs: map[uint16]Attr{
		unix.IFLA_ALT_IFNAME: {Name: "IFLA_ALT_IFNAME", Kind: String},
	}}

	// protoDownReasonSpace holds IFLA_PROTO_DOWN_REASON.
	*protoDownReasonSpace = Space{name: "proto_down_reason", attrs: map[uint16]Attr{
		unix.IFLA_PROTO_DOWN_REASON_MASK:  {Name: "IFLA_PROTO_DOWN_REASON_MASK", Kind: U32},
		unix.IFLA_PROTO_DOWN_REASON_VALUE: {Name: "IFLA_PROTO_DOWN_REASON_VALUE", Kind: U32},
	}}

	// xdpSpace holds IFLA_XDP.
	*xdpSpace = Space{name: "xdp", attrs: map[uint16]Attr{
		unix.IFLA_XDP_FD:          {Name: "IFLA_XDP_FD", Kind: S32},
		unix.IFLA_XDP_ATTACHED:    {Name: "IFLA_XDP_ATTACHED", Kind: U8},
		unix.IFLA_XDP_FLAGS:       {Name: "IFLA_XDP_FLAGS", Kind: U32},
		unix.IFLA_XDP_PROG_ID:     {Name: "IFLA_XDP_PROG_ID", Kind: U32},
		unix.IFLA_XDP_DRV_PROG_ID: {Name: "IFLA_XDP_DRV_PROG_ID", Kind: U32},
		unix.IFLA_XDP_SKB_PROG_ID: {Name: "IFLA_XDP_SKB_PROG_ID", Kind: U32},
		unix.IFLA_XDP_HW_PROG_ID:  {Name: "IFLA_XDP_HW_PROG_ID", Kind: U32},
		unix.IFLA_XDP_EXPECTED_FD: {Name: "IFLA_XDP_EXPECTED_FD", Kind: S32},
	}}

	// vfInfoListSpace holds IFLA_VFINFO_LIST, one IFLA_VF_INFO per virtual
	// function.
	*vfInfoListSpace = Space{name: "vfinfo_list", attrs: map[uint16]Attr{
		unix.IFLA_VF_INFO: {Name: "IFLA_VF_INFO", Kind: Nested, Space: vfSpace},
	}}

	// vfSpace holds one IFLA_VF_INFO.
	*vfSpace = Space{name: "vf", attrs: map[uint16]Attr{
		unix.IFLA_VF_MAC:          {Name: "IFLA_VF_MAC", Kind: Struct},          // struct ifla_vf_mac
		unix.IFLA_VF_VLAN:         {Name: "IFLA_VF_VLAN", Kind: Struct},         // struct ifla_vf_vlan
		unix.IFLA_VF_TX_RATE:      {Name: "IFLA_VF_TX_RATE", Kind: Struct},      // struct ifla_vf_tx_rate
		unix.IFLA_VF_SPOOFCHK:     {Name: "IFLA_VF_SPOOFCHK", Kind: Struct},     // struct ifla_vf_spoofchk
		unix.IFLA_VF_LINK_STATE:   {Name: "IFLA_VF_LINK_STATE", Kind: Struct},   // struct ifla_vf_link_state
		unix.IFLA_VF_RATE:         {Name: "IFLA_VF_RATE", Kind: Struct},         // struct ifla_vf_rate
		unix.IFLA_VF_RSS_QUERY_EN: {Name: "IFLA_VF_RSS_QUERY_EN", Kind: Struct}, // struct ifla_vf_rss_query_en
		unix.IFLA_VF_STATS:        {Name: "IFLA_VF_STATS", Kind: Nested, Space: vfStatsSpace},
		unix.IFLA_VF_TRUST:        {Name: "IFLA_VF_TRUST", Kind: Struct},        // struct ifla_vf_trust
		unix.IFLA_VF_IB_NODE_GUID: {Name: "IFLA_VF_IB_NODE_GUID", Kind: Struct}, // struct ifla_vf_guid
		unix.IFLA_VF_IB_PORT_GUID: {Name: "IFLA_VF_IB_PORT_GUID", Kind: Struct}, // struct ifla_vf_guid
		unix.IFLA_VF_VLAN_LIST:    {Name: "IFLA_VF_VLAN_LIST", Kind: Nested, Space: vfVlanListSpace},
		unix.IFLA_VF_BROADCAST:    {Name: "IFLA_VF_BROADCAST", Kind: Struct}, // struct ifla_vf_broadcast
	}}

	// vfStatsSpace holds IFLA_VF_STATS; its numbering starts at 0.
	*vfStatsSpace = Space{name: "vf_stats", attrs: map[uint16]Attr{
		unix.IFLA_VF_STATS_RX_PACKETS: {Name: "IFLA_VF_STATS_RX_PACKETS", Kind: U64},
		unix.IFLA_VF_STATS_TX_PACKETS: {Name: "IFLA_VF_STATS_TX_PACKETS", Kind: U64},
		unix.IFLA_VF_STATS_RX_BYTES:   {Name: "IFLA_VF_STATS_RX_BYTES", Kind: U64},
		unix.IFLA_VF_STATS_TX_BYTES:   {Name: "IFLA_VF_STATS_TX_BYTES", Kind: U64},
		unix.IFLA_VF_STATS_BROADCAST:  {Name: "IFLA_VF_STATS_BROADCAST", Kind: U64},
		unix.IFLA_VF_STATS_MULTICAST:  {Name: "IFLA_VF_STATS_MULTICAST", Kind: U64},
		unix.IFLA_VF_STATS_PAD:        {Name: "IFLA_VF_STATS_PAD", Kind: Binary},
		unix.IFLA_VF_STATS_RX_DROPPED: {Name: "IFLA_VF_STATS_RX_DROPPED", Kind: U64},
		unix.IFLA_VF_STATS_TX_DROPPED: {Name: "IFLA_VF_STATS_TX_DROPPED", Kind: U64},
	}}

	// vfVlanListSpace holds IFLA_VF_VLAN_LIST.
	*vfVlanListSpace = Space{name: "vf_vlan_list", attrs: map[uint16]Attr{
		unix.IFLA_VF_VLAN_INFO: {Name: "IFLA_VF_VLAN_INFO", Kind: Struct}, // struct ifla_vf_vlan_info
	}}

	// vfPortsSpace holds IFLA_VF_PORTS, one IFLA_VF_PORT per virtual function.
	*vfPortsSpace = Space{name: "vf_ports", attrs: map[uint16]Attr{
		unix.IFLA_VF_PORT: {Name: "IFLA_VF_PORT", Kind: Nested, Space: portSpace},
	}}

	// portSpace holds IFLA_VF_PORT and IFLA_PORT_SELF.
	*portSpace = Space{name: "port", attrs: map[uint16]Attr{
		unix.IFLA_PORT_VF:            {Name: "IFLA_PORT_VF", Kind: U32},
		unix.IFLA_PORT_PROFILE:       {Name: "IFLA_PORT_PROFILE", Kind: String},
		unix.IFLA_PORT_VSI_TYPE:      {Name: "IFLA_PORT_VSI_TYPE", Kind: Struct}, // struct ifla_port_vsi
		unix.IFLA_PORT_INSTANCE_UUID: {Name: "IFLA_PORT_INSTANCE_UUID", Kind: Binary},
		unix.IFLA_PORT_HOST_UUID:     {Name: "IFLA_PORT_HOST_UUID", Kind: Binary},
		unix.IFLA_PORT_REQUEST:       {Name: "IFLA_PORT_REQUEST", Kind: U8},
		unix.IFLA_PORT_RESPONSE:      {Name: "IFLA_PORT_RESPONSE", Kind: U16},
	}}

	// afSpecSpace holds IFLA_AF_SPEC of an AF_UNSPEC link message: one nest
	// per address family, numbered by the family.
	*afSpecSpace = Space{name: "af_spec", attrs: map[uint16]Attr{
		unix.AF_INET:   {Name: "AF_INET", Kind: Nested, Space: inetAFSpace},
		unix.AF_BRIDGE: {Name: "AF_BRIDGE", Kind: Nested, Space: bridgeAFSpace},
		unix.AF_INET6:  {Name: "AF_INET6", Kind: Nested, Space: inet6AFSpace},
	}}

	// inetAFSpace holds the AF_INET part of IFLA_AF_SPEC.
	*inetAFSpace = Space{name: "af_inet", attrs: map[uint16]Attr{
		unix.IFLA_INET_CONF: {Name: "IFLA_INET_CONF", Kind: Binary}, // array of u32, indexed by IPV4_DEVCONF_* - 1
	}}

	// inet6AFSpace holds the AF_INET6 part of IFLA_AF_SPEC (and IFLA_PROTINFO
	// of AF_INET6 link messages).
	*inet6AFSpace = Space{name: "af_inet6", attrs: map[uint16]Attr{
		unix.IFLA_INET6_FLAGS:         {Name: "IFLA_INET6_FLAGS", Kind: U32},
		unix.IFLA_INET6_CONF:          {Name: "IFLA_INET6_CONF", Kind: Binary},       // array of s32, indexed by DEVCONF_*
		unix.IFLA_INET6_STATS:         {Name: "IFLA_INET6_STATS", Kind: Binary},      // array of u64
		unix.IFLA_INET6_MCAST:         {Name: "IFLA_INET6_MCAST", Kind: Binary},      // unused
		unix.IFLA_INET6_CACHEINFO:     {Name: "IFLA_INET6_CACHEINFO", Kind: Struct},  // struct ifla_cacheinfo
		unix.IFLA_INET6_ICMP6STATS:    {Name: "IFLA_INET6_ICMP6STATS", Kind: Binary}, // array of u64
		unix.IFLA_INET6_TOKEN:         {Name: "IFLA_INET6_TOKEN", Kind: Addr},
		unix.IFLA_INET6_ADDR_GEN_MODE: {Name: "IFLA_INET6_ADDR_GEN_MODE", Kind: U8},
		unix.IFLA_INET6_RA_MTU:        {Name: "IFLA_INET6_RA_MTU", Kind: U32},
	}}

	// bridgeAFSpace holds the IFLA_BRIDGE_* attributes of AF_BRIDGE link
	// messages; their numbering starts at 0.
	*bridgeAFSpace = Space{name: "af_bridge", attrs: map[uint16]Attr{
		0: {Name: "IFLA_BRIDGE_FLAGS", Kind: U16},                                             // linux/if_bridge.h
		1: {Name: "IFLA_BRIDGE_MODE", Kind: U16},                                              // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_VLAN_INFO", Kind: Struct},                                      // linux/if_bridge.h; struct bridge_vlan_info
		3: {Name: "IFLA_BRIDGE_VLAN_TUNNEL_INFO", Kind: Nested, Space: bridgeVlanTunnelSpace}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_MRP", Kind: Nested, Space: mrpSpace},                           // linux/if_bridge.h
		5: {Name: "IFLA_BRIDGE_CFM", Kind: Nested, Space: cfmSpace},                           // linux/if_bridge.h
		6: {Name: "IFLA_BRIDGE_MST", Kind: Nested, Space: mstSpace},                           // linux/if_bridge.h
	}}

	// bridgeVlanTunnelSpace holds IFLA_BRIDGE_VLAN_TUNNEL_INFO.
	*bridgeVlanTunnelSpace = Space{name: "bridge_vlan_tunnel", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_VLAN_TUNNEL_ID", Kind: U32},    // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_VLAN_TUNNEL_VID", Kind: U16},   // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_VLAN_TUNNEL_FLAGS", Kind: U16}, // linux/if_bridge.h
	}}

	// mrpSpace holds IFLA_BRIDGE_MRP (media redundancy protocol).
	*mrpSpace = Space{name: "mrp", attrs: map[uint16]Attr{
		1:  {Name: "IFLA_BRIDGE_MRP_INSTANCE", Kind: Nested, Space: mrpInstanceSpace},         // linux/if_bridge.h
		2:  {Name: "IFLA_BRIDGE_MRP_PORT_STATE", Kind: Nested, Space: mrpPortStateSpace},      // linux/if_bridge.h
		3:  {Name: "IFLA_BRIDGE_MRP_PORT_ROLE", Kind: Nested, Space: mrpPortRoleSpace},        // linux/if_bridge.h
		4:  {Name: "IFLA_BRIDGE_MRP_RING_STATE", Kind: Nested, Space: mrpRingStateSpace},      // linux/if_bridge.h
		5:  {Name: "IFLA_BRIDGE_MRP_RING_ROLE", Kind: Nested, Space: mrpRingRoleSpace},        // linux/if_bridge.h
		6:  {Name: "IFLA_BRIDGE_MRP_START_TEST", Kind: Nested, Space: mrpStartTestSpace},      // linux/if_bridge.h
		7:  {Name: "IFLA_BRIDGE_MRP_INFO", Kind: Nested, Space: mrpInfoSpace},                 // linux/if_bridge.h
		8:  {Name: "IFLA_BRIDGE_MRP_IN_ROLE", Kind: Nested, Space: mrpInRoleSpace},            // linux/if_bridge.h
		9:  {Name: "IFLA_BRIDGE_MRP_IN_STATE", Kind: Nested, Space: mrpInStateSpace},          // linux/if_bridge.h
		10: {Name: "IFLA_BRIDGE_MRP_START_IN_TEST", Kind: Nested, Space: mrpStartInTestSpace}, // linux/if_bridge.h
	}}

	// mrpInstanceSpace holds IFLA_BRIDGE_MRP_INSTANCE.
	*mrpInstanceSpace = Space{name: "mrp_instance", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_INSTANCE_RING_ID", Kind: U32},   // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_INSTANCE_P_IFINDEX", Kind: U32}, // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_MRP_INSTANCE_S_IFINDEX", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_MRP_INSTANCE_PRIO", Kind: U16},      // linux/if_bridge.h
	}}

	// mrpPortStateSpace holds IFLA_BRIDGE_MRP_PORT_STATE.
	*mrpPortStateSpace = Space{name: "mrp_port_state", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_PORT_STATE_STATE", Kind: U32}, // linux/if_bridge.h
	}}

	// mrpPortRoleSpace holds IFLA_BRIDGE_MRP_PORT_ROLE.
	*mrpPortRoleSpace = Space{name: "mrp_port_role", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_PORT_ROLE_ROLE", Kind: U32}, // linux/if_bridge.h
	}}

	// mrpRingStateSpace holds IFLA_BRIDGE_MRP_RING_STATE.
	*mrpRingStateSpace = Space{name: "mrp_ring_state", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_RING_STATE_RING_ID", Kind: U32}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_RING_STATE_STATE", Kind: U32},   // linux/if_bridge.h
	}}

	// mrpRingRoleSpace holds IFLA_BRIDGE_MRP_RING_ROLE.
	*mrpRingRoleSpace = Space{name: "mrp_ring_role", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_RING_ROLE_RING_ID", Kind: U32}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_RING_ROLE_ROLE", Kind: U32},    // linux/if_bridge.h
	}}

	// mrpStartTestSpace holds IFLA_BRIDGE_MRP_START_TEST.
	*mrpStartTestSpace = Space{name: "mrp_start_test", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_START_TEST_RING_ID", Kind: U32},  // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_START_TEST_INTERVAL", Kind: U32}, // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_MRP_START_TEST_MAX_MISS", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_MRP_START_TEST_PERIOD", Kind: U32},   // linux/if_bridge.h
		5: {Name: "IFLA_BRIDGE_MRP_START_TEST_MONITOR", Kind: U32},  // linux/if_bridge.h
	}}

	// mrpInfoSpace holds IFLA_BRIDGE_MRP_INFO.
	*mrpInfoSpace = Space{name: "mrp_info", attrs: map[uint16]Attr{
		1:  {Name: "IFLA_BRIDGE_MRP_INFO_RING_ID", Kind: U32},          // linux/if_bridge.h
		2:  {Name: "IFLA_BRIDGE_MRP_INFO_P_IFINDEX", Kind: U32},        // linux/if_bridge.h
		3:  {Name: "IFLA_BRIDGE_MRP_INFO_S_IFINDEX", Kind: U32},        // linux/if_bridge.h
		4:  {Name: "IFLA_BRIDGE_MRP_INFO_PRIO", Kind: U16},             // linux/if_bridge.h
		5:  {Name: "IFLA_BRIDGE_MRP_INFO_RING_STATE", Kind: U32},       // linux/if_bridge.h
		6:  {Name: "IFLA_BRIDGE_MRP_INFO_RING_ROLE", Kind: U32},        // linux/if_bridge.h
		7:  {Name: "IFLA_BRIDGE_MRP_INFO_TEST_INTERVAL", Kind: U32},    // linux/if_bridge.h
		8:  {Name: "IFLA_BRIDGE_MRP_INFO_TEST_MAX_MISS", Kind: U32},    // linux/if_bridge.h
		9:  {Name: "IFLA_BRIDGE_MRP_INFO_TEST_MONITOR", Kind: U32},     // linux/if_bridge.h
		10: {Name: "IFLA_BRIDGE_MRP_INFO_I_IFINDEX", Kind: U32},        // linux/if_bridge.h
		11: {Name: "IFLA_BRIDGE_MRP_INFO_IN_STATE", Kind: U32},         // linux/if_bridge.h
		12: {Name: "IFLA_BRIDGE_MRP_INFO_IN_ROLE", Kind: U32},          // linux/if_bridge.h
		13: {Name: "IFLA_BRIDGE_MRP_INFO_IN_TEST_INTERVAL", Kind: U32}, // linux/if_bridge.h
		14: {Name: "IFLA_BRIDGE_MRP_INFO_IN_TEST_MAX_MISS", Kind: U32}, // linux/if_bridge.h
	}}

	// mrpInRoleSpace holds IFLA_BRIDGE_MRP_IN_ROLE.
	*mrpInRoleSpace = Space{name: "mrp_in_role", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_IN_ROLE_RING_ID", Kind: U32},   // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_IN_ROLE_IN_ID", Kind: U16},     // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_MRP_IN_ROLE_ROLE", Kind: U32},      // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_MRP_IN_ROLE_I_IFINDEX", Kind: U32}, // linux/if_bridge.h
	}}

	// mrpInStateSpace holds IFLA_BRIDGE_MRP_IN_STATE.
	*mrpInStateSpace = Space{name: "mrp_in_state", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_IN_STATE_IN_ID", Kind: U32}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_IN_STATE_STATE", Kind: U32}, // linux/if_bridge.h
	}}

	// mrpStartInTestSpace holds IFLA_BRIDGE_MRP_START_IN_TEST.
	*mrpStartInTestSpace = Space{name: "mrp_start_in_test", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MRP_START_IN_TEST_IN_ID", Kind: U32},    // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MRP_START_IN_TEST_INTERVAL", Kind: U32}, // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_MRP_START_IN_TEST_MAX_MISS", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_MRP_START_IN_TEST_PERIOD", Kind: U32},   // linux/if_bridge.h
	}}

	// cfmSpace holds IFLA_BRIDGE_CFM (connectivity fault management).
	*cfmSpace = Space{name: "cfm", attrs: map[uint16]Attr{
		1:  {Name: "IFLA_BRIDGE_CFM_MEP_CREATE", Kind: Nested, Space: cfmMepCreateSpace},             // linux/if_bridge.h
		2:  {Name: "IFLA_BRIDGE_CFM_MEP_DELETE", Kind: Nested, Space: cfmMepDeleteSpace},             // linux/if_bridge.h
		3:  {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG", Kind: Nested, Space: cfmMepConfigSpace},             // linux/if_bridge.h
		4:  {Name: "IFLA_BRIDGE_CFM_CC_CONFIG", Kind: Nested, Space: cfmCcConfigSpace},               // linux/if_bridge.h
		5:  {Name: "IFLA_BRIDGE_CFM_CC_PEER_MEP_ADD", Kind: Nested, Space: cfmCcPeerMepSpace},        // linux/if_bridge.h
		6:  {Name: "IFLA_BRIDGE_CFM_CC_PEER_MEP_REMOVE", Kind: Nested, Space: cfmCcPeerMepSpace},     // linux/if_bridge.h
		7:  {Name: "IFLA_BRIDGE_CFM_CC_RDI", Kind: Nested, Space: cfmCcRdiSpace},                     // linux/if_bridge.h
		8:  {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX", Kind: Nested, Space: cfmCcCcmTxSpace},                // linux/if_bridge.h
		9:  {Name: "IFLA_BRIDGE_CFM_MEP_CREATE_INFO", Kind: Nested, Space: cfmMepCreateSpace},        // linux/if_bridge.h
		10: {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG_INFO", Kind: Nested, Space: cfmMepConfigSpace},        // linux/if_bridge.h
		11: {Name: "IFLA_BRIDGE_CFM_CC_CONFIG_INFO", Kind: Nested, Space: cfmCcConfigSpace},          // linux/if_bridge.h
		12: {Name: "IFLA_BRIDGE_CFM_CC_RDI_INFO", Kind: Nested, Space: cfmCcRdiSpace},                // linux/if_bridge.h
		13: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_INFO", Kind: Nested, Space: cfmCcCcmTxSpace},           // linux/if_bridge.h
		14: {Name: "IFLA_BRIDGE_CFM_CC_PEER_MEP_INFO", Kind: Nested, Space: cfmCcPeerMepSpace},       // linux/if_bridge.h
		15: {Name: "IFLA_BRIDGE_CFM_MEP_STATUS_INFO", Kind: Nested, Space: cfmMepStatusSpace},        // linux/if_bridge.h
		16: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_INFO", Kind: Nested, Space: cfmCcPeerStatusSpace}, // linux/if_bridge.h
	}}

	// cfmMepCreateSpace holds IFLA_BRIDGE_CFM_MEP_CREATE(_INFO).
	*cfmMepCreateSpace = Space{name: "cfm_mep_create", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_MEP_CREATE_INSTANCE", Kind: U32},  // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_MEP_CREATE_DOMAIN", Kind: U32},    // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_MEP_CREATE_DIRECTION", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_MEP_CREATE_IFINDEX", Kind: U32},   // linux/if_bridge.h
	}}

	// cfmMepDeleteSpace holds IFLA_BRIDGE_CFM_MEP_DELETE.
	*cfmMepDeleteSpace = Space{name: "cfm_mep_delete", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_MEP_DELETE_INSTANCE", Kind: U32}, // linux/if_bridge.h
	}}

	// cfmMepConfigSpace holds IFLA_BRIDGE_CFM_MEP_CONFIG(_INFO).
	*cfmMepConfigSpace = Space{name: "cfm_mep_config", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG_INSTANCE", Kind: U32},       // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG_UNICAST_MAC", Kind: HWAddr}, // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG_MDLEVEL", Kind: U32},        // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_MEP_CONFIG_MEPID", Kind: U32},          // linux/if_bridge.h
	}}

	// cfmCcConfigSpace holds IFLA_BRIDGE_CFM_CC_CONFIG(_INFO).
	*cfmCcConfigSpace = Space{name: "cfm_cc_config", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_CC_CONFIG_INSTANCE", Kind: U32},     // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_CC_CONFIG_ENABLE", Kind: U32},       // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_CC_CONFIG_EXP_INTERVAL", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_CC_CONFIG_EXP_MAID", Kind: Binary},  // linux/if_bridge.h; 48-byte maintenance association id
	}}

	// cfmCcPeerMepSpace holds the IFLA_BRIDGE_CFM_CC_PEER_MEP_* nests.
	*cfmCcPeerMepSpace = Space{name: "cfm_cc_peer_mep", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_CC_PEER_MEP_INSTANCE", Kind: U32}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_CC_PEER_MEPID", Kind: U32},        // linux/if_bridge.h
	}}

	// cfmCcRdiSpace holds IFLA_BRIDGE_CFM_CC_RDI(_INFO).
	*cfmCcRdiSpace = Space{name: "cfm_cc_rdi", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_CC_RDI_INSTANCE", Kind: U32}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_CC_RDI_RDI", Kind: U32},      // linux/if_bridge.h
	}}

	// cfmCcCcmTxSpace holds IFLA_BRIDGE_CFM_CC_CCM_TX(_INFO).
	*cfmCcCcmTxSpace = Space{name: "cfm_cc_ccm_tx", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_INSTANCE", Kind: U32},      // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_DMAC", Kind: HWAddr},       // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_SEQ_NO_UPDATE", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_PERIOD", Kind: U32},        // linux/if_bridge.h
		5: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_IF_TLV", Kind: U32},        // linux/if_bridge.h
		6: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_IF_TLV_VALUE", Kind: U8},   // linux/if_bridge.h
		7: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_PORT_TLV", Kind: U32},      // linux/if_bridge.h
		8: {Name: "IFLA_BRIDGE_CFM_CC_CCM_TX_PORT_TLV_VALUE", Kind: U8}, // linux/if_bridge.h
	}}

	// cfmMepStatusSpace holds IFLA_BRIDGE_CFM_MEP_STATUS_INFO.
	*cfmMepStatusSpace = Space{name: "cfm_mep_status", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_MEP_STATUS_INSTANCE", Kind: U32},           // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_MEP_STATUS_OPCODE_UNEXP_SEEN", Kind: U32},  // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_MEP_STATUS_VERSION_UNEXP_SEEN", Kind: U32}, // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_MEP_STATUS_RX_LEVEL_LOW_SEEN", Kind: U32},  // linux/if_bridge.h
	}}

	// cfmCcPeerStatusSpace holds IFLA_BRIDGE_CFM_CC_PEER_STATUS_INFO.
	*cfmCcPeerStatusSpace = Space{name: "cfm_cc_peer_status", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_INSTANCE", Kind: U32},       // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_PEER_MEPID", Kind: U32},     // linux/if_bridge.h
		3: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_CCM_DEFECT", Kind: U32},     // linux/if_bridge.h
		4: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_RDI", Kind: U32},            // linux/if_bridge.h
		5: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_PORT_TLV_VALUE", Kind: U8},  // linux/if_bridge.h
		6: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_IF_TLV_VALUE", Kind: U8},    // linux/if_bridge.h
		7: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_SEEN", Kind: U32},           // linux/if_bridge.h
		8: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_TLV_SEEN", Kind: U32},       // linux/if_bridge.h
		9: {Name: "IFLA_BRIDGE_CFM_CC_PEER_STATUS_SEQ_UNEXP_SEEN", Kind: U32}, // linux/if_bridge.h
	}}

	// mstSpace holds IFLA_BRIDGE_MST (multiple spanning trees).
	*mstSpace = Space{name: "mst", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MST_ENTRY", Kind: Nested, Space: mstEntrySpace}, // linux/if_bridge.h
	}}

	// mstEntrySpace holds one IFLA_BRIDGE_MST_ENTRY.
	*mstEntrySpace = Space{name: "mst_entry", attrs: map[uint16]Attr{
		1: {Name: "IFLA_BRIDGE_MST_ENTRY_MSTI", Kind: U16}, // linux/if_bridge.h
		2: {Name: "IFLA_BRIDGE_MST_ENTRY_STATE", Kind: U8}, // linux/if_bridge.h
	}}

	// linkInfoSpace holds IFLA_LINKINFO. The kind strings pick the space of
	// the data nests.
	*linkInfoSpace = Space{name: "linkinfo", attrs: map[uint16]Attr{
		unix.IFLA_INFO_KIND:       {Name: "IFLA_INFO_KIND", Kind: String},
		unix.IFLA_INFO_DATA:       {Name: "IFLA_INFO_DATA", Kind: Nested, SelectBy: "IFLA_INFO_KIND", variants: linkDataSpaces},
		unix.IFLA_INFO_XSTATS:     {Name: "IFLA_INFO_XSTATS", Kind: Binary},
		unix.IFLA_INFO_SLAVE_KIND: {Name: "IFLA_INFO_SLAVE_KIND", Kind: String},
		unix.IFLA_INFO_SLAVE_DATA: {Name: "IFLA_INFO_SLAVE_DATA", Kind: Nested, SelectBy: "IFLA_INFO_SLAVE_KIND", variants: linkSlaveDataSpaces},
	}}

	// vethSpace holds the data of a veth link. VETH_INFO_PEER describes the
	// peer as a link message of its own (an ifinfomsg, then IFLA_*
	// attributes), of the link space, which contains this one.
	*vethSpace = Space{name: "veth", attrs: map[uint16]Attr{
		vethInfoPeer: {Name: "VETH_INFO_PEER", Kind: Nested, Space: linkSpace, HeaderLen: unix.SizeofIfInfomsg},
	}}

	// vxlanSpace holds the data of a vxlan link.
	*vxlanSpace = Space{name: "vxlan", attrs: map[uint16]Attr{
		unix.IFLA_VXLAN_ID:                {Name: "IFLA_VXLAN_ID", Kind: U32},
		unix.IFLA_VXLAN_GROUP:             {Name: "IFLA_VXLAN_GROUP", Kind: Addr}, // 4 bytes
		unix.IFLA_VXLAN_LINK:              {Name: "IFLA_VXLAN_LINK", Kind: U32},
		unix.IFLA_VXLAN_LOCAL:             {Name: "IFLA_VXLAN_LOCAL", Kind: Addr}, // 4 bytes
		unix.IFLA_VXLAN_TTL:               {Name: "IFLA_VXLAN_TTL", Kind: U8},
		unix.IFLA_VXLAN_TOS:               {Name: "IFLA_VXLAN_TOS", Kind: U8},
		unix.IFLA_VXLAN_LEARNING:          {Name: "IFLA_VXLAN_LEARNING", Kind: U8},
		unix.IFLA_VXLAN_AGEING:            {Name: "IFLA_VXLAN_AGEING", Kind: U32},
		unix.IFLA_VXLAN_LIMIT:             {Name: "IFLA_VXLAN_LIMIT", Kind: U32},
		unix.IFLA_VXLAN_PORT_RANGE:        {Name: "IFLA_VXLAN_PORT_RANGE", Kind: Struct}, // struct ifla_vxlan_port_range
		unix.IFLA_VXLAN_PROXY:             {Name: "IFLA_VXLAN_PROXY", Kind: U8},
		unix.IFLA_VXLAN_RSC:               {Name: "IFLA_VXLAN_RSC", Kind: U8},
		unix.IFLA_VXLAN_L2MISS:            {Name: "IFLA_VXLAN_L2MISS", Kind: U8},
		unix.IFLA_VXLAN_L3MISS:            {Name: "IFLA_VXLAN_L3MISS", Kind: U8},
		unix.IFLA_VXLAN_PORT:              {Name: "IFLA_VXLAN_PORT", Kind: BE16},
		unix.IFLA_VXLAN_GROUP6:            {Name: "IFLA_VXLAN_GROUP6", Kind: Addr},
		unix.IFLA_VXLAN_LOCAL6:            {Name: "IFLA_VXLAN_LOCAL6", Kind: Addr},
		unix.IFLA_VXLAN_UDP_CSUM:          {Name: "IFLA_VXLAN_UDP_CSUM", Kind: U8},
		unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX: {Name: "IFLA_VXLAN_UDP_ZERO_CSUM6_TX", Kind: U8},
		unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX: {Name: "IFLA_VXLAN_UDP_ZERO_CSUM6_RX", Kind: U8},
		unix.IFLA_VXLAN_REMCSUM_TX:        {Name: "IFLA_VXLAN_REMCSUM_TX", Kind: U8},
		unix.IFLA_VXLAN_REMCSUM_RX:        {Name: "IFLA_VXLAN_REMCSUM_RX", Kind: U8},
		unix.IFLA_VXLAN_GBP:               {Name: "IFLA_VXLAN_GBP", Kind: Flag},
		unix.IFLA_VXLAN_REMCSUM_NOPARTIAL: {Name: "IFLA_VXLAN_REMCSUM_NOPARTIAL", Kind: Flag},
		unix.IFLA_VXLAN_COLLECT_METADATA:  {Name: "IFLA_VXLAN_COLLECT_METADATA", Kind: U8},
		unix.IFLA_VXLAN_LABEL:             {Name: "IFLA_VXLAN_LABEL", Kind: BE32},
		unix.IFLA_VXLAN_GPE:               {Name: "IFLA_VXLAN_GPE", Kind: Flag},
		unix.IFLA_VXLAN_TTL_INHERIT:       {Name: "IFLA_VXLAN_TTL_INHERIT", Kind: Flag},
		unix.IFLA_VXLAN_DF:                {Name: "IFLA_VXLAN_DF", Kind: U8},
		unix.IFLA_VXLAN_VNIFILTER:         {Name: "IFLA_VXLAN_VNIFILTER", Kind: U8},
		unix.IFLA_VXLAN_LOCALBYPASS:       {Name: "IFLA_VXLAN_LOCALBYPASS", Kind: U8},   // newer than the installed headers; value from x/sys
		unix.IFLA_VXLAN_LABEL_POLICY:      {Name: "IFLA_VXLAN_LABEL_POLICY", Kind: U32}, // newer than the installed headers; value from x/sys
	}}

	// bridgeSpace holds the data of a bridge link.
	*bridgeSpace = Space{name: "bridge", attrs: map[uint16]Attr{
		unix.IFLA_BR_FORWARD_DELAY:              {Name: "IFLA_BR_FORWARD_DELAY", Kind: U32},
		unix.IFLA_BR_HELLO_TIME:                 {Name: "IFLA_BR_HELLO_TIME", Kind: U32},
		unix.IFLA_BR_MAX_AGE:                    {Name: "IFLA_BR_MAX_AGE", Kind: U32},
		unix.IFLA_BR_AGEING_TIME:                {Name: "IFLA_BR_AGEING_TIME", Kind: U32},
		unix.IFLA_BR_STP_STATE:                  {Name: "IFLA_BR_STP_STATE", Kind: U32},
		unix.IFLA_BR_PRIORITY:                   {Name: "IFLA_BR_PRIORITY", Kind: U16},
		unix.IFLA_BR_VLAN_FILTERING:             {Name: "IFLA_BR_VLAN_FILTERING", Kind: U8},
		unix.IFLA_BR_VLAN_PROTOCOL:              {Name: "IFLA_BR_VLAN_PROTOCOL", Kind: BE16},
		unix.IFLA_BR_GROUP_FWD_MASK:             {Name: "IFLA_BR_GROUP_FWD_MASK", Kind: U16},
		unix.IFLA_BR_ROOT_ID:                    {Name: "IFLA_BR_ROOT_ID", Kind: Struct},   // struct ifla_bridge_id
		unix.IFLA_BR_BRIDGE_ID:                  {Name: "IFLA_BR_BRIDGE_ID", Kind: Struct}, // struct ifla_bridge_id
		unix.IFLA_BR_ROOT_PORT:                  {Name: "IFLA_BR_ROOT_PORT", Kind: U16},
		unix.IFLA_BR_ROOT_PATH_COST:             {Name: "IFLA_BR_ROOT_PATH_COST", Kind: U32},
		unix.IFLA_BR_TOPOLOGY_CHANGE:            {Name: "IFLA_BR_TOPOLOGY_CHANGE", Kind: U8},
		unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:   {Name: "IFLA_BR_TOPOLOGY_CHANGE_DETECTED", Kind: U8},
		unix.IFLA_BR_HELLO_TIMER:                {Name: "IFLA_BR_HELLO_TIMER", Kind: U64},
		unix.IFLA_BR_TCN_TIMER:                  {Name: "IFLA_BR_TCN_TIMER", Kind: U64},
		unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER:      {Name: "IFLA_BR_TOPOLOGY_CHANGE_TIMER", Kind: U64},
		unix.IFLA_BR_GC_TIMER:                   {Name: "IFLA_BR_GC_TIMER", Kind: U64},
		unix.IFLA_BR_GROUP_ADDR:                 {Name: "IFLA_BR_GROUP_ADDR", Kind: HWAddr},
		unix.IFLA_BR_FDB_FLUSH:                  {Name: "IFLA_BR_FDB_FLUSH", Kind: Flag},
		unix.IFLA_BR_MCAST_ROUTER:               {Name: "IFLA_BR_MCAST_ROUTER", Kind: U8},
		unix.IFLA_BR_MCAST_SNOOPING:             {Name: "IFLA_BR_MCAST_SNOOPING", Kind: U8},
		unix.IFLA_BR_MCAST_QUERY_USE_IFADDR:     {Name: "IFLA_BR_MCAST_QUERY_USE_IFADDR", Kind: U8},
		unix.IFLA_BR_MCAST_QUERIER:              {Name: "IFLA_BR_MCAST_QUERIER", Kind: U8},
		unix.IFLA_BR_MCAST_HASH_ELASTICITY:      {Name: "IFLA_BR_MCAST_HASH_ELASTICITY", Kind: U32},
		unix.IFLA_BR_MCAST_HASH_MAX:             {Name: "IFLA_BR_MCAST_HASH_MAX", Kind: U32},
		unix.IFLA_BR_MCAST_LAST_MEMBER_CNT:      {Name: "IFLA_BR_MCAST_LAST_MEMBER_CNT", Kind: U32},
		unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT:    {Name: "IFLA_BR_MCAST_STARTUP_QUERY_CNT", Kind: U32},
		unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL:    {Name: "IFLA_BR_MCAST_LAST_MEMBER_INTVL", Kind: U64},
		unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL:     {Name: "IFLA_BR_MCAST_MEMBERSHIP_INTVL", Kind: U64},
		unix.IFLA_BR_MCAST_QUERIER_INTVL:        {Name: "IFLA_BR_MCAST_QUERIER_INTVL", Kind: U64},
		unix.IFLA_BR_MCAST_QUERY_INTVL:          {Name: "IFLA_BR_MCAST_QUERY_INTVL", Kind: U64},
		unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL: {Name: "IFLA_BR_MCAST_QUERY_RESPONSE_INTVL", Kind: U64},
		unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL:  {Name: "IFLA_BR_MCAST_STARTUP_QUERY_INTVL", Kind: U64},
		unix.IFLA_BR_NF_CALL_IPTABLES:           {Name: "IFLA_BR_NF_CALL_IPTABLES", Kind: U8},
		unix.IFLA_BR_NF_CALL_IP6TABLES:          {Name: "IFLA_BR_NF_CALL_IP6TABLES", Kind: U8},
		unix.IFLA_BR_NF_CALL_ARPTABLES:          {Name: "IFLA_BR_NF_CALL_ARPTABLES", Kind: U8},
		unix.IFLA_BR_VLAN_DEFAULT_PVID:          {Name: "IFLA_BR_VLAN_DEFAULT_PVID", Kind: U16},
		unix.IFLA_BR_PAD:                        {Name: "IFLA_BR_PAD", Kind: Binary},
		unix.IFLA_BR_VLAN_STATS_ENABLED:         {Name: "IFLA_BR_VLAN_STATS_ENABLED", Kind: U8},
		unix.IFLA_BR_MCAST_STATS_ENABLED:        {Name: "IFLA_BR_MCAST_STATS_ENABLED", Kind: U8},
		unix.IFLA_BR_MCAST_IGMP_VERSION:         {Name: "IFLA_BR_MCAST_IGMP_VERSION", Kind: U8},
		unix.IFLA_BR_MCAST_MLD_VERSION:          {Name: "IFLA_BR_MCAST_MLD_VERSION", Kind: U8},
		unix.IFLA_BR_VLAN_STATS_PER_PORT:        {Name: "IFLA_BR_VLAN_STATS_PER_PORT", Kind: U8},
		unix.IFLA_BR_MULTI_BOOLOPT:              {Name: "IFLA_BR_MULTI_BOOLOPT", Kind: Struct}, // struct br_boolopt_multi
		unix.IFLA_BR_MCAST_QUERIER_STATE:        {Name: "IFLA_BR_MCAST_QUERIER_STATE", Kind: Nested, Space: bridgeQuerierSpace},
		unix.IFLA_BR_FDB_N_LEARNED:              {Name: "IFLA_BR_FDB_N_LEARNED", Kind: U32},   // newer than the installed headers; value from x/sys
		unix.IFLA_BR_FDB_MAX_LEARNED:            {Name: "IFLA_BR_FDB_MAX_LEARNED", Kind: U32}, // newer than the installed headers; value from x/sys
	}}

	// bridgeQuerierSpace holds IFLA_BR_MCAST_QUERIER_STATE and
	// BRIDGE_VLANDB_GOPTS_MCAST_QUERIER_STATE.
	*bridgeQuerierSpace = Space{name: "bridge_querier", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_QUERIER_IP_ADDRESS", Kind: Addr},      // linux/if_bridge.h
		2: {Name: "BRIDGE_QUERIER_IP_PORT", Kind: U32},          // linux/if_bridge.h
		3: {Name: "BRIDGE_QUERIER_IP_OTHER_TIMER", Kind: U64},   // linux/if_bridge.h
		4: {Name: "BRIDGE_QUERIER_PAD", Kind: Binary},           // linux/if_bridge.h
		5: {Name: "BRIDGE_QUERIER_IPV6_ADDRESS", Kind: Addr},    // linux/if_bridge.h
		6: {Name: "BRIDGE_QUERIER_IPV6_PORT", Kind: U32},        // linux/if_bridge.h
		7: {Name: "BRIDGE_QUERIER_IPV6_OTHER_TIMER", Kind: U64}, // linux/if_bridge.h
	}}

	// bridgePortSpace holds the slave data of a bridge port (and IFLA_PROTINFO
	// of AF_BRIDGE link messages).
	*bridgePortSpace = Space{name: "bridge_port", attrs: map[uint16]Attr{
		unix.IFLA_BRPORT_STATE:                 {Name: "IFLA_BRPORT_STATE", Kind: U8},
		unix.IFLA_BRPORT_PRIORITY:              {Name: "IFLA_BRPORT_PRIORITY", Kind: U16},
		unix.IFLA_BRPORT_COST:                  {Name: "IFLA_BRPORT_COST", Kind: U32},
		unix.IFLA_BRPORT_MODE:                  {Name: "IFLA_BRPORT_MODE", Kind: U8},
		unix.IFLA_BRPORT_GUARD:                 {Name: "IFLA_BRPORT_GUARD", Kind: U8},
		unix.IFLA_BRPORT_PROTECT:               {Name: "IFLA_BRPORT_PROTECT", Kind: U8},
		unix.IFLA_BRPORT_FAST_LEAVE:            {Name: "IFLA_BRPORT_FAST_LEAVE", Kind: U8},
		unix.IFLA_BRPORT_LEARNING:              {Name: "IFLA_BRPORT_LEARNING", Kind: U8},
		unix.IFLA_BRPORT_UNICAST_FLOOD:         {Name: "IFLA_BRPORT_UNICAST_FLOOD", Kind: U8},
		unix.IFLA_BRPORT_PROXYARP:              {Name: "IFLA_BRPORT_PROXYARP", Kind: U8},
		unix.IFLA_BRPORT_LEARNING_SYNC:         {Name: "IFLA_BRPORT_LEARNING_SYNC", Kind: U8},
		unix.IFLA_BRPORT_PROXYARP_WIFI:         {Name: "IFLA_BRPORT_PROXYARP_WIFI", Kind: U8},
		unix.IFLA_BRPORT_ROOT_ID:               {Name: "IFLA_BRPORT_ROOT_ID", Kind: Struct},   // struct ifla_bridge_id
		unix.IFLA_BRPORT_BRIDGE_ID:             {Name: "IFLA_BRPORT_BRIDGE_ID", Kind: Struct}, // struct ifla_bridge_id
		unix.IFLA_BRPORT_DESIGNATED_PORT:       {Name: "IFLA_BRPORT_DESIGNATED_PORT", Kind: U16},
		unix.IFLA_BRPORT_DESIGNATED_COST:       {Name: "IFLA_BRPORT_DESIGNATED_COST", Kind: U16},
		unix.IFLA_BRPORT_ID:                    {Name: "IFLA_BRPORT_ID", Kind: U16},
		unix.IFLA_BRPORT_NO:                    {Name: "IFLA_BRPORT_NO", Kind: U16},
		unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK:   {Name: "IFLA_BRPORT_TOPOLOGY_CHANGE_ACK", Kind: U8},
		unix.IFLA_BRPORT_CONFIG_PENDING:        {Name: "IFLA_BRPORT_CONFIG_PENDING", Kind: U8},
		unix.IFLA_BRPORT_MESSAGE_AGE_TIMER:     {Name: "IFLA_BRPORT_MESSAGE_AGE_TIMER", Kind: U64},
		unix.IFLA_BRPORT_FORWARD_DELAY_TIMER:   {Name: "IFLA_BRPORT_FORWARD_DELAY_TIMER", Kind: U64},
		unix.IFLA_BRPORT_HOLD_TIMER:            {Name: "IFLA_BRPORT_HOLD_TIMER", Kind: U64},
		unix.IFLA_BRPORT_FLUSH:                 {Name: "IFLA_BRPORT_FLUSH", Kind: Flag},
		unix.IFLA_BRPORT_MULTICAST_ROUTER:      {Name: "IFLA_BRPORT_MULTICAST_ROUTER", Kind: U8},
		unix.IFLA_BRPORT_PAD:                   {Name: "IFLA_BRPORT_PAD", Kind: Binary},
		unix.IFLA_BRPORT_MCAST_FLOOD:           {Name: "IFLA_BRPORT_MCAST_FLOOD", Kind: U8},
		unix.IFLA_BRPORT_MCAST_TO_UCAST:        {Name: "IFLA_BRPORT_MCAST_TO_UCAST", Kind: U8},
		unix.IFLA_BRPORT_VLAN_TUNNEL:           {Name: "IFLA_BRPORT_VLAN_TUNNEL", Kind: U8},
		unix.IFLA_BRPORT_BCAST_FLOOD:           {Name: "IFLA_BRPORT_BCAST_FLOOD", Kind: U8},
		unix.IFLA_BRPORT_GROUP_FWD_MASK:        {Name: "IFLA_BRPORT_GROUP_FWD_MASK", Kind: U16},
		unix.IFLA_BRPORT_NEIGH_SUPPRESS:        {Name: "IFLA_BRPORT_NEIGH_SUPPRESS", Kind: U8},
		unix.IFLA_BRPORT_ISOLATED:              {Name: "IFLA_BRPORT_ISOLATED", Kind: U8},
		unix.IFLA_BRPORT_BACKUP_PORT:           {Name: "IFLA_BRPORT_BACKUP_PORT", Kind: U32},
		unix.IFLA_BRPORT_MRP_RING_OPEN:         {Name: "IFLA_BRPORT_MRP_RING_OPEN", Kind: U8},
		unix.IFLA_BRPORT_MRP_IN_OPEN:           {Name: "IFLA_BRPORT_MRP_IN_OPEN", Kind: U8},
		unix.IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT: {Name: "IFLA_BRPORT_MCAST_EHT_HOSTS_LIMIT", Kind: U32},
		unix.IFLA_BRPORT_MCAST_EHT_HOSTS_CNT:   {Name: "IFLA_BRPORT_MCAST_EHT_HOSTS_CNT", Kind: U32},
		unix.IFLA_BRPORT_LOCKED:                {Name: "IFLA_BRPORT_LOCKED", Kind: U8},
		unix.IFLA_BRPORT_MAB:                   {Name: "IFLA_BRPORT_MAB", Kind: U8},                 // newer than the installed headers; value from x/sys
		unix.IFLA_BRPORT_MCAST_N_GROUPS:        {Name: "IFLA_BRPORT_MCAST_N_GROUPS", Kind: U32},     // newer than the installed headers; value from x/sys
		unix.IFLA_BRPORT_MCAST_MAX_GROUPS:      {Name: "IFLA_BRPORT_MCAST_MAX_GROUPS", Kind: U32},   // newer than the installed headers; value from x/sys
		unix.IFLA_BRPORT_NEIGH_VLAN_SUPPRESS:   {Name: "IFLA_BRPORT_NEIGH_VLAN_SUPPRESS", Kind: U8}, // newer than the installed headers; value from x/sys
		unix.IFLA_BRPORT_BACKUP_NHID:           {Name: "IFLA_BRPORT_BACKUP_NHID", Kind: U32},        // newer than the installed headers; value from x/sys
	}}

	// macvlanSpace holds the data of a macvlan or macvtap link.
	*macvlanSpace = Space{name: "macvlan", attrs: map[uint16]Attr{
		unix.IFLA_MACVLAN_MODE:              {Name: "IFLA_MACVLAN_MODE", Kind: U32},
		unix.IFLA_MACVLAN_FLAGS:             {Name: "IFLA_MACVLAN_FLAGS", Kind: U16},
		unix.IFLA_MACVLAN_MACADDR_MODE:      {Name: "IFLA_MACVLAN_MACADDR_MODE", Kind: U32},
		unix.IFLA_MACVLAN_MACADDR:           {Name: "IFLA_MACVLAN_MACADDR", Kind: HWAddr},
		unix.IFLA_MACVLAN_MACADDR_DATA:      {Name: "IFLA_MACVLAN_MACADDR_DATA", Kind: Nested, Space: macvlanMacaddrSpace},
		unix.IFLA_MACVLAN_MACADDR_COUNT:     {Name: "IFLA_MACVLAN_MACADDR_COUNT", Kind: U32},
		unix.IFLA_MACVLAN_BC_QUEUE_LEN:      {Name: "IFLA_MACVLAN_BC_QUEUE_LEN", Kind: U32},
		unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED: {Name: "IFLA_MACVLAN_BC_QUEUE_LEN_USED", Kind: U32},
		unix.IFLA_MACVLAN_BC_CUTOFF:         {Name: "IFLA_MACVLAN_BC_CUTOFF", Kind: S32}, // newer than the installed headers; value from x/sys
	}}

	// macvlanMacaddrSpace holds IFLA_MACVLAN_MACADDR_DATA, a list of
	// IFLA_MACVLAN_MACADDR.
	*macvlanMacaddrSpace = Space{name: "macvlan_macaddr_data", attrs: map[uint16]Attr{
		unix.IFLA_MACVLAN_MACADDR: {Name: "IFLA_MACVLAN_MACADDR", Kind: HWAddr},
	}}

	// vlanSpace holds the data of a vlan link.
	*vlanSpace = Space{name: "vlan", attrs: map[uint16]Attr{
		unix.IFLA_VLAN_ID:          {Name: "IFLA_VLAN_ID", Kind: U16},
		unix.IFLA_VLAN_FLAGS:       {Name: "IFLA_VLAN_FLAGS", Kind: Struct}, // struct ifla_vlan_flags
		unix.IFLA_VLAN_EGRESS_QOS:  {Name: "IFLA_VLAN_EGRESS_QOS", Kind: Nested, Space: vlanQosSpace},
		unix.IFLA_VLAN_INGRESS_QOS: {Name: "IFLA_VLAN_INGRESS_QOS", Kind: Nested, Space: vlanQosSpace},
		unix.IFLA_VLAN_PROTOCOL:    {Name: "IFLA_VLAN_PROTOCOL", Kind: BE16},
	}}

	// vlanQosSpace holds IFLA_VLAN_EGRESS_QOS and IFLA_VLAN_INGRESS_QOS.
	*vlanQosSpace = Space{name: "vlan_qos", attrs: map[uint16]Attr{
		unix.IFLA_VLAN_QOS_MAPPING: {Name: "IFLA_VLAN_QOS_MAPPING", Kind: Struct}, // struct ifla_vlan_qos_mapping
	}}

	// vrfSpace holds the data of a vrf link.
	*vrfSpace = Space{name: "vrf", attrs: map[uint16]Attr{
		unix.IFLA_VRF_TABLE: {Name: "IFLA_VRF_TABLE", Kind: U32},
	}}

	// vrfPortSpace holds the slave data of a vrf port.
	*vrfPortSpace = Space{name: "vrf_port", attrs: map[uint16]Attr{
		unix.IFLA_VRF_PORT_TABLE: {Name: "IFLA_VRF_PORT_TABLE", Kind: U32},
	}}

	// macsecSpace holds the data of a macsec link.
	*macsecSpace = Space{name: "macsec", attrs: map[uint16]Attr{
		unix.IFLA_MACSEC_SCI:            {Name: "IFLA_MACSEC_SCI", Kind: BE64},
		unix.IFLA_MACSEC_PORT:           {Name: "IFLA_MACSEC_PORT", Kind: BE16},
		unix.IFLA_MACSEC_ICV_LEN:        {Name: "IFLA_MACSEC_ICV_LEN", Kind: U8},
		unix.IFLA_MACSEC_CIPHER_SUITE:   {Name: "IFLA_MACSEC_CIPHER_SUITE", Kind: U64},
		unix.IFLA_MACSEC_WINDOW:         {Name: "IFLA_MACSEC_WINDOW", Kind: U32},
		unix.IFLA_MACSEC_ENCODING_SA:    {Name: "IFLA_MACSEC_ENCODING_SA", Kind: U8},
		unix.IFLA_MACSEC_ENCRYPT:        {Name: "IFLA_MACSEC_ENCRYPT", Kind: U8},
		unix.IFLA_MACSEC_PROTECT:        {Name: "IFLA_MACSEC_PROTECT", Kind: U8},
		unix.IFLA_MACSEC_INC_SCI:        {Name: "IFLA_MACSEC_INC_SCI", Kind: U8},
		unix.IFLA_MACSEC_ES:             {Name: "IFLA_MACSEC_ES", Kind: U8},
		unix.IFLA_MACSEC_SCB:            {Name: "IFLA_MACSEC_SCB", Kind: U8},
		unix.IFLA_MACSEC_REPLAY_PROTECT: {Name: "IFLA_MACSEC_REPLAY_PROTECT", Kind: U8},
		unix.IFLA_MACSEC_VALIDATION:     {Name: "IFLA_MACSEC_VALIDATION", Kind: U8},
		unix.IFLA_MACSEC_PAD:            {Name: "IFLA_MACSEC_PAD", Kind: Binary},
		unix.IFLA_MACSEC_OFFLOAD:        {Name: "IFLA_MACSEC_OFFLOAD", Kind: U8},
	}}

	// xfrmSpace holds the data of an xfrm link.
	*xfrmSpace = Space{name: "xfrm", attrs: map[uint16]Attr{
		unix.IFLA_XFRM_LINK:             {Name: "IFLA_XFRM_LINK", Kind: U32},
		unix.IFLA_XFRM_IF_ID:            {Name: "IFLA_XFRM_IF_ID", Kind: U32},
		unix.IFLA_XFRM_COLLECT_METADATA: {Name: "IFLA_XFRM_COLLECT_METADATA", Kind: Flag},
	}}

	// ipvlanSpace holds the data of an ipvlan or ipvtap link.
	*ipvlanSpace = Space{name: "ipvlan", attrs: map[uint16]Attr{
		unix.IFLA_IPVLAN_MODE:  {Name: "IFLA_IPVLAN_MODE", Kind: U16},
		unix.IFLA_IPVLAN_FLAGS: {Name: "IFLA_IPVLAN_FLAGS", Kind: U16},
	}}

	// geneveSpace holds the data of a geneve link.
	*geneveSpace = Space{name: "geneve", attrs: map[uint16]Attr{
		unix.IFLA_GENEVE_ID:                  {Name: "IFLA_GENEVE_ID", Kind: U32},
		unix.IFLA_GENEVE_REMOTE:              {Name: "IFLA_GENEVE_REMOTE", Kind: Addr}, // 4 bytes
		unix.IFLA_GENEVE_TTL:                 {Name: "IFLA_GENEVE_TTL", Kind: U8},
		unix.IFLA_GENEVE_TOS:                 {Name: "IFLA_GENEVE_TOS", Kind: U8},
		unix.IFLA_GENEVE_PORT:                {Name: "IFLA_GENEVE_PORT", Kind: BE16},
		unix.IFLA_GENEVE_COLLECT_METADATA:    {Name: "IFLA_GENEVE_COLLECT_METADATA", Kind: Flag},
		unix.IFLA_GENEVE_REMOTE6:             {Name: "IFLA_GENEVE_REMOTE6", Kind: Addr},
		unix.IFLA_GENEVE_UDP_CSUM:            {Name: "IFLA_GENEVE_UDP_CSUM", Kind: U8},
		unix.IFLA_GENEVE_UDP_ZERO_CSUM6_TX:   {Name: "IFLA_GENEVE_UDP_ZERO_CSUM6_TX", Kind: U8},
		unix.IFLA_GENEVE_UDP_ZERO_CSUM6_RX:   {Name: "IFLA_GENEVE_UDP_ZERO_CSUM6_RX", Kind: U8},
		unix.IFLA_GENEVE_LABEL:               {Name: "IFLA_GENEVE_LABEL", Kind: BE32},
		unix.IFLA_GENEVE_TTL_INHERIT:         {Name: "IFLA_GENEVE_TTL_INHERIT", Kind: U8},
		unix.IFLA_GENEVE_DF:                  {Name: "IFLA_GENEVE_DF", Kind: U8},
		unix.IFLA_GENEVE_INNER_PROTO_INHERIT: {Name: "IFLA_GENEVE_INNER_PROTO_INHERIT", Kind: Flag},
	}}

	// bareUDPSpace holds the data of a bareudp link.
	*bareUDPSpace = Space{name: "bareudp", attrs: map[uint16]Attr{
		unix.IFLA_BAREUDP_PORT:            {Name: "IFLA_BAREUDP_PORT", Kind: BE16},
		unix.IFLA_BAREUDP_ETHERTYPE:       {Name: "IFLA_BAREUDP_ETHERTYPE", Kind: BE16},
		unix.IFLA_BAREUDP_SRCPORT_MIN:     {Name: "IFLA_BAREUDP_SRCPORT_MIN", Kind: U16},
		unix.IFLA_BAREUDP_MULTIPROTO_MODE: {Name: "IFLA_BAREUDP_MULTIPROTO_MODE", Kind: Flag},
	}}

	// pppSpace holds the data of a ppp link.
	*pppSpace = Space{name: "ppp", attrs: map[uint16]Attr{
		unix.IFLA_PPP_DEV_FD: {Name: "IFLA_PPP_DEV_FD", Kind: S32},
	}}

	// gtpSpace holds the data of a gtp link.
	*gtpSpace = Space{name: "gtp", attrs: map[uint16]Attr{
		unix.IFLA_GTP_FD0:            {Name: "IFLA_GTP_FD0", Kind: U32},
		unix.IFLA_GTP_FD1:            {Name: "IFLA_GTP_FD1", Kind: U32},
		unix.IFLA_GTP_PDP_HASHSIZE:   {Name: "IFLA_GTP_PDP_HASHSIZE", Kind: U32},
		unix.IFLA_GTP_ROLE:           {Name: "IFLA_GTP_ROLE", Kind: U32},
		unix.IFLA_GTP_CREATE_SOCKETS: {Name: "IFLA_GTP_CREATE_SOCKETS", Kind: U8},
		unix.IFLA_GTP_RESTART_COUNT:  {Name: "IFLA_GTP_RESTART_COUNT", Kind: U8},
		unix.IFLA_GTP_LOCAL:          {Name: "IFLA_GTP_LOCAL", Kind: Addr},  // newer than the installed headers; value from x/sys; 4 bytes
		unix.IFLA_GTP_LOCAL6:         {Name: "IFLA_GTP_LOCAL6", Kind: Addr}, // newer than the installed headers; value from x/sys
	}}

	// bondSpace holds the data of a bond link.
	*bondSpace = Space{name: "bond", attrs: map[uint16]Attr{
		unix.IFLA_BOND_MODE:              {Name: "IFLA_BOND_MODE", Kind: U8},
		unix.IFLA_BOND_ACTIVE_SLAVE:      {Name: "IFLA_BOND_ACTIVE_SLAVE", Kind: U32},
		unix.IFLA_BOND_MIIMON:            {Name: "IFLA_BOND_MIIMON", Kind: U32},
		unix.IFLA_BOND_UPDELAY:           {Name: "IFLA_BOND_UPDELAY", Kind: U32},
		unix.IFLA_BOND_DOWNDELAY:         {Name: "IFLA_BOND_DOWNDELAY", Kind: U32},
		unix.IFLA_BOND_USE_CARRIER:       {Name: "IFLA_BOND_USE_CARRIER", Kind: U8},
		unix.IFLA_BOND_ARP_INTERVAL:      {Name: "IFLA_BOND_ARP_INTERVAL", Kind: U32},
		unix.IFLA_BOND_ARP_IP_TARGET:     {Name: "IFLA_BOND_ARP_IP_TARGET", Kind: Nested}, // IPv4 addresses numbered from 0
		unix.IFLA_BOND_ARP_VALIDATE:      {Name: "IFLA_BOND_ARP_VALIDATE", Kind: U32},
		unix.IFLA_BOND_ARP_ALL_TARGETS:   {Name: "IFLA_BOND_ARP_ALL_TARGETS", Kind: U32},
		unix.IFLA_BOND_PRIMARY:           {Name: "IFLA_BOND_PRIMARY", Kind: U32},
		unix.IFLA_BOND_PRIMARY_RESELECT:  {Name: "IFLA_BOND_PRIMARY_RESELECT", Kind: U8},
		unix.IFLA_BOND_FAIL_OVER_MAC:     {Name: "IFLA_BOND_FAIL_OVER_MAC", Kind: U8},
		unix.IFLA_BOND_XMIT_HASH_POLICY:  {Name: "IFLA_BOND_XMIT_HASH_POLICY", Kind: U8},
		unix.IFLA_BOND_RESEND_IGMP:       {Name: "IFLA_BOND_RESEND_IGMP", Kind: U32},
		unix.IFLA_BOND_NUM_PEER_NOTIF:    {Name: "IFLA_BOND_NUM_PEER_NOTIF", Kind: U8},
		unix.IFLA_BOND_ALL_SLAVES_ACTIVE: {Name: "IFLA_BOND_ALL_SLAVES_ACTIVE", Kind: U8},
		unix.IFLA_BOND_MIN_LINKS:         {Name: "IFLA_BOND_MIN_LINKS", Kind: U32},
		unix.IFLA_BOND_LP_INTERVAL:       {Name: "IFLA_BOND_LP_INTERVAL", Kind: U32},
		unix.IFLA_BOND_PACKETS_PER_SLAVE: {Name: "IFLA_BOND_PACKETS_PER_SLAVE", Kind: U32},
		unix.IFLA_BOND_AD_LACP_RATE:      {Name: "IFLA_BOND_AD_LACP_RATE", Kind: U8},
		unix.IFLA_BOND_AD_SELECT:         {Name: "IFLA_BOND_AD_SELECT", Kind: U8},
		unix.IFLA_BOND_AD_INFO:           {Name: "IFLA_BOND_AD_INFO", Kind: Nested, Space: bondADInfoSpace},
		unix.IFLA_BOND_AD_ACTOR_SYS_PRIO: {Name: "IFLA_BOND_AD_ACTOR_SYS_PRIO", Kind: U16},
		unix.IFLA_BOND_AD_USER_PORT_KEY:  {Name: "IFLA_BOND_AD_USER_PORT_KEY", Kind: U16},
		unix.IFLA_BOND_AD_ACTOR_SYSTEM:   {Name: "IFLA_BOND_AD_ACTOR_SYSTEM", Kind: HWAddr},
		unix.IFLA_BOND_TLB_DYNAMIC_LB:    {Name: "IFLA_BOND_TLB_DYNAMIC_LB", Kind: U8},
		unix.IFLA_BOND_PEER_NOTIF_DELAY:  {Name: "IFLA_BOND_PEER_NOTIF_DELAY", Kind: U32},
		unix.IFLA_BOND_AD_LACP_ACTIVE:    {Name: "IFLA_BOND_AD_LACP_ACTIVE", Kind: U8},
		unix.IFLA_BOND_MISSED_MAX:        {Name: "IFLA_BOND_MISSED_MAX", Kind: U8},
		unix.IFLA_BOND_NS_IP6_TARGET:     {Name: "IFLA_BOND_NS_IP6_TARGET", Kind: Nested}, // IPv6 addresses numbered from 0
		unix.IFLA_BOND_COUPLED_CONTROL:   {Name: "IFLA_BOND_COUPLED_CONTROL", Kind: U8},
	}}

	// bondADInfoSpace holds IFLA_BOND_AD_INFO.
	*bondADInfoSpace = Space{name: "bond_ad_info", attrs: map[uint16]Attr{
		unix.IFLA_BOND_AD_INFO_AGGREGATOR:  {Name: "IFLA_BOND_AD_INFO_AGGREGATOR", Kind: U16},
		unix.IFLA_BOND_AD_INFO_NUM_PORTS:   {Name: "IFLA_BOND_AD_INFO_NUM_PORTS", Kind: U16},
		unix.IFLA_BOND_AD_INFO_ACTOR_KEY:   {Name: "IFLA_BOND_AD_INFO_ACTOR_KEY", Kind: U16},
		unix.IFLA_BOND_AD_INFO_PARTNER_KEY: {Name: "IFLA_BOND_AD_INFO_PARTNER_KEY", Kind: U16},
		unix.IFLA_BOND_AD_INFO_PARTNER_MAC: {Name: "IFLA_BOND_AD_INFO_PARTNER_MAC", Kind: HWAddr},
	}}

	// bondSlaveSpace holds the slave data of a bond port.
	*bondSlaveSpace = Space{name: "bond_slave", attrs: map[uint16]Attr{
		unix.IFLA_BOND_SLAVE_STATE:                      {Name: "IFLA_BOND_SLAVE_STATE", Kind: U8},
		unix.IFLA_BOND_SLAVE_MII_STATUS:                 {Name: "IFLA_BOND_SLAVE_MII_STATUS", Kind: U8},
		unix.IFLA_BOND_SLAVE_LINK_FAILURE_COUNT:         {Name: "IFLA_BOND_SLAVE_LINK_FAILURE_COUNT", Kind: U32},
		unix.IFLA_BOND_SLAVE_PERM_HWADDR:                {Name: "IFLA_BOND_SLAVE_PERM_HWADDR", Kind: HWAddr},
		unix.IFLA_BOND_SLAVE_QUEUE_ID:                   {Name: "IFLA_BOND_SLAVE_QUEUE_ID", Kind: U16},
		unix.IFLA_BOND_SLAVE_AD_AGGREGATOR_ID:           {Name: "IFLA_BOND_SLAVE_AD_AGGREGATOR_ID", Kind: U16},
		unix.IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE:   {Name: "IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE", Kind: U8},
		unix.IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE: {Name: "IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE", Kind: U16},
		unix.IFLA_BOND_SLAVE_PRIO:                       {Name: "IFLA_BOND_SLAVE_PRIO", Kind: S32},
		10:                                              {Name: "IFLA_BOND_SLAVE_ACTOR_PORT_PRIO", Kind: U16},       // linux/if_link.h
		11:                                              {Name: "IFLA_BOND_SLAVE_AD_CHURN_ACTOR_STATE", Kind: U8},   // linux/if_link.h
		12:                                              {Name: "IFLA_BOND_SLAVE_AD_CHURN_PARTNER_STATE", Kind: U8}, // linux/if_link.h
	}}

	// ipoibSpace holds the data of an ipoib link.
	*ipoibSpace = Space{name: "ipoib", attrs: map[uint16]Attr{
		unix.IFLA_IPOIB_PKEY:   {Name: "IFLA_IPOIB_PKEY", Kind: U16},
		unix.IFLA_IPOIB_MODE:   {Name: "IFLA_IPOIB_MODE", Kind: U16},
		unix.IFLA_IPOIB_UMCAST: {Name: "IFLA_IPOIB_UMCAST", Kind: U16},
	}}

	// hsrSpace holds the data of an hsr link.
	*hsrSpace = Space{name: "hsr", attrs: map[uint16]Attr{
		unix.IFLA_HSR_SLAVE1:           {Name: "IFLA_HSR_SLAVE1", Kind: U32},
		unix.IFLA_HSR_SLAVE2:           {Name: "IFLA_HSR_SLAVE2", Kind: U32},
		unix.IFLA_HSR_MULTICAST_SPEC:   {Name: "IFLA_HSR_MULTICAST_SPEC", Kind: U8},
		unix.IFLA_HSR_SUPERVISION_ADDR: {Name: "IFLA_HSR_SUPERVISION_ADDR", Kind: HWAddr},
		unix.IFLA_HSR_SEQ_NR:           {Name: "IFLA_HSR_SEQ_NR", Kind: U16},
		unix.IFLA_HSR_VERSION:          {Name: "IFLA_HSR_VERSION", Kind: U8},
		unix.IFLA_HSR_PROTOCOL:         {Name: "IFLA_HSR_PROTOCOL", Kind: U8},
		unix.IFLA_HSR_INTERLINK:        {Name: "IFLA_HSR_INTERLINK", Kind: U32}, // newer than the installed headers; value from x/sys
	}}

	// tunSpace holds the data of a tun link.
	*tunSpace = Space{name: "tun", attrs: map[uint16]Attr{
		unix.IFLA_TUN_OWNER:               {Name: "IFLA_TUN_OWNER", Kind: U32},
		unix.IFLA_TUN_GROUP:               {Name: "IFLA_TUN_GROUP", Kind: U32},
		unix.IFLA_TUN_TYPE:                {Name: "IFLA_TUN_TYPE", Kind: U8},
		unix.IFLA_TUN_PI:                  {Name: "IFLA_TUN_PI", Kind: U8},
		unix.IFLA_TUN_VNET_HDR:            {Name: "IFLA_TUN_VNET_HDR", Kind: U8},
		unix.IFLA_TUN_PERSIST:             {Name: "IFLA_TUN_PERSIST", Kind: U8},
		unix.IFLA_TUN_MULTI_QUEUE:         {Name: "IFLA_TUN_MULTI_QUEUE", Kind: U8},
		unix.IFLA_TUN_NUM_QUEUES:          {Name: "IFLA_TUN_NUM_QUEUES", Kind: U32},
		unix.IFLA_TUN_NUM_DISABLED_QUEUES: {Name: "IFLA_TUN_NUM_DISABLED_QUEUES", Kind: U32},
	}}

	// rmnetSpace holds the data of an rmnet link.
	*rmnetSpace = Space{name: "rmnet", attrs: map[uint16]Attr{
		unix.IFLA_RMNET_MUX_ID: {Name: "IFLA_RMNET_MUX_ID", Kind: U16},
		unix.IFLA_RMNET_FLAGS:  {Name: "IFLA_RMNET_FLAGS", Kind: Struct}, // struct ifla_rmnet_flags
	}}

	// dsaSpace holds the data of a dsa link.
	*dsaSpace = Space{name: "dsa", attrs: map[uint16]Attr{
		unix.IFLA_DSA_MASTER: {Name: "IFLA_DSA_MASTER", Kind: U32},
	}}

	// addrSpace holds the IFA_* attributes of an address message.
	*addrSpace = Space{name: "addr", attrs: map[uint16]Attr{
		unix.IFA_ADDRESS:        {Name: "IFA_ADDRESS", Kind: Addr},
		unix.IFA_LOCAL:          {Name: "IFA_LOCAL", Kind: Addr},
		unix.IFA_LABEL:          {Name: "IFA_LABEL", Kind: String},
		unix.IFA_BROADCAST:      {Name: "IFA_BROADCAST", Kind: Addr},
		unix.IFA_ANYCAST:        {Name: "IFA_ANYCAST", Kind: Addr},
		unix.IFA_CACHEINFO:      {Name: "IFA_CACHEINFO", Kind: Struct}, // struct ifa_cacheinfo
		unix.IFA_MULTICAST:      {Name: "IFA_MULTICAST", Kind: Addr},
		unix.IFA_FLAGS:          {Name: "IFA_FLAGS", Kind: U32},
		unix.IFA_RT_PRIORITY:    {Name: "IFA_RT_PRIORITY", Kind: U32},
		unix.IFA_TARGET_NETNSID: {Name: "IFA_TARGET_NETNSID", Kind: S32},
		11:                      {Name: "IFA_PROTO", Kind: U8}, // linux/if_addr.h
	}}

	// routeSpace holds the RTA_* attributes of a route message.
	*routeSpace = Space{name: "route", attrs: map[uint16]Attr{
		unix.RTA_DST:           {Name: "RTA_DST", Kind: Addr},
		unix.RTA_SRC:           {Name: "RTA_SRC", Kind: Addr},
		unix.RTA_IIF:           {Name: "RTA_IIF", Kind: U32},
		unix.RTA_OIF:           {Name: "RTA_OIF", Kind: U32},
		unix.RTA_GATEWAY:       {Name: "RTA_GATEWAY", Kind: Addr},
		unix.RTA_PRIORITY:      {Name: "RTA_PRIORITY", Kind: U32},
		unix.RTA_PREFSRC:       {Name: "RTA_PREFSRC", Kind: Addr},
		unix.RTA_METRICS:       {Name: "RTA_METRICS", Kind: Nested, Space: metricsSpace},
		unix.RTA_MULTIPATH:     {Name: "RTA_MULTIPATH", Kind: Binary}, // array of struct rtnexthop, each followed by RTA_* attributes
		10:                     {Name: "RTA_PROTOINFO", Kind: Binary}, // linux/rtnetlink.h; no longer used
		unix.RTA_FLOW:          {Name: "RTA_FLOW", Kind: U32},
		unix.RTA_CACHEINFO:     {Name: "RTA_CACHEINFO", Kind: Struct}, // struct rta_cacheinfo
		13:                     {Name: "RTA_SESSION", Kind: Binary},   // linux/rtnetlink.h; no longer used
		14:                     {Name: "RTA_MP_ALGO", Kind: Binary},   // linux/rtnetlink.h; no longer used
		unix.RTA_TABLE:         {Name: "RTA_TABLE", Kind: U32},
		unix.RTA_MARK:          {Name: "RTA_MARK", Kind: U32},
		unix.RTA_MFC_STATS:     {Name: "RTA_MFC_STATS", Kind: Struct}, // struct rta_mfc_stats
		unix.RTA_VIA:           {Name: "RTA_VIA", Kind: Binary},       // struct rtvia
		unix.RTA_NEWDST:        {Name: "RTA_NEWDST", Kind: Binary},    // MPLS labels
		unix.RTA_PREF:          {Name: "RTA_PREF", Kind: U8},
		unix.RTA_ENCAP_TYPE:    {Name: "RTA_ENCAP_TYPE", Kind: U16},
		unix.RTA_ENCAP:         {Name: "RTA_ENCAP", Kind: Nested}, // numbered by RTA_ENCAP_TYPE (linux/lwtunnel.h)
		unix.RTA_EXPIRES:       {Name: "RTA_EXPIRES", Kind: U32},
		unix.RTA_PAD:           {Name: "RTA_PAD", Kind: Binary},
		unix.RTA_UID:           {Name: "RTA_UID", Kind: U32},
		unix.RTA_TTL_PROPAGATE: {Name: "RTA_TTL_PROPAGATE", Kind: U8},
		unix.RTA_IP_PROTO:      {Name: "RTA_IP_PROTO", Kind: U8},
		unix.RTA_SPORT:         {Name: "RTA_SPORT", Kind: BE16},
		unix.RTA_DPORT:         {Name: "RTA_DPORT", Kind: BE16},
		30:                     {Name: "RTA_NH_ID", Kind: U32}, // linux/rtnetlink.h
	}}

	// metricsSpace holds RTA_METRICS.
	*metricsSpace = Space{name: "metrics", attrs: map[uint16]Attr{
		unix.RTAX_LOCK:               {Name: "RTAX_LOCK", Kind: U32},
		unix.RTAX_MTU:                {Name: "RTAX_MTU", Kind: U32},
		unix.RTAX_WINDOW:             {Name: "RTAX_WINDOW", Kind: U32},
		unix.RTAX_RTT:                {Name: "RTAX_RTT", Kind: U32},
		unix.RTAX_RTTVAR:             {Name: "RTAX_RTTVAR", Kind: U32},
		unix.RTAX_SSTHRESH:           {Name: "RTAX_SSTHRESH", Kind: U32},
		unix.RTAX_CWND:               {Name: "RTAX_CWND", Kind: U32},
		unix.RTAX_ADVMSS:             {Name: "RTAX_ADVMSS", Kind: U32},
		unix.RTAX_REORDERING:         {Name: "RTAX_REORDERING", Kind: U32},
		unix.RTAX_HOPLIMIT:           {Name: "RTAX_HOPLIMIT", Kind: U32},
		unix.RTAX_INITCWND:           {Name: "RTAX_INITCWND", Kind: U32},
		unix.RTAX_FEATURES:           {Name: "RTAX_FEATURES", Kind: U32},
		unix.RTAX_RTO_MIN:            {Name: "RTAX_RTO_MIN", Kind: U32},
		unix.RTAX_INITRWND:           {Name: "RTAX_INITRWND", Kind: U32},
		unix.RTAX_QUICKACK:           {Name: "RTAX_QUICKACK", Kind: U32},
		unix.RTAX_CC_ALGO:            {Name: "RTAX_CC_ALGO", Kind: String},
		unix.RTAX_FASTOPEN_NO_COOKIE: {Name: "RTAX_FASTOPEN_NO_COOKIE", Kind: U32},
	}}

	// neighSpace holds the NDA_* attributes of a neighbour message.
	*neighSpace = Space{name: "neigh", attrs: map[uint16]Attr{
		unix.NDA_DST:          {Name: "NDA_DST", Kind: Addr},
		unix.NDA_LLADDR:       {Name: "NDA_LLADDR", Kind: HWAddr},
		unix.NDA_CACHEINFO:    {Name: "NDA_CACHEINFO", Kind: Struct}, // struct nda_cacheinfo
		unix.NDA_PROBES:       {Name: "NDA_PROBES", Kind: U32},
		unix.NDA_VLAN:         {Name: "NDA_VLAN", Kind: U16},
		unix.NDA_PORT:         {Name: "NDA_PORT", Kind: BE16},
		unix.NDA_VNI:          {Name: "NDA_VNI", Kind: U32},
		unix.NDA_IFINDEX:      {Name: "NDA_IFINDEX", Kind: U32},
		unix.NDA_MASTER:       {Name: "NDA_MASTER", Kind: U32},
		unix.NDA_LINK_NETNSID: {Name: "NDA_LINK_NETNSID", Kind: S32},
		unix.NDA_SRC_VNI:      {Name: "NDA_SRC_VNI", Kind: U32},
		12:                    {Name: "NDA_PROTOCOL", Kind: U8},                              // linux/neighbour.h
		13:                    {Name: "NDA_NH_ID", Kind: U32},                                // linux/neighbour.h
		14:                    {Name: "NDA_FDB_EXT_ATTRS", Kind: Nested, Space: fdbExtSpace}, // linux/neighbour.h
		15:                    {Name: "NDA_FLAGS_EXT", Kind: U32},                            // linux/neighbour.h
		16:                    {Name: "NDA_NDM_STATE_MASK", Kind: U16},                       // linux/neighbour.h
		17:                    {Name: "NDA_NDM_FLAGS_MASK", Kind: U8},                        // linux/neighbour.h
	}}

	// fdbExtSpace holds NDA_FDB_EXT_ATTRS.
	*fdbExtSpace = Space{name: "fdb_ext", attrs: map[uint16]Attr{
		1: {Name: "NFEA_ACTIVITY_NOTIFY", Kind: U8}, // linux/neighbour.h
		2: {Name: "NFEA_DONT_REFRESH", Kind: Flag},  // linux/neighbour.h
	}}

	// neighTblSpace holds the NDTA_* attributes of a neighbour table message.
	*neighTblSpace = Space{name: "neightbl", attrs: map[uint16]Attr{
		1: {Name: "NDTA_NAME", Kind: String},                             // linux/neighbour.h
		2: {Name: "NDTA_THRESH1", Kind: U32},                             // linux/neighbour.h
		3: {Name: "NDTA_THRESH2", Kind: U32},                             // linux/neighbour.h
		4: {Name: "NDTA_THRESH3", Kind: U32},                             // linux/neighbour.h
		5: {Name: "NDTA_CONFIG", Kind: Struct},                           // linux/neighbour.h; struct ndt_config
		6: {Name: "NDTA_PARMS", Kind: Nested, Space: neighTblParmsSpace}, // linux/neighbour.h
		7: {Name: "NDTA_STATS", Kind: Struct},                            // linux/neighbour.h; struct ndt_stats
		8: {Name: "NDTA_GC_INTERVAL", Kind: U64},                         // linux/neighbour.h
		9: {Name: "NDTA_PAD", Kind: Binary},                              // linux/neighbour.h
	}}

	// neighTblParmsSpace holds NDTA_PARMS.
	*neighTblParmsSpace = Space{name: "neightbl_parms", attrs: map[uint16]Attr{
		1:  {Name: "NDTPA_IFINDEX", Kind: U32},                // linux/neighbour.h
		2:  {Name: "NDTPA_REFCNT", Kind: U32},                 // linux/neighbour.h
		3:  {Name: "NDTPA_REACHABLE_TIME", Kind: U64},         // linux/neighbour.h
		4:  {Name: "NDTPA_BASE_REACHABLE_TIME", Kind: U64},    // linux/neighbour.h
		5:  {Name: "NDTPA_RETRANS_TIME", Kind: U64},           // linux/neighbour.h
		6:  {Name: "NDTPA_GC_STALETIME", Kind: U64},           // linux/neighbour.h
		7:  {Name: "NDTPA_DELAY_PROBE_TIME", Kind: U64},       // linux/neighbour.h
		8:  {Name: "NDTPA_QUEUE_LEN", Kind: U32},              // linux/neighbour.h
		9:  {Name: "NDTPA_APP_PROBES", Kind: U32},             // linux/neighbour.h
		10: {Name: "NDTPA_UCAST_PROBES", Kind: U32},           // linux/neighbour.h
		11: {Name: "NDTPA_MCAST_PROBES", Kind: U32},           // linux/neighbour.h
		12: {Name: "NDTPA_ANYCAST_DELAY", Kind: U64},          // linux/neighbour.h
		13: {Name: "NDTPA_PROXY_DELAY", Kind: U64},            // linux/neighbour.h
		14: {Name: "NDTPA_PROXY_QLEN", Kind: U32},             // linux/neighbour.h
		15: {Name: "NDTPA_LOCKTIME", Kind: U64},               // linux/neighbour.h
		16: {Name: "NDTPA_QUEUE_LENBYTES", Kind: U32},         // linux/neighbour.h
		17: {Name: "NDTPA_MCAST_REPROBES", Kind: U32},         // linux/neighbour.h
		18: {Name: "NDTPA_PAD", Kind: Binary},                 // linux/neighbour.h
		19: {Name: "NDTPA_INTERVAL_PROBE_TIME_MS", Kind: U64}, // linux/neighbour.h
	}}

	// ruleSpace holds the FRA_* attributes of a rule message.
	*ruleSpace = Space{name: "rule", attrs: map[uint16]Attr{
		unix.FRA_DST:                {Name: "FRA_DST", Kind: Addr},
		unix.FRA_SRC:                {Name: "FRA_SRC", Kind: Addr},
		unix.FRA_IIFNAME:            {Name: "FRA_IIFNAME", Kind: String},
		unix.FRA_GOTO:               {Name: "FRA_GOTO", Kind: U32},
		unix.FRA_UNUSED2:            {Name: "FRA_UNUSED2", Kind: Binary},
		unix.FRA_PRIORITY:           {Name: "FRA_PRIORITY", Kind: U32},
		unix.FRA_UNUSED3:            {Name: "FRA_UNUSED3", Kind: Binary},
		unix.FRA_UNUSED4:            {Name: "FRA_UNUSED4", Kind: Binary},
		unix.FRA_UNUSED5:            {Name: "FRA_UNUSED5", Kind: Binary},
		unix.FRA_FWMARK:             {Name: "FRA_FWMARK", Kind: U32},
		unix.FRA_FLOW:               {Name: "FRA_FLOW", Kind: U32},
		unix.FRA_TUN_ID:             {Name: "FRA_TUN_ID", Kind: BE64},
		unix.FRA_SUPPRESS_IFGROUP:   {Name: "FRA_SUPPRESS_IFGROUP", Kind: U32},
		unix.FRA_SUPPRESS_PREFIXLEN: {Name: "FRA_SUPPRESS_PREFIXLEN", Kind: U32},
		unix.FRA_TABLE:              {Name: "FRA_TABLE", Kind: U32},
		unix.FRA_FWMASK:             {Name: "FRA_FWMASK", Kind: U32},
		unix.FRA_OIFNAME:            {Name: "FRA_OIFNAME", Kind: String},
		unix.FRA_PAD:                {Name: "FRA_PAD", Kind: Binary},
		unix.FRA_L3MDEV:             {Name: "FRA_L3MDEV", Kind: U8},
		unix.FRA_UID_RANGE:          {Name: "FRA_UID_RANGE", Kind: Struct}, // struct fib_rule_uid_range
		unix.FRA_PROTOCOL:           {Name: "FRA_PROTOCOL", Kind: U8},
		unix.FRA_IP_PROTO:           {Name: "FRA_IP_PROTO", Kind: U8},
		unix.FRA_SPORT_RANGE:        {Name: "FRA_SPORT_RANGE", Kind: Struct}, // struct fib_rule_port_range
		unix.FRA_DPORT_RANGE:        {Name: "FRA_DPORT_RANGE", Kind: Struct}, // struct fib_rule_port_range
	}}

	// tcSpace holds the TCA_* attributes of a qdisc, class, filter or chain
	// message.
	*tcSpace = Space{name: "tc", attrs: map[uint16]Attr{
		unix.TCA_KIND:           {Name: "TCA_KIND", Kind: String},
		unix.TCA_OPTIONS:        {Name: "TCA_OPTIONS", Kind: Binary}, // attributes numbered by TCA_KIND
		unix.TCA_STATS:          {Name: "TCA_STATS", Kind: Struct},   // struct tc_stats
		unix.TCA_XSTATS:         {Name: "TCA_XSTATS", Kind: Binary},
		unix.TCA_RATE:           {Name: "TCA_RATE", Kind: Struct}, // struct tc_estimator
		unix.TCA_FCNT:           {Name: "TCA_FCNT", Kind: Binary}, // unused
		unix.TCA_STATS2:         {Name: "TCA_STATS2", Kind: Nested, Space: tcStatsSpace},
		unix.TCA_STAB:           {Name: "TCA_STAB", Kind: Nested, Space: tcStabSpace},
		unix.TCA_PAD:            {Name: "TCA_PAD", Kind: Binary},
		unix.TCA_DUMP_INVISIBLE: {Name: "TCA_DUMP_INVISIBLE", Kind: Flag},
		unix.TCA_CHAIN:          {Name: "TCA_CHAIN", Kind: U32},
		unix.TCA_HW_OFFLOAD:     {Name: "TCA_HW_OFFLOAD", Kind: U8},
		unix.TCA_INGRESS_BLOCK:  {Name: "TCA_INGRESS_BLOCK", Kind: U32},
		unix.TCA_EGRESS_BLOCK:   {Name: "TCA_EGRESS_BLOCK", Kind: U32},
		unix.TCA_DUMP_FLAGS:     {Name: "TCA_DUMP_FLAGS", Kind: Struct}, // struct nla_bitfield32
		unix.TCA_EXT_WARN_MSG:   {Name: "TCA_EXT_WARN_MSG", Kind: String},
	}}

	// tcStatsSpace holds TCA_STATS2 and TCA_ACT_STATS.
	*tcStatsSpace = Space{name: "tc_stats", attrs: map[uint16]Attr{
		1: {Name: "TCA_STATS_BASIC", Kind: Struct},      // linux/gen_stats.h; struct gnet_stats_basic
		2: {Name: "TCA_STATS_RATE_EST", Kind: Struct},   // linux/gen_stats.h; struct gnet_stats_rate_est
		3: {Name: "TCA_STATS_QUEUE", Kind: Struct},      // linux/gen_stats.h; struct gnet_stats_queue
		4: {Name: "TCA_STATS_APP", Kind: Binary},        // linux/gen_stats.h
		5: {Name: "TCA_STATS_RATE_EST64", Kind: Struct}, // linux/gen_stats.h; struct gnet_stats_rate_est64
		6: {Name: "TCA_STATS_PAD", Kind: Binary},        // linux/gen_stats.h
		7: {Name: "TCA_STATS_BASIC_HW", Kind: Struct},   // linux/gen_stats.h; struct gnet_stats_basic
		8: {Name: "TCA_STATS_PKT64", Kind: U64},         // linux/gen_stats.h
	}}

	// tcStabSpace holds TCA_STAB.
	*tcStabSpace = Space{name: "tc_stab", attrs: map[uint16]Attr{
		1: {Name: "TCA_STAB_BASE", Kind: Struct}, // linux/pkt_sched.h; struct tc_sizespec
		2: {Name: "TCA_STAB_DATA", Kind: Binary}, // linux/pkt_sched.h; array of u16
	}}

	// tcRootSpace holds the TCA_ROOT_* attributes of an action message.
	*tcRootSpace = Space{name: "tc_root", attrs: map[uint16]Attr{
		unix.TCA_ROOT_TAB:          {Name: "TCA_ROOT_TAB", Kind: NestedArray, Space: tcActSpace}, // also TCA_ACT_TAB
		unix.TCA_ROOT_FLAGS:        {Name: "TCA_ROOT_FLAGS", Kind: Struct},                       // struct nla_bitfield32
		unix.TCA_ROOT_COUNT:        {Name: "TCA_ROOT_COUNT", Kind: U32},
		unix.TCA_ROOT_TIME_DELTA:   {Name: "TCA_ROOT_TIME_DELTA", Kind: U32},
		unix.TCA_ROOT_EXT_WARN_MSG: {Name: "TCA_ROOT_EXT_WARN_MSG", Kind: String},
	}}

	// tcActSpace holds one action of TCA_ROOT_TAB.
	*tcActSpace = Space{name: "tc_act", attrs: map[uint16]Attr{
		1:  {Name: "TCA_ACT_KIND", Kind: String},                       // linux/pkt_cls.h
		2:  {Name: "TCA_ACT_OPTIONS", Kind: Binary},                    // linux/pkt_cls.h; attributes numbered by TCA_ACT_KIND
		3:  {Name: "TCA_ACT_INDEX", Kind: U32},                         // linux/pkt_cls.h
		4:  {Name: "TCA_ACT_STATS", Kind: Nested, Space: tcStatsSpace}, // linux/pkt_cls.h
		5:  {Name: "TCA_ACT_PAD", Kind: Binary},                        // linux/pkt_cls.h
		6:  {Name: "TCA_ACT_COOKIE", Kind: Binary},                     // linux/pkt_cls.h
		7:  {Name: "TCA_ACT_FLAGS", Kind: Struct},                      // linux/pkt_cls.h; struct nla_bitfield32
		8:  {Name: "TCA_ACT_HW_STATS", Kind: Struct},                   // linux/pkt_cls.h; struct nla_bitfield32
		9:  {Name: "TCA_ACT_USED_HW_STATS", Kind: Struct},              // linux/pkt_cls.h; struct nla_bitfield32
		10: {Name: "TCA_ACT_IN_HW_COUNT", Kind: U32},                   // linux/pkt_cls.h
	}}

	// prefixSpace holds the PREFIX_* attributes of a prefix message.
	*prefixSpace = Space{name: "prefix", attrs: map[uint16]Attr{
		unix.PREFIX_ADDRESS:   {Name: "PREFIX_ADDRESS", Kind: Addr},
		unix.PREFIX_CACHEINFO: {Name: "PREFIX_CACHEINFO", Kind: Struct}, // struct prefix_cacheinfo
	}}

	// addrLabelSpace holds the IFAL_* attributes of an address label message.
	*addrLabelSpace = Space{name: "addrlabel", attrs: map[uint16]Attr{
		unix.IFAL_ADDRESS: {Name: "IFAL_ADDRESS", Kind: Addr},
		unix.IFAL_LABEL:   {Name: "IFAL_LABEL", Kind: U32},
	}}

	// dcbSpace holds the top-level DCB_ATTR_* attributes; the nests are not
	// described further.
	*dcbSpace = Space{name: "dcb", attrs: map[uint16]Attr{
		1:  {Name: "DCB_ATTR_IFNAME", Kind: String},      // linux/dcbnl.h
		2:  {Name: "DCB_ATTR_STATE", Kind: U8},           // linux/dcbnl.h
		3:  {Name: "DCB_ATTR_PFC_STATE", Kind: U8},       // linux/dcbnl.h
		4:  {Name: "DCB_ATTR_PFC_CFG", Kind: Nested},     // linux/dcbnl.h
		5:  {Name: "DCB_ATTR_NUM_TC", Kind: U8},          // linux/dcbnl.h
		6:  {Name: "DCB_ATTR_PG_CFG", Kind: Nested},      // linux/dcbnl.h
		7:  {Name: "DCB_ATTR_SET_ALL", Kind: U8},         // linux/dcbnl.h
		8:  {Name: "DCB_ATTR_PERM_HWADDR", Kind: Nested}, // linux/dcbnl.h
		9:  {Name: "DCB_ATTR_CAP", Kind: Nested},         // linux/dcbnl.h
		10: {Name: "DCB_ATTR_NUMTCS", Kind: Nested},      // linux/dcbnl.h
		11: {Name: "DCB_ATTR_BCN", Kind: Nested},         // linux/dcbnl.h
		12: {Name: "DCB_ATTR_APP", Kind: Nested},         // linux/dcbnl.h
		13: {Name: "DCB_ATTR_IEEE", Kind: Nested},        // linux/dcbnl.h
		14: {Name: "DCB_ATTR_DCBX", Kind: U8},            // linux/dcbnl.h
		15: {Name: "DCB_ATTR_FEATCFG", Kind: Nested},     // linux/dcbnl.h
		16: {Name: "DCB_ATTR_CEE", Kind: Nested},         // linux/dcbnl.h
	}}

	// netconfSpace holds the NETCONFA_* attributes of a netconf message.
	*netconfSpace = Space{name: "netconf", attrs: map[uint16]Attr{
		1: {Name: "NETCONFA_IFINDEX", Kind: S32},                     // linux/netconf.h
		2: {Name: "NETCONFA_FORWARDING", Kind: S32},                  // linux/netconf.h
		3: {Name: "NETCONFA_RP_FILTER", Kind: S32},                   // linux/netconf.h
		4: {Name: "NETCONFA_MC_FORWARDING", Kind: S32},               // linux/netconf.h
		5: {Name: "NETCONFA_PROXY_NEIGH", Kind: S32},                 // linux/netconf.h
		6: {Name: "NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN", Kind: S32}, // linux/netconf.h
		7: {Name: "NETCONFA_INPUT", Kind: S32},                       // linux/netconf.h
		8: {Name: "NETCONFA_BC_FORWARDING", Kind: S32},               // linux/netconf.h
	}}

	// mdbSetSpace holds the MDBA_SET_ENTRY_* attributes of RTM_NEWMDB and
	// RTM_DELMDB requests.
	*mdbSetSpace = Space{name: "mdb_set", attrs: map[uint16]Attr{
		1: {Name: "MDBA_SET_ENTRY", Kind: Struct},                             // linux/if_bridge.h; struct br_mdb_entry
		2: {Name: "MDBA_SET_ENTRY_ATTRS", Kind: Nested, Space: mdbeAttrSpace}, // linux/if_bridge.h
	}}

	// mdbeAttrSpace holds MDBA_SET_ENTRY_ATTRS. Kernels newer than the
	// installed UAPI headers add more MDBE_ATTR_* types, shown as numbers.
	*mdbeAttrSpace = Space{name: "mdbe_attr", attrs: map[uint16]Attr{
		1: {Name: "MDBE_ATTR_SOURCE", Kind: Addr}, // linux/if_bridge.h
	}}

	// mdbSpace holds the MDBA_* attributes of MDB dumps and notifications.
	*mdbSpace = Space{name: "mdb", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB", Kind: Nested, Space: mdbMdbSpace},       // linux/if_bridge.h
		2: {Name: "MDBA_ROUTER", Kind: Nested, Space: mdbRouterSpace}, // linux/if_bridge.h
	}}

	// mdbMdbSpace holds MDBA_MDB.
	*mdbMdbSpace = Space{name: "mdb_mdb", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB_ENTRY", Kind: Nested, Space: mdbEntrySpace}, // linux/if_bridge.h
	}}

	// mdbEntrySpace holds MDBA_MDB_ENTRY.
	*mdbEntrySpace = Space{name: "mdb_entry", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB_ENTRY_INFO", Kind: Nested, Space: mdbEntryAttrSpace, HeaderLen: sizeofBrMdbEntry}, // linux/if_bridge.h; struct br_mdb_entry, then MDBA_MDB_EATTR_*
	}}

	// mdbEntryAttrSpace holds the attributes that follow the br_mdb_entry of
	// MDBA_MDB_ENTRY_INFO.
	*mdbEntryAttrSpace = Space{name: "mdb_entry_attr", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB_EATTR_TIMER", Kind: U32},                               // linux/if_bridge.h
		2: {Name: "MDBA_MDB_EATTR_SRC_LIST", Kind: Nested, Space: mdbSrcListSpace}, // linux/if_bridge.h
		3: {Name: "MDBA_MDB_EATTR_GROUP_MODE", Kind: U8},                           // linux/if_bridge.h
		4: {Name: "MDBA_MDB_EATTR_SOURCE", Kind: Addr},                             // linux/if_bridge.h
		5: {Name: "MDBA_MDB_EATTR_RTPROT", Kind: U8},                               // linux/if_bridge.h
	}}

	// mdbSrcListSpace holds MDBA_MDB_EATTR_SRC_LIST.
	*mdbSrcListSpace = Space{name: "mdb_src_list", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB_SRCLIST_ENTRY", Kind: Nested, Space: mdbSrcAttrSpace}, // linux/if_bridge.h
	}}

	// mdbSrcAttrSpace holds MDBA_MDB_SRCLIST_ENTRY.
	*mdbSrcAttrSpace = Space{name: "mdb_src_attr", attrs: map[uint16]Attr{
		1: {Name: "MDBA_MDB_SRCATTR_ADDRESS", Kind: Addr}, // linux/if_bridge.h
		2: {Name: "MDBA_MDB_SRCATTR_TIMER", Kind: U32},    // linux/if_bridge.h
	}}

	// mdbRouterSpace holds MDBA_ROUTER and
	// BRIDGE_VLANDB_GOPTS_MCAST_ROUTER_PORTS.
	*mdbRouterSpace = Space{name: "mdb_router", attrs: map[uint16]Attr{
		1: {Name: "MDBA_ROUTER_PORT", Kind: Nested, Space: mdbRouterPortSpace, HeaderLen: 4}, // linux/if_bridge.h; u32 ifindex, then MDBA_ROUTER_PATTR_*
	}}

	// mdbRouterPortSpace holds the attributes that follow the ifindex of
	// MDBA_ROUTER_PORT.
	*mdbRouterPortSpace = Space{name: "mdb_router_port", attrs: map[uint16]Attr{
		1: {Name: "MDBA_ROUTER_PATTR_TIMER", Kind: U32},       // linux/if_bridge.h
		2: {Name: "MDBA_ROUTER_PATTR_TYPE", Kind: U8},         // linux/if_bridge.h
		3: {Name: "MDBA_ROUTER_PATTR_INET_TIMER", Kind: U32},  // linux/if_bridge.h
		4: {Name: "MDBA_ROUTER_PATTR_INET6_TIMER", Kind: U32}, // linux/if_bridge.h
		5: {Name: "MDBA_ROUTER_PATTR_VID", Kind: U16},         // linux/if_bridge.h
	}}

	// nsidSpace holds the NETNSA_* attributes of an nsid message.
	*nsidSpace = Space{name: "nsid", attrs: map[uint16]Attr{
		unix.NETNSA_NSID:         {Name: "NETNSA_NSID", Kind: S32},
		unix.NETNSA_PID:          {Name: "NETNSA_PID", Kind: U32},
		unix.NETNSA_FD:           {Name: "NETNSA_FD", Kind: U32},
		unix.NETNSA_TARGET_NSID:  {Name: "NETNSA_TARGET_NSID", Kind: S32},
		unix.NETNSA_CURRENT_NSID: {Name: "NETNSA_CURRENT_NSID", Kind: S32},
	}}

	// statsSpace holds the IFLA_STATS_* attributes of RTM_NEWSTATS.
	*statsSpace = Space{name: "stats", attrs: map[uint16]Attr{
		unix.IFLA_STATS_UNSPEC:              {Name: "IFLA_STATS_UNSPEC", Kind: Binary},  // padding
		unix.IFLA_STATS_LINK_64:             {Name: "IFLA_STATS_LINK_64", Kind: Struct}, // struct rtnl_link_stats64
		unix.IFLA_STATS_LINK_XSTATS:         {Name: "IFLA_STATS_LINK_XSTATS", Kind: Nested, Space: linkXstatsSpace},
		unix.IFLA_STATS_LINK_XSTATS_SLAVE:   {Name: "IFLA_STATS_LINK_XSTATS_SLAVE", Kind: Nested, Space: linkXstatsSpace},
		unix.IFLA_STATS_LINK_OFFLOAD_XSTATS: {Name: "IFLA_STATS_LINK_OFFLOAD_XSTATS", Kind: Nested, Space: offloadXstatsSpace},
		unix.IFLA_STATS_AF_SPEC:             {Name: "IFLA_STATS_AF_SPEC", Kind: Nested, Space: statsAFSpace},
	}}

	// linkXstatsSpace holds IFLA_STATS_LINK_XSTATS(_SLAVE).
	*linkXstatsSpace = Space{name: "link_xstats", attrs: map[uint16]Attr{
		1: {Name: "LINK_XSTATS_TYPE_BRIDGE", Kind: Nested, Space: bridgeXstatsSpace}, // linux/if_link.h
		2: {Name: "LINK_XSTATS_TYPE_BOND", Kind: Nested},                             // linux/if_link.h; BOND_XSTATS_* (linux/if_bonding.h)
	}}

	// bridgeXstatsSpace holds LINK_XSTATS_TYPE_BRIDGE.
	*bridgeXstatsSpace = Space{name: "bridge_xstats", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_XSTATS_VLAN", Kind: Struct},  // linux/if_bridge.h; struct bridge_vlan_xstats
		2: {Name: "BRIDGE_XSTATS_MCAST", Kind: Struct}, // linux/if_bridge.h; struct br_mcast_stats
		3: {Name: "BRIDGE_XSTATS_PAD", Kind: Binary},   // linux/if_bridge.h
		4: {Name: "BRIDGE_XSTATS_STP", Kind: Struct},   // linux/if_bridge.h; struct bridge_stp_xstats
	}}

	// offloadXstatsSpace holds IFLA_STATS_LINK_OFFLOAD_XSTATS.
	*offloadXstatsSpace = Space{name: "offload_xstats", attrs: map[uint16]Attr{
		unix.IFLA_OFFLOAD_XSTATS_CPU_HIT:   {Name: "IFLA_OFFLOAD_XSTATS_CPU_HIT", Kind: Struct}, // struct rtnl_link_stats64
		unix.IFLA_OFFLOAD_XSTATS_HW_S_INFO: {Name: "IFLA_OFFLOAD_XSTATS_HW_S_INFO", Kind: Nested, Space: offloadHwSInfoSpace},
		unix.IFLA_OFFLOAD_XSTATS_L3_STATS:  {Name: "IFLA_OFFLOAD_XSTATS_L3_STATS", Kind: Struct}, // struct rtnl_hw_stats64
	}}

	// offloadHwSInfoSpace holds IFLA_OFFLOAD_XSTATS_HW_S_INFO: one nest per
	// offload statistics type.
	*offloadHwSInfoSpace = Space{name: "offload_hw_s_info", attrs: map[uint16]Attr{
		unix.IFLA_OFFLOAD_XSTATS_L3_STATS: {Name: "IFLA_OFFLOAD_XSTATS_L3_STATS", Kind: Nested, Space: hwSInfoSpace},
	}}

	// hwSInfoSpace holds one nest of IFLA_OFFLOAD_XSTATS_HW_S_INFO.
	*hwSInfoSpace = Space{name: "hw_s_info", attrs: map[uint16]Attr{
		unix.IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST: {Name: "IFLA_OFFLOAD_XSTATS_HW_S_INFO_REQUEST", Kind: U8},
		unix.IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED:    {Name: "IFLA_OFFLOAD_XSTATS_HW_S_INFO_USED", Kind: U8},
	}}

	// statsAFSpace holds IFLA_STATS_AF_SPEC: one nest per address family.
	*statsAFSpace = Space{name: "stats_af_spec", attrs: map[uint16]Attr{
		unix.AF_MPLS: {Name: "AF_MPLS", Kind: Nested, Space: mplsStatsSpace},
	}}

	// mplsStatsSpace holds the AF_MPLS part of IFLA_STATS_AF_SPEC.
	*mplsStatsSpace = Space{name: "mpls_stats", attrs: map[uint16]Attr{
		1: {Name: "MPLS_STATS_LINK", Kind: Struct}, // linux/mpls.h; struct mpls_link_stats
	}}

	// statsGetSetSpace holds the IFLA_STATS_GETSET_* attributes of
	// RTM_GETSTATS and RTM_SETSTATS requests.
	*statsGetSetSpace = Space{name: "stats_getset", attrs: map[uint16]Attr{
		unix.IFLA_STATS_GET_FILTERS:                 {Name: "IFLA_STATS_GET_FILTERS", Kind: Nested, Space: statsFiltersSpace},
		unix.IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS: {Name: "IFLA_STATS_SET_OFFLOAD_XSTATS_L3_STATS", Kind: U8},
	}}

	// statsFiltersSpace holds IFLA_STATS_GET_FILTERS: a filter mask per
	// IFLA_STATS_* group.
	*statsFiltersSpace = Space{name: "stats_filters", attrs: map[uint16]Attr{
		unix.IFLA_STATS_LINK_64:             {Name: "IFLA_STATS_LINK_64", Kind: U32},
		unix.IFLA_STATS_LINK_XSTATS:         {Name: "IFLA_STATS_LINK_XSTATS", Kind: U32},
		unix.IFLA_STATS_LINK_XSTATS_SLAVE:   {Name: "IFLA_STATS_LINK_XSTATS_SLAVE", Kind: U32},
		unix.IFLA_STATS_LINK_OFFLOAD_XSTATS: {Name: "IFLA_STATS_LINK_OFFLOAD_XSTATS", Kind: U32},
		unix.IFLA_STATS_AF_SPEC:             {Name: "IFLA_STATS_AF_SPEC", Kind: U32},
	}}

	// cacheReportSpace holds the IPMRA_CREPORT_* attributes of a cache report.
	// IPv6 reports number their IP6MRA_CREPORT_* attributes the same way.
	*cacheReportSpace = Space{name: "cache_report", attrs: map[uint16]Attr{
		1: {Name: "IPMRA_CREPORT_MSGTYPE", Kind: U8},    // linux/mroute.h
		2: {Name: "IPMRA_CREPORT_VIF_ID", Kind: U32},    // linux/mroute.h
		3: {Name: "IPMRA_CREPORT_SRC_ADDR", Kind: Addr}, // linux/mroute.h
		4: {Name: "IPMRA_CREPORT_DST_ADDR", Kind: Addr}, // linux/mroute.h
		5: {Name: "IPMRA_CREPORT_PKT", Kind: Binary},    // linux/mroute.h
		6: {Name: "IPMRA_CREPORT_TABLE", Kind: U32},     // linux/mroute.h
	}}

	// nexthopSpace holds the NHA_* attributes of a nexthop message.
	*nexthopSpace = Space{name: "nexthop", attrs: map[uint16]Attr{
		unix.NHA_ID:         {Name: "NHA_ID", Kind: U32},
		unix.NHA_GROUP:      {Name: "NHA_GROUP", Kind: Binary}, // array of struct nexthop_grp
		unix.NHA_GROUP_TYPE: {Name: "NHA_GROUP_TYPE", Kind: U16},
		unix.NHA_BLACKHOLE:  {Name: "NHA_BLACKHOLE", Kind: Flag},
		unix.NHA_OIF:        {Name: "NHA_OIF", Kind: U32},
		unix.NHA_GATEWAY:    {Name: "NHA_GATEWAY", Kind: Addr},
		unix.NHA_ENCAP_TYPE: {Name: "NHA_ENCAP_TYPE", Kind: U16},
		unix.NHA_ENCAP:      {Name: "NHA_ENCAP", Kind: Nested}, // numbered by NHA_ENCAP_TYPE (linux/lwtunnel.h)
		unix.NHA_GROUPS:     {Name: "NHA_GROUPS", Kind: Flag},
		unix.NHA_MASTER:     {Name: "NHA_MASTER", Kind: U32},
		11:                  {Name: "NHA_FDB", Kind: Flag},                                   // linux/nexthop.h
		12:                  {Name: "NHA_RES_GROUP", Kind: Nested, Space: nhResGroupSpace},   // linux/nexthop.h
		13:                  {Name: "NHA_RES_BUCKET", Kind: Nested, Space: nhResBucketSpace}, // linux/nexthop.h
	}}

	// nhResGroupSpace holds NHA_RES_GROUP.
	*nhResGroupSpace = Space{name: "nh_res_group", attrs: map[uint16]Attr{
		0: {Name: "NHA_RES_GROUP_PAD", Kind: Binary},           // linux/nexthop.h
		1: {Name: "NHA_RES_GROUP_BUCKETS", Kind: U16},          // linux/nexthop.h
		2: {Name: "NHA_RES_GROUP_IDLE_TIMER", Kind: U32},       // linux/nexthop.h
		3: {Name: "NHA_RES_GROUP_UNBALANCED_TIMER", Kind: U32}, // linux/nexthop.h
		4: {Name: "NHA_RES_GROUP_UNBALANCED_TIME", Kind: U64},  // linux/nexthop.h
	}}

	// nhResBucketSpace holds NHA_RES_BUCKET.
	*nhResBucketSpace = Space{name: "nh_res_bucket", attrs: map[uint16]Attr{
		0: {Name: "NHA_RES_BUCKET_PAD", Kind: Binary},    // linux/nexthop.h
		1: {Name: "NHA_RES_BUCKET_INDEX", Kind: U16},     // linux/nexthop.h
		2: {Name: "NHA_RES_BUCKET_IDLE_TIME", Kind: U64}, // linux/nexthop.h
		3: {Name: "NHA_RES_BUCKET_NH_ID", Kind: U32},     // linux/nexthop.h
	}}

	// vlanDBSpace holds the BRIDGE_VLANDB_* attributes of a bridge VLAN
	// message.
	*vlanDBSpace = Space{name: "vlandb", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_VLANDB_ENTRY", Kind: Nested, Space: vlanDBEntrySpace},           // linux/if_bridge.h
		2: {Name: "BRIDGE_VLANDB_GLOBAL_OPTIONS", Kind: Nested, Space: vlanDBGlobalSpace}, // linux/if_bridge.h
	}}

	// vlanDBDumpSpace holds the BRIDGE_VLANDB_DUMP_* attributes of
	// RTM_GETVLAN requests.
	*vlanDBDumpSpace = Space{name: "vlandb_dump", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_VLANDB_DUMP_FLAGS", Kind: U32}, // linux/if_bridge.h
	}}

	// vlanDBEntrySpace holds BRIDGE_VLANDB_ENTRY.
	*vlanDBEntrySpace = Space{name: "vlandb_entry", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_VLANDB_ENTRY_INFO", Kind: Struct},                                  // linux/if_bridge.h; struct bridge_vlan_info
		2: {Name: "BRIDGE_VLANDB_ENTRY_RANGE", Kind: U16},                                    // linux/if_bridge.h
		3: {Name: "BRIDGE_VLANDB_ENTRY_STATE", Kind: U8},                                     // linux/if_bridge.h
		4: {Name: "BRIDGE_VLANDB_ENTRY_TUNNEL_INFO", Kind: Nested, Space: vlanDBTunnelSpace}, // linux/if_bridge.h
		5: {Name: "BRIDGE_VLANDB_ENTRY_STATS", Kind: Nested, Space: vlanDBStatsSpace},        // linux/if_bridge.h
		6: {Name: "BRIDGE_VLANDB_ENTRY_MCAST_ROUTER", Kind: U8},                              // linux/if_bridge.h
	}}

	// vlanDBTunnelSpace holds BRIDGE_VLANDB_ENTRY_TUNNEL_INFO.
	*vlanDBTunnelSpace = Space{name: "vlandb_tunnel", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_VLANDB_TINFO_ID", Kind: U32},  // linux/if_bridge.h
		2: {Name: "BRIDGE_VLANDB_TINFO_CMD", Kind: U32}, // linux/if_bridge.h
	}}

	// vlanDBStatsSpace holds BRIDGE_VLANDB_ENTRY_STATS.
	*vlanDBStatsSpace = Space{name: "vlandb_stats", attrs: map[uint16]Attr{
		1: {Name: "BRIDGE_VLANDB_STATS_RX_BYTES", Kind: U64},   // linux/if_bridge.h
		2: {Name: "BRIDGE_VLANDB_STATS_RX_PACKETS", Kind: U64}, // linux/if_bridge.h
		3: {Name: "BRIDGE_VLANDB_STATS_TX_BYTES", Kind: U64},   // linux/if_bridge.h
		4: {Name: "BRIDGE_VLANDB_STATS_TX_PACKETS", Kind: U64}, // linux/if_bridge.h
		5: {Name: "BRIDGE_VLANDB_STATS_PAD", Kind: Binary},     // linux/if_bridge.h
	}}

	// vlanDBGlobalSpace holds BRIDGE_VLANDB_GLOBAL_OPTIONS.
	*vlanDBGlobalSpace = Space{name: "vlandb_global", attrs: map[uint16]Attr{
		1:  {Name: "BRIDGE_VLANDB_GOPTS_ID", Kind: U16},                                                // linux/if_bridge.h
		2:  {Name: "BRIDGE_VLANDB_GOPTS_RANGE", Kind: U16},                                             // linux/if_bridge.h
		3:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_SNOOPING", Kind: U8},                                     // linux/if_bridge.h
		4:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_IGMP_VERSION", Kind: U8},                                 // linux/if_bridge.h
		5:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_MLD_VERSION", Kind: U8},                                  // linux/if_bridge.h
		6:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_LAST_MEMBER_CNT", Kind: U32},                             // linux/if_bridge.h
		7:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_STARTUP_QUERY_CNT", Kind: U32},                           // linux/if_bridge.h
		8:  {Name: "BRIDGE_VLANDB_GOPTS_MCAST_LAST_MEMBER_INTVL", Kind: U64},                           // linux/if_bridge.h
		9:  {Name: "BRIDGE_VLANDB_GOPTS_PAD", Kind: Binary},                                            // linux/if_bridge.h
		10: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_MEMBERSHIP_INTVL", Kind: U64},                            // linux/if_bridge.h
		11: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER_INTVL", Kind: U64},                               // linux/if_bridge.h
		12: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_QUERY_INTVL", Kind: U64},                                 // linux/if_bridge.h
		13: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_QUERY_RESPONSE_INTVL", Kind: U64},                        // linux/if_bridge.h
		14: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_STARTUP_QUERY_INTVL", Kind: U64},                         // linux/if_bridge.h
		15: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER", Kind: U8},                                      // linux/if_bridge.h
		16: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_ROUTER_PORTS", Kind: Nested, Space: mdbRouterSpace},      // linux/if_bridge.h
		17: {Name: "BRIDGE_VLANDB_GOPTS_MCAST_QUERIER_STATE", Kind: Nested, Space: bridgeQuerierSpace}, // linux/if_bridge.h
		18: {Name: "BRIDGE_VLANDB_GOPTS_MSTI", Kind: U16},                                              // linux/if_bridge.h
	}}

	// tunnelSpace holds the VXLAN_VNIFILTER_* attributes of a tunnel message.
	*tunnelSpace = Space{name: "tunnel", attrs: map[uint16]Attr{
		1: {Name: "VXLAN_VNIFILTER_ENTRY", Kind: Nested, Space: vniFilterEntrySpace}, // linux/if_link.h
	}}

	// vniFilterEntrySpace holds VXLAN_VNIFILTER_ENTRY.
	*vniFilterEntrySpace = Space{name: "vnifilter_entry", attrs: map[uint16]Attr{
		1: {Name: "VXLAN_VNIFILTER_ENTRY_START", Kind: U32},                                // linux/if_link.h
		2: {Name: "VXLAN_VNIFILTER_ENTRY_END", Kind: U32},                                  // linux/if_link.h
		3: {Name: "VXLAN_VNIFILTER_ENTRY_GROUP", Kind: Addr},                               // linux/if_link.h; 4 bytes
		4: {Name: "VXLAN_VNIFILTER_ENTRY_GROUP6", Kind: Addr},                              // linux/if_link.h
		5: {Name: "VXLAN_VNIFILTER_ENTRY_STATS", Kind: Nested, Space: vniFilterStatsSpace}, // linux/if_link.h
	}}

	// vniFilterStatsSpace holds VXLAN_VNIFILTER_ENTRY_STATS.
	*vniFilterStatsSpace = Space{name: "vnifilter_stats", attrs: map[uint16]Attr{
		1: {Name: "VNIFILTER_ENTRY_STATS_RX_BYTES", Kind: U64},  // linux/if_link.h
		2: {Name: "VNIFILTER_ENTRY_STATS_RX_PKTS", Kind: U64},   // linux/if_link.h
		3: {Name: "VNIFILTER_ENTRY_STATS_RX_DROPS", Kind: U64},  // linux/if_link.h
		4: {Name: "VNIFILTER_ENTRY_STATS_RX_ERRORS", Kind: U64}, // linux/if_link.h
		5: {Name: "VNIFILTER_ENTRY_STATS_TX_BYTES", Kind: U64},  // linux/if_link.h
		6: {Name: "VNIFILTER_ENTRY_STATS_TX_PKTS", Kind: U64},   // linux/if_link.h
		7: {Name: "VNIFILTER_ENTRY_STATS_TX_DROPS", Kind: U64},  // linux/if_link.h
		8: {Name: "VNIFILTER_ENTRY_STATS_TX_ERRORS", Kind: U64}, // linux/if_link.h
		9: {Name: "VNIFILTER_ENTRY_STATS_PAD", Kind: Binary},    // linux/if_link.h
	}}
}
