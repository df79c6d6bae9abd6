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
	// fetch dumps the kind's current state on c.
	fetch(ctx context.Context, c *nl.Conn) (snapshot, error)
	// initial makes s the table's state and yields its objects, in the
	// order dumped, as events.
	initial(s snapshot, ev *Event, yield func(*Event) bool) bool
	// resync makes s the table's state and yields the differences from
	// the previous state as events; n counts them.
	resync(s snapshot, ev *Event, yield func(*Event) bool) (n int, more bool)
	len() int
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
	if m.Header.Type == t.delT {
		ev.Type = EventDelete
		delete(t.state, k)
		return true, nil
	}
	ev.Type = EventNew
	t.state[k] = append(t.state[k][:0], m.Data...) // reuses the body's memory when it fits
	return true, nil
}

func (t *typedTable[K, T]) fetch(ctx context.Context, c *nl.Conn) (snapshot, error) {
	var e nl.Encoder
	t.build(&e)
	if err := e.Err(); err != nil {
		return nil, err
	}
	var s typedSnapshot[K]
	err := nl.Retry(nl.DefaultRetries, func() error {
		s = typedSnapshot[K]{m: make(map[K][]byte, len(t.state))}
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
			if _, dup := s.m[k]; !dup {
				s.order = append(s.order, k)
			}
			s.m[k] = bytes.Clone(m.Data)
		}
		return nil
	})
	return s, err
}

// body returns m's body as a message of type mt, to decode.
func body(mt nl.MsgType, b []byte) nl.Message {
	return nl.Message{Header: nl.Header{Type: mt, Len: uint32(nl.MsgLength(len(b)))}, Data: b}
}

func (t *typedTable[K, T]) initial(s snapshot, ev *Event, yield func(*Event) bool) bool {
	snap := s.(typedSnapshot[K])
	t.state = snap.m
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

func (t *typedTable[K, T]) resync(s snapshot, ev *Event, yield func(*Event) bool) (int, bool) {
	snap := s.(typedSnapshot[K])
	old := t.state
	t.state = snap.m
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
	for _, k := range snap.order {
		if _, ok := old[k]; ok {
			continue
		}
		var zero T
		t.cur = zero
		if t.decode(&t.cur, body(t.newT, snap.m[k])) == nil && !emit(EventNew, &t.cur) {
			return n, false
		}
	}
	return n, true
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
		})
	}
	if kinds&KindRoute != 0 {
		ts = append(ts, &typedTable[RouteKey, Route]{
			k: KindRoute, newT: unix.RTM_NEWROUTE, delT: unix.RTM_DELROUTE,
			build: func(e *nl.Encoder) { buildRouteDump(e, &RouteFilter{Family: fam}) },
			accept: func(m nl.Message) bool {
				// Cache exceptions (learnt PMTUs) are not routes.
				return ip(m) && len(m.Data) >= rtmsgLen &&
					RouteFlags(binary.NativeEndian.Uint32(m.Data[8:12]))&unix.RTM_F_CLONED == 0
			},
			decode: (*Route).Decode, key: (*Route).Key,
			stable: func(r *Route) { r.Expires, r.Cache = 0, RouteCacheInfo{} },
			set:    func(ev *Event, v *Route) { ev.Route = v },
			state:  map[RouteKey][]byte{},
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
