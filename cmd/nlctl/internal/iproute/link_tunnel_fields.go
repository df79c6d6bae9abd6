package iproute

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
)

// The details ip prints for the IP tunnel kinds (link_gre.c, link_gre6.c,
// link_iptnl.c, link_ip6tnl.c, iplink_geneve.c, tunnel.c), keys and text
// in its order.

// endpoint adds a tunnel endpoint as tnl_print_endpoint does: "any" for
// none.
func (f *linkFields) endpoint(key string, a netip.Addr) {
	v := "any"
	if a.IsValid() && !a.IsUnspecified() {
		v = a.String()
	}
	f.str(key, key+" "+v, v)
}

// tunnelLink adds the device a tunnel is bound to.
func (f *linkFields) tunnelLink(t *linkTable, i int) {
	if i != 0 {
		n := t.name(i)
		f.str("link", "dev "+n, n)
	}
}

// tunnelTTL adds a TTL (or hop limit, label "hoplimit"): 0 inherits.
func (f *linkFields) tunnelTTL(label string, p *uint8) {
	var ttl uint8
	if p != nil {
		ttl = *p
	}
	text := fmt.Sprintf("%s %d", label, ttl)
	if ttl == 0 {
		text = label + " inherit"
	}
	f.uint("ttl", text, uint64(ttl))
}

// tunnelTOS adds a TOS: not shown when 0, "inherit" for 1.
func (f *linkFields) tunnelTOS(p *uint8) {
	if p == nil || *p == 0 {
		return
	}
	v := linkHex(uint64(*p))
	text := "tos " + v
	if *p == 1 {
		text = "tos inherit"
	}
	f.str("tos", text, v)
}

// greKeys adds a GRE tunnel's keys and flags.
func (f *linkFields) greKeys(d *rtnl.GreInfo) {
	var in, out rtnl.GreFlags
	if d.IFlags != nil {
		in = *d.IFlags
	}
	if d.OFlags != nil {
		out = *d.OFlags
	}
	if in&rtnl.GreKey != 0 && d.IKey != nil {
		k := keyString(*d.IKey)
		f.str("ikey", "ikey "+k, k)
	}
	if out&rtnl.GreKey != 0 && d.OKey != nil {
		k := keyString(*d.OKey)
		f.str("okey", "okey "+k, k)
	}
	for _, b := range []struct {
		on  bool
		key string
	}{{in&rtnl.GreSeq != 0, "iseq"}, {out&rtnl.GreSeq != 0, "oseq"}, {in&rtnl.GreCsum != 0, "icsum"}, {out&rtnl.GreCsum != 0, "ocsum"}} {
		if b.on {
			f.bool(b.key, b.key, true)
		}
	}
}

// keyString formats a GRE key as ip does, as an IPv4 address.
func keyString(k uint32) string {
	return netip.AddrFrom4([4]byte{byte(k >> 24), byte(k >> 16), byte(k >> 8), byte(k)}).String()
}

// fwmark adds a mark when not 0.
func (f *linkFields) fwmark(p *uint32) {
	if p != nil && *p != 0 {
		v := linkHex(uint64(*p))
		f.str("fwmark", "fwmark "+v, v)
	}
}

// ip6Tunnel adds the encapsulation limit, traffic class, flow label and
// DSCP of an IPv6 tunnel.
func (f *linkFields) ip6Tunnel(flags rtnl.IP6TunnelFlags, encapLimit *uint8, flowInfo *uint32, mip6 bool) {
	switch {
	case flags&rtnl.IP6TunnelIgnEncapLimit != 0:
		f.bool("ip6_tnl_f_ign_encap_limit", "encaplimit none", true)
	case encapLimit != nil:
		f.uint("encap_limit", fmt.Sprintf("encaplimit %d", *encapLimit), uint64(*encapLimit))
	}
	switch {
	case flags&rtnl.IP6TunnelUseOrigTClass != 0:
		f.bool("ip6_tnl_f_use_orig_tclass", "tclass inherit", true)
	case flowInfo != nil:
		v := fmt.Sprintf("0x%02x", (*flowInfo&rtnl.FlowInfoTClass)>>20)
		f.str("tclass", "tclass "+v, v)
	}
	switch {
	case flags&rtnl.IP6TunnelUseOrigFlowLabel != 0:
		f.bool("ip6_tnl_f_use_orig_flowlabel", "flowlabel inherit", true)
	case flowInfo != nil:
		v := fmt.Sprintf("0x%05x", *flowInfo&rtnl.FlowInfoLabel)
		f.str("flowlabel", "flowlabel "+v, v)
	}
	if flags&rtnl.IP6TunnelRcvDSCPCopy != 0 {
		f.bool("ip6_tnl_f_rcv_dscp_copy", "dscp inherit", true)
	}
	if mip6 && flags&rtnl.IP6TunnelMIP6Dev != 0 {
		f.bool("ip6_tnl_f_mip6_dev", "mip6", true)
	}
}

// ip6Mark adds allow-localremote and the mark of an IPv6 tunnel.
func (f *linkFields) ip6Mark(flags rtnl.IP6TunnelFlags, mark *uint32) {
	if flags&rtnl.IP6TunnelAllowLocalRemote != 0 {
		f.bool("ip6_tnl_f_allow_local_remote", "allow-localremote", true)
	}
	if flags&rtnl.IP6TunnelUseOrigFWMark != 0 {
		f.bool("ip6_tnl_f_use_orig_fwmark", "fwmark inherit", true)
	} else {
		f.fwmark(mark)
	}
}

// encap adds a UDP encapsulation as tnl_print_encap does.
func (f *linkFields) encap(e *rtnl.TunnelEncap) {
	if e == nil || e.Type == rtnl.TunnelEncapNone {
		return
	}
	typ := "unknown"
	if e.Type == rtnl.TunnelEncapFOU || e.Type == rtnl.TunnelEncapGUE {
		typ = e.Type.String()
	}
	sport := "auto"
	if e.SPort != 0 {
		sport = fmt.Sprint(e.SPort)
	}
	no := func(on bool) string {
		if on {
			return ""
		}
		return "no"
	}
	text := fmt.Sprintf("encap %s encap-sport %s encap-dport %d %sencap-csum %sencap-csum6 %sencap-remcsum", typ, sport, e.DPort,
		no(e.Flags&rtnl.TunnelEncapCsum != 0), no(e.Flags&rtnl.TunnelEncapCsum6 != 0), no(e.Flags&rtnl.TunnelEncapRemCsum != 0))
	*f = append(*f, linkField{key: "encap", kind: '{', text: text})
	f.str("type", "", typ)
	f.uint("sport", "", uint64(e.SPort))
	f.uint("dport", "", uint64(e.DPort))
	f.bool("csum", "", e.Flags&rtnl.TunnelEncapCsum != 0)
	f.bool("csum6", "", e.Flags&rtnl.TunnelEncapCsum6 != 0)
	f.bool("remcsum", "", e.Flags&rtnl.TunnelEncapRemCsum != 0)
	*f = append(*f, linkField{kind: '}'})
}

func greFields(t *linkTable, d *rtnl.GreInfo) linkFields {
	var f linkFields
	v6 := d.Local.Is6() || d.Remote.Is6()
	if d.External {
		f.bool("external", "external", true)
	}
	f.endpoint("remote", d.Remote)
	f.endpoint("local", d.Local)
	f.tunnelLink(t, d.LinkIndex)
	var flags rtnl.IP6TunnelFlags
	if d.Flags != nil {
		flags = *d.Flags
	}
	if v6 {
		f.tunnelTTL("hoplimit", d.TTL)
		f.ip6Tunnel(flags, d.EncapLimit, d.FlowInfo, false)
	} else {
		f.tunnelTTL("ttl", d.TTL)
		f.tunnelTOS(d.TOS)
		if d.PMTUDisc != nil {
			if *d.PMTUDisc {
				f.bool("pmtudisc", "", true)
			} else {
				f.bool("pmtudisc", "nopmtudisc", false)
			}
		}
		if d.IgnoreDF != nil && *d.IgnoreDF {
			f.bool("ignore_df", "ignore-df", true)
		}
	}
	f.greKeys(d)
	if v6 {
		f.ip6Mark(flags, d.FWMark)
	} else {
		f.fwmark(d.FWMark)
	}
	if d.ERSPANIndex != nil {
		f.uint("erspan_index", fmt.Sprintf("erspan_index %d", *d.ERSPANIndex), uint64(*d.ERSPANIndex))
	}
	if d.ERSPANVer != nil {
		f.uint("erspan_ver", fmt.Sprintf("erspan_ver %d", *d.ERSPANVer), uint64(*d.ERSPANVer))
	}
	if d.ERSPANDir != nil {
		dir := "ingress"
		if *d.ERSPANDir != rtnl.ERSPANIngress {
			dir = "egress"
		}
		f.str("erspan_dir", "erspan_dir "+dir, dir)
	}
	if d.ERSPANHWID != nil {
		v := linkHex(uint64(*d.ERSPANHWID))
		f.str("erspan_hwid", "erspan_hwid "+v, v)
	}
	f.encap(d.Encap)
	return f
}

func ipTunFields(t *linkTable, d *rtnl.IPTunInfo) linkFields {
	var f linkFields
	v6 := d.Local.Is6() || d.Remote.Is6() || d.Flags != nil
	if d.External {
		f.bool("external", "external", true)
	}
	if d.Proto != nil {
		names := map[uint8]string{rtnl.IPTunIPIP: "ipip", rtnl.IPTunIPv6: "ip6ip", rtnl.IPTunMPLS: "mplsip", rtnl.IPTunAny: "any"}
		if v6 {
			names = map[uint8]string{rtnl.IPTunIPIP: "ipip6", rtnl.IPTunIPv6: "ip6ip6", rtnl.IPTunAny: "any"}
		}
		if n, ok := names[*d.Proto]; ok {
			f.str("proto", n, n)
		}
	}
	f.endpoint("remote", d.Remote)
	f.endpoint("local", d.Local)
	f.tunnelLink(t, d.LinkIndex)
	if v6 {
		var flags rtnl.IP6TunnelFlags
		if d.Flags != nil {
			flags = *d.Flags
		}
		f.tunnelTTL("hoplimit", d.TTL)
		f.ip6Tunnel(flags, d.EncapLimit, d.FlowInfo, true)
		f.ip6Mark(flags, d.FWMark)
		f.encap(d.Encap)
		return f
	}
	f.tunnelTTL("ttl", d.TTL)
	f.tunnelTOS(d.TOS)
	if d.PMTUDisc != nil && *d.PMTUDisc {
		f.bool("pmtudisc", "pmtudisc", true)
	} else {
		f.bool("pmtudisc", "nopmtudisc", false)
	}
	if d.ISATAP != nil && *d.ISATAP {
		f.bool("isatap", "isatap", true)
	}
	if p := d.SIT6RDPrefix; p.IsValid() && p.Bits() != 0 {
		text := fmt.Sprintf("6rd-prefix %s/%d", p.Addr(), p.Bits())
		f.str("prefix", text, p.Addr().String())
		f.uint("prefixlen", "", uint64(p.Bits()))
		if r := d.SIT6RDRelayPrefix; r.IsValid() && !r.Addr().IsUnspecified() {
			f[len(f)-1].text = fmt.Sprintf("6rd-relay_prefix %s/%d", r.Addr(), r.Bits())
			f.str("relay_prefix", "", r.Addr().String())
			f.uint("relay_prefixlen", "", uint64(r.Bits()))
		}
	}
	f.fwmark(d.FWMark)
	f.encap(d.Encap)
	return f
}

func geneveFields(d *rtnl.GeneveInfo) linkFields {
	var f linkFields
	if d.External {
		f.bool("external", "external", true)
	}
	if d.ID != nil {
		f.uint("id", fmt.Sprintf("id %d", *d.ID), uint64(*d.ID))
	}
	if r := d.Remote; r.IsValid() && !r.IsUnspecified() && !(r.Is6() && r.IsMulticast()) {
		key := "remote"
		if r.Is6() {
			key = "remote6"
		}
		f.str(key, "remote "+r.String(), r.String())
	}
	switch {
	case d.TTLInherit != nil && *d.TTLInherit:
		f.str("", "ttl inherit", "")
	case d.TTL != nil:
		text := fmt.Sprintf("ttl %d", *d.TTL)
		if *d.TTL == 0 {
			text = "ttl auto"
		}
		f.uint("ttl", text, uint64(*d.TTL))
	}
	f.tunnelTOS(d.TOS)
	if d.DF != nil && *d.DF <= rtnl.GeneveDFInherit {
		text := ""
		if *d.DF != rtnl.GeneveDFUnset {
			text = "df " + d.DF.String()
		}
		f.str("df", text, d.DF.String())
	}
	if d.Label != nil && *d.Label != 0 {
		v := linkHex(uint64(*d.Label))
		f.str("label", "flowlabel "+v, v)
	}
	if d.Port != nil {
		f.uint("port", fmt.Sprintf("dstport %d", *d.Port), uint64(*d.Port))
	}
	for _, o := range []struct {
		key, text string
		p         *bool
	}{{"udp_csum", "udpcsum", d.UDPCsum}, {"udp_zero_csum6_tx", "udp6zerocsumtx", d.UDPZeroCsum6Tx}, {"udp_zero_csum6_rx", "udp6zerocsumrx", d.UDPZeroCsum6Rx}} {
		if o.p != nil {
			text := o.text
			if !*o.p {
				text = "no" + text
			}
			f.bool(o.key, text, *o.p)
		}
	}
	if d.InnerProtoInherit {
		f.bool("inner_proto_inherit", "innerprotoinherit", true)
	}
	return f
}
