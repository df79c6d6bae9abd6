package bridge

import (
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// runVLANGlobal runs `bridge vlan global [show|set] ...`: a bridge's
// per-VLAN global options (BRIDGE_VLANDB_GLOBAL_OPTIONS). bridge takes
// the verbs whole here, not abbreviated.
func runVLANGlobal(x *bctx, a *cli.Args) error {
	if !a.More() {
		return vlanGlobalShow(x, a)
	}
	switch w := a.Next(); w {
	case "show", "lst", "list":
		return vlanGlobalShow(x, a)
	case "set":
		return vlanGlobalSet(x, a)
	case "help":
		return x.help("vlan")
	default:
		return cli.Syntaxf("bridge vlan global: command %s is unknown, try \"bridge vlan help\"", cli.Quote(w))
	}
}

// globalOption is one option of bridge vlan global set: its keyword, the
// bits of its value, and where it goes.
type globalOption struct {
	name string
	bits int
	set  func(o *rtnl.BridgeVLANGlobal, v uint64)
}

func u8p(v uint64) *uint8   { x := uint8(v); return &x }
func u32p(v uint64) *uint32 { x := uint32(v); return &x }
func u64p(v uint64) *uint64 { return &v }
func boolp(v uint64) *bool  { x := v != 0; return &x }

// globalOptions are bridge 6.1's global VLAN options.
var globalOptions = []globalOption{
	{"mcast_snooping", 8, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastSnooping = boolp(v) }},
	{"mcast_querier", 8, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastQuerier = boolp(v) }},
	{"mcast_igmp_version", 8, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastIGMPVersion = u8p(v) }},
	{"mcast_mld_version", 8, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastMLDVersion = u8p(v) }},
	{"mcast_last_member_count", 32, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastLastMemberCount = u32p(v) }},
	{"mcast_startup_query_count", 32, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastStartupQueryCount = u32p(v) }},
	{"mcast_last_member_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastLastMemberInterval = u64p(v) }},
	{"mcast_membership_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastMembershipInterval = u64p(v) }},
	{"mcast_querier_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastQuerierInterval = u64p(v) }},
	{"mcast_query_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastQueryInterval = u64p(v) }},
	{"mcast_query_response_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastQueryResponseInterval = u64p(v) }},
	{"mcast_startup_query_interval", 64, func(o *rtnl.BridgeVLANGlobal, v uint64) { o.McastStartupQueryInterval = u64p(v) }},
}

// vlanGlobalSet runs bridge vlan global set dev BR vid VID[-VID] [OPTION
// VALUE]...
func vlanGlobalSet(x *bctx, a *cli.Args) error {
	var o rtnl.BridgeVLANGlobal
	vidSet := false
next:
	for a.More() {
		w := a.Next()
		switch w {
		case "dev":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			if o.LinkIndex, err = vlanDevice(x, s); err != nil {
				return err
			}
			continue
		case "vid":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			if o.VID, o.VIDEnd, err = parseVIDs(s); err != nil {
				return err
			}
			vidSet = true
			continue
		case "help":
			return x.help("vlan")
		}
		for _, g := range globalOptions {
			if w == g.name {
				v, err := a.Uint(w, g.bits)
				if err != nil {
					return err
				}
				g.set(&o, v)
				continue next
			}
		}
		return cli.Syntaxf("bridge vlan global set: argument %s is unknown, try \"bridge vlan help\"", cli.Quote(w))
	}
	if o.LinkIndex == 0 || !vidSet {
		return cli.Syntaxf("Device and VLAN ID are required arguments.")
	}
	return x.h.SetBridgeVLANGlobal(x.ctx, &o)
}

// vlanGlobalShow runs bridge vlan global show [dev BR] [vid VID].
func vlanGlobalShow(x *bctx, a *cli.Args) error {
	dev, vid, err := vlanShowArgs(a)
	if err != nil {
		return err
	}
	f := &rtnl.BridgeVLANGlobalFilter{}
	if dev != "" {
		if f.LinkIndex, err = x.index(dev); err != nil {
			return err
		}
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	j := x.jsonArray()
	if j == nil {
		fmt.Fprintf(x.out, "%-16s  %-*s\n", "port", vlanIDLen, "vlan-id")
	}
	p := vlanPorts{x: x, j: j}
	for o, err := range x.h.BridgeVLANGlobals(x.ctx, f) {
		if err != nil {
			return err
		}
		if vid != 0 && (vid < o.VID || vid > max(o.VID, o.VIDEnd)) {
			continue
		}
		p.open(o.LinkIndex)
		x.printVLANGlobal(j, o)
	}
	p.close()
	x.endJSON(j)
	return nil
}

// printVLANGlobal prints one VLAN's (or range's) global options, after
// its bridge, as bridge vlan global show does.
func (x *bctx) printVLANGlobal(j *output.JSON, o *rtnl.BridgeVLANGlobal) {
	if j != nil {
		j.Object("")
	}
	printRange(x, j, "vlan", uint32(o.VID), uint32(o.VIDEnd))
	if j == nil {
		fmt.Fprintf(x.out, "\n%-16s    ", "")
	}
	num := func(k string, v uint64) {
		if j != nil {
			j.Uint(k, v)
		} else {
			fmt.Fprintf(x.out, "%s %d ", k, v)
		}
	}
	b := func(k string, p *bool) {
		if p != nil {
			v := uint64(0)
			if *p {
				v = 1
			}
			num(k, v)
		}
	}
	u8 := func(k string, p *uint8) {
		if p != nil {
			num(k, uint64(*p))
		}
	}
	u32 := func(k string, p *uint32) {
		if p != nil {
			num(k, uint64(*p))
		}
	}
	u64 := func(k string, p *uint64) {
		if p != nil {
			num(k, *p)
		}
	}
	b("mcast_snooping", o.McastSnooping)
	b("mcast_querier", o.McastQuerier)
	u8("mcast_igmp_version", o.McastIGMPVersion)
	u8("mcast_mld_version", o.McastMLDVersion)
	u32("mcast_last_member_count", o.McastLastMemberCount)
	u64("mcast_last_member_interval", o.McastLastMemberInterval)
	u32("mcast_startup_query_count", o.McastStartupQueryCount)
	u64("mcast_startup_query_interval", o.McastStartupQueryInterval)
	u64("mcast_membership_interval", o.McastMembershipInterval)
	u64("mcast_querier_interval", o.McastQuerierInterval)
	u64("mcast_query_interval", o.McastQueryInterval)
	u64("mcast_query_response_interval", o.McastQueryResponseInterval)
	if j == nil {
		x.out.WriteByte('\n')
	}
	if o.McastRouterPorts != nil {
		x.printVLANRouterPorts(j, o.McastRouterPorts)
	}
	if j != nil {
		j.End()
	}
}

// printVLANRouterPorts prints a VLAN's multicast router ports; with -s
// their timers and types, one a line in text.
func (x *bctx) printVLANRouterPorts(j *output.JSON, ports []rtnl.MDBRouterPort) {
	stats := x.env.Stats > 0
	if j != nil {
		j.Array("router_ports")
	} else {
		fmt.Fprintf(x.out, "%-16s    router ports: ", "")
	}
	for i, r := range ports {
		if j != nil {
			j.Object("")
			j.String("port", x.name(r.LinkIndex))
			if stats {
				j.String("timer", formatTimer(r.Timer, true))
				j.String("type", routerType(r.Type))
			}
			j.End()
			continue
		}
		if stats && i > 0 {
			fmt.Fprintf(x.out, "\n%-16s    %14s", "", "")
		}
		x.out.WriteString(x.name(r.LinkIndex) + " ")
		if stats {
			fmt.Fprintf(x.out, " %s %s", formatTimer(r.Timer, true), routerType(r.Type))
		}
	}
	if j != nil {
		j.End()
	} else {
		x.out.WriteByte('\n')
	}
}
