package iproute

import (
	"bufio"
	"iter"
	"os"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

const linkUsage = `usage: nlctl link show [ [dev] DEVICE | group GROUP ] [up] [master DEV] [nomaster] [type KIND]
       nlctl link add [link DEV] [name] NAME [txqueuelen N] [address LLADDR] [broadcast LLADDR]
                      [mtu MTU] [index IDX] [numtxqueues N] [numrxqueues N] [netns {PID | NAME}]
                      [link-netns NAME | link-netnsid ID] [mode {default | dormant}]
                      [state STATE] [master DEV] [group GROUP] [up] type KIND [ARGS]
       nlctl link delete { [dev] DEVICE | group GROUP }
       nlctl link set { [dev] DEVICE | group GROUP } [up | down] [mtu MTU] [name NEWNAME]
                      [address LLADDR] [broadcast LLADDR] [alias NAME] [txqueuelen N]
                      [master DEV | nomaster] [netns {PID | NAME}] [group GROUP]
                      [arp | multicast | allmulticast | promisc | dynamic | trailers {on | off}]
                      [carrier {on | off}] [protodown {on | off}]
                      [addrgenmode {eui64 | none | stable_secret | random}]
                      [gso_max_size N] [gso_max_segs N] [gro_max_size N] [type KIND ARGS]
                      [mode {default | dormant}] [state STATE]
       nlctl link property {add | del} dev DEVICE altname NAME...
KIND ARGS := veth [peer [name] NAME [LINK OPTIONS]]
           | bridge [forward_delay N] [hello_time N] [max_age N] [ageing_time N] [stp_state 0|1]
                    [priority N] [vlan_filtering 0|1] [vlan_protocol 802.1Q|802.1ad]
                    [group_fwd_mask MASK] [group_address LLADDR] [mcast_snooping 0|1] ...
           | bridge_slave [state N] [priority N] [cost N] [hairpin|guard|root_block|fastleave|
                    learning|flood|mcast_flood|bcast_flood|proxy_arp|isolated|... {on | off}] ...
           | macvlan | macvtap [mode {private | vepa | bridge | passthru | source}] [nopromisc]
                    [flag {nopromisc | nodst | null}]
                    [nodst] [bcqueuelen N] [macaddr {add|del} LLADDR | set LLADDR... | flush]
           | vxlan id VNI [remote ADDR | group ADDR] [local ADDR] [dev DEV] [dstport PORT]
                    [srcport MIN MAX] [ttl N|auto|inherit] [tos N|inherit] [df unset|set|inherit]
                    [flowlabel N] [[no]learning] [ageing N] [maxaddr N] [[no]udpcsum] [external] ...
           | vlan id VLANID [protocol 802.1Q|802.1ad] [reorder_hdr|gvrp|mvrp|loose_binding|
                    bridge_binding {on | off}] [ingress-qos-map FROM:TO...] [egress-qos-map FROM:TO...]
           | bond [mode MODE] [active_slave DEV | clear_active_slave] [miimon N] [updelay N]
                    [downdelay N] [arp_interval N] [arp_ip_target ADDR,...] [primary DEV]
                    [xmit_hash_policy POLICY] [lacp_rate slow|fast] [ad_select SEL] [min_links N] ...
           | bond_slave [queue_id N] [prio N]
           | vrf table TABLE
           | ipvlan | ipvtap [mode {l2 | l3 | l3s}] [bridge | private | vepa]
           | dummy | ifb | any other kind (without arguments)
`

// linkTable is one dump of every link: the links to show, and the names
// and flags of the links they refer to.
type linkTable struct {
	all     *chunkList[rtnl.Link] // in the kernel's order
	byIndex map[int]*rtnl.Link
}

// loadLinkTable dumps every link, and refreshes the ipctx's name cache with
// the same dump.
func loadLinkTable(x *ipctx) (*linkTable, error) {
	h, err := x.handle()
	if err != nil {
		return nil, err
	}
	all, err := collectList(func() iter.Seq2[*rtnl.Link, error] { return h.Links(x.ctx, nil) })
	if err != nil {
		return nil, err
	}
	t := &linkTable{all: all, byIndex: make(map[int]*rtnl.Link, all.len())}
	x.byName = make(map[string]int, all.len())
	x.byIndex = make(map[int]string, all.len())
	for l := range all.all() {
		t.byIndex[l.Index] = l
		x.byName[l.Name] = l.Index
		x.byIndex[l.Index] = l.Name
	}
	return t, nil
}

// add adds a link that the dump did not have (created since).
func (t *linkTable) add(l *rtnl.Link) {
	if _, ok := t.byIndex[l.Index]; !ok {
		t.byIndex[l.Index] = t.all.add(l)
	}
}

func (t *linkTable) name(index int) string {
	if l, ok := t.byIndex[index]; ok {
		return l.Name
	}
	return "if" + strconv.Itoa(index)
}

// flagNames returns a link's flags as ip lists them: NO-CARRIER for a link
// up without carrier, the flags, and M-DOWN when the link it is stacked on
// (in this namespace) is down. The list is shared by every link with the
// same flags: it must not be changed.
func (t *linkTable) flagNames(x *ipctx, l *rtnl.Link) []string {
	k := linkFlagsKey{flags: l.Flags &^ rtnl.LinkRunning}
	k.noCarrier = l.Flags&rtnl.LinkUp != 0 && l.Flags&rtnl.LinkRunning == 0
	if l.ParentIndex != 0 && l.LinkNetNSID == nil {
		p, ok := t.byIndex[l.ParentIndex]
		k.mdown = !ok || p.Flags&rtnl.LinkUp == 0
	}
	return cachedNames(&x.pc.linkFlags, k, func() []string {
		names := []string{}
		if k.noCarrier {
			names = append(names, "NO-CARRIER")
		}
		names = append(names, k.flags.Names()...)
		if k.mdown {
			names = append(names, "M-DOWN")
		}
		return names
	})
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
		return 0, invalidArg("group", s, "a group name (from /etc/iproute2/group) or a number from 0 to 4294967295")
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
