package rtnl

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"reflect"
	"sync"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A table holds what a watcher delivered of one kind of object: each
// object's message body as the kernel sent it, by the object's identity.
// Bodies are small (an IPv4 route's is about 40 bytes) and are decoded
// again only to report a difference, so a table of 100,000 routes costs
// little more than the bodies and the keys.
type table interface {
	kind() Kinds
	// handles reports whether the message type is one of the table's.
	handles(t nl.MsgType) bool
	// apply applies an event to the table and points ev at the decoded
	// object; ok is false for a message the watcher does not follow (a
	// family it does not watch, a route cache exception).
	apply(m nl.Message, ev *Event) (ok bool, err error)
	// refresh dumps the kind on c and makes the dump the table's state,
	// yielding the differences as events (for an empty table, every
	// object, in the order dumped: the initial listing); n counts them.
	// mu, if set, is held while the table changes (a Cache's readers
	// wait), never while yield runs. A nil yield reports nothing.
	refresh(ctx context.Context, c *nl.Conn, mu *sync.RWMutex, ev *Event, yield func(*Event) bool) (n int, more bool, err error)
	// view points ev at the object of m, an event of another namespace,
	// without applying it.
	view(m nl.Message, ev *Event) (ok bool, err error)
	// take returns and clears the kinds the events applied since the
	// last call imply changes of.
	take() Kinds
	len() int
	bytes() int
}

// typedTable is the table of one kind, T, identified by K.
type typedTable[K comparable, T any] struct {
	k          Kinds
	newT, delT nl.MsgType
	build      func(e *nl.Encoder)
	// accept tells the messages of the objects followed: the families
	// watched, no cache exceptions, no bridge port messages.
	accept func(m nl.Message) bool
	decode func(v *T, m nl.Message) error
	key    func(v *T) K
	// stable clears what changes without the object changing (counters,
	// timers), before two states of an object are compared.
	stable func(v *T)
	// set points the event at v.
	set func(ev *Event, v *T)
	// rules, if set, apply the kernel's ways with this kind to an event:
	// keep is false for an object that must not replace the one held
	// (an IPv4 route appended behind another of its key), and implied
	// names the kinds the kernel changes without events of their own
	// because of this one (see watcher.dirty). prev is the body held
	// before, or nil.
	rules func(m nl.Message, prev []byte, cur *T, k K) (keep bool, implied Kinds)
	// implied collects what rules said since the watcher last asked.
	implied Kinds
	// dup, if set, is told of a key a dump lists twice.
	dup func(k K)
	// transient, if set, tells the objects whose events are reported but
	// which the table never holds: the kernel makes them without events.
	transient func(m nl.Message) bool

	// The state: index finds an object's entry by key; entries hold the
	// bodies (nil for a free slot, listed in free). gen marks the entries
	// a refresh has seen.
	index    map[K]int32
	entries  []entry
	free     []int32
	gen      uint32
	arena    []byte // the block bodies are cut from
	cur, old T      // reused values that events point to
}

// An entry is one object of a table: its body, and the refresh that last
// saw it.
type entry struct {
	body []byte
	gen  uint32
}

// arenaBlock is the size of the blocks bodies are cut from.
const arenaBlock = 64 << 10

func (t *typedTable[K, T]) kind() Kinds { return t.k }
func (t *typedTable[K, T]) len() int    { return len(t.index) }
func (t *typedTable[K, T]) handles(mt nl.MsgType) bool {
	return mt == t.newT || mt == t.delT
}

// store copies b into the table's block and returns the copy, with no
// room to grow (a longer body replacing it is copied anew).
func (t *typedTable[K, T]) store(b []byte) []byte {
	n := len(b)
	if cap(t.arena)-len(t.arena) < n {
		t.arena = make([]byte, 0, max(n, arenaBlock))
	}
	t.arena = append(t.arena, b...)
	return t.arena[len(t.arena)-n : len(t.arena) : len(t.arena)]
}

// update holds body in entry i, in place of what it held.
func (t *typedTable[K, T]) update(i int32, body []byte) {
	e := &t.entries[i]
	if cap(e.body) >= len(body) {
		e.body = append(e.body[:0], body...)
	} else {
		e.body = t.store(body)
	}
	e.gen = t.gen
}

// put holds body under k, in place of what was held.
func (t *typedTable[K, T]) put(k K, body []byte) {
	if t.index == nil {
		t.index = map[K]int32{}
	}
	if i, ok := t.index[k]; ok {
		t.update(i, body)
		return
	}
	var i int32
	if n := len(t.free); n > 0 {
		i, t.free = t.free[n-1], t.free[:n-1]
	} else {
		i = int32(len(t.entries))
		t.entries = append(t.entries, entry{})
	}
	t.entries[i] = entry{body: t.store(body), gen: t.gen}
	t.index[k] = i
}

// remove forgets the object held under k.
func (t *typedTable[K, T]) remove(k K) {
	if i, ok := t.index[k]; ok {
		t.removeAt(k, i)
	}
}

// removeAt forgets the object held under k, in entry i.
func (t *typedTable[K, T]) removeAt(k K, i int32) {
	delete(t.index, k)
	t.entries[i] = entry{}
	t.free = append(t.free, i)
}

// held returns the body held under k, or nil.
func (t *typedTable[K, T]) held(k K) []byte {
	if i, ok := t.index[k]; ok {
		return t.entries[i].body
	}
	return nil
}

func (t *typedTable[K, T]) apply(m nl.Message, ev *Event) (bool, error) {
	if !t.accept(m) {
		return false, nil
	}
	var zero T
	t.cur = zero
	if err := t.decode(&t.cur, m); err != nil {
		return false, err
	}
	ev.Kind = t.k
	t.set(ev, &t.cur)
	ev.Type = EventNew
	if m.Header.Type == t.delT {
		ev.Type = EventDelete
	}
	if t.transient != nil && t.transient(m) {
		return true, nil
	}
	k := t.key(&t.cur)
	i, held := t.index[k]
	var prev []byte
	if held {
		prev = t.entries[i].body
	}
	keep := true
	if t.rules != nil {
		var implied Kinds
		keep, implied = t.rules(m, prev, &t.cur, k)
		t.implied |= implied
	}
	switch {
	case m.Header.Type == t.delT:
		if held {
			t.removeAt(k, i)
		}
	case !keep:
	case held:
		t.update(i, m.Data)
	default:
		t.put(k, m.Data)
	}
	return true, nil
}

func (t *typedTable[K, T]) view(m nl.Message, ev *Event) (bool, error) {
	if !t.accept(m) {
		return false, nil
	}
	var zero T
	t.old = zero
	if err := t.decode(&t.old, m); err != nil {
		return false, err
	}
	ev.Kind, ev.Type = t.k, EventNew
	if m.Header.Type == t.delT {
		ev.Type = EventDelete
	}
	t.set(ev, &t.old)
	return true, nil
}

// take returns and clears the kinds events implied.
func (t *typedTable[K, T]) take() Kinds {
	k := t.implied
	t.implied = 0
	return k
}

// lookup decodes the object held under k into v.
func (t *typedTable[K, T]) lookup(k K, v *T) bool {
	b := t.held(k)
	if b == nil {
		return false
	}
	var zero T
	*v = zero
	return t.decode(v, body(t.newT, b)) == nil
}

// each decodes every object held into one reused value and calls fn with
// it, until fn returns false.
func (t *typedTable[K, T]) each(fn func(*T) bool) {
	var v T
	for i := range t.entries {
		if t.entries[i].body == nil {
			continue
		}
		var zero T
		v = zero
		if t.decode(&v, body(t.newT, t.entries[i].body)) == nil && !fn(&v) {
			return
		}
	}
}

// all decodes every object held, in no order.
func (t *typedTable[K, T]) all() []T {
	out := make([]T, 0, len(t.index))
	t.each(func(v *T) bool {
		out = append(out, *v)
		return true
	})
	return out
}

// bytes is the memory the bodies take.
func (t *typedTable[K, T]) bytes() int {
	n := 0
	for i := range t.entries {
		n += cap(t.entries[i].body)
	}
	return n
}

// body returns m's body as a message of type mt, to decode.
func body(mt nl.MsgType, b []byte) nl.Message {
	return nl.Message{Header: nl.Header{Type: mt, Len: uint32(nl.MsgLength(len(b)))}, Data: b}
}

// errStop ends a refresh whose consumer stopped.
var errStop = errors.New("rtnl: watch: stopped")

func (t *typedTable[K, T]) refresh(ctx context.Context, c *nl.Conn, mu *sync.RWMutex, ev *Event, yield func(*Event) bool) (int, bool, error) {
	var e nl.Encoder
	t.build(&e)
	if err := e.Err(); err != nil {
		return 0, true, err
	}
	lock := func() {
		if mu != nil {
			mu.Lock()
		}
	}
	unlock := func() {
		if mu != nil {
			mu.Unlock()
		}
	}
	n := 0
	emit := func(typ EventType, v *T) bool {
		n++
		if yield == nil {
			return true
		}
		ev.Type, ev.Kind = typ, t.k
		t.set(ev, v)
		return yield(ev)
	}
	err := nl.Retry(nl.DefaultRetries, func() error {
		t.gen++
		gen := t.gen
		// The kernel dumps in the same order each time, and the entries
		// were made in that order: the object at the cursor is most often
		// the one dumped, unchanged — a body equal to the dumped one is
		// the same object (a body holds the whole identity), so it needs
		// no decoding and no lookup.
		cursor := 0
		for m, err := range c.Dump(ctx, &e) {
			if err != nil {
				return err
			}
			if m.Header.Type != t.newT || !t.accept(m) || t.transient != nil && t.transient(m) {
				continue
			}
			for cursor < len(t.entries) && t.entries[cursor].body == nil {
				cursor++
			}
			if cursor < len(t.entries) && t.entries[cursor].gen != gen && bytes.Equal(t.entries[cursor].body, m.Data) {
				t.entries[cursor].gen = gen
				cursor++
				continue
			}
			var zero T
			t.cur = zero
			if err := t.decode(&t.cur, m); err != nil {
				return err
			}
			k := t.key(&t.cur)
			i, held := t.index[k]
			if held {
				cursor = int(i) + 1 // on from the object found
			}
			switch {
			case held && t.entries[i].gen == gen:
				// An IPv4 route appended behind another of its key: the
				// kernel uses the first, which the table holds.
				if t.dup != nil {
					t.dup(k)
				}
				continue
			case held && bytes.Equal(t.entries[i].body, m.Data):
				t.entries[i].gen = gen // the same: no need of the lock
				continue
			case held:
				t.old = zero
				same := t.decode(&t.old, body(t.newT, t.entries[i].body)) == nil && t.same(&t.old, m)
				lock()
				t.update(i, m.Data)
				t.entries[i].gen = gen
				unlock()
				if same {
					continue
				}
			default:
				lock()
				t.put(k, m.Data)
				unlock()
			}
			t.cur = zero
			_ = t.decode(&t.cur, m) // decoded once already, and compared
			if !emit(EventNew, &t.cur) {
				return errStop
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return n, false, nil
	}
	if err != nil {
		return n, true, err
	}
	// What the dump did not list is gone.
	var gone []K
	for k, i := range t.index {
		if t.entries[i].gen != t.gen {
			gone = append(gone, k)
		}
	}
	for _, k := range gone {
		var zero T
		t.old = zero
		ok := t.decode(&t.old, body(t.newT, t.held(k))) == nil
		lock()
		t.remove(k)
		unlock()
		if ok && !emit(EventDelete, &t.old) {
			return n, false, nil
		}
	}
	return n, true, nil
}

// same reports whether the object held, old, equals the one m lists, but
// for what changes by itself (counters, timers).
func (t *typedTable[K, T]) same(old *T, m nl.Message) bool {
	var cur T
	if t.decode(&cur, m) != nil {
		return false
	}
	t.stable(old)
	t.stable(&cur)
	return reflect.DeepEqual(*old, cur)
}

// linkRules are the changes the kernel makes without events when a link
// changes: IPv4 routes through a link that goes down or away are removed,
// routes and nexthops are flagged dead or linkdown, a VRF's enslaved
// link's routes move; a deleted link takes its addresses, neighbours and
// nexthops; rules naming a link attach or detach as it comes and goes.
func linkRules(m nl.Message, prev []byte, l *Link, _ LinkKey) (bool, Kinds) {
	const all = KindRoute | KindNexthop | KindAddress | KindNeighbour
	if m.Header.Type == unix.RTM_DELLINK {
		return true, all | KindRule
	}
	if prev == nil {
		return true, KindRule
	}
	var old Link
	if old.Decode(body(unix.RTM_NEWLINK, prev)) != nil {
		return true, all | KindRule
	}
	const state = LinkUp | LinkLowerUp | LinkRunning
	var implied Kinds
	if old.Flags&state != l.Flags&state || old.OperState != l.OperState || old.MasterIndex != l.MasterIndex {
		implied |= all
	}
	if old.Name != l.Name {
		implied |= KindRule
	}
	return true, implied
}

// routeRules keep IPv4 alternates (routes appended behind the first of
// their key, which the kernel does not use) out of the table, and have
// the routes fetched again where the kernel's events do not tell the
// whole story: the first of several alternates deleted, and IPv6
// multipath routes, whose paths come and go in messages of their own.
func routeRules(alts map[routeID]bool, m nl.Message, prev []byte, r *Route, k routeID) (bool, Kinds) {
	if r.Family == IPv6 {
		// A replaced IPv6 route may have had another interface, hence
		// another identity (RouteKey.LinkIndex): the kernel does not
		// announce its going.
		multi := len(r.Nexthops) > 0 || m.Header.Flags&(unix.NLM_F_APPEND|unix.NLM_F_REPLACE) != 0
		if !multi && prev != nil {
			var old Route
			multi = old.Decode(body(unix.RTM_NEWROUTE, prev)) == nil && len(old.Nexthops) > 0
		}
		if multi {
			return true, KindRoute
		}
		return true, 0
	}
	if m.Header.Type == unix.RTM_DELROUTE {
		if alts[k] {
			delete(alts, k)
			return true, KindRoute // which alternate is first now
		}
		return true, 0
	}
	f := m.Header.Flags
	switch {
	case prev != nil && f&unix.NLM_F_APPEND != 0:
		alts[k] = true
		return false, 0 // behind the one held
	case prev != nil && f&unix.NLM_F_REPLACE == 0:
		alts[k] = true // prepended: the one held is behind it now
	}
	return true, 0
}

// internalNeighbour tells the entries of struct ndmsg b that the kernel
// makes for multicast and broadcast addresses: NOARP, of those types.
func internalNeighbour(b []byte) bool {
	state := NeighState(binary.NativeEndian.Uint16(b[8:10]))
	typ := RouteType(b[11])
	return state == NeighNoARP && (typ == RouteMulticast || typ == RouteBroadcast)
}

// familyOf is the family byte every routing message body starts with.
func familyOf(m nl.Message) Family {
	if len(m.Data) == 0 {
		return AnyFamily
	}
	return Family(m.Data[0])
}

// ipFamily accepts messages of the IP families f selects.
func ipFamily(f Family) func(nl.Message) bool {
	return func(m nl.Message) bool {
		g := familyOf(m)
		return (g == IPv4 || g == IPv6) && (f == AnyFamily || g == f)
	}
}

// newTables returns the tables of the kinds watched.
func newTables(kinds Kinds, fam Family) []table {
	var ts []table
	ip := ipFamily(fam)
	if kinds&KindLink != 0 {
		ts = append(ts, &typedTable[LinkKey, Link]{
			k: KindLink, newT: unix.RTM_NEWLINK, delT: unix.RTM_DELLINK,
			build: func(e *nl.Encoder) { buildLinkDump(e, nil) },
			// Bridge port messages (AF_BRIDGE) share the group.
			accept: func(m nl.Message) bool { return familyOf(m) == AnyFamily },
			decode: (*Link).Decode, key: (*Link).Key,
			stable: func(l *Link) { l.Stats = nil },
			set:    func(ev *Event, v *Link) { ev.Link = v },
			rules:  linkRules,
		})
	}
	if kinds&KindAddress != 0 {
		ts = append(ts, &typedTable[AddressKey, Address]{
			k: KindAddress, newT: unix.RTM_NEWADDR, delT: unix.RTM_DELADDR,
			build:  func(e *nl.Encoder) { buildAddressDump(e, &AddressFilter{Family: fam}) },
			accept: ip,
			decode: (*Address).Decode, key: (*Address).Key,
			stable: func(a *Address) {
				a.ValidLifetime, a.PreferredLifetime, a.Updated = 0, 0, 0
			},
			set: func(ev *Event, v *Address) { ev.Address = v },
			rules: func(m nl.Message, _ []byte, a *Address, _ AddressKey) (bool, Kinds) {
				if m.Header.Type == unix.RTM_DELADDR && a.Family == IPv4 {
					return true, KindRoute // with the prefix and local routes
				}
				return true, 0
			},
		})
	}
	if kinds&KindNexthop != 0 {
		ts = append(ts, &typedTable[NexthopKey, Nexthop]{
			k: KindNexthop, newT: unix.RTM_NEWNEXTHOP, delT: unix.RTM_DELNEXTHOP,
			build:  func(e *nl.Encoder) { buildNexthopRequest(e, nil) },
			accept: func(nl.Message) bool { return true },
			decode: (*Nexthop).Decode, key: (*Nexthop).Key,
			stable: func(nh *Nexthop) {
				for i := range nh.Group {
					nh.Group[i].Packets, nh.Group[i].HWPackets = 0, 0
				}
			},
			set: func(ev *Event, v *Nexthop) { ev.Nexthop = v },
			// Routes through a nexthop object list its paths, and go with
			// it when it is deleted.
			rules: func(nl.Message, []byte, *Nexthop, NexthopKey) (bool, Kinds) { return true, KindRoute },
		})
	}
	if kinds&KindRoute != 0 {
		alts := map[routeID]bool{} // IPv4 keys with routes appended behind the first
		ts = append(ts, &typedTable[routeID, Route]{
			rules: func(m nl.Message, prev []byte, r *Route, k routeID) (bool, Kinds) {
				return routeRules(alts, m, prev, r, k)
			},
			dup: func(k routeID) { alts[k] = true },
			k:   KindRoute, newT: unix.RTM_NEWROUTE, delT: unix.RTM_DELROUTE,
			build: func(e *nl.Encoder) { buildRouteDump(e, &RouteFilter{Family: fam}) },
			accept: func(m nl.Message) bool {
				// Cache exceptions (learnt PMTUs) are not routes.
				return ip(m) && len(m.Data) >= rtmsgLen &&
					RouteFlags(binary.NativeEndian.Uint32(m.Data[8:12]))&unix.RTM_F_CLONED == 0
			},
			decode: (*Route).Decode, key: func(r *Route) routeID { return r.Key().id() },
			stable: func(r *Route) { r.Expires, r.Cache = 0, RouteCacheInfo{} },
			set:    func(ev *Event, v *Route) { ev.Route = v },
		})
	}
	if kinds&KindNeighbour != 0 {
		ts = append(ts, &typedTable[NeighbourKey, Neighbour]{
			k: KindNeighbour, newT: unix.RTM_NEWNEIGH, delT: unix.RTM_DELNEIGH,
			build: func(e *nl.Encoder) { buildNeighbourDump(e, &NeighbourFilter{Family: fam}) },
			accept: func(m nl.Message) bool {
				// Proxy entries are listed apart; FDB entries are the
				// bridge's (AF_BRIDGE).
				return ip(m) && len(m.Data) >= ndmsgLen && NeighFlags(m.Data[10])&NeighProxy == 0
			},
			// The entries the kernel makes for multicast and broadcast
			// addresses (NOARP) appear without events (their deletion is
			// announced).
			transient: func(m nl.Message) bool { return internalNeighbour(m.Data) },
			decode:    (*Neighbour).Decode, key: (*Neighbour).Key,
			stable: func(n *Neighbour) {
				n.Used, n.Confirmed, n.Updated, n.RefCount, n.Probes = 0, 0, 0, 0, 0
			},
			set: func(ev *Event, v *Neighbour) { ev.Neighbour = v },
		})
	}
	if kinds&KindRule != 0 {
		ts = append(ts, &typedTable[RuleKey, Rule]{
			k: KindRule, newT: unix.RTM_NEWRULE, delT: unix.RTM_DELRULE,
			build:  func(e *nl.Encoder) { buildRuleDump(e, &RuleFilter{Family: fam}) },
			accept: ip,
			decode: (*Rule).Decode, key: (*Rule).Key,
			stable: func(*Rule) {},
			set:    func(ev *Event, v *Rule) { ev.Rule = v },
		})
	}
	if kinds&KindNetNSID != 0 {
		ts = append(ts, &typedTable[int, int]{
			k: KindNetNSID, newT: unix.RTM_NEWNSID, delT: unix.RTM_DELNSID,
			build: func(e *nl.Encoder) {
				e.Begin(unix.RTM_GETNSID, unix.NLM_F_DUMP)
				e.Fixed(rtgenmsgLen)
				e.End()
			},
			accept: func(nl.Message) bool { return true },
			decode: func(v *int, m nl.Message) error {
				id, err := decodeNSID(m)
				*v = id
				return err
			},
			key:    func(v *int) int { return *v },
			stable: func(*int) {},
			set:    func(ev *Event, v *int) { ev.NetNSID = *v },
		})
	}
	return ts
}
