package rtnl

import (
	"bytes"
	"context"
	"encoding/binary"
	"reflect"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A table holds what a watcher delivered of one kind of object: each
// object's message body as the kernel sent it, by the object's identity.
// Bodies are small (an IPv4 route's is about 60 bytes) and are decoded
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
	// fetch dumps the kind's current state on c, noting the order of the
	// dump if ordered.
	fetch(ctx context.Context, c *nl.Conn, ordered bool) (snapshot, error)
	// initial makes s the table's state (in guard, which a Cache uses
	// to keep its readers out) and yields its objects, in the order
	// dumped, as events.
	initial(s snapshot, guard func(func()), ev *Event, yield func(*Event) bool) bool
	// resync makes s the table's state (in guard) and yields the
	// differences from the previous state as events; n counts them.
	resync(s snapshot, guard func(func()), ev *Event, yield func(*Event) bool) (n int, more bool)
	// take returns and clears the kinds the events applied since the
	// last call imply changes of.
	take() Kinds
	len() int
	bytes() int
}

// A snapshot is a table's state freshly dumped, in the dump's order.
type snapshot any

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
	rules func(m nl.Message, prev []byte, cur *T) (keep bool, implied Kinds)
	// implied collects what rules said since the watcher last asked.
	implied Kinds
	// dup, if set, is told of a key a dump lists twice.
	dup func(k K)

	state    map[K][]byte
	cur, old T // reused values that events point to
}

type typedSnapshot[K comparable] struct {
	m     map[K][]byte
	order []K
}

func (t *typedTable[K, T]) kind() Kinds { return t.k }
func (t *typedTable[K, T]) len() int    { return len(t.state) }
func (t *typedTable[K, T]) handles(mt nl.MsgType) bool {
	return mt == t.newT || mt == t.delT
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
	k := t.key(&t.cur)
	ev.Kind = t.k
	t.set(ev, &t.cur)
	prev, held := t.state[k]
	keep := true
	if t.rules != nil {
		var implied Kinds
		keep, implied = t.rules(m, prev, &t.cur)
		t.implied |= implied
	}
	if m.Header.Type == t.delT {
		ev.Type = EventDelete
		if held {
			delete(t.state, k)
		}
		return true, nil
	}
	ev.Type = EventNew
	if keep {
		t.state[k] = append(prev[:0], m.Data...) // reuses the body's memory when it fits
	}
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
	b, ok := t.state[k]
	if !ok {
		return false
	}
	var zero T
	*v = zero
	return t.decode(v, body(t.newT, b)) == nil
}

// all decodes every object held, in no order.
func (t *typedTable[K, T]) all() []T {
	out := make([]T, 0, len(t.state))
	for _, b := range t.state {
		var v T
		if t.decode(&v, body(t.newT, b)) == nil {
			out = append(out, v)
		}
	}
	return out
}

// bytes is the memory the bodies take.
func (t *typedTable[K, T]) bytes() int {
	n := 0
	for _, b := range t.state {
		n += cap(b)
	}
	return n
}

// arenaBlock is the size of the blocks a fetch cuts bodies from.
const arenaBlock = 64 << 10

func (t *typedTable[K, T]) fetch(ctx context.Context, c *nl.Conn, ordered bool) (snapshot, error) {
	var e nl.Encoder
	t.build(&e)
	if err := e.Err(); err != nil {
		return nil, err
	}
	var s typedSnapshot[K]
	err := nl.Retry(nl.DefaultRetries, func() error {
		s = typedSnapshot[K]{m: make(map[K][]byte, len(t.state))}
		var arena []byte // bodies are cut from blocks, not allocated one by one
		var v T
		for m, err := range c.Dump(ctx, &e) {
			if err != nil {
				return err
			}
			if m.Header.Type != t.newT || !t.accept(m) {
				continue
			}
			var zero T
			v = zero
			if err := t.decode(&v, m); err != nil {
				return err
			}
			k := t.key(&v)
			if _, dup := s.m[k]; dup {
				// An IPv4 route appended behind another of its key: the
				// kernel uses the first, which the table holds.
				if t.dup != nil {
					t.dup(k)
				}
				continue
			}
			if ordered {
				s.order = append(s.order, k)
			}
			n := len(m.Data)
			if cap(arena)-len(arena) < n {
				arena = make([]byte, 0, max(n, arenaBlock))
			}
			arena = append(arena, m.Data...)
			s.m[k] = arena[len(arena)-n : len(arena) : len(arena)]
		}
		return nil
	})
	return s, err
}

// body returns m's body as a message of type mt, to decode.
func body(mt nl.MsgType, b []byte) nl.Message {
	return nl.Message{Header: nl.Header{Type: mt, Len: uint32(nl.MsgLength(len(b)))}, Data: b}
}

func (t *typedTable[K, T]) initial(s snapshot, guard func(func()), ev *Event, yield func(*Event) bool) bool {
	snap := s.(typedSnapshot[K])
	guard(func() { t.state = snap.m })
	for _, k := range snap.order {
		var zero T
		t.cur = zero
		if t.decode(&t.cur, body(t.newT, t.state[k])) != nil {
			continue // decoded once already: cannot fail
		}
		ev.Type, ev.Kind = EventNew, t.k
		t.set(ev, &t.cur)
		if !yield(ev) {
			return false
		}
	}
	return true
}

func (t *typedTable[K, T]) resync(s snapshot, guard func(func()), ev *Event, yield func(*Event) bool) (int, bool) {
	snap := s.(typedSnapshot[K])
	old := t.state
	guard(func() { t.state = snap.m }) // only this goroutine writes it
	n := 0
	emit := func(typ EventType, v *T) bool {
		n++
		ev.Type, ev.Kind = typ, t.k
		t.set(ev, v)
		return yield(ev)
	}
	for k, b := range old {
		nb, ok := snap.m[k]
		var zero T
		if !ok {
			t.old = zero
			if t.decode(&t.old, body(t.newT, b)) == nil && !emit(EventDelete, &t.old) {
				return n, false
			}
			continue
		}
		if bytes.Equal(b, nb) {
			continue
		}
		t.old, t.cur = zero, zero
		if t.decode(&t.old, body(t.newT, b)) != nil || t.decode(&t.cur, body(t.newT, nb)) != nil {
			continue
		}
		t.stable(&t.old)
		t.stable(&t.cur)
		if reflect.DeepEqual(t.old, t.cur) {
			continue
		}
		t.cur = zero
		_ = t.decode(&t.cur, body(t.newT, nb)) // with its counters back
		if !emit(EventNew, &t.cur) {
			return n, false
		}
	}
	for k, b := range snap.m {
		if _, ok := old[k]; ok {
			continue
		}
		var zero T
		t.cur = zero
		if t.decode(&t.cur, body(t.newT, b)) == nil && !emit(EventNew, &t.cur) {
			return n, false
		}
	}
	return n, true
}

// linkRules are the changes the kernel makes without events when a link
// changes: IPv4 routes through a link that goes down or away are removed,
// routes and nexthops are flagged dead or linkdown, a VRF's enslaved
// link's routes move; a deleted link takes its addresses, neighbours and
// nexthops; rules naming a link attach or detach as it comes and goes.
func linkRules(m nl.Message, prev []byte, l *Link) (bool, Kinds) {
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
func routeRules(alts map[routeID]bool, m nl.Message, prev []byte, r *Route) (bool, Kinds) {
	k := r.Key().id()
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
			state:  map[LinkKey][]byte{},
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
			set:   func(ev *Event, v *Address) { ev.Address = v },
			state: map[AddressKey][]byte{},
			rules: func(m nl.Message, _ []byte, a *Address) (bool, Kinds) {
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
			set:   func(ev *Event, v *Nexthop) { ev.Nexthop = v },
			state: map[NexthopKey][]byte{},
			// Routes through a nexthop object list its paths, and go with
			// it when it is deleted.
			rules: func(nl.Message, []byte, *Nexthop) (bool, Kinds) { return true, KindRoute },
		})
	}
	if kinds&KindRoute != 0 {
		alts := map[routeID]bool{} // IPv4 keys with routes appended behind the first
		ts = append(ts, &typedTable[routeID, Route]{
			rules: func(m nl.Message, prev []byte, r *Route) (bool, Kinds) {
				return routeRules(alts, m, prev, r)
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
			state:  map[routeID][]byte{},
		})
	}
	if kinds&KindNeighbour != 0 {
		ts = append(ts, &typedTable[NeighbourKey, Neighbour]{
			k: KindNeighbour, newT: unix.RTM_NEWNEIGH, delT: unix.RTM_DELNEIGH,
			build: func(e *nl.Encoder) { buildNeighbourDump(e, &NeighbourFilter{Family: fam}) },
			accept: func(m nl.Message) bool {
				// Proxy entries are listed apart; FDB entries are the
				// bridge's (AF_BRIDGE); the entries the kernel makes for
				// multicast and broadcast addresses (NOARP) come and go
				// without events.
				return ip(m) && len(m.Data) >= ndmsgLen && NeighFlags(m.Data[10])&NeighProxy == 0 &&
					!internalNeighbour(m.Data)
			},
			decode: (*Neighbour).Decode, key: (*Neighbour).Key,
			stable: func(n *Neighbour) {
				n.Used, n.Confirmed, n.Updated, n.RefCount, n.Probes = 0, 0, 0, 0, 0
			},
			set:   func(ev *Event, v *Neighbour) { ev.Neighbour = v },
			state: map[NeighbourKey][]byte{},
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
			state:  map[RuleKey][]byte{},
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
			state:  map[int][]byte{},
		})
	}
	return ts
}
