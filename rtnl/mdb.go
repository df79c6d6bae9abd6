package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// An MDBEntry is an entry of a bridge's multicast database (struct
// br_mdb_entry and its MDBA_MDB_EATTR_* attributes): a port that has
// joined a group, in a VLAN. It is what `bridge mdb add` adds and `bridge
// mdb show` lists.
type MDBEntry struct {
	// MasterIndex is the bridge (br_port_msg.ifindex).
	MasterIndex int
	// LinkIndex is the port (br_mdb_entry.ifindex); the bridge itself
	// for a host-joined group.
	LinkIndex int
	// Group is the IPv4 or IPv6 group; GroupMAC the Ethernet group of a
	// layer 2 entry (Group then invalid).
	Group    netip.Addr
	GroupMAC net.HardwareAddr
	// VID is the VLAN of the entry, or 0.
	VID uint16
	// State is MDBTemporary or MDBPermanent.
	State MDBState
	// Flags are the entry's flags (reported, never sent).
	Flags MDBFlags
	// Source is the source of an (S, G) entry (MDBA_MDB_EATTR_SOURCE), or
	// invalid for a (*, G) entry.
	Source netip.Addr
	// FilterMode is the group's IGMPv3/MLDv2 filter mode
	// (MDBA_MDB_EATTR_GROUP_MODE), or MDBFilterNone when not reported.
	FilterMode MDBFilterMode
	// Sources are the group's source list (MDBA_MDB_EATTR_SRC_LIST;
	// reported, never sent).
	Sources []MDBSource
	// Protocol says who installed the entry (MDBA_MDB_EATTR_RTPROT;
	// reported, never sent).
	Protocol RouteProtocol
	// Timer is the time left before a temporary entry expires
	// (MDBA_MDB_EATTR_TIMER; reported, never sent).
	Timer time.Duration
}

// An MDBSource is a source of a group's source list.
type MDBSource struct {
	Addr  netip.Addr
	Timer time.Duration
}

// MDBState is the state of an MDB entry (MDB_TEMPORARY, MDB_PERMANENT).
type MDBState uint8

// The MDB entry states.
const (
	MDBTemporary MDBState = 0
	MDBPermanent MDBState = 1
)

// String returns the state as `bridge mdb` names it: temp or permanent.
func (s MDBState) String() string {
	if s&MDBPermanent != 0 {
		return "permanent"
	}
	return "temp"
}

// MDBFlags are the flags of an MDB entry (MDB_FLAGS_*).
type MDBFlags uint8

// The MDB entry flags.
const (
	MDBOffload   MDBFlags = 1 << 0
	MDBFastLeave MDBFlags = 1 << 1
	MDBStarExcl  MDBFlags = 1 << 2
	MDBBlocked   MDBFlags = 1 << 3
)

// Names returns the flags as `bridge mdb show` prints them: offload,
// fast_leave, added_by_star_ex, blocked.
func (f MDBFlags) Names() []string {
	n := []string{}
	for _, x := range []struct {
		f    MDBFlags
		name string
	}{{MDBOffload, "offload"}, {MDBFastLeave, "fast_leave"}, {MDBStarExcl, "added_by_star_ex"}, {MDBBlocked, "blocked"}} {
		if f&x.f != 0 {
			n = append(n, x.name)
		}
	}
	return n
}

// MDBFilterMode is an MDB group's filter mode.
type MDBFilterMode uint8

// The filter modes. MDBFilterNone is "not reported".
const (
	MDBFilterNone MDBFilterMode = iota
	MDBFilterExclude
	MDBFilterInclude
)

// String returns the mode as `bridge mdb` names it: include, exclude.
func (m MDBFilterMode) String() string {
	switch m {
	case MDBFilterExclude:
		return "exclude"
	case MDBFilterInclude:
		return "include"
	}
	return ""
}

// An MDBRouterPort is a port of a bridge behind which there is a
// multicast router (MDBA_ROUTER_PORT).
type MDBRouterPort struct {
	// MasterIndex is the bridge, LinkIndex the port.
	MasterIndex int
	LinkIndex   int
	// Timer, InetTimer and Inet6Timer are the times left before the port
	// stops being a router port (any, IPv4, IPv6).
	Timer, InetTimer, Inet6Timer time.Duration
	// Type is the port's multicast router type (as mcast_router).
	Type uint8
	// VID is the VLAN, with per-VLAN snooping.
	VID uint16
}

// An MDB is one message of the multicast database: the entries and
// router ports of one bridge, as a dump or an event (RTM_NEWMDB,
// RTM_DELMDB) carries them.
type MDB struct {
	// MasterIndex is the bridge.
	MasterIndex int
	Entries     []MDBEntry
	Routers     []MDBRouterPort
}

// MDB attributes (MDBA_*).
const (
	mdbaMDB    = 1
	mdbaRouter = 2

	mdbaMDBEntry     = 1
	mdbaMDBEntryInfo = 1

	mdbaEattrTimer     = 1
	mdbaEattrSrcList   = 2
	mdbaEattrGroupMode = 3
	mdbaEattrSource    = 4
	mdbaEattrRTProt    = 5

	mdbaSrcListEntry   = 1
	mdbaSrcAttrAddress = 1
	mdbaSrcAttrTimer   = 2

	mdbaRouterPort        = 1
	mdbaRouterPattrTimer  = 1
	mdbaRouterPattrType   = 2
	mdbaRouterPattrInet   = 3
	mdbaRouterPattrInet6  = 4
	mdbaRouterPattrVID    = 5
	mdbaSetEntry          = 1
	mdbaSetEntryAttrs     = 2
	mdbeAttrSource        = 1
	brPortMsgLen          = 8
	brMDBEntryLen         = 28
	ethPIP, ethPIPv6      = 0x0800, 0x86dd
	rtmNewMDB, rtmDelMDB  = unix.RTM_NEWMDB, unix.RTM_DELMDB
	rtmGetMDB             = unix.RTM_GETMDB
	mcastExclude, mcastIn = 0, 1
)

// Decode fills m from an MDB message: a dump reply (RTM_GETMDB) or an
// event (RTM_NEWMDB, RTM_DELMDB). m should be the zero MDB; it does not
// alias msg afterwards. Malformed input gives an error wrapping
// nl.ErrMalformed, never a panic.
func (m *MDB) Decode(msg nl.Message) error {
	b := msg.Data
	if len(b) < brPortMsgLen {
		return fmt.Errorf("rtnl: mdb message of %d bytes, shorter than br_port_msg: %w", len(b), nl.ErrMalformed)
	}
	m.MasterIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	d := nl.NewAttrDecoder(b[brPortMsgLen:])
	for d.Next() {
		switch d.Type() {
		case mdbaMDB:
			if err := m.decodeEntries(d.Nested()); err != nil {
				d.Fail(err)
			}
		case mdbaRouter:
			if err := m.decodeRouters(d.Nested()); err != nil {
				d.Fail(err)
			}
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: mdb: %w", err)
	}
	m.Entries = slices.Clip(m.Entries)
	m.Routers = slices.Clip(m.Routers)
	return nil
}

func (m *MDB) decodeEntries(d nl.AttrDecoder) error {
	for d.Next() {
		if d.Type() != mdbaMDBEntry {
			continue
		}
		in := d.Nested()
		for in.Next() {
			if in.Type() != mdbaMDBEntryInfo {
				continue
			}
			e := MDBEntry{MasterIndex: m.MasterIndex}
			if err := e.decodeInfo(in.Bytes()); err != nil {
				return err
			}
			m.Entries = append(m.Entries, e)
		}
		if err := in.Err(); err != nil {
			return err
		}
	}
	return d.Err()
}

// decodeInfo reads a struct br_mdb_entry and the attributes after it.
func (e *MDBEntry) decodeInfo(b []byte) error {
	if len(b) < brMDBEntryLen {
		return fmt.Errorf("mdb entry of %d bytes, shorter than br_mdb_entry: %w", len(b), nl.ErrMalformed)
	}
	e.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[0:4])))
	e.State = MDBState(b[4])
	e.Flags = MDBFlags(b[5])
	e.VID = binary.NativeEndian.Uint16(b[6:8])
	proto := binary.BigEndian.Uint16(b[24:26])
	switch proto {
	case ethPIP:
		e.Group = netip.AddrFrom4([4]byte(b[8:12]))
	case ethPIPv6:
		e.Group = netip.AddrFrom16([16]byte(b[8:24]))
	default:
		e.GroupMAC = net.HardwareAddr(slices.Clone(b[8:14]))
	}
	d := nl.NewAttrDecoder(b[nl.AttrAlign(brMDBEntryLen):])
	for d.Next() {
		switch d.Type() {
		case mdbaEattrTimer:
			e.Timer = ticks(d.Uint32())
		case mdbaEattrGroupMode:
			if d.Uint8() == mcastIn {
				e.FilterMode = MDBFilterInclude
			} else {
				e.FilterMode = MDBFilterExclude
			}
		case mdbaEattrSource:
			e.Source = d.Addr()
		case mdbaEattrRTProt:
			e.Protocol = RouteProtocol(d.Uint8())
		case mdbaEattrSrcList:
			s := d.Nested()
			for s.Next() {
				if s.Type() != mdbaSrcListEntry {
					continue
				}
				var src MDBSource
				a := s.Nested()
				for a.Next() {
					switch a.Type() {
					case mdbaSrcAttrAddress:
						src.Addr = a.Addr()
					case mdbaSrcAttrTimer:
						src.Timer = ticks(a.Uint32())
					}
				}
				if err := a.Err(); err != nil {
					return err
				}
				e.Sources = append(e.Sources, src)
			}
			if err := s.Err(); err != nil {
				return err
			}
		}
	}
	e.Sources = slices.Clip(e.Sources)
	return d.Err()
}

func (m *MDB) decodeRouters(d nl.AttrDecoder) error {
	for d.Next() {
		if d.Type() != mdbaRouterPort {
			continue
		}
		b := d.Bytes()
		if len(b) < 4 {
			return fmt.Errorf("mdb router port of %d bytes: %w", len(b), nl.ErrMalformed)
		}
		r := MDBRouterPort{MasterIndex: m.MasterIndex, LinkIndex: int(int32(binary.NativeEndian.Uint32(b)))}
		a := nl.NewAttrDecoder(b[4:])
		for a.Next() {
			switch a.Type() {
			case mdbaRouterPattrTimer:
				r.Timer = ticks(a.Uint32())
			case mdbaRouterPattrType:
				r.Type = a.Uint8()
			case mdbaRouterPattrInet:
				r.InetTimer = ticks(a.Uint32())
			case mdbaRouterPattrInet6:
				r.Inet6Timer = ticks(a.Uint32())
			case mdbaRouterPattrVID:
				r.VID = a.Uint16()
			}
		}
		if err := a.Err(); err != nil {
			return err
		}
		m.Routers = append(m.Routers, r)
	}
	return d.Err()
}

// String words the entry as `bridge mdb` takes it, with interfaces by
// index: "dev if2 port if3 grp 239.1.1.1 permanent vid 10".
func (e *MDBEntry) String() string { return e.format(nil) }

func (e *MDBEntry) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	s := "dev " + names(e.MasterIndex) + " port " + names(e.LinkIndex) + " grp "
	if e.Group.IsValid() {
		s += e.Group.String()
	} else {
		s += e.GroupMAC.String()
	}
	if e.Source.IsValid() {
		s += " src " + e.Source.String()
	}
	s += " " + e.State.String()
	if e.VID != 0 {
		s += " vid " + strconv.Itoa(int(e.VID))
	}
	return s
}

// encodeMDBEntry appends the request adding, replacing or deleting x.
func encodeMDBEntry(e *nl.Encoder, v Verb, x *MDBEntry) error {
	if x == nil {
		return errors.New("rtnl: nil mdb entry")
	}
	var t nl.MsgType = rtmNewMDB
	switch v {
	case Add, Replace:
	case Delete:
		t = rtmDelMDB
	default:
		return errVerb(v, "mdb entry")
	}
	switch {
	case x.MasterIndex <= 0:
		return fmt.Errorf("rtnl: mdb entry without a bridge (MasterIndex %d)", x.MasterIndex)
	case x.LinkIndex <= 0:
		return fmt.Errorf("rtnl: mdb entry without a port (LinkIndex %d)", x.LinkIndex)
	case !x.Group.IsValid() && len(x.GroupMAC) != 6:
		return errors.New("rtnl: mdb entry without a group (Group or GroupMAC)")
	case x.VID >= 4095:
		return fmt.Errorf("rtnl: mdb entry VID %d out of range 1-4094", x.VID)
	}
	e.Begin(t, v.flags())
	h := e.Fixed(brPortMsgLen)
	h[0] = unix.AF_BRIDGE
	binary.NativeEndian.PutUint32(h[4:], uint32(x.MasterIndex))
	var b [brMDBEntryLen]byte
	binary.NativeEndian.PutUint32(b[0:], uint32(x.LinkIndex))
	b[4] = byte(x.State)
	binary.NativeEndian.PutUint16(b[6:], x.VID)
	switch g := x.Group.Unmap(); {
	case g.Is4():
		a := g.As4()
		copy(b[8:], a[:])
		binary.BigEndian.PutUint16(b[24:], ethPIP)
	case g.Is6():
		a := g.As16()
		copy(b[8:], a[:])
		binary.BigEndian.PutUint16(b[24:], ethPIPv6)
	default:
		copy(b[8:], x.GroupMAC)
	}
	e.Attr(mdbaSetEntry, b[:])
	if x.Source.IsValid() {
		n := e.Nest(mdbaSetEntryAttrs)
		e.Addr(mdbeAttrSource, x.Source.Unmap())
		e.EndNest(n)
	}
	return e.End()
}

// An MDBEntryFilter selects MDB entries in a listing; a nil filter selects
// every entry of every bridge.
type MDBEntryFilter struct {
	// MasterIndex selects one bridge's entries, LinkIndex one port's.
	MasterIndex int
	LinkIndex   int
	// VID selects one VLAN's entries.
	VID uint16
}

func (f *MDBEntryFilter) keep(e *MDBEntry) bool {
	if f == nil {
		return true
	}
	return (f.MasterIndex == 0 || e.MasterIndex == f.MasterIndex) &&
		(f.LinkIndex == 0 || e.LinkIndex == f.LinkIndex) &&
		(f.VID == 0 || e.VID == f.VID)
}

// buildMDBDump encodes the dump request of the multicast databases (the
// kernel filters them by nothing: MDBs filters in user space).
func buildMDBDump(e *nl.Encoder) {
	e.Begin(rtmGetMDB, unix.NLM_F_DUMP)
	h := e.Fixed(brPortMsgLen)
	h[0] = unix.AF_BRIDGE
	e.End()
}

// mdbs lists the multicast database one message (one bridge's part) at a
// time, with its router ports. The *MDB is reused: it is valid until the
// next iteration.
func (h *Handle) mdbs(ctx context.Context, f *MDBEntryFilter) iter.Seq2[*MDB, error] {
	return func(yield func(*MDB, error) bool) {
		e := h.encoder()
		defer h.release(e)
		buildMDBDump(e)
		if err := e.Err(); err != nil {
			yield(nil, err)
			return
		}
		var m MDB
		for msg, err := range h.c.Dump(ctx, e) {
			if err != nil {
				h.nameError(ctx, err, e.Message(0))
				yield(nil, err)
				return
			}
			if msg.Header.Type != rtmGetMDB && msg.Header.Type != rtmNewMDB {
				continue
			}
			m = MDB{}
			if err := m.Decode(msg); err != nil {
				yield(nil, err)
				return
			}
			if f != nil && f.MasterIndex != 0 && m.MasterIndex != f.MasterIndex {
				continue
			}
			m.Entries = slices.DeleteFunc(m.Entries, func(x MDBEntry) bool { return !f.keep(&x) })
			if !yield(&m, nil) {
				return
			}
		}
	}
}

// An MDBRouterPortFilter selects router ports; a nil filter selects those
// of every bridge.
type MDBRouterPortFilter struct {
	// MasterIndex selects one bridge's router ports.
	MasterIndex int
}

// ListMDBRouterPorts returns the router ports of the bridges, as the MDB
// dump lists them.
func (h *Handle) ListMDBRouterPorts(ctx context.Context, f *MDBRouterPortFilter) ([]MDBRouterPort, error) {
	var ef *MDBEntryFilter
	if f != nil {
		ef = &MDBEntryFilter{MasterIndex: f.MasterIndex}
	}
	var out []MDBRouterPort
	err := nl.Retry(nl.DefaultRetries, func() error {
		out = out[:0]
		for m, err := range h.mdbs(ctx, ef) {
			if err != nil {
				return err
			}
			out = append(out, m.Routers...)
		}
		return nil
	})
	return out, err
}

// MDBEntries lists the entries of the multicast databases of the bridges.
// The *MDBEntry is reused: it is valid until the next iteration.
func (h *Handle) MDBEntries(ctx context.Context, f *MDBEntryFilter) iter.Seq2[*MDBEntry, error] {
	return func(yield func(*MDBEntry, error) bool) {
		for m, err := range h.mdbs(ctx, f) {
			if err != nil {
				yield(nil, err)
				return
			}
			for i := range m.Entries {
				if !yield(&m.Entries[i], nil) {
					return
				}
			}
		}
	}
}

// ListMDBEntries returns the MDB entries the filter selects, fetching the
// dump again if the kernel reports it was interrupted by a change.
func (h *Handle) ListMDBEntries(ctx context.Context, f *MDBEntryFilter) ([]MDBEntry, error) {
	return listAll(h.MDBEntries(ctx, f))
}

// AddMDBEntry adds a port to a group of a bridge's multicast database
// (`bridge mdb add`); it fails with an error matching os.ErrExist if the
// entry is there.
func (h *Handle) AddMDBEntry(ctx context.Context, x *MDBEntry) error {
	return h.changeMDBEntry(ctx, Add, x)
}

// ReplaceMDBEntry adds an MDB entry or replaces the one there is (Linux
// 6.2 and later).
func (h *Handle) ReplaceMDBEntry(ctx context.Context, x *MDBEntry) error {
	return h.changeMDBEntry(ctx, Replace, x)
}

// DeleteMDBEntry deletes an MDB entry, found by its bridge, port, group,
// source and VLAN (`bridge mdb del`).
func (h *Handle) DeleteMDBEntry(ctx context.Context, x *MDBEntry) error {
	return h.changeMDBEntry(ctx, Delete, x)
}

func (h *Handle) changeMDBEntry(ctx context.Context, v Verb, x *MDBEntry) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeMDBEntry(e, v, x); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// MDBEntry adds a change of an MDB entry to the batch.
func (b *Batch) MDBEntry(v Verb, x *MDBEntry) error {
	return b.add(func(e *nl.Encoder) error { return encodeMDBEntry(e, v, x) })
}

// mdbObject words the MDB request m for errors.
func mdbObject(m nl.Message, names func(int) string) string {
	b := m.Data
	if len(b) < brPortMsgLen {
		return "(malformed)"
	}
	x := MDBEntry{MasterIndex: int(int32(binary.NativeEndian.Uint32(b[4:8])))}
	if m.Header.Type == rtmGetMDB {
		return "mdb"
	}
	d := nl.NewAttrDecoder(b[brPortMsgLen:])
	for d.Next() {
		if d.Type() == mdbaSetEntry {
			if x.decodeInfo(d.Bytes()) != nil {
				return "(malformed)"
			}
		}
	}
	return "mdb " + x.format(names)
}
