package iproute

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// TestParseTunnelArgs checks what `link add ... type KIND ARGS` sends for
// the tunnel kinds: ip's defaults and each keyword's effect (no kernel
// needed; "dev" is not used).
func TestParseTunnelArgs(t *testing.T) {
	a4 := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	greDefaults := func(g *rtnl.GreInfo) *rtnl.GreInfo {
		set := func(p **uint32) {
			if *p == nil {
				*p = new(uint32(0))
			}
		}
		set(&g.IKey)
		set(&g.OKey)
		set(&g.FWMark)
		if g.IFlags == nil {
			g.IFlags = new(rtnl.GreFlags(0))
		}
		if g.OFlags == nil {
			g.OFlags = new(rtnl.GreFlags(0))
		}
		if g.TTL == nil {
			g.TTL = new(uint8(0))
		}
		if g.TOS == nil {
			g.TOS = new(uint8(0))
		}
		if g.PMTUDisc == nil {
			g.PMTUDisc = new(true)
		}
		if g.Encap == nil {
			g.Encap = &rtnl.TunnelEncap{}
		}
		return g
	}
	for _, c := range []struct {
		kind string
		args string
		want rtnl.LinkData
	}{
		{"gre", "remote 10.0.0.2 local 10.0.0.1 ttl 64 key 5", greDefaults(&rtnl.GreInfo{Remote: a4("10.0.0.2"), Local: a4("10.0.0.1"),
			TTL: new(uint8(64)), IKey: new(uint32(5)), OKey: new(uint32(5)), IFlags: new(rtnl.GreKey), OFlags: new(rtnl.GreKey)})},
		{"gre", "rem 239.1.1.1 loc 10.0.0.1 nopmtu ocsum iseq tos inherit", greDefaults(&rtnl.GreInfo{Remote: a4("239.1.1.1"),
			Local: a4("10.0.0.1"), PMTUDisc: new(false), TOS: new(uint8(1)), IKey: new(uint32(0xef010101)), OKey: new(uint32(0xef010101)),
			IFlags: new(rtnl.GreKey | rtnl.GreSeq), OFlags: new(rtnl.GreKey | rtnl.GreCsum)})},
		{"gretap", "external", &rtnl.GreInfo{External: true}},
		{"gretap", "remote any ikey 1.2.3.4 noignore-df encap gue encap-sport auto encap-dport 5555 encap-csum",
			greDefaults(&rtnl.GreInfo{IKey: new(uint32(0x01020304)), IFlags: new(rtnl.GreKey), IgnoreDF: new(false),
				Encap: &rtnl.TunnelEncap{Type: rtnl.TunnelEncapGUE, DPort: 5555, Flags: rtnl.TunnelEncapCsum}})},
		{"ip6gre", "remote 2001:db8::2 hoplimit 20 flowlabel 0x12345 tclass 0x10 encaplimit none", &rtnl.GreInfo{
			Remote: a4("2001:db8::2"), TTL: new(uint8(20)), FlowInfo: new(uint32(0x01012345)), Flags: new(rtnl.IP6TunnelIgnEncapLimit),
			EncapLimit: new(uint8(4)), IKey: new(uint32(0)), OKey: new(uint32(0)), IFlags: new(rtnl.GreFlags(0)), OFlags: new(rtnl.GreFlags(0)),
			FWMark: new(uint32(0)), Encap: &rtnl.TunnelEncap{Flags: rtnl.TunnelEncapCsum6}, ERSPANVer: new(uint8(1))}},
		{"ipip", "remote 10.1.0.2 ttl 10", &rtnl.IPTunInfo{Proto: new(rtnl.IPTunAny), Remote: a4("10.1.0.2"), TTL: new(uint8(10)),
			TOS: new(uint8(0)), PMTUDisc: new(true), FWMark: new(uint32(0)), Encap: &rtnl.TunnelEncap{}}},
		{"sit", "mode ip6ip isatap 6rd-prefix 2001:db8::/32", &rtnl.IPTunInfo{Proto: new(rtnl.IPTunIPv6), TTL: new(uint8(0)),
			TOS: new(uint8(0)), PMTUDisc: new(true), FWMark: new(uint32(0)), Encap: &rtnl.TunnelEncap{}, ISATAP: new(true),
			SIT6RDPrefix: netip.MustParsePrefix("2001:db8::/32")}},
		{"ip6tnl", "mode ipip6 remote 2001:db8::1 fwmark inherit dscp inherit", &rtnl.IPTunInfo{Proto: new(rtnl.IPTunIPIP),
			Remote: a4("2001:db8::1"), TTL: new(uint8(64)), EncapLimit: new(uint8(4)), FlowInfo: new(uint32(0)),
			Flags: new(rtnl.IP6TunnelUseOrigFWMark | rtnl.IP6TunnelRcvDSCPCopy), FWMark: new(uint32(0)),
			Encap: &rtnl.TunnelEncap{Flags: rtnl.TunnelEncapCsum6}}},
		{"ip6tnl", "external", &rtnl.IPTunInfo{Proto: new(rtnl.IPTunAny), External: true}},
		{"geneve", "id 7 remote 10.3.0.2 dstport 6081 ttl inherit df set noudpcsum", &rtnl.GeneveInfo{ID: new(uint32(7)),
			Remote: a4("10.3.0.2"), Port: new(uint16(6081)), TTLInherit: new(true), DF: new(rtnl.GeneveDFSet), UDPCsum: new(false),
			TTL: new(uint8(0)), TOS: new(uint8(0)), Label: new(uint32(0))}},
		{"geneve", "external", &rtnl.GeneveInfo{External: true, ID: new(uint32(0)), TTL: new(uint8(0)), TOS: new(uint8(0)),
			Label: new(uint32(0))}},
	} {
		info, err := parseTunnelKind(nil, cli.NewArgs(strings.Fields(c.args)), c.kind, true, "")
		if err != nil {
			t.Errorf("%s %s: %v", c.kind, c.args, err)
			continue
		}
		if !reflect.DeepEqual(info.Data, c.want) {
			t.Errorf("%s %s:\n got %+v\nwant %+v", c.kind, c.args, info.Data, c.want)
		}
	}
	for _, c := range []struct{ kind, args, want string }{
		{"gre", "remote 239.1.1.1", "broadcast tunnel requires a source address"},
		{"gre", "remote 2001:db8::1", "IPv4 address"},
		{"ip6gre", "local 10.0.0.1", "IPv6 address"},
		{"ipip", "ttl 5 nopmtudisc", "incompatible"},
		{"ipip", "mode ip6ip", "Cannot guess tunnel mode"},
		{"ip6tnl", "flowlabel 0x100000", "fffff"},
		{"geneve", "remote 10.0.0.1", "missing virtual network identifier"},
		{"geneve", "id 5", "remote link partner not specified"},
		{"geneve", "id 5 external", "both 'external' and vni"},
		{"geneve", "id 5 vni 6", "duplicate"},
		{"erspan", "erspan 0", "erspan index"},
		{"gre", "bogus", "unknown option"},
	} {
		_, err := parseTunnelKind(nil, cli.NewArgs(strings.Fields(c.args)), c.kind, true, "")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: %v, want an error saying %q", c.kind, c.args, err, c.want)
		}
	}
}
