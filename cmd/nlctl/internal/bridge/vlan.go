package bridge

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// runVLAN runs `bridge vlan [show|tunnelshow|add|del|set|global] ...`.
func runVLAN(x *bctx, a *cli.Args) error {
	if !a.More() {
		return vlanShow(x, a, false)
	}
	w := a.Next()
	switch {
	case cli.Matches(w, "add"):
		return vlanModify(x, a, rtnl.Add)
	case cli.Matches(w, "delete"):
		return vlanModify(x, a, rtnl.Delete)
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return vlanShow(x, a, false)
	case cli.Matches(w, "tunnelshow"):
		return vlanShow(x, a, true)
	case cli.Matches(w, "set"):
		return vlanSet(x, a)
	case w == "global":
		return runVLANGlobal(x, a)
	case cli.Matches(w, "help"):
		return x.help("vlan")
	}
	return cli.Syntaxf("command %s is unknown, try \"bridge vlan help\"", cli.Quote(w))
}

// vlanIDLen is the width of bridge's vlan-id column.
const vlanIDLen = 9

// vlanShowArgs reads bridge vlan show's (and global show's) [dev DEV]
// [vid VID]; bridge skips words it does not know.
func vlanShowArgs(a *cli.Args) (dev string, vid uint16, err error) {
	for a.More() {
		switch w := a.Next(); w {
		case "dev":
			v, err := value(a, w)
			if err != nil {
				return "", 0, err
			}
			if dev != "" {
				return "", 0, cli.Syntaxf("duplicate \"dev\": %s is the second value", cli.Quote(v))
			}
			dev = v
		case "vid":
			v, err := a.Uint(w, 16)
			if err != nil {
				return "", 0, err
			}
			if vid != 0 {
				return "", 0, cli.Syntaxf("duplicate \"vid\": %d is the second value", v)
			}
			vid = uint16(v)
		}
	}
	return dev, vid, nil
}

func vlanShow(x *bctx, a *cli.Args, tunnels bool) error {
	dev, vid, err := vlanShowArgs(a)
	if err != nil {
		return err
	}
	if x.env.Details && !tunnels {
		return vlanShowDB(x, dev, vid)
	}
	if x.env.Stats > 0 {
		return vlanShowStats(x, dev, vid)
	}
	f := &rtnl.BridgePortFilter{VLANs: !x.compress, CompressVLANs: x.compress}
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		f.LinkIndex = i
	}
	j := x.jsonArray()
	if j == nil {
		fmt.Fprintf(x.out, "%-16s  %-*s", "port", vlanIDLen, "vlan-id")
		if tunnels {
			x.out.WriteString("  tunnel-id")
		}
		x.out.WriteByte('\n')
	}
	for p, err := range x.h.BridgePorts(x.ctx, f) {
		if err != nil {
			return err
		}
		if tunnels {
			x.printTunnels(j, p, vid)
		} else {
			x.printVLANs(j, p, vid)
		}
	}
	x.endJSON(j)
	return nil
}

// vlanWanted applies bridge's vid filter to an entry in VID order: keep it,
// or stop (an entry past the VLAN).
func vlanWanted(filter, vid, end uint16) (keep, stop bool) {
	if filter == 0 {
		return true, false
	}
	if vid > filter {
		return false, true
	}
	return max(vid, end) >= filter, false
}

// openPort starts a port's VLANs or tunnels.
func (x *bctx) openPort(j *output.JSON, p *rtnl.BridgePort, key string) {
	if j != nil {
		j.Object("")
		j.String("ifname", x.portName(p))
		j.Array(key)
		return
	}
	fmt.Fprintf(x.out, "%-16s  ", x.portName(p))
}

func (x *bctx) portName(p *rtnl.BridgePort) string {
	if p.Name != "" {
		return p.Name
	}
	return x.name(p.LinkIndex)
}

// printRange prints a VLAN or id range as bridge does (name, nameEnd)
// and returns its width in text.
func printRange(x *bctx, j *output.JSON, name string, start, end uint32) int {
	if j != nil {
		j.Uint(name, uint64(start))
		if end != 0 && end != start {
			j.Uint(name+"End", uint64(end))
		}
		return 0
	}
	s := strconv.FormatUint(uint64(start), 10)
	if end != 0 && end != start {
		s += "-" + strconv.FormatUint(uint64(end), 10)
	}
	x.out.WriteString(s)
	return len(s)
}

func (x *bctx) printVLANs(j *output.JSON, p *rtnl.BridgePort, filter uint16) {
	opened := false
	for _, v := range p.VLANs {
		keep, stop := vlanWanted(filter, v.VID, v.VIDEnd)
		if stop {
			break
		}
		if !keep {
			continue
		}
		if !opened {
			x.openPort(j, p, "vlans")
			opened = true
		} else if j == nil {
			fmt.Fprintf(x.out, "%-16s  ", "")
		}
		if j != nil {
			j.Object("")
		}
		printRange(x, j, "vlan", uint32(v.VID), uint32(v.VIDEnd))
		// bridge prints the flags whenever the kernel's are not 0,
		// which they are not for a range (its end flag): an empty list.
		if names := v.Flags.Names(); v.Flags != 0 || v.VIDEnd != 0 {
			if j != nil {
				j.Strings("flags", names)
			} else {
				for _, n := range names {
					x.out.WriteString(" " + n)
				}
			}
		}
		if j != nil {
			j.End()
		} else {
			x.out.WriteByte('\n')
		}
	}
	if opened && j != nil {
		j.End()
		j.End()
	}
}

func (x *bctx) printTunnels(j *output.JSON, p *rtnl.BridgePort, filter uint16) {
	opened := false
	for _, t := range p.Tunnels {
		keep, stop := vlanWanted(filter, t.VID, t.VIDEnd)
		if stop {
			break
		}
		if !keep {
			continue
		}
		if !opened {
			x.openPort(j, p, "tunnels")
			opened = true
		} else if j == nil {
			fmt.Fprintf(x.out, "%-16s  ", "")
		}
		if j != nil {
			j.Object("")
		}
		w := printRange(x, j, "vlan", uint32(t.VID), uint32(t.VIDEnd))
		if j == nil {
			fmt.Fprintf(x.out, "%s  ", strings.Repeat(" ", max(0, vlanIDLen-w)))
		}
		printRange(x, j, "tunid", t.TunnelID, t.TunnelIDEnd)
		if j != nil {
			j.End()
		} else {
			x.out.WriteByte('\n')
		}
	}
	if opened && j != nil {
		j.End()
		j.End()
	}
}

// parseRange reads "A" or "A-B".
func parseRange(kw, s string, bits int) (uint64, uint64, error) {
	a, b, ranged := strings.Cut(s, "-")
	start, err := cli.ParseUint(kw, a, bits)
	if err != nil {
		return 0, 0, err
	}
	if !ranged {
		return start, 0, nil
	}
	end, err := cli.ParseUint(kw, b, bits)
	if err != nil {
		return 0, 0, err
	}
	return start, end, nil
}

// vlanModify runs bridge vlan add and del.
func vlanModify(x *bctx, a *cli.Args, verb rtnl.Verb) error {
	var dev string
	var vid, vidEnd uint64
	vidSet, ranged := false, false
	var v rtnl.BridgeVLAN
	var tunSet bool
	var tunStart, tunEnd uint64
	for a.More() {
		w := a.Next()
		switch w {
		case "dev":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			dev = s
		case "vid":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			var err2 error
			vid, vidEnd, err2 = parseRange("vid", s, 16)
			if err2 != nil {
				return err2
			}
			vidSet, ranged = true, strings.Contains(s, "-")
		case "self":
			v.Where |= rtnl.BridgeFlagSelf
		case "master":
			v.Where |= rtnl.BridgeFlagMaster
		case "pvid":
			v.Flags |= rtnl.BridgeVLANPVID
		case "untagged":
			v.Flags |= rtnl.BridgeVLANUntagged
		case "tunnel_info":
			if kw := a.Next(); !cli.Matches(kw, "id") {
				return cli.Syntaxf("tunnel id expected, not %s", cli.Quote(kw))
			}
			s, err := value(a, "id")
			if err != nil {
				return err
			}
			tunStart, tunEnd, err = parseRange("tun id", s, 24)
			if err != nil {
				return err
			}
			tunSet = true
		default:
			if cli.Matches(w, "help") {
				return x.help("vlan")
			}
		}
	}
	if dev == "" || !vidSet {
		return cli.Syntaxf("Device and VLAN ID are required arguments.")
	}
	i, err := x.index(dev)
	if err != nil {
		return cli.Failf("Cannot find bridge device %s", strconv.Quote(dev))
	}
	if vid >= 4096 {
		return cli.Syntaxf("Invalid VLAN ID \"%d\"", vid)
	}
	if ranged {
		if vidEnd >= 4096 || vid >= vidEnd {
			return cli.Syntaxf("Invalid VLAN range \"%d-%d\"", vid, vidEnd)
		}
		if v.Flags&rtnl.BridgeVLANPVID != 0 {
			return cli.Syntaxf("pvid cannot be configured for a vlan range")
		}
	}
	if tunSet {
		t := rtnl.BridgeVLANTunnel{LinkIndex: i, VID: uint16(vid), VIDEnd: uint16(vidEnd),
			TunnelID: uint32(tunStart), TunnelIDEnd: uint32(tunEnd), Where: v.Where}
		if verb == rtnl.Delete {
			return x.h.DeleteBridgeVLANTunnel(x.ctx, &t)
		}
		return x.h.AddBridgeVLANTunnel(x.ctx, &t)
	}
	v.LinkIndex, v.VID, v.VIDEnd = i, uint16(vid), uint16(vidEnd)
	if verb == rtnl.Delete {
		return x.h.DeleteBridgeVLAN(x.ctx, &v)
	}
	return x.h.AddBridgeVLAN(x.ctx, &v)
}
