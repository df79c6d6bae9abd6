package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Main runs one nlctl invocation (args without the program name) and
// returns its exit status.
func Main(ctx context.Context, r *Registry, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &Env{Ctx: ctx, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		n, err := e.Option(args)
		if errors.Is(err, ErrHelpShown) {
			r.Usage(stdout)
			return ExitOK
		}
		if err != nil {
			fmt.Fprintf(stderr, "nlctl: %v\n", err)
			return Status(err)
		}
		args = args[n:]
	}
	if e.Batch != "" {
		if len(args) > 0 {
			fmt.Fprintln(stderr, "nlctl: -batch takes no command")
			return ExitSyntax
		}
		if r.Batch == nil {
			fmt.Fprintln(stderr, "nlctl: no batch mode")
			return ExitSyntax
		}
		return r.Batch(e)
	}
	if len(args) == 0 {
		r.Usage(stderr)
		return ExitSyntax
	}
	if args[0] == "help" {
		r.Usage(stdout)
		return ExitOK
	}
	c, ok := r.Lookup(args[0])
	if !ok {
		// A name that matches nothing: ExitFailure, as ip's
		// `Object "x" is unknown`.
		fmt.Fprintf(stderr, "nlctl: command %s is unknown, try \"nlctl help\"\n", Quote(args[0]))
		return ExitFailure
	}
	err := RunCommand(e, c, args[1:])
	if err != nil && !errors.Is(err, ErrHelpShown) {
		var ec interface{ ExitCode() int }
		if !errors.As(err, &ec) || ec.ExitCode() <= 0 || errors.As(err, new(*Error)) {
			fmt.Fprintf(stderr, "nlctl %s: %v\n", c.Name, err)
		}
	}
	return Status(err)
}

// RunCommand runs command c with its arguments, after taking the global
// options out of them (unless c keeps them).
func RunCommand(e *Env, c *Command, args []string) error {
	if c.KeepOptions == nil || !c.KeepOptions(args) {
		var err error
		if args, err = e.GlobalsAfter(args); err != nil {
			return err
		}
	}
	return c.Run(e, args)
}

// Usage prints nlctl's help: the commands and the global options.
func (r *Registry) Usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nlctl [OPTIONS] COMMAND [ARGS]")
	fmt.Fprintln(w, "       nlctl [OPTIONS] -batch FILE")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range r.cmds {
		if c.Summary != "" {
			fmt.Fprintf(w, "  %-10s %s\n", c.Name, c.Summary)
		}
	}
	fmt.Fprint(w, `
options:
  -j           print JSON (with ip -j's keys for the ip-style commands)
  -ndjson      print JSON, one object per line
  -p           print pretty JSON (with -j)
  -n NETNS     run in network namespace NETNS (a name in /run/netns, or a path)
  -4, -6       IPv4 or IPv6 only
  -d           details
  -s           statistics
  -br          brief output, one line per object
  -o           one line per object
  -batch FILE  run the commands in FILE (- for standard input), in ip -batch syntax
  -force       go on after errors in -batch
  -t, -ts      monitor: print when each event came (-ts: on the event's line)
  -rcvbuf SIZE monitor: the socket's receive buffer, in bytes
  -all-netns   monitor: every namespace in /run/netns (also -all)

environment: NLKIT_TRACE=1 prints every netlink message sent and received on stderr
exit status (as ip's): 0 success; 1 a name that matches nothing (an unknown
command, a device that does not exist) or a value that cannot be used; 2
refused by the kernel or the system; 255 a command line that cannot be
parsed (unknown keyword or option, missing, duplicate or malformed value).
With -batch (as ip -batch): 1 if a command failed, 255 if one could not be
parsed.
`)
}
