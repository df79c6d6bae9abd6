package bridge

import (
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// printVNIEvent prints an RTM_NEWTUNNEL or RTM_DELTUNNEL event of the VNI
// filter as bridge monitor vni does: the banner, "Deleted", then the
// device's VNIs as bridge vni show prints them. In JSON (bridge 6.1
// prints text there), one object: "deleted" for a deletion, the device's
// name and its VNIs. It reports whether m was one.
func (x *bctx) printVNIEvent(j *output.JSON, m nl.Message, banner bool) bool {
	if m.Header.Type != rtmNewTunnel && m.Header.Type != rtmDelTunnel {
		return false
	}
	var db rtnl.VxlanVNIDB
	if db.Decode(m) != nil || db.Family != rtnl.Bridge {
		return true
	}
	x.banner(banner, "[TUNNEL]")
	x.printVNIs(j, db.LinkIndex, db.Entries, m.Header.Type == rtmDelTunnel)
	return true
}

// The VNI filter's message types (RTM_NEWTUNNEL, RTM_DELTUNNEL).
const (
	rtmNewTunnel = 120
	rtmDelTunnel = 121
)
