package bridge

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// syncBuffer is a monitor's output, read while it is written.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startMonitors runs `bridge monitor ARGS` (a process) and `nlctl bridge
// monitor ARGS` (in process) in ns; the function returned stops both.
func startMonitors(t *testing.T, ns *netnstest.NS, args ...string) (theirs, ours *syncBuffer, stop func()) {
	t.Helper()
	theirs, ours = new(syncBuffer), new(syncBuffer)
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "bridge", "monitor"}, args...)...)
	cmd.Stdout, cmd.Stderr = theirs, theirs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var errs syncBuffer
	go func() {
		done <- cli.Main(ctx, registry(), append([]string{"-n", ns.Name, "bridge", "monitor"}, args...), strings.NewReader(""), ours, &errs)
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("nlctl bridge monitor: exit %d: %s", code, errs.String())
			}
		})
	}
	t.Cleanup(stop)
	return theirs, ours, stop
}

// syncMark adds marker FDB entries on port until both monitors have
// printed the same one, and returns its MAC address: monitors neither say
// when they listen nor start at once.
func syncMark(t *testing.T, ns *netnstest.NS, n int, outs ...*syncBuffer) string {
	t.Helper()
	for i := 1; i < 200; i++ {
		mac := fmt.Sprintf("02:ff:00:00:%02x:%02x", n, i)
		bridgeCmd(t, ns, "fdb", "add", mac, "dev", "v0", "master", "static")
		for wait := 0; wait < 20; wait++ {
			all := true
			for _, o := range outs {
				if !strings.Contains(o.String(), mac) {
					all = false
				}
			}
			if all {
				return mac
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	var got []string
	for _, o := range outs {
		got = append(got, tail(o.String()))
	}
	t.Fatalf("the monitors did not both print a marker; their outputs end with %q", got)
	return ""
}

// between returns the lines of out after the line holding from and up to
// the line holding to.
func between(out, from, to string) []string {
	var lines []string
	in := false
	for _, l := range strings.Split(out, "\n") {
		switch {
		case strings.Contains(l, from):
			in = true
		case strings.Contains(l, to):
			return lines
		case in:
			lines = append(lines, l)
		}
	}
	return lines
}

// TestDiffBridgeMonitor runs bridge monitor fdb mdb and nlctl bridge
// monitor fdb mdb side by side while FDB and MDB entries come and go, and
// compares what they print between two markers; then a port's link
// event.
func TestDiffBridgeMonitor(t *testing.T) {
	ns, _ := state(t)
	mdb, _ := kfeature.HasBridgeMcastSnooping(t, ns)
	theirs, ours, stop := startMonitors(t, ns, "fdb", "mdb")
	m1 := syncMark(t, ns, 1, theirs, ours)
	bridgeCmd(t, ns, "fdb", "add", "02:00:00:00:01:01", "dev", "v1", "master", "static")
	bridgeCmd(t, ns, "fdb", "add", "02:00:00:00:01:02", "dev", "vx0", "dst", "10.0.0.7", "vni", "7", "self")
	bridgeCmd(t, ns, "fdb", "del", "02:00:00:00:01:01", "dev", "v1", "master")
	if mdb {
		bridgeCmd(t, ns, "mdb", "add", "dev", "br0", "port", "v1", "grp", "239.7.7.7", "permanent")
		bridgeCmd(t, ns, "mdb", "del", "dev", "br0", "port", "v1", "grp", "239.7.7.7", "permanent")
	}
	m2 := syncMark(t, ns, 2, theirs, ours)
	stop()
	want, got := between(theirs.String(), m1, m2), between(ours.String(), m1, m2)
	if len(want) < 3 || strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("between the markers:\nbridge monitor:\n%s\nnlctl:\n%s", strings.Join(want, "\n"), strings.Join(got, "\n"))
	}

	// A port's change as a link event.
	_, ours, stop = startMonitors(t, ns, "link")
	for i := 0; !strings.Contains(ours.String(), "cost 99"); i++ {
		if i == 200 {
			t.Fatalf("no link event for the port's cost: %q", ours.String())
		}
		ns.IP("link", "set", "v1", "type", "bridge_slave", "cost", "99")
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	if !strings.Contains(ours.String(), "v1@v1p: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 9 cost 99") {
		t.Errorf("link event: %q", ours.String())
	}
}

// TestBridgeMonitorJSON checks nlctl bridge -j monitor's events: one
// object per line, a deletion marked as bridge marks it.
func TestBridgeMonitorJSON(t *testing.T) {
	ns, _ := state(t)
	ours := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, registry(), []string{"-n", ns.Name, "-j", "bridge", "monitor", "fdb"}, strings.NewReader(""), ours, new(syncBuffer))
	}()
	syncMark(t, ns, 5, ours)
	bridgeCmd(t, ns, "fdb", "del", "02:00:00:00:00:03", "dev", "v0", "master")
	for i := 0; !strings.Contains(ours.String(), `"deleted":true`); i++ {
		if i == 500 {
			t.Fatalf("no deletion event: %q", ours.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, l := range strings.Split(strings.TrimSpace(ours.String()), "\n") {
		if !strings.HasPrefix(l, "{") || !strings.HasSuffix(l, "}") {
			t.Errorf("not one object per line: %q", l)
		}
	}
	if !strings.Contains(ours.String(), `{"deleted":true,"mac":"02:00:00:00:00:03","ifname":"v0","flags":["sticky"],"master":"br0","state":"static"}`) {
		t.Errorf("deletion event: %s", ours.String())
	}
}
