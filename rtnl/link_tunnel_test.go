package rtnl_test

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// tunnelCase is one tunnel created, read back (typed and through ip -j -d),
// changed and deleted.
type tunnelCase struct {
	name string
	link func(dev int) rtnl.Link
	// ip are the keys of ip -j -d's info_data after the creation.
	ip map[string]any
	// check looks at the typed data read back after the creation.
	check func(t *testing.T, d rtnl.LinkData, dev int)
	// change edits the listed data (as ip link set does: all settings are
	// sent again); changed are ip's keys afterwards.
	change  func(d rtnl.LinkData)
	changed map[string]any
}

// runTunnel creates the tunnel in a namespace of its own, with a veth v0 to
// bind it to, and goes through its life.
func runTunnel(t *testing.T, kind string, c tunnelCase) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, kind)
	if err := h.AddLink(bg, &rtnl.Link{Name: "v0", Info: rtnl.LinkInfo{Kind: "veth"}}); err != nil {
		t.Fatal(err)
	}
	dev := mustLink(t, h, "v0").Index
	l := c.link(dev)
	l.Name = c.name
	if err := h.AddLink(bg, &l); err != nil {
		t.Fatalf("add %s: %v", c.name, err)
	}
	got := mustLink(t, h, c.name)
	if got.Info.Kind != kind {
		t.Fatalf("%s: kind %q, want %q", c.name, got.Info.Kind, kind)
	}
	c.check(t, got.Info.Data, dev)
	ipKeys(t, ns, c.name, c.ip)

	c.change(got.Info.Data)
	if err := h.SetLink(bg, &rtnl.Link{Index: got.Index}, &rtnl.LinkChange{Info: &got.Info}); err != nil {
		t.Fatalf("change %s: %v", c.name, err)
	}
	ipKeys(t, ns, c.name, c.changed)

	if err := h.DeleteLink(bg, &rtnl.Link{Index: got.Index}); err != nil {
		t.Fatalf("delete %s: %v", c.name, err)
	}
	if _, err := h.LinkByName(bg, c.name); err == nil {
		t.Fatalf("%s still there after its deletion", c.name)
	}
}

// ipKeys compares the keys of ip -j -d link show NAME's info_data.
func ipKeys(t *testing.T, ns *netnstest.NS, name string, want map[string]any) {
	t.Helper()
	d := ipLinkData(t, ipLinks(t, ns, "dev", name)[name], "info_data")
	for k, v := range want {
		if d[k] != v {
			t.Errorf("%s: ip -j -d info_data %s = %v (%T), want %v (%T)\n%v", name, k, d[k], d[k], v, v, d)
		}
	}
}

func gre(t *testing.T, d rtnl.LinkData) *rtnl.GreInfo {
	t.Helper()
	g, ok := d.(*rtnl.GreInfo)
	if !ok {
		t.Fatalf("data %T, want *rtnl.GreInfo", d)
	}
	return g
}

func iptun(t *testing.T, d rtnl.LinkData) *rtnl.IPTunInfo {
	t.Helper()
	g, ok := d.(*rtnl.IPTunInfo)
	if !ok {
		t.Fatalf("data %T, want *rtnl.IPTunInfo", d)
	}
	return g
}

func geneve(t *testing.T, d rtnl.LinkData) *rtnl.GeneveInfo {
	t.Helper()
	g, ok := d.(*rtnl.GeneveInfo)
	if !ok {
		t.Fatalf("data %T, want *rtnl.GeneveInfo", d)
	}
	return g
}

func TestLinkGre(t *testing.T) {
	for _, kind := range []string{"gre", "gretap"} {
		t.Run(kind, func(t *testing.T) {
			runTunnel(t, kind, tunnelCase{
				name: "gt0",
				link: func(dev int) rtnl.Link {
					return rtnl.Link{Info: rtnl.LinkInfo{Kind: kind, Data: &rtnl.GreInfo{
						Local: netip.MustParseAddr("10.0.0.1"), Remote: netip.MustParseAddr("10.0.0.2"), LinkIndex: dev,
						IFlags: new(rtnl.GreKey | rtnl.GreCsum), OFlags: new(rtnl.GreKey | rtnl.GreSeq),
						IKey: new(uint32(5)), OKey: new(uint32(0x01020304)), TTL: new(uint8(64)), TOS: new(uint8(0x10)),
						PMTUDisc: new(true), FWMark: new(uint32(0x42)),
						Encap: &rtnl.TunnelEncap{Type: rtnl.TunnelEncapNone}}}}
				},
				ip: map[string]any{"remote": "10.0.0.2", "local": "10.0.0.1", "link": "v0", "ttl": 64.0, "tos": "0x10",
					"ikey": "0.0.0.5", "okey": "1.2.3.4", "icsum": true, "oseq": true, "fwmark": "0x42"},
				check: func(t *testing.T, d rtnl.LinkData, dev int) {
					g := gre(t, d)
					if g.Local.String() != "10.0.0.1" || g.Remote.String() != "10.0.0.2" || g.LinkIndex != dev ||
						*g.IKey != 5 || *g.OKey != 0x01020304 || *g.IFlags != rtnl.GreKey|rtnl.GreCsum ||
						*g.OFlags != rtnl.GreKey|rtnl.GreSeq || *g.TTL != 64 || *g.TOS != 0x10 || !*g.PMTUDisc ||
						*g.FWMark != 0x42 || g.External || *g.Encap != (rtnl.TunnelEncap{}) {
						t.Errorf("read back %+v", g)
					}
				},
				change: func(d rtnl.LinkData) {
					g := d.(*rtnl.GreInfo)
					g.TTL = new(uint8(32))
					g.Remote = netip.MustParseAddr("10.0.0.3")
					*g.OFlags &^= rtnl.GreSeq
				},
				changed: map[string]any{"remote": "10.0.0.3", "local": "10.0.0.1", "ttl": 32.0, "ikey": "0.0.0.5", "oseq": nil, "icsum": true},
			})
		})
	}
}

func TestLinkIp6gre(t *testing.T) {
	for _, kind := range []string{"ip6gre", "ip6gretap"} {
		t.Run(kind, func(t *testing.T) {
			runTunnel(t, kind, tunnelCase{
				name: "g60",
				link: func(dev int) rtnl.Link {
					return rtnl.Link{Info: rtnl.LinkInfo{Kind: kind, Data: &rtnl.GreInfo{
						Local: netip.MustParseAddr("2001:db8::1"), Remote: netip.MustParseAddr("2001:db8::2"), LinkIndex: dev,
						IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey), IKey: new(uint32(7)), OKey: new(uint32(7)),
						TTL: new(uint8(20)), EncapLimit: new(uint8(3)), FlowInfo: new(uint32(0x01212345)),
						Flags: new(rtnl.IP6TunnelAllowLocalRemote)}}}
				},
				ip: map[string]any{"remote": "2001:db8::2", "local": "2001:db8::1", "link": "v0", "ttl": 20.0, "encap_limit": 3.0,
					"tclass": "0x12", "flowlabel": "0x12345", "ikey": "0.0.0.7", "okey": "0.0.0.7", "ip6_tnl_f_allow_local_remote": true},
				check: func(t *testing.T, d rtnl.LinkData, dev int) {
					g := gre(t, d)
					if g.Remote.String() != "2001:db8::2" || g.LinkIndex != dev || *g.TTL != 20 || *g.EncapLimit != 3 ||
						*g.FlowInfo != 0x01212345 || *g.Flags&rtnl.IP6TunnelAllowLocalRemote == 0 || *g.IKey != 7 {
						t.Errorf("read back %+v", g)
					}
				},
				change: func(d rtnl.LinkData) {
					g := d.(*rtnl.GreInfo)
					g.TTL = new(uint8(30))
					*g.Flags |= rtnl.IP6TunnelIgnEncapLimit
				},
				changed: map[string]any{"remote": "2001:db8::2", "ttl": 30.0, "ip6_tnl_f_ign_encap_limit": true, "ikey": "0.0.0.7"},
			})
		})
	}
}

func TestLinkIpip(t *testing.T) {
	runTunnel(t, "ipip", tunnelCase{
		name: "ipip1",
		link: func(dev int) rtnl.Link {
			return rtnl.Link{Info: rtnl.LinkInfo{Data: &rtnl.IPTunInfo{
				Local: netip.MustParseAddr("10.1.0.1"), Remote: netip.MustParseAddr("10.1.0.2"), LinkIndex: dev,
				TTL: new(uint8(64)), TOS: new(uint8(1)), FWMark: new(uint32(9)), Proto: new(rtnl.IPTunAny)}}}
		},
		ip: map[string]any{"proto": "any", "remote": "10.1.0.2", "local": "10.1.0.1", "link": "v0", "ttl": 64.0, "tos": "0x1",
			"pmtudisc": true, "fwmark": "0x9"},
		check: func(t *testing.T, d rtnl.LinkData, dev int) {
			g := iptun(t, d)
			if g.Local.String() != "10.1.0.1" || g.Remote.String() != "10.1.0.2" || g.LinkIndex != dev || *g.TTL != 64 ||
				*g.TOS != 1 || !*g.PMTUDisc || *g.Proto != rtnl.IPTunAny || *g.FWMark != 9 || g.Flags != nil || g.ISATAP != nil {
				t.Errorf("read back %+v", g)
			}
		},
		change: func(d rtnl.LinkData) {
			g := d.(*rtnl.IPTunInfo)
			g.TTL = new(uint8(0))
			g.PMTUDisc = new(false)
		},
		changed: map[string]any{"proto": "any", "remote": "10.1.0.2", "ttl": 0.0, "pmtudisc": false},
	})
}

func TestLinkSit(t *testing.T) {
	runTunnel(t, "sit", tunnelCase{
		name: "sit1",
		link: func(dev int) rtnl.Link {
			return rtnl.Link{Info: rtnl.LinkInfo{Kind: "sit", Data: &rtnl.IPTunInfo{
				Local: netip.MustParseAddr("10.2.0.1"), Remote: netip.MustParseAddr("10.2.0.2"),
				TTL: new(uint8(10)), Proto: new(rtnl.IPTunIPv6)}}}
		},
		ip: map[string]any{"proto": "ip6ip", "remote": "10.2.0.2", "local": "10.2.0.1", "ttl": 10.0, "pmtudisc": true},
		check: func(t *testing.T, d rtnl.LinkData, dev int) {
			g := iptun(t, d)
			if g.Remote.String() != "10.2.0.2" || *g.TTL != 10 || *g.Proto != rtnl.IPTunIPv6 || g.ISATAP == nil || *g.ISATAP ||
				g.Flags != nil {
				t.Errorf("read back %+v", g)
			}
		},
		change: func(d rtnl.LinkData) {
			g := d.(*rtnl.IPTunInfo)
			g.Local = netip.MustParseAddr("10.2.0.3")
			g.TTL = new(uint8(20))
		},
		changed: map[string]any{"remote": "10.2.0.2", "local": "10.2.0.3", "ttl": 20.0},
	})
}

func TestLinkIp6tnl(t *testing.T) {
	for _, mode := range []struct {
		name  string
		proto uint8
	}{{"ip6ip6", rtnl.IPTunIPv6}, {"ipip6", rtnl.IPTunIPIP}, {"any", rtnl.IPTunAny}} {
		t.Run(mode.name, func(t *testing.T) {
			runTunnel(t, "ip6tnl", tunnelCase{
				name: "t6",
				link: func(dev int) rtnl.Link {
					return rtnl.Link{Info: rtnl.LinkInfo{Data: &rtnl.IPTunInfo{Proto: new(mode.proto),
						Local: netip.MustParseAddr("2001:db8:1::1"), Remote: netip.MustParseAddr("2001:db8:1::2"), LinkIndex: dev,
						TTL: new(uint8(64)), EncapLimit: new(uint8(4)), FlowInfo: new(uint32(0x00300abc)),
						Flags: new(rtnl.IP6TunnelUseOrigFWMark)}}}
				},
				ip: map[string]any{"proto": mode.name, "remote": "2001:db8:1::2", "local": "2001:db8:1::1", "link": "v0",
					"ttl": 64.0, "encap_limit": 4.0, "tclass": "0x03", "flowlabel": "0x00abc", "ip6_tnl_f_use_orig_fwmark": true},
				check: func(t *testing.T, d rtnl.LinkData, dev int) {
					g := iptun(t, d)
					if *g.Proto != mode.proto || g.Remote.String() != "2001:db8:1::2" || g.LinkIndex != dev || *g.TTL != 64 ||
						*g.EncapLimit != 4 || *g.FlowInfo != 0x00300abc || *g.Flags&rtnl.IP6TunnelUseOrigFWMark == 0 ||
						g.TOS != nil || g.ISATAP != nil {
						t.Errorf("read back %+v", g)
					}
				},
				change: func(d rtnl.LinkData) {
					g := d.(*rtnl.IPTunInfo)
					g.TTL = new(uint8(32))
					*g.Flags |= rtnl.IP6TunnelUseOrigTClass
				},
				changed: map[string]any{"proto": mode.name, "ttl": 32.0, "ip6_tnl_f_use_orig_tclass": true},
			})
		})
	}
}

func TestLinkGeneve(t *testing.T) {
	runTunnel(t, "geneve", tunnelCase{
		name: "gnv0",
		link: func(int) rtnl.Link {
			return rtnl.Link{Info: rtnl.LinkInfo{Data: &rtnl.GeneveInfo{ID: new(uint32(7)),
				Remote: netip.MustParseAddr("10.3.0.2"), TTL: new(uint8(64)), TOS: new(uint8(0x20)),
				Port: new(uint16(6082)), UDPCsum: new(true), Label: new(uint32(0))}}}
		},
		ip: map[string]any{"id": 7.0, "remote": "10.3.0.2", "ttl": 64.0, "tos": "0x20", "port": 6082.0, "udp_csum": true},
		check: func(t *testing.T, d rtnl.LinkData, _ int) {
			g := geneve(t, d)
			if *g.ID != 7 || g.Remote.String() != "10.3.0.2" || *g.TTL != 64 || *g.TOS != 0x20 || *g.Port != 6082 ||
				!*g.UDPCsum || g.External {
				t.Errorf("read back %+v", g)
			}
		},
		change: func(d rtnl.LinkData) {
			g := d.(*rtnl.GeneveInfo)
			*g = rtnl.GeneveInfo{ID: g.ID, TTL: new(uint8(9))} // merged by the kernel
		},
		changed: map[string]any{"id": 7.0, "remote": "10.3.0.2", "ttl": 9.0, "port": 6082.0},
	})
}

func TestLinkGeneve6External(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "geneve")
	for _, l := range []rtnl.Link{
		{Name: "gnv6", Info: rtnl.LinkInfo{Data: &rtnl.GeneveInfo{ID: new(uint32(8)), Remote: netip.MustParseAddr("2001:db8::9"),
			Label: new(uint32(0x12345)), UDPZeroCsum6Tx: new(true)}}},
		{Name: "gnvx", Info: rtnl.LinkInfo{Data: &rtnl.GeneveInfo{External: true, Port: new(uint16(6090))}}},
	} {
		if err := h.AddLink(bg, &l); err != nil {
			t.Fatalf("add %s: %v", l.Name, err)
		}
	}
	g6 := geneve(t, mustLink(t, h, "gnv6").Info.Data)
	if g6.Remote.String() != "2001:db8::9" || *g6.Label != 0x12345 || !*g6.UDPZeroCsum6Tx {
		t.Errorf("gnv6: %+v", g6)
	}
	gx := geneve(t, mustLink(t, h, "gnvx").Info.Data)
	if !gx.External {
		t.Errorf("gnvx: %+v", gx)
	}
	ipKeys(t, ns, "gnv6", map[string]any{"id": 8.0, "remote6": "2001:db8::9", "label": "0x12345", "udp_zero_csum6_tx": true})
	ipKeys(t, ns, "gnvx", map[string]any{"external": true})
}

// TestCaptureTunnelSeeds records tunnels of every kind, as a kernel dumps
// them, as seeds of FuzzLink (whole messages) and FuzzTunnelData (their
// IFLA_INFO_DATA). It runs when asked for by name (-run
// CaptureTunnelSeeds) or with NLKIT_CAPTURE_SEEDS=1; in a guest, whose
// files are lost, the seeds are also logged as "SEED <fuzz> <hex>" lines.
func TestCaptureTunnelSeeds(t *testing.T) {
	if f := flag.Lookup("test.run"); os.Getenv(captureEnv) != "1" && (f == nil || !strings.Contains(f.Value.String(), "CaptureTunnelSeeds")) {
		t.Skip("set " + captureEnv + "=1 or -run CaptureTunnelSeeds to record fuzz seeds")
	}
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "gre", "ip6gre", "ipip", "sit", "ip6tnl", "geneve")
	for _, args := range [][]string{
		{"link", "add", "v0", "type", "veth", "peer", "name", "v1"},
		{"link", "add", "gre1", "type", "gre", "remote", "10.0.0.2", "local", "10.0.0.1", "ttl", "64", "key", "5", "dev", "v0"},
		{"link", "add", "gt1", "type", "gretap", "remote", "10.0.0.3", "iseq", "ocsum", "encap-dport", "5555"},
		{"link", "add", "ers1", "type", "erspan", "remote", "10.0.0.4", "local", "10.0.0.1", "erspan_ver", "2", "erspan_dir", "egress", "erspan_hwid", "7", "seq", "key", "9"},
		{"link", "add", "g6", "type", "ip6gre", "remote", "2001:db8::2", "local", "2001:db8::1", "flowlabel", "0x12345", "tclass", "0x10"},
		{"link", "add", "g6t", "type", "ip6gretap", "external"},
		{"link", "add", "ipip1", "type", "ipip", "remote", "10.1.0.2", "local", "10.1.0.1", "ttl", "10", "tos", "inherit"},
		{"link", "add", "sit1", "type", "sit", "remote", "10.2.0.2", "mode", "ip6ip", "6rd-prefix", "2001:db8::/32"},
		{"link", "add", "sit2", "type", "sit", "isatap", "local", "10.2.0.9"},
		{"link", "add", "t6", "type", "ip6tnl", "mode", "ipip6", "remote", "2001:db8:1::2", "local", "2001:db8:1::1", "encaplimit", "none"},
		{"link", "add", "t6b", "type", "ip6tnl", "mode", "ip6ip6", "remote", "2001:db8:1::3", "fwmark", "inherit"},
		{"link", "add", "gnv0", "type", "geneve", "id", "7", "remote", "10.3.0.2", "ttl", "inherit", "df", "set"},
		{"link", "add", "gnv6", "type", "geneve", "id", "8", "remote", "2001:db8::9", "udp6zerocsumtx", "flowlabel", "5"},
		{"link", "add", "gnvx", "type", "geneve", "external", "dstport", "6090"},
	} {
		ns.IP(args...)
	}
	captureSeeds(t, "FuzzLink", h, dumpLinks)
	var e nl.Encoder
	dumpLinks(&e)
	for m, err := range h.Conn().Dump(bg, &e) {
		if err != nil {
			t.Fatal(err)
		}
		kind, data := linkKindAndData(m)
		if data == nil || kind == "veth" {
			continue
		}
		t.Logf("SEED FuzzLink %x", nl.AppendMessage(nil, m))
		t.Logf("SEED FuzzTunnelData %x", data)
		writeSeed(t, "FuzzTunnelData", data)
	}
}

func dumpLinks(e *nl.Encoder) {
	e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	e.Fixed(unix.SizeofIfInfomsg)
	e.End()
}

// linkKindAndData returns a link message's IFLA_INFO_KIND and IFLA_INFO_DATA.
func linkKindAndData(m nl.Message) (string, []byte) {
	if len(m.Data) < unix.SizeofIfInfomsg {
		return "", nil
	}
	var kind string
	var data []byte
	d := nl.NewAttrDecoder(m.Data[unix.SizeofIfInfomsg:])
	for d.Next() {
		if d.Type() != unix.IFLA_LINKINFO {
			continue
		}
		li := d.Nested()
		for li.Next() {
			switch li.Type() {
			case unix.IFLA_INFO_KIND:
				kind = li.String()
			case unix.IFLA_INFO_DATA:
				data = append([]byte(nil), li.Bytes()...)
			}
		}
	}
	return kind, data
}

// writeSeed writes one []byte seed of the fuzz target.
func writeSeed(t *testing.T, fuzz string, b []byte) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", fuzz)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	name := filepath.Join(dir, "kernel-"+hex.EncodeToString(sum[:8]))
	if err := os.WriteFile(name, []byte(fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLinkSitISATAP6RD reads back a sit tunnel's ISATAP flag and 6rd
// prefixes, and an ERSPAN tunnel's version 2 fields.
func TestLinkSitISATAP6RD(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireLinkKinds(t, ns, "sit", "erspan")
	for _, l := range []rtnl.Link{
		{Name: "sit9", Info: rtnl.LinkInfo{Kind: "sit", Data: &rtnl.IPTunInfo{Local: netip.MustParseAddr("10.9.0.1"),
			ISATAP: new(true), TTL: new(uint8(0))}}},
		{Name: "sit6rd", Info: rtnl.LinkInfo{Kind: "sit", Data: &rtnl.IPTunInfo{Local: netip.MustParseAddr("10.9.0.2"),
			SIT6RDPrefix: netip.MustParsePrefix("2001:db8::/32"), SIT6RDRelayPrefix: netip.MustParsePrefix("10.0.0.0/8")}}},
		{Name: "ers9", Info: rtnl.LinkInfo{Kind: "erspan", Data: &rtnl.GreInfo{Local: netip.MustParseAddr("10.9.0.1"),
			Remote: netip.MustParseAddr("10.9.0.3"), IFlags: new(rtnl.GreKey | rtnl.GreSeq), OFlags: new(rtnl.GreKey | rtnl.GreSeq),
			IKey: new(uint32(3)), OKey: new(uint32(3)), ERSPANVer: new(uint8(2)), ERSPANDir: new(rtnl.ERSPANEgress),
			ERSPANHWID: new(uint16(0x15))}}},
	} {
		if err := h.AddLink(bg, &l); err != nil {
			t.Fatalf("add %s: %v", l.Name, err)
		}
	}
	if s := iptun(t, mustLink(t, h, "sit9").Info.Data); s.ISATAP == nil || !*s.ISATAP {
		t.Errorf("sit9: %+v", s)
	}
	ipKeys(t, ns, "sit9", map[string]any{"isatap": true, "local": "10.9.0.1"})
	s := iptun(t, mustLink(t, h, "sit6rd").Info.Data)
	if !s.SIT6RDPrefix.IsValid() {
		kfeature.SkipPart(t, "6rd", "IPv6 rapid deployment (CONFIG_IPV6_SIT_6RD)", "the kernel lists no IFLA_IPTUN_6RD_PREFIX")
	} else if s.SIT6RDPrefix.String() != "2001:db8::/32" || s.SIT6RDRelayPrefix.String() != "10.0.0.0/8" {
		t.Errorf("sit6rd: %v %v", s.SIT6RDPrefix, s.SIT6RDRelayPrefix)
	} else {
		ipKeys(t, ns, "sit6rd", map[string]any{"prefix": "2001:db8::", "prefixlen": 32.0, "relay_prefix": "10.0.0.0", "relay_prefixlen": 8.0})
	}
	e := gre(t, mustLink(t, h, "ers9").Info.Data)
	if *e.ERSPANVer != 2 || *e.ERSPANDir != rtnl.ERSPANEgress || *e.ERSPANHWID != 0x15 || *e.IKey != 3 {
		t.Errorf("ers9: %+v", e)
	}
	ipKeys(t, ns, "ers9", map[string]any{"erspan_ver": 2.0, "erspan_dir": "egress", "erspan_hwid": "0x15", "iseq": true})
}
