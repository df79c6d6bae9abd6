package rtnl

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
)

// Lightweight tunnel types (LWTUNNEL_ENCAP_*) this package builds and
// reads; others round-trip as raw attributes in Encap.Data.
const (
	EncapNone EncapType = 0
	EncapMPLS EncapType = 1
	EncapIP   EncapType = 2
	EncapIP6  EncapType = 4
	EncapSeg6 EncapType = 5
)

// An IPEncap is the metadata of an "ip" or "ip6" encapsulation
// (LWTUNNEL_ENCAP_IP, LWTUNNEL_ENCAP_IP6), handed to a tunnel device in
// collect-metadata mode: `ip route add ... encap ip id 5 dst 192.0.2.9 dev t0`.
// Dst and Src decide the type: IPv4 addresses make an "ip" encapsulation,
// IPv6 ones an "ip6".
type IPEncap struct {
	ID       uint64
	Dst, Src netip.Addr
	// TTL is the TTL (IPv4) or hop limit (IPv6); TOS the TOS or traffic
	// class.
	TTL, TOS uint8
	Flags    uint16
}

// Attribute numbers shared by LWTUNNEL_IP_* and LWTUNNEL_IP6_*.
const (
	lwtIPID    = 1
	lwtIPDst   = 2
	lwtIPSrc   = 3
	lwtIPTTL   = 4
	lwtIPTOS   = 5
	lwtIPFlags = 6
)

// Encap encodes e as a route's encapsulation.
func (e IPEncap) Encap() (Encap, error) {
	six := e.Dst.Is6() || !e.Dst.IsValid() && e.Src.Is6()
	if e.Dst.IsValid() && e.Src.IsValid() && e.Dst.Is6() != e.Src.Is6() {
		return Encap{}, fmt.Errorf("rtnl: ip encapsulation with dst %v and src %v of different families", e.Dst, e.Src)
	}
	var enc nl.Encoder
	enc.Begin(0, 0) // a scratch message: only its attributes are kept
	// Big-endian values, with plain attribute types as iproute2 sends them.
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], e.ID)
	enc.Attr(lwtIPID, b[:])
	if e.Dst.IsValid() {
		enc.Addr(lwtIPDst, e.Dst)
	}
	if e.Src.IsValid() {
		enc.Addr(lwtIPSrc, e.Src)
	}
	enc.Uint8(lwtIPTTL, e.TTL)
	enc.Uint8(lwtIPTOS, e.TOS)
	if e.Flags != 0 {
		binary.BigEndian.PutUint16(b[:], e.Flags)
		enc.Attr(lwtIPFlags, b[:2])
	}
	if err := enc.End(); err != nil {
		return Encap{}, err
	}
	t := EncapIP
	if six {
		t = EncapIP6
	}
	return Encap{Type: t, Data: append([]byte(nil), enc.Message(0).Data...)}, nil
}

// IP decodes an "ip" or "ip6" encapsulation.
func (enc Encap) IP() (IPEncap, error) {
	var e IPEncap
	if enc.Type != EncapIP && enc.Type != EncapIP6 {
		return e, errors.New("rtnl: encapsulation " + enc.Type.String() + " is not ip or ip6")
	}
	d := nl.NewAttrDecoder(enc.Data)
	for d.Next() {
		switch d.Type() {
		case lwtIPID:
			e.ID = d.Uint64BE()
		case lwtIPDst:
			e.Dst = d.Addr()
		case lwtIPSrc:
			e.Src = d.Addr()
		case lwtIPTTL:
			e.TTL = d.Uint8()
		case lwtIPTOS:
			e.TOS = d.Uint8()
		case lwtIPFlags:
			e.Flags = d.Uint16BE()
		}
	}
	if err := d.Err(); err != nil {
		return IPEncap{}, fmt.Errorf("rtnl: ip encapsulation: %w", err)
	}
	return e, nil
}

// The flags of an IPEncap (the tunnel header's TUNNEL_CSUM, TUNNEL_KEY
// and TUNNEL_SEQ: iproute2's "csum", "key" and "seq").
const (
	IPEncapCsum uint16 = 0x01
	IPEncapKey  uint16 = 0x04
	IPEncapSeq  uint16 = 0x08
)

// An MPLSEncap is an "mpls" encapsulation (LWTUNNEL_ENCAP_MPLS): the label
// stack pushed on the packets a route or nexthop sends, `ip route add ...
// encap mpls 100/200 via 192.0.2.1`. The kernel needs MPLS tunnel support
// (CONFIG_MPLS_IPTUNNEL) for it.
type MPLSEncap struct {
	// Labels are the labels pushed, the outermost first
	// (MPLS_IPTUNNEL_DST): 20-bit numbers.
	Labels []uint32
	// TTL, if not nil, is the TTL of the pushed labels
	// (MPLS_IPTUNNEL_TTL); 0 copies the IP header's. Nil leaves it to the
	// kernel's setting (net.mpls.ip_ttl_propagate).
	TTL *uint8
}

// MPLS attributes (MPLS_IPTUNNEL_*).
const (
	mplsIPTunnelDst = 1
	mplsIPTunnelTTL = 2
)

// Encap encodes e as a route's or nexthop's encapsulation.
func (e MPLSEncap) Encap() (Encap, error) {
	if len(e.Labels) == 0 {
		return Encap{}, errors.New("rtnl: mpls encapsulation without labels")
	}
	stack := make([]byte, 0, 4*len(e.Labels))
	for i, l := range e.Labels {
		if l >= 1<<20 {
			return Encap{}, fmt.Errorf("rtnl: mpls label %d out of range 0-1048575", l)
		}
		entry := l << 12
		if i == len(e.Labels)-1 {
			entry |= 1 << 8 // bottom of stack
		}
		stack = binary.BigEndian.AppendUint32(stack, entry)
	}
	var enc nl.Encoder
	enc.Begin(0, 0) // a scratch message: only its attributes are kept
	enc.Attr(mplsIPTunnelDst, stack)
	if e.TTL != nil {
		enc.Uint8(mplsIPTunnelTTL, *e.TTL)
	}
	if err := enc.End(); err != nil {
		return Encap{}, err
	}
	return Encap{Type: EncapMPLS, Data: append([]byte(nil), enc.Message(0).Data...)}, nil
}

// MPLS decodes an "mpls" encapsulation.
func (enc Encap) MPLS() (MPLSEncap, error) {
	var e MPLSEncap
	if enc.Type != EncapMPLS {
		return e, errors.New("rtnl: encapsulation " + enc.Type.String() + " is not mpls")
	}
	d := nl.NewAttrDecoder(enc.Data)
	for d.Next() {
		switch d.Type() {
		case mplsIPTunnelDst:
			b := d.Bytes()
			if len(b)%4 != 0 {
				d.Fail(fmt.Errorf("MPLS_IPTUNNEL_DST of %d bytes: %w", len(b), nl.ErrMalformed))
				break
			}
			for ; len(b) >= 4; b = b[4:] {
				entry := binary.BigEndian.Uint32(b)
				e.Labels = append(e.Labels, entry>>12)
				if entry&(1<<8) != 0 {
					break
				}
			}
		case mplsIPTunnelTTL:
			ttl := d.Uint8()
			e.TTL = &ttl
		}
	}
	if err := d.Err(); err != nil {
		return MPLSEncap{}, fmt.Errorf("rtnl: mpls encapsulation: %w", err)
	}
	return e, nil
}

// encapData checks the content of RTA_ENCAP or NHA_ENCAP, which is the
// tunnel type's attributes: anything else is malformed (the kernel sends
// only attributes there, and a request carries it back as they are).
func encapData(s *store, b []byte) ([]byte, error) {
	d := nl.NewAttrDecoder(b)
	for d.Next() {
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("encapsulation attributes: %w", err)
	}
	return s.bytes(b), nil
}
