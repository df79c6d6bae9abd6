package wireguard_test

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/wireguard"
	"golang.org/x/sys/unix"
)

// TestWireGuardPing is issue 14's acceptance 3: two namespaces joined by a
// veth pair (the underlay), a wireguard interface in each, configured
// entirely through nlkit — keys generated here, peers, endpoints, allowed
// IPs, listen ports, tunnel addresses — and an ICMP echo from one tunnel
// address answered by the other; then each side's peer shows the
// handshake, the bytes and the endpoint learnt.
func TestWireGuardPing(t *testing.T) {
	nsA, hA, cA := newNS(t)
	nsB, hB, cB := newNS(t)

	// The underlay: u0 (192.168.77.1) in A, u1 (192.168.77.2) in B.
	err := hA.AddLink(bg, &rtnl.Link{Name: "u0", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "u1", NetNS: nsB.NS}}}})
	if err != nil {
		t.Fatal(err)
	}
	underA, underB := netip.MustParsePrefix("192.168.77.1/24"), netip.MustParsePrefix("192.168.77.2/24")
	tunA, tunB := netip.MustParsePrefix("10.77.0.1/24"), netip.MustParsePrefix("10.77.0.2/24")
	up := func(h *rtnl.Handle, name string, p netip.Prefix) *rtnl.Link {
		t.Helper()
		l, err := h.LinkByName(bg, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.AddAddress(bg, &rtnl.Address{LinkIndex: l.Index, Prefix: p}); err != nil {
			t.Fatal(err)
		}
		if err := h.SetLinkUp(bg, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	up(hA, "u0", underA)
	up(hB, "u1", underB)

	// The tunnel: wg0 in each, keys made here.
	addDevice(t, hA, "wg0")
	addDevice(t, hB, "wg0")
	privA, privB := mustKey(t), mustKey(t)
	psk, err := wireguard.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	const portA, portB = 51820, 51821
	err = cA.Configure(bg, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
		PrivateKey: &privA, ListenPort: new(uint16(portA)), ReplacePeers: true,
		Peers: []wireguard.PeerConfig{{
			PublicKey: privB.PublicKey(), PresharedKey: &psk,
			Endpoint:   netip.AddrPortFrom(underB.Addr(), portB),
			AllowedIPs: []netip.Prefix{netip.PrefixFrom(tunB.Addr(), 32)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	// B is not told A's endpoint: it learns it from A's handshake.
	err = cB.Configure(bg, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
		PrivateKey: &privB, ListenPort: new(uint16(portB)), ReplacePeers: true,
		Peers: []wireguard.PeerConfig{{
			PublicKey: privA.PublicKey(), PresharedKey: &psk,
			AllowedIPs: []netip.Prefix{netip.PrefixFrom(tunA.Addr(), 32)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	up(hA, "wg0", tunA)
	up(hB, "wg0", tunB)

	before := time.Now()
	sent, err := ping(nsA, tunB.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("echo reply from %s through the tunnel after %d echo requests", tunB.Addr(), sent)

	dA, err := cA.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	dB, err := cB.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if dA.PublicKey != privA.PublicKey() || dA.ListenPort != portA || dB.PublicKey != privB.PublicKey() || dB.ListenPort != portB {
		t.Errorf("devices: A %+v, B %+v", dA, dB)
	}
	for _, side := range []struct {
		name     string
		d        *wireguard.Device
		peer     wireguard.Key
		endpoint netip.AddrPort
	}{
		{"A", dA, privB.PublicKey(), netip.AddrPortFrom(underB.Addr(), portB)},
		{"B", dB, privA.PublicKey(), netip.AddrPortFrom(underA.Addr(), portA)}, // learnt
	} {
		p := peerOf(t, side.d, side.peer)
		if p.LastHandshake.Before(before.Add(-time.Second)) || p.ReceiveBytes == 0 || p.TransmitBytes == 0 || p.Endpoint != side.endpoint || p.PresharedKey != psk {
			t.Errorf("%s's peer after the ping: %+v (want a handshake since %v, bytes both ways, endpoint %v)", side.name, p, before, side.endpoint)
		}
		t.Logf("%s's peer: handshake %v, rx %d, tx %d, endpoint %v", side.name, p.LastHandshake.Format(time.RFC3339Nano), p.ReceiveBytes, p.TransmitBytes, p.Endpoint)
	}
	wireguard.CaptureDeviceSeeds(t, cA, "wg0", 4096)
	wireguard.CaptureDeviceSeeds(t, cB, "wg0", 4096)
}

// maxEchoes bounds the echo requests ping sends, one a second, before it
// gives up: a liveness bound for a tunnel that never comes up (the first
// echo waits for the handshake, which takes well under a second natively
// and a few under emulation), not a measure of speed.
const maxEchoes = 300

// ping sends ICMP echo requests to dst from a raw socket in ns until one
// is answered, and returns how many it sent.
func ping(ns *netnstest.NS, dst netip.Addr) (int, error) {
	var sent int
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_ICMP)
		if err != nil {
			return fmt.Errorf("ping: raw ICMP socket: %w", err)
		}
		defer unix.Close(fd)
		var idb [2]byte
		rand.Read(idb[:])
		id := binary.BigEndian.Uint16(idb[:])
		to := &unix.SockaddrInet4{Addr: dst.As4()}
		buf := make([]byte, 1500)
		for sent < maxEchoes {
			sent++
			if err := unix.Sendto(fd, echoRequest(id, uint16(sent)), 0, to); err != nil {
				return fmt.Errorf("ping: send: %w", err)
			}
			// Read until a second passes without our reply.
			for {
				pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				n, err := unix.Poll(pfd, 1000)
				if errors.Is(err, unix.EINTR) {
					continue
				}
				if err != nil {
					return fmt.Errorf("ping: poll: %w", err)
				}
				if n == 0 {
					break
				}
				n, from, err := unix.Recvfrom(fd, buf, 0)
				if err != nil {
					return fmt.Errorf("ping: receive: %w", err)
				}
				if sa, ok := from.(*unix.SockaddrInet4); ok && sa.Addr == dst.As4() && isEchoReply(buf[:n], id) {
					return nil
				}
			}
		}
		return fmt.Errorf("ping: no echo reply from %s to %d echo requests", dst, sent)
	})
	return sent, err
}

// echoRequest builds an ICMP echo request.
func echoRequest(id, seq uint16) []byte {
	b := make([]byte, 8+16)
	b[0] = 8 // ICMP_ECHO
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	copy(b[8:], "nlkit wireguard!")
	binary.BigEndian.PutUint16(b[2:], checksum(b))
	return b
}

// isEchoReply reports whether b, an IPv4 packet as a raw socket reads it,
// is an ICMP echo reply with the identifier.
func isEchoReply(b []byte, id uint16) bool {
	if len(b) < 20 {
		return false
	}
	ihl := int(b[0]&0x0f) * 4
	if len(b) < ihl+8 {
		return false
	}
	icmp := b[ihl:]
	return icmp[0] == 0 && binary.BigEndian.Uint16(icmp[4:]) == id
}

// checksum is the Internet checksum (RFC 1071).
func checksum(b []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(b); i += 2 {
		s += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	if len(b)%2 == 1 {
		s += uint32(b[len(b)-1]) << 8
	}
	for s > 0xffff {
		s = s>>16 + s&0xffff
	}
	return ^uint16(s)
}
