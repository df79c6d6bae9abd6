package rtnl

import (
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A VrfInfo is the data of a VRF device (IFLA_VRF_*): an L3 master domain
// whose ports' routes are looked up in Table. Links join a VRF as they
// join any master, with Link.MasterIndex (LinkChange.MasterIndex, 0
// releasing); they report the table in their Info.SlaveData, a
// *VrfPortInfo.
type VrfInfo struct {
	// Table is the routing table; required when creating the device.
	Table *uint32
}

func (*VrfInfo) accepts(kind string) bool { return kind == "vrf" }
func (*VrfInfo) defaultKind() string      { return "vrf" }
func (*VrfInfo) validate(int) error       { return nil }

func (v *VrfInfo) encodeData(e *nl.Encoder) { linkPutU32(e, unix.IFLA_VRF_TABLE, v.Table) }

func (v *VrfInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		if d.Type() == unix.IFLA_VRF_TABLE {
			v.Table = linkU32(s, &d)
		}
	}
	return d.Err()
}

// A VrfPortInfo is a link's data as a port of a VRF (IFLA_INFO_SLAVE_DATA
// of slave kind "vrf", IFLA_VRF_PORT_*), reported only.
type VrfPortInfo struct {
	// Table is the VRF's routing table.
	Table uint32
}

func (*VrfPortInfo) accepts(kind string) bool { return kind == "vrf" }
func (*VrfPortInfo) defaultKind() string      { return "vrf" }
func (*VrfPortInfo) validate(int) error       { return nil }

// encodeData sends nothing: the kernel takes no VRF port data.
func (*VrfPortInfo) encodeData(*nl.Encoder) {}

func (p *VrfPortInfo) decode(d nl.AttrDecoder) error {
	for d.Next() {
		if d.Type() == unix.IFLA_VRF_PORT_TABLE {
			p.Table = d.Uint32()
		}
	}
	return d.Err()
}

var (
	_ LinkData = (*VrfInfo)(nil)
	_ LinkData = (*VrfPortInfo)(nil)
)
