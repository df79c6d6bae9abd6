package iproute

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

const monitorUsage = `usage: nlctl monitor [all | OBJECT...] [label] [dev DEVICE] [all-nsid]
OBJECT := link | address | route | neigh | nexthop | rule | nsid
Prints every change of the objects named (of all of them by default) as
ip monitor does, until interrupted; the objects that exist when it starts are
not printed. "all" and "label" begin each event with its object ([LINK],
[ADDR], [ROUTE], [NEIGH], [NEXTHOP], [RULE], [NSID]); "dev DEVICE" keeps the
links, addresses, routes and neighbours of that interface. "all-nsid" also
prints the events of the namespaces that have an id in this one, each line
begun with "[nsid N]" ("[nsid current]" for this namespace's).
Options: -t, -ts       the time of each event (ip's "Timestamp:" line, or short)
         -j            one JSON object per line: ip -j's keys of the object,
                       with "event" (new, delete), "object", "time" and
                       "netns" (with -n or -all-netns)
         -n NETNS      another namespace; -all-netns: every one in /run/netns
         -4, -6        addresses, routes, neighbours and rules of one family
         -rcvbuf SIZE  the receive buffer, in bytes
Events the kernel could not deliver (its buffer for the monitor overran) are
never lost silently: a "Resync:" line says so, the objects that differ from
what was printed follow, and "Resync: done" ends them.
Not supported yet: mroute, prefix, netconf, stats, maddress, acaddress, file.
`

// monitorWords are the words of ip monitor, in the order ip 6.1 tries them
// (maddress and acaddress, which later versions added, last, so that ip
// 6.1's abbreviations hold): "l" is label, "li" link, "a" address, "n"
// neigh, "ne" neigh, "nex" nexthop, "ns" nsid, "r" route, "ru" rule, "al"
// all-nsid.
func monitorWords() []cli.Word {
	return cli.Words(
		cli.KwValue(cli.ValueFile, "file*"),
		cli.Kw("label*", "link*", "address*", "route*", "mroute*", "prefix*", "neigh*",
			"netconf*", "rule*", "nsid*", "nexthop*", "stats", "all", "all-nsid*", "help*"),
		cli.KwValue(cli.ValueDevice, "dev"),
		cli.Kw("maddress*", "acaddress"),
	)
}

// monitorGrammar offers the words nlctl supports.
func monitorGrammar() cli.Grammar {
	return cli.Grammar{Verbs: []cli.Verb{{
		Words: cli.Words(
			cli.Kw("label*", "link*", "address*", "route*", "neigh*", "rule*", "nsid*", "nexthop*", "all", "help*"),
			cli.KwValue(cli.ValueDevice, "dev"),
		),
	}}}
}

// monitorKinds maps ip monitor's object words to rtnl's kinds.
var monitorKinds = map[string]rtnl.Kinds{
	"link": rtnl.KindLink, "address": rtnl.KindAddress, "route": rtnl.KindRoute,
	"neigh": rtnl.KindNeighbour, "nexthop": rtnl.KindNexthop, "rule": rtnl.KindRule,
	"nsid": rtnl.KindNetNSID,
}

// monitorLabels are ip's labels, and monitorObjects the objects' names in
// JSON, by kind.
var (
	monitorLabels = map[rtnl.Kinds]string{
		rtnl.KindLink: "[LINK]", rtnl.KindAddress: "[ADDR]", rtnl.KindRoute: "[ROUTE]",
		rtnl.KindNeighbour: "[NEIGH]", rtnl.KindNexthop: "[NEXTHOP]", rtnl.KindRule: "[RULE]",
		rtnl.KindNetNSID: "[NSID]",
	}
	monitorObjects = map[rtnl.Kinds]string{
		rtnl.KindLink: "link", rtnl.KindAddress: "address", rtnl.KindRoute: "route",
		rtnl.KindNeighbour: "neigh", rtnl.KindNexthop: "nexthop", rtnl.KindRule: "rule",
		rtnl.KindNetNSID: "nsid",
	}
)

// monitorArgs is a monitor's command line.
type monitorArgs struct {
	kinds  rtnl.Kinds // the kinds to print; 0 for all
	label  bool
	dev    string
	devSet bool
	// allNSID also prints the events of the namespaces that have an id
	// here, each line begun with "[nsid N]" ("[nsid current]" for this
	// namespace's), as ip's all-nsid.
	allNSID bool
}

func parseMonitor(a *cli.Args) (*monitorArgs, error) {
	o := &monitorArgs{}
	for a.More() {
		w := a.Next()
		switch kw := cli.Resolve(monitorWords(), w); kw {
		case "label", "all": // as ip: "all" prints the labels too
			o.label = true
		case "link", "address", "route", "neigh", "nexthop", "rule", "nsid":
			o.kinds |= monitorKinds[kw]
		case "help":
			return nil, cli.ErrHelpShown
		case "dev":
			v, err := a.Value(kw)
			if err != nil {
				return nil, err
			}
			o.dev, o.devSet = v, true
		case "all-nsid":
			o.allNSID = true
		case "file", "mroute", "prefix", "netconf", "stats", "maddress", "acaddress":
			return nil, cli.Syntaxf("monitor %s is not supported yet: nlctl monitors link, address, route, neigh, nexthop, rule and nsid", kw)
		default:
			return nil, cli.Syntaxf("argument %s is unknown, try \"nlctl monitor help\"", cli.Quote(w))
		}
	}
	return o, nil
}

// runMonitor is `nlctl monitor`: it prints the events of rtnl.Watch as ip
// monitor prints them, with the printers of the show commands, until the
// root context ends (SIGINT, SIGTERM), which is a success.
func runMonitor(x *ipctx, a *cli.Args) error {
	o, err := parseMonitor(a)
	if err == cli.ErrHelpShown {
		return help(x, monitorUsage)
	}
	if err != nil {
		return err
	}
	e := x.env
	if e.AllNetNS && e.NetNS != "" {
		return cli.Syntaxf("-all-netns and -n NETNS exclude each other")
	}
	if x.pipe != nil { // in -batch, the lines before act first
		if err := x.pipe.Flush(); err != nil {
			return err
		}
	}
	m := &monitor{env: e, args: o, w: e.Stdout}
	m.opts.Kinds = o.kinds | rtnl.KindLink // links always, for their names
	if o.kinds == 0 {
		m.opts.Kinds = rtnl.AllKinds
	}
	switch e.Family {
	case 4:
		m.opts.Family = rtnl.IPv4
	case 6:
		m.opts.Family = rtnl.IPv6
	}
	m.opts.ReadBuffer = e.RcvBuf
	m.opts.AllNSID = o.allNSID
	ctx := e.Context()
	if e.AllNetNS {
		return m.runAll(ctx)
	}
	ns, err := e.OpenNS()
	if err != nil {
		return err
	}
	n, err := m.open(ctx, ns, e.NetNS, false)
	if ns != nil {
		ns.Close()
	}
	if err != nil {
		return err
	}
	defer n.close()
	return n.run(ctx)
}

// monitor is the state a monitor's namespaces share: the command line, the
// watch options and the output, which each namespace writes whole events
// to.
type monitor struct {
	env  *cli.Env
	args *monitorArgs
	opts rtnl.WatchOptions

	mu  sync.Mutex
	w   io.Writer
	err error // the output's first error: the monitor ends with it
}

// write writes b, one or more whole events, to the output.
func (m *monitor) write(b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err == nil {
		_, m.err = m.w.Write(b)
	}
	return m.err
}

// printed reports whether events of kind k are printed.
func (m *monitor) printed(k rtnl.Kinds) bool {
	return m.args.kinds == 0 || m.args.kinds&k != 0
}

// nsMonitor follows one namespace.
type nsMonitor struct {
	m *monitor
	// peer is the id of the namespace whose event is being printed
	// (all-nsid), or -1 for this namespace's.
	peer int
	// x is the namespace's printing context: its handle, the names of its
	// links, the printers' buffers. Its output goes to buf, which holds
	// one event at a time.
	x   *ipctx
	buf bytes.Buffer
	// body holds an object's JSON before it joins the event's.
	body  bytes.Buffer
	bodyW *bufio.Writer
	// links are the namespace's links as far as printing needs them
	// (names, flags), kept up to date from the events, as ip keeps its
	// cache of links.
	links *linkTable
	// tag is the namespace's name in JSON ("netns"); textTag in text
	// too (-all-netns).
	tag, textTag string
	// dev is the index of the device of "dev DEVICE", -1 if the
	// namespace has none of that name; rsel selects the routes of dev and
	// leaves dev out of their lines, as ip does.
	dev  int
	rsel *routeSelector
	// nsids names namespace ids as ip's cache does (iproute2 netns
	// names).
	nsids map[int]string
	// nexthops are the nexthop objects routes refer to, for -d's
	// nh_info: as ip's cache, filled from the kernel on a miss and kept
	// up to date by the nexthop events when nexthops are watched.
	nexthops map[uint32]*rtnl.Nexthop

	// The resync in progress: its reason and start, the number of
	// differences printed, and in text the differences themselves, which
	// follow the line that counts them.
	resyncing   bool
	resyncWhy   string
	resyncStart time.Time
	resyncN     int
	pending     bytes.Buffer
}

// open prepares the monitor of namespace ns (nil for the current one),
// named tag (empty for the current one); textTag says whether its name
// begins its lines.
func (m *monitor) open(ctx context.Context, ns *netns.NS, tag string, textTag bool) (*nsMonitor, error) {
	h, err := rtnl.Dial(&nl.Config{NetNS: ns})
	if err != nil {
		return nil, err
	}
	n := &nsMonitor{m: m, tag: tag, dev: 0}
	if textTag {
		n.textTag = "[netns " + tag + "]"
	}
	n.x = &ipctx{env: m.env, ctx: ctx, h: h, close: func() { h.Close() }}
	n.x.out = bufio.NewWriterSize(&n.buf, 4096)
	if m.args.devSet {
		i, err := n.x.linkIndexArg("dev", m.args.dev)
		switch {
		case err != nil && !textTag:
			h.Close()
			return nil, err
		case err != nil:
			i = -1 // -all-netns: none of that name here
		}
		n.dev = i
	}
	n.rsel = &routeSelector{scope: -1}
	n.rsel.kernel.LinkIndex = n.dev
	if m.printed(rtnl.KindNetNSID) {
		n.nsids = map[int]string{}
		if names, err := netns.List(); err == nil {
			ids, _ := netnsIDs(n.x, names)
			for name, id := range ids {
				if id >= 0 {
					n.nsids[id] = name
				}
			}
		}
	}
	// The links come from the watch's listing.
	n.links = &linkTable{all: new(chunkList[rtnl.Link]), byIndex: map[int]*rtnl.Link{}}
	n.x.byName, n.x.byIndex = map[string]int{}, map[int]string{}
	return n, nil
}

func (n *nsMonitor) close() { n.x.done() }

// run prints the namespace's events until ctx ends.
func (n *nsMonitor) run(ctx context.Context) error {
	for ev, err := range n.x.h.Watch(ctx, &n.m.opts) {
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if err := n.event(ev); err != nil {
			return err
		}
	}
	return nil
}

// event handles one event of the watch.
func (n *nsMonitor) event(ev *rtnl.Event) error {
	switch ev.Type {
	case rtnl.EventSynced:
		return nil
	case rtnl.EventResyncBegin:
		return n.resyncBegin(ev)
	case rtnl.EventResyncEnd:
		return n.resyncEnd(ev)
	}
	if ev.Kind == rtnl.KindLink && !ev.Peer { // a peer's indexes are its own
		n.trackLink(ev) // before printing, as ip updates its cache
	}
	if ev.Initial || !n.m.printed(ev.Kind) || !n.keep(ev) {
		return nil
	}
	switch {
	case ev.Kind == rtnl.KindNexthop:
		n.trackNexthop(ev)
	case ev.Kind == rtnl.KindRoute && n.m.env.Details:
		n.routeNexthop(ev.Route)
	}
	n.buf.Reset()
	if n.m.env.JSON {
		n.eventJSON(ev)
	} else {
		n.eventText(ev)
	}
	n.x.out.Flush()
	if ev.Resync {
		n.resyncN++
		if !n.m.env.JSON {
			n.pending.Write(n.buf.Bytes())
			return nil
		}
	}
	return n.m.write(n.buf.Bytes())
}

// keep applies "dev DEVICE" as ip does: to links, addresses, routes (by
// their output interface) and neighbours.
func (n *nsMonitor) keep(ev *rtnl.Event) bool {
	if n.dev == 0 {
		return true
	}
	switch ev.Kind {
	case rtnl.KindLink:
		return ev.Link.Index == n.dev
	case rtnl.KindAddress:
		return ev.Address.LinkIndex == n.dev
	case rtnl.KindRoute:
		return ev.Route.LinkIndex == n.dev
	case rtnl.KindNeighbour:
		return ev.Neighbour.LinkIndex == n.dev
	}
	return true
}

// trackLink keeps the names and flags of the namespace's links.
func (n *nsMonitor) trackLink(ev *rtnl.Event) {
	l, x := ev.Link, n.x
	old := n.links.byIndex[l.Index]
	if old != nil && x.byName[old.Name] == l.Index {
		delete(x.byName, old.Name)
	}
	if ev.Type == rtnl.EventDelete {
		delete(n.links.byIndex, l.Index)
		delete(x.byIndex, l.Index)
		return
	}
	// The event's values are reused: the table keeps copies.
	c := &rtnl.Link{Index: l.Index, Name: strings.Clone(l.Name), Flags: l.Flags, Type: l.Type}
	n.links.byIndex[l.Index] = c
	x.byIndex[l.Index] = c.Name
	x.byName[c.Name] = l.Index
}

// trackNexthop keeps the cache of nexthops up to date, as ip does with
// the nexthop events it prints.
func (n *nsMonitor) trackNexthop(ev *rtnl.Event) {
	nh := ev.Nexthop
	if ev.Type == rtnl.EventDelete {
		delete(n.nexthops, nh.ID)
		return
	}
	if n.nexthops == nil {
		n.nexthops = map[uint32]*rtnl.Nexthop{}
	}
	n.nexthops[nh.ID] = copyNexthop(nh)
}

// routeNexthop finds the nexthop object route r refers to, for -d's
// nh_info: in the cache, else from the kernel, as ip does.
func (n *nsMonitor) routeNexthop(r *rtnl.Route) {
	n.x.nexthops = nil
	if r.NexthopID == 0 {
		return
	}
	if n.nexthops == nil {
		n.nexthops = map[uint32]*rtnl.Nexthop{}
	}
	nh, ok := n.nexthops[r.NexthopID]
	if !ok {
		got, err := n.x.h.NexthopByID(n.x.ctx, r.NexthopID)
		if err != nil {
			return // gone already: ip prints no nh_info either
		}
		nh = copyNexthop(got)
		n.nexthops[r.NexthopID] = nh
	}
	n.x.nexthops = map[uint32]*rtnl.Nexthop{r.NexthopID: nh}
}

// copyNexthop copies a nexthop that an event points to, which is reused.
func copyNexthop(nh *rtnl.Nexthop) *rtnl.Nexthop {
	c := *nh
	c.Group = slices.Clone(nh.Group)
	c.Encap.Data = bytes.Clone(nh.Encap.Data)
	return &c
}

// headers writes what begins an event's lines: the time (-t, -ts), the
// namespace (-all-netns) and the label.
func (n *nsMonitor) headers(w *bufio.Writer, t time.Time, label string) {
	if n.m.env.Timestamp {
		t = t.Local()
		if n.m.env.TShort {
			fmt.Fprintf(w, "[%s.%06d] ", t.Format("2006-01-02T15:04:05"), t.Nanosecond()/1000)
		} else {
			fmt.Fprintf(w, "Timestamp: %s %d usec\n", t.Format(time.ANSIC), t.Nanosecond()/1000)
		}
	}
	if n.m.args.allNSID {
		if n.peer >= 0 {
			fmt.Fprintf(w, "[nsid %d]", n.peer)
		} else {
			w.WriteString("[nsid current]")
		}
	}
	w.WriteString(n.textTag)
	if n.m.args.label {
		w.WriteString(label)
	}
}

// eventText prints an event as ip monitor does.
func (n *nsMonitor) eventText(ev *rtnl.Event) {
	x, w := n.x, n.x.out
	n.peer = -1
	if ev.Peer {
		n.peer = ev.PeerNSID
	}
	n.headers(w, ev.Time, monitorLabels[ev.Kind])
	if ev.Type == rtnl.EventDelete {
		w.WriteString("Deleted ")
	}
	switch ev.Kind {
	case rtnl.KindLink:
		// ip monitor prints a link as ip address does (without "mode"
		// and the statistics), without the queue length either.
		b := appendLinkText(x.pc.line[:0], x, n.links, ev.Link, linkTextOpts{
			noMode: true, noStats: true, noQueue: true, noAlias: !x.env.Details,
		})
		n.oneline(b, 0)
		x.pc.line = b
	case rtnl.KindAddress:
		// As ip -o address show: the interface, then the address.
		ad := ev.Address
		b := appendInt(x.pc.line[:0], ad.LinkIndex)
		b = append(b, ": "...)
		b = append(b, x.linkName(ad.LinkIndex)...)
		start := len(b)
		b = appendAddrText(b, ad)
		n.oneline(b, start)
		x.pc.line = b
	case rtnl.KindRoute:
		printRouteText(x, ev.Route, n.rsel)
	case rtnl.KindNeighbour:
		neighText(x, ev.Neighbour, n.dev != 0)
	case rtnl.KindNexthop:
		printNexthop(x, nil, ev.Nexthop)
	case rtnl.KindRule:
		printRule(x, nil, x.ipNames(), ev.Rule)
	case rtnl.KindNetNSID:
		if ev.NetNSID < 0 {
			w.WriteString("nsid unassigned ")
		} else {
			fmt.Fprintf(w, "nsid %d ", ev.NetNSID)
		}
		if name := n.nsidName(ev); name != "" {
			fmt.Fprintf(w, "(iproute2 netns name: %s)", name)
		}
		w.WriteByte('\n')
	}
}

// oneline writes an object's lines b, with -o on one line (the newlines
// from start on made backslashes), and ends them.
func (n *nsMonitor) oneline(b []byte, start int) {
	if n.x.env.Oneline {
		for i := start; i < len(b); i++ {
			if b[i] == '\n' {
				b[i] = '\\'
			}
		}
	}
	n.x.out.Write(b)
	n.x.out.WriteByte('\n')
}

// nsidName names a namespace id as ip monitor does, from the names of
// /run/netns: the name it had when the monitor started or when the id
// was assigned. As ip, it forgets a name it prints for an id it had.
func (n *nsMonitor) nsidName(ev *rtnl.Event) string {
	id := ev.NetNSID
	if name, ok := n.nsids[id]; ok {
		delete(n.nsids, id)
		return name
	}
	if ev.Type == rtnl.EventNew && id >= 0 {
		if name := netnsNameByID(n.x, id); name != "" {
			n.nsids[id] = name
			return name
		}
	}
	return ""
}

// eventJSON prints an event as one JSON object on a line: the monitor's
// keys, then those ip -j gives the object.
func (n *nsMonitor) eventJSON(ev *rtnl.Event) {
	x := n.x
	// The object as the show commands print it, then spliced after the
	// event's own keys.
	n.body.Reset()
	if n.bodyW == nil {
		n.bodyW = bufio.NewWriter(&n.body)
	}
	bw := n.bodyW
	j := output.NewJSON(bw, false, false)
	switch ev.Kind {
	case rtnl.KindLink:
		j.Object("")
		linkJSONKeys(x, j, n.links, ev.Link)
		j.End()
	case rtnl.KindAddress:
		// As ip -j -o address show's entries.
		j.Object("")
		j.Uint("index", uint64(ev.Address.LinkIndex))
		j.String("dev", x.linkName(ev.Address.LinkIndex))
		addrInfoJSON(j, ev.Address)
		j.End()
	case rtnl.KindRoute:
		printRouteJSON(x, j, ev.Route, n.rsel, false)
	case rtnl.KindNeighbour:
		neighJSON(x, j, ev.Neighbour, n.dev != 0)
	case rtnl.KindNexthop:
		printNexthop(x, j, ev.Nexthop)
	case rtnl.KindRule:
		printRule(x, j, x.ipNames(), ev.Rule)
	case rtnl.KindNetNSID:
		j.Object("")
		if ev.NetNSID >= 0 {
			j.Int("nsid", int64(ev.NetNSID))
		}
		if name := n.nsidName(ev); name != "" {
			j.String("name", name)
		}
		j.End()
	}
	bw.Flush()
	n.objectJSON(ev.Type.String(), ev.Time, func(j *output.JSON) {
		j.String("object", monitorObjects[ev.Kind])
		if ev.Peer {
			j.Int("peer_nsid", int64(ev.PeerNSID))
		}
	}, ev.Resync, n.body.Bytes())
}

// objectJSON writes to the event buffer an object with the keys every
// event has (event, time, netns, resync), those keys adds, then those of
// body, an object printed apart ("{...}\n", nil for none).
func (n *nsMonitor) objectJSON(event string, t time.Time, keys func(j *output.JSON), resync bool, body []byte) {
	var tb [64]byte
	j := output.NewJSON(n.x.out, false, false)
	j.Object("")
	j.String("event", event)
	if keys != nil {
		keys(j)
	}
	j.ASCII("time", t.AppendFormat(tb[:0], "2006-01-02T15:04:05.000000000Z07:00"))
	if n.tag != "" {
		j.String("netns", n.tag)
	}
	if resync {
		j.Bool("resync", true)
	}
	if body = bytes.TrimSpace(body); len(body) > 2 && body[0] == '{' {
		// The body's keys go on inside the object: its brace becomes
		// a comma, and its end ends the object.
		n.x.out.WriteByte(',')
		n.x.out.Write(body[1:])
		n.x.out.WriteByte('\n')
		return
	}
	j.End()
}

// resyncBegin starts a resync: in JSON a line says so at once; in text the
// line waits for the number of differences.
func (n *nsMonitor) resyncBegin(ev *rtnl.Event) error {
	n.resyncing, n.resyncN, n.resyncStart = true, 0, ev.Time
	n.resyncWhy = "events were lost"
	if ev.Err != nil {
		n.resyncWhy = ev.Err.Error()
	}
	n.pending.Reset()
	if !n.m.env.JSON {
		return nil
	}
	n.buf.Reset()
	n.objectJSON("resync-begin", ev.Time, func(j *output.JSON) {
		j.String("reason", n.resyncWhy)
	}, false, nil)
	n.x.out.Flush()
	return n.m.write(n.buf.Bytes())
}

// resyncEnd ends a resync: in text, the line that counts the
// differences, the differences, and "Resync: done".
func (n *nsMonitor) resyncEnd(ev *rtnl.Event) error {
	if !n.resyncing {
		return nil
	}
	n.resyncing = false
	n.buf.Reset()
	w := n.x.out
	if n.m.env.JSON {
		count := n.resyncN
		n.objectJSON("resync-end", ev.Time, func(j *output.JSON) {
			j.Int("changes", int64(count))
		}, false, nil)
	} else {
		n.headers(w, n.resyncStart, "")
		objects := "objects"
		if n.resyncN == 1 {
			objects = "object"
		}
		fmt.Fprintf(w, "Resync: events were lost (%s); %d %s differed:\n", n.resyncWhy, n.resyncN, objects)
		w.Flush()
		n.buf.Write(n.pending.Bytes())
		n.pending.Reset()
		n.headers(w, ev.Time, "")
		w.WriteString("Resync: done\n")
	}
	w.Flush()
	return n.m.write(n.buf.Bytes())
}

// netnsPoll is how often -all-netns looks for namespaces added to and
// removed from /run/netns.
const netnsPoll = 200 * time.Millisecond

// runAll monitors every namespace of /run/netns, each in a goroutine of
// its own, following the names that come and go, until ctx ends. The
// objects of a namespace that appears are not printed (as those of the
// namespaces there at the start): its changes are, from when it is seen.
func (m *monitor) runAll(ctx context.Context) error {
	type watched struct {
		id     netns.ID
		cancel func()
	}
	live := map[string]*watched{}
	var wg sync.WaitGroup
	defer func() {
		for _, w := range live {
			w.cancel()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(netnsPoll)
	defer tick.Stop()
	for {
		named, _ := netns.Named()
		for name, id := range named {
			if w := live[name]; w != nil {
				if w.id == id {
					continue
				}
				w.cancel() // the name stands for another namespace now
				delete(live, name)
			}
			ns, err := netns.OpenName(name)
			if err != nil {
				continue // not mounted yet, or going: seen again later
			}
			nctx, cancel := context.WithCancel(ctx)
			n, err := m.open(nctx, ns, name, true)
			ns.Close()
			if err != nil {
				cancel()
				m.warn(name, err)
				continue
			}
			live[name] = &watched{id: id, cancel: cancel}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer n.close()
				if err := n.run(nctx); err != nil && nctx.Err() == nil {
					m.warn(name, err)
				}
			}()
		}
		for name, w := range live {
			if _, ok := named[name]; !ok {
				w.cancel()
				delete(live, name)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		m.mu.Lock()
		err := m.err
		m.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// warn reports the failure of one namespace's monitor; the others go on.
func (m *monitor) warn(name string, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(m.env.Stderr, "nlctl monitor: netns %s: %v\n", name, err)
}
