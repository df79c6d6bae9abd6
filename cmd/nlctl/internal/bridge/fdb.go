package bridge

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// runFDB runs `bridge fdb [show|add|append|del|replace] ...`.
func runFDB(x *bctx, a *cli.Args) error {
	if !a.More() {
		return fdbShow(x, a)
	}
	w := a.Next()
	switch {
	case cli.Matches(w, "add"):
		return fdbModify(x, a, rtnl.Add)
	case cli.Matches(w, "append"):
		return fdbModify(x, a, rtnl.Append)
	case cli.Matches(w, "replace"):
		return fdbModify(x, a, rtnl.Replace)
	case cli.Matches(w, "delete"):
		return fdbModify(x, a, rtnl.Delete)
	case cli.Matches(w, "show"), cli.Matches(w, "list"), cli.Matches(w, "lst"):
		return fdbShow(x, a)
	case cli.Matches(w, "help"):
		return x.help("fdb")
	}
	return cli.Syntaxf("command %s is unknown, try \"bridge fdb help\"", cli.Quote(w))
}

// fdbFilter is what `bridge fdb show` selects.
type fdbFilter struct {
	index, master int
	vlan          uint16
	state         rtnl.NeighState
	dynamic       bool
}

func fdbShow(x *bctx, a *cli.Args) error {
	var f fdbFilter
	var dev, br string
	for a.More() {
		switch w := a.Next(); w {
		case "brport", "dev":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			dev = v
		case "br":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			br = v
		case "vlan":
			v, err := a.Uint(w, 16)
			if err != nil {
				return err
			}
			f.vlan = uint16(v)
		case "state":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			s, err := parseFDBState(v)
			if err != nil {
				return err
			}
			f.state |= s
		case "dynamic":
			f.dynamic = true
		default:
			if cli.Matches(w, "help") {
				return x.help("fdb")
			}
		}
	}
	if br != "" {
		i, err := x.index(br)
		if err != nil {
			return cli.Failf("Cannot find bridge device %s", strconv.Quote(br))
		}
		f.master = i
	}
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		f.index = i
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	j := x.jsonArray()
	filter := &rtnl.NeighbourFilter{Family: rtnl.Bridge, LinkIndex: f.index, MasterIndex: f.master}
	for n, err := range x.h.Neighbours(x.ctx, filter) {
		if err != nil {
			return err
		}
		if !f.keep(n) {
			continue
		}
		x.printFDB(j, n, f.index != 0, false)
	}
	x.endJSON(j)
	return nil
}

func (f *fdbFilter) keep(n *rtnl.Neighbour) bool {
	switch {
	case n.Family != rtnl.Bridge,
		f.index != 0 && n.LinkIndex != f.index,
		f.state != 0 && n.State&f.state == 0,
		f.vlan != 0 && n.Vlan != f.vlan,
		f.dynamic && n.State&rtnl.NeighPermanent != 0:
		return false
	}
	return true
}

// parseFDBState reads a state of `bridge fdb show state`: permanent,
// static, dynamic, or a number.
func parseFDBState(s string) (rtnl.NeighState, error) {
	switch {
	case cli.Matches(s, "permanent"):
		return rtnl.NeighPermanent, nil
	case cli.Matches(s, "static") || cli.Matches(s, "temp"):
		return rtnl.NeighNoARP, nil
	case cli.Matches(s, "dynamic"):
		return rtnl.NeighReachable, nil
	}
	v, err := strconv.ParseUint(s, 0, 16)
	if err != nil {
		return 0, cli.Syntaxf("invalid state %s", cli.Quote(s))
	}
	return rtnl.NeighState(v), nil
}

// fdbStateName is the state as bridge prints it ("" for reachable).
func fdbStateName(s rtnl.NeighState, json bool) string {
	switch {
	case s&rtnl.NeighPermanent != 0:
		return "permanent"
	case s&rtnl.NeighNoARP != 0:
		return "static"
	case s&rtnl.NeighStale != 0:
		return "stale"
	case s&rtnl.NeighReachable != 0:
		return ""
	}
	if json {
		return fmt.Sprintf("%#x", uint16(s))
	}
	return fmt.Sprintf("state=%#x", uint16(s))
}

// fdbFlagNames are the flags in the order bridge prints them.
var fdbFlagNames = []struct {
	f    rtnl.NeighFlags
	name string
}{
	{rtnl.NeighSelf, "self"}, {rtnl.NeighRouter, "router"}, {rtnl.NeighExternLearn, "extern_learn"},
	{rtnl.NeighOffload, "offload"}, {rtnl.NeighMaster, "master"}, {rtnl.NeighSticky, "sticky"},
}

// printFDB prints one entry as bridge fdb show does (deleted: an event of
// its removal).
func (x *bctx) printFDB(j *output.JSON, n *rtnl.Neighbour, noDev, deleted bool) {
	stats := x.env.Stats > 0
	if j != nil {
		j.Object("")
		if deleted {
			j.Bool("deleted", true)
		}
		if len(n.LinkAddr) > 0 {
			j.String("mac", n.LinkAddr.String())
		}
		if !noDev && n.LinkIndex != 0 {
			j.String("ifname", x.name(n.LinkIndex))
		}
		if n.Addr.IsValid() {
			j.String("dst", n.Addr.String())
		}
		if n.Vlan != 0 {
			j.Uint("vlan", uint64(n.Vlan))
		}
		if n.Port != 0 {
			j.Uint("port", uint64(n.Port))
		}
		if n.VNI != 0 {
			j.Uint("vni", uint64(n.VNI))
		}
		if n.SrcVNI != 0 {
			j.Uint("src_vni", uint64(n.SrcVNI))
		}
		if n.ViaLinkIndex != 0 {
			if n.LinkNetNSID != nil {
				j.Uint("viaIfIndex", uint64(n.ViaLinkIndex))
			} else {
				j.String("viaIf", x.name(n.ViaLinkIndex))
			}
		}
		if n.NexthopID != 0 {
			j.Uint("nhid", uint64(n.NexthopID))
		}
		if n.LinkNetNSID != nil {
			j.Int("linkNetNsId", int64(*n.LinkNetNSID))
		}
		if stats && n.RefCount|uint32(n.Used|n.Updated) != 0 {
			j.Uint("used", uint64(n.Used/time.Second))
			j.Uint("updated", uint64(n.Updated/time.Second))
		}
		j.Array("flags")
		for _, fl := range fdbFlagNames {
			if n.Flags&fl.f != 0 {
				j.String("", fl.name)
			}
		}
		j.End()
		if n.MasterIndex != 0 {
			j.String("master", x.name(n.MasterIndex))
		}
		j.String("state", fdbStateName(n.State, true))
		j.End()
		return
	}
	b := x.out
	if deleted {
		b.WriteString("Deleted ")
	}
	if len(n.LinkAddr) > 0 {
		b.WriteString(n.LinkAddr.String() + " ")
	}
	if !noDev && n.LinkIndex != 0 {
		b.WriteString("dev " + x.name(n.LinkIndex) + " ")
	}
	if n.Addr.IsValid() {
		b.WriteString("dst " + n.Addr.String() + " ")
	}
	if n.Vlan != 0 {
		fmt.Fprintf(b, "vlan %d ", n.Vlan)
	}
	if n.Port != 0 {
		fmt.Fprintf(b, "port %d ", n.Port)
	}
	if n.VNI != 0 {
		fmt.Fprintf(b, "vni %d ", n.VNI)
	}
	if n.SrcVNI != 0 {
		fmt.Fprintf(b, "src_vni %d ", n.SrcVNI)
	}
	if n.ViaLinkIndex != 0 {
		if n.LinkNetNSID != nil {
			fmt.Fprintf(b, "via ifindex %d ", n.ViaLinkIndex)
		} else {
			b.WriteString("via " + x.name(n.ViaLinkIndex) + " ")
		}
	}
	if n.NexthopID != 0 {
		fmt.Fprintf(b, "nhid %d ", n.NexthopID)
	}
	if n.LinkNetNSID != nil {
		fmt.Fprintf(b, "link-netnsid %d ", *n.LinkNetNSID)
	}
	if stats && n.RefCount|uint32(n.Used|n.Updated) != 0 {
		fmt.Fprintf(b, "used %d/%d ", n.Used/time.Second, n.Updated/time.Second)
	}
	for _, fl := range fdbFlagNames {
		if n.Flags&fl.f != 0 {
			b.WriteString(fl.name + " ")
		}
	}
	if n.MasterIndex != 0 {
		b.WriteString("master " + x.name(n.MasterIndex) + " ")
	}
	b.WriteString(fdbStateName(n.State, false))
	b.WriteByte('\n')
}

// fdbModify runs bridge fdb add, append, replace and del.
func fdbModify(x *bctx, a *cli.Args, v rtnl.Verb) error {
	n := rtnl.Neighbour{Family: rtnl.Bridge, State: rtnl.NeighNoARP}
	var dev, addr string
	vid := -1
	dstSet, vniSet := false, false
	for a.More() {
		w := a.Next()
		switch {
		case w == "dev":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			dev = s
		case w == "dst":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			if dstSet {
				return cli.Syntaxf("duplicate \"dst\": %s is the second value", cli.Quote(s))
			}
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return cli.Syntaxf("invalid address %s", cli.Quote(s))
			}
			n.Addr, dstSet = ip, true
		case w == "nhid":
			id, err := a.Uint(w, 32)
			if err != nil {
				return err
			}
			n.NexthopID = uint32(id)
		case w == "port":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			p, err := strconv.ParseUint(s, 0, 16)
			if err != nil {
				pn, perr := net.LookupPort("udp", s)
				if perr != nil {
					return cli.Syntaxf("invalid port %s", cli.Quote(s))
				}
				p = uint64(pn)
			}
			n.Port = uint16(p)
		case w == "vni":
			vni, err := a.Uint(w, 24)
			if err != nil {
				return err
			}
			n.VNI, vniSet = uint32(vni), true
		case w == "src_vni":
			vni, err := a.Uint(w, 24)
			if err != nil {
				return err
			}
			n.SrcVNI = uint32(vni)
		case w == "via":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			i, err := x.index(s)
			if err != nil {
				return err
			}
			n.ViaLinkIndex = i
		case w == "self":
			n.Flags |= rtnl.NeighSelf
		case cli.Matches(w, "master"):
			n.Flags |= rtnl.NeighMaster
		case cli.Matches(w, "router"):
			n.Flags |= rtnl.NeighRouter
		case cli.Matches(w, "local"), cli.Matches(w, "permanent"):
			n.State |= rtnl.NeighPermanent
		case cli.Matches(w, "temp"), cli.Matches(w, "static"):
			n.State |= rtnl.NeighReachable
		case cli.Matches(w, "dynamic"):
			n.State |= rtnl.NeighReachable
			n.State &^= rtnl.NeighNoARP
		case cli.Matches(w, "vlan"):
			if vid >= 0 {
				return cli.Syntaxf("duplicate \"vlan\"")
			}
			id, err := a.Uint(w, 12)
			if err != nil {
				return err
			}
			vid = int(id)
		case cli.Matches(w, "use"):
			n.Flags |= rtnl.NeighUse
		case cli.Matches(w, "extern_learn"):
			n.Flags |= rtnl.NeighExternLearn
		case cli.Matches(w, "sticky"):
			n.Flags |= rtnl.NeighSticky
		default:
			if w == "to" {
				s, err := value(a, w)
				if err != nil {
					return err
				}
				w = s
			} else if cli.Matches(w, "help") {
				return x.help("fdb")
			}
			if addr != "" {
				return cli.Syntaxf("duplicate \"to\": %s is the second value", cli.Quote(w))
			}
			addr = w
		}
	}
	if dev == "" || addr == "" {
		return cli.Syntaxf("Device and address are required arguments.")
	}
	if n.NexthopID != 0 && (dstSet || n.Port != 0 || vniSet) {
		return cli.Syntaxf("dst, port, vni are mutually exclusive with nhid")
	}
	if n.Flags&(rtnl.NeighSelf|rtnl.NeighMaster) == 0 {
		n.Flags |= rtnl.NeighSelf
	}
	if n.State&(rtnl.NeighPermanent|rtnl.NeighReachable) == 0 {
		n.State |= rtnl.NeighPermanent
	}
	mac, err := net.ParseMAC(addr)
	if err != nil || len(mac) != 6 {
		return cli.Syntaxf("Invalid mac address %s", addr)
	}
	n.LinkAddr = mac
	if vid >= 0 {
		n.Vlan = uint16(vid)
	}
	i, err := x.index(dev)
	if err != nil {
		return err
	}
	n.LinkIndex = i
	switch v {
	case rtnl.Add:
		return x.h.AddNeighbour(x.ctx, &n)
	case rtnl.Replace:
		return x.h.ReplaceNeighbour(x.ctx, &n)
	case rtnl.Delete:
		return x.h.DeleteNeighbour(x.ctx, &n)
	}
	return x.h.AppendNeighbour(x.ctx, &n)
}
