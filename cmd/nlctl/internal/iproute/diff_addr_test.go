package iproute

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// addrState builds a namespace with addresses of many kinds, with ip:
// IPv4 with a broadcast address and a metric, a labelled secondary, a
// point-to-point peer, finite lifetimes, a deprecated address, scopes, IPv6
// with nodad, noprefixroute, home and mngtmpaddr, an IPv6 peer, a link with
// no address at all and a link that is down. Duplicate address detection
// is off, so that no address changes state between ip's look and nlctl's.
func addrState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	for _, c := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "a0", "type", "veth", "peer", "name", "a1"},
		{"link", "set", "a0", "up"},
		{"link", "set", "a1", "up"},
		{"link", "add", "a2", "type", "veth", "peer", "name", "a3"},
		{"link", "set", "a2", "addrgenmode", "none"},
		{"link", "set", "a2", "up"},                // no carrier, no address; a3 stays down
		{"link", "set", "a2", "alias", "an alias"}, // ip address prints it with -d only
		{"address", "add", "10.1.0.5/24", "brd", "+", "dev", "a0", "metric", "9"},
		{"address", "add", "10.1.0.6/24", "dev", "a0", "label", "a0:x"},
		{"address", "add", "10.1.0.7/24", "dev", "a0"},
		{"address", "add", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "a0"},
		{"address", "add", "10.3.0.1/24", "dev", "a0", "valid_lft", "1000", "preferred_lft", "500"},
		{"address", "add", "10.4.0.1/24", "dev", "a0", "preferred_lft", "0"},
		{"address", "add", "192.168.5.1/24", "dev", "a1", "scope", "link", "label", "a1:lnk"},
		{"address", "add", "10.9.0.1/8", "brd", "-", "dev", "a1"},
		{"address", "add", "2001:db8::1/64", "dev", "a0", "nodad"},
		{"address", "add", "2001:db8:1::1/64", "dev", "a0", "noprefixroute", "valid_lft", "2000", "preferred_lft", "1000"},
		{"address", "add", "2001:db8:2::1", "peer", "2001:db8:2::2/128", "dev", "a1"},
		{"address", "add", "2001:db8:3::1/64", "dev", "a1", "home", "mngtmpaddr", "metric", "300"},
	} {
		ns.IP(c...)
	}
	return ns
}

// lifetimeKeys are the values that count down (or up) while ip and nlctl
// run one after the other: they may differ by a second or two.
var lifetimeKeys = map[string]bool{
	"valid_life_time": true, "preferred_life_time": true,
	"used": true, "confirmed": true, "updated": true,
	"expires": true, // of IPv6 routes
}

// showBothTimed is showBoth for outputs with lifetimes and ages: where ip's
// value of such a key is finite and nlctl's is within two seconds of it,
// nlctl's is taken as equal. A nil key compares the objects in order (for
// ip's outputs without names, as with "label").
func showBothTimed(t *testing.T, ns *netnstest.NS, key func(map[string]any) string, args ...string) {
	t.Helper()
	ipOut := ns.IP(append([]string{"-j"}, args...)...)
	code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	if strings.TrimSpace(ipOut) == "" {
		ipOut = "[]"
	}
	var a, b []any
	if err := json.Unmarshal([]byte(ipOut), &a); err != nil {
		t.Fatalf("ip's output: %v\n%s", err, ipOut)
	}
	if err := json.Unmarshal([]byte(ours), &b); err != nil {
		t.Fatalf("nlctl's output: %v\n%s", err, ours)
	}
	if key == nil {
		alignTimes(a, b)
		var problems []string
		diffValue("", a, b, &problems)
		if len(problems) > 0 {
			t.Errorf("nlctl -j %s differs from ip:\n%s\nip:    %.3000s\nnlctl: %.3000s", strings.Join(args, " "), strings.Join(problems, "\n"), ipOut, ours)
		}
		return
	}
	// Pair the objects by key, then the nested arrays by position.
	index := map[string]any{}
	for _, o := range b {
		if m, ok := o.(map[string]any); ok {
			index[key(m)] = m
		}
	}
	for _, o := range a {
		if m, ok := o.(map[string]any); ok {
			if mine, ok := index[key(m)]; ok {
				alignTimes(m, mine)
			}
		}
	}
	ipJSON, _ := json.Marshal(a)
	ourJSON, _ := json.Marshal(b)
	if err := compareIPJSON(ipJSON, ourJSON, key); err != nil {
		t.Errorf("nlctl -j %s differs from ip:\n%v\nip:    %.3000s\nnlctl: %.3000s", strings.Join(args, " "), err, ipOut, ours)
	}
}

// alignTimes copies ip's values of lifetimeKeys into ours where they are
// close.
func alignTimes(want, got any) {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				continue
			}
			wn, wok := wv.(float64)
			gn, gok := gv.(float64)
			if lifetimeKeys[k] && wok && gok && wn != math.MaxUint32 && math.Abs(wn-gn) <= 2 {
				g[k] = wn
				continue
			}
			alignTimes(wv, gv)
		}
	case []any:
		g, ok := got.([]any)
		if !ok {
			return
		}
		for i := range min(len(w), len(g)) {
			alignTimes(w[i], g[i])
		}
	}
}

func TestDiffAddresses(t *testing.T) {
	ns := addrState(t)
	key := keyOf("ifname")
	for _, args := range [][]string{
		{"address", "show"},
		{"address"},
		{"address", "list"},
		{"-4", "address", "show"},
		{"-6", "address", "show"},
		{"-d", "address", "show"},
		{"-br", "address", "show"},
		{"-br", "-4", "address", "show"},
		{"-s", "address", "show", "dev", "lo"},
		{"-s", "-s", "address", "show", "dev", "a2"},
		{"address", "show", "dev", "a0"},
		{"address", "show", "a1"},
		{"-4", "address", "show", "dev", "a1"},
		{"-6", "address", "show", "dev", "a0"},
		{"address", "show", "scope", "link"},
		{"address", "show", "scope", "global"},
		{"address", "show", "scope", "host"},
		{"address", "show", "secondary"},
		{"address", "show", "primary"},
		{"address", "show", "dynamic"},
		{"address", "show", "permanent"},
		{"address", "show", "deprecated"},
		{"address", "show", "-deprecated"},
		{"address", "show", "nodad"},
		{"address", "show", "noprefixroute"},
		{"address", "show", "home", "mngtmpaddr"},
		{"address", "show", "to", "10.0.0.0/8"},
		{"address", "show", "to", "10.1.0.6"},
		{"address", "show", "to", "2001:db8::/32"},
		{"address", "show", "up"},
		{"address", "show", "type", "veth"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { showBothTimed(t, ns, key, args...) })
	}
	// ip prints no link keys with a label: the objects go in order.
	for _, args := range [][]string{
		{"address", "show", "label", "a0:*"},
		{"address", "show", "label", "a1*"},
		{"-br", "address", "show", "label", "a1:lnk"},
		{"-o", "address", "show"},
		{"-o", "-4", "address", "show", "dev", "a0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { showBothTimed(t, ns, nil, args...) })
	}
}

// The text forms, for addresses without lifetimes.
func TestDiffAddressText(t *testing.T) {
	ns := netnstest.New(t)
	ns.Exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
	for _, c := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "a0", "type", "veth", "peer", "name", "a1"},
		{"link", "set", "a0", "up"},
		{"address", "add", "10.1.0.5/24", "brd", "+", "dev", "a0", "metric", "9"},
		{"address", "add", "10.1.0.6/24", "dev", "a0", "label", "a0:x"},
		{"address", "add", "10.2.0.1", "peer", "10.2.0.2/32", "dev", "a0", "scope", "link"},
		{"address", "add", "2001:db8::1/64", "dev", "a0", "nodad", "home"},
		{"address", "add", "10.9.0.1/8", "dev", "a1"},
	} {
		ns.IP(c...)
	}
	for _, args := range [][]string{
		{"address", "show"},
		{"-4", "address", "show"},
		{"address", "show", "dev", "a0"},
		{"-br", "address", "show"},
		{"-o", "address", "show"},
		{"-d", "address", "show", "dev", "a1"},
		{"-s", "address", "show", "dev", "lo"},
		{"address", "show", "secondary"},
		{"address", "show", "label", "a0*"},
		{"-br", "address", "show", "label", "a0:x"},
		{"-6", "address", "show"},
	} {
		want := ns.IP(args...)
		code, got, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != 0 || got != want {
			t.Errorf("nlctl %s: exit %d %s\nip:\n%s\nnlctl:\n%s", strings.Join(args, " "), code, errs, want, got)
		}
	}
}
