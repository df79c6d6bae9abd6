package iproute

import (
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const addressUsage = `usage: nlctl address {add|change|replace} IFADDR dev IFNAME [LIFETIME] [CONFFLAG-LIST]
       nlctl address del IFADDR dev IFNAME
       nlctl address flush [dev IFNAME] [scope SCOPE-ID] [to PREFIX] [FLAG-LIST] [label LABEL] [up]
       nlctl address [show [dev IFNAME] [scope SCOPE-ID] [master DEVICE] [nomaster] [type TYPE]
                           [to PREFIX] [FLAG-LIST] [label LABEL] [up] [vrf NAME] [group GROUP]]
IFADDR := PREFIX | ADDR peer PREFIX
          [broadcast ADDR|+|-] [anycast ADDR] [label IFNAME] [scope SCOPE-ID] [metric METRIC]
SCOPE-ID := [host | link | global | NUMBER]
FLAG-LIST := [FLAG-LIST] FLAG
FLAG := [permanent | dynamic | secondary | primary | [-]tentative | [-]deprecated |
         [-]dadfailed | temporary | CONFFLAG-LIST]
CONFFLAG-LIST := [CONFFLAG-LIST] CONFFLAG
CONFFLAG := [home | nodad | mngtmpaddr | noprefixroute | autojoin]
LIFETIME := [valid_lft LFT] [preferred_lft LFT]
LFT := forever | SECONDS
`

// runAddress runs `nlctl address ...` with the grammar of `ip address`.
// Words are tried in ip's order, so that "a" is add and "d" delete.

// addrSettable returns the flag named w if `ip address add` takes it, else
// 0.
func addrSettable(w string) rtnl.AddrFlags {
	switch w {
	case "home":
		return rtnl.AddrHomeAddress
	case "nodad":
		return rtnl.AddrNoDAD
	case "optimistic":
		return rtnl.AddrOptimistic
	case "mngtmpaddr":
		return rtnl.AddrManageTempAddr
	case "noprefixroute":
		return rtnl.AddrNoPrefixRoute
	case "autojoin":
		return rtnl.AddrMcAutoJoin
	}
	return 0
}

// addrChange parses an address as `ip address add` does and submits it.
func addrChange(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	ad, err := parseAddress(x, a, v)
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Address(v, &ad) })
}

// parseAddress reads IFADDR dev IFNAME and the options, with ip's defaults
// (scope host for 127.0.0.0/8) and checks.
func parseAddress(x *ipctx, a *cli.Args, v rtnl.Verb) (rtnl.Address, error) {
	var ad rtnl.Address
	family := x.env.Family
	var local, peer netip.Prefix
	localLenGiven := false
	var dev string
	devSet := false
	brd := ""
	scoped := false
	valid, preferred := rtnl.LifetimeForever, rtnl.LifetimeForever
	lifetimes := false
	for a.More() {
		w := cli.Resolve(addressChangeWords(), a.Next())
		switch {
		case w == "peer" || w == "remote":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			if peer.IsValid() {
				return ad, duplicateArg("peer", s)
			}
			if peer, err = parsePrefix(s, family); err != nil {
				return ad, err
			}
			family = familyOf(peer.Addr())
		case cli.Matches(w, "broadcast") || w == "brd":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			if brd != "" {
				return ad, duplicateArg("broadcast", s)
			}
			brd = s
			if s != "+" && s != "-" {
				if ad.Broadcast, err = parseAddr(s, family); err != nil {
					return ad, err
				}
			}
		case w == "anycast":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			if ad.Anycast, err = parseAddr(s, family); err != nil {
				return ad, err
			}
		case w == "scope":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			sc, err := rtnl.ParseScope(s)
			if err != nil {
				return ad, invalidArg("scope", s, scopeForm)
			}
			ad.Scope, scoped = sc, true
		case w == "dev":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			dev, devSet = s, true
		case w == "label":
			s, err := a.Value(w)
			if err != nil {
				return ad, err
			}
			ad.Label = s
		case cli.Matches(w, "metric") || cli.Matches(w, "priority") || cli.Matches(w, "preference"):
			n, err := a.Uint(w, 32)
			if err != nil {
				return ad, err
			}
			ad.RoutePriority = uint32(n)
		case cli.Matches(w, "valid_lft"):
			n, err := addrLifetime(a, "valid_lft")
			if err != nil {
				return ad, err
			}
			valid, lifetimes = n, true
		case cli.Matches(w, "preferred_lft"):
			n, err := addrLifetime(a, "preferred_lft")
			if err != nil {
				return ad, err
			}
			preferred, lifetimes = n, true
		case addrSettable(w) != 0:
			ad.Flags |= addrSettable(w)
		case isAddrFlagName(w):
			// As ip: the flags the kernel sets itself are ignored.
			fmt.Fprintf(x.env.Stderr, "nlctl: warning: the %s flag is the kernel's to set; ignored\n", w)
		default:
			if w == "local" {
				var err error
				if w, err = a.Value(w); err != nil {
					return ad, err
				}
			} else if cli.Matches(w, "help") {
				fmt.Fprint(x.env.Stdout, addressUsage)
				return ad, cli.ErrHelpShown
			}
			if local.IsValid() {
				return ad, garbageArg("local", w)
			}
			var err error
			if local, err = parsePrefix(w, family); err != nil {
				return ad, err
			}
			localLenGiven = strings.Contains(w, "/")
			family = familyOf(local.Addr())
		}
	}
	if !devSet {
		return ad, cli.Failf("Not enough information: \"dev\" argument is required.")
	}
	if !local.IsValid() {
		if !peer.IsValid() {
			// ip sends the request, and the kernel refuses it.
			return ad, errors.New("an address without its local address (IFADDR) is refused")
		}
		local = peer
	}
	if ad.Flags&rtnl.AddrMcAutoJoin != 0 && !local.Addr().IsMulticast() {
		return ad, cli.Failf("autojoin needs a multicast address, not %s", local.Addr())
	}
	idx, err := x.linkIndex(dev)
	if err != nil {
		return ad, err
	}
	ad.LinkIndex = idx
	ad.Prefix = local
	if peer.IsValid() {
		if familyOf(peer.Addr()) != familyOf(local.Addr()) {
			return ad, cli.Failf("peer %v and address %v are of different families", peer, local.Addr())
		}
		ad.Prefix = netip.PrefixFrom(local.Addr(), peer.Bits())
		if peer.Addr() != local.Addr() {
			ad.Peer = peer
		}
	}
	if brd == "+" || brd == "-" {
		if !ad.Prefix.Addr().Is4() {
			return ad, cli.Failf("Broadcast can be set only for IPv4 addresses")
		}
		p := ad.Prefix
		if ad.Peer.IsValid() {
			p = ad.Peer
		}
		if b, ok := rtnl.BroadcastOf(p); ok && v != rtnl.Delete {
			if brd == "-" { // the network's own address
				b = p.Masked().Addr()
			}
			ad.Broadcast = b
		}
	}
	if !scoped && v != rtnl.Delete && ad.Prefix.Addr().Is4() && ad.Prefix.Addr().As4()[0] == 127 {
		ad.Scope = rtnl.ScopeHost
	}
	if lifetimes {
		if valid == 0 {
			return ad, cli.Failf("valid_lft is zero")
		}
		if valid < preferred {
			return ad, cli.Failf("preferred_lft is greater than valid_lft")
		}
		ad.ValidLifetime, ad.PreferredLifetime = valid, preferred
	}
	if v == rtnl.Delete && ad.Prefix.Addr().Is4() && !localLenGiven && !ad.Peer.IsValid() {
		// ip deletes "10.1.0.5" whatever its prefix length: find it.
		p, ok, err := addrFindLength(x, ad.LinkIndex, ad.Prefix.Addr())
		if err != nil {
			return ad, err
		}
		if ok {
			ad.Prefix = p
		}
	}
	return ad, nil
}

// addrLifetime reads "forever" or a number of seconds.
func addrLifetime(a *cli.Args, kw string) (uint32, error) {
	s, err := a.Value(kw)
	if err != nil {
		return 0, err
	}
	if s == "forever" {
		return rtnl.LifetimeForever, nil
	}
	v, err := parseUint32(s)
	if err != nil {
		return 0, invalidArg(kw, s, "forever or a number of seconds from 0 to 4294967295")
	}
	return v, nil
}

func parseUint32(s string) (uint32, error) {
	var v uint64
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		v = v*10 + uint64(c-'0')
		if v > 1<<32-1 {
			return 0, errors.New("too large")
		}
	}
	return uint32(v), nil
}

// addrFindLength returns the first IPv4 address a of interface index, with
// its prefix length.
func addrFindLength(x *ipctx, index int, a netip.Addr) (netip.Prefix, bool, error) {
	h, err := x.handle() // in -batch mode, stops if an earlier line failed
	if err != nil {
		return netip.Prefix{}, false, err
	}
	addrs, err := h.ListAddresses(x.ctx, &rtnl.AddressFilter{Family: rtnl.IPv4, LinkIndex: index})
	if err != nil {
		return netip.Prefix{}, false, err
	}
	for _, ad := range addrs {
		if ad.Prefix.Addr() == a {
			return ad.Prefix, true, nil
		}
	}
	return netip.Prefix{}, false, nil
}

// isAddrFlagName reports whether s names an address flag.
func isAddrFlagName(s string) bool {
	_, err := rtnl.ParseAddrFlag(s)
	return err == nil
}

// addrSelector is what `ip address show` and `flush` select by.
type addrSelector struct {
	kernel      rtnl.AddressFilter // family and interface, for the kernel
	dev         string
	devSet      bool // dev was given (perhaps empty)
	scope       *rtnl.Scope
	flags, mask rtnl.AddrFlags
	label       string
	prefix      netip.Prefix
	up          bool
	master      int // -1: no master
	kind        string
	group       *uint32
}

// parseAddrSelector reads the selectors of show and flush.
func parseAddrSelector(x *ipctx, a *cli.Args) (*addrSelector, error) {
	s := &addrSelector{}
	s.kernel.Family = addrFamily(x.env.Family)
	for a.More() {
		w := cli.Resolve(addressShowWords(), a.Next())
		switch {
		case w == "to":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.prefix, err = parsePrefix(v, x.env.Family); err != nil {
				return nil, err
			}
			if s.kernel.Family == rtnl.AnyFamily {
				s.kernel.Family = addrFamily(familyOf(s.prefix.Addr()))
			}
		case w == "scope":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if v == "all" {
				s.scope = nil
				continue
			}
			sc, err := rtnl.ParseScope(v)
			if err != nil {
				return nil, invalidArg("scope", v, "all, "+scopeForm)
			}
			s.scope = &sc
		case w == "up":
			s.up = true
		case s.flag(w):
		case w == "label":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			s.label = v
		case w == "master" || w == "vrf":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s.master, err = x.linkIndexArg(w, v); err != nil {
				return nil, err
			}
		case w == "nomaster":
			s.master = -1
		case w == "type":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			s.kind = v
		case w == "group":
			v, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			g, err := parseLinkGroup(v)
			if err != nil {
				return nil, err
			}
			s.group = &g
		default:
			if w == "dev" {
				var err error
				if w, err = a.Value(w); err != nil {
					return nil, err
				}
			} else if cli.Matches(w, "help") {
				fmt.Fprint(x.env.Stdout, addressUsage)
				return nil, cli.ErrHelpShown
			}
			if s.devSet {
				return nil, garbageArg("dev", w)
			}
			s.dev, s.devSet = w, true
		}
	}
	return s, nil
}

// flag reads a FLAG selector ("secondary", "-tentative", "dynamic" ...).
func (s *addrSelector) flag(w string) bool {
	name, inv := w, false
	if n, ok := strings.CutPrefix(w, "-"); ok {
		name, inv = n, true
	}
	switch name {
	case "dynamic":
		name, inv = "permanent", !inv
	case "primary":
		name, inv = "secondary", !inv
	}
	f, err := rtnl.ParseAddrFlag(name)
	if err != nil {
		return false
	}
	s.mask |= f
	if inv {
		s.flags &^= f
	} else {
		s.flags |= f
	}
	return true
}

func addrFamily(f int) rtnl.Family {
	switch f {
	case 4:
		return rtnl.IPv4
	case 6:
		return rtnl.IPv6
	}
	return rtnl.AnyFamily
}

// keepLink applies the selectors about the interface itself (but "up",
// which ip applies as it prints).
func (s *addrSelector) keepLink(l *rtnl.Link) bool {
	switch {
	case s.master == -1 && l.MasterIndex != 0:
		return false
	case s.master > 0 && l.MasterIndex != s.master:
		return false
	case s.kind != "" && !strings.HasSuffix(s.kind, "_slave") && l.Info.Kind != s.kind,
		strings.HasSuffix(s.kind, "_slave") && l.Info.SlaveKind != strings.TrimSuffix(s.kind, "_slave"):
		return false
	case s.group != nil && l.Group != *s.group:
		return false
	}
	return true
}

// keep applies the selectors about an address; name is its interface's.
func (s *addrSelector) keep(ad *rtnl.Address, name string) bool {
	if s.kernel.Family != rtnl.AnyFamily && ad.Family != s.kernel.Family {
		return false
	}
	if s.scope != nil && ad.Scope != *s.scope {
		return false
	}
	if (ad.Flags^s.flags)&s.mask != 0 {
		return false
	}
	if s.label != "" {
		label := ad.Label
		if label == "" {
			label = name
		}
		if ok, err := path.Match(s.label, label); err != nil || !ok {
			return false
		}
	}
	if s.prefix.IsValid() && (!ad.Prefix.IsValid() || !s.prefix.Contains(ad.Prefix.Addr())) {
		return false
	}
	return true
}

// addrLink is an interface and its addresses (of the family asked for),
// with those the selectors keep marked. `ip -j address show` prints the
// others as empty objects, and a link that is not up (with "up") as an
// empty object too.
type addrLink struct {
	l     *rtnl.Link
	addrs []*rtnl.Address
	kept  []bool
	down  bool // filtered out by "up"
	// noLink leaves the link's own keys and lines out, as ip does with
	// "label"; family leaves out its link-layer line, as ip does with -4
	// and -6. inet6 leaves out what the IPv6 link dump ip then makes does
	// not carry (qdisc, master, group).
	noLink, family, inet6 bool
}

// addrCollect dumps the links and addresses and keeps those ip would show:
// every interface with a selected address, and, when no family was asked
// for, the interfaces with no address at all.
func addrCollect(x *ipctx, s *addrSelector) ([]addrLink, *linkTable, error) {
	t, err := loadLinkTable(x)
	if err != nil {
		return nil, nil, err
	}
	h, err := x.handle()
	if err != nil {
		return nil, nil, err
	}
	if s.devSet {
		i, ok := x.byName[s.dev]
		if !ok { // perhaps an alternative name
			l, err := h.LinkByName(x.ctx, s.dev)
			if err != nil || s.dev == "" {
				return nil, nil, cli.Failf("Device %s does not exist.", cli.Quote(s.dev))
			}
			i = l.Index
		}
		s.kernel.LinkIndex = i
	}
	addrs, err := collectList(func() iter.Seq2[*rtnl.Address, error] { return h.Addresses(x.ctx, &s.kernel) })
	if err != nil {
		return nil, nil, err
	}
	links := make([]*rtnl.Link, 0, t.all.len())
	for l := range t.all.all() {
		if s.kernel.LinkIndex == 0 || l.Index == s.kernel.LinkIndex {
			links = append(links, l)
		}
	}
	slices.SortFunc(links, func(a, b *rtnl.Link) int { return a.Index - b.Index })
	// Group the addresses by link, keeping the kernel's order within
	// each: count them per link, then place pointers to them in one array.
	slot := make(map[int]int, len(links))
	for i, l := range links {
		slot[l.Index] = i
	}
	start := make([]int, len(links)+1)
	for ad := range addrs.all() {
		if k, ok := slot[ad.LinkIndex]; ok {
			start[k+1]++
		}
	}
	for k := range links {
		start[k+1] += start[k]
	}
	grouped := make([]*rtnl.Address, start[len(links)])
	kept := make([]bool, len(grouped))
	next := slices.Clone(start[:len(links)])
	for ad := range addrs.all() {
		if k, ok := slot[ad.LinkIndex]; ok {
			grouped[next[k]] = ad
			next[k]++
		}
	}
	var out []addrLink
	for k, l := range links {
		if !s.keepLink(l) {
			continue
		}
		al := addrLink{l: l, addrs: grouped[start[k]:start[k+1]:start[k+1]], kept: kept[start[k]:start[k+1]:start[k+1]]}
		n := 0
		for i, ad := range al.addrs {
			if s.keep(ad, l.Name) {
				al.kept[i] = true
				n++
			}
		}
		if n == 0 && (len(al.addrs) > 0 || s.kernel.Family != rtnl.AnyFamily) {
			continue
		}
		al.down = s.up && l.Flags&rtnl.LinkUp == 0
		al.noLink = s.label != ""
		al.family = s.kernel.Family != rtnl.AnyFamily
		al.inet6 = s.kernel.Family == rtnl.IPv6 && s.dev == ""
		out = append(out, al)
	}
	return out, t, nil
}

func addrShow(x *ipctx, a *cli.Args, flush bool) error {
	if flush && !a.More() {
		return cli.Failf("Flush requires arguments.")
	}
	s, err := parseAddrSelector(x, a)
	if err != nil {
		return err
	}
	if flush {
		return addrFlush(x, s)
	}
	links, t, err := addrCollect(x, s)
	if err != nil {
		return err
	}
	if x.env.JSON {
		j := x.jsonArray()
		for i := range links {
			addrLinkJSON(x, j, t, &links[i])
		}
		j.End()
		return nil
	}
	for i := range links {
		addrLinkText(x, t, &links[i])
	}
	return nil
}

// addrLinkJSON writes an interface as `ip -j address show` does: the keys
// of `ip -j link show`, then addr_info (and with -s the statistics).
func addrLinkJSON(x *ipctx, j *output.JSON, t *linkTable, al *addrLink) {
	var buf [64]byte
	if al.down {
		j.Object("")
		j.End()
		return
	}
	if x.env.Brief {
		j.Object("")
		if !al.noLink {
			linkParentJSON(j, t, al.l)
		}
		if !al.noLink {
			j.String("ifname", al.l.Name)
			j.String("operstate", al.l.OperState.String())
		}
		j.Array("addr_info")
		for i := range al.addrs {
			ad := al.addrs[i]
			j.Object("")
			if !al.kept[i] {
				j.End()
				continue
			}
			j.ASCII("local", appendAddrString(buf[:0], ad.Prefix.Addr()))
			if ad.Peer.IsValid() {
				j.ASCII("address", ad.Peer.Addr().AppendTo(buf[:0]))
			}
			j.Int("prefixlen", int64(ad.Prefix.Bits()))
			if ad.RoutePriority != 0 {
				j.Uint("metric", uint64(ad.RoutePriority))
			}
			j.End()
		}
		j.End()
		j.End()
		return
	}
	noLink := al.noLink || x.env.Oneline
	if noLink {
		// ip -o, or a label, prints the addresses alone.
		j.Object("")
	} else {
		linkObjectOpen(x, j, t, al.l)
	}
	j.Array("addr_info")
	for i := range al.addrs {
		j.Object("")
		if al.kept[i] {
			if x.env.Oneline {
				j.Uint("index", uint64(al.l.Index))
				j.String("dev", al.l.Name)
			}
			addrInfoJSON(j, al.addrs[i])
		}
		j.End()
	}
	j.End()
	if x.env.Stats > 0 && al.l.Stats != nil && !noLink {
		linkStatsJSON(j, al.l, x.env.Stats > 1)
	}
	j.End()
}

// appendAddrString appends a as its String method formats it ("invalid
// IP" for the zero Addr).
func appendAddrString(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, "invalid IP"...)
	}
	return a.AppendTo(b)
}

// linkObjectOpen writes a link as linkJSON does, leaving its object open
// for more keys (ip address prints the statistics after the addresses).
func linkObjectOpen(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	j.Object("")
	stats := x.env.Stats
	x.env.Stats = 0
	linkJSONKeys(x, j, t, l)
	x.env.Stats = stats
}

// addrInfoJSON writes the keys of one address of `ip -j address show`.
func addrInfoJSON(j *output.JSON, ad *rtnl.Address) {
	var buf [64]byte
	var words [12]string
	j.String("family", ad.Family.String())
	if ad.Prefix.IsValid() {
		j.ASCII("local", ad.Prefix.Addr().AppendTo(buf[:0]))
	}
	if ad.Peer.IsValid() {
		j.ASCII("address", ad.Peer.Addr().AppendTo(buf[:0]))
	}
	j.Int("prefixlen", int64(max(ad.Prefix.Bits(), 0)))
	if ad.RoutePriority != 0 {
		j.Uint("metric", uint64(ad.RoutePriority))
	}
	if ad.Broadcast.IsValid() {
		j.ASCII("broadcast", ad.Broadcast.AppendTo(buf[:0]))
	}
	if ad.Anycast.IsValid() {
		j.ASCII("anycast", ad.Anycast.AppendTo(buf[:0]))
	}
	j.String("scope", ad.Scope.String())
	for _, name := range addrFlagWords(words[:0], ad) {
		j.Bool(name, true)
	}
	if rest := ad.Flags &^ 0xfff; rest != 0 {
		j.ASCII("ifa_flags", appendHex02(buf[:0], uint32(rest)))
	}
	if ad.Protocol != rtnl.AddrProtoUnspec {
		j.String("protocol", ad.Protocol.String())
	}
	if ad.Label != "" {
		j.String("label", ad.Label)
	}
	j.Uint("valid_life_time", uint64(ad.ValidLifetime))
	j.Uint("preferred_life_time", uint64(ad.PreferredLifetime))
}

// appendHex02 appends v as C's %02x does.
func appendHex02(b []byte, v uint32) []byte {
	if v < 0x10 {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, uint64(v), 16)
}

// addrFlagWords appends to dst the flags as ip prints them: "dynamic" for
// an address that is not permanent, "temporary" for a secondary IPv6 one.
func addrFlagWords(dst []string, ad *rtnl.Address) []string {
	for i := range 12 {
		f := rtnl.AddrFlags(1) << i
		switch {
		case f == rtnl.AddrPermanent:
			if ad.Flags&f == 0 {
				dst = append(dst, "dynamic")
			}
		case ad.Flags&f == 0:
		case f == rtnl.AddrSecondary && ad.Family == rtnl.IPv6:
			dst = append(dst, "temporary")
		default:
			if n := addrFlagNames()[i]; n != "" {
				dst = append(dst, n)
			}
		}
	}
	return dst
}

// addrFlagNames names the low 12 address flags, one by one, as
// rtnl.AddrFlags.Names does ("" for a flag it does not name).
var addrFlagNames = sync.OnceValue(func() (names [12]string) {
	for i := range names {
		if n := (rtnl.AddrFlags(1) << i).Names(); len(n) > 0 {
			names[i] = n[0]
		}
	}
	return names
})

// appendAddrText appends one address as `ip address show` words it, with
// its second line (the lifetimes) after a newline.
func appendAddrText(b []byte, ad *rtnl.Address) []byte {
	var words [12]string
	switch ad.Family {
	case rtnl.IPv4:
		b = append(b, "    inet "...)
	case rtnl.IPv6:
		b = append(b, "    inet6 "...)
	default:
		b = append(b, "    family "...)
		b = appendUint(b, ad.Family)
		b = append(b, ' ')
	}
	if ad.Prefix.IsValid() {
		b = ad.Prefix.Addr().AppendTo(b)
	}
	if ad.Peer.IsValid() {
		b = append(b, " peer "...)
		b = ad.Peer.Addr().AppendTo(b)
	}
	b = append(b, '/')
	b = appendInt(b, max(ad.Prefix.Bits(), 0))
	b = append(b, ' ')
	if ad.RoutePriority != 0 {
		b = append(b, "metric "...)
		b = appendUint(b, ad.RoutePriority)
		b = append(b, ' ')
	}
	if ad.Broadcast.IsValid() {
		b = append(b, "brd "...)
		b = ad.Broadcast.AppendTo(b)
		b = append(b, ' ')
	}
	if ad.Anycast.IsValid() {
		b = append(b, "any "...)
		b = ad.Anycast.AppendTo(b)
		b = append(b, ' ')
	}
	b = append(b, "scope "...)
	b = append(b, ad.Scope.String()...)
	b = append(b, ' ')
	for _, w := range addrFlagWords(words[:0], ad) {
		b = append(b, w...)
		b = append(b, ' ')
	}
	if rest := ad.Flags &^ 0xfff; rest != 0 {
		b = append(b, "flags "...)
		b = appendHex02(b, uint32(rest))
		b = append(b, ' ')
	}
	b = append(b, ad.Label...)
	b = append(b, "\n       valid_lft "...)
	if ad.ValidLifetime == rtnl.LifetimeForever {
		b = append(b, "forever"...)
	} else {
		b = appendUint(b, ad.ValidLifetime)
		b = append(b, "sec"...)
	}
	b = append(b, " preferred_lft "...)
	switch {
	case ad.PreferredLifetime == rtnl.LifetimeForever:
		b = append(b, "forever"...)
	case ad.Flags&rtnl.AddrDeprecated != 0:
		b = appendInt(b, int32(ad.PreferredLifetime))
		b = append(b, "sec"...)
	default:
		b = appendUint(b, ad.PreferredLifetime)
		b = append(b, "sec"...)
	}
	return b
}

// addrLinkText prints an interface as `ip address show` does.
func addrLinkText(x *ipctx, t *linkTable, al *addrLink) {
	l := al.l
	if al.down {
		return
	}
	b := x.pc.line[:0]
	if x.env.Brief {
		if !al.noLink {
			b = appendLinkBriefName(b, t, l)
			b = append(b, ' ')
			b = appendPadRight(b, l.OperState.String(), 14)
			b = append(b, ' ')
		}
		for i := range al.addrs {
			if !al.kept[i] {
				continue
			}
			ad := al.addrs[i]
			b = appendAddrString(b, ad.Prefix.Addr())
			if ad.Peer.IsValid() {
				b = append(b, " peer "...)
				b = ad.Peer.Addr().AppendTo(b)
			}
			b = append(b, '/')
			b = appendInt(b, ad.Prefix.Bits())
			b = append(b, ' ')
			if ad.RoutePriority != 0 {
				b = append(b, "metric "...)
				b = appendUint(b, ad.RoutePriority)
				b = append(b, ' ')
			}
		}
		b = append(b, '\n')
		x.out.Write(b)
		x.pc.line = b
		return
	}
	if x.env.Oneline {
		for i := range al.addrs {
			if !al.kept[i] {
				continue
			}
			b = appendInt(b[:0], l.Index)
			b = append(b, ": "...)
			b = append(b, l.Name...)
			start := len(b)
			b = appendAddrText(b, al.addrs[i])
			for k := start; k < len(b); k++ {
				if b[k] == '\n' {
					b[k] = '\\'
				}
			}
			b = append(b, '\n')
			x.out.Write(b)
		}
		x.pc.line = b
		return
	}
	if !al.noLink {
		// The link's lines as ip link prints them, without "mode" and
		// "addrgenmode", which ip address leaves out, and without the
		// statistics, which it prints after the addresses. With a family
		// ip leaves out the link-layer line too (unless with -d).
		b = appendLinkText(b, x, t, l, linkTextOpts{
			noMode:     true,
			inet6:      al.inet6,
			noLinkLine: al.family && !x.env.Details,
			noStats:    true,
			noAlias:    !x.env.Details,
		})
		b = append(b, '\n')
	}
	for i := range al.addrs {
		if al.kept[i] {
			b = appendAddrText(b, al.addrs[i])
			b = append(b, '\n')
		}
	}
	if !al.noLink && x.env.Stats > 0 && l.Stats != nil {
		var sb strings.Builder
		linkStatsText(&sb, l, x.env.Stats > 1)
		b = append(b, strings.TrimPrefix(sb.String(), "\n")...)
		b = append(b, '\n')
	}
	x.out.Write(b)
	x.pc.line = b
}

// maxFlushRounds bounds the rounds of a flush, as ip's.
const maxFlushRounds = 10

// addrFlush deletes the selected addresses, secondaries first (deleting a
// primary address deletes its secondaries unless they are promoted), in
// rounds until none is left.
func addrFlush(x *ipctx, s *addrSelector) error {
	h, err := x.handle()
	if err != nil {
		return err
	}
	for round := 1; round <= maxFlushRounds; round++ {
		links, _, err := addrCollect(x, s)
		if err != nil {
			return err
		}
		var sec, prim []rtnl.Address
		for _, al := range links {
			for i, ad := range al.addrs {
				if !al.kept[i] || al.down {
					continue
				}
				if x.env.Stats > 1 { // as ip: each address, before it goes
					fmt.Fprintf(x.out, "%d: %s%s\n", al.l.Index, al.l.Name, appendAddrText(nil, ad))
				}
				if ad.Flags&rtnl.AddrSecondary != 0 && ad.Family == rtnl.IPv4 {
					sec = append(sec, *ad)
				} else {
					prim = append(prim, *ad)
				}
			}
		}
		if len(sec)+len(prim) == 0 {
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
			fmt.Fprintf(x.out, "\n*** Round %d, deleting %d addresses ***\n", round, len(sec)+len(prim))
		}
		for _, set := range [][]rtnl.Address{sec, prim} {
			if len(set) == 0 {
				continue
			}
			b := h.NewBatch()
			for i := range set {
				if err := b.Address(rtnl.Delete, &set[i]); err != nil {
					return err
				}
			}
			if err := ignoreGone(b.Run(x.ctx, &nl.BatchOptions{ContinueOnError: true})); err != nil {
				return err
			}
		}
	}
	return fmt.Errorf("*** Flush remains incomplete after %d rounds. ***", maxFlushRounds)
}

// ignoreGone drops the failures of deletions whose object was already gone
// (deleted with another), which a flush expects.
func ignoreGone(err error) error {
	var be *nl.BatchError
	if !errors.As(err, &be) || be.Err != nil {
		return err
	}
	for _, f := range be.Failures {
		if !errors.Is(f.Err, unix.EADDRNOTAVAIL) && !errors.Is(f.Err, unix.ENOENT) && !errors.Is(f.Err, unix.ESRCH) {
			return f.Err
		}
	}
	return nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// scopeForm is what a scope may be, for the errors.
const scopeForm = "host, link, global, site, nowhere or a number from 0 to 255"
