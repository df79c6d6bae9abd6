package rtnl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Handle is a routing netlink connection. It is safe for concurrent use by
// many goroutines. A Handle opened in another network namespace (with
// Config.NetNS) operates on that namespace.
type Handle struct {
	c    *nl.Conn
	encs sync.Pool // *nl.Encoder
	// ns is the namespace the Handle was dialed in (a duplicate it owns),
	// or nil; here says it was dialed in the caller's. They serve to open
	// sockets beside c (WaitLink) when the kernel will not say where c is.
	ns   *netns.NS
	here bool
}

// Dial opens a routing netlink connection. cfg may be nil; strict checking
// (NETLINK_GET_STRICT_CHK) is always requested, because kernel-side dump
// filters depend on it.
func Dial(cfg *nl.Config) (*Handle, error) {
	var c nl.Config
	if cfg != nil {
		c = *cfg
	}
	c.StrictCheck = true
	var ns *netns.NS
	if c.NetNS != nil {
		var err error
		if ns, err = netns.FromFD(c.NetNS.FD()); err != nil {
			return nil, fmt.Errorf("rtnl: %w", err)
		}
	}
	conn, err := nl.Dial(nl.Route, &c)
	if err != nil {
		if ns != nil {
			ns.Close()
		}
		return nil, err
	}
	h := New(conn)
	h.ns, h.here = ns, ns == nil
	return h, nil
}

// sibling returns the configuration of a socket to open in the Handle's
// namespace, beside its connection, and a function that releases it.
func (h *Handle) sibling() (nl.Config, func(), error) {
	if ns, err := h.c.NetNS(); err == nil { // SIOCGSKNS: exact, with CAP_NET_ADMIN
		return nl.Config{NetNS: ns}, func() { ns.Close() }, nil
	}
	switch {
	case h.ns != nil:
		return nl.Config{NetNS: h.ns}, func() {}, nil
	case h.here:
		return nl.Config{}, func() {}, nil
	}
	return nl.Config{}, nil, errors.New("rtnl: the Handle's namespace is unknown (a Handle made with New, and SIOCGSKNS needs CAP_NET_ADMIN)")
}

// DialNetNS opens a routing netlink connection in another network
// namespace, in one call: ns is the name of a namespace under
// /run/netns (as `ip -n NAME` takes it), or, if it contains a slash, a
// path to one: a CNI_NETNS path, a bind mount, or /proc/PID/ns/net for a
// process's. The calling thread never changes namespace. Like any socket
// in a namespace, the Handle keeps it alive after its name is deleted,
// until closed.
// For other settings, open the namespace with the netns package and use
// Dial with Config.NetNS.
func DialNetNS(ns string) (*Handle, error) {
	var n *netns.NS
	var err error
	if strings.Contains(ns, "/") {
		n, err = netns.Open(ns)
	} else {
		n, err = netns.OpenName(ns)
	}
	if err != nil {
		return nil, fmt.Errorf("rtnl: %w", err)
	}
	defer n.Close()
	return Dial(&nl.Config{NetNS: n})
}

// New returns a Handle that sends its requests through c, which must be a
// NETLINK_ROUTE connection. Closing the Handle closes c.
func New(c *nl.Conn) *Handle {
	return &Handle{c: c}
}

// Conn returns the connection under the Handle, for requests this package
// does not model.
func (h *Handle) Conn() *nl.Conn { return h.c }

// Close closes the connection.
func (h *Handle) Close() error {
	if h.ns != nil {
		h.ns.Close()
	}
	return h.c.Close()
}

func (h *Handle) encoder() *nl.Encoder {
	if e, ok := h.encs.Get().(*nl.Encoder); ok {
		e.Reset()
		return e
	}
	return new(nl.Encoder)
}

func (h *Handle) release(e *nl.Encoder) {
	if cap(e.Bytes()) <= 256<<10 {
		h.encs.Put(e)
	}
}

// request sends the single request in e, calls fn (if not nil) with every
// reply message, and names the operation in any error the kernel returns.
func (h *Handle) request(ctx context.Context, e *nl.Encoder, fn func(nl.Message) error) error {
	if err := e.Err(); err != nil {
		return err
	}
	err := h.c.Do(ctx, e, fn)
	if err != nil {
		h.nameError(ctx, err, e.Message(0))
	}
	return err
}

// nameError sets the Op of every *nl.Error in err to a description of req.
func (h *Handle) nameError(ctx context.Context, err error, req nl.Message) {
	var ne *nl.Error
	if errors.As(err, &ne) {
		ne.Op = DescribeRequest(req, h.linkNames(ctx))
	}
}

// linkNames returns a function that names interfaces by index, asking the
// kernel at most once per index. It is used only to word errors.
func (h *Handle) linkNames(ctx context.Context) func(int) string {
	cache := map[int]string{}
	return func(index int) string {
		if n, ok := cache[index]; ok {
			return n
		}
		n := "if" + strconv.Itoa(index)
		if l, err := h.LinkByIndex(ctx, index); err == nil && l != nil {
			n = l.Name
		}
		cache[index] = n
		return n
	}
}

// A decoder fills a zero value from a message, taking the memory the value
// points to from s (see store).
type decoder[T any] func(v *T, m nl.Message, s *store) error

// objectDecoder returns the toolkit's decoder of one listing: dec with a
// store of its own, so that the listing allocates blocks rather than
// values.
func objectDecoder[T any](want nl.MsgType, dec decoder[T], keep func(*T) bool) nl.ObjectDecoder[T] {
	s := new(store)
	return nl.ObjectDecoder[T]{
		Type:   want,
		Decode: func(v *T, m nl.Message) error { return dec(v, m, s) },
		Keep:   keep,
	}
}

// dump lists objects with the toolkit (nl.Objects): it runs the dump
// request that build encodes and yields every reply of type want decoded
// by decode into one reused value, which keep (if not nil) accepts: the
// user-space check of a filter, for kernels that do not filter. Each range
// over the returned iterator runs the dump anew, with an encoder and a
// store of its own. The kernel's errors name the request
// (DescribeRequest).
func dump[T any](ctx context.Context, h *Handle, build func(*nl.Encoder), want nl.MsgType, decode decoder[T], keep func(*T) bool) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		e := h.encoder()
		defer h.release(e)
		build(e)
		if err := e.Err(); err != nil {
			yield(nil, err)
			return
		}
		for v, err := range nl.Objects(ctx, h.c, e, objectDecoder(want, decode, keep)) {
			if err != nil {
				// Yielded after the dump let the connection go: naming
				// may ask the kernel for interface names.
				h.nameError(ctx, err, e.Message(0))
				yield(nil, err)
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// collect gathers a dump into a slice with the toolkit (nl.Collect), which
// fetches it again when the kernel reports it interrupted by a change. The
// values share the blocks of one store.
func collect[T any](ctx context.Context, h *Handle, build func(*nl.Encoder), want nl.MsgType, decode decoder[T], keep func(*T) bool) ([]T, error) {
	e := h.encoder()
	defer h.release(e)
	build(e)
	if err := e.Err(); err != nil {
		return nil, err
	}
	out, err := nl.Collect(ctx, h.c, e, objectDecoder(want, decode, keep))
	if err != nil {
		h.nameError(ctx, err, e.Message(0))
		return nil, err
	}
	return out, nil
}

// A Verb says what a change request does to its object.
type Verb uint8

// The verbs, with the netlink flags they stand for.
const (
	// Add creates the object and fails if it exists (NLM_F_CREATE|NLM_F_EXCL).
	Add Verb = iota + 1
	// Replace creates the object or replaces an existing one
	// (NLM_F_CREATE|NLM_F_REPLACE).
	Replace
	// Change modifies an existing object and fails if there is none
	// (NLM_F_REPLACE).
	Change
	// Append adds the object after existing ones with the same key, as an
	// alternative route does (NLM_F_CREATE|NLM_F_APPEND).
	Append
	// Delete removes the object.
	Delete
	// Prepend adds the object before existing ones with the same key, as
	// an alternative route does (NLM_F_CREATE alone: iproute2's `ip route
	// prepend`). Only routes take it.
	Prepend
	// Test creates nothing: it fails with EEXIST if the object exists
	// (NLM_F_EXCL alone: iproute2's `ip route test`; IPv6 routes, which
	// the kernel creates without NLM_F_CREATE too, are added). Only routes
	// take it.
	Test
)

// flags returns the netlink flags of a change request for v.
func (v Verb) flags() nl.Flags {
	f := nl.Flags(unix.NLM_F_ACK)
	switch v {
	case Add:
		f |= unix.NLM_F_CREATE | unix.NLM_F_EXCL
	case Replace:
		f |= unix.NLM_F_CREATE | unix.NLM_F_REPLACE
	case Change:
		f |= unix.NLM_F_REPLACE
	case Append:
		f |= unix.NLM_F_CREATE | unix.NLM_F_APPEND
	case Prepend:
		f |= unix.NLM_F_CREATE
	case Test:
		f |= unix.NLM_F_EXCL
	}
	return f
}

// String returns the verb as iproute2 spells it: add, replace, change,
// append, delete, prepend, test.
func (v Verb) String() string {
	switch v {
	case Add:
		return "add"
	case Replace:
		return "replace"
	case Change:
		return "change"
	case Append:
		return "append"
	case Delete:
		return "delete"
	case Prepend:
		return "prepend"
	case Test:
		return "test"
	}
	return "verb" + strconv.Itoa(int(v))
}

// errVerb reports a verb an object does not support.
func errVerb(v Verb, object string) error {
	return errors.New("rtnl: cannot " + v.String() + " a " + object)
}
