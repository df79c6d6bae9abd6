package bridge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// vniMonitorState is state (whose FDB the monitors' markers go in) with
// two VXLAN devices with a VNI filter: vf0, and vf1 with a local address
// and an underlay device for multicast groups. A kernel without the VNI
// filter skips the test.
func vniMonitorState(t *testing.T) *netnstest.NS {
	t.Helper()
	ns, _ := state(t)
	kfeature.RequireVxlanVNIFilter(t, ns)
	if err := ns.Dial(nl.Route, nil).JoinGroup(rtnl.GroupTunnel); err != nil {
		netnstest.SkipFeature(t, "the tunnel multicast group (RTNLGRP_TUNNEL), which VNI events go to",
			"joining it answered "+err.Error())
	}
	ns.IP("link", "add", "vf0", "type", "vxlan", "dstport", "4795", "external", "vnifilter")
	ns.IP("link", "add", "vf1", "type", "vxlan", "dstport", "4796", "local", "10.0.0.1", "dev", "u0", "external", "vnifilter")
	for _, d := range []string{"vf0", "vf1"} {
		ns.IP("link", "set", d, "addrgenmode", "none")
		ns.IP("link", "set", d, "up")
	}
	return ns
}

// TestDiffBridgeMonitorVNI runs bridge monitor fdb vni and nlctl bridge
// monitor fdb vni side by side while VNIs come and go, and compares what
// they print between two markers; then with "all", the banners and the
// FDB entries a VNI's remote adds.
func TestDiffBridgeMonitorVNI(t *testing.T) {
	ns := vniMonitorState(t)
	for n, groups := range [][]string{{"fdb", "vni"}, {"all"}} {
		t.Run(strings.Join(groups, " "), func(t *testing.T) {
			theirs, ours, stop := startMonitors(t, ns, groups...)
			m1 := syncMark(t, ns, 20+2*n, theirs, ours)
			bridgeCmd(t, ns, "vni", "add", "vni", "100", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "add", "vni", "200-202", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "add", "vni", "300", "remote", "10.0.0.5", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "add", "vni", "400", "remote", "2001:db8::1", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "add", "vni", "500", "group", "239.1.1.1", "dev", "vf1")
			bridgeCmd(t, ns, "vni", "delete", "vni", "201", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "delete", "vni", "100,200,202,300,400", "dev", "vf0")
			bridgeCmd(t, ns, "vni", "delete", "vni", "500", "dev", "vf1")
			m2 := syncMark(t, ns, 21+2*n, theirs, ours)
			stop()
			want, got := between(theirs.String(), m1, m2), between(ours.String(), m1, m2)
			t.Logf("bridge monitor %s printed:\n%s", strings.Join(groups, " "), strings.Join(want, "\n"))
			if !strings.Contains(strings.Join(want, "\n"), "Deleted vf0                201") || strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("between the markers:\n%s\nbridge:\n%s", lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")), strings.Join(want, "\n"))
			}
		})
	}
}

// TestBridgeMonitorVNIJSON checks nlctl bridge -j monitor vni's events
// (bridge 6.1 prints text there): one object per line, with the device,
// its VNIs, and a deletion marked.
func TestBridgeMonitorVNIJSON(t *testing.T) {
	ns := vniMonitorState(t)
	ours := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, registry(), []string{"-n", ns.Name, "-j", "bridge", "monitor", "vni"}, strings.NewReader(""), ours, new(syncBuffer))
	}()
	// The monitor does not say when it listens: add and delete until it
	// has printed both.
	for i := 0; !strings.Contains(ours.String(), `"deleted":true`); i++ {
		if i == 500 {
			t.Fatalf("no VNI events: %q", ours.String())
		}
		bridgeCmd(t, ns, "vni", "add", "vni", "300", "remote", "10.0.0.5", "dev", "vf0")
		bridgeCmd(t, ns, "vni", "delete", "vni", "300", "dev", "vf0")
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, l := range strings.Split(strings.TrimSpace(ours.String()), "\n") {
		if l != `{"ifname":"vf0","vnis":[{"vni":300,"remote":"10.0.0.5"}]}` && l != `{"deleted":true,"ifname":"vf0","vnis":[{"vni":300,"remote":"10.0.0.5"}]}` {
			t.Errorf("event: %q", l)
		}
	}
}
