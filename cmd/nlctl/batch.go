package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// runBatch runs the commands of a -batch file, one per line, as
// `ip -batch` does. Changes (add, del, replace, change, set ...) are not
// applied one by one: they accumulate and are sent together through the
// core's pipelined batching, up to flushEvery at a time, and a command
// that reads state (show, get, flush, ...) first applies those before it.
// Each failure is reported with its line. Without -force the run stops at
// the first failed command; with it, every line is tried.
func runBatch(e *env) int {
	var in io.Reader = e.stdin
	if e.batch != "-" {
		f, err := os.Open(e.batch)
		if err != nil {
			fmt.Fprintf(e.stderr, "nlctl: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	// A batch run allocates little that lives: let the heap grow before
	// collecting rather than collect often.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	x := newIPCtx(e)
	defer x.done()
	x.batch = nil
	if h, err := x.conn(); err != nil {
		fmt.Fprintf(e.stderr, "nlctl: %v\n", err)
		return exitRefused
	} else {
		x.batch = h.NewBatch()
	}
	if isTerminal(e.stderr) {
		start := time.Now()
		last := start
		x.progress = func(line int) {
			if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
				last = now
				fmt.Fprintf(e.stderr, "\rnlctl: line %d, %.1fs", line, now.Sub(start).Seconds())
			}
		}
		defer fmt.Fprint(e.stderr, "\r\033[K")
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	cr := &commandReader{sc: sc}
	status := exitOK
	stopped := false
	line := 0
	for !stopped {
		args, n, err := cr.next()
		line += n
		if err != nil {
			fmt.Fprintf(e.stderr, "nlctl: line %d: %v\n", line, err)
			status = exitUsage
			break
		}
		if args == nil {
			break
		}
		if len(args) == 0 {
			continue
		}
		x.line = line
		err = runBatchLine(x, args)
		if errors.Is(err, errStop) {
			stopped = true
			break
		}
		if err != nil {
			code := report(io.Discard, "", err)
			fmt.Fprintf(e.stderr, "nlctl: line %d: %v\n", line, err)
			status = max(status, code)
			if !e.force {
				// The lines before this one are still applied.
				if x.flush() != nil {
					stopped = true
				}
				break
			}
		}
	}
	if !stopped {
		x.flush()
	}
	return max(status, x.failed)
}

// runBatchLine runs one command of a batch; global options may start it,
// and apply to that line only.
func runBatchLine(x *ipctx, args []string) error {
	saved := *x.env
	defer func() { *x.env = saved }()
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		n, err := x.env.option(args)
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
		return usagef("unknown object %q", args[0])
	}
	rest, err := commandArgs(x.env, o.name, args[1:])
	if err != nil {
		return err
	}
	if x.env.netns != saved.netns || x.env.batch != saved.batch || x.env.force != saved.force {
		// One connection serves the whole batch, in one namespace.
		return usagef("-n, -batch and -force apply to the whole batch: give them to nlctl, not on a line")
	}
	return o.run(x, newArgs(rest))
}

// commandReader reads the commands of a batch file and splits them into
// words as ip does: blanks separate words, quotes group them, '#' starts a
// comment, and a line ending in '\' continues on the next. Its word slice
// is reused from one command to the next.
type commandReader struct {
	sc    *bufio.Scanner
	words []string
	text  strings.Builder
}

// next returns the next command's words and the number of lines it took;
// nil words at the end of the input, and empty ones for a blank line.
func (r *commandReader) next() ([]string, int, error) {
	r.text.Reset()
	n := 0
	for r.sc.Scan() {
		n++
		l := r.sc.Bytes()
		if len(l) > 0 && l[len(l)-1] == '\\' {
			r.text.Write(l[:len(l)-1])
			r.text.WriteByte(' ')
			continue
		}
		var line string
		if r.text.Len() > 0 {
			r.text.Write(l)
			line = r.text.String()
		} else {
			line = string(l)
		}
		var err error
		r.words, err = splitWords(r.words[:0], line)
		return r.words, n, err
	}
	if err := r.sc.Err(); err != nil {
		return nil, n, err
	}
	if r.text.Len() > 0 {
		var err error
		r.words, err = splitWords(r.words[:0], r.text.String())
		return r.words, n, err
	}
	return nil, n, nil
}

// splitWords appends the words of a command line to words. A line with no
// words gives an empty, non-nil slice.
func splitWords(words []string, s string) ([]string, error) {
	if words == nil {
		words = []string{}
	}
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			return words, nil
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, usagef("unterminated quoted string")
			}
			words = append(words, s[i+1:i+1+j])
			i += j + 2
			continue
		}
		j := i
		for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\r' {
			j++
		}
		words = append(words, s[i:j])
		i = j
	}
	return words, nil
}

// isTerminal reports whether w is a terminal, for the progress indicator.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
