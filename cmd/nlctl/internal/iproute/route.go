package iproute

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const routeUsage = `usage: nlctl route { show | list | flush } [SELECTOR]
       nlctl route get ADDRESS [from ADDRESS] [iif DEV] [oif DEV] [mark MARK] [uid UID] [fibmatch]
                       [ipproto PROTO] [sport PORT] [dport PORT] [tos TOS]
       nlctl route { add | del | change | append | replace } ROUTE
SELECTOR := [root PREFIX] [match PREFIX] [exact PREFIX] [table TABLE] [proto PROTO]
            [type TYPE] [scope SCOPE] [dev DEV] [via ADDRESS] [src ADDRESS]
ROUTE := [TYPE] PREFIX [tos TOS] [table TABLE] [proto PROTO] [scope SCOPE] [metric N]
         [nhid ID | NH | nexthop NH [nexthop NH ...]] [src ADDRESS] [from PREFIX] [OPTIONS]
NH := [via [inet|inet6] ADDRESS] [dev DEV] [weight N] [onlink] [pervasive]
OPTIONS := [mtu [lock] N] [advmss N] [window N] [rtt TIME] [rttvar TIME] [rto_min TIME]
           [ssthresh N] [cwnd N] [initcwnd N] [initrwnd N] [reordering N] [hoplimit N]
           [features ecn] [quickack 0|1] [fastopen_no_cookie 0|1] [congctl NAME]
           [pref low|medium|high] [expires SECONDS]
TYPE := unicast | local | broadcast | multicast | throw | unreachable | prohibit | blackhole | nat
`

// routeChange parses a ROUTE and submits it.
func routeChange(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	r, err := parseRoute(x, a, v)
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Route(v, &r) })
}

// parseRoute reads a route as `ip route add` does, with its defaults:
// table main, protocol boot, type unicast, and scope link for a route with
// no gateway (host for local routes).
func parseRoute(x *ipctx, a *cli.Args, v rtnl.Verb) (rtnl.Route, error) {
	var r rtnl.Route
	family := x.env.Family
	scopeSet, protoSet, haveDst := false, false, false
	anyDefault := false      // "default" with no family given yet
	var nh rtnl.RouteNexthop // the single path, or the one being read
	inNexthop := false
	endNexthop := func() {
		if inNexthop {
			r.Nexthops = append(r.Nexthops, nh)
			nh = rtnl.RouteNexthop{}
		}
	}
	for a.More() {
		w := a.Next()
		switch {
		case w == "via":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			fam := 0
			if s == "inet" || s == "inet6" {
				fam = 4
				if s == "inet6" {
					fam = 6
				}
				if s, err = a.Value(w); err != nil {
					return r, err
				}
			}
			gw, err := parseAddr(s, fam)
			if err != nil {
				return r, err
			}
			nh.Gateway = gw
		case w == "dev" || w == "oif":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if nh.OIF, err = x.linkIndex(s); err != nil {
				return r, err
			}
		case w == "weight":
			n, err := a.Uint(w, 32)
			if err != nil || n < 1 || n > 256 {
				return r, cli.Failf("invalid weight (1 to 256)")
			}
			nh.Weight = int(n)
		case w == "encap":
			enc, err := parseEncap(a)
			if err != nil {
				return r, err
			}
			nh.Encap = enc
		case w == "onlink":
			nh.Flags |= rtnl.RouteOnlink
		case w == "pervasive":
			nh.Flags |= rtnl.RoutePervasive
		case w == "nexthop":
			if !inNexthop && (nh.Gateway.IsValid() || nh.OIF != 0) {
				return r, cli.Failf("a route has either one path or nexthop lists, not both")
			}
			endNexthop()
			inNexthop = true
		case w == "nhid":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.NexthopID = uint32(n)
		case w == "src":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if r.PrefSrc, err = parseAddr(s, family); err != nil {
				return r, err
			}
		case w == "from":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if r.Src, err = parsePrefix(s, family); err != nil {
				return r, err
			}
		case w == "table" || w == "lookup":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			t, err := rtnl.ParseTable(s)
			if err != nil {
				return r, cli.Failf("%v", err)
			}
			r.Table = t
		case cli.Matches(w, "protocol") && len(w) >= 2:
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			p, err := rtnl.ParseRouteProtocol(s)
			if err != nil {
				return r, cli.Failf("%v", err)
			}
			r.Protocol, protoSet = p, true
		case w == "scope":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			sc, err := rtnl.ParseScope(s)
			if err != nil {
				return r, cli.Failf("%v", err)
			}
			r.Scope, scopeSet = sc, true
		case w == "metric" || w == "priority" || w == "preference":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.Priority = uint32(n)
		case w == "tos" || w == "dsfield":
			n, err := a.Uint(w, 8)
			if err != nil {
				return r, err
			}
			r.TOS = uint8(n)
		case w == "mtu" || w == "advmss" || w == "window" || w == "ssthresh" || w == "cwnd" ||
			w == "initcwnd" || w == "initrwnd" || w == "reordering" || w == "hoplimit" ||
			w == "rtt" || w == "rttvar" || w == "rto_min" || w == "quickack" || w == "fastopen_no_cookie":
			if err := parseMetric(&r.Metrics, w, a); err != nil {
				return r, err
			}
		case w == "features":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if s != "ecn" {
				return r, cli.Failf("unknown feature %q (only ecn)", s)
			}
			r.Metrics.Features |= unix.RTAX_FEATURE_ECN
		case w == "congctl":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if s == "lock" {
				r.Metrics.Locked |= 1 << unix.RTAX_CC_ALGO
				if s, err = a.Value(w); err != nil {
					return r, err
				}
			}
			r.Metrics.Congestion = s
		case w == "pref":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			switch s {
			case "low":
				r.Pref = rtnl.PrefLow
			case "medium":
				r.Pref = rtnl.PrefMedium
			case "high":
				r.Pref = rtnl.PrefHigh
			default:
				return r, cli.Failf("invalid pref %q", s)
			}
		case w == "expires":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.Expires = uint32(n)
		case w == "to" || w == "exact":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if r.Dst, err = parsePrefix(s, family); err != nil {
				return r, err
			}
			haveDst = true
		default:
			if !haveDst && r.Type == 0 && isWord(w) {
				if t, err := rtnl.ParseRouteType(w); err == nil {
					r.Type = t
					continue
				}
			}
			if haveDst {
				return r, cli.Failf("unknown route keyword %q", w)
			}
			p, err := parsePrefix(w, family)
			if err != nil {
				return r, err
			}
			r.Dst, haveDst = p, true
			anyDefault = family == 0 && (w == "default" || w == "all" || w == "any")
		}
		if r.Dst.IsValid() && family == 0 && !anyDefault {
			family = familyOf(r.Dst.Addr())
		}
	}
	if anyDefault {
		// As ip: "default" has the family of what else the route names.
		for _, a := range []netip.Addr{nh.Gateway, r.PrefSrc, firstGateway(r.Nexthops)} {
			if a.IsValid() {
				if a.Is6() {
					r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
				}
				break
			}
		}
	}
	if !haveDst {
		return r, cli.Failf("a route needs a destination prefix")
	}
	if inNexthop {
		endNexthop()
	} else {
		r.Gateway, r.OIF, r.Encap = nh.Gateway, nh.OIF, nh.Encap
		r.Flags |= nh.Flags
		if nh.Weight != 0 {
			return r, cli.Failf("weight is for nexthop lists")
		}
	}
	if v != rtnl.Delete {
		if !protoSet {
			r.Protocol = rtnl.ProtoBoot
		}
		if r.Type == rtnl.RouteUnspec {
			r.Type = rtnl.RouteUnicast
		}
		if !scopeSet {
			switch r.Type {
			case rtnl.RouteLocal, rtnl.RouteNAT:
				r.Scope = rtnl.ScopeHost
			case rtnl.RouteBroadcast, rtnl.RouteMulticast, rtnl.RouteAnycast:
				r.Scope = rtnl.ScopeLink
			case rtnl.RouteUnicast:
				if !r.Gateway.IsValid() && len(r.Nexthops) == 0 && r.NexthopID == 0 {
					r.Scope = rtnl.ScopeLink
				}
			}
		}
	}
	return r, nil
}

func firstGateway(nhs []rtnl.RouteNexthop) netip.Addr {
	for _, nh := range nhs {
		if nh.Gateway.IsValid() {
			return nh.Gateway
		}
	}
	return netip.Addr{}
}

// isWord reports whether s starts with a letter: a keyword or a name, not
// an address or a number.
func isWord(s string) bool {
	return s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z')
}

// parseEncap reads `encap ip|ip6 [id ID] [dst ADDR] [src ADDR] [ttl|hoplimit N]
// [tos|tc N]`, the lightweight tunnels this kernel has that nlctl builds.
func parseEncap(a *cli.Args) (rtnl.Encap, error) {
	t, err := a.Value("encap")
	if err != nil {
		return rtnl.Encap{}, err
	}
	if t != "ip" && t != "ip6" {
		return rtnl.Encap{}, cli.Failf("encap %s is not supported (ip and ip6 are)", t)
	}
	var e rtnl.IPEncap
	family := 4
	if t == "ip6" {
		family = 6
	}
	for a.More() {
		w := a.Peek()
		var n uint64
		switch w {
		case "id":
			a.Next()
			if n, err = a.Uint(w, 64); err == nil {
				e.ID = n
			}
		case "dst", "src":
			a.Next()
			var v string
			if v, err = a.Value(w); err == nil {
				var ad netip.Addr
				if ad, err = parseAddr(v, family); err == nil {
					if w == "dst" {
						e.Dst = ad
					} else {
						e.Src = ad
					}
				}
			}
		case "ttl", "hoplimit", "tos", "tc":
			a.Next()
			if n, err = a.Uint(w, 8); err == nil {
				if w == "ttl" || w == "hoplimit" {
					e.TTL = uint8(n)
				} else {
					e.TOS = uint8(n)
				}
			}
		default:
			enc, err := e.Encap()
			if err == nil && t == "ip6" && !e.Dst.IsValid() && !e.Src.IsValid() {
				enc.Type = rtnl.EncapIP6
			}
			return enc, err
		}
		if err != nil {
			return rtnl.Encap{}, err
		}
	}
	enc, err := e.Encap()
	if err == nil && t == "ip6" && !e.Dst.IsValid() && !e.Src.IsValid() {
		enc.Type = rtnl.EncapIP6
	}
	return enc, err
}

// printEncapJSON writes an encapsulation as ip does: its type under
// "encap", then its fields at the route's level (ip 6.1 repeats the key
// "dst" for the tunnel's destination; so does nlctl, for scripts written
// against it).
func printEncapJSON(j *output.JSON, enc rtnl.Encap) {
	j.String("encap", enc.Type.String())
	e, err := enc.IP()
	if err != nil {
		return
	}
	var buf [64]byte
	j.Uint("id", e.ID)
	if e.Src.IsValid() {
		j.ASCII("src", e.Src.AppendTo(buf[:0]))
	}
	if e.Dst.IsValid() {
		j.ASCII("dst", e.Dst.AppendTo(buf[:0]))
	}
	if enc.Type == rtnl.EncapIP6 {
		j.Uint("hoplimit", uint64(e.TTL))
		j.Uint("tc", uint64(e.TOS))
	} else {
		j.Uint("ttl", uint64(e.TTL))
		j.Uint("tos", uint64(e.TOS))
	}
}

// encapText words an encapsulation as ip's text output does.
func encapText(enc rtnl.Encap) string {
	e, err := enc.IP()
	if err != nil {
		return " encap " + enc.Type.String()
	}
	s := fmt.Sprintf(" encap %s id %d", enc.Type, e.ID)
	if e.Src.IsValid() {
		s += " src " + e.Src.String()
	}
	if e.Dst.IsValid() {
		s += " dst " + e.Dst.String()
	}
	if enc.Type == rtnl.EncapIP6 {
		return s + fmt.Sprintf(" hoplimit %d tc %d", e.TTL, e.TOS)
	}
	return s + fmt.Sprintf(" ttl %d tos %d", e.TTL, e.TOS)
}

// parseMetric reads one route metric: a number, or "lock N", or a time
// for rtt, rttvar and rto_min (plain numbers are milliseconds).
func parseMetric(m *rtnl.Metrics, kw string, a *cli.Args) error {
	s, err := a.Value(kw)
	if err != nil {
		return err
	}
	var t uint16
	var f *uint32
	switch kw {
	case "mtu":
		t, f = unix.RTAX_MTU, &m.MTU
	case "advmss":
		t, f = unix.RTAX_ADVMSS, &m.AdvMSS
	case "window":
		t, f = unix.RTAX_WINDOW, &m.Window
	case "ssthresh":
		t, f = unix.RTAX_SSTHRESH, &m.SSThresh
	case "cwnd":
		t, f = unix.RTAX_CWND, &m.CWnd
	case "initcwnd":
		t, f = unix.RTAX_INITCWND, &m.InitCWnd
	case "initrwnd":
		t, f = unix.RTAX_INITRWND, &m.InitRWnd
	case "reordering":
		t, f = unix.RTAX_REORDERING, &m.Reordering
	case "hoplimit":
		t, f = unix.RTAX_HOPLIMIT, &m.HopLimit
	case "rtt":
		t, f = unix.RTAX_RTT, &m.RTT
	case "rttvar":
		t, f = unix.RTAX_RTTVAR, &m.RTTVar
	case "rto_min":
		t, f = unix.RTAX_RTO_MIN, &m.RTOMin
	case "quickack":
		t, f = unix.RTAX_QUICKACK, &m.QuickAck
	case "fastopen_no_cookie":
		t, f = unix.RTAX_FASTOPEN_NO_COOKIE, &m.FastOpenNoCookie
	}
	if s == "lock" {
		m.Locked |= 1 << t
		if s, err = a.Value(kw); err != nil {
			return err
		}
	}
	if kw == "rtt" || kw == "rttvar" || kw == "rto_min" {
		if d, err := time.ParseDuration(s); err == nil {
			*f = uint32(d.Milliseconds())
			return nil
		}
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return cli.Failf("invalid %s %q", kw, s)
	}
	*f = uint32(n)
	return nil
}

// routeSelector is what `ip route show` selects in user space, beyond
// what the kernel filters.
type routeSelector struct {
	kernel     rtnl.RouteFilter
	tableGiven bool // a single table was named: ip then does not print it
	root       netip.Prefix
	match      netip.Prefix
	exact      netip.Prefix
	scope      int // -1: any
	via        netip.Addr
	src        netip.Addr
}

func parseRouteSelector(x *ipctx, a *cli.Args) (*routeSelector, error) {
	s := &routeSelector{scope: -1}
	s.kernel.Table = rtnl.TableMain
	s.tableGiven = true
	family := x.env.Family
	prefix := func(w string) (netip.Prefix, error) {
		v, err := a.Value(w)
		if err != nil {
			return netip.Prefix{}, err
		}
		return parsePrefix(v, family)
	}
	for a.More() {
		w := a.Next()
		var err error
		switch {
		case w == "table":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if v == "cache" {
				s.kernel.Cloned = true
				s.kernel.Table = 0
				s.tableGiven = false
				break
			}
			t, err := rtnl.ParseTable(v)
			if err != nil {
				return nil, cli.Failf("%v", err)
			}
			s.kernel.Table = t
			s.tableGiven = t != 0
		case w == "cache" || w == "cloned":
			s.kernel.Cloned = true
		case cli.Matches(w, "protocol") && len(w) >= 2:
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			p, err := rtnl.ParseRouteProtocol(v)
			if err != nil {
				return nil, cli.Failf("%v", err)
			}
			s.kernel.Protocol = p
		case w == "type":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			t, err := rtnl.ParseRouteType(v)
			if err != nil {
				return nil, cli.Failf("%v", err)
			}
			s.kernel.Type = t
		case w == "scope":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			sc, err := rtnl.ParseScope(v)
			if err != nil {
				return nil, cli.Failf("%v", err)
			}
			s.scope = int(sc)
		case w == "dev" || w == "oif":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.kernel.OIF, err = x.linkIndex(v); err != nil {
				return nil, err
			}
		case w == "via":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if v == "inet" || v == "inet6" {
				if v, err = a.Value(w); err != nil {
					return nil, err
				}
			}
			if s.via, err = parseAddr(v, 0); err != nil {
				return nil, err
			}
		case w == "src":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.src, err = parseAddr(v, 0); err != nil {
				return nil, err
			}
		case w == "root":
			s.root, err = prefix(w)
		case w == "match":
			s.match, err = prefix(w)
		case w == "to":
			switch a.Peek() { // to [root|match|exact] PREFIX
			case "root":
				a.Next()
				s.root, err = prefix("root")
			case "match":
				a.Next()
				s.match, err = prefix("match")
			case "exact":
				a.Next()
				s.exact, err = prefix("exact")
			default:
				s.exact, err = prefix(w)
			}
		case w == "exact":
			s.exact, err = prefix(w)
		default:
			s.exact, err = parsePrefix(w, family)
		}
		if err != nil {
			return nil, err
		}
		for _, p := range []netip.Prefix{s.root, s.match, s.exact} {
			if p.IsValid() && family == 0 {
				family = familyOf(p.Addr())
			}
		}
	}
	switch {
	case x.env.Family == 4 || family == 4:
		s.kernel.Family = rtnl.IPv4
	case x.env.Family == 6 || family == 6:
		s.kernel.Family = rtnl.IPv6
	case s.kernel.Table != 0:
		s.kernel.Family = rtnl.IPv4 // as ip: one table means IPv4 unless -6
	}
	return s, nil
}

// keep applies the selectors the kernel does not.
func (s *routeSelector) keep(r *rtnl.Route) bool {
	if s.scope >= 0 && int(r.Scope) != s.scope {
		return false
	}
	// As ip, the interface and the gateway are those of the route itself,
	// not of its nexthops (the kernel's dev filter also matches those).
	if s.kernel.OIF != 0 && r.OIF != s.kernel.OIF {
		return false
	}
	if s.via.IsValid() && r.Gateway != s.via {
		return false
	}
	if s.src.IsValid() && r.PrefSrc != s.src {
		return false
	}
	d := r.Dst
	if !d.IsValid() {
		return false
	}
	if p := s.exact; p.IsValid() && (d.Bits() != p.Bits() || d.Masked() != p.Masked()) {
		return false
	}
	if p := s.root; p.IsValid() && (d.Bits() < p.Bits() || !p.Contains(d.Addr())) {
		return false
	}
	if p := s.match; p.IsValid() && (d.Bits() > p.Bits() || !d.Contains(p.Addr())) {
		return false
	}
	return true
}

func routeShow(x *ipctx, a *cli.Args, flush bool) error {
	if flush && !a.More() {
		return cli.Failf("flush requires arguments")
	}
	sel, err := parseRouteSelector(x, a)
	if err != nil {
		return err
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	if flush {
		routes, err := h.ListRoutes(x.ctx, &sel.kernel)
		if err != nil {
			return err
		}
		b := h.NewBatch()
		for i := range routes {
			if sel.keep(&routes[i]) {
				if err := b.Route(rtnl.Delete, &routes[i]); err != nil {
					return err
				}
			}
		}
		return b.Run(x.ctx, nil)
	}
	if x.byIndex == nil {
		if err := x.loadLinks(); err != nil {
			return err
		}
	}
	if x.env.Details && x.env.JSON {
		// ip -d shows the nexthop object a route refers to; fetch them
		// before the dump, which holds the connection.
		nhs, err := h.ListNexthops(x.ctx, nil)
		if err != nil && !errors.Is(err, unix.EOPNOTSUPP) {
			return err
		}
		x.nexthops = make(map[uint32]*rtnl.Nexthop, len(nhs))
		for i := range nhs {
			x.nexthops[nhs[i].ID] = &nhs[i]
		}
	}
	var j *output.JSON
	if x.env.JSON {
		j = output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
		j.Array("")
	}
	for r, err := range h.Routes(x.ctx, &sel.kernel) {
		if err != nil {
			if j != nil {
				j.End()
			}
			return err
		}
		if !sel.keep(r) {
			continue
		}
		if j != nil {
			printRouteJSON(x, j, r, sel, false)
		} else {
			printRouteText(x, r, sel)
		}
	}
	if j != nil {
		j.End()
	}
	return nil
}

func routeGet(x *ipctx, a *cli.Args) error {
	var q rtnl.RouteQuery
	for a.More() {
		w := a.Next()
		var err error
		var v string
		switch w {
		case "from":
			if v, err = a.Value(w); err == nil {
				q.Src, err = parseAddr(v, 0)
			}
		case "iif", "oif", "dev":
			if v, err = a.Value(w); err == nil {
				var i int
				i, err = x.linkIndex(v)
				if w == "iif" {
					q.IIF = i
				} else {
					q.OIF = i
				}
			}
		case "mark":
			var n uint64
			n, err = a.Uint(w, 32)
			q.Mark = uint32(n)
		case "uid":
			var n uint64
			n, err = a.Uint(w, 32)
			uid := uint32(n)
			q.UID = &uid
		case "tos", "dsfield":
			var n uint64
			n, err = a.Uint(w, 8)
			q.TOS = uint8(n)
		case "ipproto":
			if v, err = a.Value(w); err == nil {
				q.IPProto, err = parseIPProto(v)
			}
		case "sport", "dport":
			var n uint64
			n, err = a.Uint(w, 16)
			if w == "sport" {
				q.SrcPort = uint16(n)
			} else {
				q.DstPort = uint16(n)
			}
		case "fibmatch":
			q.FibMatch = true
		case "to":
			if v, err = a.Value(w); err == nil {
				q.Dst, err = parseAddr(v, x.env.Family)
			}
		default:
			if q.Dst.IsValid() {
				return cli.Failf("unknown route get keyword %q", w)
			}
			q.Dst, err = parseAddr(strings.TrimSuffix(strings.TrimSuffix(w, "/32"), "/128"), x.env.Family)
		}
		if err != nil {
			return err
		}
	}
	if !q.Dst.IsValid() {
		return cli.Failf("route get needs a destination address")
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	r, err := h.RouteGet(x.ctx, q)
	if err != nil {
		return err
	}
	if x.env.JSON {
		j := output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
		j.Array("")
		printRouteJSON(x, j, r, nil, true)
		j.End()
		return nil
	}
	printRouteText(x, r, nil)
	return nil
}

func parseIPProto(s string) (uint8, error) {
	switch s {
	case "tcp":
		return unix.IPPROTO_TCP, nil
	case "udp":
		return unix.IPPROTO_UDP, nil
	case "icmp":
		return unix.IPPROTO_ICMP, nil
	case "ipv6-icmp", "icmpv6":
		return unix.IPPROTO_ICMPV6, nil
	case "sctp":
		return unix.IPPROTO_SCTP, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, cli.Failf("invalid ipproto %q", s)
	}
	return uint8(n), nil
}

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

// printRouteJSON writes a route with the keys `ip -j route` uses.
// Like ip, it leaves out what the selector fixed: the table of a single
// table, the device of a dev selector.
func printRouteJSON(x *ipctx, j *output.JSON, r *rtnl.Route, sel *routeSelector, get bool) {
	var buf [64]byte
	details := x.env.Details
	tableGiven := sel != nil && sel.tableGiven
	devGiven := sel != nil && sel.kernel.OIF != 0
	j.Object("")
	if r.Type != rtnl.RouteUnicast || details {
		j.String("type", r.Type.String())
	}
	j.ASCII("dst", appendRouteDst(buf[:0], r.Dst))
	if r.Src.IsValid() {
		j.ASCII("from", appendRouteDst(buf[:0], r.Src))
	}
	if r.TOS != 0 {
		j.String("tos", "0x"+strconv.FormatUint(uint64(r.TOS), 16))
	}
	if r.NexthopID != 0 {
		j.Uint("nhid", uint64(r.NexthopID))
	}
	if r.Encap.Type != 0 {
		printEncapJSON(j, r.Encap)
	}
	if nh := x.nexthops[r.NexthopID]; nh != nil && details {
		j.Name("nh_info")
		printNexthop(x, j, nh)
	}
	printGatewayJSON(j, r.Family, r.Gateway)
	if r.OIF != 0 && !devGiven {
		j.String("dev", x.linkName(r.OIF))
	}
	if !tableGiven && !get && (r.Table != rtnl.TableMain || details) {
		j.String("table", rtnl.TableName(r.Table))
	}
	if r.Protocol != rtnl.ProtoBoot || details {
		if !get || r.Protocol != rtnl.ProtoUnspec {
			j.String("protocol", r.Protocol.String())
		}
	}
	if r.Scope != rtnl.ScopeGlobal || details {
		j.String("scope", r.Scope.String())
	}
	if r.PrefSrc.IsValid() {
		j.ASCII("prefsrc", r.PrefSrc.AppendTo(buf[:0]))
	}
	if r.Priority != 0 || r.Family == rtnl.IPv6 {
		j.Uint("metric", uint64(r.Priority))
	}
	j.Strings("flags", r.Flags.Names())
	if get {
		if r.UID != nil {
			j.Uint("uid", uint64(*r.UID))
		}
		j.Array("cache")
		j.End()
	}
	if !r.Metrics.IsZero() {
		printMetricsJSON(j, &r.Metrics)
	}
	if r.Expires != 0 {
		j.Uint("expires", uint64(r.Expires))
	}
	if len(r.Nexthops) > 0 {
		j.Array("nexthops")
		for _, nh := range r.Nexthops {
			j.Object("")
			printGatewayJSON(j, r.Family, nh.Gateway)
			if nh.OIF != 0 {
				j.String("dev", x.linkName(nh.OIF))
			}
			j.Uint("weight", uint64(nh.Weight))
			j.Strings("flags", nh.Flags.Names())
			j.End()
		}
		j.End()
	}
	if r.Family == rtnl.IPv6 {
		j.String("pref", r.Pref.String())
	}
	j.End()
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

func printMetricsJSON(j *output.JSON, m *rtnl.Metrics) {
	j.Array("metrics")
	j.Object("")
	for _, f := range []struct {
		name string
		v    uint32
	}{
		{"mtu", m.MTU}, {"window", m.Window}, {"rtt", m.RTT}, {"rttvar", m.RTTVar},
		{"ssthresh", m.SSThresh}, {"cwnd", m.CWnd}, {"advmss", m.AdvMSS},
		{"reordering", m.Reordering}, {"hoplimit", m.HopLimit}, {"initcwnd", m.InitCWnd},
	} {
		if f.v != 0 {
			j.Uint(f.name, uint64(f.v))
		}
	}
	if m.Features&unix.RTAX_FEATURE_ECN != 0 {
		j.Null("ecn")
	}
	for _, f := range []struct {
		name string
		v    uint32
	}{
		{"rto_min", m.RTOMin}, {"initrwnd", m.InitRWnd}, {"quickack", m.QuickAck},
		{"fastopen_no_cookie", m.FastOpenNoCookie},
	} {
		if f.v != 0 {
			j.Uint(f.name, uint64(f.v))
		}
	}
	if m.Congestion != "" {
		j.String("congestion", m.Congestion)
	}
	j.End()
	j.End()
}

// printRouteText writes a route as `ip route` prints it.
func printRouteText(x *ipctx, r *rtnl.Route, sel *routeSelector) {
	w := x.out
	tableGiven := sel != nil && sel.tableGiven
	devGiven := sel != nil && sel.kernel.OIF != 0
	var buf [64]byte
	if r.Type != rtnl.RouteUnicast || x.env.Details {
		w.WriteString(r.Type.String())
		w.WriteByte(' ')
	}
	writeCopy(w, appendRouteDst(buf[:0], r.Dst))
	if r.Src.IsValid() {
		w.WriteString(" from ")
		writeCopy(w, appendRouteDst(buf[:0], r.Src))
	}
	if r.NexthopID != 0 {
		fmt.Fprintf(w, " nhid %d", r.NexthopID)
	}
	if r.Encap.Type != 0 {
		w.WriteString(encapText(r.Encap))
	}
	if gw := r.Gateway; gw.IsValid() {
		w.WriteString(" via ")
		if gw.Is4() != (r.Family == rtnl.IPv4) {
			if gw.Is4() {
				w.WriteString("inet ")
			} else {
				w.WriteString("inet6 ")
			}
		}
		writeCopy(w, gw.AppendTo(buf[:0]))
	}
	if r.OIF != 0 && !devGiven {
		w.WriteString(" dev ")
		w.WriteString(x.linkName(r.OIF))
	}
	if !tableGiven && (r.Table != rtnl.TableMain || x.env.Details) {
		w.WriteString(" table ")
		w.WriteString(rtnl.TableName(r.Table))
	}
	get := sel == nil
	if (r.Protocol != rtnl.ProtoBoot || x.env.Details) && !(get && r.Protocol == rtnl.ProtoUnspec) {
		w.WriteString(" proto ")
		w.WriteString(r.Protocol.String())
	}
	if r.Scope != rtnl.ScopeGlobal || x.env.Details {
		w.WriteString(" scope ")
		w.WriteString(r.Scope.String())
	}
	if r.PrefSrc.IsValid() {
		w.WriteString(" src ")
		writeCopy(w, r.PrefSrc.AppendTo(buf[:0]))
	}
	if r.Priority != 0 || r.Family == rtnl.IPv6 {
		w.WriteString(" metric ")
		writeCopy(w, strconv.AppendUint(buf[:0], uint64(r.Priority), 10))
	}
	for _, f := range r.Flags.Names() {
		w.WriteByte(' ')
		w.WriteString(f)
	}
	m := &r.Metrics
	for _, f := range []struct {
		name string
		v    uint32
	}{
		{"mtu", m.MTU}, {"advmss", m.AdvMSS}, {"window", m.Window}, {"hoplimit", m.HopLimit},
		{"initcwnd", m.InitCWnd}, {"initrwnd", m.InitRWnd}, {"quickack", m.QuickAck},
	} {
		if f.v != 0 {
			fmt.Fprintf(w, " %s %d", f.name, f.v)
		}
	}
	if m.RTT != 0 {
		fmt.Fprintf(w, " rtt %dms", m.RTT)
	}
	if m.Congestion != "" {
		w.WriteString(" congctl " + m.Congestion)
	}
	if r.Expires != 0 {
		fmt.Fprintf(w, " expires %dsec", r.Expires)
	}
	if r.Family == rtnl.IPv6 {
		w.WriteString(" pref ")
		w.WriteString(r.Pref.String())
	}
	if get && r.UID != nil {
		fmt.Fprintf(w, " uid %d", *r.UID)
	}
	w.WriteByte('\n')
	if get {
		w.WriteString("    cache\n")
	}
	for _, nh := range r.Nexthops {
		w.WriteString("\tnexthop")
		if nh.Gateway.IsValid() {
			w.WriteString(" via ")
			writeCopy(w, nh.Gateway.AppendTo(buf[:0]))
		}
		if nh.OIF != 0 {
			w.WriteString(" dev ")
			w.WriteString(x.linkName(nh.OIF))
		}
		fmt.Fprintf(w, " weight %d", nh.Weight)
		for _, f := range nh.Flags.Names() {
			w.WriteByte(' ')
			w.WriteString(f)
		}
		w.WriteByte('\n')
	}
}
