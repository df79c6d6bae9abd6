package iproute

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

const ruleUsage = `usage: nlctl rule [ list | show [ SELECTOR ]]
       nlctl rule { add | del } SELECTOR ACTION
       nlctl rule flush [ SELECTOR ]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ] [ iif STRING ] [ oif STRING ]
            [ pref NUMBER ] [ l3mdev ] [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ] [ sport NUMBER[-NUMBER] ] [ dport NUMBER[-NUMBER] ]
            [ tun_id TUN_ID ]
ACTION := [ table TABLE_ID ] [ protocol PROTO ] [ nat ADDRESS ] [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ] [ suppress_prefixlength NUMBER ] [ suppress_ifgroup DEVGROUP ]
          [ blackhole | unreachable | prohibit | nop ]
TABLE_ID := [ local | main | default | NUMBER ]
Rules are IPv4 unless -6 is given or a prefix is IPv6.
`

// runRule implements `ip rule`.

// ruleFamily is the family the global options ask for, IPv4 by default as
// in ip rule.
func ruleFamily(x *ipctx) rtnl.Family {
	if x.env.Family == 6 {
		return rtnl.IPv6
	}
	return rtnl.IPv4
}

// ruleChange parses a rule and submits it.
func ruleChange(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	if !a.More() {
		return cli.Failf("\"rule %s\" requires arguments", v)
	}
	names := loadIPRouteNames()
	r, err := parseRule(a, names, x.env.Family)
	if err == cli.ErrHelpShown {
		return help(x, ruleUsage)
	}
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Rule(v, &r.rule) })
}

// parsedRule is a rule read from a command line, with what the line set.
type parsedRule struct {
	rule        rtnl.Rule
	prioritySet bool
}

// parseRule reads a rule as `ip rule add` does. family is 4, 6 or 0; with
// 0 the rule's prefixes decide, else it is IPv4.
func parseRule(a *cli.Args, names *iprouteNames, family int) (parsedRule, error) {
	var p parsedRule
	r := &p.rule
	for a.More() {
		w := cli.Resolve(ruleAddWords(), a.Next())
		var s string
		var err error
		if w == "type" {
			// The action after "type" is read as one alone would be.
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if w = cli.Resolve(ruleTypeWords(), s); w != "goto" && w != "nop" && w != "help" {
				if r.Action, err = parseRuleAction(routeTypeName(w)); err != nil {
					return p, err
				}
				continue
			}
		}
		switch {
		case w == "not":
			r.Invert = true
		case w == "from" || w == "to":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			var pfx netip.Prefix
			if pfx, err = ruleParsePrefix(s, family); err != nil {
				return p, err
			}
			if w == "from" {
				r.Src = pfx
			} else {
				r.Dst = pfx
			}
			if pfx.IsValid() && family == 0 {
				family = familyOf(pfx.Addr())
			}
		case cli.Matches(w, "preference") || cli.Matches(w, "order") || cli.Matches(w, "priority"):
			n, err := a.Uint(w, 32)
			if err != nil {
				return p, err
			}
			r.Priority, p.prioritySet = uint32(n), true
			r.Explicit |= rtnl.RuleFieldPriority
		case w == "tos" || cli.Matches(w, "dsfield"):
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.TOS, err = names.parseDSField(s); err != nil {
				return p, err
			}
		case w == "fwmark":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.Mark, r.Mask, err = ruleParseMark(s); err != nil {
				return p, err
			}
		case cli.Matches(w, "realms"):
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.Realms, err = names.parseRealms(s); err != nil {
				return p, err
			}
		case cli.Matches(w, "protocol"):
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.Protocol, err = rtnl.ParseRouteProtocol(s); err != nil {
				return p, invalidArg("protocol", s, protocolForm)
			}
		case cli.Matches(w, "tun_id"):
			n, err := a.Uint(w, 64)
			if err != nil {
				return p, err
			}
			r.TunID = n
		case cli.Matches(w, "table") || w == "lookup":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.Table, err = names.parseTable("table", s); err != nil {
				return p, err
			}
			r.Explicit |= rtnl.RuleFieldTable
		case cli.Matches(w, "suppress_prefixlength") || w == "sup_pl":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			n, err := strconv.ParseInt(s, 0, 32)
			if err != nil || n < 0 || n > 128 {
				return p, invalidArg("suppress_prefixlength", s, "a prefix length from 0 to 128")
			}
			r.SuppressPrefixLen = new(int(n))
		case cli.Matches(w, "suppress_ifgroup") || w == "sup_group":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			g, err := names.parseGroup(s)
			if err != nil {
				return p, err
			}
			r.SuppressIfgroup = &g
		case w == "dev" || w == "iif" || w == "oif":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if err := checkIfname(w, s, maxIfname); err != nil {
				return p, err
			}
			if w == "oif" {
				r.OutputLinkName = s
			} else {
				r.InputLinkName = s
			}
		case w == "l3mdev":
			r.L3mdev = true
		case w == "uidrange":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			lo, hi, ok := strings.Cut(s, "-")
			start, err1 := strconv.ParseUint(lo, 10, 32)
			end, err2 := strconv.ParseUint(hi, 10, 32)
			if !ok || err1 != nil || err2 != nil {
				return p, invalidArg(w, s, uidRangeForm)
			}
			r.UIDRange = &rtnl.RuleUIDRange{Start: uint32(start), End: uint32(end)}
		case w == "ipproto":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if r.IPProto, err = names.parseIPProto(s); err != nil {
				return p, err
			}
		case w == "sport" || w == "dport":
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			pr, err := ruleParsePorts(w, s)
			if err != nil {
				return p, err
			}
			if w == "sport" {
				r.SrcPort = pr
				r.Explicit |= rtnl.RuleFieldSrcPort
			} else {
				r.DstPort = pr
				r.Explicit |= rtnl.RuleFieldDstPort
			}
		case cli.Matches(w, "goto"):
			n, err := a.Uint(w, 32)
			if err != nil {
				return p, err
			}
			r.Goto, r.Action = uint32(n), rtnl.RuleGoto
		case w == "nop":
			r.Action = rtnl.RuleNop
		case w == "nat" || w == "map-to":
			// Route NAT, which the kernel no longer has: sent as ip
			// sends it, for the kernel to refuse.
			if s, err = a.Value(w); err != nil {
				return p, err
			}
			if _, err := parseAddr(s, 4); err != nil {
				return p, err
			}
			r.Action = rtnl.RuleAction(rtnl.RouteNAT)
		case w == "help":
			return p, cli.ErrHelpShown
		default:
			act, err := parseRuleAction(routeTypeName(w))
			if err != nil {
				return p, err
			}
			r.Action = act
		}
	}
	switch family {
	case 6:
		r.Family = rtnl.IPv6
	default:
		r.Family = rtnl.IPv4
	}
	if r.Action == rtnl.RuleAction(rtnl.RouteNAT) && r.Explicit&rtnl.RuleFieldTable == 0 {
		r.Table = rtnl.TableMain // as ip: "nat" is no action of its own
	}
	return p, nil
}

// parseRuleAction reads a rule type as ip does: an action name, or a route
// type whose number is the action (unicast is lookup).
func parseRuleAction(s string) (rtnl.RuleAction, error) {
	if a, err := rtnl.ParseRuleAction(s); err == nil && s != "unspec" && s != "lookup" && s != "goto" {
		return a, nil
	}
	t, err := rtnl.ParseRouteType(s)
	if err != nil {
		return 0, cli.Syntaxf("unknown rule keyword or type %s: a keyword, or a type (unicast, blackhole, unreachable, prohibit, nop, ...) is expected", cli.Quote(s))
	}
	return rtnl.RuleAction(t), nil
}

// ruleParsePrefix reads a rule's prefix: "all", "any" and "default" match
// every address (the zero Prefix).
func ruleParsePrefix(s string, family int) (netip.Prefix, error) {
	if s == "all" || s == "any" || s == "default" {
		return netip.Prefix{}, nil
	}
	return parsePrefix(s, family)
}

// ruleParseMark reads MARK[/MASK].
func ruleParseMark(s string) (mark, mask uint32, err error) {
	m, k, hasMask := strings.Cut(s, "/")
	v, err := strconv.ParseUint(m, 0, 32)
	if err != nil {
		return 0, 0, invalidArg("fwmark", s, "MARK[/MASK] (numbers from 0 to 0xffffffff)")
	}
	if hasMask {
		w, err := strconv.ParseUint(k, 0, 32)
		if err != nil {
			return 0, 0, invalidArg("fwmark", s, "MARK[/MASK] (numbers from 0 to 0xffffffff)")
		}
		return uint32(v), uint32(w), nil
	}
	return uint32(v), 0, nil
}

// ruleParsePorts reads PORT or PORT-PORT.
func ruleParsePorts(kw, s string) (rtnl.RulePortRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	start, err := strconv.ParseUint(lo, 10, 16)
	if err != nil {
		return rtnl.RulePortRange{}, invalidArg(kw, s, "PORT or PORT-PORT (ports from 0 to 65535)")
	}
	end := start
	if isRange {
		if end, err = strconv.ParseUint(hi, 10, 16); err != nil {
			return rtnl.RulePortRange{}, invalidArg(kw, s, "PORT or PORT-PORT (ports from 0 to 65535)")
		}
	}
	return rtnl.RulePortRange{Start: uint16(start), End: uint16(end)}, nil
}

// ruleSelector is what `ip rule show` and `ip rule flush` select on, all
// in user space (the kernel filters rule dumps by family only).
type ruleSelector struct {
	family             rtnl.Family
	pref               *uint32
	not                bool
	src, dst           netip.Prefix
	tos                *uint8
	mark, mask         uint32
	iif, oif           string
	l3mdev             bool
	uids               *rtnl.RuleUIDRange
	tunID              uint64
	table              uint32
	protocol           *rtnl.RouteProtocol
	ipproto            uint8
	sport, dport       rtnl.RulePortRange
	srcGiven, dstGiven bool
	iifGiven, oifGiven bool
}

// parseRuleSelector reads the selectors of `ip rule show`.
func parseRuleSelector(a *cli.Args, names *iprouteNames, family rtnl.Family) (*ruleSelector, error) {
	sel := &ruleSelector{family: family}
	fam := 4
	if family == rtnl.IPv6 {
		fam = 6
	}
	prefix := func(s string) (netip.Prefix, error) {
		if s == "all" || s == "any" || s == "default" {
			if fam == 6 {
				return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
			}
			return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
		}
		return parsePrefix(s, fam)
	}
	for a.More() {
		w := cli.Resolve(ruleShowWords(), a.Next())
		var s string
		var err error
		switch {
		case cli.Matches(w, "preference") || cli.Matches(w, "order") || cli.Matches(w, "priority"):
			n, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			sel.pref = new(uint32(n))
		case w == "not":
			sel.not = true
		case w == "tos" || w == "dsfield":
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			tos, err := names.parseDSField(s)
			if err != nil {
				return nil, err
			}
			sel.tos = &tos
		case w == "fwmark":
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			if sel.mark, sel.mask, err = ruleParseMark(s); err != nil {
				return nil, err
			}
		case w == "dev" || w == "iif":
			if sel.iif, err = a.Value(w); err != nil {
				return nil, err
			}
			if err := checkIfname(w, sel.iif, maxIfname); err != nil {
				return nil, err
			}
			sel.iifGiven = true
		case w == "oif":
			if sel.oif, err = a.Value(w); err != nil {
				return nil, err
			}
			if err := checkIfname(w, sel.oif, maxIfname); err != nil {
				return nil, err
			}
			sel.oifGiven = true
		case w == "l3mdev":
			sel.l3mdev = true
		case w == "uidrange":
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			lo, hi, ok := strings.Cut(s, "-")
			start, err1 := strconv.ParseUint(lo, 10, 32)
			end, err2 := strconv.ParseUint(hi, 10, 32)
			if !ok || err1 != nil || err2 != nil {
				return nil, invalidArg(w, s, uidRangeForm)
			}
			sel.uids = &rtnl.RuleUIDRange{Start: uint32(start), End: uint32(end)}
		case cli.Matches(w, "tun_id"):
			if sel.tunID, err = a.Uint(w, 64); err != nil {
				return nil, err
			}
		case cli.Matches(w, "lookup") || cli.Matches(w, "table"):
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			if sel.table, err = names.parseTable("table", s); err != nil {
				return nil, err
			}
		case cli.Matches(w, "from") || cli.Matches(w, "src"):
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			if sel.src, err = prefix(s); err != nil {
				return nil, err
			}
			sel.srcGiven = true
		case cli.Matches(w, "protocol"):
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			if s == "all" {
				sel.protocol = nil
				continue
			}
			p, err := rtnl.ParseRouteProtocol(s)
			if err != nil {
				return nil, invalidArg("protocol", s, "all, "+protocolForm)
			}
			sel.protocol = &p
		case w == "ipproto":
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			if sel.ipproto, err = names.parseIPProto(s); err != nil {
				return nil, err
			}
		case w == "sport" || w == "dport":
			if s, err = a.Value(w); err != nil {
				return nil, err
			}
			pr, err := ruleParsePorts(w, s)
			if err != nil {
				return nil, err
			}
			if w == "sport" {
				sel.sport = pr
			} else {
				sel.dport = pr
			}
		case w == "help":
			return nil, cli.ErrHelpShown
		default:
			if cli.Matches(w, "dst") || cli.Matches(w, "to") {
				if w, err = a.Value(w); err != nil {
					return nil, err
				}
			}
			if sel.dst, err = prefix(w); err != nil {
				return nil, err
			}
			sel.dstGiven = true
		}
	}
	return sel, nil
}

// rulePrefixMatch reports whether a rule's prefix r lies within the
// selector's prefix sel, as ip rule show compares them.
func rulePrefixMatch(sel, r netip.Prefix) bool {
	if sel.Bits() == 0 {
		return true
	}
	if !r.IsValid() || r.Bits() < sel.Bits() || r.Addr().Is4() != sel.Addr().Is4() {
		return false
	}
	return sel.Masked().Contains(r.Addr())
}

func (s *ruleSelector) keep(r *rtnl.Rule) bool {
	switch {
	case s.family != rtnl.AnyFamily && r.Family != s.family,
		s.pref != nil && r.Priority != *s.pref,
		s.not && !r.Invert,
		s.srcGiven && !rulePrefixMatch(s.src, r.Src),
		s.dstGiven && !rulePrefixMatch(s.dst, r.Dst),
		s.tos != nil && r.TOS != *s.tos,
		s.mark != 0 && r.Mark != s.mark,
		s.mask != 0 && r.Mask != s.mask,
		s.iifGiven && r.InputLinkName != s.iif,
		s.oifGiven && r.OutputLinkName != s.oif,
		s.l3mdev && !r.L3mdev,
		s.uids != nil && (r.UIDRange == nil || *r.UIDRange != *s.uids),
		s.ipproto != 0 && r.IPProto != s.ipproto,
		!s.sport.IsZero() && r.SrcPort != s.sport,
		!s.dport.IsZero() && r.DstPort != s.dport,
		s.tunID != 0 && r.TunID != s.tunID,
		s.table != 0 && r.Table != s.table,
		s.protocol != nil && r.Protocol != *s.protocol:
		return false
	}
	return true
}

// ruleShow lists (or flushes) the rules the selector picks.
func ruleShow(x *ipctx, a *cli.Args, flush bool) error {
	names := loadIPRouteNames()
	sel, err := parseRuleSelector(a, names, ruleFamily(x))
	if err == cli.ErrHelpShown {
		return help(x, ruleUsage)
	}
	if err != nil {
		return err
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	filter := &rtnl.RuleFilter{Family: sel.family}
	if flush {
		rules, err := h.ListRules(x.ctx, filter)
		if err != nil {
			return err
		}
		b := h.NewBatch()
		for i := range rules {
			// As ip does, the rule at priority 0 stays.
			if rules[i].Priority != 0 && sel.keep(&rules[i]) {
				if err := b.Rule(rtnl.Delete, &rules[i]); err != nil {
					return err
				}
			}
		}
		return b.Run(x.ctx, nil)
	}
	var j *output.JSON
	j = x.jsonArray()
	for r, err := range h.Rules(x.ctx, filter) {
		if err != nil {
			if j != nil {
				j.End()
			}
			return err
		}
		if !sel.keep(r) {
			continue
		}
		printRule(x, j, names, r)
	}
	if j != nil {
		j.End()
	}
	return nil
}

// ruleHex formats a number as C's %#x does: 0 without a prefix.
func ruleHex(v uint64) string { return string(appendRuleHex(nil, v)) }

// appendRuleHex appends v as C's %#x does.
func appendRuleHex(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	return strconv.AppendUint(append(b, "0x"...), v, 16)
}

// printRule prints a rule as `ip rule show` does: as JSON when j is not
// nil, else as text.
func printRule(x *ipctx, j *output.JSON, names *iprouteNames, r *rtnl.Rule) {
	var buf [64]byte
	w := x.out
	if j != nil {
		j.Object("")
		j.Uint("priority", uint64(r.Priority))
	} else {
		writeCopy(w, strconv.AppendUint(buf[:0], uint64(r.Priority), 10))
		w.WriteString(":\t")
	}
	str := func(key, text, v string) {
		if j != nil {
			j.String(key, v)
		} else {
			w.WriteString(text)
			w.WriteString(v)
		}
	}
	num := func(key, text string, v uint64) {
		if j != nil {
			j.Uint(key, v)
		} else {
			w.WriteString(text)
			writeCopy(w, strconv.AppendUint(buf[:0], v, 10))
		}
	}
	// ascii is str for a value that needs no escaping, formatted in buf.
	ascii := func(key, text string, v []byte) {
		if j != nil {
			j.ASCII(key, v)
		} else {
			w.WriteString(text)
			writeCopy(w, v)
		}
	}
	null := func(key, text string) {
		if j != nil {
			j.Null(key)
		} else {
			w.WriteString(text)
		}
	}
	if r.Invert {
		null("not", "not ")
	}
	prefix := func(key, lenKey, text string, p netip.Prefix) {
		ascii(key, text, p.Addr().AppendTo(buf[:0]))
		if p.Bits() != p.Addr().BitLen() {
			num(lenKey, "/", uint64(p.Bits()))
		}
	}
	if r.Src.IsValid() {
		prefix("src", "srclen", "from ", r.Src)
	} else {
		str("src", "from ", "all")
	}
	if r.Dst.IsValid() {
		prefix("dst", "dstlen", " to ", r.Dst)
	}
	if r.TOS != 0 {
		str("tos", " tos ", names.dsfieldName(r.TOS))
	}
	if r.DSCP != nil {
		str("dscp", " dscp ", strconv.Itoa(int(*r.DSCP)))
		if r.DSCPMask != 0 && r.DSCPMask != 0x3f {
			str("dscp_mask", "/", ruleHex(uint64(r.DSCPMask)))
		}
	}
	if r.Mark != 0 || r.Mask != 0 {
		ascii("fwmark", " fwmark ", appendRuleHex(buf[:0], uint64(r.Mark)))
		if r.Mask != 0xffffffff {
			ascii("fwmask", "/", appendRuleHex(buf[:0], uint64(r.Mask)))
		}
	}
	if r.FlowLabel != 0 || r.FlowLabelMask != 0 {
		str("flowlabel", " flowlabel ", ruleHex(uint64(r.FlowLabel)))
		str("flowlabel_mask", "/", ruleHex(uint64(r.FlowLabelMask)))
	}
	if r.InputLinkName != "" {
		str("iif", " iif ", r.InputLinkName)
		if r.Flags&rtnl.RuleIIFDetached != 0 {
			null("iif_detached", " [detached]")
		}
	}
	if r.OutputLinkName != "" {
		str("oif", " oif ", r.OutputLinkName)
		if r.Flags&rtnl.RuleOIFDetached != 0 {
			null("oif_detached", " [detached]")
		}
	}
	if r.L3mdev {
		null("l3mdev", " lookup [l3mdev-table]")
	}
	if u := r.UIDRange; u != nil {
		num("uid_start", " uidrange ", uint64(u.Start))
		num("uid_end", "-", uint64(u.End))
	}
	if r.IPProto != 0 {
		str("ipproto", " ipproto ", names.ipProtoName(r.IPProto))
	}
	printRulePorts(num, str, "sport", r.SrcPort, r.SrcPortMask)
	printRulePorts(num, str, "dport", r.DstPort, r.DstPortMask)
	if r.TunID != 0 {
		num("tun_id", " tun_id ", r.TunID)
	}
	if r.Table != 0 {
		str("table", " lookup ", x.tableName(r.Table))
		if n := r.SuppressPrefixLen; n != nil {
			if j != nil {
				j.Int("suppress_prefixlen", int64(*n))
			} else {
				fmt.Fprintf(w, " suppress_prefixlength %d", *n)
			}
		}
		if g := r.SuppressIfgroup; g != nil {
			str("suppress_ifgroup", " suppress_ifgroup ", names.groupName(*g))
		}
	}
	if r.Realms != 0 {
		if from := r.Realms >> 16; from != 0 {
			str("flow_from", " realms ", names.realmName(from))
			if j == nil {
				w.WriteByte('/')
			}
		} else if j == nil {
			w.WriteString(" realms ")
		}
		str("flow_to", "", names.realmName(r.Realms&0xffff))
	}
	switch r.Action {
	case rtnl.RuleLookup:
	case rtnl.RuleGoto:
		if r.Goto != 0 {
			num("goto", " goto ", uint64(r.Goto))
		} else {
			str("goto", " goto ", "none")
		}
		if r.Flags&rtnl.RuleUnresolved != 0 {
			null("unresolved", " [unresolved]")
		}
	case rtnl.RuleNop:
		null("nop", " nop")
	case rtnl.RuleAction(rtnl.RouteNAT):
		// The kernel keeps no NAT address (RTA_GATEWAY) to print.
		null("masquerade", " masquerade")
	default:
		str("action", " ", rtnl.RouteType(r.Action).String())
	}
	if r.Protocol != rtnl.ProtoUnspec && r.Protocol != rtnl.ProtoKernel || x.env.Details {
		str("protocol", " proto ", r.Protocol.String())
	}
	if j != nil {
		j.End()
	} else {
		w.WriteByte('\n')
	}
}

// printRulePorts prints a port range as ip does: one port as "sport", a
// range as "sport_start" and "sport_end".
func printRulePorts(num func(key, text string, v uint64), str func(key, text, v string), kw string, p rtnl.RulePortRange, mask uint16) {
	switch {
	case p.IsZero():
	case p.Start == p.End:
		num(kw, " "+kw+" ", uint64(p.Start))
		if mask != 0 && mask != 0xffff {
			str(kw+"_mask", "/", ruleHex(uint64(mask)))
		}
	default:
		num(kw+"_start", " "+kw+" ", uint64(p.Start))
		num(kw+"_end", "-", uint64(p.End))
	}
}

// iprouteNames are the names iproute2 reads from its configuration files and
// /etc/protocols, each file read once per command, when first needed.
type iprouteNames struct {
	dsfield, group, realm, proto idFile
	// tables are the names of routing tables (rt_tables), read on first
	// use.
	tables map[uint32]string
}

// An idFile is a name file, read on first use.
type idFile struct {
	path        string
	numberFirst bool
	m           map[uint32]string // nil until read
}

// names returns the file's names by number (none if it is missing).
func (f *idFile) names() map[uint32]string {
	if f.m == nil {
		f.m = readIPRouteIDFile(f.path, f.numberFirst)
	}
	return f.m
}

// loadIPRouteNames returns the name files, to be read when needed;
// missing files leave numbers.
func loadIPRouteNames() *iprouteNames {
	return &iprouteNames{
		dsfield: idFile{path: "/etc/iproute2/rt_dsfield", numberFirst: true},
		group:   idFile{path: "/etc/iproute2/group", numberFirst: true},
		realm:   idFile{path: "/etc/iproute2/rt_realms", numberFirst: true},
		proto:   idFile{path: "/etc/protocols"},
	}
}

// readIPRouteIDFile reads "NUMBER NAME" lines (numberFirst) or /etc/protocols'
// "NAME NUMBER ALIASES" lines. The first name of a number wins.
func readIPRouteIDFile(path string, numberFirst bool) map[uint32]string {
	m := map[uint32]string{}
	f, err := os.Open(path)
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		num, name := fields[0], fields[1]
		if !numberFirst {
			num, name = name, num
		}
		v, err := strconv.ParseUint(num, 0, 32)
		if err != nil {
			continue
		}
		if _, dup := m[uint32(v)]; !dup {
			m[uint32(v)] = name
		}
	}
	return m
}

func lookupIPRouteName(m map[uint32]string, s string) (uint32, bool) {
	for v, n := range m {
		if n == s {
			return v, true
		}
	}
	return 0, false
}

// dsfieldName names a DS field as ip does: its name, or 0x%02x.
func (n *iprouteNames) dsfieldName(v uint8) string {
	if s, ok := n.dsfield.names()[uint32(v)]; ok {
		return s
	}
	return fmt.Sprintf("0x%02x", v)
}

// parseDSField reads a DS field name or a number, hexadecimal as in ip.
func (n *iprouteNames) parseDSField(s string) (uint8, error) {
	if v, ok := lookupIPRouteName(n.dsfield.names(), s); ok {
		return uint8(v), nil
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(strings.ToLower(s), "0x"), 16, 8)
	if err != nil {
		return 0, invalidArg("tos", s, "a DS field name (from /etc/iproute2/rt_dsfield) or a hexadecimal number from 0 to ff")
	}
	return uint8(v), nil
}

func (n *iprouteNames) groupName(v uint32) string {
	if s, ok := n.group.names()[v]; ok {
		return s
	}
	return strconv.FormatUint(uint64(v), 10)
}

func (n *iprouteNames) parseGroup(s string) (uint32, error) {
	if v, ok := lookupIPRouteName(n.group.names(), s); ok {
		return v, nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invalidArg("suppress_ifgroup", s, "a group name (from /etc/iproute2/group) or a number from 0 to 4294967295")
	}
	return uint32(v), nil
}

func (n *iprouteNames) realmName(v uint32) string {
	if s, ok := n.realm.names()[v]; ok {
		return s
	}
	return strconv.FormatUint(uint64(v), 10)
}

// parseRealms reads [SRCREALM/]DSTREALM into FRA_FLOW's form.
func (n *iprouteNames) parseRealms(s string) (uint32, error) {
	one := func(r string) (uint32, error) {
		if v, ok := lookupIPRouteName(n.realm.names(), r); ok {
			return v, nil
		}
		v, err := strconv.ParseUint(r, 0, 16)
		if err != nil {
			return 0, invalidArg("realms", s, "[SRCREALM/]DSTREALM (realms named in /etc/iproute2/rt_realms or numbered from 0 to 65535)")
		}
		return uint32(v), nil
	}
	from, to, both := strings.Cut(s, "/")
	if !both {
		return one(from)
	}
	f, err := one(from)
	if err != nil {
		return 0, err
	}
	t, err := one(to)
	if err != nil {
		return 0, err
	}
	return f<<16 | t, nil
}

// ipProtoName names an IP protocol as ip does: its /etc/protocols name,
// or ipproto-N.
func (n *iprouteNames) ipProtoName(v uint8) string {
	if s, ok := n.proto.names()[uint32(v)]; ok {
		return s
	}
	return "ipproto-" + strconv.Itoa(int(v))
}

// parseIPProto reads an IP protocol name or number.
func (n *iprouteNames) parseIPProto(s string) (uint8, error) {
	if v, ok := lookupIPRouteName(n.proto.names(), s); ok {
		return uint8(v), nil
	}
	if num, ok := strings.CutPrefix(s, "ipproto-"); ok {
		s = num
	}
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, invalidArg("ipproto", s, "a protocol name (from /etc/protocols) or a number from 0 to 255")
	}
	return uint8(v), nil
}

// uidRangeForm is what a uidrange may be, for the errors.
const uidRangeForm = "UID-UID (user ids from 0 to 4294967295)"
