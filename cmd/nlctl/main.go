// Command nlctl speaks netlink to the kernel. `link`, `address`, `route`,
// `nexthop`, `neigh`, `rule` and `netns` take iproute2's grammar and print
// what `ip` prints (with -j, the same JSON keys); -batch runs a file of such
// commands, pipelined. `raw` sends any request to any protocol and decodes
// the replies; `protocols` lists the netlink protocols this kernel has;
// `usersock` serves, calls and watches a custom protocol over
// NETLINK_USERSOCK.
// Every command takes -j for JSON and -n NETNS to run in another network
// namespace.
//
// Exit status: 0 success, 1 usage error, 2 the kernel (or the system)
// refused.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
)

// Exit statuses, as iproute2 uses them.
const (
	exitOK      = 0
	exitUsage   = 1
	exitRefused = 2
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// env is what every command gets: the global options and the streams.
type env struct {
	json    bool
	pretty  bool
	netns   string
	family  int  // 4, 6, or 0 for both (-4, -6)
	details bool // -d
	stats   int  // -s, counted
	brief   bool // -br
	oneline bool // -o
	batch   string
	force   bool
	stdin   io.Reader
	stdout  io.Writer
	stderr  io.Writer
}

// command is one subcommand of nlctl.
type command struct {
	summary string
	run     func(e *env, args []string) error
}

var commands = map[string]command{
	"raw":       {"send any request to any netlink protocol and decode the replies", runRaw},
	"protocols": {"list the netlink protocols this kernel has", runProtocols},
	"usersock":  {"serve, call and watch a custom protocol over NETLINK_USERSOCK", runUsersock},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one nlctl invocation and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdin: os.Stdin, stdout: stdout, stderr: stderr}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		n, err := e.option(args)
		if errors.Is(err, errHelpShown) {
			usage(stdout)
			return exitOK
		}
		if err != nil {
			fmt.Fprintf(stderr, "nlctl: %v (try nlctl -h)\n", err)
			return exitUsage
		}
		args = args[n:]
	}
	if e.batch != "" {
		if len(args) > 0 {
			fmt.Fprintln(stderr, "nlctl: -batch takes no command")
			return exitUsage
		}
		return runBatch(e)
	}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	name := args[0]
	var runCmd func(e *env, args []string) error
	if cmd, ok := commands[name]; ok {
		runCmd = cmd.run
	} else if o, ok := findObject(name); ok {
		name = o.name
		runCmd = func(e *env, args []string) error { return runIPObject(e, o, args) }
	} else {
		fmt.Fprintf(stderr, "nlctl: unknown command %q (try nlctl help)\n", args[0])
		return exitUsage
	}
	rest, err := commandArgs(e, name, args[1:])
	if err == nil {
		err = runCmd(e, rest)
	}
	return report(stderr, name, err)
}

// commandArgs takes the global options out of a command's arguments,
// except from the command that `netns exec NAME` runs, which keeps its own.
func commandArgs(e *env, object string, args []string) ([]string, error) {
	if object == "netns" && len(args) > 0 && matches(args[0], "exec") {
		return args, nil
	}
	return e.globalsAfter(args)
}

// report prints a command's error and returns the exit status for it. A
// command run by `netns exec` that failed passes on its own status.
func report(stderr io.Writer, name string, err error) int {
	if err == nil || errors.Is(err, errHelpShown) {
		return exitOK
	}
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) && ec.ExitCode() > 0 {
		return ec.ExitCode()
	}
	fmt.Fprintf(stderr, "nlctl %s: %v\n", name, err)
	var ue *usageError
	var nf *notFoundError
	if errors.As(err, &ue) || errors.As(err, &nf) {
		return exitUsage
	}
	return exitRefused
}

// option reads one global option at the start of args and returns how many
// arguments it took.
func (e *env) option(args []string) (int, error) {
	a := args[0]
	if v, ok := strings.CutPrefix(a, "--netns="); ok {
		e.netns = v
		return 1, nil
	}
	// iproute2 accepts -opt and --opt, and -brief as -br.
	name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	arg := func() (string, error) {
		if len(args) < 2 {
			return "", usagef("%s needs an argument", a)
		}
		return args[1], nil
	}
	switch name {
	case "j", "json":
		e.json = true
	case "p", "pretty":
		e.pretty = true
	case "n", "netns":
		v, err := arg()
		if err != nil {
			return 0, err
		}
		e.netns = v
		return 2, nil
	case "4":
		e.family = 4
	case "6":
		e.family = 6
	case "d", "details":
		e.details = true
	case "s", "stats", "statistics":
		e.stats++
	case "br", "brief":
		e.brief = true
	case "o", "oneline":
		e.oneline = true
	case "f", "force":
		e.force = true
	case "b", "batch":
		v, err := arg()
		if err != nil {
			return 0, err
		}
		e.batch = v
		return 2, nil
	case "h", "help":
		return 0, errHelpShown
	default:
		return 0, usagef("unknown option %q", a)
	}
	return 1, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nlctl [OPTIONS] COMMAND [ARGS]")
	fmt.Fprintln(w, "       nlctl [OPTIONS] -batch FILE")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	for _, o := range ipObjects {
		if o.summary != "" {
			fmt.Fprintf(w, "  %-10s %s\n", o.name, o.summary)
		}
	}
	fmt.Fprintln(w, "\noptions:")
	fmt.Fprintln(w, "  -j           print JSON (with ip -j's keys for the ip-style commands)")
	fmt.Fprintln(w, "  -p           print pretty JSON (with -j)")
	fmt.Fprintln(w, "  -n NETNS     run in network namespace NETNS (a name in /run/netns, or a path)")
	fmt.Fprintln(w, "  -4, -6       IPv4 or IPv6 only")
	fmt.Fprintln(w, "  -d           details")
	fmt.Fprintln(w, "  -s           statistics")
	fmt.Fprintln(w, "  -br          brief output, one line per object")
	fmt.Fprintln(w, "  -batch FILE  run the commands in FILE (- for standard input), in ip -batch syntax")
	fmt.Fprintln(w, "  -force       go on after errors in -batch")
	fmt.Fprintln(w, "\nenvironment: NLKIT_TRACE=1 prints every netlink message sent and received on stderr")
	fmt.Fprintln(w, "exit status: 0 success, 1 usage error, 2 refused by the kernel or the system")
}

// globalsAfter takes global options out of a command's arguments, where
// people also put them (-j, -p, -n NETNS and the other options that cannot
// be mistaken for a command's own words).
func (e *env) globalsAfter(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-j", "-json", "-p", "-pretty", "-n", "-netns", "-4", "-6", "-d", "-details",
			"-s", "-stats", "-br", "-brief", "-o", "-oneline":
			n, err := e.option(args[i:])
			if err != nil {
				return nil, err
			}
			i += n - 1
		default:
			rest = append(rest, args[i])
		}
	}
	return rest, nil
}

// errHelpShown ends a command that printed its help on request.
var errHelpShown = errors.New("help shown")

// openNS opens the namespace the user named, or returns nil for the
// current one.
func (e *env) openNS() (*netns.NS, error) {
	if e.netns == "" {
		return nil, nil
	}
	if strings.Contains(e.netns, "/") {
		return netns.Open(e.netns)
	}
	return netns.OpenName(e.netns)
}

// dial opens a connection of protocol p in the chosen namespace.
func (e *env) dial(p nl.Protocol, cfg nl.Config) (*nl.Conn, func(), error) {
	ns, err := e.openNS()
	if err != nil {
		return nil, nil, err
	}
	cfg.NetNS = ns
	c, err := nl.Dial(p, &cfg)
	if err != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, nil, err
	}
	return c, func() {
		c.Close()
		if ns != nil {
			ns.Close()
		}
	}, nil
}

// printJSON writes v as JSON, indented with -p.
func (e *env) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	if e.pretty {
		enc.SetIndent("", "    ")
	}
	return enc.Encode(v)
}
