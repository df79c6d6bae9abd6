package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
)

// Env is what every command gets: the root context, the global options and
// the streams.
type Env struct {
	// Ctx is cancelled when nlctl receives SIGINT or SIGTERM.
	Ctx context.Context

	JSON    bool   // -j
	NDJSON  bool   // -ndjson: one JSON value per line instead of an array
	Pretty  bool   // -p
	NetNS   string // -n NETNS: a name in /run/netns, or a path
	Family  int    // 4 or 6 (-4, -6), 0 for both
	Details bool   // -d
	Stats   int    // -s, counted
	Brief   bool   // -br
	Oneline bool   // -o
	Batch   string // -batch FILE
	Force   bool   // -force
	// Timestamp (-t, -timestamp) prefixes what a monitor prints with the
	// time; TShort (-ts, -tshort) in ip's short form.
	Timestamp, TShort bool
	// RcvBuf (-rcvbuf SIZE) is a monitor's socket receive buffer, in
	// bytes (0: the command's default).
	RcvBuf int
	// AllNetNS (-all, -all-netns) runs a monitor over every namespace
	// in /run/netns.
	AllNetNS bool

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Context returns the root context (Background if none was set).
func (e *Env) Context() context.Context {
	if e.Ctx == nil {
		return context.Background()
	}
	return e.Ctx
}

// OpenNS opens the namespace the user named, or returns nil for the
// current one. A namespace that cannot be opened is an error of the
// command line (ExitSyntax), as for ip, which opens it as it reads -n.
func (e *Env) OpenNS() (*netns.NS, error) {
	if e.NetNS == "" {
		return nil, nil
	}
	var ns *netns.NS
	var err error
	switch name := e.NetNS; {
	case strings.Contains(name, "/"):
		ns, err = netns.Open(name)
	case len(name) > 255 || name == "." || name == "..":
		err = errors.New("not a name in /run/netns")
	default:
		ns, err = netns.OpenName(name)
	}
	if err != nil {
		// The cause, without the path (the name may be long).
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &Error{ExitSyntax, fmt.Sprintf("cannot open network namespace %s (-n): %v", Quote(e.NetNS), err)}
	}
	return ns, nil
}

// Dial opens a connection of protocol p in the chosen namespace; the
// function it returns closes both.
func (e *Env) Dial(p nl.Protocol, cfg nl.Config) (*nl.Conn, func(), error) {
	ns, err := e.OpenNS()
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

// PrintJSON writes v as JSON, indented with -p; with -ndjson a slice is
// written one element per line.
func (e *Env) PrintJSON(v any) error {
	return output.Encode(e.Stdout, v, e.Pretty, e.NDJSON)
}
