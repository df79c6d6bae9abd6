// Package iproute is nlctl's ip: the objects link, address, route, rule,
// neighbour, nexthop and netns with iproute2's grammar, text and JSON,
// and -batch.
package iproute

import (
	"bufio"
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/batchrun"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// flushEvery bounds the changes a -batch run accumulates before applying
// them, so that progress can be shown and a failure stops the run early.
const flushEvery = 8192

// ipctx is the state of the ip-style commands of one nlctl run: the
// connection, a cache of interface names, and in -batch mode the changes
// not yet applied with the line each came from.
type ipctx struct {
	env   *cli.Env
	ctx   context.Context
	h     *rtnl.Handle
	close func()
	out   *bufio.Writer

	byName  map[string]int
	byIndex map[int]string
	// changes counts the changes submitted; loadedAt is its value when the
	// name cache was filled, so that a miss reloads it only if something
	// may have changed since.
	changes, loadedAt int
	// nexthops are the nexthop objects by id, when a listing needs them.
	nexthops map[uint32]*rtnl.Nexthop
	// names are iproute2's name files, read on first use (ipNames).
	names *iprouteNames
	// pc is what printing reuses from one object to the next.
	pc printCache

	// pipe holds the changes of a -batch run (nil interactively); line
	// is the line being run.
	pipe *batchrun.Pipeline[*rtnl.Batch]
	line int
}

func newIPCtx(e *cli.Env) *ipctx {
	return &ipctx{env: e, ctx: e.Context(), out: bufio.NewWriterSize(e.Stdout, 64<<10)}
}

// ipNames returns iproute2's names (of DS fields, realms, groups,
// protocols), read once per run.
func (x *ipctx) ipNames() *iprouteNames {
	if x.names == nil {
		x.names = loadIPRouteNames()
	}
	return x.names
}

// jsonArray returns, with -j, a JSON writer on the output with a listing's
// array opened (End closes it); nil otherwise.
func (x *ipctx) jsonArray() *output.JSON {
	if !x.env.JSON {
		return nil
	}
	j := output.NewJSON(x.out, x.env.Pretty, x.env.NDJSON)
	j.Array("")
	return j
}

// done flushes the output and closes the connection.
func (x *ipctx) done() {
	x.out.Flush()
	if x.close != nil {
		x.close()
	}
}

// conn dials the routing connection on first use.
func (x *ipctx) conn() (*rtnl.Handle, error) {
	if x.h != nil {
		return x.h, nil
	}
	h, done, err := dialRoute(x.env)
	if err != nil {
		return nil, err
	}
	x.h, x.close = h, done
	return h, nil
}

// dialRoute opens a routing handle (with strict checking, as rtnl.Dial)
// in the namespace e names (-n); done closes it and the namespace.
func dialRoute(e *cli.Env) (h *rtnl.Handle, done func(), err error) {
	c, done, err := e.Dial(nl.Route, nl.Config{StrictCheck: true})
	if err != nil {
		return nil, nil, err
	}
	return rtnl.New(c), done, nil
}

// handle returns the connection for a request that reads or changes state
// directly (show, get, flush). In -batch mode it first applies the changes
// of earlier lines, so that every line sees the state the lines before it
// made.
func (x *ipctx) handle() (*rtnl.Handle, error) {
	if x.pipe != nil {
		if err := x.pipe.Flush(); err != nil {
			return nil, err
		}
	}
	return x.conn()
}

// submit applies one change. Interactively it runs at once; in -batch mode
// it joins the pending changes.
func (x *ipctx) submit(add func(b *rtnl.Batch) error) error {
	x.changes++
	h, err := x.conn()
	if err != nil {
		return err
	}
	if x.pipe == nil {
		b := h.NewBatch()
		if err := add(b); err != nil {
			return err
		}
		err := b.Run(x.ctx, nil)
		var be *nl.BatchError
		if errors.As(err, &be) && len(be.Failures) == 1 && be.Err == nil {
			return be.Failures[0].Err
		}
		return err
	}
	return x.pipe.Add(x.line, add)
}

// loadLinks fills the interface name cache with one dump.
func (x *ipctx) loadLinks() error {
	h, err := x.handle()
	if err != nil {
		return err
	}
	// The names alone are kept: the iterator's links are not collected.
	err = nl.Retry(nl.DefaultRetries, func() error {
		x.byName = map[string]int{}
		x.byIndex = map[int]string{}
		for l, err := range h.Links(x.ctx, nil) {
			if err != nil {
				return err
			}
			x.byName[l.Name] = l.Index
			x.byIndex[l.Index] = l.Name
		}
		return nil
	})
	if err != nil {
		x.byName, x.byIndex = nil, nil
		return err
	}
	x.loadedAt = x.changes
	return nil
}

// linksChanged forgets the interface names, after a change that adds,
// deletes, renames or moves links: the next lookup reloads them (after
// applying the pending changes, in -batch mode).
func (x *ipctx) linksChanged() { x.byName, x.byIndex = nil, nil }

// linkIndex resolves an interface name (or "ifN" or a number) to its index.
func (x *ipctx) linkIndex(name string) (int, error) {
	if x.byName == nil {
		if err := x.loadLinks(); err != nil {
			return 0, err
		}
	}
	if i, ok := x.byName[name]; ok {
		return i, nil
	}
	// Not in the cache: an earlier line of the batch may have created it.
	if x.changes != x.loadedAt {
		if err := x.loadLinks(); err != nil {
			return 0, err
		}
		if i, ok := x.byName[name]; ok {
			return i, nil
		}
	}
	if s, ok := strings.CutPrefix(name, "if"); ok {
		if i, err := strconv.Atoi(s); err == nil && i > 0 {
			return i, nil
		}
	}
	return 0, cli.Failf("Cannot find device %s", cli.Quote(name))
}

// linkName names an interface by index as ip does ("ifN" if unknown).
func (x *ipctx) linkName(index int) string {
	if index == 0 {
		return ""
	}
	if x.byIndex == nil {
		x.loadLinks()
	}
	if n, ok := x.byIndex[index]; ok {
		return n
	}
	return "if" + strconv.Itoa(index)
}

// Run runs one ip-style command: the object's run function with its
// arguments.
func runObject(e *cli.Env, run func(x *ipctx, a *cli.Args) error, args []string) error {
	x := newIPCtx(e)
	defer x.done()
	return run(x, cli.NewArgs(args))
}
