package iproute

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/rtnl"
)

// vlanWords are the options of `type vlan`, in the order ip tries them.
var vlanWords = sync.OnceValue(func() []cli.Word {
	return cli.Words(
		[]cli.Word{cli.KwChoice("protocol*", "802.1Q", "802.1ad")},
		cli.KwValue(cli.ValueText, "id*"),
		kwOnOff("reorder_hdr*", "gvrp*", "mvrp*", "loose_binding*", "bridge_binding*"),
		cli.KwValue(cli.ValueText, "ingress-qos-map*", "egress-qos-map*"),
		cli.Kw("help*"),
	)
})

// vlanFlagWords are the flags' keywords, with their bits.
var vlanFlagWords = map[string]uint32{
	"reorder_hdr": rtnl.VlanReorderHdr, "gvrp": rtnl.VlanGVRP, "mvrp": rtnl.VlanMVRP,
	"loose_binding": rtnl.VlanLooseBinding, "bridge_binding": rtnl.VlanBridgeBinding,
}

func parseVlanArgs(a *cli.Args, add bool) (*rtnl.VlanInfo, error) {
	d := &rtnl.VlanInfo{}
	for a.More() {
		w := cli.Resolve(vlanWords(), a.Next())
		switch w {
		case "protocol":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			p, ok := parseEthProto(s)
			if !ok {
				return nil, invalidArg(w, s, "802.1Q, 802.1ad or an ethertype")
			}
			d.Protocol = &p
		case "id":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(s, 0, 16)
			if err != nil {
				return nil, invalidArg(w, s, "a VLAN id from 0 to 4095")
			}
			d.ID = new(uint16(n))
		case "reorder_hdr", "gvrp", "mvrp", "loose_binding", "bridge_binding":
			s, err := a.Value(w)
			if err != nil {
				return nil, err
			}
			if s != "on" && s != "off" {
				return nil, cli.Failf("argument of %q must be \"on\" or \"off\", not %q", w, s)
			}
			if d.Flags == nil {
				d.Flags = &rtnl.VlanFlags{}
			}
			bit := vlanFlagWords[w]
			d.Flags.Mask |= bit
			if s == "on" {
				d.Flags.Value |= bit
			} else {
				d.Flags.Value &^= bit
			}
		case "ingress-qos-map", "egress-qos-map":
			if !a.More() {
				return nil, cli.Syntaxf("%s: a mapping FROM:TO is expected", w)
			}
			ms := []rtnl.VlanQoSMapping{}
			for a.More() {
				from, to, ok := strings.Cut(a.Peek(), ":")
				if !ok {
					break
				}
				f, err1 := strconv.ParseUint(from, 0, 32)
				t, err2 := strconv.ParseUint(to, 0, 32)
				if err1 != nil || err2 != nil {
					return nil, invalidArg(w, a.Peek(), "FROM:TO mappings of numbers")
				}
				a.Next()
				ms = append(ms, rtnl.VlanQoSMapping{From: uint32(f), To: uint32(t)})
			}
			if w == "ingress-qos-map" {
				d.IngressQoS = append(d.IngressQoS, ms...)
			} else {
				d.EgressQoS = append(d.EgressQoS, ms...)
			}
		case "help":
			return nil, cli.Failf("vlan: the options are %s", wordNames(vlanWords()))
		default:
			return nil, cli.Failf("vlan: unknown command %s", cli.Quote(w))
		}
	}
	if add && d.ID == nil {
		return nil, cli.Failf("vlan: the VLAN id (id) is required")
	}
	return d, nil
}

// parseEthProto reads a VLAN protocol as ip does: 802.1Q, 802.1ad (in any
// case) or a number.
func parseEthProto(s string) (uint16, bool) {
	switch strings.ToLower(s) {
	case "802.1q":
		return rtnl.VlanProtocol8021Q, true
	case "802.1ad":
		return rtnl.VlanProtocol8021AD, true
	}
	n, err := strconv.ParseUint(s, 0, 16)
	return uint16(n), err == nil
}

// vlanProtoName names a VLAN protocol as ip prints it.
func vlanProtoName(p uint16) string {
	switch p {
	case rtnl.VlanProtocol8021Q:
		return "802.1Q"
	case rtnl.VlanProtocol8021AD:
		return "802.1ad"
	}
	return fmt.Sprintf("[%d]", p)
}

func vlanFields(d *rtnl.VlanInfo) linkFields {
	var f linkFields
	if d.ID == nil {
		return f
	}
	proto := "802.1q" // ip's, when the kernel does not say
	if d.Protocol != nil {
		proto = vlanProtoName(*d.Protocol)
	}
	f.str("protocol", "protocol "+proto, proto)
	f.uint("id", fmt.Sprintf("id %d", *d.ID), uint64(*d.ID))
	if d.Flags != nil {
		ns := rtnl.VlanFlagNames(d.Flags.Value)
		f = append(f, linkField{key: "flags", kind: 'a', ss: ns, text: "<" + strings.Join(ns, ",") + ">"})
	}
	qos := func(key, label string, ms []rtnl.VlanQoSMapping) {
		if ms == nil {
			return
		}
		var t strings.Builder
		fmt.Fprintf(&t, "\n      %s { ", label)
		for _, m := range ms {
			fmt.Fprintf(&t, "%d:%d ", m.From, m.To)
		}
		t.WriteString("}")
		f = append(f, linkField{key: key, kind: '[', text: t.String()})
		for _, m := range ms {
			f = append(f, linkField{kind: '{'})
			f.uint("from", "", uint64(m.From))
			f.uint("to", "", uint64(m.To))
			f = append(f, linkField{kind: '}'})
		}
		f = append(f, linkField{kind: ']'})
	}
	qos("ingress_qos", "ingress-qos-map", d.IngressQoS)
	qos("egress_qos", "egress-qos-map", d.EgressQoS)
	return f
}
