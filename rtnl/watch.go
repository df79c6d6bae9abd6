package rtnl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// Kinds is a set of kinds of routing objects, for Watch.
type Kinds uint16

// The kinds of objects a watcher follows.
const (
	KindLink Kinds = 1 << iota
	KindAddress
	KindRoute
	KindNexthop
	KindNeighbour
	KindRule
	KindNetNSID
	// AllKinds is every kind above.
	AllKinds = KindLink | KindAddress | KindRoute | KindNexthop | KindNeighbour | KindRule | KindNetNSID
)

var kindNames = []string{"link", "address", "route", "nexthop", "neighbour", "rule", "nsid"}

// String names the kinds in k, as "link|route".
func (k Kinds) String() string {
	var s []string
	for i, n := range kindNames {
		if k&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	if rest := k &^ AllKinds; rest != 0 || len(s) == 0 {
		s = append(s, fmt.Sprintf("%#x", uint16(rest)))
	}
	return strings.Join(s, "|")
}

// groups are the multicast groups of the kinds in k, for family f.
func (k Kinds) groups(f Family) []uint32 {
	var g []uint32
	v4, v6 := f != IPv6, f != IPv4
	add := func(kind Kinds, all uint32, g4, g6 uint32) {
		if k&kind == 0 {
			return
		}
		if all != 0 {
			g = append(g, all)
		}
		if v4 && g4 != 0 {
			g = append(g, g4)
		}
		if v6 && g6 != 0 {
			g = append(g, g6)
		}
	}
	add(KindLink, GroupLink, 0, 0)
	add(KindAddress, 0, GroupIPv4Addr, GroupIPv6Addr)
	add(KindRoute, 0, GroupIPv4Route, GroupIPv6Route)
	add(KindNexthop, GroupNexthop, 0, 0)
	add(KindNeighbour, GroupNeigh, 0, 0)
	add(KindRule, 0, GroupIPv4Rule, GroupIPv6Rule)
	add(KindNetNSID, GroupNSID, 0, 0)
	return g
}

// EventType says what an Event reports.
type EventType uint8

// The types of events.
const (
	// EventNew: an object appeared or changed (RTM_NEW*).
	EventNew EventType = iota + 1
	// EventDelete: an object went away (RTM_DEL*).
	EventDelete
	// EventSynced ends the initial listing: the events before it were the
	// state when the watch began, those after it are changes.
	EventSynced
	// EventResyncBegin: the kernel dropped events (the socket's buffer
	// overran, or a message was cut); Event.Err says how. The watcher
	// reads what is queued, fetches the state again and reports the
	// differences between what it had delivered and that state as
	// ordinary events with Resync set, up to an EventResyncEnd.
	EventResyncBegin
	// EventResyncEnd ends a resync; Event.Changes counts its differences.
	EventResyncEnd
)

var eventTypeNames = [...]string{EventNew: "new", EventDelete: "delete", EventSynced: "synced",
	EventResyncBegin: "resync-begin", EventResyncEnd: "resync-end"}

// String names the type: "new", "delete", "synced", "resync-begin",
// "resync-end".
func (t EventType) String() string {
	if int(t) < len(eventTypeNames) && eventTypeNames[t] != "" {
		return eventTypeNames[t]
	}
	return fmt.Sprintf("EventType(%d)", uint8(t))
}

// An Event is one item of a watch: an object that appeared, changed or
// went away, with the same typed value a listing returns, or a marker.
type Event struct {
	Type EventType
	// Kind is the kind of the object (one bit); 0 for markers.
	Kind Kinds
	// The object, in the field of its kind. The value is reused: it is
	// valid until the next event (copy it to keep it).
	Link      *Link
	Address   *Address
	Route     *Route
	Nexthop   *Nexthop
	Neighbour *Neighbour
	Rule      *Rule
	// NetNSID is the namespace id of a KindNetNSID event.
	NetNSID int
	// Initial marks the objects of the initial listing, Resync the
	// differences a resync found, Derived the changes the kernel made
	// without events of their own (WatchOptions.Derived).
	Initial, Resync, Derived bool
	// Time is when the event was received (for listings and resyncs: when
	// their dump began).
	Time time.Time
	// Changes is the number of differences a resync found
	// (EventResyncEnd).
	Changes int
	// Err says what was lost (EventResyncBegin): an *nl.OverrunError.
	Err error
	// NetNS names the namespace of the event in a stream of several
	// (WatchNetNS): its name, or path, as given; "" in Watch's.
	NetNS string
	// Peer marks an event of another namespace (WatchOptions.AllNSID),
	// whose id in the watched namespace is PeerNSID.
	Peer     bool
	PeerNSID int
}

// String describes the event for logs: "new route 10.0.0.0/8 via ...".
func (ev *Event) String() string {
	var obj fmt.Stringer
	switch {
	case ev.Kind == KindLink && ev.Link != nil:
		return fmt.Sprintf("%v link %s index %d", ev.Type, ev.Link.Name, ev.Link.Index)
	case ev.Kind == KindAddress && ev.Address != nil:
		obj = ev.Address
	case ev.Kind == KindRoute && ev.Route != nil:
		obj = ev.Route
	case ev.Kind == KindNexthop && ev.Nexthop != nil:
		obj = ev.Nexthop
	case ev.Kind == KindNeighbour && ev.Neighbour != nil:
		obj = ev.Neighbour
	case ev.Kind == KindRule && ev.Rule != nil:
		obj = ev.Rule
	}
	switch {
	case obj != nil:
		return fmt.Sprintf("%v %v %v", ev.Type, ev.Kind, obj)
	case ev.Kind == KindNetNSID:
		return fmt.Sprintf("%v nsid %d", ev.Type, ev.NetNSID)
	case ev.Type == EventResyncEnd:
		return fmt.Sprintf("%v (%d changes)", ev.Type, ev.Changes)
	case ev.Err != nil:
		return fmt.Sprintf("%v: %v", ev.Type, ev.Err)
	}
	return ev.Type.String()
}

// watchReadBatch is how many events a watcher reads with one system call
// once a flood makes its reads come back full (nl.Config.ReadBatch): a
// system call costs about as much as decoding an event, and 16 datagram
// buffers of 32 KiB are small beside the socket's 64 MiB.
const watchReadBatch = 16

// WatchOptions configure Watch.
type WatchOptions struct {
	// Kinds are the kinds of objects to follow (0: AllKinds).
	Kinds Kinds
	// Family restricts addresses, routes, neighbours and rules to IPv4 or
	// IPv6 (AnyFamily: both).
	Family Family
	// ReadBuffer is the listening socket's receive buffer, in bytes
	// (default 64 MiB: forced past the system's limit when the process
	// is privileged, capped by it otherwise). Events the buffer cannot
	// hold are lost and make a resync.
	ReadBuffer int
	// Derived reports the changes the kernel makes without announcing
	// them: IPv4 routes through a link that goes down or away removed,
	// routes and nexthops flagged linkdown or dead, the routes of a
	// deleted nexthop object gone, rules attached or detached as the
	// links they name come and go; and, where events do not tell the
	// whole story, IPv6 multipath routes as a whole and the IPv4 route
	// that takes the place of a deleted one of the same key. After an
	// event that implies such changes, once the socket's queue is read
	// out, the watcher fetches the kinds concerned again and reports the
	// differences as events marked Derived. With it, the events paint
	// what a fresh dump shows; without it, they are what the kernel
	// announced, as `ip monitor` prints them.
	Derived bool
	// AllNSID also reports the events of every namespace that has an id
	// in the watched one (NETLINK_LISTEN_ALL_NSID; ip monitor all-nsid),
	// marked Peer, with the id. They are passed on as the kernel sends
	// them: the watcher does not list those namespaces, hold their
	// objects or resync them; their interface indexes are theirs.
	AllNSID bool
}

// DefaultWatchBuffer is the receive buffer a watcher asks for: room for
// about 200,000 route events (a storm of 100,000 adds and deletes) before
// the kernel drops any.
const DefaultWatchBuffer = 64 << 20

// drainIdle is how long the listening socket must stay empty after an
// overrun for the watcher to take its queue for read out: only then does
// the kernel deliver events again, and only then may the state be fetched.
const drainIdle = 2 * time.Millisecond

// Watch follows the kinds of objects opts names in the Handle's namespace
// and yields them as events: first the objects that exist (Initial, in
// dump order) and an EventSynced, then every change the kernel announces,
// as it announces it. The watcher joins the multicast groups before it
// lists, on a socket of its own, so that nothing changed between the
// listing and the watch is missed; events queued during the listing follow
// it, so the state converges on the kernel's.
//
// Events are never silently lost: when the kernel drops some (its buffer
// for the socket overran), Watch yields an EventResyncBegin, reads what
// is queued, dumps the state again, and yields the differences from what
// it had delivered as events with Resync set, then an EventResyncEnd with
// their number. The stream goes on; only ctx's end, a broken loop or an
// error that is not a loss ends it (the error is yielded). Interrupted
// dumps are fetched again.
//
// The values an event points to are reused: copy them to keep them. The
// Handle may be used from the loop body: listings and resyncs run on
// sockets of their own.
func (h *Handle) Watch(ctx context.Context, opts *WatchOptions) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		var o WatchOptions
		if opts != nil {
			o = *opts
		}
		if o.Kinds == 0 {
			o.Kinds = AllKinds
		}
		if o.Kinds&^AllKinds != 0 {
			yield(nil, fmt.Errorf("rtnl: watch: unknown kinds %v", o.Kinds&^AllKinds))
			return
		}
		if o.Family != AnyFamily && o.Family != IPv4 && o.Family != IPv6 {
			yield(nil, fmt.Errorf("rtnl: watch: family %v is neither IPv4 nor IPv6", o.Family))
			return
		}
		if o.ReadBuffer == 0 {
			o.ReadBuffer = DefaultWatchBuffer
		}
		w, err := h.newWatcher(&o)
		if err != nil {
			yield(nil, err)
			return
		}
		defer w.close()
		w.run(ctx, yield)
	}
}

// A watcher is the state of one Watch.
type watcher struct {
	listen *nl.Conn   // joined to the groups
	resync *nl.Resync // dumps, on a socket of its own
	tables []table
	ev     Event
	// derive and dirty: the kinds to fetch again once the queue is read
	// out, because events implied changes of them (WatchOptions.Derived).
	derive bool
	dirty  Kinds
	// quiet leaves the initial listing out of the events (a Cache's).
	quiet bool
	// mu, if set, guards changes of the tables against a Cache's
	// readers; the watcher's goroutine alone changes them, so it reads
	// them without it.
	mu *sync.RWMutex
}

func (h *Handle) newWatcher(o *WatchOptions) (*watcher, error) {
	cfg, release, err := h.sibling()
	if err != nil {
		return nil, fmt.Errorf("rtnl: watch: %w", err)
	}
	defer release()
	cfg.ReadBuffer = o.ReadBuffer
	cfg.ReadBatch = watchReadBatch
	cfg.StrictCheck = true
	cfg.ListenAllNSID = o.AllNSID
	listen, err := nl.Dial(nl.Route, &cfg)
	if err != nil {
		return nil, fmt.Errorf("rtnl: watch: %w", err)
	}
	for _, g := range o.Kinds.groups(o.Family) {
		if err := listen.JoinGroup(g); err != nil {
			listen.Close()
			return nil, fmt.Errorf("rtnl: watch: join %s: %w", GroupName(g), err)
		}
	}
	dumps := cfg
	dumps.ReadBuffer, dumps.ReadBatch, dumps.ListenAllNSID = 0, 0, false
	return &watcher{
		listen: listen,
		resync: nl.NewResync(listen, &dumps),
		tables: newTables(o.Kinds, o.Family),
		derive: o.Derived,
	}, nil
}

func (w *watcher) close() {
	w.resync.Close()
	w.listen.Close()
}

// run lists, then follows events, resyncing after losses.
func (w *watcher) run(ctx context.Context, yield func(*Event, error) bool) {
	ev := &w.ev
	out := func(e *Event) bool { return yield(e, nil) }
	dc, err := w.resync.Conn()
	if err != nil {
		yield(nil, fmt.Errorf("rtnl: watch: %w", err))
		return
	}
	initial := out
	if w.quiet {
		initial = nil
	}
	for _, t := range w.tables {
		*ev = Event{Initial: true, Time: time.Now()}
		_, more, err := t.refresh(ctx, dc, w.mu, ev, initial)
		if err != nil {
			yield(nil, fmt.Errorf("rtnl: watch: list %v: %w", t.kind(), err))
			return
		}
		if !more {
			return
		}
		t.take()
	}
	*ev = Event{Type: EventSynced, Time: time.Now()}
	if !out(ev) {
		return
	}
	for {
		lost, more := w.follow(ctx, yield)
		if !more {
			return
		}
		if lost != nil {
			w.dirty = 0 // every kind is fetched again
			if !w.refetch(ctx, dc, AllKinds, lost, yield) {
				return
			}
		} else if w.dirty != 0 {
			kinds := w.dirty
			w.dirty = 0
			if !w.refetch(ctx, dc, kinds, nil, yield) {
				return
			}
		}
	}
}

// watched is the set of kinds the watcher follows.
func (w *watcher) watched() Kinds {
	var k Kinds
	for _, t := range w.tables {
		k |= t.kind()
	}
	return k
}

// follow yields events until a loss has been read past (the socket's
// queue ran empty after it), and returns that loss; more is false when
// the stream ended.
func (w *watcher) follow(ctx context.Context, yield func(*Event, error) bool) (lost error, more bool) {
	ev := &w.ev
	defer w.listen.SetReadDeadline(time.Time{})
	watched := w.watched()
read:
	for d, err := range w.listen.Datagrams(ctx) {
		now := time.Now()
		switch {
		case err != nil && errors.Is(err, os.ErrDeadlineExceeded) && (lost != nil || w.dirty != 0):
			// A read whose deadline passed before it ran says so without
			// looking: ask the socket whether anything is still queued.
			if queued, qerr := w.listen.Queued(); qerr == nil && queued {
				w.listen.SetReadDeadline(time.Now().Add(drainIdle))
				goto read
			}
			return lost, true // the queue is read out
		case err != nil && errors.As(err, new(*nl.OverrunError)):
			if lost == nil {
				lost = err
				*ev = Event{Type: EventResyncBegin, Err: err, Time: now}
				if !yield(ev, nil) {
					return nil, false
				}
			}
			w.listen.SetReadDeadline(now.Add(drainIdle))
			continue
		case err != nil:
			yield(nil, fmt.Errorf("rtnl: watch: %w", err))
			return nil, false
		}
		if d.Truncated() && lost == nil {
			lost = fmt.Errorf("a datagram of %d bytes was cut to %d: %w", d.Len, len(d.Data), nl.ErrTruncated)
			*ev = Event{Type: EventResyncBegin, Err: lost, Time: now}
			if !yield(ev, nil) {
				return nil, false
			}
		}
		for m, err := range d.Messages() {
			if err != nil {
				break // the rest of a cut or malformed datagram
			}
			for _, t := range w.tables {
				if !t.handles(m.Header.Type) {
					continue
				}
				if m.Meta.HasNSID && m.Meta.NSID >= 0 { // another namespace's
					*ev = Event{Time: now, Peer: true, PeerNSID: int(m.Meta.NSID)}
					if ok, err := t.view(m, ev); err == nil && ok && !yield(ev, nil) {
						return nil, false
					}
					break
				}
				*ev = Event{Time: now}
				if w.mu != nil {
					w.mu.Lock()
				}
				ok, err := t.apply(m, ev)
				if w.mu != nil {
					w.mu.Unlock()
				}
				if implied := t.take() & watched; w.derive && implied != 0 {
					w.dirty |= implied
				}
				if err != nil || !ok {
					break // a message this package cannot decode is left out
				}
				if !yield(ev, nil) {
					return nil, false
				}
				break
			}
		}
		if lost != nil || w.dirty != 0 {
			w.listen.SetReadDeadline(time.Now().Add(drainIdle))
		}
	}
	if err := ctx.Err(); err != nil {
		yield(nil, err)
	}
	return nil, false
}

// refetch dumps the kinds again and yields the differences: after a loss,
// every kind, between the resync markers; else the kinds events implied
// changes of, marked Derived.
func (w *watcher) refetch(ctx context.Context, dc *nl.Conn, kinds Kinds, lost error, yield func(*Event, error) bool) bool {
	ev := &w.ev
	out := func(e *Event) bool { return yield(e, nil) }
	total := 0
	for _, t := range w.tables {
		if t.kind()&kinds == 0 {
			continue
		}
		*ev = Event{Resync: lost != nil, Derived: lost == nil, Time: time.Now()}
		n, more, err := t.refresh(ctx, dc, w.mu, ev, out)
		if err != nil {
			yield(nil, fmt.Errorf("rtnl: watch: fetch %v again: %w", t.kind(), err))
			return false
		}
		t.take() // what the fetched state implies is in it
		total += n
		if !more {
			return false
		}
	}
	if lost == nil {
		return true
	}
	*ev = Event{Type: EventResyncEnd, Changes: total, Time: time.Now(), Err: lost}
	return yield(ev, nil)
}
