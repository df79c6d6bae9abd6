package rtnl

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A BondMode is how a bond spreads traffic over its ports (BOND_MODE_*).
type BondMode uint8

// The bond modes.
const (
	BondBalanceRR    BondMode = 0
	BondActiveBackup BondMode = 1
	BondBalanceXOR   BondMode = 2
	BondBroadcast    BondMode = 3
	Bond8023AD       BondMode = 4
	BondBalanceTLB   BondMode = 5
	BondBalanceALB   BondMode = 6
)

var bondModeNames = map[uint32]string{
	0: "balance-rr", 1: "active-backup", 2: "balance-xor", 3: "broadcast",
	4: "802.3ad", 5: "balance-tlb", 6: "balance-alb",
}

// String returns the mode as iproute2 names it: balance-rr, active-backup,
// balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb.
func (m BondMode) String() string { return enumName(bondModeNames, uint32(m)) }

// ParseBondMode reads a bond mode name or number.
func ParseBondMode(s string) (BondMode, error) {
	v, err := enumParse(bondModeNames, s, "bond mode", 6)
	return BondMode(v), err
}

// A BondXmitHashPolicy is how a bond in balance-xor, 802.3ad or
// balance-tlb mode picks a port for a packet (BOND_XMIT_POLICY_*).
type BondXmitHashPolicy uint8

// The transmit hash policies.
const (
	BondHashLayer2     BondXmitHashPolicy = 0
	BondHashLayer34    BondXmitHashPolicy = 1
	BondHashLayer23    BondXmitHashPolicy = 2
	BondHashEncap23    BondXmitHashPolicy = 3
	BondHashEncap34    BondXmitHashPolicy = 4
	BondHashVLANSrcMAC BondXmitHashPolicy = 5
)

var bondHashNames = map[uint32]string{
	0: "layer2", 1: "layer3+4", 2: "layer2+3", 3: "encap2+3", 4: "encap3+4", 5: "vlan+srcmac",
}

// String returns the policy as iproute2 names it: layer2, layer3+4,
// layer2+3, encap2+3, encap3+4, vlan+srcmac.
func (p BondXmitHashPolicy) String() string { return enumName(bondHashNames, uint32(p)) }

// ParseBondXmitHashPolicy reads a transmit hash policy name or number.
func ParseBondXmitHashPolicy(s string) (BondXmitHashPolicy, error) {
	v, err := enumParse(bondHashNames, s, "bond xmit_hash_policy", 5)
	return BondXmitHashPolicy(v), err
}

// A BondADInfo is the state of a bond's active 802.3ad aggregator
// (IFLA_BOND_AD_INFO), reported in 802.3ad mode.
type BondADInfo struct {
	Aggregator uint16
	NumPorts   uint16
	ActorKey   uint16
	PartnerKey uint16
	PartnerMAC net.HardwareAddr
}

// A BondInfo is the data of a bond (IFLA_BOND_*). Its fields are ip's bond
// options of the same names (MIIMon is miimon, ADSelect ad_select), but
// that the ports ip calls slaves are ports here: ActivePortIndex is
// active_slave, PrimaryPortIndex primary. When creating or changing a
// bond, the fields that are set are sent. Times are in milliseconds. The
// kernel reports every option, and ActivePortIndex and PrimaryPortIndex
// only when there is such a port.
//
// The kernel changes the mode of a bond only while it is down and has no
// ports. Ports join and leave a bond as they join and leave any master:
// with Link.MasterIndex (LinkChange.MasterIndex, 0 releasing); the bond
// reports their state in their Info.SlaveData, a *BondPortInfo.
type BondInfo struct {
	Mode *BondMode
	// ActivePortIndex is the active port in active-backup, balance-tlb
	// and balance-alb modes; a pointer to 0 clears it (ip's
	// clear_active_slave).
	ActivePortIndex *int
	MIIMon          *uint32
	UpDelay         *uint32
	DownDelay       *uint32
	PeerNotifyDelay *uint32
	UseCarrier      *bool
	ARPInterval     *uint32
	// ARPIPTargets and NSIP6Targets are the addresses ARP and neighbour
	// solicitation probes go to (the kernel takes at most 16 of each); sent, they replace
	// the bond's (a non-nil empty slice clears them).
	ARPIPTargets []netip.Addr
	NSIP6Targets []netip.Addr
	// ARPValidate is 0 none, 1 active, 2 backup, 3 all, 4 filter, 5
	// filter_active, 6 filter_backup.
	ARPValidate *uint32
	// ARPAllTargets is 0 any, 1 all.
	ARPAllTargets *uint32
	// ARPMissedMax is ip's arp_missed_max (IFLA_BOND_MISSED_MAX).
	ARPMissedMax     *uint8
	PrimaryPortIndex *int
	// PrimaryReselect is 0 always, 1 better, 2 failure.
	PrimaryReselect *uint8
	// FailOverMAC is 0 none, 1 active, 2 follow.
	FailOverMAC    *uint8
	XmitHashPolicy *BondXmitHashPolicy
	ResendIGMP     *uint32
	// NumPeerNotif is ip's num_grat_arp and num_unsol_na.
	NumPeerNotif    *uint8
	AllSlavesActive *bool
	MinLinks        *uint32
	LPInterval      *uint32
	PacketsPerSlave *uint32
	// ADLACPActive is ip's lacp_active; ADLACPRate its lacp_rate: false
	// slow, true fast.
	ADLACPActive *bool
	ADLACPRate   *bool
	// ADSelect is 0 stable, 1 bandwidth, 2 count.
	ADSelect       *uint8
	ADActorSysPrio *uint16
	ADUserPortKey  *uint16
	ADActorSystem  net.HardwareAddr
	TLBDynamicLB   *bool
	// ADInfo is the active aggregator's state (reported only, in
	// 802.3ad mode).
	ADInfo *BondADInfo
}

func (*BondInfo) accepts(kind string) bool { return kind == "bond" }
func (*BondInfo) defaultKind() string      { return "bond" }

func (b *BondInfo) validate(int) error {
	if b.ActivePortIndex != nil && *b.ActivePortIndex < 0 {
		return fmt.Errorf("rtnl: invalid bond ActivePortIndex %d", *b.ActivePortIndex)
	}
	if b.PrimaryPortIndex != nil && *b.PrimaryPortIndex < 0 {
		return fmt.Errorf("rtnl: invalid bond PrimaryPortIndex %d", *b.PrimaryPortIndex)
	}
	for _, a := range b.ARPIPTargets {
		if !a.Is4() {
			return fmt.Errorf("rtnl: bond ARPIPTargets: %v is not an IPv4 address", a)
		}
	}
	for _, a := range b.NSIP6Targets {
		if !a.Is6() {
			return fmt.Errorf("rtnl: bond NSIP6Targets: %v is not an IPv6 address", a)
		}
	}
	if len(b.ADActorSystem) != 0 && len(b.ADActorSystem) != 6 {
		return fmt.Errorf("rtnl: bond ADActorSystem %v is not an Ethernet address", b.ADActorSystem)
	}
	return nil
}

func (b *BondInfo) encodeData(e *nl.Encoder) {
	if b.Mode != nil {
		e.Uint8(unix.IFLA_BOND_MODE, uint8(*b.Mode))
	}
	if b.ActivePortIndex != nil {
		e.Uint32(unix.IFLA_BOND_ACTIVE_SLAVE, uint32(*b.ActivePortIndex))
	}
	linkPutU32(e, unix.IFLA_BOND_MIIMON, b.MIIMon)
	linkPutU32(e, unix.IFLA_BOND_UPDELAY, b.UpDelay)
	linkPutU32(e, unix.IFLA_BOND_DOWNDELAY, b.DownDelay)
	linkPutU32(e, unix.IFLA_BOND_PEER_NOTIF_DELAY, b.PeerNotifyDelay)
	linkPutBool(e, unix.IFLA_BOND_USE_CARRIER, b.UseCarrier)
	linkPutU32(e, unix.IFLA_BOND_ARP_INTERVAL, b.ARPInterval)
	bondPutTargets(e, unix.IFLA_BOND_ARP_IP_TARGET, b.ARPIPTargets)
	bondPutTargets(e, unix.IFLA_BOND_NS_IP6_TARGET, b.NSIP6Targets)
	linkPutU32(e, unix.IFLA_BOND_ARP_VALIDATE, b.ARPValidate)
	linkPutU32(e, unix.IFLA_BOND_ARP_ALL_TARGETS, b.ARPAllTargets)
	linkPutU8(e, unix.IFLA_BOND_MISSED_MAX, b.ARPMissedMax)
	if b.PrimaryPortIndex != nil {
		e.Uint32(unix.IFLA_BOND_PRIMARY, uint32(*b.PrimaryPortIndex))
	}
	linkPutU8(e, unix.IFLA_BOND_PRIMARY_RESELECT, b.PrimaryReselect)
	linkPutU8(e, unix.IFLA_BOND_FAIL_OVER_MAC, b.FailOverMAC)
	if b.XmitHashPolicy != nil {
		e.Uint8(unix.IFLA_BOND_XMIT_HASH_POLICY, uint8(*b.XmitHashPolicy))
	}
	linkPutU32(e, unix.IFLA_BOND_RESEND_IGMP, b.ResendIGMP)
	linkPutU8(e, unix.IFLA_BOND_NUM_PEER_NOTIF, b.NumPeerNotif)
	linkPutBool(e, unix.IFLA_BOND_ALL_SLAVES_ACTIVE, b.AllSlavesActive)
	linkPutU32(e, unix.IFLA_BOND_MIN_LINKS, b.MinLinks)
	linkPutU32(e, unix.IFLA_BOND_LP_INTERVAL, b.LPInterval)
	linkPutU32(e, unix.IFLA_BOND_PACKETS_PER_SLAVE, b.PacketsPerSlave)
	linkPutBool(e, unix.IFLA_BOND_AD_LACP_ACTIVE, b.ADLACPActive)
	linkPutBool(e, unix.IFLA_BOND_AD_LACP_RATE, b.ADLACPRate)
	linkPutU8(e, unix.IFLA_BOND_AD_SELECT, b.ADSelect)
	linkPutU16(e, unix.IFLA_BOND_AD_ACTOR_SYS_PRIO, b.ADActorSysPrio)
	linkPutU16(e, unix.IFLA_BOND_AD_USER_PORT_KEY, b.ADUserPortKey)
	if len(b.ADActorSystem) > 0 {
		e.Attr(unix.IFLA_BOND_AD_ACTOR_SYSTEM, b.ADActorSystem)
	}
	linkPutBool(e, unix.IFLA_BOND_TLB_DYNAMIC_LB, b.TLBDynamicLB)
}

// bondPutTargets sends a list of targets, each an attribute numbered by
// its place, as the kernel lists them.
func bondPutTargets(e *nl.Encoder, t uint16, as []netip.Addr) {
	if as == nil {
		return
	}
	n := e.Nest(t)
	for i, a := range as {
		e.Addr(uint16(i), a)
	}
	e.EndNest(n)
}

func bondTargets(d *nl.AttrDecoder, size int) ([]netip.Addr, error) {
	as := []netip.Addr{}
	t := d.Nested()
	for t.Next() {
		if t.Len() != size {
			return nil, fmt.Errorf("%w: bond target of %d bytes (want %d)", nl.ErrMalformed, t.Len(), size)
		}
		as = append(as, t.Addr())
	}
	return as, t.Err()
}

func (b *BondInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_BOND_MODE:
			b.Mode = (*BondMode)(s.u8Ptr(d.Uint8()))
		case unix.IFLA_BOND_ACTIVE_SLAVE:
			b.ActivePortIndex = s.intPtr(int(d.Uint32()))
		case unix.IFLA_BOND_MIIMON:
			b.MIIMon = linkU32(s, &d)
		case unix.IFLA_BOND_UPDELAY:
			b.UpDelay = linkU32(s, &d)
		case unix.IFLA_BOND_DOWNDELAY:
			b.DownDelay = linkU32(s, &d)
		case unix.IFLA_BOND_PEER_NOTIF_DELAY:
			b.PeerNotifyDelay = linkU32(s, &d)
		case unix.IFLA_BOND_USE_CARRIER:
			b.UseCarrier = linkBool(s, &d)
		case unix.IFLA_BOND_ARP_INTERVAL:
			b.ARPInterval = linkU32(s, &d)
		case unix.IFLA_BOND_ARP_IP_TARGET:
			as, err := bondTargets(&d, 4)
			if err != nil {
				return fmt.Errorf("bond ARP targets: %w", err)
			}
			b.ARPIPTargets = as
		case unix.IFLA_BOND_NS_IP6_TARGET:
			as, err := bondTargets(&d, 16)
			if err != nil {
				return fmt.Errorf("bond NS targets: %w", err)
			}
			b.NSIP6Targets = as
		case unix.IFLA_BOND_ARP_VALIDATE:
			b.ARPValidate = linkU32(s, &d)
		case unix.IFLA_BOND_ARP_ALL_TARGETS:
			b.ARPAllTargets = linkU32(s, &d)
		case unix.IFLA_BOND_MISSED_MAX:
			b.ARPMissedMax = linkU8(s, &d)
		case unix.IFLA_BOND_PRIMARY:
			b.PrimaryPortIndex = s.intPtr(int(d.Uint32()))
		case unix.IFLA_BOND_PRIMARY_RESELECT:
			b.PrimaryReselect = linkU8(s, &d)
		case unix.IFLA_BOND_FAIL_OVER_MAC:
			b.FailOverMAC = linkU8(s, &d)
		case unix.IFLA_BOND_XMIT_HASH_POLICY:
			b.XmitHashPolicy = (*BondXmitHashPolicy)(s.u8Ptr(d.Uint8()))
		case unix.IFLA_BOND_RESEND_IGMP:
			b.ResendIGMP = linkU32(s, &d)
		case unix.IFLA_BOND_NUM_PEER_NOTIF:
			b.NumPeerNotif = linkU8(s, &d)
		case unix.IFLA_BOND_ALL_SLAVES_ACTIVE:
			b.AllSlavesActive = linkBool(s, &d)
		case unix.IFLA_BOND_MIN_LINKS:
			b.MinLinks = linkU32(s, &d)
		case unix.IFLA_BOND_LP_INTERVAL:
			b.LPInterval = linkU32(s, &d)
		case unix.IFLA_BOND_PACKETS_PER_SLAVE:
			b.PacketsPerSlave = linkU32(s, &d)
		case unix.IFLA_BOND_AD_LACP_ACTIVE:
			b.ADLACPActive = linkBool(s, &d)
		case unix.IFLA_BOND_AD_LACP_RATE:
			b.ADLACPRate = linkBool(s, &d)
		case unix.IFLA_BOND_AD_SELECT:
			b.ADSelect = linkU8(s, &d)
		case unix.IFLA_BOND_AD_ACTOR_SYS_PRIO:
			b.ADActorSysPrio = linkU16(s, &d)
		case unix.IFLA_BOND_AD_USER_PORT_KEY:
			b.ADUserPortKey = linkU16(s, &d)
		case unix.IFLA_BOND_AD_ACTOR_SYSTEM:
			if d.Len() != 6 {
				return fmt.Errorf("%w: IFLA_BOND_AD_ACTOR_SYSTEM of %d bytes (an Ethernet address has 6)", nl.ErrMalformed, d.Len())
			}
			b.ADActorSystem = s.hwaddr(d.Bytes())
		case unix.IFLA_BOND_TLB_DYNAMIC_LB:
			b.TLBDynamicLB = linkBool(s, &d)
		case unix.IFLA_BOND_AD_INFO:
			ai := &BondADInfo{}
			a := d.Nested()
			for a.Next() {
				switch a.Type() {
				case unix.IFLA_BOND_AD_INFO_AGGREGATOR:
					ai.Aggregator = a.Uint16()
				case unix.IFLA_BOND_AD_INFO_NUM_PORTS:
					ai.NumPorts = a.Uint16()
				case unix.IFLA_BOND_AD_INFO_ACTOR_KEY:
					ai.ActorKey = a.Uint16()
				case unix.IFLA_BOND_AD_INFO_PARTNER_KEY:
					ai.PartnerKey = a.Uint16()
				case unix.IFLA_BOND_AD_INFO_PARTNER_MAC:
					ai.PartnerMAC = s.hwaddr(a.Bytes())
				}
			}
			if err := a.Err(); err != nil {
				return fmt.Errorf("bond AD info: %w", err)
			}
			b.ADInfo = ai
		}
	}
	return d.Err()
}

// A BondPortState is a bond port's state (BOND_STATE_*).
type BondPortState uint8

// The bond port states.
const (
	BondPortActive BondPortState = 0
	BondPortBackup BondPortState = 1
)

var bondPortStateNames = map[uint32]string{0: "ACTIVE", 1: "BACKUP"}

// String returns the state as iproute2 prints it: ACTIVE, BACKUP.
func (s BondPortState) String() string { return enumName(bondPortStateNames, uint32(s)) }

// A BondMIIStatus is the link status the bond's monitor sees on a port
// (BOND_LINK_*).
type BondMIIStatus uint8

// The MII statuses.
const (
	BondLinkUp        BondMIIStatus = 0
	BondLinkGoingDown BondMIIStatus = 1
	BondLinkDown      BondMIIStatus = 2
	BondLinkGoingBack BondMIIStatus = 3
)

var bondMIIStatusNames = map[uint32]string{0: "UP", 1: "GOING_DOWN", 2: "DOWN", 3: "GOING_BACK"}

// String returns the status as iproute2 prints it: UP, GOING_DOWN, DOWN,
// GOING_BACK.
func (s BondMIIStatus) String() string { return enumName(bondMIIStatusNames, uint32(s)) }

// A BondPortInfo is a link's data as a port of a bond
// (IFLA_INFO_SLAVE_DATA of slave kind "bond", IFLA_BOND_SLAVE_*). QueueID
// and Prio can be set (with SetLink, LinkInfo{SlaveKind: "bond",
// SlaveData: ...}); the rest is reported.
type BondPortInfo struct {
	// QueueID is the transmit queue the port is picked for.
	QueueID *uint16
	// Prio is the port's priority in choosing the active port (ip's
	// prio; kernels from 6.0).
	Prio *int32

	State            BondPortState
	MIIStatus        BondMIIStatus
	LinkFailureCount uint32
	// PermHWAddr is the port's own address, which the bond may have
	// replaced.
	PermHWAddr net.HardwareAddr
	// The 802.3ad state, reported in 802.3ad mode.
	ADAggregatorID         *uint16
	ADActorOperPortState   *uint8
	ADPartnerOperPortState *uint16
}

func (*BondPortInfo) accepts(kind string) bool { return kind == "bond" }
func (*BondPortInfo) defaultKind() string      { return "bond" }
func (*BondPortInfo) validate(int) error       { return nil }

func (p *BondPortInfo) encodeData(e *nl.Encoder) {
	linkPutU16(e, unix.IFLA_BOND_SLAVE_QUEUE_ID, p.QueueID)
	if p.Prio != nil {
		e.Int32(unix.IFLA_BOND_SLAVE_PRIO, *p.Prio)
	}
}

func (p *BondPortInfo) decode(d nl.AttrDecoder, s *store) error {
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_BOND_SLAVE_STATE:
			p.State = BondPortState(d.Uint8())
		case unix.IFLA_BOND_SLAVE_MII_STATUS:
			p.MIIStatus = BondMIIStatus(d.Uint8())
		case unix.IFLA_BOND_SLAVE_LINK_FAILURE_COUNT:
			p.LinkFailureCount = d.Uint32()
		case unix.IFLA_BOND_SLAVE_PERM_HWADDR:
			p.PermHWAddr = s.hwaddr(d.Bytes())
		case unix.IFLA_BOND_SLAVE_QUEUE_ID:
			p.QueueID = linkU16(s, &d)
		case unix.IFLA_BOND_SLAVE_PRIO:
			p.Prio = s.i32Ptr(d.Int32())
		case unix.IFLA_BOND_SLAVE_AD_AGGREGATOR_ID:
			p.ADAggregatorID = linkU16(s, &d)
		case unix.IFLA_BOND_SLAVE_AD_ACTOR_OPER_PORT_STATE:
			p.ADActorOperPortState = linkU8(s, &d)
		case unix.IFLA_BOND_SLAVE_AD_PARTNER_OPER_PORT_STATE:
			p.ADPartnerOperPortState = linkU16(s, &d)
		}
	}
	return d.Err()
}

var (
	_ LinkData = (*BondInfo)(nil)
	_ LinkData = (*BondPortInfo)(nil)
)
