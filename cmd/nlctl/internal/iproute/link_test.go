package iproute

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// ipLinkMap returns `ip -j -d link show` by interface name.
func ipLinkMap(t *testing.T, ns *netnstest.NS) map[string]map[string]any {
	t.Helper()
	var ls []map[string]any
	out := ns.IP("-j", "-d", "link", "show")
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	m := map[string]map[string]any{}
	for _, l := range ls {
		if n, ok := l["ifname"].(string); ok {
			m[n] = l
		}
	}
	return m
}

// linkInfoData returns linkinfo.KEY of a link as ip shows it.
func linkInfoData(l map[string]any, key string) map[string]any {
	li, _ := l["linkinfo"].(map[string]any)
	d, _ := li[key].(map[string]any)
	return d
}

func hasFlag(l map[string]any, f string) bool {
	fs, _ := l["flags"].([]any)
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// mustNlctl runs nlctl in ns and fails the test unless it succeeds.
func mustNlctl(t *testing.T, ns *netnstest.NS, args ...string) string {
	t.Helper()
	code, out, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
	if code != 0 {
		t.Fatalf("nlctl %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

func TestLinkCLIAddSetDelete(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bridge", "macvlan", "vxlan", "ifb")
	// Multicast snooping is set where the kernel has it; elsewhere the
	// kernel neither takes nor reports the setting.
	snooping, snoopingWhy := kfeature.HasBridgeMcastSnooping(t, ns)
	other := netnstest.New(t)
	mustNlctl(t, ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "mtu", "1400", "address", "02:00:00:00:01:01")
	if snooping {
		mustNlctl(t, ns, "link", "add", "br0", "type", "bridge", "stp_state", "1", "forward_delay", "400", "mcast_snooping", "0")
	} else {
		kfeature.SkipPart(t, "mcast_snooping", kfeature.BridgeMcastSnoopingFeature, snoopingWhy)
		mustNlctl(t, ns, "link", "add", "br0", "type", "bridge", "stp_state", "1", "forward_delay", "400")
	}
	mustNlctl(t, ns, "link", "set", "v0", "master", "br0", "up", "mtu", "1300", "alias", "the v0", "txqueuelen", "500", "address", "02:00:00:00:00:01")
	mustNlctl(t, ns, "link", "set", "dev", "v1", "name", "w1", "group", "4")
	mustNlctl(t, ns, "link", "set", "v0", "type", "bridge_slave", "cost", "9", "hairpin", "on")
	mustNlctl(t, ns, "l", "a", "mv0", "link", "w1", "type", "macvlan", "mode", "private")
	mustNlctl(t, ns, "link", "add", "vx0", "type", "vxlan", "id", "5", "remote", "10.1.1.1", "dstport", "4789", "dev", "w1", "ttl", "9")
	mustNlctl(t, ns, "link", "add", "ifb0", "txqueuelen", "7", "type", "ifb")

	ip := ipLinkMap(t, ns)
	v0, w1, br0 := ip["v0"], ip["w1"], ip["br0"]
	if v0 == nil || w1 == nil || br0 == nil {
		t.Fatalf("links: %v", ip)
	}
	if v0["mtu"] != 1300.0 || v0["master"] != "br0" || !hasFlag(v0, "UP") || v0["ifalias"] != "the v0" ||
		v0["txqlen"] != 500.0 || v0["address"] != "02:00:00:00:00:01" || linkInfoData(v0, "info_slave_data")["cost"] != 9.0 ||
		linkInfoData(v0, "info_slave_data")["hairpin"] != true {
		t.Errorf("v0: %v", v0)
	}
	if w1["mtu"] != 1400.0 || w1["group"] != "4" || w1["address"] != "02:00:00:00:01:01" {
		t.Errorf("w1: %v", w1)
	}
	if d := linkInfoData(br0, "info_data"); d["stp_state"] != 1.0 || d["forward_delay"] != 400.0 || snooping && d["mcast_snooping"] != 0.0 {
		t.Errorf("br0: %v", d)
	}
	if d := linkInfoData(ip["mv0"], "info_data"); d["mode"] != "private" || ip["mv0"]["link"] != "w1" {
		t.Errorf("mv0: %v", ip["mv0"])
	}
	if d := linkInfoData(ip["vx0"], "info_data"); d["id"] != 5.0 || d["remote"] != "10.1.1.1" || d["port"] != 4789.0 || d["link"] != "w1" || d["ttl"] != 9.0 {
		t.Errorf("vx0: %v", ip["vx0"])
	}
	if ip["ifb0"]["txqlen"] != 7.0 {
		t.Errorf("ifb0: %v", ip["ifb0"])
	}

	mustNlctl(t, ns, "link", "set", "br0", "type", "bridge", "stp_state", "0")
	mustNlctl(t, ns, "link", "set", "v0", "nomaster", "down", "arp", "off")
	mustNlctl(t, ns, "link", "delete", "mv0")
	mustNlctl(t, ns, "link", "del", "dev", "vx0")
	mustNlctl(t, ns, "link", "set", "w1", "netns", other.Name)
	ip = ipLinkMap(t, ns)
	if d := linkInfoData(ip["br0"], "info_data"); d["stp_state"] != 0.0 {
		t.Errorf("br0 after set: %v", d)
	}
	if v0 := ip["v0"]; v0["master"] != nil || hasFlag(v0, "UP") || !hasFlag(v0, "NOARP") {
		t.Errorf("v0 after nomaster down: %v", v0)
	}
	for _, gone := range []string{"w1", "mv0", "vx0"} {
		if _, ok := ip[gone]; ok {
			t.Errorf("%s still here", gone)
		}
	}
	if _, ok := ipLinkMap(t, other)["w1"]; !ok {
		t.Error("w1 did not move")
	}
	if out := mustNlctl(t, ns, "link", "show", "v0"); !strings.Contains(out, "v0@if") || !strings.Contains(out, "link-netns "+other.Name) {
		t.Errorf("v0's peer in the other namespace: %s", out)
	}
}

func TestLinkCLIErrors(t *testing.T) {
	ns := netnstest.New(t)
	mustNlctl(t, ns, "link", "add", "v0", "type", "veth")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"link", "add", "v0", "type", "veth"}, cli.ExitRefused, "add link v0 type veth: file exists"},
		{[]string{"link", "set", "v0", "mtu", "20"}, cli.ExitRefused, "set link v0 mtu 20"},
		{[]string{"link", "add", "x0", "type", "nosuchkind"}, cli.ExitRefused, "add link x0 type nosuchkind"},
		{[]string{"link", "show", "nosuch"}, cli.ExitFailure, `Device "nosuch" does not exist.`},
		{[]string{"link", "set", "nosuch", "up"}, cli.ExitFailure, `Cannot find device "nosuch"`},
		{[]string{"link", "delete", "nosuch"}, cli.ExitFailure, `Cannot find device "nosuch"`},
		{[]string{"link", "add", "x0"}, cli.ExitFailure, "type KIND"},
		{[]string{"link", "add", "x0", "type", "vxlan", "remote", "10.0.0.1"}, cli.ExitFailure, "missing virtual network identifier"},
		{[]string{"link", "add", "x0", "type", "bridge", "bogus", "1"}, cli.ExitFailure, "unknown option"},
		{[]string{"link", "set", "v0", "mtu", "x"}, cli.ExitSyntax, "invalid mtu"},
		{[]string{"link", "set", "v0", "promisc", "maybe"}, cli.ExitFailure, "on or off"},
		{[]string{"link", "frob"}, cli.ExitSyntax, `command "frob" is unknown`},
		{[]string{"link", "set", "v0", "netns", "nlkit-no-such-netns"}, cli.ExitSyntax, `invalid netns "nlkit-no-such-netns": a namespace name`},
		// An empty device name: as ip, a device that does not exist for
		// show, a malformed name for set, delete and add.
		{[]string{"link", "show", "dev", ""}, cli.ExitFailure, `Device "" does not exist.`},
		{[]string{"link", "show", ""}, cli.ExitFailure, `Device "" does not exist.`},
		{[]string{"link", "set", "dev", "", "up"}, cli.ExitSyntax, `invalid dev "": an interface name`},
		{[]string{"link", "delete", "dev", ""}, cli.ExitSyntax, `invalid dev "": an interface name`},
		{[]string{"link", "add", "", "type", "veth"}, cli.ExitSyntax, `invalid dev "": an interface name`},
		{[]string{"link", "set", "v0", "name", ""}, cli.ExitSyntax, `invalid name "": an interface name of 1 to 15 bytes`},
		{[]string{"link", "add", "x0", "type", "veth", "peer", "name", ""}, cli.ExitSyntax, `invalid name ""`},
		{[]string{"link", "set", "v0", "name", "0123456789abcdefg"}, cli.ExitSyntax, `invalid name "0123456789abcdefg"`},
		{[]string{"link", "set", "v0", "master", ""}, cli.ExitSyntax, `invalid master "": the device does not exist`},
		{[]string{"link", "set", "v0", "mtu", "1400", "mtu", "1500"}, cli.ExitSyntax, `duplicate "mtu": "1500"`},
		{[]string{"link", "add", "x0", "name", "x1", "type", "veth"}, cli.ExitSyntax, "not both"},
		{[]string{"link", "show", "v0", "lo"}, cli.ExitSyntax, `either "dev" is duplicate, or "lo" is garbage`},
		{[]string{"link", "show", "group", "nosuchgroup"}, cli.ExitSyntax, `invalid group "nosuchgroup"`},
		{[]string{"link", "set"}, cli.ExitSyntax, "needs a device"},
	} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != c.code || !strings.Contains(strings.ToLower(errs), strings.ToLower(c.msg)) {
			t.Errorf("nlctl %s: exit %d, %q; want exit %d with %q", strings.Join(c.args, " "), code, errs, c.code, c.msg)
		}
	}
}

func TestLinkCLIBatch(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "bridge", "ifb")
	path := filepath.Join(t.TempDir(), "links.batch")
	var b strings.Builder
	b.WriteString("link add br0 type bridge\n")
	for i := range 20 {
		fmt.Fprintf(&b, "link add d%d type ifb\n", i)
		fmt.Fprintf(&b, "link set d%d master br0 mtu 1400 up\n", i)
	}
	b.WriteString("link add d3 type ifb\n") // refused: exists
	b.WriteString("link set d4 down\n")     // kernels before 6.2 refuse to rename a link that is up (EBUSY)
	b.WriteString("link set d4 name e4\n")
	b.WriteString("link delete d5\n")
	b.WriteString("link set e4 alias renamed\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := nlctl("-n", ns.Name, "-force", "-batch", path)
	if code != cli.ExitFailure || !strings.Contains(errs, "line 42") || !strings.Contains(errs, "add link d3 type ifb") {
		t.Fatalf("batch: exit %d: %s", code, errs)
	}
	ip := ipLinkMap(t, ns)
	if len(ip) != 1+1+19 {
		t.Fatalf("%d links: %v", len(ip), ip)
	}
	if e4 := ip["e4"]; e4 == nil || e4["ifalias"] != "renamed" || e4["master"] != "br0" || e4["mtu"] != 1400.0 {
		t.Fatalf("e4: %v", e4)
	}
	if _, ok := ip["d5"]; ok {
		t.Fatal("d5 not deleted")
	}
}

// TestLinkShowText compares the text forms with ip's, for links whose
// output does not change between the two runs.
func TestLinkShowText(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "macvlan", "vxlan", "ifb")
	for _, c := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "set", "v0", "up", "alias", "veth zero"},
		{"link", "add", "mv0", "link", "v0", "type", "macvlan", "mode", "bridge"},
		{"link", "add", "vx0", "type", "vxlan", "id", "42", "group", "239.1.1.1", "dev", "v0", "dstport", "4789"},
		{"link", "add", "ifb0", "type", "ifb"},
		{"link", "property", "add", "dev", "ifb0", "altname", "ifb-zero"},
	} {
		ns.IP(c...)
	}
	for _, args := range [][]string{
		{"link", "show"},
		{"-br", "link", "show"},
		{"-o", "link", "show"},
		{"-d", "link", "show", "dev", "vx0"},
		{"-d", "link", "show", "dev", "mv0"},
		{"-d", "link", "show", "dev", "v0"},
		{"-s", "-s", "link", "show", "dev", "ifb0"},
	} {
		want := ns.IP(args...)
		got := mustNlctl(t, ns, args...)
		if got != want {
			t.Errorf("nlctl %s:\n%s\nip:\n%s", strings.Join(args, " "), got, want)
		}
	}
}

func TestNetnsCLI(t *testing.T) {
	netnstest.RequirePrivileged(t)
	name := fmt.Sprintf("nlkit-cli-%d", os.Getpid())
	t.Cleanup(func() { netns.Delete(name) })
	if code, _, errs := nlctl("netns", "add", name); code != 0 {
		t.Fatalf("netns add: %d %s", code, errs)
	}
	ns, err := netns.OpenName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := netnstest.NotHost(ns); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := nlctl("netns", "list"); code != 0 || !regexp.MustCompile(`(?m)^`+name+`$`).MatchString(out) {
		t.Fatalf("netns list: %d\n%s", code, out)
	}
	// exec runs in the namespace: it has only lo, down. The command keeps
	// its own options.
	code, out, errs := nlctl("netns", "exec", name, "ip", "-o", "link", "show")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "1: lo:") {
		t.Fatalf("netns exec: %d %q %s", code, out, errs)
	}
	if code, out, _ := nlctl("netns", "exec", name, "ip", "netns", "identify"); code != 0 || strings.TrimSpace(out) != name {
		t.Fatalf("identify from inside: %d %q", code, out)
	}
	// A failing command passes on its own exit status, as with ip.
	if code, _, _ := nlctl("netns", "exec", name, "sh", "-c", "exit 7"); code != 7 {
		t.Fatalf("exec exit 7: exit %d", code)
	}
	// Ids: give another namespace an id in this one.
	peer := netnstest.New(t)
	if code, _, errs := nlctl("-n", name, "netns", "set", peer.Name, "12"); code != 0 {
		t.Fatalf("netns set: %d %s", code, errs)
	}
	if out := peerListID(t, name); !strings.Contains(out, `"nsid":12,"name":"`+peer.Name+`"`) {
		t.Fatalf("ip netns list-id: %s", out)
	}
	code, out, _ = nlctl("-n", name, "netns", "list-id")
	if code != 0 || !strings.Contains(out, "nsid 12 (iproute2 netns name: "+peer.Name+")") {
		t.Fatalf("netns list-id: %d %s", code, out)
	}
	code, out, _ = nlctl("-n", name, "-j", "netns", "list")
	if code != 0 || !strings.Contains(out, `{"name":"`+peer.Name+`","id":12}`) {
		t.Fatalf("netns list -j: %d %s", code, out)
	}
	if code, _, _ := nlctl("netns", "add", name); code == 0 {
		t.Fatal("second netns add succeeded")
	}
	if code, _, errs := nlctl("netns", "delete", name); code != 0 {
		t.Fatalf("netns delete: %d %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(netns.RunDir, name)); !os.IsNotExist(err) {
		t.Fatalf("after delete: %v", err)
	}
	if code, _, _ := nlctl("netns", "bogus"); code != cli.ExitSyntax {
		t.Fatalf("bogus: exit %d", code)
	}
}

// peerListID runs `ip -n NAME -j netns list-id`.
func peerListID(t *testing.T, name string) string {
	t.Helper()
	code, out, errs := nlctl("netns", "exec", name, "sh", "-c", "ip -j netns list-id")
	if code != 0 {
		t.Fatalf("ip netns list-id: %d %s", code, errs)
	}
	return out
}
