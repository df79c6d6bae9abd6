package bridge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// runLink runs `bridge link [show|set] ...`.
func runLink(x *bctx, a *cli.Args) error {
	if !a.More() {
		return linkShow(x, a)
	}
	w := a.Next()
	switch {
	case cli.Matches(w, "set"), cli.Matches(w, "change"):
		return linkSet(x, a)
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return linkShow(x, a)
	case cli.Matches(w, "help"):
		return x.help("link")
	}
	return cli.Syntaxf("command %s is unknown, try \"bridge link help\"", cli.Quote(w))
}

func linkShow(x *bctx, a *cli.Args) error {
	var dev string
	for a.More() {
		w := a.Next()
		switch {
		case w == "dev":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			dev = v
		case cli.Matches(w, "help"):
			return x.help("link")
		default:
			dev = w
		}
	}
	var f rtnl.BridgePortFilter
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		f.LinkIndex = i
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	j := x.jsonArray()
	for p, err := range x.h.BridgePorts(x.ctx, &f) {
		if err != nil {
			return err
		}
		x.printLink(j, p, false)
	}
	x.endJSON(j)
	return nil
}

// linkFlagNames are the interface flags in the order bridge prints them.
var linkFlagNames = []struct {
	f    uint32
	name string
}{
	{unix.IFF_LOOPBACK, "LOOPBACK"}, {unix.IFF_BROADCAST, "BROADCAST"}, {unix.IFF_POINTOPOINT, "POINTOPOINT"},
	{unix.IFF_MULTICAST, "MULTICAST"}, {unix.IFF_NOARP, "NOARP"}, {unix.IFF_ALLMULTI, "ALLMULTI"},
	{unix.IFF_PROMISC, "PROMISC"}, {unix.IFF_MASTER, "MASTER"}, {unix.IFF_SLAVE, "SLAVE"},
	{unix.IFF_DEBUG, "DEBUG"}, {unix.IFF_DYNAMIC, "DYNAMIC"}, {unix.IFF_AUTOMEDIA, "AUTOMEDIA"},
	{unix.IFF_PORTSEL, "PORTSEL"}, {unix.IFF_NOTRAILERS, "NOTRAILERS"}, {unix.IFF_UP, "UP"},
	{unix.IFF_LOWER_UP, "LOWER_UP"}, {unix.IFF_DORMANT, "DORMANT"}, {unix.IFF_ECHO, "ECHO"},
}

// flagNames returns the flags as bridge prints them, with M-DOWN when the
// link's parent is down.
func flagNames(flags uint32, mdown bool) []string {
	var out []string
	if flags&unix.IFF_UP != 0 && flags&unix.IFF_RUNNING == 0 {
		out = append(out, "NO-CARRIER")
	}
	flags &^= unix.IFF_RUNNING
	for _, f := range linkFlagNames {
		if flags&f.f != 0 {
			flags &^= f.f
			out = append(out, f.name)
		}
	}
	if flags != 0 {
		out = append(out, strconv.FormatUint(uint64(flags), 16))
	}
	if mdown {
		out = append(out, "M-DOWN")
	}
	return out
}

var stpStates = []string{"disabled", "listening", "learning", "forwarding", "blocking"}

func stpState(s rtnl.BridgePortState) string {
	if int(s) < len(stpStates) {
		return stpStates[s]
	}
	return strconv.Itoa(int(s))
}

// printLink prints one link as bridge link show does.
func (x *bctx) printLink(j *output.JSON, p *rtnl.BridgePort, deleted bool) {
	name := x.portName(p)
	parent, mdown := "", false
	if p.ParentIndex != 0 && p.ParentIndex != p.LinkIndex {
		if p.LinkNetNSID == nil {
			parent = x.name(p.ParentIndex)
			if l, ok := x.links[p.ParentIndex]; ok {
				mdown = l.Flags&rtnl.LinkUp == 0
			}
		}
	}
	flags := flagNames(uint32(p.Flags), mdown)
	if j != nil {
		j.Object("")
		if deleted {
			j.Bool("deleted", true)
		}
		j.Int("ifindex", int64(p.LinkIndex))
		if p.ParentIndex != 0 && p.ParentIndex != p.LinkIndex {
			if p.LinkNetNSID != nil {
				j.Int("link_index", int64(p.ParentIndex))
			} else {
				j.String("link", parent)
			}
		}
		j.String("ifname", name)
		j.Strings("flags", flags)
		if p.MTU != 0 {
			j.Int("mtu", int64(p.MTU))
		}
		if p.MasterIndex != 0 {
			j.String("master", x.name(p.MasterIndex))
		}
		if pi := p.Port; pi != nil {
			x.printPortInfo(j, pi)
		}
		if p.Mode != nil {
			j.String("hwmode", p.Mode.String())
		}
		j.End()
		return
	}
	b := x.out
	if deleted {
		b.WriteString("Deleted ")
	}
	fmt.Fprintf(b, "%d: ", p.LinkIndex)
	switch {
	case p.ParentIndex != 0 && p.ParentIndex != p.LinkIndex && p.LinkNetNSID != nil:
		fmt.Fprintf(b, "%s@if%d: ", name, p.ParentIndex)
	case parent != "":
		fmt.Fprintf(b, "%s@%s: ", name, parent)
	default:
		b.WriteString(name + ": ")
	}
	b.WriteString("<" + strings.Join(flags, ",") + "> ")
	if p.MTU != 0 {
		fmt.Fprintf(b, "mtu %d ", p.MTU)
	}
	if p.MasterIndex != 0 {
		b.WriteString("master " + x.name(p.MasterIndex) + " ")
	}
	if pi := p.Port; pi != nil {
		x.printPortInfo(nil, pi)
	}
	if p.Mode != nil {
		b.WriteString("hwmode " + p.Mode.String() + " ")
	}
	b.WriteByte('\n')
}

// printPortInfo prints the port's settings (the options with -d).
func (x *bctx) printPortInfo(j *output.JSON, pi *rtnl.BridgePortInfo) {
	b := x.out
	if pi.State != nil {
		if j != nil {
			j.String("state", stpState(*pi.State))
		} else {
			b.WriteString("state " + stpState(*pi.State) + " ")
		}
	}
	if pi.Priority != nil {
		if j != nil {
			j.Uint("priority", uint64(*pi.Priority))
		} else {
			fmt.Fprintf(b, "priority %d ", *pi.Priority)
		}
	}
	if pi.Cost != nil {
		if j != nil {
			j.Uint("cost", uint64(*pi.Cost))
		} else {
			fmt.Fprintf(b, "cost %d ", *pi.Cost)
		}
	}
	if !x.env.Details {
		return
	}
	if j == nil {
		b.WriteString("\n    ")
	}
	onoff := func(key string, v *bool) {
		if v == nil {
			return
		}
		if j != nil {
			j.Bool(key, *v)
			return
		}
		s := "off"
		if *v {
			s = "on"
		}
		b.WriteString(key + " " + s + " ")
	}
	onoff("hairpin", pi.Hairpin)
	onoff("guard", pi.Guard)
	onoff("root_block", pi.RootBlock)
	onoff("fastleave", pi.FastLeave)
	onoff("learning", pi.Learning)
	onoff("flood", pi.UnicastFlood)
	onoff("mcast_flood", pi.McastFlood)
	onoff("bcast_flood", pi.BcastFlood)
	if pi.MulticastRouter != nil {
		if j != nil {
			j.Uint("mcast_router", uint64(*pi.MulticastRouter))
		} else {
			fmt.Fprintf(b, "mcast_router %d ", *pi.MulticastRouter)
		}
	}
	onoff("mcast_to_unicast", pi.McastToUnicast)
	onoff("neigh_suppress", pi.NeighSuppress)
	onoff("vlan_tunnel", pi.VLANTunnel)
	if pi.BackupPortIndex != nil {
		if j != nil {
			j.String("backup_port", x.name(*pi.BackupPortIndex))
		} else {
			b.WriteString("backup_port " + x.name(*pi.BackupPortIndex) + " ")
		}
	}
	onoff("isolated", pi.Isolated)
	onoff("locked", pi.Locked)
}

// linkSet runs bridge link set.
func linkSet(x *bctx, a *cli.Args) error {
	var p rtnl.BridgePort
	pi := &rtnl.BridgePortInfo{}
	var dev string
	set := false
	onoff := func(kw string, dst **bool) error {
		s, err := value(a, kw)
		if err != nil {
			return err
		}
		var v bool
		switch s {
		case "on":
			v = true
		case "off":
		default:
			return cli.Syntaxf("argument of %q must be \"on\" or \"off\", not %s", kw, cli.Quote(s))
		}
		*dst, set = &v, true
		return nil
	}
	for a.More() {
		w := a.Next()
		var err error
		switch w {
		case "dev":
			dev, err = value(a, w)
		case "cost":
			var v uint64
			if v, err = a.Uint(w, 32); err == nil {
				c := uint32(v)
				pi.Cost, set = &c, true
			}
		case "priority":
			var v uint64
			if v, err = a.Uint(w, 16); err == nil {
				c := uint16(v)
				pi.Priority, set = &c, true
			}
		case "state":
			var s string
			if s, err = value(a, w); err == nil {
				st, perr := parseSTPState(s)
				if perr != nil {
					return perr
				}
				pi.State, set = &st, true
			}
		case "guard":
			err = onoff(w, &pi.Guard)
		case "hairpin":
			err = onoff(w, &pi.Hairpin)
		case "fastleave":
			err = onoff(w, &pi.FastLeave)
		case "root_block":
			err = onoff(w, &pi.RootBlock)
		case "learning":
			err = onoff(w, &pi.Learning)
		case "flood":
			err = onoff(w, &pi.UnicastFlood)
		case "mcast_flood":
			err = onoff(w, &pi.McastFlood)
		case "bcast_flood":
			err = onoff(w, &pi.BcastFlood)
		case "mcast_to_unicast":
			err = onoff(w, &pi.McastToUnicast)
		case "neigh_suppress":
			err = onoff(w, &pi.NeighSuppress)
		case "vlan_tunnel":
			err = onoff(w, &pi.VLANTunnel)
		case "isolated":
			err = onoff(w, &pi.Isolated)
		case "locked":
			err = onoff(w, &pi.Locked)
		case "mab":
			err = onoff(w, &pi.MAB)
		case "mcast_router":
			var v uint64
			if v, err = a.Uint(w, 8); err == nil {
				r := uint8(v)
				pi.MulticastRouter, set = &r, true
			}
		case "backup_port":
			var s string
			if s, err = value(a, w); err == nil {
				i, ierr := x.index(s)
				if ierr != nil {
					return ierr
				}
				pi.BackupPortIndex, set = &i, true
			}
		case "nobackup_port":
			zero := 0
			pi.BackupPortIndex, set = &zero, true
		case "hwmode":
			var s string
			if s, err = value(a, w); err == nil {
				var m rtnl.BridgeMode
				switch s {
				case "vepa":
					m = rtnl.BridgeModeVEPA
				case "veb":
					m = rtnl.BridgeModeVEB
				default:
					return cli.Syntaxf("Mode argument must be \"vepa\" or \"veb\".")
				}
				p.Mode = &m
			}
		case "self":
			p.Where |= rtnl.BridgeFlagSelf
		case "master":
			p.Where |= rtnl.BridgeFlagMaster
		default:
			if cli.Matches(w, "help") {
				return x.help("link")
			}
			return cli.Syntaxf("unknown keyword %s", cli.Quote(w))
		}
		if err != nil {
			return err
		}
	}
	if dev == "" {
		return cli.Syntaxf("Device is a required argument.")
	}
	i, err := x.index(dev)
	if err != nil {
		return cli.Failf("Cannot find bridge device %s", strconv.Quote(dev))
	}
	p.LinkIndex = i
	if set {
		p.Port = pi
	}
	return x.h.SetBridgePort(x.ctx, &p)
}

func parseSTPState(s string) (rtnl.BridgePortState, error) {
	for i, n := range stpStates {
		if strings.EqualFold(s, n) {
			return rtnl.BridgePortState(i), nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil || v > 4 {
		return 0, cli.Syntaxf("State must be a number from 0 to 4 or a state name, not %s", cli.Quote(s))
	}
	return rtnl.BridgePortState(v), nil
}
