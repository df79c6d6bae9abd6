package iproute

import (
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

// object is one of iproute2's objects: its command (name, summary,
// grammar) and the function that runs a command line about it.
type object struct {
	cmd *cli.Command
	run func(x *ipctx, a *cli.Args) error
}

// objectList returns the objects in iproute2's order, so that
// abbreviations resolve as they do for ip: "a" is address, "r" route,
// "ru" rule, "n" neighbour, "l" link.
func objectList() []object {
	return []object{
		{&cli.Command{Name: "address", Summary: "IPv4 and IPv6 addresses (ip address)", Grammar: addressGrammar}, runAddress},
		{&cli.Command{Name: "route", Summary: "routes, in every table (ip route)", Grammar: routeGrammar}, runRoute},
		{&cli.Command{Name: "rule", Summary: "policy routing rules (ip rule)", Grammar: ruleGrammar}, runRule},
		{&cli.Command{Name: "neighbour", Aliases: []string{"neighbor"}, Summary: "neighbours and bridge FDB entries (ip neigh)", Grammar: neighGrammar}, runNeigh},
		{&cli.Command{Name: "link", Summary: "network interfaces (ip link)", Grammar: linkGrammar}, runLink},
		{&cli.Command{Name: "monitor", Summary: "print changes of links, addresses, routes... as they happen (ip monitor)", Grammar: monitorGrammar}, runMonitor},
		{&cli.Command{Name: "netns", Summary: "network namespaces in /run/netns (ip netns)", Grammar: netnsGrammar,
			KeepOptions: func(args []string) bool { return len(args) > 0 && cli.Matches(args[0], "exec") }}, runNetns},
		{&cli.Command{Name: "nexthop", Summary: "nexthop objects and groups (ip nexthop)", Grammar: nexthopGrammar}, runNexthop},
	}
}

// Commands returns the ip-style commands, for nlctl's registry.
func Commands() []*cli.Command {
	objs := objectList()
	cmds := make([]*cli.Command, len(objs))
	for i, o := range objs {
		run := o.run
		o.cmd.Run = func(e *cli.Env, args []string) error { return runObject(e, run, args) }
		cmds[i] = o.cmd
	}
	return cmds
}

// findObject resolves an object word of a -batch line.
func findObject(word string) (object, bool) {
	var r cli.Registry
	objs := objectList()
	for _, o := range objs {
		r.Add(o.cmd)
	}
	c, ok := r.Lookup(word)
	if !ok {
		return object{}, false
	}
	for _, o := range objs {
		if o.cmd == c {
			return o, true
		}
	}
	return object{}, false
}

// verb reads the verb of an object's command line and returns its full
// name: the grammar's default when none is given, an error for one the
// object does not have (as ip: `Command "x" is unknown`).
func verb(a *cli.Args, object string, g cli.Grammar) (string, error) {
	if !a.More() {
		return g.Default, nil
	}
	w := a.Next()
	v, ok := cli.FindVerb(g.Verbs, w)
	if !ok {
		return "", cli.Syntaxf("command %s is unknown, try \"nlctl %s help\"", cli.Quote(w), object)
	}
	return v.Name, nil
}

// help prints an object's usage.
func help(x *ipctx, usage string) error {
	fmt.Fprint(x.env.Stdout, usage)
	return cli.ErrHelpShown
}

func runAddress(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "address", addressGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return addrChange(x, a, rtnl.Add)
	case "change":
		return addrChange(x, a, rtnl.Change)
	case "replace":
		return addrChange(x, a, rtnl.Replace)
	case "delete":
		return addrChange(x, a, rtnl.Delete)
	case "flush":
		return addrShow(x, a, true)
	case "help":
		return help(x, addressUsage)
	}
	return addrShow(x, a, false)
}

func runRoute(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "route", routeGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return routeChange(x, a, rtnl.Add)
	case "change":
		return routeChange(x, a, rtnl.Change)
	case "replace":
		return routeChange(x, a, rtnl.Replace)
	case "append":
		return routeChange(x, a, rtnl.Append)
	case "prepend":
		return routeChange(x, a, rtnl.Prepend)
	case "test":
		return routeChange(x, a, rtnl.Test)
	case "delete":
		return routeChange(x, a, rtnl.Delete)
	case "get":
		return routeGet(x, a)
	case "flush":
		return routeShow(x, a, true)
	case "help":
		return help(x, routeUsage)
	}
	return routeShow(x, a, false)
}

func runRule(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "rule", ruleGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return ruleChange(x, a, rtnl.Add)
	case "delete":
		return ruleChange(x, a, rtnl.Delete)
	case "flush":
		return ruleShow(x, a, true)
	case "help":
		return help(x, ruleUsage)
	}
	return ruleShow(x, a, false)
}

func runNeigh(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "neighbour", neighGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return neighChange(x, a, rtnl.Add)
	case "change":
		return neighChange(x, a, rtnl.Change)
	case "replace":
		return neighChange(x, a, rtnl.Replace)
	case "delete":
		return neighChange(x, a, rtnl.Delete)
	case "get":
		return neighGet(x, a)
	case "flush":
		return neighShow(x, a, true)
	case "help":
		return help(x, neighUsage)
	}
	return neighShow(x, a, false)
}

func runLink(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "link", linkGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return linkAdd(x, a, rtnl.Add)
	case "replace":
		return linkAdd(x, a, rtnl.Replace)
	case "delete":
		return linkDelete(x, a)
	case "set":
		return linkSet(x, a)
	case "property":
		return linkProperty(x, a)
	case "help":
		return help(x, linkUsage)
	}
	return linkShow(x, a)
}

func runNexthop(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "nexthop", nexthopGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		return nexthopChange(x, a, rtnl.Add)
	case "replace":
		return nexthopChange(x, a, rtnl.Replace)
	case "delete":
		return nexthopDelete(x, a)
	case "get":
		return nexthopGet(x, a)
	case "flush":
		return nexthopShow(x, a, true)
	case "bucket":
		return runNexthopBucket(x, a)
	case "help":
		return help(x, nexthopUsage)
	}
	return nexthopShow(x, a, false)
}

func runNexthopBucket(x *ipctx, a *cli.Args) error {
	v, err := verb(a, "nexthop bucket", nexthopBucketGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "get":
		return bucketGet(x, a)
	case "help":
		return help(x, nexthopUsage)
	}
	return bucketShow(x, a)
}

func runNetns(x *ipctx, a *cli.Args) error {
	if x.env.AllNetNS {
		return cli.Syntaxf("option -all is not supported with netns yet")
	}
	// In -batch mode, the lines before act first (a link moved into a
	// namespace before a command runs there).
	if x.pipe != nil {
		if err := x.pipe.Flush(); err != nil {
			return err
		}
	}
	v, err := verb(a, "netns", netnsGrammar())
	if err != nil {
		return err
	}
	switch v {
	case "add":
		name, err := netnsName(a)
		if err != nil {
			return err
		}
		ns, err := netns.Create(name)
		if err != nil {
			return cli.Failf("%v", err) // as ip: a failure (1)
		}
		return ns.Close()
	case "delete":
		name, err := netnsName(a)
		if err != nil {
			return err
		}
		if err := netns.Delete(name); err != nil {
			return cli.Failf("%v", err) // as ip: a failure (1)
		}
		return nil
	case "set":
		return netnsSet(x, a)
	case "identify":
		return netnsIdentify(x, a)
	case "pids":
		return netnsPids(x, a)
	case "exec":
		return netnsExec(x, a)
	case "list-id":
		return netnsListID(x, a)
	case "attach":
		return netnsAttach(x, a)
	case "help":
		return help(x, netnsUsage)
	}
	if a.More() {
		return cli.Syntaxf("netns list takes no arguments")
	}
	return netnsList(x)
}
