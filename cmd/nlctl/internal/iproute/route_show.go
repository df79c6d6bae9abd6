package iproute

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

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
		switch cli.Resolve(routeSelectorPrefixWords(), a.Peek()) {
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
		w := cli.Resolve(routeShowWords(), raw)
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
			t, err := x.ipNames().parseTable("table", v)
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
				s.kernel.LinkIndex = i
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
var routeSelectorPrefixWords = sync.OnceValue(func() []cli.Word { return cli.Kw("root*", "match*", "exact*") })

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
	if s.kernel.LinkIndex != 0 && r.LinkIndex != s.kernel.LinkIndex {
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
		s.iif != nil && r.InputLinkIndex != *s.iif,
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
	j = x.jsonArray()
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
		w := cli.Resolve(routeGetWords(), a.Next())
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
					q.InputLinkIndex = i
				} else {
					q.LinkIndex, odevGiven = i, true
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
	r, err := h.RouteGet(x.ctx, &q)
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
			q.LinkIndex = 0
		}
		r2, err := h.RouteGet(x.ctx, &q)
		if err != nil {
			return err
		}
		routes = append(routes, r2)
	}
	if x.env.JSON {
		j := x.jsonArray()
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
