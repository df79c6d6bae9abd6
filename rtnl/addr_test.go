package rtnl_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// ipIfindex returns the index of interface name, as ip reports it.
func ipIfindex(t testing.TB, ns *netnstest.NS, name string) int {
	t.Helper()
	var links []struct {
		Ifindex int `json:"ifindex"`
	}
	if err := json.Unmarshal([]byte(ns.IP("-j", "link", "show", name)), &links); err != nil || len(links) != 1 {
		t.Fatalf("link %s: %v %v", name, links, err)
	}
	return links[0].Ifindex
}

// addrVeth makes an up veth pair a0/a1 and returns a0's index.
func addrVeth(t *testing.T, ns *netnstest.NS) int {
	t.Helper()
	ns.IP("link", "add", "a0", "type", "veth", "peer", "name", "a1")
	ns.IP("link", "set", "a0", "up")
	ns.IP("link", "set", "a1", "up")
	return ipIfindex(t, ns, "a0")
}

// ipAddr is one entry of addr_info in `ip -j address show`.
type ipAddr struct {
	Family        string `json:"family"`
	Local         string `json:"local"`
	Address       string `json:"address"`
	Prefixlen     int    `json:"prefixlen"`
	Metric        uint32 `json:"metric"`
	Broadcast     string `json:"broadcast"`
	Anycast       string `json:"anycast"`
	Scope         string `json:"scope"`
	Secondary     bool   `json:"secondary"`
	Dynamic       bool   `json:"dynamic"`
	NoDAD         bool   `json:"nodad"`
	NoPrefixRoute bool   `json:"noprefixroute"`
	Home          bool   `json:"home"`
	Label         string `json:"label"`
	Valid         uint32 `json:"valid_life_time"`
	Preferred     uint32 `json:"preferred_life_time"`
}

// ipAddrs returns the addresses ip shows on dev, except IPv6 link-local
// ones, by local address.
func ipAddrs(t *testing.T, ns *netnstest.NS, dev string) map[string]ipAddr {
	t.Helper()
	out := ns.IP("-j", "address", "show", "dev", dev)
	var links []struct {
		AddrInfo []ipAddr `json:"addr_info"`
	}
	if err := json.Unmarshal([]byte(out), &links); err != nil || len(links) != 1 {
		t.Fatalf("ip -j address show dev %s: %v\n%s", dev, err, out)
	}
	m := map[string]ipAddr{}
	for _, a := range links[0].AddrInfo {
		if !strings.HasPrefix(a.Local, "fe80:") {
			m[a.Local] = a
		}
	}
	return m
}

func addrOp(err error) string {
	var ne *nl.Error
	if errors.As(err, &ne) {
		return ne.Op
	}
	return ""
}

func TestAddressAddReplaceDelete(t *testing.T) {
	ns, h := newHandle(t)
	idx := addrVeth(t, ns)
	a4 := rtnl.Address{LinkIndex: idx, Prefix: netip.MustParsePrefix("10.1.0.5/24"), Label: "a0:1",
		Broadcast: netip.MustParseAddr("10.1.0.255"), RoutePriority: 55}
	peer := rtnl.Address{LinkIndex: idx, Prefix: netip.MustParsePrefix("10.2.0.1/32"), Peer: netip.MustParsePrefix("10.2.0.2/32")}
	sec := rtnl.Address{LinkIndex: idx, Prefix: netip.MustParsePrefix("10.1.0.6/24")}
	a6 := rtnl.Address{LinkIndex: idx, Prefix: netip.MustParsePrefix("2001:db8::1/64"),
		Flags: rtnl.AddrNoDAD | rtnl.AddrNoPrefixRoute, ValidLifetime: 1000, PreferredLifetime: 500}
	for _, a := range []*rtnl.Address{&a4, &peer, &sec, &a6} {
		if err := h.AddAddress(bg, a); err != nil {
			t.Fatalf("add %v: %v", a, err)
		}
	}
	got := ipAddrs(t, ns, "a0")
	if g := got["10.1.0.5"]; g.Prefixlen != 24 || g.Label != "a0:1" || g.Broadcast != "10.1.0.255" || g.Metric != 55 ||
		g.Scope != "global" || g.Secondary || g.Dynamic || g.Valid != rtnl.LifetimeForever {
		t.Errorf("10.1.0.5: %+v", g)
	}
	if g := got["10.2.0.1"]; g.Address != "10.2.0.2" || g.Prefixlen != 32 {
		t.Errorf("10.2.0.1 peer: %+v", g)
	}
	if g := got["10.1.0.6"]; !g.Secondary || g.Label != "a0" {
		t.Errorf("10.1.0.6: %+v", g)
	}
	if g := got["2001:db8::1"]; g.Family != "inet6" || !g.NoDAD || !g.NoPrefixRoute || !g.Dynamic ||
		g.Valid > 1000 || g.Valid < 990 || g.Preferred > 500 || g.Preferred < 490 {
		t.Errorf("2001:db8::1: %+v", g)
	}
	if len(got) != 4 {
		t.Errorf("addresses: %v", got)
	}

	// Adding one again is refused, with the address named.
	err := h.AddAddress(bg, &a4)
	if !errors.Is(err, os.ErrExist) || addrOp(err) != "add address 10.1.0.5/24 label a0:1 dev a0" {
		t.Errorf("second add: %v (op %q)", err, addrOp(err))
	}
	err = h.AddAddress(bg, &peer)
	if !errors.Is(err, os.ErrExist) || addrOp(err) != "add address 10.2.0.1 peer 10.2.0.2/32 dev a0" {
		t.Errorf("second add of the peer: %v (op %q)", err, addrOp(err))
	}

	// Replace changes the metric and lifetimes; Change the IPv6 flags.
	a4.RoutePriority = 77
	a4.ValidLifetime, a4.PreferredLifetime = 300, 200
	if err := h.ReplaceAddress(bg, &a4); err != nil {
		t.Fatal(err)
	}
	a6.Flags = rtnl.AddrNoDAD | rtnl.AddrHomeAddress
	a6.ValidLifetime, a6.PreferredLifetime = 0, 0
	if err := h.ChangeAddress(bg, &a6); err != nil {
		t.Fatal(err)
	}
	got = ipAddrs(t, ns, "a0")
	if g := got["10.1.0.5"]; g.Metric != 77 || !g.Dynamic || g.Valid > 300 || g.Preferred > 200 {
		t.Errorf("10.1.0.5 after replace: %+v", g)
	}
	if g := got["2001:db8::1"]; !g.Home || g.NoPrefixRoute {
		t.Errorf("2001:db8::1 after change: %+v", g)
	}

	// Delete, then deleting again is refused.
	for _, a := range []*rtnl.Address{&peer, &sec, &a6} {
		if err := h.DeleteAddress(bg, a); err != nil {
			t.Fatalf("delete %v: %v", a, err)
		}
	}
	got = ipAddrs(t, ns, "a0")
	if _, ok := got["10.1.0.5"]; !ok || len(got) != 1 {
		t.Errorf("after delete: %v", got)
	}
	err = h.DeleteAddress(bg, &a6)
	if !errors.Is(err, unix.EADDRNOTAVAIL) || !strings.HasPrefix(err.Error(), "delete address 2001:db8::1/64 dev a0: ") {
		t.Errorf("delete of a missing address: %v", err)
	}
}

func TestAddressList(t *testing.T) {
	ns, h := newHandle(t)
	idx := addrVeth(t, ns)
	idx1 := ipIfindex(t, ns, "a1")
	ns.IP("address", "add", "10.1.0.5/24", "brd", "+", "dev", "a0", "metric", "9")
	ns.IP("address", "add", "10.1.0.6/24", "dev", "a0", "label", "a0:x")
	ns.IP("address", "add", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "a0", "scope", "link")
	ns.IP("address", "add", "2001:db8::1/64", "dev", "a0", "nodad", "valid_lft", "100", "preferred_lft", "50")
	ns.IP("address", "add", "2001:db8:1::1/64", "dev", "a1", "nodad")
	ns.IP("address", "add", "10.3.0.1/8", "dev", "a1")

	all, err := h.ListAddresses(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	byAddr := map[string]rtnl.Address{}
	for _, a := range all {
		byAddr[a.Prefix.Addr().String()] = a
	}
	want := []rtnl.Address{
		{Family: rtnl.IPv4, LinkIndex: idx, Prefix: netip.MustParsePrefix("10.1.0.5/24"), Broadcast: netip.MustParseAddr("10.1.0.255"),
			Label: "a0", Flags: rtnl.AddrPermanent, RoutePriority: 9, ValidLifetime: rtnl.LifetimeForever, PreferredLifetime: rtnl.LifetimeForever},
		{Family: rtnl.IPv4, LinkIndex: idx, Prefix: netip.MustParsePrefix("10.1.0.6/24"),
			Label: "a0:x", Flags: rtnl.AddrPermanent | rtnl.AddrSecondary, ValidLifetime: rtnl.LifetimeForever, PreferredLifetime: rtnl.LifetimeForever},
		{Family: rtnl.IPv4, LinkIndex: idx, Prefix: netip.MustParsePrefix("10.2.0.1/32"), Peer: netip.MustParsePrefix("10.2.0.2/32"),
			Label: "a0", Scope: rtnl.ScopeLink, Flags: rtnl.AddrPermanent, ValidLifetime: rtnl.LifetimeForever, PreferredLifetime: rtnl.LifetimeForever},
		{Family: rtnl.IPv6, LinkIndex: idx, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: rtnl.AddrNoDAD},
	}
	for _, w := range want {
		g, ok := byAddr[w.Prefix.Addr().String()]
		if !ok {
			t.Errorf("missing %v", w.Prefix)
			continue
		}
		if w.Family == rtnl.IPv6 {
			// Lifetimes count down.
			if g.ValidLifetime > 100 || g.ValidLifetime < 90 || g.PreferredLifetime > 50 || g.PreferredLifetime < 40 {
				t.Errorf("%v lifetimes %d/%d", w.Prefix, g.ValidLifetime, g.PreferredLifetime)
			}
			w.ValidLifetime, w.PreferredLifetime = g.ValidLifetime, g.PreferredLifetime
		}
		if g.Created == 0 || g.Updated < g.Created {
			t.Errorf("%v timestamps %v %v", w.Prefix, g.Created, g.Updated)
		}
		w.Created, w.Updated, w.Protocol = g.Created, g.Updated, g.Protocol
		if g != w {
			t.Errorf("got  %+v\nwant %+v", g, w)
		}
	}

	count := func(f *rtnl.AddressFilter) []string {
		t.Helper()
		var out []string
		for a, err := range h.Addresses(bg, f) {
			if err != nil {
				t.Fatal(err)
			}
			if !a.Prefix.Addr().IsLinkLocalUnicast() {
				out = append(out, a.Prefix.Addr().String())
			}
		}
		slices.Sort(out)
		// The list and the iterator agree.
		list, err := h.ListAddresses(bg, f)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, a := range list {
			if !a.Prefix.Addr().IsLinkLocalUnicast() {
				n++
			}
		}
		if n != len(out) {
			t.Errorf("ListAddresses(%+v): %d addresses, Addresses: %d", f, n, len(out))
		}
		return out
	}
	link := rtnl.ScopeLink
	for _, c := range []struct {
		f    rtnl.AddressFilter
		want string
	}{
		{rtnl.AddressFilter{LinkIndex: idx}, "10.1.0.5 10.1.0.6 10.2.0.1 2001:db8::1"},
		{rtnl.AddressFilter{LinkIndex: idx1}, "10.3.0.1 2001:db8:1::1"},
		{rtnl.AddressFilter{Family: rtnl.IPv6}, "2001:db8:1::1 2001:db8::1"},
		{rtnl.AddressFilter{Family: rtnl.IPv4, LinkIndex: idx}, "10.1.0.5 10.1.0.6 10.2.0.1"},
		{rtnl.AddressFilter{Scope: &link}, "10.2.0.1"},
		{rtnl.AddressFilter{Label: "a0:*"}, "10.1.0.6"},
		{rtnl.AddressFilter{Flags: rtnl.AddrSecondary, FlagsMask: rtnl.AddrSecondary}, "10.1.0.6"},
		{rtnl.AddressFilter{Flags: 0, FlagsMask: rtnl.AddrPermanent}, "2001:db8::1"},
		{rtnl.AddressFilter{Prefix: netip.MustParsePrefix("10.0.0.0/14")}, "10.1.0.5 10.1.0.6 10.2.0.1 10.3.0.1"},
	} {
		if got := strings.Join(count(&c.f), " "); got != c.want {
			t.Errorf("filter %+v: %s, want %s", c.f, got, c.want)
		}
	}

	// A dump for an interface that does not exist is refused, worded,
	// where the kernel checks dump requests strictly.
	if ok, why := kfeature.HasStrictCheck(t, ns); !ok {
		kfeature.SkipPart(t, "missing interface", kfeature.StrictCheckFeature, why)
		return
	}
	_, err = h.ListAddresses(bg, &rtnl.AddressFilter{LinkIndex: 999})
	if !errors.Is(err, unix.ENODEV) || !strings.HasPrefix(addrOp(err), "list address dev ") {
		t.Errorf("list on a missing interface: %v (op %q)", err, addrOp(err))
	}
}

// The kernel filters by interface: the replies are flagged as filtered.
func TestAddressDumpFilteredByKernel(t *testing.T) {
	ns, h := newHandle(t)
	ok, why := kfeature.HasStrictCheck(t, ns)
	kfeature.Require(t, kfeature.StrictCheckFeature, ok, why)
	idx := addrVeth(t, ns)
	ns.IP("address", "add", "10.1.0.5/24", "dev", "a1")
	ns.IP("address", "add", "10.1.0.6/24", "dev", "a0")
	var e nl.Encoder
	e.Begin(unix.RTM_GETADDR, unix.NLM_F_DUMP)
	hdr := e.Fixed(unix.SizeofIfAddrmsg)
	hdr[0] = unix.AF_INET
	binary.NativeEndian.PutUint32(hdr[4:], uint32(idx))
	e.End()
	n := 0
	for m, err := range h.Conn().Dump(bg, &e) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if m.Header.Flags&unix.NLM_F_DUMP_FILTERED == 0 {
			t.Errorf("reply not flagged as filtered: %v", m.Header)
		}
		if got := int(binary.NativeEndian.Uint32(m.Data[4:8])); got != idx {
			t.Errorf("address of interface %d", got)
		}
	}
	if n != 1 {
		t.Errorf("%d addresses", n)
	}
}

func TestAddressBatch(t *testing.T) {
	ns, h := newHandle(t)
	idx := addrVeth(t, ns)
	b := h.NewBatch()
	for i := range 50 {
		a := rtnl.Address{LinkIndex: idx, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 5, byte(i), 1}), 24)}
		if err := b.Address(rtnl.Add, &a); err != nil {
			t.Fatal(err)
		}
	}
	// A duplicate, then an address on an interface that does not exist.
	b.Address(rtnl.Add, &rtnl.Address{LinkIndex: idx, Prefix: netip.MustParsePrefix("10.5.3.1/24")})
	b.Address(rtnl.Add, &rtnl.Address{LinkIndex: 999, Prefix: netip.MustParsePrefix("10.6.0.1/24")})
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 2 {
		t.Fatalf("batch: %v", err)
	}
	if f := be.Failures[0]; f.Index != 50 || !errors.Is(f.Err, os.ErrExist) || addrOp(f.Err) != "add address 10.5.3.1/24 dev a0" {
		t.Errorf("failure 0: %d %v", f.Index, f.Err)
	}
	if f := be.Failures[1]; f.Index != 51 || !errors.Is(f.Err, unix.ENODEV) || addrOp(f.Err) != "add address 10.6.0.1/24 dev if999" {
		t.Errorf("failure 1: %d %v", f.Index, f.Err)
	}
	if n := len(ipAddrs(t, ns, "a0")); n != 50 {
		t.Errorf("%d addresses after the batch", n)
	}
}

func TestAddressInvalid(t *testing.T) {
	_, h := newHandle(t)
	for _, c := range []struct {
		a    rtnl.Address
		want string
	}{
		{rtnl.Address{LinkIndex: 1}, "without a Prefix"},
		{rtnl.Address{Prefix: netip.MustParsePrefix("10.0.0.1/8")}, "Index"},
		{rtnl.Address{LinkIndex: 1, Family: rtnl.IPv6, Prefix: netip.MustParsePrefix("10.0.0.1/8")}, "family"},
		{rtnl.Address{LinkIndex: 1, Prefix: netip.MustParsePrefix("10.0.0.1/8"), Peer: netip.MustParsePrefix("10.0.0.2/32")}, "one prefix length"},
		{rtnl.Address{LinkIndex: 1, Prefix: netip.MustParsePrefix("10.0.0.1/8"), Broadcast: netip.MustParseAddr("::1")}, "Broadcast"},
		{rtnl.Address{LinkIndex: 1, Prefix: netip.MustParsePrefix("10.0.0.1/8"), Label: "a-label-far-too-long"}, "Label"},
		{rtnl.Address{LinkIndex: 1, Prefix: netip.MustParsePrefix("10.0.0.1/8"), ValidLifetime: 5, PreferredLifetime: 6}, "PreferredLifetime"},
	} {
		err := h.AddAddress(bg, &c.a)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.a, err, c.want)
		}
	}
	b := h.NewBatch()
	if err := b.Address(rtnl.Append, &rtnl.Address{LinkIndex: 1, Prefix: netip.MustParsePrefix("10.0.0.1/8")}); err == nil || b.Len() != 0 {
		t.Errorf("append: %v, %d in batch", err, b.Len())
	}
}

func TestAddrFlagsNames(t *testing.T) {
	f := rtnl.AddrSecondary | rtnl.AddrHomeAddress | rtnl.AddrManageTempAddr | rtnl.AddrMcAutoJoin | 0x10000
	if got := strings.Join(f.Names(), ","); got != "secondary,home,mngtmpaddr,autojoin" {
		t.Errorf("Names: %s", got)
	}
	if got := f.String(); got != "secondary home mngtmpaddr autojoin flags 0x10000" {
		t.Errorf("String: %s", got)
	}
	for _, n := range []string{"nodad", "home", "mngtmpaddr", "noprefixroute", "autojoin", "temporary", "stable-privacy"} {
		v, err := rtnl.ParseAddrFlag(n)
		if err != nil || (n != "temporary" && v.Names()[0] != n) {
			t.Errorf("ParseAddrFlag(%q) = %v, %v", n, v, err)
		}
	}
	if _, err := rtnl.ParseAddrFlag("bogus"); err == nil {
		t.Error("ParseAddrFlag(bogus) succeeded")
	}
	if p, err := rtnl.ParseAddrProtocol("kernel_ll"); err != nil || p != rtnl.AddrProtoKernelLL || p.String() != "kernel_ll" {
		t.Errorf("ParseAddrProtocol: %v %v", p, err)
	}
}

// TestCaptureAddressSeeds records real address messages as fuzz seeds.
func TestCaptureAddressSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	ns, h := newHandle(t)
	addrVeth(t, ns)
	ns.IP("link", "set", "lo", "up")
	ns.IP("address", "add", "10.1.0.5/24", "brd", "+", "dev", "a0", "metric", "9")
	ns.IP("address", "add", "10.1.0.6/24", "dev", "a0", "label", "a0:x")
	ns.IP("address", "add", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "a0", "scope", "link")
	ns.IP("address", "add", "2001:db8::1/64", "dev", "a0", "nodad", "noprefixroute", "valid_lft", "100", "preferred_lft", "50")
	ns.IP("address", "add", "2001:db8:1::1/64", "dev", "a1", "home", "mngtmpaddr")
	ns.IP("address", "add", "2001:db8:2::1", "peer", "2001:db8:2::2/128", "dev", "a1", "nodad")
	ns.IP("address", "add", "10.3.0.1/8", "dev", "a1", "valid_lft", "100", "preferred_lft", "0")
	captureSeeds(t, "FuzzAddress", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETADDR, unix.NLM_F_DUMP)
		e.Fixed(unix.SizeofIfAddrmsg)
		e.End()
	})
}
