package rtnl_test

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// routeSetup makes an up veth pair r0/r1 with 10.1.0.1/24 and 2001:db8::1/64
// on r0, and returns r0's index.
func routeSetup(t *testing.T, ns *netnstest.NS) int {
	t.Helper()
	ns.IP("link", "add", "r0", "type", "veth", "peer", "name", "r1")
	ns.IP("link", "set", "r0", "up")
	ns.IP("link", "set", "r1", "up")
	ns.IP("addr", "add", "10.1.0.1/24", "dev", "r0")
	ns.IP("addr", "add", "2001:db8::1/64", "dev", "r0", "nodad")
	var links []struct {
		Ifindex int    `json:"ifindex"`
		Ifname  string `json:"ifname"`
	}
	if err := json.Unmarshal([]byte(ns.IP("-j", "link", "show", "r0")), &links); err != nil || len(links) != 1 {
		t.Fatalf("link r0: %v %v", links, err)
	}
	return links[0].Ifindex
}

// ipRoutes returns `ip -j route show ARGS` as generic objects.
func ipRoutes(t *testing.T, ns *netnstest.NS, args ...string) []map[string]any {
	t.Helper()
	out := ns.IP(append([]string{"-j", "route", "show"}, args...)...)
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("ip -j route show %v: %v\n%s", args, err, out)
	}
	return rs
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }

func TestRouteAddReplaceChangeDelete(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	r := rtnl.Route{Dst: pfx("10.2.0.0/16"), Gateway: addr("10.1.0.2"), LinkIndex: idx, Protocol: rtnl.ProtoStatic, Priority: 5,
		Metrics: rtnl.Metrics{MTU: 1400, AdvMSS: 1300, HopLimit: 9, RTT: 10, Congestion: "reno"}} // reno is always built in
	if err := h.AddRoute(bg, &r); err != nil {
		t.Fatal(err)
	}
	got := ipRoutes(t, ns, "10.2.0.0/16")
	if len(got) != 1 || got[0]["gateway"] != "10.1.0.2" || got[0]["dev"] != "r0" || got[0]["protocol"] != "static" || got[0]["metric"] != 5.0 {
		t.Fatalf("after add: %v", got)
	}
	m := got[0]["metrics"].([]any)[0].(map[string]any)
	if m["mtu"] != 1400.0 || m["advmss"] != 1300.0 || m["hoplimit"] != 9.0 || m["rtt"] != 10.0 || m["congestion"] != "reno" {
		t.Fatalf("metrics: %v", m)
	}
	// Adding it again is refused with EEXIST, worded.
	err := h.AddRoute(bg, &r)
	var ne *nl.Error
	if !errors.Is(err, os.ErrExist) || !errors.As(err, &ne) || ne.Op != "add route 10.2.0.0/16 via 10.1.0.2 dev r0 proto static metric 5" {
		t.Fatalf("second add: %v (op %q)", err, opOf(err))
	}
	// Replace moves it to another gateway.
	r.Gateway = addr("10.1.0.3")
	if err := h.ReplaceRoute(bg, &r); err != nil {
		t.Fatal(err)
	}
	if got := ipRoutes(t, ns, "10.2.0.0/16"); len(got) != 1 || got[0]["gateway"] != "10.1.0.3" {
		t.Fatalf("after replace: %v", got)
	}
	// Change fails for a route that does not exist.
	other := rtnl.Route{Dst: pfx("10.99.0.0/16"), LinkIndex: idx, Scope: rtnl.ScopeLink}
	if err := h.ChangeRoute(bg, &other); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("change of a missing route: %v", err)
	}
	r.Gateway = addr("10.1.0.4")
	if err := h.ChangeRoute(bg, &r); err != nil {
		t.Fatal(err)
	}
	if got := ipRoutes(t, ns, "10.2.0.0/16"); len(got) != 1 || got[0]["gateway"] != "10.1.0.4" {
		t.Fatalf("after change: %v", got)
	}
	if err := h.DeleteRoute(bg, &rtnl.Route{Dst: pfx("10.2.0.0/16")}); err != nil {
		t.Fatal(err)
	}
	if got := ipRoutes(t, ns, "10.2.0.0/16"); len(got) != 0 {
		t.Fatalf("after delete: %v", got)
	}
	err = h.DeleteRoute(bg, &rtnl.Route{Dst: pfx("10.2.0.0/16")})
	if !errors.Is(err, unix.ESRCH) || !strings.HasPrefix(err.Error(), "delete route 10.2.0.0/16: ") {
		t.Fatalf("delete of a missing route: %v", err)
	}
}

func opOf(err error) string {
	var ne *nl.Error
	if errors.As(err, &ne) {
		return ne.Op
	}
	return ""
}

// The example: the kernel's reason, with the route and the
// operation named.
func TestRouteErrorWording(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	err := h.AddRoute(bg, &rtnl.Route{Dst: pfx("10.0.0.0/8"), Gateway: addr("10.9.9.9"), LinkIndex: idx})
	want := "add route 10.0.0.0/8 via 10.9.9.9 dev r0: Nexthop has invalid gateway"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got  %v\nwant %s", err, want)
	}
	if !errors.Is(err, unix.ENETUNREACH) && !errors.Is(err, unix.EINVAL) {
		t.Fatalf("errno: %v", err)
	}
	// Invalid values are refused before anything is sent.
	if err := h.AddRoute(bg, &rtnl.Route{Family: rtnl.IPv6, Dst: pfx("10.0.0.0/8")}); err == nil || !strings.Contains(err.Error(), "family inet6 with destination 10.0.0.0/8") {
		t.Fatalf("mixed families: %v", err)
	}
}

func TestRouteKinds(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET) // tables other than main and local
	ok, why := kfeature.HasIPv6Subtrees(t, ns)
	kfeature.Require(t, kfeature.IPv6SubtreesFeature, ok, why)
	idx := routeSetup(t, ns)
	add := func(r rtnl.Route) {
		t.Helper()
		if err := h.AddRoute(bg, &r); err != nil {
			t.Fatal(err)
		}
	}
	add(rtnl.Route{Dst: pfx("10.3.0.0/16"), Type: rtnl.RouteBlackhole, Table: 100})
	add(rtnl.Route{Dst: pfx("10.4.0.0/16"), Type: rtnl.RouteUnreachable})
	add(rtnl.Route{Dst: pfx("10.5.0.0/16"), Type: rtnl.RouteProhibit, Table: 100000})
	add(rtnl.Route{Dst: pfx("10.6.0.0/16"), Nexthops: []rtnl.RouteNexthop{
		{Gateway: addr("10.1.0.2"), LinkIndex: idx, Weight: 2}, {Gateway: addr("10.1.0.3"), LinkIndex: idx}}})
	add(rtnl.Route{Dst: pfx("10.7.0.0/16"), Gateway: addr("2001:db8::2"), LinkIndex: idx})
	add(rtnl.Route{Dst: pfx("10.8.0.0/16"), LinkIndex: idx, Scope: rtnl.ScopeLink, PrefSrc: addr("10.1.0.1"), Protocol: 99})
	add(rtnl.Route{Dst: pfx("0.0.0.0/0"), Gateway: addr("10.1.0.254")})
	add(rtnl.Route{Dst: pfx("2001:db8:5::/48"), Gateway: addr("2001:db8::2"), LinkIndex: idx, Pref: rtnl.PrefHigh, Expires: 100})
	add(rtnl.Route{Dst: pfx("2001:db8:6::/48"), LinkIndex: idx, Src: pfx("2001:db8:99::/48")})

	all := ipRoutes(t, ns, "table", "all")
	find := func(dst string) map[string]any {
		for _, r := range all {
			if r["dst"] == dst {
				return r
			}
		}
		t.Fatalf("no route %s in %v", dst, all)
		return nil
	}
	if r := find("10.3.0.0/16"); r["type"] != "blackhole" || r["table"] != "100" {
		t.Errorf("blackhole: %v", r)
	}
	if r := find("10.4.0.0/16"); r["type"] != "unreachable" {
		t.Errorf("unreachable: %v", r)
	}
	if r := find("10.5.0.0/16"); r["type"] != "prohibit" || r["table"] != "100000" {
		t.Errorf("prohibit: %v", r)
	}
	if r := find("10.6.0.0/16"); len(r["nexthops"].([]any)) != 2 || r["nexthops"].([]any)[0].(map[string]any)["weight"] != 2.0 {
		t.Errorf("multipath: %v", r)
	}
	if r := find("10.7.0.0/16"); r["via"].(map[string]any)["host"] != "2001:db8::2" {
		t.Errorf("via inet6: %v", r)
	}
	if r := find("10.8.0.0/16"); r["scope"] != "link" || r["prefsrc"] != "10.1.0.1" || r["protocol"] != "openr" {
		t.Errorf("device route: %v", r)
	}
	if r := find("default"); r["gateway"] != "10.1.0.254" {
		t.Errorf("default: %v", r)
	}
	if r := find("2001:db8:5::/48"); r["pref"] != "high" || r["expires"] == nil {
		t.Errorf("ipv6 pref/expires: %v", r)
	}

	// The same routes through our own decoder.
	routes, err := h.ListRoutes(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	byDst := map[string]rtnl.Route{}
	for _, r := range routes {
		byDst[r.Dst.String()+"/"+strconv.Itoa(int(r.Table))] = r
	}
	if r := byDst["10.5.0.0/16/100000"]; r.Type != rtnl.RouteProhibit {
		t.Errorf("decoded prohibit: %+v", r)
	}
	if r := byDst["10.6.0.0/16/254"]; len(r.Nexthops) != 2 || r.Nexthops[0].Weight != 2 || r.Nexthops[1].Gateway != addr("10.1.0.3") || r.Nexthops[1].LinkIndex != idx {
		t.Errorf("decoded multipath: %+v", r)
	}
	if r := byDst["10.7.0.0/16/254"]; r.Gateway != addr("2001:db8::2") || r.String() != "10.7.0.0/16 via inet6 2001:db8::2 dev if"+strconv.Itoa(idx) {
		t.Errorf("decoded via: %+v %s", r, r.String())
	}
	if r := byDst["0.0.0.0/0/254"]; r.Gateway != addr("10.1.0.254") || r.String() != "default via 10.1.0.254 dev if"+strconv.Itoa(idx) {
		t.Errorf("decoded default: %s", r.String())
	}
	if r := byDst["2001:db8:5::/48/254"]; r.Pref != rtnl.PrefHigh || r.Expires == 0 || r.Expires > 100 {
		t.Errorf("decoded ipv6: %+v", r)
	}
	if r := byDst["2001:db8:6::/48/254"]; r.Src != pfx("2001:db8:99::/48") {
		t.Errorf("decoded source route: %+v", r)
	}
}

func TestRouteAppendAndNexthopID(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	ns.IP("nexthop", "add", "id", "7", "via", "10.1.0.2", "dev", "r0")
	if err := h.AddRoute(bg, &rtnl.Route{Dst: pfx("10.20.0.0/16"), NexthopID: 7}); err != nil {
		t.Fatal(err)
	}
	if r := ipRoutes(t, ns, "10.20.0.0/16"); len(r) != 1 || r[0]["nhid"] != 7.0 {
		t.Fatalf("nhid route: %v", r)
	}
	// IPv6 append adds a path to the route.
	if err := h.AddRoute(bg, &rtnl.Route{Dst: pfx("2001:db8:7::/48"), Gateway: addr("2001:db8::2"), LinkIndex: idx}); err != nil {
		t.Fatal(err)
	}
	if err := h.AppendRoute(bg, &rtnl.Route{Dst: pfx("2001:db8:7::/48"), Gateway: addr("2001:db8::3"), LinkIndex: idx}); err != nil {
		t.Fatal(err)
	}
	var r []map[string]any
	json.Unmarshal([]byte(ns.IP("-6", "-j", "route", "show", "2001:db8:7::/48")), &r)
	if len(r) != 1 || len(r[0]["nexthops"].([]any)) != 2 {
		t.Fatalf("appended path: %v", r)
	}
}

func TestRouteFilters(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET) // tables other than main and local
	idx := routeSetup(t, ns)
	ns.IP("link", "add", "r2", "type", "veth", "peer", "name", "r3")
	ns.IP("link", "set", "r2", "up")
	ns.IP("route", "add", "10.30.0.0/16", "dev", "r2", "table", "30", "proto", "static")
	ns.IP("route", "add", "10.31.0.0/16", "dev", "r0", "table", "30", "proto", "bird")
	ns.IP("route", "add", "blackhole", "10.32.0.0/16", "table", "30", "proto", "static")
	count := func(f *rtnl.RouteFilter) []string {
		var dsts []string
		for r, err := range h.Routes(bg, f) {
			if err != nil {
				t.Fatal(err)
			}
			dsts = append(dsts, r.Dst.String())
		}
		return dsts
	}
	if got := count(&rtnl.RouteFilter{Table: 30}); len(got) != 3 {
		t.Errorf("table 30: %v", got)
	}
	if got := count(&rtnl.RouteFilter{Table: 30, Protocol: rtnl.ProtoStatic}); len(got) != 2 {
		t.Errorf("table 30 proto static: %v", got)
	}
	if got := count(&rtnl.RouteFilter{Table: 30, Type: rtnl.RouteBlackhole}); len(got) != 1 || got[0] != "10.32.0.0/16" {
		t.Errorf("blackholes: %v", got)
	}
	if got := count(&rtnl.RouteFilter{Family: rtnl.IPv4, LinkIndex: idx, Table: rtnl.TableMain}); len(got) != 1 || got[0] != "10.1.0.0/24" {
		t.Errorf("dev r0 in main: %v", got)
	}
	if got := count(&rtnl.RouteFilter{Family: rtnl.IPv6, Table: rtnl.TableLocal}); len(got) < 2 {
		t.Errorf("ipv6 local table: %v", got)
	}
	// Breaking out of the loop early leaves the Handle usable.
	for range h.Routes(bg, nil) {
		break
	}
	if _, err := h.ListRoutes(bg, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRouteGet(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	ns.IP("route", "add", "10.40.0.0/16", "via", "10.1.0.2", "mtu", "1300")
	r, err := h.RouteGet(bg, &rtnl.RouteQuery{Dst: addr("10.40.1.2")})
	if err != nil {
		t.Fatal(err)
	}
	if r.Gateway != addr("10.1.0.2") || r.LinkIndex != idx || r.PrefSrc != addr("10.1.0.1") || r.Metrics.MTU != 1300 || r.Dst != pfx("10.40.1.2/32") {
		t.Fatalf("route get: %+v", r)
	}
	r, err = h.RouteGet(bg, &rtnl.RouteQuery{Dst: addr("10.40.1.2"), FibMatch: true})
	if err != nil || r.Dst != pfx("10.40.0.0/16") {
		t.Fatalf("fibmatch: %+v %v", r, err)
	}
	_, err = h.RouteGet(bg, &rtnl.RouteQuery{Dst: addr("192.0.2.1")})
	if !errors.Is(err, unix.ENETUNREACH) || !strings.HasPrefix(err.Error(), "get route 192.0.2.1: ") {
		t.Fatalf("unreachable: %v", err)
	}
}

func TestRouteBatch(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	b := h.NewBatch()
	for i := range 1000 {
		r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 50, byte(i >> 8), byte(i)}), 32), Gateway: addr("10.1.0.2"), LinkIndex: idx}
		if i == 500 {
			r.Gateway = addr("10.9.9.9") // refused: not on the link
		}
		if err := b.Route(rtnl.Add, &r); err != nil {
			t.Fatal(err)
		}
	}
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 500 || be.Done != 1000 {
		t.Fatalf("batch: %v", err)
	}
	if got, want := be.Failures[0].Err.Error(), "add route 10.50.1.244 via 10.9.9.9 dev r0: Nexthop has invalid gateway"; !strings.HasPrefix(got, want) {
		t.Fatalf("failure: %q, want %q", got, want)
	}
	n := 0
	for r, err := range h.Routes(bg, &rtnl.RouteFilter{Table: rtnl.TableMain, Family: rtnl.IPv4}) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Dst.Addr().As4()[1] == 50 {
			n++
		}
	}
	if n != 999 {
		t.Fatalf("%d routes installed, want 999", n)
	}
	if got := len(ipRoutes(t, ns)); got != 1+999 {
		t.Fatalf("ip sees %d routes", got)
	}
	// Deleting them all, in one batch.
	b.Reset()
	for i := range 1000 {
		if i != 500 {
			b.Route(rtnl.Delete, &rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 50, byte(i >> 8), byte(i)}), 32)})
		}
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(ipRoutes(t, ns)); got != 1 {
		t.Fatalf("after delete ip sees %d routes", got)
	}
}

// The iterator decodes in place: listing costs no allocation per route.
func TestRouteListAllocations(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	b := h.NewBatch()
	for i := range 2000 {
		b.Route(rtnl.Add, &rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 60, byte(i >> 8), byte(i)}), 32), Gateway: addr("10.1.0.2"), LinkIndex: idx})
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	f := &rtnl.RouteFilter{Table: rtnl.TableMain}
	allocs := testing.AllocsPerRun(5, func() {
		for _, err := range h.Routes(bg, f) {
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs > 20 {
		t.Fatalf("%v allocations to list 2000 routes", allocs)
	}
	t.Logf("%v allocations per listing of 2000 routes", allocs)
}

// TestCaptureRouteSeeds records the kernel's route messages as seeds of
// FuzzRoute (NLKIT_CAPTURE_SEEDS=1).
func TestCaptureRouteSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture seeds from the kernel")
	}
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	for _, c := range [][]string{
		{"route", "add", "10.10.0.0/16", "via", "10.1.0.2", "metric", "5", "mtu", "lock", "1400", "advmss", "1300", "rtt", "10ms", "congctl", "cubic", "features", "ecn"},
		{"route", "add", "blackhole", "10.12.0.0/16", "table", "100000"},
		{"route", "add", "10.16.0.0/16", "nexthop", "via", "10.1.0.2", "weight", "2", "nexthop", "via", "inet6", "2001:db8::3", "dev", "r0"},
		{"route", "add", "10.17.0.0/16", "via", "inet6", "2001:db8::2", "dev", "r0"},
		{"route", "add", "10.9.0.0/16", "encap", "ip", "id", "5", "dst", "10.1.0.9", "dev", "r0"},
		{"route", "add", "2001:db8:5::/48", "via", "2001:db8::2", "pref", "high", "expires", "300"},
		{"route", "add", "2001:db8:6::/48", "from", "2001:db8:99::/48", "dev", "r0"},
		{"route", "add", "2001:db8:9::/48", "encap", "seg6", "mode", "encap", "segs", "2001:db8::5", "dev", "r0"},
		{"nexthop", "add", "id", "5", "via", "10.1.0.7", "dev", "r0"},
		{"route", "add", "10.23.0.0/16", "nhid", "5"},
	} {
		ns.IP(c...)
	}
	_ = idx
	captureSeeds(t, "FuzzRoute", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETROUTE, unix.NLM_F_DUMP)
		e.Fixed(unix.SizeofRtMsg)
		e.End()
	})
}

// A dump the kernel refuses is named like any other request, once the dump
// has let the connection go (naming looks interfaces up on it).
func TestRouteDumpError(t *testing.T) {
	ns, h := newHandle(t)
	ok, why := kfeature.HasStrictCheck(t, ns) // which checks the interface of a dump request
	kfeature.Require(t, kfeature.StrictCheckFeature, ok, why)
	_, err := h.ListRoutes(bg, &rtnl.RouteFilter{LinkIndex: 9999})
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "list route") {
		t.Fatalf("dump for a missing interface: %v", err)
	}
	for _, err := range h.Routes(bg, &rtnl.RouteFilter{LinkIndex: 9999}) {
		if err == nil || !strings.Contains(err.Error(), "if9999") {
			t.Fatalf("iterator: %v", err)
		}
	}
}

// Lightweight tunnel metadata (ip and ip6 encapsulations) on routes.
func TestRouteEncap(t *testing.T) {
	ns, h := newHandle(t)
	for _, typ := range []uint16{unix.LWTUNNEL_ENCAP_IP, unix.LWTUNNEL_ENCAP_IP6} {
		ok, why := kfeature.HasLWTEncap(t, ns, typ)
		kfeature.Require(t, kfeature.LWTFeature(typ), ok, why)
	}
	idx := routeSetup(t, ns)
	enc, err := rtnl.IPEncap{ID: 5, Dst: addr("10.1.0.9"), TTL: 64}.Encap()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.AddRoute(bg, &rtnl.Route{Dst: pfx("10.9.0.0/16"), LinkIndex: idx, Scope: rtnl.ScopeLink, Encap: enc}); err != nil {
		t.Fatal(err)
	}
	enc6, err := rtnl.IPEncap{ID: 6, Dst: addr("2001:db8::9"), TOS: 3}.Encap()
	if err != nil || enc6.Type != rtnl.EncapIP6 {
		t.Fatal(enc6, err)
	}
	if err := h.AddRoute(bg, &rtnl.Route{Dst: pfx("10.10.0.0/16"), LinkIndex: idx, Scope: rtnl.ScopeLink, Encap: enc6}); err != nil {
		t.Fatal(err)
	}
	out := ns.IP("-o", "route", "show")
	if !strings.Contains(out, "10.9.0.0/16  encap ip id 5 src 0.0.0.0 dst 10.1.0.9 ttl 64 tos 0 dev r0") ||
		!strings.Contains(out, "encap ip6 id 6 src :: dst 2001:db8::9 hoplimit 0 tc 3") {
		t.Fatalf("ip route show:\n%s", out)
	}
	routes, err := h.ListRoutes(bg, &rtnl.RouteFilter{Table: rtnl.TableMain, Family: rtnl.IPv4})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, r := range routes {
		if r.Encap.Type == 0 {
			continue
		}
		e, err := r.Encap.IP()
		if err != nil {
			t.Fatal(err)
		}
		switch r.Dst.String() {
		case "10.9.0.0/16":
			if e.ID != 5 || e.Dst != addr("10.1.0.9") || e.TTL != 64 || r.Encap.Type != rtnl.EncapIP {
				t.Errorf("ip encap: %+v", e)
			}
			found++
		case "10.10.0.0/16":
			if e.ID != 6 || e.Dst != addr("2001:db8::9") || e.TOS != 3 || r.Encap.Type != rtnl.EncapIP6 {
				t.Errorf("ip6 encap: %+v", e)
			}
			found++
		}
	}
	if found != 2 {
		t.Fatalf("found %d encapsulated routes", found)
	}
	if _, err := (rtnl.IPEncap{Dst: addr("10.1.0.9"), Src: addr("2001:db8::1")}).Encap(); err == nil {
		t.Fatal("mixed families accepted")
	}
}

// A change that fails to encode leaves the batch as it was, so the changes
// before it still run; nil values are refused, not dereferenced.
func TestBatchTakesBackFailedChanges(t *testing.T) {
	ns, h := newHandle(t)
	idx := routeSetup(t, ns)
	b := h.NewBatch()
	if err := b.Route(rtnl.Add, &rtnl.Route{Dst: pfx("10.70.0.0/16"), LinkIndex: idx, Scope: rtnl.ScopeLink}); err != nil {
		t.Fatal(err)
	}
	huge := &rtnl.Route{Dst: pfx("10.71.0.0/16"), LinkIndex: idx, Metrics: rtnl.Metrics{Congestion: strings.Repeat("x", 70000)}}
	if err := b.Route(rtnl.Add, huge); err == nil || !errors.Is(err, nl.ErrTooLarge) {
		t.Fatalf("oversized change: %v", err)
	}
	if err := b.Route(rtnl.Add, nil); err == nil {
		t.Fatal("nil route accepted")
	}
	if err := h.AddRoute(bg, nil); err == nil {
		t.Fatal("nil route accepted")
	}
	if b.Len() != 1 {
		t.Fatalf("batch holds %d changes", b.Len())
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	if got := ipRoutes(t, ns, "10.70.0.0/16"); len(got) != 1 {
		t.Fatalf("route not added: %v", got)
	}
}
