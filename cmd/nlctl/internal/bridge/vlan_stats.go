package bridge

import (
	"fmt"

	"github.com/nlkit/nlkit/rtnl"
)

// vlanShowStats is bridge -s vlan show: the VLANs' counters from the link
// statistics (RTM_GETSTATS), the bridges' first, then the ports'. A
// bridge's entries for VLANs only its ports have are left out, as bridge
// leaves them out; vid selects one VLAN exactly.
func vlanShowStats(x *bctx, dev string, vid uint16) error {
	link := 0
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		link = i
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	j := x.jsonArray()
	if j == nil {
		fmt.Fprintf(x.out, "%-16s  vlan-id\n", "port")
	}
	for _, ports := range []bool{false, true} {
		p := vlanPorts{x: x, j: j}
		f := &rtnl.BridgeVLANCounterFilter{LinkIndex: link, Ports: ports}
		for c, err := range x.h.BridgeVLANCounters(x.ctx, f) {
			if err != nil {
				return err
			}
			if vid != 0 && c.VID != vid {
				continue
			}
			if c.Flags&rtnl.BridgeVLANMaster != 0 && c.Flags&rtnl.BridgeVLANBrEntry == 0 {
				continue
			}
			p.open(c.LinkIndex)
			if j != nil {
				j.Object("")
				j.Uint("vid", uint64(c.VID))
			} else {
				fmt.Fprintf(x.out, "%d", c.VID)
			}
			x.printVLANFlags(j, c.Flags)
			if j == nil {
				x.out.WriteByte('\n')
			}
			x.printVLANCounters(j, &c.Stats)
			if j != nil {
				j.End()
			}
		}
		p.close()
	}
	x.endJSON(j)
	return nil
}
