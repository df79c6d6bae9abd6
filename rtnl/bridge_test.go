package rtnl_test

import (
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// bridgeNS builds a bridge br0 (up) with two veth ports, p0 and q0, and
// returns the namespace, a Handle in it and the links' indexes.
func bridgeNS(t *testing.T) (*netnstest.NS, *rtnl.Handle, map[string]int) {
	t.Helper()
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge", "veth")
	ns.IP("link", "add", "br0", "type", "bridge")
	ns.IP("link", "add", "p0", "type", "veth", "peer", "name", "p1")
	ns.IP("link", "add", "q0", "type", "veth", "peer", "name", "q1")
	for _, d := range []string{"p0", "q0"} {
		ns.IP("link", "set", d, "master", "br0")
	}
	// No IPv6 link-local addresses: their multicast listener reports
	// would make the kernel learn MDB entries of its own.
	for _, d := range []string{"br0", "p0", "p1", "q0", "q1"} {
		ns.IP("link", "set", d, "addrgenmode", "none")
		ns.IP("link", "set", d, "up")
	}
	idx := map[string]int{}
	links, err := h.ListLinks(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		idx[l.Name] = l.Index
	}
	return ns, h, idx
}

func TestBridgePortsAndSet(t *testing.T) {
	_, h, idx := bridgeNS(t)
	ports, err := h.ListBridgePorts(bg, &rtnl.BridgePortFilter{MasterIndex: idx["br0"]})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ports {
		if p.LinkIndex == idx["br0"] {
			continue
		}
		names = append(names, p.Name)
		if p.MasterIndex != idx["br0"] || p.Port == nil || p.Port.State == nil || p.Port.Learning == nil || !*p.Port.Learning {
			t.Errorf("port %s: master %d, port info %+v", p.Name, p.MasterIndex, p.Port)
		}
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"p0", "q0"}) {
		t.Fatalf("ports %v, want p0 q0", names)
	}

	off, cost := false, uint32(77)
	if err := h.SetBridgePort(bg, &rtnl.BridgePort{LinkIndex: idx["p0"], Port: &rtnl.BridgePortInfo{Learning: &off, Cost: &cost, NeighSuppress: new(true)}}); err != nil {
		t.Fatal(err)
	}
	ports, err = h.ListBridgePorts(bg, &rtnl.BridgePortFilter{LinkIndex: idx["p0"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(ports) != 1 {
		t.Fatalf("%d ports for p0", len(ports))
	}
	pi := ports[0].Port
	if pi == nil || pi.Learning == nil || *pi.Learning || pi.Cost == nil || *pi.Cost != 77 || pi.NeighSuppress == nil || !*pi.NeighSuppress {
		t.Fatalf("after set: %+v", pi)
	}
	// The same port through the link listing, as a bridge_slave.
	l, err := h.LinkByIndex(bg, idx["p0"])
	if err != nil {
		t.Fatal(err)
	}
	if sd, ok := l.Info.SlaveData.(*rtnl.BridgePortInfo); !ok || sd.Cost == nil || *sd.Cost != 77 {
		t.Fatalf("link's slave data %#v", l.Info.SlaveData)
	}
	// A port that does not exist is named in the error.
	err = h.SetBridgePort(bg, &rtnl.BridgePort{LinkIndex: 9999, Port: &rtnl.BridgePortInfo{Learning: &off}})
	if err == nil {
		t.Fatal("set of link 9999 succeeded")
	}
	t.Logf("error: %v", err)
}

func TestMDBEntries(t *testing.T) {
	ns, h, idx := bridgeNS(t)
	ok, why := kfeature.HasBridgeMcastSnooping(t, ns)
	kfeature.Require(t, kfeature.BridgeMcastSnoopingFeature, ok, why)
	entries := []rtnl.MDBEntry{
		{MasterIndex: idx["br0"], LinkIndex: idx["p0"], Group: netip.MustParseAddr("239.1.1.1"), State: rtnl.MDBPermanent},
		{MasterIndex: idx["br0"], LinkIndex: idx["q0"], Group: netip.MustParseAddr("239.1.1.2")},
		{MasterIndex: idx["br0"], LinkIndex: idx["p0"], Group: netip.MustParseAddr("ff0e::1"), State: rtnl.MDBPermanent},
	}
	for i := range entries {
		if err := h.AddMDBEntry(bg, &entries[i]); err != nil {
			t.Fatalf("add %v: %v", entries[i].String(), err)
		}
	}
	if err := h.AddMDBEntry(bg, &entries[0]); !os.IsExist(err) && err == nil {
		t.Errorf("adding %v twice: %v", entries[0].String(), err)
	}
	got, err := h.ListMDBEntries(bg, &rtnl.MDBEntryFilter{MasterIndex: idx["br0"]})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range entries {
		found := false
		for _, g := range got {
			if g.LinkIndex == want.LinkIndex && g.Group == want.Group && g.State == want.State && g.VID == want.VID {
				found = true
				if g.State == rtnl.MDBTemporary && g.Timer == 0 {
					t.Errorf("%v: temporary without a timer", g.String())
				}
			}
		}
		if !found {
			t.Errorf("%v not listed; listed %+v", want.String(), got)
		}
	}
	// bridge mdb show agrees on the count (it shows the bridge's own
	// entries too).
	out := ns.Exec("bridge", "mdb", "show", "dev", "br0")
	if n := len(slices.DeleteFunc(splitLines(out), func(s string) bool { return s == "" })); n != len(got) {
		t.Errorf("bridge mdb show lists %d, ListMDBEntries %d:\n%s", n, len(got), out)
	}
	only, err := h.ListMDBEntries(bg, &rtnl.MDBEntryFilter{LinkIndex: idx["q0"]})
	if err != nil || len(only) != 1 || only[0].Group != entries[1].Group {
		t.Errorf("entries of q0: %+v %v", only, err)
	}
	for i := range entries {
		if err := h.DeleteMDBEntry(bg, &entries[i]); err != nil {
			t.Fatalf("delete %v: %v", entries[i].String(), err)
		}
	}
	// What is left is the bridge's own (its all-snoopers group, ff02::6a).
	got, err = h.ListMDBEntries(bg, nil)
	if err != nil || slices.ContainsFunc(got, func(e rtnl.MDBEntry) bool { return e.LinkIndex != idx["br0"] }) {
		t.Fatalf("after deleting: %+v %v", got, err)
	}
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// vlanBridgeNS is bridgeNS with VLAN filtering on, and a VXLAN port vx0
// with vlan_tunnel on.
func vlanBridgeNS(t *testing.T) (*netnstest.NS, *rtnl.Handle, map[string]int) {
	t.Helper()
	ns, h, idx := bridgeNS(t)
	ok, why := kfeature.HasBridgeVLANFiltering(t, ns)
	kfeature.Require(t, kfeature.BridgeVLANFilteringFeature, ok, why)
	kfeature.RequireLinkKinds(t, ns, "vxlan")
	ns.IP("link", "set", "br0", "type", "bridge", "vlan_filtering", "1")
	ns.IP("link", "add", "vx0", "type", "vxlan", "dstport", "4789", "local", "10.0.0.1", "nolearning", "external")
	ns.IP("link", "set", "vx0", "master", "br0")
	ns.IP("link", "set", "vx0", "type", "bridge_slave", "vlan_tunnel", "on", "learning", "off")
	ns.IP("link", "set", "vx0", "up")
	l, err := h.LinkByName(bg, "vx0")
	if err != nil {
		t.Fatal(err)
	}
	idx["vx0"] = l.Index
	return ns, h, idx
}

func TestBridgeVLANs(t *testing.T) {
	_, h, idx := vlanBridgeNS(t)
	adds := []rtnl.BridgeVLAN{
		{LinkIndex: idx["p0"], VID: 10, Flags: rtnl.BridgeVLANPVID | rtnl.BridgeVLANUntagged},
		{LinkIndex: idx["p0"], VID: 20, VIDEnd: 25},
		{LinkIndex: idx["q0"], VID: 30, Flags: rtnl.BridgeVLANUntagged},
		{LinkIndex: idx["vx0"], VID: 100, VIDEnd: 102},
		{LinkIndex: idx["br0"], VID: 10, Where: rtnl.BridgeFlagSelf},
	}
	for i := range adds {
		if err := h.AddBridgeVLAN(bg, &adds[i]); err != nil {
			t.Fatalf("add %v: %v", adds[i].String(), err)
		}
	}
	tun := rtnl.BridgeVLANTunnel{LinkIndex: idx["vx0"], VID: 100, VIDEnd: 102, TunnelID: 1100}
	if err := h.AddBridgeVLANTunnel(bg, &tun); err != nil {
		t.Fatalf("add %v: %v", tun.String(), err)
	}
	ports, err := h.ListBridgePorts(bg, &rtnl.BridgePortFilter{VLANs: true, CompressVLANs: true})
	if err != nil {
		t.Fatal(err)
	}
	vlans := map[int][]rtnl.BridgeVLAN{}
	var tunnels []rtnl.BridgeVLANTunnel
	for _, p := range ports {
		for _, v := range p.VLANs {
			v.Flags &^= rtnl.BridgeVLANMaster | rtnl.BridgeVLANBrEntry
			vlans[p.LinkIndex] = append(vlans[p.LinkIndex], v)
		}
		tunnels = append(tunnels, p.Tunnels...)
	}
	has := func(link int, vid, end uint16, flags rtnl.BridgeVLANFlags) bool {
		for _, v := range vlans[link] {
			if v.VID == vid && v.VIDEnd == end && v.Flags == flags {
				return true
			}
		}
		return false
	}
	for _, a := range adds {
		if !has(a.LinkIndex, a.VID, a.VIDEnd, a.Flags) {
			t.Errorf("%v not listed: %+v", a.String(), vlans[a.LinkIndex])
		}
	}
	want := tun
	want.TunnelIDEnd = 1102
	if !slices.Contains(tunnels, want) {
		t.Errorf("tunnel %+v not listed: %+v", want, tunnels)
	}
	// Uncompressed: one entry per VLAN.
	ports, err = h.ListBridgePorts(bg, &rtnl.BridgePortFilter{LinkIndex: idx["p0"], VLANs: true})
	if err != nil || len(ports) != 1 {
		t.Fatalf("p0: %+v %v", ports, err)
	}
	if n := len(ports[0].VLANs); n < 7 {
		t.Errorf("p0 uncompressed: %d VLANs, want 1 PVID (default 1 may be there too) + 10 + 20..25", n)
	}
	// The VLAN database: ranges of VLANs with the same options, their
	// STP state and tunnel ids.
	// (With counters, which differ from VLAN to VLAN, the kernel sends
	// no ranges.)
	db, err := h.ListBridgeVLANEntries(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	withStats, err := h.ListBridgeVLANEntries(bg, &rtnl.BridgeVLANEntryFilter{LinkIndex: idx["p0"], Stats: true})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range withStats {
		if e.LinkIndex != idx["p0"] || e.Stats == nil {
			t.Errorf("VLAN database of p0 with counters: %+v", e)
		}
		if e.VID == 10 && e.Flags&rtnl.BridgeVLANPVID != 0 {
			found++
		}
	}
	for _, e := range db {
		switch {
		case e.LinkIndex == idx["p0"] && e.VID == 20 && e.VIDEnd == 25 && e.Stats == nil:
			found++
		case e.LinkIndex == idx["vx0"] && e.VID <= 101 && 101 <= max(e.VID, e.VIDEnd) && e.TunnelID == 1100+uint32(e.VID-100):
			found++
		}
	}
	if found != 3 {
		t.Errorf("VLAN database: found %d of 3 entries in %+v", found, db)
	}
	if err := h.DeleteBridgeVLANTunnel(bg, &tun); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteBridgeVLAN(bg, &adds[1]); err != nil {
		t.Fatal(err)
	}
	ports, err = h.ListBridgePorts(bg, &rtnl.BridgePortFilter{VLANs: true, CompressVLANs: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ports {
		if len(p.Tunnels) != 0 {
			t.Errorf("%s: tunnels left: %+v", p.Name, p.Tunnels)
		}
		for _, v := range p.VLANs {
			if p.LinkIndex == idx["p0"] && v.VID >= 20 && v.VID <= 25 {
				t.Errorf("p0: VLAN %+v left", v)
			}
		}
	}
}

func TestFDBVXLANEntries(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "vxlan", "veth")
	ns.IP("link", "add", "u0", "type", "veth", "peer", "name", "u1")
	ns.IP("link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789", "local", "10.0.0.1")
	ns.IP("addr", "add", "10.0.0.1/24", "dev", "u0")
	for _, d := range []string{"u0", "u1", "vx0"} {
		ns.IP("link", "set", d, "up")
	}
	ns.IP("nexthop", "add", "id", "1", "via", "10.0.0.2", "fdb")
	ns.IP("nexthop", "add", "id", "2", "via", "10.0.0.3", "fdb")
	ns.IP("nexthop", "add", "id", "10", "group", "1/2", "fdb")
	vx, err := h.LinkByName(bg, "vx0")
	if err != nil {
		t.Fatal(err)
	}
	u0, err := h.LinkByName(bg, "u0")
	if err != nil {
		t.Fatal(err)
	}
	mac := func(b byte) net.HardwareAddr { return net.HardwareAddr{2, 0, 0, 0, 0, b} }
	entries := []rtnl.Neighbour{
		{Family: rtnl.Bridge, LinkIndex: vx.Index, LinkAddr: mac(1), Addr: netip.MustParseAddr("10.0.0.4"), Flags: rtnl.NeighSelf,
			VNI: 1101, Port: 4790, ViaLinkIndex: u0.Index, State: rtnl.NeighPermanent},
		{Family: rtnl.Bridge, LinkIndex: vx.Index, LinkAddr: mac(2), Flags: rtnl.NeighSelf, NexthopID: 10, State: rtnl.NeighPermanent},
	}
	for i := range entries {
		if err := h.AddNeighbour(bg, &entries[i]); err != nil {
			t.Fatalf("add %v: %v", entries[i].String(), err)
		}
	}
	got, err := h.ListNeighbours(bg, &rtnl.NeighbourFilter{Family: rtnl.Bridge, LinkIndex: vx.Index})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range entries {
		found := false
		for _, g := range got {
			if g.LinkAddr.String() == want.LinkAddr.String() {
				found = true
				if g.Addr != want.Addr || g.VNI != want.VNI || g.Port != want.Port || g.ViaLinkIndex != want.ViaLinkIndex || g.NexthopID != want.NexthopID {
					t.Errorf("listed %+v, added %+v", g, want)
				}
			}
		}
		if !found {
			t.Errorf("%v not listed", want.String())
		}
	}
	for i := range entries {
		if err := h.DeleteNeighbour(bg, &entries[i]); err != nil {
			t.Fatalf("delete %v: %v", entries[i].String(), err)
		}
	}
}

// TestCaptureBridgeSeeds records the kernel's bridge family link messages
// (ports, VLANs and tunnel mappings where the kernel has VLAN filtering)
// and MDB dumps as seeds of FuzzBridgePort and FuzzMDB.
func TestCaptureBridgeSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	ns, h, idx := bridgeNS(t)
	ns.Exec("bridge", "link", "set", "dev", "p0", "learning", "off", "cost", "5")
	ns.Exec("bridge", "mdb", "add", "dev", "br0", "port", "p0", "grp", "239.1.1.1", "permanent")
	ns.Exec("bridge", "mdb", "add", "dev", "br0", "port", "q0", "grp", "ff0e::1")
	if ok, _ := kfeature.HasBridgeVLANFiltering(t, ns); ok {
		ns.IP("link", "set", "br0", "type", "bridge", "vlan_filtering", "1")
		ns.Exec("bridge", "vlan", "add", "dev", "p0", "vid", "10", "pvid", "untagged")
		ns.Exec("bridge", "vlan", "add", "dev", "p0", "vid", "20-25")
	}
	_ = idx
	links := func(mask uint32) func(*nl.Encoder) {
		return func(e *nl.Encoder) {
			e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
			e.Fixed(unix.SizeofIfInfomsg)[0] = unix.AF_BRIDGE
			if mask != 0 {
				e.Uint32(unix.IFLA_EXT_MASK, mask)
			}
			e.End()
		}
	}
	captureSeeds(t, "FuzzBridgePort", h, links(0))
	captureSeeds(t, "FuzzBridgePort", h, links(1<<2))
	if ok, _ := kfeature.HasBridgeVLANFiltering(t, ns); ok {
		captureSeeds(t, "FuzzBridgeVLANDB", h, func(e *nl.Encoder) {
			e.Begin(112+2, unix.NLM_F_DUMP) // RTM_GETVLAN
			e.Fixed(8)[0] = unix.AF_BRIDGE
			e.Uint32(1, 1) // BRIDGE_VLANDB_DUMP_FLAGS: stats
			e.End()
		})
	}
	captureSeeds(t, "FuzzMDB", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETMDB, unix.NLM_F_DUMP)
		e.Fixed(8)[0] = unix.AF_BRIDGE
		e.End()
	})
}
