package main

import (
	"bufio"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

const linkUsage = `usage: nlctl link show [ [dev] DEVICE | group GROUP ] [up] [master DEV] [nomaster] [type KIND]
       nlctl link add [link DEV] [name] NAME [txqueuelen N] [address LLADDR] [broadcast LLADDR]
                      [mtu MTU] [index IDX] [numtxqueues N] [numrxqueues N] [netns {PID | NAME}]
                      [master DEV] [group GROUP] [up] type KIND [ARGS]
       nlctl link delete { [dev] DEVICE | group GROUP }
       nlctl link set { [dev] DEVICE | group GROUP } [up | down] [mtu MTU] [name NEWNAME]
                      [address LLADDR] [broadcast LLADDR] [alias NAME] [txqueuelen N]
                      [master DEV | nomaster] [netns {PID | NAME}] [group GROUP]
                      [arp | multicast | allmulticast | promisc | dynamic | trailers {on | off}]
                      [carrier {on | off}] [protodown {on | off}]
                      [addrgenmode {eui64 | none | stable_secret | random}]
                      [gso_max_size N] [gso_max_segs N] [gro_max_size N] [type KIND ARGS]
KIND ARGS := veth [peer [name] NAME [LINK OPTIONS]]
           | bridge [forward_delay N] [hello_time N] [max_age N] [ageing_time N] [stp_state 0|1]
                    [priority N] [vlan_filtering 0|1] [vlan_protocol 802.1Q|802.1ad]
                    [group_fwd_mask MASK] [group_address LLADDR] [mcast_snooping 0|1] ...
           | bridge_slave [state N] [priority N] [cost N] [hairpin|guard|root_block|fastleave|
                    learning|flood|mcast_flood|bcast_flood|proxy_arp|isolated|... {on | off}] ...
           | macvlan | macvtap [mode {private | vepa | bridge | passthru | source}] [nopromisc]
                    [nodst] [bcqueuelen N] [macaddr {add|del} LLADDR | set LLADDR... | flush]
           | vxlan id VNI [remote ADDR | group ADDR] [local ADDR] [dev DEV] [dstport PORT]
                    [srcport MIN MAX] [ttl N|auto|inherit] [tos N|inherit] [df unset|set|inherit]
                    [flowlabel N] [[no]learning] [ageing N] [maxaddr N] [[no]udpcsum] [external] ...
           | ifb | any other kind (without arguments)
`

func runLink(x *ipctx, a *argList) error {
	cmd := a.next()
	switch {
	case cmd == "" || matches(cmd, "show") || matches(cmd, "list") || cmd == "lst":
		return linkShow(x, a)
	case matches(cmd, "add"):
		return linkAdd(x, a, rtnl.Add)
	case matches(cmd, "replace"):
		return linkAdd(x, a, rtnl.Replace)
	case matches(cmd, "delete"):
		return linkDelete(x, a)
	case matches(cmd, "set") || matches(cmd, "change"):
		return linkSet(x, a)
	case matches(cmd, "help"):
		fmt.Fprint(x.env.stdout, linkUsage)
		return errHelpShown
	}
	return usagef("unknown link command %q (try nlctl link help)", cmd)
}

// linkTable is one dump of every link: the names and flags of the links
// the shown ones refer to.
type linkTable struct {
	byIndex map[int]*rtnl.Link
}

// loadLinkTable dumps every link, and refreshes the ipctx's name cache with
// the same dump.
func loadLinkTable(x *ipctx) (*linkTable, error) {
	h, err := x.handle()
	if err != nil {
		return nil, err
	}
	all, err := h.ListLinks(x.ctx, nil)
	if err != nil {
		return nil, err
	}
	t := &linkTable{byIndex: make(map[int]*rtnl.Link, len(all))}
	x.byName = make(map[string]int, len(all))
	x.byIndex = make(map[int]string, len(all))
	for i := range all {
		l := &all[i]
		t.byIndex[l.Index] = l
		x.byName[l.Name] = l.Index
		x.byIndex[l.Index] = l.Name
	}
	return t, nil
}

func (t *linkTable) name(index int) string {
	if l, ok := t.byIndex[index]; ok {
		return l.Name
	}
	return "if" + strconv.Itoa(index)
}

// flagNames returns a link's flags as ip lists them: NO-CARRIER for a link
// up without carrier, the flags, and M-DOWN when the link it is stacked on
// (in this namespace) is down.
func (t *linkTable) flagNames(l *rtnl.Link) []string {
	names := []string{}
	if l.Flags&rtnl.LinkUp != 0 && l.Flags&rtnl.LinkRunning == 0 {
		names = append(names, "NO-CARRIER")
	}
	names = append(names, (l.Flags &^ rtnl.LinkRunning).Names()...)
	if l.ParentIndex != 0 && l.LinkNetNSID == nil {
		if p, ok := t.byIndex[l.ParentIndex]; !ok || p.Flags&rtnl.LinkUp == 0 {
			names = append(names, "M-DOWN")
		}
	}
	return names
}

// linkShow lists links as `ip link show` does.
func linkShow(x *ipctx, a *argList) error {
	var f rtnl.LinkFilter
	var dev string
	for a.more() {
		w := a.next()
		switch {
		case w == "up":
			f.Up = true
		case w == "master":
			s, err := a.value(w)
			if err != nil {
				return err
			}
			if f.MasterIndex, err = x.linkIndex(s); err != nil {
				return err
			}
		case w == "vrf":
			s, err := a.value(w)
			if err != nil {
				return err
			}
			if f.MasterIndex, err = x.linkIndex(s); err != nil {
				return err
			}
		case w == "nomaster":
			f.NoMaster = true
		case w == "type":
			s, err := a.value(w)
			if err != nil {
				return err
			}
			f.Kind = s
		case w == "group":
			s, err := a.value(w)
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
				if w, err = a.value(w); err != nil {
					return err
				}
			}
			if dev != "" {
				return usagef("either \"dev\" is duplicate, or %q is garbage", w)
			}
			dev = w
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
	if dev != "" {
		i, ok := x.byName[dev]
		if !ok { // perhaps an alternative name
			l, err := h.LinkByName(x.ctx, dev)
			if err != nil {
				return &notFoundError{fmt.Sprintf("Device %q does not exist.", dev)}
			}
			i = l.Index
		}
		f.Index = i
	}
	links, err := h.ListLinks(x.ctx, &f)
	if err != nil {
		return err
	}
	// A link created since the table was loaded may be named.
	for i := range links {
		if _, ok := t.byIndex[links[i].Index]; !ok {
			t.byIndex[links[i].Index] = &links[i]
		}
	}
	if x.env.json {
		j := newJSONWriter(x.out, x.env.pretty)
		j.Array("")
		for i := range links {
			if x.env.brief {
				linkBriefJSON(j, t, &links[i])
			} else {
				linkJSON(x, j, t, &links[i])
			}
		}
		j.End()
		return nil
	}
	for i := range links {
		if x.env.brief {
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

func linkBriefJSON(j *jsonWriter, t *linkTable, l *rtnl.Link) {
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
func linkJSON(x *ipctx, j *jsonWriter, t *linkTable, l *rtnl.Link) {
	j.Object("")
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
	if x.env.details {
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
	if x.env.stats > 0 && l.Stats != nil {
		linkStatsJSON(j, l, x.env.stats > 1)
	}
	if len(l.AltNames) > 0 {
		j.Strings("altnames", l.AltNames)
	}
	j.End()
}

func linkStatsJSON(j *jsonWriter, l *rtnl.Link, more bool) {
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
	fmt.Fprintf(&b, " state %s mode %s group %s", l.OperState, l.LinkMode, linkGroupName(l.Group))
	if l.TxQueueLen != 0 {
		fmt.Fprintf(&b, " qlen %d", l.TxQueueLen)
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
	if x.env.details {
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
	if x.env.stats > 0 && l.Stats != nil {
		linkStatsText(&b, l, x.env.stats > 1)
	}
	for _, n := range l.AltNames {
		fmt.Fprintf(&b, "\n    altname %s", n)
	}
	s := b.String()
	if x.env.oneline {
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

// netnsNameByID names the namespace with that id (in the current one), as
// ip's "link-netns NAME", looking through /run/netns.
func netnsNameByID(x *ipctx, id int) string {
	h, err := x.handle()
	if err != nil {
		return ""
	}
	names, err := netns.List()
	if err != nil {
		return ""
	}
	for _, n := range names {
		ns, err := netns.OpenName(n)
		if err != nil {
			continue
		}
		got, err := h.NetNSID(x.ctx, ns)
		ns.Close()
		if err == nil && got == id {
			return n
		}
	}
	return ""
}

// linkGroupName names an interface group as ip does, from
// /etc/iproute2/group ("default" for 0).
func linkGroupName(g uint32) string {
	if g == 0 {
		return "default"
	}
	for n, v := range linkGroupNames() {
		if v == g {
			return n
		}
	}
	return strconv.FormatUint(uint64(g), 10)
}

// parseLinkGroup reads a group name or number.
func parseLinkGroup(s string) (uint32, error) {
	if s == "default" {
		return 0, nil
	}
	if v, ok := linkGroupNames()[s]; ok {
		return v, nil
	}
	v, err := strconv.ParseUint(s, 0, 32)
	if err != nil {
		return 0, usagef("invalid group %q", s)
	}
	return uint32(v), nil
}

// linkGroupNames reads /etc/iproute2/group.
func linkGroupNames() map[string]uint32 {
	m := map[string]uint32{}
	f, err := os.Open("/etc/iproute2/group")
	if err != nil {
		return m
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := strings.Fields(sc.Text())
		if len(w) < 2 || strings.HasPrefix(w[0], "#") {
			continue
		}
		if v, err := strconv.ParseUint(w[0], 0, 32); err == nil {
			m[w[1]] = uint32(v)
		}
	}
	return m
}

// A linkField is one key of a kind's details, as ip prints it: under key
// in JSON (none if key is empty) and as text in the text form (none if
// text is empty).
type linkField struct {
	key  string
	kind byte // 's' string, 'u' unsigned, 'b' bool, 'n' raw JSON number, '{' object, '}' end, 'a' strings
	s    string
	u    uint64
	b    bool
	ss   []string
	text string
}

type linkFields []linkField

func (f *linkFields) str(key, text, v string) {
	*f = append(*f, linkField{key: key, kind: 's', s: v, text: text})
}

func (f *linkFields) uint(key, text string, v uint64) {
	*f = append(*f, linkField{key: key, kind: 'u', u: v, text: text})
}

func (f *linkFields) bool(key, text string, v bool) {
	*f = append(*f, linkField{key: key, kind: 'b', b: v, text: text})
}

// onOff adds a bool that ip's text shows as "label on|off".
func (f *linkFields) onOff(key, label string, v bool) {
	t := label + " off"
	if v {
		t = label + " on"
	}
	f.bool(key, t, v)
}

// timer adds a time in hundredths of a second, shown as seconds with two
// decimals.
func (f *linkFields) timer(key string, cs uint64) {
	v := fmt.Sprintf("%d.%02d", cs/100, cs%100)
	*f = append(*f, linkField{key: key, kind: 'n', s: v, text: fmt.Sprintf("%s %7s", key, v)})
}

// hex formats v as C's "%#x": "0" for zero, "0x..." otherwise.
func linkHex(v uint64) string {
	if v == 0 {
		return "0"
	}
	return "0x" + strconv.FormatUint(v, 16)
}

func writeFieldsJSON(j *jsonWriter, fs linkFields) {
	for _, f := range fs {
		if f.key == "" && f.kind != '}' {
			continue
		}
		switch f.kind {
		case 's':
			j.String(f.key, f.s)
		case 'u':
			j.Uint(f.key, f.u)
		case 'b':
			j.Bool(f.key, f.b)
		case 'n':
			j.Number(f.key, f.s)
		case 'a':
			j.Strings(f.key, f.ss)
		case '{':
			j.Object(f.key)
		case '}':
			j.End()
		}
	}
}

func writeFieldsText(b *strings.Builder, fs linkFields) {
	for _, f := range fs {
		if f.text != "" {
			b.WriteString(f.text)
			b.WriteByte(' ')
		}
	}
}

// linkDataFields lists the details ip prints for a kind's data (nil when
// ip prints no info_data object).
func linkDataFields(t *linkTable, data rtnl.LinkData) linkFields {
	switch d := data.(type) {
	case *rtnl.BridgeInfo:
		return bridgeFields(d)
	case *rtnl.BridgePortInfo:
		return bridgePortFields(t, d)
	case *rtnl.MacvlanInfo:
		return macvlanFields(d)
	case *rtnl.VxlanInfo:
		return vxlanFields(t, d)
	}
	return nil
}

func bridgeFields(d *rtnl.BridgeInfo) linkFields {
	var f linkFields
	u32 := func(key string, p *uint32) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", key, *p), uint64(*p))
		}
	}
	u64 := func(key, label string, p *uint64) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", label, *p), *p)
		}
	}
	u8 := func(key, label string, p *uint8) {
		if p != nil {
			f.uint(key, fmt.Sprintf("%s %d", label, *p), uint64(*p))
		}
	}
	b01 := func(key string, p *bool) {
		if p != nil {
			v := uint64(0)
			if *p {
				v = 1
			}
			f.uint(key, fmt.Sprintf("%s %d", key, v), v)
		}
	}
	u32("forward_delay", d.ForwardDelay)
	u32("hello_time", d.HelloTime)
	u32("max_age", d.MaxAge)
	u32("ageing_time", d.AgeingTime)
	u32("stp_state", d.STPState)
	if d.Priority != nil {
		f.uint("priority", fmt.Sprintf("priority %d", *d.Priority), uint64(*d.Priority))
	}
	b01("vlan_filtering", d.VLANFiltering)
	if d.VLANProtocol != nil {
		p := linkVLANProtoName(*d.VLANProtocol)
		f.str("vlan_protocol", "vlan_protocol "+p, p)
	}
	f.str("bridge_id", "bridge_id "+d.BridgeID.String(), d.BridgeID.String())
	f.str("root_id", "designated_root "+d.RootID.String(), d.RootID.String())
	f.uint("root_port", fmt.Sprintf("root_port %d", d.RootPort), uint64(d.RootPort))
	f.uint("root_path_cost", fmt.Sprintf("root_path_cost %d", d.RootPathCost), uint64(d.RootPathCost))
	tc, tcd := uint64(0), uint64(0)
	if d.TopologyChange {
		tc = 1
	}
	if d.TopologyChangeDetected {
		tcd = 1
	}
	f.uint("topology_change", fmt.Sprintf("topology_change %d", tc), tc)
	f.uint("topology_change_detected", fmt.Sprintf("topology_change_detected %d", tcd), tcd)
	f.timer("hello_timer", d.HelloTimer)
	f.timer("tcn_timer", d.TCNTimer)
	f.timer("topology_change_timer", d.TopologyChangeTimer)
	f.timer("gc_timer", d.GCTimer)
	if d.VLANDefaultPVID != nil {
		f.uint("vlan_default_pvid", fmt.Sprintf("vlan_default_pvid %d", *d.VLANDefaultPVID), uint64(*d.VLANDefaultPVID))
	}
	b01("vlan_stats_enabled", d.VLANStatsEnabled)
	b01("vlan_stats_per_port", d.VLANStatsPerPort)
	if d.GroupFwdMask != nil {
		f.str("group_fwd_mask", "group_fwd_mask "+linkHex(uint64(*d.GroupFwdMask)), linkHex(uint64(*d.GroupFwdMask)))
	}
	if len(d.GroupAddr) > 0 {
		f.str("group_addr", "group_address "+d.GroupAddr.String(), d.GroupAddr.String())
	}
	b01("mcast_snooping", d.McastSnooping)
	if o := d.BoolOpts; o != nil {
		for _, b := range []struct {
			bit uint32
			key string
		}{{rtnl.BridgeNoLinkLocalLearn, "no_linklocal_learn"}, {rtnl.BridgeMcastVLANSnooping, "mcast_vlan_snooping"}} {
			if o.Mask&b.bit != 0 {
				v := uint64(0)
				if o.Value&b.bit != 0 {
					v = 1
				}
				f.uint(b.key, fmt.Sprintf("%s %d", b.key, v), v)
			}
		}
	}
	u8("mcast_router", "mcast_router", d.McastRouter)
	b01("mcast_query_use_ifaddr", d.McastQueryUseIfaddr)
	b01("mcast_querier", d.McastQuerier)
	u32("mcast_hash_elasticity", d.McastHashElasticity)
	u32("mcast_hash_max", d.McastHashMax)
	if p := d.McastLastMemberCount; p != nil {
		f.uint("mcast_last_member_cnt", fmt.Sprintf("mcast_last_member_count %d", *p), uint64(*p))
	}
	if p := d.McastStartupQueryCount; p != nil {
		f.uint("mcast_startup_query_cnt", fmt.Sprintf("mcast_startup_query_count %d", *p), uint64(*p))
	}
	u64("mcast_last_member_intvl", "mcast_last_member_interval", d.McastLastMemberInterval)
	u64("mcast_membership_intvl", "mcast_membership_interval", d.McastMembershipInterval)
	u64("mcast_querier_intvl", "mcast_querier_interval", d.McastQuerierInterval)
	u64("mcast_query_intvl", "mcast_query_interval", d.McastQueryInterval)
	u64("mcast_query_response_intvl", "mcast_query_response_interval", d.McastQueryResponseInterval)
	u64("mcast_startup_query_intvl", "mcast_startup_query_interval", d.McastStartupQueryInterval)
	b01("mcast_stats_enabled", d.McastStatsEnabled)
	u8("mcast_igmp_version", "mcast_igmp_version", d.McastIGMPVersion)
	u8("mcast_mld_version", "mcast_mld_version", d.McastMLDVersion)
	b01("nf_call_iptables", d.NFCallIPTables)
	b01("nf_call_ip6tables", d.NFCallIP6Tables)
	b01("nf_call_arptables", d.NFCallARPTables)
	return f
}

func linkVLANProtoName(p uint16) string {
	switch p {
	case 0x8100:
		return "802.1Q"
	case 0x88a8:
		return "802.1ad"
	}
	return linkHex(uint64(p))
}

// linkFwdMaskNames words a bridge port's group_fwd_mask as ip does.
func linkFwdMaskNames(m uint16) string {
	var w []string
	for i := 0; i < 16; i++ {
		if m&(1<<i) == 0 {
			continue
		}
		switch i {
		case 0:
			w = append(w, "stp")
		case 2:
			w = append(w, "lacp")
		case 14:
			w = append(w, "lldp")
		default:
			w = append(w, "0x"+strconv.FormatUint(1<<i, 16))
		}
	}
	if len(w) == 0 {
		return "0x0"
	}
	return strings.Join(w, ",")
}

func bridgePortFields(t *linkTable, d *rtnl.BridgePortInfo) linkFields {
	var f linkFields
	on := func(key, label string, p *bool) {
		if p != nil {
			f.onOff(key, label, *p)
		}
	}
	if d.State != nil {
		if *d.State <= rtnl.BridgePortBlocking {
			f.str("state", "state "+d.State.String(), d.State.String())
		} else {
			f.uint("state_index", fmt.Sprintf("state (%d)", *d.State), uint64(*d.State))
		}
	}
	if d.Priority != nil {
		f.uint("priority", fmt.Sprintf("priority %d", *d.Priority), uint64(*d.Priority))
	}
	if d.Cost != nil {
		f.uint("cost", fmt.Sprintf("cost %d", *d.Cost), uint64(*d.Cost))
	}
	on("hairpin", "hairpin", d.Hairpin)
	on("guard", "guard", d.Guard)
	on("root_block", "root_block", d.RootBlock)
	on("fastleave", "fastleave", d.FastLeave)
	on("learning", "learning", d.Learning)
	on("flood", "flood", d.UnicastFlood)
	f.str("id", "port_id "+linkHex(uint64(d.ID)), linkHex(uint64(d.ID)))
	f.str("no", "port_no "+linkHex(uint64(d.No)), linkHex(uint64(d.No)))
	f.uint("designated_port", fmt.Sprintf("designated_port %d", d.DesignatedPort), uint64(d.DesignatedPort))
	f.uint("designated_cost", fmt.Sprintf("designated_cost %d", d.DesignatedCost), uint64(d.DesignatedCost))
	f.str("bridge_id", "designated_bridge "+d.BridgeID.String(), d.BridgeID.String())
	f.str("root_id", "designated_root "+d.RootID.String(), d.RootID.String())
	f.timer("hold_timer", d.HoldTimer)
	f.timer("message_age_timer", d.MessageAgeTimer)
	f.timer("forward_delay_timer", d.ForwardDelayTimer)
	f.uint("topology_change_ack", fmt.Sprintf("topology_change_ack %d", d.TopologyChangeAck), uint64(d.TopologyChangeAck))
	f.uint("config_pending", fmt.Sprintf("config_pending %d", d.ConfigPending), uint64(d.ConfigPending))
	on("proxy_arp", "proxy_arp", d.ProxyARP)
	on("proxy_arp_wifi", "proxy_arp_wifi", d.ProxyARPWiFi)
	if d.MulticastRouter != nil {
		f.uint("multicast_router", fmt.Sprintf("mcast_router %d", *d.MulticastRouter), uint64(*d.MulticastRouter))
	}
	if d.FastLeave != nil {
		f.onOff("", "mcast_fast_leave", *d.FastLeave)
	}
	on("mcast_flood", "mcast_flood", d.McastFlood)
	on("bcast_flood", "bcast_flood", d.BcastFlood)
	on("mcast_to_unicast", "mcast_to_unicast", d.McastToUnicast)
	on("neigh_suppress", "neigh_suppress", d.NeighSuppress)
	if d.GroupFwdMask != nil {
		m := *d.GroupFwdMask
		f.str("group_fwd_mask", "group_fwd_mask "+linkHex(uint64(m)), linkHex(uint64(m)))
		f.str("group_fwd_mask_str", "group_fwd_mask_str "+linkFwdMaskNames(m), linkFwdMaskNames(m))
	}
	on("vlan_tunnel", "vlan_tunnel", d.VLANTunnel)
	on("isolated", "isolated", d.Isolated)
	on("locked", "locked", d.Locked)
	if d.BackupPort != nil && *d.BackupPort != 0 {
		n := t.name(*d.BackupPort)
		f.str("backup_port", "backup_port "+n, n)
	}
	return f
}

func macvlanFields(d *rtnl.MacvlanInfo) linkFields {
	var f linkFields
	if d.Mode == 0 {
		return f
	}
	f.str("mode", "mode "+d.Mode.String(), d.Mode.String())
	if d.Flags != nil {
		if *d.Flags&rtnl.MacvlanNoPromisc != 0 {
			f.bool("nopromisc", "nopromisc", true)
		}
		if *d.Flags&rtnl.MacvlanNoDst != 0 {
			f.bool("nodst", "nodst", true)
		}
	}
	if d.BCQueueLen != nil {
		f.uint("bcqueuelen", fmt.Sprintf("bcqueuelen %d", *d.BCQueueLen), uint64(*d.BCQueueLen))
	}
	f.uint("usedbcqueuelen", fmt.Sprintf("usedbcqueuelen %d", d.BCQueueLenUsed), uint64(d.BCQueueLenUsed))
	if d.Mode != rtnl.MacvlanSource {
		return f
	}
	f.uint("macaddr_count", fmt.Sprintf("remotes (%d)", d.MACAddrCount), uint64(d.MACAddrCount))
	if len(d.MACAddrs) > 0 {
		var ss []string
		for _, a := range d.MACAddrs {
			ss = append(ss, a.String())
		}
		f = append(f, linkField{key: "macaddr_data", kind: 'a', ss: ss, text: strings.Join(ss, " ")})
	}
	return f
}

func vxlanFields(t *linkTable, d *rtnl.VxlanInfo) linkFields {
	var f linkFields
	if d.External != nil && *d.External {
		f.bool("external", "external", true)
	}
	if d.VNIFilter != nil && *d.VNIFilter {
		f.bool("vnifilter", "vnifilter", true)
	}
	if d.ID == nil {
		return f
	}
	f.uint("id", fmt.Sprintf("id %d", *d.ID), uint64(*d.ID))
	if g := d.Group; g.IsValid() && !g.IsUnspecified() {
		key := "remote"
		if g.IsMulticast() {
			key = "group"
		}
		text := key + " " + g.String()
		if g.Is6() {
			key += "6"
		}
		f.str(key, text, g.String())
	}
	if l := d.Local; l.IsValid() && !l.IsUnspecified() {
		key := "local"
		if l.Is6() {
			key = "local6"
		}
		f.str(key, "local "+l.String(), l.String())
	}
	if d.LinkIndex != 0 {
		n := t.name(d.LinkIndex)
		f.str("link", "dev "+n, n)
	}
	if r := d.PortRange; r != nil {
		f = append(f, linkField{key: "port_range", kind: '{', text: fmt.Sprintf("srcport %d %d", r.Low, r.High)})
		f.uint("low", "", uint64(r.Low))
		f.uint("high", "", uint64(r.High))
		f = append(f, linkField{kind: '}'})
	}
	if d.Port != nil {
		f.uint("port", fmt.Sprintf("dstport %d", *d.Port), uint64(*d.Port))
	}
	if d.Learning != nil {
		text := ""
		if !*d.Learning {
			text = "nolearning"
		}
		f.bool("learning", text, *d.Learning)
	}
	for _, o := range []struct {
		key string
		p   *bool
	}{{"proxy", d.Proxy}, {"rsc", d.RSC}, {"l2miss", d.L2Miss}, {"l3miss", d.L3Miss}} {
		if o.p != nil && *o.p {
			f.bool(o.key, o.key, true)
		}
	}
	if d.TOS != nil && *d.TOS != 0 {
		text := "tos " + linkHex(uint64(*d.TOS))
		if *d.TOS == 1 {
			text = "tos inherit"
		}
		f.str("tos", text, linkHex(uint64(*d.TOS)))
	}
	switch {
	case d.TTLInherit:
		f.str("", "ttl inherit", "")
	case d.TTL != nil:
		text := fmt.Sprintf("ttl %d", *d.TTL)
		if *d.TTL == 0 {
			text = "ttl auto"
		}
		f.uint("ttl", text, uint64(*d.TTL))
	}
	if d.DF != nil {
		text := ""
		if *d.DF != rtnl.VxlanDFUnset {
			text = "df " + d.DF.String()
		}
		f.str("df", text, d.DF.String())
	}
	if d.Label != nil && *d.Label != 0 {
		f.str("label", "flowlabel "+linkHex(uint64(*d.Label)), linkHex(uint64(*d.Label)))
	}
	if d.Ageing != nil {
		text := fmt.Sprintf("ageing %d", *d.Ageing)
		if *d.Ageing == 0 {
			text = "ageing none"
		}
		f.uint("ageing", text, uint64(*d.Ageing))
	}
	if d.Limit != nil && *d.Limit != 0 {
		f.uint("limit", fmt.Sprintf("maxaddr %d", *d.Limit), uint64(*d.Limit))
	}
	for _, o := range []struct {
		key, text string
		p         *bool
	}{{"udp_csum", "udpcsum", d.UDPCsum}, {"udp_zero_csum6_tx", "udp6zerocsumtx", d.UDPZeroCsum6Tx}, {"udp_zero_csum6_rx", "udp6zerocsumrx", d.UDPZeroCsum6Rx}} {
		if o.p != nil {
			text := o.text
			if !*o.p {
				text = "no" + text
			}
			f.bool(o.key, text, *o.p)
		}
	}
	if d.RemCsumTx != nil && *d.RemCsumTx {
		f.bool("remcsum_tx", "remcsumtx", true)
	}
	if d.RemCsumRx != nil && *d.RemCsumRx {
		f.bool("remcsum_rx", "remcsumrx", true)
	}
	if d.GBP {
		f.bool("gbp", "gbp", true)
	}
	if d.GPE {
		f.bool("gpe", "gpe", true)
	}
	return f
}

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
}

// parseLinkOpts reads link options up to the end of the arguments (or, in
// a veth peer, the end too). add allows the options of a new link; peer
// forbids "type".
func parseLinkOpts(x *ipctx, a *argList, add, peer bool) (*linkOpts, error) {
	o := &linkOpts{}
	onOff := func(kw string, f rtnl.LinkFlags, invert bool) error {
		s, err := a.value(kw)
		if err != nil {
			return err
		}
		var on bool
		switch s {
		case "on":
			on = true
		case "off":
		default:
			return usagef("%q must be on or off", kw)
		}
		o.c.FlagMask |= f
		if on != invert {
			o.c.Flags |= f
		} else {
			o.c.Flags &^= f
		}
		return nil
	}
	for a.more() {
		w := a.next()
		var err error
		switch {
		case w == "up":
			o.c.Flags |= rtnl.LinkUp
			o.c.FlagMask |= rtnl.LinkUp
		case w == "down":
			o.c.Flags &^= rtnl.LinkUp
			o.c.FlagMask |= rtnl.LinkUp
		case w == "name":
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			if add {
				o.dev = s
			} else {
				o.c.Name = s
			}
		case matches(w, "link") && len(w) >= 4 && add && !peer:
			s, err := a.value("link")
			if err != nil {
				return nil, err
			}
			if o.parent, err = x.linkIndex(s); err != nil {
				return nil, err
			}
		case w == "txqueuelen" || w == "txqlen" || w == "qlen":
			v, err := a.uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.c.TxQueueLen = new(uint32(v))
		case matches(w, "address") && len(w) >= 4:
			if o.c.HardwareAddr, err = linkParseLLAddr(a, "address"); err != nil {
				return nil, err
			}
		case matches(w, "broadcast") || w == "brd":
			if o.c.Broadcast, err = linkParseLLAddr(a, "broadcast"); err != nil {
				return nil, err
			}
		case matches(w, "mtu"):
			v, err := a.uint("mtu", 32)
			if err != nil {
				return nil, err
			}
			o.c.MTU = uint32(v)
		case w == "index" && add:
			v, err := a.uint(w, 31)
			if err != nil {
				return nil, err
			}
			o.index = int(v)
		case w == "numtxqueues" && add:
			v, err := a.uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.numTx = uint32(v)
		case w == "numrxqueues" && add:
			v, err := a.uint(w, 32)
			if err != nil {
				return nil, err
			}
			o.numRx = uint32(v)
		case w == "netns":
			s, err := a.value(w)
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
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			i, err := x.linkIndex(s)
			if err != nil {
				return nil, err
			}
			o.c.Master = &i
		case w == "nomaster" && !add:
			o.c.Master = new(0)
		case w == "alias" && !add:
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			o.c.Alias = &s
		case w == "group":
			s, err := a.value(w)
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
		case matches(w, "multicast") && len(w) >= 5:
			err = onOff("multicast", rtnl.LinkMulticast, false)
		case matches(w, "allmulticast") && len(w) >= 5:
			err = onOff("allmulticast", rtnl.LinkAllMulti, false)
		case matches(w, "promisc"):
			err = onOff("promisc", rtnl.LinkPromisc, false)
		case matches(w, "dynamic"):
			err = onOff("dynamic", rtnl.LinkDynamic, false)
		case matches(w, "trailers"):
			err = onOff("trailers", rtnl.LinkNoTrailers, true)
		case w == "carrier" || w == "protodown":
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			if s != "on" && s != "off" {
				return nil, usagef("%q must be on or off", w)
			}
			if w == "carrier" {
				o.c.Carrier = new(s == "on")
			} else {
				o.c.ProtoDown = new(s == "on")
			}
		case w == "addrgenmode":
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			if o.c.AddrGenMode, err = rtnl.ParseAddrGenMode(s); err != nil {
				return nil, usagef("invalid addrgenmode %q", s)
			}
		case w == "gso_max_size" || w == "gso_max_segs" || w == "gro_max_size":
			v, err := a.uint(w, 32)
			if err != nil {
				return nil, err
			}
			switch w {
			case "gso_max_size":
				o.c.GSOMaxSize = uint32(v)
			case "gso_max_segs":
				o.c.GSOMaxSegs = uint32(v)
			default:
				o.c.GROMaxSize = uint32(v)
			}
		case w == "type" && !peer:
			kind, err := a.value(w)
			if err != nil {
				return nil, err
			}
			if o.info, err = parseLinkKind(x, a, kind, add); err != nil {
				return nil, err
			}
		case w == "help":
			fmt.Fprint(x.env.stdout, linkUsage)
			return nil, errHelpShown
		default:
			if w == "dev" {
				if w, err = a.value(w); err != nil {
					return nil, err
				}
			}
			if o.dev != "" {
				return nil, usagef("either \"dev\" is duplicate, or %q is garbage", w)
			}
			o.dev = w
		}
		if err != nil {
			return nil, err
		}
	}
	return o, nil
}

// linkParseLLAddr reads a link-layer address.
func linkParseLLAddr(a *argList, kw string) (net.HardwareAddr, error) {
	s, err := a.value(kw)
	if err != nil {
		return nil, err
	}
	hw, err := net.ParseMAC(s)
	if err != nil {
		return nil, usagef("invalid %s %q", kw, s)
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
		return nil, &notFoundError{fmt.Sprintf("Invalid \"netns\" value %q: %v", name, err)}
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

// linkAdd creates a link, as `ip link add` does.
func linkAdd(x *ipctx, a *argList, v rtnl.Verb) error {
	o, err := parseLinkOpts(x, a, true, false)
	if err != nil {
		return err
	}
	if o.info == nil {
		return usagef("link add needs \"type KIND\"")
	}
	if o.dev == "" {
		return usagef("link add needs a name")
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
		return nil, usagef("alias, carrier, protodown and renaming are for link set")
	}
	if off := c.FlagMask &^ c.Flags &^ rtnl.LinkUp; off != 0 {
		return nil, usagef("link add can only turn flags on (%s)", off)
	}
	l := &rtnl.Link{
		Name: o.dev, Index: o.index, Flags: c.Flags, MTU: c.MTU, HardwareAddr: c.HardwareAddr,
		Broadcast: c.Broadcast, ParentIndex: o.parent, NumTxQueues: o.numTx, NumRxQueues: o.numRx,
		NetNS: c.NetNS, NetNSPID: c.NetNSPID, AddrGenMode: c.AddrGenMode,
		GSOMaxSize: c.GSOMaxSize, GSOMaxSegs: c.GSOMaxSegs, GROMaxSize: c.GROMaxSize,
	}
	if c.TxQueueLen != nil {
		l.TxQueueLen = *c.TxQueueLen
	}
	if c.Master != nil {
		l.MasterIndex = *c.Master
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
		return nil, usagef("link %s needs a device (or group)", verb)
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
func linkDelete(x *ipctx, a *argList) error {
	var o linkOpts
	for a.more() {
		w := a.next()
		switch {
		case w == "group":
			s, err := a.value(w)
			if err != nil {
				return err
			}
			g, err := parseLinkGroup(s)
			if err != nil {
				return err
			}
			o.group = &g
		case w == "type":
			a.i = len(a.a) // ip ignores the kind and its arguments here
		default:
			if w == "dev" {
				var err error
				if w, err = a.value(w); err != nil {
					return err
				}
			}
			if o.dev != "" {
				return usagef("either \"dev\" is duplicate, or %q is garbage", w)
			}
			o.dev = w
		}
	}
	idx, err := linkDevices(x, &o, "delete")
	if err != nil {
		return err
	}
	for _, i := range idx {
		x.linksChanged()
		if err := x.submit(func(b *rtnl.Batch) error { return b.Link(rtnl.Delete, &rtnl.Link{Index: i}) }); err != nil {
			return err
		}
	}
	return nil
}

// linkSet changes links, as `ip link set` does.
func linkSet(x *ipctx, a *argList) error {
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
		if err := x.submit(func(b *rtnl.Batch) error { return b.SetLink(i, &o.c) }); err != nil {
			return err
		}
	}
	if o.c.Name != "" || o.c.NetNS != nil || o.c.NetNSPID != 0 {
		x.linksChanged()
	}
	return nil
}

// parseLinkKind reads the arguments after "type KIND".
func parseLinkKind(x *ipctx, a *argList, kind string, add bool) (*rtnl.LinkInfo, error) {
	switch kind {
	case "veth":
		info := &rtnl.LinkInfo{Kind: kind}
		if !a.more() {
			return info, nil
		}
		if w := a.next(); w != "peer" {
			return nil, usagef("veth: unknown option %q", w)
		}
		if !add {
			return nil, usagef("veth: the peer is set at creation only")
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
	}
	if a.more() {
		return nil, usagef("%s: options are not supported (%q)", kind, a.peek())
	}
	return &rtnl.LinkInfo{Kind: kind}, nil
}

// linkArgNum reads the number after kw, of at most bits bits.
func linkArgNum(a *argList, kw string, bits int) (uint64, error) {
	return a.uint(kw, bits)
}

func parseBridgeArgs(a *argList) (*rtnl.BridgeInfo, error) {
	d := &rtnl.BridgeInfo{}
	for a.more() {
		w := a.next()
		var n uint64
		var err error
		num := func(bits int) bool {
			n, err = linkArgNum(a, w, bits)
			return err == nil
		}
		u32 := func(p **uint32) {
			if num(32) {
				*p = new(uint32(n))
			}
		}
		u64 := func(p **uint64) {
			if num(64) {
				*p = new(n)
			}
		}
		u8 := func(p **uint8) {
			if num(8) {
				*p = new(uint8(n))
			}
		}
		b := func(p **bool) {
			if num(8) {
				*p = new(n != 0)
			}
		}
		opt := func(bit uint32) {
			if num(8) {
				if d.BoolOpts == nil {
					d.BoolOpts = &rtnl.BridgeBoolOpts{}
				}
				d.BoolOpts.Mask |= bit
				if n != 0 {
					d.BoolOpts.Value |= bit
				}
			}
		}
		switch w {
		case "forward_delay":
			u32(&d.ForwardDelay)
		case "hello_time":
			u32(&d.HelloTime)
		case "max_age":
			u32(&d.MaxAge)
		case "ageing_time":
			u32(&d.AgeingTime)
		case "stp_state":
			u32(&d.STPState)
		case "priority":
			if num(16) {
				d.Priority = new(uint16(n))
			}
		case "vlan_filtering":
			b(&d.VLANFiltering)
		case "vlan_protocol":
			s, e := a.value(w)
			switch {
			case e != nil:
				err = e
			case s == "802.1Q" || s == "802.1q":
				d.VLANProtocol = new(uint16(0x8100))
			case s == "802.1ad" || s == "802.1AD":
				d.VLANProtocol = new(uint16(0x88a8))
			default:
				err = usagef("invalid vlan_protocol %q", s)
			}
		case "vlan_default_pvid":
			if num(16) {
				d.VLANDefaultPVID = new(uint16(n))
			}
		case "vlan_stats_enabled":
			b(&d.VLANStatsEnabled)
		case "vlan_stats_per_port":
			b(&d.VLANStatsPerPort)
		case "group_fwd_mask":
			if num(16) {
				d.GroupFwdMask = new(uint16(n))
			}
		case "group_address":
			d.GroupAddr, err = linkParseLLAddr(a, w)
		case "fdb_flush":
			d.FDBFlush = true
		case "fdb_max_learned":
			u32(&d.FDBMaxLearned)
		case "mcast_router":
			u8(&d.McastRouter)
		case "mcast_snooping":
			b(&d.McastSnooping)
		case "mcast_vlan_snooping":
			opt(rtnl.BridgeMcastVLANSnooping)
		case "no_linklocal_learn":
			opt(rtnl.BridgeNoLinkLocalLearn)
		case "mst_enabled":
			opt(rtnl.BridgeMSTEnabled)
		case "mcast_query_use_ifaddr":
			b(&d.McastQueryUseIfaddr)
		case "mcast_querier":
			b(&d.McastQuerier)
		case "mcast_hash_elasticity":
			u32(&d.McastHashElasticity)
		case "mcast_hash_max":
			u32(&d.McastHashMax)
		case "mcast_last_member_count":
			u32(&d.McastLastMemberCount)
		case "mcast_startup_query_count":
			u32(&d.McastStartupQueryCount)
		case "mcast_last_member_interval":
			u64(&d.McastLastMemberInterval)
		case "mcast_membership_interval":
			u64(&d.McastMembershipInterval)
		case "mcast_querier_interval":
			u64(&d.McastQuerierInterval)
		case "mcast_query_interval":
			u64(&d.McastQueryInterval)
		case "mcast_query_response_interval":
			u64(&d.McastQueryResponseInterval)
		case "mcast_startup_query_interval":
			u64(&d.McastStartupQueryInterval)
		case "mcast_stats_enabled":
			b(&d.McastStatsEnabled)
		case "mcast_igmp_version":
			u8(&d.McastIGMPVersion)
		case "mcast_mld_version":
			u8(&d.McastMLDVersion)
		case "nf_call_iptables":
			b(&d.NFCallIPTables)
		case "nf_call_ip6tables":
			b(&d.NFCallIP6Tables)
		case "nf_call_arptables":
			b(&d.NFCallARPTables)
		default:
			return nil, usagef("bridge: unknown option %q", w)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseBridgePortArgs(x *ipctx, a *argList) (*rtnl.BridgePortInfo, error) {
	d := &rtnl.BridgePortInfo{}
	for a.more() {
		w := a.next()
		var err error
		onOff := func(p **bool) {
			var s string
			if s, err = a.value(w); err != nil {
				return
			}
			if s != "on" && s != "off" {
				err = usagef("%q must be on or off", w)
				return
			}
			*p = new(s == "on")
		}
		switch w {
		case "fdb_flush":
			d.Flush = true
		case "state":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			st, e := rtnl.ParseBridgePortState(s)
			if e != nil {
				return nil, usagef("invalid state %q", s)
			}
			d.State = &st
		case "priority":
			n, e := a.uint(w, 16)
			err = e
			d.Priority = new(uint16(n))
		case "cost":
			n, e := a.uint(w, 32)
			err = e
			d.Cost = new(uint32(n))
		case "hairpin":
			onOff(&d.Hairpin)
		case "guard":
			onOff(&d.Guard)
		case "root_block":
			onOff(&d.RootBlock)
		case "fastleave", "mcast_fast_leave":
			onOff(&d.FastLeave)
		case "learning":
			onOff(&d.Learning)
		case "flood":
			onOff(&d.UnicastFlood)
		case "mcast_flood":
			onOff(&d.McastFlood)
		case "bcast_flood":
			onOff(&d.BcastFlood)
		case "mcast_to_unicast":
			onOff(&d.McastToUnicast)
		case "proxy_arp":
			onOff(&d.ProxyARP)
		case "proxy_arp_wifi":
			onOff(&d.ProxyARPWiFi)
		case "neigh_suppress":
			onOff(&d.NeighSuppress)
		case "vlan_tunnel":
			onOff(&d.VLANTunnel)
		case "isolated":
			onOff(&d.Isolated)
		case "locked":
			onOff(&d.Locked)
		case "mab":
			onOff(&d.MAB)
		case "mcast_router":
			n, e := a.uint(w, 8)
			err = e
			d.MulticastRouter = new(uint8(n))
		case "group_fwd_mask":
			n, e := a.uint(w, 16)
			err = e
			d.GroupFwdMask = new(uint16(n))
		case "backup_port":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			i, e := x.linkIndex(s)
			if e != nil {
				return nil, e
			}
			d.BackupPort = &i
		case "nobackup_port":
			d.BackupPort = new(0)
		default:
			return nil, usagef("bridge_slave: unknown option %q", w)
		}
		if err != nil {
			return nil, err
		}
	}
	return d, nil
}

func parseMacvlanArgs(a *argList) (*rtnl.MacvlanInfo, error) {
	d := &rtnl.MacvlanInfo{}
	for a.more() {
		w := a.next()
		switch w {
		case "mode":
			s, err := a.value(w)
			if err != nil {
				return nil, err
			}
			m, err := rtnl.ParseMacvlanMode(s)
			if err != nil {
				return nil, usagef("invalid macvlan mode %q", s)
			}
			d.Mode = m
		case "nopromisc", "nodst":
			f := rtnl.MacvlanNoPromisc
			if w == "nodst" {
				f = rtnl.MacvlanNoDst
			}
			if d.Flags == nil {
				d.Flags = new(rtnl.MacvlanFlags(0))
			}
			*d.Flags |= f
		case "bcqueuelen":
			n, err := a.uint(w, 32)
			if err != nil {
				return nil, err
			}
			d.BCQueueLen = new(uint32(n))
		case "macaddr":
			op, err := a.value(w)
			if err != nil {
				return nil, err
			}
			switch op {
			case "add", "del":
				m := rtnl.MacvlanMACAddrAdd
				if op == "del" {
					m = rtnl.MacvlanMACAddrDel
				}
				d.MACAddrMode = &m
				if d.MACAddr, err = linkParseLLAddr(a, "macaddr "+op); err != nil {
					return nil, err
				}
			case "flush":
				d.MACAddrMode = new(rtnl.MacvlanMACAddrFlush)
			case "set":
				d.MACAddrMode = new(rtnl.MacvlanMACAddrSet)
				for a.more() {
					hw, err := net.ParseMAC(a.peek())
					if err != nil {
						break
					}
					a.next()
					d.MACAddrs = append(d.MACAddrs, hw)
				}
			default:
				return nil, usagef("macaddr: unknown operation %q", op)
			}
		default:
			return nil, usagef("macvlan: unknown option %q", w)
		}
	}
	return d, nil
}

func parseVxlanArgs(x *ipctx, a *argList, add bool) (*rtnl.VxlanInfo, error) {
	d := &rtnl.VxlanInfo{}
	if add {
		d.Learning = new(true)
	}
	for a.more() {
		w := a.next()
		var err error
		flag := func(p **bool, v bool) { *p = new(v) }
		switch w {
		case "id", "vni":
			n, e := a.uint(w, 24)
			err = e
			d.ID = new(uint32(n))
		case "remote", "group":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			if d.Group, err = parseAddr(s, 0); err == nil && (w == "group") != d.Group.IsMulticast() {
				err = usagef("%s %s: a group must be multicast, a remote unicast", w, s)
			}
		case "local":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			d.Local, err = parseAddr(s, 0)
		case "dev":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			d.LinkIndex, err = x.linkIndex(s)
		case "dstport":
			n, e := a.uint(w, 16)
			err = e
			d.Port = new(uint16(n))
		case "srcport":
			lo, e := a.uint(w, 16)
			if e != nil {
				return nil, e
			}
			hi, e := a.uint(w, 16)
			err = e
			d.PortRange = &rtnl.VxlanPortRange{Low: uint16(lo), High: uint16(hi)}
		case "ttl", "hoplimit":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			switch s {
			case "inherit":
				d.TTLInherit = true
			case "auto":
				d.TTL = new(uint8(0))
			default:
				n, e := strconv.ParseUint(s, 0, 8)
				if e != nil {
					return nil, usagef("invalid ttl %q", s)
				}
				d.TTL = new(uint8(n))
			}
		case "tos", "dsfield":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			if s == "inherit" {
				d.TOS = new(uint8(1))
				break
			}
			n, e := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 8)
			if e != nil {
				return nil, usagef("invalid tos %q", s)
			}
			d.TOS = new(uint8(n))
		case "df":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			df, e := rtnl.ParseVxlanDF(s)
			if e != nil {
				return nil, usagef("invalid df %q", s)
			}
			d.DF = &df
		case "flowlabel", "label":
			n, e := a.uint(w, 20)
			err = e
			d.Label = new(uint32(n))
		case "ageing":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			if s == "none" {
				d.Ageing = new(uint32(0))
				break
			}
			n, e := strconv.ParseUint(s, 0, 32)
			if e != nil {
				return nil, usagef("invalid ageing %q", s)
			}
			d.Ageing = new(uint32(n))
		case "maxaddress", "maxaddr":
			s, e := a.value(w)
			if e != nil {
				return nil, e
			}
			if s == "unlimited" {
				d.Limit = new(uint32(0))
				break
			}
			n, e := strconv.ParseUint(s, 0, 32)
			if e != nil {
				return nil, usagef("invalid maxaddr %q", s)
			}
			d.Limit = new(uint32(n))
		case "learning", "nolearning":
			flag(&d.Learning, w == "learning")
		case "proxy", "noproxy":
			flag(&d.Proxy, w == "proxy")
		case "rsc", "norsc":
			flag(&d.RSC, w == "rsc")
		case "l2miss", "nol2miss":
			flag(&d.L2Miss, w == "l2miss")
		case "l3miss", "nol3miss":
			flag(&d.L3Miss, w == "l3miss")
		case "udpcsum", "noudpcsum":
			flag(&d.UDPCsum, w == "udpcsum")
		case "udp6zerocsumtx", "noudp6zerocsumtx":
			flag(&d.UDPZeroCsum6Tx, w == "udp6zerocsumtx")
		case "udp6zerocsumrx", "noudp6zerocsumrx":
			flag(&d.UDPZeroCsum6Rx, w == "udp6zerocsumrx")
		case "remcsumtx", "noremcsumtx":
			flag(&d.RemCsumTx, w == "remcsumtx")
		case "remcsumrx", "noremcsumrx":
			flag(&d.RemCsumRx, w == "remcsumrx")
		case "external", "noexternal":
			flag(&d.External, w == "external")
			if w == "external" {
				d.Learning = new(false)
			}
		case "vnifilter", "novnifilter":
			flag(&d.VNIFilter, w == "vnifilter")
		case "gbp":
			d.GBP = true
		case "gpe":
			d.GPE = true
		default:
			return nil, usagef("vxlan: unknown option %q", w)
		}
		if err != nil {
			return nil, err
		}
	}
	if add && d.ID == nil && (d.External == nil || !*d.External) {
		return nil, usagef("vxlan: missing virtual network identifier (id)")
	}
	return d, nil
}
