package iproute

import (
	"bufio"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// batchRouteFile writes n `route add` lines, the ones in bad refused by
// the kernel (a gateway that is not on the link), and returns its path.
func batchRouteFile(t testing.TB, n int, bad map[int]bool) string {
	path := filepath.Join(t.TempDir(), "routes.batch")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for line := 1; line <= n; line++ {
		gw := "10.1.0.2"
		if bad[line] {
			gw = "10.9.9.9"
		}
		fmt.Fprintf(w, "route add %s via %s dev r0\n", batchDst(line), gw)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func batchDst(line int) string {
	return netip.AddrFrom4([4]byte{10, byte(100 + line>>16), byte(line >> 8), byte(line)}).String()
}

func batchNS(t testing.TB) *netnstest.NS {
	ns := netnstest.New(t)
	ns.IP("link", "add", "r0", "type", "veth", "peer", "name", "r1")
	ns.IP("link", "set", "r0", "up")
	ns.IP("link", "set", "r1", "up")
	ns.IP("addr", "add", "10.1.0.1/24", "dev", "r0")
	return ns
}

// installedLines returns the batch lines whose route is in the main table.
func installedLines(t testing.TB, ns *netnstest.NS) map[int]bool {
	h, err := rtnl.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	lines := map[int]bool{}
	for r, err := range h.Routes(bg, &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain}) {
		if err != nil {
			t.Fatal(err)
		}
		a := r.Dst.Addr().As4()
		if r.Dst.Bits() == 32 && a[1] >= 100 {
			lines[int(a[1]-100)<<16|int(a[2])<<8|int(a[3])] = true
		}
	}
	return lines
}

var bg = context.Background()

var lineError = regexp.MustCompile(`^nlctl: line (\d+): add route (\S+) via 10\.9\.9\.9 dev r0: Nexthop has invalid gateway`)

// Acceptance 3: 100,000 route lines with 3 invalid ones in the middle.
func TestBatch100kRoutesForce(t *testing.T) {
	ns := batchNS(t)
	bad := map[int]bool{30000: true, 50000: true, 70000: true}
	path := batchRouteFile(t, 100000, bad)
	code, _, errs := nlctl("-n", ns.Name, "-force", "-batch", path)
	if code != cli.ExitFailure { // as ip -batch, whatever refused the commands
		t.Fatalf("exit %d, want 1; stderr:\n%.2000s", code, errs)
	}
	reported := map[int]bool{}
	for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
		m := lineError.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("unexpected report line %q", l)
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] != batchDst(n) {
			t.Errorf("line %d reported with route %s", n, m[2])
		}
		reported[n] = true
	}
	if len(reported) != 3 || !reported[30000] || !reported[50000] || !reported[70000] {
		t.Fatalf("reported lines %v, want 30000, 50000, 70000", reported)
	}
	got := installedLines(t, ns)
	if len(got) != 99997 {
		t.Fatalf("%d routes installed, want 99,997", len(got))
	}
	for l := range bad {
		if got[l] {
			t.Errorf("line %d installed", l)
		}
	}
}

var notApplied = regexp.MustCompile(`(?m)^nlctl: lines (\d+) to (\d+) not applied$`)

// Without -force the run stops with the batch that failed: the failure is
// reported, what was not applied is said, and nothing after it is applied.
func TestBatch100kRoutesStop(t *testing.T) {
	ns := batchNS(t)
	path := batchRouteFile(t, 100000, map[int]bool{30000: true, 50000: true, 70000: true})
	code, _, errs := nlctl("-n", ns.Name, "-batch", path)
	if code != cli.ExitFailure {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != 2 || !lineError.MatchString(lines[0]) || !strings.Contains(lines[0], "line 30000:") {
		t.Fatalf("stderr:\n%s", errs)
	}
	m := notApplied.FindStringSubmatch(errs)
	if m == nil {
		t.Fatalf("no 'not applied' report:\n%s", errs)
	}
	first, _ := strconv.Atoi(m[1])
	if first <= 30000 {
		t.Fatalf("first line not applied %d", first)
	}
	got := installedLines(t, ns)
	if len(got) != first-2 {
		t.Fatalf("%d routes installed, want lines 1 to %d but 30000 (%d)", len(got), first-1, first-2)
	}
	if got[30000] || !got[first-1] || got[first] {
		t.Fatalf("installed: 30000 %v, %d %v, %d %v", got[30000], first-1, got[first-1], first, got[first])
	}
	t.Logf("stopped: %s", m[0])
}

// A batch mixes objects and commands that read state: each line sees what
// the lines before it did; usage errors are reported with their line.
func TestBatchMixed(t *testing.T) {
	ns := batchNS(t)
	path := filepath.Join(t.TempDir(), "mixed.batch")
	os.WriteFile(path, []byte(`# a comment, then a blank line

route add 10.50.0.0/16 via 10.1.0.2
route add 10.51.0.0/16 \
    via 10.1.0.2 metric 7
route show 10.50.0.0/16
route del 10.50.0.0/16
route add 10.52.0.0/16 via 10.1.0.2 bogus
route add 10.53.0.0/16 dev nosuchdev
`), 0o644)
	code, out, errs := nlctl("-n", ns.Name, "-force", "-batch", path)
	// Line 8 cannot be parsed: 255, as ip -batch, which stops there;
	// with -force nlctl goes on and reports line 9 too.
	if code != cli.ExitSyntax {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "10.50.0.0/16 via 10.1.0.2 dev r0") {
		t.Fatalf("show inside the batch: %q", out)
	}
	if !strings.Contains(errs, `line 8: either "to" is duplicate, or "bogus" is garbage`) || !strings.Contains(errs, `line 9: Cannot find device "nosuchdev"`) {
		t.Fatalf("stderr: %s", errs)
	}
	got := ns.IP("-o", "route", "show")
	if strings.Contains(got, "10.50.0.0") || !strings.Contains(got, "10.51.0.0/16 via 10.1.0.2 dev r0 metric 7") {
		t.Fatalf("routes: %s", got)
	}
}
