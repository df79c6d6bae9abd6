package vvptp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/netip"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/examples/cni-ptp/ptp"
	vvptp "github.com/nlkit/nlkit/examples/cni-ptp/vishvananda"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// impl is one implementation of the ptp flow under comparison.
type impl struct {
	name            string
	add, check, del func(ctx context.Context, cfg *vvptp.Config) error
}

var vishvananda = impl{
	name:  "vishvananda",
	add:   func(_ context.Context, cfg *vvptp.Config) error { return vvptp.Add(cfg) },
	check: func(_ context.Context, cfg *vvptp.Config) error { return vvptp.Check(cfg) },
	del:   func(_ context.Context, cfg *vvptp.Config) error { return vvptp.Del(cfg) },
}

var nlkitImpl = impl{
	name:  "nlkit",
	add:   func(ctx context.Context, cfg *vvptp.Config) error { return ptp.Add(ctx, toNlkit(cfg)) },
	check: func(ctx context.Context, cfg *vvptp.Config) error { return ptp.Check(ctx, toNlkit(cfg)) },
	del:   func(ctx context.Context, cfg *vvptp.Config) error { return ptp.Del(ctx, toNlkit(cfg)) },
}

// toNlkit is the same configuration as nlkit's ptp.Config.
func toNlkit(c *vvptp.Config) *ptp.Config {
	return &ptp.Config{
		HostNS:      c.HostNS,
		ContainerNS: c.ContainerNS,
		IfName:      c.IfName,
		HostIfName:  c.HostIfName,
		MTU:         c.MTU,
		Address:     c.Address,
		Gateway:     c.Gateway,
		Routes:      slices.Clone(c.Routes),
	}
}

// pair is the host-side and the container namespace of one implementation.
type pair struct {
	impl       impl
	host, cont *netnstest.NS
	cfg        vvptp.Config
}

// The host-side veth has the same name in both pairs (they live in
// different namespaces), so names need no normalisation.
const hostIfName = "vethptp0"

func newPair(t *testing.T, im impl) *pair {
	t.Helper()
	p := &pair{impl: im, host: netnstest.New(t), cont: netnstest.New(t)}
	p.cfg = vvptp.Config{
		HostNS:      filepath.Join(netns.RunDir, p.host.Name),
		ContainerNS: filepath.Join(netns.RunDir, p.cont.Name),
		IfName:      "eth0",
		HostIfName:  hostIfName,
		MTU:         1400,
		Address:     netip.MustParsePrefix("10.1.1.2/24"),
		Gateway:     netip.MustParseAddr("10.1.1.1"),
		Routes:      []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")},
	}
	return p
}

// TestCompareWithNlkit runs the ptp flow with nlkit and with vishvananda in
// two pairs of fresh namespaces with identical configurations and compares
// what `ip -j` reports on both sides after ADD and after DEL.
func TestCompareWithNlkit(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	nk, vv := newPair(t, nlkitImpl), newPair(t, vishvananda)
	pairs := []*pair{nk, vv}

	for _, p := range pairs {
		if err := p.impl.add(ctx, &p.cfg); err != nil {
			t.Fatalf("%s: Add: %v", p.impl.name, err)
		}
	}
	compareState(t, "after ADD", nk, vv)
	// And both against FLOW.md's IPv4 state, so that a difference is
	// also told against the plugin's documented result.
	for _, p := range pairs {
		t.Run("FLOW.md state "+p.impl.name, func(t *testing.T) {
			expectFlowState(t, ipv4State(snapshot(t, p.host, p.cont)), ipv4State(snapshot(t, p.cont, p.host)))
		})
	}

	for _, p := range pairs {
		if err := p.impl.check(ctx, &p.cfg); err != nil {
			t.Errorf("%s: Check after Add: %v", p.impl.name, err)
		}
	}
	// A second ADD must fail on both (the container interface exists)
	// and change nothing.
	for _, p := range pairs {
		if err := p.impl.add(ctx, &p.cfg); err == nil {
			t.Errorf("%s: second Add succeeded, want an error", p.impl.name)
		}
	}
	compareState(t, "after a second, failing ADD", nk, vv)

	for _, p := range pairs {
		if err := p.impl.del(ctx, &p.cfg); err != nil {
			t.Fatalf("%s: Del: %v", p.impl.name, err)
		}
	}
	compareState(t, "after DEL", nk, vv)

	for _, p := range pairs {
		if err := p.impl.check(ctx, &p.cfg); err == nil {
			t.Errorf("%s: Check after Del succeeded, want an error", p.impl.name)
		}
		if err := p.impl.del(ctx, &p.cfg); err != nil {
			t.Errorf("%s: second Del: %v (DEL must be idempotent)", p.impl.name, err)
		}
	}
	compareState(t, "after a second DEL", nk, vv)
}

// TestCompareDelWithoutNamespace: the plugin's DEL succeeds when there is
// nothing to delete, the container's namespace included: CNI_NETNS empty
// (a runtime that lost the namespace) or a path that no longer exists.
func TestCompareDelWithoutNamespace(t *testing.T) {
	ctx := context.Background()
	for _, ns := range []string{"", "/run/netns/nlkit-ptp-no-such-namespace", "/nonexistent/dir/ns"} {
		for _, im := range []impl{nlkitImpl, vishvananda} {
			cfg := vvptp.Config{ContainerNS: ns, IfName: "eth0", HostIfName: hostIfName}
			if err := im.del(ctx, &cfg); err != nil {
				t.Errorf("%s: Del with ContainerNS %q: %v, want success (the plugin's DEL succeeds)", im.name, ns, err)
			}
		}
	}
}

// TestVishvanandaRepeat runs the twin's Add, Check and Del 20 times in one
// pair of namespaces, and checks each time the IPv4 state FLOW.md
// describes and that DEL leaves nothing behind.
func TestVishvanandaRepeat(t *testing.T) {
	p := newPair(t, vishvananda)
	ctx := context.Background()
	var first [2]state
	for i := range 20 {
		if err := p.impl.add(ctx, &p.cfg); err != nil {
			t.Fatalf("run %d: Add: %v", i, err)
		}
		var now [2]state
		for j, ns := range []*netnstest.NS{p.host, p.cont} {
			now[j] = ipv4State(snapshot(t, ns, []*netnstest.NS{p.host, p.cont}[1-j]))
		}
		if i == 0 {
			first = now
			expectFlowState(t, now[0], now[1])
		} else {
			for j, side := range []string{"host", "container"} {
				for _, d := range diffStates(first[j], now[j]) {
					t.Errorf("run %d, %s namespace: %s (first run / this run)", i, side, d)
				}
			}
		}
		if err := p.impl.check(ctx, &p.cfg); err != nil {
			t.Fatalf("run %d: Check: %v", i, err)
		}
		if err := p.impl.del(ctx, &p.cfg); err != nil {
			t.Fatalf("run %d: Del: %v", i, err)
		}
		for j, ns := range []*netnstest.NS{p.host, p.cont} {
			s := snapshot(t, ns, nil)
			for k := range s {
				if k != "link lo" {
					t.Errorf("run %d: after Del, %s still has %s", i, []string{"host", "container"}[j], k)
				}
			}
		}
		if t.Failed() {
			return
		}
	}
}

// expectFlowState checks the IPv4 state that FLOW.md says the plugin leaves.
func expectFlowState(t *testing.T, host, cont state) {
	t.Helper()
	want := []struct {
		side     string
		s        state
		key, fld string
		val      any
	}{
		{"container", cont, "link eth0", "mtu", 1400.0},
		{"container", cont, "link eth0", "txqlen", 1000.0},
		{"host", host, "link " + hostIfName, "mtu", 1400.0},
		{"host", host, "link " + hostIfName, "txqlen", nil}, // PeerTxQLen 0 is sent; ip omits qlen 0
		{"container", cont, "addr eth0 inet 10.1.1.2/24", "broadcast", "10.1.1.255"},
		{"container", cont, "addr eth0 inet 10.1.1.2/24", "scope", "global"},
		{"host", host, "addr " + hostIfName + " inet 10.1.1.1/32", "broadcast", nil},
		{"host", host, "addr " + hostIfName + " inet 10.1.1.1/32", "scope", "global"},
		{"container", cont, "route inet table=main type=unicast dst=default dev=eth0 metric=", "gateway", "10.1.1.1"},
		{"container", cont, "route inet table=main type=unicast dst=default dev=eth0 metric=", "protocol", "boot"},
		{"container", cont, "route inet table=main type=unicast dst=default dev=eth0 metric=", "scope", "global"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.1 dev=eth0 metric=", "scope", "link"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.1 dev=eth0 metric=", "prefsrc", "10.1.1.2"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.1 dev=eth0 metric=", "protocol", "boot"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.0/24 dev=eth0 metric=", "gateway", "10.1.1.1"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.0/24 dev=eth0 metric=", "prefsrc", "10.1.1.2"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.0/24 dev=eth0 metric=", "protocol", "boot"},
		{"container", cont, "route inet table=main type=unicast dst=10.1.1.0/24 dev=eth0 metric=", "scope", "global"},
		{"host", host, "route inet table=main type=unicast dst=10.1.1.2 dev=" + hostIfName + " metric=", "scope", "host"},
		{"host", host, "route inet table=main type=unicast dst=10.1.1.2 dev=" + hostIfName + " metric=", "protocol", "boot"},
	}
	for _, w := range want {
		o, ok := w.s[w.key]
		if !ok {
			t.Errorf("%s namespace: no %s", w.side, w.key)
			continue
		}
		if got := o[w.fld]; !reflect.DeepEqual(got, w.val) {
			t.Errorf("%s namespace, %s: %q is %v, want %v", w.side, w.key, w.fld, js(got), js(w.val))
		}
	}
	// The connected route is gone, and the main tables hold exactly the
	// plugin's routes.
	mainRoutes := func(s state) (keys []string) {
		for k := range s {
			if strings.HasPrefix(k, "route inet table=main ") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		return keys
	}
	if got, want := mainRoutes(cont), []string{
		"route inet table=main type=unicast dst=10.1.1.0/24 dev=eth0 metric=",
		"route inet table=main type=unicast dst=10.1.1.1 dev=eth0 metric=",
		"route inet table=main type=unicast dst=default dev=eth0 metric=",
	}; !slices.Equal(got, want) {
		t.Errorf("container main table: %q, want %q", got, want)
	}
	if got, want := mainRoutes(host), []string{
		"route inet table=main type=unicast dst=10.1.1.2 dev=" + hostIfName + " metric=",
	}; !slices.Equal(got, want) {
		t.Errorf("host main table: %q, want %q", got, want)
	}
}

// ---- state as `ip -j` shows it, normalised ----

// object is one link, address or route as ip prints it in JSON.
type object map[string]any

// state is a namespace's objects, keyed by what identifies them: "link
// NAME", "addr DEV FAMILY LOCAL/PREFIXLEN", "route FAMILY table=T type=T
// dst=D dev=D metric=M".
type state map[string]object

// The commands whose output is compared (each run as `ip -n NS ...`).
// The route listings add -d, without which ip (6.1) prints neither
// "protocol" for boot (3) or unspec (0) nor "scope" for universe nor
// "type" for unicast, so that proto boot and proto unspec would look the
// same; and -4, without which `route show table all` also prints the
// IPv6 routes that the -6 listing has.
var ipCommands = [][]string{
	{"-j", "-d", "link", "show"},
	{"-j", "addr", "show"},
	{"-j", "-d", "-4", "route", "show", "table", "all"},
	{"-j", "-d", "-6", "route", "show", "table", "all"},
}

// snapshot reads ns's state with `ip -j` and normalises it. peer is the
// namespace the veth peers live in (to name link_index), or nil.
//
// Normalisations, all of them (everything else is compared as ip prints
// it, including protocol, scope, type, flags, broadcast, prefsrc, mtu,
// txqlen, operstate and lifetimes):
//  1. ifindex numbers become names: a link's "ifindex" and an address
//     entry's owner become the interface name (the object's key), and a
//     link's "link_index" becomes "<ifindex of NAME>" with NAME looked up
//     in the peer namespace (where the veth peer is).
//  2. MAC addresses: a link's "address" and "permaddr" become "<mac of
//     NAME>" (the kernel picks them at random).
//  3. "link_netnsid" becomes "<netnsid>": its presence is compared, its
//     number (allocated by the kernel on first use) is not.
//  4. IPv6 link-local addresses derived from a link's MAC (EUI-64, the
//     kernel's default address generation) become "fe80::<eui64 of
//     NAME>" wherever they appear (address entries, local routes).
//  5. Address lifetimes other than forever (4294967295), which count
//     down, become "<finite>". (Every address here is forever.)
//
// Not a normalisation but a wait: settle polls until the kernel's
// asynchronous work (IPv6 DAD, link-watch operstate) has finished, so that
// both sides are compared at rest. Address entries are compared without
// the link fields that `ip addr` repeats (they are compared in the link
// objects); statistics are not requested (no -s).
func snapshot(t *testing.T, ns *netnstest.NS, peer *netnstest.NS) state {
	t.Helper()
	s, err := trySnapshot(ns, peer)
	if err != nil {
		t.Fatalf("%s: %v", ns.Name, err)
	}
	return s
}

func ipJSON(ns *netnstest.NS, args ...string) ([]object, error) {
	out, err := ns.TryIP(args...)
	if err != nil {
		return nil, err
	}
	var v []object
	if strings.TrimSpace(out) == "" {
		return nil, nil
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		return nil, fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return v, nil
}

func trySnapshot(ns *netnstest.NS, peer *netnstest.NS) (state, error) {
	var raw [4][]object
	for i, args := range ipCommands {
		v, err := ipJSON(ns, args...)
		if err != nil {
			return nil, err
		}
		raw[i] = v
	}
	peerNames := map[float64]string{}
	if peer != nil {
		links, err := ipJSON(peer, "-j", "link", "show")
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if n, ok := l["ifindex"].(float64); ok {
				peerNames[n], _ = l["ifname"].(string)
			}
		}
	}

	s := state{}
	names := map[float64]string{}
	rename := map[string]string{} // exact string → placeholder (MACs, link-local addresses)
	for _, l := range raw[0] {
		name, _ := l["ifname"].(string)
		if n, ok := l["ifindex"].(float64); ok {
			names[n] = name
		}
		if mac, ok := l["address"].(string); ok {
			if hw, err := net.ParseMAC(mac); err == nil && len(hw) == 6 {
				ll := eui64LinkLocal(hw)
				rename[ll.String()] = "fe80::<eui64 of " + name + ">"
			}
		}
	}
	for _, l := range raw[0] {
		name, _ := l["ifname"].(string)
		if _, ok := l["ifindex"]; ok {
			l["ifindex"] = "<ifindex of " + name + ">"
		}
		for _, k := range []string{"address", "permaddr"} {
			if l["link_type"] == "ether" && l[k] != nil {
				l[k] = "<mac of " + name + ">"
			}
		}
		if n, ok := l["link_index"].(float64); ok {
			if l["link_netnsid"] != nil {
				if pn, ok := peerNames[n]; ok {
					l["link_index"] = "<ifindex of " + pn + ">"
				}
			} else if ln, ok := names[n]; ok {
				l["link_index"] = "<ifindex of " + ln + ">"
			}
		}
		if _, ok := l["link_netnsid"]; ok {
			l["link_netnsid"] = "<netnsid>"
		}
		put(s, "link "+name, l)
	}
	for _, l := range raw[1] {
		name, _ := l["ifname"].(string)
		infos, _ := l["addr_info"].([]any)
		for _, ai := range infos {
			a, ok := ai.(map[string]any)
			if !ok {
				continue
			}
			o := object(a)
			normalise(o, rename)
			for _, k := range []string{"valid_life_time", "preferred_life_time"} {
				if v, ok := o[k].(float64); ok && v != 4294967295 {
					o[k] = "<finite>"
				}
			}
			put(s, fmt.Sprintf("addr %s %v %v/%v", name, o["family"], o["local"], o["prefixlen"]), o)
		}
	}
	for i, fam := range []string{"inet", "inet6"} {
		for _, r := range raw[2+i] {
			normalise(r, rename)
			metric := ""
			if m, ok := r["metric"]; ok {
				metric = fmt.Sprint(m)
			}
			put(s, fmt.Sprintf("route %s table=%v type=%v dst=%v dev=%v metric=%s", fam, r["table"], r["type"], r["dst"], r["dev"], metric), r)
		}
	}
	return s, nil
}

// put adds o under key, numbering duplicates.
func put(s state, key string, o object) {
	k := key
	for n := 2; ; n++ {
		if _, dup := s[k]; !dup {
			break
		}
		k = fmt.Sprintf("%s #%d", key, n)
	}
	s[k] = o
}

// normalise replaces, in every string value of o (recursively), the
// strings of rename by their placeholders.
func normalise(o map[string]any, rename map[string]string) {
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case string:
			if a, err := netip.ParseAddr(v); err == nil {
				if r, ok := rename[a.String()]; ok {
					return r
				}
			}
			if r, ok := rename[v]; ok {
				return r
			}
			return v
		case []any:
			for i := range v {
				v[i] = walk(v[i])
			}
			return v
		case map[string]any:
			for k := range v {
				v[k] = walk(v[k])
			}
			return v
		}
		return v
	}
	walk(o)
}

// eui64LinkLocal is the kernel's default (addr_gen_mode eui64) IPv6
// link-local address for an Ethernet MAC.
func eui64LinkLocal(mac net.HardwareAddr) netip.Addr {
	var b [16]byte
	b[0], b[1] = 0xfe, 0x80
	b[8], b[9], b[10] = mac[0]^0x02, mac[1], mac[2]
	b[11], b[12] = 0xff, 0xfe
	b[13], b[14], b[15] = mac[3], mac[4], mac[5]
	return netip.AddrFrom16(b)
}

// ipv4State keeps the links and the IPv4 addresses and routes: what is
// set synchronously, without waiting for IPv6 DAD or link-watch. The
// links lose "operstate" and the "NO-CARRIER" flag (IFF_RUNNING), which
// link-watch updates asynchronously after the carrier comes up.
func ipv4State(s state) state {
	out := state{}
	for k, o := range s {
		switch {
		case strings.HasPrefix(k, "link "):
			c := object{}
			for f, v := range o {
				switch f {
				case "operstate":
				case "flags":
					fl, _ := v.([]any)
					c[f] = slices.DeleteFunc(slices.Clone(fl), func(x any) bool { return x == "NO-CARRIER" })
				default:
					c[f] = v
				}
			}
			out[k] = c
		case strings.HasPrefix(k, "route inet "), strings.Contains(k, " inet "):
			out[k] = o
		}
	}
	return out
}

// settle waits until ns is at rest: no tentative addresses, and two reads
// a little apart are equal. It returns the last read.
func settle(t *testing.T, ns, peer *netnstest.NS, deadline time.Time) state {
	t.Helper()
	prev := snapshot(t, ns, peer)
	for {
		time.Sleep(100 * time.Millisecond)
		cur := snapshot(t, ns, peer)
		if reflect.DeepEqual(prev, cur) && !tentative(cur) {
			return cur
		}
		if time.Now().After(deadline) {
			t.Logf("%s did not settle; comparing it as it is", ns.Name)
			return cur
		}
		prev = cur
	}
}

func tentative(s state) bool {
	for k, o := range s {
		if strings.HasPrefix(k, "addr ") && (o["tentative"] == true || o["optimistic"] == true) {
			return true
		}
	}
	return false
}

// compareState compares the host-side and container namespaces of two
// pairs and reports every difference.
func compareState(t *testing.T, when string, a, b *pair) {
	t.Helper()
	deadline := time.Now().Add(6 * time.Second)
	for _, side := range []struct {
		name   string
		ns, pe func(*pair) *netnstest.NS
	}{
		{"host", func(p *pair) *netnstest.NS { return p.host }, func(p *pair) *netnstest.NS { return p.cont }},
		{"container", func(p *pair) *netnstest.NS { return p.cont }, func(p *pair) *netnstest.NS { return p.host }},
	} {
		sa := settle(t, side.ns(a), side.pe(a), deadline)
		sb := settle(t, side.ns(b), side.pe(b), deadline)
		diffs := diffStates(sa, sb)
		for _, d := range diffs {
			t.Errorf("%s, %s namespace: %s (%s / %s)", when, side.name, d, a.impl.name, b.impl.name)
		}
		if len(diffs) == 0 {
			t.Logf("%s, %s namespace: %d objects, equal", when, side.name, len(sa))
		}
	}
}

// diffStates lists the differences between two states, one line each:
// an object present on one side only, or a key whose values differ.
func diffStates(a, b state) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		oa, ina := a[k]
		ob, inb := b[k]
		switch {
		case !inb:
			out = append(out, fmt.Sprintf("%s: only in the first: %s", k, js(oa)))
		case !ina:
			out = append(out, fmt.Sprintf("%s: only in the second: %s", k, js(ob)))
		default:
			var fields []string
			for f := range oa {
				fields = append(fields, f)
			}
			for f := range ob {
				if _, ok := oa[f]; !ok {
					fields = append(fields, f)
				}
			}
			sort.Strings(fields)
			for _, f := range fields {
				va, fa := oa[f]
				vb, fb := ob[f]
				if fa && fb && reflect.DeepEqual(va, vb) {
					continue
				}
				sa, sb := "(absent)", "(absent)"
				if fa {
					sa = js(va)
				}
				if fb {
					sb = js(vb)
				}
				out = append(out, fmt.Sprintf("%s: key %q: %s vs %s", k, f, sa, sb))
			}
		}
	}
	return out
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
