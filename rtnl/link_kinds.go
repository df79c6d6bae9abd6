package rtnl

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A LinkInfo is a link's kind and its kind-specific attributes
// (IFLA_LINKINFO): what `ip link add ... type KIND ...` sets and
// `ip -d link show` prints.
type LinkInfo struct {
	// Kind is the link's kind (IFLA_INFO_KIND): "veth", "bridge",
	// "macvlan", "vxlan", "ifb", ... When creating a link it may be left
	// empty if Data says it (a *BridgeInfo is a "bridge").
	Kind string
	// Data holds the kind's attributes (IFLA_INFO_DATA): a *VethInfo,
	// *BridgeInfo, *MacvlanInfo (for macvlan and macvtap), *VxlanInfo,
	// *VlanInfo, *BondInfo, *VrfInfo, *IpvlanInfo (for ipvlan and
	// ipvtap), *GreInfo (gre, gretap, erspan and their ip6 kinds), *IPTunInfo
	// (ipip, sit, ip6tnl), *GeneveInfo, or RawLinkData, as the kernel sent them, for the other kinds (and
	// for data this package fails to decode). nil when there are none (as
	// for ifb). A listed veth has a *VethInfo holding its peer's index,
	// though the kernel sends no veth data.
	Data LinkData
	// SlaveKind is the kind of the link's master when the link is a port
	// (IFLA_INFO_SLAVE_KIND), such as "bridge".
	SlaveKind string
	// SlaveData holds the link's attributes as a port
	// (IFLA_INFO_SLAVE_DATA): a *BridgePortInfo, *BondPortInfo or
	// *VrfPortInfo, or RawLinkData.
	SlaveData LinkData
}

// LinkData is the kind-specific part of a link: *VethInfo, *BridgeInfo,
// *BridgePortInfo, *MacvlanInfo, *VxlanInfo, *VlanInfo, *BondInfo,
// *BondPortInfo, *VrfInfo, *VrfPortInfo, *IpvlanInfo, *GreInfo, *IPTunInfo,
// *GeneveInfo or RawLinkData. Only this
// package's types implement it.
type LinkData interface {
	// accepts reports whether the data fits the kind (or, for port data,
	// the master's kind).
	accepts(kind string) bool
	// defaultKind is the kind a link with this data has when LinkInfo
	// does not say.
	defaultKind() string
	validate(depth int) error
	// encodeData appends the attributes inside IFLA_INFO_DATA.
	encodeData(e *nl.Encoder)
}

// kind returns the link's kind, from Kind or else from Data.
func (i *LinkInfo) kind() string {
	if i.Kind != "" {
		return i.Kind
	}
	if i.Data != nil {
		return i.Data.defaultKind()
	}
	return ""
}

func (i *LinkInfo) validate(depth int) error {
	if i.Data != nil {
		if k := i.kind(); !i.Data.accepts(k) {
			return fmt.Errorf("rtnl: link kind %q cannot have %T data", k, i.Data)
		}
		if err := i.Data.validate(depth); err != nil {
			return err
		}
		if c, ok := i.Data.(kindChecker); ok {
			if err := c.validateKind(i.kind()); err != nil {
				return err
			}
		}
	}
	if i.SlaveData != nil {
		k := i.SlaveKind
		if k == "" {
			k = i.SlaveData.defaultKind()
		}
		if !i.SlaveData.accepts(k) {
			return fmt.Errorf("rtnl: port of a %q cannot have %T data", k, i.SlaveData)
		}
		if err := i.SlaveData.validate(depth); err != nil {
			return err
		}
	}
	return nil
}

// encode appends IFLA_LINKINFO, if there is anything to put in it.
func (i *LinkInfo) encode(e *nl.Encoder) {
	kind := i.kind()
	if kind == "" && i.SlaveKind == "" && i.SlaveData == nil {
		return
	}
	n := e.Nest(unix.IFLA_LINKINFO)
	if kind != "" {
		e.String(unix.IFLA_INFO_KIND, kind)
	}
	if i.Data != nil {
		d := e.Nest(unix.IFLA_INFO_DATA)
		i.Data.encodeData(e)
		e.EndNest(d)
	}
	if i.SlaveKind != "" {
		e.String(unix.IFLA_INFO_SLAVE_KIND, i.SlaveKind)
	}
	if i.SlaveData != nil {
		d := e.Nest(unix.IFLA_INFO_SLAVE_DATA)
		i.SlaveData.encodeData(e)
		e.EndNest(d)
	}
	e.EndNest(n)
}

// decode fills i from the attributes inside IFLA_LINKINFO.
func (i *LinkInfo) decode(d nl.AttrDecoder, depth int, s *store) error {
	var data, slave []byte
	var hasData, hasSlave bool
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_INFO_KIND:
			i.Kind = s.intern(d.Bytes())
		case unix.IFLA_INFO_DATA:
			data, hasData = d.Bytes(), true
		case unix.IFLA_INFO_SLAVE_KIND:
			i.SlaveKind = s.intern(d.Bytes())
		case unix.IFLA_INFO_SLAVE_DATA:
			slave, hasSlave = d.Bytes(), true
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	// Kind data this package cannot make sense of (an attribute of an
	// unexpected size from a newer kernel, say) is kept raw rather than
	// failing the whole link.
	if hasData {
		var err error
		if i.Data, err = decodeLinkData(i.Kind, data, depth, s); err != nil {
			i.Data = RawLinkData(s.bytes(data))
		}
	}
	if hasSlave {
		var err error
		if i.SlaveData, err = decodeSlaveData(i.SlaveKind, slave, s); err != nil {
			i.SlaveData = RawLinkData(s.bytes(slave))
		}
	}
	return nil
}

func decodeLinkData(kind string, b []byte, depth int, s *store) (LinkData, error) {
	switch kind {
	case "veth":
		v := s.newVethInfo() // only in requests: listings carry no veth data
		return v, v.decode(b, depth, s)
	case "bridge":
		v := s.newBridgeInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "macvlan", "macvtap":
		v := s.newMacvlanInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "vxlan":
		v := s.newVxlanInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "vlan":
		v := new(VlanInfo)
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "bond":
		v := new(BondInfo)
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "vrf":
		v := new(VrfInfo)
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "ipvlan", "ipvtap":
		v := new(IpvlanInfo)
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan":
		v := s.newGreInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "ipip", "sit", "ip6tnl":
		v := s.newIPTunInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "geneve":
		v := s.newGeneveInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	}
	return RawLinkData(s.bytes(b)), nil
}

func decodeSlaveData(kind string, b []byte, s *store) (LinkData, error) {
	switch kind {
	case "bridge":
		v := s.newBridgePortInfo()
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "bond":
		v := new(BondPortInfo)
		return v, v.decode(nl.NewAttrDecoder(b), s)
	case "vrf":
		v := new(VrfPortInfo)
		return v, v.decode(nl.NewAttrDecoder(b))
	}
	return RawLinkData(s.bytes(b)), nil
}

// RawLinkData is the kind-specific data of a kind this package does not
// model: the attributes inside IFLA_INFO_DATA (or IFLA_INFO_SLAVE_DATA) as
// the kernel sent them. It is sent back as it is.
type RawLinkData []byte

func (RawLinkData) accepts(string) bool        { return true }
func (RawLinkData) defaultKind() string        { return "" }
func (RawLinkData) validate(int) error         { return nil }
func (r RawLinkData) encodeData(e *nl.Encoder) { e.Payload(r) }

// A VethInfo is the data of a veth pair. When creating one, Peer (if not nil)
// gives the other end's name and settings, such as its address, MTU, and
// NetNS to create it directly in another namespace. In listings, PeerIndex
// and PeerNetNSID say where the other end is.
type VethInfo struct {
	// Peer is the other end to create (VETH_INFO_PEER); the kernel
	// never lists it.
	Peer *Link
	// PeerIndex is the other end's index, in the namespace PeerNetNSID
	// names (an id in this namespace, as Link.LinkNetNSID; nil when the
	// peer is in this namespace). The kernel lists them as the link's
	// ParentIndex and LinkNetNSID (IFLA_LINK, IFLA_LINK_NETNSID), which
	// listing copies here; they are not sent.
	PeerIndex   int
	PeerNetNSID *int
}

func (*VethInfo) accepts(kind string) bool { return kind == "veth" }
func (*VethInfo) defaultKind() string      { return "veth" }

func (v *VethInfo) validate(depth int) error {
	if v.Peer == nil {
		return nil
	}
	if err := v.Peer.validateCreate(depth + 1); err != nil {
		return fmt.Errorf("rtnl: veth peer: %s", strings.TrimPrefix(err.Error(), "rtnl: "))
	}
	return nil
}

func (v *VethInfo) encodeData(e *nl.Encoder) {
	if v.Peer == nil {
		return
	}
	n := e.Nest(iflaVethInfoPeer)
	v.Peer.encodeBody(e, false)
	e.EndNest(n)
}

func (v *VethInfo) decode(b []byte, depth int, s *store) error {
	d := nl.NewAttrDecoder(b)
	for d.Next() {
		if d.Type() != iflaVethInfoPeer {
			continue
		}
		if depth+1 >= maxLinkDepth {
			return fmt.Errorf("veth peer nested too deep: %w", nl.ErrMalformed)
		}
		p := new(Link)
		if err := p.decodeBody(d.Bytes(), depth+1, s); err != nil {
			return fmt.Errorf("veth peer: %w", err)
		}
		v.Peer = p
	}
	return d.Err()
}

// A BridgeID is the identifier of a bridge in the spanning tree protocol:
// its priority and address (struct ifla_bridge_id).
type BridgeID struct {
	Priority uint16
	Addr     [6]byte
}

// String returns the id as iproute2 prints it, the address's bytes without
// leading zeros: "8000.2:0:0:0:0:1".
func (id BridgeID) String() string {
	a := id.Addr
	return fmt.Sprintf("%04x.%x:%x:%x:%x:%x:%x", id.Priority, a[0], a[1], a[2], a[3], a[4], a[5])
}

func decodeBridgeID(d *nl.AttrDecoder) BridgeID {
	var b [8]byte
	d.Struct(b[:])
	id := BridgeID{Priority: binary.BigEndian.Uint16(b[:2])}
	copy(id.Addr[:], b[2:])
	return id
}

// BridgeBoolOpts are a bridge's boolean options (struct br_boolopt_multi):
// the options in Mask take their value from Value.
type BridgeBoolOpts struct {
	Value, Mask uint32
}

// The bridge boolean options (BR_BOOLOPT_*), as bits of BridgeBoolOpts.
const (
	BridgeNoLinkLocalLearn  uint32 = 1 << 0
	BridgeMcastVLANSnooping uint32 = 1 << 1
	BridgeMSTEnabled        uint32 = 1 << 2
)

// A BridgeInfo is the data of a bridge (IFLA_BR_*). Its fields are ip's
// bridge options of the same names (ForwardDelay is forward_delay,
// McastLastMemberInterval mcast_last_member_interval). When creating or
// changing a bridge, the fields that are not nil are sent. Times are in
// hundredths of a second, as the kernel takes them. The fields from RootID
// on are the bridge's status, reported by the kernel and never sent.
type BridgeInfo struct {
	ForwardDelay  *uint32
	HelloTime     *uint32
	MaxAge        *uint32
	AgeingTime    *uint32
	STPState      *uint32
	Priority      *uint16
	VLANFiltering *bool
	// VLANProtocol is the VLAN protocol's ethertype: 0x8100 (802.1Q) or
	// 0x88a8 (802.1ad).
	VLANProtocol     *uint16
	VLANDefaultPVID  *uint16
	VLANStatsEnabled *bool
	VLANStatsPerPort *bool
	GroupFwdMask     *uint16
	// GroupAddr is the STP group address, 01:80:c2:00:00:0X.
	GroupAddr     net.HardwareAddr
	FDBMaxLearned *uint32
	// FDBFlush flushes the forwarding database (a request only).
	FDBFlush bool

	McastRouter                *uint8
	McastSnooping              *bool
	McastQueryUseIfaddr        *bool
	McastQuerier               *bool
	McastHashElasticity        *uint32
	McastHashMax               *uint32
	McastLastMemberCount       *uint32
	McastStartupQueryCount     *uint32
	McastLastMemberInterval    *uint64
	McastMembershipInterval    *uint64
	McastQuerierInterval       *uint64
	McastQueryInterval         *uint64
	McastQueryResponseInterval *uint64
	McastStartupQueryInterval  *uint64
	McastStatsEnabled          *bool
	McastIGMPVersion           *uint8
	McastMLDVersion            *uint8
	NFCallIPTables             *bool
	NFCallIP6Tables            *bool
	NFCallARPTables            *bool
	// BoolOpts sets boolean options such as BridgeNoLinkLocalLearn
	// (IFLA_BR_MULTI_BOOLOPT).
	BoolOpts *BridgeBoolOpts

	RootID                 BridgeID
	BridgeID               BridgeID
	RootPort               uint16
	RootPathCost           uint32
	TopologyChange         bool
	TopologyChangeDetected bool
	HelloTimer             uint64
	TCNTimer               uint64
	TopologyChangeTimer    uint64
	GCTimer                uint64
	FDBNLearned            uint32
}

// Bridge attributes newer than some copies of the unix package.
const (
	iflaBrMultiBoolOpt  = 46
	iflaBrFDBNLearned   = 48
	iflaBrFDBMaxLearned = 49
)

func (*BridgeInfo) accepts(kind string) bool { return kind == "bridge" }
func (*BridgeInfo) defaultKind() string      { return "bridge" }

func (b *BridgeInfo) validate(int) error {
	if len(b.GroupAddr) != 0 && len(b.GroupAddr) != 6 {
		return fmt.Errorf("rtnl: bridge GroupAddr %v is not an Ethernet address", b.GroupAddr)
	}
	return nil
}

func (b *BridgeInfo) encodeData(e *nl.Encoder) {
	linkPutU32(e, unix.IFLA_BR_FORWARD_DELAY, b.ForwardDelay)
	linkPutU32(e, unix.IFLA_BR_HELLO_TIME, b.HelloTime)
	linkPutU32(e, unix.IFLA_BR_MAX_AGE, b.MaxAge)
	linkPutU32(e, unix.IFLA_BR_AGEING_TIME, b.AgeingTime)
	linkPutU32(e, unix.IFLA_BR_STP_STATE, b.STPState)
	linkPutU16(e, unix.IFLA_BR_PRIORITY, b.Priority)
	linkPutBool(e, unix.IFLA_BR_VLAN_FILTERING, b.VLANFiltering)
	if b.VLANProtocol != nil {
		e.Uint16BE(unix.IFLA_BR_VLAN_PROTOCOL, *b.VLANProtocol)
	}
	linkPutU16(e, unix.IFLA_BR_VLAN_DEFAULT_PVID, b.VLANDefaultPVID)
	linkPutBool(e, unix.IFLA_BR_VLAN_STATS_ENABLED, b.VLANStatsEnabled)
	linkPutBool(e, unix.IFLA_BR_VLAN_STATS_PER_PORT, b.VLANStatsPerPort)
	linkPutU16(e, unix.IFLA_BR_GROUP_FWD_MASK, b.GroupFwdMask)
	if len(b.GroupAddr) > 0 {
		e.Attr(unix.IFLA_BR_GROUP_ADDR, b.GroupAddr)
	}
	linkPutU32(e, iflaBrFDBMaxLearned, b.FDBMaxLearned)
	if b.FDBFlush {
		e.Flag(unix.IFLA_BR_FDB_FLUSH)
	}
	linkPutU8(e, unix.IFLA_BR_MCAST_ROUTER, b.McastRouter)
	linkPutBool(e, unix.IFLA_BR_MCAST_SNOOPING, b.McastSnooping)
	linkPutBool(e, unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, b.McastQueryUseIfaddr)
	linkPutBool(e, unix.IFLA_BR_MCAST_QUERIER, b.McastQuerier)
	linkPutU32(e, unix.IFLA_BR_MCAST_HASH_ELASTICITY, b.McastHashElasticity)
	linkPutU32(e, unix.IFLA_BR_MCAST_HASH_MAX, b.McastHashMax)
	linkPutU32(e, unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, b.McastLastMemberCount)
	linkPutU32(e, unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, b.McastStartupQueryCount)
	linkPutU64(e, unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, b.McastLastMemberInterval)
	linkPutU64(e, unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, b.McastMembershipInterval)
	linkPutU64(e, unix.IFLA_BR_MCAST_QUERIER_INTVL, b.McastQuerierInterval)
	linkPutU64(e, unix.IFLA_BR_MCAST_QUERY_INTVL, b.McastQueryInterval)
	linkPutU64(e, unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, b.McastQueryResponseInterval)
	linkPutU64(e, unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, b.McastStartupQueryInterval)
	linkPutBool(e, unix.IFLA_BR_MCAST_STATS_ENABLED, b.McastStatsEnabled)
	linkPutU8(e, unix.IFLA_BR_MCAST_IGMP_VERSION, b.McastIGMPVersion)
	linkPutU8(e, unix.IFLA_BR_MCAST_MLD_VERSION, b.McastMLDVersion)
	linkPutBool(e, unix.IFLA_BR_NF_CALL_IPTABLES, b.NFCallIPTables)
	linkPutBool(e, unix.IFLA_BR_NF_CALL_IP6TABLES, b.NFCallIP6Tables)
	linkPutBool(e, unix.IFLA_BR_NF_CALL_ARPTABLES, b.NFCallARPTables)
	if b.BoolOpts != nil {
		var v [8]byte
		binary.NativeEndian.PutUint32(v[:], b.BoolOpts.Value)
		binary.NativeEndian.PutUint32(v[4:], b.BoolOpts.Mask)
		e.Attr(iflaBrMultiBoolOpt, v[:])
	}
}

func (b *BridgeInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_BR_FORWARD_DELAY:
			b.ForwardDelay = linkU32(s, &d)
		case unix.IFLA_BR_HELLO_TIME:
			b.HelloTime = linkU32(s, &d)
		case unix.IFLA_BR_MAX_AGE:
			b.MaxAge = linkU32(s, &d)
		case unix.IFLA_BR_AGEING_TIME:
			b.AgeingTime = linkU32(s, &d)
		case unix.IFLA_BR_STP_STATE:
			b.STPState = linkU32(s, &d)
		case unix.IFLA_BR_PRIORITY:
			b.Priority = linkU16(s, &d)
		case unix.IFLA_BR_VLAN_FILTERING:
			b.VLANFiltering = linkBool(s, &d)
		case unix.IFLA_BR_VLAN_PROTOCOL:
			b.VLANProtocol = s.u16Ptr(d.Uint16BE())
		case unix.IFLA_BR_VLAN_DEFAULT_PVID:
			b.VLANDefaultPVID = linkU16(s, &d)
		case unix.IFLA_BR_VLAN_STATS_ENABLED:
			b.VLANStatsEnabled = linkBool(s, &d)
		case unix.IFLA_BR_VLAN_STATS_PER_PORT:
			b.VLANStatsPerPort = linkBool(s, &d)
		case unix.IFLA_BR_GROUP_FWD_MASK:
			b.GroupFwdMask = linkU16(s, &d)
		case unix.IFLA_BR_GROUP_ADDR:
			b.GroupAddr = s.hwaddr(d.Bytes())
		case iflaBrFDBMaxLearned:
			b.FDBMaxLearned = linkU32(s, &d)
		case unix.IFLA_BR_FDB_FLUSH:
			b.FDBFlush = true
		case unix.IFLA_BR_MCAST_ROUTER:
			b.McastRouter = linkU8(s, &d)
		case unix.IFLA_BR_MCAST_SNOOPING:
			b.McastSnooping = linkBool(s, &d)
		case unix.IFLA_BR_MCAST_QUERY_USE_IFADDR:
			b.McastQueryUseIfaddr = linkBool(s, &d)
		case unix.IFLA_BR_MCAST_QUERIER:
			b.McastQuerier = linkBool(s, &d)
		case unix.IFLA_BR_MCAST_HASH_ELASTICITY:
			b.McastHashElasticity = linkU32(s, &d)
		case unix.IFLA_BR_MCAST_HASH_MAX:
			b.McastHashMax = linkU32(s, &d)
		case unix.IFLA_BR_MCAST_LAST_MEMBER_CNT:
			b.McastLastMemberCount = linkU32(s, &d)
		case unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT:
			b.McastStartupQueryCount = linkU32(s, &d)
		case unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL:
			b.McastLastMemberInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL:
			b.McastMembershipInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_QUERIER_INTVL:
			b.McastQuerierInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_QUERY_INTVL:
			b.McastQueryInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL:
			b.McastQueryResponseInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL:
			b.McastStartupQueryInterval = linkU64(s, &d)
		case unix.IFLA_BR_MCAST_STATS_ENABLED:
			b.McastStatsEnabled = linkBool(s, &d)
		case unix.IFLA_BR_MCAST_IGMP_VERSION:
			b.McastIGMPVersion = linkU8(s, &d)
		case unix.IFLA_BR_MCAST_MLD_VERSION:
			b.McastMLDVersion = linkU8(s, &d)
		case unix.IFLA_BR_NF_CALL_IPTABLES:
			b.NFCallIPTables = linkBool(s, &d)
		case unix.IFLA_BR_NF_CALL_IP6TABLES:
			b.NFCallIP6Tables = linkBool(s, &d)
		case unix.IFLA_BR_NF_CALL_ARPTABLES:
			b.NFCallARPTables = linkBool(s, &d)
		case iflaBrMultiBoolOpt:
			var v [8]byte
			d.Struct(v[:])
			b.BoolOpts = s.newBridgeBoolOpts()
			*b.BoolOpts = BridgeBoolOpts{
				Value: binary.NativeEndian.Uint32(v[:]),
				Mask:  binary.NativeEndian.Uint32(v[4:]),
			}
		case unix.IFLA_BR_ROOT_ID:
			b.RootID = decodeBridgeID(&d)
		case unix.IFLA_BR_BRIDGE_ID:
			b.BridgeID = decodeBridgeID(&d)
		case unix.IFLA_BR_ROOT_PORT:
			b.RootPort = d.Uint16()
		case unix.IFLA_BR_ROOT_PATH_COST:
			b.RootPathCost = d.Uint32()
		case unix.IFLA_BR_TOPOLOGY_CHANGE:
			b.TopologyChange = d.Uint8() != 0
		case unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:
			b.TopologyChangeDetected = d.Uint8() != 0
		case unix.IFLA_BR_HELLO_TIMER:
			b.HelloTimer = d.Uint64()
		case unix.IFLA_BR_TCN_TIMER:
			b.TCNTimer = d.Uint64()
		case unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER:
			b.TopologyChangeTimer = d.Uint64()
		case unix.IFLA_BR_GC_TIMER:
			b.GCTimer = d.Uint64()
		case iflaBrFDBNLearned:
			b.FDBNLearned = d.Uint32()
		}
	}
	return d.Err()
}

// A BridgePortState is the STP state of a bridge port (BR_STATE_*).
type BridgePortState uint8

// The bridge port states.
const (
	BridgePortDisabled   BridgePortState = 0
	BridgePortListening  BridgePortState = 1
	BridgePortLearning   BridgePortState = 2
	BridgePortForwarding BridgePortState = 3
	BridgePortBlocking   BridgePortState = 4
)

var bridgePortStateNames = map[uint32]string{
	0: "disabled", 1: "listening", 2: "learning", 3: "forwarding", 4: "blocking",
}

// String returns the state as iproute2 names it: disabled, listening,
// learning, forwarding, blocking.
func (s BridgePortState) String() string { return enumName(bridgePortStateNames, uint32(s)) }

// ParseBridgePortState reads a port state name or number.
func ParseBridgePortState(s string) (BridgePortState, error) {
	v, err := enumParse(bridgePortStateNames, s, "bridge port state", 255)
	return BridgePortState(v), err
}

// A BridgePortInfo is the data of a link as a port of a bridge
// (IFLA_INFO_SLAVE_DATA, IFLA_BRPORT_*): what `ip link set DEV type
// bridge_slave ...` changes. The fields that are not nil are sent. The
// fields from RootID on are the port's status, reported by the kernel and
// never sent.
type BridgePortInfo struct {
	State    *BridgePortState
	Priority *uint16
	Cost     *uint32
	// Hairpin sends frames back out of the port they came in on
	// (IFLA_BRPORT_MODE).
	Hairpin *bool
	Guard   *bool
	// RootBlock keeps the port from becoming the root port
	// (IFLA_BRPORT_PROTECT).
	RootBlock *bool
	FastLeave *bool
	Learning  *bool
	// UnicastFlood floods unknown unicast to the port
	// (IFLA_BRPORT_UNICAST_FLOOD, ip's "flood").
	UnicastFlood    *bool
	ProxyARP        *bool
	ProxyARPWiFi    *bool
	MulticastRouter *uint8
	McastFlood      *bool
	McastToUnicast  *bool
	BcastFlood      *bool
	VLANTunnel      *bool
	GroupFwdMask    *uint16
	NeighSuppress   *bool
	Isolated        *bool
	// BackupPortIndex is the index of the port's backup port; 0 removes it.
	BackupPortIndex    *int
	Locked             *bool
	MAB                *bool
	McastEHTHostsLimit *uint32
	McastMaxGroups     *uint32
	NeighVLANSuppress  *bool
	BackupNHID         *uint32
	// Flush flushes the port's forwarding entries (a request only).
	Flush bool

	RootID             BridgeID
	BridgeID           BridgeID
	DesignatedPort     uint16
	DesignatedCost     uint16
	ID                 uint16
	No                 uint16
	TopologyChangeAck  uint8
	ConfigPending      uint8
	MessageAgeTimer    uint64
	ForwardDelayTimer  uint64
	HoldTimer          uint64
	McastEHTHostsCount uint32
	McastNGroups       uint32
}

// Bridge port attributes newer than some copies of the unix package.
const (
	iflaBrportMcastEHTHostsLimit = 37
	iflaBrportMcastEHTHostsCnt   = 38
	iflaBrportLocked             = 39
	iflaBrportMAB                = 40
	iflaBrportMcastNGroups       = 41
	iflaBrportMcastMaxGroups     = 42
	iflaBrportNeighVLANSuppress  = 43
	iflaBrportBackupNHID         = 44
)

func (*BridgePortInfo) accepts(kind string) bool { return kind == "bridge" }
func (*BridgePortInfo) defaultKind() string      { return "bridge" }
func (*BridgePortInfo) validate(int) error       { return nil }

func (p *BridgePortInfo) encodeData(e *nl.Encoder) {
	if p.State != nil {
		e.Uint8(unix.IFLA_BRPORT_STATE, uint8(*p.State))
	}
	linkPutU16(e, unix.IFLA_BRPORT_PRIORITY, p.Priority)
	linkPutU32(e, unix.IFLA_BRPORT_COST, p.Cost)
	linkPutBool(e, unix.IFLA_BRPORT_MODE, p.Hairpin)
	linkPutBool(e, unix.IFLA_BRPORT_GUARD, p.Guard)
	linkPutBool(e, unix.IFLA_BRPORT_PROTECT, p.RootBlock)
	linkPutBool(e, unix.IFLA_BRPORT_FAST_LEAVE, p.FastLeave)
	linkPutBool(e, unix.IFLA_BRPORT_LEARNING, p.Learning)
	linkPutBool(e, unix.IFLA_BRPORT_UNICAST_FLOOD, p.UnicastFlood)
	linkPutBool(e, unix.IFLA_BRPORT_PROXYARP, p.ProxyARP)
	linkPutBool(e, unix.IFLA_BRPORT_PROXYARP_WIFI, p.ProxyARPWiFi)
	linkPutU8(e, unix.IFLA_BRPORT_MULTICAST_ROUTER, p.MulticastRouter)
	linkPutBool(e, unix.IFLA_BRPORT_MCAST_FLOOD, p.McastFlood)
	linkPutBool(e, unix.IFLA_BRPORT_MCAST_TO_UCAST, p.McastToUnicast)
	linkPutBool(e, unix.IFLA_BRPORT_BCAST_FLOOD, p.BcastFlood)
	linkPutBool(e, unix.IFLA_BRPORT_VLAN_TUNNEL, p.VLANTunnel)
	linkPutU16(e, unix.IFLA_BRPORT_GROUP_FWD_MASK, p.GroupFwdMask)
	linkPutBool(e, unix.IFLA_BRPORT_NEIGH_SUPPRESS, p.NeighSuppress)
	linkPutBool(e, unix.IFLA_BRPORT_ISOLATED, p.Isolated)
	if p.BackupPortIndex != nil {
		e.Uint32(unix.IFLA_BRPORT_BACKUP_PORT, uint32(*p.BackupPortIndex))
	}
	linkPutBool(e, iflaBrportLocked, p.Locked)
	linkPutBool(e, iflaBrportMAB, p.MAB)
	linkPutU32(e, iflaBrportMcastEHTHostsLimit, p.McastEHTHostsLimit)
	linkPutU32(e, iflaBrportMcastMaxGroups, p.McastMaxGroups)
	linkPutBool(e, iflaBrportNeighVLANSuppress, p.NeighVLANSuppress)
	linkPutU32(e, iflaBrportBackupNHID, p.BackupNHID)
	if p.Flush {
		e.Flag(unix.IFLA_BRPORT_FLUSH)
	}
}

func (p *BridgePortInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_BRPORT_STATE:
			p.State = (*BridgePortState)(s.u8Ptr(d.Uint8()))
		case unix.IFLA_BRPORT_PRIORITY:
			p.Priority = linkU16(s, &d)
		case unix.IFLA_BRPORT_COST:
			p.Cost = linkU32(s, &d)
		case unix.IFLA_BRPORT_MODE:
			p.Hairpin = linkBool(s, &d)
		case unix.IFLA_BRPORT_GUARD:
			p.Guard = linkBool(s, &d)
		case unix.IFLA_BRPORT_PROTECT:
			p.RootBlock = linkBool(s, &d)
		case unix.IFLA_BRPORT_FAST_LEAVE:
			p.FastLeave = linkBool(s, &d)
		case unix.IFLA_BRPORT_LEARNING:
			p.Learning = linkBool(s, &d)
		case unix.IFLA_BRPORT_UNICAST_FLOOD:
			p.UnicastFlood = linkBool(s, &d)
		case unix.IFLA_BRPORT_PROXYARP:
			p.ProxyARP = linkBool(s, &d)
		case unix.IFLA_BRPORT_PROXYARP_WIFI:
			p.ProxyARPWiFi = linkBool(s, &d)
		case unix.IFLA_BRPORT_MULTICAST_ROUTER:
			p.MulticastRouter = linkU8(s, &d)
		case unix.IFLA_BRPORT_MCAST_FLOOD:
			p.McastFlood = linkBool(s, &d)
		case unix.IFLA_BRPORT_MCAST_TO_UCAST:
			p.McastToUnicast = linkBool(s, &d)
		case unix.IFLA_BRPORT_BCAST_FLOOD:
			p.BcastFlood = linkBool(s, &d)
		case unix.IFLA_BRPORT_VLAN_TUNNEL:
			p.VLANTunnel = linkBool(s, &d)
		case unix.IFLA_BRPORT_GROUP_FWD_MASK:
			p.GroupFwdMask = linkU16(s, &d)
		case unix.IFLA_BRPORT_NEIGH_SUPPRESS:
			p.NeighSuppress = linkBool(s, &d)
		case unix.IFLA_BRPORT_ISOLATED:
			p.Isolated = linkBool(s, &d)
		case unix.IFLA_BRPORT_BACKUP_PORT:
			p.BackupPortIndex = s.intPtr(int(d.Uint32()))
		case iflaBrportLocked:
			p.Locked = linkBool(s, &d)
		case iflaBrportMAB:
			p.MAB = linkBool(s, &d)
		case iflaBrportMcastEHTHostsLimit:
			p.McastEHTHostsLimit = linkU32(s, &d)
		case iflaBrportMcastMaxGroups:
			p.McastMaxGroups = linkU32(s, &d)
		case iflaBrportNeighVLANSuppress:
			p.NeighVLANSuppress = linkBool(s, &d)
		case iflaBrportBackupNHID:
			p.BackupNHID = linkU32(s, &d)
		case unix.IFLA_BRPORT_FLUSH:
			p.Flush = true
		case unix.IFLA_BRPORT_ROOT_ID:
			p.RootID = decodeBridgeID(&d)
		case unix.IFLA_BRPORT_BRIDGE_ID:
			p.BridgeID = decodeBridgeID(&d)
		case unix.IFLA_BRPORT_DESIGNATED_PORT:
			p.DesignatedPort = d.Uint16()
		case unix.IFLA_BRPORT_DESIGNATED_COST:
			p.DesignatedCost = d.Uint16()
		case unix.IFLA_BRPORT_ID:
			p.ID = d.Uint16()
		case unix.IFLA_BRPORT_NO:
			p.No = d.Uint16()
		case unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK:
			p.TopologyChangeAck = d.Uint8()
		case unix.IFLA_BRPORT_CONFIG_PENDING:
			p.ConfigPending = d.Uint8()
		case unix.IFLA_BRPORT_MESSAGE_AGE_TIMER:
			p.MessageAgeTimer = d.Uint64()
		case unix.IFLA_BRPORT_FORWARD_DELAY_TIMER:
			p.ForwardDelayTimer = d.Uint64()
		case unix.IFLA_BRPORT_HOLD_TIMER:
			p.HoldTimer = d.Uint64()
		case iflaBrportMcastEHTHostsCnt:
			p.McastEHTHostsCount = d.Uint32()
		case iflaBrportMcastNGroups:
			p.McastNGroups = d.Uint32()
		}
	}
	return d.Err()
}

// A MacvlanMode is how a macvlan or macvtap link forwards between its
// siblings (MACVLAN_MODE_*).
type MacvlanMode uint32

// The macvlan modes.
const (
	MacvlanPrivate  MacvlanMode = 1
	MacvlanVEPA     MacvlanMode = 2
	MacvlanBridge   MacvlanMode = 4
	MacvlanPassthru MacvlanMode = 8
	MacvlanSource   MacvlanMode = 16
)

var macvlanModeNames = map[uint32]string{
	1: "private", 2: "vepa", 4: "bridge", 8: "passthru", 16: "source",
}

// String returns the mode as iproute2 names it: private, vepa, bridge,
// passthru, source.
func (m MacvlanMode) String() string { return enumName(macvlanModeNames, uint32(m)) }

// ParseMacvlanMode reads a macvlan mode name or number.
func ParseMacvlanMode(s string) (MacvlanMode, error) {
	v, err := enumParse(macvlanModeNames, s, "macvlan mode", 1<<32-1)
	return MacvlanMode(v), err
}

// MacvlanFlags are a macvlan's flags (MACVLAN_FLAG_*).
type MacvlanFlags uint16

// The macvlan flags.
const (
	// MacvlanNoPromisc keeps a passthru macvlan from putting its lower
	// device in promiscuous mode.
	MacvlanNoPromisc MacvlanFlags = 1
	// MacvlanNoDst keeps a source macvlan from also delivering by
	// destination address.
	MacvlanNoDst MacvlanFlags = 2
)

// A MacvlanMACAddrMode says what a request does with the source addresses
// of a source-mode macvlan (MACVLAN_MACADDR_*).
type MacvlanMACAddrMode uint32

// The source address operations.
const (
	MacvlanMACAddrAdd   MacvlanMACAddrMode = 0
	MacvlanMACAddrDel   MacvlanMACAddrMode = 1
	MacvlanMACAddrFlush MacvlanMACAddrMode = 2
	MacvlanMACAddrSet   MacvlanMACAddrMode = 3
)

// A MacvlanInfo is the data of a macvlan or macvtap link (IFLA_MACVLAN_*).
// Create one with ParentIndex set to the lower device.
type MacvlanInfo struct {
	// Mode is the forwarding mode; 0 leaves the kernel's (vepa).
	Mode  MacvlanMode
	Flags *MacvlanFlags
	// MACAddrMode, with MACAddr (add, del) or MACAddrs (set), changes the
	// source addresses of a source-mode macvlan.
	MACAddrMode *MacvlanMACAddrMode
	MACAddr     net.HardwareAddr
	// MACAddrs are the source addresses (IFLA_MACVLAN_MACADDR_DATA).
	MACAddrs []net.HardwareAddr
	// MACAddrCount is the number of source addresses (reported only).
	MACAddrCount uint32
	// BCQueueLen is the length of the broadcast queue requested;
	// BCQueueLenUsed (reported only) the length in use; nil when the
	// kernel does not report it (before Linux 5.11).
	BCQueueLen     *uint32
	BCQueueLenUsed *uint32
	// BCCutoff is the multicast cutoff (IFLA_MACVLAN_BC_CUTOFF).
	BCCutoff *int32
}

func (*MacvlanInfo) accepts(kind string) bool { return kind == "macvlan" || kind == "macvtap" }
func (*MacvlanInfo) defaultKind() string      { return "macvlan" }

func (m *MacvlanInfo) validate(int) error {
	if len(m.MACAddr) != 0 && len(m.MACAddr) != 6 {
		return fmt.Errorf("rtnl: macvlan MACAddr %v is not an Ethernet address", m.MACAddr)
	}
	for _, a := range m.MACAddrs {
		if len(a) != 6 {
			return fmt.Errorf("rtnl: macvlan MACAddrs: %v is not an Ethernet address", a)
		}
	}
	return nil
}

func (m *MacvlanInfo) encodeData(e *nl.Encoder) {
	if m.Mode != 0 {
		e.Uint32(unix.IFLA_MACVLAN_MODE, uint32(m.Mode))
	}
	if m.Flags != nil {
		e.Uint16(unix.IFLA_MACVLAN_FLAGS, uint16(*m.Flags))
	}
	if m.MACAddrMode != nil {
		e.Uint32(unix.IFLA_MACVLAN_MACADDR_MODE, uint32(*m.MACAddrMode))
	}
	if len(m.MACAddr) > 0 {
		e.Attr(unix.IFLA_MACVLAN_MACADDR, m.MACAddr)
	}
	if len(m.MACAddrs) > 0 {
		n := e.Nest(unix.IFLA_MACVLAN_MACADDR_DATA)
		for _, a := range m.MACAddrs {
			e.Attr(unix.IFLA_MACVLAN_MACADDR, a)
		}
		e.EndNest(n)
	}
	linkPutU32(e, unix.IFLA_MACVLAN_BC_QUEUE_LEN, m.BCQueueLen)
	if m.BCCutoff != nil {
		e.Int32(unix.IFLA_MACVLAN_BC_CUTOFF, *m.BCCutoff)
	}
}

// macvlanAddr checks a macvlan's source address attribute: the kernel takes
// and reports Ethernet addresses only.
func macvlanAddr(b []byte) ([]byte, error) {
	if len(b) != 6 {
		return nil, fmt.Errorf("%w: IFLA_MACVLAN_MACADDR of %d bytes (an Ethernet address has 6)", nl.ErrMalformed, len(b))
	}
	return b, nil
}

func (m *MacvlanInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_MACVLAN_MODE:
			m.Mode = MacvlanMode(d.Uint32())
		case unix.IFLA_MACVLAN_FLAGS:
			m.Flags = (*MacvlanFlags)(s.u16Ptr(d.Uint16()))
		case unix.IFLA_MACVLAN_MACADDR_MODE:
			m.MACAddrMode = (*MacvlanMACAddrMode)(s.u32Ptr(d.Uint32()))
		case unix.IFLA_MACVLAN_MACADDR:
			b, err := macvlanAddr(d.Bytes())
			if err != nil {
				return err
			}
			m.MACAddr = s.hwaddr(b)
		case unix.IFLA_MACVLAN_MACADDR_DATA:
			a := d.Nested()
			for a.Next() {
				if a.Type() == unix.IFLA_MACVLAN_MACADDR {
					b, err := macvlanAddr(a.Bytes())
					if err != nil {
						return err
					}
					m.MACAddrs = append(m.MACAddrs, s.hwaddr(b))
				}
			}
			if err := a.Err(); err != nil {
				return err
			}
		case unix.IFLA_MACVLAN_MACADDR_COUNT:
			m.MACAddrCount = d.Uint32()
		case unix.IFLA_MACVLAN_BC_QUEUE_LEN:
			m.BCQueueLen = linkU32(s, &d)
		case unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED:
			m.BCQueueLenUsed = linkU32(s, &d)
		case unix.IFLA_MACVLAN_BC_CUTOFF:
			m.BCCutoff = s.i32Ptr(d.Int32())
		}
	}
	return d.Err()
}

// A VxlanDF says how a VXLAN link sets the Don't Fragment bit of the
// outer IPv4 header (VXLAN_DF_*).
type VxlanDF uint8

// The DF settings.
const (
	VxlanDFUnset   VxlanDF = 0
	VxlanDFSet     VxlanDF = 1
	VxlanDFInherit VxlanDF = 2
)

var vxlanDFNames = map[uint32]string{0: "unset", 1: "set", 2: "inherit"}

// String returns the setting as iproute2 names it: unset, set, inherit.
func (v VxlanDF) String() string { return enumName(vxlanDFNames, uint32(v)) }

// ParseVxlanDF reads a DF setting name or number.
func ParseVxlanDF(s string) (VxlanDF, error) {
	v, err := enumParse(vxlanDFNames, s, "vxlan df", 255)
	return VxlanDF(v), err
}

// A VxlanPortRange is the range of UDP source ports a VXLAN link uses.
type VxlanPortRange struct {
	Low, High uint16
}

// A VxlanInfo is the data of a VXLAN link (IFLA_VXLAN_*). When creating one,
// the fields that are set are sent; ID is required (unless External).
type VxlanInfo struct {
	// ID is the VXLAN network identifier (VNI).
	ID *uint32
	// Group is the remote unicast address or the multicast group
	// (IFLA_VXLAN_GROUP or GROUP6); the invalid Addr when not set.
	Group netip.Addr
	// Local is the source address.
	Local netip.Addr
	// LinkIndex is the device tunnel packets leave by (IFLA_VXLAN_LINK,
	// ip's "dev"); 0 if none.
	LinkIndex int
	// Port is the UDP destination port (ip's "dstport"); the kernel's
	// default, 8472, when nil.
	Port      *uint16
	PortRange *VxlanPortRange
	TTL       *uint8
	// TTLInherit copies the inner packet's TTL.
	TTLInherit bool
	TOS        *uint8
	DF         *VxlanDF
	// Label is the IPv6 flow label.
	Label       *uint32
	LabelPolicy *uint32
	Learning    *bool
	Proxy       *bool
	RSC         *bool
	L2Miss      *bool
	L3Miss      *bool
	// Ageing is the forwarding entries' lifetime, in seconds.
	Ageing *uint32
	// Limit is the maximum number of forwarding entries (ip's "maxaddr").
	Limit            *uint32
	UDPCsum          *bool
	UDPZeroCsum6Tx   *bool
	UDPZeroCsum6Rx   *bool
	RemCsumTx        *bool
	RemCsumRx        *bool
	RemCsumNoPartial bool
	GBP              bool
	GPE              bool
	// External makes the link take its tunnel parameters from each
	// packet's metadata (IFLA_VXLAN_COLLECT_METADATA).
	External    *bool
	VNIFilter   *bool
	LocalBypass *bool
}

// VXLAN attributes newer than some copies of the unix package.
const (
	iflaVxlanVNIFilter   = 30
	iflaVxlanLocalBypass = 31
	iflaVxlanLabelPolicy = 32
)

func (*VxlanInfo) accepts(kind string) bool { return kind == "vxlan" }
func (*VxlanInfo) defaultKind() string      { return "vxlan" }

func (v *VxlanInfo) validate(int) error {
	if v.Group.IsValid() && v.Local.IsValid() && v.Group.Is4() != v.Local.Is4() {
		return fmt.Errorf("rtnl: vxlan Group %v and Local %v are of different families", v.Group, v.Local)
	}
	if v.LinkIndex < 0 {
		return fmt.Errorf("rtnl: invalid vxlan LinkIndex %d", v.LinkIndex)
	}
	return nil
}

func (v *VxlanInfo) encodeData(e *nl.Encoder) {
	linkPutU32(e, unix.IFLA_VXLAN_ID, v.ID)
	if v.Group.IsValid() {
		if v.Group.Is4() {
			e.Addr(unix.IFLA_VXLAN_GROUP, v.Group)
		} else {
			e.Addr(unix.IFLA_VXLAN_GROUP6, v.Group)
		}
	}
	if v.Local.IsValid() {
		if v.Local.Is4() {
			e.Addr(unix.IFLA_VXLAN_LOCAL, v.Local)
		} else {
			e.Addr(unix.IFLA_VXLAN_LOCAL6, v.Local)
		}
	}
	if v.LinkIndex != 0 {
		e.Uint32(unix.IFLA_VXLAN_LINK, uint32(v.LinkIndex))
	}
	if v.Port != nil {
		e.Uint16BE(unix.IFLA_VXLAN_PORT, *v.Port)
	}
	if v.PortRange != nil {
		var r [4]byte
		binary.BigEndian.PutUint16(r[:], v.PortRange.Low)
		binary.BigEndian.PutUint16(r[2:], v.PortRange.High)
		e.Attr(unix.IFLA_VXLAN_PORT_RANGE, r[:])
	}
	linkPutU8(e, unix.IFLA_VXLAN_TTL, v.TTL)
	if v.TTLInherit {
		e.Flag(unix.IFLA_VXLAN_TTL_INHERIT)
	}
	linkPutU8(e, unix.IFLA_VXLAN_TOS, v.TOS)
	if v.DF != nil {
		e.Uint8(unix.IFLA_VXLAN_DF, uint8(*v.DF))
	}
	if v.Label != nil {
		e.Uint32BE(unix.IFLA_VXLAN_LABEL, *v.Label)
	}
	linkPutU32(e, iflaVxlanLabelPolicy, v.LabelPolicy)
	linkPutBool(e, unix.IFLA_VXLAN_LEARNING, v.Learning)
	linkPutBool(e, unix.IFLA_VXLAN_PROXY, v.Proxy)
	linkPutBool(e, unix.IFLA_VXLAN_RSC, v.RSC)
	linkPutBool(e, unix.IFLA_VXLAN_L2MISS, v.L2Miss)
	linkPutBool(e, unix.IFLA_VXLAN_L3MISS, v.L3Miss)
	linkPutU32(e, unix.IFLA_VXLAN_AGEING, v.Ageing)
	linkPutU32(e, unix.IFLA_VXLAN_LIMIT, v.Limit)
	linkPutBool(e, unix.IFLA_VXLAN_UDP_CSUM, v.UDPCsum)
	linkPutBool(e, unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, v.UDPZeroCsum6Tx)
	linkPutBool(e, unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, v.UDPZeroCsum6Rx)
	linkPutBool(e, unix.IFLA_VXLAN_REMCSUM_TX, v.RemCsumTx)
	linkPutBool(e, unix.IFLA_VXLAN_REMCSUM_RX, v.RemCsumRx)
	if v.RemCsumNoPartial {
		e.Flag(unix.IFLA_VXLAN_REMCSUM_NOPARTIAL)
	}
	if v.GBP {
		e.Flag(unix.IFLA_VXLAN_GBP)
	}
	if v.GPE {
		e.Flag(unix.IFLA_VXLAN_GPE)
	}
	linkPutBool(e, unix.IFLA_VXLAN_COLLECT_METADATA, v.External)
	linkPutBool(e, iflaVxlanVNIFilter, v.VNIFilter)
	linkPutBool(e, iflaVxlanLocalBypass, v.LocalBypass)
}

func (v *VxlanInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_VXLAN_ID:
			v.ID = linkU32(s, &d)
		case unix.IFLA_VXLAN_GROUP, unix.IFLA_VXLAN_GROUP6:
			v.Group = d.Addr()
		case unix.IFLA_VXLAN_LOCAL, unix.IFLA_VXLAN_LOCAL6:
			v.Local = d.Addr()
		case unix.IFLA_VXLAN_LINK:
			v.LinkIndex = int(d.Uint32())
		case unix.IFLA_VXLAN_PORT:
			v.Port = s.u16Ptr(d.Uint16BE())
		case unix.IFLA_VXLAN_PORT_RANGE:
			var r [4]byte
			d.Struct(r[:])
			v.PortRange = s.newVxlanPortRange()
			*v.PortRange = VxlanPortRange{Low: binary.BigEndian.Uint16(r[:]), High: binary.BigEndian.Uint16(r[2:])}
		case unix.IFLA_VXLAN_TTL:
			v.TTL = linkU8(s, &d)
		case unix.IFLA_VXLAN_TTL_INHERIT:
			v.TTLInherit = d.Len() == 0 || d.Uint8() != 0
		case unix.IFLA_VXLAN_TOS:
			v.TOS = linkU8(s, &d)
		case unix.IFLA_VXLAN_DF:
			v.DF = (*VxlanDF)(s.u8Ptr(d.Uint8()))
		case unix.IFLA_VXLAN_LABEL:
			v.Label = s.u32Ptr(d.Uint32BE())
		case iflaVxlanLabelPolicy:
			v.LabelPolicy = linkU32(s, &d)
		case unix.IFLA_VXLAN_LEARNING:
			v.Learning = linkBool(s, &d)
		case unix.IFLA_VXLAN_PROXY:
			v.Proxy = linkBool(s, &d)
		case unix.IFLA_VXLAN_RSC:
			v.RSC = linkBool(s, &d)
		case unix.IFLA_VXLAN_L2MISS:
			v.L2Miss = linkBool(s, &d)
		case unix.IFLA_VXLAN_L3MISS:
			v.L3Miss = linkBool(s, &d)
		case unix.IFLA_VXLAN_AGEING:
			v.Ageing = linkU32(s, &d)
		case unix.IFLA_VXLAN_LIMIT:
			v.Limit = linkU32(s, &d)
		case unix.IFLA_VXLAN_UDP_CSUM:
			v.UDPCsum = linkBool(s, &d)
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX:
			v.UDPZeroCsum6Tx = linkBool(s, &d)
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX:
			v.UDPZeroCsum6Rx = linkBool(s, &d)
		case unix.IFLA_VXLAN_REMCSUM_TX:
			v.RemCsumTx = linkBool(s, &d)
		case unix.IFLA_VXLAN_REMCSUM_RX:
			v.RemCsumRx = linkBool(s, &d)
		case unix.IFLA_VXLAN_REMCSUM_NOPARTIAL:
			v.RemCsumNoPartial = true
		case unix.IFLA_VXLAN_GBP:
			v.GBP = true
		case unix.IFLA_VXLAN_GPE:
			v.GPE = true
		case unix.IFLA_VXLAN_COLLECT_METADATA:
			v.External = linkBool(s, &d)
		case iflaVxlanVNIFilter:
			v.VNIFilter = linkBool(s, &d)
		case iflaVxlanLocalBypass:
			v.LocalBypass = linkBool(s, &d)
		}
	}
	return d.Err()
}

// Helpers for the optional attributes of link kinds: a nil pointer is an
// attribute not sent, or not received.

// The optional attributes of link kinds, as pointers from s.

func linkU8(s *store, d *nl.AttrDecoder) *uint8 { return s.u8Ptr(d.Uint8()) }

func linkU16(s *store, d *nl.AttrDecoder) *uint16 { return s.u16Ptr(d.Uint16()) }

func linkU32(s *store, d *nl.AttrDecoder) *uint32 { return s.u32Ptr(d.Uint32()) }

func linkU64(s *store, d *nl.AttrDecoder) *uint64 { return s.u64Ptr(d.Uint64()) }

func linkBool(s *store, d *nl.AttrDecoder) *bool { return s.boolPtr(d.Uint8() != 0) }

func linkPutU8(e *nl.Encoder, t uint16, p *uint8) {
	if p != nil {
		e.Uint8(t, *p)
	}
}

func linkPutU16(e *nl.Encoder, t uint16, p *uint16) {
	if p != nil {
		e.Uint16(t, *p)
	}
}

func linkPutU32(e *nl.Encoder, t uint16, p *uint32) {
	if p != nil {
		e.Uint32(t, *p)
	}
}

func linkPutU64(e *nl.Encoder, t uint16, p *uint64) {
	if p != nil {
		e.Uint64(t, *p)
	}
}

func linkPutBool(e *nl.Encoder, t uint16, p *bool) {
	if p != nil {
		e.Uint8(t, linkBoolByte(*p))
	}
}

func linkBoolByte(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

var (
	_ LinkData = RawLinkData(nil)
	_ LinkData = (*VethInfo)(nil)
	_ LinkData = (*BridgeInfo)(nil)
	_ LinkData = (*BridgePortInfo)(nil)
	_ LinkData = (*MacvlanInfo)(nil)
	_ LinkData = (*VxlanInfo)(nil)
)
