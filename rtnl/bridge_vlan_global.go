package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A BridgeVLANGlobal is a bridge's global options of a VLAN, or of a
// range of VLANs with the same options (BRIDGE_VLANDB_GLOBAL_OPTIONS;
// Linux 5.13 and later): the per-VLAN multicast snooping settings `bridge
// vlan global set` changes and `bridge vlan global show` lists. Its
// fields are named after bridge's keywords (McastLastMemberInterval is
// mcast_last_member_interval). When setting, the fields that are not nil
// are sent. Times are in hundredths of a second, as the kernel takes them.
// McastRouterPorts and MSTI are reported, never sent.
type BridgeVLANGlobal struct {
	// LinkIndex is the bridge.
	LinkIndex int
	// VID is the VLAN id, 1-4094; VIDEnd, if not 0, ends a range.
	VID, VIDEnd uint16

	McastSnooping              *bool
	McastQuerier               *bool
	McastIGMPVersion           *uint8
	McastMLDVersion            *uint8
	McastLastMemberCount       *uint32
	McastStartupQueryCount     *uint32
	McastLastMemberInterval    *uint64
	McastMembershipInterval    *uint64
	McastQuerierInterval       *uint64
	McastQueryInterval         *uint64
	McastQueryResponseInterval *uint64
	McastStartupQueryInterval  *uint64

	// McastRouterPorts are the VLAN's multicast router ports, with their
	// timers and types (BRIDGE_VLANDB_GOPTS_MCAST_ROUTER_PORTS); nil when
	// the kernel reports none, empty when it reports an empty list.
	McastRouterPorts []MDBRouterPort
	// MSTI is the multiple spanning tree instance the VLAN is in
	// (BRIDGE_VLANDB_GOPTS_MSTI, Linux 5.18 and later).
	MSTI *uint16
}

// A BridgeVLANGlobalDB is one message of the VLAN database's global
// options: those of one bridge's VLANs, as a dump (BridgeVLANGlobals) or
// an event (RTM_NEWVLAN) carries them. Entries of ports
// (BRIDGE_VLANDB_ENTRY) in the same message are BridgeVLANDB's.
type BridgeVLANGlobalDB struct {
	// LinkIndex is the bridge (br_vlan_msg.ifindex).
	LinkIndex int
	Options   []BridgeVLANGlobal
}

// Global option attributes (BRIDGE_VLANDB_GOPTS_*).
const (
	bridgeVLANDBGlobalOptions = 2
	bridgeVLANDBDumpGlobal    = 1 << 1

	bridgeVLANDBGoptsID                      = 1
	bridgeVLANDBGoptsRange                   = 2
	bridgeVLANDBGoptsMcastSnooping           = 3
	bridgeVLANDBGoptsMcastIGMPVersion        = 4
	bridgeVLANDBGoptsMcastMLDVersion         = 5
	bridgeVLANDBGoptsMcastLastMemberCnt      = 6
	bridgeVLANDBGoptsMcastStartupQueryCnt    = 7
	bridgeVLANDBGoptsMcastLastMemberIntvl    = 8
	bridgeVLANDBGoptsMcastMembershipIntvl    = 10
	bridgeVLANDBGoptsMcastQuerierIntvl       = 11
	bridgeVLANDBGoptsMcastQueryIntvl         = 12
	bridgeVLANDBGoptsMcastQueryResponseIntvl = 13
	bridgeVLANDBGoptsMcastStartupQueryIntvl  = 14
	bridgeVLANDBGoptsMcastQuerier            = 15
	bridgeVLANDBGoptsMcastRouterPorts        = 16
	bridgeVLANDBGoptsMSTI                    = 18
)

// Decode fills db from an RTM_NEWVLAN message, as a dump of global
// options or an event delivers it; entries that are not global options
// are skipped. db should be the zero BridgeVLANGlobalDB; it does not alias
// m afterwards. Malformed input gives an error wrapping nl.ErrMalformed,
// never a panic.
func (db *BridgeVLANGlobalDB) Decode(m nl.Message) error {
	b := m.Data
	if len(b) < brVLANMsgLen {
		return fmt.Errorf("rtnl: bridge vlan message of %d bytes, shorter than br_vlan_msg: %w", len(b), nl.ErrMalformed)
	}
	db.LinkIndex = int(int32(binary.NativeEndian.Uint32(b[4:8])))
	d := nl.NewAttrDecoder(b[brVLANMsgLen:])
	for d.Next() {
		if d.Type() != bridgeVLANDBGlobalOptions {
			continue
		}
		o := BridgeVLANGlobal{LinkIndex: db.LinkIndex}
		if err := o.decode(d.Nested()); err != nil {
			d.Fail(err)
			continue
		}
		db.Options = append(db.Options, o)
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: bridge vlan global options: %w", err)
	}
	db.Options = slices.Clip(db.Options)
	return nil
}

func (o *BridgeVLANGlobal) decode(d nl.AttrDecoder) error {
	id := false
	u8 := func() *uint8 { v := d.Uint8(); return &v }
	u32 := func() *uint32 { v := d.Uint32(); return &v }
	u64 := func() *uint64 { v := d.Uint64(); return &v }
	bl := func() *bool { v := d.Uint8() != 0; return &v }
	for d.Next() {
		switch d.Type() {
		case bridgeVLANDBGoptsID:
			o.VID, id = d.Uint16(), true
		case bridgeVLANDBGoptsRange:
			o.VIDEnd = d.Uint16()
		case bridgeVLANDBGoptsMcastSnooping:
			o.McastSnooping = bl()
		case bridgeVLANDBGoptsMcastQuerier:
			o.McastQuerier = bl()
		case bridgeVLANDBGoptsMcastIGMPVersion:
			o.McastIGMPVersion = u8()
		case bridgeVLANDBGoptsMcastMLDVersion:
			o.McastMLDVersion = u8()
		case bridgeVLANDBGoptsMcastLastMemberCnt:
			o.McastLastMemberCount = u32()
		case bridgeVLANDBGoptsMcastStartupQueryCnt:
			o.McastStartupQueryCount = u32()
		case bridgeVLANDBGoptsMcastLastMemberIntvl:
			o.McastLastMemberInterval = u64()
		case bridgeVLANDBGoptsMcastMembershipIntvl:
			o.McastMembershipInterval = u64()
		case bridgeVLANDBGoptsMcastQuerierIntvl:
			o.McastQuerierInterval = u64()
		case bridgeVLANDBGoptsMcastQueryIntvl:
			o.McastQueryInterval = u64()
		case bridgeVLANDBGoptsMcastQueryResponseIntvl:
			o.McastQueryResponseInterval = u64()
		case bridgeVLANDBGoptsMcastStartupQueryIntvl:
			o.McastStartupQueryInterval = u64()
		case bridgeVLANDBGoptsMSTI:
			v := d.Uint16()
			o.MSTI = &v
		case bridgeVLANDBGoptsMcastRouterPorts:
			// The ports are in an MDBA_ROUTER nest, as in an MDB dump.
			m := MDB{MasterIndex: o.LinkIndex, Routers: []MDBRouterPort{}}
			r := d.Nested()
			for r.Next() {
				if r.Type() != mdbaRouter {
					continue
				}
				if err := m.decodeRouters(r.Nested()); err != nil {
					return err
				}
			}
			if err := r.Err(); err != nil {
				return err
			}
			o.McastRouterPorts = slices.Clip(m.Routers)
		}
	}
	if err := d.Err(); err != nil {
		return err
	}
	if !id {
		return fmt.Errorf("bridge VLAN global options without BRIDGE_VLANDB_GOPTS_ID: %w", nl.ErrMalformed)
	}
	if o.VIDEnd == o.VID {
		o.VIDEnd = 0
	}
	return nil
}

// encodeBridgeVLANGlobal appends the request setting o.
func encodeBridgeVLANGlobal(e *nl.Encoder, o *BridgeVLANGlobal) error {
	if o == nil {
		return errors.New("rtnl: nil bridge VLAN global options")
	}
	if err := checkVIDs(o.VID, o.VIDEnd); err != nil {
		return err
	}
	if err := beginBridgeVLANDB(e, o.LinkIndex, "bridge VLAN global options"); err != nil {
		return err
	}
	n := e.Nest(bridgeVLANDBGlobalOptions)
	e.Uint16(bridgeVLANDBGoptsID, o.VID)
	if o.VIDEnd != 0 && o.VIDEnd != o.VID {
		e.Uint16(bridgeVLANDBGoptsRange, o.VIDEnd)
	}
	linkPutBool(e, bridgeVLANDBGoptsMcastSnooping, o.McastSnooping)
	linkPutBool(e, bridgeVLANDBGoptsMcastQuerier, o.McastQuerier)
	linkPutU8(e, bridgeVLANDBGoptsMcastIGMPVersion, o.McastIGMPVersion)
	linkPutU8(e, bridgeVLANDBGoptsMcastMLDVersion, o.McastMLDVersion)
	linkPutU32(e, bridgeVLANDBGoptsMcastLastMemberCnt, o.McastLastMemberCount)
	linkPutU32(e, bridgeVLANDBGoptsMcastStartupQueryCnt, o.McastStartupQueryCount)
	linkPutU64(e, bridgeVLANDBGoptsMcastLastMemberIntvl, o.McastLastMemberInterval)
	linkPutU64(e, bridgeVLANDBGoptsMcastMembershipIntvl, o.McastMembershipInterval)
	linkPutU64(e, bridgeVLANDBGoptsMcastQuerierIntvl, o.McastQuerierInterval)
	linkPutU64(e, bridgeVLANDBGoptsMcastQueryIntvl, o.McastQueryInterval)
	linkPutU64(e, bridgeVLANDBGoptsMcastQueryResponseIntvl, o.McastQueryResponseInterval)
	linkPutU64(e, bridgeVLANDBGoptsMcastStartupQueryIntvl, o.McastStartupQueryInterval)
	e.EndNest(n)
	return e.End()
}

// SetBridgeVLANGlobal changes a bridge's global options of a VLAN
// or range of VLANs the bridge has (`bridge vlan global set`). The
// multicast options need the bridge's per-VLAN multicast snooping
// (BridgeMcastVLANSnooping) for the kernel to use them.
func (h *Handle) SetBridgeVLANGlobal(ctx context.Context, o *BridgeVLANGlobal) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeBridgeVLANGlobal(e, o); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// BridgeVLANGlobal adds the change of VLAN global options to the
// batch.
func (b *Batch) BridgeVLANGlobal(o *BridgeVLANGlobal) error {
	return b.add(func(e *nl.Encoder) error { return encodeBridgeVLANGlobal(e, o) })
}

// A BridgeVLANGlobalFilter selects the global options of one bridge's
// VLANs; a nil filter selects those of every bridge.
type BridgeVLANGlobalFilter struct {
	// LinkIndex selects one bridge (filtered by the kernel).
	LinkIndex int
}

func buildBridgeVLANGlobalDump(e *nl.Encoder, f *BridgeVLANGlobalFilter) {
	e.Begin(rtmGetVLAN, unix.NLM_F_DUMP)
	h := e.Fixed(brVLANMsgLen)
	h[0] = unix.AF_BRIDGE
	if f != nil {
		binary.NativeEndian.PutUint32(h[4:], uint32(f.LinkIndex))
	}
	e.Uint32(bridgeVLANDBDumpFlags, bridgeVLANDBDumpGlobal)
	e.End()
}

// BridgeVLANGlobals lists the global options of bridges' VLANs (`bridge
// vlan global show`), one VLAN or range of VLANs with the same options
// at a time. The *BridgeVLANGlobal is reused: it is valid until the
// next iteration. A kernel before 5.13, or without VLAN filtering,
// refuses the dump or sends nothing.
func (h *Handle) BridgeVLANGlobals(ctx context.Context, f *BridgeVLANGlobalFilter) iter.Seq2[*BridgeVLANGlobal, error] {
	return flatDump(ctx, h, func(e *nl.Encoder) { buildBridgeVLANGlobalDump(e, f) }, rtmNewVLAN, (*BridgeVLANGlobalDB).Decode,
		func(db *BridgeVLANGlobalDB) bool { return f == nil || f.LinkIndex == 0 || db.LinkIndex == f.LinkIndex },
		func(db *BridgeVLANGlobalDB) []BridgeVLANGlobal { return db.Options })
}

// ListBridgeVLANGlobals returns the global VLAN options the filter
// selects, fetching the dump again if the kernel reports it was
// interrupted by a change.
func (h *Handle) ListBridgeVLANGlobals(ctx context.Context, f *BridgeVLANGlobalFilter) ([]BridgeVLANGlobal, error) {
	return listAll(h.BridgeVLANGlobals(ctx, f))
}
