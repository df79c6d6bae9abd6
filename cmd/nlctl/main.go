// Command nlctl speaks netlink to the kernel: `raw` sends any request to any
// protocol and decodes the replies, `protocols` lists the netlink protocols
// this kernel has. Every command takes -j for JSON and -n NETNS to run in
// another network namespace.
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
	json   bool
	pretty bool
	netns  string
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand of nlctl.
type command struct {
	summary string
	run     func(e *env, args []string) error
}

var commands = map[string]command{
	"raw":       {"send any request to any netlink protocol and decode the replies", runRaw},
	"protocols": {"list the netlink protocols this kernel has", runProtocols},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one nlctl invocation and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch a := args[0]; a {
		case "-j", "-json", "--json":
			e.json = true
		case "-p", "-pretty", "--pretty":
			e.pretty = true
		case "-n", "-netns", "--netns":
			if len(args) < 2 {
				fmt.Fprintln(stderr, "nlctl: -n needs a namespace name or path")
				return exitUsage
			}
			e.netns = args[1]
			args = args[1:]
		case "-h", "-help", "--help":
			usage(stdout)
			return exitOK
		default:
			if v, ok := strings.CutPrefix(a, "--netns="); ok {
				e.netns = v
				break
			}
			fmt.Fprintf(stderr, "nlctl: unknown option %q (try nlctl -h)\n", a)
			return exitUsage
		}
		args = args[1:]
	}
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	if args[0] == "help" {
		usage(stdout)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "nlctl: unknown command %q (try nlctl help)\n", args[0])
		return exitUsage
	}
	rest, err := e.globalsAfter(args[1:])
	if err == nil {
		err = cmd.run(e, rest)
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelpShown) {
		return exitOK
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "nlctl %s: %v\n", args[0], err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "nlctl %s: %v\n", args[0], err)
	return exitRefused
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: nlctl [-j] [-p] [-n NETNS] COMMAND [ARGS]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\noptions:")
	fmt.Fprintln(w, "  -j         print JSON")
	fmt.Fprintln(w, "  -p         print pretty JSON (with -j)")
	fmt.Fprintln(w, "  -n NETNS   run in network namespace NETNS (a name in /run/netns, or a path)")
	fmt.Fprintln(w, "\nenvironment: NLKIT_TRACE=1 prints every netlink message sent and received on stderr")
	fmt.Fprintln(w, "exit status: 0 success, 1 usage error, 2 refused by the kernel or the system")
}

// globalsAfter takes the global options -j, -p and -n NETNS out of a
// command's arguments, where people also put them.
func (e *env) globalsAfter(args []string) ([]string, error) {
	var rest []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-j", "-json":
			e.json = true
		case "-p", "-pretty":
			e.pretty = true
		case "-n", "-netns":
			if i+1 >= len(args) {
				return nil, usagef("-n needs a namespace name or path")
			}
			e.netns = args[i+1]
			i++
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
