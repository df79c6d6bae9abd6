package iproute

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// nexthopLinks brings lo up (blackhole nexthops need it) and makes up veth
// pairs n0/n1 and m0/m1 with IPv4 and IPv6 addresses.
func nexthopLinks(t *testing.T, ns *netnstest.NS) {
	t.Helper()
	ns.IP("link", "set", "lo", "up")
	for _, c := range [][]string{
		{"link", "add", "n0", "type", "veth", "peer", "name", "n1"},
		{"link", "add", "m0", "type", "veth", "peer", "name", "m1"},
		{"link", "set", "n0", "up"}, {"link", "set", "n1", "up"},
		{"link", "set", "m0", "up"}, {"link", "set", "m1", "up"},
		{"addr", "add", "10.9.0.1/24", "dev", "n0"},
		{"addr", "add", "10.8.0.1/24", "dev", "m0"},
		{"addr", "add", "2001:db8:9::1/64", "dev", "n0", "nodad"},
	} {
		ns.IP(c...)
	}
}

// nexthopState builds nexthops of every kind: the resilient group (id
// 11) where the kernel has resilient groups, which it reports, with why.
func nexthopState(t *testing.T, ns *netnstest.NS) (resilient bool, why string) {
	t.Helper()
	resilient, why = kfeature.HasNexthopResilient(t, ns)
	weights := nexthopWeights(t, ns, "1,255/2,256/5", "1,255/2,254/5")
	nexthopLinks(t, ns)
	for _, nh := range [][]string{
		{"id", "1", "via", "10.9.0.2", "dev", "n0"},
		{"id", "2", "via", "10.8.0.2", "dev", "m0", "proto", "bgp"},
		{"id", "3", "via", "2001:db8:9::2", "dev", "n0"},
		{"id", "4", "blackhole"},
		{"id", "5", "via", "10.10.0.1", "dev", "n0", "onlink"},
		{"id", "6", "dev", "m0"},
		{"id", "7", "via", "fe80::1", "dev", "m0"},
		{"id", "10", "group", "1/2,5"},
		{"id", "11", "group", "1,3/2", "type", "resilient", "buckets", "8", "idle_timer", "10", "unbalanced_timer", "20"},
		{"id", "12", "via", "10.9.0.4", "fdb"},
		{"id", "13", "group", "12", "fdb"},
		{"id", "15", "group", weights, "proto", "static"},
		{"id", "16", "group", "3/7", "type", "mpath"},
	} {
		if slices.Contains(nh, "resilient") && !resilient {
			continue
		}
		ns.IP(append([]string{"nexthop", "add"}, nh...)...)
	}
	ns.IP("-6", "nexthop", "add", "id", "14", "blackhole")
	return resilient, why
}

func TestDiffNexthop(t *testing.T) {
	ns := netnstest.New(t)
	showBoth(t, ns, keyOf("id"), "nexthop", "show") // none yet
	resilient, resilientWhy := nexthopState(t, ns)
	stats, statsWhy := kfeature.HasNexthopStats(t, ns)
	for _, args := range [][]string{
		{"nexthop", "show"},
		{"nexthop", "list"},
		{"-d", "nexthop", "show"},
		{"-s", "nexthop", "show"},
		{"-4", "nexthop", "show"},
		{"-6", "nexthop", "show"},
		{"-6", "-d", "nexthop", "show"},
		{"nexthop", "show", "dev", "n0"},
		{"nexthop", "show", "dev", "m0"},
		{"nexthop", "show", "groups"},
		{"nexthop", "show", "id", "11"},
		{"nexthop", "show", "id", "5"},
		{"nexthop", "show", "protocol", "186"},
		{"nexthop", "get", "id", "10"},
		{"-d", "nexthop", "get", "id", "3"},
	} {
		switch {
		case slices.Contains(args, "11") && !resilient:
			kfeature.SkipPart(t, strings.Join(args, " "), kfeature.NexthopResilientFeature, resilientWhy)
			continue
		case args[0] == "-s" && !stats:
			kfeature.SkipPart(t, strings.Join(args, " "), kfeature.NexthopStatsFeature, statsWhy)
			continue
		}
		showBoth(t, ns, keyOf("id"), args...)
	}
	// iproute2 6.1 lists everything for "fdb"; nlctl selects as asked.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"nexthop", "show", "fdb"}, "id 12 via 10.9.0.4 scope link fdb\nid 13 group 12 fdb\n"},
		{[]string{"nexthop", "show", "groups", "fdb"}, "id 13 group 12 fdb\n"},
	} {
		code, out, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != 0 || out != c.want {
			t.Errorf("nlctl %v: exit %d %s\n%q, want %q", c.args, code, errs, out, c.want)
		}
	}
}

// The text output is ip's, byte for byte.
func TestDiffNexthopText(t *testing.T) {
	ns := netnstest.New(t)
	resilient, resilientWhy := nexthopState(t, ns)
	for _, args := range [][]string{
		{"nexthop", "show"}, {"-d", "nexthop", "show"}, {"nexthop", "show", "groups"}, {"nexthop", "get", "id", "11"},
	} {
		if slices.Contains(args, "11") && !resilient {
			kfeature.SkipPart(t, strings.Join(args, " "), kfeature.NexthopResilientFeature, resilientWhy)
			continue
		}
		want := ns.IP(args...)
		code, got, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != 0 || got != want {
			t.Errorf("nlctl %v: exit %d %s\n%q\nip:\n%q", args, code, errs, got, want)
		}
	}
}

// Buckets age between two listings: everything but their idle time must
// match.
func TestDiffNexthopBucket(t *testing.T) {
	ns := netnstest.New(t)
	resilient, why := nexthopState(t, ns)
	kfeature.Require(t, kfeature.NexthopResilientFeature, resilient, why)
	ns.IP("nexthop", "add", "id", "20", "group", "1/5", "type", "resilient", "buckets", "4")
	strip := func(out string) []byte {
		var bs []map[string]any
		if err := json.Unmarshal([]byte(out), &bs); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, b := range bs {
			bucket, _ := b["bucket"].(map[string]any)
			if _, ok := bucket["idle_time"].(float64); !ok {
				t.Errorf("no idle_time in %v", b)
			}
			delete(bucket, "idle_time")
		}
		s, _ := json.Marshal(bs)
		return s
	}
	key := func(o map[string]any) string {
		b, _ := o["bucket"].(map[string]any)
		return keyOf("id")(o) + "/" + keyOf("index")(b)
	}
	for _, args := range [][]string{
		{"nexthop", "bucket", "show"},
		{"nexthop", "bucket", "show", "id", "20"},
		{"nexthop", "bucket", "show", "nhid", "1"},
		{"nexthop", "bucket", "show", "dev", "n0"},
		{"nexthop", "bucket", "get", "id", "11", "index", "3"},
	} {
		ipOut := ns.IP(append([]string{"-j"}, args...)...)
		code, ours, errs := nlctl(append([]string{"-n", ns.Name, "-j"}, args...)...)
		if code != 0 {
			t.Fatalf("nlctl %v: exit %d: %s", args, code, errs)
		}
		if err := compareIPJSON(strip(ipOut), strip(ours), key); err != nil {
			t.Errorf("nlctl -j %v differs from ip:\n%v\nip:    %s\nnlctl: %s", args, err, ipOut, ours)
		}
	}
}

// ipNexthopList returns `ip -j nexthop show` keyed by id.
func ipNexthopList(t *testing.T, ns *netnstest.NS) map[float64]map[string]any {
	t.Helper()
	var nhs []map[string]any
	if out := ns.IP("-j", "nexthop", "show"); strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &nhs); err != nil {
			t.Fatal(err)
		}
	}
	m := map[float64]map[string]any{}
	for _, nh := range nhs {
		m[nh["id"].(float64)] = nh
	}
	return m
}

func TestNexthopCLI(t *testing.T) {
	ns := netnstest.New(t)
	resilient, resilientWhy := kfeature.HasNexthopResilient(t, ns)
	nexthopLinks(t, ns)
	run := func(args ...string) {
		t.Helper()
		if code, _, errs := nlctl(append([]string{"-n", ns.Name}, args...)...); code != 0 {
			t.Fatalf("nlctl %v: exit %d: %s", args, code, errs)
		}
	}
	run("nexthop", "add", "id", "1", "via", "10.9.0.2", "dev", "n0")
	run("nexthop", "add", "id", "2", "via", "10.8.0.2", "dev", "m0", "protocol", "static")
	run("nexthop", "add", "id", "3", "via", "2001:db8:9::2", "dev", "n0", "onlink")
	run("-6", "nexthop", "add", "id", "4", "blackhole")
	run("nexthop", "add", "id", "10", "group", "1/2,7")
	if resilient {
		run("nexthop", "add", "id", "11", "group", "1,2/2", "type", "resilient", "buckets", "16", "idle_timer", "5")
	} else {
		kfeature.SkipPart(t, "resilient", kfeature.NexthopResilientFeature, resilientWhy)
	}
	run("nexthop", "add", "id", "12", "via", "10.9.0.9", "fdb")
	got := ipNexthopList(t, ns)
	for id, want := range map[float64]map[string]any{
		1:  {"gateway": "10.9.0.2", "dev": "n0"},
		2:  {"gateway": "10.8.0.2", "dev": "m0", "protocol": "static"},
		3:  {"gateway": "2001:db8:9::2", "flags": []any{"onlink"}},
		4:  {"blackhole": nil},
		10: {"group": []any{map[string]any{"id": 1.0}, map[string]any{"id": 2.0, "weight": 7.0}}},
		11: {"type": "resilient", "resilient_args": map[string]any{"buckets": 16.0, "idle_timer": 5.0, "unbalanced_timer": 0.0, "unbalanced_time": 0.0}},
		12: {"fdb": nil, "gateway": "10.9.0.9"},
	} {
		if id == 11 && !resilient {
			continue
		}
		var problems []string
		diffValue("nexthop", want, got[id], &problems)
		if got[id] == nil || len(problems) > 0 {
			t.Errorf("nexthop %v: %v %v", id, got[id], problems)
		}
	}
	if v6, _ := ns.TryIP("-6", "-j", "nexthop", "show", "id", "4"); !strings.Contains(v6, `"id":4`) {
		t.Errorf("nexthop 4 is not IPv6: %s", v6)
	}
	run("nexthop", "replace", "id", "1", "via", "10.9.0.3", "dev", "n0")
	run("nexthop", "replace", "id", "10", "group", "2/3")
	run("nexthop", "replace", "id", "20", "dev", "m0")
	got = ipNexthopList(t, ns)
	if got[1]["gateway"] != "10.9.0.3" || got[20]["dev"] != "m0" || len(got[10]["group"].([]any)) != 2 {
		t.Errorf("after replace: %v", got)
	}
	run("nexthop", "del", "id", "20")
	if ipNexthopList(t, ns)[20] != nil {
		t.Error("nexthop 20 not deleted")
	}
	// get prints one, as ip does.
	code, out, _ := nlctl("-n", ns.Name, "nexthop", "get", "id", "2")
	if code != 0 || out != ns.IP("nexthop", "get", "id", "2") {
		t.Errorf("get: %d %q", code, out)
	}
	// Flush by device, then everything.
	code, out, errs := nlctl("-n", ns.Name, "nexthop", "flush", "dev", "m0")
	if code != 0 || out != "Flushed 1 nexthops\n" {
		t.Errorf("flush dev m0: %d %q %s", code, out, errs)
	}
	if got = ipNexthopList(t, ns); got[2] != nil || got[1] == nil {
		t.Errorf("after flush dev m0: %v", got)
	}
	code, out, errs = nlctl("-n", ns.Name, "nexthop", "flush")
	if code != 0 || !strings.HasPrefix(out, "Flushed ") {
		t.Errorf("flush: %d %q %s", code, out, errs)
	}
	if got = ipNexthopList(t, ns); len(got) != 0 {
		t.Errorf("after flush: %v", got)
	}
	if code, out, _ = nlctl("-n", ns.Name, "nexthop", "flush"); code != 0 || out != "Nothing to flush\n" {
		t.Errorf("empty flush: %d %q", code, out)
	}
}

func TestNexthopCLIBatchAndExitCodes(t *testing.T) {
	ns := netnstest.New(t)
	nexthopLinks(t, ns)
	var b strings.Builder
	for i := 1; i <= 200; i++ {
		b.WriteString("nexthop add id " + strconv.Itoa(i) + " via 10.9.0." + strconv.Itoa(2+i%250) + " dev n0\n")
	}
	group := nexthopWeights(t, ns, "1/2/3,300", "1/2/3,200")
	b.WriteString("nexthop add id 1000 group " + group + "\n")
	b.WriteString("nexthop show id 1000\n")
	b.WriteString("nexthop del id 200\n")
	path := filepath.Join(t.TempDir(), "nexthops")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := nlctl("-n", ns.Name, "-batch", path)
	if code != 0 {
		t.Fatalf("batch: exit %d: %s", code, errs)
	}
	if out != "id 1000 group "+group+" \n" {
		t.Errorf("batch show: %q", out)
	}
	if got := ipNexthopList(t, ns); len(got) != 200 || got[200] != nil || got[1000] == nil {
		t.Errorf("%d nexthops after the batch", len(got))
	}
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"nexthop", "add", "id", "1", "blackhole"}, cli.ExitRefused, "add nexthop id 1 blackhole: file exists"},
		{[]string{"nexthop", "del", "id", "999"}, cli.ExitRefused, "delete nexthop id 999"},
		{[]string{"nexthop", "get", "id", "999"}, cli.ExitRefused, "get nexthop id 999"},
		{[]string{"nexthop", "show", "id", "999"}, cli.ExitRefused, "no such file"},
		{[]string{"nexthop", "add", "id", "5000", "via", "10.77.0.1", "dev", "n0"}, cli.ExitRefused, "gateway"},
		{[]string{"nexthop", "add", "id", "5000", "group", "1/4242"}, cli.ExitRefused, "add nexthop id 5000 group 1/4242"},
		// As ip: without an id the kernel picks one (and here refuses a
		// nexthop without a device).
		{[]string{"nexthop", "add", "via", "10.9.0.2"}, cli.ExitRefused, "Device attribute required"},
		{[]string{"nexthop", "del"}, cli.ExitRefused, "needs an id"},
		{[]string{"nexthop", "get"}, cli.ExitSyntax, "needs an id"},
		{[]string{"nexthop", "flush", "id", "999"}, cli.ExitFailure, "nexthop id 999 does not exist"},
		{[]string{"nexthop", "add", "id", "5000", "group", "1,0"}, cli.ExitSyntax, `invalid group "1,0"`},
		{[]string{"nexthop", "add", "id", "5000", "group", "1", "type", "fancy"}, cli.ExitSyntax, `invalid type "fancy": mpath or resilient`},
		{[]string{"nexthop", "add", "id", "5000", "dev", "nosuch0"}, cli.ExitSyntax, `invalid dev "nosuch0": the device does not exist`},
		{[]string{"nexthop", "add", "id", "x"}, cli.ExitSyntax, "invalid id"},
		{[]string{"nexthop", "show", "bogus"}, cli.ExitSyntax, "bogus"},
		{[]string{"nexthop", "bucket", "list", "dev", "bla"}, cli.ExitSyntax, `invalid dev "bla": the device does not exist`},
		{[]string{"nexthop", "bucket", "get", "id", "1000"}, cli.ExitSyntax, "index"},
	} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, c.args...)...)
		if code != c.code || !strings.Contains(strings.ToLower(errs), strings.ToLower(c.msg)) {
			t.Errorf("nlctl %v: exit %d, %q; want %d, %q", c.args, code, errs, c.code, c.msg)
		}
	}
}

// nexthopWeights returns the group wide, whose weights need 16 bits, where
// the kernel has 16-bit weights, and otherwise narrow (weights up to 255),
// recording the weights above 255 as a part skipped for want of the
// feature.
func nexthopWeights(t *testing.T, ns *netnstest.NS, wide, narrow string) string {
	t.Helper()
	ok, why := kfeature.HasNexthopWideWeights(t, ns)
	if ok {
		return wide
	}
	kfeature.SkipPart(t, "group "+wide, kfeature.NexthopWideWeightsFeature, why)
	return narrow
}
