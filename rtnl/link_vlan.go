package rtnl

import (
	"encoding/binary"
	"fmt"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// The VLAN protocols a VlanInfo's Protocol takes: the ethertypes of
// 802.1Q and 802.1ad (QinQ) tags.
const (
	VlanProtocol8021Q  uint16 = 0x8100
	VlanProtocol8021AD uint16 = 0x88a8
)

// VlanFlags are a VLAN link's flags (struct ifla_vlan_flags): the flags in
// Mask take their value from Value. The kernel reports all of them, with
// Mask all ones.
type VlanFlags struct {
	Value, Mask uint32
}

// The VLAN flags (VLAN_FLAG_*), as bits of VlanFlags.
const (
	// VlanReorderHdr hands received packets to the stack with the tag
	// already removed (ip's reorder_hdr, on by default).
	VlanReorderHdr uint32 = 1 << 0
	// VlanGVRP registers the VLAN with GVRP.
	VlanGVRP uint32 = 1 << 1
	// VlanLooseBinding keeps the link's state from following its
	// lower device's.
	VlanLooseBinding uint32 = 1 << 2
	// VlanMVRP registers the VLAN with MVRP.
	VlanMVRP uint32 = 1 << 3
	// VlanBridgeBinding makes the link's state follow the bridge ports
	// in its VLAN only.
	VlanBridgeBinding uint32 = 1 << 4
)

// vlanFlagNames are the flags' names as iproute2 prints them, lowest bit
// first.
var vlanFlagNames = [...]string{"REORDER_HDR", "GVRP", "LOOSE_BINDING", "MVRP", "BRIDGE_BINDING"}

// VlanFlagNames returns the names of the flags set in v, lowest bit
// first, as iproute2 prints them (REORDER_HDR, GVRP, LOOSE_BINDING, MVRP,
// BRIDGE_BINDING), then any unknown bits left as one hexadecimal number.
func VlanFlagNames(v uint32) []string {
	var ns []string
	for i, n := range vlanFlagNames {
		if v&(1<<i) != 0 {
			ns = append(ns, n)
			v &^= 1 << i
		}
	}
	if v != 0 {
		ns = append(ns, fmt.Sprintf("%x", v))
	}
	return ns
}

// A VlanQoSMapping maps a priority to another (struct
// ifla_vlan_qos_mapping): in an ingress map, the 802.1p priority of a
// received tag (From) to the packet's priority (To); in an egress map, a
// packet's priority (From) to the tag's 802.1p priority (To).
type VlanQoSMapping struct {
	From, To uint32
}

// A VlanInfo is the data of an 802.1Q or 802.1ad VLAN link (IFLA_VLAN_*).
// Create one with ParentIndex set to the lower device and ID set. When
// creating or changing one, the fields that are set are sent.
type VlanInfo struct {
	// ID is the VLAN id, 0 to 4095; required when creating the link.
	ID *uint16
	// Protocol is the tag's ethertype, VlanProtocol8021Q (the kernel's
	// default) or VlanProtocol8021AD.
	Protocol *uint16
	// Flags sets flags such as VlanReorderHdr.
	Flags *VlanFlags
	// IngressQoS and EgressQoS are the priority maps (ip's
	// ingress-qos-map and egress-qos-map). Sent mappings are added to
	// the link's (a mapping to 0 removes one); the kernel reports the
	// mappings in use.
	IngressQoS []VlanQoSMapping
	EgressQoS  []VlanQoSMapping
}

func (*VlanInfo) accepts(kind string) bool { return kind == "vlan" }
func (*VlanInfo) defaultKind() string      { return "vlan" }

// validate leaves the ID's range (0 to 4095) to the kernel, which says
// so: data listed must encode again.
func (*VlanInfo) validate(int) error { return nil }

func (v *VlanInfo) encodeData(e *nl.Encoder) {
	linkPutU16(e, unix.IFLA_VLAN_ID, v.ID)
	if v.Protocol != nil {
		e.Uint16BE(unix.IFLA_VLAN_PROTOCOL, *v.Protocol)
	}
	if v.Flags != nil {
		var b [8]byte
		binary.NativeEndian.PutUint32(b[:], v.Flags.Value)
		binary.NativeEndian.PutUint32(b[4:], v.Flags.Mask)
		e.Attr(unix.IFLA_VLAN_FLAGS, b[:])
	}
	vlanPutQoS(e, unix.IFLA_VLAN_INGRESS_QOS, v.IngressQoS)
	vlanPutQoS(e, unix.IFLA_VLAN_EGRESS_QOS, v.EgressQoS)
}

func vlanPutQoS(e *nl.Encoder, t uint16, ms []VlanQoSMapping) {
	if ms == nil {
		return
	}
	n := e.Nest(t)
	for _, m := range ms {
		var b [8]byte
		binary.NativeEndian.PutUint32(b[:], m.From)
		binary.NativeEndian.PutUint32(b[4:], m.To)
		e.Attr(unix.IFLA_VLAN_QOS_MAPPING, b[:])
	}
	e.EndNest(n)
}

func (v *VlanInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_VLAN_ID:
			v.ID = linkU16(s, &d)
		case unix.IFLA_VLAN_PROTOCOL:
			v.Protocol = s.u16Ptr(d.Uint16BE())
		case unix.IFLA_VLAN_FLAGS:
			var b [8]byte
			d.Struct(b[:])
			v.Flags = &VlanFlags{Value: binary.NativeEndian.Uint32(b[:]), Mask: binary.NativeEndian.Uint32(b[4:])}
		case unix.IFLA_VLAN_INGRESS_QOS, unix.IFLA_VLAN_EGRESS_QOS:
			ms := []VlanQoSMapping{}
			q := d.Nested()
			for q.Next() {
				if q.Type() != unix.IFLA_VLAN_QOS_MAPPING {
					continue
				}
				var b [8]byte
				q.Struct(b[:])
				ms = append(ms, VlanQoSMapping{From: binary.NativeEndian.Uint32(b[:]), To: binary.NativeEndian.Uint32(b[4:])})
			}
			if err := q.Err(); err != nil {
				return fmt.Errorf("vlan QoS map: %w", err)
			}
			if d.Type() == unix.IFLA_VLAN_INGRESS_QOS {
				v.IngressQoS = ms
			} else {
				v.EgressQoS = ms
			}
		}
	}
	return d.Err()
}

var _ LinkData = (*VlanInfo)(nil)
