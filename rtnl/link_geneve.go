package rtnl

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Geneve attributes newer than some copies of the unix package.
const (
	iflaGeneveUDPZeroCsum6Rx    = 10
	iflaGeneveLabel             = 11
	iflaGeneveTTLInherit        = 12
	iflaGeneveDF                = 13
	iflaGeneveInnerProtoInherit = 14
)

// A GeneveDF says how a Geneve link sets the Don't Fragment bit of the
// outer IPv4 header (GENEVE_DF_*).
type GeneveDF uint8

// The DF settings.
const (
	GeneveDFUnset   GeneveDF = 0
	GeneveDFSet     GeneveDF = 1
	GeneveDFInherit GeneveDF = 2
)

// String returns the setting as iproute2 names it: unset, set, inherit.
func (v GeneveDF) String() string { return enumName(vxlanDFNames, uint32(v)) }

// ParseGeneveDF reads a DF setting name or number.
func ParseGeneveDF(s string) (GeneveDF, error) {
	v, err := enumParse(vxlanDFNames, s, "geneve df", 255)
	return GeneveDF(v), err
}

// A GeneveInfo is the data of a Geneve link (IFLA_GENEVE_*). Its fields are
// ip's geneve options. When creating one, the fields that are set are
// sent; ID and Remote are required unless External. Unlike the IP
// tunnels, a change is merged by the kernel with the link's settings: send
// ID (which cannot change) and what changes.
type GeneveInfo struct {
	// ID is the virtual network identifier (VNI), 24 bits.
	ID *uint32
	// Remote is the other end (IFLA_GENEVE_REMOTE or REMOTE6); the zero
	// Addr when not set.
	Remote netip.Addr
	// TTL is the outer packets' TTL; 0 lets the route decide ("ttl
	// auto"). TTLInherit copies the inner packet's.
	TTL        *uint8
	TTLInherit *bool
	// TOS is the outer header's TOS; 1 copies the inner packet's.
	TOS *uint8
	DF  *GeneveDF
	// Label is the IPv6 flow label.
	Label *uint32
	// Port is the UDP destination port (ip's "dstport"); the kernel's
	// default, 6081, when nil.
	Port           *uint16
	UDPCsum        *bool
	UDPZeroCsum6Tx *bool
	UDPZeroCsum6Rx *bool
	// External makes the link take its tunnel parameters from each
	// packet's metadata (IFLA_GENEVE_COLLECT_METADATA).
	External bool
	// InnerProtoInherit carries the inner packet's protocol rather than
	// Ethernet frames (a layer 3 link).
	InnerProtoInherit bool
}

func (*GeneveInfo) accepts(kind string) bool { return kind == "geneve" }
func (*GeneveInfo) defaultKind() string      { return "geneve" }

func (g *GeneveInfo) validate(int) error {
	if g.ID != nil && *g.ID >= 1<<24 {
		return fmt.Errorf("rtnl: geneve ID %d does not fit in 24 bits", *g.ID)
	}
	if g.Remote.Is4In6() {
		return fmt.Errorf("rtnl: geneve Remote %v: an IPv4 address is given as one", g.Remote)
	}
	if g.Label != nil && *g.Label >= 1<<20 {
		return fmt.Errorf("rtnl: geneve Label %#x does not fit in 20 bits", *g.Label)
	}
	return nil
}

func (g *GeneveInfo) encodeData(e *nl.Encoder) {
	linkPutU32(e, unix.IFLA_GENEVE_ID, g.ID)
	if g.Remote.IsValid() {
		if g.Remote.Is4() {
			e.Addr(unix.IFLA_GENEVE_REMOTE, g.Remote)
		} else {
			e.Addr(unix.IFLA_GENEVE_REMOTE6, g.Remote)
		}
	}
	linkPutU8(e, unix.IFLA_GENEVE_TTL, g.TTL)
	linkPutBool(e, iflaGeneveTTLInherit, g.TTLInherit)
	linkPutU8(e, unix.IFLA_GENEVE_TOS, g.TOS)
	if g.DF != nil {
		e.Uint8(iflaGeneveDF, uint8(*g.DF))
	}
	if g.Label != nil {
		e.Uint32BE(iflaGeneveLabel, *g.Label)
	}
	if g.Port != nil {
		e.Uint16BE(unix.IFLA_GENEVE_PORT, *g.Port)
	}
	linkPutBool(e, unix.IFLA_GENEVE_UDP_CSUM, g.UDPCsum)
	linkPutBool(e, unix.IFLA_GENEVE_UDP_ZERO_CSUM6_TX, g.UDPZeroCsum6Tx)
	linkPutBool(e, iflaGeneveUDPZeroCsum6Rx, g.UDPZeroCsum6Rx)
	if g.External {
		e.Flag(unix.IFLA_GENEVE_COLLECT_METADATA)
	}
	if g.InnerProtoInherit {
		e.Flag(iflaGeneveInnerProtoInherit)
	}
}

func (g *GeneveInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_GENEVE_ID:
			g.ID = linkU32(s, &d)
		case unix.IFLA_GENEVE_REMOTE, unix.IFLA_GENEVE_REMOTE6:
			g.Remote = d.Addr()
		case unix.IFLA_GENEVE_TTL:
			g.TTL = linkU8(s, &d)
		case iflaGeneveTTLInherit:
			g.TTLInherit = linkBool(s, &d)
		case unix.IFLA_GENEVE_TOS:
			g.TOS = linkU8(s, &d)
		case iflaGeneveDF:
			g.DF = (*GeneveDF)(s.u8Ptr(d.Uint8()))
		case iflaGeneveLabel:
			g.Label = s.u32Ptr(d.Uint32BE())
		case unix.IFLA_GENEVE_PORT:
			g.Port = s.u16Ptr(d.Uint16BE())
		case unix.IFLA_GENEVE_UDP_CSUM:
			g.UDPCsum = linkBool(s, &d)
		case unix.IFLA_GENEVE_UDP_ZERO_CSUM6_TX:
			g.UDPZeroCsum6Tx = linkBool(s, &d)
		case iflaGeneveUDPZeroCsum6Rx:
			g.UDPZeroCsum6Rx = linkBool(s, &d)
		case unix.IFLA_GENEVE_COLLECT_METADATA:
			g.External = true
		case iflaGeneveInnerProtoInherit:
			g.InnerProtoInherit = true
		}
	}
	return d.Err()
}

func (s *store) newGeneveInfo() *GeneveInfo {
	if s == nil {
		return new(GeneveInfo)
	}
	return &s.geneveInfos.take(1)[0]
}

var _ LinkData = (*GeneveInfo)(nil)
