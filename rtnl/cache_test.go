package rtnl_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
)

// cacheSeedEnv sets the seed of TestCacheProperty, to replay a failure.
const cacheSeedEnv = "NLKIT_CACHE_SEED"

// dumpState is a fresh dump of what a Cache holds, by identity, with what
// changes by itself cleared, as strings to compare and print.
func dumpState(t testing.TB, h *rtnl.Handle) map[string]string {
	t.Helper()
	var st objects
	var err error
	st.links, err = h.ListLinks(bg, nil)
	check(t, err)
	st.addrs, err = h.ListAddresses(bg, nil)
	check(t, err)
	st.routes, err = h.ListRoutes(bg, nil)
	check(t, err)
	st.nhs, err = h.ListNexthops(bg, nil)
	check(t, err)
	st.neighs, err = h.ListNeighbours(bg, nil)
	check(t, err)
	st.rules, err = h.ListRules(bg, nil)
	check(t, err)
	return st.picture(true)
}

// cacheState is the same picture from a Cache.
func cacheState(c *rtnl.Cache) map[string]string {
	st := objects{c.Links(), c.Addresses(), c.Routes(), c.Nexthops(), c.Neighbours(), c.Rules()}
	return st.picture(false)
}

// objects are the objects of a namespace, of the kinds a Cache holds.
type objects struct {
	links  []rtnl.Link
	addrs  []rtnl.Address
	routes []rtnl.Route
	nhs    []rtnl.Nexthop
	neighs []rtnl.Neighbour
	rules  []rtnl.Rule
}

// picture maps each object's kind and identity to its normalised JSON. A
// dump's objects a Cache does not hold are left out of it (other families'
// routes and rules, the kernel's own NOARP multicast neighbours) and of
// IPv4 alternates the first is kept; a Cache's are all taken.
func (st *objects) picture(dump bool) map[string]string {
	s := map[string]string{}
	put := func(kind string, k, v any) {
		key := fmt.Sprintf("%s %+v", kind, k)
		if _, dup := s[key]; !dup {
			s[key] = asJSON(v)
		}
	}
	ip := func(f rtnl.Family) bool { return !dump || f == rtnl.IPv4 || f == rtnl.IPv6 }
	for _, l := range st.links {
		put("link", l.Key(), normLink(l))
	}
	for _, a := range st.addrs {
		put("address", a.Key(), normAddress(a))
	}
	for _, r := range st.routes {
		if ip(r.Family) {
			put("route", r.Key(), normRoute(r))
		}
	}
	for _, nh := range st.nhs {
		put("nexthop", nh.Key(), normNexthop(nh))
	}
	for _, n := range st.neighs {
		if dump && n.State == rtnl.NeighNoARP && (n.Type == rtnl.RouteMulticast || n.Type == rtnl.RouteBroadcast) {
			continue // the kernel's own, made without events
		}
		put("neighbour", n.Key(), normNeighbour(n))
	}
	for _, r := range st.rules {
		if ip(r.Family) {
			put("rule", r.Key(), r)
		}
	}
	return s
}

func check(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// asJSON prints a value with what its pointers point to.
func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("(%v) %+v", err, v)
	}
	return string(b)
}

func normLink(l rtnl.Link) rtnl.Link {
	l.Stats = nil
	return l
}

func normAddress(a rtnl.Address) rtnl.Address {
	a.ValidLifetime, a.PreferredLifetime, a.Updated = 0, 0, 0
	return a
}

func normRoute(r rtnl.Route) rtnl.Route {
	r.Expires, r.Cache = 0, rtnl.RouteCacheInfo{}
	return r
}

func normNexthop(nh rtnl.Nexthop) rtnl.Nexthop {
	for i := range nh.Group {
		nh.Group[i].Packets, nh.Group[i].HWPackets = 0, 0
	}
	return nh
}

func normNeighbour(n rtnl.Neighbour) rtnl.Neighbour {
	n.Used, n.Confirmed, n.Updated, n.RefCount, n.Probes = 0, 0, 0, 0, 0
	return n
}

// diffStates describes how two pictures differ.
func diffStates(cache, dump map[string]string) string {
	var b strings.Builder
	for k, v := range dump {
		if cv, ok := cache[k]; !ok {
			fmt.Fprintf(&b, "missing from the cache: %s\n  %s\n", k, v)
		} else if cv != v {
			fmt.Fprintf(&b, "different: %s\n  cache: %s\n  dump:  %s\n", k, cv, v)
		}
	}
	for k, v := range cache {
		if _, ok := dump[k]; !ok {
			fmt.Fprintf(&b, "only in the cache: %s\n  %s\n", k, v)
		}
	}
	return b.String()
}

// waitEqual waits until the cache equals a fresh dump; events and the
// fetches they imply take a moment to arrive.
func waitEqual(t testing.TB, c *rtnl.Cache, h *rtnl.Handle, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		dump := dumpState(t, h)
		got := cacheState(c)
		if reflect.DeepEqual(got, dump) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s, the cache differs from a fresh dump for 10 s:\n%s", what, diffStates(got, dump))
		}
		if err := c.Err(); err != nil {
			t.Fatalf("the cache stopped: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// cacheOps are the changes TestCacheProperty draws from, as ip command
// lines (the kernel may refuse some: an address already there, a gateway
// not reachable; the cache must follow whatever happens).
func cacheOps(r *rand.Rand) []string {
	dev := func() string { return "v" + strconv.Itoa(r.IntN(4)) }
	n := func(k int) string { return strconv.Itoa(r.IntN(k)) }
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	switch r.IntN(12) {
	case 0:
		return []string{"link", "set", dev(), pick("up", "down")}
	case 1:
		if r.IntN(2) == 0 {
			return []string{"link", "add", "ifb" + n(3), "type", "ifb"}
		}
		return []string{"link", "del", "ifb" + n(3)}
	case 2:
		return []string{"address", pick("add", "del"), "10.0." + n(2) + "." + strconv.Itoa(2+r.IntN(6)) + "/24", "dev", pick("v0", "v2")}
	case 3:
		return []string{"-6", "address", pick("add", "del"), "2001:db8:" + n(2) + "::" + strconv.Itoa(2+r.IntN(6)) + "/64", "dev", pick("v0", "v2"), "nodad"}
	case 4, 5:
		dst := "10.9." + n(8) + ".0/24"
		verb := pick("add", "replace", "append", "prepend", "del", "del")
		metric := pick("0", "100")
		switch r.IntN(3) {
		case 0:
			return []string{"route", verb, dst, "via", "10.0.0." + strconv.Itoa(2+r.IntN(3)), "metric", metric}
		case 1:
			return []string{"route", verb, dst, "dev", dev(), "metric", metric}
		default:
			return []string{"route", verb, dst, "metric", metric, "nexthop", "via", "10.0.0.2", "dev", "v0", "nexthop", "via", "10.0.1.2", "dev", "v2"}
		}
	case 6:
		dst := "2001:db8:9:" + n(6) + "::/64"
		verb := pick("add", "replace", "append", "del", "del")
		switch r.IntN(3) {
		case 0:
			return []string{"-6", "route", verb, dst, "via", "2001:db8:0::" + strconv.Itoa(10+r.IntN(3)), "dev", "v0"}
		case 1:
			return []string{"-6", "route", verb, dst, "dev", dev()}
		default:
			return []string{"-6", "route", verb, dst, "nexthop", "via", "2001:db8:0::10", "dev", "v0", "nexthop", "via", "2001:db8:1::10", "dev", "v2"}
		}
	case 7:
		id := strconv.Itoa(1 + r.IntN(3))
		switch r.IntN(3) {
		case 0:
			return []string{"nexthop", pick("add", "replace"), "id", id, "via", "10.0.0." + strconv.Itoa(2+r.IntN(2)), "dev", "v0"}
		case 1:
			return []string{"nexthop", "del", "id", id}
		default:
			return []string{"route", pick("add", "replace", "del"), "10.8." + n(4) + ".0/24", "nhid", id}
		}
	case 8:
		return []string{"neigh", pick("add", "replace", "del"), "10.0.0." + strconv.Itoa(20+r.IntN(6)), "lladdr", "02:00:00:00:00:0" + n(9), "dev", "v0", "nud", pick("permanent", "noarp")}
	case 9:
		return []string{"rule", pick("add", "del"), "pref", strconv.Itoa(100 + r.IntN(6)), "from", "10.0." + n(3) + ".0/24", "table", pick("100", "200")}
	case 10:
		return []string{"rule", pick("add", "del"), "pref", strconv.Itoa(110 + r.IntN(3)), "iif", pick("v0", "ifb0", "ifb1"), "table", "100"}
	default:
		return []string{"route", pick("add", "del"), "10.7." + n(4) + ".0/24", "via", "10.0.1.2", "table", pick("100", "200")}
	}
}

// TestCacheProperty applies random changes (seeded: NLKIT_CACHE_SEED=N
// replays a run) of links, addresses, IPv4 and IPv6 routes (single path,
// multipath, appended, replaced, through nexthop objects), nexthops,
// neighbours and rules, and after each step checks that the Cache equals
// a fresh dump, by the kernel's identities.
func TestCacheProperty(t *testing.T) {
	runCacheProperty(t, 150)
}

func runCacheProperty(t testing.TB, steps int) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(cacheSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		check(t, err)
		seed = v
	}
	if tt, ok := t.(*testing.T); ok && testing.Short() {
		steps = 40
		_ = tt
	}
	t.Logf("seed %d (%s=%d replays it)", seed, cacheSeedEnv, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	ns, h := newHandle(t)
	ns.IP("link", "set", "lo", "up")
	for _, p := range [][2]string{{"v0", "v1"}, {"v2", "v3"}} {
		ns.IP("link", "add", p[0], "type", "veth", "peer", "name", p[1])
		ns.IP("link", "set", p[0], "up")
		ns.IP("link", "set", p[1], "up")
	}
	ns.IP("address", "add", "10.0.0.1/24", "dev", "v0")
	ns.IP("address", "add", "10.0.1.1/24", "dev", "v2")
	ns.IP("-6", "address", "add", "2001:db8:0::1/64", "dev", "v0", "nodad")
	ns.IP("-6", "address", "add", "2001:db8:1::1/64", "dev", "v2", "nodad")
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	c, err := h.NewCache(ctx, nil)
	check(t, err)
	defer c.Close()
	waitEqual(t, c, h, "the initial listing")
	applied := 0
	for step := range steps {
		args := cacheOps(r)
		if _, err := ns.TryIP(args...); err == nil {
			applied++
		}
		waitEqual(t, c, h, fmt.Sprintf("step %d: ip %s", step, strings.Join(args, " ")))
	}
	st := c.Stats()
	counts, bytes := c.Len()
	t.Logf("%d steps (%d accepted by the kernel); stats %+v; held %v in %d bytes of bodies", steps, applied, st, counts, bytes)
}

var _ = netnstest.New

// TestCacheRange counts routes through RangeRoutes and checks it agrees
// with Routes, and that a false return stops it.
func TestCacheRange(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "add", "rg0", "type", "ifb")
	ns.IP("link", "set", "rg0", "up")
	for i := range 5 {
		ns.IP("route", "add", fmt.Sprintf("10.3.%d.0/24", i), "dev", "rg0")
	}
	c, err := h.NewCache(bg, &rtnl.CacheOptions{Kinds: rtnl.KindRoute | rtnl.KindLink, Family: rtnl.IPv4})
	check(t, err)
	defer c.Close()
	n := 0
	c.RangeRoutes(func(r *rtnl.Route) bool {
		if r.Table == rtnl.TableMain {
			n++
		}
		return true
	})
	main := 0
	for _, r := range c.Routes() {
		if r.Table == rtnl.TableMain {
			main++
		}
	}
	if n != 5 || main != 5 {
		t.Errorf("main-table routes: RangeRoutes %d, Routes %d, want 5", n, main)
	}
	seen := 0
	c.RangeRoutes(func(*rtnl.Route) bool { seen++; return false })
	if seen != 1 {
		t.Errorf("RangeRoutes went on after false: %d calls", seen)
	}
	if l, ok := c.LinkByName("rg0"); !ok || l.Info.Kind != "ifb" {
		t.Errorf("LinkByName(rg0): %v %v", l.Name, ok)
	}
}
