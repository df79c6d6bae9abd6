package rtnl

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
)

// GRE link attributes (IFLA_GRE_* in linux/if_tunnel.h), which the unix
// package does not have.
const (
	iflaGreLink            = 1
	iflaGreIFlags          = 2
	iflaGreOFlags          = 3
	iflaGreIKey            = 4
	iflaGreOKey            = 5
	iflaGreLocal           = 6
	iflaGreRemote          = 7
	iflaGreTTL             = 8
	iflaGreTOS             = 9
	iflaGrePMTUDisc        = 10
	iflaGreEncapLimit      = 11
	iflaGreFlowInfo        = 12
	iflaGreFlags           = 13
	iflaGreEncapType       = 14
	iflaGreEncapFlags      = 15
	iflaGreEncapSport      = 16
	iflaGreEncapDport      = 17
	iflaGreCollectMetadata = 18
	iflaGreIgnoreDF        = 19
	iflaGreFWMark          = 20
	iflaGreERSPANIndex     = 21
	iflaGreERSPANVer       = 22
	iflaGreERSPANDir       = 23
	iflaGreERSPANHWID      = 24
)

var greEncapAttrs = encapAttrs{iflaGreEncapType, iflaGreEncapFlags, iflaGreEncapSport, iflaGreEncapDport}

// GreFlags are the GRE header flags a tunnel sends (OFlags) or requires
// (IFlags), as the header's first 16 bits (GRE_* in linux/if_tunnel.h, in
// host order here).
type GreFlags uint16

// The GRE flags a tunnel is configured with.
const (
	GreCsum GreFlags = 0x8000 // checksums
	GreKey  GreFlags = 0x2000 // a key (IKey, OKey)
	GreSeq  GreFlags = 0x1000 // sequence numbers
)

// The ERSPAN directions (ERSPANDir).
const (
	ERSPANIngress uint8 = 0
	ERSPANEgress  uint8 = 1
)

// A GreInfo is the data of a GRE tunnel (IFLA_GRE_*): kinds gre and gretap
// (over IPv4), ip6gre and ip6gretap (over IPv6), and erspan and ip6erspan.
// Its fields are ip's options: Local and Remote ("local", "remote"; the
// zero Addr for any), LinkIndex ("dev"), the keys with their flags
// ("key", "ikey", "okey", "[io]seq", "[io]csum"), TTL (hop limit for
// IPv6; 0 inherits), TOS (IPv4; 1 inherits), and for the IPv6 kinds
// EncapLimit, FlowInfo and Flags.
//
// When creating or changing one, the fields that are set are sent (nil
// pointers and zero Addrs are not). Note that the kernel does not merge a
// change of a GRE tunnel with its settings: every parameter not sent goes
// back to its default (the encapsulation excepted), so a change sends them
// all, as a listed GreInfo does (`ip link set ... type gre` reads the
// tunnel first too).
type GreInfo struct {
	Local  netip.Addr
	Remote netip.Addr
	// LinkIndex is the device the tunnel's packets leave by
	// (IFLA_GRE_LINK, ip's "dev"); 0 for none.
	LinkIndex int
	// IFlags are the flags received packets must have; OFlags those
	// sent. GreKey in them enables IKey and OKey.
	IFlags *GreFlags
	OFlags *GreFlags
	// IKey and OKey are the keys of received and sent packets.
	IKey *uint32
	OKey *uint32
	// TTL is the outer packets' TTL or hop limit; 0 copies the inner
	// packet's.
	TTL *uint8
	// TOS is the outer IPv4 header's TOS; 1 copies the inner packet's.
	TOS *uint8
	// PMTUDisc enables path MTU discovery (the DF bit); the kernel's
	// default is on.
	PMTUDisc *bool
	// IgnoreDF fragments packets that have DF set (gretap, erspan).
	IgnoreDF *bool
	FWMark   *uint32
	// Encap is the UDP encapsulation (ip's "encap fou|gue ...").
	Encap *TunnelEncap
	// External makes the tunnel take its parameters from each packet's
	// metadata (IFLA_GRE_COLLECT_METADATA).
	External bool

	// EncapLimit is the IPv6 tunnel encapsulation limit (IPv6 kinds).
	EncapLimit *uint8
	// FlowInfo holds the outer IPv6 header's traffic class
	// (FlowInfoTClass) and flow label (FlowInfoLabel) (IPv6 kinds).
	FlowInfo *uint32
	// Flags are the IPv6 tunnel flags (IPv6 kinds).
	Flags *IP6TunnelFlags

	// ERSPANVer is the ERSPAN version (0, 1 or 2); ERSPANIndex the
	// version 1 index, ERSPANDir (ERSPANIngress, ERSPANEgress) and
	// ERSPANHWID the version 2 direction and hardware id (erspan kinds).
	ERSPANVer   *uint8
	ERSPANIndex *uint32
	ERSPANDir   *uint8
	ERSPANHWID  *uint16
}

// greKinds are the kinds GreInfo accepts, with whether they run over IPv6.
var greKinds = map[string]bool{
	"gre": false, "gretap": false, "erspan": false,
	"ip6gre": true, "ip6gretap": true, "ip6erspan": true,
}

func (*GreInfo) accepts(kind string) bool {
	_, ok := greKinds[kind]
	return ok
}

// defaultKind is gre, or ip6gre when an endpoint is an IPv6 address.
func (g *GreInfo) defaultKind() string {
	if g.Local.Is6() || g.Remote.Is6() {
		return "ip6gre"
	}
	return "gre"
}

func (g *GreInfo) validate(int) error {
	if g.LinkIndex < 0 {
		return fmt.Errorf("rtnl: invalid GRE tunnel LinkIndex %d", g.LinkIndex)
	}
	if g.FlowInfo != nil && *g.FlowInfo&^(FlowInfoTClass|FlowInfoLabel) != 0 {
		return fmt.Errorf("rtnl: GRE tunnel FlowInfo %#x has bits outside the traffic class and flow label", *g.FlowInfo)
	}
	if g.ERSPANIndex != nil && *g.ERSPANIndex >= 1<<20 {
		return fmt.Errorf("rtnl: ERSPAN index %d does not fit in 20 bits", *g.ERSPANIndex)
	}
	return nil
}

func (g *GreInfo) validateKind(kind string) error {
	v6 := greKinds[kind]
	if err := tunnelAddrsFit(kind, v6, g.Local, g.Remote); err != nil {
		return err
	}
	if !v6 && (g.EncapLimit != nil || g.FlowInfo != nil || g.Flags != nil) {
		return fmt.Errorf("rtnl: EncapLimit, FlowInfo and Flags are of IPv6 GRE tunnels, not %s", kind)
	}
	if v6 && g.TOS != nil {
		return fmt.Errorf("rtnl: a %s tunnel has a traffic class in FlowInfo, not a TOS", kind)
	}
	return nil
}

func (g *GreInfo) encodeData(e *nl.Encoder) {
	if g.LinkIndex != 0 {
		e.Uint32(iflaGreLink, uint32(g.LinkIndex))
	}
	if g.IFlags != nil {
		e.Uint16BE(iflaGreIFlags, uint16(*g.IFlags))
	}
	if g.OFlags != nil {
		e.Uint16BE(iflaGreOFlags, uint16(*g.OFlags))
	}
	if g.IKey != nil {
		e.Uint32BE(iflaGreIKey, *g.IKey)
	}
	if g.OKey != nil {
		e.Uint32BE(iflaGreOKey, *g.OKey)
	}
	if g.Local.IsValid() {
		e.Addr(iflaGreLocal, g.Local)
	}
	if g.Remote.IsValid() {
		e.Addr(iflaGreRemote, g.Remote)
	}
	linkPutU8(e, iflaGreTTL, g.TTL)
	linkPutU8(e, iflaGreTOS, g.TOS)
	linkPutBool(e, iflaGrePMTUDisc, g.PMTUDisc)
	linkPutU8(e, iflaGreEncapLimit, g.EncapLimit)
	if g.FlowInfo != nil {
		e.Uint32BE(iflaGreFlowInfo, *g.FlowInfo)
	}
	if g.Flags != nil {
		e.Uint32(iflaGreFlags, uint32(*g.Flags))
	}
	g.Encap.encode(e, greEncapAttrs)
	if g.External {
		e.Flag(iflaGreCollectMetadata)
	}
	linkPutBool(e, iflaGreIgnoreDF, g.IgnoreDF)
	linkPutU32(e, iflaGreFWMark, g.FWMark)
	linkPutU8(e, iflaGreERSPANVer, g.ERSPANVer)
	linkPutU32(e, iflaGreERSPANIndex, g.ERSPANIndex)
	linkPutU8(e, iflaGreERSPANDir, g.ERSPANDir)
	linkPutU16(e, iflaGreERSPANHWID, g.ERSPANHWID)
}

func (g *GreInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		if decodeEncap(&g.Encap, greEncapAttrs, &d, s) {
			continue
		}
		switch d.Type() {
		case iflaGreLink:
			g.LinkIndex = int(d.Uint32())
		case iflaGreIFlags:
			g.IFlags = (*GreFlags)(s.u16Ptr(d.Uint16BE()))
		case iflaGreOFlags:
			g.OFlags = (*GreFlags)(s.u16Ptr(d.Uint16BE()))
		case iflaGreIKey:
			g.IKey = s.u32Ptr(d.Uint32BE())
		case iflaGreOKey:
			g.OKey = s.u32Ptr(d.Uint32BE())
		case iflaGreLocal:
			g.Local = d.Addr()
		case iflaGreRemote:
			g.Remote = d.Addr()
		case iflaGreTTL:
			g.TTL = linkU8(s, &d)
		case iflaGreTOS:
			g.TOS = linkU8(s, &d)
		case iflaGrePMTUDisc:
			g.PMTUDisc = linkBool(s, &d)
		case iflaGreEncapLimit:
			g.EncapLimit = linkU8(s, &d)
		case iflaGreFlowInfo:
			g.FlowInfo = s.u32Ptr(d.Uint32BE())
		case iflaGreFlags:
			g.Flags = (*IP6TunnelFlags)(s.u32Ptr(d.Uint32()))
		case iflaGreCollectMetadata:
			g.External = true
		case iflaGreIgnoreDF:
			g.IgnoreDF = linkBool(s, &d)
		case iflaGreFWMark:
			g.FWMark = linkU32(s, &d)
		case iflaGreERSPANVer:
			g.ERSPANVer = linkU8(s, &d)
		case iflaGreERSPANIndex:
			g.ERSPANIndex = linkU32(s, &d)
		case iflaGreERSPANDir:
			g.ERSPANDir = linkU8(s, &d)
		case iflaGreERSPANHWID:
			g.ERSPANHWID = linkU16(s, &d)
		}
	}
	return d.Err()
}

func (s *store) newGreInfo() *GreInfo {
	if s == nil {
		return new(GreInfo)
	}
	return &s.greInfos.take(1)[0]
}

var _ LinkData = (*GreInfo)(nil)
