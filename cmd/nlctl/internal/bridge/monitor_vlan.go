package bridge

import (
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// printVLANEvent prints an RTM_NEWVLAN or RTM_DELVLAN event as bridge
// monitor vlan does: the banner, "Deleted", then the port's VLAN entries
// (as bridge -d vlan show) or the bridge's global options (as bridge vlan
// global show). In JSON, one object: the port's or bridge's name, the
// VLANs, and "deleted" for a deletion. It reports whether m was one.
func (x *bctx) printVLANEvent(j *output.JSON, m nl.Message, banner bool) bool {
	if m.Header.Type != rtmNewVLAN && m.Header.Type != rtmDelVLAN {
		return false
	}
	var db rtnl.BridgeVLANDB
	var g rtnl.BridgeVLANGlobalDB
	if db.Decode(m) != nil || g.Decode(m) != nil {
		return true
	}
	if len(m.Data) < 1 || m.Data[0] != unix.AF_BRIDGE {
		return true
	}
	deleted := m.Header.Type == rtmDelVLAN
	x.banner(banner, "[VLAN]")
	if j != nil {
		j.Object("")
		if deleted {
			j.Bool("deleted", true)
		}
		j.String("ifname", x.name(db.LinkIndex))
		j.Array("vlans")
		for i := range db.Entries {
			x.printVLANEntry(j, &db.Entries[i], x.env.Stats > 0)
		}
		for i := range g.Options {
			x.printVLANGlobal(j, &g.Options[i])
		}
		j.End()
		j.End()
		return true
	}
	if deleted {
		x.out.WriteString("Deleted ")
	}
	p := vlanPorts{x: x}
	for i := range db.Entries {
		p.open(db.LinkIndex)
		x.printVLANEntry(nil, &db.Entries[i], x.env.Stats > 0)
	}
	for i := range g.Options {
		p.open(g.LinkIndex)
		x.printVLANGlobal(nil, &g.Options[i])
	}
	return true
}

// The VLAN database's message types (RTM_NEWVLAN, RTM_DELVLAN).
const (
	rtmNewVLAN = 112
	rtmDelVLAN = 113
)
