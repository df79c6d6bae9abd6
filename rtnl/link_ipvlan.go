package rtnl

import (
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// An IpvlanMode is the layer an ipvlan or ipvtap link switches its
// packets at (IPVLAN_MODE_*).
type IpvlanMode uint16

// The ipvlan modes.
const (
	IpvlanL2  IpvlanMode = 0
	IpvlanL3  IpvlanMode = 1
	IpvlanL3S IpvlanMode = 2
)

var ipvlanModeNames = map[uint32]string{0: "l2", 1: "l3", 2: "l3s"}

// String returns the mode as iproute2 names it: l2, l3, l3s.
func (m IpvlanMode) String() string { return enumName(ipvlanModeNames, uint32(m)) }

// ParseIpvlanMode reads an ipvlan mode name or number.
func ParseIpvlanMode(s string) (IpvlanMode, error) {
	v, err := enumParse(ipvlanModeNames, s, "ipvlan mode", 2)
	return IpvlanMode(v), err
}

// IpvlanFlags are an ipvlan's flags (IPVLAN_F_*); none is ip's bridge.
type IpvlanFlags uint16

// The ipvlan flags.
const (
	// IpvlanPrivate keeps the siblings from talking to each other.
	IpvlanPrivate IpvlanFlags = 0x01
	// IpvlanVEPA sends traffic between siblings out through the lower
	// device.
	IpvlanVEPA IpvlanFlags = 0x02
)

// An IpvlanInfo is the data of an ipvlan or ipvtap link (IFLA_IPVLAN_*).
// Create one with ParentIndex set to the lower device.
type IpvlanInfo struct {
	// Mode is the mode; nil leaves the kernel's default (l3).
	Mode *IpvlanMode
	// Flags sets the flags; nil leaves them (none, ip's bridge).
	Flags *IpvlanFlags
}

func (*IpvlanInfo) accepts(kind string) bool { return kind == "ipvlan" || kind == "ipvtap" }
func (*IpvlanInfo) defaultKind() string      { return "ipvlan" }

// validate leaves the flags to the kernel, which refuses private and
// vepa together.
func (*IpvlanInfo) validate(int) error { return nil }

func (v *IpvlanInfo) encodeData(e *nl.Encoder) {
	if v.Mode != nil {
		e.Uint16(unix.IFLA_IPVLAN_MODE, uint16(*v.Mode))
	}
	if v.Flags != nil {
		e.Uint16(unix.IFLA_IPVLAN_FLAGS, uint16(*v.Flags))
	}
}

func (v *IpvlanInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IPVLAN_MODE:
			v.Mode = (*IpvlanMode)(s.u16Ptr(d.Uint16()))
		case unix.IFLA_IPVLAN_FLAGS:
			v.Flags = (*IpvlanFlags)(s.u16Ptr(d.Uint16()))
		}
	}
	return d.Err()
}

var _ LinkData = (*IpvlanInfo)(nil)
