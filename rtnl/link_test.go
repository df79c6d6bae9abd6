package rtnl_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// ipLinks returns `ip -j [-d] link show ARGS` as generic objects, keyed by
// name.
func ipLinks(t *testing.T, ns *netnstest.NS, args ...string) map[string]map[string]any {
	t.Helper()
	out := ns.IP(append([]string{"-j", "-d", "link", "show"}, args...)...)
	var ls []map[string]any
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		t.Fatalf("ip -j link show %v: %v\n%s", args, err, out)
	}
	m := map[string]map[string]any{}
	for _, l := range ls {
		m[l["ifname"].(string)] = l
	}
	return m
}

// ipLink returns one link as ip sees it, failing the test if it is absent.
func ipLink(t *testing.T, ns *netnstest.NS, name string) map[string]any {
	t.Helper()
	l, ok := ipLinks(t, ns)[name]
	if !ok {
		t.Fatalf("ip does not show link %s", name)
	}
	return l
}

// ipLinkData returns a link's linkinfo.info_data (or info_slave_data).
func ipLinkData(t *testing.T, l map[string]any, key string) map[string]any {
	t.Helper()
	li, _ := l["linkinfo"].(map[string]any)
	d, _ := li[key].(map[string]any)
	if d == nil {
		t.Fatalf("%v has no linkinfo.%s: %v", l["ifname"], key, l)
	}
	return d
}

func linkOp(err error) string {
	var ne *nl.Error
	if errors.As(err, &ne) {
		return ne.Op
	}
	return ""
}

func mustLink(t *testing.T, h *rtnl.Handle, name string) *rtnl.Link {
	t.Helper()
	l, err := h.LinkByName(bg, name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestLinkVethAddListDelete(t *testing.T) {
	ns, h := newHandle(t)
	mac := net.HardwareAddr{0x02, 0, 0, 0, 0, 0x10}
	l := rtnl.Link{
		Name: "v0", MTU: 1400, TxQueueLen: 500, HardwareAddr: mac, Flags: rtnl.LinkUp, Group: 7,
		Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "v0p", MTU: 1300}}},
	}
	if err := h.AddLink(bg, &l); err != nil {
		t.Fatal(err)
	}
	// The kernel settles an up link's operational state later (linkwatch):
	// wait for it, so that ip and the listing below see the same one.
	ctx, cancel := context.WithTimeout(bg, time.Minute)
	defer cancel()
	lowerDown := func(l *rtnl.Link) bool { return l.OperState == rtnl.OperLowerLayerDown }
	if _, err := h.WaitLink(ctx, &rtnl.Link{Name: "v0"}, lowerDown); err != nil {
		t.Fatalf("v0 up with its peer down: %v", err)
	}
	ip := ipLinks(t, ns)
	v0, v0p := ip["v0"], ip["v0p"]
	if v0 == nil || v0p == nil {
		t.Fatalf("ip shows %v", ip)
	}
	if v0["mtu"] != 1400.0 || v0["txqlen"] != 500.0 || v0["address"] != mac.String() || v0["group"] != "7" ||
		!slices.Contains(toStrings(v0["flags"]), "UP") || v0p["mtu"] != 1300.0 || v0["link"] != "v0p" {
		t.Fatalf("v0 %v\nv0p %v", v0, v0p)
	}

	links, err := h.ListLinks(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]rtnl.Link{}
	for _, l := range links {
		byName[l.Name] = l
	}
	if len(links) != 3 || byName["lo"].Type != rtnl.LinkTypeLoopback || byName["lo"].Flags&rtnl.LinkLoopback == 0 {
		t.Fatalf("links: %+v", links)
	}
	g := byName["v0"]
	if g.Index != int(v0["ifindex"].(float64)) || g.MTU != 1400 || g.TxQueueLen != 500 || g.HardwareAddr.String() != mac.String() ||
		g.Group != 7 || g.Flags&rtnl.LinkUp == 0 || g.Info.Kind != "veth" || g.ParentIndex != byName["v0p"].Index ||
		g.LinkNetNSID != nil || g.Type != rtnl.LinkTypeEther || g.Qdisc != v0["qdisc"] || g.OperState.String() != v0["operstate"] ||
		g.Broadcast.String() != "ff:ff:ff:ff:ff:ff" || g.MinMTU != 68 || g.MaxMTU != 65535 || g.NumTxQueues == 0 ||
		g.AddrGenMode != rtnl.AddrGenEUI64 || g.Stats == nil {
		t.Fatalf("v0: %+v", g)
	}
	if got := g.Flags.Names(); !slices.Contains(got, "UP") || !slices.Contains(got, "BROADCAST") {
		t.Fatalf("flag names %v", got)
	}

	// The same link by index and by name.
	byIdx, err := h.LinkByIndex(bg, g.Index)
	if err != nil || byIdx.Name != "v0" {
		t.Fatalf("LinkByIndex: %+v %v", byIdx, err)
	}
	one, err := h.ListLinks(bg, &rtnl.LinkFilter{Name: "v0p"})
	if err != nil || len(one) != 1 || one[0].Index != byName["v0p"].Index {
		t.Fatalf("filter by name: %+v %v", one, err)
	}
	none, err := h.ListLinks(bg, &rtnl.LinkFilter{Name: "nosuch"})
	if err != nil || len(none) != 0 {
		t.Fatalf("filter by a missing name: %+v %v", none, err)
	}
	ups, err := h.ListLinks(bg, &rtnl.LinkFilter{Up: true})
	if err != nil || len(ups) != 1 || ups[0].Name != "v0" {
		t.Fatalf("up links: %+v %v", ups, err)
	}

	// Deleting one end deletes both.
	if err := h.DeleteLink(bg, &rtnl.Link{Name: "v0p"}); err != nil {
		t.Fatal(err)
	}
	if ip := ipLinks(t, ns); len(ip) != 1 {
		t.Fatalf("after delete: %v", ip)
	}
}

func toStrings(v any) []string {
	var s []string
	a, _ := v.([]any)
	for _, x := range a {
		if str, ok := x.(string); ok {
			s = append(s, str)
		}
	}
	return s
}

func TestLinkErrors(t *testing.T) {
	ns, h := newHandle(t)
	veth := rtnl.Link{Name: "v0", Info: rtnl.LinkInfo{Kind: "veth"}}
	if err := h.AddLink(bg, &veth); err != nil {
		t.Fatal(err)
	}
	err := h.AddLink(bg, &veth)
	if !errors.Is(err, os.ErrExist) || linkOp(err) != "add link v0 type veth" {
		t.Fatalf("duplicate: %v (op %q)", err, linkOp(err))
	}
	// The peer's own settings are part of the description (a peer
	// whose name is taken, created up).
	late := rtnl.Link{Name: "late0", Flags: rtnl.LinkUp, Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{
		Peer: &rtnl.Link{Name: "v0", Flags: rtnl.LinkUp, MTU: 1400}}}}
	err = h.AddLink(bg, &late)
	if !errors.Is(err, os.ErrExist) || linkOp(err) != "add link late0 up type veth peer name v0 up mtu 1400" {
		t.Fatalf("peer taken: %v (op %q)", err, linkOp(err))
	}
	err = h.DeleteLink(bg, &rtnl.Link{Name: "nosuch"})
	if !errors.Is(err, os.ErrNotExist) || linkOp(err) != "delete link nosuch" {
		t.Fatalf("delete missing: %v (op %q)", err, linkOp(err))
	}
	_, err = h.LinkByName(bg, "nosuch")
	var ne *nl.Error
	if !errors.Is(err, os.ErrNotExist) || !errors.As(err, &ne) || ne.Op != "get link nosuch" {
		t.Fatalf("LinkByName missing: %v", err)
	}
	if _, err := h.LinkByIndex(bg, 999); !errors.Is(err, os.ErrNotExist) || linkOp(err) != "get link index 999" {
		t.Fatalf("LinkByIndex missing: %v", err)
	}
	v0 := mustLink(t, h, "v0")
	err = h.SetLink(bg, &rtnl.Link{Index: v0.Index}, &rtnl.LinkChange{MTU: 10})
	if !errors.Is(err, unix.EINVAL) || linkOp(err) != "set link v0 mtu 10" {
		t.Fatalf("mtu 10: %v (op %q)", err, linkOp(err))
	}
	err = h.AddLink(bg, &rtnl.Link{Name: "x0", Info: rtnl.LinkInfo{Kind: "nosuchkind"}})
	if err == nil || linkOp(err) != "add link x0 type nosuchkind" {
		t.Fatalf("unknown kind: %v (op %q)", err, linkOp(err))
	}
	// Mistakes caught before anything is sent.
	for _, l := range []rtnl.Link{
		{Name: "noKind"},
		{Name: "a-name-far-too-long", Info: rtnl.LinkInfo{Kind: "ifb"}},
		{Name: "bad/name", Info: rtnl.LinkInfo{Kind: "ifb"}},
		{Name: "k", Info: rtnl.LinkInfo{Kind: "vxlan", Data: &rtnl.BridgeInfo{}}},
		{Name: "p", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "q", Info: rtnl.LinkInfo{Kind: "veth"}}}}},
	} {
		if err := h.AddLink(bg, &l); err == nil || linkOp(err) != "" || !strings.HasPrefix(err.Error(), "rtnl: ") {
			t.Errorf("AddLink(%+v): %v", l, err)
		}
	}
	if err := h.SetLink(bg, &rtnl.Link{Index: v0.Index}, &rtnl.LinkChange{Flags: rtnl.LinkUp}); err == nil {
		t.Error("Flags outside FlagMask accepted")
	}
	if ip := ipLinks(t, ns); len(ip) != 3 {
		t.Fatalf("links: %v", ip)
	}
}

func TestLinkBridgeAndPorts(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	// Multicast snooping is set where the kernel has it; elsewhere the
	// kernel neither takes nor reports the setting.
	snooping, snoopingWhy := kfeature.HasBridgeMcastSnooping(t, ns)
	bi := &rtnl.BridgeInfo{
		STPState: new(uint32(1)), ForwardDelay: new(uint32(1000)), HelloTime: new(uint32(300)),
		MaxAge: new(uint32(2500)), AgeingTime: new(uint32(20000)), Priority: new(uint16(4096)),
		GroupFwdMask: new(uint16(0x4000)),
		BoolOpts:     &rtnl.BridgeBoolOpts{Value: rtnl.BridgeNoLinkLocalLearn, Mask: rtnl.BridgeNoLinkLocalLearn},
	}
	if snooping {
		bi.McastSnooping = new(false)
	} else {
		kfeature.SkipPart(t, "mcast_snooping", kfeature.BridgeMcastSnoopingFeature, snoopingWhy)
	}
	br := rtnl.Link{Name: "br0", Info: rtnl.LinkInfo{Data: bi}}
	if err := h.AddLink(bg, &br); err != nil {
		t.Fatal(err)
	}
	d := ipLinkData(t, ipLink(t, ns, "br0"), "info_data")
	if d["stp_state"] != 1.0 || d["forward_delay"] != 1000.0 || d["hello_time"] != 300.0 || d["max_age"] != 2500.0 ||
		d["ageing_time"] != 20000.0 || d["priority"] != 4096.0 || snooping && d["mcast_snooping"] != 0.0 || d["no_linklocal_learn"] != 1.0 {
		t.Fatalf("bridge data: %v", d)
	}
	brIdx := mustLink(t, h, "br0").Index
	for _, n := range []string{"p0", "p1"} {
		err := h.AddLink(bg, &rtnl.Link{Name: n, MasterIndex: brIdx, Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: n + "x"}}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	// A port's settings change through its slave data.
	p0 := mustLink(t, h, "p0")
	err := h.SetLink(bg, &rtnl.Link{Index: p0.Index}, &rtnl.LinkChange{Info: &rtnl.LinkInfo{SlaveKind: "bridge", SlaveData: &rtnl.BridgePortInfo{
		Cost: new(uint32(42)), Priority: new(uint16(7)), Hairpin: new(true), Learning: new(false)}}})
	if err != nil {
		t.Fatal(err)
	}
	sd := ipLinkData(t, ipLink(t, ns, "p0"), "info_slave_data")
	if sd["cost"] != 42.0 || sd["priority"] != 7.0 || sd["hairpin"] != true || sd["learning"] != false {
		t.Fatalf("port data: %v", sd)
	}
	// The bridge's settings change through its data.
	if err := h.ChangeLink(bg, &rtnl.Link{Index: brIdx, Info: rtnl.LinkInfo{Data: &rtnl.BridgeInfo{STPState: new(uint32(0))}}}); err != nil {
		t.Fatal(err)
	}
	if d := ipLinkData(t, ipLink(t, ns, "br0"), "info_data"); d["stp_state"] != 0.0 {
		t.Fatalf("stp_state after change: %v", d)
	}

	// Listing by kind and by master: the kernel filters both.
	ports, err := h.ListLinks(bg, &rtnl.LinkFilter{MasterIndex: brIdx})
	if err != nil || len(ports) != 2 {
		t.Fatalf("ports: %+v %v", ports, err)
	}
	for _, p := range ports {
		bp, ok := p.Info.SlaveData.(*rtnl.BridgePortInfo)
		if p.Info.SlaveKind != "bridge" || !ok || bp.State == nil || bp.Cost == nil || p.MasterIndex != brIdx {
			t.Fatalf("port %s: %+v", p.Name, p.Info)
		}
		if p.Name == "p0" && (*bp.Cost != 42 || !*bp.Hairpin || *bp.Learning || bp.No == 0 || bp.BridgeID.String() != sd["bridge_id"]) {
			t.Fatalf("p0 port data: %+v", bp)
		}
	}
	bridges, err := h.ListLinks(bg, &rtnl.LinkFilter{Kind: "bridge"})
	if err != nil || len(bridges) != 1 || bridges[0].Name != "br0" {
		t.Fatalf("bridges: %+v %v", bridges, err)
	}
	b, ok := bridges[0].Info.Data.(*rtnl.BridgeInfo)
	if !ok || *b.STPState != 0 || *b.ForwardDelay != 1000 || *b.Priority != 4096 || (b.McastSnooping != nil) != snooping ||
		snooping && *b.McastSnooping || *b.GroupFwdMask != 0x4000 ||
		b.BridgeID.Priority != 4096 || b.BoolOpts == nil || b.BoolOpts.Value&rtnl.BridgeNoLinkLocalLearn == 0 {
		t.Fatalf("bridge data: %+v", bridges[0].Info.Data)
	}
	nomaster, err := h.ListLinks(bg, &rtnl.LinkFilter{NoMaster: true})
	if err != nil || len(nomaster) != 4 { // lo, br0, p0x, p1x
		t.Fatalf("nomaster: %+v %v", nomaster, err)
	}

	// The kernel itself filters a dump by master and by kind (strict
	// checking), as the request Links sends asks it to.
	for _, c := range []struct {
		attr func(e *nl.Encoder)
		want int
	}{
		{func(e *nl.Encoder) { e.Uint32(unix.IFLA_MASTER, uint32(brIdx)) }, 2},
		{func(e *nl.Encoder) {
			n := e.Nest(unix.IFLA_LINKINFO)
			e.String(unix.IFLA_INFO_KIND, "bridge")
			e.EndNest(n)
		}, 1},
	} {
		var e nl.Encoder
		e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
		e.Fixed(unix.SizeofIfInfomsg)
		c.attr(&e)
		e.End()
		n := 0
		for m, err := range h.Conn().Dump(bg, &e) {
			if err != nil {
				t.Fatal(err)
			}
			if m.Header.Type == unix.RTM_NEWLINK {
				n++
			}
		}
		if n != c.want {
			t.Errorf("kernel-filtered dump: %d links, want %d", n, c.want)
		}
	}

	// nomaster releases a port.
	if err := h.SetLink(bg, &rtnl.Link{Index: p0.Index}, &rtnl.LinkChange{MasterIndex: new(0)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := ipLink(t, ns, "p0")["master"]; ok {
		t.Fatal("p0 still has a master")
	}
}

func TestLinkMacvlanVxlanIfb(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "macvlan", "macvtap", "vxlan", "ifb")
	// Broadcast queue lengths are reported where the kernel has them.
	bcQueue, bcQueueWhy := kfeature.HasLinkDataAttr(t, ns, "macvlan", unix.IFLA_MACVLAN_BC_QUEUE_LEN)
	if !bcQueue {
		kfeature.SkipPart(t, "bc_queue_len", "macvlan broadcast queue length (IFLA_MACVLAN_BC_QUEUE_LEN)", bcQueueWhy)
	}
	if err := h.AddLink(bg, &rtnl.Link{Name: "v0", Info: rtnl.LinkInfo{Kind: "veth"}}); err != nil {
		t.Fatal(err)
	}
	v0 := mustLink(t, h, "v0")
	for _, l := range []rtnl.Link{
		{Name: "mv0", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Data: &rtnl.MacvlanInfo{Mode: rtnl.MacvlanBridge}}},
		{Name: "mvt0", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Kind: "macvtap", Data: &rtnl.MacvlanInfo{Mode: rtnl.MacvlanVEPA}}},
		{Name: "mvs", ParentIndex: v0.Index, Info: rtnl.LinkInfo{Data: &rtnl.MacvlanInfo{Mode: rtnl.MacvlanSource,
			MACAddrMode: new(rtnl.MacvlanMACAddrSet), MACAddrs: []net.HardwareAddr{{2, 0, 0, 0, 0, 1}, {2, 0, 0, 0, 0, 2}}}}},
		{Name: "vx0", Info: rtnl.LinkInfo{Data: &rtnl.VxlanInfo{ID: new(uint32(42)), Group: netip.MustParseAddr("10.0.0.2"),
			Local: netip.MustParseAddr("10.0.0.1"), Port: new(uint16(4789)), TTL: new(uint8(64)), Learning: new(false)}}},
		{Name: "vx1", Info: rtnl.LinkInfo{Data: &rtnl.VxlanInfo{ID: new(uint32(43)), Group: netip.MustParseAddr("239.1.1.1"),
			LinkIndex: v0.Index, Port: new(uint16(8472)), PortRange: &rtnl.VxlanPortRange{Low: 1000, High: 2000}}}},
		{Name: "ifb0", Info: rtnl.LinkInfo{Kind: "ifb"}},
	} {
		if err := h.AddLink(bg, &l); err != nil {
			t.Fatalf("add %s: %v", l.Name, err)
		}
	}
	ip := ipLinks(t, ns)
	for name, want := range map[string]map[string]any{
		"mv0":  {"mode": "bridge"},
		"mvt0": {"mode": "vepa"},
		"mvs":  {"mode": "source", "macaddr_count": 2.0},
		"vx0":  {"id": 42.0, "remote": "10.0.0.2", "local": "10.0.0.1", "port": 4789.0, "ttl": 64.0, "learning": false},
		"vx1":  {"id": 43.0, "group": "239.1.1.1", "link": "v0", "port": 8472.0},
	} {
		d := ipLinkData(t, ip[name], "info_data")
		for k, v := range want {
			if d[k] != v {
				t.Errorf("%s: %s = %v, want %v (%v)", name, k, d[k], v, d)
			}
		}
	}
	if ip["mv0"]["link"] != "v0" || ip["ifb0"]["linkinfo"].(map[string]any)["info_kind"] != "ifb" {
		t.Fatalf("mv0 %v\nifb0 %v", ip["mv0"], ip["ifb0"])
	}

	links, err := h.ListLinks(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range links {
		switch l.Name {
		case "mv0", "mvt0":
			m, ok := l.Info.Data.(*rtnl.MacvlanInfo)
			if !ok || l.ParentIndex != v0.Index || (l.Name == "mv0") != (m.Mode == rtnl.MacvlanBridge) || bcQueue && (m.BCQueueLenUsed == nil || *m.BCQueueLenUsed == 0) {
				t.Errorf("%s: %+v %+v", l.Name, l, l.Info.Data)
			}
		case "mvs":
			m, _ := l.Info.Data.(*rtnl.MacvlanInfo)
			if m == nil || m.MACAddrCount != 2 || len(m.MACAddrs) != 2 {
				t.Errorf("mvs: %+v", l.Info.Data)
			}
		case "vx0":
			v, ok := l.Info.Data.(*rtnl.VxlanInfo)
			if !ok || *v.ID != 42 || v.Group.String() != "10.0.0.2" || v.Local.String() != "10.0.0.1" || *v.Port != 4789 ||
				*v.TTL != 64 || *v.Learning || v.UDPCsum == nil {
				t.Errorf("vx0: %+v", l.Info.Data)
			}
		case "vx1":
			v, ok := l.Info.Data.(*rtnl.VxlanInfo)
			if !ok || v.LinkIndex != v0.Index || *v.PortRange != (rtnl.VxlanPortRange{Low: 1000, High: 2000}) {
				t.Errorf("vx1: %+v", l.Info.Data)
			}
		case "ifb0":
			if l.Info.Kind != "ifb" || l.Info.Data != nil {
				t.Errorf("ifb0: %+v", l.Info)
			}
		}
	}
}

func TestLinkSet(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "bridge")
	other := netnstest.New(t)
	if err := h.AddLink(bg, &rtnl.Link{Name: "v0", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "v1"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := h.AddLink(bg, &rtnl.Link{Name: "br0", Info: rtnl.LinkInfo{Kind: "bridge"}}); err != nil {
		t.Fatal(err)
	}
	v0 := mustLink(t, h, "v0")
	br := mustLink(t, h, "br0")
	mac := net.HardwareAddr{0x02, 0xaa, 0, 0, 0, 1}
	err := h.SetLink(bg, &rtnl.Link{Index: v0.Index}, &rtnl.LinkChange{
		Flags: rtnl.LinkUp, FlagMask: rtnl.LinkUp, MTU: 1280, Name: "w0", HardwareAddr: mac,
		Alias: new("an alias"), TxQueueLen: new(uint32(0)), MasterIndex: &br.Index, Group: new(uint32(3)),
	})
	if err != nil {
		t.Fatal(err)
	}
	w0 := ipLink(t, ns, "w0")
	if w0["mtu"] != 1280.0 || w0["address"] != mac.String() || w0["ifalias"] != "an alias" || w0["txqlen"] != nil ||
		w0["master"] != "br0" || w0["group"] != "3" || !slices.Contains(toStrings(w0["flags"]), "UP") {
		t.Fatalf("after set: %v", w0)
	}
	if err := h.SetLinkDown(bg, &rtnl.Link{Index: v0.Index}); err != nil {
		t.Fatal(err)
	}
	if err := h.SetLink(bg, &rtnl.Link{Index: v0.Index}, &rtnl.LinkChange{Alias: new(""), MasterIndex: new(0), AddrGenMode: rtnl.AddrGenNone}); err != nil {
		t.Fatal(err)
	}
	w0 = ipLink(t, ns, "w0")
	if slices.Contains(toStrings(w0["flags"]), "UP") || w0["ifalias"] != nil || w0["master"] != nil || w0["inet6_addr_gen_mode"] != "none" {
		t.Fatalf("after down, no alias, nomaster: %v", w0)
	}
	if err := h.SetLinkUp(bg, &rtnl.Link{Index: v0.Index}); err != nil {
		t.Fatal(err)
	}
	// ChangeLink by name.
	if err := h.ChangeLink(bg, &rtnl.Link{Name: "w0", MTU: 1300}); err != nil {
		t.Fatal(err)
	}
	if l := ipLink(t, ns, "w0"); l["mtu"] != 1300.0 || !slices.Contains(toStrings(l["flags"]), "UP") {
		t.Fatalf("after ChangeLink: %v", l)
	}

	// Moving to another namespace: the link leaves this one, and its
	// peer now names it through a namespace id.
	if err := h.SetLink(bg, &rtnl.Link{Index: v0.Index}, &rtnl.LinkChange{NetNS: other.NS}); err != nil {
		t.Fatal(err)
	}
	if _, ok := ipLinks(t, ns)["w0"]; ok {
		t.Fatal("w0 still here")
	}
	if _, ok := ipLinks(t, other)["w0"]; !ok {
		t.Fatal("w0 not in the other namespace")
	}
	v1 := mustLink(t, h, "v1")
	if v1.LinkNetNSID == nil || v1.ParentIndex == 0 {
		t.Fatalf("v1 after its peer moved: %+v", v1)
	}
	if ipLink(t, ns, "v1")["link_netnsid"] != float64(*v1.LinkNetNSID) {
		t.Fatalf("link_netnsid: %v vs %d", ipLink(t, ns, "v1"), *v1.LinkNetNSID)
	}
}

func TestLinkVethPeerInOtherNS(t *testing.T) {
	ns, h := newHandle(t)
	other := netnstest.New(t)
	err := h.AddLink(bg, &rtnl.Link{Name: "a0", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "b0", NetNS: other.NS, MTU: 9000}}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ipLinks(t, ns)["b0"]; ok {
		t.Fatal("peer created here")
	}
	if b0 := ipLink(t, other, "b0"); b0["mtu"] != 9000.0 {
		t.Fatalf("peer: %v", b0)
	}
	a0 := mustLink(t, h, "a0")
	id, err := h.NetNSID(bg, other.NS)
	if err != nil || a0.LinkNetNSID == nil || *a0.LinkNetNSID != id {
		t.Fatalf("a0 link netnsid %v, namespace id %d %v", a0.LinkNetNSID, id, err)
	}
}

func TestLinkBatch(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "ifb")
	b := h.NewBatch()
	const n = 50
	for i := range n {
		name := "d" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		if err := b.Link(rtnl.Add, &rtnl.Link{Name: name, Info: rtnl.LinkInfo{Kind: "ifb"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Link(rtnl.Add, &rtnl.Link{Name: "daa", Info: rtnl.LinkInfo{Kind: "ifb"}}); err != nil {
		t.Fatal(err)
	}
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != n ||
		!errors.Is(be.Failures[0].Err, os.ErrExist) || linkOp(be.Failures[0].Err) != "add link daa type ifb" {
		t.Fatalf("batch: %v", err)
	}
	if got := len(ipLinks(t, ns)); got != n+1 {
		t.Fatalf("%d links, want %d", got, n+1)
	}
	links, err := h.ListLinks(bg, &rtnl.LinkFilter{Kind: "ifb"})
	if err != nil || len(links) != n {
		t.Fatalf("ifb links: %d %v", len(links), err)
	}
	b.Reset()
	for _, l := range links {
		if err := b.SetLink(&l, &rtnl.LinkChange{MTU: 1400}); err != nil {
			t.Fatal(err)
		}
		if err := b.Link(rtnl.Delete, &l); err != nil {
			t.Fatal(err)
		}
	}
	if desc := rtnl.DescribeRequest(b.Request(0), nil); !strings.HasPrefix(desc, "set link if") || !strings.HasSuffix(desc, " mtu 1400") {
		t.Errorf("describe: %q", desc)
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	if got := len(ipLinks(t, ns)); got != 1 {
		t.Fatalf("%d links left", got)
	}
}

func TestLinkStats(t *testing.T) {
	ns, h := newHandle(t)
	ns.IP("link", "set", "lo", "up")
	// Two datagrams to a closed port: each is received, and answered by
	// an ICMP error, on lo.
	err := ns.Do(func() error {
		c, err := net.Dial("udp", "127.0.0.1:9")
		if err != nil {
			return err
		}
		defer c.Close()
		for range 2 {
			c.Write([]byte("x"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The ICMP errors are sent as the datagrams are received, which a busy
	// machine may leave to a kernel thread after the writes return: the
	// counters are compared with ip's in a snapshot that they did not
	// change across (ours, ip's, ours again), taken again until they stay.
	type ipStats []struct {
		Stats struct {
			Rx struct{ Packets, Bytes float64 }
		} `json:"stats64"`
	}
	for attempt := 0; ; attempt++ {
		lo := mustLink(t, h, "lo")
		var ipl ipStats
		if err := json.Unmarshal([]byte(ns.IP("-j", "-s", "link", "show", "lo")), &ipl); err != nil || len(ipl) != 1 {
			t.Fatal(err)
		}
		again := mustLink(t, h, "lo")
		if lo.Stats == nil || again.Stats == nil {
			t.Fatalf("no stats: %+v", lo)
		}
		if *again.Stats != *lo.Stats && attempt < 100 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if lo.Stats.RxPackets < 2 || float64(lo.Stats.RxPackets) != ipl[0].Stats.Rx.Packets ||
			float64(lo.Stats.RxBytes) != ipl[0].Stats.Rx.Bytes || lo.Stats.TxPackets != lo.Stats.RxPackets {
			t.Fatalf("stats: %+v, ip %+v", lo.Stats, ipl)
		}
		break
	}
}

func TestLinksIterator(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "ifb")
	for _, n := range []string{"i0", "i1", "i2"} {
		if err := h.AddLink(bg, &rtnl.Link{Name: n, Info: rtnl.LinkInfo{Kind: "ifb"}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	for l, err := range h.Links(bg, &rtnl.LinkFilter{Kind: "ifb"}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, l.Name)
		if len(names) == 2 {
			break // breaking early leaves the connection usable
		}
	}
	if len(names) != 2 {
		t.Fatalf("names %v", names)
	}
	if _, err := h.LinkByName(bg, "i2"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	cancel()
	if _, err := h.ListLinks(ctx, nil); err == nil {
		t.Fatal("cancelled context: no error")
	}
}

func TestLinkFlagsAndNames(t *testing.T) {
	f := rtnl.LinkUp | rtnl.LinkBroadcast | rtnl.LinkLowerUp | rtnl.LinkMulticast | 1<<30
	if got := f.String(); got != "BROADCAST,MULTICAST,UP,LOWER_UP,0x40000000" {
		t.Fatalf("String: %q", got)
	}
	if g, err := rtnl.ParseLinkFlags("up,Broadcast,LOWER_UP,MULTICAST,0x40000000"); err != nil || g != f {
		t.Fatalf("ParseLinkFlags: %v %v", g, err)
	}
	if _, err := rtnl.ParseLinkFlags("UP,BOGUS"); err == nil {
		t.Fatal("bogus flag accepted")
	}
	for _, c := range []struct{ got, want string }{
		{rtnl.OperLowerLayerDown.String(), "LOWERLAYERDOWN"},
		{rtnl.LinkModeDormant.String(), "DORMANT"},
		{rtnl.LinkTypeEther.String(), "ether"},
		{rtnl.LinkTypeNone.String(), "none"},
		{rtnl.LinkType(9999).String(), "[9999]"},
		{rtnl.AddrGenStablePrivacy.String(), "stable_secret"},
		{rtnl.MacvlanPassthru.String(), "passthru"},
		{rtnl.BridgePortForwarding.String(), "forwarding"},
		{rtnl.VxlanDFInherit.String(), "inherit"},
		{rtnl.BridgeID{Priority: 0x8000, Addr: [6]byte{2, 0, 0xab, 0, 0, 1}}.String(), "8000.2:0:ab:0:0:1"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if m, err := rtnl.ParseMacvlanMode("source"); err != nil || m != rtnl.MacvlanSource {
		t.Errorf("ParseMacvlanMode: %v %v", m, err)
	}
	if m, err := rtnl.ParseAddrGenMode("random"); err != nil || m != rtnl.AddrGenRandom {
		t.Errorf("ParseAddrGenMode: %v %v", m, err)
	}
	if s, err := rtnl.ParseOperState("up"); err != nil || s != rtnl.OperUp {
		t.Errorf("ParseOperState: %v %v", s, err)
	}
}

// TestCaptureLinkSeeds records real RTM_NEWLINK messages of many kinds as
// seeds for FuzzLink (NLKIT_CAPTURE_SEEDS=1).
func TestCaptureLinkSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to record fuzz seeds")
	}
	ns, h := newHandle(t)
	other := netnstest.New(t)
	for _, args := range [][]string{
		{"link", "set", "lo", "up"},
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "add", "br0", "type", "bridge", "stp_state", "1"},
		{"link", "set", "v1", "master", "br0"},
		{"link", "add", "mv0", "link", "v0", "type", "macvlan", "mode", "bridge"},
		{"link", "add", "mvs", "link", "v0", "type", "macvlan", "mode", "source"},
		{"link", "set", "mvs", "type", "macvlan", "macaddr", "add", "02:00:00:00:00:01"},
		{"link", "add", "vx0", "type", "vxlan", "id", "42", "remote", "10.0.0.2", "local", "10.0.0.1", "dstport", "4789"},
		{"link", "add", "vx6", "type", "vxlan", "id", "43", "group", "ff05::1", "dev", "v0", "dstport", "4789"},
		{"link", "add", "ifb0", "type", "ifb"},
		{"link", "set", "v0", "alias", "an alias", "up"},
		{"link", "property", "add", "dev", "v0", "altname", "vzero"},
		{"link", "add", "p0", "type", "veth", "peer", "name", "p1", "netns", other.Name},
	} {
		ns.IP(args...)
	}
	captureSeeds(t, "FuzzLink", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
		e.Fixed(unix.SizeofIfInfomsg)
		e.End()
	})
}
