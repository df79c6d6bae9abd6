package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// ipObject is one of iproute2's objects (link, address, route, ...), with
// the function that runs a command line about it.
type ipObject struct {
	name    string
	summary string
	run     func(x *ipctx, a *argList) error
}

// ipObjects are tried in iproute2's order, so that abbreviations resolve as
// they do for ip: "a" is address, "r" route, "ru" rule, "n" neighbour,
// "l" link.
var ipObjects = []ipObject{
	{"address", "IPv4 and IPv6 addresses (ip address)", runAddress},
	{"route", "routes, in every table (ip route)", runRoute},
	{"rule", "policy routing rules (ip rule)", runRule},
	{"neighbour", "neighbours and bridge FDB entries (ip neigh)", runNeigh},
	{"neighbor", "", runNeigh},
	{"link", "network interfaces (ip link)", runLink},
	{"netns", "network namespaces in /run/netns (ip netns)", runNetns},
	{"nexthop", "nexthop objects and groups (ip nexthop)", runNexthop},
}

// findObject resolves an object word, possibly abbreviated.
func findObject(word string) (ipObject, bool) {
	for _, o := range ipObjects {
		if matches(word, o.name) {
			return o, true
		}
	}
	return ipObject{}, false
}

// flushEvery bounds the changes a -batch run accumulates before applying
// them, so that progress can be shown and a failure stops the run early.
const flushEvery = 8192

// ipctx is the state of the ip-style commands of one nlctl run: the
// connection, a cache of interface names, and in -batch mode the changes
// not yet applied with the line each came from.
type ipctx struct {
	env   *env
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

	// -batch mode
	batch      *rtnl.Batch
	line       int   // the line being run
	lines      []int // batch index → line
	running    *inflight
	spare      *rtnl.Batch // the batch of the chunk before, for reuse
	spareLines []int
	failed     int // status so far: exitOK, exitUsage or exitRefused
	progress   func(done int)
}

func newIPCtx(e *env) *ipctx {
	return &ipctx{env: e, ctx: context.Background(), out: bufio.NewWriterSize(e.stdout, 64<<10)}
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
	ns, err := x.env.openNS()
	if err != nil {
		return nil, err
	}
	h, err := rtnl.Dial(&nl.Config{NetNS: ns})
	if err != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, err
	}
	x.h = h
	x.close = func() {
		h.Close()
		if ns != nil {
			ns.Close()
		}
	}
	return h, nil
}

// handle returns the connection for a request that reads or changes state
// directly (show, get, flush). In -batch mode it first applies the changes
// of earlier lines, so that every line sees the state the lines before it
// made.
func (x *ipctx) handle() (*rtnl.Handle, error) {
	if err := x.flush(); err != nil {
		return nil, err
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
	if x.batch == nil {
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
	n := x.batch.Len()
	err = add(x.batch)
	for range x.batch.Len() - n { // what was added, even if a later part failed
		x.lines = append(x.lines, x.line)
	}
	if err != nil {
		return err
	}
	if x.batch.Len() >= flushEvery {
		return x.startFlush()
	}
	return nil
}

// errStop ends a -batch run after a failure, without -force.
var errStop = errors.New("stopped after a failure")

// inflight is a chunk of -batch changes being applied while the next
// chunk is parsed.
type inflight struct {
	b     *rtnl.Batch
	lines []int
	done  chan error
}

// startFlush starts applying the pending changes of a -batch run in the
// background, after the chunk before them is done and reported, so that
// reading and encoding the next lines overlaps with the kernel's work.
func (x *ipctx) startFlush() error {
	if err := x.wait(); err != nil {
		return err
	}
	if x.batch == nil || x.batch.Len() == 0 {
		return nil
	}
	run := &inflight{b: x.batch, lines: x.lines, done: make(chan error, 1)}
	opts := &nl.BatchOptions{ContinueOnError: x.env.force}
	go func() { run.done <- run.b.Run(x.ctx, opts) }()
	x.running = run
	if x.spare == nil {
		x.spare = x.h.NewBatch()
	}
	x.batch, x.spare = x.spare, nil
	x.lines, x.spareLines = x.spareLines[:0], nil
	return nil
}

// flush applies every pending change of a -batch run and reports each
// failure with its line.
func (x *ipctx) flush() error {
	if err := x.startFlush(); err != nil {
		return err
	}
	return x.wait()
}

// wait waits for the chunk being applied and reports its failures, each
// with its line. Without -force, a failure stops the run: it returns
// errStop after saying which lines were not applied (the rest of that
// chunk, and the lines already read after it).
func (x *ipctx) wait() error {
	run := x.running
	if run == nil {
		return nil
	}
	x.running = nil
	err := <-run.done
	total := run.b.Len()
	lines := run.lines
	defer func() {
		run.b.Reset()
		x.spare, x.spareLines = run.b, lines[:0]
	}()
	if err == nil {
		if x.progress != nil {
			x.progress(lines[total-1])
		}
		return nil
	}
	x.linksChanged() // a failed change may have left the interfaces unlike we think
	x.failed = exitRefused
	var be *nl.BatchError
	if !errors.As(err, &be) {
		fmt.Fprintf(x.env.stderr, "nlctl: line %d: %v\n", lines[0], err)
		be = &nl.BatchError{Total: total}
	}
	for _, f := range be.Failures {
		fmt.Fprintf(x.env.stderr, "nlctl: line %d: %v\n", lines[f.Index], f.Err)
	}
	if be.Err != nil {
		fmt.Fprintf(x.env.stderr, "nlctl: line %d: %v\n", lines[min(be.Done, total-1)], be.Err)
	}
	if x.env.force && be.Done == total {
		return nil
	}
	last := lines[total-1]
	if n := len(x.lines); n > 0 {
		last = x.lines[n-1]
	}
	if be.Done < total {
		fmt.Fprintf(x.env.stderr, "nlctl: lines %d to %d not applied\n", lines[be.Done], last)
	} else if n := len(x.lines); n > 0 {
		fmt.Fprintf(x.env.stderr, "nlctl: lines %d to %d not applied\n", x.lines[0], last)
	}
	x.batch.Reset()
	x.lines = x.lines[:0]
	return errStop
}

// loadLinks fills the interface name cache with one dump.
func (x *ipctx) loadLinks() error {
	h, err := x.handle()
	if err != nil {
		return err
	}
	links, err := h.ListLinks(x.ctx, nil)
	if err != nil {
		return err
	}
	x.loadedAt = x.changes
	x.byName = make(map[string]int, len(links))
	x.byIndex = make(map[int]string, len(links))
	for _, l := range links {
		x.byName[l.Name] = l.Index
		x.byIndex[l.Index] = l.Name
	}
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
	return 0, &notFoundError{fmt.Sprintf("Cannot find device %q", name)}
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

// notFoundError is a name on the command line that matches nothing; like a
// usage error, it exits with status 1, as ip does.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string { return e.msg }

// runIPObject runs one ip-style command: the object word, then its args.
func runIPObject(e *env, o ipObject, args []string) error {
	x := newIPCtx(e)
	defer x.done()
	return o.run(x, newArgs(args))
}
