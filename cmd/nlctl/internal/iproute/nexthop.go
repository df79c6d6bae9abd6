package iproute

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

const nexthopUsage = `usage: nlctl nexthop { list | show | flush } [ SELECTOR ]
       nlctl nexthop { add | replace } id ID NH [ protocol PROTO ]
       nlctl nexthop { get | del } id ID
       nlctl nexthop bucket { list | show } [ BUCKET_SELECTOR ]
       nlctl nexthop bucket get id ID index INDEX
SELECTOR := [ id ID ] [ dev DEV ] [ master DEV ] [ groups ] [ fdb ] [ protocol PROTO ]
BUCKET_SELECTOR := [ id ID ] [ dev DEV ] [ master DEV ] [ nhid ID ]
NH := { blackhole | [ via [ inet | inet6 ] ADDRESS ] [ dev DEV ] [ onlink ] [ encap ENCAP ] |
        group GROUP [ fdb ] [ type TYPE [ TYPE_ARGS ] ] } [ hw_stats { on | off } ]
GROUP := ID[,WEIGHT][/ID[,WEIGHT]...]   (WEIGHT 1 to 65535)
TYPE := { mpath | resilient }
TYPE_ARGS := [ buckets BUCKETS ] [ idle_timer SECONDS ] [ unbalanced_timer SECONDS ]
ENCAP := mpls LABEL[/LABEL...] [ ttl N ] | ip [ id ID ] [ dst ADDRESS ] [ src ADDRESS ] [ tos TOS ]
         [ ttl N ] [ key ] [ csum ] [ seq ] | ip6 ... (as for nlctl route)
With -s, show prints the groups' packet counters.
`

// runNexthop implements `ip nexthop`.

// nexthopChange parses a nexthop and submits it.
func nexthopChange(x *ipctx, a *cli.Args, v rtnl.Verb) error {
	nh, err := parseNexthop(x, a)
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Nexthop(v, &nh) })
}

// parseNexthop reads a nexthop as `ip nexthop add` does.
func parseNexthop(x *ipctx, a *cli.Args) (rtnl.Nexthop, error) {
	var nh rtnl.Nexthop
	switch x.env.Family {
	case 4:
		nh.Family = rtnl.IPv4
	case 6:
		nh.Family = rtnl.IPv6
	}
	for a.More() {
		w := cli.Resolve(nexthopChangeWords(), a.Next())
		var s string
		var err error
		switch {
		case w == "id":
			n, err := a.Uint(w, 32)
			if err != nil {
				return nh, err
			}
			nh.ID = uint32(n) // 0, or none: the kernel picks one
		case w == "dev":
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			if nh.LinkIndex, err = x.linkIndexArg(w, s); err != nil {
				return nh, err
			}
		case w == "via":
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			fam := 0
			switch nh.Family {
			case rtnl.IPv4:
				fam = 4
			case rtnl.IPv6:
				fam = 6
			}
			if s == "inet" || s == "inet6" { // as ip: a family first
				if fam = 4; s == "inet6" {
					fam = 6
				}
				if s, err = a.Value(w); err != nil {
					return nh, err
				}
			}
			if nh.Gateway, err = parseAddr(s, fam); err != nil {
				return nh, err
			}
		case w == "encap":
			if nh.Encap, err = parseEncap(a); err != nil {
				return nh, err
			}
		case w == "blackhole":
			nh.Blackhole = true
		case w == "fdb":
			nh.FDB = true
		case w == "onlink":
			nh.Flags |= rtnl.RouteOnlink
		case w == "group":
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			if nh.Group, err = parseNexthopGroup(s); err != nil {
				return nh, err
			}
			nh.Family = rtnl.AnyFamily
		case w == "type":
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			if nh.GroupType, err = rtnl.ParseNexthopGroupType(s); err != nil {
				return nh, invalidArg("type", s, "mpath or resilient")
			}
			if nh.GroupType == rtnl.NexthopGroupResilient {
				if err := parseResilientArgs(a, &nh.Resilient); err != nil {
					return nh, err
				}
			}
		case cli.Matches(w, "protocol"):
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			if nh.Protocol, err = rtnl.ParseRouteProtocol(s); err != nil {
				return nh, invalidArg("protocol", s, protocolForm)
			}
		case w == "hw_stats":
			if s, err = a.Value(w); err != nil {
				return nh, err
			}
			switch s {
			case "on":
				nh.HWStats = true
			case "off":
				nh.HWStats = false
			default:
				return nh, invalidArg(w, s, "on or off")
			}
		case w == "help":
			return nh, help(x, nexthopUsage)
		default:
			return nh, cli.Syntaxf("unknown nexthop keyword %s", cli.Quote(w))
		}
	}
	return nh, nil
}

// parseNexthopGroup reads ID[,WEIGHT]/ID[,WEIGHT]...
func parseNexthopGroup(s string) ([]rtnl.NexthopGroupMember, error) {
	var g []rtnl.NexthopGroupMember
	for m := range strings.SplitSeq(s, "/") {
		id, weight, hasWeight := strings.Cut(m, ",")
		n, err := strconv.ParseUint(id, 0, 32)
		if err != nil || n == 0 {
			return nil, invalidArg("group", s, "ID[,WEIGHT][/ID[,WEIGHT]...] (ids from 1 to 4294967295)")
		}
		member := rtnl.NexthopGroupMember{ID: uint32(n), Weight: 1}
		if hasWeight {
			w, err := strconv.ParseUint(weight, 0, 32)
			if err != nil || w == 0 || w > 65535 {
				return nil, invalidArg("group", s, "ID[,WEIGHT][/ID[,WEIGHT]...] (weights from 1 to 65535)")
			}
			member.Weight = int(w)
		}
		g = append(g, member)
	}
	return g, nil
}

// parseResilientArgs reads the arguments after "type resilient".
func parseResilientArgs(a *cli.Args, r *rtnl.NexthopResilient) error {
	for a.More() {
		w := a.Peek()
		secs := func() (time.Duration, error) {
			s, err := a.Value(w)
			if err != nil {
				return 0, err
			}
			// The kernel keeps the timers in hundredths of a second.
			const most = (1<<32-1)/100 - 1
			n, err := strconv.ParseUint(s, 0, 32)
			if err != nil || n > most {
				return 0, invalidArg(w, s, fmt.Sprintf("a number of seconds from 0 to %d", most))
			}
			return time.Duration(n) * time.Second, nil
		}
		var err error
		switch w {
		case "buckets":
			a.Next()
			var n uint64
			if n, err = a.Uint(w, 16); err == nil {
				r.Buckets = uint16(n)
				r.Explicit |= rtnl.ResilientFieldBuckets
			}
		case "idle_timer":
			a.Next()
			r.IdleTimer, err = secs()
			r.Explicit |= rtnl.ResilientFieldIdleTimer
		case "unbalanced_timer":
			a.Next()
			r.UnbalancedTimer, err = secs()
			r.Explicit |= rtnl.ResilientFieldUnbalancedTimer
		default:
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// nexthopID reads "id ID", the only argument of get and del.
func nexthopID(a *cli.Args, cmd string) (uint32, error) {
	var id uint64
	for a.More() {
		w := a.Next()
		switch w {
		case "id":
			n, err := a.Uint(w, 32)
			if err != nil {
				return 0, err
			}
			id = n
		default:
			return 0, cli.Syntaxf("unknown nexthop %s keyword %s (id ID is expected)", cmd, cli.Quote(w))
		}
	}
	if id == 0 {
		if cmd == "del" {
			// ip sends the request, and the kernel refuses it.
			return 0, errors.New("nexthop del needs an id (id ID): the kernel refuses a nexthop without")
		}
		return 0, cli.Syntaxf("not enough information: nexthop %s needs an id (id ID)", cmd)
	}
	return uint32(id), nil
}

func nexthopDelete(x *ipctx, a *cli.Args) error {
	id, err := nexthopID(a, "del")
	if err != nil {
		return err
	}
	return x.submit(func(b *rtnl.Batch) error { return b.Nexthop(rtnl.Delete, &rtnl.Nexthop{ID: id}) })
}

func nexthopGet(x *ipctx, a *cli.Args) error {
	id, err := nexthopID(a, "get")
	if err != nil {
		return err
	}
	return nexthopPrintOne(x, id)
}

// nexthopPrintOne prints one nexthop, fetched by ID, as `ip nexthop get`
// does.
func nexthopPrintOne(x *ipctx, id uint32) error {
	h, err := x.handle()
	if err != nil {
		return err
	}
	list, err := h.ListNexthops(x.ctx, &rtnl.NexthopFilter{ID: id, Stats: x.env.Stats > 0})
	if err == nil && len(list) == 0 {
		var nh *rtnl.Nexthop
		if nh, err = h.NexthopByID(x.ctx, id); err == nil { // else the kernel's own error
			list = append(list, *nh)
		}
	}
	if err != nil {
		return err
	}
	var j *output.JSON
	j = x.jsonArray()
	printNexthop(x, j, &list[0])
	if j != nil {
		j.End()
	}
	return nil
}

// nexthopSelector reads the selectors of `ip nexthop show`. It returns a
// non-zero id for "id ID", which ip answers with a get.
func nexthopSelector(x *ipctx, a *cli.Args) (*rtnl.NexthopFilter, uint32, error) {
	f := &rtnl.NexthopFilter{Stats: x.env.Stats > 0}
	switch x.env.Family {
	case 4:
		f.Family = rtnl.IPv4
	case 6:
		f.Family = rtnl.IPv6
	}
	var id uint32
	for a.More() {
		w := cli.Resolve(nexthopShowWords(), a.Next())
		var s string
		var err error
		switch {
		case cli.Matches(w, "dev"):
			if s, err = a.Value(w); err != nil {
				return nil, 0, err
			}
			if f.LinkIndex, err = x.linkIndexArg("dev", s); err != nil {
				return nil, 0, err
			}
		case cli.Matches(w, "groups"):
			f.Groups = true
		case cli.Matches(w, "master") || cli.Matches(w, "vrf"):
			if s, err = a.Value(w); err != nil {
				return nil, 0, err
			}
			if f.MasterIndex, err = x.linkIndexArg("master", s); err != nil {
				return nil, 0, err
			}
		case w == "id":
			n, err := a.Uint(w, 32)
			if err != nil {
				return nil, 0, err
			}
			id = uint32(n)
		case cli.Matches(w, "protocol"):
			if s, err = a.Value(w); err != nil {
				return nil, 0, err
			}
			if f.Protocol, err = rtnl.ParseRouteProtocol(s); err != nil {
				return nil, 0, invalidArg("protocol", s, protocolForm)
			}
		case cli.Matches(w, "fdb"):
			f.FDB = true
		case w == "help":
			return nil, 0, help(x, nexthopUsage)
		default:
			return nil, 0, cli.Syntaxf("unknown nexthop selector %s", cli.Quote(w))
		}
	}
	return f, id, nil
}

// nexthopShow lists (or flushes) the nexthops the selector picks.
func nexthopShow(x *ipctx, a *cli.Args, flush bool) error {
	f, id, err := nexthopSelector(x, a)
	if err != nil {
		return err
	}
	if id != 0 && !flush {
		return nexthopPrintOne(x, id)
	}
	f.ID = id
	h, err := x.handle()
	if err != nil {
		return err
	}
	if flush {
		return nexthopFlush(x, h, f)
	}
	if x.byIndex == nil { // names cannot be asked for inside the dump
		if err := x.loadLinks(); err != nil {
			return err
		}
	}
	var j *output.JSON
	j = x.jsonArray()
	for nh, err := range h.Nexthops(x.ctx, f) {
		if err != nil {
			if j != nil {
				j.End()
			}
			return err
		}
		printNexthop(x, j, nh)
	}
	if j != nil {
		j.End()
	}
	return nil
}

// nexthopFlush deletes the nexthops f selects, groups first (deleting a
// group's last member deletes the group too), and says how many went.
func nexthopFlush(x *ipctx, h *rtnl.Handle, f *rtnl.NexthopFilter) error {
	list, err := h.ListNexthops(x.ctx, f)
	if err != nil {
		return err
	}
	if f.ID != 0 && len(list) == 0 {
		// As ip, whose deletion of that id fails.
		return cli.Failf("nexthop id %d does not exist", f.ID)
	}
	b := h.NewBatch()
	for _, groups := range []bool{true, false} {
		for i := range list {
			if (len(list[i].Group) > 0) == groups {
				b.Nexthop(rtnl.Delete, &rtnl.Nexthop{ID: list[i].ID})
			}
		}
	}
	flushed := b.Len()
	err = b.Run(x.ctx, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if errors.As(err, &be) && be.Err == nil {
		for _, fail := range be.Failures {
			if !errors.Is(fail.Err, unix.ENOENT) { // gone with its last member
				return fail.Err
			}
		}
		err = nil
	}
	if err != nil {
		return err
	}
	if flushed == 0 {
		fmt.Fprintln(x.out, "Nothing to flush")
	} else {
		fmt.Fprintf(x.out, "Flushed %d nexthops\n", flushed)
	}
	return nil
}

// nhSeconds formats a duration in seconds as ip's %g does.
func nhSeconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'g', 6, 64)
}

// printNexthop prints a nexthop as `ip nexthop show` does: as JSON when j
// is not nil, else as text.
func printNexthop(x *ipctx, j *output.JSON, nh *rtnl.Nexthop) {
	var buf [64]byte
	w := x.out
	details := x.env.Details
	if j != nil {
		j.Object("")
		j.Uint("id", uint64(nh.ID))
	} else {
		w.WriteString("id ")
		writeCopy(w, strconv.AppendUint(buf[:0], uint64(nh.ID), 10))
		w.WriteByte(' ')
	}
	if len(nh.Group) > 0 {
		if j != nil {
			j.Array("group")
		} else {
			w.WriteString("group ")
		}
		for i, m := range nh.Group {
			if j != nil {
				j.Object("")
				j.Uint("id", uint64(m.ID))
				if m.Weight > 1 {
					j.Uint("weight", uint64(m.Weight))
				}
				j.End()
				continue
			}
			if i > 0 {
				w.WriteByte('/')
			}
			writeCopy(w, strconv.AppendUint(buf[:0], uint64(m.ID), 10))
			if m.Weight > 1 {
				w.WriteByte(',')
				writeCopy(w, strconv.AppendInt(buf[:0], int64(m.Weight), 10))
			}
		}
		if j != nil {
			j.End()
		} else {
			w.WriteByte(' ')
		}
	}
	if nh.GroupType != rtnl.NexthopGroupMpath {
		if j != nil {
			j.String("type", nh.GroupType.String())
		} else {
			fmt.Fprintf(w, "type %s ", nh.GroupType)
		}
	}
	if nh.GroupType == rtnl.NexthopGroupResilient {
		r := &nh.Resilient
		if j != nil {
			j.Object("resilient_args")
			j.Uint("buckets", uint64(r.Buckets))
			j.Number("idle_timer", nhSeconds(r.IdleTimer))
			j.Number("unbalanced_timer", nhSeconds(r.UnbalancedTimer))
			j.Number("unbalanced_time", nhSeconds(r.UnbalancedTime))
			j.End()
		} else {
			fmt.Fprintf(w, "buckets %d idle_timer %s unbalanced_timer %s unbalanced_time %s ",
				r.Buckets, nhSeconds(r.IdleTimer), nhSeconds(r.UnbalancedTimer), nhSeconds(r.UnbalancedTime))
		}
	}
	if nh.Encap.Type != 0 {
		if j != nil {
			printEncapJSON(j, nh.Encap)
		} else {
			w.WriteString(encapText(nh.Encap))
		}
	}
	if nh.Gateway.IsValid() {
		if j != nil {
			j.ASCII("gateway", nh.Gateway.AppendTo(buf[:0]))
		} else {
			w.WriteString("via ")
			writeCopy(w, nh.Gateway.AppendTo(buf[:0]))
			w.WriteByte(' ')
		}
	}
	if nh.LinkIndex != 0 {
		if j != nil {
			j.String("dev", x.linkName(nh.LinkIndex))
		} else {
			w.WriteString("dev ")
			w.WriteString(x.linkName(nh.LinkIndex))
			w.WriteByte(' ')
		}
	}
	if nh.Scope != rtnl.ScopeGlobal || details {
		if j != nil {
			j.String("scope", nh.Scope.String())
		} else {
			w.WriteString("scope ")
			w.WriteString(nh.Scope.String())
			w.WriteByte(' ')
		}
	}
	if nh.Blackhole {
		if j != nil {
			j.Null("blackhole")
		} else {
			w.WriteString("blackhole ")
		}
	}
	if nh.Protocol != rtnl.ProtoUnspec || details {
		if j != nil {
			j.String("protocol", nh.Protocol.String())
		} else {
			w.WriteString("proto ")
			w.WriteString(nh.Protocol.String())
			w.WriteByte(' ')
		}
	}
	flags := x.pc.routeFlagNames(nh.Flags)
	if j != nil {
		j.Strings("flags", flags)
	} else {
		for _, f := range flags {
			w.WriteString(f)
			w.WriteByte(' ')
		}
	}
	if nh.FDB {
		if j != nil {
			j.Null("fdb")
		} else {
			w.WriteString("fdb")
		}
	}
	if nh.HWStats || nh.HWStatsUsed {
		if j != nil {
			j.Bool("hw_stats", nh.HWStats)
			j.Bool("hw_stats_used", nh.HWStatsUsed)
		} else {
			fmt.Fprintf(w, "hw_stats %s ", nhOnOff(nh.HWStats))
		}
	}
	if x.env.Stats > 0 && len(nh.Group) > 0 {
		if j != nil {
			j.Array("group_stats")
			for _, m := range nh.Group {
				j.Object("")
				j.Uint("id", uint64(m.ID))
				j.Uint("packets", m.Packets)
				if nh.HWStats {
					j.Uint("packets_hw", m.HWPackets)
				}
				j.End()
			}
			j.End()
		} else {
			w.WriteString("\n  stats:")
			for _, m := range nh.Group {
				fmt.Fprintf(w, "\n    id %d packets %d", m.ID, m.Packets)
				if nh.HWStats {
					fmt.Fprintf(w, " packets_hw %d", m.HWPackets)
				}
			}
		}
	}
	if j != nil {
		j.End()
	} else {
		w.WriteByte('\n')
	}
}

func nhOnOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// runNexthopBucket implements `ip nexthop bucket`.

func bucketShow(x *ipctx, a *cli.Args) error {
	var f rtnl.NexthopBucketFilter
	for a.More() {
		w := cli.Resolve(bucketShowWords(), a.Next())
		var s string
		var err error
		switch {
		case w == "help":
			return help(x, nexthopUsage)
		case w == "id" || w == "nhid":
			n, err := a.Uint(w, 32)
			if err != nil {
				return err
			}
			if w == "id" {
				f.ID = uint32(n)
			} else {
				f.NexthopID = uint32(n)
			}
		case cli.Matches(w, "dev"):
			if s, err = a.Value(w); err != nil {
				return err
			}
			if f.LinkIndex, err = x.linkIndexArg("dev", s); err != nil {
				return err
			}
		case cli.Matches(w, "master") || cli.Matches(w, "vrf"):
			if s, err = a.Value(w); err != nil {
				return err
			}
			if f.MasterIndex, err = x.linkIndexArg("master", s); err != nil {
				return err
			}
		default:
			return cli.Syntaxf("unknown nexthop bucket selector %s", cli.Quote(w))
		}
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	var j *output.JSON
	j = x.jsonArray()
	for bk, err := range h.NexthopBuckets(x.ctx, &f) {
		if err != nil {
			if j != nil {
				j.End()
			}
			return err
		}
		printBucket(x, j, bk)
	}
	if j != nil {
		j.End()
	}
	return nil
}

func bucketGet(x *ipctx, a *cli.Args) error {
	var id, index uint64
	idSet, indexSet := false, false
	for a.More() {
		w := a.Next()
		var err error
		switch w {
		case "id":
			id, err = a.Uint(w, 32)
			idSet = true
		case "index":
			index, err = a.Uint(w, 16)
			indexSet = true
		default:
			return cli.Syntaxf("unknown nexthop bucket get keyword %s (id ID and index INDEX are expected)", cli.Quote(w))
		}
		if err != nil {
			return err
		}
	}
	if !idSet || !indexSet {
		return cli.Syntaxf("not enough information: nexthop bucket get needs id ID and index INDEX")
	}
	h, err := x.handle()
	if err != nil {
		return err
	}
	bk, err := h.NexthopBucketByIndex(x.ctx, uint32(id), uint16(index))
	if err != nil {
		return err
	}
	var j *output.JSON
	j = x.jsonArray()
	printBucket(x, j, bk)
	if j != nil {
		j.End()
	}
	return nil
}

// printBucket prints a bucket as `ip nexthop bucket show` does.
func printBucket(x *ipctx, j *output.JSON, bk *rtnl.NexthopBucket) {
	if j != nil {
		var buf [32]byte
		j.Object("")
		j.Uint("id", uint64(bk.ID))
		j.Object("bucket")
		j.Uint("index", uint64(bk.Index))
		j.NumberBytes("idle_time", strconv.AppendFloat(buf[:0], bk.IdleTime.Seconds(), 'g', 6, 64))
		j.Uint("nhid", uint64(bk.NexthopID))
		j.End()
		j.Strings("flags", x.pc.routeFlagNames(bk.Flags))
		j.End()
		return
	}
	b := append(x.pc.line[:0], "id "...)
	b = appendUint(b, bk.ID)
	b = append(b, " index "...)
	b = appendUint(b, bk.Index)
	b = append(b, " idle_time "...)
	b = strconv.AppendFloat(b, bk.IdleTime.Seconds(), 'g', 6, 64)
	b = append(b, " nhid "...)
	b = appendUint(b, bk.NexthopID)
	b = append(b, ' ')
	for _, f := range x.pc.routeFlagNames(bk.Flags) {
		b = append(b, f...)
		b = append(b, ' ')
	}
	b = append(b, '\n')
	x.out.Write(b)
	x.pc.line = b
}
