package rtnl

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A Cache holds the routing state of one namespace: its links, addresses,
// routes, nexthops, neighbours and rules, kept equal to what a fresh dump
// returns. It is built by a watcher (see Watch) that lists, then applies
// every event, and follows the kernel's ways: objects are identified as
// the kernel identifies them (a route by table, family, destination,
// source, TOS and priority; an address by interface, family and prefix; a
// neighbour by interface and address), and the changes the kernel makes
// without announcing them (IPv4 routes through a link taken down or
// deleted, routes of a deleted nexthop object, IPv6 multipath routes
// assembled from per-path messages) are fetched again after the event
// that implied them (WatchOptions.Derived). Lost events make a resync.
//
// What a Cache holds is what the listings with nil filters return, but
// for: routes of families other than IPv4 and IPv6 and route cache
// exceptions; proxy neighbour entries and bridge FDB entries (listed with
// their own filters); and the neighbour entries the kernel makes for
// multicast and broadcast addresses (NOARP, such as ff02::16 after a
// multicast listener report), which appear without events; rules of the
// multicast routing families. A kernel that keeps IPv4 routes appended
// behind another of the same key (alternates) uses the first, which is
// the one held.
//
// A Cache is safe for concurrent use: lookups and listings decode copies
// under a read lock, while one goroutine applies the events. It keeps each
// object as the kernel's message body (about 60 bytes for an IPv4 route),
// so it costs little more than the bodies and the keys.
type Cache struct {
	mu    sync.RWMutex
	links *typedTable[LinkKey, Link]
	addrs *typedTable[AddressKey, Address]
	nhs   *typedTable[NexthopKey, Nexthop]
	rts   *typedTable[routeID, Route]
	neigh *typedTable[NeighbourKey, Neighbour]
	rules *typedTable[RuleKey, Rule]
	all   []table

	cancel context.CancelFunc
	done   chan struct{}
	err    error // why the cache stopped following, once done

	statsMu sync.Mutex
	stats   CacheStats
}

// CacheOptions configure NewCache.
type CacheOptions struct {
	// Kinds are the kinds of objects to hold (0: every kind but
	// KindNetNSID, which a Cache does not hold).
	Kinds Kinds
	// Family restricts addresses, routes, neighbours and rules to IPv4 or
	// IPv6 (AnyFamily: both).
	Family Family
	// ReadBuffer is the listening socket's receive buffer (0:
	// DefaultWatchBuffer).
	ReadBuffer int
	// OnChange, if set, is called from the Cache's goroutine with every
	// change once the Cache holds it, after the initial listing: the
	// kernel's events, derived changes, a resync's differences and its
	// markers. The Event and what it points to are valid during the call;
	// OnChange may read the Cache, and the Cache waits for it.
	OnChange func(*Event)
}

// CacheStats count what a Cache's watcher has done, for monitoring.
type CacheStats struct {
	// Events is the number of kernel events applied.
	Events uint64
	// Derived is the number of changes found by fetching a kind again
	// after an event that implied them.
	Derived uint64
	// Overruns is the number of losses (the kernel dropped events), and
	// Resyncs the number of resyncs they caused; Corrected counts the
	// objects the resyncs found different from what was held.
	Overruns, Resyncs, Corrected uint64
	// LastResync is when the last resync ended (zero if none).
	LastResync time.Time
}

// NewCache lists the state of the Handle's namespace and returns a Cache
// that follows it until Close is called or ctx ends. It returns once the
// initial listing is held.
func (h *Handle) NewCache(ctx context.Context, opts *CacheOptions) (*Cache, error) {
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	if o.Kinds == 0 {
		o.Kinds = AllKinds &^ KindNetNSID
	}
	if o.Kinds&^(AllKinds&^KindNetNSID) != 0 {
		return nil, fmt.Errorf("rtnl: cache: kinds %v cannot be held", o.Kinds&^(AllKinds&^KindNetNSID))
	}
	wo := &WatchOptions{Kinds: o.Kinds, Family: o.Family, ReadBuffer: o.ReadBuffer, Derived: true}
	if wo.ReadBuffer == 0 {
		wo.ReadBuffer = DefaultWatchBuffer
	}
	if wo.Family != AnyFamily && wo.Family != IPv4 && wo.Family != IPv6 {
		return nil, fmt.Errorf("rtnl: cache: family %v is neither IPv4 nor IPv6", wo.Family)
	}
	w, err := h.newWatcher(wo)
	if err != nil {
		return nil, err
	}
	c := &Cache{done: make(chan struct{}), all: w.tables}
	w.mu, w.quiet = &c.mu, true
	for _, t := range w.tables {
		switch t := t.(type) {
		case *typedTable[LinkKey, Link]:
			c.links = t
		case *typedTable[AddressKey, Address]:
			c.addrs = t
		case *typedTable[NexthopKey, Nexthop]:
			c.nhs = t
		case *typedTable[routeID, Route]:
			c.rts = t
		case *typedTable[NeighbourKey, Neighbour]:
			c.neigh = t
		case *typedTable[RuleKey, Rule]:
			c.rules = t
		}
	}
	ctx, c.cancel = context.WithCancel(ctx)
	synced := make(chan struct{})
	go func() {
		defer close(c.done)
		defer w.close()
		ready := false
		w.run(ctx, func(ev *Event, err error) bool {
			if err != nil {
				c.err = err
				return false
			}
			switch {
			case ev.Type == EventSynced:
				ready = true
				close(synced)
				return true
			case ev.Initial:
				return true
			}
			c.count(ev)
			if ready && o.OnChange != nil {
				o.OnChange(ev)
			}
			return true
		})
		if c.err == nil {
			c.err = ctx.Err()
		}
	}()
	select {
	case <-synced:
		return c, nil
	case <-c.done:
		c.cancel()
		return nil, c.err
	}
}

func (c *Cache) count(ev *Event) {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	s := &c.stats
	switch {
	case ev.Type == EventResyncBegin:
		s.Overruns++
	case ev.Type == EventResyncEnd:
		s.Resyncs++
		s.LastResync = ev.Time
	case ev.Resync:
		s.Corrected++
	case ev.Derived:
		s.Derived++
	default:
		s.Events++
	}
}

// Close stops following the namespace and waits for the Cache's goroutine
// to end. The Cache keeps answering with what it held.
func (c *Cache) Close() error {
	c.cancel()
	<-c.done
	return nil
}

// Done is closed when the Cache stops following its namespace: after
// Close, when the context given to NewCache ends, or on an error (Err).
func (c *Cache) Done() <-chan struct{} { return c.done }

// Err says why the Cache stopped following its namespace (nil while it
// follows it; the context's error after Close).
func (c *Cache) Err() error {
	select {
	case <-c.done:
		return c.err
	default:
		return nil
	}
}

// Stats returns what the Cache's watcher has done so far.
func (c *Cache) Stats() CacheStats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.stats
}

// Len returns the number of objects held of each kind, and the bytes
// their message bodies take.
func (c *Cache) Len() (counts map[Kinds]int, bytes int) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	counts = map[Kinds]int{}
	for _, t := range c.all {
		counts[t.kind()] = t.len()
		bytes += t.bytes()
	}
	return counts, bytes
}

func get[K comparable, T any](c *Cache, t *typedTable[K, T], k K) (T, bool) {
	var v T
	if t == nil {
		return v, false
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	ok := t.lookup(k, &v)
	return v, ok
}

// each calls fn with every object t holds, decoded into one reused value,
// under the read lock, until fn returns false.
func each[K comparable, T any](c *Cache, t *typedTable[K, T], fn func(*T) bool) {
	if t == nil {
		return
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	t.each(fn)
}

func list[K comparable, T any](c *Cache, t *typedTable[K, T]) []T {
	if t == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return t.all()
}

// LinkByIndex returns a copy of the link of that index, if held.
func (c *Cache) LinkByIndex(index int) (Link, bool) {
	return get(c, c.links, LinkKey{Index: index})
}

// LinkByName returns a copy of the link of that name (or alternative
// name), if held.
func (c *Cache) LinkByName(name string) (Link, bool) {
	for _, l := range c.Links() {
		if l.Name == name || slices.Contains(l.AltNames, name) {
			return l, true
		}
	}
	return Link{}, false
}

// Links returns copies of the links held, by index.
func (c *Cache) Links() []Link {
	l := list(c, c.links)
	slices.SortFunc(l, func(a, b Link) int { return a.Index - b.Index })
	return l
}

// AddressByKey returns a copy of the address of that identity, if held.
func (c *Cache) AddressByKey(k AddressKey) (Address, bool) { return get(c, c.addrs, k) }

// Addresses returns copies of the addresses held, in no order.
func (c *Cache) Addresses() []Address { return list(c, c.addrs) }

// RouteByKey returns a copy of the route of that identity, if held.
func (c *Cache) RouteByKey(k RouteKey) (Route, bool) { return get(c, c.rts, k.id()) }

// Routes returns copies of the routes held, in no order.
func (c *Cache) Routes() []Route { return list(c, c.rts) }

// NexthopByID returns a copy of the nexthop object of that id, if held.
func (c *Cache) NexthopByID(id uint32) (Nexthop, bool) {
	return get(c, c.nhs, NexthopKey{ID: id})
}

// Nexthops returns copies of the nexthop objects held, in no order.
func (c *Cache) Nexthops() []Nexthop { return list(c, c.nhs) }

// NeighbourByKey returns a copy of the neighbour entry of that identity,
// if held.
func (c *Cache) NeighbourByKey(k NeighbourKey) (Neighbour, bool) { return get(c, c.neigh, k) }

// Neighbours returns copies of the neighbour entries held, in no order.
func (c *Cache) Neighbours() []Neighbour { return list(c, c.neigh) }

// RuleByKey returns a copy of the rule of that identity, if held.
func (c *Cache) RuleByKey(k RuleKey) (Rule, bool) { return get(c, c.rules, k) }

// Rules returns copies of the rules held, in no order.
func (c *Cache) Rules() []Rule { return list(c, c.rules) }

// The Range methods call fn with every object of a kind the Cache holds,
// in no order, until fn returns false: for aggregates (counting routes by
// table, neighbours by state) without copying the whole state. The value
// is reused: copy it to keep it. The Cache holds its read lock meanwhile,
// so the watcher waits: keep fn short.

// RangeLinks calls fn with every link held.
func (c *Cache) RangeLinks(fn func(*Link) bool) { each(c, c.links, fn) }

// RangeAddresses calls fn with every address held.
func (c *Cache) RangeAddresses(fn func(*Address) bool) { each(c, c.addrs, fn) }

// RangeRoutes calls fn with every route held.
func (c *Cache) RangeRoutes(fn func(*Route) bool) { each(c, c.rts, fn) }

// RangeNexthops calls fn with every nexthop object held.
func (c *Cache) RangeNexthops(fn func(*Nexthop) bool) { each(c, c.nhs, fn) }

// RangeNeighbours calls fn with every neighbour entry held.
func (c *Cache) RangeNeighbours(fn func(*Neighbour) bool) { each(c, c.neigh, fn) }

// RangeRules calls fn with every rule held.
func (c *Cache) RangeRules(fn func(*Rule) bool) { each(c, c.rules, fn) }
