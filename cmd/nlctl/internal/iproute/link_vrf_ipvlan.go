package iproute

import (
	"fmt"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

var (
	vrfWords    = sync.OnceValue(func() []cli.Word { return cli.Words(cli.KwValue(cli.ValueTable, "table*"), cli.Kw("help*")) })
	ipvlanWords = sync.OnceValue(func() []cli.Word {
		return cli.Words([]cli.Word{cli.KwChoice("mode*", "l3", "l3s", "l2")}, cli.Kw("private*", "vepa*", "bridge*", "help*"))
	})
)

func parseVrfArgs(x *ipctx, a *cli.Args) (*rtnl.VrfInfo, error) {
	d := &rtnl.VrfInfo{}
	for a.More() {
		w := cli.Resolve(vrfWords(), a.Next())
		switch w {
		case "table":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			tb, err := x.ipNames().parseTable(w, s)
			if err != nil {
				return nil, err
			}
			d.Table = new(tb)
		case "help":
			return nil, cli.Failf("vrf: the options are table TABLEID")
		default:
			return nil, cli.Failf("vrf: unknown option %s", cli.Quote(w))
		}
	}
	return d, nil
}

func vrfFields(d *rtnl.VrfInfo) linkFields {
	var f linkFields
	if d.Table != nil {
		f.uint("table", fmt.Sprintf("table %d", *d.Table), uint64(*d.Table))
	}
	return f
}

func vrfPortFields(d *rtnl.VrfPortInfo) linkFields {
	var f linkFields
	f.uint("table", fmt.Sprintf("table %d", d.Table), uint64(d.Table))
	return f
}

// parseIpvlanArgs reads ipvlan's and ipvtap's options; as ip, it always
// sends the flags (none, bridge, when no flag is given).
func parseIpvlanArgs(kind string, a *cli.Args) (*rtnl.IpvlanInfo, error) {
	d := &rtnl.IpvlanInfo{Flags: new(rtnl.IpvlanFlags(0))}
	flagGiven := false
	for a.More() {
		w := cli.Resolve(ipvlanWords(), a.Next())
		switch {
		case w == "mode":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			m, err := rtnl.ParseIpvlanMode(s)
			if err != nil || s != m.String() {
				return nil, cli.Failf("argument of \"mode\" must be either \"l2\", \"l3\" or \"l3s\"")
			}
			d.Mode = &m
		case (w == "private" || w == "vepa" || w == "bridge") && !flagGiven:
			flagGiven = true
			switch w {
			case "private":
				*d.Flags |= rtnl.IpvlanPrivate
			case "vepa":
				*d.Flags |= rtnl.IpvlanVEPA
			}
		case w == "help":
			return nil, cli.Failf("%s: the options are mode l3|l3s|l2 and bridge|private|vepa", kind)
		default:
			return nil, cli.Failf("%s: unknown option %s", kind, cli.Quote(w))
		}
	}
	return d, nil
}

func ipvlanFields(d *rtnl.IpvlanInfo) linkFields {
	var f linkFields
	if d.Mode != nil {
		m := "unknown"
		if *d.Mode <= rtnl.IpvlanL3S {
			m = d.Mode.String()
		}
		f.str("mode", " mode "+m, m)
	}
	if d.Flags != nil {
		switch {
		case *d.Flags&rtnl.IpvlanPrivate != 0:
			f.bool("private", "private", true)
		case *d.Flags&rtnl.IpvlanVEPA != 0:
			f.bool("vepa", "vepa", true)
		default:
			f.bool("bridge", "bridge", true)
		}
	}
	return f
}
