package ptp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/examples/cni-ptp/ptp"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
)

var bg = context.Background()

// config is the attachment the tests make, between the namespaces host
// and cont (names under /run/netns).
func config(host, cont string) *ptp.Config {
	return &ptp.Config{
		HostNS:      filepath.Join(netns.RunDir, host),
		ContainerNS: filepath.Join(netns.RunDir, cont),
		IfName:      "eth0",
		HostIfName:  "veth1a2b3c4d",
		MTU:         1400,
		Address:     netip.MustParsePrefix("10.1.1.2/24"),
		Gateway:     netip.MustParseAddr("10.1.1.1"),
		Routes:      []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")},
	}
}

// ipJSON runs `ip -n ns -j args` and decodes its list.
func ipJSON(t *testing.T, ns string, args ...string) []map[string]any {
	t.Helper()
	out, err := exec.Command("ip", append([]string{"-n", ns, "-j"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ip -n %s -j %v: %v", ns, args, err)
	}
	var l []map[string]any
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatalf("ip -j %v: %v\n%s", args, err, out)
	}
	return l
}

// routes is `ip -j route show` as "dst proto scope gateway prefsrc" lines.
func routes(t *testing.T, ns string) []string {
	var s []string
	for _, r := range ipJSON(t, ns, "-d", "route", "show") {
		s = append(s, fmt.Sprintf("%v proto=%v scope=%v via=%v src=%v dev=%v",
			r["dst"], r["protocol"], r["scope"], r["gateway"], r["prefsrc"], r["dev"]))
	}
	return s
}

// TestAddCheckDel attaches a container and checks with ip -j, on both
// sides, the state the plugin leaves: protocols, scopes, the broadcast
// address, MTUs and queue lengths.
func TestAddCheckDel(t *testing.T) {
	host, cont := netnstest.New(t), netnstest.New(t)
	host.MustNotBeHost()
	cont.MustNotBeHost()
	cfg := config(host.Name, cont.Name)
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	if err := ptp.Add(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if err := ptp.Check(ctx, cfg); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{
		cont.Name: {
			"default proto=boot scope=global via=10.1.1.1 src=<nil> dev=eth0",
			"10.1.1.0/24 proto=boot scope=global via=10.1.1.1 src=10.1.1.2 dev=eth0",
			"10.1.1.1 proto=boot scope=link via=<nil> src=10.1.1.2 dev=eth0",
		},
		host.Name: {
			"10.1.1.2 proto=boot scope=host via=<nil> src=<nil> dev=veth1a2b3c4d",
		},
	}
	for ns, w := range want {
		got := routes(t, ns)
		if strings.Join(got, "\n") != strings.Join(w, "\n") {
			t.Errorf("routes in %s:\n%s\nwant\n%s", ns, strings.Join(got, "\n"), strings.Join(w, "\n"))
		}
	}
	addr := func(ns, dev string) map[string]any {
		for _, l := range ipJSON(t, ns, "addr", "show", "dev", dev) {
			for _, a := range l["addr_info"].([]any) {
				if a := a.(map[string]any); a["family"] == "inet" {
					return a
				}
			}
		}
		t.Fatalf("no IPv4 address on %s in %s", dev, ns)
		return nil
	}
	if a := addr(cont.Name, "eth0"); a["local"] != "10.1.1.2" || a["prefixlen"] != 24.0 || a["broadcast"] != "10.1.1.255" || a["scope"] != "global" {
		t.Errorf("container address: %v", a)
	}
	if a := addr(host.Name, "veth1a2b3c4d"); a["local"] != "10.1.1.1" || a["prefixlen"] != 32.0 || a["broadcast"] != nil {
		t.Errorf("host address: %v", a)
	}
	link := func(ns, dev string) map[string]any { return ipJSON(t, ns, "-d", "link", "show", "dev", dev)[0] }
	if l := link(cont.Name, "eth0"); l["mtu"] != 1400.0 || l["txqlen"] != 1000.0 || l["operstate"] != "UP" {
		t.Errorf("container link: mtu %v txqlen %v operstate %v", l["mtu"], l["txqlen"], l["operstate"])
	}
	if l := link(host.Name, "veth1a2b3c4d"); l["mtu"] != 1400.0 || l["txqlen"] != nil && l["txqlen"] != 0.0 { // ip leaves out a zero
		t.Errorf("host link: mtu %v txqlen %v", l["mtu"], l["txqlen"])
	}

	if err := ptp.Del(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if got := ipJSON(t, host.Name, "link", "show", "type", "veth"); len(got) != 0 {
		t.Errorf("host veth left after Del: %v", got)
	}
	if got := routes(t, host.Name); len(got) != 0 {
		t.Errorf("host routes left after Del: %v", got)
	}
	// DEL is idempotent: again, and with the namespace gone.
	if err := ptp.Del(ctx, cfg); err != nil {
		t.Errorf("second Del: %v", err)
	}
	gone := *cfg
	gone.ContainerNS = filepath.Join(netns.RunDir, "nlkit-no-such-namespace")
	if err := ptp.Del(ctx, &gone); err != nil {
		t.Errorf("Del with the namespace gone: %v", err)
	}
	if err := ptp.Check(ctx, cfg); err == nil {
		t.Error("Check after Del succeeded")
	}
}

// TestAddUndoes makes Add fail half-way (a gateway outside the
// container's subnet makes the default route fail) and checks that
// nothing is left on either side.
func TestAddUndoes(t *testing.T) {
	host, cont := netnstest.New(t), netnstest.New(t)
	host.MustNotBeHost()
	cont.MustNotBeHost()
	cfg := config(host.Name, cont.Name)
	cfg.Gateway = netip.MustParseAddr("10.9.9.9")
	err := ptp.Add(bg, cfg)
	if err == nil {
		t.Fatal("Add with an unreachable gateway succeeded")
	}
	t.Logf("Add: %v", err)
	if !strings.Contains(err.Error(), "add route default via 10.9.9.9 dev eth0") {
		t.Errorf("the error does not name the route that failed: %v", err)
	}
	for _, ns := range []string{host.Name, cont.Name} {
		if got := ipJSON(t, ns, "link", "show", "type", "veth"); len(got) != 0 {
			t.Errorf("veth left in %s after a failed Add: %v", ns, got)
		}
	}
	// A name already taken on the host fails before anything is made.
	host.IP("link", "add", cfg.HostIfName, "type", "ifb")
	cfg = config(host.Name, cont.Name)
	if err := ptp.Add(bg, cfg); err == nil {
		t.Fatal("Add with the host name taken succeeded")
	}
	if got := ipJSON(t, cont.Name, "link", "show", "type", "veth"); len(got) != 0 {
		t.Errorf("veth left in the container: %v", got)
	}
}

// resources counts what a leak would grow: open files, goroutines, OS
// threads, and the threads in a namespace other than the process's.
type resources struct{ fds, goroutines, threads, strayThreads int }

func measure(t *testing.T) resources {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	r := resources{fds: len(fds), goroutines: runtime.NumGoroutine(), threads: len(tasks)}
	for _, task := range tasks {
		if ns, err := os.Readlink("/proc/self/task/" + task.Name() + "/ns/net"); err == nil && ns != self {
			r.strayThreads++
		}
	}
	return r
}

// TestRepeat attaches and detaches 100 containers, each in a namespace
// created and deleted for it, as a node does over its life, and checks
// that nothing leaks: file descriptors (sockets, namespace handles),
// goroutines, threads, threads left in another namespace, namespaces,
// and links on the host.
func TestRepeat(t *testing.T) {
	host := netnstest.New(t)
	host.MustNotBeHost()
	ctx, cancel := context.WithTimeout(bg, 5*time.Minute)
	defer cancel()
	runs := 100
	if testing.Short() {
		runs = 10
	}
	prefix := fmt.Sprintf("nlkit-ptp-%d-", os.Getpid())
	once := func(i int) {
		name := fmt.Sprintf("%s%d", prefix, i)
		ns, err := netns.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := netnstest.NotHost(ns); err != nil {
			ns.Close()
			t.Fatal(err)
		}
		ns.Close()
		defer netns.Delete(name)
		cfg := config(host.Name, name)
		cfg.Address = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i / 250), byte(2 + i%250)}), 16)
		cfg.Gateway = netip.MustParseAddr("10.1.255.254")
		cfg.HostIfName = fmt.Sprintf("veth%08x", i)
		if err := ptp.Add(ctx, cfg); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if err := ptp.Check(ctx, cfg); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if err := ptp.Del(ctx, cfg); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	once(0) // warm up: the runtime's own threads and pools
	runtime.GC()
	before := measure(t)
	start := time.Now()
	for i := 1; i <= runs; i++ {
		once(i)
	}
	elapsed := time.Since(start)
	runtime.GC()
	time.Sleep(50 * time.Millisecond) // goroutines that are ending
	after := measure(t)
	t.Logf("%d attachments in %v (%v each); before %+v, after %+v", runs, elapsed.Round(time.Millisecond), (elapsed / time.Duration(runs)).Round(time.Microsecond), before, after)
	if after.fds != before.fds {
		t.Errorf("file descriptors: %d before, %d after %d runs", before.fds, after.fds, runs)
	}
	if after.goroutines > before.goroutines+2 {
		t.Errorf("goroutines: %d before, %d after %d runs", before.goroutines, after.goroutines, runs)
	}
	if after.threads > before.threads+4 {
		t.Errorf("threads: %d before, %d after %d runs", before.threads, after.threads, runs)
	}
	if after.strayThreads != 0 {
		t.Errorf("%d threads left in another network namespace", after.strayThreads)
	}
	left, err := filepath.Glob(filepath.Join(netns.RunDir, prefix+"*"))
	if err != nil || len(left) != 0 {
		t.Errorf("namespaces left: %v %v", left, err)
	}
	if got := ipJSON(t, host.Name, "link", "show", "type", "veth"); len(got) != 0 {
		t.Errorf("%d host veths left", len(got))
	}
}
