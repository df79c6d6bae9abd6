// Command nlctl speaks netlink to the kernel. `link`, `address`, `route`,
// `nexthop`, `neigh`, `rule` and `netns` take iproute2's grammar and print
// what `ip` prints (with -j, the same JSON keys), with ip's exit statuses;
// -batch runs a file of such commands, pipelined. `raw` sends any request
// to any protocol and decodes the replies; `protocols` lists the netlink
// protocols this kernel has; `usersock` serves, calls and watches a custom
// protocol over NETLINK_USERSOCK; `completion` prints a shell completion
// script.
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
	"syscall"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/completion"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/iproute"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/raw"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/usersockcmd"
)

// registry returns nlctl's commands, in the order abbreviations are tried:
// ip's objects first, so that "r" is route as it is for ip. A command
// family is one package and one line here.
func registry() *cli.Registry {
	r := &cli.Registry{Batch: iproute.RunBatch, LinkKinds: iproute.LinkKinds()}
	r.Add(iproute.Commands()...)
	r.Add(raw.Commands()...)
	r.Add(usersockcmd.Commands()...)
	r.Add(completion.Commands(r)...)
	return r
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one nlctl invocation and returns its exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return cli.Main(ctx, registry(), args, stdin, stdout, stderr)
}
