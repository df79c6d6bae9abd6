package bridge

import (
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// usages are the objects' usage texts, printed by "help": what nlctl
// implements of bridge 6.1's grammar.
var usages = map[string]string{
	"link": `usage: nlctl bridge link set dev DEV [cost COST] [priority PRIO] [state STATE]
           [guard {on|off}] [hairpin {on|off}] [fastleave {on|off}] [root_block {on|off}]
           [learning {on|off}] [flood {on|off}]
           [mcast_router MULTICAST_ROUTER] [mcast_flood {on|off}] [bcast_flood {on|off}]
           [mcast_to_unicast {on|off}] [neigh_suppress {on|off}] [vlan_tunnel {on|off}]
           [isolated {on|off}] [locked {on|off}] [mab {on|off}] [hwmode {vepa|veb}]
           [backup_port DEV] [nobackup_port] [self] [master]
       nlctl bridge link show [dev DEV]
`,
	"fdb": `usage: nlctl bridge fdb {add|append|delete|replace} LLADDR dev DEV
           [self] [master] [use] [router] [extern_learn] [sticky]
           [local|static|dynamic] [vlan VID]
           {[dst IPADDR] [port PORT] [vni VNI] | [nhid NHID]} [via DEV] [src_vni VNI]
       nlctl bridge fdb [show [br BRDEV] [brport DEV] [vlan VID] [state STATE] [dynamic]]
`,
	"mdb": `usage: nlctl bridge mdb {add|replace|delete} dev DEV port PORT grp GROUP
           [src SOURCE] [permanent|temp] [vid VID]
       nlctl bridge mdb show [dev DEV] [vid VID]
`,
	"vlan": `usage: nlctl bridge vlan {add|delete} vid VID[-VID] dev DEV [tunnel_info id TUNNEL_ID[-TUNNEL_ID]]
           [pvid] [untagged] [self] [master]
       nlctl bridge vlan set vid VID[-VID] dev DEV [state STP_STATE] [mcast_router MULTICAST_ROUTER]
       nlctl bridge vlan {show|tunnelshow} [dev DEV] [vid VID]
       nlctl bridge vlan global set vid VID[-VID] dev DEV [mcast_snooping {0|1}]
           [mcast_querier {0|1}] [mcast_igmp_version {2|3}] [mcast_mld_version {1|2}]
           [mcast_last_member_count N] [mcast_last_member_interval T]
           [mcast_startup_query_count N] [mcast_startup_query_interval T]
           [mcast_membership_interval T] [mcast_querier_interval T]
           [mcast_query_interval T] [mcast_query_response_interval T]
       nlctl bridge vlan global show [dev DEV] [vid VID]
`,
	"vni": `usage: nlctl bridge vni {add|delete} vni VNI[-VNI][,VNI...] [{group|remote} IPADDR] dev DEV
       nlctl bridge vni show [dev DEV]
VNI := 1-16777215
`,
	"monitor": `usage: nlctl bridge monitor [link] [fdb] [mdb] [vlan] [vni] [all]
`,
}

// bridgeUsage is nlctl bridge's own usage.
const bridgeUsage = `usage: nlctl bridge [-c[ompressvlans]] [-s] [-d] [-j] [-n NETNS] OBJECT {COMMAND | help}
OBJECT := {link | fdb | mdb | vlan | vni | monitor}
`

// help prints the usage of object ("" for bridge's own) and ends the
// command with cli.ErrHelpShown.
func (x *bctx) help(object string) error {
	u, ok := usages[object]
	if !ok {
		u = bridgeUsage
	}
	fmt.Fprint(x.out, u)
	return cli.ErrHelpShown
}
