package iproute

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"
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
		w := cli.Resolve(linkShowWords, a.Next())
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
	t, err := loadLinkTable(x)
	if err != nil {
		return err
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	if devSet {
		i, ok := x.byName[dev]
		if !ok { // perhaps an alternative name
			l, err := h.LinkByName(x.ctx, dev)
			if err != nil || dev == "" {
				return cli.Failf("Device %s does not exist.", cli.Quote(dev))
			}
			i = l.Index
		}
		f.Index = i
	}
	links, err := h.ListLinks(x.ctx, &f)
	if err != nil {
		return err
	}
	if slaveKind != "" {
		links = slices.DeleteFunc(links, func(l rtnl.Link) bool { return l.Info.SlaveKind != slaveKind })
	}
	// A link created since the table was loaded may be named.
	for i := range links {
		if _, ok := t.byIndex[links[i].Index]; !ok {
			t.byIndex[links[i].Index] = &links[i]
		}
	}
	if x.env.JSON {
		j := output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
		j.Array("")
		for i := range links {
			if x.env.Brief {
				linkBriefJSON(j, t, &links[i])
			} else {
				linkJSON(x, j, t, &links[i])
			}
		}
		j.End()
		return nil
	}
	for i := range links {
		if x.env.Brief {
			linkBriefText(x, t, &links[i])
		} else {
			linkText(x, t, &links[i])
		}
	}
	return nil
}

// linkParentName names the link l is stacked on as ip does: its name, or
// "ifN" when it lives in another namespace.
func linkParentName(t *linkTable, l *rtnl.Link) string {
	if l.LinkNetNSID != nil {
		return "if" + strconv.Itoa(l.ParentIndex)
	}
	return t.name(l.ParentIndex)
}

func linkBriefJSON(j *output.JSON, t *linkTable, l *rtnl.Link) {
	j.Object("")
	if l.ParentIndex != 0 {
		if l.LinkNetNSID != nil {
			j.Int("link_index", int64(l.ParentIndex))
		} else {
			j.String("link", t.name(l.ParentIndex))
		}
	}
	j.String("ifname", l.Name)
	j.String("operstate", l.OperState.String())
	if len(l.HardwareAddr) > 0 {
		j.String("address", linkAddrString(l.Type, l.HardwareAddr))
	}
	j.Strings("flags", t.flagNames(l))
	j.End()
}

func linkBriefText(x *ipctx, t *linkTable, l *rtnl.Link) {
	name := l.Name
	if l.ParentIndex != 0 {
		name += "@" + linkParentName(t, l)
	}
	fmt.Fprintf(x.out, "%-16s %-14s ", name, l.OperState)
	if len(l.HardwareAddr) > 0 {
		fmt.Fprintf(x.out, "%s ", linkAddrString(l.Type, l.HardwareAddr))
	}
	fmt.Fprintf(x.out, "<%s> \n", strings.Join(t.flagNames(l), ","))
}

// linkAddrString formats a link-layer address as ip does: IP tunnels'
// addresses as IP addresses, the others as colon-separated bytes.
func linkAddrString(t rtnl.LinkType, a net.HardwareAddr) string {
	switch {
	case len(a) == 4 && (t == rtnl.LinkTypeIPIP || t == rtnl.LinkTypeSIT || t == rtnl.LinkTypeGRE):
		return netip.AddrFrom4([4]byte(a)).String()
	case len(a) == 16 && (t == 769 || t == 823): // tunnel6, gre6
		return netip.AddrFrom16([16]byte(a)).String()
	}
	var b strings.Builder
	for i, c := range a {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(fmt.Sprintf("%02x", c))
	}
	return b.String()
}

// linkJSON writes one link with the keys of `ip -j link show`.
func linkJSON(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	j.Object("")
	linkJSONKeys(x, j, t, l)
	j.End()
}

// linkJSONKeys writes the keys of a link's object.
func linkJSONKeys(x *ipctx, j *output.JSON, t *linkTable, l *rtnl.Link) {
	j.Uint("ifindex", uint64(l.Index))
	if l.ParentIndex != 0 {
		if l.LinkNetNSID != nil {
			j.Int("link_index", int64(l.ParentIndex))
		} else {
			j.String("link", t.name(l.ParentIndex))
		}
	}
	j.String("ifname", l.Name)
	j.Strings("flags", t.flagNames(l))
	j.Uint("mtu", uint64(l.MTU))
	if l.Qdisc != "" {
		j.String("qdisc", l.Qdisc)
	}
	if l.MasterIndex != 0 {
		j.String("master", t.name(l.MasterIndex))
	}
	j.String("operstate", l.OperState.String())
	j.String("linkmode", l.LinkMode.String())
	j.String("group", linkGroupName(l.Group))
	if l.TxQueueLen != 0 {
		j.Uint("txqlen", uint64(l.TxQueueLen))
	}
	j.String("link_type", l.Type.String())
	if len(l.HardwareAddr) > 0 {
		j.String("address", linkAddrString(l.Type, l.HardwareAddr))
	}
	if len(l.PermHardwareAddr) > 0 && l.PermHardwareAddr.String() != l.HardwareAddr.String() {
		j.String("permaddr", linkAddrString(l.Type, l.PermHardwareAddr))
	}
	if len(l.Broadcast) > 0 {
		if l.Flags&rtnl.LinkPointToPoint != 0 {
			j.Bool("link_pointtopoint", true)
		}
		j.String("broadcast", linkAddrString(l.Type, l.Broadcast))
	}
	if l.LinkNetNSID != nil {
		j.Int("link_netnsid", int64(*l.LinkNetNSID))
	}
	if l.ProtoDown {
		j.Bool("proto_down", true)
	}
	if x.env.Details {
		j.Uint("promiscuity", uint64(l.Promiscuity))
		j.Uint("allmulti", uint64(l.AllMulti))
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
		j.Uint("gso_max_size", uint64(l.GSOMaxSize))
		j.Uint("gso_max_segs", uint64(l.GSOMaxSegs))
		j.Uint("tso_max_size", uint64(l.TSOMaxSize))
		j.Uint("tso_max_segs", uint64(l.TSOMaxSegs))
		j.Uint("gro_max_size", uint64(l.GROMaxSize))
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
	var b strings.Builder
	name := l.Name
	if l.ParentIndex != 0 {
		name += "@" + linkParentName(t, l)
	}
	fmt.Fprintf(&b, "%d: %s: <%s> mtu %d", l.Index, name, strings.Join(t.flagNames(l), ","), l.MTU)
	if l.Qdisc != "" {
		fmt.Fprintf(&b, " qdisc %s", l.Qdisc)
	}
	if l.MasterIndex != 0 {
		fmt.Fprintf(&b, " master %s", t.name(l.MasterIndex))
	}
	fmt.Fprintf(&b, " state %s mode %s group %s ", l.OperState, l.LinkMode, linkGroupName(l.Group))
	if l.TxQueueLen != 0 {
		fmt.Fprintf(&b, "qlen %d", l.TxQueueLen)
	}
	fmt.Fprintf(&b, "\n    link/%s", l.Type)
	if len(l.HardwareAddr) > 0 {
		fmt.Fprintf(&b, " %s", linkAddrString(l.Type, l.HardwareAddr))
	}
	if len(l.PermHardwareAddr) > 0 && l.PermHardwareAddr.String() != l.HardwareAddr.String() {
		fmt.Fprintf(&b, " permaddr %s", linkAddrString(l.Type, l.PermHardwareAddr))
	}
	if len(l.Broadcast) > 0 {
		if l.Flags&rtnl.LinkPointToPoint != 0 {
			b.WriteString(" peer")
		} else {
			b.WriteString(" brd")
		}
		fmt.Fprintf(&b, " %s", linkAddrString(l.Type, l.Broadcast))
	}
	if l.LinkNetNSID != nil {
		if n := netnsNameByID(x, *l.LinkNetNSID); n != "" {
			fmt.Fprintf(&b, " link-netns %s", n)
		} else {
			fmt.Fprintf(&b, " link-netnsid %d", *l.LinkNetNSID)
		}
	}
	if l.ProtoDown {
		b.WriteString(" protodown on")
	}
	if x.env.Details {
		fmt.Fprintf(&b, " promiscuity %d  allmulti %d minmtu %d maxmtu %d ", l.Promiscuity, l.AllMulti, l.MinMTU, l.MaxMTU)
		if l.Info.Kind != "" {
			fmt.Fprintf(&b, "\n    %s ", l.Info.Kind)
			writeFieldsText(&b, linkDataFields(t, l.Info.Data))
		}
		if l.Info.SlaveKind != "" {
			fmt.Fprintf(&b, "\n    %s_slave ", l.Info.SlaveKind)
			writeFieldsText(&b, linkDataFields(t, l.Info.SlaveData))
		}
		if l.AddrGenMode != rtnl.AddrGenUnset {
			fmt.Fprintf(&b, "addrgenmode %s ", l.AddrGenMode)
		}
		fmt.Fprintf(&b, "numtxqueues %d numrxqueues %d gso_max_size %d gso_max_segs %d tso_max_size %d tso_max_segs %d gro_max_size %d ",
			l.NumTxQueues, l.NumRxQueues, l.GSOMaxSize, l.GSOMaxSegs, l.TSOMaxSize, l.TSOMaxSegs, l.GROMaxSize)
		if l.ParentDevBus != "" {
			fmt.Fprintf(&b, "parentbus %s ", l.ParentDevBus)
		}
		if l.ParentDevName != "" {
			fmt.Fprintf(&b, "parentdev %s ", l.ParentDevName)
		}
	}
	if l.Alias != "" {
		fmt.Fprintf(&b, "\n    alias %s", l.Alias)
	}
	if x.env.Stats > 0 && l.Stats != nil {
		linkStatsText(&b, l, x.env.Stats > 1)
	}
	for _, n := range l.AltNames {
		fmt.Fprintf(&b, "\n    altname %s", n)
	}
	s := b.String()
	if x.env.Oneline {
		s = strings.ReplaceAll(s, "\n", "\\")
	}
	x.out.WriteString(s)
	x.out.WriteByte('\n')
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
