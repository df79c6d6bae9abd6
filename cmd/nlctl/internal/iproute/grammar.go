package iproute

import (
	"slices"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// The grammars of the objects: their verbs in the order ip tries them (so
// that an abbreviation means what it means to ip: `link s` is set,
// `address s` show), and the keywords of each verb, from which help and
// shell completion are made.
//
// The keyword lists are also what the parsers resolve the words they read
// with (cli.Resolve): each list is in the order ip 6.1's parser tests its
// keywords, and a keyword ip tests with matches() (any prefix will do) is
// written with a trailing "*", one it tests with strcmp() without. So
// `route add ... met 5` is metric, as for ip, and `route show d` is not
// dev, as for ip. Words a parser takes at a keyword's place without a
// keyword (route types, address flags) are in the lists too, where ip
// tests them.
//
// Every list and grammar is built on first use (sync.OnceValue) and never
// changed after: a run builds only what it reads, and nothing is built at
// start-up.

// show is the show verb of an object, with its aliases list and lst.
func show(words ...[]cli.Word) cli.Verb {
	return cli.Verb{Name: "show", Aliases: []string{"list", "lst"}, Words: cli.Words(words...)}
}

// scopeWord is a keyword whose value is a scope (or one of more).
func scopeWord(name string, more ...string) cli.Word {
	return cli.KwChoice(name, append([]string{"global", "site", "link", "host", "nowhere"}, more...)...)
}

// Values of keywords shared by several objects.
var (
	onOff      = sync.OnceValue(func() []string { return []string{"on", "off"} })
	routeTypes = sync.OnceValue(func() []string {
		return []string{"unicast", "local", "broadcast", "multicast", "throw", "unreachable", "prohibit", "blackhole", "nat", "anycast", "xresolve"}
	})
	routeProtos = sync.OnceValue(func() []string {
		return []string{"kernel", "boot", "static", "redirect", "ra", "dhcp", "bgp", "isis", "ospf", "rip", "eigrp", "babel", "bird", "zebra"}
	})
	neighStates = sync.OnceValue(func() []string {
		return []string{"permanent", "noarp", "stale", "reachable", "none", "incomplete", "delay", "probe", "failed"}
	})
	linkKinds = sync.OnceValue(func() []string {
		kinds := []string{"veth", "bridge", "bridge_slave", "macvlan", "macvtap", "vxlan", "ifb",
			"vlan", "bond", "bond_slave", "vrf", "ipvlan", "ipvtap", "dummy"}
		return append(kinds, tunnelKinds...)
	})
	addrGenModes = sync.OnceValue(func() []string { return []string{"eui64", "none", "stable_secret", "random"} })
)

// routeTypeWords are the route types ip's parsers take where a keyword
// may stand (rtnl_rtntype_a2n), in its order.
var routeTypeWords = sync.OnceValue(func() []cli.Word {
	return cli.Kw("local", "nat", "broadcast*", "brd", "anycast*", "multicast*", "prohibit*",
		"unreachable*", "blackhole*", "xresolve*", "unicast*", "throw")
})

// routeTypeName returns the full name of a route type ip takes
// abbreviated ("unr" is unreachable, "brd" broadcast), or s.
func routeTypeName(s string) string {
	if s = cli.Resolve(routeTypeWords(), s); s == "brd" {
		return "broadcast"
	}
	return s
}

// The address keywords (ip's ipaddr_modify, ipaddr_list_flush_or_save).
var (
	addrFlagKeywords = sync.OnceValue(func() []cli.Word {
		return cli.Kw("secondary", "temporary", "nodad", "optimistic", "dadfailed", "home",
			"deprecated", "tentative", "permanent", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy")
	})
	addressChangeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "peer", "remote", "broadcast*", "brd", "anycast"),
			[]cli.Word{scopeWord("scope")},
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.KwValue(cli.ValueText, "label", "metric*", "priority*", "preference*", "valid_lft*", "preferred_lft*"),
			addrFlagKeywords(),
			cli.KwValue(cli.ValueText, "local"),
			cli.Kw("help*"),
		)
	})
	addressShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "to"),
			[]cli.Word{scopeWord("scope", "all")},
			cli.Kw("up", "permanent", "dynamic", "secondary", "primary", "tentative", "-tentative",
				"deprecated", "-deprecated", "dadfailed", "-dadfailed", "temporary",
				"home", "nodad", "mngtmpaddr", "noprefixroute", "autojoin", "optimistic", "stable-privacy"),
			cli.KwValue(cli.ValueText, "label"),
			cli.KwValue(cli.ValueGroupName, "group"),
			cli.KwValue(cli.ValueDevice, "master", "vrf"),
			cli.Kw("nomaster"),
			cli.KwValue(cli.ValueLinkKind, "type"),
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.Kw("help*"),
		)
	})
)

var addressGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add", Words: addressChangeWords()},
		{Name: "change", Aliases: []string{"chg"}, Words: addressChangeWords()},
		{Name: "replace", Words: addressChangeWords()},
		{Name: "delete", Words: addressChangeWords()},
		show(addressShowWords()),
		{Name: "flush", Words: addressShowWords()},
		{Name: "help"},
	}}
})

// The route keywords (ip's iproute_modify, parse_one_nh,
// iproute_list_flush_or_save, iproute_get, lwt_parse_encap).
var (
	routeMetricWords = sync.OnceValue(func() []string {
		return []string{"mtu", "hoplimit", "advmss", "reordering*", "rtt", "rto_min", "window*",
			"cwnd*", "initcwnd*", "initrwnd*"}
	})
	routeChangeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "src", "as", "via", "from", "tos", "dsfield*", "expires", "metric*",
				"priority*", "preference"),
			[]cli.Word{scopeWord("scope")},
			cli.KwValue(cli.ValueText, routeMetricWords()...),
			[]cli.Word{cli.KwChoice("features*", "ecn"), cli.KwChoice("quickack*", "0", "1")},
			cli.KwValue(cli.ValueText, "congctl*", "rttvar*", "ssthresh*", "realms*"),
			cli.Kw("onlink", "nexthop"),
			cli.KwValue(cli.ValueText, "nhid"),
			[]cli.Word{cli.KwChoice("protocol*", routeProtos()...)},
			cli.KwValue(cli.ValueTable, "table*"),
			cli.KwValue(cli.ValueDevice, "vrf*", "dev", "oif"),
			[]cli.Word{cli.KwChoice("pref*", "low", "medium", "high"), encapWord(),
				cli.KwChoice("ttl-propagate", "enabled", "disabled"), cli.KwChoice("fastopen_no_cookie*", "0", "1")},
			cli.KwValue(cli.ValueText, "to"),
			routeTypeWords(),
			cli.Kw("help*"),
			// nlctl's own: "pervasive" (which ip 6.1 lists but does not
			// parse), "lookup" for "table", "exact" before the prefix.
			cli.Kw("pervasive"),
			cli.KwValue(cli.ValueTable, "lookup"),
			cli.KwValue(cli.ValueText, "exact"),
		)
	})
	// routeNexthopWords are the keywords of one path after "nexthop",
	// where ip takes no other.
	routeNexthopWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "via"),
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.KwValue(cli.ValueText, "weight"),
			cli.Kw("onlink"),
			cli.KwValue(cli.ValueText, "realms*"),
			[]cli.Word{encapWord()},
			cli.KwValue(cli.ValueText, "as"),
			cli.Kw("nexthop"),
		)
	})
	routeShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueTable, "table*"),
			cli.KwValue(cli.ValueDevice, "vrf*"),
			cli.Kw("cached*", "cloned*"),
			cli.KwValue(cli.ValueText, "tos", "dsfield*"),
			[]cli.Word{cli.KwChoice("protocol*", append([]string{"all"}, routeProtos()...)...), scopeWord("scope*", "all"),
				cli.KwChoice("type*", routeTypes()...)},
			cli.KwValue(cli.ValueDevice, "dev", "oif", "iif"),
			cli.KwValue(cli.ValueText, "mark", "metric*", "priority*", "preference", "via", "src", "realms*",
				"from*", "to*", "root*", "match*", "exact*"),
		)
	})
	routeGetWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "tos", "dsfield*", "from*"),
			cli.KwValue(cli.ValueDevice, "iif*"),
			cli.KwValue(cli.ValueText, "mark*"),
			cli.KwValue(cli.ValueDevice, "oif*", "dev"),
			cli.Kw("notify*", "connected*"),
			cli.KwValue(cli.ValueDevice, "vrf*"),
			cli.KwValue(cli.ValueText, "uid*"),
			cli.Kw("fibmatch*"),
			cli.KwValue(cli.ValueText, "as", "sport*", "dport*", "ipproto*", "to"),
			cli.Kw("help*"),
		)
	})
	// encapWord is "encap TYPE", followed by the type's own keywords.
	encapWord = sync.OnceValue(func() cli.Word {
		return cli.Word{Name: "encap", Value: cli.ValueChoice, Choices: []string{"mpls", "ip", "ip6"},
			Then: map[string][]cli.Word{"mpls": encapMPLSWords(), "ip": encapIPWords(), "ip6": encapIP6Words()}}
	})
	encapMPLSWords = sync.OnceValue(func() []cli.Word { return cli.KwValue(cli.ValueText, "ttl") })
	encapIPWords   = sync.OnceValue(func() []cli.Word {
		return cli.Words(cli.KwValue(cli.ValueText, "id", "dst", "src", "tos", "ttl"), cli.Kw("key", "csum", "seq"))
	})
	encapIP6Words = sync.OnceValue(func() []cli.Word {
		return cli.Words(cli.KwValue(cli.ValueText, "id", "dst", "src", "tc", "hoplimit"), cli.Kw("key", "csum", "seq"))
	})
)

var routeGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add", Words: routeChangeWords()},
		{Name: "change", Aliases: []string{"chg"}, Words: routeChangeWords()},
		{Name: "replace", Words: routeChangeWords()},
		{Name: "prepend", Words: routeChangeWords()},
		{Name: "append", Words: routeChangeWords()},
		{Name: "test", Words: routeChangeWords()},
		{Name: "delete", Words: routeChangeWords()},
		show(routeShowWords()),
		{Name: "get", Words: routeGetWords()},
		{Name: "flush", Words: routeShowWords()},
		{Name: "help"},
	}}
})

// The rule keywords (ip's iprule_modify, iprule_list_flush_or_save).
var (
	// ruleTypeWords are what ip takes after "type" or alone as a rule's
	// action, in its order.
	ruleTypeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(cli.Kw("help*"), cli.KwValue(cli.ValueText, "goto*"), cli.Kw("nop*"), routeTypeWords())
	})
	ruleAddWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.Kw("not"),
			cli.KwValue(cli.ValueText, "from", "to", "preference*", "order*", "priority*", "tos", "dsfield*",
				"fwmark", "realms*"),
			[]cli.Word{cli.KwChoice("protocol*", routeProtos()...)},
			cli.KwValue(cli.ValueText, "tun_id*"),
			cli.KwValue(cli.ValueTable, "table*", "lookup"),
			cli.KwValue(cli.ValueText, "suppress_prefixlength*", "sup_pl"),
			cli.KwValue(cli.ValueGroupName, "suppress_ifgroup*", "sup_group"),
			cli.KwValue(cli.ValueDevice, "dev", "iif", "oif"),
			cli.Kw("l3mdev"),
			cli.KwValue(cli.ValueText, "uidrange", "nat", "map-to*", "ipproto", "sport", "dport"),
			[]cli.Word{cli.KwChoice("type", append([]string{"goto", "nop"}, routeTypes()...)...)},
			ruleTypeWords(),
		)
	})
	ruleShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "preference*", "order*", "priority*"),
			cli.Kw("not"),
			cli.KwValue(cli.ValueText, "tos", "dsfield", "fwmark"),
			cli.KwValue(cli.ValueDevice, "dev", "iif", "oif"),
			cli.Kw("l3mdev"),
			cli.KwValue(cli.ValueText, "uidrange", "tun_id*"),
			cli.KwValue(cli.ValueTable, "lookup*", "table*"),
			cli.KwValue(cli.ValueText, "from*", "src*"),
			[]cli.Word{cli.KwChoice("protocol*", append([]string{"all"}, routeProtos()...)...)},
			cli.KwValue(cli.ValueText, "ipproto", "sport", "dport", "dst*", "to*"),
			cli.Kw("help"),
		)
	})
)

var ruleGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		show(ruleShowWords()),
		{Name: "add", Words: ruleAddWords()},
		{Name: "delete", Words: ruleAddWords()},
		{Name: "flush", Words: ruleShowWords()},
		{Name: "help"},
	}}
})

// The neighbour keywords (ip's ipneigh_modify, do_show_or_flush,
// ipneigh_get).
var (
	neighChangeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "lladdr*"),
			[]cli.Word{cli.KwChoice("nud", neighStates()...)},
			cli.KwValue(cli.ValueText, "proxy*"),
			cli.Kw("router", "use", "managed", "extern_learn*"),
			cli.KwValue(cli.ValueDevice, "dev"),
			[]cli.Word{cli.KwChoice("protocol*", routeProtos()...)},
			cli.KwValue(cli.ValueText, "to"),
			cli.Kw("help*"),
		)
	})
	neighShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueDevice, "dev", "master", "vrf"),
			cli.Kw("nomaster", "unused"),
			[]cli.Word{cli.KwChoice("nud", append([]string{"all"}, neighStates()...)...)},
			cli.Kw("proxy"),
			[]cli.Word{cli.KwChoice("protocol*", append([]string{"all"}, routeProtos()...)...)},
			cli.KwValue(cli.ValueText, "to"),
			cli.Kw("help*"),
		)
	})
	neighGetWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.KwValue(cli.ValueText, "proxy*", "to"),
			cli.Kw("help*"),
		)
	})
)

var neighGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add", Words: neighChangeWords()},
		{Name: "change", Aliases: []string{"chg"}, Words: neighChangeWords()},
		{Name: "replace", Words: neighChangeWords()},
		{Name: "delete", Words: neighChangeWords()},
		{Name: "get", Words: neighGetWords()},
		show(neighShowWords()),
		{Name: "flush", Words: neighShowWords()},
		{Name: "help"},
	}}
})

// The link keywords (ip's iplink_parse, in its order, and the kinds' own).
var (
	// linkWords are the keywords of ip's iplink_parse, which ip link add,
	// set and delete all read their words with.
	linkWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.Kw("up", "down"),
			cli.KwValue(cli.ValueText, "name", "index"),
			cli.KwValue(cli.ValueDevice, "link*"),
			cli.KwValue(cli.ValueText, "address*", "broadcast*", "brd", "txqueuelen*", "qlen", "txqlen*", "mtu"),
			cli.KwValue(cli.ValueNetns, "netns"),
			[]cli.Word{cli.KwChoice("multicast", onOff()...), cli.KwChoice("allmulticast", onOff()...),
				cli.KwChoice("promisc", onOff()...), cli.KwChoice("trailers", onOff()...), cli.KwChoice("arp", onOff()...),
				cli.KwChoice("carrier", onOff()...)},
			cli.KwValue(cli.ValueDevice, "master*", "vrf"),
			cli.Kw("nomaster*"),
			[]cli.Word{cli.KwChoice("dynamic*", onOff()...), linkTypeWord()},
			cli.KwValue(cli.ValueText, "alias*"),
			cli.KwValue(cli.ValueGroupName, "group"),
			[]cli.Word{cli.KwChoice("mode", "default", "dormant"),
				cli.KwChoice("state", "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up")},
			cli.KwValue(cli.ValueText, "numtxqueues*", "numrxqueues*"),
			[]cli.Word{cli.KwChoice("addrgenmode*", addrGenModes()...)},
			cli.KwValue(cli.ValueNetns, "link-netns*"),
			cli.KwValue(cli.ValueText, "link-netnsid*"),
			[]cli.Word{cli.KwChoice("protodown", onOff()...)},
			cli.KwValue(cli.ValueText, "gso_max_size", "gso_max_segs", "gro_max_size"),
			cli.Kw("help*"),
			cli.KwValue(cli.ValueDevice, "dev"),
		)
	})
	// linkAddOnly and linkSetOnly are the keywords of linkWords that only
	// link add (and a veth's peer), or only link set, take.
	linkAddOnly = sync.OnceValue(func() []string {
		return []string{"index", "link", "numtxqueues", "numrxqueues", "link-netns", "link-netnsid"}
	})
	linkSetOnly  = sync.OnceValue(func() []string { return []string{"nomaster", "alias", "carrier", "protodown"} })
	linkTypeWord = sync.OnceValue(func() cli.Word {
		w := cli.Word{Name: "type", Abbrev: true, Value: cli.ValueLinkKind, Choices: linkKinds(),
			Then: map[string][]cli.Word{"veth": vethWords(), "bridge": bridgeWords(), "bridge_slave": bridgeSlaveWords(),
				"macvlan": macvlanWords(), "macvtap": macvlanWords(), "vxlan": vxlanWords(),
				"vlan": vlanWords(), "bond": bondWords(), "bond_slave": bondSlaveWords(), "vrf": vrfWords(),
				"ipvlan": ipvlanWords(), "ipvtap": ipvlanWords()}}
		addTunnelGrammar(w.Then)
		return w
	})
	vethWords   = sync.OnceValue(func() []cli.Word { return cli.Kw("peer") })
	bridgeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "forward_delay*", "hello_time*", "max_age*", "ageing_time*"),
			[]cli.Word{cli.KwChoice("stp_state*", "0", "1")},
			cli.KwValue(cli.ValueText, "priority*"),
			[]cli.Word{cli.KwChoice("vlan_filtering*", "0", "1"), cli.KwChoice("vlan_protocol*", "802.1Q", "802.1ad")},
			cli.KwValue(cli.ValueText, "group_fwd_mask*", "group_address*"),
			[]cli.Word{cli.KwChoice("no_linklocal_learn", "0", "1")},
			cli.Kw("fdb_flush*"),
			cli.KwValue(cli.ValueText, "vlan_default_pvid*"),
			[]cli.Word{cli.KwChoice("vlan_stats_enabled*", "0", "1"), cli.KwChoice("vlan_stats_per_port*", "0", "1"),
				cli.KwChoice("mcast_router*", "0", "1", "2"), cli.KwChoice("mcast_snooping*", "0", "1"),
				cli.KwChoice("mcast_vlan_snooping", "0", "1"), cli.KwChoice("mcast_query_use_ifaddr*", "0", "1"),
				cli.KwChoice("mcast_querier*", "0", "1")},
			cli.KwValue(cli.ValueText, "mcast_hash_elasticity*", "mcast_hash_max*", "mcast_last_member_count*",
				"mcast_startup_query_count*", "mcast_last_member_interval*", "mcast_membership_interval*",
				"mcast_querier_interval*", "mcast_query_interval*", "mcast_query_response_interval*",
				"mcast_startup_query_interval*"),
			[]cli.Word{cli.KwChoice("mcast_stats_enabled*", "0", "1"), cli.KwChoice("mcast_igmp_version*", "2", "3"),
				cli.KwChoice("mcast_mld_version*", "1", "2"), cli.KwChoice("nf_call_iptables*", "0", "1"),
				cli.KwChoice("nf_call_ip6tables*", "0", "1"), cli.KwChoice("nf_call_arptables*", "0", "1")},
			cli.Kw("help*"),
			// nlctl's own, of later iproute2 versions.
			[]cli.Word{cli.KwChoice("mst_enabled", "0", "1")},
			cli.KwValue(cli.ValueText, "fdb_max_learned"),
		)
	})
	bridgeSlaveWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.Kw("fdb_flush*"),
			[]cli.Word{cli.KwChoice("state*", "disabled", "listening", "learning", "forwarding", "blocking")},
			cli.KwValue(cli.ValueText, "priority*", "cost*"),
			cli.Words(kwOnOff("hairpin*", "guard*", "root_block*", "fastleave*", "learning*", "flood*", "mcast_flood*",
				"bcast_flood*", "mcast_to_unicast*", "proxy_arp*", "proxy_arp_wifi*")),
			[]cli.Word{cli.KwChoice("mcast_router*", "0", "1", "2", "3")},
			kwOnOff("mcast_fast_leave*", "neigh_suppress*"),
			cli.KwValue(cli.ValueText, "group_fwd_mask*"),
			kwOnOff("vlan_tunnel*", "isolated*", "locked*"),
			cli.KwValue(cli.ValueDevice, "backup_port*"),
			cli.Kw("nobackup_port*", "help*"),
			// nlctl's own, of later iproute2 versions.
			kwOnOff("mab"),
		)
	})
	macvlanWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			[]cli.Word{cli.KwChoice("mode*", "private", "vepa", "bridge", "passthru", "source"),
				cli.KwChoice("flag*", "nopromisc", "nodst", "null"),
				cli.KwChoice("macaddr*", "add", "del", "set", "flush")},
			cli.Kw("nopromisc*", "nodst*"),
			cli.KwValue(cli.ValueText, "bcqueuelen*"),
			cli.Kw("help*"),
		)
	})
	vxlanWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "id*", "vni*", "group*", "remote*", "local*"),
			cli.KwValue(cli.ValueDevice, "dev*"),
			cli.KwValue(cli.ValueText, "ttl*", "hoplimit*", "tos*", "dsfield*"),
			[]cli.Word{cli.KwChoice("df*", "unset", "set", "inherit")},
			cli.KwValue(cli.ValueText, "label*", "flowlabel*", "ageing*", "maxaddress*", "port*", "srcport*", "dstport*"),
			cli.Kw("nolearning*", "learning*", "noproxy*", "proxy*", "norsc*", "rsc*", "nol2miss*", "l2miss*",
				"nol3miss*", "l3miss*", "udpcsum*", "noudpcsum*", "udp6zerocsumtx*", "noudp6zerocsumtx*",
				"udp6zerocsumrx*", "noudp6zerocsumrx*", "remcsumtx*", "noremcsumtx*", "remcsumrx*", "noremcsumrx*",
				"external*", "noexternal*", "gbp*", "gpe*", "vnifilter", "novnifilter", "help*"),
		)
	})
	linkShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.Kw("up"),
			cli.KwValue(cli.ValueGroupName, "group"),
			cli.KwValue(cli.ValueDevice, "master", "vrf"),
			cli.Kw("nomaster"),
			cli.KwValue(cli.ValueLinkKind, "type"),
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.Kw("help*"),
		)
	})
	linkDeleteWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueGroupName, "group"),
			cli.KwValue(cli.ValueLinkKind, "type*"), // and its arguments, ignored
			cli.Kw("help*"),
			cli.KwValue(cli.ValueDevice, "dev"),
		)
	})
	// linkPropertyVerbs are ip link property's: add and del (not delete).
	linkPropertyVerbs = sync.OnceValue(func() []cli.Verb {
		return []cli.Verb{
			{Name: "add", Words: linkPropertyWords()},
			{Name: "del", Words: linkPropertyWords()},
			{Name: "help"},
		}
	})
	linkPropertyWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(cli.KwValue(cli.ValueText, "altname*"), cli.Kw("help*"), cli.KwValue(cli.ValueDevice, "dev"))
	})
)

// kwOnOff returns keywords that take on or off.
func kwOnOff(names ...string) []cli.Word {
	ws := cli.KwValue(cli.ValueChoice, names...)
	for i := range ws {
		ws[i].Choices = onOff()
	}
	return ws
}

// linkVerbWords returns linkWords without the keywords of the other verb.
func linkVerbWords(without []string) []cli.Word {
	var ws []cli.Word
	for _, w := range linkWords() {
		if !slices.Contains(without, w.Name) {
			ws = append(ws, w)
		}
	}
	return ws
}

// isKeyword reports whether name is the name of one of ws.
func isKeyword(ws []cli.Word, name string) bool {
	for _, w := range ws {
		if w.Name == name {
			return true
		}
	}
	return false
}

var linkGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add", Words: linkVerbWords(linkSetOnly())},
		{Name: "set", Aliases: []string{"change"}, Arg: cli.ValueDevice, Words: linkVerbWords(linkAddOnly())},
		{Name: "replace", Words: linkVerbWords(linkSetOnly())},
		{Name: "delete", Arg: cli.ValueDevice, Words: linkDeleteWords()},
		show(linkShowWords()),
		{Name: "property", Sub: linkPropertyVerbs()},
		{Name: "help"},
	}}
})

// The nexthop keywords (ip's ipnh_modify, ipnh_list_flush, ipnh_get,
// ipnh_bucket_list, ipnh_bucket_get).
var (
	nexthopChangeWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueText, "id"),
			cli.KwValue(cli.ValueDevice, "dev"),
			cli.KwValue(cli.ValueText, "via"),
			[]cli.Word{encapWord()},
			cli.Kw("blackhole", "fdb", "onlink"),
			cli.KwValue(cli.ValueText, "group"),
			[]cli.Word{{Name: "type", Value: cli.ValueChoice, Choices: []string{"mpath", "resilient"},
				Then: map[string][]cli.Word{"resilient": nexthopResilientWords()}},
				cli.KwChoice("protocol*", routeProtos()...)},
			cli.Kw("help"),
			// nlctl's own, of later iproute2 versions.
			[]cli.Word{cli.KwChoice("hw_stats", onOff()...)},
		)
	})
	nexthopResilientWords = sync.OnceValue(func() []cli.Word { return cli.KwValue(cli.ValueText, "buckets", "idle_timer", "unbalanced_timer") })
	nexthopShowWords      = sync.OnceValue(func() []cli.Word {
		return cli.Words(
			cli.KwValue(cli.ValueDevice, "dev*"),
			cli.Kw("groups*"),
			cli.KwValue(cli.ValueDevice, "master*", "vrf*"),
			cli.KwValue(cli.ValueText, "id"),
			[]cli.Word{cli.KwChoice("protocol*", routeProtos()...)},
			cli.Kw("fdb*", "help*"),
		)
	})
	nexthopIDWords  = sync.OnceValue(func() []cli.Word { return cli.KwValue(cli.ValueText, "id") })
	bucketShowWords = sync.OnceValue(func() []cli.Word {
		return cli.Words(cli.KwValue(cli.ValueDevice, "dev*", "master*", "vrf*"), cli.KwValue(cli.ValueText, "id", "nhid"), cli.Kw("help*"))
	})
	bucketGetWords     = sync.OnceValue(func() []cli.Word { return cli.KwValue(cli.ValueText, "id", "index") })
	nexthopBucketVerbs = sync.OnceValue(func() []cli.Verb {
		return []cli.Verb{
			show(bucketShowWords()),
			{Name: "get", Words: bucketGetWords()},
			{Name: "help"},
		}
	})
)

var nexthopGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: []cli.Verb{
		{Name: "add", Words: nexthopChangeWords()},
		{Name: "replace", Words: nexthopChangeWords()},
		{Name: "delete", Words: nexthopIDWords()},
		show(nexthopShowWords()),
		{Name: "get", Words: nexthopIDWords()},
		{Name: "flush", Words: nexthopShowWords()},
		{Name: "bucket", Sub: nexthopBucketVerbs()},
		{Name: "help"},
	}}
})

var nexthopBucketGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "show", Verbs: nexthopBucketVerbs()}
})

// netnsListIDWords are the keywords of netns list-id (ip's
// netns_list_id; nlctl has no target-nsid).
var netnsListIDWords = sync.OnceValue(func() []cli.Word { return cli.KwValue(cli.ValueText, "nsid") })

var netnsGrammar = sync.OnceValue(func() cli.Grammar {
	return cli.Grammar{Default: "list", Verbs: []cli.Verb{
		{Name: "list", Aliases: []string{"show", "lst"}},
		{Name: "list-id", Words: netnsListIDWords()},
		{Name: "help"},
		{Name: "add", Arg: cli.ValueText},
		{Name: "set", Arg: cli.ValueNetns},
		{Name: "delete", Arg: cli.ValueNetns},
		{Name: "identify"},
		{Name: "pids", Arg: cli.ValueNetns},
		{Name: "exec", Arg: cli.ValueNetns},
		{Name: "attach", Arg: cli.ValueText},
	}}
})
