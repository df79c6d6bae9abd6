package bridge

import (
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// vlanShowDB is bridge -d vlan show: the VLAN database (RTM_GETVLAN), with
// each VLAN's STP state and options; with -s, each VLAN's counters too
// (the kernel then lists every VLAN on its own, never a range).
func vlanShowDB(x *bctx, dev string, vid uint16) error {
	f := &rtnl.BridgeVLANEntryFilter{Stats: x.env.Stats > 0}
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
	if j == nil {
		fmt.Fprintf(x.out, "%-16s  %-*s\n", "port", vlanIDLen, "vlan-id")
	}
	p := vlanPorts{x: x, j: j}
	for e, err := range x.h.BridgeVLANEntries(x.ctx, f) {
		if err != nil {
			return err
		}
		if vid != 0 && (vid < e.VID || vid > max(e.VID, e.VIDEnd)) {
			continue
		}
		p.open(e.LinkIndex)
		x.printVLANEntry(j, e, f.Stats)
	}
	p.close()
	x.endJSON(j)
	return nil
}

// vlanPorts groups VLAN database listings by port as bridge does: the
// port's name before its first VLAN, blanks before the others; in JSON an
// object per port with its array of VLANs.
type vlanPorts struct {
	x   *bctx
	j   *output.JSON
	cur int
	on  bool
}

// open starts the line of a VLAN of port link.
func (p *vlanPorts) open(link int) {
	if p.on && p.cur == link {
		if p.j == nil {
			fmt.Fprintf(p.x.out, "%-16s  ", "")
		}
		return
	}
	p.close()
	p.cur, p.on = link, true
	if p.j != nil {
		p.j.Object("")
		p.j.String("ifname", p.x.name(link))
		p.j.Array("vlans")
	} else {
		fmt.Fprintf(p.x.out, "%-16s  ", p.x.name(link))
	}
}

// close ends the current port.
func (p *vlanPorts) close() {
	if p.on && p.j != nil {
		p.j.End()
		p.j.End()
	}
	p.on = false
}

// printVLANFlags prints a VLAN's flags as bridge does when they are not 0.
func (x *bctx) printVLANFlags(j *output.JSON, f rtnl.BridgeVLANFlags) {
	if f == 0 {
		return
	}
	names := f.Names()
	if j != nil {
		j.Strings("flags", names)
		return
	}
	for _, n := range names {
		x.out.WriteString(" " + n)
	}
}

// printVLANEntry prints one entry of the VLAN database, after its port.
func (x *bctx) printVLANEntry(j *output.JSON, e *rtnl.BridgeVLANEntry, stats bool) {
	if j != nil {
		j.Object("")
	}
	printRange(x, j, "vlan", uint32(e.VID), uint32(e.VIDEnd))
	x.printVLANFlags(j, e.Flags)
	if j == nil {
		fmt.Fprintf(x.out, "\n%-16s    ", "")
	}
	x.printSTPState(j, e.State)
	if e.McastRouter != nil {
		if j != nil {
			j.Uint("mcast_router", uint64(*e.McastRouter))
		} else {
			fmt.Fprintf(x.out, "mcast_router %d ", *e.McastRouter)
		}
	}
	if j == nil {
		x.out.WriteByte('\n')
	}
	if stats {
		var s rtnl.BridgeVLANStats
		if e.Stats != nil {
			s = *e.Stats
		}
		x.printVLANCounters(j, &s)
	}
	if j != nil {
		j.End()
	}
}

// printSTPState prints a VLAN's STP state as bridge does: its name, or
// its number in parentheses.
func (x *bctx) printSTPState(j *output.JSON, s rtnl.BridgePortState) {
	if s <= rtnl.BridgePortBlocking {
		if j != nil {
			j.String("state", s.String())
		} else {
			fmt.Fprintf(x.out, "state %s ", s)
		}
		return
	}
	if j != nil {
		j.Uint("state", uint64(s))
	} else {
		fmt.Fprintf(x.out, "state (%d) ", s)
	}
}

// printVLANCounters prints a VLAN's counters: RX and TX lines in text.
func (x *bctx) printVLANCounters(j *output.JSON, s *rtnl.BridgeVLANStats) {
	if j != nil {
		j.Uint("rx_bytes", s.RxBytes)
		j.Uint("rx_packets", s.RxPackets)
		j.Uint("tx_bytes", s.TxBytes)
		j.Uint("tx_packets", s.TxPackets)
		return
	}
	fmt.Fprintf(x.out, "%-16s    RX: %d bytes %d packets\n", "", s.RxBytes, s.RxPackets)
	fmt.Fprintf(x.out, "%-16s    TX: %d bytes %d packets\n", "", s.TxBytes, s.TxPackets)
}
