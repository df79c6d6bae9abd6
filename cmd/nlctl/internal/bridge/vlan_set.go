package bridge

import (
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// parseVIDs reads bridge vlan set's and global set's "vid VID[-VID]",
// worded as bridge words its refusals.
func parseVIDs(s string) (vid, end uint16, err error) {
	a, b, ranged := strings.Cut(s, "-")
	v, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, 0, cli.Syntaxf("Invalid VLAN ID %s: a number from 1 to 4094 is expected", cli.Quote(s))
	}
	if ranged {
		e, err := strconv.ParseUint(b, 10, 16)
		if err != nil || v >= e || e >= 4096 {
			return 0, 0, cli.Syntaxf("Invalid VLAN range %s", strconv.Quote(s))
		}
		end = uint16(e)
	}
	if v == 0 || v >= 4095 || end >= 4095 {
		return 0, 0, cli.Syntaxf("Invalid VLAN ID %s: a number from 1 to 4094 is expected", cli.Quote(s))
	}
	return uint16(v), end, nil
}

// vlanDevice resolves bridge vlan set's and global set's device, worded
// as bridge words a missing one.
func vlanDevice(x *bctx, dev string) (int, error) {
	i, err := x.index(dev)
	if err != nil {
		return 0, cli.Failf("Cannot find network device %s", strconv.Quote(dev))
	}
	return i, nil
}

// vlanSet runs bridge vlan set dev DEV vid VID[-VID] [state STATE]
// [mcast_router MODE]: per-VLAN options of a port (RTM_NEWVLAN).
func vlanSet(x *bctx, a *cli.Args) error {
	o := rtnl.BridgeVLANOptions{}
	vidSet := false
	for a.More() {
		w := a.Next()
		switch w {
		case "dev":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			if o.LinkIndex, err = vlanDevice(x, s); err != nil {
				return err
			}
		case "vid":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			if o.VID, o.VIDEnd, err = parseVIDs(s); err != nil {
				return err
			}
			vidSet = true
		case "state":
			s, err := value(a, w)
			if err != nil {
				return err
			}
			st, err := parseSTPState(s)
			if err != nil {
				return err
			}
			o.State = &st
		case "mcast_router":
			v, err := a.Uint(w, 8)
			if err != nil {
				return err
			}
			r := uint8(v)
			o.McastRouter = &r
		default:
			if cli.Matches(w, "help") {
				return x.help("vlan")
			}
			return cli.Syntaxf("bridge vlan set: argument %s is unknown, try \"bridge vlan help\"", cli.Quote(w))
		}
	}
	if o.LinkIndex == 0 || !vidSet {
		return cli.Syntaxf("Device and VLAN ID are required arguments.")
	}
	return x.h.SetBridgeVLANOptions(x.ctx, &o)
}
