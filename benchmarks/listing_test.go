package benchmarks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// BenchmarkListings lists the objects of a namespace holding many of one
// kind, as whole processes with stdout to /dev/null, with nlctl and with
// ip, as JSON and as text, side by side: the same namespace, in one run.
//
// Each listing is a sub-benchmark (links-2k: 1,000 veth pairs;
// addresses-5k: 100 IPv4 addresses on each of 50 links; neighbours-20k;
// rules-2k; nexthops-5k: 4,900 gateways and 100 groups of two;
// routes-100k: the fixture of BenchmarkRouteList100k; empty-rules: a new
// namespace's three rules, for the cost of starting), each contender one
// below it:
//
//   - ip-json, ip-text: `ip -n NS [-j] OBJECT show`
//   - nlctl-json, nlctl-text: `nlctl -n NS [-j] OBJECT show`, nlctl built
//     with CGO_ENABLED=0 (static)
//   - nlctl-json-cgo: the same as nlctl-json, built by a plain `go build`
//     (dynamically linked to the C library, which package net's resolver
//     pulls in when cgo is available)
//
// Every contender but ip-json runs paired with ip-json (x-ip-json, the
// median of the per-pair ratios, is the figure to compare with "faster
// than ip -j"), and nlctl-text with ip-text as well (x-ip-text). Each
// reports peak-RSS-KiB, the median of its peak resident set (see
// runProcess). Before timing, each contender's output is checked to hold
// every object.
func BenchmarkListings(b *testing.B) {
	for _, l := range listings {
		b.Run(l.name, func(b *testing.B) {
			name := l.fixture(b)
			run := func(bin, json string) contender {
				args := []string{"-n", name}
				if json != "" {
					args = append(args, json)
				}
				args = append(args, l.args...)
				return func(b *testing.B) result { return runProcess(b, bin, args...) }
			}
			ipJSON, ipText := run("ip", "-j"), run("ip", "")
			b.Run("ip-json", func(b *testing.B) {
				l.check(b, true, "ip", name)
				measure(b, ipJSON)
			})
			b.Run("ip-text", func(b *testing.B) {
				l.check(b, false, "ip", name)
				measure(b, ipText, ref{"ip-json", ipJSON})
			})
			b.Run("nlctl-json", func(b *testing.B) {
				bin := nlctlPath(b)
				l.check(b, true, bin, name)
				measure(b, run(bin, "-j"), ref{"ip-json", ipJSON})
			})
			b.Run("nlctl-text", func(b *testing.B) {
				bin := nlctlPath(b)
				l.check(b, false, bin, name)
				measure(b, run(bin, ""), ref{"ip-json", ipJSON}, ref{"ip-text", ipText})
			})
			b.Run("nlctl-json-cgo", func(b *testing.B) {
				bin := nlctlCgoPath(b)
				l.check(b, true, bin, name)
				measure(b, run(bin, "-j"), ref{"ip-json", ipJSON})
			})
		})
	}
}

// A listing is one kind of object to list: the namespace that holds many
// of them and the command that lists them.
type listing struct {
	name string
	// args are the command's words after the options: "link", "show".
	args []string
	// want is the number of objects the listing must print at least:
	// the elements of the JSON array, or with jsonKey the values of that
	// key in it; textLine recognises the lines of text output that begin
	// one.
	want     int
	jsonKey  string
	textLine func(line string) bool
	// script is the ip -batch script that fills the namespace (nil for
	// routes, whose fixture is routeFixture's).
	script func() string
}

// fixture returns the name of the listing's namespace, built once per
// process (closed by TestMain).
func (l *listing) fixture(b *testing.B) string {
	if l.script == nil {
		_, name, _ := routeFixture(b)
		return name
	}
	netnstest.RequirePrivileged(b)
	f := listingFixture(l.name)
	f.once.Do(func() { f.err = f.build(l.script()) })
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.name
}

// check runs the listing once, untimed, and fails if it does not print
// every object: a broken lister must not be measured as a fast one.
func (l *listing) check(b *testing.B, asJSON bool, bin, ns string) {
	b.Helper()
	args := []string{"-n", ns}
	if asJSON {
		args = append(args, "-j")
	}
	args = append(args, l.args...)
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		b.Fatalf("%s %s: %v", bin, strings.Join(args, " "), err)
	}
	n := 0
	if asJSON {
		var objs []json.RawMessage
		if err := json.Unmarshal(out, &objs); err != nil {
			b.Fatalf("%s %s: not a JSON array: %v", bin, strings.Join(args, " "), err)
		}
		n = len(objs)
		if l.jsonKey != "" {
			n = bytes.Count(out, []byte(`"`+l.jsonKey+`":`))
		}
	} else {
		for line := range strings.Lines(string(out)) {
			if l.textLine(line) {
				n++
			}
		}
	}
	if n < l.want {
		b.Fatalf("%s %s printed %d objects, want %d or more", bin, strings.Join(args, " "), n, l.want)
	}
}

// startsObject recognises the first line of an object in ip's text output
// of links and addresses: "N: NAME...".
func startsObject(line string) bool {
	i := strings.IndexByte(line, ':')
	return i > 0 && strings.Trim(line[:i], "0123456789") == ""
}

func anyLine(line string) bool { return strings.TrimSpace(line) != "" }

// listings are the listings BenchmarkListings measures.
var listings = []*listing{
	{
		name: "links-2k", args: []string{"link", "show"}, want: 2000, textLine: startsObject,
		script: func() string {
			var s strings.Builder
			for i := range 1000 {
				fmt.Fprintf(&s, "link add va%d type veth peer name vb%d\n", i, i)
			}
			return s.String()
		},
	},
	{
		name: "addresses-5k", args: []string{"address", "show"}, want: 5000, jsonKey: "local",
		textLine: func(line string) bool { return strings.HasPrefix(line, "    inet ") },
		script: func() string {
			var s strings.Builder
			for i := range 25 {
				fmt.Fprintf(&s, "link add aa%d type veth peer name ab%d\n", i, i)
			}
			n := 0
			for i := range 25 {
				for _, side := range []string{"aa", "ab"} {
					for range 100 {
						fmt.Fprintf(&s, "address add 10.%d.%d.1/24 dev %s%d\n", n/250, n%250, side, i)
						n++
					}
				}
			}
			return s.String()
		},
	},
	{
		name: "neighbours-20k", args: []string{"neigh", "show"}, want: benchNeighs, textLine: anyLine,
		script: func() string {
			var s strings.Builder
			s.WriteString("link add v0 type veth peer name v0p\nlink set v0 up\nlink set v0p up\naddress add " + neighNetAddr + " dev v0\n")
			for i := range benchNeighs {
				a, m := neighAddr(i), neighMAC(i)
				fmt.Fprintf(&s, "neigh add %d.%d.%d.%d lladdr %02x:%02x:%02x:%02x:%02x:%02x dev v0 nud permanent\n",
					a[0], a[1], a[2], a[3], m[0], m[1], m[2], m[3], m[4], m[5])
			}
			return s.String()
		},
	},
	{
		name: "rules-2k", args: []string{"rule", "show"}, want: 2000, textLine: anyLine,
		script: func() string {
			var s strings.Builder
			for i := range 2000 {
				fmt.Fprintf(&s, "rule add from 10.%d.%d.0/24 table %d pref %d\n", i>>8, i&255, 100+i%50, 1000+i)
			}
			return s.String()
		},
	},
	{
		name: "nexthops-5k", args: []string{"nexthop", "show"}, want: 5000, textLine: anyLine,
		script: func() string {
			var s strings.Builder
			s.WriteString("link add v0 type veth peer name v0p\nlink set v0 up\nlink set v0p up\naddress add 10.128.0.1/16 dev v0\n")
			for i := range 4900 {
				fmt.Fprintf(&s, "nexthop add id %d via 10.128.%d.%d dev v0\n", i+1, (i+2)>>8, (i+2)&255)
			}
			for g := range 100 {
				fmt.Fprintf(&s, "nexthop add id %d group %d/%d\n", 10000+g, 2*g+1, 2*g+2)
			}
			return s.String()
		},
	},
	{
		name: "routes-100k", args: []string{"route", "show"}, want: benchRoutes, textLine: anyLine,
	},
	{
		// The cost of starting: a namespace's own three rules.
		name: "empty-rules", args: []string{"rule", "show"}, want: 3, textLine: anyLine,
		script: func() string { return "" },
	},
}

// A namedFixture is a namespace of the listing benchmarks, created under a
// name (so that ip -n and nlctl -n reach it) and filled by ip -batch.
type namedFixture struct {
	once sync.Once
	name string
	ns   *netns.NS
	err  error
}

var listingFixtures struct {
	mu sync.Mutex
	m  map[string]*namedFixture
}

// listingFixture returns the fixture of the listing named l, not built
// yet the first time.
func listingFixture(l string) *namedFixture {
	listingFixtures.mu.Lock()
	defer listingFixtures.mu.Unlock()
	if listingFixtures.m == nil {
		listingFixtures.m = map[string]*namedFixture{}
	}
	f, ok := listingFixtures.m[l]
	if !ok {
		f = &namedFixture{name: fmt.Sprintf("nlkit-bench-%s-%d", l, os.Getpid())}
		listingFixtures.m[l] = f
	}
	return f
}

// build creates the namespace, checks that it is not the host's, and runs
// script in it with ip -batch.
func (f *namedFixture) build(script string) error {
	ns, err := netns.Create(f.name)
	if err != nil {
		return err
	}
	f.ns = ns
	if err := netnstest.NotHost(ns); err != nil {
		return err
	}
	cmd := exec.Command("ip", "-n", f.name, "-batch", "-")
	cmd.Stdin = strings.NewReader("link set lo up\n" + script)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ip -n %s -batch: %v: %.2000s", f.name, err, out.String())
	}
	return nil
}

// closeListingFixtures deletes the namespaces of the listing benchmarks
// that were built.
func closeListingFixtures() {
	listingFixtures.mu.Lock()
	defer listingFixtures.mu.Unlock()
	for _, f := range listingFixtures.m {
		if f.ns == nil {
			continue
		}
		f.ns.Close()
		if err := netns.Delete(f.name); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}
