package batchrun

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/nlkit/nlkit/nl"
)

// Batch is a family's batch of requests (rtnl.Batch, later nftables'
// and tc's): encoded requests sent together, acknowledged one by one.
type Batch interface {
	Len() int
	Run(ctx context.Context, opts *nl.BatchOptions) error
	Reset()
}

// Pipeline accumulates the requests of consecutive batch lines in a
// Batch, and applies them ChunkSize at a time in the background while
// the next lines are read and encoded; a failure is reported with the
// line whose request failed.
type Pipeline[B Batch] struct {
	Ctx context.Context
	// New returns an empty batch (two are used, in turn).
	New func() B
	// ChunkSize is how many requests accumulate before they are sent.
	ChunkSize int
	// Force goes on after failed requests.
	Force bool
	// Stderr receives the failures, one per line.
	Stderr io.Writer
	// Progress, if set, is called with the last line of each chunk
	// applied.
	Progress func(line int)
	// OnFailure, if set, is called when a chunk had a failure (state may
	// now differ from what later lines expect: caches must be dropped).
	OnFailure func()

	cur        B
	lines      []int // request index in cur → line
	has        bool  // cur is set
	running    *inflight[B]
	spare      B
	spareLines []int
	hasSpare   bool
	failed     bool
}

type inflight[B Batch] struct {
	b     B
	lines []int
	done  chan error
}

// Failed reports whether a request failed.
func (p *Pipeline[B]) Failed() bool { return p.failed }

// Add adds the requests of one line: add appends them to the batch. What
// add appended stays even if it then failed (the line's error is the
// caller's to report).
func (p *Pipeline[B]) Add(line int, add func(b B) error) error {
	if !p.has {
		p.cur, p.has = p.New(), true
	}
	n := p.cur.Len()
	err := add(p.cur)
	for range p.cur.Len() - n {
		p.lines = append(p.lines, line)
	}
	if err != nil {
		return err
	}
	if p.cur.Len() >= p.ChunkSize {
		return p.start()
	}
	return nil
}

// Pending returns the number of requests not yet sent.
func (p *Pipeline[B]) Pending() int {
	if !p.has {
		return 0
	}
	return p.cur.Len()
}

// start sends the pending requests in the background, after the chunk
// before them is done and reported.
func (p *Pipeline[B]) start() error {
	if err := p.wait(); err != nil {
		return err
	}
	if !p.has || p.cur.Len() == 0 {
		return nil
	}
	run := &inflight[B]{b: p.cur, lines: p.lines, done: make(chan error, 1)}
	opts := &nl.BatchOptions{ContinueOnError: p.Force}
	ctx := p.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	go func() { run.done <- run.b.Run(ctx, opts) }()
	p.running = run
	if !p.hasSpare {
		p.spare, p.hasSpare = p.New(), true
	}
	p.cur, p.lines = p.spare, p.spareLines[:0]
	p.hasSpare, p.spareLines = false, nil
	return nil
}

// Flush applies every pending request and reports each failure with its
// line; ErrStop if a failure stops the run.
func (p *Pipeline[B]) Flush() error {
	if err := p.start(); err != nil {
		return err
	}
	return p.wait()
}

// wait waits for the chunk being applied and reports its failures, each
// with its line. Without Force, a failure stops the run: it returns
// ErrStop after saying which lines were not applied (the rest of that
// chunk, and the lines already read after it).
func (p *Pipeline[B]) wait() error {
	run := p.running
	if run == nil {
		return nil
	}
	p.running = nil
	err := <-run.done
	total := run.b.Len()
	lines := run.lines
	defer func() {
		run.b.Reset()
		p.spare, p.spareLines, p.hasSpare = run.b, lines[:0], true
	}()
	if err == nil {
		if p.Progress != nil {
			p.Progress(lines[total-1])
		}
		return nil
	}
	if p.OnFailure != nil {
		p.OnFailure()
	}
	p.failed = true
	var be *nl.BatchError
	if !errors.As(err, &be) {
		fmt.Fprintf(p.Stderr, "nlctl: line %d: %v\n", lines[0], err)
		be = &nl.BatchError{Total: total}
	}
	for _, f := range be.Failures {
		fmt.Fprintf(p.Stderr, "nlctl: line %d: %v\n", lines[f.Index], f.Err)
	}
	if be.Err != nil {
		fmt.Fprintf(p.Stderr, "nlctl: line %d: %v\n", lines[min(be.Done, total-1)], be.Err)
	}
	if p.Force && be.Done == total {
		return nil
	}
	last := lines[total-1]
	if n := len(p.lines); n > 0 {
		last = p.lines[n-1]
	}
	if be.Done < total {
		fmt.Fprintf(p.Stderr, "nlctl: lines %d to %d not applied\n", lines[be.Done], last)
	} else if n := len(p.lines); n > 0 {
		fmt.Fprintf(p.Stderr, "nlctl: lines %d to %d not applied\n", p.lines[0], last)
	}
	if p.has {
		p.cur.Reset()
	}
	p.lines = p.lines[:0]
	return ErrStop
}
