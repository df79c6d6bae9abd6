package wireguard

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// fuzzFamily is the family fuzz seeds are encoded for.
var fuzzFamily = genl.Family{ID: 30, Name: FamilyName, Version: 1}

// encodeDevice encodes d as one WG_CMD_GET_DEVICE reply would carry it:
// the inverse of Decode for a device that fits one message, for tests.
func encodeDevice(e *nl.Encoder, d *Device) error {
	f := fuzzFamily
	f.Begin(e, unix.WG_CMD_GET_DEVICE, nl.Flags(unix.NLM_F_MULTI))
	e.Uint32(unix.WGDEVICE_A_IFINDEX, uint32(d.Index))
	e.String(unix.WGDEVICE_A_IFNAME, d.Name)
	e.Attr(unix.WGDEVICE_A_PRIVATE_KEY, d.PrivateKey[:])
	e.Attr(unix.WGDEVICE_A_PUBLIC_KEY, d.PublicKey[:])
	e.Uint16(unix.WGDEVICE_A_LISTEN_PORT, d.ListenPort)
	e.Uint32(unix.WGDEVICE_A_FWMARK, d.FirewallMark)
	if len(d.Peers) > 0 {
		peers := e.Nest(unix.WGDEVICE_A_PEERS)
		for _, p := range d.Peers {
			pn := e.Nest(0)
			e.Attr(unix.WGPEER_A_PUBLIC_KEY, p.PublicKey[:])
			e.Attr(unix.WGPEER_A_PRESHARED_KEY, p.PresharedKey[:])
			if p.Endpoint.IsValid() {
				sa, err := appendSockaddr(nil, p.Endpoint)
				if err != nil {
					return err
				}
				e.Attr(unix.WGPEER_A_ENDPOINT, sa)
			}
			e.Uint16(unix.WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, uint16(p.PersistentKeepalive/time.Second))
			ts := make([]byte, 16)
			if !p.LastHandshake.IsZero() {
				binary.NativeEndian.PutUint64(ts, uint64(p.LastHandshake.Unix()))
				binary.NativeEndian.PutUint64(ts[8:], uint64(p.LastHandshake.Nanosecond()))
			}
			e.Attr(unix.WGPEER_A_LAST_HANDSHAKE_TIME, ts)
			e.Uint64(unix.WGPEER_A_RX_BYTES, p.ReceiveBytes)
			e.Uint64(unix.WGPEER_A_TX_BYTES, p.TransmitBytes)
			if len(p.AllowedIPs) > 0 {
				ips := e.Nest(unix.WGPEER_A_ALLOWEDIPS)
				for _, a := range p.AllowedIPs {
					in := e.Nest(0)
					if a.Addr().Is4() {
						e.Uint16(unix.WGALLOWEDIP_A_FAMILY, unix.AF_INET)
					} else {
						e.Uint16(unix.WGALLOWEDIP_A_FAMILY, unix.AF_INET6)
					}
					e.Addr(unix.WGALLOWEDIP_A_IPADDR, a.Addr())
					e.Uint8(unix.WGALLOWEDIP_A_CIDR_MASK, uint8(a.Bits()))
					e.EndNest(in)
				}
				e.EndNest(ips)
			}
			e.Uint32(unix.WGPEER_A_PROTOCOL_VERSION, uint32(p.ProtocolVersion))
			e.EndNest(pn)
		}
		e.EndNest(peers)
	}
	return e.End()
}

// FuzzDeviceDecode decodes WG_CMD_GET_DEVICE replies: no input panics, and
// a device that decodes from one message encodes back to the same
// device. The corpus holds replies of a kernel with WireGuard (captured
// in a guest: NLKIT_CAPTURE_SEEDS=1, see TestCaptureDeviceSeeds).
func FuzzDeviceDecode(f *testing.F) {
	var e nl.Encoder
	encodeDevice(&e, &Device{Index: 4, Name: "wg0", PrivateKey: testKey(1), PublicKey: testKey(1).PublicKey(), ListenPort: 51820, FirewallMark: 9,
		Peers: []Peer{{PublicKey: testKey(2), PresharedKey: testKey(3), Endpoint: netip.MustParseAddrPort("[fe80::1%3]:5"),
			PersistentKeepalive: 25 * time.Second, LastHandshake: time.Unix(1700000000, 5), ReceiveBytes: 1, TransmitBytes: 2,
			AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}, ProtocolVersion: 1}}})
	f.Add(nl.AppendMessage(nil, e.Message(0)))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, _, err := nl.NextMessage(b)
		if err != nil {
			return
		}
		var d Device
		if d.Decode(m) != nil {
			return
		}
		for i := 1; i < len(d.Peers); i++ {
			if d.Peers[i].PublicKey == d.Peers[i-1].PublicKey {
				return // joined on decoding: not one message's device
			}
		}
		for _, p := range d.Peers {
			if p.PersistentKeepalive > 65535*time.Second {
				t.Fatalf("keepalive %v", p.PersistentKeepalive)
			}
		}
		var e nl.Encoder
		if encodeDevice(&e, &d) != nil {
			return
		}
		var again Device
		if err := again.Decode(e.Message(0)); err != nil {
			t.Fatalf("re-encoded %+v does not decode: %v", d, err)
		}
		if !reflect.DeepEqual(d, again) {
			t.Fatalf("decoded %+v, re-encoded and decoded %+v", d, again)
		}
	})
}

// writeSeeds records messages as seeds of the fuzz target, in
// testdata/fuzz/<fuzz>/ (go test's corpus format), or, with toLog (where
// the files would be lost, as in a guest), on the test's log as
// "SEED <fuzz> <hex>" lines, which TestSeedsFromLog writes back.
func writeSeeds(t *testing.T, fuzz string, msgs [][]byte, toLog bool) {
	dir := filepath.Join("testdata", "fuzz", fuzz)
	if toLog {
		for _, raw := range msgs {
			t.Logf("SEED %s %x", fuzz, raw)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, raw := range msgs {
		sum := sha256.Sum256(raw)
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", raw)
		if err := os.WriteFile(filepath.Join(dir, "kernel-"+hex.EncodeToString(sum[:8])), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%s: %d seeds in %s", fuzz, len(msgs), dir)
}

// TestSeedsFromLog writes back seeds logged in a guest
// (NLKIT_SEED_LOG=results.log go test ./wireguard -run SeedsFromLog).
func TestSeedsFromLog(t *testing.T) {
	path := os.Getenv("NLKIT_SEED_LOG")
	if path == "" {
		t.Skip("set NLKIT_SEED_LOG to a test log holding SEED lines")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	seeds := map[string][][]byte{}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		i := 0
		for i < len(f) && f[i] != "SEED" {
			i++
		}
		if i+2 >= len(f) {
			continue
		}
		raw, err := hex.DecodeString(f[i+2])
		if err != nil {
			t.Fatal(err)
		}
		seeds[f[i+1]] = append(seeds[f[i+1]], raw)
	}
	for fuzz, msgs := range seeds {
		writeSeeds(t, fuzz, msgs, false)
	}
}

// TestSplitSeedMessage checks the split of big replies into seeds: every
// part decodes, fits, and names its peers.
func TestSplitSeedMessage(t *testing.T) {
	d := Device{Index: 4, Name: "wg0", PrivateKey: testKey(1), PublicKey: testKey(1).PublicKey()}
	for i := range 3 {
		p := Peer{PublicKey: peerKey(i), Endpoint: netip.MustParseAddrPort("192.0.2.1:1"), ProtocolVersion: 1}
		for j := range 200 {
			p.AllowedIPs = append(p.AllowedIPs, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), byte(j >> 8), byte(j)}), 32))
		}
		d.Peers = append(d.Peers, p)
	}
	var e nl.Encoder
	if err := encodeDevice(&e, &d); err != nil {
		t.Fatal(err)
	}
	raw := nl.AppendMessage(nil, e.Message(0))
	parts := splitMessage(raw, 1024)
	if len(parts) < 2 {
		t.Fatalf("%d bytes in %d parts", len(raw), len(parts))
	}
	ips := 0
	for i, p := range parts {
		m, _, err := nl.NextMessage(p)
		if err != nil || len(p) > 1024 {
			t.Fatalf("part %d: %d bytes, %v", i, len(p), err)
		}
		var got Device
		if err := got.Decode(m); err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		if got.Name != "wg0" || got.Index != 4 {
			t.Errorf("part %d: %+v", i, got)
		}
		for _, peer := range got.Peers {
			if peer.PublicKey.IsZero() {
				t.Errorf("part %d: a peer without its key", i)
			}
			ips += len(peer.AllowedIPs)
		}
	}
	if ips != 600 {
		t.Errorf("%d allowed IPs in the parts, want 600", ips)
	}
	t.Logf("%d bytes in %d parts", len(raw), len(parts))
}
