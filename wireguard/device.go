package wireguard

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Device is a WireGuard interface's configuration and state, as the
// kernel reports it (WG_CMD_GET_DEVICE). Index or Name name the device in
// calls that take one.
type Device struct {
	// Index is the interface index; Name its name.
	Index int
	Name  string
	// PrivateKey is the device's private key, zero when none is set (the
	// kernel sends it only to CAP_NET_ADMIN); PublicKey is derived from it.
	PrivateKey Key
	PublicKey  Key
	// ListenPort is the UDP port the device listens on (chosen by the
	// kernel when configured as 0, once the device is up).
	ListenPort uint16
	// FirewallMark marks the device's outgoing packets; 0 is none.
	FirewallMark uint32
	// Peers are the device's peers, in the kernel's order.
	Peers []Peer
}

// A Peer is one peer of a device, as the kernel reports it.
type Peer struct {
	// PublicKey names the peer.
	PublicKey Key
	// PresharedKey is the symmetric key mixed into handshakes, zero when
	// none (sent only to CAP_NET_ADMIN).
	PresharedKey Key
	// Endpoint is where the peer's packets are sent, as configured or as
	// last learnt from the peer; the zero AddrPort when unknown.
	Endpoint netip.AddrPort
	// PersistentKeepalive is the interval of keepalives sent to the peer,
	// in whole seconds; 0 is none.
	PersistentKeepalive time.Duration
	// LastHandshake is when the last handshake with the peer completed;
	// the zero Time if none has.
	LastHandshake time.Time
	// ReceiveBytes and TransmitBytes count the bytes received from and
	// sent to the peer.
	ReceiveBytes, TransmitBytes uint64
	// AllowedIPs are the addresses the peer may send from and that are
	// routed to it.
	AllowedIPs []netip.Prefix
	// ProtocolVersion is the version of the protocol spoken with the peer.
	ProtocolVersion int
}

// Decode adds to d what m, one message of a WG_CMD_GET_DEVICE dump, says:
// the first message of a dump carries the device's attributes and its
// first peers, the next ones more peers, a peer whose allowed IPs did not
// fit being continued (its key again, with more allowed IPs) at the start
// of the next message. Decoding every message of a dump into one zero
// Device gives the whole device. Malformed input gives an error wrapping
// nl.ErrMalformed; nothing in d aliases m.
func (d *Device) Decode(m nl.Message) error {
	gm, err := genl.ParseMessage(m)
	if err != nil {
		return fmt.Errorf("wireguard: %w", err)
	}
	a := nl.NewAttrDecoder(gm.Payload)
	for a.Next() {
		switch a.Type() {
		case unix.WGDEVICE_A_IFINDEX:
			d.Index = int(a.Uint32())
		case unix.WGDEVICE_A_IFNAME:
			d.Name = a.String()
		case unix.WGDEVICE_A_PRIVATE_KEY:
			d.PrivateKey = key(&a)
		case unix.WGDEVICE_A_PUBLIC_KEY:
			d.PublicKey = key(&a)
		case unix.WGDEVICE_A_LISTEN_PORT:
			d.ListenPort = a.Uint16()
		case unix.WGDEVICE_A_FWMARK:
			d.FirewallMark = a.Uint32()
		case unix.WGDEVICE_A_PEERS:
			peers := a.Nested()
			for peers.Next() {
				var p Peer
				if err := p.decode(peers.Nested()); err != nil {
					return err
				}
				if n := len(d.Peers); n > 0 && d.Peers[n-1].PublicKey == p.PublicKey {
					d.Peers[n-1].merge(&p)
				} else {
					d.Peers = append(d.Peers, p)
				}
			}
			if err := peers.Err(); err != nil {
				return fmt.Errorf("wireguard: device %s: peers: %w", d.Name, err)
			}
		}
	}
	if err := a.Err(); err != nil {
		return fmt.Errorf("wireguard: device %s: %w", d.Name, err)
	}
	return nil
}

// key returns the current attribute as a key, failing the decoder if it
// is not KeyLen bytes.
func key(a *nl.AttrDecoder) Key {
	var k Key
	if b := a.Bytes(); len(b) == KeyLen {
		copy(k[:], b)
	} else {
		a.Fail(fmt.Errorf("attribute %d: key of %d bytes, want %d: %w", a.Type(), len(b), KeyLen, nl.ErrMalformed))
	}
	return k
}

// decode fills p from a peer's nest.
func (p *Peer) decode(a nl.AttrDecoder) error {
	for a.Next() {
		switch a.Type() {
		case unix.WGPEER_A_PUBLIC_KEY:
			p.PublicKey = key(&a)
		case unix.WGPEER_A_PRESHARED_KEY:
			p.PresharedKey = key(&a)
		case unix.WGPEER_A_ENDPOINT:
			ap, err := parseSockaddr(a.Bytes())
			if err != nil {
				a.Fail(err)
			}
			p.Endpoint = ap
		case unix.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
			p.PersistentKeepalive = time.Duration(a.Uint16()) * time.Second
		case unix.WGPEER_A_LAST_HANDSHAKE_TIME:
			b := a.Bytes()
			if len(b) != 16 { // struct __kernel_timespec
				a.Fail(fmt.Errorf("last handshake time of %d bytes, want 16: %w", len(b), nl.ErrMalformed))
				break
			}
			sec := int64(binary.NativeEndian.Uint64(b))
			nsec := int64(binary.NativeEndian.Uint64(b[8:]))
			if sec != 0 || nsec != 0 {
				p.LastHandshake = time.Unix(sec, nsec)
			}
		case unix.WGPEER_A_RX_BYTES:
			p.ReceiveBytes = a.Uint64()
		case unix.WGPEER_A_TX_BYTES:
			p.TransmitBytes = a.Uint64()
		case unix.WGPEER_A_PROTOCOL_VERSION:
			p.ProtocolVersion = int(a.Uint32())
		case unix.WGPEER_A_ALLOWEDIPS:
			ips := a.Nested()
			for ips.Next() {
				pfx, err := decodeAllowedIP(ips.Nested())
				if err != nil {
					return fmt.Errorf("wireguard: peer %s: allowed IP: %w", p.PublicKey, err)
				}
				p.AllowedIPs = append(p.AllowedIPs, pfx)
			}
			if err := ips.Err(); err != nil {
				return fmt.Errorf("wireguard: peer %s: allowed IPs: %w", p.PublicKey, err)
			}
		}
	}
	if err := a.Err(); err != nil {
		return fmt.Errorf("wireguard: peer %s: %w", p.PublicKey, err)
	}
	return nil
}

// merge adds to p what q, the continuation of the same peer in the next
// message of a dump, carries.
func (p *Peer) merge(q *Peer) {
	p.AllowedIPs = append(p.AllowedIPs, q.AllowedIPs...)
	if !q.PresharedKey.IsZero() {
		p.PresharedKey = q.PresharedKey
	}
	if q.Endpoint.IsValid() {
		p.Endpoint = q.Endpoint
	}
	if q.PersistentKeepalive != 0 {
		p.PersistentKeepalive = q.PersistentKeepalive
	}
	if !q.LastHandshake.IsZero() {
		p.LastHandshake = q.LastHandshake
	}
	p.ReceiveBytes = max(p.ReceiveBytes, q.ReceiveBytes)
	p.TransmitBytes = max(p.TransmitBytes, q.TransmitBytes)
	if q.ProtocolVersion != 0 {
		p.ProtocolVersion = q.ProtocolVersion
	}
}

// decodeAllowedIP decodes one allowed IP's nest.
func decodeAllowedIP(a nl.AttrDecoder) (netip.Prefix, error) {
	var family uint16
	var addr []byte
	bits := -1
	for a.Next() {
		switch a.Type() {
		case unix.WGALLOWEDIP_A_FAMILY:
			family = a.Uint16()
		case unix.WGALLOWEDIP_A_IPADDR:
			addr = a.Bytes()
		case unix.WGALLOWEDIP_A_CIDR_MASK:
			bits = int(a.Uint8())
		}
	}
	if err := a.Err(); err != nil {
		return netip.Prefix{}, err
	}
	var ip netip.Addr
	switch {
	case family == unix.AF_INET && len(addr) == 4:
		ip = netip.AddrFrom4([4]byte(addr))
	case family == unix.AF_INET6 && len(addr) == 16:
		ip = netip.AddrFrom16([16]byte(addr))
	default:
		return netip.Prefix{}, fmt.Errorf("family %d with an address of %d bytes: %w", family, len(addr), nl.ErrMalformed)
	}
	pfx := netip.PrefixFrom(ip, bits)
	if !pfx.IsValid() {
		return netip.Prefix{}, fmt.Errorf("%s with a prefix length of %d: %w", ip, bits, nl.ErrMalformed)
	}
	return pfx, nil
}

// parseSockaddr decodes a struct sockaddr_in or sockaddr_in6 (the port in
// network byte order, the family in the host's).
func parseSockaddr(b []byte) (netip.AddrPort, error) {
	if len(b) < 2 {
		return netip.AddrPort{}, fmt.Errorf("endpoint of %d bytes: %w", len(b), nl.ErrMalformed)
	}
	switch binary.NativeEndian.Uint16(b) {
	case unix.AF_INET:
		if len(b) < unix.SizeofSockaddrInet4 {
			break
		}
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), binary.BigEndian.Uint16(b[2:])), nil
	case unix.AF_INET6:
		if len(b) < unix.SizeofSockaddrInet6 {
			break
		}
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		if scope := binary.NativeEndian.Uint32(b[24:]); scope != 0 {
			ip = ip.WithZone(strconv.FormatUint(uint64(scope), 10))
		}
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(b[2:])), nil
	case unix.AF_UNSPEC:
		return netip.AddrPort{}, nil
	}
	return netip.AddrPort{}, fmt.Errorf("endpoint of family %d and %d bytes: %w", binary.NativeEndian.Uint16(b), len(b), nl.ErrMalformed)
}

// appendSockaddr appends ap as a struct sockaddr_in, or a sockaddr_in6
// for an IPv6 address (an IPv4-mapped one included); a zone must be an
// interface index.
func appendSockaddr(b []byte, ap netip.AddrPort) ([]byte, error) {
	ip := ap.Addr()
	if ip.Is4() {
		s := make([]byte, unix.SizeofSockaddrInet4)
		binary.NativeEndian.PutUint16(s, unix.AF_INET)
		binary.BigEndian.PutUint16(s[2:], ap.Port())
		a4 := ip.As4()
		copy(s[4:], a4[:])
		return append(b, s...), nil
	}
	var scope uint64
	if z := ip.Zone(); z != "" {
		var err error
		if scope, err = strconv.ParseUint(z, 10, 32); err != nil {
			return b, fmt.Errorf("endpoint %s: the zone must be an interface index", ap)
		}
	}
	s := make([]byte, unix.SizeofSockaddrInet6)
	binary.NativeEndian.PutUint16(s, unix.AF_INET6)
	binary.BigEndian.PutUint16(s[2:], ap.Port())
	a16 := ip.As16()
	copy(s[8:], a16[:])
	binary.NativeEndian.PutUint32(s[24:], uint32(scope))
	return append(b, s...), nil
}
