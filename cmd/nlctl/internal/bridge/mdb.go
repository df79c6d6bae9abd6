package bridge

import (
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// runMDB runs `bridge mdb [show|add|del|replace] ...`.
func runMDB(x *bctx, a *cli.Args) error {
	if !a.More() {
		return mdbShow(x, a)
	}
	w := a.Next()
	switch {
	case cli.Matches(w, "add"):
		return mdbModify(x, a, rtnl.Add)
	case cli.Matches(w, "replace"):
		return mdbModify(x, a, rtnl.Replace)
	case cli.Matches(w, "delete"):
		return mdbModify(x, a, rtnl.Delete)
	case cli.Matches(w, "show"), cli.Matches(w, "lst"), cli.Matches(w, "list"):
		return mdbShow(x, a)
	case cli.Matches(w, "help"):
		return x.help("mdb")
	}
	return cli.Syntaxf("command %s is unknown, try \"bridge mdb help\"", cli.Quote(w))
}

func mdbShow(x *bctx, a *cli.Args) error {
	var dev string
	var f rtnl.MDBEntryFilter
	for a.More() {
		switch w := a.Next(); w {
		case "dev":
			v, err := value(a, w)
			if err != nil {
				return err
			}
			if dev != "" {
				return cli.Syntaxf("duplicate \"dev\": %s is the second value", cli.Quote(v))
			}
			dev = v
		case "vid":
			v, err := a.Uint(w, 16)
			if err != nil {
				return err
			}
			f.VID = uint16(v)
		}
	}
	if dev != "" {
		i, err := x.index(dev)
		if err != nil {
			return err
		}
		f.MasterIndex = i
	}
	if err := x.loadLinks(); err != nil {
		return err
	}
	// One dump for the entries, a second for the router ports, as
	// bridge does.
	var j *output.JSON
	if x.env.JSON {
		j = output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
		j.Array("")
		j.Object("")
		j.Array("mdb")
	}
	for e, err := range x.h.MDBEntries(x.ctx, &f) {
		if err != nil {
			return err
		}
		x.printMDBEntry(j, e, false)
	}
	var routers []rtnl.MDBRouterPort
	if x.env.Details {
		var err error
		routers, err = x.h.ListMDBRouterPorts(x.ctx, &rtnl.MDBRouterPortFilter{MasterIndex: f.MasterIndex})
		if err != nil {
			return err
		}
	}
	if j != nil {
		j.End()
		j.Object("router")
	}
	x.printRouters(j, routers)
	if j != nil {
		j.End()
		j.End()
		x.endJSON(j)
	}
	return nil
}

// printRouters prints the router ports by bridge, as bridge -d mdb show.
func (x *bctx) printRouters(j *output.JSON, routers []rtnl.MDBRouterPort) {
	for i := 0; i < len(routers); {
		br := routers[i].MasterIndex
		k := i
		for k < len(routers) && routers[k].MasterIndex == br {
			k++
		}
		brName := x.name(br)
		if j != nil {
			j.Array(brName)
		} else if x.env.Stats == 0 {
			fmt.Fprintf(x.out, "router ports on %s: ", brName)
		}
		for _, r := range routers[i:k] {
			switch {
			case j != nil:
				j.Object("")
				j.String("port", x.name(r.LinkIndex))
				if x.env.Stats > 0 {
					j.String("timer", formatTimer(r.Timer, true))
					j.String("type", routerType(r.Type))
				}
				j.End()
			case x.env.Stats > 0:
				fmt.Fprintf(x.out, "router ports on %s: %s %s %s\n", brName, x.name(r.LinkIndex), formatTimer(r.Timer, true), routerType(r.Type))
			default:
				x.out.WriteString(x.name(r.LinkIndex) + " ")
			}
		}
		if j != nil {
			j.End()
		} else if x.env.Stats == 0 {
			x.out.WriteByte('\n')
		}
		i = k
	}
}

// routerType words a router port's type as bridge 6.1 does: "temp" for
// the learned kinds (temp_query, temp), "permanent" for the others.
func routerType(t uint8) string {
	if t == 1 || t == 3 {
		return "temp"
	}
	return "permanent"
}

// formatTimer prints a timer as bridge does: seconds with two decimals,
// aligned to 4 digits when align.
func formatTimer(d time.Duration, align bool) string {
	cs := d / (10 * time.Millisecond)
	if align {
		return fmt.Sprintf("%4d.%02d", cs/100, cs%100)
	}
	return fmt.Sprintf("%d.%02d", cs/100, cs%100)
}

// printMDBEntry prints one entry as bridge mdb show does.
func (x *bctx) printMDBEntry(j *output.JSON, e *rtnl.MDBEntry, deleted bool) {
	grp := e.GroupMAC.String()
	if e.Group.IsValid() {
		grp = e.Group.String()
	}
	dev, port := x.name(e.MasterIndex), x.name(e.LinkIndex)
	if j != nil {
		j.Object("")
		if deleted {
			j.Bool("deleted", true)
		}
		j.Int("index", int64(e.MasterIndex))
		j.String("dev", dev)
		j.String("port", port)
		j.String("grp", grp)
		if e.Source.IsValid() {
			j.String("src", e.Source.String())
		}
		j.String("state", e.State.String())
		if x.env.Details {
			if e.FilterMode != rtnl.MDBFilterNone {
				j.String("filter_mode", e.FilterMode.String())
			}
			if len(e.Sources) > 0 {
				j.Array("source_list")
				for _, s := range e.Sources {
					j.Object("")
					j.String("address", s.Addr.String())
					j.String("timer", formatTimer(s.Timer, false))
					j.End()
				}
				j.End()
			}
			if e.Protocol != 0 {
				j.String("protocol", protoName(e.Protocol))
			}
		}
		j.Strings("flags", e.Flags.Names())
		if e.VID != 0 {
			j.Uint("vid", uint64(e.VID))
		}
		if x.env.Stats > 0 {
			j.String("timer", formatTimer(e.Timer, true))
		}
		j.End()
		return
	}
	b := x.out
	if deleted {
		b.WriteString("Deleted ")
	}
	fmt.Fprintf(b, "dev %s port %s grp %s", dev, port, grp)
	if e.Source.IsValid() {
		b.WriteString(" src " + e.Source.String())
	}
	b.WriteString(" " + e.State.String())
	if x.env.Details {
		if e.FilterMode != rtnl.MDBFilterNone {
			b.WriteString(" filter_mode " + e.FilterMode.String())
		}
		if len(e.Sources) > 0 {
			b.WriteString(" source_list")
			sep := " "
			for _, s := range e.Sources {
				b.WriteString(sep + s.Addr.String() + "/" + formatTimer(s.Timer, false))
				sep = ","
			}
		}
		if e.Protocol != 0 {
			b.WriteString(" proto " + protoName(e.Protocol) + " ")
		}
	}
	for _, n := range e.Flags.Names() {
		b.WriteString(" " + n)
	}
	if e.VID != 0 {
		fmt.Fprintf(b, " vid %d", e.VID)
	}
	if x.env.Stats > 0 {
		b.WriteString(" " + formatTimer(e.Timer, true))
	}
	b.WriteByte('\n')
}

// protoName names a routing protocol as iproute2 does.
func protoName(p rtnl.RouteProtocol) string { return p.String() }

// mdbModify runs bridge mdb add, replace and del.
func mdbModify(x *bctx, a *cli.Args, v rtnl.Verb) error {
	var e rtnl.MDBEntry
	var dev, port, grp, src string
	for a.More() {
		w := a.Next()
		var err error
		switch {
		case w == "dev":
			dev, err = value(a, w)
		case w == "grp":
			grp, err = value(a, w)
		case w == "port":
			port, err = value(a, w)
		case w == "permanent":
			if v != rtnl.Delete {
				e.State = rtnl.MDBPermanent
			}
		case w == "temp":
		case w == "vid":
			var id uint64
			if id, err = a.Uint(w, 12); err == nil {
				e.VID = uint16(id)
			}
		case w == "src":
			src, err = value(a, w)
		default:
			if cli.Matches(w, "help") {
				return x.help("mdb")
			}
			return cli.Syntaxf("unknown keyword %s", cli.Quote(w))
		}
		if err != nil {
			return err
		}
	}
	if dev == "" || port == "" || grp == "" {
		return cli.Syntaxf("Device, group address and port name are required arguments.")
	}
	var err error
	if e.MasterIndex, err = x.index(dev); err != nil {
		return err
	}
	if e.LinkIndex, err = x.index(port); err != nil {
		return err
	}
	if ip, perr := netip.ParseAddr(grp); perr == nil {
		e.Group = ip
	} else if mac, merr := net.ParseMAC(grp); merr == nil && len(mac) == 6 {
		e.GroupMAC = mac
	} else {
		return cli.Syntaxf("Invalid address %s", cli.Quote(grp))
	}
	if src != "" {
		ip, perr := netip.ParseAddr(src)
		if perr != nil {
			return cli.Syntaxf("Invalid source address %s", cli.Quote(src))
		}
		e.Source = ip
	}
	switch v {
	case rtnl.Add:
		return x.h.AddMDBEntry(x.ctx, &e)
	case rtnl.Replace:
		return x.h.ReplaceMDBEntry(x.ctx, &e)
	}
	return x.h.DeleteMDBEntry(x.ctx, &e)
}
