package nl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"reflect"
	"sync"

	"golang.org/x/sys/unix"
)

// A Resync fetches again the state a listener follows, once the listener
// has lost messages (an overrun, a datagram cut short): it runs the dumps
// on a connection of its own, opened on first use in the listener's
// network namespace. Dumping on the listening connection itself is a trap:
// every event that arrives meanwhile would be copied into this process to
// wait for the listener, and past Config.PendingLimit be lost, forcing
// another resync; on a separate socket they wait in the kernel's buffer,
// where the listener reads them next. A Resync is safe for concurrent use.
//
// After an overrun the kernel drops every message for the listener until
// its queue has been read empty (the socket stays "congested"). So read
// what the listener holds first, and fetch the state once its queue ran
// empty: a change made before then is in the fetched state, a change made
// after is an event. A listener with Config.ListenAllNSID hears other
// namespaces too; a Resync fetches its own namespace's state only.
type Resync struct {
	listener *Conn
	cfg      Config
	mu       sync.Mutex
	dump     *Conn
}

// NewResync returns a Resync for listener. cfg configures the dump
// connection (nil for the defaults); its NetNS, Port and Groups are
// ignored: the connection joins no group and opens in the listener's
// namespace.
func NewResync(listener *Conn, cfg *Config) *Resync {
	r := &Resync{listener: listener}
	if cfg != nil {
		r.cfg = *cfg
	}
	r.cfg.NetNS, r.cfg.Port, r.cfg.Groups, r.cfg.ListenAllNSID = nil, 0, 0, false
	r.cfg.Peer = listener.cfg.Peer
	return r
}

// Conn returns the dump connection, opening it on first use in the
// listener's namespace: the socket's own (SIOCGSKNS, which needs
// CAP_NET_ADMIN), or else the one the listener was dialed with
// (Config.NetNS, whose handle must still be open; nil: this process's).
// A listener over a fake socket has no namespace: Conn refuses, rather
// than dump the caller's.
func (r *Resync) Conn() (*Conn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dump != nil {
		return r.dump, nil
	}
	if _, ok := r.listener.sock.(*sysSocket); !ok {
		return nil, errors.New("netlink: resync: the listener's socket is not a kernel socket: no namespace to dial in")
	}
	cfg := r.cfg
	ns, err := r.listener.NetNS()
	switch {
	case err == nil:
		defer ns.Close()
		cfg.NetNS = ns
	case errors.Is(err, unix.EPERM):
		cfg.NetNS = r.listener.cfg.NetNS // without CAP_NET_ADMIN
	default:
		return nil, fmt.Errorf("netlink: resync: %w", err)
	}
	c, err := Dial(r.listener.proto, &cfg)
	if err != nil {
		return nil, fmt.Errorf("netlink: resync: %w", err)
	}
	r.dump = c
	return c, nil
}

// Close closes the dump connection, if it was opened; the listener stays
// open.
func (r *Resync) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dump == nil {
		return nil
	}
	err := r.dump.Close()
	r.dump = nil
	return err
}

// Snapshot runs the dump request encoded in e on c and returns its objects
// by key (the object's identity in the kernel, such as a route's table,
// destination, TOS and priority), fetching the dump again when it is
// interrupted by a change, as Collect does. Objects with equal keys keep
// the last one dumped.
func Snapshot[K comparable, T any](ctx context.Context, c *Conn, e *Encoder, d ObjectDecoder[T], key func(*T) K) (map[K]T, error) {
	var m map[K]T
	err := Retry(DefaultRetries, func() error {
		m = make(map[K]T)
		for v, err := range Objects(ctx, c, e, d) {
			if err != nil {
				return err
			}
			m[key(v)] = *v
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// A Change is one difference between two states of a kind of object:
// Old is nil for an object that appeared, New is nil for one that
// disappeared, and both are set for one that changed.
type Change[T any] struct {
	Old, New *T
}

// Diff yields the differences between old and cur, the states of a kind of
// object by key (as Snapshot returns them): what a listener that lost
// events reports after fetching the state again. equal compares two
// objects of the same key; nil compares them with reflect.DeepEqual. The
// order is unspecified. The values pointed to are copies.
func Diff[K comparable, T any](old, cur map[K]T, equal func(a, b *T) bool) iter.Seq[Change[T]] {
	if equal == nil {
		equal = func(a, b *T) bool { return reflect.DeepEqual(a, b) }
	}
	return func(yield func(Change[T]) bool) {
		for k, o := range old {
			if _, ok := cur[k]; !ok {
				if !yield(Change[T]{Old: &o}) {
					return
				}
			}
		}
		for k, n := range cur {
			o, ok := old[k]
			switch {
			case !ok:
				if !yield(Change[T]{New: &n}) {
					return
				}
			case !equal(&o, &n):
				if !yield(Change[T]{Old: &o, New: &n}) {
					return
				}
			}
		}
	}
}
