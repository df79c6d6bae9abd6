package rtnl_test

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
)

// encapOf returns the UDP encapsulation of GRE or IP tunnel data.
func encapOf(t *testing.T, d rtnl.LinkData) *rtnl.TunnelEncap {
	t.Helper()
	switch d := d.(type) {
	case *rtnl.GreInfo:
		return d.Encap
	case *rtnl.IPTunInfo:
		return d.Encap
	}
	t.Fatalf("data %T has no encapsulation", d)
	return nil
}

// ipEncap compares ip -j -d's info_data.encap of the link with want.
func ipEncap(t *testing.T, ns *netnstest.NS, name string, want map[string]any) {
	t.Helper()
	d := ipLinkData(t, ipLinks(t, ns, "dev", name)[name], "info_data")
	got, _ := d["encap"].(map[string]any)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: ip -j -d info_data.encap.%s = %v, want %v\n%v", name, k, got[k], v, d)
		}
	}
}

// TestLinkTunnelEncap encapsulates tunnels of each family in UDP (FOU and
// GUE), reads the encapsulation back typed and through ip -j -d, changes
// it and deletes the tunnel.
func TestLinkTunnelEncap(t *testing.T) {
	a4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	for _, c := range []struct {
		kind  string
		v6    bool
		encap rtnl.TunnelEncap
		data  func(*rtnl.TunnelEncap) rtnl.LinkData
	}{
		{"gre", false, rtnl.TunnelEncap{Type: rtnl.TunnelEncapFOU, DPort: 5555, Flags: rtnl.TunnelEncapCsum},
			func(e *rtnl.TunnelEncap) rtnl.LinkData {
				return &rtnl.GreInfo{Local: a4("10.0.0.1"), Remote: a4("10.0.0.2"), Encap: e}
			}},
		{"gretap", false, rtnl.TunnelEncap{Type: rtnl.TunnelEncapGUE, SPort: 1234, DPort: 6080, Flags: rtnl.TunnelEncapRemCsum},
			func(e *rtnl.TunnelEncap) rtnl.LinkData { return &rtnl.GreInfo{Remote: a4("10.0.0.3"), Encap: e} }},
		{"ipip", false, rtnl.TunnelEncap{Type: rtnl.TunnelEncapFOU, DPort: 5556},
			func(e *rtnl.TunnelEncap) rtnl.LinkData { return &rtnl.IPTunInfo{Remote: a4("10.1.0.2"), Encap: e} }},
		{"sit", false, rtnl.TunnelEncap{Type: rtnl.TunnelEncapGUE, DPort: 5557, Flags: rtnl.TunnelEncapCsum},
			func(e *rtnl.TunnelEncap) rtnl.LinkData { return &rtnl.IPTunInfo{Remote: a4("10.2.0.2"), Encap: e} }},
		{"ip6gre", true, rtnl.TunnelEncap{Type: rtnl.TunnelEncapFOU, DPort: 5558, Flags: rtnl.TunnelEncapCsum6},
			func(e *rtnl.TunnelEncap) rtnl.LinkData { return &rtnl.GreInfo{Remote: a4("2001:db8::2"), Encap: e} }},
		{"ip6tnl", true, rtnl.TunnelEncap{Type: rtnl.TunnelEncapGUE, SPort: 999, DPort: 5559},
			func(e *rtnl.TunnelEncap) rtnl.LinkData { return &rtnl.IPTunInfo{Remote: a4("2001:db8:1::2"), Encap: e} }},
	} {
		t.Run(c.kind, func(t *testing.T) {
			ns, h := newHandle(t)
			kfeature.RequireLinkKinds(t, ns, c.kind)
			kfeature.RequireTunnelEncap(t, ns, uint16(c.encap.Type), c.v6)
			encap := c.encap
			l := rtnl.Link{Name: "enc0", Info: rtnl.LinkInfo{Kind: c.kind, Data: c.data(&encap)}}
			if err := h.AddLink(bg, &l); err != nil {
				t.Fatalf("add: %v", err)
			}
			got := mustLink(t, h, "enc0")
			if e := encapOf(t, got.Info.Data); e == nil || *e != c.encap {
				t.Fatalf("encapsulation read back %+v, want %+v", e, c.encap)
			}
			f := c.encap.Flags
			ipEncap(t, ns, "enc0", map[string]any{"type": c.encap.Type.String(), "sport": float64(c.encap.SPort),
				"dport": float64(c.encap.DPort), "csum": f&rtnl.TunnelEncapCsum != 0, "csum6": f&rtnl.TunnelEncapCsum6 != 0,
				"remcsum": f&rtnl.TunnelEncapRemCsum != 0})

			// A change: another port, the checksum turned on; then none.
			e := encapOf(t, got.Info.Data)
			e.DPort, e.SPort, e.Flags = 7000, 0, e.Flags|rtnl.TunnelEncapCsum
			if err := h.SetLink(bg, &rtnl.Link{Index: got.Index}, &rtnl.LinkChange{Info: &got.Info}); err != nil {
				t.Fatalf("change: %v", err)
			}
			if e := encapOf(t, mustLink(t, h, "enc0").Info.Data); e == nil || e.DPort != 7000 || e.SPort != 0 || e.Flags&rtnl.TunnelEncapCsum == 0 {
				t.Errorf("after the change: %+v", e)
			}
			ipEncap(t, ns, "enc0", map[string]any{"sport": 0.0, "dport": 7000.0, "csum": true})
			*e = rtnl.TunnelEncap{}
			if err := h.SetLink(bg, &rtnl.Link{Index: got.Index}, &rtnl.LinkChange{Info: &got.Info}); err != nil {
				t.Fatalf("change to no encapsulation: %v", err)
			}
			if e := encapOf(t, mustLink(t, h, "enc0").Info.Data); e != nil && e.Type != rtnl.TunnelEncapNone {
				t.Errorf("after removing the encapsulation: %+v", e)
			}
			if err := h.DeleteLink(bg, &rtnl.Link{Index: got.Index}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
