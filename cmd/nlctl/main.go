// Command nlctl speaks netlink to the kernel. `link`, `address`, `route`,
// `nexthop`, `neigh`, `rule`, `netns` and `monitor` take iproute2's grammar
// and print what `ip` prints (with -j, the same JSON keys), with ip's exit
// statuses; -batch runs a file of such commands, pipelined. `bridge`
// takes iproute2 bridge's objects (link, fdb, mdb, vlan, monitor) with its
// grammar, text and JSON keys. `raw` sends
// any request to any protocol and decodes the replies; `protocols` lists
// the netlink protocols this kernel has; `usersock` serves, calls and
// watches a custom protocol over NETLINK_USERSOCK; `completion` prints a
// shell completion script.
//
// Every command takes -j for JSON and -n NETNS to run in another network
// namespace.
//
// Exit status, as ip's: 0 success; 1 a name that matches nothing (an
// unknown command, a device that does not exist) or a value that cannot be
// used; 2 refused by the kernel or the system; 255 a command line that
// cannot be parsed. With -batch, as ip -batch's: 1 if a command failed, 255
// if one could not be parsed.
package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/bridge"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/completion"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/exporter"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/iproute"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/raw"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/usersockcmd"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/wgcmd"
)

// registry returns nlctl's commands, in the order abbreviations are tried:
// ip's objects first, so that "r" is route as it is for ip. A command
// family is one package and one line here.
func registry() *cli.Registry {
	r := &cli.Registry{Batch: iproute.RunBatch}
	iproute.SetValues(r)
	r.Add(iproute.Commands()...)
	r.Add(bridge.Commands()...)
	r.Add(raw.Commands()...)
	r.Add(usersockcmd.Commands()...)
	r.Add(wgcmd.Commands()...)
	r.Add(exporter.Commands()...)
	r.Add(completion.Commands(r)...)
	return r
}

func main() {
	ctx, stop, _ := signalContext(signalDelay)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalDelay is how long nlctl runs before SIGINT and SIGTERM cancel its
// root context rather than end it.
const signalDelay = 20 * time.Millisecond

// signalContext returns the root context, cancelled by SIGINT or SIGTERM
// (a second one ends nlctl), the function that stops watching them, and a
// channel closed once they are watched.
//
// Watching signals costs about a millisecond at start-up (a goroutine and
// a thread that wait for them, and the handlers' set-up), as much as a
// short listing takes: it is set up only after delay. Until then, SIGINT
// and SIGTERM end nlctl at once, as they end ip; commands that run longer
// (-batch, monitors, servers) stop cleanly.
func signalContext(delay time.Duration) (context.Context, func(), <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	armed := make(chan struct{})
	var mu sync.Mutex
	stopped := false
	var sigs chan os.Signal
	timer := time.AfterFunc(delay, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		sigs = make(chan os.Signal, 1)
		signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
		go func(sigs chan os.Signal) {
			if _, ok := <-sigs; ok {
				cancel()
				signal.Reset(os.Interrupt, syscall.SIGTERM)
			}
		}(sigs)
		close(armed)
	})
	return ctx, func() {
		timer.Stop()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		if sigs != nil {
			signal.Stop(sigs)
			close(sigs)
		}
		cancel()
	}, armed
}

// run executes one nlctl invocation and returns its exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Main(ctx, registry(), args, stdin, stdout, stderr)
}
