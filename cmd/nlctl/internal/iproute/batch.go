package iproute

import (
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/batchrun"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// RunBatch runs the commands of a -batch file, one per line, as
// `ip -batch` does. Changes (add, del, replace, change, set ...) are not
// applied one by one: they accumulate and are sent together through the
// core's pipelined batching, up to flushEvery at a time, and a command
// that reads state (show, get, flush, ...) first applies those before it.
// Each failure is reported with its line. Without -force the run stops at
// the first failed command; with it, every line is tried.
func RunBatch(e *cli.Env) int {
	var in io.Reader = e.Stdin
	if e.Batch != "-" {
		f, err := os.Open(e.Batch)
		if err != nil {
			io.WriteString(e.Stderr, "nlctl: "+err.Error()+"\n")
			return cli.ExitFailure
		}
		defer f.Close()
		in = f
	}
	// A batch run allocates little that lives: let the heap grow before
	// collecting rather than collect often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	x := newIPCtx(e)
	defer x.done()
	h, err := x.conn()
	if err != nil {
		io.WriteString(e.Stderr, "nlctl: "+err.Error()+"\n")
		return cli.Status(err)
	}
	progress, erase := batchrun.Progress(e.Stderr)
	defer erase()
	x.pipe = &batchrun.Pipeline[*rtnl.Batch]{
		Ctx:       x.ctx,
		New:       h.NewBatch,
		ChunkSize: flushEvery,
		Force:     e.Force,
		Stderr:    e.Stderr,
		Progress:  progress,
		OnFailure: x.linksChanged, // a failed change may have left the interfaces unlike we think
	}
	return batchrun.Run(e, in, batchLines{x})
}

// batchLines runs the lines of a -batch file.
type batchLines struct{ x *ipctx }

func (b batchLines) Flush() error { return b.x.pipe.Flush() }

func (b batchLines) Status() int {
	if b.x.pipe.Failed() {
		return cli.ExitRefused
	}
	return cli.ExitOK
}

// Line runs one command of a batch; global options may start it, and
// apply to that line only.
func (b batchLines) Line(line int, args []string) error {
	x := b.x
	x.line = line
	saved := *x.env
	defer func() { *x.env = saved }()
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		n, err := x.env.Option(args)
		if err != nil {
			return err
		}
		args = args[n:]
	}
	if len(args) == 0 {
		return nil
	}
	o, ok := findObject(args[0])
	if !ok {
		return cli.Failf("object %s is unknown", cli.Quote(args[0]))
	}
	rest := args[1:]
	if o.cmd.KeepOptions == nil || !o.cmd.KeepOptions(rest) {
		var err error
		if rest, err = x.env.GlobalsAfter(rest); err != nil {
			return err
		}
	}
	if x.env.NetNS != saved.NetNS || x.env.Batch != saved.Batch || x.env.Force != saved.Force {
		// One connection serves the whole batch, in one namespace.
		return cli.Syntaxf("-n, -batch and -force apply to the whole batch: give them to nlctl, not on a line")
	}
	return o.run(x, cli.NewArgs(rest))
}
