package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Neighbour is an entry of a neighbour table (struct ndmsg and its NDA_*
// attributes): an IPv4 ARP or IPv6 neighbour discovery entry, a proxy entry
// (Flags has NeighProxy), or, with Family Bridge, an entry of a bridge's
// forwarding database (FDB) or of a device's own address list.
//
// When adding, replacing or changing an entry, a zero State takes the
// default of `ip neigh add`, permanent, or for an FDB entry that of `bridge
// fdb add`, permanent and NOARP; an entry with ExtFlags NeighManaged keeps
// no state, as ip creates it. To send a State of 0, name it in Explicit.
//
// For FDB entries LinkIndex is the port (or the device for NeighSelf entries),
// LinkAddr the MAC address, Addr the remote address of a VXLAN entry (or
// absent), and Flags says whose table the entry is in: NeighMaster for the
// bridge's, NeighSelf for the device's.
type Neighbour struct {
	// Family is IPv4, IPv6 or Bridge; the zero value takes the family of
	// Addr when adding.
	Family Family
	// LinkIndex is the interface's index (ndm_ifindex).
	LinkIndex int
	// Addr is the neighbour's protocol address (NDA_DST); FDB entries may
	// have none.
	Addr netip.Addr
	// LinkAddr is the link-layer address (NDA_LLADDR), if known.
	LinkAddr net.HardwareAddr
	// State is the entry's state (ndm_state).
	State NeighState
	// Flags are the entry's flags (ndm_flags); ExtFlags those of
	// NDA_FLAGS_EXT.
	Flags    NeighFlags
	ExtFlags NeighExtFlags
	// Type is the type of the address (ndm_type), unicast for most.
	Type RouteType
	// Probes is the number of probes sent so far (NDA_PROBES; reported,
	// never sent).
	Probes uint32
	// Vlan is the VLAN of an FDB entry (NDA_VLAN), or 0.
	Vlan uint16
	// VNI is the VXLAN network identifier of an FDB entry (NDA_VNI), or 0.
	VNI uint32
	// Port is the UDP destination port of a VXLAN FDB entry (NDA_PORT), or
	// 0.
	Port uint16
	// MasterIndex is the index of the bridge that holds an FDB entry
	// (NDA_MASTER; reported, never sent: NeighMaster says where an entry
	// goes).
	MasterIndex int
	// Protocol says who installed the entry (NDA_PROTOCOL); zero is
	// unspecified.
	Protocol RouteProtocol
	// NexthopID is the nexthop group of a VXLAN FDB entry (NDA_NH_ID), or
	// 0.
	NexthopID uint32
	// SrcVNI is the source VNI of a VXLAN FDB entry (NDA_SRC_VNI), or 0.
	SrcVNI uint32
	// ViaLinkIndex is the interface a VXLAN FDB entry's remote is reached
	// through (NDA_IFINDEX: bridge fdb's "via"), in the namespace
	// LinkNetNSID names (nil: this one); 0 if none.
	ViaLinkIndex int
	LinkNetNSID  *int
	// Used, Confirmed and Updated are how long ago the entry was last used,
	// confirmed and updated (NDA_CACHEINFO; reported, never sent).
	Used, Confirmed, Updated time.Duration
	// RefCount is the number of references the kernel holds to the entry
	// (NDA_CACHEINFO).
	RefCount uint32
	// Explicit names the fields a request sends even when they are zero:
	// NeighbourFieldState sends a State of 0 (NeighNone) instead of the
	// default. Decoding sets it on a listed State of 0, so that an entry
	// sent back is the entry listed.
	Explicit NeighbourFields
}

// NeighbourFields names fields of a Neighbour, in its Explicit.
type NeighbourFields uint8

// The fields Explicit may name.
const (
	NeighbourFieldState NeighbourFields = 1 << iota
)

// NeighState is the state of a neighbour entry (NUD_*). An entry has one
// state; a filter may ask for several.
type NeighState uint16

// Neighbour states. NeighNoARP and NeighPermanent are pseudo-states that
// never change and make no address resolution.
const (
	NeighNone       NeighState = unix.NUD_NONE
	NeighIncomplete NeighState = unix.NUD_INCOMPLETE
	NeighReachable  NeighState = unix.NUD_REACHABLE
	NeighStale      NeighState = unix.NUD_STALE
	NeighDelay      NeighState = unix.NUD_DELAY
	NeighProbe      NeighState = unix.NUD_PROBE
	NeighFailed     NeighState = unix.NUD_FAILED
	NeighNoARP      NeighState = unix.NUD_NOARP
	NeighPermanent  NeighState = unix.NUD_PERMANENT
)

var neighStateNames = []struct {
	s    NeighState
	name string
}{
	{NeighIncomplete, "INCOMPLETE"}, {NeighReachable, "REACHABLE"},
	{NeighStale, "STALE"}, {NeighDelay, "DELAY"}, {NeighProbe, "PROBE"},
	{NeighFailed, "FAILED"}, {NeighNoARP, "NOARP"},
	{NeighPermanent, "PERMANENT"},
}

// Names returns the states, as iproute2 prints them ("REACHABLE",
// "PERMANENT", ...), with any unknown bits in hexadecimal. NeighNone has
// no names.
func (s NeighState) Names() []string {
	names := []string{}
	for _, n := range neighStateNames {
		if s&n.s != 0 {
			names = append(names, n.name)
			s &^= n.s
		}
	}
	if s != 0 {
		names = append(names, strconv.FormatUint(uint64(s), 16))
	}
	return names
}

// String returns the state's names separated by spaces, or "NONE".
func (s NeighState) String() string {
	if s == NeighNone {
		return "NONE"
	}
	return strings.Join(s.Names(), " ")
}

// ParseNeighState reads a state name, in either case ("permanent",
// "reachable", "noarp", "stale", "none", "incomplete", "delay", "probe",
// "failed"), or a number.
func ParseNeighState(s string) (NeighState, error) {
	if strings.EqualFold(s, "none") {
		return NeighNone, nil
	}
	for _, n := range neighStateNames {
		if strings.EqualFold(s, n.name) {
			return n.s, nil
		}
	}
	v, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("rtnl: invalid neighbour state %q", s)
	}
	return NeighState(v), nil
}

// NeighFlags are the flags of a neighbour entry (NTF_*, ndm_flags).
type NeighFlags uint8

// Neighbour flags.
const (
	// NeighUse marks the entry as in use, so that the kernel resolves or
	// refreshes it.
	NeighUse NeighFlags = unix.NTF_USE
	// NeighSelf puts an FDB entry in the device's own table.
	NeighSelf NeighFlags = unix.NTF_SELF
	// NeighMaster puts an FDB entry in the table of the device's master
	// (the bridge).
	NeighMaster NeighFlags = unix.NTF_MASTER
	// NeighProxy marks a proxy ARP or proxy NDP entry.
	NeighProxy NeighFlags = unix.NTF_PROXY
	// NeighExternLearn marks an entry learnt by something outside the
	// kernel (a switch driver, a routing daemon).
	NeighExternLearn NeighFlags = unix.NTF_EXT_LEARNED
	// NeighOffload marks an entry offloaded to hardware.
	NeighOffload NeighFlags = unix.NTF_OFFLOADED
	// NeighSticky marks an FDB entry that may not move to another port.
	NeighSticky NeighFlags = 0x40
	// NeighRouter marks an IPv6 neighbour that is a router.
	NeighRouter NeighFlags = unix.NTF_ROUTER
)

var neighFlagNames = []struct {
	f    NeighFlags
	name string
}{
	{NeighUse, "use"}, {NeighSelf, "self"}, {NeighMaster, "master"},
	{NeighProxy, "proxy"}, {NeighExternLearn, "extern_learn"},
	{NeighOffload, "offload"}, {NeighSticky, "sticky"}, {NeighRouter, "router"},
}

// Names returns the names of the flags as iproute2 spells them ("self",
// "master", "proxy", "extern_learn", "router", ...).
func (f NeighFlags) Names() []string {
	names := []string{}
	for _, n := range neighFlagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// String returns the names of the flags separated by spaces.
func (f NeighFlags) String() string { return strings.Join(f.Names(), " ") }

// NeighExtFlags are the extended flags of a neighbour entry (NDA_FLAGS_EXT).
type NeighExtFlags uint32

// Extended neighbour flags.
const (
	// NeighManaged makes the kernel keep the entry resolved on behalf of
	// a control plane in user space.
	NeighManaged NeighExtFlags = 1 << 0
	// NeighExternValidated marks an externally learnt entry the kernel has
	// validated (Linux 6.16 and later).
	NeighExternValidated NeighExtFlags = 1 << 1
)

// Names returns the names of the flags as iproute2 spells them ("managed",
// "extern_valid").
func (f NeighExtFlags) Names() []string {
	names := []string{}
	if f&NeighManaged != 0 {
		names = append(names, "managed")
	}
	if f&NeighExternValidated != 0 {
		names = append(names, "extern_valid")
	}
	return names
}

// Attributes newer than golang.org/x/sys/unix knows.
const (
	ndaProtocol = 12 // NDA_PROTOCOL
	ndaNHID     = 13 // NDA_NH_ID
	ndaFlagsExt = 15 // NDA_FLAGS_EXT
)

const ndmsgLen = unix.SizeofNdMsg

// userHZ is the unit of the kernel's clock_t values (USER_HZ), fixed by
// the ABI.
const userHZ = 100

// Decode fills n from a RTM_NEWNEIGH or RTM_DELNEIGH message, as a dump or an event
// delivers it: the same decoder serves listings, events and caches. n
// should be the zero Neighbour; it does not alias m afterwards. Malformed
// input gives an error wrapping nl.ErrMalformed, never a panic.
func (n *Neighbour) Decode(m nl.Message) error { return n.decode(m, nil) }

// decode is Decode with the memory n points to taken from s.
func (n *Neighbour) decode(m nl.Message, s *store) error {
	b := m.Data
	if len(b) < ndmsgLen {
		return fmt.Errorf("rtnl: neighbour message of %d bytes, shorter than ndmsg: %w", len(b), nl.ErrMalformed)
	}
	n.Family = Family(b[0])
	n.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	n.State = NeighState(binary.NativeEndian.Uint16(b[8:10]))
	n.Flags = NeighFlags(b[10])
	n.Type = RouteType(b[11])
	d := nl.NewAttrDecoder(b[ndmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.NDA_DST:
			n.Addr = d.Addr()
		case unix.NDA_LLADDR:
			n.LinkAddr = s.hwaddr(d.Bytes())
		case unix.NDA_CACHEINFO:
			var ci [16]byte
			d.Struct(ci[:])
			n.Confirmed = ticks(binary.NativeEndian.Uint32(ci[0:]))
			n.Used = ticks(binary.NativeEndian.Uint32(ci[4:]))
			n.Updated = ticks(binary.NativeEndian.Uint32(ci[8:]))
			n.RefCount = binary.NativeEndian.Uint32(ci[12:])
		case unix.NDA_PROBES:
			n.Probes = d.Uint32()
		case unix.NDA_VLAN:
			n.Vlan = d.Uint16()
		case unix.NDA_PORT:
			n.Port = d.Uint16BE()
		case unix.NDA_VNI:
			n.VNI = d.Uint32()
		case unix.NDA_MASTER:
			n.MasterIndex = int(d.Uint32())
		case ndaProtocol:
			n.Protocol = RouteProtocol(d.Uint8())
		case ndaNHID:
			n.NexthopID = d.Uint32()
		case unix.NDA_SRC_VNI:
			n.SrcVNI = d.Uint32()
		case unix.NDA_IFINDEX:
			n.ViaLinkIndex = int(d.Uint32())
		case unix.NDA_LINK_NETNSID:
			n.LinkNetNSID = s.intPtr(int(d.Int32()))
		case ndaFlagsExt:
			n.ExtFlags = NeighExtFlags(d.Uint32())
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: neighbour: %w", err)
	}
	n.Explicit = 0
	if n.State == NeighNone {
		n.Explicit = NeighbourFieldState
	}
	return nil
}

// state is the state a request sends: a zero State takes the default of
// `ip neigh add` (permanent), or for an FDB entry that of `bridge fdb add`
// (permanent and NOARP), except for managed entries, which ip creates with
// no state.
func (n *Neighbour) state(v Verb) NeighState {
	if v == Delete || n.State != NeighNone || n.Explicit&NeighbourFieldState != 0 || n.ExtFlags&NeighManaged != 0 {
		return n.State
	}
	if n.family() == Bridge {
		return NeighPermanent | NeighNoARP
	}
	return NeighPermanent
}

// ticks converts clock ticks (USER_HZ) to a duration.
func ticks(t uint32) time.Duration {
	return time.Duration(t) * (time.Second / userHZ)
}

// family returns the entry's family: Family, or that of Addr.
func (n *Neighbour) family() Family {
	if n.Family != AnyFamily || !n.Addr.IsValid() {
		return n.Family
	}
	return familyOfAddr(n.Addr)
}

// check validates an entry for a change request.
func (n *Neighbour) check() error {
	f := n.family()
	switch f {
	case IPv4, IPv6:
		if !n.Addr.IsValid() {
			return fmt.Errorf("rtnl: %v neighbour without an address (Addr)", f)
		}
		if familyOfAddr(n.Addr) != f {
			return fmt.Errorf("rtnl: neighbour family %v with Addr %s", f, n.Addr.String())
		}
	case Bridge:
		if len(n.LinkAddr) == 0 {
			return errors.New("rtnl: FDB entry without a link-layer address (LinkAddr)")
		}
	case AnyFamily:
		return errors.New("rtnl: neighbour without an address (Addr) or family")
	default:
		return fmt.Errorf("rtnl: neighbour family %v, want inet, inet6 or bridge", f)
	}
	if n.LinkIndex < 0 || n.LinkIndex > 1<<31-1 {
		return fmt.Errorf("rtnl: neighbour with interface index (Index) %d", n.LinkIndex)
	}
	if len(n.LinkAddr) > 32 {
		return fmt.Errorf("rtnl: neighbour LinkAddr of %d bytes", len(n.LinkAddr))
	}
	if n.Vlan >= 4095 {
		return fmt.Errorf("rtnl: neighbour Vlan %d out of range 1-4094", n.Vlan)
	}
	return nil
}

// encodeNeighbour appends one neighbour request to e.
func encodeNeighbour(e *nl.Encoder, v Verb, n *Neighbour) error {
	if n == nil {
		return errors.New("rtnl: nil neighbour")
	}
	var t nl.MsgType = unix.RTM_NEWNEIGH
	switch v {
	case Add, Replace, Change, Append:
	case Delete:
		t = unix.RTM_DELNEIGH
	default:
		return errVerb(v, "neighbour")
	}
	if err := n.check(); err != nil {
		return err
	}
	e.Begin(t, v.flags())
	h := e.Fixed(ndmsgLen)
	h[0] = byte(n.family())
	binary.NativeEndian.PutUint32(h[4:], uint32(n.LinkIndex))
	binary.NativeEndian.PutUint16(h[8:], uint16(n.state(v)))
	h[10] = byte(n.Flags)
	h[11] = byte(n.Type)
	if n.Addr.IsValid() {
		e.Addr(unix.NDA_DST, n.Addr)
	}
	if len(n.LinkAddr) > 0 {
		e.Attr(unix.NDA_LLADDR, n.LinkAddr)
	}
	if n.Vlan != 0 {
		e.Uint16(unix.NDA_VLAN, n.Vlan)
	}
	if n.Port != 0 {
		e.Uint16BE(unix.NDA_PORT, n.Port)
	}
	if n.VNI != 0 {
		e.Uint32(unix.NDA_VNI, n.VNI)
	}
	if n.Protocol != ProtoUnspec {
		e.Uint8(ndaProtocol, uint8(n.Protocol))
	}
	if n.NexthopID != 0 {
		e.Uint32(ndaNHID, n.NexthopID)
	}
	if n.SrcVNI != 0 {
		e.Uint32(unix.NDA_SRC_VNI, n.SrcVNI)
	}
	if n.ViaLinkIndex != 0 {
		e.Uint32(unix.NDA_IFINDEX, uint32(n.ViaLinkIndex))
	}
	if n.ExtFlags != 0 {
		e.Uint32(ndaFlagsExt, uint32(n.ExtFlags))
	}
	return e.End()
}

// String words the entry as iproute2's command line would, with the
// interface by index: "10.1.0.9 lladdr 02:00:00:00:00:09 dev if3".
func (n *Neighbour) String() string { return n.format(nil) }

// format words the entry as ip (or, for FDB entries, bridge) would, naming
// interfaces with names (nil: "ifN").
func (n *Neighbour) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var parts []string
	if n.Family == Bridge {
		if len(n.LinkAddr) > 0 {
			parts = append(parts, n.LinkAddr.String())
		}
		if n.LinkIndex != 0 {
			parts = append(parts, "dev", names(n.LinkIndex))
		}
		if n.Addr.IsValid() {
			parts = append(parts, "dst", n.Addr.String())
		}
		if n.Vlan != 0 {
			parts = append(parts, "vlan", strconv.Itoa(int(n.Vlan)))
		}
		if n.Flags&NeighMaster != 0 {
			parts = append(parts, "master")
		}
		if n.Flags&NeighSelf != 0 {
			parts = append(parts, "self")
		}
		return strings.Join(parts, " ")
	}
	if n.Flags&NeighProxy != 0 {
		parts = append(parts, "proxy")
	}
	if n.Addr.IsValid() {
		parts = append(parts, n.Addr.String())
	}
	if len(n.LinkAddr) > 0 {
		parts = append(parts, "lladdr", n.LinkAddr.String())
	}
	if n.LinkIndex != 0 {
		parts = append(parts, "dev", names(n.LinkIndex))
	}
	return strings.Join(parts, " ")
}

// neighObject words the neighbour request m for errors.
func neighObject(m nl.Message, names func(int) string) string {
	var n Neighbour
	if err := n.Decode(m); err != nil {
		return "(malformed)"
	}
	if m.Header.Type == unix.RTM_GETNEIGH {
		// The filters of a dump are attributes.
		d := nl.NewAttrDecoder(m.Data[ndmsgLen:])
		for d.Next() {
			if d.Type() == unix.NDA_IFINDEX && d.Len() == 4 {
				n.LinkIndex = int(d.Uint32())
			}
		}
		s := dumpObject(n.Family, n.LinkIndex)
		if n.Flags&NeighProxy != 0 {
			s = "proxy " + s
		}
		return s
	}
	return n.format(names)
}

// A NeighbourFilter selects neighbour entries in a listing. Zero fields
// select everything; a nil *NeighbourFilter selects every entry of the IPv4
// and IPv6 tables (FDB entries are listed with Family Bridge only, and proxy
// entries with Proxy only).
type NeighbourFilter struct {
	// Family selects a table: IPv4, IPv6 or Bridge (the FDB); zero is
	// IPv4 and IPv6.
	Family Family
	// LinkIndex selects entries of one interface (for FDB entries, of a
	// port); the kernel applies it, and user space again.
	LinkIndex int
	// MasterIndex selects entries of the interfaces enslaved to this one (for
	// the FDB, of a bridge and its ports). The kernel applies it; entries
	// do not name their interface's master, so user space cannot check
	// it again, except on FDB entries that carry NDA_MASTER.
	MasterIndex int
	// State, if not zero, selects entries in any of these states (a mask).
	State NeighState
	// Proxy lists the proxy entries (ip neigh show proxy) instead of the
	// others. It cannot be combined with Family Bridge.
	Proxy bool
}

// keep applies the filter in user space.
func (f *NeighbourFilter) keep(n *Neighbour) bool {
	if f == nil {
		f = &NeighbourFilter{} // the defaults: no proxies
	}
	if f.Family != AnyFamily && n.Family != f.Family {
		return false
	}
	if f.Family != Bridge && n.Family == Bridge {
		return false
	}
	if f.LinkIndex != 0 && n.LinkIndex != f.LinkIndex {
		return false
	}
	if f.MasterIndex != 0 && n.MasterIndex != 0 && n.MasterIndex != f.MasterIndex {
		return false
	}
	if f.State != 0 && n.State&f.State == 0 {
		return false
	}
	return (n.Flags&NeighProxy != 0) == f.Proxy
}

// check reports a filter the kernel would refuse.
func (f *NeighbourFilter) check() error {
	if f != nil && f.Proxy && f.Family == Bridge {
		return errors.New("rtnl: neighbour filter: no proxy entries in the bridge FDB")
	}
	return nil
}

// buildNeighbourDump appends the dump request for f to e. Under strict
// checking the kernel filters by interface (NDA_IFINDEX) and master
// (NDA_MASTER), and lists proxy entries for NTF_PROXY.
func buildNeighbourDump(e *nl.Encoder, f *NeighbourFilter) {
	e.Begin(unix.RTM_GETNEIGH, unix.NLM_F_DUMP)
	h := e.Fixed(ndmsgLen)
	if f == nil {
		e.End()
		return
	}
	h[0] = byte(f.Family)
	if f.Proxy {
		h[10] = unix.NTF_PROXY
	}
	if f.LinkIndex > 0 {
		e.Uint32(unix.NDA_IFINDEX, uint32(f.LinkIndex))
	}
	if f.MasterIndex > 0 {
		e.Uint32(unix.NDA_MASTER, uint32(f.MasterIndex))
	}
	e.End()
}

// Neighbours lists neighbour entries, decoding each from the receive buffer
// as it arrives. The *Neighbour is reused: it is valid until the next
// iteration (copy it to keep it; its LinkAddr is never reused).
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListNeighbours retries it instead.
func (h *Handle) Neighbours(ctx context.Context, f *NeighbourFilter) iter.Seq2[*Neighbour, error] {
	if err := f.check(); err != nil {
		return func(yield func(*Neighbour, error) bool) { yield(nil, err) }
	}
	return dump(ctx, h, func(e *nl.Encoder) { buildNeighbourDump(e, f) }, unix.RTM_NEWNEIGH, (*Neighbour).decode, f.keep)
}

// ListNeighbours returns the neighbour entries the filter selects,
// fetching the dump again if the kernel reports it was interrupted by a
// change.
func (h *Handle) ListNeighbours(ctx context.Context, f *NeighbourFilter) ([]Neighbour, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	return collect(ctx, h, func(e *nl.Encoder) { buildNeighbourDump(e, f) }, unix.RTM_NEWNEIGH, (*Neighbour).decode, f.keep)
}

// AddNeighbour adds a neighbour entry (ip neigh add, or bridge fdb add for
// Family Bridge); it fails with an error matching os.ErrExist if there is
// one. The zero State is NeighNone: a static entry needs NeighPermanent
// (or NeighNoARP, NeighReachable ...).
func (h *Handle) AddNeighbour(ctx context.Context, n *Neighbour) error {
	return h.changeNeighbour(ctx, Add, n)
}

// ReplaceNeighbour adds a neighbour entry or overrides the one there is.
func (h *Handle) ReplaceNeighbour(ctx context.Context, n *Neighbour) error {
	return h.changeNeighbour(ctx, Replace, n)
}

// AppendNeighbour adds an FDB entry beside those with the same address
// (bridge fdb append): another remote of a VXLAN device's default entry,
// for head-end replication.
func (h *Handle) AppendNeighbour(ctx context.Context, n *Neighbour) error {
	return h.changeNeighbour(ctx, Append, n)
}

// ChangeNeighbour changes an existing neighbour entry.
func (h *Handle) ChangeNeighbour(ctx context.Context, n *Neighbour) error {
	return h.changeNeighbour(ctx, Change, n)
}

// DeleteNeighbour deletes a neighbour entry, found by its interface and
// address (for FDB entries, by its interface, link-layer address, VLAN and
// NeighSelf or NeighMaster flag).
func (h *Handle) DeleteNeighbour(ctx context.Context, n *Neighbour) error {
	return h.changeNeighbour(ctx, Delete, n)
}

func (h *Handle) changeNeighbour(ctx context.Context, v Verb, n *Neighbour) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeNeighbour(e, v, n); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// Neighbour adds a change of a neighbour entry to the batch.
func (b *Batch) Neighbour(v Verb, n *Neighbour) error {
	return b.add(func(e *nl.Encoder) error { return encodeNeighbour(e, v, n) })
}
