package iproute

import (
	"net"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// LinkKinds returns the link kinds nlctl knows the arguments of (see
// parseLinkKind), then common kinds that take none, for shell completion
// of `type KIND`. bridge_slave is for `link set DEV type bridge_slave`.
func LinkKinds() []string {
	kinds := []string{"veth", "bridge", "bridge_slave", "macvlan", "macvtap", "vxlan",
		"vlan", "bond", "bond_slave", "vrf", "ipvlan", "ipvtap"}
	kinds = append(kinds, tunnelKinds...)
	return append(kinds, "dummy", "ifb", "nlmon")
}

func parseBridgeArgs(a *cli.Args) (*rtnl.BridgeInfo, error) {
	d := &rtnl.BridgeInfo{}
	for a.More() {
		w := cli.Resolve(bridgeWords(), a.Next())
		var n uint64
		var err error
		num := func(bits int) bool {
			n, err = linkArgNum(a, w, bits)
			return err == nil
		}
		u32 := func(p **uint32) {
			if num(32) {
				*p = new(uint32(n))
			}
		}
		u64 := func(p **uint64) {
			if num(64) {
				*p = new(n)
			}
		}
		u8 := func(p **uint8) {
			if num(8) {
				*p = new(uint8(n))
			}
		}
		b := func(p **bool) {
			if num(8) {
				*p = new(n != 0)
			}
		}
		opt := func(bit uint32) {
			if num(8) {
				if d.BoolOpts == nil {
					d.BoolOpts = &rtnl.BridgeBoolOpts{}
				}
				d.BoolOpts.Mask |= bit
				if n != 0 {
					d.BoolOpts.Value |= bit
				}
			}
		}
		switch w {
		case "forward_delay":
			u32(&d.ForwardDelay)
		case "hello_time":
			u32(&d.HelloTime)
		case "max_age":
			u32(&d.MaxAge)
		case "ageing_time":
			u32(&d.AgeingTime)
		case "stp_state":
			u32(&d.STPState)
		case "priority":
			if num(16) {
				d.Priority = new(uint16(n))
			}
		case "vlan_filtering":
			b(&d.VLANFiltering)
		case "vlan_protocol":
			s, e := a.Value(w)
			switch {
			case e != nil:
				err = e
			case s == "802.1Q" || s == "802.1q":
				d.VLANProtocol = new(uint16(0x8100))
			case s == "802.1ad" || s == "802.1AD":
				d.VLANProtocol = new(uint16(0x88a8))
			default:
				err = invalidArg(w, s, "802.1Q or 802.1ad")
			}
		case "vlan_default_pvid":
			if num(16) {
				d.VLANDefaultPVID = new(uint16(n))
			}
		case "vlan_stats_enabled":
			b(&d.VLANStatsEnabled)
		case "vlan_stats_per_port":
			b(&d.VLANStatsPerPort)
		case "group_fwd_mask":
			if num(16) {
				d.GroupFwdMask = new(uint16(n))
			}
		case "group_address":
			d.GroupAddr, err = linkParseLLAddr(a, w)
		case "fdb_flush":
			d.FDBFlush = true
		case "fdb_max_learned":
			u32(&d.FDBMaxLearned)
		case "mcast_router":
			u8(&d.McastRouter)
		case "mcast_snooping":
			b(&d.McastSnooping)
		case "mcast_vlan_snooping":
			opt(rtnl.BridgeMcastVLANSnooping)
		case "no_linklocal_learn":
			opt(rtnl.BridgeNoLinkLocalLearn)
		case "mst_enabled":
			opt(rtnl.BridgeMSTEnabled)
		case "mcast_query_use_ifaddr":
			b(&d.McastQueryUseIfaddr)
		case "mcast_querier":
			b(&d.McastQuerier)
		case "mcast_hash_elasticity":
			u32(&d.McastHashElasticity)
		case "mcast_hash_max":
			u32(&d.McastHashMax)
		case "mcast_last_member_count":
			u32(&d.McastLastMemberCount)
		case "mcast_startup_query_count":
			u32(&d.McastStartupQueryCount)
		case "mcast_last_member_interval":
			u64(&d.McastLastMemberInterval)
		case "mcast_membership_interval":
			u64(&d.McastMembershipInterval)
		case "mcast_querier_interval":
			u64(&d.McastQuerierInterval)
		case "mcast_query_interval":
			u64(&d.McastQueryInterval)
		case "mcast_query_response_interval":
			u64(&d.McastQueryResponseInterval)
		case "mcast_startup_query_interval":
			u64(&d.McastStartupQueryInterval)
		case "mcast_stats_enabled":
			b(&d.McastStatsEnabled)
		case "mcast_igmp_version":
			u8(&d.McastIGMPVersion)
		case "mcast_mld_version":
			u8(&d.McastMLDVersion)
		case "nf_call_iptables":
			b(&d.NFCallIPTables)
		case "nf_call_ip6tables":
			b(&d.NFCallIP6Tables)
		case "nf_call_arptables":
			b(&d.NFCallARPTables)
		case "help":
			return nil, cli.Failf("bridge: the options are %s", wordNames(bridgeWords()))
		default:
			return nil, cli.Failf("bridge: unknown option %s", cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseBridgePortArgs(x *ipctx, a *cli.Args) (*rtnl.BridgePortInfo, error) {
	d := &rtnl.BridgePortInfo{}
	for a.More() {
		w := cli.Resolve(bridgeSlaveWords(), a.Next())
		var err error
		onOff := func(p **bool) {
			var s string
			if s, err = a.Value(w); err != nil {
				return
			}
			if s != "on" && s != "off" {
				err = cli.Failf("invalid %s %s: on or off is expected", w, cli.Quote(s))
				return
			}
			*p = new(s == "on")
		}
		switch w {
		case "fdb_flush":
			d.Flush = true
		case "state":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			st, e := rtnl.ParseBridgePortState(s)
			if e != nil {
				return nil, invalidArg(w, s, "disabled, listening, learning, forwarding, blocking or a number from 0 to 255")
			}
			d.State = &st
		case "priority":
			n, e := a.Uint(w, 16)
			err = e
			d.Priority = new(uint16(n))
		case "cost":
			n, e := a.Uint(w, 32)
			err = e
			d.Cost = new(uint32(n))
		case "hairpin":
			onOff(&d.Hairpin)
		case "guard":
			onOff(&d.Guard)
		case "root_block":
			onOff(&d.RootBlock)
		case "fastleave", "mcast_fast_leave":
			onOff(&d.FastLeave)
		case "learning":
			onOff(&d.Learning)
		case "flood":
			onOff(&d.UnicastFlood)
		case "mcast_flood":
			onOff(&d.McastFlood)
		case "bcast_flood":
			onOff(&d.BcastFlood)
		case "mcast_to_unicast":
			onOff(&d.McastToUnicast)
		case "proxy_arp":
			onOff(&d.ProxyARP)
		case "proxy_arp_wifi":
			onOff(&d.ProxyARPWiFi)
		case "neigh_suppress":
			onOff(&d.NeighSuppress)
		case "vlan_tunnel":
			onOff(&d.VLANTunnel)
		case "isolated":
			onOff(&d.Isolated)
		case "locked":
			onOff(&d.Locked)
		case "mab":
			onOff(&d.MAB)
		case "mcast_router":
			n, e := a.Uint(w, 8)
			err = e
			d.MulticastRouter = new(uint8(n))
		case "group_fwd_mask":
			n, e := a.Uint(w, 16)
			err = e
			d.GroupFwdMask = new(uint16(n))
		case "backup_port":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			i, e := x.linkIndexArg(w, s)
			if e != nil {
				return nil, e
			}
			d.BackupPortIndex = &i
		case "nobackup_port":
			d.BackupPortIndex = new(0)
		case "help":
			return nil, cli.Failf("bridge_slave: the options are %s", wordNames(bridgeSlaveWords()))
		default:
			return nil, cli.Failf("bridge_slave: unknown option %s", cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseMacvlanArgs(a *cli.Args) (*rtnl.MacvlanInfo, error) {
	d := &rtnl.MacvlanInfo{}
	for a.More() {
		w := cli.Resolve(macvlanWords(), a.Next())
		switch w {
		case "mode":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			m, err := rtnl.ParseMacvlanMode(s)
			if err != nil {
				return nil, cli.Failf("invalid mode %s: private, vepa, bridge, passthru or source is expected", cli.Quote(s))
			}
			d.Mode = m
		case "nopromisc", "nodst":
			f := rtnl.MacvlanNoPromisc
			if w == "nodst" {
				f = rtnl.MacvlanNoDst
			}
			if d.Flags == nil {
				d.Flags = new(rtnl.MacvlanFlags(0))
			}
			*d.Flags |= f
		case "flag":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if d.Flags == nil {
				d.Flags = new(rtnl.MacvlanFlags(0))
			}
			switch s {
			case "nopromisc":
				*d.Flags |= rtnl.MacvlanNoPromisc
			case "nodst":
				*d.Flags |= rtnl.MacvlanNoDst
			case "null":
			default:
				return nil, cli.Failf("macvlan: unknown flag %q", s)
			}
		case "bcqueuelen":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(s, 0, 32)
			if err != nil { // as ip: a failure (1), not a syntax error
				return nil, cli.Failf("invalid bcqueuelen %s: a number from 0 to 4294967295 is expected", cli.Quote(s))
			}
			d.BCQueueLen = new(uint32(n))
		case "help":
			return nil, cli.Failf("macvlan: the options are %s", wordNames(macvlanWords()))
		case "macaddr":
			op, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			switch op {
			case "add", "del":
				m := rtnl.MacvlanMACAddrAdd
				if op == "del" {
					m = rtnl.MacvlanMACAddrDel
				}
				d.MACAddrMode = &m
				if d.MACAddr, err = linkParseLLAddr(a, "macaddr "+op); err != nil {
					return nil, err
				}
			case "flush":
				d.MACAddrMode = new(rtnl.MacvlanMACAddrFlush)
			case "set":
				d.MACAddrMode = new(rtnl.MacvlanMACAddrSet)
				for a.More() {
					hw, err := net.ParseMAC(a.Peek())
					if err != nil {
						break
					}
					a.Next()
					d.MACAddrs = append(d.MACAddrs, hw)
				}
			default:
				return nil, cli.Failf("macaddr: unknown operation %s (add, del, set or flush)", cli.Quote(op))
			}
		default:
			return nil, cli.Failf("macvlan: unknown option %s", cli.Quote(w))
		}
	}
	if d.Flags != nil && *d.Flags&rtnl.MacvlanNoPromisc != 0 && d.Mode != rtnl.MacvlanPassthru {
		return nil, cli.Failf("macvlan: nopromisc flag only valid in passthru mode")
	}
	return d, nil
}

func parseVxlanArgs(x *ipctx, a *cli.Args, add bool) (*rtnl.VxlanInfo, error) {
	d := &rtnl.VxlanInfo{}
	if add {
		d.Learning = new(true)
	}
	for a.More() {
		w := cli.Resolve(vxlanWords(), a.Next())
		var err error
		flag := func(p **bool, v bool) { *p = new(v) }
		switch w {
		case "id", "vni":
			n, e := a.Uint(w, 24)
			err = e
			d.ID = new(uint32(n))
		case "remote", "group":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			if d.Group, err = parseAddr(s, 0); err == nil && (w == "group") != d.Group.IsMulticast() {
				err = cli.Syntaxf("invalid %s %s: a group must be multicast, a remote unicast", w, cli.Quote(s))
			}
		case "local":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			d.Local, err = parseAddr(s, 0)
		case "dev":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			d.LinkIndex, err = x.linkIndexArg(w, s)
		case "dstport":
			n, e := a.Uint(w, 16)
			err = e
			d.Port = new(uint16(n))
		case "srcport", "port":
			lo, e := a.Uint(w, 16)
			if e != nil {
				return nil, e
			}
			hi, e := a.Uint(w, 16)
			err = e
			d.PortRange = &rtnl.VxlanPortRange{Low: uint16(lo), High: uint16(hi)}
		case "ttl", "hoplimit":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			switch s {
			case "inherit":
				d.TTLInherit = true
			case "auto":
				d.TTL = new(uint8(0))
			default:
				n, e := strconv.ParseUint(s, 0, 8)
				if e != nil {
					return nil, invalidArg(w, s, "inherit, auto or a number from 0 to 255")
				}
				d.TTL = new(uint8(n))
			}
		case "tos", "dsfield":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			if s == "inherit" {
				d.TOS = new(uint8(1))
				break
			}
			n, e := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
			if e != nil {
				return nil, invalidArg(w, s, "inherit or a hexadecimal number from 0 to ff")
			}
			d.TOS = new(uint8(n))
		case "df":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			df, e := rtnl.ParseVxlanDF(s)
			if e != nil {
				return nil, invalidArg(w, s, "unset, set or inherit")
			}
			d.DF = &df
		case "flowlabel", "label":
			n, e := a.Uint(w, 20)
			err = e
			d.Label = new(uint32(n))
		case "ageing":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			if s == "none" {
				d.Ageing = new(uint32(0))
				break
			}
			n, e := strconv.ParseUint(s, 0, 32)
			if e != nil {
				return nil, invalidArg(w, s, "none or a number of seconds from 0 to 4294967295")
			}
			d.Ageing = new(uint32(n))
		case "maxaddress", "maxaddr":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			if s == "unlimited" {
				d.Limit = new(uint32(0))
				break
			}
			n, e := strconv.ParseUint(s, 0, 32)
			if e != nil {
				return nil, invalidArg(w, s, "unlimited or a number from 0 to 4294967295")
			}
			d.Limit = new(uint32(n))
		case "learning", "nolearning":
			flag(&d.Learning, w == "learning")
		case "proxy", "noproxy":
			flag(&d.Proxy, w == "proxy")
		case "rsc", "norsc":
			flag(&d.RSC, w == "rsc")
		case "l2miss", "nol2miss":
			flag(&d.L2Miss, w == "l2miss")
		case "l3miss", "nol3miss":
			flag(&d.L3Miss, w == "l3miss")
		case "udpcsum", "noudpcsum":
			flag(&d.UDPCsum, w == "udpcsum")
		case "udp6zerocsumtx", "noudp6zerocsumtx":
			flag(&d.UDPZeroCsum6Tx, w == "udp6zerocsumtx")
		case "udp6zerocsumrx", "noudp6zerocsumrx":
			flag(&d.UDPZeroCsum6Rx, w == "udp6zerocsumrx")
		case "remcsumtx", "noremcsumtx":
			flag(&d.RemCsumTx, w == "remcsumtx")
		case "remcsumrx", "noremcsumrx":
			flag(&d.RemCsumRx, w == "remcsumrx")
		case "external", "noexternal":
			flag(&d.External, w == "external")
			if w == "external" {
				d.Learning = new(false)
			}
		case "vnifilter", "novnifilter":
			flag(&d.VNIFilter, w == "vnifilter")
		case "gbp":
			d.GBP = true
		case "gpe":
			d.GPE = true
		case "help":
			return nil, cli.Failf("vxlan: the options are %s", wordNames(vxlanWords()))
		default:
			return nil, cli.Failf("vxlan: unknown option %s", cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	if add && d.ID == nil && (d.External == nil || !*d.External) {
		return nil, cli.Failf("vxlan: missing virtual network identifier (id)")
	}
	return d, nil
}

// wordNames lists the names of keywords, for a kind's help.
func wordNames(ws []cli.Word) string {
	names := make([]string, 0, len(ws))
	for _, w := range ws {
		names = append(names, w.Name)
	}
	return strings.Join(names, " ")
}
