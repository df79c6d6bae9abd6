package bridge

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// runVNI runs `bridge vni [show|add|delete] ...`: the VNI filter of VXLAN
// devices with vnifilter on. bridge 6.1 takes its verbs whole (no
// abbreviations); nlctl also takes "del", as later bridges do.
func runVNI(x *bctx, a *cli.Args) error {
	if !a.More() {
		return vniShow(x, a)
	}
	switch w := a.Next(); w {
	case "add":
		return vniModify(x, a, rtnl.Add)
	case "delete", "del":
		return vniModify(x, a, rtnl.Delete)
	case "show", "lst", "list":
		return vniShow(x, a)
	case "help":
		return x.help("vni")
	default:
		return cli.Syntaxf("Command %s is unknown, try \"bridge vni help\".", cli.Quote(w))
	}
}

// maxVNI is the largest VNI, 24 bits.
const maxVNI = 1<<24 - 1

// parseVNIs reads bridge's VNI list: VNI or START-END, comma separated.
func parseVNIs(s string) ([][2]uint32, error) {
	var out [][2]uint32
	for item := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		start, err1 := strconv.ParseUint(lo, 10, 32)
		end, err2 := start, error(nil)
		if isRange {
			end, err2 = strconv.ParseUint(hi, 10, 32)
		}
		if err1 != nil || err2 != nil || start == 0 || start > maxVNI || end > maxVNI || end < start {
			return nil, cli.Syntaxf("Invalid VNI %s: a VNI is 1-%d, a range START-END with START <= END", cli.Quote(item), maxVNI)
		}
		if end == start {
			end = 0
		}
		out = append(out, [2]uint32{uint32(start), uint32(end)})
	}
	return out, nil
}

// vniModify runs bridge vni add|delete vni VNI[-VNI][,...] [group|remote
// IP] dev DEV.
func vniModify(x *bctx, a *cli.Args, verb rtnl.Verb) error {
	var dev, vnis string
	var group netip.Addr
	for a.More() {
		switch w := a.Next(); w {
		case "dev":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			dev = v
		case "vni":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			if vnis != "" {
				return cli.Syntaxf("argument %s is wrong: duplicate vni", cli.Quote(v))
			}
			vnis = v
		case "group", "remote":
			if group.IsValid() {
				return cli.Syntaxf("argument %s is wrong: duplicate group", cli.Quote(w))
			}
			v, err := value(a, w)
			if err != nil {
				return err
			}
			g, err := netip.ParseAddr(v)
			if err != nil || g.Zone() != "" {
				return cli.Failf("any valid address is expected rather than %s.", cli.Quote(v))
			}
			if w == "group" && !g.IsMulticast() {
				return cli.Syntaxf("argument %s is wrong: invalid group address", cli.Quote(v))
			}
			group = g
		case "help":
			return x.help("vni")
		default:
			return cli.Syntaxf("argument %s is unknown, try \"bridge vni help\"", cli.Quote(w))
		}
	}
	if dev == "" || vnis == "" {
		return cli.Syntaxf("Device and VNI ID are required arguments.")
	}
	list, err := parseVNIs(vnis)
	if err != nil {
		return err
	}
	idx, err := x.index(dev)
	if err != nil {
		return cli.Failf("Cannot find vxlan device %s", strconv.Quote(dev))
	}
	for _, r := range list {
		v := rtnl.VxlanVNI{LinkIndex: idx, VNI: r[0], VNIEnd: r[1], Group: group}
		var err error
		if verb == rtnl.Add {
			err = x.h.AddVxlanVNI(x.ctx, &v)
		} else {
			err = x.h.DeleteVxlanVNI(x.ctx, &v)
		}
		if err != nil {
			what := "adding"
			if verb != rtnl.Add {
				what = "deleting"
			}
			return fmt.Errorf("%s %s on %s (a VXLAN device in external mode with vnifilter on?): %w", what, vniString(r[0], r[1]), dev, err)
		}
	}
	return nil
}

// vniString shows a VNI or range in a message.
func vniString(vni, end uint32) string {
	if end != 0 {
		return fmt.Sprintf("VNI %d-%d", vni, end)
	}
	return fmt.Sprintf("VNI %d", vni)
}

// vniShow runs bridge vni show [dev DEV]; bridge skips words it does not
// know.
func vniShow(x *bctx, a *cli.Args) error {
	var dev string
	for a.More() {
		if w := a.Next(); w == "dev" {
			v, err := value(a, w)
			if err != nil {
				return err
			}
			if dev != "" {
				return cli.Syntaxf("duplicate \"dev\": %s is the second value", cli.Quote(v))
			}
			dev = v
		}
	}
	f := &rtnl.VxlanVNIFilter{Stats: x.env.Stats > 0}
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		f.LinkIndex = i
	}
	// The names, read before the dump: not on the connection during it.
	if err := x.loadLinks(); err != nil {
		return err
	}
	j := x.jsonArray()
	if j == nil {
		fmt.Fprintf(x.out, "%-16s  %-15s  %-15s\n", "dev", "vni", "group/remote")
	}
	// bridge prints a device's VNIs, as the kernel sends them together,
	// under the device's name.
	var run []rtnl.VxlanVNI
	for v, err := range x.h.VxlanVNIs(x.ctx, f) {
		if err != nil {
			x.endJSON(j)
			if dev != "" {
				return fmt.Errorf("listing the VNI filter of %s (a VXLAN device in external mode with vnifilter on?): %w", dev, err)
			}
			return fmt.Errorf("listing the VNI filters: %w", err)
		}
		if len(run) > 0 && run[0].LinkIndex != v.LinkIndex {
			x.printVNIs(j, run[0].LinkIndex, run, false)
			run = run[:0]
		}
		run = append(run, *v)
	}
	if len(run) > 0 {
		x.printVNIs(j, run[0].LinkIndex, run, false)
	}
	x.endJSON(j)
	return nil
}

// printVNIs prints one device's VNIs as bridge prints a message of them,
// in a listing or as an event (deleted: an RTM_DELTUNNEL's).
func (x *bctx) printVNIs(j *output.JSON, link int, vnis []rtnl.VxlanVNI, deleted bool) {
	if j != nil {
		j.Object("")
		if deleted {
			j.Bool("deleted", true)
		}
		j.String("ifname", x.name(link))
		j.Array("vnis")
		for i := range vnis {
			printVNIJSON(j, &vnis[i])
		}
		j.End()
		j.End()
		return
	}
	if deleted {
		x.out.WriteString("Deleted ")
	}
	for i := range vnis {
		name := ""
		if i == 0 {
			name = x.name(link)
		}
		fmt.Fprintf(x.out, "%-16s  ", name)
		x.printVNIText(&vnis[i])
	}
	x.out.WriteByte('\n')
}

// vniGroupKey is the key bridge prints a VNI's address under: "group"
// for a multicast group, "remote" for a unicast remote.
func vniGroupKey(a netip.Addr) string {
	if a.IsMulticast() {
		return "group"
	}
	return "remote"
}

func printVNIJSON(j *output.JSON, v *rtnl.VxlanVNI) {
	j.Object("")
	j.Uint("vni", uint64(v.VNI))
	if v.VNIEnd != 0 {
		j.Uint("vniEnd", uint64(v.VNIEnd))
	}
	if v.Group.IsValid() {
		j.String(vniGroupKey(v.Group), v.Group.Unmap().String())
	}
	if s := v.Stats; s != nil {
		j.Object("stats")
		j.Uint("rx_bytes", s.RxBytes)
		j.Uint("rx_pkts", s.RxPackets)
		j.Uint("rx_drops", s.RxDrops)
		j.Uint("rx_errors", s.RxErrors)
		j.Uint("tx_bytes", s.TxBytes)
		j.Uint("tx_pkts", s.TxPackets)
		j.Uint("tx_drops", s.TxDrops)
		j.Uint("tx_errors", s.TxErrors)
		j.End()
	}
	j.End()
}

// printVNIText prints a VNI's columns and, with counters, its RX and TX
// lines, as bridge does.
func (x *bctx) printVNIText(v *rtnl.VxlanVNI) {
	if v.VNIEnd != 0 {
		fmt.Fprintf(x.out, " %d-%-14d ", v.VNI, v.VNIEnd)
	} else {
		fmt.Fprintf(x.out, " %-14d", v.VNI)
	}
	if v.Group.IsValid() {
		x.out.WriteString(" " + v.Group.Unmap().String())
	}
	if s := v.Stats; s != nil {
		fmt.Fprintf(x.out, "\n%-16s   RX: bytes %d pkts %d drops %d errors %d ", "", s.RxBytes, s.RxPackets, s.RxDrops, s.RxErrors)
		fmt.Fprintf(x.out, "\n%-16s   TX: bytes %d pkts %d drops %d errors %d ", "", s.TxBytes, s.TxPackets, s.TxDrops, s.TxErrors)
	}
	x.out.WriteByte('\n')
}
