package bridge

import (
	"context"
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// runMonitor runs `bridge monitor [link|fdb|mdb|vlan|vni|all]`: the events
// of the chosen groups, printed by the show commands' printers, until
// interrupted (-j: one JSON object per line). As bridge 6.1's, "all" joins
// the VLAN and VNI (tunnel) groups too; no group at all, neither.
func runMonitor(x *bctx, a *cli.Args) error {
	var link, fdb, mdb, vlan, vni, all, prefix bool
	for a.More() {
		w := a.Next()
		switch {
		case cli.Matches(w, "link"):
			link = true
		case cli.Matches(w, "fdb"):
			fdb = true
		case cli.Matches(w, "mdb"):
			mdb = true
		case cli.Matches(w, "vlan"):
			vlan = true
		case w == "vni":
			vni = true
		case w == "all":
			all, prefix, vlan, vni = true, true, true, true
		case cli.Matches(w, "help"):
			return x.help("monitor")
		default:
			return cli.Syntaxf("Argument %s is unknown, try \"bridge monitor help\".", cli.Quote(w))
		}
	}
	// Without a group, bridge listens to all but the VLANs and VNIs;
	// with "vlan" or "vni" alone, to those alone.
	if !link && !fdb && !mdb && !vlan && !vni {
		all = true
	}
	ns, err := x.env.OpenNS()
	if err != nil {
		return err
	}
	cfg := nl.Config{NetNS: ns}
	if x.env.RcvBuf > 0 {
		cfg.ReadBuffer = x.env.RcvBuf
	}
	c, err := nl.Dial(nl.Route, &cfg)
	if ns != nil {
		ns.Close()
	}
	if err != nil {
		return err
	}
	defer c.Close()
	var groups []uint32
	if all || link {
		groups = append(groups, rtnl.GroupLink)
	}
	if all || fdb {
		groups = append(groups, rtnl.GroupNeigh)
	}
	if all || mdb {
		groups = append(groups, rtnl.GroupMDB)
	}
	if vlan {
		groups = append(groups, rtnl.GroupBridgeVLAN)
	}
	for _, g := range groups {
		if err := c.JoinGroup(g); err != nil {
			return err
		}
	}
	// The tunnel group (Linux 6.0 and later): bridge exits where the
	// kernel lacks it.
	if vni {
		if err := c.JoinGroup(rtnl.GroupTunnel); err != nil {
			return fmt.Errorf("joining the VNI filter's multicast group (RTNLGRP_TUNNEL, Linux 6.0 and later): %w", err)
		}
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	for m, err := range c.Messages(x.ctx) {
		var j *output.JSON
		if x.env.JSON {
			j = output.NewJSON(x.out, false, false)
		}
		if err != nil {
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		}
		switch m.Header.Type {
		case unix.RTM_NEWLINK, unix.RTM_DELLINK:
			var p rtnl.BridgePort
			if p.Decode(m) != nil {
				continue
			}
			if m.Header.Type == unix.RTM_NEWLINK {
				x.links = nil // names may have changed
			}
			x.banner(prefix, "[LINK]")
			x.printLink(j, &p, m.Header.Type == unix.RTM_DELLINK)
		case unix.RTM_NEWNEIGH, unix.RTM_DELNEIGH:
			var n rtnl.Neighbour
			if n.Decode(m) != nil || n.Family != rtnl.Bridge {
				continue
			}
			x.banner(prefix, "[NEIGH]")
			x.printFDB(j, &n, false, m.Header.Type == unix.RTM_DELNEIGH)
		case unix.RTM_NEWMDB, unix.RTM_DELMDB:
			var d rtnl.MDB
			if d.Decode(m) != nil {
				continue
			}
			for i := range d.Entries {
				x.banner(prefix, "[MDB]")
				x.printMDBEntry(j, &d.Entries[i], m.Header.Type == unix.RTM_DELMDB)
			}
			for _, r := range d.Routers {
				x.banner(prefix, "[MDB]")
				if j != nil {
					j.Object("")
					j.Array(x.name(d.MasterIndex))
					j.Object("")
					j.String("port", x.name(r.LinkIndex))
					j.End()
					j.End()
					j.End()
				} else {
					x.out.WriteString("router port dev " + x.name(r.LinkIndex) + " master " + x.name(d.MasterIndex) + "\n")
				}
			}
		default:
			if !x.printVLANEvent(j, m, prefix) && !x.printVNIEvent(j, m, prefix) {
				continue
			}
		}
		if err := x.out.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// banner prints bridge monitor all's prefix of an event.
func (x *bctx) banner(on bool, s string) {
	if on && !x.env.JSON {
		x.out.WriteString(s)
	}
}
