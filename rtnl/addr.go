package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// An Address is an IPv4 or IPv6 address of an interface (struct ifaddrmsg
// and its IFA_* attributes).
//
// Netlink carries an address in two attributes whose meaning depends on the
// kind of interface: IFA_LOCAL is the interface's own address and
// IFA_ADDRESS the far end of a point-to-point link (the same address when
// there is no peer); an IPv6 address without a peer comes as IFA_ADDRESS
// alone. Address hides this: Prefix is always the interface's own address
// and Peer the far end, if any.
//
// When adding an address, zero fields are not sent: the kernel then uses
// scope global, no label (for IPv4, the interface's name), no broadcast
// address and infinite lifetimes.
type Address struct {
	// Family is IPv4 or IPv6; when adding, the zero value takes the family
	// of Prefix.
	Family Family
	// LinkIndex is the interface's index (ifa_index).
	LinkIndex int
	// Prefix is the interface's address with the length of the prefix it
	// belongs to (IFA_LOCAL, or IFA_ADDRESS without a peer, and
	// ifa_prefixlen).
	Prefix netip.Prefix
	// Peer is the far end of a point-to-point link (IFA_ADDRESS where it
	// differs from IFA_LOCAL), or the zero Prefix. Netlink has one prefix
	// length for both: Peer, if set, has the length of Prefix.
	Peer netip.Prefix
	// Broadcast is the IPv4 broadcast address (IFA_BROADCAST), if any.
	// None is derived: iproute2's `brd +` is Broadcast: BroadcastOf(Prefix)
	// (which vishvananda/netlink computes by default).
	Broadcast netip.Addr
	// Anycast is the anycast address (IFA_ANYCAST), if any.
	Anycast netip.Addr
	// Label is the IPv4 address label (IFA_LABEL), at most 15 bytes; the
	// kernel reports the interface's name for addresses without one.
	Label string
	// Scope is the address's scope (ifa_scope).
	Scope Scope
	// Flags are the address's flags (IFA_FLAGS, or ifa_flags from kernels
	// that send only the 8 bits of the header).
	Flags AddrFlags
	// ValidLifetime and PreferredLifetime are the remaining lifetimes in
	// seconds (IFA_CACHEINFO); LifetimeForever is infinite. When adding,
	// both zero means forever (nothing is sent), a zero ValidLifetime with
	// a non-zero PreferredLifetime means a valid lifetime of forever, and
	// a PreferredLifetime of 0 with a non-zero ValidLifetime makes the
	// address deprecated at once. Listing always reports both.
	ValidLifetime, PreferredLifetime uint32
	// Created and Updated are when the address was added and last changed,
	// as times since boot (IFA_CACHEINFO; reported, never sent).
	Created, Updated time.Duration
	// Protocol says who added the address (IFA_PROTO, Linux 5.18 and
	// later); zero is unspecified.
	Protocol AddrProtocol
	// RoutePriority is the metric of the prefix route the kernel adds for
	// the address (IFA_RT_PRIORITY; ip's "metric").
	RoutePriority uint32
}

// LifetimeForever is the lifetime of an address that does not expire.
const LifetimeForever uint32 = 0xffffffff

// AddrFlags are the flags of an address (IFA_F_*).
type AddrFlags uint32

// Address flags. Some are set by the kernel only (secondary, dadfailed,
// deprecated, tentative, permanent, stable-privacy); the others may be given
// when adding.
const (
	// AddrSecondary marks an IPv4 address that is not the first of its
	// prefix on its interface.
	AddrSecondary AddrFlags = unix.IFA_F_SECONDARY
	// AddrTemporary marks an IPv6 temporary (privacy) address; it is the
	// same bit as AddrSecondary.
	AddrTemporary AddrFlags = unix.IFA_F_TEMPORARY
	// AddrNoDAD skips IPv6 duplicate address detection.
	AddrNoDAD AddrFlags = unix.IFA_F_NODAD
	// AddrOptimistic uses an IPv6 address during duplicate address
	// detection (RFC 4429).
	AddrOptimistic AddrFlags = unix.IFA_F_OPTIMISTIC
	// AddrDADFailed marks an IPv6 address whose duplicate address
	// detection failed.
	AddrDADFailed AddrFlags = unix.IFA_F_DADFAILED
	// AddrHomeAddress marks a Mobile IPv6 home address (ip's "home").
	AddrHomeAddress AddrFlags = unix.IFA_F_HOMEADDRESS
	// AddrDeprecated marks an address whose preferred lifetime is over.
	AddrDeprecated AddrFlags = unix.IFA_F_DEPRECATED
	// AddrTentative marks an IPv6 address under duplicate address
	// detection.
	AddrTentative AddrFlags = unix.IFA_F_TENTATIVE
	// AddrPermanent marks an address with an infinite lifetime; ip prints
	// "dynamic" for addresses without it.
	AddrPermanent AddrFlags = unix.IFA_F_PERMANENT
	// AddrManageTempAddr makes the kernel create temporary addresses from
	// this one (ip's "mngtmpaddr").
	AddrManageTempAddr AddrFlags = unix.IFA_F_MANAGETEMPADDR
	// AddrNoPrefixRoute keeps the kernel from adding a route for the
	// address's prefix.
	AddrNoPrefixRoute AddrFlags = unix.IFA_F_NOPREFIXROUTE
	// AddrMcAutoJoin joins the multicast group of a multicast address
	// (ip's "autojoin").
	AddrMcAutoJoin AddrFlags = unix.IFA_F_MCAUTOJOIN
	// AddrStablePrivacy marks an IPv6 address made with RFC 7217 stable
	// privacy.
	AddrStablePrivacy AddrFlags = unix.IFA_F_STABLE_PRIVACY
)

// addrFlagNames are the flags' names in iproute2's order.
var addrFlagNames = []struct {
	f    AddrFlags
	name string
}{
	{AddrSecondary, "secondary"}, {AddrNoDAD, "nodad"},
	{AddrOptimistic, "optimistic"}, {AddrDADFailed, "dadfailed"},
	{AddrHomeAddress, "home"}, {AddrDeprecated, "deprecated"},
	{AddrTentative, "tentative"}, {AddrPermanent, "permanent"},
	{AddrManageTempAddr, "mngtmpaddr"}, {AddrNoPrefixRoute, "noprefixroute"},
	{AddrMcAutoJoin, "autojoin"}, {AddrStablePrivacy, "stable-privacy"},
}

// Names returns the names of the flags, as iproute2 spells them and in its
// order ("secondary", "nodad", "home", "mngtmpaddr", "autojoin", ...).
// Unknown bits are left out.
func (f AddrFlags) Names() []string {
	names := []string{}
	for _, n := range addrFlagNames {
		if f&n.f != 0 {
			names = append(names, n.name)
		}
	}
	return names
}

// String returns the names of the flags separated by spaces, with any
// unknown bits as "flags 0xN".
func (f AddrFlags) String() string {
	s := strings.Join(f.Names(), " ")
	var known AddrFlags
	for _, n := range addrFlagNames {
		known |= n.f
	}
	if rest := f &^ known; rest != 0 {
		if s != "" {
			s += " "
		}
		s += "flags 0x" + strconv.FormatUint(uint64(rest), 16)
	}
	return s
}

// ParseAddrFlag reads the name of one address flag, as iproute2 spells it
// ("nodad", "home", "mngtmpaddr", "noprefixroute", "autojoin", "temporary",
// ...).
func ParseAddrFlag(s string) (AddrFlags, error) {
	if s == "temporary" {
		return AddrTemporary, nil
	}
	for _, n := range addrFlagNames {
		if n.name == s {
			return n.f, nil
		}
	}
	return 0, fmt.Errorf("rtnl: unknown address flag %q", s)
}

// An AddrProtocol says who added an address (IFA_PROTO).
type AddrProtocol uint8

// The address protocols the kernel sets.
const (
	AddrProtoUnspec   AddrProtocol = 0
	AddrProtoKernelLo AddrProtocol = 1 // the loopback address
	AddrProtoKernelRA AddrProtocol = 2 // from a router advertisement
	AddrProtoKernelLL AddrProtocol = 3 // an IPv6 link-local address
)

var addrProtoNames = map[uint32]string{0: "unspec", 1: "kernel_lo", 2: "kernel_ra", 3: "kernel_ll"}

// String returns the protocol as iproute2 names it, or its number.
func (p AddrProtocol) String() string { return enumName(addrProtoNames, uint32(p)) }

// ParseAddrProtocol reads an address protocol name or number.
func ParseAddrProtocol(s string) (AddrProtocol, error) {
	v, err := enumParse(addrProtoNames, s, "address protocol", 255)
	return AddrProtocol(v), err
}

// Attributes newer than golang.org/x/sys/unix knows.
const ifaProto = 11 // IFA_PROTO

const ifaddrmsgLen = unix.SizeofIfAddrmsg

// Decode fills a from a RTM_NEWADDR or RTM_DELADDR message, as a dump or an event
// delivers it: the same decoder serves listings, events and caches. a
// should be the zero Address; it does not alias m afterwards. Malformed
// input gives an error wrapping nl.ErrMalformed, never a panic.
func (a *Address) Decode(m nl.Message) error { return a.decode(m, nil) }

// decode is Decode with the memory a points to taken from s.
func (a *Address) decode(m nl.Message, s *store) error {
	b := m.Data
	if len(b) < ifaddrmsgLen {
		return fmt.Errorf("rtnl: address message of %d bytes, shorter than ifaddrmsg: %w", len(b), nl.ErrMalformed)
	}
	a.Family = Family(b[0])
	bits := int(b[1])
	a.Flags = AddrFlags(b[2])
	a.Scope = Scope(b[3])
	a.LinkIndex = int(binary.NativeEndian.Uint32(b[4:8]))
	var local, address netip.Addr
	d := nl.NewAttrDecoder(b[ifaddrmsgLen:])
	for d.Next() {
		switch d.Type() {
		case unix.IFA_ADDRESS:
			address = d.Addr()
		case unix.IFA_LOCAL:
			local = d.Addr()
		case unix.IFA_LABEL:
			a.Label = s.intern(d.Bytes())
		case unix.IFA_BROADCAST:
			a.Broadcast = d.Addr()
		case unix.IFA_ANYCAST:
			a.Anycast = d.Addr()
		case unix.IFA_CACHEINFO:
			var ci [unix.SizeofIfaCacheinfo]byte
			d.Struct(ci[:])
			a.PreferredLifetime = binary.NativeEndian.Uint32(ci[0:])
			a.ValidLifetime = binary.NativeEndian.Uint32(ci[4:])
			a.Created = time.Duration(binary.NativeEndian.Uint32(ci[8:])) * 10 * time.Millisecond
			a.Updated = time.Duration(binary.NativeEndian.Uint32(ci[12:])) * 10 * time.Millisecond
		case unix.IFA_FLAGS:
			a.Flags = AddrFlags(d.Uint32())
		case unix.IFA_RT_PRIORITY:
			a.RoutePriority = d.Uint32()
		case ifaProto:
			a.Protocol = AddrProtocol(d.Uint8())
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("rtnl: address: %w", err)
	}
	if !local.IsValid() {
		local, address = address, netip.Addr{}
	} else if address == local {
		address = netip.Addr{}
	}
	var err error
	if a.Prefix, err = addrPrefix(local, bits); err != nil {
		return err
	}
	if a.Peer, err = addrPrefix(address, bits); err != nil {
		return err
	}
	return nil
}

// addrPrefix joins an address and the message's prefix length; an absent
// address gives the zero Prefix.
func addrPrefix(a netip.Addr, bits int) (netip.Prefix, error) {
	if !a.IsValid() {
		return netip.Prefix{}, nil
	}
	if bits > a.BitLen() {
		return netip.Prefix{}, fmt.Errorf("rtnl: address prefix length %d for %v: %w", bits, a, nl.ErrMalformed)
	}
	return netip.PrefixFrom(a, bits), nil
}

// family returns the address's family: Family, or that of Prefix.
func (a *Address) family() Family {
	if a.Family != AnyFamily || !a.Prefix.IsValid() {
		return a.Family
	}
	return familyOfAddr(a.Prefix.Addr())
}

// check validates an address for a change request.
func (a *Address) check() error {
	if !a.Prefix.IsValid() {
		return errors.New("rtnl: address without a Prefix")
	}
	f := a.family()
	if f != IPv4 && f != IPv6 {
		return fmt.Errorf("rtnl: address family %v, want inet or inet6", f)
	}
	if familyOfAddr(a.Prefix.Addr()) != f {
		return fmt.Errorf("rtnl: address family %v with Prefix %v", f, a.Prefix)
	}
	if a.LinkIndex <= 0 || a.LinkIndex > 1<<31-1 {
		return fmt.Errorf("rtnl: address %v without an interface index (Index %d)", a.Prefix, a.LinkIndex)
	}
	if a.Peer.IsValid() {
		if familyOfAddr(a.Peer.Addr()) != f {
			return fmt.Errorf("rtnl: address %v with Peer %v of another family", a.Prefix, a.Peer)
		}
		if a.Peer.Bits() != a.Prefix.Bits() {
			return fmt.Errorf("rtnl: address %v with Peer %v: netlink has one prefix length for both", a.Prefix, a.Peer)
		}
	}
	if a.Broadcast.IsValid() && familyOfAddr(a.Broadcast) != f {
		return fmt.Errorf("rtnl: address %v with Broadcast %v of another family", a.Prefix, a.Broadcast)
	}
	if a.Anycast.IsValid() && familyOfAddr(a.Anycast) != f {
		return fmt.Errorf("rtnl: address %v with Anycast %v of another family", a.Prefix, a.Anycast)
	}
	if len(a.Label) >= unix.IFNAMSIZ || strings.IndexByte(a.Label, 0) >= 0 {
		return fmt.Errorf("rtnl: address Label %q: at most %d bytes, no NUL", a.Label, unix.IFNAMSIZ-1)
	}
	if a.ValidLifetime != 0 && a.PreferredLifetime > a.ValidLifetime {
		return fmt.Errorf("rtnl: address %v: PreferredLifetime %d greater than ValidLifetime %d", a.Prefix, a.PreferredLifetime, a.ValidLifetime)
	}
	return nil
}

// encodeAddress appends one address request to e.
func encodeAddress(e *nl.Encoder, v Verb, a *Address) error {
	if a == nil {
		return errors.New("rtnl: nil address")
	}
	var t nl.MsgType = unix.RTM_NEWADDR
	switch v {
	case Add, Replace, Change:
	case Delete:
		t = unix.RTM_DELADDR
	default:
		return errVerb(v, "address")
	}
	if err := a.check(); err != nil {
		return err
	}
	e.Begin(t, v.flags())
	h := e.Fixed(ifaddrmsgLen)
	h[0] = byte(a.family())
	h[1] = byte(a.Prefix.Bits())
	h[2] = byte(a.Flags)
	h[3] = byte(a.Scope)
	binary.NativeEndian.PutUint32(h[4:], uint32(a.LinkIndex))
	e.Addr(unix.IFA_LOCAL, a.Prefix.Addr())
	if a.Peer.IsValid() {
		e.Addr(unix.IFA_ADDRESS, a.Peer.Addr())
	} else {
		e.Addr(unix.IFA_ADDRESS, a.Prefix.Addr())
	}
	if a.Label != "" {
		e.String(unix.IFA_LABEL, a.Label)
	}
	if a.Broadcast.IsValid() {
		e.Addr(unix.IFA_BROADCAST, a.Broadcast)
	}
	if a.Anycast.IsValid() {
		e.Addr(unix.IFA_ANYCAST, a.Anycast)
	}
	if a.Flags > 0xff {
		e.Uint32(unix.IFA_FLAGS, uint32(a.Flags))
	}
	if v != Delete && (a.ValidLifetime != 0 || a.PreferredLifetime != 0) {
		valid := a.ValidLifetime
		if valid == 0 {
			valid = LifetimeForever
		}
		var ci [unix.SizeofIfaCacheinfo]byte
		binary.NativeEndian.PutUint32(ci[0:], a.PreferredLifetime)
		binary.NativeEndian.PutUint32(ci[4:], valid)
		e.Attr(unix.IFA_CACHEINFO, ci[:])
	}
	if a.RoutePriority != 0 {
		e.Uint32(unix.IFA_RT_PRIORITY, a.RoutePriority)
	}
	if a.Protocol != AddrProtoUnspec {
		e.Uint8(ifaProto, uint8(a.Protocol))
	}
	return e.End()
}

// String words the address as iproute2's command line would, with the
// interface by index: "10.1.0.5/24 dev if3".
func (a *Address) String() string { return a.format(nil) }

// format words the address as ip would, naming interfaces with names
// (nil: "ifN").
func (a *Address) format(names func(int) string) string {
	if names == nil {
		names = func(i int) string { return "if" + strconv.Itoa(i) }
	}
	var b strings.Builder
	if a.Prefix.IsValid() {
		if a.Peer.IsValid() {
			b.WriteString(a.Prefix.Addr().String())
			b.WriteString(" peer ")
			b.WriteString(a.Peer.String())
		} else {
			b.WriteString(a.Prefix.String())
		}
	}
	if a.Label != "" {
		b.WriteString(" label ")
		b.WriteString(a.Label)
	}
	if a.LinkIndex != 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("dev ")
		b.WriteString(names(a.LinkIndex))
	}
	return b.String()
}

// addrObject words the address request m for errors.
func addrObject(m nl.Message, names func(int) string) string {
	var a Address
	if err := a.Decode(m); err != nil {
		return "(malformed)"
	}
	if m.Header.Type == unix.RTM_GETADDR {
		return dumpObject(a.Family, a.LinkIndex)
	}
	return a.format(names)
}

// dumpObject words a dump request filtered by family and interface:
// "inet6 dev if3", "dev if3", "all". It does not look up the interface's
// name: the usual error of a filtered dump, ENODEV, means there is none.
func dumpObject(f Family, index int) string {
	var parts []string
	if f != AnyFamily {
		parts = append(parts, f.String())
	}
	if index != 0 {
		parts = append(parts, "dev if"+strconv.Itoa(index))
	}
	if len(parts) == 0 {
		return "all"
	}
	return strings.Join(parts, " ")
}

// An AddressFilter selects addresses in a listing. Zero fields select
// everything; a nil *AddressFilter selects every address.
type AddressFilter struct {
	// Family and LinkIndex (an interface) are applied by the kernel, and again
	// in user space.
	Family    Family
	LinkIndex int
	// Scope, if not nil, selects addresses of that scope.
	Scope *Scope
	// Label, if not empty, is a shell pattern (as for path.Match, like
	// iproute2's fnmatch) the label must match. IPv6 addresses have no
	// label and do not match.
	Label string
	// Flags and FlagsMask select addresses whose flags, masked with
	// FlagsMask, equal Flags (ip's "permanent", "-tentative", ...).
	Flags, FlagsMask AddrFlags
	// Prefix, if valid, selects addresses (Prefix.Addr of the Address)
	// inside it (ip's "to PREFIX").
	Prefix netip.Prefix
}

// keep applies the filter in user space.
func (f *AddressFilter) keep(a *Address) bool {
	if f == nil {
		return true
	}
	if f.Family != AnyFamily && a.Family != f.Family {
		return false
	}
	if f.LinkIndex != 0 && a.LinkIndex != f.LinkIndex {
		return false
	}
	if f.Scope != nil && a.Scope != *f.Scope {
		return false
	}
	if (a.Flags^f.Flags)&f.FlagsMask != 0 {
		return false
	}
	if f.Label != "" {
		if ok, err := path.Match(f.Label, a.Label); err != nil || !ok {
			return false
		}
	}
	if f.Prefix.IsValid() && !(a.Prefix.IsValid() && f.Prefix.Contains(a.Prefix.Addr())) {
		return false
	}
	return true
}

// buildAddressDump appends the dump request for f to e. Under strict
// checking the kernel filters by family and by ifa_index.
func buildAddressDump(e *nl.Encoder, f *AddressFilter) {
	e.Begin(unix.RTM_GETADDR, unix.NLM_F_DUMP)
	h := e.Fixed(ifaddrmsgLen)
	if f != nil {
		h[0] = byte(f.Family)
		if f.LinkIndex > 0 {
			binary.NativeEndian.PutUint32(h[4:], uint32(f.LinkIndex))
		}
	}
	e.End()
}

// Addresses lists addresses, decoding each from the receive buffer as it
// arrives. The *Address is reused: it is valid until the next iteration
// (copy it to keep it; what it points to is never reused).
// Listing addresses of an interface that does not exist fails (ENODEV).
//
// A dump interrupted by a concurrent change ends with an error wrapping
// nl.ErrDumpInterrupted; ListAddresses retries it instead.
func (h *Handle) Addresses(ctx context.Context, f *AddressFilter) iter.Seq2[*Address, error] {
	return dump(ctx, h, func(e *nl.Encoder) { buildAddressDump(e, f) }, unix.RTM_NEWADDR, (*Address).decode, f.keep)
}

// ListAddresses returns the addresses the filter selects, fetching the
// dump again if the kernel reports it was interrupted by a change.
func (h *Handle) ListAddresses(ctx context.Context, f *AddressFilter) ([]Address, error) {
	return collect(ctx, h, func(e *nl.Encoder) { buildAddressDump(e, f) }, unix.RTM_NEWADDR, (*Address).decode, f.keep)
}

// AddAddress adds an address to an interface; it fails with an error
// matching os.ErrExist if the interface has it already.
func (h *Handle) AddAddress(ctx context.Context, a *Address) error {
	return h.changeAddress(ctx, Add, a)
}

// ReplaceAddress adds an address or changes the one the interface has
// (its flags, lifetimes, broadcast address, label and metric).
func (h *Handle) ReplaceAddress(ctx context.Context, a *Address) error {
	return h.changeAddress(ctx, Replace, a)
}

// ChangeAddress changes an address the interface has (its lifetimes,
// flags, label...). The kernel does not check that the address exists: for
// IPv4 and IPv6 alike it adds a missing one, as ReplaceAddress would.
func (h *Handle) ChangeAddress(ctx context.Context, a *Address) error {
	return h.changeAddress(ctx, Change, a)
}

// DeleteAddress removes an address from an interface; it fails with an
// error matching unix.EADDRNOTAVAIL if the interface does not have it.
// Fields other than LinkIndex, Prefix, Peer and Label do not matter. Deleting
// the primary IPv4 address of a prefix also deletes its secondaries, unless
// the interface promotes them (net.ipv4.conf.*.promote_secondaries).
func (h *Handle) DeleteAddress(ctx context.Context, a *Address) error {
	return h.changeAddress(ctx, Delete, a)
}

func (h *Handle) changeAddress(ctx context.Context, v Verb, a *Address) error {
	e := h.encoder()
	defer h.release(e)
	if err := encodeAddress(e, v, a); err != nil {
		return err
	}
	return h.request(ctx, e, nil)
}

// Address adds a change of an address to the batch.
func (b *Batch) Address(v Verb, a *Address) error {
	return b.add(func(e *nl.Encoder) error { return encodeAddress(e, v, a) })
}

// BroadcastOf returns the broadcast address of an IPv4 prefix, its host
// bits all set (iproute2's `brd +`), and false for an IPv6 prefix or an
// IPv4 prefix longer than 30 bits, which has none.
func BroadcastOf(p netip.Prefix) (netip.Addr, bool) {
	if !p.Addr().Is4() || p.Bits() < 0 || p.Bits() > 30 {
		return netip.Addr{}, false
	}
	b := p.Addr().As4()
	n := binary.BigEndian.Uint32(b[:]) | ^uint32(0)>>p.Bits()
	binary.BigEndian.PutUint32(b[:], n)
	return netip.AddrFrom4(b), true
}
