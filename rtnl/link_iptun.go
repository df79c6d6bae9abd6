package rtnl

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
)

// IP tunnel link attributes (IFLA_IPTUN_* in linux/if_tunnel.h), which the
// unix package does not have.
const (
	iflaIPTunLink             = 1
	iflaIPTunLocal            = 2
	iflaIPTunRemote           = 3
	iflaIPTunTTL              = 4
	iflaIPTunTOS              = 5
	iflaIPTunEncapLimit       = 6
	iflaIPTunFlowInfo         = 7
	iflaIPTunFlags            = 8
	iflaIPTunProto            = 9
	iflaIPTunPMTUDisc         = 10
	iflaIPTun6RDPrefix        = 11
	iflaIPTun6RDRelayPrefix   = 12
	iflaIPTun6RDPrefixLen     = 13
	iflaIPTun6RDRelayPrefixLn = 14
	iflaIPTunEncapType        = 15
	iflaIPTunEncapFlags       = 16
	iflaIPTunEncapSport       = 17
	iflaIPTunEncapDport       = 18
	iflaIPTunCollectMetadata  = 19
	iflaIPTunFWMark           = 20
)

var ipTunEncapAttrs = encapAttrs{iflaIPTunEncapType, iflaIPTunEncapFlags, iflaIPTunEncapSport, iflaIPTunEncapDport}

// The inner protocols of IP tunnels (IPTunInfo.Proto): what ip's "mode"
// selects.
const (
	// IPTunAny carries IPv4 and IPv6 (ipip, ip6tnl) or IPv6 and IPv4
	// (sit): "mode any".
	IPTunAny uint8 = 0
	// IPTunIPIP carries IPv4 (IPPROTO_IPIP): ipip's and sit's "mode
	// ipip", ip6tnl's "mode ipip6".
	IPTunIPIP uint8 = 4
	// IPTunIPv6 carries IPv6 (IPPROTO_IPV6): sit's "mode ip6ip",
	// ip6tnl's "mode ip6ip6".
	IPTunIPv6 uint8 = 41
	// IPTunMPLS carries MPLS (IPPROTO_MPLS): "mode mplsip".
	IPTunMPLS uint8 = 137
)

// An IPTunInfo is the data of an IP-in-IP tunnel (IFLA_IPTUN_*): kinds
// ipip and sit (over IPv4) and ip6tnl (over IPv6). Its fields are ip's
// options: Proto ("mode"), Local and Remote (the zero Addr for any),
// LinkIndex ("dev"), TTL (hop limit for ip6tnl; 0 inherits), and by kind:
// TOS and PMTUDisc (ipip, sit), ISATAP and the 6rd prefixes (sit),
// EncapLimit, FlowInfo and Flags (ip6tnl).
//
// When creating or changing one, the fields that are set are sent. As for
// GRE, the kernel does not merge a change with the tunnel's settings:
// what is not sent goes back to its default, so a change sends every
// setting, as a listed IPTunInfo does.
type IPTunInfo struct {
	// Proto is the inner protocol: IPTunAny, IPTunIPIP, IPTunIPv6 or
	// IPTunMPLS; nil leaves the kind's default (ipip: IPv4, sit: IPv6,
	// ip6tnl: IPv6).
	Proto  *uint8
	Local  netip.Addr
	Remote netip.Addr
	// LinkIndex is the device the tunnel's packets leave by
	// (IFLA_IPTUN_LINK, ip's "dev"); 0 for none.
	LinkIndex int
	// TTL is the outer packets' TTL or hop limit; 0 copies the inner
	// packet's.
	TTL *uint8
	// TOS is the outer header's TOS; 1 copies the inner packet's (ipip,
	// sit).
	TOS *uint8
	// PMTUDisc enables path MTU discovery (ipip, sit); the kernel's
	// default is on.
	PMTUDisc *bool
	FWMark   *uint32
	// Encap is the UDP encapsulation (ip's "encap fou|gue ...").
	Encap *TunnelEncap
	// External makes the tunnel take its parameters from each packet's
	// metadata (IFLA_IPTUN_COLLECT_METADATA).
	External bool

	// ISATAP makes a sit tunnel an ISATAP interface (SIT_ISATAP in
	// IFLA_IPTUN_FLAGS).
	ISATAP *bool
	// SIT6RDPrefix and SIT6RDRelayPrefix are a sit tunnel's IPv6 rapid
	// deployment prefix and IPv4 relay prefix (the kernel's defaults:
	// 2002::/16 and 0.0.0.0/0).
	SIT6RDPrefix      netip.Prefix
	SIT6RDRelayPrefix netip.Prefix

	// EncapLimit is the IPv6 tunnel encapsulation limit (ip6tnl).
	EncapLimit *uint8
	// FlowInfo holds the outer IPv6 header's traffic class
	// (FlowInfoTClass) and flow label (FlowInfoLabel) (ip6tnl).
	FlowInfo *uint32
	// Flags are the IPv6 tunnel flags (ip6tnl).
	Flags *IP6TunnelFlags
}

// ipTunKinds are the kinds IPTunInfo accepts, with whether they run over
// IPv6.
var ipTunKinds = map[string]bool{"ipip": false, "sit": false, "ip6tnl": true}

// sitISATAP is SIT_ISATAP, the one flag of a sit tunnel.
const sitISATAP = 0x0001

func (*IPTunInfo) accepts(kind string) bool {
	_, ok := ipTunKinds[kind]
	return ok
}

// defaultKind is ipip, or ip6tnl when an endpoint is an IPv6 address.
func (t *IPTunInfo) defaultKind() string {
	if t.Local.Is6() || t.Remote.Is6() {
		return "ip6tnl"
	}
	return "ipip"
}

func (t *IPTunInfo) validate(int) error {
	if t.LinkIndex < 0 {
		return fmt.Errorf("rtnl: invalid IP tunnel LinkIndex %d", t.LinkIndex)
	}
	if t.FlowInfo != nil && *t.FlowInfo&^(FlowInfoTClass|FlowInfoLabel) != 0 {
		return fmt.Errorf("rtnl: IP tunnel FlowInfo %#x has bits outside the traffic class and flow label", *t.FlowInfo)
	}
	if p := t.SIT6RDPrefix; p.IsValid() && !p.Addr().Is6() {
		return fmt.Errorf("rtnl: sit 6rd prefix %v is not an IPv6 prefix", p)
	}
	if p := t.SIT6RDRelayPrefix; p.IsValid() && !p.Addr().Is4() {
		return fmt.Errorf("rtnl: sit 6rd relay prefix %v is not an IPv4 prefix", p)
	}
	return nil
}

func (t *IPTunInfo) validateKind(kind string) error {
	v6 := ipTunKinds[kind]
	if err := tunnelAddrsFit(kind, v6, t.Local, t.Remote); err != nil {
		return err
	}
	sit := kind == "sit"
	switch {
	case !sit && (t.ISATAP != nil || t.SIT6RDPrefix.IsValid() || t.SIT6RDRelayPrefix.IsValid()):
		return fmt.Errorf("rtnl: ISATAP and the 6rd prefixes are of sit tunnels, not %s", kind)
	case !v6 && (t.EncapLimit != nil || t.FlowInfo != nil || t.Flags != nil):
		return fmt.Errorf("rtnl: EncapLimit, FlowInfo and Flags are of ip6tnl tunnels, not %s", kind)
	case v6 && (t.TOS != nil || t.PMTUDisc != nil):
		return fmt.Errorf("rtnl: TOS and PMTUDisc are of IPv4 tunnels, not %s (FlowInfo has its traffic class)", kind)
	}
	return nil
}

func (t *IPTunInfo) encodeData(e *nl.Encoder) {
	linkPutU8(e, iflaIPTunProto, t.Proto)
	if t.LinkIndex != 0 {
		e.Uint32(iflaIPTunLink, uint32(t.LinkIndex))
	}
	if t.Local.IsValid() {
		e.Addr(iflaIPTunLocal, t.Local)
	}
	if t.Remote.IsValid() {
		e.Addr(iflaIPTunRemote, t.Remote)
	}
	linkPutU8(e, iflaIPTunTTL, t.TTL)
	linkPutU8(e, iflaIPTunTOS, t.TOS)
	linkPutBool(e, iflaIPTunPMTUDisc, t.PMTUDisc)
	linkPutU8(e, iflaIPTunEncapLimit, t.EncapLimit)
	if t.FlowInfo != nil {
		e.Uint32BE(iflaIPTunFlowInfo, *t.FlowInfo)
	}
	// The flags are 16 bits for sit, 32 for ip6tnl.
	switch {
	case t.Flags != nil:
		e.Uint32(iflaIPTunFlags, uint32(*t.Flags))
	case t.ISATAP != nil:
		var f uint16
		if *t.ISATAP {
			f = sitISATAP
		}
		e.Uint16(iflaIPTunFlags, f)
	}
	if p := t.SIT6RDPrefix; p.IsValid() {
		e.Addr(iflaIPTun6RDPrefix, p.Addr())
		e.Uint16(iflaIPTun6RDPrefixLen, uint16(p.Bits()))
	}
	if p := t.SIT6RDRelayPrefix; p.IsValid() {
		e.Addr(iflaIPTun6RDRelayPrefix, p.Addr())
		e.Uint16(iflaIPTun6RDRelayPrefixLn, uint16(p.Bits()))
	}
	linkPutU32(e, iflaIPTunFWMark, t.FWMark)
	t.Encap.encode(e, ipTunEncapAttrs)
	if t.External {
		e.Flag(iflaIPTunCollectMetadata)
	}
}

func (t *IPTunInfo) decode(d nl.AttrDecoder, s *store) error {
	var pfx, relay netip.Addr
	var pfxLen, relayLen int
	var hasPfxLen, hasRelayLen bool
	for d.Next() {
		if decodeEncap(&t.Encap, ipTunEncapAttrs, &d, s) {
			continue
		}
		switch d.Type() {
		case iflaIPTunProto:
			t.Proto = linkU8(s, &d)
		case iflaIPTunLink:
			t.LinkIndex = int(d.Uint32())
		case iflaIPTunLocal:
			t.Local = d.Addr()
		case iflaIPTunRemote:
			t.Remote = d.Addr()
		case iflaIPTunTTL:
			t.TTL = linkU8(s, &d)
		case iflaIPTunTOS:
			t.TOS = linkU8(s, &d)
		case iflaIPTunPMTUDisc:
			t.PMTUDisc = linkBool(s, &d)
		case iflaIPTunEncapLimit:
			t.EncapLimit = linkU8(s, &d)
		case iflaIPTunFlowInfo:
			t.FlowInfo = s.u32Ptr(d.Uint32BE())
		case iflaIPTunFlags:
			if d.Len() == 2 { // sit's
				t.ISATAP = s.boolPtr(d.Uint16()&sitISATAP != 0)
			} else {
				t.Flags = (*IP6TunnelFlags)(s.u32Ptr(d.Uint32()))
			}
		case iflaIPTun6RDPrefix:
			pfx = d.Addr()
		case iflaIPTun6RDPrefixLen:
			pfxLen, hasPfxLen = int(d.Uint16()), true
		case iflaIPTun6RDRelayPrefix:
			relay = d.Addr()
		case iflaIPTun6RDRelayPrefixLn:
			relayLen, hasRelayLen = int(d.Uint16()), true
		case iflaIPTunFWMark:
			t.FWMark = linkU32(s, &d)
		case iflaIPTunCollectMetadata:
			t.External = true
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	var err error
	if t.SIT6RDPrefix, err = sit6RDPrefix(pfx, pfxLen, hasPfxLen, "6rd prefix"); err != nil {
		return err
	}
	t.SIT6RDRelayPrefix, err = sit6RDPrefix(relay, relayLen, hasRelayLen, "6rd relay prefix")
	return err
}

// sit6RDPrefix puts a 6rd prefix's address and length together.
func sit6RDPrefix(a netip.Addr, bits int, hasBits bool, what string) (netip.Prefix, error) {
	if !a.IsValid() {
		return netip.Prefix{}, nil
	}
	if !hasBits {
		bits = 0
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("%w: sit %s length %d out of range for %v", nl.ErrMalformed, what, bits, a)
	}
	return netip.PrefixFrom(a, bits), nil
}

func (s *store) newIPTunInfo() *IPTunInfo {
	if s == nil {
		return new(IPTunInfo)
	}
	return &s.ipTunInfos.take(1)[0]
}

var _ LinkData = (*IPTunInfo)(nil)
