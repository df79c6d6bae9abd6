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
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const routeUsage = `usage: nlctl route { show | list | flush } [SELECTOR]
       nlctl route get ADDRESS [from ADDRESS] [iif DEV] [oif DEV] [mark MARK] [uid UID] [fibmatch]
                       [connected] [ipproto PROTO] [sport PORT] [dport PORT] [tos TOS]
       nlctl route { add | del | change | append | replace | prepend | test } ROUTE
SELECTOR := [root PREFIX] [match PREFIX] [exact PREFIX] [from [root|match|exact] PREFIX]
            [table TABLE] [proto PROTO] [type TYPE] [scope SCOPE] [dev DEV] [iif DEV]
            [via ADDRESS] [src ADDRESS] [tos TOS] [mark MARK] [metric N] [realms REALMS]
ROUTE := [TYPE] PREFIX [tos TOS] [table TABLE] [proto PROTO] [scope SCOPE] [metric N]
         [nhid ID | NH | nexthop NH [nexthop NH ...]] [src ADDRESS] [from PREFIX] [OPTIONS]
NH := [encap ENCAP] [via [inet|inet6] ADDRESS] [dev DEV] [weight N] [onlink] [realms REALMS]
ENCAP := mpls LABEL[/LABEL...] [ttl N]
       | ip [id ID] [dst ADDRESS] [src ADDRESS] [tos TOS] [ttl N] [key] [csum] [seq]
       | ip6 [id ID] [dst ADDRESS] [src ADDRESS] [tc TC] [hoplimit N] [key] [csum] [seq]
OPTIONS := [mtu [lock] N] [advmss N] [window N] [rtt TIME] [rttvar TIME] [rto_min TIME]
           [ssthresh N] [cwnd N] [initcwnd N] [initrwnd N] [reordering N] [hoplimit N]
           [features ecn] [quickack 0|1] [fastopen_no_cookie 0|1] [congctl NAME]
           [pref low|medium|high] [expires SECONDS] [realms [SRCREALM/]DSTREALM]
TYPE := unicast | local | broadcast | multicast | throw | unreachable | prohibit | blackhole | nat
Keywords may be abbreviated where ip takes them abbreviated (met 5 for metric 5).
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
	var names *iprouteNames // loaded when a word needs them
	loadNames := func() *iprouteNames {
		if names == nil {
			names = loadIPRouteNames()
		}
		return names
	}
	for a.More() {
		raw := a.Next()
		w := cli.Resolve(routeChangeWords, raw)
		if inNexthop {
			// As ip: a path's words only, up to the next "nexthop".
			if w = cli.Resolve(routeNexthopWords, raw); !isKeyword(routeNexthopWords, w) {
				return r, cli.Syntaxf("\"nexthop\" or end of line is expected instead of %q", raw)
			}
		}
		switch {
		case w == "via":
			if nh.Gateway.IsValid() && !inNexthop {
				return r, cli.Syntaxf("a route has one \"via\": give several paths as nexthop lists (nexthop via ADDRESS ...)")
			}
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
			if inNexthop { // as ip: the nexthop cannot be parsed
				nh.OIF, err = x.linkIndexArg(w, s)
			} else {
				nh.OIF, err = x.linkIndex(s)
			}
			if err != nil {
				return r, err
			}
		case w == "weight":
			if !inNexthop {
				return r, cli.Syntaxf("\"weight\" is for the paths of nexthop lists (nexthop ... weight N)")
			}
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			n, err := strconv.ParseUint(s, 0, 32)
			if err != nil || n < 1 || n > 256 {
				return r, invalidArg(w, s, "a number from 1 to 256")
			}
			nh.Weight = int(n)
		case w == "encap":
			enc, err := parseEncap(a)
			if err != nil {
				return r, err
			}
			nh.Encap = enc
		case w == "realms":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			v, err := loadNames().parseRealms(s)
			if err != nil {
				return r, err
			}
			if inNexthop {
				nh.Realms = v
			} else {
				r.Realms = v
			}
		case w == "as":
			return r, cli.Failf("\"as\" is not supported by nlctl (MPLS routes)")
		case w == "vrf":
			return r, cli.Failf("\"vrf\" is not supported by nlctl: use the VRF's table")
		case w == "ttl-propagate":
			// Only MPLS routes have it; the kernel ignores it for IP
			// routes, and so does nlctl, once the value is checked.
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if !cli.Matches(s, "enabled") && !cli.Matches(s, "disabled") {
				return r, cli.Failf("\"ttl-propagate\" value is invalid: %q", s)
			}
		case w == "help":
			fmt.Fprint(x.env.Stdout, routeUsage)
			return r, cli.ErrHelpShown
		case w == "onlink":
			nh.Flags |= rtnl.RouteOnlink
		case w == "pervasive":
			nh.Flags |= rtnl.RoutePervasive
		case w == "nexthop":
			if !inNexthop {
				// A path given before the lists stays the route's
				// own, for the kernel to judge (it refuses both).
				r.Gateway, r.OIF, r.Encap = nh.Gateway, nh.OIF, nh.Encap
				r.Flags |= nh.Flags
				nh = rtnl.RouteNexthop{}
			}
			endNexthop()
			inNexthop = true
		case w == "nhid":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.NexthopID = uint32(n)
			r.Explicit |= rtnl.RouteFieldNexthopID
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
				return r, invalidArg("table", s, tableForm)
			}
			r.Table = t
		case cli.Matches(w, "protocol") && len(w) >= 2:
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			p, err := rtnl.ParseRouteProtocol(s)
			if err != nil {
				return r, invalidArg("protocol", s, protocolForm)
			}
			r.Protocol, protoSet = p, true
		case w == "scope":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			sc, err := rtnl.ParseScope(s)
			if err != nil {
				return r, invalidArg("scope", s, scopeForm)
			}
			r.Scope, scopeSet = sc, true
		case w == "metric" || w == "priority" || w == "preference":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.Priority = uint32(n)
		case w == "tos" || w == "dsfield":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if r.TOS, err = loadNames().parseDSField(s); err != nil {
				return r, err
			}
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
				return r, invalidArg(w, s, "ecn")
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
				n, err := strconv.ParseUint(s, 0, 8)
				if err != nil {
					return r, invalidArg(w, s, "low, medium, high or a number from 0 to 255")
				}
				r.Pref = rtnl.RoutePref(n)
			}
		case w == "expires":
			n, err := a.Uint(w, 32)
			if err != nil {
				return r, err
			}
			r.Expires = uint32(n)
			r.Explicit |= rtnl.RouteFieldExpires
		case w == "to" || w == "exact":
			s, err := a.Value(w)
			if err != nil {
				return r, err
			}
			if haveDst {
				return r, garbageArg("to", s)
			}
			if r.Dst, err = parsePrefix(s, family); err != nil {
				return r, err
			}
			haveDst = true
		default:
			if w == "help" {
				return r, help(x, routeUsage)
			}
			if !haveDst && r.Type == 0 && isWord(w) {
				if t, err := rtnl.ParseRouteType(routeTypeName(w)); err == nil {
					r.Type = t
					continue
				}
			}
			if haveDst {
				return r, garbageArg("to", w)
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
		return r, cli.Syntaxf("not enough information: a route needs a destination (PREFIX, or default)")
	}
	if inNexthop {
		endNexthop()
	} else {
		r.Gateway, r.OIF, r.Encap = nh.Gateway, nh.OIF, nh.Encap
		r.Flags |= nh.Flags
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

// parseEncap reads what follows "encap" as ip's lwt_parse_encap does: the
// lightweight tunnels nlctl builds, `mpls LABEL[/LABEL...] [ttl N]`,
// `ip [id ID] [dst ADDR] [src ADDR] [tos TOS] [ttl N] [key] [csum] [seq]`
// and `ip6` with tc and hoplimit for tos and ttl. The type's words end at
// the first word that is not one of them.
func parseEncap(a *cli.Args) (rtnl.Encap, error) {
	t, err := a.Value("encap")
	if err != nil {
		return rtnl.Encap{}, err
	}
	if !a.More() {
		return rtnl.Encap{}, cli.Syntaxf("unexpected end of line after \"encap\"")
	}
	switch t {
	case "mpls":
		return parseEncapMPLS(a)
	case "ip", "ip6":
	default:
		return rtnl.Encap{}, invalidArg("encap", t, "mpls, ip or ip6 (the encapsulations nlctl builds)")
	}
	words, family := encapIPWords, 4
	if t == "ip6" {
		words, family = encapIP6Words, 6
	}
	var e rtnl.IPEncap
	var names *iprouteNames
	for a.More() {
		w := a.Peek()
		if !isKeyword(words, w) {
			break
		}
		a.Next()
		var n uint64
		var v string
		switch w {
		case "id":
			if n, err = a.Uint(w, 64); err == nil {
				e.ID = n
			}
		case "dst", "src":
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
		case "ttl", "hoplimit":
			if n, err = a.Uint(w, 8); err == nil {
				e.TTL = uint8(n)
			}
		case "tos", "tc":
			if v, err = a.Value(w); err == nil {
				if names == nil {
					names = loadIPRouteNames()
				}
				e.TOS, err = names.parseDSField(v)
			}
		case "key":
			e.Flags |= rtnl.IPEncapKey
		case "csum":
			e.Flags |= rtnl.IPEncapCsum
		case "seq":
			e.Flags |= rtnl.IPEncapSeq
		}
		if err != nil {
			return rtnl.Encap{}, err
		}
	}
	enc, err := e.Encap()
	if err == nil && t == "ip6" {
		enc.Type = rtnl.EncapIP6
	}
	return enc, err
}

// parseEncapMPLS reads `LABEL[/LABEL...] [ttl N]`.
func parseEncapMPLS(a *cli.Args) (rtnl.Encap, error) {
	s := a.Next()
	var e rtnl.MPLSEncap
	for l := range strings.SplitSeq(s, "/") {
		n, err := strconv.ParseUint(l, 0, 32)
		if err != nil || n >= 1<<20 {
			return rtnl.Encap{}, cli.Failf("an MPLS label stack (LABEL[/LABEL...]) is expected rather than %q", s)
		}
		e.Labels = append(e.Labels, uint32(n))
	}
	if a.Peek() == "ttl" {
		a.Next()
		n, err := a.Uint("ttl", 8)
		if err != nil {
			return rtnl.Encap{}, err
		}
		e.TTL = new(uint8(n))
	}
	return e.Encap()
}

// printEncapJSON writes an encapsulation as ip does: its type under
// "encap", then its fields at the level of the route or nexthop (ip 6.1
// repeats the keys "dst" and "id" there; so does nlctl, for scripts
// written against it).
func printEncapJSON(j *output.JSON, enc rtnl.Encap) {
	j.String("encap", enc.Type.String())
	if m, err := enc.MPLS(); err == nil {
		j.String("dst", mplsLabels(m.Labels))
		if m.TTL != nil {
			j.Uint("ttl", uint64(*m.TTL))
		}
		return
	}
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
	for _, f := range encapFlags(e.Flags) {
		j.Bool(f, true)
	}
}

// encapFlags names an ip encapsulation's flags, in ip's order.
func encapFlags(f uint16) []string {
	var names []string
	for _, n := range []struct {
		f    uint16
		name string
	}{{rtnl.IPEncapKey, "key"}, {rtnl.IPEncapCsum, "csum"}, {rtnl.IPEncapSeq, "seq"}} {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// mplsLabels words a label stack as ip does: 100/200.
func mplsLabels(ls []uint32) string {
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.FormatUint(uint64(l), 10))
	}
	return b.String()
}

// encapText words an encapsulation as ip's text output does, with the
// space before and after: " encap ip id 5 src 0.0.0.0 dst 192.0.2.9 ttl 0
// tos 0 ".
func encapText(enc rtnl.Encap) string {
	s := " encap " + enc.Type.String() + " "
	if m, err := enc.MPLS(); err == nil {
		s += " " + mplsLabels(m.Labels) + " "
		if m.TTL != nil {
			s += fmt.Sprintf("ttl %d ", *m.TTL)
		}
		return s
	}
	e, err := enc.IP()
	if err != nil {
		return s
	}
	s += fmt.Sprintf("id %d ", e.ID)
	if e.Src.IsValid() {
		s += "src " + e.Src.String() + " "
	}
	if e.Dst.IsValid() {
		s += "dst " + e.Dst.String() + " "
	}
	if enc.Type == rtnl.EncapIP6 {
		s += fmt.Sprintf("hoplimit %d tc %d ", e.TTL, e.TOS)
	} else {
		s += fmt.Sprintf("ttl %d tos %d ", e.TTL, e.TOS)
	}
	for _, f := range encapFlags(e.Flags) {
		s += f + " "
	}
	return s
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
		if kw == "rtt" || kw == "rttvar" || kw == "rto_min" {
			return invalidArg(kw, s, "a time such as 200ms, or a number of milliseconds")
		}
		return invalidArg(kw, s, "a number from 0 to 4294967295")
	}
	*f = uint32(n)
	return nil
}

// routeSelector is what `ip route show` selects in user space, beyond
// what the kernel filters. What a selector fixes, ip does not print (the
// table of a single table, the device of "dev", the protocol of
// "protocol"...): the "given" fields say which.
type routeSelector struct {
	kernel     rtnl.RouteFilter
	tableGiven bool // a single table was named: ip then does not print it
	root       netip.Prefix
	match      netip.Prefix
	exact      netip.Prefix
	// srcRoot, srcMatch and srcExact select by source prefix (from).
	srcRoot, srcMatch, srcExact netip.Prefix
	scope                       int // -1: any
	via                         netip.Addr
	src                         netip.Addr
	tos                         *uint8
	iif                         *int
	mark                        *uint32
	metric                      *uint32
	realms, realmMask           uint32
	protoGiven                  bool
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
	// rootMatchExact reads "[root|match|exact] PREFIX" into the three.
	rootMatchExact := func(w string, root, match, exact *netip.Prefix) (err error) {
		switch cli.Resolve(routeSelectorPrefixWords, a.Peek()) {
		case "root":
			a.Next()
			*root, err = prefix("root")
		case "match":
			a.Next()
			*match, err = prefix("match")
		case "exact":
			a.Next()
			*exact, err = prefix("exact")
		default:
			*exact, err = prefix(w)
		}
		return err
	}
	var names *iprouteNames
	for a.More() {
		raw := a.Next()
		w := cli.Resolve(routeShowWords, raw)
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
				return nil, invalidArg("table", v, "cache, all, "+tableForm)
			}
			s.kernel.Table = t
			s.tableGiven = t != 0
		case w == "vrf":
			return nil, cli.Failf("\"vrf\" is not supported by nlctl: use the VRF's table")
		case w == "cached" || w == "cloned":
			s.kernel.Cloned = true
		case w == "tos" || w == "dsfield":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if names == nil {
				names = loadIPRouteNames()
			}
			tos, err := names.parseDSField(v)
			if err != nil {
				return nil, err
			}
			s.tos = &tos
		case w == "protocol":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if v == "all" {
				s.kernel.Protocol, s.protoGiven = 0, false
				break
			}
			p, err := rtnl.ParseRouteProtocol(v)
			if err != nil {
				return nil, invalidArg("protocol", v, protocolForm)
			}
			s.kernel.Protocol, s.protoGiven = p, true
		case w == "type":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			t, err := rtnl.ParseRouteType(routeTypeName(v))
			if err != nil {
				return nil, invalidArg("type", v, "unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, throw or nat")
			}
			s.kernel.Type = t
		case w == "scope":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if v == "all" {
				s.scope = -1
				break
			}
			sc, err := rtnl.ParseScope(v)
			if err != nil {
				return nil, invalidArg("scope", v, scopeForm)
			}
			s.scope = int(sc)
		case w == "dev" || w == "oif" || w == "iif":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			i, err := x.linkIndex(v)
			if err != nil {
				return nil, err
			}
			if w == "iif" {
				s.iif = &i
			} else {
				s.kernel.OIF = i
			}
		case w == "mark" || w == "metric" || w == "priority" || w == "preference":
			n, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			if w == "mark" {
				s.mark = new(uint32(n))
			} else {
				s.metric = new(uint32(n))
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
		case w == "realms":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if names == nil {
				names = loadIPRouteNames()
			}
			if s.realms, err = names.parseRealms(v); err != nil {
				return nil, err
			}
			// As ip: "5/" selects by source realm alone, "/5" or "5" by
			// destination realm alone.
			s.realmMask = ^uint32(0)
			if s.realms&0xffff == 0 && strings.HasSuffix(v, "/") {
				s.realmMask &^= 0xffff
			}
			if s.realms&0xffff0000 == 0 && (!strings.Contains(v, "/") || strings.HasPrefix(v, "/")) {
				s.realmMask &^= 0xffff0000
			}
		case w == "from":
			err = rootMatchExact(w, &s.srcRoot, &s.srcMatch, &s.srcExact)
		case w == "root":
			s.root, err = prefix(w)
		case w == "match":
			s.match, err = prefix(w)
		case w == "to":
			err = rootMatchExact(w, &s.root, &s.match, &s.exact)
		case w == "exact":
			s.exact, err = prefix(w)
		default:
			s.exact, err = parsePrefix(raw, family)
		}
		if err != nil {
			return nil, err
		}
		for _, p := range []netip.Prefix{s.root, s.match, s.exact, s.srcRoot, s.srcMatch, s.srcExact} {
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

// routeSelectorPrefixWords are what may come before a prefix after "to"
// or "from".
var routeSelectorPrefixWords = cli.Kw("root*", "match*", "exact*")

// prefixSelected applies root, match and exact to a route's prefix p, as
// ip does.
func prefixSelected(p, root, match, exact netip.Prefix) bool {
	if !p.IsValid() {
		return !root.IsValid() && !match.IsValid() && !exact.IsValid()
	}
	if e := exact; e.IsValid() && (p.Bits() != e.Bits() || p.Masked() != e.Masked()) {
		return false
	}
	if r := root; r.IsValid() && (p.Bits() < r.Bits() || !r.Contains(p.Addr())) {
		return false
	}
	if m := match; m.IsValid() && (p.Bits() > m.Bits() || !p.Contains(m.Addr())) {
		return false
	}
	return true
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
	switch {
	case s.tos != nil && r.TOS != *s.tos,
		s.iif != nil && r.IIF != *s.iif,
		s.mark != nil && r.Mark != *s.mark,
		s.metric != nil && r.Priority != *s.metric,
		(r.Realms^s.realms)&s.realmMask != 0:
		return false
	}
	if !r.Dst.IsValid() || !prefixSelected(r.Dst, s.root, s.match, s.exact) {
		return false
	}
	src := r.Src
	if !src.IsValid() {
		if r.Dst.Addr().Is4() {
			src = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		} else {
			src = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
	}
	return prefixSelected(src, s.srcRoot, s.srcMatch, s.srcExact)
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
		return routeFlush(x, h, sel)
	}
	if x.byIndex == nil {
		if err := x.loadLinks(); err != nil {
			return err
		}
	}
	if x.env.Details {
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

// routeFlush deletes the selected routes, in rounds until none is left,
// as ip does: with -s it counts them, with -s -s it prints them too.
func routeFlush(x *ipctx, h *rtnl.Handle, sel *routeSelector) error {
	if x.byIndex == nil {
		if err := x.loadLinks(); err != nil {
			return err
		}
	}
	for round := 0; round < maxFlushRounds; round++ {
		routes, err := h.ListRoutes(x.ctx, &sel.kernel)
		if err != nil {
			return err
		}
		b := h.NewBatch()
		for i := range routes {
			if !sel.keep(&routes[i]) {
				continue
			}
			if x.env.Stats > 1 {
				printRouteText(x, &routes[i], sel)
			}
			if err := b.Route(rtnl.Delete, &routes[i]); err != nil {
				return err
			}
		}
		if b.Len() == 0 {
			if x.env.Stats > 0 {
				if round == 0 {
					fmt.Fprintln(x.out, "Nothing to flush.")
				} else {
					fmt.Fprintf(x.out, "*** Flush is complete after %d round%s ***\n", round, plural(round))
				}
			}
			return nil
		}
		n := b.Len()
		if err := ignoreGone(b.Run(x.ctx, &nl.BatchOptions{ContinueOnError: true})); err != nil {
			return err
		}
		if x.env.Stats > 0 {
			fmt.Fprintf(x.out, "\n*** Round %d, deleting %d entries ***\n", round+1, n)
		}
	}
	return fmt.Errorf("*** Flush remains incomplete after %d rounds. ***", maxFlushRounds)
}

func routeGet(x *ipctx, a *cli.Args) error {
	var q rtnl.RouteQuery
	var names *iprouteNames
	connected, odevGiven := false, false
	for a.More() {
		w := cli.Resolve(routeGetWords, a.Next())
		var err error
		var v string
		if names == nil && (w == "tos" || w == "dsfield" || w == "ipproto") {
			names = loadIPRouteNames()
		}
		switch w {
		case "help":
			return help(x, routeUsage)
		case "connected":
			connected = true
		case "notify", "vrf", "as":
			return cli.Failf("route get %q is not supported by nlctl", w)
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
					q.OIF, odevGiven = i, true
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
			if v, err = a.Value(w); err == nil {
				q.TOS, err = names.parseDSField(v)
			}
		case "ipproto":
			if v, err = a.Value(w); err == nil {
				q.IPProto, err = names.parseIPProto(v)
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
			// As ip, the last address given is the destination, and a
			// prefix length is ignored with a warning.
			addr, bits, _ := strings.Cut(w, "/")
			if q.Dst, err = parseAddr(addr, x.env.Family); err == nil && bits != "" && bits != strconv.Itoa(q.Dst.BitLen()) {
				fmt.Fprintf(x.env.Stderr, "nlctl: warning: route get ignores the prefix length of %s: it looks up an address\n", cli.Quote(w))
			}
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
	routes := []*rtnl.Route{r}
	if connected && !q.Src.IsValid() {
		// As ip: the first answer, then the route from the source
		// address it chose.
		if !r.PrefSrc.IsValid() {
			return cli.Failf("Failed to connect the route")
		}
		q.Src = r.PrefSrc
		if !odevGiven {
			q.OIF = 0
		}
		r2, err := h.RouteGet(x.ctx, q)
		if err != nil {
			return err
		}
		routes = append(routes, r2)
	}
	if x.env.JSON {
		j := output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
		j.Array("")
		for _, r := range routes {
			printRouteJSON(x, j, r, nil, true)
		}
		j.End()
		return nil
	}
	for _, r := range routes {
		printRouteText(x, r, nil)
	}
	return nil
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
		table: !sel.tableGiven, dev: sel.kernel.OIF == 0, proto: !sel.protoGiven, scope: sel.scope < 0,
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
	if r.OIF != 0 && show.dev {
		j.String("dev", x.linkName(r.OIF))
	}
	if show.table && (r.Table != rtnl.TableMain || details) && !get && r.Table != 0 {
		j.String("table", rtnl.TableName(r.Table))
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
	if r.IIF != 0 && show.iif {
		j.String("iif", x.linkName(r.IIF))
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
			j.String("dev", x.linkName(nh.OIF))
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
	if r.OIF != 0 && show.dev {
		b = append(b, "dev "...)
		b = append(b, x.linkName(r.OIF)...)
		b = append(b, ' ')
	}
	if show.table && r.Table != 0 && (r.Table != rtnl.TableMain || details) {
		b = append(b, "table "...)
		b = append(b, x.pc.tableName(r.Table)...)
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
	if r.IIF != 0 && show.iif {
		b = append(b, "iif "...)
		b = append(b, x.linkName(r.IIF)...)
		b = append(b, ' ')
	}
	if r.Family == rtnl.IPv6 {
		b = append(b, "pref "...)
		b = append(b, r.Pref.String()...)
	}
	if nh := x.nexthops[r.NexthopID]; nh != nil && details {
		// The nexthop object, which ends the line (a route with one
		// has no paths of its own).
		b = append(b, "\n\tnh_info "...)
		x.out.Write(b)
		printNexthop(x, nil, nh)
		return
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
		b = append(b, x.linkName(nh.OIF)...)
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
