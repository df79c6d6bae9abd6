package bridge

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// counterLine matches the RX and TX lines of bridge -s vlan show, whose
// numbers move with traffic.
var counterLine = regexp.MustCompile(`(RX|TX): \d+ bytes \d+ packets`)

// textBothCounters is textBoth for outputs with counters: their numbers
// are compared as numbers, not values.
func textBothCounters(t *testing.T, ns *netnstest.NS, args ...string) {
	t.Helper()
	norm := func(s string) string { return counterLine.ReplaceAllString(s, "$1: N bytes N packets") }
	want := bridgeCmd(t, ns, args...)
	code, got, errs := nlctl(append([]string{"-n", ns.Name, "bridge"}, args...)...)
	if code != 0 || norm(got) != norm(want) {
		t.Errorf("nlctl bridge %s: exit %d %s\n%s", strings.Join(args, " "), code, errs, lineDiff(want, got))
	}
}

// TestDiffBridgeVLANStatsAny compares bridge -s vlan show on any kernel:
// without VLAN filtering, both print the header alone.
func TestDiffBridgeVLANStatsAny(t *testing.T) {
	ns, _ := state(t)
	textBothCounters(t, ns, "-s", "vlan", "show")
	showBoth(t, ns, "-s", "vlan", "show")
}

// TestDiffBridgeVLANStats sends frames into the bridge in VLAN 10 with
// the bridge's VLAN counters on, then compares bridge -s vlan show (link
// statistics) and bridge -d -s vlan show (the VLAN database's counters)
// with nlctl's: keys, flags and lines; counters by type, as they move.
func TestDiffBridgeVLANStats(t *testing.T) {
	ns := vlanState(t)
	ns.IP("link", "set", "br0", "type", "bridge", "vlan_stats_enabled", "1")
	// v0p's ARP requests come into the bridge through v0, untagged: VLAN
	// 10, v0's PVID.
	ns.IP("addr", "add", "192.0.2.1/24", "dev", "v0p")
	for range 3 {
		ns.TryExec("ping", "-c", "1", "-W", "1", "192.0.2.2")
	}
	code, out, errs := nlctl("-n", ns.Name, "-j", "bridge", "-s", "vlan", "show", "dev", "v0", "vid", "10")
	if code != 0 {
		t.Fatalf("nlctl bridge -j -s vlan show: exit %d %s", code, errs)
	}
	var ports []struct {
		Ifname string
		VLANs  []struct {
			VID       int    `json:"vid"`
			RxPackets uint64 `json:"rx_packets"`
		} `json:"vlans"`
	}
	if err := json.Unmarshal([]byte(out), &ports); err != nil || len(ports) != 1 || len(ports[0].VLANs) != 1 ||
		ports[0].VLANs[0].VID != 10 || ports[0].VLANs[0].RxPackets == 0 {
		t.Errorf("v0's VLAN 10 counted nothing received: %v %s", err, out)
	}
	for _, args := range [][]string{
		{"-s", "vlan", "show"},
		{"-s", "vlan", "show", "dev", "v0"},
		{"-s", "vlan", "show", "dev", "br0"},
		{"-s", "vlan", "show", "vid", "10"},
		{"-s", "vlan", "show", "vid", "22"},
		{"-d", "-s", "vlan", "show"},
		{"-d", "-s", "vlan", "show", "dev", "v0", "vid", "10"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			textBothCounters(t, ns, args...)
			showBoth(t, ns, args...)
		})
	}
}
