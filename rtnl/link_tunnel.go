package rtnl

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
)

// What the IP tunnel kinds (GreInfo, IPTunInfo) share: the UDP
// encapsulation of their packets (foo-over-UDP, GUE), the IPv6 tunnel
// flags, and the check that a tunnel's addresses fit its kind.

// A TunnelEncapType is the UDP encapsulation of a tunnel's packets
// (TUNNEL_ENCAP_*).
type TunnelEncapType uint16

// The encapsulations.
const (
	TunnelEncapNone TunnelEncapType = 0
	TunnelEncapFOU  TunnelEncapType = 1
	TunnelEncapGUE  TunnelEncapType = 2
)

var tunnelEncapNames = map[uint32]string{0: "none", 1: "fou", 2: "gue"}

// String returns the encapsulation as iproute2 names it: none, fou, gue.
func (t TunnelEncapType) String() string { return enumName(tunnelEncapNames, uint32(t)) }

// TunnelEncapFlags are the options of a tunnel's UDP encapsulation
// (TUNNEL_ENCAP_FLAG_*).
type TunnelEncapFlags uint16

// The encapsulation flags: checksums over IPv4 and IPv6, remote checksum
// offload.
const (
	TunnelEncapCsum    TunnelEncapFlags = 1 << 0
	TunnelEncapCsum6   TunnelEncapFlags = 1 << 1
	TunnelEncapRemCsum TunnelEncapFlags = 1 << 2
)

// A TunnelEncap is the UDP encapsulation of a tunnel's packets (the
// kind's ENCAP_TYPE, ENCAP_FLAGS, ENCAP_SPORT and ENCAP_DPORT attributes,
// sent and listed together). A source port of 0 lets the kernel choose.
type TunnelEncap struct {
	Type         TunnelEncapType
	Flags        TunnelEncapFlags
	SPort, DPort uint16
}

// The attribute numbers of one tunnel family's encapsulation.
type encapAttrs struct{ typ, flags, sport, dport uint16 }

func (t *TunnelEncap) encode(e *nl.Encoder, a encapAttrs) {
	if t == nil {
		return
	}
	e.Uint16(a.typ, uint16(t.Type))
	e.Uint16(a.flags, uint16(t.Flags))
	e.Uint16BE(a.sport, t.SPort)
	e.Uint16BE(a.dport, t.DPort)
}

// decodeEncap fills the encapsulation's field of attribute type typ, if it
// is one, taking the struct from s when p is still nil.
func decodeEncap(p **TunnelEncap, a encapAttrs, d *nl.AttrDecoder, s *store) bool {
	switch d.Type() {
	case a.typ, a.flags, a.sport, a.dport:
	default:
		return false
	}
	if *p == nil {
		*p = s.newTunnelEncap()
	}
	switch d.Type() {
	case a.typ:
		(*p).Type = TunnelEncapType(d.Uint16())
	case a.flags:
		(*p).Flags = TunnelEncapFlags(d.Uint16())
	case a.sport:
		(*p).SPort = d.Uint16BE()
	case a.dport:
		(*p).DPort = d.Uint16BE()
	}
	return true
}

// IP6TunnelFlags are the flags of an IPv6 tunnel, ip6tnl, ip6gre and
// ip6gretap (IP6_TNL_F_*).
type IP6TunnelFlags uint32

// The IPv6 tunnel flags.
const (
	// IP6TunnelIgnEncapLimit sends no encapsulation limit option
	// (ip's "encaplimit none").
	IP6TunnelIgnEncapLimit IP6TunnelFlags = 0x1
	// IP6TunnelUseOrigTClass copies the inner packet's traffic class
	// ("tclass inherit").
	IP6TunnelUseOrigTClass IP6TunnelFlags = 0x2
	// IP6TunnelUseOrigFlowLabel copies the inner packet's flow label
	// ("flowlabel inherit").
	IP6TunnelUseOrigFlowLabel IP6TunnelFlags = 0x4
	// IP6TunnelMIP6Dev marks a Mobile IPv6 tunnel.
	IP6TunnelMIP6Dev IP6TunnelFlags = 0x8
	// IP6TunnelRcvDSCPCopy copies the outer DSCP to the inner packet on
	// reception ("dscp inherit").
	IP6TunnelRcvDSCPCopy IP6TunnelFlags = 0x10
	// IP6TunnelUseOrigFWMark copies the packet's mark ("fwmark inherit").
	IP6TunnelUseOrigFWMark IP6TunnelFlags = 0x20
	// IP6TunnelAllowLocalRemote allows a remote address that is local
	// ("allow-localremote").
	IP6TunnelAllowLocalRemote IP6TunnelFlags = 0x40
)

// The parts of an IPv6 tunnel's flow information (IFLA_*_FLOWINFO, the
// first word of the IPv6 header without the version).
const (
	// FlowInfoTClass is the traffic class's bits of a FlowInfo.
	FlowInfoTClass uint32 = 0x0ff00000
	// FlowInfoLabel is the flow label's bits of a FlowInfo.
	FlowInfoLabel uint32 = 0x000fffff
)

// A kindChecker is link data that depends on the kind beyond accepting
// it: the address family of a tunnel's endpoints.
type kindChecker interface {
	validateKind(kind string) error
}

// tunnelAddrsFit checks that a tunnel's endpoint addresses (each may be
// the zero Addr, for none) are of the family the kind carries packets
// over.
func tunnelAddrsFit(kind string, v6 bool, addrs ...netip.Addr) error {
	for _, a := range addrs {
		if !a.IsValid() {
			continue
		}
		if a.Is4In6() || a.Is6() != v6 {
			fam := "IPv4"
			if v6 {
				fam = "IPv6"
			}
			return fmt.Errorf("rtnl: a %s tunnel's endpoints are %s addresses, not %v", kind, fam, a)
		}
	}
	return nil
}

func (s *store) newTunnelEncap() *TunnelEncap {
	if s == nil {
		return new(TunnelEncap)
	}
	return &s.tunnelEncaps.take(1)[0]
}
