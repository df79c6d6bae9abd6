package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// ErrFamilyNotFound is wrapped by the error Conn.Family returns when the
// kernel has no family of that name registered (the controller answers
// ENOENT): the feature is not built, or its module is not loaded and could
// not be.
var ErrFamilyNotFound = errors.New("generic netlink family not registered")

// A Conn is a generic netlink connection. It resolves families by name
// (once each), and sends requests whose errors name the family and the
// command. It is safe for concurrent use by many goroutines.
type Conn struct {
	c     *nl.Conn
	names *names
	encs  sync.Pool // *nl.Encoder
}

// Dial opens a generic netlink connection; cfg may be nil. Unless cfg has a
// Describer, the Conn's own names the messages of the families it resolved
// in traces and errors.
func Dial(cfg *nl.Config) (*Conn, error) {
	var c nl.Config
	if cfg != nil {
		c = *cfg
	}
	n := newNames()
	if c.Describe == nil {
		c.Describe = n
	}
	conn, err := nl.Dial(nl.Generic, &c)
	if err != nil {
		return nil, fmt.Errorf("genl: %w", err)
	}
	return &Conn{c: conn, names: n}, nil
}

// DialNetNS opens a generic netlink connection in another network
// namespace: ns is a name under /run/netns or, if it contains a slash, a
// path (as rtnl.DialNetNS takes it). The calling thread never changes
// namespace.
func DialNetNS(ns string) (*Conn, error) {
	var n *netns.NS
	var err error
	if strings.Contains(ns, "/") {
		n, err = netns.Open(ns)
	} else {
		n, err = netns.OpenName(ns)
	}
	if err != nil {
		return nil, fmt.Errorf("genl: %w", err)
	}
	defer n.Close()
	return Dial(&nl.Config{NetNS: n})
}

// New returns a Conn that sends its requests through c, which must be a
// NETLINK_GENERIC connection. Closing the Conn closes c.
func New(c *nl.Conn) *Conn {
	return &Conn{c: c, names: newNames()}
}

// Conn returns the netlink connection under the Conn.
func (c *Conn) Conn() *nl.Conn { return c.c }

// Close closes the connection.
func (c *Conn) Close() error { return c.c.Close() }

// NameCommands gives the names of a family's commands, by number, for
// errors and traces: family packages call it with their command names
// (WG_CMD_GET_DEVICE, ...). Commands without a name are numbered.
func (c *Conn) NameCommands(family string, commands map[uint8]string) {
	c.names.setCommands(family, commands)
}

// Encoder returns an empty encoder from the Conn's pool; Release gives it
// back.
func (c *Conn) Encoder() *nl.Encoder {
	if e, ok := c.encs.Get().(*nl.Encoder); ok {
		e.Reset()
		return e
	}
	return new(nl.Encoder)
}

// Release returns an encoder to the Conn's pool; it must not be used
// afterwards.
func (c *Conn) Release(e *nl.Encoder) {
	if cap(e.Bytes()) <= 256<<10 {
		c.encs.Put(e)
	}
}

// Family resolves the family named name with the controller
// (CTRL_CMD_GETFAMILY), once: later calls return the same description
// until the Conn is closed. A family the kernel does not have gives an
// error wrapping ErrFamilyNotFound (the kernel may load a family's module
// on this request, where modules can be loaded). The Family returned is
// shared: do not change it.
func (c *Conn) Family(ctx context.Context, name string) (*Family, error) {
	if f := c.names.byName(name); f != nil {
		return f, nil
	}
	e := c.Encoder()
	defer c.Release(e)
	controller().Begin(e, unix.CTRL_CMD_GETFAMILY, 0)
	e.String(unix.CTRL_ATTR_FAMILY_NAME, name)
	if err := e.End(); err != nil {
		return nil, fmt.Errorf("genl: resolve family %q: %w", name, err)
	}
	f := new(Family)
	found := false
	err := c.do(ctx, e, func(m Message) error {
		if m.Header.Command != unix.CTRL_CMD_NEWFAMILY {
			return nil
		}
		found = true
		return f.Decode(m.Message)
	})
	var ne *nl.Error
	switch {
	case errors.As(err, &ne) && ne.Errno == unix.ENOENT:
		return nil, fmt.Errorf("genl: resolve family %q: %w (%w)", name, ErrFamilyNotFound, err)
	case err != nil:
		return nil, fmt.Errorf("genl: resolve family %q: %w", name, err)
	case !found || f.Name != name:
		return nil, fmt.Errorf("genl: resolve family %q: the controller answered with family %q: %w", name, f.Name, nl.ErrMalformed)
	}
	return c.names.add(f), nil
}

// Families lists every family the kernel has registered (a dump of
// CTRL_CMD_GETFAMILY), fetching the list again if a family registered or
// left while it was dumped.
func (c *Conn) Families(ctx context.Context) ([]Family, error) {
	e := c.Encoder()
	defer c.Release(e)
	controller().Begin(e, unix.CTRL_CMD_GETFAMILY, nl.Flags(unix.NLM_F_DUMP))
	if err := e.End(); err != nil {
		return nil, fmt.Errorf("genl: list families: %w", err)
	}
	var out []Family
	err := nl.Retry(nl.DefaultRetries, func() error {
		out = out[:0]
		for m, err := range c.Dump(ctx, e) {
			if err != nil {
				return err
			}
			var f Family
			if err := f.Decode(m.Message); err != nil {
				return err
			}
			out = append(out, f)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("genl: list families: %w", err)
	}
	return out, nil
}

// Do sends the single request encoded in e (begun with Family.Begin) and
// calls fn, if not nil, with every reply, split into its generic header
// and payload; each is valid only during the call. A refusal by the kernel
// is an *nl.Error whose Op names the family and the command (wireguard
// WG_CMD_SET_DEVICE); other errors are wrapped naming them too.
func (c *Conn) Do(ctx context.Context, e *nl.Encoder, fn func(Message) error) error {
	return c.do(ctx, e, fn)
}

func (c *Conn) do(ctx context.Context, e *nl.Encoder, fn func(Message) error) error {
	if err := e.Err(); err != nil {
		return fmt.Errorf("genl: %s: %w", c.describe(e), err)
	}
	err := c.c.Do(ctx, e, func(m nl.Message) error {
		gm, err := ParseMessage(m)
		if err != nil {
			return err
		}
		if fn == nil {
			return nil
		}
		return fn(gm)
	})
	return c.nameError(e, err)
}

// Dump sends the single dump request encoded in e (begun with
// Family.Begin; NLM_F_DUMP is set) and yields every reply split into its
// generic header and payload, valid only until the loop body returns.
// Errors name the family and command as Do's do; an interrupted dump
// yields an error wrapping nl.ErrDumpInterrupted (wrap the loop in
// nl.Retry). The connection is busy until the loop ends.
func (c *Conn) Dump(ctx context.Context, e *nl.Encoder) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if err := e.Err(); err != nil {
			yield(Message{}, fmt.Errorf("genl: %s: %w", c.describe(e), err))
			return
		}
		for m, err := range c.c.Dump(ctx, e) {
			if err != nil {
				yield(Message{}, c.nameError(e, err))
				return
			}
			gm, err := ParseMessage(m)
			if err != nil {
				yield(Message{}, c.nameError(e, err))
				return
			}
			if !yield(gm, nil) {
				return
			}
		}
	}
}

// describe names the family and command of the first message of e.
func (c *Conn) describe(e *nl.Encoder) string {
	if e.Len() == 0 {
		return "empty request"
	}
	m := e.Message(0)
	var cmd uint8
	if len(m.Data) > 0 {
		cmd = m.Data[0]
	}
	return c.names.describe(uint16(m.Header.Type), cmd)
}

// nameError sets the Op of the kernel's refusal in err to the family and
// command of e's request, and wraps any other error naming them.
func (c *Conn) nameError(e *nl.Encoder, err error) error {
	if err == nil {
		return nil
	}
	var ne *nl.Error
	if errors.As(err, &ne) {
		ne.Op = c.describe(e)
		return err
	}
	return fmt.Errorf("genl: %s: %w", c.describe(e), err)
}
