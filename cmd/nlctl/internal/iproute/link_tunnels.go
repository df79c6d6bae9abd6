package iproute

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// The arguments of the IP tunnel kinds after "type KIND", as ip's
// link_gre.c, link_gre6.c, link_iptnl.c, link_ip6tnl.c and
// iplink_geneve.c read them. The GRE and IP tunnels are sent whole: on
// link set, the tunnel's settings are read first and the arguments
// applied over them (the kernel resets what a change leaves out), as ip
// does.

// tunnelKinds are the kinds parsed here, for LinkKinds.
var tunnelKinds = []string{"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan", "ipip", "sit", "ip6tnl", "geneve"}

// isTunnelKind reports whether parseTunnelKind reads the kind's arguments.
func isTunnelKind(kind string) bool {
	for _, k := range tunnelKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// addTunnelGrammar adds the tunnel kinds' keywords to the words after
// "type KIND".
func addTunnelGrammar(then map[string][]cli.Word) {
	for _, k := range tunnelKinds {
		switch {
		case k == "geneve":
			then[k] = geneveWords()
		case k == "ipip" || k == "sit" || k == "ip6tnl":
			then[k] = ipTunKindWords(k)
		default:
			then[k] = greKindWords(k)
		}
	}
}

// parseTunnelKind reads the arguments of a tunnel kind; dev is the link
// being changed (link set) or created.
func parseTunnelKind(x *ipctx, a *cli.Args, kind string, add bool, dev string) (*rtnl.LinkInfo, error) {
	var d rtnl.LinkData
	var err error
	switch kind {
	case "gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan":
		d, err = parseGreArgs(x, a, kind, add, dev)
	case "ipip", "sit", "ip6tnl":
		d, err = parseIPTunArgs(x, a, kind, add, dev)
	default:
		d, err = parseGeneveArgs(a, add)
	}
	if err != nil {
		return nil, err
	}
	return &rtnl.LinkInfo{Kind: kind, Data: d}, nil
}

// loadTunnel reads the tunnel link set changes, as ip reads it before
// applying the arguments, and hands its data to load when it is a T.
func loadTunnel[T rtnl.LinkData](x *ipctx, dev string, load func(T)) error {
	if dev == "" {
		return cli.Failf("Failed to get existing tunnel info.")
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	l, err := h.LinkByName(x.ctx, dev)
	if err != nil {
		return cli.Failf("Failed to get existing tunnel info: %v", err)
	}
	d, ok := l.Info.Data.(T)
	if !ok {
		return cli.Failf("Failed to get existing tunnel info.")
	}
	load(d)
	return nil
}

// tunnelArgs are ip's variables GRE and IP tunnels share, with their
// defaults: pmtudisc, and for IPv6 kinds (v6) hoplimit 64, encaplimit 4
// and encap-udp6-csum.
type tunnelArgs struct {
	local, remote netip.Addr
	link          int
	ttl, tos      uint8
	pmtudisc      bool
	encap         rtnl.TunnelEncap
	external      bool
	fwmark        uint32
	encapLimit    uint8
	flowInfo      uint32
	flags         rtnl.IP6TunnelFlags
	v6            bool
}

func newTunnelArgs(v6 bool) tunnelArgs {
	t := tunnelArgs{pmtudisc: true, v6: v6}
	if v6 {
		t.ttl, t.encapLimit, t.encap.Flags = 64, 4, rtnl.TunnelEncapCsum6
	}
	return t
}

// loadEndpoints takes an existing tunnel's addresses (an unspecified one
// stands for none) and device.
func (t *tunnelArgs) loadEndpoints(local, remote netip.Addr, link int) {
	t.local, t.remote, t.link = local, remote, link
	if local.IsValid() && local.IsUnspecified() {
		t.local = netip.Addr{}
	}
	if remote.IsValid() && remote.IsUnspecified() {
		t.remote = netip.Addr{}
	}
}

// arg parses an argument GRE and IP tunnels share: the addresses, the
// device, the ttl, the encapsulation, and for IPv6 kinds the IPv6
// tunnel's settings. It reports whether w was one of them.
func (t *tunnelArgs) arg(x *ipctx, a *cli.Args, w string) (bool, error) {
	switch w {
	case "remote", "local":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		ad, err := parseTunnelAddr(w, s, t.v6)
		if err != nil {
			return true, err
		}
		if w == "remote" {
			t.remote = ad
		} else {
			t.local = ad
		}
		return true, nil
	case "dev":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		t.link, err = x.linkIndexArg(w, s)
		return true, err
	case "ttl", "hoplimit", "hlim":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		t.ttl, err = parseTunnelTTL(w, s)
		return true, err
	}
	if ok, err := encapArg(a, w, &t.encap); ok {
		return true, err
	}
	if t.v6 {
		return ip6Args(a, w, &t.flowInfo, &t.flags, &t.encapLimit, &t.fwmark)
	}
	return false, nil
}

// greArgs are ip's variables for a GRE tunnel, with its defaults.
type greArgs struct {
	tunnelArgs
	iflags, oflags       rtnl.GreFlags
	ikey, okey           uint32
	ignoreDF             uint8 // 0 not given, 1 on, 2 off
	erspanIdx            uint32
	erspanVer, erspanDir uint8
	erspanHWID           uint16
	isERSPAN             bool
}

func newGreArgs(kind string) *greArgs {
	return &greArgs{tunnelArgs: newTunnelArgs(strings.HasPrefix(kind, "ip6")), erspanVer: 1,
		isERSPAN: strings.HasSuffix(kind, "erspan")}
}

// load takes the settings of an existing tunnel.
func (g *greArgs) load(d *rtnl.GreInfo) {
	g.loadEndpoints(d.Local, d.Remote, d.LinkIndex)
	g.iflags, g.oflags = orValue(d.IFlags, 0), orValue(d.OFlags, 0)
	g.ikey, g.okey = orValue(d.IKey, 0), orValue(d.OKey, 0)
	g.tos, g.ttl, g.fwmark = orValue(d.TOS, 0), orValue(d.TTL, 0), orValue(d.FWMark, 0)
	g.erspanIdx, g.erspanVer = orValue(d.ERSPANIndex, 0), orValue(d.ERSPANVer, g.erspanVer)
	g.erspanDir, g.erspanHWID = orValue(d.ERSPANDir, 0), orValue(d.ERSPANHWID, 0)
	g.encapLimit, g.flowInfo = orValue(d.EncapLimit, g.encapLimit), orValue(d.FlowInfo, 0)
	if d.PMTUDisc != nil {
		g.pmtudisc = *d.PMTUDisc
	}
	if d.IgnoreDF != nil && *d.IgnoreDF {
		g.ignoreDF = 1
	}
	if d.Flags != nil {
		g.flags = *d.Flags
	}
	if d.Encap != nil {
		g.encap = *d.Encap
	}
	g.external = d.External
}

// info returns what ip sends.
func (g *greArgs) info() *rtnl.GreInfo {
	if g.external {
		return &rtnl.GreInfo{External: true}
	}
	d := &rtnl.GreInfo{IKey: new(g.ikey), OKey: new(g.okey), IFlags: new(g.iflags), OFlags: new(g.oflags),
		Local: g.local, Remote: g.remote, LinkIndex: g.link, TTL: new(g.ttl), FWMark: new(g.fwmark)}
	encap := g.encap
	d.Encap = &encap
	if g.v6 {
		d.EncapLimit, d.FlowInfo, d.Flags = new(g.encapLimit), new(g.flowInfo), new(g.flags)
	} else {
		d.PMTUDisc, d.TOS = new(g.pmtudisc), new(g.tos)
		if g.ignoreDF != 0 {
			d.IgnoreDF = new(g.ignoreDF&1 != 0)
		}
	}
	if g.isERSPAN || g.v6 && g.erspanVer <= 2 {
		d.ERSPANVer = new(g.erspanVer)
		switch {
		case g.erspanVer == 1 && g.erspanIdx != 0:
			d.ERSPANIndex = new(g.erspanIdx)
		case g.erspanVer == 2:
			d.ERSPANDir, d.ERSPANHWID = new(g.erspanDir), new(g.erspanHWID)
		}
	}
	return d
}

// greWords are GRE's keywords in ip's order (the first ones abbreviable).
func greWords(v6, erspan bool) []cli.Word {
	ws := cli.Words(
		cli.KwValue(cli.ValueText, "key*"), cli.Kw("nokey*"), cli.KwValue(cli.ValueText, "ikey*"), cli.Kw("noikey*"),
		cli.KwValue(cli.ValueText, "okey*"), cli.Kw("nookey*"),
		cli.Kw("seq*", "noseq*", "iseq*", "noiseq*", "oseq*", "nooseq*", "csum*", "nocsum*", "icsum*", "noicsum*", "ocsum*", "noocsum*"),
	)
	if !v6 {
		ws = append(ws, cli.Kw("nopmtudisc*", "pmtudisc*")...)
	}
	ws = cli.Words(ws,
		cli.KwValue(cli.ValueText, "remote*", "local*"), cli.KwValue(cli.ValueDevice, "dev*"),
		cli.KwValue(cli.ValueText, "ttl*", "hoplimit*", "hlim*", "tos*", "tclass*", "dsfield*"),
	)
	if v6 {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "flowlabel", "fl"), []cli.Word{cli.KwChoice("dscp", "inherit")})
	}
	ws = cli.Words(ws, cli.Kw("noencap"), []cli.Word{cli.KwChoice("encap", "fou", "gue", "none")},
		cli.KwValue(cli.ValueText, "encap-sport", "encap-dport"),
		cli.Kw("encap-csum", "noencap-csum", "encap-udp6-csum", "noencap-udp6-csum", "encap-remcsum", "noencap-remcsum", "external"))
	if v6 {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "fwmark"), cli.Kw("allow-localremote", "noallow-localremote"),
			cli.KwValue(cli.ValueText, "encaplimit"))
	} else {
		ws = cli.Words(ws, cli.Kw("ignore-df", "noignore-df"), cli.KwValue(cli.ValueText, "fwmark"))
	}
	if erspan || v6 {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "erspan", "erspan_ver"),
			[]cli.Word{cli.KwChoice("erspan_dir", "ingress", "egress")}, cli.KwValue(cli.ValueText, "erspan_hwid"))
	}
	return append(ws, cli.Kw("help")...)
}

var (
	greWords4   = sync.OnceValue(func() []cli.Word { return greWords(false, false) })
	erspanWords = sync.OnceValue(func() []cli.Word { return greWords(false, true) })
	greWords6   = sync.OnceValue(func() []cli.Word { return greWords(true, true) })
)

func greKindWords(kind string) []cli.Word {
	switch {
	case strings.HasPrefix(kind, "ip6"):
		return greWords6()
	case kind == "erspan":
		return erspanWords()
	}
	return greWords4()
}

// parseTunnelKey reads a GRE key as ip does: a dotted quad or a number.
func parseTunnelKey(kw, s string) (uint32, error) {
	if strings.Contains(s, ".") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is4() {
			return 0, invalidArg(kw, s, "a dotted quad or an unsigned integer")
		}
		b := a.As4()
		return binary.BigEndian.Uint32(b[:]), nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, invalidArg(kw, s, "a dotted quad or an unsigned integer")
	}
	return uint32(n), nil
}

// parseTunnelAddr reads a tunnel endpoint: an address of the family, or
// "any".
func parseTunnelAddr(kw, s string, v6 bool) (netip.Addr, error) {
	if s == "any" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Is6() != v6 || a.Is4In6() {
		fam := "an IPv4"
		if v6 {
			fam = "an IPv6"
		}
		return netip.Addr{}, invalidArg(kw, s, fam+" address or any")
	}
	if a.IsUnspecified() {
		return netip.Addr{}, nil
	}
	return a, nil
}

// parseTunnelTOS reads ip's TOS: inherit (1) or a hexadecimal number.
func parseTunnelTOS(kw, s string) (uint8, error) {
	if s == "inherit" {
		return 1, nil
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"), 16, 8)
	if err != nil {
		return 0, invalidArg(kw, s, "inherit or a hexadecimal number from 0 to ff")
	}
	return uint8(n), nil
}

// parseTunnelTTL reads a TTL: inherit (0) or a number.
func parseTunnelTTL(kw, s string) (uint8, error) {
	if s == "inherit" {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, invalidArg(kw, s, "inherit or a number from 0 to 255")
	}
	return uint8(n), nil
}

// encapArg applies one of the encap words; it reports whether w was one.
func encapArg(a *cli.Args, w string, e *rtnl.TunnelEncap) (bool, error) {
	switch w {
	case "noencap":
		e.Type = rtnl.TunnelEncapNone
	case "encap":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		switch s {
		case "fou":
			e.Type = rtnl.TunnelEncapFOU
		case "gue":
			e.Type = rtnl.TunnelEncapGUE
		case "none":
			e.Type = rtnl.TunnelEncapNone
		default:
			return true, invalidArg(w, s, "fou, gue or none")
		}
	case "encap-sport", "encap-dport":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		var n uint64
		if s != "auto" || w == "encap-dport" {
			if n, err = strconv.ParseUint(s, 0, 16); err != nil {
				return true, invalidArg(w, s, "a port number")
			}
		}
		if w == "encap-sport" {
			e.SPort = uint16(n)
		} else {
			e.DPort = uint16(n)
		}
	case "encap-csum", "noencap-csum", "encap-udp6-csum", "noencap-udp6-csum", "encap-remcsum", "noencap-remcsum":
		f := rtnl.TunnelEncapCsum
		switch strings.TrimPrefix(w, "no") {
		case "encap-udp6-csum":
			f = rtnl.TunnelEncapCsum6
		case "encap-remcsum":
			f = rtnl.TunnelEncapRemCsum
		}
		if strings.HasPrefix(w, "no") {
			e.Flags &^= f
		} else {
			e.Flags |= f
		}
	default:
		return false, nil
	}
	return true, nil
}

// ip6Args applies the words of the IPv6 tunnels' flow information and
// flags; it reports whether w was one.
func ip6Args(a *cli.Args, w string, flowInfo *uint32, flags *rtnl.IP6TunnelFlags, encapLimit *uint8, fwmark *uint32) (bool, error) {
	switch w {
	case "tos", "tclass", "tc", "dsfield":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		*flowInfo &^= rtnl.FlowInfoTClass
		if s == "inherit" {
			*flags |= rtnl.IP6TunnelUseOrigTClass
			break
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
		if err != nil {
			return true, invalidArg(w, s, "inherit or a hexadecimal number from 0 to ff")
		}
		*flowInfo |= uint32(n) << 20
		*flags &^= rtnl.IP6TunnelUseOrigTClass
	case "flowlabel", "fl":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		*flowInfo &^= rtnl.FlowInfoLabel
		if s == "inherit" {
			*flags |= rtnl.IP6TunnelUseOrigFlowLabel
			break
		}
		n, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 32)
		if err != nil || n > 0xfffff {
			return true, invalidArg(w, s, "inherit or a hexadecimal number from 0 to fffff")
		}
		*flowInfo |= uint32(n)
		*flags &^= rtnl.IP6TunnelUseOrigFlowLabel
	case "dscp":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		if s != "inherit" {
			return true, invalidArg(w, s, "inherit")
		}
		*flags |= rtnl.IP6TunnelRcvDSCPCopy
	case "fwmark":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		if s == "inherit" {
			*flags |= rtnl.IP6TunnelUseOrigFWMark
			*fwmark = 0
			break
		}
		n, err := strconv.ParseUint(s, 0, 32)
		if err != nil {
			return true, invalidArg(w, s, "inherit or a number")
		}
		*fwmark = uint32(n)
		*flags &^= rtnl.IP6TunnelUseOrigFWMark
	case "allow-localremote":
		*flags |= rtnl.IP6TunnelAllowLocalRemote
	case "noallow-localremote":
		*flags &^= rtnl.IP6TunnelAllowLocalRemote
	case "encaplimit":
		s, err := a.Value(w)
		if err != nil {
			return true, err
		}
		if s == "none" {
			*flags |= rtnl.IP6TunnelIgnEncapLimit
			break
		}
		n, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return true, invalidArg(w, s, "none or a number from 0 to 255")
		}
		*encapLimit = uint8(n)
		*flags &^= rtnl.IP6TunnelIgnEncapLimit
	default:
		return false, nil
	}
	return true, nil
}

func parseGreArgs(x *ipctx, a *cli.Args, kind string, add bool, dev string) (*rtnl.GreInfo, error) {
	g := newGreArgs(kind)
	// link set applies the arguments over the tunnel's settings; not
	// finding them is reported after the arguments' own errors.
	var loadErr error
	if !add {
		loadErr = loadTunnel(x, dev, g.load)
	}
	ws := greKindWords(kind)
	for a.More() {
		w := cli.Resolve(ws, a.Next())
		if ok, err := g.arg(x, a, w); ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		var err error
		switch w {
		case "key", "ikey", "okey":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			k, e := parseTunnelKey(w, s)
			if e != nil {
				return nil, e
			}
			if w != "okey" {
				g.iflags |= rtnl.GreKey
				g.ikey = k
			}
			if w != "ikey" {
				g.oflags |= rtnl.GreKey
				g.okey = k
			}
		case "nokey", "noikey", "nookey":
			if w != "nookey" {
				g.iflags &^= rtnl.GreKey
				g.ikey = 0
			}
			if w != "noikey" {
				g.oflags &^= rtnl.GreKey
				g.okey = 0
			}
		case "seq", "noseq", "iseq", "noiseq", "oseq", "nooseq", "csum", "nocsum", "icsum", "noicsum", "ocsum", "noocsum":
			f := rtnl.GreSeq
			base := strings.TrimPrefix(w, "no")
			if strings.HasSuffix(base, "csum") {
				f = rtnl.GreCsum
			}
			in, out := base[0] != 'o', base[0] != 'i'
			if base == "seq" || base == "csum" {
				in, out = true, true
			}
			on := !strings.HasPrefix(w, "no")
			if in {
				g.iflags = setGreFlag(g.iflags, f, on)
			}
			if out {
				g.oflags = setGreFlag(g.oflags, f, on)
			}
		case "nopmtudisc", "pmtudisc":
			g.pmtudisc = w == "pmtudisc"
		case "tos", "tclass", "dsfield":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			g.tos, err = parseTunnelTOS(w, s)
		case "external":
			g.external = true
		case "ignore-df":
			g.ignoreDF = 1
		case "noignore-df":
			g.ignoreDF = 2
		case "fwmark":
			var n uint64
			n, err = a.Uint(w, 32)
			g.fwmark = uint32(n)
		case "erspan":
			var n uint64
			if n, err = a.Uint(w, 32); err == nil && (n == 0 || n >= 1<<20) {
				err = cli.Syntaxf("erspan index must be > 0 and <= 20-bit")
			}
			g.erspanIdx = uint32(n)
		case "erspan_ver":
			var n uint64
			if n, err = a.Uint(w, 8); err == nil && n > 2 {
				err = cli.Syntaxf("erspan version must be 0/1/2")
			}
			g.erspanVer = uint8(n)
		case "erspan_dir":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			switch {
			case cli.Matches(s, "ingress"):
				g.erspanDir = rtnl.ERSPANIngress
			case cli.Matches(s, "egress"):
				g.erspanDir = rtnl.ERSPANEgress
			default:
				err = invalidArg(w, s, "ingress or egress")
			}
		case "erspan_hwid":
			var n uint64
			n, err = a.Uint(w, 16)
			g.erspanHWID = uint16(n)
		case "help":
			return nil, cli.Failf("%s: the options are %s", kind, wordNames(ws))
		default:
			return nil, cli.Failf("%s: unknown option %s", kind, cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	if loadErr != nil {
		return nil, loadErr
	}
	if !g.v6 && g.remote.IsMulticast() {
		b := g.remote.As4()
		k := binary.BigEndian.Uint32(b[:])
		if g.ikey == 0 {
			g.ikey, g.iflags = k, g.iflags|rtnl.GreKey
		}
		if g.okey == 0 {
			g.okey, g.oflags = k, g.oflags|rtnl.GreKey
		}
		if !g.local.IsValid() {
			return nil, cli.Failf("A broadcast tunnel requires a source address.")
		}
	}
	return g.info(), nil
}

// orValue returns *p, or v if p is nil.
func orValue[T any](p *T, v T) T {
	if p != nil {
		return *p
	}
	return v
}

func setGreFlag(f, bit rtnl.GreFlags, on bool) rtnl.GreFlags {
	if on {
		return f | bit
	}
	return f &^ bit
}

// ipTunArgs are ip's variables for an ipip, sit or ip6tnl tunnel.
type ipTunArgs struct {
	tunnelArgs
	proto          uint8
	isatap         bool
	prefix, relay  netip.Prefix
	sit, hasPrefix bool
}

func ipTunWords(kind string) []cli.Word {
	ws := cli.Words(cli.KwValue(cli.ValueText, "mode", "remote", "local"), cli.KwValue(cli.ValueDevice, "dev*"),
		cli.KwValue(cli.ValueText, "ttl", "hoplimit", "hlim"))
	if kind == "ip6tnl" {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "encaplimit"))
	}
	ws = cli.Words(ws, cli.KwValue(cli.ValueText, "tos", "tclass", "tc", "dsfield*"))
	if kind == "ip6tnl" {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "flowlabel", "fl"), []cli.Word{cli.KwChoice("dscp", "inherit")},
			cli.KwValue(cli.ValueText, "fwmark"), cli.Kw("allow-localremote", "noallow-localremote"))
	} else {
		ws = cli.Words(ws, cli.Kw("nopmtudisc", "pmtudisc"))
		if kind == "sit" {
			ws = cli.Words(ws, cli.Kw("isatap"))
		}
	}
	ws = cli.Words(ws, cli.Kw("noencap"), []cli.Word{cli.KwChoice("encap", "fou", "gue", "none")},
		cli.KwValue(cli.ValueText, "encap-sport", "encap-dport"),
		cli.Kw("encap-csum", "noencap-csum", "encap-udp6-csum", "noencap-udp6-csum", "encap-remcsum", "noencap-remcsum", "external"))
	if kind != "ip6tnl" {
		ws = cli.Words(ws, cli.KwValue(cli.ValueText, "6rd-prefix", "6rd-relay_prefix"), cli.Kw("6rd-reset"),
			cli.KwValue(cli.ValueText, "fwmark"))
	}
	return append(ws, cli.Kw("help")...)
}

var (
	ipipWords   = sync.OnceValue(func() []cli.Word { return ipTunWords("ipip") })
	sitWords    = sync.OnceValue(func() []cli.Word { return ipTunWords("sit") })
	ip6tnlWords = sync.OnceValue(func() []cli.Word { return ipTunWords("ip6tnl") })
)

func ipTunKindWords(kind string) []cli.Word {
	switch kind {
	case "sit":
		return sitWords()
	case "ip6tnl":
		return ip6tnlWords()
	}
	return ipipWords()
}

func (t *ipTunArgs) load(d *rtnl.IPTunInfo) {
	t.proto = orValue(d.Proto, t.proto)
	t.loadEndpoints(d.Local, d.Remote, d.LinkIndex)
	t.ttl, t.tos, t.encapLimit = orValue(d.TTL, t.ttl), orValue(d.TOS, t.tos), orValue(d.EncapLimit, t.encapLimit)
	if d.PMTUDisc != nil {
		t.pmtudisc = *d.PMTUDisc
	}
	if d.ISATAP != nil {
		t.isatap = *d.ISATAP
	}
	t.prefix, t.relay = d.SIT6RDPrefix, d.SIT6RDRelayPrefix
	// ip 6.1 keeps the encapsulation for ipip and sit but not for ip6tnl,
	// whose change then resets it unless repeated: nlctl keeps it for all.
	if d.Encap != nil {
		t.encap = *d.Encap
	}
	t.external = d.External
	if d.FWMark != nil {
		t.fwmark = *d.FWMark
	}
	if d.FlowInfo != nil {
		t.flowInfo = *d.FlowInfo
	}
	if d.Flags != nil {
		t.flags = *d.Flags
	}
}

func (t *ipTunArgs) info() *rtnl.IPTunInfo {
	d := &rtnl.IPTunInfo{Proto: new(t.proto)}
	if t.external {
		d.External = true
		return d
	}
	d.Local, d.Remote, d.LinkIndex = t.local, t.remote, t.link
	d.TTL, d.FWMark = new(t.ttl), new(t.fwmark)
	encap := t.encap
	d.Encap = &encap
	if t.v6 {
		d.EncapLimit, d.FlowInfo, d.Flags = new(t.encapLimit), new(t.flowInfo), new(t.flags)
		return d
	}
	d.PMTUDisc, d.TOS = new(t.pmtudisc), new(t.tos)
	if t.sit {
		d.ISATAP = new(t.isatap)
		d.SIT6RDPrefix, d.SIT6RDRelayPrefix = t.prefix, t.relay
	}
	return d
}

func parseIPTunArgs(x *ipctx, a *cli.Args, kind string, add bool, dev string) (*rtnl.IPTunInfo, error) {
	t := &ipTunArgs{tunnelArgs: newTunnelArgs(kind == "ip6tnl"), sit: kind == "sit"}
	// link set applies the arguments over the tunnel's settings; not
	// finding them is reported after the arguments' own errors.
	var loadErr error
	if !add {
		loadErr = loadTunnel(x, dev, t.load)
	}
	ws := ipTunKindWords(kind)
	for a.More() {
		w := cli.Resolve(ws, a.Next())
		if ok, err := t.arg(x, a, w); ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		var err error
		switch w {
		case "mode":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			p, ok := ipTunMode(kind, s)
			if !ok {
				return nil, cli.Syntaxf("Cannot guess tunnel mode: %s", cli.Quote(s))
			}
			t.proto = p
		case "tos", "tclass", "tc", "dsfield":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			t.tos, err = parseTunnelTOS(w, s)
		case "nopmtudisc", "pmtudisc":
			t.pmtudisc = w == "pmtudisc"
		case "isatap":
			t.isatap = true
		case "external":
			t.external = true
		case "6rd-prefix", "6rd-relay_prefix":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			p, e := netip.ParsePrefix(s)
			if e != nil || p.Addr().Is6() != (w == "6rd-prefix") {
				return nil, invalidArg(w, s, "a prefix of the right family")
			}
			if w == "6rd-prefix" {
				t.prefix = p
			} else {
				t.relay = p
			}
		case "6rd-reset":
			t.prefix, t.relay = netip.MustParsePrefix("2002::/16"), netip.Prefix{}
		case "fwmark":
			var n uint64
			n, err = a.Uint(w, 32)
			t.fwmark = uint32(n)
		case "help":
			return nil, cli.Failf("%s: the options are %s", kind, wordNames(ws))
		default:
			return nil, cli.Failf("%s: unknown option %s", kind, cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	if loadErr != nil {
		return nil, loadErr
	}
	if !t.v6 && t.ttl != 0 && !t.pmtudisc {
		return nil, cli.Failf("ttl != 0 and nopmtudisc are incompatible")
	}
	return t.info(), nil
}

// ipTunMode reads ip's "mode" of the kind.
func ipTunMode(kind, s string) (uint8, bool) {
	if kind == "ip6tnl" {
		switch s {
		case "ipv6/ipv6", "ip6ip6":
			return rtnl.IPTunIPv6, true
		case "ip/ipv6", "ipv4/ipv6", "ipip6", "ip4ip6":
			return rtnl.IPTunIPIP, true
		case "any/ipv6", "any":
			return rtnl.IPTunAny, true
		}
		return 0, false
	}
	switch s {
	case "ipv6/ipv4", "ip6ip":
		if kind == "sit" {
			return rtnl.IPTunIPv6, true
		}
	case "ipv4/ipv4", "ipip", "ip4ip4":
		return rtnl.IPTunIPIP, true
	case "mpls/ipv4", "mplsip":
		return rtnl.IPTunMPLS, true
	case "any/ipv4", "any":
		return rtnl.IPTunAny, true
	}
	return 0, false
}

var geneveWords = sync.OnceValue(func() []cli.Word {
	return cli.Words(
		cli.KwValue(cli.ValueText, "id*", "vni*", "remote*", "ttl*", "hoplimit*", "tos*", "dsfield*"),
		[]cli.Word{cli.KwChoice("df*", "unset", "set", "inherit")},
		cli.KwValue(cli.ValueText, "label*", "flowlabel*", "dstport*"),
		cli.Kw("external*", "noexternal*", "udpcsum*", "noudpcsum*", "udp6zerocsumtx*", "noudp6zerocsumtx*",
			"udp6zerocsumrx*", "noudp6zerocsumrx*", "innerprotoinherit", "help*"),
	)
})

func parseGeneveArgs(a *cli.Args, add bool) (*rtnl.GeneveInfo, error) {
	d := &rtnl.GeneveInfo{}
	seen := map[string]bool{}
	var vni, label uint32
	var ttl, tos uint8
	var ttlGiven, tosGiven, labelGiven bool
	for a.More() {
		w := cli.Resolve(geneveWords(), a.Next())
		key := strings.TrimPrefix(w, "no")
		switch w {
		case "vni":
			key = "id"
		case "hoplimit":
			key = "ttl"
		case "dsfield":
			key = "tos"
		case "label":
			key = "flowlabel"
		}
		if w != "help" {
			if seen[key] {
				return nil, duplicateArg(key, a.Peek())
			}
			seen[key] = true
		}
		var err error
		switch w {
		case "id", "vni":
			var n uint64
			if n, err = a.Uint(w, 32); err == nil && n >= 1<<24 {
				err = cli.Syntaxf("invalid id %d", n)
			}
			vni = uint32(n)
		case "remote":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			ad, e := netip.ParseAddr(s)
			if e != nil || ad.IsMulticast() || ad.IsUnspecified() {
				return nil, invalidArg(w, s, "a unicast IPv4 or IPv6 address")
			}
			d.Remote = ad.Unmap()
		case "ttl", "hoplimit":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			switch s {
			case "inherit":
				d.TTLInherit = new(true)
			case "auto":
				ttlGiven = true
			default:
				n, e := strconv.ParseUint(s, 0, 32)
				if e != nil || n > 255 {
					return nil, invalidArg(w, s, "inherit, auto or a number from 1 to 255")
				}
				ttl, ttlGiven = uint8(n), true
			}
		case "tos", "dsfield":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			tos, err = parseTunnelTOS(w, s)
			tosGiven = true
		case "df":
			s, e := a.Value(w)
			if e != nil {
				return nil, e
			}
			df, e := rtnl.ParseGeneveDF(s)
			if e != nil {
				return nil, invalidArg(w, s, "unset, set or inherit")
			}
			d.DF = &df
		case "label", "flowlabel":
			var n uint64
			if n, err = a.Uint(w, 32); err == nil && n > 0xfffff {
				err = cli.Syntaxf("invalid flowlabel %d", n)
			}
			label, labelGiven = uint32(n), true
		case "dstport":
			var n uint64
			n, err = a.Uint(w, 16)
			if n != 0 {
				d.Port = new(uint16(n))
			}
		case "external", "noexternal":
			d.External = w == "external"
		case "udpcsum", "noudpcsum":
			d.UDPCsum = new(w == "udpcsum")
		case "udp6zerocsumtx", "noudp6zerocsumtx":
			d.UDPZeroCsum6Tx = new(w == "udp6zerocsumtx")
		case "udp6zerocsumrx", "noudp6zerocsumrx":
			d.UDPZeroCsum6Rx = new(w == "udp6zerocsumrx")
		case "innerprotoinherit":
			d.InnerProtoInherit = true
		case "help":
			return nil, cli.Failf("geneve: the options are %s", wordNames(geneveWords()))
		default:
			return nil, cli.Failf("geneve: unknown command %s", cli.Quote(w))
		}
		if err != nil {
			return nil, err
		}
	}
	if d.External && seen["id"] {
		return nil, cli.Failf("geneve: both 'external' and vni cannot be specified")
	}
	if !d.External {
		if !seen["id"] {
			return nil, cli.Failf("geneve: missing virtual network identifier")
		}
		if add && !d.Remote.IsValid() {
			return nil, cli.Failf("geneve: remote link partner not specified")
		}
	}
	d.ID = new(vni)
	if add || labelGiven {
		d.Label = new(label)
	}
	if add || ttlGiven {
		d.TTL = new(ttl)
	}
	if add || tosGiven {
		d.TOS = new(tos)
	}
	return d, nil
}
