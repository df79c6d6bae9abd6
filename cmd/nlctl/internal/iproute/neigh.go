package iproute

import (
	"fmt"
	"net"
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

const neighUsage = `usage: nlctl neigh {add|del|change|replace} {ADDR [lladdr LLADDR] [nud STATE] | proxy ADDR}
                  [dev DEV] [router] [use] [managed] [extern_learn] [protocol PROTO]
       nlctl neigh {show|flush} [proxy] [to PREFIX] [dev DEV] [nud STATE] [master DEV]
                  [vrf NAME] [nomaster] [protocol PROTO] [unused]
       nlctl neigh get {ADDR | proxy ADDR} dev DEV
STATE := {permanent | noarp | stale | reachable | none | incomplete | delay | probe | failed}
`

// runNeigh runs `nlctl neigh ...` with the grammar of `ip neigh`. Bridge
// FDB entries are reachable through the rtnl API only.

// neighChange parses an entry as `ip neigh add` does and submits it.
func neighChange(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	n, err := parseNeighbour(x, a)
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Neighbour(v, &n) })
}

// parseNeighbour reads an entry with ip's default state, permanent.
func parseNeighbour(x *ipctx, a *cli.Args) (rtnl.Neighbour, error) {
	n := rtnl.Neighbour{State: rtnl.NeighPermanent}
	var dev, lladdr string
	devSet, lladdrSet := false, false
	for a.More() {
		w := cli.Resolve(neighChangeWords(), a.Next())
		switch {
		case cli.Matches(w, "lladdr"):
			s, err := a.Value(w)
			if err != nil {
				return n, err
			}
			if lladdrSet {
				return n, duplicateArg("lladdr", s)
			}
			lladdr, lladdrSet = s, true
		case w == "nud":
			s, err := a.Value(w)
			if err != nil {
				return n, err
			}
			st, err := rtnl.ParseNeighState(s)
			if err != nil {
				return n, invalidArg("nud", s, neighStateForm)
			}
			n.State = st
			n.Explicit |= rtnl.NeighbourFieldState // "nud none" is sent
		case cli.Matches(w, "proxy"):
			s, err := a.Value(w)
			if err != nil {
				return n, err
			}
			if n.Addr.IsValid() {
				return n, duplicateArg("address", s)
			}
			if n.Addr, err = parseAddr(s, x.env.Family); err != nil {
				return n, err
			}
			n.Flags |= rtnl.NeighProxy
		case w == "router":
			n.Flags |= rtnl.NeighRouter
		case cli.Matches(w, "extern_learn"):
			n.Flags |= rtnl.NeighExternLearn
		case w == "use":
			n.Flags |= rtnl.NeighUse
		case w == "managed":
			n.ExtFlags |= rtnl.NeighManaged
			n.State = rtnl.NeighNone // as ip: a later nud still counts
			n.Explicit |= rtnl.NeighbourFieldState
		case w == "dev":
			s, err := a.Value(w)
			if err != nil {
				return n, err
			}
			dev, devSet = s, true
		case cli.Matches(w, "protocol"):
			s, err := a.Value(w)
			if err != nil {
				return n, err
			}
			p, err := rtnl.ParseRouteProtocol(s)
			if err != nil {
				return n, invalidArg("protocol", s, protocolForm)
			}
			n.Protocol = p
		default:
			if w == "to" {
				var err error
				if w, err = a.Value(w); err != nil {
					return n, err
				}
			} else if cli.Matches(w, "help") {
				fmt.Fprint(x.env.Stdout, neighUsage)
				return n, cli.ErrHelpShown
			}
			if n.Addr.IsValid() {
				return n, garbageArg("to", w)
			}
			var err error
			if n.Addr, err = parseAddr(w, x.env.Family); err != nil {
				return n, err
			}
		}
	}
	if !devSet || !n.Addr.IsValid() {
		return n, cli.Syntaxf("Device and destination are required arguments (dev DEV and ADDR).")
	}
	if lladdr != "" && lladdr != "null" {
		hw, err := parseLLAddr(lladdr)
		if err != nil {
			return n, err
		}
		n.LinkAddr = hw
	}
	idx, err := x.linkIndex(dev)
	if err != nil {
		return n, err
	}
	n.LinkIndex = idx
	return n, nil
}

// parseLLAddr reads a link-layer address: bytes in hexadecimal separated
// by colons (or an IPv4 address, for tunnels).
func parseLLAddr(s string) (net.HardwareAddr, error) {
	if a, err := netip.ParseAddr(s); err == nil && a.Is4() {
		b := a.As4()
		return b[:], nil
	}
	var hw net.HardwareAddr
	for _, p := range strings.Split(s, ":") {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil || p == "" {
			return nil, cli.Failf("invalid lladdr %s: hex bytes separated by colons (or an IPv4 address) are expected", cli.Quote(s))
		}
		hw = append(hw, byte(v))
	}
	return hw, nil
}

// neighSelector is what `ip neigh show` and `flush` select by.
type neighSelector struct {
	kernel   rtnl.NeighbourFilter
	devGiven bool
	state    uint32 // ip's mask; 0x100 stands for NONE
	prefix   netip.Prefix
	protocol *rtnl.RouteProtocol
	unused   bool
	noMaster bool         // entries of links without a master
	enslaved map[int]bool // with noMaster: the links that have one
}

// parseNeighSelector reads the selectors of show and flush, with ip's
// default states: every one but NOARP and NONE for show, the dynamic ones
// for flush.
func parseNeighSelector(x *ipctx, a *cli.Args, flush bool) (*neighSelector, error) {
	s := &neighSelector{state: 0xff &^ uint32(rtnl.NeighNoARP)}
	if flush {
		s.state = ^uint32(rtnl.NeighPermanent | rtnl.NeighNoARP)
	}
	s.kernel.Family = addrFamily(x.env.Family)
	stateGiven := false
	for a.More() {
		w := cli.Resolve(neighShowWords(), a.Next())
		switch {
		case w == "dev":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.kernel.LinkIndex, err = x.linkIndex(v); err != nil {
				return nil, err
			}
			s.devGiven = true
		case w == "master" || w == "vrf":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.kernel.MasterIndex, err = x.linkIndexArg(w, v); err != nil {
				return nil, err
			}
		case w == "nud":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if !stateGiven {
				stateGiven = true
				s.state = 0
			}
			var st uint32
			if v == "all" {
				st = ^uint32(0)
				if flush {
					st &^= uint32(rtnl.NeighNoARP)
				}
			} else {
				ns, err := rtnl.ParseNeighState(v)
				if err != nil {
					return nil, invalidArg("nud", v, "all, "+neighStateForm)
				}
				st = uint32(ns)
			}
			if st == 0 {
				st = 0x100
			}
			s.state |= st
		case w == "proxy":
			s.kernel.Proxy = true
		case w == "unused":
			s.unused = true
		case w == "nomaster":
			s.noMaster = true
		case w == "protocol":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			p, err := rtnl.ParseRouteProtocol(v)
			if err != nil {
				return nil, invalidArg("protocol", v, protocolForm)
			}
			s.protocol = &p
		default:
			if w == "to" {
				var err error
				if w, err = a.Value(w); err != nil {
					return nil, err
				}
			} else if cli.Matches(w, "help") {
				fmt.Fprint(x.env.Stdout, neighUsage)
				return nil, cli.ErrHelpShown
			}
			var err error
			if s.prefix, err = parsePrefix(w, x.env.Family); err != nil {
				return nil, err
			}
			if s.kernel.Family == rtnl.AnyFamily {
				s.kernel.Family = addrFamily(familyOf(s.prefix.Addr()))
			}
		}
	}
	return s, nil
}

// keep applies ip's selection: the states asked for (entries without a
// state only for "nud none" or "nud all"), proxy and externally learnt
// entries whatever their state, then the prefix, protocol and "unused".
func (s *neighSelector) keep(n *rtnl.Neighbour) bool {
	st := uint32(n.State)
	if s.state&st == 0 && n.Flags&(rtnl.NeighProxy|rtnl.NeighExternLearn) == 0 && (st != 0 || s.state&0x100 == 0) {
		return false
	}
	if s.prefix.IsValid() && !(n.Addr.IsValid() && s.prefix.Contains(n.Addr)) {
		return false
	}
	if s.protocol != nil && n.Protocol != *s.protocol {
		return false
	}
	if s.unused && n.RefCount != 0 || s.enslaved[n.LinkIndex] {
		return false
	}
	return true
}

func neighShow(x *ipctx, a *cli.Args, flush bool) error {
	if flush && !a.More() {
		return cli.Failf("Flush requires arguments.")
	}
	s, err := parseNeighSelector(x, a, flush)
	if err != nil {
		return err
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	if x.byIndex == nil {
		if err := x.loadLinks(); err != nil {
			return err
		}
	}
	if s.noMaster {
		t, err := loadLinkTable(x)
		if err != nil {
			return err
		}
		s.enslaved = map[int]bool{}
		for i, l := range t.byIndex {
			s.enslaved[i] = l.MasterIndex != 0
		}
	}
	if flush {
		return neighFlush(x, h, s)
	}
	var j *output.JSON
	j = x.jsonArray()
	for n, err := range h.Neighbours(x.ctx, &s.kernel) {
		if err != nil {
			if j != nil {
				j.End()
			}
			return err
		}
		if !s.keep(n) {
			continue
		}
		if j != nil {
			neighJSON(x, j, n, s.devGiven)
		} else {
			neighText(x, n, s.devGiven)
		}
	}
	if j != nil {
		j.End()
	}
	return nil
}

// neighFlush deletes the selected entries, in rounds until none is left.
func neighFlush(x *ipctx, h *rtnl.Handle, s *neighSelector) error {
	for round := 1; round <= maxFlushRounds; round++ {
		all, err := h.ListNeighbours(x.ctx, &s.kernel)
		if err != nil {
			return err
		}
		b := h.NewBatch()
		for i := range all {
			n := &all[i]
			if !s.keep(n) {
				continue
			}
			if x.env.Stats > 1 { // as ip: each entry, before it goes
				neighText(x, n, s.devGiven)
			}
			// The entry as the kernel names it: family, interface and
			// address (and the proxy flag).
			del := rtnl.Neighbour{Family: n.Family, LinkIndex: n.LinkIndex, Addr: n.Addr, Flags: n.Flags & rtnl.NeighProxy}
			if err := b.Neighbour(rtnl.Delete, &del); err != nil {
				return err
			}
		}
		if b.Len() == 0 {
			if x.env.Stats > 0 {
				if round == 1 {
					fmt.Fprintln(x.out, "Nothing to flush.")
				} else {
					fmt.Fprintf(x.out, "*** Flush is complete after %d round%s ***\n", round-1, plural(round-1))
				}
			}
			return nil
		}
		if x.env.Stats > 0 {
			fmt.Fprintf(x.out, "\n*** Round %d, deleting %d entries ***\n", round, b.Len())
		}
		if err := ignoreGone(b.Run(x.ctx, &nl.BatchOptions{ContinueOnError: true})); err != nil {
			return err
		}
	}
	return fmt.Errorf("*** Flush not complete bailing out after %d rounds", maxFlushRounds)
}

// neighGet shows one entry, as `ip neigh get ADDR dev DEV`.
func neighGet(x *ipctx, a *cli.Args) error {
	var dev string
	devSet := false
	var addr netip.Addr
	proxy := false
	for a.More() {
		w := cli.Resolve(neighGetWords(), a.Next())
		switch {
		case w == "dev":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			dev, devSet = s, true
		case w == "proxy":
			proxy = true
		case w == "help":
			return help(x, neighUsage)
		default:
			if w == "to" {
				var err error
				if w, err = a.Value(w); err != nil {
					return err
				}
			}
			if addr.IsValid() {
				return garbageArg("to", w)
			}
			var err error
			if addr, err = parseAddr(w, x.env.Family); err != nil {
				return err
			}
		}
	}
	if !devSet || !addr.IsValid() {
		return cli.Failf("Device and address are required arguments.")
	}
	idx, err := x.linkIndex(dev)
	if err != nil {
		return err
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	all, err := h.ListNeighbours(x.ctx, &rtnl.NeighbourFilter{Family: addrFamily(familyOf(addr)), LinkIndex: idx, Proxy: proxy})
	if err != nil {
		return err
	}
	for i := range all {
		if all[i].Addr == addr {
			if x.env.JSON {
				j := x.jsonArray()
				neighJSON(x, j, &all[i], false)
				j.End()
			} else {
				neighText(x, &all[i], false)
			}
			return nil
		}
	}
	return fmt.Errorf("get neighbour %v dev %s: %w", addr, dev, unix.ENOENT)
}

// neighFlagWords appends to dst the flags ip prints, in its order.
func neighFlagWords(dst []string, n *rtnl.Neighbour) []string {
	if n.Flags&rtnl.NeighRouter != 0 {
		dst = append(dst, "router")
	}
	if n.Flags&rtnl.NeighProxy != 0 {
		dst = append(dst, "proxy")
	}
	if n.Flags&rtnl.NeighExternLearn != 0 {
		dst = append(dst, "extern_learn")
	}
	if n.Flags&rtnl.NeighOffload != 0 {
		dst = append(dst, "offload")
	}
	if n.ExtFlags&rtnl.NeighManaged != 0 {
		dst = append(dst, "managed")
	}
	return dst
}

// neighJSON writes one entry with the keys of `ip -j neigh show`.
func neighJSON(x *ipctx, j *output.JSON, n *rtnl.Neighbour, devGiven bool) {
	var buf [64]byte
	var words [5]string
	j.Object("")
	if n.Addr.IsValid() {
		j.ASCII("dst", n.Addr.AppendTo(buf[:0]))
	}
	if !devGiven && n.LinkIndex != 0 {
		j.String("dev", x.linkName(n.LinkIndex))
	}
	if len(n.LinkAddr) > 0 {
		j.ASCII("lladdr", appendLLAddr(buf[:0], n.LinkAddr))
	}
	for _, f := range neighFlagWords(words[:0], n) {
		j.Null(f)
	}
	if x.env.Stats > 0 && n.Flags&rtnl.NeighProxy == 0 { // proxy entries have no cache data
		if n.RefCount != 0 {
			j.Uint("refcnt", uint64(n.RefCount))
		}
		j.Uint("used", uint64(n.Used/time.Second))
		j.Uint("confirmed", uint64(n.Confirmed/time.Second))
		j.Uint("updated", uint64(n.Updated/time.Second))
		j.Uint("probes", uint64(n.Probes))
	}
	if n.State != rtnl.NeighNone {
		j.Strings("state", x.pc.neighStateNames(n.State))
	}
	if n.Protocol != rtnl.ProtoUnspec {
		j.String("protocol", n.Protocol.String())
	}
	j.End()
}

// neighText prints one entry as `ip neigh show` does.
func neighText(x *ipctx, n *rtnl.Neighbour, devGiven bool) {
	var words [5]string
	b := x.pc.line[:0]
	if n.Addr.IsValid() {
		b = n.Addr.AppendTo(b)
		b = append(b, ' ')
	}
	if !devGiven && n.LinkIndex != 0 {
		b = append(b, "dev "...)
		b = append(b, x.linkName(n.LinkIndex)...)
		b = append(b, ' ')
	}
	if len(n.LinkAddr) > 0 {
		b = append(b, "lladdr "...)
		b = appendLLAddr(b, n.LinkAddr)
		b = append(b, ' ')
	}
	for _, f := range neighFlagWords(words[:0], n) {
		b = append(b, f...)
		b = append(b, ' ')
	}
	if x.env.Stats > 0 && n.Flags&rtnl.NeighProxy == 0 {
		if n.RefCount != 0 {
			b = append(b, " ref "...)
			b = appendUint(b, n.RefCount)
		}
		b = append(b, " used "...)
		b = appendInt(b, n.Used/time.Second)
		b = append(b, '/')
		b = appendInt(b, n.Confirmed/time.Second)
		b = append(b, '/')
		b = appendInt(b, n.Updated/time.Second)
		b = append(b, "probes "...)
		b = appendUint(b, n.Probes)
		b = append(b, ' ')
	}
	for _, s := range x.pc.neighStateNames(n.State) {
		b = append(b, s...)
		b = append(b, ' ')
	}
	if n.Protocol != rtnl.ProtoUnspec {
		b = append(b, "proto "...)
		b = append(b, n.Protocol.String()...)
		b = append(b, ' ')
	}
	b = append(b, '\n')
	x.out.Write(b)
	x.pc.line = b
}

// neighStateForm is what a neighbour's state may be, for the errors.
const neighStateForm = "permanent, noarp, stale, reachable, none, incomplete, delay, probe or failed"
