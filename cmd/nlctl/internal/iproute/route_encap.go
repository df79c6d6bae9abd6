package iproute

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/output"
	"github.com/nlkit/nlkit/rtnl"
)

// parseEncap reads what follows "encap" as ip's lwt_parse_encap does: the
// lightweight tunnels nlctl builds, `mpls LABEL[/LABEL...] [ttl N]`,
// `ip [id ID] [dst ADDR] [src ADDR] [tos TOS] [ttl N] [key] [csum] [seq]`
// and `ip6` with tc and hoplimit for tos and ttl. The type's words end at
// the first word that is not one of them.
func parseEncap(a *cli.Args) (rtnl.Encap, error) {
	t, err := a.Value("encap")
	if err != nil {
		return rtnl.Encap{}, err
	}
	if !a.More() {
		return rtnl.Encap{}, cli.Syntaxf("unexpected end of line after \"encap\"")
	}
	switch t {
	case "mpls":
		return parseEncapMPLS(a)
	case "ip", "ip6":
	default:
		return rtnl.Encap{}, invalidArg("encap", t, "mpls, ip or ip6 (the encapsulations nlctl builds)")
	}
	words, family := encapIPWords(), 4
	if t == "ip6" {
		words, family = encapIP6Words(), 6
	}
	var e rtnl.IPEncap
	var names *iprouteNames
	for a.More() {
		w := a.Peek()
		if !isKeyword(words, w) {
			break
		}
		a.Next()
		var n uint64
		var v string
		switch w {
		case "id":
			if n, err = a.Uint(w, 64); err == nil {
				e.ID = n
			}
		case "dst", "src":
			if v, err = a.Value(w); err == nil {
				var ad netip.Addr
				if ad, err = parseAddr(v, family); err == nil {
					if w == "dst" {
						e.Dst = ad
					} else {
						e.Src = ad
					}
				}
			}
		case "ttl", "hoplimit":
			if n, err = a.Uint(w, 8); err == nil {
				e.TTL = uint8(n)
			}
		case "tos", "tc":
			if v, err = a.Value(w); err == nil {
				if names == nil {
					names = loadIPRouteNames()
				}
				e.TOS, err = names.parseDSField(v)
			}
		case "key":
			e.Flags |= rtnl.IPEncapKey
		case "csum":
			e.Flags |= rtnl.IPEncapCsum
		case "seq":
			e.Flags |= rtnl.IPEncapSeq
		}
		if err != nil {
			return rtnl.Encap{}, err
		}
	}
	enc, err := e.Encap()
	if err == nil && t == "ip6" {
		enc.Type = rtnl.EncapIP6
	}
	return enc, err
}

// parseEncapMPLS reads `LABEL[/LABEL...] [ttl N]`.
func parseEncapMPLS(a *cli.Args) (rtnl.Encap, error) {
	s := a.Next()
	var e rtnl.MPLSEncap
	for l := range strings.SplitSeq(s, "/") {
		n, err := strconv.ParseUint(l, 0, 32)
		if err != nil || n >= 1<<20 {
			return rtnl.Encap{}, cli.Failf("an MPLS label stack (LABEL[/LABEL...]) is expected rather than %q", s)
		}
		e.Labels = append(e.Labels, uint32(n))
	}
	if a.Peek() == "ttl" {
		a.Next()
		n, err := a.Uint("ttl", 8)
		if err != nil {
			return rtnl.Encap{}, err
		}
		e.TTL = new(uint8(n))
	}
	return e.Encap()
}

// printEncapJSON writes an encapsulation as ip does: its type under
// "encap", then its fields at the level of the route or nexthop (ip 6.1
// repeats the keys "dst" and "id" there; so does nlctl, for scripts
// written against it).
func printEncapJSON(j *output.JSON, enc rtnl.Encap) {
	j.String("encap", enc.Type.String())
	if m, err := enc.MPLS(); err == nil {
		j.String("dst", mplsLabels(m.Labels))
		if m.TTL != nil {
			j.Uint("ttl", uint64(*m.TTL))
		}
		return
	}
	e, err := enc.IP()
	if err != nil {
		return
	}
	var buf [64]byte
	j.Uint("id", e.ID)
	if e.Src.IsValid() {
		j.ASCII("src", e.Src.AppendTo(buf[:0]))
	}
	if e.Dst.IsValid() {
		j.ASCII("dst", e.Dst.AppendTo(buf[:0]))
	}
	if enc.Type == rtnl.EncapIP6 {
		j.Uint("hoplimit", uint64(e.TTL))
		j.Uint("tc", uint64(e.TOS))
	} else {
		j.Uint("ttl", uint64(e.TTL))
		j.Uint("tos", uint64(e.TOS))
	}
	for _, f := range encapFlags(e.Flags) {
		j.Bool(f, true)
	}
}

// encapFlags names an ip encapsulation's flags, in ip's order.
func encapFlags(f uint16) []string {
	var names []string
	for _, n := range []struct {
		f    uint16
		name string
	}{{rtnl.IPEncapKey, "key"}, {rtnl.IPEncapCsum, "csum"}, {rtnl.IPEncapSeq, "seq"}} {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// mplsLabels words a label stack as ip does: 100/200.
func mplsLabels(ls []uint32) string {
	var b strings.Builder
	for i, l := range ls {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strconv.FormatUint(uint64(l), 10))
	}
	return b.String()
}

// encapText words an encapsulation as ip's text output does, with the
// space before and after: " encap ip id 5 src 0.0.0.0 dst 192.0.2.9 ttl 0
// tos 0 ".
func encapText(enc rtnl.Encap) string {
	s := " encap " + enc.Type.String() + " "
	if m, err := enc.MPLS(); err == nil {
		s += " " + mplsLabels(m.Labels) + " "
		if m.TTL != nil {
			s += fmt.Sprintf("ttl %d ", *m.TTL)
		}
		return s
	}
	e, err := enc.IP()
	if err != nil {
		return s
	}
	s += fmt.Sprintf("id %d ", e.ID)
	if e.Src.IsValid() {
		s += "src " + e.Src.String() + " "
	}
	if e.Dst.IsValid() {
		s += "dst " + e.Dst.String() + " "
	}
	if enc.Type == rtnl.EncapIP6 {
		s += fmt.Sprintf("hoplimit %d tc %d ", e.TTL, e.TOS)
	} else {
		s += fmt.Sprintf("ttl %d tos %d ", e.TTL, e.TOS)
	}
	for _, f := range encapFlags(e.Flags) {
		s += f + " "
	}
	return s
}
