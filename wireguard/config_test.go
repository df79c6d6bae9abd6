package wireguard

import (
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// testKey returns a key made of one repeated byte.
func testKey(b byte) Key {
	var k Key
	for i := range k {
		k[i] = b
	}
	return k
}

// peerKey returns a distinct key for each i.
func peerKey(i int) Key {
	k := testKey(0xaa)
	k[0], k[1] = byte(i), byte(i>>8)
	return k
}

// bigConfig returns a configuration of n peers with m allowed IPs each,
// alternately IPv4 and IPv6.
func bigConfig(n, m int) *Config {
	c := &Config{PrivateKey: new(testKey(1)), ListenPort: new(uint16(51820)), FirewallMark: new(uint32(7)), ReplacePeers: true}
	for i := range n {
		p := PeerConfig{
			PublicKey:           peerKey(i),
			PresharedKey:        new(testKey(0xee)),
			Endpoint:            netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(1000+i)),
			PersistentKeepalive: new(25 * time.Second),
			ReplaceAllowedIPs:   true,
		}
		for j := range m {
			if j%2 == 0 {
				p.AllowedIPs = append(p.AllowedIPs, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), byte(j >> 8), byte(j)}), 32))
			} else {
				p.AllowedIPs = append(p.AllowedIPs, netip.MustParsePrefix(fmt.Sprintf("fd00:%x:%x::/64", i, j)))
			}
		}
		c.Peers = append(c.Peers, p)
	}
	return c
}

// writeAll encodes every request of cfg with the limit and returns them.
func writeAll(t *testing.T, cfg *Config, limit int) []nl.Message {
	t.Helper()
	fam := &genl.Family{ID: 30, Name: FamilyName, Version: 1}
	w := configWriter{fam: fam, dev: &Device{Name: "wg0"}, cfg: cfg, limit: limit}
	var out []nl.Message
	for !w.done() {
		var e nl.Encoder
		if err := w.next(&e); err != nil {
			t.Fatal(err)
		}
		if e.Len() != 1 {
			t.Fatalf("%d messages in one request", e.Len())
		}
		m := e.Message(0).Clone()
		// A request holds at least a peer and one of its allowed IPs.
		if n := int(m.Header.Len); n > max(limit, deviceSize+peerSize+allowedIPSize) {
			t.Errorf("request %d: %d bytes, over the limit of %d", len(out), n, limit)
		}
		out = append(out, m)
		if len(out) > 100000 {
			t.Fatal("the writer makes no progress")
		}
	}
	return out
}

// TestConfigSplit checks that a configuration split over several requests
// carries exactly what it holds: the device's settings in the first
// request only, each peer's settings once, its allowed IPs in order, and
// continuations flagged to update only.
func TestConfigSplit(t *testing.T) {
	for _, tc := range []struct{ peers, ips, limit int }{
		{0, 0, maxMessage},
		{1, 1, maxMessage},
		{3, 5, maxMessage},
		{500, 4, maxMessage},
		{2, 3000, maxMessage},
		{7, 9, 300}, // every request a peer or a handful of IPs
		{3, 40, 10}, // less than a peer: one allowed IP per request
	} {
		cfg := bigConfig(tc.peers, tc.ips)
		msgs := writeAll(t, cfg, tc.limit)
		var got Device
		peerSeen := map[Key]int{}
		for i, m := range msgs {
			gm, err := genl.ParseMessage(m)
			if err != nil || gm.Header.Command != unix.WG_CMD_SET_DEVICE {
				t.Fatalf("request %d: %+v %v", i, gm.Header, err)
			}
			d := nl.NewAttrDecoder(gm.Payload)
			for d.Next() {
				switch d.Type() {
				case unix.WGDEVICE_A_FLAGS, unix.WGDEVICE_A_PRIVATE_KEY, unix.WGDEVICE_A_LISTEN_PORT, unix.WGDEVICE_A_FWMARK:
					if i > 0 {
						t.Errorf("%v: request %d carries device attribute %d", tc, i, d.Type())
					}
				case unix.WGDEVICE_A_PEERS:
					peers := d.Nested()
					for peers.Next() {
						var p Peer
						var flags uint32
						pd := peers.Nested()
						for pd.Next() {
							if pd.Type() == unix.WGPEER_A_FLAGS {
								flags = pd.Uint32()
							}
						}
						if err := p.decode(peers.Nested()); err != nil {
							t.Fatal(err)
						}
						peerSeen[p.PublicKey]++
						if peerSeen[p.PublicKey] > 1 {
							if flags != unix.WGPEER_F_UPDATE_ONLY || p.Endpoint.IsValid() || !p.PresharedKey.IsZero() {
								t.Errorf("%v: continuation of peer %s: flags %#x, endpoint %v", tc, p.PublicKey, flags, p.Endpoint)
							}
						} else if flags != unix.WGPEER_F_REPLACE_ALLOWEDIPS {
							t.Errorf("%v: first part of peer %s: flags %#x", tc, p.PublicKey, flags)
						}
					}
				}
			}
			if err := got.Decode(m); err != nil {
				t.Fatal(err)
			}
		}
		if len(got.Peers) != tc.peers {
			t.Fatalf("%v: %d peers after decoding %d requests", tc, len(got.Peers), len(msgs))
		}
		for i, p := range got.Peers {
			want := cfg.Peers[i]
			if p.PublicKey != want.PublicKey || p.Endpoint != want.Endpoint || p.PresharedKey != *want.PresharedKey ||
				p.PersistentKeepalive != *want.PersistentKeepalive || !reflect.DeepEqual(p.AllowedIPs, want.AllowedIPs) {
				t.Errorf("%v: peer %d: %+v, want %+v", tc, i, p, want)
			}
		}
		if tc.peers*tc.ips*allowedIPSize > 2*tc.limit && len(msgs) < 2 {
			t.Errorf("%v: one request", tc)
		}
		t.Logf("%d peers × %d allowed IPs, limit %d: %d requests", tc.peers, tc.ips, tc.limit, len(msgs))
	}
}

// TestConfigRemove checks a removal carries the key and flag alone.
func TestConfigRemove(t *testing.T) {
	cfg := &Config{Peers: []PeerConfig{{PublicKey: testKey(9), Remove: true, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}}
	msgs := writeAll(t, cfg, maxMessage)
	var d Device
	if len(msgs) != 1 || d.Decode(msgs[0]) != nil || len(d.Peers) != 1 || len(d.Peers[0].AllowedIPs) != 0 {
		t.Errorf("%d requests, %+v", len(msgs), d)
	}
}

// TestConfigInvalid checks refusals before sending.
func TestConfigInvalid(t *testing.T) {
	fam := &genl.Family{ID: 30, Name: FamilyName, Version: 1}
	for _, cfg := range []*Config{
		{Peers: []PeerConfig{{AllowedIPs: []netip.Prefix{{}}}}},
		{Peers: []PeerConfig{{PersistentKeepalive: new(1500 * time.Millisecond)}}},
		{Peers: []PeerConfig{{PersistentKeepalive: new(70000 * time.Second)}}},
		{Peers: []PeerConfig{{Endpoint: netip.MustParseAddrPort("[fe80::1%eth0]:1")}}},
	} {
		w := configWriter{fam: fam, dev: &Device{Index: 3}, cfg: cfg, limit: maxMessage}
		var e nl.Encoder
		if err := w.next(&e); err == nil {
			t.Errorf("%+v accepted", cfg.Peers[0])
		}
	}
}

// TestSockaddr round-trips endpoints.
func TestSockaddr(t *testing.T) {
	for _, s := range []string{"192.0.2.1:51820", "[2001:db8::1]:1", "[fe80::1%4]:65535", "[::ffff:192.0.2.1]:7"} {
		ap := netip.MustParseAddrPort(s)
		b, err := appendSockaddr(nil, ap)
		if err != nil {
			t.Fatal(err)
		}
		back, err := parseSockaddr(b)
		if err != nil || back != ap {
			t.Errorf("%s: %v %v", s, back, err)
		}
	}
	if _, err := parseSockaddr([]byte{2, 0, 0}); err == nil {
		t.Error("short sockaddr accepted")
	}
}
