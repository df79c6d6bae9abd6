package iproute

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// appendRouteDst formats a route's destination as ip does.
func appendRouteDst(b []byte, p netip.Prefix) []byte {
	if p.Bits() == 0 && p.Addr().IsUnspecified() {
		return append(b, "default"...)
	}
	b = p.Addr().AppendTo(b)
	if p.Bits() != p.Addr().BitLen() {
		b = append(b, '/')
		b = strconv.AppendInt(b, int64(p.Bits()), 10)
	}
	return b
}

// routeShown says which of a route's fields ip prints: not those the
// selector fixed (the table of a single table, the device of "dev", the
// protocol of "protocol"...), which sel says (nil for route get).
type routeShown struct {
	table, dev, proto, scope, via, src, tos, metric, iif, realms bool
}

func (sel *routeSelector) shown() routeShown {
	if sel == nil {
		return routeShown{true, true, true, true, true, true, true, true, true, true}
	}
	return routeShown{
		table: !sel.tableGiven, dev: sel.kernel.LinkIndex == 0, proto: !sel.protoGiven, scope: sel.scope < 0,
		via: !sel.via.IsValid(), src: !sel.src.IsValid(), tos: sel.tos == nil, metric: sel.metric == nil,
		iif: sel.iif == nil, realms: sel.realmMask != ^uint32(0),
	}
}

// userHZ is the kernel's clock ticks per second in what it reports
// (USER_HZ), which ip reads from sysconf(_SC_CLK_TCK).
const userHZ = 100

// printRouteJSON writes a route with the keys `ip -j route` uses.
// Like ip, it leaves out what the selector fixed: the table of a single
// table, the device of a dev selector.
func printRouteJSON(x *ipctx, j *output.JSON, r *rtnl.Route, sel *routeSelector, get bool) {
	var buf [64]byte
	details := x.env.Details
	show := sel.shown()
	names := x.ipNames()
	j.Object("")
	if r.Type != rtnl.RouteUnicast || details {
		j.String("type", r.Type.String())
	}
	j.ASCII("dst", appendRouteDst(buf[:0], r.Dst))
	if r.Src.IsValid() {
		j.ASCII("from", appendRouteDst(buf[:0], r.Src))
	}
	if r.NexthopID != 0 {
		j.Uint("nhid", uint64(r.NexthopID))
	}
	if r.Encap.Type != 0 {
		printEncapJSON(j, r.Encap)
	}
	if r.TOS != 0 && show.tos {
		j.String("tos", names.dsfieldName(r.TOS))
	}
	if show.via {
		printGatewayJSON(j, r.Family, r.Gateway)
	}
	if r.LinkIndex != 0 && show.dev {
		j.String("dev", x.linkName(r.LinkIndex))
	}
	if show.table && (r.Table != rtnl.TableMain || details) && !get && r.Table != 0 {
		j.String("table", x.tableName(r.Table))
	}
	if r.Flags&rtnl.RouteCloned == 0 {
		if (r.Protocol != rtnl.ProtoBoot || details) && show.proto {
			j.String("protocol", r.Protocol.String())
		}
		if (r.Scope != rtnl.ScopeGlobal || details) && show.scope {
			j.String("scope", r.Scope.String())
		}
	}
	if r.PrefSrc.IsValid() && show.src {
		j.ASCII("prefsrc", r.PrefSrc.AppendTo(buf[:0]))
	}
	if (r.Priority != 0 || r.Family == rtnl.IPv6) && show.metric {
		j.Uint("metric", uint64(r.Priority))
	}
	j.Strings("flags", r.Flags.Names())
	if r.Mark != 0 {
		j.Uint("mark", uint64(r.Mark))
	}
	if r.Realms != 0 && show.realms {
		printRealmsJSON(j, names, r.Realms)
	}
	if r.UID != nil {
		j.Uint("uid", uint64(*r.UID))
	}
	if r.Family == rtnl.IPv4 && r.Flags&rtnl.RouteCloned != 0 {
		names, rest := routeCacheFlags(r.Flags)
		j.Array("cache")
		for _, n := range names {
			j.String("", n)
		}
		if rest != 0 {
			j.String("flags", strconv.FormatUint(uint64(rest), 16))
		}
		j.End()
	}
	if c := r.Cache; c.Expires != 0 {
		j.Int("expires", int64(c.Expires/userHZ))
	} else if r.Expires != 0 {
		j.Uint("expires", uint64(r.Expires))
	}
	if c := r.Cache; c.Error != 0 {
		j.Uint("error", uint64(c.Error))
	}
	if x.env.Stats > 0 {
		if c := r.Cache; c.ClntRef != 0 {
			j.Uint("users", uint64(c.ClntRef))
		}
		if c := r.Cache; c.Used != 0 {
			j.Uint("used", uint64(c.Used))
		}
		if c := r.Cache; c.LastUse != 0 {
			j.Uint("age", uint64(c.LastUse/userHZ))
		}
	}
	if !r.Metrics.IsZero() {
		printMetricsJSON(j, &r.Metrics)
	}
	if r.InputLinkIndex != 0 && show.iif {
		j.String("iif", x.linkName(r.InputLinkIndex))
	}
	if r.Family == rtnl.IPv6 {
		j.String("pref", r.Pref.String())
	}
	if nh := x.nexthops[r.NexthopID]; nh != nil && details {
		j.Name("nh_info")
		printNexthop(x, j, nh)
	}
	if len(r.Nexthops) > 0 {
		j.Array("nexthops")
		for _, nh := range r.Nexthops {
			j.Object("")
			if nh.Encap.Type != 0 {
				printEncapJSON(j, nh.Encap)
			}
			printGatewayJSON(j, r.Family, nh.Gateway)
			if nh.Realms != 0 {
				printRealmsJSON(j, names, nh.Realms)
			}
			j.String("dev", x.linkName(nh.LinkIndex))
			j.Uint("weight", uint64(nh.Weight))
			j.Strings("flags", nh.Flags.Names())
			j.End()
		}
		j.End()
	}
	j.End()
}

// printRealmsJSON writes realms as ip's "flow" object.
func printRealmsJSON(j *output.JSON, names *iprouteNames, v uint32) {
	j.Object("flow")
	if from := v >> 16; from != 0 {
		j.String("from", names.realmName(from))
	}
	j.String("to", names.realmName(v&0xffff))
	j.End()
}

// realmsText words realms as ip's text does: "realms 1/2 " or "realm 2 ".
func realmsText(names *iprouteNames, v uint32) string {
	if from := v >> 16; from != 0 {
		return "realms " + names.realmName(from) + "/" + names.realmName(v&0xffff) + " "
	}
	return "realm " + names.realmName(v&0xffff) + " "
}

// routeCacheFlags names the cache flags (RTCF_*) of a cloned route, in
// ip's order, and returns the bits it has no name for.
func routeCacheFlags(f rtnl.RouteFlags) ([]string, uint32) {
	names := []string{}
	rest := uint32(f) &^ 0xffff
	for _, c := range []struct {
		bit  uint32
		name string
	}{
		{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"}, {0x10000000, "brd"},
		{0x08000000, "dst-nat"}, {0x00800000, "src-nat"}, {0x00400000, "masq"},
		{0x00020000, "dst-direct"}, {0x04000000, "src-direct"}, {0x00040000, "redirected"},
		{0x01000000, "redirect"}, {0x00200000, "fastroute"}, {0x00010000, "notify"}, {0x00080000, "proxy"},
	} {
		if rest&c.bit != 0 {
			names = append(names, c.name)
			rest &^= c.bit
		}
	}
	return names, rest
}

// cacheText words a cloned route's cache flags as ip does.
func cacheText(sl string, f rtnl.RouteFlags) string {
	names, rest := routeCacheFlags(f)
	s := sl + "    cache "
	if len(names) == 0 && rest == 0 {
		return s
	}
	s += "<" + strings.Join(names, ",")
	if rest != 0 {
		if len(names) > 0 {
			s += ","
		}
		return s + strconv.FormatUint(uint64(rest), 16) + ">"
	}
	return s + "> "
}

func printGatewayJSON(j *output.JSON, f rtnl.Family, gw netip.Addr) {
	if !gw.IsValid() {
		return
	}
	var buf [64]byte
	if gw.Is4() == (f == rtnl.IPv4) {
		j.ASCII("gateway", gw.AppendTo(buf[:0]))
		return
	}
	j.Object("via")
	if gw.Is4() {
		j.String("family", "inet")
	} else {
		j.String("family", "inet6")
	}
	j.ASCII("host", gw.AppendTo(buf[:0]))
	j.End()
}

// routeMetrics lists a route's metrics in ip's order (RTAX_*), with
// their text names.
func routeMetrics(m *rtnl.Metrics) []struct {
	rtax uint
	name string
	v    uint32
} {
	return []struct {
		rtax uint
		name string
		v    uint32
	}{
		{unix.RTAX_MTU, "mtu", m.MTU}, {unix.RTAX_WINDOW, "window", m.Window}, {unix.RTAX_RTT, "rtt", m.RTT},
		{unix.RTAX_RTTVAR, "rttvar", m.RTTVar}, {unix.RTAX_SSTHRESH, "ssthresh", m.SSThresh},
		{unix.RTAX_CWND, "cwnd", m.CWnd}, {unix.RTAX_ADVMSS, "advmss", m.AdvMSS},
		{unix.RTAX_REORDERING, "reordering", m.Reordering}, {unix.RTAX_HOPLIMIT, "hoplimit", m.HopLimit},
		{unix.RTAX_INITCWND, "initcwnd", m.InitCWnd}, {unix.RTAX_FEATURES, "features", m.Features},
		{unix.RTAX_RTO_MIN, "rto_min", m.RTOMin}, {unix.RTAX_INITRWND, "initrwnd", m.InitRWnd},
		{unix.RTAX_QUICKACK, "quickack", m.QuickAck}, {unix.RTAX_CC_ALGO, "congctl", 0},
		{unix.RTAX_FASTOPEN_NO_COOKIE, "fastopen_no_cookie", m.FastOpenNoCookie},
	}
}

func printMetricsJSON(j *output.JSON, m *rtnl.Metrics) {
	j.Array("metrics")
	j.Object("")
	for _, f := range routeMetrics(m) {
		locked := m.Locked&(1<<f.rtax) != 0
		switch {
		case f.rtax == unix.RTAX_CC_ALGO:
			if m.Congestion != "" || locked {
				j.String("congestion", m.Congestion)
			}
		case f.v == 0 && !locked:
		case f.rtax == unix.RTAX_FEATURES:
			if f.v&unix.RTAX_FEATURE_ECN != 0 {
				j.Null("ecn")
			}
			if f.v&^unix.RTAX_FEATURE_ECN != 0 {
				j.String("features", "0x"+strconv.FormatUint(uint64(f.v), 16))
			}
		default:
			j.Uint(f.name, uint64(f.v))
		}
	}
	j.End()
	j.End()
}

// metricsText words a route's metrics as ip's text does.
func metricsText(m *rtnl.Metrics) string {
	var b strings.Builder
	for _, f := range routeMetrics(m) {
		locked := m.Locked&(1<<f.rtax) != 0
		if f.v == 0 && !locked && (f.rtax != unix.RTAX_CC_ALGO || m.Congestion == "") {
			continue
		}
		b.WriteString(f.name + " ")
		if locked {
			b.WriteString("lock ")
		}
		switch f.rtax {
		case unix.RTAX_FEATURES:
			if f.v&unix.RTAX_FEATURE_ECN != 0 {
				b.WriteString("ecn ")
			}
			if f.v&^unix.RTAX_FEATURE_ECN != 0 {
				fmt.Fprintf(&b, "%#x ", f.v)
			}
		case unix.RTAX_RTT, unix.RTAX_RTTVAR, unix.RTAX_RTO_MIN:
			if f.v >= 1000 {
				b.WriteString(strconv.FormatFloat(float64(f.v)/1e3, 'g', 6, 64) + "s ")
			} else {
				fmt.Fprintf(&b, "%dms ", f.v)
			}
		case unix.RTAX_CC_ALGO:
			b.WriteString(m.Congestion + " ")
		default:
			fmt.Fprintf(&b, "%d ", f.v)
		}
	}
	return b.String()
}

// printRouteText writes a route as `ip route` prints it (ip's
// print_route): every field followed by a space, IPv6 routes ending with
// their preference. The line is built in a reused buffer: a listing costs
// no allocation per route.
func printRouteText(x *ipctx, r *rtnl.Route, sel *routeSelector) {
	b := x.pc.line[:0]
	defer func() { x.pc.line = b[:0] }()
	show := sel.shown()
	details := x.env.Details
	sl := "\n"
	if x.env.Oneline {
		sl = "\\"
	}
	if r.Type != rtnl.RouteUnicast || details {
		b = append(b, r.Type.String()...)
		b = append(b, ' ')
	}
	b = appendRouteDst(b, r.Dst)
	b = append(b, ' ')
	if r.Src.IsValid() {
		b = append(b, "from "...)
		b = appendRouteDst(b, r.Src)
		b = append(b, ' ')
	}
	if r.NexthopID != 0 {
		b = append(b, "nhid "...)
		b = appendUint(b, r.NexthopID)
		b = append(b, ' ')
	}
	if r.Encap.Type != 0 {
		b = append(b, encapText(r.Encap)...)
	}
	if r.TOS != 0 && show.tos {
		b = append(b, "tos "...)
		b = append(b, x.ipNames().dsfieldName(r.TOS)...)
		b = append(b, ' ')
	}
	if gw := r.Gateway; gw.IsValid() && show.via {
		b = appendGateway(b, r.Family, gw)
	}
	if r.LinkIndex != 0 && show.dev {
		b = append(b, "dev "...)
		b = append(b, x.linkName(r.LinkIndex)...)
		b = append(b, ' ')
	}
	if show.table && r.Table != 0 && (r.Table != rtnl.TableMain || details) {
		b = append(b, "table "...)
		b = append(b, x.tableName(r.Table)...)
		b = append(b, ' ')
	}
	if r.Flags&rtnl.RouteCloned == 0 {
		if (r.Protocol != rtnl.ProtoBoot || details) && show.proto {
			b = append(b, "proto "...)
			b = append(b, r.Protocol.String()...)
			b = append(b, ' ')
		}
		if (r.Scope != rtnl.ScopeGlobal || details) && show.scope {
			b = append(b, "scope "...)
			b = append(b, r.Scope.String()...)
			b = append(b, ' ')
		}
	}
	if r.PrefSrc.IsValid() && show.src {
		b = append(b, "src "...)
		b = r.PrefSrc.AppendTo(b)
		b = append(b, ' ')
	}
	if (r.Priority != 0 || r.Family == rtnl.IPv6) && show.metric {
		b = append(b, "metric "...)
		b = appendUint(b, r.Priority)
		b = append(b, ' ')
	}
	for _, f := range x.pc.routeFlagNames(r.Flags) {
		b = append(b, f...)
		b = append(b, ' ')
	}
	if m := r.Mark; m >= 16 {
		b = append(b, "mark 0x"...)
		b = strconv.AppendUint(b, uint64(m), 16)
		b = append(b, ' ')
	} else if m != 0 {
		b = append(b, "mark "...)
		b = appendUint(b, m)
		b = append(b, ' ')
	}
	if r.Realms != 0 && show.realms {
		b = append(b, realmsText(x.ipNames(), r.Realms)...)
	}
	if r.UID != nil {
		b = append(b, "uid "...)
		b = appendUint(b, *r.UID)
		b = append(b, ' ')
	}
	if r.Family == rtnl.IPv4 && r.Flags&rtnl.RouteCloned != 0 {
		b = append(b, cacheText(sl, r.Flags)...)
	}
	if c := r.Cache; c.Expires != 0 {
		b = append(b, "expires "...)
		b = appendInt(b, c.Expires/userHZ)
		b = append(b, "sec "...)
	} else if r.Expires != 0 {
		b = append(b, "expires "...)
		b = appendUint(b, r.Expires)
		b = append(b, "sec "...)
	}
	if c := r.Cache; c.Error != 0 {
		b = append(b, "error "...)
		b = appendUint(b, c.Error)
		b = append(b, ' ')
	}
	if c := r.Cache; x.env.Stats > 0 {
		if c.ClntRef != 0 {
			b = append(b, "users "...)
			b = appendUint(b, c.ClntRef)
			b = append(b, ' ')
		}
		if c.Used != 0 {
			b = append(b, "used "...)
			b = appendUint(b, c.Used)
			b = append(b, ' ')
		}
		if c.LastUse != 0 {
			b = append(b, "age "...)
			b = appendUint(b, c.LastUse/userHZ)
			b = append(b, "sec "...)
		}
	}
	if !r.Metrics.IsZero() {
		b = append(b, metricsText(&r.Metrics)...)
	}
	if r.InputLinkIndex != 0 && show.iif {
		b = append(b, "iif "...)
		b = append(b, x.linkName(r.InputLinkIndex)...)
		b = append(b, ' ')
	}
	if r.Family == rtnl.IPv6 {
		b = append(b, "pref "...)
		b = append(b, r.Pref.String()...)
	}
	if nh := x.nexthops[r.NexthopID]; nh != nil && details {
		// The nexthop object, on a line of its own; the paths the
		// kernel lists for a group (nexthop_compat_mode) follow it.
		b = append(b, "\n\tnh_info "...)
		b = appendNexthopText(b, x, nh)
	}
	for _, nh := range r.Nexthops {
		b = append(b, sl...)
		b = append(b, "\tnexthop "...)
		if nh.Encap.Type != 0 {
			b = append(b, encapText(nh.Encap)...)
		}
		if nh.Gateway.IsValid() {
			b = appendGateway(b, r.Family, nh.Gateway)
		}
		if nh.Realms != 0 {
			b = append(b, realmsText(x.ipNames(), nh.Realms)...)
		}
		b = append(b, "dev "...)
		b = append(b, x.linkName(nh.LinkIndex)...)
		b = append(b, " weight "...)
		b = appendInt(b, nh.Weight)
		b = append(b, ' ')
		for _, f := range x.pc.routeFlagNames(nh.Flags) {
			b = append(b, f...)
			b = append(b, ' ')
		}
	}
	b = append(b, '\n')
	x.out.Write(b)
}

// appendNexthopText appends a nexthop as printNexthop prints it, without
// the newline that ends it.
func appendNexthopText(b []byte, x *ipctx, nh *rtnl.Nexthop) []byte {
	var buf bytes.Buffer
	out := x.out
	x.out = bufio.NewWriter(&buf)
	printNexthop(x, nil, nh)
	x.out.Flush()
	x.out = out
	return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// appendGateway appends a gateway as ip words it: "via ADDR ", or
// "via inet6 ADDR " for a gateway of the other family (an IPv4 route via
// an IPv6 address).
func appendGateway(b []byte, f rtnl.Family, gw netip.Addr) []byte {
	b = append(b, "via "...)
	if gw.Is4() != (f == rtnl.IPv4) {
		if gw.Is4() {
			b = append(b, "inet "...)
		} else {
			b = append(b, "inet6 "...)
		}
	}
	b = gw.AppendTo(b)
	return append(b, ' ')
}

// tableForm and protocolForm are what a table and a route protocol may be,
// for the errors.
const (
	tableForm    = "a table name (local, main, default or from /etc/iproute2/rt_tables) or a number from 0 to 4294967295"
	protocolForm = "a protocol name (from /etc/iproute2/rt_protos) or a number from 0 to 255"
)
