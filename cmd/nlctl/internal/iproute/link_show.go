package iproute

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// linkShow lists links as `ip link show` does.
func linkShow(x *ipctx, a *cli.Args) error {
	var f rtnl.LinkFilter
	var dev, slaveKind string
	devSet := false
	for a.More() {
		w := cli.Resolve(linkShowWords(), a.Next())
		switch {
		case w == "help":
			return help(x, linkUsage)
		case w == "up":
			f.Up = true
		case w == "master":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			if f.MasterIndex, err = x.linkIndexArg(w, s); err != nil {
				return err
			}
		case w == "vrf":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			if f.MasterIndex, err = x.linkIndexArg(w, s); err != nil {
				return err
			}
		case w == "nomaster":
			f.NoMaster = true
		case w == "type":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			if k, ok := strings.CutSuffix(s, "_slave"); ok {
				slaveKind = k // as ip: the links that are ports of that kind
			} else {
				f.Kind = s
			}
		case w == "group":
			s, err := a.Value(w)
			if err != nil {
				return err
			}
			g, err := parseLinkGroup(s)
			if err != nil {
				return err
			}
			f.Group = &g
		default:
			if w == "dev" {
				var err error
				if w, err = a.Value(w); err != nil {
					return err
				}
			}
			if devSet {
				return garbageArg("dev", w)
			}
			dev, devSet = w, true
		}
	}
	// One dump serves both the listing and the names of the links the
	// listed ones refer to (ip too lists every link, then prints).
	t, err := loadLinkTable(x)
	if err != nil {
		return err
	}
	if devSet {
		i, ok := x.byName[dev]
		if !ok { // perhaps an alternative name, or a link created since
			h, err := x.handle()
			if err != nil {
				return err
			}
			l, err := h.LinkByName(x.ctx, dev)
			if err != nil || dev == "" {
				return cli.Failf("Device %s does not exist.", cli.Quote(dev))
			}
			i = l.Index
			t.add(l)
		}
		f.Index = i
	}
	var j *output.JSON
	j = x.jsonArray()
	for l := range t.all.all() {
		if !linkKeep(&f, l) || slaveKind != "" && l.Info.SlaveKind != slaveKind {
			continue
		}
		switch {
		case j != nil && x.env.Brief:
			linkBriefJSON(x, j, t, l)
		case j != nil:
			linkJSON(x, j, t, l)
		case x.env.Brief:
			linkBriefText(x, t, l)
		default:
			linkText(x, t, l)
		}
	}
	if j != nil {
		j.End()
	}
	return nil
}

// linkKeep applies a link selector as the kernel and rtnl's listing
// would.
func linkKeep(f *rtnl.LinkFilter, l *rtnl.Link) bool {
	switch {
	case f.Index != 0 && l.Index != f.Index,
		f.Kind != "" && l.Info.Kind != f.Kind,
		f.MasterIndex != 0 && l.MasterIndex != f.MasterIndex,
		f.NoMaster && l.MasterIndex != 0,
		f.Up && l.Flags&rtnl.LinkUp == 0,
		f.Group != nil && l.Group != *f.Group:
		return false
	}
	return true
}

func linkBriefJSON(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	var buf [64]byte
	j.Object("")
	linkParentJSON(j, t, l)
	j.String("ifname", l.Name)
	j.String("operstate", l.OperState.String())
	if len(l.HardwareAddr) > 0 {
		j.ASCII("address", appendLinkAddr(buf[:0], l.Type, l.HardwareAddr))
	}
	j.Strings("flags", t.flagNames(x, l))
	j.End()
}

func linkBriefText(x *ipctx, t *linkTable, l *rtnl.Link) {
	b := appendLinkBriefName(x.pc.line[:0], t, l)
	b = append(b, ' ')
	b = appendPadRight(b, l.OperState.String(), 14)
	b = append(b, ' ')
	if len(l.HardwareAddr) > 0 {
		b = appendLinkAddr(b, l.Type, l.HardwareAddr)
		b = append(b, ' ')
	}
	b = append(b, '<')
	b = appendJoined(b, t.flagNames(x, l), ',')
	b = append(b, "> \n"...)
	x.out.Write(b)
	x.pc.line = b
}

// appendLinkBriefName appends a link's name (with its parent's) as ip's
// brief output does: padded to 16 bytes.
func appendLinkBriefName(b []byte, t *linkTable, l *rtnl.Link) []byte {
	start := len(b)
	b = appendLinkName(b, t, l)
	for n := len(b) - start; n < 16; n++ {
		b = append(b, ' ')
	}
	return b
}

// appendLinkName appends a link's name as ip prints it: NAME, or
// NAME@PARENT for a link stacked on another, NAME@NONE for one whose
// parent is gone or not yet there (a veth while its peer is made or
// deleted, a tunnel bound to no device).
func appendLinkName(b []byte, t *linkTable, l *rtnl.Link) []byte {
	b = append(b, l.Name...)
	if parentNone(l) {
		return append(b, "@NONE"...)
	}
	if l.ParentIndex != 0 {
		b = append(b, '@')
		if l.LinkNetNSID != nil {
			b = append(b, "if"...)
			b = appendInt(b, l.ParentIndex)
		} else {
			b = append(b, t.name(l.ParentIndex)...)
		}
	}
	return b
}

// appendJoined appends the strings ss separated by sep.
func appendJoined(b []byte, ss []string, sep byte) []byte {
	for i, s := range ss {
		if i > 0 {
			b = append(b, sep)
		}
		b = append(b, s...)
	}
	return b
}

// linkParentJSON writes the key ip -j gives a link's parent: "link"
// (null for none, as for "@NONE"), or "link_index" for a parent in another
// namespace.
func linkParentJSON(j *output.JSON, t *linkTable, l *rtnl.Link) {
	switch {
	case parentNone(l):
		j.Null("link")
	case l.ParentIndex != 0 && l.LinkNetNSID != nil:
		j.Int("link_index", int64(l.ParentIndex))
	case l.ParentIndex != 0:
		j.String("link", t.name(l.ParentIndex))
	}
}

// parentNone reports whether the kernel sent the link's IFLA_LINK with 0,
// which ip prints as "@NONE". rtnl.Link does not say whether IFLA_LINK was
// there, only its value; the kernel sends it whenever the device's
// ndo_get_iflink gives another index than its own, so a link of these
// kinds, whose ndo_get_iflink gives the peer's or the bound device's index
// (0 when there is none), always has it.
func parentNone(l *rtnl.Link) bool {
	if l.ParentIndex != 0 {
		return false
	}
	switch l.Info.Kind {
	case "veth", "ipip", "gre", "gretap", "erspan", "sit", "vti",
		"ip6tnl", "ip6gre", "ip6gretap", "ip6erspan", "vti6", "xfrm":
		return true
	}
	return false
}

// appendLinkAddr appends a link-layer address as ip formats it: IP
// tunnels' addresses as IP addresses, the others as colon-separated bytes.
func appendLinkAddr(b []byte, t rtnl.LinkType, a net.HardwareAddr) []byte {
	switch {
	case len(a) == 4 && (t == rtnl.LinkTypeIPIP || t == rtnl.LinkTypeSIT || t == rtnl.LinkTypeGRE):
		return netip.AddrFrom4([4]byte(a)).AppendTo(b)
	case len(a) == 16 && (t == 769 || t == 823): // tunnel6, gre6
		return netip.AddrFrom16([16]byte(a)).AppendTo(b)
	}
	return appendLLAddr(b, a)
}

// linkJSON writes one link with the keys of `ip -j link show`.
func linkJSON(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	j.Object("")
	linkJSONKeys(x, j, t, l)
	j.End()
}

// linkJSONKeys writes the keys of a link's object.
func linkJSONKeys(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	var buf [64]byte
	j.Uint("ifindex", uint64(l.Index))
	linkParentJSON(j, t, l)
	j.String("ifname", l.Name)
	j.Strings("flags", t.flagNames(x, l))
	j.Uint("mtu", uint64(l.MTU))
	if l.Qdisc != "" {
		j.String("qdisc", l.Qdisc)
	}
	if l.MasterIndex != 0 {
		j.String("master", t.name(l.MasterIndex))
	}
	j.String("operstate", l.OperState.String())
	j.String("linkmode", l.LinkMode.String())
	j.String("group", x.pc.linkGroupName(l.Group))
	if l.TxQueueLen != 0 {
		j.Uint("txqlen", uint64(l.TxQueueLen))
	}
	j.String("link_type", l.Type.String())
	if len(l.HardwareAddr) > 0 {
		j.ASCII("address", appendLinkAddr(buf[:0], l.Type, l.HardwareAddr))
	}
	if len(l.Broadcast) > 0 {
		if l.Flags&rtnl.LinkPointToPoint != 0 {
			j.Bool("link_pointtopoint", true)
		}
		j.ASCII("broadcast", appendLinkAddr(buf[:0], l.Type, l.Broadcast))
	}
	if len(l.PermHardwareAddr) > 0 && !bytes.Equal(l.PermHardwareAddr, l.HardwareAddr) {
		j.ASCII("permaddr", appendLinkAddr(buf[:0], l.Type, l.PermHardwareAddr))
	}
	if l.LinkNetNSID != nil {
		j.Int("link_netnsid", int64(*l.LinkNetNSID))
	}
	if l.ProtoDown {
		j.Bool("proto_down", true)
	}
	if x.env.Details {
		j.Uint("promiscuity", uint64(l.Promiscuity))
		if listed(l, rtnl.LinkFieldAllMulti, l.AllMulti) {
			j.Uint("allmulti", uint64(l.AllMulti))
		}
		j.Uint("min_mtu", uint64(l.MinMTU))
		j.Uint("max_mtu", uint64(l.MaxMTU))
		if l.Info.Kind != "" || l.Info.SlaveKind != "" {
			j.Object("linkinfo")
			if l.Info.Kind != "" {
				j.String("info_kind", l.Info.Kind)
				if fs := linkDataFields(t, l.Info.Data); fs != nil {
					j.Object("info_data")
					writeFieldsJSON(j, fs)
					j.End()
				}
			}
			if l.Info.SlaveKind != "" {
				j.String("info_slave_kind", l.Info.SlaveKind)
				if fs := linkDataFields(t, l.Info.SlaveData); fs != nil {
					j.Object("info_slave_data")
					writeFieldsJSON(j, fs)
					j.End()
				}
			}
			j.End()
		}
		if l.AddrGenMode != rtnl.AddrGenUnset {
			j.String("inet6_addr_gen_mode", l.AddrGenMode.String())
		}
		j.Uint("num_tx_queues", uint64(l.NumTxQueues))
		j.Uint("num_rx_queues", uint64(l.NumRxQueues))
		for _, f := range linkOffloadLimits(l) {
			if f.listed {
				j.Uint(f.name, uint64(f.v))
			}
		}
		if l.GSOIPv4MaxSize != 0 {
			j.Uint("gso_ipv4_max_size", uint64(l.GSOIPv4MaxSize))
		}
		if l.GROIPv4MaxSize != 0 {
			j.Uint("gro_ipv4_max_size", uint64(l.GROIPv4MaxSize))
		}
		if l.ParentDevBus != "" {
			j.String("parentbus", l.ParentDevBus)
		}
		if l.ParentDevName != "" {
			j.String("parentdev", l.ParentDevName)
		}
	}
	if l.Alias != "" {
		j.String("ifalias", l.Alias)
	}
	if x.env.Stats > 0 && l.Stats != nil {
		linkStatsJSON(j, l, x.env.Stats > 1)
	}
	if len(l.AltNames) > 0 {
		j.Strings("altnames", l.AltNames)
	}
}

func linkStatsJSON(j *output.JSON, l *rtnl.Link, more bool) {
	s := l.Stats
	j.Object("stats64")
	j.Object("rx")
	j.Uint("bytes", s.RxBytes)
	j.Uint("packets", s.RxPackets)
	j.Uint("errors", s.RxErrors)
	j.Uint("dropped", s.RxDropped)
	j.Uint("over_errors", s.RxOverErrors)
	j.Uint("multicast", s.Multicast)
	if s.RxCompressed != 0 {
		j.Uint("compressed", s.RxCompressed)
	}
	if more {
		j.Uint("length_errors", s.RxLengthErrors)
		j.Uint("crc_errors", s.RxCRCErrors)
		j.Uint("frame_errors", s.RxFrameErrors)
		j.Uint("fifo_errors", s.RxFIFOErrors)
		j.Uint("missed_errors", s.RxMissedErrors)
		if s.RxNoHandler != 0 {
			j.Uint("nohandler", s.RxNoHandler)
		}
		if s.RxOtherhostDropped != 0 {
			j.Uint("otherhost", s.RxOtherhostDropped)
		}
	}
	j.End()
	j.Object("tx")
	j.Uint("bytes", s.TxBytes)
	j.Uint("packets", s.TxPackets)
	j.Uint("errors", s.TxErrors)
	j.Uint("dropped", s.TxDropped)
	j.Uint("carrier_errors", s.TxCarrierErrors)
	j.Uint("collisions", s.Collisions)
	if s.TxCompressed != 0 {
		j.Uint("compressed", s.TxCompressed)
	}
	if more {
		j.Uint("aborted_errors", s.TxAbortedErrors)
		j.Uint("fifo_errors", s.TxFIFOErrors)
		j.Uint("window_errors", s.TxWindowErrors)
		j.Uint("heartbeat_errors", s.TxHeartbeatErrors)
		j.Uint("carrier_changes", uint64(l.CarrierChanges))
	}
	j.End()
	j.End()
}

// linkText prints one link as `ip link show` does.
func linkText(x *ipctx, t *linkTable, l *rtnl.Link) {
	b := appendLinkText(x.pc.line[:0], x, t, l, linkTextOpts{})
	if x.env.Oneline {
		for i, c := range b {
			if c == '\n' {
				b[i] = '\\'
			}
		}
	}
	b = append(b, '\n')
	x.out.Write(b)
	x.pc.line = b
}

// linkTextOpts leave out what `ip address show` does not print of a
// link's lines.
type linkTextOpts struct {
	// noMode leaves out "mode MODE", and with -d "addrgenmode MODE".
	noMode bool
	// inet6 leaves out the qdisc, the master and the group, which the
	// IPv6 link dump ip then makes does not carry.
	inet6 bool
	// noLinkLine leaves out the link-layer line.
	noLinkLine bool
	// noStats leaves out the statistics (ip address prints them after
	// the addresses).
	noStats bool
	// noQueue leaves out "qlen N" (ip monitor does).
	noQueue bool
	// noAlias leaves out the alias line, which ip prints for links only
	// in ip link, or with -d (not in ip address or ip monitor).
	noAlias bool
}

// appendLinkText appends one link's lines as `ip link show` prints them,
// without the final newline.
func appendLinkText(b []byte, x *ipctx, t *linkTable, l *rtnl.Link, o linkTextOpts) []byte {
	b = appendInt(b, l.Index)
	b = append(b, ": "...)
	b = appendLinkName(b, t, l)
	b = append(b, ": <"...)
	b = appendJoined(b, t.flagNames(x, l), ',')
	b = append(b, "> mtu "...)
	b = appendUint(b, l.MTU)
	if l.Qdisc != "" && !o.inet6 {
		b = append(b, " qdisc "...)
		b = append(b, l.Qdisc...)
	}
	if l.MasterIndex != 0 && !o.inet6 {
		b = append(b, " master "...)
		b = append(b, t.name(l.MasterIndex)...)
	}
	b = append(b, " state "...)
	b = append(b, l.OperState.String()...)
	if !o.noMode {
		b = append(b, " mode "...)
		b = append(b, l.LinkMode.String()...)
	}
	if !o.inet6 {
		b = append(b, " group "...)
		b = append(b, x.pc.linkGroupName(l.Group)...)
	}
	// ip ends each of these fields with a blank, the queue length (if
	// any) without.
	if l.TxQueueLen != 0 && !o.noQueue {
		b = append(b, " qlen "...)
		b = appendUint(b, l.TxQueueLen)
	} else {
		b = append(b, ' ')
	}
	if !o.noLinkLine {
		b = append(b, "\n    link/"...)
		b = append(b, l.Type.String()...)
		if len(l.HardwareAddr) > 0 {
			b = append(b, ' ')
			b = appendLinkAddr(b, l.Type, l.HardwareAddr)
		}
		if len(l.Broadcast) > 0 {
			if l.Flags&rtnl.LinkPointToPoint != 0 {
				b = append(b, " peer "...)
			} else {
				b = append(b, " brd "...)
			}
			b = appendLinkAddr(b, l.Type, l.Broadcast)
		}
		if len(l.PermHardwareAddr) > 0 && !bytes.Equal(l.PermHardwareAddr, l.HardwareAddr) {
			b = append(b, " permaddr "...)
			b = appendLinkAddr(b, l.Type, l.PermHardwareAddr)
		}
		if l.LinkNetNSID != nil {
			if n := netnsNameByID(x, *l.LinkNetNSID); n != "" {
				b = append(b, " link-netns "...)
				b = append(b, n...)
			} else {
				b = append(b, " link-netnsid "...)
				b = appendInt(b, *l.LinkNetNSID)
			}
		}
		if l.ProtoDown {
			b = append(b, " protodown on"...)
		}
		if x.env.Details {
			b = appendLinkDetails(b, t, l, o)
		}
	}
	if l.Alias != "" && !o.noAlias {
		b = append(b, "\n    alias "...)
		b = append(b, l.Alias...)
	}
	if x.env.Stats > 0 && l.Stats != nil && !o.noStats {
		var sb strings.Builder
		linkStatsText(&sb, l, x.env.Stats > 1)
		b = append(b, sb.String()...)
	}
	for _, n := range l.AltNames {
		b = append(b, "\n    altname "...)
		b = append(b, n...)
	}
	return b
}

// appendLinkDetails appends what `ip -d link show` adds to the link-layer
// line.
func appendLinkDetails(b []byte, t *linkTable, l *rtnl.Link, o linkTextOpts) []byte {
	var sb strings.Builder
	fmt.Fprintf(&sb, " promiscuity %d ", l.Promiscuity)
	if listed(l, rtnl.LinkFieldAllMulti, l.AllMulti) { // not sent before Linux 6.0
		fmt.Fprintf(&sb, " allmulti %d ", l.AllMulti)
	}
	fmt.Fprintf(&sb, "minmtu %d maxmtu %d ", l.MinMTU, l.MaxMTU)
	if l.Info.Kind != "" {
		fmt.Fprintf(&sb, "\n    %s ", l.Info.Kind)
		writeFieldsText(&sb, linkDataFields(t, l.Info.Data))
	}
	if l.Info.SlaveKind != "" {
		fmt.Fprintf(&sb, "\n    %s_slave ", l.Info.SlaveKind)
		writeFieldsText(&sb, linkDataFields(t, l.Info.SlaveData))
	}
	if l.AddrGenMode != rtnl.AddrGenUnset && !o.noMode {
		fmt.Fprintf(&sb, "addrgenmode %s ", l.AddrGenMode)
	}
	fmt.Fprintf(&sb, "numtxqueues %d numrxqueues %d ", l.NumTxQueues, l.NumRxQueues)
	for _, f := range linkOffloadLimits(l) {
		if f.listed {
			fmt.Fprintf(&sb, "%s %d ", f.name, f.v)
		}
	}
	if l.ParentDevBus != "" {
		fmt.Fprintf(&sb, "parentbus %s ", l.ParentDevBus)
	}
	if l.ParentDevName != "" {
		fmt.Fprintf(&sb, "parentdev %s ", l.ParentDevName)
	}
	return append(b, sb.String()...)
}

func linkStatsText(b *strings.Builder, l *rtnl.Link, more bool) {
	s := l.Stats
	b.WriteString("\n    RX:  bytes packets errors dropped  missed   mcast           ")
	fmt.Fprintf(b, "\n    %10d %7d %6d %7d %7d %7d ", s.RxBytes, s.RxPackets, s.RxErrors, s.RxDropped, s.RxMissedErrors, s.Multicast)
	if more {
		b.WriteString("\n    RX errors:  length    crc   frame    fifo overrun")
		fmt.Fprintf(b, "\n               %7d %6d %7d %7d %7d ", s.RxLengthErrors, s.RxCRCErrors, s.RxFrameErrors, s.RxFIFOErrors, s.RxOverErrors)
	}
	b.WriteString("\n    TX:  bytes packets errors dropped carrier collsns           ")
	fmt.Fprintf(b, "\n    %10d %7d %6d %7d %7d %7d ", s.TxBytes, s.TxPackets, s.TxErrors, s.TxDropped, s.TxCarrierErrors, s.Collisions)
	if more {
		b.WriteString("\n    TX errors: aborted   fifo  window heartbt transns")
		fmt.Fprintf(b, "\n               %7d %6d %7d %7d %7d ", s.TxAbortedErrors, s.TxFIFOErrors, s.TxWindowErrors, s.TxHeartbeatErrors, l.CarrierChanges)
	}
}

// listed tells whether the kernel sent the field f of l, whose value is v:
// a zero counts when the decoder marked it in l.Explicit.
func listed(l *rtnl.Link, f rtnl.LinkFields, v uint32) bool {
	return v != 0 || l.Explicit&f != 0
}

// A linkLimit is one of a link's offload limits, as ip names it.
type linkLimit struct {
	name   string
	v      uint32
	listed bool
}

// linkOffloadLimits returns l's offload limits in ip's order, each marked
// whether the kernel sent it (older kernels send fewer).
func linkOffloadLimits(l *rtnl.Link) [5]linkLimit {
	return [5]linkLimit{
		{"gso_max_size", l.GSOMaxSize, listed(l, rtnl.LinkFieldGSOMaxSize, l.GSOMaxSize)},
		{"gso_max_segs", l.GSOMaxSegs, listed(l, rtnl.LinkFieldGSOMaxSegs, l.GSOMaxSegs)},
		{"tso_max_size", l.TSOMaxSize, listed(l, rtnl.LinkFieldTSOMaxSize, l.TSOMaxSize)},
		{"tso_max_segs", l.TSOMaxSegs, listed(l, rtnl.LinkFieldTSOMaxSegs, l.TSOMaxSegs)},
		{"gro_max_size", l.GROMaxSize, listed(l, rtnl.LinkFieldGROMaxSize, l.GROMaxSize)},
	}
}
