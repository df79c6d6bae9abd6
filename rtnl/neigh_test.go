package rtnl_test

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// neighVeth makes an up veth pair n0/n1 and returns n0's index.
func neighVeth(t *testing.T, ns *netnstest.NS) int {
	t.Helper()
	ns.IP("link", "add", "n0", "type", "veth", "peer", "name", "n1")
	ns.IP("link", "set", "n0", "up")
	ns.IP("link", "set", "n1", "up")
	return ipIfindex(t, ns, "n0")
}

// ipNeigh is one entry of `ip -j neigh show`.
type ipNeigh struct {
	Dst    string   `json:"dst"`
	Dev    string   `json:"dev"`
	Lladdr string   `json:"lladdr"`
	State  []string `json:"state"`
	Router *any     `json:"router"`
	Proxy  *any     `json:"proxy"`
	Extern *any     `json:"extern_learn"`
	raw    map[string]any
}

// ipNeighs returns `ip -j neigh show ARGS` by destination.
func ipNeighs(t *testing.T, ns *netnstest.NS, args ...string) map[string]ipNeigh {
	t.Helper()
	out := ns.IP(append([]string{"-j", "neigh", "show"}, args...)...)
	var raw []map[string]any
	var list []ipNeigh
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("ip -j neigh show %v: %v\n%s", args, err, out)
	}
	json.Unmarshal([]byte(out), &list)
	m := map[string]ipNeigh{}
	for i, n := range list {
		n.raw = raw[i]
		m[n.Dst] = n
	}
	return m
}

// has reports whether ip printed key (as null, for flags).
func (n ipNeigh) has(key string) bool { _, ok := n.raw[key]; return ok }

func mac(s string) net.HardwareAddr {
	a, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return a
}

func TestNeighbourAddReplaceDelete(t *testing.T) {
	ns, h := newHandle(t)
	idx := neighVeth(t, ns)
	perm := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.9"), LinkAddr: mac("02:00:00:00:00:09"), State: rtnl.NeighPermanent}
	reach := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.10"), LinkAddr: mac("02:00:00:00:00:0a"), State: rtnl.NeighReachable}
	noarp := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.11"), LinkAddr: mac("02:00:00:00:00:0b"), State: rtnl.NeighNoARP}
	router := rtnl.Neighbour{Family: rtnl.IPv6, LinkIndex: idx, Addr: netip.MustParseAddr("2001:db8::9"), LinkAddr: mac("02:00:00:00:00:19"),
		State: rtnl.NeighPermanent, Flags: rtnl.NeighRouter}
	ext := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.15"), LinkAddr: mac("02:00:00:00:00:0f"), State: rtnl.NeighReachable,
		Flags: rtnl.NeighExternLearn}
	proxy := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.13"), Flags: rtnl.NeighProxy}
	for _, n := range []*rtnl.Neighbour{&perm, &reach, &noarp, &router, &ext, &proxy} {
		if err := h.AddNeighbour(bg, n); err != nil {
			t.Fatalf("add %v: %v", n, err)
		}
	}
	got := ipNeighs(t, ns, "nud", "all")
	for _, c := range []struct {
		dst, lladdr, state string
	}{
		{"10.1.0.9", "02:00:00:00:00:09", "PERMANENT"},
		{"10.1.0.10", "02:00:00:00:00:0a", "REACHABLE"},
		{"10.1.0.11", "02:00:00:00:00:0b", "NOARP"},
		{"2001:db8::9", "02:00:00:00:00:19", "PERMANENT"},
	} {
		g := got[c.dst]
		if g.Dev != "n0" || g.Lladdr != c.lladdr || len(g.State) != 1 || g.State[0] != c.state {
			t.Errorf("%s: %+v", c.dst, g)
		}
	}
	if !got["2001:db8::9"].has("router") || got["10.1.0.9"].has("router") {
		t.Errorf("router flags: %+v %+v", got["2001:db8::9"], got["10.1.0.9"])
	}
	if !got["10.1.0.15"].has("extern_learn") {
		t.Errorf("extern_learn: %+v", got["10.1.0.15"])
	}
	if p := ipNeighs(t, ns, "proxy"); len(p) != 1 || !p["10.1.0.13"].has("proxy") || p["10.1.0.13"].Dev != "n0" {
		t.Errorf("proxy entries: %+v", p)
	}

	// Adding one again is refused, with the entry named.
	err := h.AddNeighbour(bg, &perm)
	if !errors.Is(err, os.ErrExist) || addrOp(err) != "add neighbour 10.1.0.9 lladdr 02:00:00:00:00:09 dev n0" {
		t.Errorf("second add: %v (op %q)", err, addrOp(err))
	}
	// (The kernel accepts a proxy entry twice.)

	// Replace overrides the link-layer address; Change needs an entry.
	perm.LinkAddr = mac("02:00:00:00:00:99")
	if err := h.ReplaceNeighbour(bg, &perm); err != nil {
		t.Fatal(err)
	}
	reach.State = rtnl.NeighStale
	if err := h.ChangeNeighbour(bg, &reach); err != nil {
		t.Fatal(err)
	}
	missing := rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.99"), LinkAddr: mac("02:00:00:00:00:99"), State: rtnl.NeighPermanent}
	if err := h.ChangeNeighbour(bg, &missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("change of a missing entry: %v", err)
	}
	got = ipNeighs(t, ns)
	if got["10.1.0.9"].Lladdr != "02:00:00:00:00:99" || got["10.1.0.10"].State[0] != "STALE" {
		t.Errorf("after replace and change: %+v %+v", got["10.1.0.9"], got["10.1.0.10"])
	}
	if _, ok := got["10.1.0.99"]; ok {
		t.Error("change created an entry")
	}

	for _, n := range []*rtnl.Neighbour{&perm, &router, &proxy} {
		if err := h.DeleteNeighbour(bg, n); err != nil {
			t.Fatalf("delete %v: %v", n, err)
		}
	}
	got = ipNeighs(t, ns, "nud", "all")
	if _, ok := got["10.1.0.9"]; ok {
		t.Errorf("10.1.0.9 still there: %+v", got)
	}
	if _, ok := got["2001:db8::9"]; ok {
		t.Errorf("2001:db8::9 still there: %+v", got)
	}
	if p := ipNeighs(t, ns, "proxy"); len(p) != 0 {
		t.Errorf("proxy entries after delete: %+v", p)
	}
	err = h.DeleteNeighbour(bg, &perm)
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "delete neighbour 10.1.0.9 lladdr 02:00:00:00:00:99 dev n0: ") {
		t.Errorf("delete of a missing entry: %v", err)
	}
}

func TestNeighbourList(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	idx := neighVeth(t, ns)
	idx1 := ipIfindex(t, ns, "n1")
	ns.IP("link", "add", "br0", "type", "bridge")
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	ns.IP("link", "set", "p0", "master", "br0")
	br := ipIfindex(t, ns, "br0")
	ns.IP("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "n0", "nud", "permanent")
	ns.IP("neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "n0", "nud", "reachable")
	ns.IP("neigh", "add", "10.1.0.11", "lladdr", "02:00:00:00:00:0b", "dev", "n1", "nud", "noarp")
	ns.IP("neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:19", "dev", "n0", "router", "nud", "stale")
	ns.IP("neigh", "add", "10.7.0.1", "lladdr", "02:00:00:00:00:71", "dev", "p0", "nud", "permanent")
	ns.IP("neigh", "add", "proxy", "10.1.0.13", "dev", "n0")
	ns.IP("neigh", "add", "proxy", "2001:db8::13", "dev", "n1")

	all, err := h.ListNeighbours(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]rtnl.Neighbour{}
	for _, n := range all {
		byAddr[n.Addr.String()] = n
	}
	for _, w := range []rtnl.Neighbour{
		{Family: rtnl.IPv4, LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.9"), LinkAddr: mac("02:00:00:00:00:09"), State: rtnl.NeighPermanent, Type: rtnl.RouteUnicast},
		{Family: rtnl.IPv4, LinkIndex: idx, Addr: netip.MustParseAddr("10.1.0.10"), LinkAddr: mac("02:00:00:00:00:0a"), State: rtnl.NeighReachable, Type: rtnl.RouteUnicast},
		{Family: rtnl.IPv4, LinkIndex: idx1, Addr: netip.MustParseAddr("10.1.0.11"), LinkAddr: mac("02:00:00:00:00:0b"), State: rtnl.NeighNoARP, Type: rtnl.RouteUnicast},
		{Family: rtnl.IPv6, LinkIndex: idx, Addr: netip.MustParseAddr("2001:db8::9"), LinkAddr: mac("02:00:00:00:00:19"), State: rtnl.NeighStale, Flags: rtnl.NeighRouter, Type: rtnl.RouteUnicast},
	} {
		g, ok := byAddr[w.Addr.String()]
		if !ok {
			t.Errorf("missing %v", w.Addr)
			continue
		}
		w.Used, w.Confirmed, w.Updated, w.Probes, w.RefCount = g.Used, g.Confirmed, g.Updated, g.Probes, g.RefCount
		// (The type of an IPv4 entry is that of its address in the routing
		// tables: broadcast here, where there are no routes.)
		if g.String() != w.String() || g.Family != w.Family || g.State != w.State || g.Flags != w.Flags ||
			w.Family == rtnl.IPv6 && g.Type != w.Type {
			t.Errorf("got  %+v\nwant %+v", g, w)
		}
	}
	if _, ok := byAddr["10.1.0.13"]; ok {
		t.Error("a proxy entry in the plain listing")
	}

	list := func(f *rtnl.NeighbourFilter) string {
		t.Helper()
		var out []string
		for n, err := range h.Neighbours(bg, f) {
			if err != nil {
				t.Fatal(err)
			}
			if !n.Addr.IsMulticast() {
				out = append(out, n.Addr.String())
			}
		}
		slices.Sort(out)
		l, err := h.ListNeighbours(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range l {
			if !x.Addr.IsMulticast() {
				n++
			}
		}
		if n != len(out) {
			t.Errorf("ListNeighbours(%+v): %d entries, Neighbours: %d", f, n, len(out))
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		f    rtnl.NeighbourFilter
		want string
	}{
		{rtnl.NeighbourFilter{}, "10.1.0.10 10.1.0.11 10.1.0.9 10.7.0.1 2001:db8::9"},
		{rtnl.NeighbourFilter{LinkIndex: idx}, "10.1.0.10 10.1.0.9 2001:db8::9"},
		{rtnl.NeighbourFilter{LinkIndex: idx, Family: rtnl.IPv6}, "2001:db8::9"},
		{rtnl.NeighbourFilter{Family: rtnl.IPv4, State: rtnl.NeighPermanent | rtnl.NeighNoARP}, "10.1.0.11 10.1.0.9 10.7.0.1"},
		{rtnl.NeighbourFilter{MasterIndex: br}, "10.7.0.1"},
		{rtnl.NeighbourFilter{Proxy: true}, "10.1.0.13 2001:db8::13"},
		{rtnl.NeighbourFilter{Proxy: true, LinkIndex: idx1}, "2001:db8::13"},
	} {
		if got := list(&c.f); got != c.want {
			t.Errorf("filter %+v: %s, want %s", c.f, got, c.want)
		}
	}
	if _, err := h.ListNeighbours(bg, &rtnl.NeighbourFilter{Family: rtnl.Bridge, Proxy: true}); err == nil {
		t.Error("proxy FDB listing accepted")
	}
}

// The kernel filters neighbour dumps by interface (NDA_IFINDEX) and master
// (NDA_MASTER) under strict checking: the replies are flagged as filtered.
func TestNeighbourDumpFilteredByKernel(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	idx := neighVeth(t, ns)
	ns.IP("link", "add", "br0", "type", "bridge")
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	ns.IP("link", "set", "p0", "master", "br0")
	br := ipIfindex(t, ns, "br0")
	ns.IP("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "n0", "nud", "permanent")
	ns.IP("neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "n1", "nud", "permanent")
	ns.IP("neigh", "add", "10.7.0.1", "lladdr", "02:00:00:00:07:01", "dev", "p0", "nud", "permanent")
	for _, c := range []struct {
		attr uint16
		v    int
		want string
	}{
		{unix.NDA_IFINDEX, idx, "10.1.0.9"},
		{unix.NDA_MASTER, br, "10.7.0.1"},
	} {
		var e nl.Encoder
		e.Begin(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
		e.Fixed(unix.SizeofNdMsg)[0] = unix.AF_INET
		e.Uint32(c.attr, uint32(c.v))
		e.End()
		var got []string
		for m, err := range h.Conn().Dump(bg, &e) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Flags&unix.NLM_F_DUMP_FILTERED == 0 {
				t.Errorf("reply not flagged as filtered: %v", m.Header)
			}
			d := nl.NewAttrDecoder(m.Data[unix.SizeofNdMsg:])
			for d.Next() {
				if d.Type() == unix.NDA_DST {
					got = append(got, d.Addr().String())
				}
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("attribute %d = %d: %v, want %s", c.attr, c.v, got, c.want)
		}
	}
}

// bridgeFDB is one entry of `bridge -j fdb show`.
type bridgeFDB struct {
	MAC    string   `json:"mac"`
	Ifname string   `json:"ifname"`
	Flags  []string `json:"flags"`
	Master string   `json:"master"`
	State  string   `json:"state"`
	Vlan   int      `json:"vlan"`
}

// bridgeFDBs returns `bridge -j fdb show ARGS` by MAC address, interface
// and flags, and VLAN when there is one: a kernel with VLAN filtering
// built in (CONFIG_BRIDGE_VLAN_FILTERING, as Debian's) puts a bridge's and
// its ports' own addresses in the FDB twice, without a VLAN and in the
// default VLAN 1 (even with filtering off), and those are distinct entries.
func bridgeFDBs(t *testing.T, ns *netnstest.NS, args ...string) map[string]bridgeFDB {
	t.Helper()
	out := ns.Exec("bridge", append([]string{"-j", "fdb", "show"}, args...)...)
	var list []bridgeFDB
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("bridge -j fdb show: %v\n%s", err, out)
	}
	m := map[string]bridgeFDB{}
	for _, e := range list {
		k := e.MAC + "|" + e.Ifname + "|" + strings.Join(e.Flags, ",")
		if e.Vlan != 0 {
			k += "|vlan" + strconv.Itoa(e.Vlan)
		}
		if _, dup := m[k]; dup {
			t.Fatalf("bridge -j fdb show %v: two entries %s", args, k)
		}
		m[k] = e
	}
	return m
}

// The FDB this test lists holds only what the kernel puts there when the
// links are set up and what the test adds: the listings it compares
// (ours, and bridge's, which are taken one after the other) must not
// change in between. So the port does not learn (its peer's frames would
// add a dynamic entry at a moment of the kernel's choosing, within a
// second or so of the carrier coming up), and no link makes an IPv6
// link-local address (whose duplicate address detection, run from a work
// queue after the link comes up, joins a multicast group and so adds an
// entry to the device's address list, listed as a "self" entry; it is
// also what the peer would send). The port is up with a carrier, so that
// it would learn if learning were on.
func TestNeighbourBridgeFDB(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	ns.IP("link", "add", "br0", "type", "bridge")
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	for _, l := range []string{"br0", "p0", "p1"} {
		ns.IP("link", "set", l, "addrgenmode", "none")
	}
	ns.IP("link", "set", "p0", "master", "br0")
	ns.IP("link", "set", "p0", "type", "bridge_slave", "learning", "off")
	ns.IP("link", "set", "br0", "up")
	ns.IP("link", "set", "p0", "up")
	ns.IP("link", "set", "p1", "up")
	if sd := ipLinkData(t, ipLink(t, ns, "p0"), "info_slave_data"); sd["learning"] != false {
		t.Fatalf("p0 learns: %v", sd)
	}
	port := ipIfindex(t, ns, "p0")
	br := ipIfindex(t, ns, "br0")

	static := rtnl.Neighbour{Family: rtnl.Bridge, LinkIndex: port, LinkAddr: mac("02:00:00:00:00:aa"), State: rtnl.NeighNoARP, Flags: rtnl.NeighMaster}
	dynamic := rtnl.Neighbour{Family: rtnl.Bridge, LinkIndex: port, LinkAddr: mac("02:00:00:00:00:cc"), State: rtnl.NeighReachable, Flags: rtnl.NeighMaster}
	self := rtnl.Neighbour{Family: rtnl.Bridge, LinkIndex: port, LinkAddr: mac("02:00:00:00:00:bb"), State: rtnl.NeighPermanent, Flags: rtnl.NeighSelf}
	for _, n := range []*rtnl.Neighbour{&static, &dynamic, &self} {
		if err := h.AddNeighbour(bg, n); err != nil {
			t.Fatalf("add %v: %v", n, err)
		}
	}
	got := bridgeFDBs(t, ns, "dev", "p0")
	if e := got["02:00:00:00:00:aa||"]; e.Master != "br0" || e.State != "static" {
		t.Errorf("static entry: %+v", e)
	}
	if e := got["02:00:00:00:00:cc||"]; e.Master != "br0" || e.State != "" {
		t.Errorf("dynamic entry: %+v", e)
	}
	if e := got["02:00:00:00:00:bb||self"]; e.State != "permanent" {
		t.Errorf("self entry: %+v", e)
	}
	err := h.AddNeighbour(bg, &static)
	if !errors.Is(err, os.ErrExist) || addrOp(err) != "add neighbour 02:00:00:00:00:aa dev p0 master" {
		t.Errorf("second add: %v (op %q)", err, addrOp(err))
	}

	// Listing the bridge's FDB: the kernel filters by bridge and port.
	fdb, err := h.ListNeighbours(bg, &rtnl.NeighbourFilter{Family: rtnl.Bridge, MasterIndex: br})
	if err != nil {
		t.Fatal(err)
	}
	// The bridge's entries name it in NDA_MASTER (and have no flags).
	found := map[string]rtnl.Neighbour{}
	for _, n := range fdb {
		found[n.LinkAddr.String()+"|"+n.Flags.String()] = n
	}
	if n := found["02:00:00:00:00:aa|"]; n.LinkIndex != port || n.MasterIndex != br || n.State != rtnl.NeighNoARP || n.Family != rtnl.Bridge {
		t.Errorf("static entry: %+v", n)
	}
	if n := found["02:00:00:00:00:bb|self"]; n.LinkIndex != port || n.State != rtnl.NeighPermanent {
		t.Errorf("self entry: %+v", n)
	}
	// As bridge shows them for br br0.
	if want := len(bridgeFDBs(t, ns, "br", "br0")); len(fdb) != want {
		t.Errorf("%d entries for br0, bridge shows %d", len(fdb), want)
	}
	onPort, err := h.ListNeighbours(bg, &rtnl.NeighbourFilter{Family: rtnl.Bridge, LinkIndex: port})
	if err != nil {
		t.Fatal(err)
	}
	if want := len(bridgeFDBs(t, ns, "dev", "p0")); len(onPort) != want {
		t.Errorf("%d entries for p0, bridge shows %d", len(onPort), want)
	}
	for _, n := range onPort {
		if n.LinkIndex != port {
			t.Errorf("entry of another port: %+v", n)
		}
	}

	for _, n := range []*rtnl.Neighbour{&static, &self} {
		if err := h.DeleteNeighbour(bg, n); err != nil {
			t.Fatalf("delete %v: %v", n, err)
		}
	}
	got = bridgeFDBs(t, ns, "dev", "p0")
	if _, ok := got["02:00:00:00:00:aa||"]; ok {
		t.Error("static entry still there")
	}
	if _, ok := got["02:00:00:00:00:bb||self"]; ok {
		t.Error("self entry still there")
	}
	if _, ok := got["02:00:00:00:00:cc||"]; !ok {
		t.Error("dynamic entry gone")
	}
}

func TestNeighbourBatch(t *testing.T) {
	ns, h := newHandle(t)
	idx := neighVeth(t, ns)
	b := h.NewBatch()
	for i := range 100 {
		n := rtnl.Neighbour{LinkIndex: idx, Addr: netip.AddrFrom4([4]byte{10, 1, 1, byte(i)}),
			LinkAddr: net.HardwareAddr{2, 0, 0, 0, 1, byte(i)}, State: rtnl.NeighPermanent}
		if err := b.Neighbour(rtnl.Add, &n); err != nil {
			t.Fatal(err)
		}
	}
	b.Neighbour(rtnl.Add, &rtnl.Neighbour{LinkIndex: idx, Addr: netip.MustParseAddr("10.1.1.7"), State: rtnl.NeighPermanent})
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 100 || !errors.Is(be.Failures[0].Err, os.ErrExist) ||
		addrOp(be.Failures[0].Err) != "add neighbour 10.1.1.7 dev n0" {
		t.Fatalf("batch: %v", err)
	}
	if n := len(ipNeighs(t, ns, "dev", "n0")); n != 100 {
		t.Errorf("%d entries after the batch", n)
	}
}

func TestNeighbourInvalid(t *testing.T) {
	_, h := newHandle(t)
	for _, c := range []struct {
		n    rtnl.Neighbour
		want string
	}{
		{rtnl.Neighbour{LinkIndex: 1}, "without an address"},
		{rtnl.Neighbour{LinkIndex: 1, Family: rtnl.IPv4}, "without an address (Addr)"},
		{rtnl.Neighbour{LinkIndex: 1, Family: rtnl.IPv6, Addr: netip.MustParseAddr("10.0.0.1")}, "family"},
		{rtnl.Neighbour{LinkIndex: 1, Family: rtnl.Bridge}, "LinkAddr"},
		{rtnl.Neighbour{LinkIndex: 1, Family: rtnl.MPLS, Addr: netip.MustParseAddr("10.0.0.1")}, "family"},
		{rtnl.Neighbour{LinkIndex: 1, Family: rtnl.Bridge, LinkAddr: mac("02:00:00:00:00:01"), Vlan: 5000}, "Vlan"},
	} {
		err := h.AddNeighbour(bg, &c.n)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.n, err, c.want)
		}
	}
	// The kernel's refusals are worded too.
	err := h.AddNeighbour(bg, &rtnl.Neighbour{LinkIndex: 999, Addr: netip.MustParseAddr("10.0.0.1"), State: rtnl.NeighPermanent})
	if !errors.Is(err, unix.ENODEV) || addrOp(err) != "add neighbour 10.0.0.1 dev if999" {
		t.Errorf("missing device: %v (op %q)", err, addrOp(err))
	}
}

func TestNeighStateNames(t *testing.T) {
	if got := (rtnl.NeighReachable | rtnl.NeighPermanent | 0x100).Names(); strings.Join(got, ",") != "REACHABLE,PERMANENT,100" {
		t.Errorf("Names: %v", got)
	}
	if s := rtnl.NeighNone.String(); s != "NONE" {
		t.Errorf("none: %s", s)
	}
	for _, s := range []string{"permanent", "NOARP", "reachable", "stale", "none", "incomplete", "delay", "probe", "failed"} {
		v, err := rtnl.ParseNeighState(s)
		if err != nil || !strings.EqualFold(v.String(), s) {
			t.Errorf("ParseNeighState(%q) = %v, %v", s, v, err)
		}
	}
	if _, err := rtnl.ParseNeighState("bogus"); err == nil {
		t.Error("ParseNeighState(bogus) succeeded")
	}
	if got := (rtnl.NeighSelf | rtnl.NeighMaster | rtnl.NeighRouter).String(); got != "self master router" {
		t.Errorf("flags: %s", got)
	}
}

// TestCaptureNeighbourSeeds records real neighbour, proxy and FDB messages
// as fuzz seeds.
func TestCaptureNeighbourSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	ns, h := newHandle(t)
	neighVeth(t, ns)
	ns.IP("link", "add", "br0", "type", "bridge")
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	ns.IP("link", "set", "p0", "master", "br0")
	ns.IP("link", "set", "br0", "up")
	ns.IP("link", "set", "p0", "up")
	ns.IP("neigh", "add", "10.1.0.9", "lladdr", "02:00:00:00:00:09", "dev", "n0", "nud", "permanent")
	ns.IP("neigh", "add", "10.1.0.10", "lladdr", "02:00:00:00:00:0a", "dev", "n0", "nud", "reachable")
	ns.IP("neigh", "add", "10.1.0.14", "dev", "n0", "nud", "incomplete")
	ns.IP("neigh", "add", "10.1.0.15", "lladdr", "02:00:00:00:00:0f", "dev", "n0", "extern_learn")
	ns.IP("neigh", "add", "2001:db8::9", "lladdr", "02:00:00:00:00:19", "dev", "n0", "router", "nud", "stale")
	ns.IP("neigh", "add", "proxy", "10.1.0.13", "dev", "n0")
	ns.Exec("bridge", "fdb", "add", "02:00:00:00:00:aa", "dev", "p0", "master", "static")
	ns.Exec("bridge", "fdb", "add", "02:00:00:00:00:bb", "dev", "p0", "self", "permanent")
	dump := func(family byte, flags byte) func(*nl.Encoder) {
		return func(e *nl.Encoder) {
			e.Begin(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
			h := e.Fixed(unix.SizeofNdMsg)
			h[0] = family
			h[10] = flags
			e.End()
		}
	}
	captureSeeds(t, "FuzzNeighbour", h, dump(unix.AF_UNSPEC, 0))
	captureSeeds(t, "FuzzNeighbour", h, dump(unix.AF_UNSPEC, unix.NTF_PROXY))
	captureSeeds(t, "FuzzNeighbour", h, dump(unix.AF_BRIDGE, 0))
}
