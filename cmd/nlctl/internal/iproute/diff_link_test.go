package iproute

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// linkState builds a namespace with links of many kinds, with ip: lo, a
// veth pair, a bridge with a port, macvlans and a macvtap on a veth, VXLANs,
// an ifb, a link with an alias and an altname, a link down, and a veth
// whose peer is in another namespace. Nothing in it is up with a carrier,
// so that no traffic changes the counters between ip's and nlctl's look.
func linkState(t *testing.T) *netnstest.NS {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bridge", "macvlan", "macvtap", "vxlan", "ifb")
	other := netnstest.New(t)
	for _, c := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "set", "v0", "up"},
		{"link", "add", "br0", "type", "bridge", "stp_state", "1", "forward_delay", "500", "priority", "4096", "group_fwd_mask", "0x8"},
		{"link", "set", "br0", "up"},
		{"link", "add", "p0", "master", "br0", "type", "veth", "peer", "name", "p0x"},
		{"link", "set", "p0", "type", "bridge_slave", "cost", "7", "hairpin", "on", "group_fwd_mask", "0x4001", "learning", "off"},
		{"link", "add", "mv0", "link", "v0", "type", "macvlan", "mode", "bridge"},
		{"link", "add", "mv1", "link", "v0", "type", "macvlan", "mode", "private"},
		{"link", "add", "mvs", "link", "v0", "type", "macvlan", "mode", "source"},
		{"link", "set", "mvs", "type", "macvlan", "macaddr", "add", "02:00:00:00:00:01"},
		{"link", "add", "mvt", "link", "v0", "type", "macvtap", "mode", "vepa"},
		{"link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "10.0.0.2", "local", "10.0.0.1", "dstport", "4789", "ttl", "64"},
		{"link", "add", "vx1", "type", "vxlan", "id", "43", "group", "239.1.1.1", "dev", "v0", "dstport", "4789", "nolearning", "tos", "inherit", "srcport", "1000", "2000"},
		{"link", "add", "vx6", "type", "vxlan", "id", "44", "remote", "2001:db8::2", "local", "2001:db8::1", "dstport", "8472", "flowlabel", "0x123", "maxaddr", "10", "proxy", "l2miss", "ageing", "100"},
		{"link", "add", "vxe", "type", "vxlan", "external", "dstport", "4789"},
		{"link", "add", "ifb0", "type", "ifb"},
		{"link", "add", "al0", "type", "ifb"},
		{"link", "set", "al0", "alias", "an \"alias\" here", "mtu", "1400", "group", "5", "txqueuelen", "0"},
		{"link", "property", "add", "dev", "al0", "altname", "al-zero"},
		{"link", "add", "dn0", "address", "02:00:00:00:00:98", "type", "veth", "peer", "name", "dn1", "mtu", "9000"},
		{"link", "set", "dn0", "down", "address", "02:00:00:00:00:99", "arp", "off"},
		{"link", "add", "x0", "type", "veth", "peer", "name", "x1", "netns", other.Name},
	} {
		ns.IP(c...)
	}
	return ns
}

// showLinksBoth compares `ip -j ARGS` with nlctl's, leaving out the bridge
// and port timers, which run between the two, and the empty
// objects ip 6.1 prints for the links a selector (up, group) leaves out.
func showLinksBoth(t *testing.T, ns *netnstest.NS, args ...string) {
	t.Helper()
	ipOut := ns.IP(append([]string{"-j"}, args...)...)
	code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	ipJSON, ourJSON := dropTimers(t, ipOut), dropTimers(t, ours)
	if err := compareIPJSON(ipJSON, ourJSON, keyOf("ifname")); err != nil {
		t.Errorf("nlctl -j %s differs from ip:\n%v\nip:    %.2000s\nnlctl: %.2000s", strings.Join(args, " "), err, ipOut, ours)
	}
}

func dropTimers(t *testing.T, s string) []byte {
	t.Helper()
	if strings.TrimSpace(s) == "" {
		return []byte("[]")
	}
	var links []map[string]any
	if err := json.Unmarshal([]byte(s), &links); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, s)
	}
	kept := []map[string]any{}
	for _, l := range links {
		if len(l) == 0 {
			continue
		}
		if li, ok := l["linkinfo"].(map[string]any); ok {
			for _, k := range []string{"info_data", "info_slave_data"} {
				if d, ok := li[k].(map[string]any); ok {
					for key := range d {
						if strings.HasSuffix(key, "_timer") {
							delete(d, key)
						}
					}
				}
			}
		}
		kept = append(kept, l)
	}
	b, _ := json.Marshal(kept)
	return b
}

func TestDiffLinks(t *testing.T) {
	ns := linkState(t)
	for _, args := range [][]string{
		{"link", "show"},
		{"link"},
		{"link", "list"},
		{"-d", "link", "show"},
		{"-s", "link", "show"},
		{"-s", "-s", "link", "show"},
		{"-d", "-s", "link", "show"},
		{"-br", "link", "show"},
		{"link", "show", "dev", "v0"},
		{"-d", "link", "show", "br0"},
		{"-d", "link", "show", "p0"},
		{"link", "show", "up"},
		{"-d", "link", "show", "master", "br0"},
		{"link", "show", "type", "vxlan"},
		{"-d", "link", "show", "type", "macvlan"},
		{"link", "show", "group", "5"},
		{"link", "show", "group", "default"},
		{"link", "show", "nomaster"},
		{"-d", "link", "show", "x0"},
	} {
		if slices.Contains(args, "nomaster") {
			if ok, why := kfeature.HasNoMasterFilter(t, ns); !ok {
				kfeature.SkipPart(t, "link_show_nomaster", kfeature.NoMasterFilterFeature, why)
				continue
			}
		}
		showLinksBoth(t, ns, args...)
	}
}

// TestDiffLinksNetns compares the namespace listings: names, and the ids
// the current namespace gives them.
func TestDiffLinksNetns(t *testing.T) {
	ns := linkState(t) // x0's peer gives the other namespace an id here
	for _, args := range [][]string{{"netns", "list"}, {"netns", "list-id"}} {
		ipOut := ns.IP(append([]string{"-j"}, args...)...)
		code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
		if code != 0 {
			t.Fatalf("nlctl %v: exit %d: %s", args, code, errs)
		}
		// Other tests create and delete namespaces meanwhile: compare
		// only the namespaces both saw with an id, and this one.
		filter := func(s string) []byte {
			var l []map[string]any
			if strings.TrimSpace(s) != "" {
				if err := json.Unmarshal([]byte(s), &l); err != nil {
					t.Fatalf("%v: %s", err, s)
				}
			}
			var keep []map[string]any
			for _, o := range l {
				_, hasID := o["id"]
				_, hasNSID := o["nsid"]
				if hasID || hasNSID || o["name"] == ns.Name {
					keep = append(keep, o)
				}
			}
			b, _ := json.Marshal(keep)
			return b
		}
		if err := compareIPJSON(filter(ipOut), filter(ours), keyOf("name", "nsid")); err != nil {
			t.Errorf("nlctl -j %v differs from ip:\n%v\nip:    %s\nnlctl: %s", args, err, ipOut, ours)
		}
	}
}
