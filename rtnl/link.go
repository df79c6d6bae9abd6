package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Link is a network interface (struct ifinfomsg and its IFLA_*
// attributes).
//
// Listing fills every field the kernel reports. Adding a link (AddLink)
// sends the fields that are set, a zero field meaning "the kernel's
// default": Name, Index (the index to give the new link), Flags (LinkUp
// creates it up), MTU, TxQueueLen, HardwareAddr, Broadcast, Group,
// MasterIndex, ParentIndex and LinkNetNSID, NumTxQueues, NumRxQueues, the
// GSO and GRO limits, AddrGenMode, NetNS or NetNSPID (to create the link in
// another namespace) and Info, whose kind is required (Info.Kind, or Data
// that implies it: a *BridgeInfo is a bridge). The other fields are
// reported by the kernel and ignored when sent.
type Link struct {
	// Index is the interface index (ifi_index).
	Index int
	// Name is the interface name (IFLA_IFNAME).
	Name string
	// Type is the hardware type (ifi_type), such as LinkTypeEther.
	Type LinkType
	// Flags are the interface flags (ifi_flags), such as LinkUp.
	Flags LinkFlags

	MTU    uint32 // IFLA_MTU
	MinMTU uint32 // IFLA_MIN_MTU
	MaxMTU uint32 // IFLA_MAX_MTU
	// TxQueueLen is the length of the transmit queue (IFLA_TXQLEN).
	TxQueueLen uint32
	// OperState is the operational state (IFLA_OPERSTATE).
	OperState OperState
	// LinkMode is the link mode (IFLA_LINKMODE).
	LinkMode LinkMode
	// Qdisc names the root queueing discipline (IFLA_QDISC).
	Qdisc string
	// Group is the interface group (IFLA_GROUP); 0 is "default".
	Group uint32
	// HardwareAddr is the link-layer address (IFLA_ADDRESS).
	HardwareAddr net.HardwareAddr
	// Broadcast is the link-layer broadcast address (IFLA_BROADCAST).
	Broadcast net.HardwareAddr
	// PermHardwareAddr is the permanent hardware address of a physical
	// device (IFLA_PERM_ADDRESS).
	PermHardwareAddr net.HardwareAddr
	// Alias is the interface's description (IFLA_IFALIAS).
	Alias string
	// AltNames are the alternative names (IFLA_PROP_LIST/IFLA_ALT_IFNAME).
	AltNames []string

	// MasterIndex is the index of the link's master, such as a bridge it
	// is a port of (IFLA_MASTER); 0 if none.
	MasterIndex int
	// ParentIndex is the index of the link this one is stacked on or
	// paired with (IFLA_LINK): a veth's peer, a macvlan's lower device.
	// 0 if none.
	ParentIndex int
	// LinkNetNSID, if not nil, is the id (in this namespace) of the
	// namespace where ParentIndex lives (IFLA_LINK_NETNSID); nil when it
	// is this namespace.
	LinkNetNSID *int

	// Promiscuity and AllMulti count the users of promiscuous and
	// all-multicast mode (IFLA_PROMISCUITY, IFLA_ALLMULTI).
	Promiscuity uint32
	AllMulti    uint32
	// NumTxQueues and NumRxQueues are the numbers of queues
	// (IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES).
	NumTxQueues uint32
	NumRxQueues uint32
	// The segmentation offload limits (IFLA_GSO_MAX_SIZE, ...).
	GSOMaxSize     uint32
	GSOMaxSegs     uint32
	GROMaxSize     uint32
	TSOMaxSize     uint32
	TSOMaxSegs     uint32
	GSOIPv4MaxSize uint32
	GROIPv4MaxSize uint32

	// Carrier tells whether the link has a carrier (IFLA_CARRIER).
	Carrier bool
	// CarrierChanges counts carrier changes (IFLA_CARRIER_CHANGES), as
	// CarrierUpCount and CarrierDownCount count them in each direction.
	CarrierChanges   uint32
	CarrierUpCount   uint32
	CarrierDownCount uint32
	// ProtoDown tells whether the link was set down by a protocol, such
	// as a failover daemon (IFLA_PROTO_DOWN).
	ProtoDown bool
	// AddrGenMode is how IPv6 link-local addresses are generated
	// (IFLA_AF_SPEC/AF_INET6/IFLA_INET6_ADDR_GEN_MODE); AddrGenUnset when
	// the kernel does not say (IPv6 disabled).
	AddrGenMode AddrGenMode
	// ParentDevName and ParentDevBus name the device a physical link
	// belongs to, and its bus (IFLA_PARENT_DEV_NAME,
	// IFLA_PARENT_DEV_BUS_NAME).
	ParentDevName string
	ParentDevBus  string

	// Stats are the 64-bit statistics (IFLA_STATS64); nil when the kernel
	// did not send them.
	Stats *LinkStats

	// NumVF is the number of SR-IOV virtual functions (IFLA_NUM_VF), and
	// VFs describes them (IFLA_VFINFO_LIST). The kernel reports them only
	// when asked (LinkFilter.VFs).
	NumVF uint32
	VFs   []VFInfo

	// Info is the link's kind and the kind-specific attributes
	// (IFLA_LINKINFO).
	Info LinkInfo

	// NetNS, when adding a link, creates it in that namespace instead
	// (IFLA_NET_NS_FD); NetNSPID does the same with the namespace of a
	// process (IFLA_NET_NS_PID). Neither is ever filled by listing.
	NetNS    *netns.NS
	NetNSPID int

	// Explicit names the fields that adding the link (and Change) sends
	// even when they are zero: a zero MTU, TxQueueLen, NumTxQueues,
	// NumRxQueues, GSOMaxSize, GSOMaxSegs or GROMaxSize is otherwise left
	// out, for the kernel's default (iproute2 sends "txqueuelen 0" or
	// "gro_max_size 0" as given; the kernel refuses some zeros, such as an
	// MTU of 0). LinkMode and OperState, which listings fill, are sent
	// only when named here.
	//
	// A link decoded from the kernel has those of AllMulti, GSOMaxSize,
	// GSOMaxSegs, GROMaxSize, TSOMaxSize and TSOMaxSegs in Explicit that
	// the kernel sent as zero, so that a zero sent is told from an
	// attribute older kernels do not send (as ip prints only what was
	// sent). AllMulti, TSOMaxSize and TSOMaxSegs are reported only: naming
	// them sends nothing.
	Explicit LinkFields
}

// LinkFields names fields of a Link or a LinkChange, in their Explicit.
type LinkFields uint32

// The fields Explicit may name.
const (
	LinkFieldMTU LinkFields = 1 << iota
	LinkFieldTxQueueLen
	LinkFieldNumTxQueues
	LinkFieldNumRxQueues
	LinkFieldGSOMaxSize
	LinkFieldGSOMaxSegs
	LinkFieldGROMaxSize
	LinkFieldLinkMode
	LinkFieldOperState
	LinkFieldAllMulti
	LinkFieldTSOMaxSize
	LinkFieldTSOMaxSegs
)

// linkFieldsReported are the fields of Explicit that only listings set:
// they are never sent.
const linkFieldsReported = LinkFieldAllMulti | LinkFieldTSOMaxSize | LinkFieldTSOMaxSegs

// explicitZero names f in l.Explicit when the kernel sent v as zero.
func (l *Link) explicitZero(f LinkFields, v uint32) uint32 {
	if v == 0 {
		l.Explicit |= f
	}
	return v
}

// A LinkStats holds a link's 64-bit counters (struct rtnl_link_stats64).
type LinkStats struct {
	RxPackets, TxPackets uint64
	RxBytes, TxBytes     uint64
	RxErrors, TxErrors   uint64
	RxDropped, TxDropped uint64
	Multicast            uint64
	Collisions           uint64

	RxLengthErrors uint64
	RxOverErrors   uint64
	RxCRCErrors    uint64
	RxFrameErrors  uint64
	RxFIFOErrors   uint64
	RxMissedErrors uint64

	TxAbortedErrors   uint64
	TxCarrierErrors   uint64
	TxFIFOErrors      uint64
	TxHeartbeatErrors uint64
	TxWindowErrors    uint64

	RxCompressed uint64
	TxCompressed uint64

	RxNoHandler        uint64
	RxOtherhostDropped uint64
}

// sizeofLinkStats64 is the size of struct rtnl_link_stats64 as decoded.
const sizeofLinkStats64 = 25 * 8

func (s *LinkStats) decode(b []byte) {
	var buf [sizeofLinkStats64]byte
	nl.CopyStruct(buf[:], b)
	f := [...]*uint64{
		&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors, &s.TxErrors,
		&s.RxDropped, &s.TxDropped, &s.Multicast, &s.Collisions,
		&s.RxLengthErrors, &s.RxOverErrors, &s.RxCRCErrors, &s.RxFrameErrors,
		&s.RxFIFOErrors, &s.RxMissedErrors,
		&s.TxAbortedErrors, &s.TxCarrierErrors, &s.TxFIFOErrors, &s.TxHeartbeatErrors, &s.TxWindowErrors,
		&s.RxCompressed, &s.TxCompressed, &s.RxNoHandler, &s.RxOtherhostDropped,
	}
	for i, p := range f {
		*p = binary.NativeEndian.Uint64(buf[i*8:])
	}
}

// A VFInfo describes one SR-IOV virtual function of a link
// (IFLA_VFINFO_LIST/IFLA_VF_INFO).
type VFInfo struct {
	// ID is the VF's number on its physical function; MAC its address.
	ID  int
	MAC net.HardwareAddr
	// VLAN and QoS are the VLAN id and priority the VF's traffic is
	// tagged with.
	VLAN, QoS uint32
	// TxRate is the legacy maximum rate; MinTxRate and MaxTxRate are the
	// rate limits, in Mbit/s.
	TxRate, MinTxRate, MaxTxRate uint32
	SpoofCheck                   bool
	Trust                        bool
	// LinkState is 0 for auto, 1 for enable, 2 for disable.
	LinkState uint32
}

// LinkFlags are the interface flags (ifi_flags, IFF_*).
type LinkFlags uint32

// The interface flags.
const (
	LinkUp           LinkFlags = unix.IFF_UP
	LinkBroadcast    LinkFlags = unix.IFF_BROADCAST
	LinkDebug        LinkFlags = unix.IFF_DEBUG
	LinkLoopback     LinkFlags = unix.IFF_LOOPBACK
	LinkPointToPoint LinkFlags = unix.IFF_POINTOPOINT
	LinkNoTrailers   LinkFlags = unix.IFF_NOTRAILERS
	LinkRunning      LinkFlags = unix.IFF_RUNNING
	LinkNoARP        LinkFlags = unix.IFF_NOARP
	LinkPromisc      LinkFlags = unix.IFF_PROMISC
	LinkAllMulti     LinkFlags = unix.IFF_ALLMULTI
	LinkMaster       LinkFlags = unix.IFF_MASTER
	LinkSlave        LinkFlags = unix.IFF_SLAVE
	LinkMulticast    LinkFlags = unix.IFF_MULTICAST
	LinkPortSel      LinkFlags = unix.IFF_PORTSEL
	LinkAutoMedia    LinkFlags = unix.IFF_AUTOMEDIA
	LinkDynamic      LinkFlags = unix.IFF_DYNAMIC
	LinkLowerUp      LinkFlags = unix.IFF_LOWER_UP
	LinkDormant      LinkFlags = unix.IFF_DORMANT
	LinkEcho         LinkFlags = unix.IFF_ECHO
)

// linkFlagNames are the flags in the order iproute2 prints them.
var linkFlagNames = [...]struct {
	f    LinkFlags
	name string
}{
	{LinkLoopback, "LOOPBACK"}, {LinkBroadcast, "BROADCAST"}, {LinkPointToPoint, "POINTOPOINT"},
	{LinkMulticast, "MULTICAST"}, {LinkNoARP, "NOARP"}, {LinkAllMulti, "ALLMULTI"},
	{LinkPromisc, "PROMISC"}, {LinkMaster, "MASTER"}, {LinkSlave, "SLAVE"},
	{LinkDebug, "DEBUG"}, {LinkDynamic, "DYNAMIC"}, {LinkAutoMedia, "AUTOMEDIA"},
	{LinkPortSel, "PORTSEL"}, {LinkNoTrailers, "NOTRAILERS"}, {LinkUp, "UP"},
	{LinkLowerUp, "LOWER_UP"}, {LinkDormant, "DORMANT"}, {LinkEcho, "ECHO"},
	{LinkRunning, "RUNNING"},
}

// Names returns the flags as iproute2 names them, in its order (LOOPBACK,
// BROADCAST, ..., UP, LOWER_UP, ...), with RUNNING last and any unknown
// bits as one hexadecimal number. iproute2 itself leaves RUNNING out of its
// list (printing NO-CARRIER for a link that is UP but not RUNNING).
func (f LinkFlags) Names() []string {
	var names []string
	for _, n := range linkFlagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		names = append(names, "0x"+strconv.FormatUint(uint64(f), 16))
	}
	return names
}

// String returns the flags' names joined by commas, as in "UP,LOWER_UP".
func (f LinkFlags) String() string { return strings.Join(f.Names(), ",") }

// ParseLinkFlags reads flag names (as Names returns them, in any case)
// separated by commas.
func ParseLinkFlags(s string) (LinkFlags, error) {
	var f LinkFlags
	if s == "" {
		return 0, nil
	}
next:
	for _, w := range strings.Split(s, ",") {
		for _, n := range linkFlagNames {
			if strings.EqualFold(w, n.name) {
				f |= n.f
				continue next
			}
		}
		if v, err := strconv.ParseUint(w, 0, 32); err == nil {
			f |= LinkFlags(v)
			continue
		}
		return 0, fmt.Errorf("rtnl: invalid link flag %q", w)
	}
	return f, nil
}

// An OperState is a link's operational state (RFC 2863, IF_OPER_*).
type OperState uint8

// The operational states.
const (
	OperUnknown        OperState = 0
	OperNotPresent     OperState = 1
	OperDown           OperState = 2
	OperLowerLayerDown OperState = 3
	OperTesting        OperState = 4
	OperDormant        OperState = 5
	OperUp             OperState = 6
)

var operStateNames = map[uint32]string{
	0: "UNKNOWN", 1: "NOTPRESENT", 2: "DOWN", 3: "LOWERLAYERDOWN",
	4: "TESTING", 5: "DORMANT", 6: "UP",
}

// String returns the state as iproute2 names it (UNKNOWN, DOWN, UP, ...).
func (s OperState) String() string { return enumName(operStateNames, uint32(s)) }

// ParseOperState reads an operational state name or number.
func ParseOperState(s string) (OperState, error) {
	v, err := enumParse(operStateNames, s, "operational state", 255)
	return OperState(v), err
}

// A LinkMode is a link's mode (IFLA_LINKMODE, IF_LINK_MODE_*).
type LinkMode uint8

// The link modes.
const (
	LinkModeDefault LinkMode = 0
	LinkModeDormant LinkMode = 1
	LinkModeTesting LinkMode = 2
)

var linkModeNames = map[uint32]string{0: "DEFAULT", 1: "DORMANT", 2: "TESTING"}

// String returns the mode as iproute2 names it: DEFAULT, DORMANT, TESTING.
func (m LinkMode) String() string { return enumName(linkModeNames, uint32(m)) }

// ParseLinkMode reads a link mode name or number.
func ParseLinkMode(s string) (LinkMode, error) {
	v, err := enumParse(linkModeNames, s, "link mode", 255)
	return LinkMode(v), err
}

// A LinkType is a link's hardware type (ifi_type, ARPHRD_*).
type LinkType uint16

// Some hardware types.
const (
	LinkTypeEther      LinkType = unix.ARPHRD_ETHER
	LinkTypeLoopback   LinkType = unix.ARPHRD_LOOPBACK
	LinkTypeNone       LinkType = unix.ARPHRD_NONE
	LinkTypeVoid       LinkType = unix.ARPHRD_VOID
	LinkTypeIPIP       LinkType = unix.ARPHRD_TUNNEL
	LinkTypeSIT        LinkType = unix.ARPHRD_SIT
	LinkTypeGRE        LinkType = unix.ARPHRD_IPGRE
	LinkTypeIEEE80211  LinkType = unix.ARPHRD_IEEE80211
	LinkTypeInfiniband LinkType = unix.ARPHRD_INFINIBAND
	LinkTypePPP        LinkType = unix.ARPHRD_PPP
	LinkTypeCAN        LinkType = unix.ARPHRD_CAN
)

var linkTypeNames = map[uint32]string{
	0: "netrom", 1: "ether", 2: "eether", 3: "ax25", 4: "pronet", 5: "chaos",
	6: "ieee802", 7: "arcnet", 8: "atalk", 15: "dlci", 19: "atm", 23: "metricom",
	24: "ieee1394", 27: "eui64", 32: "infiniband", 256: "slip", 257: "cslip",
	258: "slip6", 259: "cslip6", 260: "rsrvd", 264: "adapt", 270: "rose",
	271: "x25", 272: "hwx25", 280: "can", 290: "mctp", 512: "ppp", 513: "hdlc",
	516: "lapb", 517: "ddcmp", 518: "rawhdlc", 519: "rawip", 768: "ipip",
	769: "tunnel6", 770: "frad", 771: "skip", 772: "loopback", 773: "ltalk",
	774: "fddi", 775: "bif", 776: "sit", 777: "ip/ddp", 778: "gre",
	779: "pimreg", 780: "hippi", 781: "ash", 782: "econet", 783: "irda",
	784: "fcpp", 785: "fcal", 786: "fcpl", 787: "fcfb0", 788: "fcfb1",
	789: "fcfb2", 790: "fcfb3", 791: "fcfb4", 792: "fcfb5", 793: "fcfb6",
	794: "fcfb7", 795: "fcfb8", 796: "fcfb9", 797: "fcfb10", 798: "fcfb11",
	799: "fcfb12", 800: "tr", 801: "ieee802.11", 802: "ieee802.11/prism",
	803: "ieee802.11/radiotap", 804: "ieee802.15.4", 805: "ieee802.15.4/monitor",
	820: "phonet", 821: "phonet_pipe", 822: "caif", 823: "gre6", 824: "netlink",
	825: "6lowpan", 826: "vsockmon", 0xfffe: "none", 0xffff: "void",
}

// String returns the type as iproute2 names it (ether, loopback, none,
// ...), or "[N]" for a type it does not name.
func (t LinkType) String() string {
	if n, ok := linkTypeNames[uint32(t)]; ok {
		return n
	}
	return "[" + strconv.Itoa(int(t)) + "]"
}

// ParseLinkType reads a hardware type name or number.
func ParseLinkType(s string) (LinkType, error) {
	v, err := enumParse(linkTypeNames, s, "link type", 0xffff)
	return LinkType(v), err
}

// An AddrGenMode is how the kernel generates a link's IPv6 link-local
// address. Its zero value, AddrGenUnset, means "not reported" in a listed
// link and "leave as is" in a request; the others stand for the kernel's
// IN6_ADDR_GEN_MODE_* values (which start at 0 with eui64).
type AddrGenMode uint8

// The address generation modes.
const (
	AddrGenUnset         AddrGenMode = iota
	AddrGenEUI64                     // IN6_ADDR_GEN_MODE_EUI64
	AddrGenNone                      // IN6_ADDR_GEN_MODE_NONE
	AddrGenStablePrivacy             // IN6_ADDR_GEN_MODE_STABLE_PRIVACY
	AddrGenRandom                    // IN6_ADDR_GEN_MODE_RANDOM
)

var addrGenNames = map[uint32]string{1: "eui64", 2: "none", 3: "stable_secret", 4: "random"}

// String returns the mode as iproute2 names it: eui64, none,
// stable_secret, random ("" for AddrGenUnset).
func (m AddrGenMode) String() string {
	if m == AddrGenUnset {
		return ""
	}
	if n, ok := addrGenNames[uint32(m)]; ok {
		return n
	}
	return "0x" + strconv.FormatUint(uint64(m-1), 16)
}

// ParseAddrGenMode reads a mode name: eui64, none, stable_secret, random.
func ParseAddrGenMode(s string) (AddrGenMode, error) {
	for v, n := range addrGenNames {
		if n == s {
			return AddrGenMode(v), nil
		}
	}
	return 0, fmt.Errorf("rtnl: invalid addrgenmode %q", s)
}

// Attribute numbers newer than some copies of the unix package.
const (
	iflaVethInfoPeer   = 1 // VETH_INFO_PEER
	iflaVFInfo         = 1 // IFLA_VF_INFO
	iflaVFMAC          = 1
	iflaVFVLAN         = 2
	iflaVFTxRate       = 3
	iflaVFSpoofCheck   = 4
	iflaVFLinkState    = 5
	iflaVFRate         = 6
	iflaVFTrust        = 9
	iflaVFInfoList     = 22 // IFLA_VFINFO_LIST
	iflaPropList       = 52 // IFLA_PROP_LIST
	iflaAltIfname      = 53 // IFLA_ALT_IFNAME
	iflaPermAddress    = 54
	iflaParentDevName  = 56
	iflaParentDevBus   = 57
	iflaGROMaxSize     = 58
	iflaTSOMaxSize     = 59
	iflaTSOMaxSegs     = 60
	iflaAllMulti       = 61
	iflaGSOIPv4MaxSize = 63
	iflaGROIPv4MaxSize = 64
	rtextFilterVF      = 1 // RTEXT_FILTER_VF
)

// ifinfomsgLen is the size of struct ifinfomsg.
const ifinfomsgLen = unix.SizeofIfInfomsg

// maxLinkDepth bounds how deep links nest in requests (a veth's peer is a
// link inside a link).
const maxLinkDepth = 2

// Decode fills l from a RTM_NEWLINK or RTM_DELLINK message, as a dump or an event
// delivers it: the same decoder serves listings, events and caches. l
// should be the zero Link; it does not alias m afterwards. Malformed
// input gives an error wrapping nl.ErrMalformed, never a panic.
func (l *Link) Decode(m nl.Message) error { return l.decode(m, nil) }

// decode is Decode with the memory l points to taken from s.
func (l *Link) decode(m nl.Message, s *store) error {
	if err := l.decodeBody(m.Data, 0, s); err != nil {
		return fmt.Errorf("rtnl: link: %w", err)
	}
	return nil
}

// decodeBody fills l from an ifinfomsg and the attributes after it.
func (l *Link) decodeBody(b []byte, depth int, s *store) error {
	if len(b) < ifinfomsgLen {
		return fmt.Errorf("message of %d bytes, shorter than ifinfomsg: %w", len(b), nl.ErrMalformed)
	}
	l.Type = LinkType(binary.NativeEndian.Uint16(b[2:4]))
	l.Index = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	l.Flags = LinkFlags(binary.NativeEndian.Uint32(b[8:12]))
	d := nl.NewAttrDecoder(b[ifinfomsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			l.Name = s.cstring(d.Bytes())
		case unix.IFLA_ADDRESS:
			l.HardwareAddr = s.hwaddr(d.Bytes())
		case unix.IFLA_BROADCAST:
			l.Broadcast = s.hwaddr(d.Bytes())
		case iflaPermAddress:
			l.PermHardwareAddr = s.hwaddr(d.Bytes())
		case unix.IFLA_MTU:
			l.MTU = d.Uint32()
		case unix.IFLA_MIN_MTU:
			l.MinMTU = d.Uint32()
		case unix.IFLA_MAX_MTU:
			l.MaxMTU = d.Uint32()
		case unix.IFLA_TXQLEN:
			l.TxQueueLen = d.Uint32()
		case unix.IFLA_OPERSTATE:
			l.OperState = OperState(d.Uint8())
		case unix.IFLA_LINKMODE:
			l.LinkMode = LinkMode(d.Uint8())
		case unix.IFLA_QDISC:
			l.Qdisc = s.intern(d.Bytes())
		case unix.IFLA_GROUP:
			l.Group = d.Uint32()
		case unix.IFLA_IFALIAS:
			l.Alias = s.cstring(d.Bytes())
		case iflaPropList:
			p := d.Nested()
			for p.Next() {
				if p.Type() == iflaAltIfname {
					l.AltNames = s.appendString(l.AltNames, s.cstring(p.Bytes()))
				}
			}
			l.AltNames = slices.Clip(l.AltNames) // appending copies
			if err := p.Err(); err != nil {
				d.Fail(err)
			}
		case unix.IFLA_MASTER:
			l.MasterIndex = int(d.Uint32())
		case unix.IFLA_LINK:
			l.ParentIndex = int(d.Uint32())
		case unix.IFLA_LINK_NETNSID:
			l.LinkNetNSID = s.intPtr(int(d.Int32()))
		case unix.IFLA_PROMISCUITY:
			l.Promiscuity = d.Uint32()
		case iflaAllMulti:
			l.AllMulti = l.explicitZero(LinkFieldAllMulti, d.Uint32())
		case unix.IFLA_NUM_TX_QUEUES:
			l.NumTxQueues = d.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			l.NumRxQueues = d.Uint32()
		case unix.IFLA_GSO_MAX_SIZE:
			l.GSOMaxSize = l.explicitZero(LinkFieldGSOMaxSize, d.Uint32())
		case unix.IFLA_GSO_MAX_SEGS:
			l.GSOMaxSegs = l.explicitZero(LinkFieldGSOMaxSegs, d.Uint32())
		case iflaGROMaxSize:
			l.GROMaxSize = l.explicitZero(LinkFieldGROMaxSize, d.Uint32())
		case iflaTSOMaxSize:
			l.TSOMaxSize = l.explicitZero(LinkFieldTSOMaxSize, d.Uint32())
		case iflaTSOMaxSegs:
			l.TSOMaxSegs = l.explicitZero(LinkFieldTSOMaxSegs, d.Uint32())
		case iflaGSOIPv4MaxSize:
			l.GSOIPv4MaxSize = d.Uint32()
		case iflaGROIPv4MaxSize:
			l.GROIPv4MaxSize = d.Uint32()
		case unix.IFLA_CARRIER:
			l.Carrier = d.Uint8() != 0
		case unix.IFLA_CARRIER_CHANGES:
			l.CarrierChanges = d.Uint32()
		case unix.IFLA_CARRIER_UP_COUNT:
			l.CarrierUpCount = d.Uint32()
		case unix.IFLA_CARRIER_DOWN_COUNT:
			l.CarrierDownCount = d.Uint32()
		case unix.IFLA_PROTO_DOWN:
			l.ProtoDown = d.Uint8() != 0
		case iflaParentDevName:
			l.ParentDevName = s.cstring(d.Bytes())
		case iflaParentDevBus:
			l.ParentDevBus = s.intern(d.Bytes())
		case unix.IFLA_AF_SPEC:
			l.AddrGenMode = decodeAddrGenMode(d.Nested(), &d)
		case unix.IFLA_STATS64:
			l.Stats = s.newLinkStats()
			l.Stats.decode(d.Bytes())
		case unix.IFLA_NUM_VF:
			l.NumVF = d.Uint32()
		case iflaVFInfoList:
			vfs, err := decodeVFs(d.Nested(), len(l.HardwareAddr), s)
			if err != nil {
				d.Fail(err)
			}
			l.VFs = vfs
		case unix.IFLA_LINKINFO:
			if err := l.Info.decode(d.Nested(), depth, s); err != nil {
				d.Fail(err)
			}
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if l.Info.Kind == "veth" { // the kernel lists a veth's peer as its parent
		v, ok := l.Info.Data.(*VethInfo)
		if !ok && l.Info.Data == nil {
			v, ok = s.newVethInfo(), true
			l.Info.Data = v
		}
		if ok {
			v.PeerIndex, v.PeerNetNSID = l.ParentIndex, l.LinkNetNSID
		}
	}
	return nil
}

// decodeAddrGenMode finds the IPv6 address generation mode in
// IFLA_AF_SPEC; errors go to outer.
func decodeAddrGenMode(af nl.AttrDecoder, outer *nl.AttrDecoder) AddrGenMode {
	var mode AddrGenMode
	for af.Next() {
		if af.Type() != unix.AF_INET6 {
			continue
		}
		in6 := af.Nested()
		for in6.Next() {
			if in6.Type() == unix.IFLA_INET6_ADDR_GEN_MODE {
				mode = AddrGenMode(in6.Uint8() + 1)
			}
		}
		if err := in6.Err(); err != nil {
			outer.Fail(err)
			return 0
		}
	}
	if err := af.Err(); err != nil {
		outer.Fail(err)
		return 0
	}
	return mode
}

// decodeVFs decodes IFLA_VFINFO_LIST; macLen is the link's address
// length (the kernel pads VF addresses to 32 bytes).
func decodeVFs(d nl.AttrDecoder, macLen int, s *store) ([]VFInfo, error) {
	if macLen <= 0 || macLen > 32 {
		macLen = 6
	}
	n := 0
	for c := d; c.Next(); {
		if c.Type() == iflaVFInfo {
			n++
		}
	}
	var vfs []VFInfo
	if n > 0 {
		vfs = s.makeVFs(n)[:0]
	}
	for d.Next() {
		if d.Type() != iflaVFInfo {
			continue
		}
		var vf VFInfo
		a := d.Nested()
		var buf [36]byte
		for a.Next() {
			clear(buf[:])
			a.Struct(buf[:])
			u := func(i int) uint32 { return binary.NativeEndian.Uint32(buf[i*4:]) }
			switch a.Type() {
			case iflaVFMAC:
				vf.ID = int(u(0))
				vf.MAC = s.hwaddr(buf[4 : 4+macLen])
			case iflaVFVLAN:
				vf.VLAN, vf.QoS = u(1), u(2)
			case iflaVFTxRate:
				vf.TxRate = u(1)
			case iflaVFRate:
				vf.MinTxRate, vf.MaxTxRate = u(1), u(2)
			case iflaVFSpoofCheck:
				vf.SpoofCheck = u(1) == 1
			case iflaVFTrust:
				vf.Trust = u(1) == 1
			case iflaVFLinkState:
				vf.LinkState = u(1)
			}
		}
		if err := a.Err(); err != nil {
			return vfs, err
		}
		vfs = append(vfs, vf)
	}
	return vfs, d.Err()
}

// validLinkName reports a name the kernel would refuse before sending it.
func validLinkName(field, name string) error {
	if len(name) >= unix.IFNAMSIZ {
		return fmt.Errorf("rtnl: link %s %q is longer than %d bytes", field, name, unix.IFNAMSIZ-1)
	}
	if strings.ContainsAny(name, "/: \t\n") || name == "." || name == ".." {
		return fmt.Errorf("rtnl: invalid link %s %q", field, name)
	}
	return nil
}

// validateCreate checks a link to be created (or a veth peer).
func (l *Link) validateCreate(depth int) error {
	if l.Name != "" {
		if err := validLinkName("name", l.Name); err != nil {
			return err
		}
	}
	if l.Index < 0 {
		return fmt.Errorf("rtnl: invalid link index %d", l.Index)
	}
	if l.NetNS != nil && l.NetNSPID != 0 {
		return errors.New("rtnl: link has both NetNS and NetNSPID")
	}
	if depth > 0 {
		if l.Info.Kind != "" || l.Info.Data != nil || l.Info.SlaveData != nil {
			return errors.New("rtnl: a veth peer cannot have its own kind (Info)")
		}
		return nil
	}
	if l.Info.kind() == "" {
		return errors.New("rtnl: add link: no kind (Info.Kind, such as \"veth\" or \"bridge\")")
	}
	return l.Info.validate(depth)
}

// encodeLink appends the request that applies v to l: Add and Replace
// create it (Replace creates it if missing; the kernel refuses to replace
// an existing link), Change sets its non-zero fields (see
// Handle.ChangeLink), Delete deletes it (by Index, else by Name).
func encodeLink(e *nl.Encoder, v Verb, l *Link) error {
	if l == nil {
		return errors.New("rtnl: nil link")
	}
	switch v {
	case Add, Replace:
		if err := l.validateCreate(0); err != nil {
			return err
		}
		e.Begin(unix.RTM_NEWLINK, v.flags())
		l.encodeBody(e, true)
		return e.End()
	case Change:
		c, err := l.change()
		if err != nil {
			return err
		}
		return encodeLinkChange(e, l, c)
	case Delete:
		if _, err := linkTarget("delete link", l); err != nil {
			return err
		}
		e.Begin(unix.RTM_DELLINK, v.flags())
		putIfinfomsg(e.Fixed(ifinfomsgLen), max(l.Index, 0), 0, 0)
		if l.Index <= 0 {
			e.String(unix.IFLA_IFNAME, l.Name)
		}
		return e.End()
	}
	return errVerb(v, "link")
}

func putIfinfomsg(b []byte, index int, flags, change LinkFlags) {
	binary.NativeEndian.PutUint32(b[4:], uint32(index))
	binary.NativeEndian.PutUint32(b[8:], uint32(flags))
	binary.NativeEndian.PutUint32(b[12:], uint32(change))
}

// encodeBody appends the ifinfomsg and the attributes of a link to create
// (top is false for a veth peer, inside VETH_INFO_PEER).
func (l *Link) encodeBody(e *nl.Encoder, top bool) {
	putIfinfomsg(e.Fixed(ifinfomsgLen), l.Index, l.Flags, l.Flags)
	if l.Name != "" {
		e.String(unix.IFLA_IFNAME, l.Name)
	}
	x := l.Explicit
	if l.MTU != 0 || x&LinkFieldMTU != 0 {
		e.Uint32(unix.IFLA_MTU, l.MTU)
	}
	if l.TxQueueLen != 0 || x&LinkFieldTxQueueLen != 0 {
		e.Uint32(unix.IFLA_TXQLEN, l.TxQueueLen)
	}
	if x&LinkFieldLinkMode != 0 {
		e.Uint8(unix.IFLA_LINKMODE, uint8(l.LinkMode))
	}
	if x&LinkFieldOperState != 0 {
		e.Uint8(unix.IFLA_OPERSTATE, uint8(l.OperState))
	}
	if len(l.HardwareAddr) > 0 {
		e.Attr(unix.IFLA_ADDRESS, l.HardwareAddr)
	}
	if len(l.Broadcast) > 0 {
		e.Attr(unix.IFLA_BROADCAST, l.Broadcast)
	}
	if l.Group != 0 {
		e.Uint32(unix.IFLA_GROUP, l.Group)
	}
	if l.MasterIndex != 0 {
		e.Uint32(unix.IFLA_MASTER, uint32(l.MasterIndex))
	}
	if l.ParentIndex != 0 {
		e.Uint32(unix.IFLA_LINK, uint32(l.ParentIndex))
	}
	if l.LinkNetNSID != nil {
		e.Int32(unix.IFLA_LINK_NETNSID, int32(*l.LinkNetNSID))
	}
	if l.NumTxQueues != 0 || x&LinkFieldNumTxQueues != 0 {
		e.Uint32(unix.IFLA_NUM_TX_QUEUES, l.NumTxQueues)
	}
	if l.NumRxQueues != 0 || x&LinkFieldNumRxQueues != 0 {
		e.Uint32(unix.IFLA_NUM_RX_QUEUES, l.NumRxQueues)
	}
	if l.GSOMaxSize != 0 || x&LinkFieldGSOMaxSize != 0 {
		e.Uint32(unix.IFLA_GSO_MAX_SIZE, l.GSOMaxSize)
	}
	if l.GSOMaxSegs != 0 || x&LinkFieldGSOMaxSegs != 0 {
		e.Uint32(unix.IFLA_GSO_MAX_SEGS, l.GSOMaxSegs)
	}
	if l.GROMaxSize != 0 || x&LinkFieldGROMaxSize != 0 {
		e.Uint32(iflaGROMaxSize, l.GROMaxSize)
	}
	encodeNetNS(e, l.NetNS, l.NetNSPID)
	encodeAddrGenMode(e, l.AddrGenMode)
	if top {
		l.Info.encode(e)
	}
}

func encodeNetNS(e *nl.Encoder, ns *netns.NS, pid int) {
	switch {
	case ns != nil:
		e.Uint32(unix.IFLA_NET_NS_FD, uint32(ns.FD()))
	case pid != 0:
		e.Uint32(unix.IFLA_NET_NS_PID, uint32(pid))
	}
}

func encodeAddrGenMode(e *nl.Encoder, m AddrGenMode) {
	if m == AddrGenUnset {
		return
	}
	af := e.Nest(unix.IFLA_AF_SPEC)
	in6 := e.Nest(unix.AF_INET6)
	e.Uint8(unix.IFLA_INET6_ADDR_GEN_MODE, uint8(m-1))
	e.EndNest(in6)
	e.EndNest(af)
}

// A LinkChange is a set of changes to an existing link, for SetLink: every
// field left at its zero value (nil, "", 0) is left unchanged, but the
// numbers Explicit names.
type LinkChange struct {
	// Flags and FlagMask change the interface flags: the bits set in
	// FlagMask take their value from Flags. {Flags: LinkUp, FlagMask:
	// LinkUp} brings the link up, {FlagMask: LinkUp} takes it down.
	Flags    LinkFlags
	FlagMask LinkFlags
	// Name renames the link.
	Name string
	// MTU sets the MTU.
	MTU uint32
	// TxQueueLen sets the transmit queue length.
	TxQueueLen *uint32
	// HardwareAddr and Broadcast set the link-layer addresses.
	HardwareAddr net.HardwareAddr
	Broadcast    net.HardwareAddr
	// Alias sets the description; a pointer to "" removes it.
	Alias *string
	// MasterIndex makes the link a port of the link with that index (a
	// bridge, a bond); a pointer to 0 releases it ("nomaster").
	MasterIndex *int
	// Group moves the link to an interface group.
	Group *uint32
	// NetNS moves the link to that namespace; NetNSPID moves it to the
	// namespace of a process.
	NetNS    *netns.NS
	NetNSPID int
	// AddrGenMode sets how IPv6 link-local addresses are generated.
	AddrGenMode AddrGenMode
	// ProtoDown sets or clears the protocol-down state.
	ProtoDown *bool
	// Carrier sets the carrier of devices that allow it.
	Carrier *bool
	// The segmentation offload limits.
	GSOMaxSize, GSOMaxSegs, GROMaxSize uint32
	// LinkMode sets the link mode (IFLA_LINKMODE: DORMANT lets a
	// user-space supplicant hold the link dormant), OperState the
	// operational state (IFLA_OPERSTATE).
	LinkMode  LinkMode
	OperState OperState
	// Explicit names the fields of MTU, GSOMaxSize, GSOMaxSegs,
	// GROMaxSize, LinkMode and OperState to set even when zero (a zero
	// one is otherwise left unchanged); TxQueueLen is a pointer instead.
	Explicit LinkFields
	// Info changes kind-specific settings (such as a bridge's STP state,
	// with Info.Data a *BridgeInfo) or the link's settings as a port (such as
	// its bridge port cost, with Info.SlaveData a *BridgePortInfo). Kinds
	// accept only some of their attributes after creation.
	Info *LinkInfo
}

// change returns the changes that set the non-zero fields of l (and those
// its Explicit names) on the existing link, for Change. The link is identified by l.Index, or if it
// is 0 by l.Name; with both, the link is renamed to l.Name.
func (l *Link) change() (*LinkChange, error) {
	if _, err := linkTarget("change link", l); err != nil {
		return nil, err
	}
	c := &LinkChange{
		Flags: l.Flags, FlagMask: l.Flags, MTU: l.MTU,
		HardwareAddr: l.HardwareAddr, Broadcast: l.Broadcast,
		NetNS: l.NetNS, NetNSPID: l.NetNSPID, AddrGenMode: l.AddrGenMode,
		GSOMaxSize: l.GSOMaxSize, GSOMaxSegs: l.GSOMaxSegs, GROMaxSize: l.GROMaxSize,
		Explicit: l.Explicit &^ (LinkFieldTxQueueLen | linkFieldsReported), // a pointer in a LinkChange; reported only
	}
	if l.Explicit&LinkFieldLinkMode != 0 { // listings fill them: only as asked
		c.LinkMode = l.LinkMode
	}
	if l.Explicit&LinkFieldOperState != 0 {
		c.OperState = l.OperState
	}
	if l.Index > 0 {
		c.Name = l.Name // a rename
	}
	if l.TxQueueLen != 0 || l.Explicit&LinkFieldTxQueueLen != 0 {
		c.TxQueueLen = &l.TxQueueLen
	}
	if l.Alias != "" {
		c.Alias = &l.Alias
	}
	if l.MasterIndex != 0 {
		c.MasterIndex = &l.MasterIndex
	}
	if l.Group != 0 {
		c.Group = &l.Group
	}
	if l.Info.kind() != "" || l.Info.SlaveKind != "" || l.Info.SlaveData != nil {
		c.Info = &l.Info
	}
	return c, nil
}

// linkTarget checks how a request names the existing link l, by l.Index,
// or by l.Name when the index is 0, and returns l.Index (0 when by name).
// op names the request in errors.
func linkTarget(op string, l *Link) (int, error) {
	switch {
	case l == nil:
		return 0, fmt.Errorf("rtnl: %s: nil link", op)
	case l.Index < 0:
		return 0, fmt.Errorf("rtnl: %s: invalid index %d", op, l.Index)
	case l.Index > 0:
		return l.Index, nil
	case l.Name == "":
		return 0, fmt.Errorf("rtnl: %s: the link has no Index or Name", op)
	}
	if err := validLinkName("name", l.Name); err != nil {
		return 0, fmt.Errorf("rtnl: %s: %w", op, err)
	}
	return 0, nil
}

// encodeLinkChange appends the RTM_NEWLINK request (without NLM_F_CREATE:
// iproute2's "ip link set") that applies c to the link l (named by its
// Index, or by its Name when the index is 0).
func encodeLinkChange(e *nl.Encoder, l *Link, c *LinkChange) error {
	if c == nil {
		return errors.New("rtnl: set link: nil LinkChange")
	}
	index, err := linkTarget("set link", l)
	if err != nil {
		return err
	}
	if c.Name != "" {
		if err := validLinkName("name", c.Name); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		bit  LinkFields
		name string
	}{{LinkFieldTxQueueLen, "LinkFieldTxQueueLen (LinkChange.TxQueueLen is a pointer)"},
		{LinkFieldNumTxQueues, "LinkFieldNumTxQueues (queues are counted at creation)"},
		{LinkFieldNumRxQueues, "LinkFieldNumRxQueues (queues are counted at creation)"}} {
		if c.Explicit&f.bit != 0 {
			return fmt.Errorf("rtnl: set link: a LinkChange's Explicit cannot name %s", f.name)
		}
	}
	if c.Alias != nil && len(*c.Alias) >= 256 {
		return errors.New("rtnl: link alias longer than 255 bytes")
	}
	if c.NetNS != nil && c.NetNSPID != 0 {
		return errors.New("rtnl: set link: both NetNS and NetNSPID")
	}
	if c.Flags&^c.FlagMask != 0 {
		return fmt.Errorf("rtnl: set link: Flags %s outside FlagMask", c.Flags&^c.FlagMask)
	}
	if c.Info != nil {
		if err := c.Info.validate(0); err != nil {
			return err
		}
	}
	e.Begin(unix.RTM_NEWLINK, nl.Flags(unix.NLM_F_ACK))
	putIfinfomsg(e.Fixed(ifinfomsgLen), index, c.Flags, c.FlagMask)
	switch {
	case index == 0 && c.Name != "" && c.Name != l.Name:
		// The kernel looks a link up by IFLA_IFNAME, which a rename
		// needs for the new name.
		return fmt.Errorf("rtnl: set link %s name %s: renaming needs the link's Index (Handle.SetLink looks it up)", l.Name, c.Name)
	case index == 0:
		e.String(unix.IFLA_IFNAME, l.Name)
	case c.Name != "":
		e.String(unix.IFLA_IFNAME, c.Name)
	}
	x := c.Explicit
	if c.MTU != 0 || x&LinkFieldMTU != 0 {
		e.Uint32(unix.IFLA_MTU, c.MTU)
	}
	if c.TxQueueLen != nil {
		e.Uint32(unix.IFLA_TXQLEN, *c.TxQueueLen)
	}
	if len(c.HardwareAddr) > 0 {
		e.Attr(unix.IFLA_ADDRESS, c.HardwareAddr)
	}
	if len(c.Broadcast) > 0 {
		e.Attr(unix.IFLA_BROADCAST, c.Broadcast)
	}
	if c.Alias != nil {
		e.Attr(unix.IFLA_IFALIAS, []byte(*c.Alias))
	}
	if c.MasterIndex != nil {
		e.Uint32(unix.IFLA_MASTER, uint32(*c.MasterIndex))
	}
	if c.Group != nil {
		e.Uint32(unix.IFLA_GROUP, *c.Group)
	}
	if c.ProtoDown != nil {
		e.Uint8(unix.IFLA_PROTO_DOWN, linkBoolByte(*c.ProtoDown))
	}
	if c.Carrier != nil {
		e.Uint8(unix.IFLA_CARRIER, linkBoolByte(*c.Carrier))
	}
	if c.GSOMaxSize != 0 || x&LinkFieldGSOMaxSize != 0 {
		e.Uint32(unix.IFLA_GSO_MAX_SIZE, c.GSOMaxSize)
	}
	if c.GSOMaxSegs != 0 || x&LinkFieldGSOMaxSegs != 0 {
		e.Uint32(unix.IFLA_GSO_MAX_SEGS, c.GSOMaxSegs)
	}
	if c.GROMaxSize != 0 || x&LinkFieldGROMaxSize != 0 {
		e.Uint32(iflaGROMaxSize, c.GROMaxSize)
	}
	if c.LinkMode != 0 || x&LinkFieldLinkMode != 0 {
		e.Uint8(unix.IFLA_LINKMODE, uint8(c.LinkMode))
	}
	if c.OperState != 0 || x&LinkFieldOperState != 0 {
		e.Uint8(unix.IFLA_OPERSTATE, uint8(c.OperState))
	}
	encodeNetNS(e, c.NetNS, c.NetNSPID)
	encodeAddrGenMode(e, c.AddrGenMode)
	if c.Info != nil {
		c.Info.encode(e)
	}
	return e.End()
}

// A LinkFilter selects links in a listing. Zero fields select everything;
// a nil *LinkFilter selects every link.
type LinkFilter struct {
	// Index or Name (or an alternative name) select one link, fetched
	// with a single request rather than a dump.
	Index int
	Name  string
	// Kind selects links of one kind, such as "bridge" (filtered by the
	// kernel when the kind's module is loaded, and always in user space).
	Kind string
	// MasterIndex selects the ports of one master (filtered by the
	// kernel). NoMaster selects links without a master.
	MasterIndex int
	NoMaster    bool
	// Up selects links that are up.
	Up bool
	// Group, if not nil, selects one interface group.
	Group *uint32
	// VFs asks the kernel to report SR-IOV virtual functions
	// (RTEXT_FILTER_VF), which makes its messages larger.
	VFs bool
}

func (f *LinkFilter) keep(l *Link) bool {
	if f == nil {
		return true
	}
	switch {
	case f.Index != 0 && l.Index != f.Index,
		f.Name != "" && l.Name != f.Name && !slices.Contains(l.AltNames, f.Name),
		f.Kind != "" && l.Info.Kind != f.Kind,
		f.MasterIndex != 0 && l.MasterIndex != f.MasterIndex,
		f.NoMaster && l.MasterIndex != 0,
		f.Up && l.Flags&LinkUp == 0,
		f.Group != nil && l.Group != *f.Group:
		return false
	}
	return true
}

func (f *LinkFilter) extMask() uint32 {
	if f != nil && f.VFs {
		return rtextFilterVF
	}
	return 0
}

// buildLinkDump encodes the dump request for f, with the filters the
// kernel applies under strict checking: the master and the kind.
func buildLinkDump(e *nl.Encoder, f *LinkFilter) {
	e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	e.Fixed(ifinfomsgLen)
	if m := f.extMask(); m != 0 {
		e.Uint32(unix.IFLA_EXT_MASK, m)
	}
	if f != nil && f.MasterIndex > 0 {
		e.Uint32(unix.IFLA_MASTER, uint32(f.MasterIndex))
	}
	if f != nil && f.Kind != "" {
		n := e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, f.Kind)
		e.EndNest(n)
	}
	e.End()
}

// Links lists links, decoding each from the receive buffer as it arrives.
// The *Link is reused: it is valid until the next iteration (copy it to
// keep it; what it points to is never reused). A filter with
// an Index or Name fetches that one link (none if it does not exist).
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListLinks retries it instead.
func (h *Handle) Links(ctx context.Context, f *LinkFilter) iter.Seq2[*Link, error] {
	if f != nil && (f.Index != 0 || f.Name != "") {
		return func(yield func(*Link, error) bool) {
			l, err := h.getLink(ctx, f.Index, f.Name, f.extMask())
			if errors.Is(err, os.ErrNotExist) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if f.keep(l) {
				yield(l, nil)
			}
		}
	}
	return dump(ctx, h, func(e *nl.Encoder) { buildLinkDump(e, f) }, unix.RTM_NEWLINK, (*Link).decode, f.keep)
}

// ListLinks returns the links the filter selects, fetching the dump again
// if the kernel reports it was interrupted by a change.
func (h *Handle) ListLinks(ctx context.Context, f *LinkFilter) ([]Link, error) {
	if f != nil && (f.Index != 0 || f.Name != "") {
		var out []Link
		for l, err := range h.Links(ctx, f) {
			if err != nil {
				return nil, err
			}
			out = append(out, *l)
		}
		return out, nil
	}
	return collect(ctx, h, func(e *nl.Encoder) { buildLinkDump(e, f) }, unix.RTM_NEWLINK, (*Link).decode, f.keep)
}

// LinkByIndex returns the link with the given index. For a missing link
// the error is an *nl.Error that matches os.ErrNotExist (ENODEV).
func (h *Handle) LinkByIndex(ctx context.Context, index int) (*Link, error) {
	if index <= 0 {
		return nil, fmt.Errorf("rtnl: invalid link index %d", index)
	}
	return h.getLink(ctx, index, "", 0)
}

// LinkByName returns the link with the given name (or alternative name).
// For a missing link the error is an *nl.Error that matches os.ErrNotExist
// (ENODEV).
func (h *Handle) LinkByName(ctx context.Context, name string) (*Link, error) {
	if name == "" || len(name) >= 128 {
		return nil, fmt.Errorf("rtnl: invalid link name %q", name)
	}
	return h.getLink(ctx, 0, name, 0)
}

// getLink fetches one link by index or name. It names its own errors
// (rather than through h.request) since naming an error may itself look up
// a link.
func (h *Handle) getLink(ctx context.Context, index int, name string, ext uint32) (*Link, error) {
	e := h.encoder()
	defer h.release(e)
	e.Begin(unix.RTM_GETLINK, 0)
	putIfinfomsg(e.Fixed(ifinfomsgLen), index, 0, 0)
	if index == 0 {
		if len(name) >= unix.IFNAMSIZ {
			e.String(iflaAltIfname, name)
		} else {
			e.String(unix.IFLA_IFNAME, name)
		}
	}
	if ext != 0 {
		e.Uint32(unix.IFLA_EXT_MASK, ext)
	}
	if err := e.End(); err != nil {
		return nil, err
	}
	var l *Link
	err := h.c.Do(ctx, e, func(m nl.Message) error {
		if m.Header.Type != unix.RTM_NEWLINK {
			return nil
		}
		l = new(Link)
		return l.Decode(m)
	})
	if err != nil {
		var ne *nl.Error
		if errors.As(err, &ne) {
			if index != 0 {
				ne.Op = "get link index " + strconv.Itoa(index)
			} else {
				ne.Op = "get link " + name
			}
		}
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("rtnl: get link: no reply: %w", nl.ErrMalformed)
	}
	return l, nil
}

// AddLink creates the link l (see Link for the fields it sends). Its kind is
// required (l.Info.Kind, or l.Info.Data that implies it); a veth's peer is
// l.Info.Data.(*VethInfo).Peer.
//
// When the link is created in this namespace, AddLink sets l.Index to the
// index the kernel gave it, from the kernel's echo of the new link
// (NLM_F_ECHO, Linux 6.3 and later) or, from older kernels, by looking up
// l.Name; a link without a name, which the kernel names, is added on a
// socket of its own that listens to the link group, whose announcement of
// the new link during the request gives its index on every kernel (see
// addUnnamedLink for how it is told apart). A Link whose Index is not 0 asks the kernel for that index: to
// add another link from the same value, clear Index first.
func (h *Handle) AddLink(ctx context.Context, l *Link) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeLink(e, Add, l); err != nil {
		return err
	}
	here := l.NetNS == nil && l.NetNSPID == 0
	if here && l.Index == 0 && l.Name == "" {
		if index, ok, err := h.addUnnamedLink(ctx, e); ok {
			if err == nil {
				l.Index = index
			}
			return err
		}
	}
	if here && l.Index == 0 {
		b := e.Bytes()
		binary.NativeEndian.PutUint16(b[6:8], binary.NativeEndian.Uint16(b[6:8])|unix.NLM_F_ECHO)
	}
	index := 0
	err := h.request(ctx, e, func(m nl.Message) error {
		// The echo of the new link; a veth's peer, created in this
		// namespace too, is announced only to the groups.
		if m.Header.Type == unix.RTM_NEWLINK && index == 0 && len(m.Data) >= ifinfomsgLen {
			index = int(int32(binary.NativeEndian.Uint32(m.Data[4:8])))
		}
		return nil
	})
	if err != nil || !here || l.Index != 0 {
		return err
	}
	if index == 0 && l.Name != "" {
		got, err := h.LinkByName(ctx, l.Name)
		if err != nil {
			return fmt.Errorf("rtnl: add link %s: created, but its index: %w", l.Name, err)
		}
		index = got.Index
	}
	l.Index = index
	return nil
}

// ReplaceLink creates the link l if it does not exist. The kernel does not
// replace an existing link: it answers EOPNOTSUPP.
func (h *Handle) ReplaceLink(ctx context.Context, l *Link) error {
	return h.changeLink(ctx, Replace, l)
}

// ChangeLink sets the non-zero fields of l on an existing link: the
// flags set in l.Flags, MTU, TxQueueLen, HardwareAddr, Broadcast, Alias,
// Group, MasterIndex, NetNS or NetNSPID, AddrGenMode, the GSO and GRO
// limits, and l.Info's kind-specific settings. The link is identified by
// l.Index, or by l.Name if l.Index is 0; with both, it is renamed l.Name.
// To clear a setting or a flag, use SetLink. Pass a Link holding only what
// should change, not one from a listing: the kernel refuses to set again
// some of what it reports (the address of a device without one to set, a
// VXLAN's port), so SetLink is the usual way to change one setting.
func (h *Handle) ChangeLink(ctx context.Context, l *Link) error {
	return h.changeLink(ctx, Change, l)
}

// DeleteLink deletes the link l.Index, or if it is 0 the link named
// l.Name. Deleting one end of a veth pair deletes both.
func (h *Handle) DeleteLink(ctx context.Context, l *Link) error {
	return h.changeLink(ctx, Delete, l)
}

// SetLink applies the changes in c to the link l, in one request: the
// way to bring a link up or down, rename it, change its MTU, address,
// alias, queue length, group or master, move it to another namespace, or
// change kind-specific settings. Only l's Index is used, or its Name when
// the index is 0 (a link listed before, or &Link{Index: i}, or
// &Link{Name: "eth0"}); to rename a link named by name, SetLink looks its
// index up first. SetLinkUp and SetLinkDown are shorthands.
func (h *Handle) SetLink(ctx context.Context, l *Link, c *LinkChange) error {
	if l != nil && l.Index == 0 && c != nil && c.Name != "" && c.Name != l.Name {
		got, err := h.LinkByName(ctx, l.Name) // the kernel renames by index only
		if err != nil {
			return err
		}
		l = &Link{Index: got.Index}
	}
	e := h.encoder()
	defer h.release(e)
	if err := encodeLinkChange(e, l, c); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// SetLinkUp brings the link l (named by Index, or Name) up.
func (h *Handle) SetLinkUp(ctx context.Context, l *Link) error {
	return h.SetLink(ctx, l, &LinkChange{Flags: LinkUp, FlagMask: LinkUp})
}

// SetLinkDown takes the link l (named by Index, or Name) down.
func (h *Handle) SetLinkDown(ctx context.Context, l *Link) error {
	return h.SetLink(ctx, l, &LinkChange{FlagMask: LinkUp})
}

func (h *Handle) changeLink(ctx context.Context, v Verb, l *Link) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeLink(e, v, l); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// Link adds the change v (Add, Replace, Change or Delete) of the link l to
// the batch; see AddLink, ReplaceLink, ChangeLink and DeleteLink.
func (b *Batch) Link(v Verb, l *Link) error {
	return b.add(func(e *nl.Encoder) error { return encodeLink(e, v, l) })
}

// SetLink adds to the batch the changes c to the link l; see
// Handle.SetLink. A rename needs l.Index: a batch does not look it up.
func (b *Batch) SetLink(l *Link, c *LinkChange) error {
	return b.add(func(e *nl.Encoder) error { return encodeLinkChange(e, l, c) })
}

// linkObject words the link request m for errors, as iproute2's command
// line would: "v0 type veth", "v0 mtu 9000", "if7 name v1", "v0 master br0".
func linkObject(m nl.Message, names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var l Link
	_ = l.decodeBody(m.Data, 0, nil) // describe what could be decoded
	var w []string
	set := m.Header.Type == unix.RTM_NEWLINK && m.Header.Flags&unix.NLM_F_CREATE == 0
	name := l.Name
	if l.Index > 0 && (name == "" || set) {
		name = names(l.Index)
	}
	if name == "" {
		name = "(no name)"
	}
	w = append(w, name)
	if set && l.Index > 0 && l.Name != "" {
		w = append(w, "name", l.Name) // a rename
	}
	if m.Header.Type != unix.RTM_NEWLINK {
		return strings.Join(w, " ")
	}
	if len(m.Data) >= 16 {
		change := LinkFlags(binary.NativeEndian.Uint32(m.Data[12:16]))
		if change&LinkUp != 0 {
			if l.Flags&LinkUp != 0 {
				w = append(w, "up")
			} else {
				w = append(w, "down")
			}
		}
	}
	if l.ParentIndex != 0 {
		w = append(w, "link", names(l.ParentIndex))
	}
	if l.MTU != 0 {
		w = append(w, "mtu", strconv.FormatUint(uint64(l.MTU), 10))
	}
	if len(l.HardwareAddr) > 0 {
		w = append(w, "address", l.HardwareAddr.String())
	}
	if l.MasterIndex != 0 {
		w = append(w, "master", names(l.MasterIndex))
	} else if hasAttr(m.Data, unix.IFLA_MASTER) {
		w = append(w, "nomaster")
	}
	if hasAttr(m.Data, unix.IFLA_NET_NS_FD) || hasAttr(m.Data, unix.IFLA_NET_NS_PID) {
		w = append(w, "netns", "...")
	}
	// The kind and its words come last, as on ip's command line, so that
	// a veth peer's own words follow "peer".
	if k := l.Info.kind(); k != "" {
		w = append(w, "type", k)
	} else if l.Info.SlaveKind != "" {
		w = append(w, "type", l.Info.SlaveKind+"_slave")
	}
	if v, ok := l.Info.Data.(*VethInfo); ok && v.Peer != nil {
		w = append(w, "peer")
		if v.Peer.Name != "" {
			w = append(w, "name", v.Peer.Name)
		}
		if v.Peer.Flags&LinkUp != 0 {
			w = append(w, "up")
		}
		if v.Peer.MTU != 0 {
			w = append(w, "mtu", strconv.FormatUint(uint64(v.Peer.MTU), 10))
		}
		if len(v.Peer.HardwareAddr) > 0 {
			w = append(w, "address", v.Peer.HardwareAddr.String())
		}
	}
	return strings.Join(w, " ")
}

// hasAttr reports whether the link message body b has a top-level
// attribute of type t.
func hasAttr(b []byte, t uint16) bool {
	if len(b) < ifinfomsgLen {
		return false
	}
	d := nl.NewAttrDecoder(b[ifinfomsgLen:])
	for d.Next() {
		if d.Type() == t {
			return true
		}
	}
	return false
}

// altNameMax is the longest alternative name (ALTIFNAMSIZ less its NUL).
const altNameMax = 127

// encodeAltNames appends the request that adds (Add) or deletes (Delete)
// alternative names of the link index (RTM_NEWLINKPROP, RTM_DELLINKPROP).
func encodeAltNames(e *nl.Encoder, v Verb, l *Link, names []string) error {
	var t nl.MsgType
	switch v {
	case Add:
		t = unix.RTM_NEWLINKPROP
	case Delete:
		t = unix.RTM_DELLINKPROP
	default:
		return errVerb(v, "link property")
	}
	index, err := linkTarget("link property", l)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("rtnl: link property: no alternative name")
	}
	for _, n := range names {
		if n == "" || len(n) > altNameMax || strings.ContainsAny(n, "\x00/: \t\n") {
			return fmt.Errorf("rtnl: %q is not an alternative interface name", n)
		}
	}
	e.Begin(t, v.flags())
	putIfinfomsg(e.Fixed(ifinfomsgLen), index, 0, 0)
	if index == 0 {
		e.String(unix.IFLA_IFNAME, l.Name)
	}
	p := e.Nest(unix.IFLA_PROP_LIST)
	for _, n := range names {
		e.String(unix.IFLA_ALT_IFNAME, n)
	}
	e.EndNest(p)
	return e.End()
}

// AddAltNames gives the link l (named by Index, or Name) the alternative
// names (iproute2's `ip link property add dev DEV altname NAME`), by which
// it can be named wherever its name can; they appear in Link.AltNames.
func (h *Handle) AddAltNames(ctx context.Context, l *Link, names ...string) error {
	return h.changeAltNames(ctx, Add, l, names)
}

// DeleteAltNames takes the alternative names from the link l (named by
// Index, or Name).
func (h *Handle) DeleteAltNames(ctx context.Context, l *Link, names ...string) error {
	return h.changeAltNames(ctx, Delete, l, names)
}

func (h *Handle) changeAltNames(ctx context.Context, v Verb, l *Link, names []string) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeAltNames(e, v, l, names); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// AltNames adds to the batch the addition (Add) or deletion (Delete) of
// alternative names of the link l; see AddAltNames.
func (b *Batch) AltNames(v Verb, l *Link, names ...string) error {
	return b.add(func(e *nl.Encoder) error { return encodeAltNames(e, v, l, names) })
}

// linkPropObject words a link property request for errors, as iproute2's
// command line would: "dev v0 altname v-zero".
func linkPropObject(m nl.Message, names func(int) string) string {
	b := m.Data
	if len(b) < ifinfomsgLen {
		return "(malformed)"
	}
	s := "dev " + names(int(int32(binary.NativeEndian.Uint32(b[4:8]))))
	d := nl.NewAttrDecoder(b[ifinfomsgLen:])
	for d.Next() {
		if d.Type() != unix.IFLA_PROP_LIST {
			continue
		}
		for p := d.Nested(); p.Next(); {
			if p.Type() == unix.IFLA_ALT_IFNAME {
				s += " altname " + p.String()
			}
		}
	}
	return s
}
