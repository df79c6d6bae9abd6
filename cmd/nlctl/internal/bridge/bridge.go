// Package bridge is nlctl's bridge: the objects link, fdb, mdb, vlan and vni
// and the monitor of iproute2's bridge tool, with its grammar, its text
// and its JSON keys (-j), on package rtnl's bridge family.
package bridge

import (
	"bufio"
	"context"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// Commands returns the bridge command, for nlctl's registry.
func Commands() []*cli.Command {
	return []*cli.Command{{
		Name:    "bridge",
		Summary: "bridge ports, forwarding database, multicast database, VLANs, VXLAN VNI filters (iproute2's bridge)",
		Run:     run,
		Grammar: grammar,
	}}
}

// objects are bridge's objects, in the order bridge tries abbreviations.
var objects = []struct {
	name string
	run  func(x *bctx, a *cli.Args) error
}{
	{"link", runLink},
	{"fdb", runFDB},
	{"mdb", runMDB},
	{"vlan", runVLAN},
	{"vni", runVNI},
	{"monitor", runMonitor},
}

func grammar() cli.Grammar {
	return cli.Grammar{Default: "link", Verbs: []cli.Verb{
		{Name: "link"}, {Name: "fdb"}, {Name: "mdb"}, {Name: "vlan"}, {Name: "vni"}, {Name: "monitor"},
	}}
}

// bctx is the state of one bridge command: the connection, the links by
// index and name, the output and bridge's own options.
type bctx struct {
	env   *cli.Env
	ctx   context.Context
	h     *rtnl.Handle
	out   *bufio.Writer
	links map[int]*rtnl.Link
	names map[string]int
	// compress is bridge's -c (-compressvlans).
	compress bool
}

func run(e *cli.Env, args []string) error {
	x := &bctx{env: e, ctx: e.Context(), out: bufio.NewWriterSize(e.Stdout, 64<<10)}
	defer x.out.Flush()
	// bridge's own options, which nlctl's global ones do not cover.
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		o, _, _ := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		switch {
		// bridge tries -color before -compressvlans: -c is -color.
		case o != "" && cli.Matches(o, "color"):
			// nlctl prints no colours.
		case o != "" && cli.Matches(o, "compressvlans"):
			x.compress = true
		default:
			return cli.Syntaxf("option %s is unknown, try \"nlctl bridge help\"", cli.Quote(args[0]))
		}
		args = args[1:]
	}
	if len(args) == 0 {
		args = []string{"link"}
	}
	word := args[0]
	if word == "help" {
		return x.help("")
	}
	for _, o := range objects {
		if cli.Matches(word, o.name) {
			ns, err := e.OpenNS()
			if err != nil {
				return err
			}
			h, err := rtnl.Dial(&nl.Config{NetNS: ns})
			if ns != nil {
				ns.Close()
			}
			if err != nil {
				return err
			}
			defer h.Close()
			x.h = h
			return o.run(x, cli.NewArgs(args[1:]))
		}
	}
	return cli.Failf("object %s is unknown, try \"nlctl bridge help\"", cli.Quote(word))
}

// loadLinks reads the links once, for names and flags.
func (x *bctx) loadLinks() error {
	if x.links != nil {
		return nil
	}
	links, err := x.h.ListLinks(x.ctx, nil)
	if err != nil {
		return err
	}
	x.links = make(map[int]*rtnl.Link, len(links))
	x.names = make(map[string]int, len(links))
	for i := range links {
		l := &links[i]
		x.links[l.Index] = l
		x.names[l.Name] = l.Index
		for _, a := range l.AltNames {
			if _, ok := x.names[a]; !ok {
				x.names[a] = l.Index
			}
		}
	}
	return nil
}

// name returns the name of the link with index i, or "ifI" as iproute2
// names an unknown one.
func (x *bctx) name(i int) string {
	if err := x.loadLinks(); err == nil {
		if l, ok := x.links[i]; ok {
			return l.Name
		}
	}
	return "if" + strconv.Itoa(i)
}

// index resolves a device name; a name that matches nothing is a failure
// worded as bridge words it.
func (x *bctx) index(name string) (int, error) {
	if err := x.loadLinks(); err != nil {
		return 0, err
	}
	if i, ok := x.names[name]; ok {
		return i, nil
	}
	if i, err := strconv.Atoi(strings.TrimPrefix(name, "if")); err == nil && strings.HasPrefix(name, "if") {
		if _, ok := x.links[i]; ok {
			return i, nil
		}
	}
	return 0, cli.Failf("Cannot find device %s", strconv.Quote(name))
}

// jsonArray returns, with -j, a JSON writer with a listing's array opened;
// nil otherwise.
func (x *bctx) jsonArray() *output.JSON {
	if !x.env.JSON {
		return nil
	}
	j := output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
	j.Array("")
	return j
}

// endJSON closes the listing's array (which ends the output's line).
func (x *bctx) endJSON(j *output.JSON) {
	if j != nil {
		j.End()
	}
}

// value reads the value of keyword kw.
func value(a *cli.Args, kw string) (string, error) { return a.Value(kw) }
