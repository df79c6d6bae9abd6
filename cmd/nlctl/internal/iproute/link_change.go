package iproute

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// linkOpts is what the options shared by `link add` and `link set` say
// (ip's iplink_parse): the link's own settings, and its kind with the
// kind's arguments.
type linkOpts struct {
	dev     string // the device named (set: the one to change; add: its name)
	c       rtnl.LinkChange
	flagOff rtnl.LinkFlags // flags turned off (the rest of FlagMask is on)
	parent  int
	index   int
	numTx   uint32
	numRx   uint32
	group   *uint32
	info    *rtnl.LinkInfo
	// linkNetNSID is the namespace (by its id here) of the link "link"
	// names (link-netns, link-netnsid).
	linkNetNSID *int
}

// parseLinkOpts reads link options up to the end of the arguments (or, in
// a veth peer, the end too). add allows the options of a new link; peer
// forbids "type".
func parseLinkOpts(x *ipctx, a *cli.Args, add, peer bool) (*linkOpts, error) {
	o := &linkOpts{}
	// As ip, these keywords may be given once; the device (or, on add,
	// the name) once too.
	seen := map[string]bool{}
	once := func(kw string) error {
		if seen[kw] {
			return duplicateArg(kw, a.Peek())
		}
		seen[kw] = true
		return nil
	}
	onOff := func(kw string, f rtnl.LinkFlags, invert bool) error {
		s, err := a.Value(kw)
		if err != nil {
			return err
		}
		var on bool
		switch s {
		case "on":
			on = true
		case "off":
		default:
			return cli.Failf("invalid %s %s: on or off is expected", kw, cli.Quote(s))
		}
		o.c.FlagMask |= f
		if on != invert {
			o.c.Flags |= f
		} else {
			o.c.Flags &^= f
		}
		return nil
	}
	for a.More() {
		w := cli.Resolve(linkWords(), a.Next())
		var err error
		if add && slices.Contains(linkSetOnly(), w) {
			return nil, cli.Failf("%q is for link set, not link add", w)
		}
		if !add && slices.Contains(linkAddOnly(), w) {
			return nil, cli.Syntaxf("%q is for link add, not link set", w)
		}
		switch {
		case w == "up":
			o.c.Flags |= rtnl.LinkUp
			o.c.FlagMask |= rtnl.LinkUp
		case w == "down":
			o.c.Flags &^= rtnl.LinkUp
			o.c.FlagMask |= rtnl.LinkUp
		case w == "name":
			if err := once(w); err != nil {
				return nil, err
			}
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if err := checkIfname(w, s, maxIfname); err != nil {
				return nil, err
			}
			if add {
				if seen["dev"] {
					return nil, linkNameTwice(o.dev, s)
				}
				o.dev = s
			} else {
				o.c.Name = s
			}
		case w == "link":
			s, err := a.Value("link")
			if err != nil {
				return nil, err
			}
			if o.parent, err = x.linkIndex(s); err != nil {
				return nil, err
			}
		case w == "txqueuelen" || w == "txqlen" || w == "qlen":
			if err := once("txqueuelen"); err != nil {
				return nil, err
			}
			v, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.c.TxQueueLen = new(uint32(v))
		case w == "address":
			if o.c.HardwareAddr, err = linkParseLLAddr(a, "address"); err != nil {
				return nil, err
			}
		case cli.Matches(w, "broadcast") || w == "brd":
			if o.c.Broadcast, err = linkParseLLAddr(a, "broadcast"); err != nil {
				return nil, err
			}
		case w == "mtu":
			if err := once("mtu"); err != nil {
				return nil, err
			}
			v, err := a.Uint("mtu", 32)
			if err != nil {
				return nil, err
			}
			o.c.MTU = uint32(v)
			o.c.Explicit |= rtnl.LinkFieldMTU
		case w == "index" && add:
			if err := once(w); err != nil {
				return nil, err
			}
			v, err := a.Uint(w, 31)
			if err != nil {
				return nil, err
			}
			o.index = int(v)
		case w == "numtxqueues" && add:
			if err := once(w); err != nil {
				return nil, err
			}
			v, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.numTx = uint32(v)
			o.c.Explicit |= rtnl.LinkFieldNumTxQueues
		case w == "numrxqueues" && add:
			if err := once(w); err != nil {
				return nil, err
			}
			v, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.numRx = uint32(v)
			o.c.Explicit |= rtnl.LinkFieldNumRxQueues
		case w == "mode":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if o.c.LinkMode, err = rtnl.ParseLinkMode(strings.ToUpper(s)); err != nil {
				return nil, cli.Failf("Invalid link mode %q", s)
			}
			o.c.Explicit |= rtnl.LinkFieldLinkMode
		case w == "state":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if o.c.OperState, err = rtnl.ParseOperState(strings.ToUpper(s)); err != nil {
				return nil, cli.Failf("Invalid operstate %q", s)
			}
			o.c.Explicit |= rtnl.LinkFieldOperState
		case w == "link-netns":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			id, err := linkNetnsID(x, s)
			if err != nil {
				return nil, err
			}
			o.linkNetNSID = &id
		case w == "link-netnsid":
			v, err := a.Uint(w, 31)
			if err != nil {
				return nil, err
			}
			o.linkNetNSID = new(int(v))
		case w == "netns":
			if err := once(w); err != nil {
				return nil, err
			}
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			// As ip: a namespace of that name first, else a process id.
			ns, err := linkOpenNS(x, s)
			if err != nil {
				if pid, perr := strconv.Atoi(s); perr == nil && pid > 0 {
					o.c.NetNSPID = pid
					break
				}
				return nil, err
			}
			o.c.NetNS = ns
		case w == "master" || w == "vrf":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			i, err := x.linkIndexArg(w, s)
			if err != nil {
				return nil, err
			}
			o.c.MasterIndex = &i
		case w == "nomaster":
			o.c.MasterIndex = new(0)
		case w == "alias":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			o.c.Alias = &s
		case w == "group":
			if err := once(w); err != nil {
				return nil, err
			}
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			g, err := parseLinkGroup(s)
			if err != nil {
				return nil, err
			}
			o.group = &g
		case w == "arp":
			err = onOff(w, rtnl.LinkNoARP, true)
		case w == "multicast":
			err = onOff("multicast", rtnl.LinkMulticast, false)
		case w == "allmulticast":
			err = onOff("allmulticast", rtnl.LinkAllMulti, false)
		case w == "promisc":
			err = onOff("promisc", rtnl.LinkPromisc, false)
		case w == "dynamic":
			err = onOff("dynamic", rtnl.LinkDynamic, false)
		case w == "trailers":
			err = onOff("trailers", rtnl.LinkNoTrailers, true)
		case w == "carrier" || w == "protodown":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s != "on" && s != "off" {
				return nil, cli.Failf("invalid %s %s: on or off is expected", w, cli.Quote(s))
			}
			if w == "carrier" {
				o.c.Carrier = new(s == "on")
			} else {
				o.c.ProtoDown = new(s == "on")
			}
		case w == "addrgenmode":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if o.c.AddrGenMode, err = rtnl.ParseAddrGenMode(s); err != nil {
				return nil, invalidArg(w, s, "eui64, none, stable_secret or random")
			}
		case w == "gso_max_size" || w == "gso_max_segs" || w == "gro_max_size":
			v, err := a.Uint(w, 32)
			if err != nil {
				return nil, err
			}
			switch w {
			case "gso_max_size":
				o.c.GSOMaxSize = uint32(v)
				o.c.Explicit |= rtnl.LinkFieldGSOMaxSize
			case "gso_max_segs":
				o.c.GSOMaxSegs = uint32(v)
				o.c.Explicit |= rtnl.LinkFieldGSOMaxSegs
			default:
				o.c.GROMaxSize = uint32(v)
				o.c.Explicit |= rtnl.LinkFieldGROMaxSize
			}
		case w == "type" && !peer:
			kind, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if o.info, err = parseLinkKind(x, a, kind, add, o.dev); err != nil {
				return nil, err
			}
		case w == "help":
			fmt.Fprint(x.env.Stdout, linkUsage)
			return nil, cli.ErrHelpShown
		case w == "type" && peer:
			return nil, cli.Syntaxf("duplicate \"type\": a veth peer has no kind of its own")
		default:
			if w == "dev" {
				if w, err = a.Value(w); err != nil {
					return nil, err
				}
			}
			if seen["dev"] {
				return nil, garbageArg("dev", w)
			}
			if add && seen["name"] {
				return nil, linkNameTwice(w, o.dev)
			}
			if err := checkIfname("dev", w, maxAltIfname); err != nil {
				return nil, err
			}
			seen["dev"] = true
			o.dev = w
		}
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// linkParseLLAddr reads a link-layer address.
func linkParseLLAddr(a *cli.Args, kw string) (net.HardwareAddr, error) {
	s, err := a.Value(kw)
	if err != nil {
		return nil, err
	}
	hw, err := net.ParseMAC(s)
	if err != nil {
		return nil, cli.Failf("invalid %s %s: a link-layer address (hex bytes separated by colons) is expected", kw, cli.Quote(s))
	}
	return hw, nil
}

// linkOpenNS opens a namespace named by the user and keeps it open until
// the command is done, since a request (perhaps in a batch applied later)
// refers to it by file descriptor.
func linkOpenNS(x *ipctx, name string) (*netns.NS, error) {
	var ns *netns.NS
	var err error
	if strings.Contains(name, "/") {
		ns, err = netns.Open(name)
	} else {
		ns, err = netns.OpenName(name)
	}
	if err != nil {
		return nil, invalidArg("netns", name, "a namespace name (in /run/netns), a path or a process id")
	}
	if _, err := x.conn(); err != nil {
		ns.Close()
		return nil, err
	}
	prev := x.close
	x.close = func() {
		if prev != nil {
			prev()
		}
		ns.Close()
	}
	return ns, nil
}

// linkNetnsID returns the id this namespace gives the named one (for
// link-netns), assigning one if it has none, as ip does.
func linkNetnsID(x *ipctx, name string) (int, error) {
	ns, err := linkOpenNS(x, name)
	if err != nil {
		return 0, cli.Failf("Invalid \"link-netns\" value %q", name)
	}
	h, err := x.conn()
	if err != nil {
		return 0, err
	}
	id, err := h.NetNSID(x.ctx, ns)
	if err == nil && id < 0 {
		if err = h.SetNetNSID(x.ctx, ns, rtnl.NoNetNSID); err == nil {
			id, err = h.NetNSID(x.ctx, ns)
		}
	}
	if err != nil {
		return 0, err
	}
	if id < 0 {
		return 0, cli.Failf("Invalid \"link-netns\" value %q", name)
	}
	return id, nil
}

// linkAdd creates a link, as `ip link add` does.
func linkAdd(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	o, err := parseLinkOpts(x, a, true, false)
	if err != nil {
		return err
	}
	if o.info == nil {
		return cli.Failf("link add needs \"type KIND\"")
	}
	l, err := o.link()
	if err != nil {
		return err
	}
	x.linksChanged()
	return x.submit(func(b *rtnl.Batch) error { return b.Link(v, l) })
}

// link turns the options of a new link (or a veth peer) into the Link.
func (o *linkOpts) link() (*rtnl.Link, error) {
	c := &o.c
	if c.Alias != nil || c.Carrier != nil || c.ProtoDown != nil || c.Name != "" {
		return nil, cli.Failf("alias, carrier, protodown and renaming are for link set")
	}
	if off := c.FlagMask &^ c.Flags &^ rtnl.LinkUp; off != 0 {
		return nil, cli.Failf("link add can only turn flags on (%s)", off)
	}
	l := &rtnl.Link{
		Name: o.dev, Index: o.index, Flags: c.Flags, MTU: c.MTU, HardwareAddr: c.HardwareAddr,
		Broadcast: c.Broadcast, ParentIndex: o.parent, NumTxQueues: o.numTx, NumRxQueues: o.numRx,
		NetNS: c.NetNS, NetNSPID: c.NetNSPID, AddrGenMode: c.AddrGenMode,
		GSOMaxSize: c.GSOMaxSize, GSOMaxSegs: c.GSOMaxSegs, GROMaxSize: c.GROMaxSize,
		LinkMode: c.LinkMode, OperState: c.OperState, LinkNetNSID: o.linkNetNSID, Explicit: c.Explicit,
	}
	if c.TxQueueLen != nil {
		l.TxQueueLen = *c.TxQueueLen
		l.Explicit |= rtnl.LinkFieldTxQueueLen
	}
	if c.MasterIndex != nil {
		l.MasterIndex = *c.MasterIndex
	}
	if o.group != nil {
		l.Group = *o.group
	}
	if o.info != nil {
		l.Info = *o.info
	}
	return l, nil
}

// linkDevices resolves the device (or group) a delete or set applies to.
func linkDevices(x *ipctx, o *linkOpts, verb string) ([]int, error) {
	if o.dev == "" && o.group == nil {
		return nil, cli.Syntaxf("not enough information: link %s needs a device (dev DEVICE) or a group (group GROUP)", verb)
	}
	if o.dev != "" {
		i, err := x.linkIndex(o.dev)
		if err != nil {
			return nil, err // "Cannot find device", or a batch stopped by an earlier failure
		}
		return []int{i}, nil
	}
	h, err := x.handle()
	if err != nil {
		return nil, err
	}
	links, err := h.ListLinks(x.ctx, &rtnl.LinkFilter{Group: o.group})
	if err != nil {
		return nil, err
	}
	var idx []int
	for _, l := range links {
		idx = append(idx, l.Index)
	}
	return idx, nil
}

// linkDelete deletes links, as `ip link delete` does.
func linkDelete(x *ipctx, a *cli.Args) error {
	var o linkOpts
	for a.More() {
		w := cli.Resolve(linkDeleteWords(), a.Next())
		switch {
		case w == "help":
			return help(x, linkUsage)
		case w == "group":
			if o.group != nil {
				return duplicateArg(w, a.Peek())
			}
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			g, err := parseLinkGroup(s)
			if err != nil {
				return err
			}
			o.group = &g
		case w == "type":
			a.Rest() // ip ignores the kind and its arguments here
		default:
			if w == "dev" {
				var err error
				if w, err = a.Value(w); err != nil {
					return err
				}
			}
			if o.dev != "" {
				return garbageArg("dev", w)
			}
			if err := checkIfname("dev", w, maxAltIfname); err != nil {
				return err
			}
			o.dev = w
		}
	}
	idx, err := linkDevices(x, &o, "delete")
	if err != nil {
		return err
	}
	if len(idx) == 0 {
		// ip asks the kernel to delete the group, which refuses
		// when no link is in it.
		return fmt.Errorf("delete link group %d: no link is in the group: %w", *o.group, unix.ENODEV)
	}
	for _, i := range idx {
		x.linksChanged()
		if err := x.submit(func(b *rtnl.Batch) error { return b.Link(rtnl.Delete, &rtnl.Link{Index: i}) }); err != nil {
			return err
		}
	}
	return nil
}

// linkProperty adds or deletes alternative names, as `ip link property
// {add|del} dev DEV altname NAME...` does.
func linkProperty(x *ipctx, a *cli.Args) error {
	if !a.More() {
		return cli.Syntaxf("link property needs add or del")
	}
	op, ok := cli.FindVerb(linkPropertyVerbs(), a.Next())
	if !ok {
		return cli.Syntaxf("Operator required")
	}
	if op.Name == "help" {
		return help(x, linkUsage)
	}
	var dev string
	var names []string
	for a.More() {
		w := cli.Resolve(linkPropertyWords(), a.Next())
		switch w {
		case "altname":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			names = append(names, s)
		case "help":
			return help(x, linkUsage)
		default:
			if w == "dev" {
				var err error
				if w, err = a.Value(w); err != nil {
					return err
				}
			}
			if dev != "" {
				return cli.Failf("either \"dev\" is duplicate, or %q is garbage", w)
			}
			dev = w
		}
	}
	if dev == "" {
		return cli.Failf("Not enough of information: \"dev\" argument is required.")
	}
	i, err := x.linkIndex(dev)
	if err != nil {
		return err
	}
	v := rtnl.Add
	if op.Name == "del" {
		v = rtnl.Delete
	}
	return x.submit(func(b *rtnl.Batch) error { return b.AltNames(v, &rtnl.Link{Index: i}, names...) })
}

// linkSet changes links, as `ip link set` does.
func linkSet(x *ipctx, a *cli.Args) error {
	o, err := parseLinkOpts(x, a, false, false)
	if err != nil {
		return err
	}
	if o.dev != "" && o.group != nil {
		// "set dev X group G" moves X to G.
		o.c.Group = o.group
		o.group = nil
	}
	idx, err := linkDevices(x, o, "set")
	if err != nil {
		return err
	}
	if o.dev == "" && o.group != nil {
		o.c.Group = nil
	}
	o.c.Info = o.info
	for _, i := range idx {
		if err := x.submit(func(b *rtnl.Batch) error { return b.SetLink(&rtnl.Link{Index: i}, &o.c) }); err != nil {
			return err
		}
	}
	if o.c.Name != "" || o.c.NetNS != nil || o.c.NetNSPID != 0 {
		x.linksChanged()
	}
	return nil
}

// parseLinkKind reads the arguments after "type KIND"; dev is the link
// named (link set: the one changed, which tunnels read first).
func parseLinkKind(x *ipctx, a *cli.Args, kind string, add bool, dev string) (*rtnl.LinkInfo, error) {
	if isTunnelKind(kind) {
		return parseTunnelKind(x, a, kind, add, dev)
	}
	switch kind {
	case "veth":
		info := &rtnl.LinkInfo{Kind: kind}
		if !a.More() {
			return info, nil
		}
		if w := a.Next(); w != "peer" {
			return nil, cli.Failf("veth: unknown option %s (peer is expected)", cli.Quote(w))
		}
		if !add {
			return nil, cli.Failf("veth: the peer is set at creation only")
		}
		po, err := parseLinkOpts(x, a, true, true)
		if err != nil {
			return nil, err
		}
		peer, err := po.link()
		if err != nil {
			return nil, err
		}
		info.Data = &rtnl.VethInfo{Peer: peer}
		return info, nil
	case "bridge":
		d, err := parseBridgeArgs(a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "bridge_slave":
		d, err := parseBridgePortArgs(x, a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{SlaveKind: "bridge", SlaveData: d}, nil
	case "macvlan", "macvtap":
		d, err := parseMacvlanArgs(a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "vxlan":
		d, err := parseVxlanArgs(x, a, add)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "vlan":
		d, err := parseVlanArgs(a, add)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "bond":
		d, err := parseBondArgs(x, a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "bond_slave":
		d, err := parseBondPortArgs(a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{SlaveKind: "bond", SlaveData: d}, nil
	case "vrf":
		d, err := parseVrfArgs(x, a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	case "dummy", "ifb":
		// ip's dummy and ifb take no options and ignore what follows.
		for a.More() {
			a.Next()
		}
		return &rtnl.LinkInfo{Kind: kind}, nil
	case "ipvlan", "ipvtap":
		d, err := parseIpvlanArgs(kind, a)
		if err != nil {
			return nil, err
		}
		return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
	}
	if a.More() {
		return nil, cli.Failf("%s: options are not supported (%s)", cli.Quote(kind), cli.Quote(a.Peek()))
	}
	return &rtnl.LinkInfo{Kind: kind}, nil
}

// linkArgNum reads the number after kw, of at most bits bits.
func linkArgNum(a *cli.Args, kw string, bits int) (uint64, error) {
	return a.Uint(kw, bits)
}

// linkNameTwice is the error of `link add` given the new link's name both
// alone (or after dev) and after "name".
func linkNameTwice(dev, name string) error {
	return cli.Syntaxf("link add takes the new link's name once, alone or after \"name\", not both %s and %s", cli.Quote(dev), cli.Quote(name))
}
