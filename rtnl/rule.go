package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Rule is a policy routing rule (struct fib_rule_hdr and its FRA_*
// attributes): packets that match its selector are handled by its action,
// such as a lookup in another routing table. Rules are tried in order of
// Priority.
//
// A selector field left zero matches every packet. Fields that have no
// zero value meaning "any" are pointers, nil when not set.
//
// When adding a rule, zero fields take the defaults `ip rule add` gives
// them: Family from Src or Dst, else IPv4; Action RuleGoto if Goto is set,
// else RuleLookup; Table main for a lookup rule (unless L3mdev). When
// deleting, zero fields match any rule, and the kernel deletes the first
// rule that matches the fields set.
type Rule struct {
	// Family is IPv4 or IPv6: rules are kept per family.
	Family Family
	// Priority orders the rules, lowest first (FRA_PRIORITY). On add, 0
	// lets the kernel choose the priority just below the first rule after
	// priority 0 (unless Explicit names it); a rule at priority 0 (the
	// local table's) reports 0.
	Priority uint32
	// Invert negates the selector (FIB_RULE_INVERT, ip's "not").
	Invert bool
	// Src and Dst are the source and destination prefixes matched; the
	// zero Prefix matches all.
	Src, Dst netip.Prefix
	// TOS is the type of service byte matched (fib_rule_hdr.tos).
	TOS uint8
	// DSCP, if not nil, is the DSCP value (0 to 63) matched, under
	// DSCPMask when that is not 0 (FRA_DSCP, FRA_DSCP_MASK; Linux 6.12
	// and later). The kernel reports such a rule with TOS 0.
	DSCP     *uint8
	DSCPMask uint8
	// Mark and Mask match the firewall mark: mark&Mask == Mark
	// (FRA_FWMARK, FRA_FWMASK). A Mark with a zero Mask matches it
	// exactly; the kernel reports that Mask as 0xffffffff.
	Mark, Mask uint32
	// InputLinkName and OutputLinkName are the names of the input and
	// output interfaces matched (FRA_IIFNAME, FRA_OIFNAME; ip's iif and
	// oif). The interfaces need not exist:
	// such a rule is "detached" (see Flags) until they do.
	InputLinkName, OutputLinkName string
	// L3mdev makes the rule look up the table of the L3 master device
	// (VRF) of the packet's interface (FRA_L3MDEV).
	L3mdev bool
	// UIDRange, if not nil, is the range of socket owner user ids matched
	// (FRA_UID_RANGE).
	UIDRange *RuleUIDRange
	// IPProto is the IP protocol matched (FRA_IP_PROTO), such as
	// unix.IPPROTO_TCP; 0 matches all.
	IPProto uint8
	// SrcPort and DstPort are the transport port ranges matched
	// (FRA_SPORT_RANGE, FRA_DPORT_RANGE); the zero range matches all.
	SrcPort, DstPort RulePortRange
	// SrcPortMask and DstPortMask, if not 0, match a single port under a
	// mask (FRA_SPORT_MASK, FRA_DPORT_MASK; Linux 6.15 and later). The
	// kernel reports a single port with the mask 0xffff.
	SrcPortMask, DstPortMask uint16
	// FlowLabel and FlowLabelMask match the IPv6 flow label
	// (FRA_FLOWLABEL, FRA_FLOWLABEL_MASK; Linux 6.14 and later).
	FlowLabel, FlowLabelMask uint32
	// TunID is the tunnel id matched (FRA_TUN_ID), for metadata-based
	// tunnels.
	TunID uint64
	// Action says what the rule does with a matching packet.
	Action RuleAction
	// Table is the routing table a RuleLookup rule looks up (the header's
	// table byte, or FRA_TABLE for tables above 255).
	Table uint32
	// Goto is the priority of the rule a RuleGoto rule jumps to
	// (FRA_GOTO).
	Goto uint32
	// SuppressPrefixLen, if not nil, makes a lookup ignore routes of the
	// table whose prefix length is SuppressPrefixLen or less
	// (FRA_SUPPRESS_PREFIXLEN); suppressing 0 ignores default routes.
	SuppressPrefixLen *int
	// SuppressIfgroup, if not nil, makes a lookup ignore routes through
	// interfaces of this group (FRA_SUPPRESS_IFGROUP).
	SuppressIfgroup *uint32
	// Realms are the source realm (high 16 bits) and destination realm
	// (low 16 bits) set on matching packets (FRA_FLOW).
	Realms uint32
	// Protocol says who installed the rule (FRA_PROTOCOL).
	Protocol RouteProtocol
	// Flags is the state the kernel reports (RulePermanent,
	// RuleIIFDetached, ...). It is not sent: Invert is the only flag a
	// request sets.
	Flags RuleFlags
	// Explicit names the fields a request sends even when they are zero:
	// RuleFieldPriority adds a rule at priority 0, or deletes only a rule
	// at priority 0 (iproute2's "pref 0"); RuleFieldTable sends a lookup
	// rule's table 0, for which the kernel picks an empty table
	// (iproute2's "table 0"), instead of main; RuleFieldSrcPort and
	// RuleFieldDstPort send a zero port range, which the kernel refuses
	// (iproute2's "sport 0"). Listing never sets it.
	Explicit RuleFields
}

// RuleFields names fields of a Rule, in its Explicit.
type RuleFields uint8

// The fields Explicit may name.
const (
	RuleFieldPriority RuleFields = 1 << iota
	RuleFieldTable
	RuleFieldSrcPort
	RuleFieldDstPort
)

// A RuleUIDRange is an inclusive range of user ids.
type RuleUIDRange struct {
	Start, End uint32
}

// A RulePortRange is an inclusive range of transport ports. The zero range
// matches every port; a single port has Start == End.
type RulePortRange struct {
	Start, End uint16
}

// IsZero reports whether r is the zero range, which matches every port.
func (r RulePortRange) IsZero() bool { return r == RulePortRange{} }

// A RuleAction is what a rule does with the packets it matches
// (fib_rule_hdr.action).
type RuleAction uint8

// The rule actions.
const (
	// RuleActionUnspec matches any action when deleting.
	RuleActionUnspec RuleAction = unix.FR_ACT_UNSPEC
	// RuleLookup looks the packet up in the rule's Table (FR_ACT_TO_TBL).
	RuleLookup RuleAction = unix.FR_ACT_TO_TBL
	// RuleGoto jumps to the rule of priority Goto.
	RuleGoto RuleAction = unix.FR_ACT_GOTO
	// RuleNop does nothing and goes on with the next rule.
	RuleNop RuleAction = unix.FR_ACT_NOP
	// RuleBlackhole drops the packet silently.
	RuleBlackhole RuleAction = unix.FR_ACT_BLACKHOLE
	// RuleUnreachable drops the packet with "network unreachable".
	RuleUnreachable RuleAction = unix.FR_ACT_UNREACHABLE
	// RuleProhibit drops the packet with "administratively prohibited".
	RuleProhibit RuleAction = unix.FR_ACT_PROHIBIT
)

var ruleActionNames = map[uint32]string{
	0: "unspec", 1: "lookup", 2: "goto", 3: "nop",
	6: "blackhole", 7: "unreachable", 8: "prohibit",
}

// String returns the action as iproute2 words it: lookup, goto, nop,
// blackhole, unreachable, prohibit (or its number).
func (a RuleAction) String() string { return enumName(ruleActionNames, uint32(a)) }

// ParseRuleAction reads an action name (lookup, goto, nop, blackhole,
// unreachable, prohibit) or number.
func ParseRuleAction(s string) (RuleAction, error) {
	v, err := enumParse(ruleActionNames, s, "rule action", 255)
	return RuleAction(v), err
}

// RuleFlags are the flags of a rule (fib_rule_hdr.flags) other than
// FIB_RULE_INVERT, which is Rule.Invert.
type RuleFlags uint32

// The rule flags the kernel reports.
const (
	// RulePermanent marks a rule that cannot be deleted.
	RulePermanent RuleFlags = unix.FIB_RULE_PERMANENT
	// RuleUnresolved marks a goto rule whose target does not exist.
	RuleUnresolved RuleFlags = unix.FIB_RULE_UNRESOLVED
	// RuleIIFDetached marks a rule whose input interface does not exist.
	RuleIIFDetached RuleFlags = unix.FIB_RULE_IIF_DETACHED
	// RuleOIFDetached marks a rule whose output interface does not exist.
	RuleOIFDetached RuleFlags = unix.FIB_RULE_OIF_DETACHED
)

// FRA_* attributes newer than golang.org/x/sys/unix knows.
const (
	fraL3mdev         = 19
	fraDSCP           = 25
	fraFlowLabel      = 26
	fraFlowLabelMask  = 27
	fraSportMask      = 28
	fraDportMask      = 29
	fraDSCPMask       = 30
	fibRuleHdrLen     = 12
	fibRuleUnsetValue = 0xffffffff // "not set" for the suppressors
	ifNameMax         = 15         // IFNAMSIZ without the NUL
)

// Decode fills r from a RTM_NEWRULE or RTM_DELRULE message, as a dump or an event
// delivers it: the same decoder serves listings, events and caches. r
// should be the zero Rule; it does not alias m afterwards. Malformed
// input gives an error wrapping nl.ErrMalformed, never a panic.
func (r *Rule) Decode(m nl.Message) error { return r.decode(m, nil) }

// decode is Decode with the memory r points to taken from s.
func (r *Rule) decode(m nl.Message, s *store) error {
	b := m.Data
	if len(b) < fibRuleHdrLen {
		return fmt.Errorf("rtnl: rule message of %d bytes, shorter than fib_rule_hdr: %w", len(b), nl.ErrMalformed)
	}
	r.Family = Family(b[0])
	dstLen, srcLen := int(b[1]), int(b[2])
	r.TOS = b[3]
	r.Table = uint32(b[4])
	r.Action = RuleAction(b[7])
	flags := binary.NativeEndian.Uint32(b[8:12])
	r.Invert = flags&unix.FIB_RULE_INVERT != 0
	r.Flags = RuleFlags(flags &^ unix.FIB_RULE_INVERT)
	var src, dst netip.Addr
	d := nl.NewAttrDecoder(b[fibRuleHdrLen:])
	for d.Next() {
		switch d.Type() {
		case unix.FRA_SRC:
			src = d.Addr()
		case unix.FRA_DST:
			dst = d.Addr()
		case unix.FRA_PRIORITY:
			r.Priority = d.Uint32()
		case unix.FRA_TABLE:
			r.Table = d.Uint32()
		case unix.FRA_GOTO:
			r.Goto = d.Uint32()
		case unix.FRA_FWMARK:
			r.Mark = d.Uint32()
		case unix.FRA_FWMASK:
			r.Mask = d.Uint32()
		case unix.FRA_IIFNAME:
			r.InputLinkName = s.intern(d.Bytes())
		case unix.FRA_OIFNAME:
			r.OutputLinkName = s.intern(d.Bytes())
		case fraL3mdev:
			r.L3mdev = d.Uint8() != 0
		case unix.FRA_UID_RANGE:
			var u [8]byte
			d.Struct(u[:])
			r.UIDRange = s.newUIDRange()
			*r.UIDRange = RuleUIDRange{
				Start: binary.NativeEndian.Uint32(u[0:]),
				End:   binary.NativeEndian.Uint32(u[4:]),
			}
		case unix.FRA_IP_PROTO:
			r.IPProto = d.Uint8()
		case unix.FRA_SPORT_RANGE:
			r.SrcPort = decodePortRange(&d)
		case unix.FRA_DPORT_RANGE:
			r.DstPort = decodePortRange(&d)
		case fraSportMask:
			r.SrcPortMask = d.Uint16()
		case fraDportMask:
			r.DstPortMask = d.Uint16()
		case unix.FRA_TUN_ID:
			r.TunID = d.Uint64BE()
		case unix.FRA_SUPPRESS_PREFIXLEN:
			if v := d.Uint32(); v != fibRuleUnsetValue && d.Err() == nil {
				r.SuppressPrefixLen = s.intPtr(int(int32(v)))
			}
		case unix.FRA_SUPPRESS_IFGROUP:
			if v := d.Uint32(); v != fibRuleUnsetValue && d.Err() == nil {
				r.SuppressIfgroup = s.u32Ptr(v)
			}
		case unix.FRA_FLOW:
			r.Realms = d.Uint32()
		case unix.FRA_PROTOCOL:
			r.Protocol = RouteProtocol(d.Uint8())
		case fraDSCP:
			if v := d.Uint8(); d.Err() == nil {
				r.DSCP = s.u8Ptr(v)
			}
		case fraDSCPMask:
			r.DSCPMask = d.Uint8()
		case fraFlowLabel:
			r.FlowLabel = d.Uint32BE()
		case fraFlowLabelMask:
			r.FlowLabelMask = d.Uint32BE()
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: rule: %w", err)
	}
	var err error
	if r.Src, err = rulePrefix(r.Family, src, srcLen); err != nil {
		return err
	}
	if r.Dst, err = rulePrefix(r.Family, dst, dstLen); err != nil {
		return err
	}
	return nil
}

func decodePortRange(d *nl.AttrDecoder) RulePortRange {
	var p [4]byte
	d.Struct(p[:])
	return RulePortRange{
		Start: binary.NativeEndian.Uint16(p[0:]),
		End:   binary.NativeEndian.Uint16(p[2:]),
	}
}

// rulePrefix builds a rule's prefix from its address attribute and length:
// the zero Prefix when the length is 0 (all addresses).
func rulePrefix(f Family, a netip.Addr, bits int) (netip.Prefix, error) {
	if bits == 0 {
		return netip.Prefix{}, nil
	}
	if !a.IsValid() {
		switch f {
		case IPv4:
			a = netip.IPv4Unspecified()
		case IPv6:
			a = netip.IPv6Unspecified()
		default:
			return netip.Prefix{}, nil
		}
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("rtnl: rule prefix length %d for %v: %w", bits, a, nl.ErrMalformed)
	}
	return netip.PrefixFrom(a, bits), nil
}

// family is the family a rule is sent with.
func (r *Rule) family() Family {
	switch {
	case r.Family != AnyFamily:
		return r.Family
	case r.Src.IsValid() && r.Src.Addr().Is6(), r.Dst.IsValid() && r.Dst.Addr().Is6():
		return IPv6
	}
	return IPv4
}

// validate checks what the kernel would refuse less clearly.
func (r *Rule) validate(v Verb) error {
	switch v {
	case Add, Delete:
	default:
		return errVerb(v, "rule")
	}
	f := r.family()
	for _, p := range [...]struct {
		name string
		p    netip.Prefix
	}{{"Src", r.Src}, {"Dst", r.Dst}} {
		if !p.p.IsValid() {
			continue
		}
		if f != IPv4 && f != IPv6 || p.p.Addr().Is4() != (f == IPv4) {
			return fmt.Errorf("rtnl: rule %s %v is not of family %v", p.name, p.p, f)
		}
	}
	if len(r.InputLinkName) > ifNameMax || strings.IndexByte(r.InputLinkName, 0) >= 0 {
		return fmt.Errorf("rtnl: rule IIF %q is not an interface name", r.InputLinkName)
	}
	if len(r.OutputLinkName) > ifNameMax || strings.IndexByte(r.OutputLinkName, 0) >= 0 {
		return fmt.Errorf("rtnl: rule OIF %q is not an interface name", r.OutputLinkName)
	}
	if r.Goto != 0 && r.Action != RuleGoto && r.Action != RuleActionUnspec {
		return fmt.Errorf("rtnl: rule Goto %d with action %v", r.Goto, r.Action)
	}
	if u := r.UIDRange; u != nil && u.Start > u.End {
		return fmt.Errorf("rtnl: rule UIDRange %d-%d is reversed", u.Start, u.End)
	}
	for _, p := range [...]struct {
		name string
		r    RulePortRange
		mask uint16
	}{{"SrcPort", r.SrcPort, r.SrcPortMask}, {"DstPort", r.DstPort, r.DstPortMask}} {
		if !p.r.IsZero() && (p.r.Start == 0 || p.r.Start > p.r.End) {
			return fmt.Errorf("rtnl: rule %s %d-%d is not a port range", p.name, p.r.Start, p.r.End)
		}
		if p.mask != 0 && (p.r.IsZero() || p.r.Start != p.r.End) {
			return fmt.Errorf("rtnl: rule %s mask %#x needs a single port, not %d-%d", p.name, p.mask, p.r.Start, p.r.End)
		}
	}
	if n := r.SuppressPrefixLen; n != nil && (*n < 0 || *n > 128) {
		return fmt.Errorf("rtnl: rule SuppressPrefixLen %d out of range 0-128", *n)
	}
	if r.DSCP != nil && *r.DSCP > 63 {
		return fmt.Errorf("rtnl: rule DSCP %d out of range 0-63", *r.DSCP)
	}
	if r.DSCPMask > 63 || r.DSCPMask != 0 && r.DSCP == nil {
		return fmt.Errorf("rtnl: rule DSCPMask %#x out of range or without a DSCP", r.DSCPMask)
	}
	return nil
}

// encodeRule appends one rule request to e.
func encodeRule(e *nl.Encoder, v Verb, r *Rule) error {
	if err := r.validate(v); err != nil {
		return err
	}
	t := nl.MsgType(unix.RTM_NEWRULE)
	action, table := r.Action, r.Table
	if v == Delete {
		t = unix.RTM_DELRULE
	} else {
		if action == RuleActionUnspec {
			action = RuleLookup
			if r.Goto != 0 {
				action = RuleGoto
			}
		}
		if action == RuleLookup && table == 0 && !r.L3mdev && r.Explicit&RuleFieldTable == 0 {
			table = TableMain
		}
	}
	e.Begin(t, v.flags())
	h := e.Fixed(fibRuleHdrLen)
	h[0] = byte(r.family())
	if r.Dst.IsValid() {
		h[1] = byte(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		h[2] = byte(r.Src.Bits())
	}
	h[3] = r.TOS
	if table < 256 {
		h[4] = byte(table)
	}
	h[7] = byte(action)
	if r.Invert {
		binary.NativeEndian.PutUint32(h[8:], unix.FIB_RULE_INVERT)
	}
	if r.Priority != 0 || r.Explicit&RuleFieldPriority != 0 {
		e.Uint32(unix.FRA_PRIORITY, r.Priority)
	}
	if r.Src.IsValid() && r.Src.Bits() > 0 {
		e.Prefix(unix.FRA_SRC, r.Src)
	}
	if r.Dst.IsValid() && r.Dst.Bits() > 0 {
		e.Prefix(unix.FRA_DST, r.Dst)
	}
	if table >= 256 {
		e.Uint32(unix.FRA_TABLE, table)
	}
	if r.Goto != 0 {
		e.Uint32(unix.FRA_GOTO, r.Goto)
	}
	if r.Mark != 0 || r.Mask != 0 {
		e.Uint32(unix.FRA_FWMARK, r.Mark)
	}
	if r.Mask != 0 {
		e.Uint32(unix.FRA_FWMASK, r.Mask)
	}
	if r.InputLinkName != "" {
		e.String(unix.FRA_IIFNAME, r.InputLinkName)
	}
	if r.OutputLinkName != "" {
		e.String(unix.FRA_OIFNAME, r.OutputLinkName)
	}
	if r.L3mdev {
		e.Uint8(fraL3mdev, 1)
	}
	if u := r.UIDRange; u != nil {
		var b [8]byte
		binary.NativeEndian.PutUint32(b[0:], u.Start)
		binary.NativeEndian.PutUint32(b[4:], u.End)
		e.Attr(unix.FRA_UID_RANGE, b[:])
	}
	if r.IPProto != 0 {
		e.Uint8(unix.FRA_IP_PROTO, r.IPProto)
	}
	encodePortRange(e, unix.FRA_SPORT_RANGE, fraSportMask, r.SrcPort, r.SrcPortMask, r.Explicit&RuleFieldSrcPort != 0)
	encodePortRange(e, unix.FRA_DPORT_RANGE, fraDportMask, r.DstPort, r.DstPortMask, r.Explicit&RuleFieldDstPort != 0)
	if r.TunID != 0 {
		e.Uint64BE(unix.FRA_TUN_ID, r.TunID)
	}
	if n := r.SuppressPrefixLen; n != nil {
		e.Uint32(unix.FRA_SUPPRESS_PREFIXLEN, uint32(*n))
	}
	if g := r.SuppressIfgroup; g != nil {
		e.Uint32(unix.FRA_SUPPRESS_IFGROUP, *g)
	}
	if r.Realms != 0 {
		e.Uint32(unix.FRA_FLOW, r.Realms)
	}
	if r.Protocol != ProtoUnspec {
		e.Uint8(unix.FRA_PROTOCOL, uint8(r.Protocol))
	}
	if r.DSCP != nil {
		e.Uint8(fraDSCP, *r.DSCP)
		if r.DSCPMask != 0 && r.DSCPMask != 0x3f {
			e.Uint8(fraDSCPMask, r.DSCPMask)
		}
	}
	if r.FlowLabel != 0 || r.FlowLabelMask != 0 {
		e.Uint32BE(fraFlowLabel, r.FlowLabel)
		e.Uint32BE(fraFlowLabelMask, r.FlowLabelMask)
	}
	return e.End()
}

func encodePortRange(e *nl.Encoder, t, maskType uint16, p RulePortRange, mask uint16, explicit bool) {
	if p.IsZero() && !explicit {
		return
	}
	var b [4]byte
	binary.NativeEndian.PutUint16(b[0:], p.Start)
	binary.NativeEndian.PutUint16(b[2:], p.End)
	e.Attr(t, b[:])
	if mask != 0 && mask != 0xffff {
		e.Uint16(maskType, mask)
	}
}

// String words the rule as `ip rule` prints it (without the priority in
// front, which is written "pref N" at the end).
func (r *Rule) String() string {
	var b strings.Builder
	if r.Invert {
		b.WriteString("not ")
	}
	b.WriteString("from ")
	if r.Src.IsValid() {
		b.WriteString(rulePrefixString(r.Src))
	} else {
		b.WriteString("all")
	}
	if r.Dst.IsValid() {
		b.WriteString(" to " + rulePrefixString(r.Dst))
	}
	if r.TOS != 0 {
		fmt.Fprintf(&b, " tos %#x", r.TOS)
	}
	if r.DSCP != nil {
		fmt.Fprintf(&b, " dscp %d", *r.DSCP)
		if r.DSCPMask != 0 && r.DSCPMask != 0x3f {
			fmt.Fprintf(&b, "/%#x", r.DSCPMask)
		}
	}
	if r.Mark != 0 || r.Mask != 0 {
		fmt.Fprintf(&b, " fwmark %#x", r.Mark)
		if r.Mask != 0 && r.Mask != 0xffffffff {
			fmt.Fprintf(&b, "/%#x", r.Mask)
		}
	}
	if r.FlowLabel != 0 || r.FlowLabelMask != 0 {
		fmt.Fprintf(&b, " flowlabel %#x/%#x", r.FlowLabel, r.FlowLabelMask)
	}
	if r.InputLinkName != "" {
		b.WriteString(" iif " + r.InputLinkName)
	}
	if r.OutputLinkName != "" {
		b.WriteString(" oif " + r.OutputLinkName)
	}
	if u := r.UIDRange; u != nil {
		fmt.Fprintf(&b, " uidrange %d-%d", u.Start, u.End)
	}
	if r.IPProto != 0 {
		b.WriteString(" ipproto " + ipProtoName(r.IPProto))
	}
	writePortRange(&b, " sport ", r.SrcPort, r.SrcPortMask)
	writePortRange(&b, " dport ", r.DstPort, r.DstPortMask)
	if r.TunID != 0 {
		fmt.Fprintf(&b, " tun_id %d", r.TunID)
	}
	switch {
	case r.L3mdev:
		b.WriteString(" l3mdev")
	case r.Table != 0:
		b.WriteString(" lookup " + TableName(r.Table))
	}
	if n := r.SuppressPrefixLen; n != nil {
		fmt.Fprintf(&b, " suppress_prefixlength %d", *n)
	}
	if g := r.SuppressIfgroup; g != nil {
		fmt.Fprintf(&b, " suppress_ifgroup %d", *g)
	}
	if r.Realms != 0 {
		b.WriteString(" realms ")
		if from := r.Realms >> 16; from != 0 {
			fmt.Fprintf(&b, "%d/", from)
		}
		fmt.Fprintf(&b, "%d", r.Realms&0xffff)
	}
	switch r.Action {
	case RuleActionUnspec, RuleLookup:
		if r.Goto != 0 {
			fmt.Fprintf(&b, " goto %d", r.Goto)
		}
	case RuleGoto:
		if r.Goto != 0 {
			fmt.Fprintf(&b, " goto %d", r.Goto)
		} else {
			b.WriteString(" goto none")
		}
	default:
		b.WriteString(" " + r.Action.String())
	}
	if r.Protocol != ProtoUnspec {
		b.WriteString(" proto " + r.Protocol.String())
	}
	if r.Priority != 0 {
		fmt.Fprintf(&b, " pref %d", r.Priority)
	}
	return b.String()
}

func rulePrefixString(p netip.Prefix) string {
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.Masked().String()
}

func writePortRange(b *strings.Builder, kw string, p RulePortRange, mask uint16) {
	if p.IsZero() {
		return
	}
	b.WriteString(kw)
	b.WriteString(strconv.Itoa(int(p.Start)))
	if p.End != p.Start {
		b.WriteString("-" + strconv.Itoa(int(p.End)))
	}
	if mask != 0 && mask != 0xffff {
		fmt.Fprintf(b, "/%#x", mask)
	}
}

// ipProtoName names the common IP protocols as /etc/protocols does.
func ipProtoName(p uint8) string {
	switch p {
	case unix.IPPROTO_ICMP:
		return "icmp"
	case unix.IPPROTO_TCP:
		return "tcp"
	case unix.IPPROTO_UDP:
		return "udp"
	case unix.IPPROTO_ICMPV6:
		return "ipv6-icmp"
	case unix.IPPROTO_SCTP:
		return "sctp"
	}
	return strconv.Itoa(int(p))
}

// ruleObject words the rule request m for errors.
func ruleObject(m nl.Message, names func(int) string) string {
	var r Rule
	if err := r.Decode(m); err != nil {
		return "(malformed)"
	}
	return r.String()
}

// A RuleFilter selects rules in a listing. Zero fields select everything;
// a nil *RuleFilter selects every rule of every family (including the
// multicast routing families, 128 and 129).
//
// The kernel filters rule dumps by family only; the other fields are
// applied in user space.
type RuleFilter struct {
	Family Family
	// Table selects lookup rules of this table.
	Table uint32
	// Priority, if not nil, selects the rule of this priority.
	Priority *uint32
	// InputLinkName and OutputLinkName select rules matching these
	// interface names.
	InputLinkName, OutputLinkName string
	// Protocol selects rules installed by this protocol.
	Protocol RouteProtocol
}

func (f *RuleFilter) keep(r *Rule) bool {
	if f == nil {
		return true
	}
	return (f.Family == AnyFamily || r.Family == f.Family) &&
		(f.Table == 0 || r.Table == f.Table) &&
		(f.Priority == nil || r.Priority == *f.Priority) &&
		(f.InputLinkName == "" || r.InputLinkName == f.InputLinkName) &&
		(f.OutputLinkName == "" || r.OutputLinkName == f.OutputLinkName) &&
		(f.Protocol == ProtoUnspec || r.Protocol == f.Protocol)
}

func buildRuleDump(e *nl.Encoder, f *RuleFilter) {
	e.Begin(unix.RTM_GETRULE, unix.NLM_F_DUMP)
	h := e.Fixed(fibRuleHdrLen)
	if f != nil {
		h[0] = byte(f.Family)
	}
	e.End()
}

// Rules lists policy routing rules in priority order, decoding each from
// the receive buffer as it arrives. The *Rule is reused: it is valid until
// the next iteration (copy it to keep it; what it points to is never
// reused).
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListRules retries it instead.
func (h *Handle) Rules(ctx context.Context, f *RuleFilter) iter.Seq2[*Rule, error] {
	return dump(ctx, h, func(e *nl.Encoder) { buildRuleDump(e, f) }, unix.RTM_NEWRULE, (*Rule).decode, f.keep)
}

// ListRules returns the rules the filter selects, in priority order,
// fetching the dump again if the kernel reports it was interrupted by a
// change.
func (h *Handle) ListRules(ctx context.Context, f *RuleFilter) ([]Rule, error) {
	return collect(ctx, h, func(e *nl.Encoder) { buildRuleDump(e, f) }, unix.RTM_NEWRULE, (*Rule).decode, f.keep)
}

// AddRule adds a rule. It fails with an error matching os.ErrExist if an
// identical rule exists.
func (h *Handle) AddRule(ctx context.Context, r *Rule) error {
	return h.changeRule(ctx, Add, r)
}

// DeleteRule deletes the first rule (in priority order) that matches the
// fields of r that are set. It fails with an error matching
// os.ErrNotExist if there is none.
func (h *Handle) DeleteRule(ctx context.Context, r *Rule) error {
	return h.changeRule(ctx, Delete, r)
}

func (h *Handle) changeRule(ctx context.Context, v Verb, r *Rule) error {
	if r == nil {
		return errors.New("rtnl: nil rule")
	}
	e := h.encoder()
	defer h.release(e)
	if err := encodeRule(e, v, r); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// Rule adds a change of a rule to the batch. v is Add or Delete: the
// kernel cannot replace or change a rule in place (delete the old rule and
// add the new one in the same batch instead), and other verbs fail.
func (b *Batch) Rule(v Verb, r *Rule) error {
	if r == nil {
		return errors.New("rtnl: nil rule")
	}
	return b.add(func(e *nl.Encoder) error { return encodeRule(e, v, r) })
}
