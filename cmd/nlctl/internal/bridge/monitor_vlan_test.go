package bridge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// TestDiffBridgeMonitorVLAN runs bridge monitor fdb vlan and nlctl bridge
// monitor fdb vlan side by side while VLANs are set, added and deleted
// and global options change, and compares what they print between two
// markers. (bridge does not flush its output after a VLAN event, so FDB
// markers follow them; then with "all", the banners.)
func TestDiffBridgeMonitorVLAN(t *testing.T) {
	ns := vlanState(t)
	globals, _ := hasVLANGlobals(t, ns)
	for n, groups := range [][]string{{"fdb", "vlan"}, {"all"}} {
		t.Run(strings.Join(groups, " "), func(t *testing.T) {
			// bridge monitor all joins the tunnel group too, and exits
			// where the kernel has none (before 6.0).
			if groups[0] == "all" {
				if err := ns.Dial(nl.Route, nil).JoinGroup(rtnl.GroupTunnel); err != nil {
					netnstest.SkipFeature(t, "the tunnel multicast group (RTNLGRP_TUNNEL), which bridge monitor all joins",
						"joining it answered "+err.Error())
				}
			}
			theirs, ours, stop := startMonitors(t, ns, groups...)
			m1 := syncMark(t, ns, 10+2*n, theirs, ours)
			bridgeCmd(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "state", "blocking")
			bridgeCmd(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "state", "forwarding")
			bridgeCmd(t, ns, "vlan", "add", "dev", "v1", "vid", "31-33")
			bridgeCmd(t, ns, "vlan", "del", "dev", "v1", "vid", "31-33")
			bridgeCmd(t, ns, "vlan", "add", "dev", "br0", "vid", "20", "self")
			bridgeCmd(t, ns, "vlan", "del", "dev", "br0", "vid", "20", "self")
			if globals {
				bridgeCmd(t, ns, "vlan", "global", "set", "dev", "br0", "vid", "10", "mcast_query_interval", "13000")
				bridgeCmd(t, ns, "vlan", "global", "set", "dev", "br0", "vid", "21-22", "mcast_snooping", "0")
				bridgeCmd(t, ns, "vlan", "global", "set", "dev", "br0", "vid", "21-22", "mcast_snooping", "1")
			}
			m2 := syncMark(t, ns, 11+2*n, theirs, ours)
			stop()
			want, got := between(theirs.String(), m1, m2), between(ours.String(), m1, m2)
			if !strings.Contains(strings.Join(want, "\n"), "state blocking") || strings.Join(want, "\n") != strings.Join(got, "\n") {
				t.Errorf("between the markers:\n%s", lineDiff(strings.Join(want, "\n"), strings.Join(got, "\n")))
			}
		})
	}
}

// TestBridgeMonitorVLANJSON checks nlctl bridge -j monitor vlan's events
// (bridge 6.1's own JSON of them is not well formed): one object per
// line, with the port, its VLANs, and a deletion marked.
func TestBridgeMonitorVLANJSON(t *testing.T) {
	ns := vlanState(t)
	ours := new(syncBuffer)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- cli.Main(ctx, registry(), []string{"-n", ns.Name, "-j", "bridge", "monitor", "vlan"}, strings.NewReader(""), ours, new(syncBuffer))
	}()
	for i := 0; !strings.Contains(ours.String(), `"state":"blocking"`); i++ {
		if i == 500 {
			t.Fatalf("no VLAN event: %q", ours.String())
		}
		bridgeCmd(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "state", "blocking")
		bridgeCmd(t, ns, "vlan", "set", "dev", "v0", "vid", "10", "state", "forwarding")
		time.Sleep(10 * time.Millisecond)
	}
	bridgeCmd(t, ns, "vlan", "del", "dev", "v1", "vid", "30")
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
		if !strings.HasPrefix(l, `{"`) || !strings.HasSuffix(l, "}]}") {
			t.Errorf("not one object per line: %q", l)
		}
	}
	out := ours.String()
	if !strings.Contains(out, `{"ifname":"v0","vlans":[{"vlan":10,"flags":["PVID","Egress Untagged"],"state":"blocking"`) ||
		!strings.Contains(out, `{"deleted":true,"ifname":"v1","vlans":[{"vlan":30,"state":"disabled"}]}`) {
		t.Errorf("events: %s", out)
	}
}
