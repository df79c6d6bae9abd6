package wireguard

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Config is a change to a device's configuration (WG_CMD_SET_DEVICE):
// nil fields and empty lists leave what they stand for unchanged.
type Config struct {
	// PrivateKey, if not nil, sets the private key; a zero Key removes it.
	PrivateKey *Key
	// ListenPort, if not nil, sets the UDP port to listen on; 0 lets the
	// kernel choose one.
	ListenPort *uint16
	// FirewallMark, if not nil, sets the mark of outgoing packets; 0
	// removes it.
	FirewallMark *uint32
	// ReplacePeers removes every peer not in Peers
	// (WGDEVICE_F_REPLACE_PEERS); without it Peers are merged into the
	// device's.
	ReplacePeers bool
	// Peers are added, changed or removed, each named by its public key.
	Peers []PeerConfig
}

// A PeerConfig adds, changes or removes one peer, named by its public key.
// Fields left zero or nil leave what they stand for unchanged.
type PeerConfig struct {
	// PublicKey names the peer.
	PublicKey Key
	// Remove removes the peer (WGPEER_F_REMOVE_ME); the other fields are
	// then ignored.
	Remove bool
	// UpdateOnly changes the peer only if it exists, never adding it
	// (WGPEER_F_UPDATE_ONLY).
	UpdateOnly bool
	// PresharedKey, if not nil, sets the preshared key; a zero Key
	// removes it.
	PresharedKey *Key
	// Endpoint, if valid, sets where the peer's packets are sent.
	Endpoint netip.AddrPort
	// PersistentKeepalive, if not nil, sets the keepalive interval, in
	// whole seconds up to 65535; 0 turns keepalives off.
	PersistentKeepalive *time.Duration
	// ReplaceAllowedIPs removes the peer's allowed IPs not in AllowedIPs
	// (WGPEER_F_REPLACE_ALLOWEDIPS); without it AllowedIPs are added.
	ReplaceAllowedIPs bool
	// AllowedIPs are added to the peer's.
	AllowedIPs []netip.Prefix
}

// maxMessage is the size up to which a configuration is put in one
// request: far below the socket's send buffer, and below the 64 KiB that
// the 16-bit length of the peers' nest can describe.
const maxMessage = 32 << 10

// Upper bounds of the encoded sizes of the parts of a request, which
// decide where it is split.
const (
	// netlink and generic headers, the device's name, flags, key, port,
	// mark, and the peers' nest.
	deviceSize = nl.HeaderLen + genl.HeaderLen + (4 + 16) + 8 + (4 + KeyLen) + 8 + 8 + 4
	// a peer's nest, key, flags, preshared key, endpoint, keepalive and
	// allowed IPs' nest.
	peerSize = 4 + (4 + KeyLen) + 8 + (4 + KeyLen) + (4 + unix.SizeofSockaddrInet6) + 8 + 4
	// an allowed IP's nest, family, address and prefix length.
	allowedIPSize = 4 + 8 + (4 + 16) + 8
)

// A configWriter encodes a Config as one or more WG_CMD_SET_DEVICE
// requests of at most limit bytes each: the first carries the device's
// settings; a peer that does not fit is carried by the next request, and
// allowed IPs that do not fit continue the same peer in the next request,
// named by its key alone and flagged WGPEER_F_UPDATE_ONLY, so that a
// continuation never adds a peer the first part did not.
type configWriter struct {
	fam   *genl.Family
	dev   *Device // names the device
	cfg   *Config
	limit int

	started bool // the first request was written
	peer    int  // the next peer to write
	ip      int  // the next allowed IP of that peer; > 0 continues the peer
}

// done reports whether every part of the configuration was written.
func (w *configWriter) done() bool {
	return w.started && w.peer >= len(w.cfg.Peers)
}

// next encodes the next request into e.
func (w *configWriter) next(e *nl.Encoder) error {
	w.fam.Begin(e, unix.WG_CMD_SET_DEVICE, nl.Flags(unix.NLM_F_ACK))
	if w.dev.Index != 0 {
		e.Uint32(unix.WGDEVICE_A_IFINDEX, uint32(w.dev.Index))
	} else {
		e.String(unix.WGDEVICE_A_IFNAME, w.dev.Name)
	}
	if !w.started {
		w.started = true
		c := w.cfg
		if c.ReplacePeers {
			e.Uint32(unix.WGDEVICE_A_FLAGS, unix.WGDEVICE_F_REPLACE_PEERS)
		}
		if c.PrivateKey != nil {
			e.Attr(unix.WGDEVICE_A_PRIVATE_KEY, c.PrivateKey[:])
		}
		if c.ListenPort != nil {
			e.Uint16(unix.WGDEVICE_A_LISTEN_PORT, *c.ListenPort)
		}
		if c.FirewallMark != nil {
			e.Uint32(unix.WGDEVICE_A_FWMARK, *c.FirewallMark)
		}
	}
	size := deviceSize
	if w.peer < len(w.cfg.Peers) {
		peers := e.Nest(unix.WGDEVICE_A_PEERS)
		for n := 0; w.peer < len(w.cfg.Peers); n++ {
			p := &w.cfg.Peers[w.peer]
			need := peerSize
			if len(p.AllowedIPs) > w.ip && !p.Remove {
				need += allowedIPSize
			}
			if n > 0 && size+need > w.limit {
				break
			}
			full, err := w.writePeer(e, p, &size)
			if err != nil {
				return err
			}
			if !full {
				break
			}
			w.peer++
			w.ip = 0
		}
		e.EndNest(peers)
	}
	return e.End()
}

// writePeer encodes the peer (or its continuation) and as many of its
// allowed IPs as fit; it reports whether all of them did.
func (w *configWriter) writePeer(e *nl.Encoder, p *PeerConfig, size *int) (bool, error) {
	pn := e.Nest(0)
	e.Attr(unix.WGPEER_A_PUBLIC_KEY, p.PublicKey[:])
	*size += peerSize
	if w.ip > 0 {
		e.Uint32(unix.WGPEER_A_FLAGS, unix.WGPEER_F_UPDATE_ONLY)
	} else {
		var flags uint32
		if p.Remove {
			flags |= unix.WGPEER_F_REMOVE_ME
		}
		if p.UpdateOnly {
			flags |= unix.WGPEER_F_UPDATE_ONLY
		}
		if p.ReplaceAllowedIPs {
			flags |= unix.WGPEER_F_REPLACE_ALLOWEDIPS
		}
		if flags != 0 {
			e.Uint32(unix.WGPEER_A_FLAGS, flags)
		}
		if p.Remove {
			e.EndNest(pn)
			return true, nil
		}
		if p.PresharedKey != nil {
			e.Attr(unix.WGPEER_A_PRESHARED_KEY, p.PresharedKey[:])
		}
		if p.Endpoint.IsValid() {
			sa, err := appendSockaddr(nil, p.Endpoint)
			if err != nil {
				return false, fmt.Errorf("wireguard: peer %s: %w", p.PublicKey, err)
			}
			e.Attr(unix.WGPEER_A_ENDPOINT, sa)
		}
		if k := p.PersistentKeepalive; k != nil {
			if *k < 0 || *k > 65535*time.Second || *k%time.Second != 0 {
				return false, fmt.Errorf("wireguard: peer %s: persistent keepalive %v: not whole seconds from 0 to 65535", p.PublicKey, *k)
			}
			e.Uint16(unix.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, uint16(*k/time.Second))
		}
	}
	if w.ip < len(p.AllowedIPs) {
		ips := e.Nest(unix.WGPEER_A_ALLOWEDIPS)
		for wrote := 0; w.ip < len(p.AllowedIPs); w.ip++ {
			if wrote > 0 && *size+allowedIPSize > w.limit {
				e.EndNest(ips)
				e.EndNest(pn)
				return false, nil
			}
			pfx := p.AllowedIPs[w.ip]
			if !pfx.IsValid() {
				return false, fmt.Errorf("wireguard: peer %s: allowed IP %d is not a valid prefix", p.PublicKey, w.ip)
			}
			pfx = pfx.Masked()
			in := e.Nest(0)
			if pfx.Addr().Is4() {
				e.Uint16(unix.WGALLOWEDIP_A_FAMILY, unix.AF_INET)
			} else {
				e.Uint16(unix.WGALLOWEDIP_A_FAMILY, unix.AF_INET6)
			}
			e.Addr(unix.WGALLOWEDIP_A_IPADDR, pfx.Addr().WithZone(""))
			e.Uint8(unix.WGALLOWEDIP_A_CIDR_MASK, uint8(pfx.Bits()))
			e.EndNest(in)
			*size += allowedIPSize
			wrote++
		}
		e.EndNest(ips)
	}
	e.EndNest(pn)
	return true, nil
}
