package raw

import (
	"errors"
	"fmt"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// protocolInfo is one line of `nlctl protocols`.
type protocolInfo struct {
	Number    int    `json:"number"`
	Name      string `json:"name"`
	Available bool   `json:"available"`
}

// probeProtocols tries to open a socket of every protocol number.
func probeProtocols(env *cli.Env) ([]protocolInfo, error) {
	ns, err := env.OpenNS()
	if err != nil {
		return nil, err
	}
	if ns != nil {
		defer ns.Close()
	}
	var out []protocolInfo
	for p := nl.Protocol(0); p <= nl.MaxProtocol; p++ {
		s, err := nl.OpenSocket(p, &nl.Config{NetNS: ns})
		info := protocolInfo{Number: int(p), Name: p.String()}
		switch {
		case err == nil:
			info.Available = true
			s.Close()
		case errors.Is(err, unix.EPROTONOSUPPORT):
		default:
			return nil, err
		}
		if info.Available || info.Name != fmt.Sprint(int(p)) {
			out = append(out, info)
		}
	}
	return out, nil
}

func runProtocols(env *cli.Env, args []string) error {
	all := false
	for _, a := range args {
		switch a {
		case "-a", "--all":
			all = true
		case "-h", "--help":
			fmt.Fprintln(env.Stdout, "usage: nlctl protocols [-a]\n\nLists the netlink protocols this kernel has registered; -a also lists the known ones it lacks.")
			return cli.ErrHelpShown
		default:
			return cli.Syntaxf("unknown argument %s (-a is expected)", cli.Quote(a))
		}
	}
	infos, err := probeProtocols(env)
	if err != nil {
		return err
	}
	if !all {
		kept := infos[:0]
		for _, i := range infos {
			if i.Available {
				kept = append(kept, i)
			}
		}
		infos = kept
	}
	if env.JSON {
		return env.PrintJSON(infos)
	}
	for _, i := range infos {
		state := "available"
		if !i.Available {
			state = "not registered"
		}
		fmt.Fprintf(env.Stdout, "%2d  %-15s %s\n", i.Number, i.Name, state)
	}
	return nil
}
