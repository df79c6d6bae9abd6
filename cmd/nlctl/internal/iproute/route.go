package iproute

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
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
		w := cli.Resolve(routeChangeWords(), raw)
		if inNexthop {
			// As ip: a path's words only, up to the next "nexthop".
			if w = cli.Resolve(routeNexthopWords(), raw); !isKeyword(routeNexthopWords(), w) {
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
				nh.LinkIndex, err = x.linkIndexArg(w, s)
			} else {
				nh.LinkIndex, err = x.linkIndex(s)
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
				r.Gateway, r.LinkIndex, r.Encap = nh.Gateway, nh.LinkIndex, nh.Encap
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
			t, err := x.ipNames().parseTable("table", s)
			if err != nil {
				return r, err
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
		r.Gateway, r.LinkIndex, r.Encap = nh.Gateway, nh.LinkIndex, nh.Encap
		r.Flags |= nh.Flags
	}
	// rtnl gives unset fields ip's defaults (protocol boot, type unicast,
	// the scope ip derives); a protocol or scope the user gave is sent
	// even when it is zero.
	if protoSet {
		r.Explicit |= rtnl.RouteFieldProtocol
	}
	if scopeSet {
		r.Explicit |= rtnl.RouteFieldScope
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
