package batchrun

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"golang.org/x/sys/unix"
)

// ErrStop ends a batch run after a failure, when the run does not go on
// after errors (-force). The failure has been reported already.
var ErrStop = errors.New("stopped after a failure")

// Lines is what a batch run runs: each command with its line, and a
// final flush of what is pending.
type Lines interface {
	// Line runs one command. An error is reported with the line; ErrStop
	// ends the run (the failure was reported).
	Line(line int, args []string) error
	// Flush applies what earlier lines left pending. Its failures are
	// reported with their lines, ErrStop if the run must stop.
	Flush() error
	// Status is the exit status of failures reported by the lines
	// themselves (ExitOK if none).
	Status() int
}

// Run reads the commands of a batch file from in and runs them, as
// `ip -batch` does: each failure is printed on e.Stderr with its line;
// without e.Force the run stops at the first failure (what earlier
// lines changed is applied and stays). It returns the exit status, as ip
// -batch's: ExitSyntax if a command line could not be parsed, else
// ExitFailure if a command failed (refused by the kernel or not), else
// ExitOK.
func Run(e *cli.Env, in io.Reader, lines Lines) int {
	r := NewReader(in)
	status := cli.ExitOK
	for {
		if err := e.Context().Err(); err != nil {
			fmt.Fprintf(e.Stderr, "nlctl: line %d: %v\n", r.line+1, err)
			lines.Flush()
			return unorder(max(status, statusOrder(lines.Status()), statusOrder(cli.ExitRefused)))
		}
		args, line, err := r.Next()
		if err == nil && args == nil {
			break
		}
		if err == nil && len(args) == 0 {
			continue
		}
		if err == nil {
			err = lines.Line(line, args)
		}
		if errors.Is(err, ErrStop) {
			return unorder(max(status, statusOrder(lines.Status())))
		}
		if err != nil {
			fmt.Fprintf(e.Stderr, "nlctl: line %d: %v\n", line, err)
			status = max(status, statusOrder(cli.Status(err)))
			if !e.Force || args == nil {
				// The lines before this one are still applied.
				lines.Flush()
				return unorder(max(status, statusOrder(lines.Status())))
			}
		}
	}
	lines.Flush()
	return unorder(max(status, statusOrder(lines.Status())))
}

// statusOrder orders the exit statuses of failed lines by how bad they
// are for max, as a batch run's status: every failure is ExitFailure but
// a command line that could not be parsed (ExitSyntax, worst); unorder
// undoes it.
func statusOrder(s int) int {
	switch s {
	case cli.ExitOK:
		return 0
	case cli.ExitSyntax:
		return 2
	}
	return 1
}

func unorder(s int) int {
	switch s {
	case 0:
		return cli.ExitOK
	case 2:
		return cli.ExitSyntax
	}
	return cli.ExitFailure
}

// IsTerminal reports whether w is a terminal, for a progress indicator.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Progress returns a function that shows the line reached on w at most
// five times a second, and a function that erases it at the end; nil
// functions if w is not a terminal.
func Progress(w io.Writer) (func(line int), func()) {
	if !IsTerminal(w) {
		return nil, func() {}
	}
	start := time.Now()
	last := start
	return func(line int) {
			if now := time.Now(); now.Sub(last) > 200*time.Millisecond {
				last = now
				fmt.Fprintf(w, "\rnlctl: line %d, %.1fs", line, now.Sub(start).Seconds())
			}
		}, func() {
			fmt.Fprint(w, "\r\033[K")
		}
}
