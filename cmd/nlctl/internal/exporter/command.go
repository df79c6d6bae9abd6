// Package exporter is nlctl's exporter command: a Prometheus exporter of
// the routing state of network namespaces, over rtnl's Cache.
//
// Each namespace exported has a Handle and a Cache of its own. A scrape
// reads the interfaces' counters from the kernel (one link dump: a Cache's
// link bodies carry the counters of the link's last event only) and
// computes the aggregates (routes by table, protocol and family;
// neighbours by state and family; addresses per interface and family;
// nexthop objects; rules) from the Cache with its Range methods, without
// copying its state. The Cache's own health (events, derived changes,
// overruns, resyncs, objects corrected, objects and bytes held) is exported
// too.
//
// The Prometheus client library (github.com/prometheus/client_golang)
// writes the exposition format; it is a dependency of nlctl only, never of
// the library packages.
package exporter

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

const usage = `usage: nlctl [-n NETNS] exporter --listen ADDR [--all-netns] [--poll DUR]

A Prometheus exporter of the routing state of a network namespace: its
interfaces (counters read from the kernel at each scrape, oper state, MTU,
kind), its routes by table, protocol and family, neighbours by state and
family, addresses per interface and family, nexthop objects and rules, and
the health of the cache that follows the namespace's events (events,
derived changes, overruns, resyncs, objects corrected, objects and bytes
held). It serves them at http://ADDR/metrics until interrupted (SIGINT,
SIGTERM). Every metric has a label netns: the -n name, or "".

  --listen ADDR   where to serve, HOST:PORT, such as 127.0.0.1:9101 (port 0
                  picks a free one; the address served is printed). The
                  metrics are served to whoever reaches ADDR, without
                  authentication: prefer a loopback address.
  --all-netns     export every namespace in /run/netns (netns="NAME") and
                  the one nlctl runs in (netns=""); namespaces added to or
                  deleted from /run/netns are followed (see --poll). Not
                  with -n.
  --poll DUR      how often /run/netns is read again (with --all-netns) and a
                  cache that stopped is started again (default 5s)

Exit status: 0 after SIGINT or SIGTERM, 2 if the address cannot be served or
a namespace cannot be followed, 255 a command line that cannot be parsed.
`

// Commands returns the exporter command, for nlctl's registry.
func Commands() []*cli.Command {
	return []*cli.Command{{
		Name:    "exporter",
		Summary: "serve the routing state as Prometheus metrics",
		Run:     run,
		Grammar: func() cli.Grammar {
			return cli.Grammar{Verbs: []cli.Verb{{Name: "", Words: cli.Words(
				cli.KwValue(cli.ValueText, "--listen", "--poll"),
				cli.Kw("--all-netns"))}}}
		},
	}}
}

// options are the parsed options of `nlctl exporter`.
type options struct {
	listen   string
	allNetNS bool
	poll     time.Duration
}

// defaultPoll is how often /run/netns is read and stopped caches are
// started again.
const defaultPoll = 5 * time.Second

func parse(args []string) (*options, error) {
	o := &options{poll: defaultPoll}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			return nil, cli.Syntaxf("unexpected argument %s, try \"nlctl exporter -h\"", cli.Quote(a))
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a, "-"), "=")
		need := func() (string, error) {
			if hasVal {
				return val, nil
			}
			if i+1 >= len(args) {
				return "", cli.Syntaxf("--%s needs a value", name)
			}
			i++
			return args[i], nil
		}
		var err error
		switch name {
		case "h", "help":
			return nil, cli.ErrHelpShown
		case "listen":
			var v string
			if v, err = need(); err == nil {
				if _, _, e := net.SplitHostPort(v); e != nil {
					err = cli.Syntaxf("invalid --listen %s: HOST:PORT is expected, such as 127.0.0.1:9101", cli.Quote(v))
				}
				o.listen = v
			}
		case "all-netns":
			if hasVal {
				err = cli.Syntaxf("--all-netns takes no value")
			}
			o.allNetNS = true
		case "poll":
			var v string
			if v, err = need(); err == nil {
				if o.poll, err = time.ParseDuration(v); err != nil || o.poll < 10*time.Millisecond {
					err = cli.Syntaxf("invalid --poll %s: a duration of at least 10ms, such as 5s, is expected", cli.Quote(v))
				}
			}
		default:
			return nil, cli.Syntaxf("unknown option %s, try \"nlctl exporter -h\"", cli.Quote(a))
		}
		if err != nil {
			return nil, err
		}
	}
	if o.listen == "" {
		return nil, cli.Syntaxf("exporter needs --listen ADDR, such as --listen 127.0.0.1:9101")
	}
	return o, nil
}

func run(e *cli.Env, args []string) error {
	o, err := parse(args)
	if errors.Is(err, cli.ErrHelpShown) {
		fmt.Fprint(e.Stdout, usage)
		return err
	}
	if err != nil {
		return err
	}
	// nlctl's global -all-netns (as monitor takes it) says the same.
	o.allNetNS = o.allNetNS || e.AllNetNS
	if o.allNetNS && e.NetNS != "" {
		return cli.Syntaxf("--all-netns exports every namespace: it takes no -n")
	}
	cfg := Config{Poll: o.poll, Log: e.Stderr}
	if o.allNetNS {
		cfg.AllNetNS = true
		cfg.Self = func() (*rtnl.Handle, error) { return rtnl.Dial(nil) }
	} else {
		// OpenNS now, so that a namespace that cannot be opened is an
		// error of the command line, as for every other command.
		ns, err := e.OpenNS()
		if err != nil {
			return err
		}
		if ns != nil {
			ns.Close()
		}
		name := e.NetNS
		cfg.Self = func() (*rtnl.Handle, error) {
			if name == "" {
				return rtnl.Dial(nil)
			}
			ns, err := e.OpenNS()
			if err != nil {
				return nil, err
			}
			defer ns.Close()
			return rtnl.Dial(&nl.Config{NetNS: ns})
		}
		cfg.SelfName = name
	}
	ctx := e.Context()
	x, err := New(ctx, cfg)
	if err != nil {
		return err
	}
	defer x.Close()
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "serving http://%s/metrics\n", ln.Addr())
	return x.Serve(ctx, ln)
}
