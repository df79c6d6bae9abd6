package iproute

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// grammarContext is, for each object and verb, the words a command line
// needs around the keyword under test (after it): a device t0 exists.
var grammarContext = map[string][]string{
	"address add": {"10.99.0.1/24", "dev", "t0"}, "address change": {"10.99.0.1/24", "dev", "t0"},
	"address replace": {"10.99.0.1/24", "dev", "t0"}, "address delete": {"10.99.0.1/24", "dev", "t0"},
	"address show": nil, "address flush": {"dev", "t0"},
	"route add": {"10.99.0.0/16", "dev", "t0"}, "route change": {"10.99.0.0/16", "dev", "t0"},
	"route replace": {"10.99.0.0/16", "dev", "t0"}, "route prepend": {"10.99.0.0/16", "dev", "t0"},
	"route append": {"10.99.0.0/16", "dev", "t0"}, "route test": {"10.99.0.0/16", "dev", "t0"},
	"route delete": {"10.99.0.0/16", "dev", "t0"}, "route show": nil, "route flush": {"dev", "t0"},
	"route get": {"10.99.0.1"},
	"rule show": nil, "rule add": {"pref", "3000"}, "rule delete": {"pref", "3000"}, "rule flush": {"pref", "3000"},
	"neighbour add": {"10.99.0.9", "dev", "t0"}, "neighbour change": {"10.99.0.9", "dev", "t0"},
	"neighbour replace": {"10.99.0.9", "dev", "t0"}, "neighbour delete": {"10.99.0.9", "dev", "t0"},
	"neighbour get": {"10.99.0.9", "dev", "t0"}, "neighbour show": nil, "neighbour flush": {"dev", "t0"},
	"link add": {"g0", "type", "veth"}, "link set": {"dev", "t0"}, "link replace": {"g0", "type", "veth"},
	"link delete": {"dev", "g9"}, "link show": nil,
	"link property add": {"dev", "t0"}, "link property del": {"dev", "t0"},
	"nexthop add": {"id", "77", "dev", "t0"}, "nexthop replace": {"id", "77", "dev", "t0"},
	"nexthop delete": nil, "nexthop show": nil, "nexthop get": nil, "nexthop flush": {"dev", "t0"},
	"nexthop bucket show": nil, "nexthop bucket get": {"index", "0"},
	"netns list-id": nil,
}

// grammarValue returns a value a keyword of kind v can take.
func grammarValue(w cli.Word) string {
	switch w.Value {
	case cli.ValueDevice:
		return "t0"
	case cli.ValueNetns:
		return "nlkit-no-such-ns"
	case cli.ValueTable:
		return "main"
	case cli.ValueChoice:
		return w.Choices[0]
	case cli.ValueLinkKind:
		return "veth"
	case cli.ValueGroupName:
		return "default"
	}
	if v, ok := map[string]string{
		"lladdr": "02:00:00:00:00:09", "address": "02:00:00:00:00:09", "broadcast": "ff:ff:ff:ff:ff:ff",
		"brd": "ff:ff:ff:ff:ff:ff", "group_address": "01:80:c2:00:00:0e", "label": "t0:x",
		"realms": "1/2", "uidrange": "1-2", "fwmark": "5/0xff", "ipproto": "tcp", "congctl": "reno",
		"alias": "x", "altname": "t0-alt", "name": "t0", "nhid": "1", "group": "1", "valid_lft": "forever",
		"preferred_lft": "forever", "rtt": "10ms", "rttvar": "10ms", "rto_min": "10ms",
	}[w.Name]; ok {
		return v
	}
	switch w.Name {
	case "peer", "remote", "to", "from", "src", "dst", "anycast", "local", "via", "proxy", "nat",
		"map-to", "root", "match", "exact", "as":
		return "10.99.0.2"
	}
	return "1"
}

// TestGrammarKeywordsParse checks that every keyword of every verb's
// grammar is one its parser takes: a command line with the keyword must
// not fare as one with an unknown word in its place, which the parser
// takes for a value (a prefix, a device name) or refuses.
func TestGrammarKeywordsParse(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "t0", "type", "veth", "peer", "name", "t1")
	run := func(args []string) string {
		if args[0] == "link" {
			ns.TryIP("link", "del", "g0") // what link add made
		}
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		return fmt.Sprintf("exit %d: %s", code, errs)
	}
	checked := 0
	// check tries each keyword of words between the words pre and post.
	var check func(object, verb string, pre, post []string, words []cli.Word)
	check = func(object, verb string, pre, post []string, words []cli.Word) {
		for _, w := range words {
			kw := []string{w.Name}
			if w.Value != cli.ValueNone {
				kw = append(kw, grammarValue(w))
			}
			after := post
			if i := slices.Index(post, w.Name); i >= 0 { // "dev t0" only once
				after = slices.Delete(slices.Clone(post), i, min(i+len(kw), len(post)))
			}
			line := slices.Concat(strings.Fields(object+" "+verb), pre, kw, after)
			bogus := slices.Concat(strings.Fields(object+" "+verb), pre, []string{"zzbogus"}, kw[1:], after)
			got, unknown := run(line), strings.ReplaceAll(run(bogus), "zzbogus", w.Name)
			if got == unknown {
				t.Errorf("nlctl %s: the keyword %q is taken as an unknown word: %s", strings.Join(line, " "), w.Name, got)
			}
			checked++
			for v, then := range w.Then {
				// The words a value brings come after it (and after
				// what it requires: an MPLS label stack).
				sub := slices.Concat(pre, []string{w.Name, v})
				if w.Name == "encap" && v == "mpls" {
					sub = append(sub, "100")
				}
				check(object, verb, sub, post, then)
			}
		}
	}
	var walk func(object, prefix string, verbs []cli.Verb)
	walk = func(object, prefix string, verbs []cli.Verb) {
		for _, v := range verbs {
			name := strings.TrimSpace(prefix + " " + v.Name)
			if v.Sub != nil {
				walk(object, name, v.Sub)
			}
			if len(v.Words) == 0 {
				continue
			}
			ctx, ok := grammarContext[object+" "+name]
			if !ok {
				t.Errorf("no context for %s %s", object, name)
				continue
			}
			check(object, name, nil, ctx, v.Words)
		}
	}
	for _, o := range objectList() {
		if o.cmd.Name == "monitor" {
			continue // runs until interrupted: TestMonitorArgs checks its words
		}
		walk(o.cmd.Name, "", o.cmd.Grammar().Verbs)
	}
	t.Logf("%d keywords checked", checked)
}

// TestResolveAsIP checks abbreviations resolved as ip 6.1 resolves them,
// keyword lists in its order.
func TestResolveAsIP(t *testing.T) {
	for _, c := range []struct {
		words []cli.Word
		in    string
		want  string
	}{
		{routeChangeWords(), "met", "metric"},
		{routeChangeWords(), "m", "metric"},
		{routeChangeWords(), "p", "priority"},
		{routeChangeWords(), "pre", "pref"}, // preference is strcmp, pref comes later
		{routeChangeWords(), "pref", "pref"},
		{routeChangeWords(), "pro", "protocol"},
		{routeChangeWords(), "t", "table"},
		{routeChangeWords(), "r", "reordering"},
		{routeChangeWords(), "unr", "unreachable"},
		{routeChangeWords(), "b", "broadcast"},
		{routeChangeWords(), "d", "dsfield"},
		{routeChangeWords(), "de", "de"}, // dev is strcmp
		{routeNexthopWords(), "r", "realms"},
		{routeShowWords(), "t", "table"},
		{routeShowWords(), "to", "to"},
		{routeShowWords(), "ro", "root"},
		{routeShowWords(), "ma", "match"},
		{routeShowWords(), "m", "metric"},
		{routeShowWords(), "e", "exact"},
		{routeShowWords(), "cache", "cached"},
		{routeShowWords(), "s", "scope"},
		{routeShowWords(), "d", "dsfield"},
		{addressChangeWords(), "pre", "preference"},
		{addressChangeWords(), "prefe", "preference"},
		{addressChangeWords(), "preferred", "preferred_lft"},
		{addressChangeWords(), "b", "broadcast"},
		{addressChangeWords(), "h", "help"},
		{addressChangeWords(), "home", "home"},
		{addressShowWords(), "d", "d"}, // a device named d
		{linkWords(), "m", "master"},
		{linkWords(), "mt", "mt"}, // mtu is strcmp
		{linkWords(), "n", "nomaster"},
		{linkWords(), "t", "txqueuelen"},
		{linkWords(), "ty", "type"},
		{linkWords(), "a", "address"},
		{linkWords(), "al", "alias"},
		{linkWords(), "l", "link"},
		{linkWords(), "link-n", "link-netns"},
		{linkWords(), "link-netnsid", "link-netnsid"},
		{linkWords(), "d", "dynamic"},
		{linkWords(), "prom", "prom"}, // promisc is strcmp
		{linkShowWords(), "h", "help"},
		{ruleAddWords(), "pre", "preference"},
		{ruleAddWords(), "t", "tun_id"},
		{ruleAddWords(), "ta", "table"},
		{ruleAddWords(), "g", "goto"},
		{ruleAddWords(), "n", "nop"},
		{ruleAddWords(), "u", "unreachable"},
		{ruleShowWords(), "t", "tun_id"},
		{ruleShowWords(), "ta", "table"},
		{ruleShowWords(), "d", "dst"},
		{neighChangeWords(), "l", "lladdr"},
		{neighChangeWords(), "d", "d"}, // dev is strcmp
		{neighChangeWords(), "p", "proxy"},
		{neighShowWords(), "u", "u"}, // unused is strcmp
		{nexthopShowWords(), "d", "dev"},
		{nexthopShowWords(), "g", "groups"},
		{nexthopChangeWords(), "p", "protocol"},
		{nexthopChangeWords(), "b", "b"}, // blackhole is strcmp
		{vxlanWords(), "d", "dev"},
		{vxlanWords(), "l", "local"},
		{bridgeWords(), "s", "stp_state"},
		{macvlanWords(), "m", "mode"},
	} {
		if got := cli.Resolve(c.words, c.in); got != c.want {
			t.Errorf("Resolve(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestVerbsAsIP checks verb abbreviations, as ip 6.1 resolves them.
func TestVerbsAsIP(t *testing.T) {
	for _, c := range []struct {
		g         cli.Grammar
		in, wantV string
	}{
		{routeGrammar(), "s", "show"},
		{routeGrammar(), "ls", "show"},
		{routeGrammar(), "p", "prepend"},
		{routeGrammar(), "t", "test"},
		{routeGrammar(), "a", "add"},
		{routeGrammar(), "d", "delete"},
		{routeGrammar(), "g", "get"},
		{routeGrammar(), "f", "flush"},
		{linkGrammar(), "s", "set"},
		{linkGrammar(), "sh", "show"},
		{linkGrammar(), "c", "set"},
		{linkGrammar(), "p", "property"},
		{addressGrammar(), "s", "show"},
		{addressGrammar(), "d", "delete"},
		{neighGrammar(), "g", "get"},
		{ruleGrammar(), "s", "show"},
		{nexthopGrammar(), "b", "bucket"},
		{nexthopGrammar(), "r", "replace"},
		{netnsGrammar(), "l", "list"},
		{netnsGrammar(), "list-id", "list-id"},
		{netnsGrammar(), "a", "add"},
		{netnsGrammar(), "at", "attach"},
		{netnsGrammar(), "h", "help"},
	} {
		v, ok := cli.FindVerb(c.g.Verbs, c.in)
		if !ok || v.Name != c.wantV {
			t.Errorf("verb %q: %v %v, want %s", c.in, v, ok, c.wantV)
		}
	}
	for _, c := range []struct{ in, want string }{{"a", "address"}, {"r", "route"}, {"ru", "rule"}, {"n", "neighbour"}, {"l", "link"}, {"ne", "neighbour"}, {"netn", "netns"}, {"nexth", "nexthop"}} {
		if o, ok := findObject(c.in); !ok || o.cmd.Name != c.want {
			t.Errorf("object %q: %v, want %s", c.in, ok, c.want)
		}
	}
}
