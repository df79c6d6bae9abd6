package exporter

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"golang.org/x/sys/unix"
)

// liveness bounds how long a test waits for something that must happen:
// a failure bound for a hang, not a measure of speed.
const liveness = 30 * time.Second

// lockedBuffer is a bytes.Buffer for the exporter's log, written from
// its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startCommand runs `nlctl -n NS exporter --listen 127.0.0.1:0 ARGS` in
// process, as nlctl runs it, until the test ends (its root context is
// then cancelled, and the command must return nil); it returns the URL it
// serves.
func startCommand(t *testing.T, netnsName string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &lockedBuffer{}
	e := &cli.Env{Ctx: ctx, NetNS: netnsName, Stdin: strings.NewReader(""), Stdout: pw, Stderr: logs}
	done := make(chan error, 1)
	go func() {
		err := run(e, append([]string{"--listen", "127.0.0.1:0"}, args...))
		pw.Close()
		done <- err
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			default:
			}
		}
		close(lines)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("exporter: %v", err)
			}
		case <-time.After(liveness):
			t.Errorf("the exporter still runs %v after its context ended", liveness)
		}
		if s := logs.String(); s != "" {
			t.Logf("the exporter's log:\n%s", s)
		}
	})
	select {
	case first, ok := <-lines:
		url, found := strings.CutPrefix(first, "serving ")
		if !ok || !found || !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/metrics") {
			err := "still running"
			select {
			case e := <-done:
				err = fmt.Sprint(e)
			case <-time.After(time.Second):
			}
			t.Fatalf("exporter: first line %q; the command: %s; its log: %s", first, err, logs.String())
		}
		return url
	case <-time.After(liveness):
		t.Fatalf("the exporter printed nothing in %v", liveness)
	}
	return ""
}

// families are a scrape's metrics, by name.
type families map[string]*dto.MetricFamily

// scrape fetches url over HTTP and parses the exposition with the
// Prometheus text parser.
func scrape(t testing.TB, url string) families {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/plain; version=0.0.4")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scrape: %s: %s", resp.Status, b)
	}
	if ct := resp.Header.Get("Content-Type"); expfmt.ResponseFormat(resp.Header).FormatType() != expfmt.TypeTextPlain {
		t.Fatalf("scrape: content type %q, want the text format", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape: parse the exposition: %v", err)
	}
	return fams
}

// sampleValue returns a sample's value, whatever its type.
func sampleValue(f *dto.MetricFamily, m *dto.Metric) float64 {
	switch f.GetType() {
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	}
	return m.GetUntyped().GetValue()
}

// labelsOf returns a sample's labels.
func labelsOf(m *dto.Metric) map[string]string {
	l := map[string]string{}
	for _, p := range m.GetLabel() {
		l[p.GetName()] = p.GetValue()
	}
	return l
}

// get returns the value of the sample of metric name whose labels are
// exactly the pairs given.
func (fs families) get(name string, pairs ...string) (float64, bool) {
	f := fs[name]
	if f == nil {
		return 0, false
	}
	want := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		want[pairs[i]] = pairs[i+1]
	}
	for _, m := range f.GetMetric() {
		if maps.Equal(labelsOf(m), want) {
			return sampleValue(f, m), true
		}
	}
	return 0, false
}

// series returns the samples of metric name for namespace ns, keyed by
// their other labels ("k=v,k=v", sorted).
func (fs families) series(name, ns string) map[string]float64 {
	out := map[string]float64{}
	f := fs[name]
	if f == nil {
		return out
	}
	for _, m := range f.GetMetric() {
		l := labelsOf(m)
		if l["netns"] != ns {
			continue
		}
		delete(l, "netns")
		out[labelKey(l)] = sampleValue(f, m)
	}
	return out
}

func labelKey(l map[string]string) string {
	var s []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		s = append(s, k+"="+l[k])
	}
	return strings.Join(s, ",")
}

// namespaces returns the values of label netns in the scrape.
func (fs families) namespaces() []string {
	set := map[string]bool{}
	for _, f := range fs {
		for _, m := range f.GetMetric() {
			if l := labelsOf(m); strings.HasPrefix(f.GetName(), "nlkit_") {
				set[l["netns"]] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// ipJSON runs `ip -n NS -j ARGS` and decodes its output.
func ipJSON(t testing.TB, ns *netnstest.NS, args ...string) []map[string]any {
	t.Helper()
	var v []map[string]any
	out := ns.IP(append([]string{"-j"}, args...)...)
	if strings.TrimSpace(out) == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("ip -j %v: %v: %s", args, err, out)
	}
	return v
}

// ipRoutes counts the routes `ip route show table all` lists, by the
// labels of nlkit_routes: ip leaves out the table main and the protocol
// boot.
func ipRoutes(t testing.TB, ns *netnstest.NS) map[string]float64 {
	out := map[string]float64{}
	for _, fam := range []string{"inet", "inet6"} {
		flag := "-4"
		if fam == "inet6" {
			flag = "-6"
		}
		for _, r := range ipJSON(t, ns, flag, "route", "show", "table", "all") {
			table, proto := "main", "boot"
			if v, ok := r["table"].(string); ok {
				table = v
			}
			if v, ok := r["protocol"].(string); ok {
				proto = v
			}
			out[labelKey(map[string]string{"table": table, "protocol": proto, "family": fam})]++
		}
	}
	return out
}

// ipNeighbours counts the neighbour entries `ip neigh show nud all` lists,
// by the labels of nlkit_neighbours, but for those a Cache leaves out: the
// entries the kernel makes for multicast addresses (NOARP), which come and
// go without events (such as ff02::16's, made by the multicast listener
// reports of IPv6).
func ipNeighbours(t testing.TB, ns *netnstest.NS) map[string]float64 {
	out := map[string]float64{}
	for _, n := range ipJSON(t, ns, "neigh", "show", "nud", "all") {
		dst, err := netip.ParseAddr(fmt.Sprint(n["dst"]))
		if err != nil {
			t.Fatalf("ip neigh show: dst %v: %v", n["dst"], err)
		}
		fam := "inet"
		if dst.Is6() {
			fam = "inet6"
		}
		var states []string
		if s, ok := n["state"].([]any); ok {
			for _, v := range s {
				states = append(states, strings.ToLower(fmt.Sprint(v)))
			}
		}
		state := strings.Join(states, " ")
		if state == "" {
			state = "none"
		}
		if state == "noarp" && dst.IsMulticast() {
			continue
		}
		out[labelKey(map[string]string{"state": state, "family": fam})]++
	}
	return out
}

// eventually scrapes url until check passes (returns ""), and fails the
// test with check's last complaint if it does not within liveness.
func eventually(t *testing.T, url string, check func(fs families) string) families {
	t.Helper()
	deadline := time.Now().Add(liveness)
	for {
		fs := scrape(t, url)
		msg := check(fs)
		if msg == "" {
			return fs
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", liveness, msg)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// want returns a complaint unless the sample of name with those labels
// has value v.
func (fs families) want(v float64, name string, pairs ...string) string {
	got, ok := fs.get(name, pairs...)
	switch {
	case !ok:
		return fmt.Sprintf("%s%v: no such sample", name, pairs)
	case got != v:
		return fmt.Sprintf("%s%v = %v, want %v", name, pairs, got, v)
	}
	return ""
}

// first returns the first complaint of msgs.
func first(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

func sum(m map[string]float64) float64 {
	s := 0.0
	for _, v := range m {
		s += v
	}
	return s
}

// sendUDP sends count datagrams of size bytes to dst:9 from a socket made
// in namespace ns.
func sendUDP(t *testing.T, ns *netnstest.NS, dst [4]byte, count, size int) {
	t.Helper()
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		payload := make([]byte, size)
		for range count {
			if err := unix.Sendto(fd, payload, 0, &unix.SockaddrInet4{Port: 9, Addr: dst}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("send UDP in %s: %v", ns.Name, err)
	}
}

// setupKnownState builds the namespace of TestExporter: an ifb and a
// veth pair up with addresses (no IPv6 link-local addresses, which come
// and go with duplicate address detection), routes in main and table 100
// with known protocols, nexthop objects, a rule and permanent neighbours.
func setupKnownState(ns *netnstest.NS) {
	for _, c := range [][]string{
		{"link", "add", "ifb0", "type", "ifb"},
		// addrgenmode before up: the kernel applies it after the flags
		{"link", "set", "ifb0", "addrgenmode", "none"},
		{"link", "set", "ifb0", "mtu", "9000", "up"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "set", "v0", "addrgenmode", "none"},
		{"link", "set", "v1", "addrgenmode", "none"},
		{"link", "set", "v0", "mtu", "1400", "up"},
		{"link", "set", "v1", "up"},
		{"address", "add", "10.1.0.1/24", "dev", "v0"},
		{"address", "add", "fd00:1::1/64", "dev", "v0", "nodad"},
		{"address", "add", "10.2.0.1/24", "dev", "v1"},
		{"address", "add", "192.0.2.1/24", "dev", "ifb0"},
		{"address", "add", "192.0.2.2/24", "dev", "ifb0"},
		// main
		{"route", "add", "198.51.100.0/24", "via", "10.1.0.254", "proto", "static"},
		{"route", "add", "203.0.113.0/24", "dev", "v0"},
		{"route", "add", "2001:db8:1::/48", "via", "fd00:1::2", "proto", "static"},
		// table 100
		{"route", "add", "10.100.0.0/16", "dev", "v0", "proto", "static", "table", "100"},
		{"route", "add", "10.101.0.0/16", "via", "10.2.0.254", "proto", "static", "table", "100"},
		{"route", "add", "10.102.0.0/16", "dev", "v1", "proto", "dhcp", "table", "100"},
		{"route", "add", "2001:db8:100::/48", "dev", "v0", "proto", "static", "table", "100"},
		{"nexthop", "add", "id", "10", "via", "10.1.0.254", "dev", "v0"},
		{"nexthop", "add", "id", "11", "dev", "v1"},
		{"nexthop", "add", "id", "12", "group", "10/11"},
		{"rule", "add", "from", "10.9.0.0/16", "table", "100"},
		{"neigh", "add", "10.1.0.99", "lladdr", "02:00:00:00:00:99", "dev", "v0"},
		{"neigh", "add", "10.1.0.98", "lladdr", "02:00:00:00:00:98", "dev", "v0"},
		{"neigh", "add", "fd00:1::99", "lladdr", "02:00:00:00:00:99", "dev", "v0"},
	} {
		ns.IP(c...)
	}
}

// TestExporter runs `nlctl -n NS exporter` on a namespace of known state
// and checks what it serves: exact counts of routes (per table, protocol
// and family), neighbours, addresses, nexthops and rules, links' state,
// counters that grow with traffic sent across the veth pair, and the
// cache's counters as the namespace changes.
func TestExporter(t *testing.T) {
	ns := netnstest.New(t)
	setupKnownState(ns)
	url := startCommand(t, ns.Name)
	n := ns.Name

	// The routes, neighbours, addresses, nexthops and rules: those the
	// test made, exactly, and all of them as ip lists them.
	fs := eventually(t, url, func(fs families) string {
		if got, want := fs.series("nlkit_routes", n), ipRoutes(t, ns); !maps.Equal(got, want) {
			return fmt.Sprintf("nlkit_routes %v, ip lists %v", got, want)
		}
		if got, want := fs.series("nlkit_neighbours", n), ipNeighbours(t, ns); !maps.Equal(got, want) {
			return fmt.Sprintf("nlkit_neighbours %v, ip lists %v", got, want)
		}
		return ""
	})
	for _, c := range []struct {
		table, proto, family string
		n                    float64
	}{
		{"main", "static", "inet", 1},
		{"main", "boot", "inet", 1},
		{"main", "static", "inet6", 1},
		{"100", "static", "inet", 2},
		{"100", "dhcp", "inet", 1},
		{"100", "static", "inet6", 1},
		// the prefixes of the addresses: 10.1.0.0/24, 10.2.0.0/24,
		// 192.0.2.0/24 (one for both addresses); fd00:1::/64
		{"main", "kernel", "inet", 3},
		{"main", "kernel", "inet6", 1},
	} {
		if msg := fs.want(c.n, "nlkit_routes", "netns", n, "table", c.table, "protocol", c.proto, "family", c.family); msg != "" {
			t.Error(msg)
		}
	}
	for _, msg := range []string{
		fs.want(2, "nlkit_neighbours", "netns", n, "state", "permanent", "family", "inet"),
		fs.want(1, "nlkit_neighbours", "netns", n, "state", "permanent", "family", "inet6"),
		fs.want(1, "nlkit_addresses", "netns", n, "ifname", "v0", "family", "inet"),
		fs.want(1, "nlkit_addresses", "netns", n, "ifname", "v0", "family", "inet6"),
		fs.want(1, "nlkit_addresses", "netns", n, "ifname", "v1", "family", "inet"),
		fs.want(2, "nlkit_addresses", "netns", n, "ifname", "ifb0", "family", "inet"),
		fs.want(3, "nlkit_nexthops", "netns", n),
		fs.want(float64(len(ipJSON(t, ns, "-4", "rule", "show"))), "nlkit_rules", "netns", n, "family", "inet"),
		fs.want(float64(len(ipJSON(t, ns, "-6", "rule", "show"))), "nlkit_rules", "netns", n, "family", "inet6"),
	} {
		if msg != "" {
			t.Error(msg)
		}
	}
	if got := fs.series("nlkit_addresses", n); len(got) != 4 {
		t.Errorf("nlkit_addresses: %v, want 4 series (no address on lo, which is down, nor IPv6 on v1)", got)
	}
	if got := len(ipJSON(t, ns, "-4", "rule", "show")); got != 4 {
		t.Errorf("ip -4 rule show lists %d rules, want the 3 of a new namespace and the test's", got)
	}

	// The links, against ip's listing.
	links := ipJSON(t, ns, "link", "show")
	if len(links) != 4 {
		t.Fatalf("ip link show: %d links, want lo, ifb0, v0, v1", len(links))
	}
	for _, l := range links {
		name := l["ifname"].(string)
		kind := map[string]string{"lo": "", "ifb0": "ifb", "v0": "veth", "v1": "veth"}[name]
		oper := strings.ToLower(l["operstate"].(string))
		mtu := l["mtu"].(float64)
		up := 0.0
		if oper == "up" {
			up = 1
		}
		admin := 0.0
		if slices.Contains(l["flags"].([]any), any("UP")) {
			admin = 1
		}
		for _, msg := range []string{
			fs.want(1, "nlkit_link_info", "netns", n, "ifname", name, "ifindex", fmt.Sprint(l["ifindex"]), "kind", kind, "operstate", oper, "address", fmt.Sprint(l["address"])),
			fs.want(mtu, "nlkit_link_mtu_bytes", "netns", n, "ifname", name),
			fs.want(up, "nlkit_link_up", "netns", n, "ifname", name),
			fs.want(admin, "nlkit_link_admin_up", "netns", n, "ifname", name),
		} {
			if msg != "" {
				t.Error(msg)
			}
		}
	}
	for _, msg := range []string{
		fs.want(1, "nlkit_link_up", "netns", n, "ifname", "v0"),
		fs.want(1, "nlkit_link_up", "netns", n, "ifname", "v1"),
		fs.want(0, "nlkit_link_up", "netns", n, "ifname", "lo"),
		fs.want(1, "nlkit_link_admin_up", "netns", n, "ifname", "ifb0"),
		fs.want(1400, "nlkit_link_mtu_bytes", "netns", n, "ifname", "v0"),
		fs.want(9000, "nlkit_link_mtu_bytes", "netns", n, "ifname", "ifb0"),
	} {
		if msg != "" {
			t.Error(msg)
		}
	}

	// The cache: what it holds, and its health.
	routes := sum(fs.series("nlkit_routes", n))
	for _, msg := range []string{
		fs.want(routes, "nlkit_cache_objects", "netns", n, "kind", "route"),
		fs.want(4, "nlkit_cache_objects", "netns", n, "kind", "link"),
		fs.want(sum(fs.series("nlkit_addresses", n)), "nlkit_cache_objects", "netns", n, "kind", "address"),
		fs.want(sum(fs.series("nlkit_neighbours", n)), "nlkit_cache_objects", "netns", n, "kind", "neighbour"),
		fs.want(3, "nlkit_cache_objects", "netns", n, "kind", "nexthop"),
		fs.want(sum(fs.series("nlkit_rules", n)), "nlkit_cache_objects", "netns", n, "kind", "rule"),
		fs.want(1, "nlkit_cache_up", "netns", n),
		fs.want(1, "nlkit_scrape_success", "netns", n),
		fs.want(0, "nlkit_cache_overruns_total", "netns", n),
		fs.want(0, "nlkit_cache_resyncs_total", "netns", n),
		fs.want(0, "nlkit_cache_resync_corrected_objects_total", "netns", n),
		fs.want(0, "nlkit_cache_last_resync_timestamp_seconds", "netns", n),
	} {
		if msg != "" {
			t.Error(msg)
		}
	}
	if b, _ := fs.get("nlkit_cache_bytes", "netns", n); b < routes*20 {
		t.Errorf("nlkit_cache_bytes = %v for %v routes and more", b, routes)
	}
	if got := fs.namespaces(); !slices.Equal(got, []string{n}) {
		t.Errorf("netns labels %q, want only %q", got, n)
	}
	for _, f := range fs {
		if strings.HasPrefix(f.GetName(), "nlkit_") && f.GetHelp() == "" {
			t.Errorf("%s has no help", f.GetName())
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Traffic across the veth pair (to a permanent neighbour on v0's
	// subnet, which v1 receives and drops): v0's transmit and v1's
	// receive counters grow by at least the frames sent.
	const count, size = 20, 1000
	frame := float64(size + 8 + 20 + 14) // UDP, IPv4, Ethernet
	val := func(fs families, name, ifname string) float64 {
		v, ok := fs.get(name, "netns", n, "ifname", ifname)
		if !ok {
			t.Fatalf("no %s for %s", name, ifname)
		}
		return v
	}
	tx0, rx0 := val(fs, "nlkit_link_transmit_bytes_total", "v0"), val(fs, "nlkit_link_receive_bytes_total", "v1")
	txp0 := val(fs, "nlkit_link_transmit_packets_total", "v0")
	sendUDP(t, ns, [4]byte{10, 1, 0, 99}, count, size)
	eventually(t, url, func(fs families) string {
		tx, rx := val(fs, "nlkit_link_transmit_bytes_total", "v0"), val(fs, "nlkit_link_receive_bytes_total", "v1")
		txp := val(fs, "nlkit_link_transmit_packets_total", "v0")
		if tx-tx0 < count*frame || rx-rx0 < count*frame || txp-txp0 < count {
			return fmt.Sprintf("after %d frames of %v bytes: v0 sent %v more bytes and %v more packets, v1 received %v more bytes", count, frame, tx-tx0, txp-txp0, rx-rx0)
		}
		return ""
	})

	// Changes: the cache's events count them, and what it holds follows.
	fs = scrape(t, url)
	events0, _ := fs.get("nlkit_cache_events_total", "netns", n)
	for _, c := range [][]string{
		{"route", "add", "10.200.0.0/16", "dev", "v0", "proto", "static", "table", "100"},
		{"neigh", "add", "10.1.0.97", "lladdr", "02:00:00:00:00:97", "dev", "v0"},
		{"address", "add", "10.3.0.1/24", "dev", "v1"},
		{"link", "set", "v0", "mtu", "1450"},
	} {
		ns.IP(c...)
	}
	eventually(t, url, func(fs families) string {
		events, _ := fs.get("nlkit_cache_events_total", "netns", n)
		if events < events0+4 {
			return fmt.Sprintf("nlkit_cache_events_total %v after 4 changes, was %v", events, events0)
		}
		return first(
			fs.want(3, "nlkit_routes", "netns", n, "table", "100", "protocol", "static", "family", "inet"),
			fs.want(3, "nlkit_neighbours", "netns", n, "state", "permanent", "family", "inet"),
			fs.want(2, "nlkit_addresses", "netns", n, "ifname", "v1", "family", "inet"),
			fs.want(1450, "nlkit_link_mtu_bytes", "netns", n, "ifname", "v0"),
		)
	})

	// v1 taken down: the kernel removes the IPv4 routes through it
	// without an event each; the cache finds them by fetching the routes
	// again (derived changes).
	fs = scrape(t, url)
	derived0, _ := fs.get("nlkit_cache_derived_changes_total", "netns", n)
	ns.IP("link", "set", "v1", "down")
	fs = eventually(t, url, func(fs families) string {
		if got, want := fs.series("nlkit_routes", n), ipRoutes(t, ns); !maps.Equal(got, want) {
			return fmt.Sprintf("nlkit_routes %v, ip lists %v", got, want)
		}
		if _, ok := fs.get("nlkit_routes", "netns", n, "table", "100", "protocol", "dhcp", "family", "inet"); ok {
			return "the dhcp route through v1 is still counted"
		}
		return first(
			fs.want(0, "nlkit_link_up", "netns", n, "ifname", "v1"),
			fs.want(0, "nlkit_link_admin_up", "netns", n, "ifname", "v1"),
		)
	})
	if derived, _ := fs.get("nlkit_cache_derived_changes_total", "netns", n); derived <= derived0 {
		t.Errorf("nlkit_cache_derived_changes_total %v after v1 went down, was %v", derived, derived0)
	}
	if msg := fs.want(0, "nlkit_cache_overruns_total", "netns", n); msg != "" {
		t.Error(msg)
	}
}

// TestExporterAllNetNS follows every namespace of /run/netns (those of the
// test only: others belong to tests running alongside) and the one it
// was started in (here a namespace of the test too, rather than the
// host's): each has its label, and namespaces added and deleted are
// followed.
func TestExporterAllNetNS(t *testing.T) {
	self := netnstest.New(t)
	a := netnstest.New(t)
	b := netnstest.New(t)
	self.IP("link", "add", "self0", "type", "ifb")
	a.IP("link", "add", "a0", "type", "ifb")
	a.IP("link", "set", "a0", "up")
	a.IP("route", "add", "10.10.0.0/16", "dev", "a0", "proto", "static")
	b.IP("link", "add", "b0", "type", "ifb")
	b.IP("link", "set", "b0", "up")
	b.IP("route", "add", "10.20.0.0/16", "dev", "b0", "proto", "static")
	b.IP("route", "add", "10.21.0.0/16", "dev", "b0", "proto", "static")

	var mu sync.Mutex
	ours := map[string]bool{a.Name: true, b.Name: true}
	match := func(name string) bool {
		mu.Lock()
		defer mu.Unlock()
		return ours[name]
	}
	ctx, cancel := context.WithCancel(context.Background())
	logs := &lockedBuffer{}
	x, err := New(ctx, Config{
		Self:     func() (*rtnl.Handle, error) { return rtnl.DialNetNS(self.Name) },
		AllNetNS: true,
		Match:    match,
		Poll:     50 * time.Millisecond,
		Log:      logs,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- x.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
		x.Close()
		if s := logs.String(); s != "" {
			t.Logf("the exporter's log:\n%s", s)
		}
	})
	url := "http://" + ln.Addr().String() + "/metrics"

	fs := scrape(t, url)
	if got, want := fs.namespaces(), slices.Sorted(slices.Values([]string{"", a.Name, b.Name})); !slices.Equal(got, want) {
		t.Fatalf("netns labels %q, want %q", got, want)
	}
	for _, msg := range []string{
		fs.want(1, "nlkit_routes", "netns", a.Name, "table", "main", "protocol", "static", "family", "inet"),
		fs.want(2, "nlkit_routes", "netns", b.Name, "table", "main", "protocol", "static", "family", "inet"),
		fs.want(1, "nlkit_link_admin_up", "netns", a.Name, "ifname", "a0"),
		fs.want(1, "nlkit_link_admin_up", "netns", b.Name, "ifname", "b0"),
		fs.want(0, "nlkit_link_admin_up", "netns", "", "ifname", "self0"),
	} {
		if msg != "" {
			t.Error(msg)
		}
	}
	for _, ns := range []string{"", a.Name, b.Name} {
		if msg := first(fs.want(1, "nlkit_cache_up", "netns", ns), fs.want(1, "nlkit_scrape_success", "netns", ns)); msg != "" {
			t.Error(msg)
		}
	}
	for _, c := range []struct{ ns, link string }{{"", "a0"}, {a.Name, "b0"}, {b.Name, "a0"}, {a.Name, "self0"}} {
		if _, ok := fs.get("nlkit_link_mtu_bytes", "netns", c.ns, "ifname", c.link); ok {
			t.Errorf("netns %q has a link %s", c.ns, c.link)
		}
	}
	if _, ok := fs.get("nlkit_routes", "netns", "", "table", "main", "protocol", "static", "family", "inet"); ok {
		t.Errorf("netns \"\" has static routes")
	}

	// A cache that stops (here closed under the exporter's feet, as an
	// error would stop it) is built again at the next poll.
	x.mu.RLock()
	stopped := x.targets[b.Name]
	x.mu.RUnlock()
	stopped.c.Close()
	eventually(t, url, func(fs families) string {
		x.mu.RLock()
		again := x.targets[b.Name]
		x.mu.RUnlock()
		if again == stopped {
			return "the stopped cache was not built again"
		}
		return first(
			fs.want(1, "nlkit_cache_up", "netns", b.Name),
			fs.want(2, "nlkit_routes", "netns", b.Name, "table", "main", "protocol", "static", "family", "inet"),
		)
	})
	if !strings.Contains(logs.String(), fmt.Sprintf("netns %q: the cache stopped: ", b.Name)) {
		t.Errorf("the exporter's log does not say that the cache stopped: %q", logs.String())
	}

	// A namespace added to /run/netns is followed within a poll, and
	// dropped once deleted.
	var added string
	t.Run("added", func(t *testing.T) {
		c := netnstest.New(t)
		added = c.Name
		c.IP("link", "add", "c0", "type", "ifb")
		mu.Lock()
		ours[c.Name] = true
		mu.Unlock()
		eventually(t, url, func(fs families) string {
			return first(fs.want(1, "nlkit_cache_up", "netns", c.Name), fs.want(0, "nlkit_link_up", "netns", c.Name, "ifname", "c0"))
		})
		// and follows its changes
		c.IP("link", "set", "c0", "up")
		c.IP("route", "add", "10.30.0.0/16", "dev", "c0", "proto", "static")
		eventually(t, url, func(fs families) string {
			return fs.want(1, "nlkit_routes", "netns", c.Name, "table", "main", "protocol", "static", "family", "inet")
		})
	}) // c deleted here
	eventually(t, url, func(fs families) string {
		if got := fs.namespaces(); slices.Contains(got, added) {
			return fmt.Sprintf("netns %q is still exported after its deletion", added)
		}
		return ""
	})
}

// TestExporterCommandLine checks the command line's errors and their exit
// statuses; none of them reaches a namespace.
func TestExporterCommandLine(t *testing.T) {
	r := clitest.Registry(nil, Commands()...)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"exporter"}, cli.ExitSyntax, "needs --listen"},
		{[]string{"exporter", "--listen"}, cli.ExitSyntax, "--listen needs a value"},
		{[]string{"exporter", "--listen", "nonsense"}, cli.ExitSyntax, `invalid --listen "nonsense"`},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "--poll", "1ms"}, cli.ExitSyntax, `invalid --poll "1ms"`},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "--poll=x"}, cli.ExitSyntax, `invalid --poll "x"`},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "--bogus"}, cli.ExitSyntax, `unknown option "--bogus"`},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "extra"}, cli.ExitSyntax, `unexpected argument "extra"`},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "--all-netns=yes"}, cli.ExitSyntax, "takes no value"},
		{[]string{"-n", "nlkit-exporter-no-such-namespace", "exporter", "--listen", "127.0.0.1:0", "--all-netns"}, cli.ExitSyntax, "takes no -n"},
		{[]string{"exporter", "--listen", "127.0.0.1:0", "--all-netns", "-n", "nlkit-exporter-no-such-namespace"}, cli.ExitSyntax, "takes no -n"},
		{[]string{"-n", "nlkit-exporter-no-such-namespace", "exporter", "--listen", "127.0.0.1:0"}, cli.ExitSyntax, "cannot open network namespace"},
	} {
		code, _, stderr := clitest.Run(r, c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("nlctl %q: %d %q, want %d and %q", c.args, code, stderr, c.code, c.msg)
		}
	}
	code, stdout, _ := clitest.Run(r, "exporter", "-h")
	if code != cli.ExitOK || !strings.Contains(stdout, "usage: nlctl [-n NETNS] exporter --listen ADDR") {
		t.Errorf("exporter -h: %d %q", code, stdout)
	}
	g := Commands()[0].Grammar()
	var words []string
	for _, w := range g.Verbs[0].Words {
		words = append(words, w.Name)
	}
	if want := []string{"--listen", "--poll", "--all-netns"}; !slices.Equal(words, want) {
		t.Errorf("grammar %q, want %q", words, want)
	}
}

// TestExporterListenFails: an address that cannot be served (one in use)
// ends the command with the system's refusal (exit 2), after following the
// namespace.
func TestExporterListenFails(t *testing.T) {
	ns := netnstest.New(t)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	r := clitest.Registry(nil, Commands()...)
	code, _, stderr := clitest.Run(r, "-n", ns.Name, "exporter", "--listen", busy.Addr().String())
	if code != cli.ExitRefused || !strings.Contains(stderr, "address already in use") {
		t.Errorf("listen on %s, which is in use: %d %q, want %d", busy.Addr(), code, stderr, cli.ExitRefused)
	}
}
