// Package wgcmd is nlctl's wg command: WireGuard devices shown and
// configured with wg(8)'s grammar and output, through package wireguard.
package wgcmd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/wireguard"
)

// showFields are the fields `wg show IFACE FIELD` prints alone.
var showFields = []string{"public-key", "private-key", "listen-port", "fwmark", "peers", "preshared-keys",
	"endpoints", "allowed-ips", "latest-handshakes", "persistent-keepalive", "transfer", "dump"}

// Commands returns the wg command, for nlctl's registry.
func Commands() []*cli.Command {
	return []*cli.Command{{
		Name:    "wg",
		Summary: "WireGuard devices: show, showconf, set, setconf, addconf, syncconf, genkey, genpsk, pubkey (wg(8)'s grammar)",
		Run:     run,
		Grammar: func() cli.Grammar {
			return cli.Grammar{Default: "show", Verbs: []cli.Verb{
				{Name: "show", Arg: cli.ValueText, Words: cli.Kw(showFields...)},
				{Name: "showconf", Arg: cli.ValueText},
				{Name: "set", Arg: cli.ValueText, Words: cli.Words(
					cli.KwValue(cli.ValueText, "listen-port", "fwmark", "peer", "endpoint", "persistent-keepalive", "allowed-ips"),
					cli.KwValue(cli.ValueFile, "private-key", "preshared-key"),
					cli.Kw("remove", "update-only"))},
				{Name: "setconf", Arg: cli.ValueDevice}, {Name: "addconf", Arg: cli.ValueDevice}, {Name: "syncconf", Arg: cli.ValueDevice},
				{Name: "genkey"}, {Name: "genpsk"}, {Name: "pubkey"},
			}}
		},
	}}
}

// usage is printed for a command line wg(8) would not take.
const usage = `usage: nlctl wg [show [IFACE|all|interfaces] [FIELD]] | showconf IFACE |
       set IFACE [listen-port PORT] [fwmark MARK|off] [private-key FILE]
           [peer KEY [remove] [update-only] [preshared-key FILE] [endpoint HOST:PORT]
            [persistent-keepalive SECONDS|off] [allowed-ips PREFIX[,PREFIX...]]]...
       | setconf IFACE FILE | addconf IFACE FILE | syncconf IFACE FILE
       | genkey | genpsk | pubkey
FILE of setconf, addconf, syncconf: wg's configuration format (/dev/stdin: standard input)
FIELD: ` + "public-key private-key listen-port fwmark peers preshared-keys endpoints\n" +
	"       allowed-ips latest-handshakes persistent-keepalive transfer dump\n"

func run(e *cli.Env, args []string) error {
	verb := "show"
	if len(args) > 0 {
		verb, args = args[0], args[1:]
	}
	switch verb {
	case "show":
		return runShow(e, args)
	case "showconf":
		return runShowconf(e, args)
	case "set":
		return runSet(e, args)
	case "setconf", "addconf", "syncconf":
		return runConf(e, verb, args)
	case "genkey", "genpsk":
		if len(args) > 0 {
			return cli.Syntaxf("wg %s takes no arguments\n%s", verb, usage)
		}
		gen := wireguard.GeneratePrivateKey
		if verb == "genpsk" {
			gen = wireguard.GenerateKey
		}
		k, err := gen()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(e.Stdout, k)
		return err
	case "pubkey":
		if len(args) > 0 {
			return cli.Syntaxf("wg pubkey takes no arguments\n%s", usage)
		}
		k, err := readKey(e.Stdin, "standard input")
		if err != nil {
			return cli.Failf("%v", err)
		}
		_, err = fmt.Fprintln(e.Stdout, k.PublicKey())
		return err
	case "help", "-h", "--help":
		fmt.Fprint(e.Stdout, usage)
		return cli.ErrHelpShown
	}
	return cli.Syntaxf("invalid subcommand %s\n%s", cli.Quote(verb), usage)
}

// dial opens a WireGuard client in the namespace of -n, if given.
func dial(e *cli.Env) (*wireguard.Client, error) {
	ns, err := e.OpenNS()
	if err != nil {
		return nil, err
	}
	var cfg nl.Config
	if ns != nil {
		defer ns.Close()
		cfg.NetNS = ns
	}
	return wireguard.Dial(&cfg)
}

// readKey reads a base64 key, as wg reads key files and standard input:
// the first line, spaces around it ignored.
func readKey(r io.Reader, what string) (wireguard.Key, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 1024)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return wireguard.Key{}, fmt.Errorf("reading a key from %s: %w", what, err)
	}
	k, err := wireguard.ParseKey(strings.TrimSpace(line))
	if err != nil {
		return k, fmt.Errorf("key in %s: %w", what, err)
	}
	return k, nil
}

// readKeyFile reads a key from a file, as `wg set`'s private-key and
// preshared-key take them; "/dev/null" or an empty file is the zero key
// (removing the key, as wg does).
func readKeyFile(path string) (wireguard.Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return wireguard.Key{}, err
	}
	if strings.TrimSpace(string(b)) == "" {
		return wireguard.Key{}, nil
	}
	return readKey(strings.NewReader(string(b)), path)
}
