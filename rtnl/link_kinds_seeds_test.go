package rtnl_test

import (
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// fuzzKindIndex is the first byte FuzzLinkKindData takes for the data of
// each kind (and "bond_slave", "vrf_slave" for the port data).
var fuzzKindIndex = map[string]int{"vlan": 0, "bond": 1, "vrf": 2, "ipvlan": 3, "ipvtap": 4, "bond_slave": 5, "vrf_slave": 6}

// TestLinkKindMessages has ip create links of each kind with most of
// their options, as deployments do, and checks that every link the kernel
// then lists decodes with its typed data. It logs each message, and each
// kind's data, as "seed FuzzLink HEX" and "seed FuzzLinkKindData N HEX"
// lines: run in a guest kernel (kmatrix), its log gives the fuzz targets
// their seeds from real kernel messages.
func TestLinkKindMessages(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "vlan", "bond", "vrf", "ipvlan", "dummy", "veth")
	for _, c := range [][]string{
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "add", "vl5", "link", "v0", "type", "vlan", "id", "5", "protocol", "802.1ad", "reorder_hdr", "off", "loose_binding", "on",
			"ingress-qos-map", "1:2", "3:4", "egress-qos-map", "2:5"},
		{"link", "add", "vl6", "link", "v0", "type", "vlan", "id", "6"},
		{"link", "add", "b0", "type", "bond", "mode", "active-backup", "miimon", "100", "updelay", "200", "primary_reselect", "better",
			"fail_over_mac", "active", "arp_ip_target", "192.0.2.1,192.0.2.2", "num_grat_arp", "3"},
		{"link", "add", "p0", "type", "veth", "peer", "name", "p0x"},
		{"link", "add", "p1", "type", "veth", "peer", "name", "p1x"},
		{"link", "set", "p0x", "up"},
		{"link", "set", "p1x", "up"},
		{"link", "set", "b0", "up"},
		{"link", "set", "p0", "master", "b0"},
		{"link", "set", "p1", "master", "b0"},
		{"link", "set", "p1", "type", "bond_slave", "queue_id", "2"},
		{"link", "add", "b1", "type", "bond", "mode", "802.3ad", "lacp_rate", "fast", "ad_select", "count", "xmit_hash_policy", "layer3+4",
			"ad_actor_sys_prio", "100", "ad_user_port_key", "5", "ad_actor_system", "02:00:00:00:00:aa"},
		{"link", "add", "q0", "type", "veth", "peer", "name", "q0x"},
		{"link", "set", "q0x", "up"},
		{"link", "set", "b1", "up"},
		{"link", "set", "q0", "master", "b1"},
		{"link", "add", "red", "type", "vrf", "table", "10"},
		{"link", "add", "r0", "master", "red", "type", "veth", "peer", "name", "r0x"},
		{"link", "add", "w0", "type", "veth", "peer", "name", "w1"},
		{"link", "add", "ipv0", "link", "w0", "type", "ipvlan", "mode", "l2", "private"},
		{"link", "add", "d0", "type", "dummy"},
	} {
		ns.IP(c...)
	}
	var e nl.Encoder
	e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	e.Fixed(unix.SizeofIfInfomsg)
	e.End()
	seen := map[string]bool{}
	for m, err := range h.Conn().Dump(bg, &e) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		var l rtnl.Link
		if err := l.Decode(m); err != nil {
			t.Fatalf("decoding %x: %v", nl.AppendMessage(nil, m), err)
		}
		t.Logf("seed FuzzLink %x", nl.AppendMessage(nil, m))
		data, slave := linkInfoData(t, m)
		if i, ok := fuzzKindIndex[l.Info.Kind]; ok && data != nil {
			t.Logf("seed FuzzLinkKindData %d %x", i, data)
		}
		if i, ok := fuzzKindIndex[l.Info.SlaveKind+"_slave"]; ok && slave != nil {
			t.Logf("seed FuzzLinkKindData %d %x", i, slave)
		}
		var typed bool
		switch l.Info.Kind {
		case "vlan":
			_, typed = l.Info.Data.(*rtnl.VlanInfo)
		case "bond":
			_, typed = l.Info.Data.(*rtnl.BondInfo)
		case "vrf":
			_, typed = l.Info.Data.(*rtnl.VrfInfo)
		case "ipvlan":
			_, typed = l.Info.Data.(*rtnl.IpvlanInfo)
		case "dummy":
			typed = l.Info.Data == nil
		default:
			typed = true
		}
		if !typed {
			t.Errorf("%s: kind %s data not typed: %T %x", l.Name, l.Info.Kind, l.Info.Data, l.Info.Data)
		}
		switch l.Info.SlaveKind {
		case "bond":
			if _, ok := l.Info.SlaveData.(*rtnl.BondPortInfo); !ok {
				t.Errorf("%s: bond port data not typed: %T", l.Name, l.Info.SlaveData)
			}
		case "vrf":
			if p, ok := l.Info.SlaveData.(*rtnl.VrfPortInfo); !ok || p.Table != 10 {
				t.Errorf("%s: vrf port data: %#v", l.Name, l.Info.SlaveData)
			}
		}
		seen[l.Info.Kind] = true
		seen[l.Info.SlaveKind+"_slave"] = true
	}
	for k := range fuzzKindIndex {
		if k != "ipvtap" && !seen[k] {
			t.Errorf("no %s listed", k)
		}
	}
	if !seen["dummy"] {
		t.Error("no dummy listed")
	}
	// The 802.3ad bond reports its aggregator, its port the AD state.
	b1 := mustLink(t, h, "b1")
	if b := b1.Info.Data.(*rtnl.BondInfo); *b.Mode != rtnl.Bond8023AD || *b.XmitHashPolicy != rtnl.BondHashLayer34 || b.ADLACPRate == nil || !*b.ADLACPRate ||
		*b.ADActorSysPrio != 100 || *b.ADUserPortKey != 5 || b.ADActorSystem.String() != "02:00:00:00:00:aa" {
		t.Errorf("b1: %+v", b)
	}
	q0 := mustLink(t, h, "q0")
	if p := q0.Info.SlaveData.(*rtnl.BondPortInfo); p.ADActorOperPortState == nil {
		t.Errorf("q0 AD state: %+v", p)
	}
	b0 := mustLink(t, h, "b0").Info.Data.(*rtnl.BondInfo)
	if len(b0.ARPIPTargets) != 2 || *b0.UpDelay != 200 || *b0.PrimaryReselect != 1 || *b0.FailOverMAC != 1 || *b0.NumPeerNotif != 3 {
		t.Errorf("b0: %+v", b0)
	}
}

// linkInfoData returns the IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA of a
// link message, nil when absent.
func linkInfoData(t *testing.T, m nl.Message) (data, slave []byte) {
	t.Helper()
	if len(m.Data) < unix.SizeofIfInfomsg {
		t.Fatalf("short link message %x", m.Data)
	}
	d := nl.NewAttrDecoder(m.Data[unix.SizeofIfInfomsg:])
	for d.Next() {
		if d.Type() != unix.IFLA_LINKINFO {
			continue
		}
		li := d.Nested()
		for li.Next() {
			switch li.Type() {
			case unix.IFLA_INFO_DATA:
				data = li.Bytes()
			case unix.IFLA_INFO_SLAVE_DATA:
				slave = li.Bytes()
			}
		}
	}
	return data, slave
}
