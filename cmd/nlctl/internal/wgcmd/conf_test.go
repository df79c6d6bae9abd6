package wgcmd

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/wireguard"
)

// Keys for the parser's tests.
const (
	confPriv = "0HlQmjS8ni8RsCkkmMBnvMdzrZd6nDHBpv4dvH4lWnc="
	confPubA = "8+Jtx0l5yOyWwJVIwVp8Vkli6JXbMzH20nJnqqJ0k2Y="
	confPubB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="
	confPSK  = "FpCyhws9cxwWoV4xELtfJvjJN+zQVRPISllRWgeopVE="
)

// fakeLookup resolves without the network: "localhost" and
// "ip6-localhost" to loopback, "gateway.test" to a documentation address,
// the service "wireguard" to 51820; anything else is unknown.
var fakeLookup = confLookup{
	Host: func(host string) (netip.Addr, error) {
		switch host {
		case "localhost":
			return netip.MustParseAddr("127.0.0.1"), nil
		case "ip6-localhost":
			return netip.IPv6Loopback(), nil
		case "gateway.test":
			return netip.MustParseAddr("192.0.2.9"), nil
		}
		return netip.Addr{}, fmt.Errorf("host %s: unknown", host)
	},
	Port: func(service string) (uint16, error) {
		if service == "wireguard" {
			return 51820, nil
		}
		return 0, fmt.Errorf("service %s: unknown", service)
	},
}

// TestParseConf reads a file using every key, comments, white space
// anywhere, keys in any case and AllowedIPs over several lines.
func TestParseConf(t *testing.T) {
	text := `# a device
[Interface]
PrivateKey = ` + confPriv + `
listenport=wireguard   # a service name
Fw Mark = 0x2a

[peer]
PublicKey = ` + confPubA + `
PresharedKey = ` + confPSK + `
AllowedIPs = 10.0.0.0/8, 192.0.2.1
AllowedIPs = fd00::/64,10.1.2.3/16
Endpoint = localhost:51821
PersistentKeepalive = 25

[Peer]
PUBLICKEY = ` + confPubB + `
Endpoint = [ip6-localhost]:wireguard
PersistentKeepalive = off
[Interface]
ListenPort = 1234
`
	cfg, warnings, err := parseConf("wg0.conf", []byte(text), fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || warnings[0] != "wg0.conf:11: warning: allowed IP 10.1.2.3/16 has a nonzero host part (10.1.0.0/16 is kept)" {
		t.Errorf("warnings: %q", warnings)
	}
	if cfg.PrivateKey.String() != confPriv || *cfg.ListenPort != 1234 || *cfg.FirewallMark != 42 || cfg.ReplacePeers || len(cfg.Peers) != 2 {
		t.Fatalf("device: %+v", cfg)
	}
	a, b := cfg.Peers[0], cfg.Peers[1]
	if a.PublicKey.String() != confPubA || a.PresharedKey.String() != confPSK || a.Endpoint.String() != "127.0.0.1:51821" ||
		*a.PersistentKeepalive != 25*time.Second || !a.ReplaceAllowedIPs ||
		fmt.Sprint(a.AllowedIPs) != "[10.0.0.0/8 192.0.2.1/32 fd00::/64 10.1.2.3/16]" {
		t.Errorf("peer A: %+v", a)
	}
	if b.PublicKey.String() != confPubB || b.PresharedKey != nil || b.Endpoint.String() != "[::1]:51820" ||
		*b.PersistentKeepalive != 0 || !b.ReplaceAllowedIPs || len(b.AllowedIPs) != 0 {
		t.Errorf("peer B: %+v", b)
	}
	// An empty file is an empty configuration.
	if cfg, _, err := parseConf("empty", nil, fakeLookup); err != nil || cfg.PrivateKey != nil || len(cfg.Peers) != 0 {
		t.Errorf("empty file: %+v, %v", cfg, err)
	}
}

// TestParseConfAsWg checks the parser takes and refuses what wg setconf
// does. The cases were run through wg (wireguard-tools v1.0.20210914) in
// a namespace without a device: a line it takes gets as far as "Unable to
// modify interface", one it refuses stops at "Configuration parsing
// error" or "Invalid configuration". The one difference: wg takes a port
// over 65535 (getaddrinfo truncates it), nlctl refuses it.
func TestParseConfAsWg(t *testing.T) {
	peer := "[Peer]\nPublicKey = " + confPubA + "\n"
	for _, c := range []struct {
		name, text string
		err        string // "" if wg takes it; else what the error says, after "FILE:LINE: "
	}{
		{"service port", "[Interface]\nListenPort = wireguard\n", ""},
		{"spaces inside", "[Inter face]\nList en Port = 1\n", ""},
		{"lower case", "[interface]\nlistenport = 5\n[PEER]\npublickey = " + confPubA + "\n", ""},
		{"octal-looking fwmark is decimal", "[Interface]\nFwMark = 010\n", ""},
		{"keepalive OFF", peer + "PersistentKeepalive = OFF\n", ""},
		{"host bits", peer + "AllowedIPs = 10.0.0.1/8\n", ""},
		{"mask with a zero", peer + "AllowedIPs = 10.0.0.0/08\n", ""},
		{"IPv6 endpoint without brackets", peer + "Endpoint = fd00::1:51820\n", ""},
		{"name in brackets", peer + "Endpoint = [localhost]:51820\n", ""},
		{"service endpoint", peer + "Endpoint = 127.0.0.1:wireguard\n", ""},
		{"numeric zone", peer + "Endpoint = [fe80::1%1]:5\n", ""},
		{"zero private key", "[Interface]\nPrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", ""},

		{"before a section", "ListenPort = 1\n", "1: ListenPort before any [Interface] or [Peer] section"},
		{"unknown section", "[Foo]\n", `1: unknown section "[Foo]"`},
		{"wg-quick Address", "[Interface]\n\nAddress = 10.0.0.1/24\n", "3: Address is a wg-quick key"},
		{"wg-quick DNS", "[Interface]\nDNS = 192.0.2.53\n", "2: DNS is a wg-quick key"},
		{"wg-quick MTU", "[Interface]\nmtu = 1420\n", "2: MTU is a wg-quick key"},
		{"wg-quick Table", "[Interface]\nTable = off\n", "2: Table is a wg-quick key"},
		{"wg-quick PostUp", "[Interface]\nPostUp = true\n", "2: PostUp is a wg-quick key"},
		{"wg-quick SaveConfig", "[Interface]\nSaveConfig = true\n", "2: SaveConfig is a wg-quick key"},
		{"peer key in interface", "[Interface]\nEndpoint = 127.0.0.1:1\n", "2: unknown key Endpoint in [Interface]"},
		{"interface key in peer", peer + "ListenPort = 1\n", "3: unknown key ListenPort in [Peer]"},
		{"no value", "[Interface]\nListenPort =\n", "2: ListenPort has no value"},
		{"not KEY=VALUE", "[Interface]\nListenPort 1\n", `2: "ListenPort1" is neither a section nor KEY = VALUE`},
		{"negative port", "[Interface]\nListenPort = -1\n", `2: ListenPort: port "-1"`},
		{"port over 65535", "[Interface]\nListenPort = 65536\n", "2: ListenPort: port 65536: not from 0 to 65535"},
		{"0X fwmark", "[Interface]\nFwMark = 0X10\n", `2: FwMark: "0X10" is neither off nor a number`},
		{"fwmark too big", "[Interface]\nFwMark = 0x100000000\n", `2: FwMark: "0x100000000" is neither off nor a number`},
		{"short key", "[Interface]\nPrivateKey = abc=\n", `2: PrivateKey: key "abc="`},
		{"key with stray bits", "[Interface]\nPrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n", "2: PrivateKey: key"},
		{"peer without key", "[Interface]\n[Peer]\nAllowedIPs = 10.0.0.0/8\n", "2: [Peer] without a PublicKey"},
		{"trailing comma", peer + "AllowedIPs = 10.0.0.0/8,\n", `3: AllowedIPs: "": "" is not an IPv4 or IPv6 address`},
		{"incremental allowed IP", peer + "AllowedIPs = +10.0.0.0/8\n", "3: AllowedIPs: \"+10.0.0.0/8\": adding (+) or removing (-)"},
		{"mask too long", peer + "AllowedIPs = 10.0.0.0/33\n", `3: AllowedIPs: "10.0.0.0/33": prefix length "33" is not from 0 to 32`},
		{"zone in allowed IP", peer + "AllowedIPs = fe80::1%1/128\n", "3: AllowedIPs:"},
		{"endpoint without port", peer + "Endpoint = 192.0.2.1\n", `3: Endpoint: "192.0.2.1": no port`},
		{"endpoint bracket", peer + "Endpoint = [::1\n", `3: Endpoint: "[::1": no ']'`},
		{"unknown host", peer + "Endpoint = nowhere.test:1\n", "3: Endpoint: \"nowhere.test:1\": host nowhere.test: unknown"},
		{"keepalive too big", peer + "PersistentKeepalive = 65536\n", "3: PersistentKeepalive:"},
	} {
		_, _, err := parseConf("f", []byte(c.text), fakeLookup)
		switch {
		case c.err == "" && err != nil:
			t.Errorf("%s: %v; wg takes it", c.name, err)
		case c.err != "" && err == nil:
			t.Errorf("%s: taken; wg refuses it", c.name)
		case c.err != "" && !strings.HasPrefix(err.Error(), "f:"+c.err):
			t.Errorf("%s: %q, want it to start with %q", c.name, err, "f:"+c.err)
		}
		var ce *confError
		if err != nil && !errors.As(err, &ce) {
			t.Errorf("%s: %T is not a *confError", c.name, err)
		}
	}
}

// TestReplacing checks setconf's change: what the file lacks cleared.
func TestReplacing(t *testing.T) {
	cfg, _, err := parseConf("f", []byte("[Peer]\nPublicKey = "+confPubA+"\n"), fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	r := replacing(cfg)
	if !r.ReplacePeers || !r.PrivateKey.IsZero() || *r.ListenPort != 0 || *r.FirewallMark != 0 || len(r.Peers) != 1 {
		t.Errorf("%+v", r)
	}
	if cfg.ReplacePeers || cfg.PrivateKey != nil {
		t.Errorf("replacing changed its argument: %+v", cfg)
	}
}

// TestSyncing checks syncconf's change against a running device: peers
// the file lacks removed one by one, unchanged peers left out, a changed
// one sent whole, a preshared key and keepalive the file does not give
// cleared.
func TestSyncing(t *testing.T) {
	key := func(s string) wireguard.Key {
		k, err := wireguard.ParseKey(s)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	priv, a, b, c, psk := key(confPriv), key(confPubA), key(confPubB), key(confPSK), key(confPSK)
	c[0] ^= 1 // a third peer
	cur := &wireguard.Device{Name: "wg0", Index: 7, PrivateKey: priv, PublicKey: priv.PublicKey(), ListenPort: 51820, Peers: []wireguard.Peer{
		{PublicKey: a, Endpoint: netip.MustParseAddrPort("192.0.2.1:1"), AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("fd00::/64")},
			LastHandshake: time.Unix(1e9, 0), ReceiveBytes: 100},
		{PublicKey: b, PresharedKey: psk, PersistentKeepalive: 25 * time.Second},
		{PublicKey: c},
	}}
	text := "[Interface]\nPrivateKey = " + confPriv + "\nListenPort = 51820\n" +
		"[Peer]\nPublicKey = " + confPubA + "\nAllowedIPs = fd00::1/64, 10.1.0.0/16\n" + // as running (no endpoint given: the running one stays)
		"[Peer]\nPublicKey = " + confPubB + "\nAllowedIPs = 10.2.0.0/16\n" // changed; its psk and keepalive go
	cfg, _, err := parseConf("f", []byte(text), fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	s := syncing(cfg, cur)
	if s.ReplacePeers || s.PrivateKey != nil || s.ListenPort != nil || s.FirewallMark != nil || len(s.Peers) != 2 {
		t.Fatalf("%+v", s)
	}
	if p := s.Peers[0]; p.PublicKey != c || !p.Remove {
		t.Errorf("first change: %+v, want %s removed", p, c)
	}
	if p := s.Peers[1]; p.PublicKey != b || !p.PresharedKey.IsZero() || *p.PersistentKeepalive != 0 || !p.ReplaceAllowedIPs ||
		fmt.Sprint(p.AllowedIPs) != "[10.2.0.0/16]" {
		t.Errorf("second change: %+v, want %s changed", p, b)
	}

	// The same file with A's endpoint changed sends A too; with another
	// fwmark and port, the device's too.
	text2 := strings.Replace(text, "ListenPort = 51820", "ListenPort = 51821\nFwMark = 1", 1)
	text2 = strings.Replace(text2, "AllowedIPs = fd00::1/64", "Endpoint = 192.0.2.1:2\nAllowedIPs = fd00::1/64", 1)
	cfg, _, err = parseConf("f", []byte(text2), fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	s = syncing(cfg, cur)
	if *s.ListenPort != 51821 || *s.FirewallMark != 1 || len(s.Peers) != 3 || s.Peers[1].PublicKey != a || s.Peers[1].Endpoint.String() != "192.0.2.1:2" {
		t.Errorf("with A changed: %+v", s)
	}

	// A file without a ListenPort leaves the port the kernel chose (wg
	// sends 0, which moves a running device to a new random port).
	cfg, _, err = parseConf("f", []byte(strings.Replace(text, "ListenPort = 51820\n", "", 1)), fakeLookup)
	if err != nil {
		t.Fatal(err)
	}
	if s := syncing(cfg, cur); s.ListenPort != nil {
		t.Errorf("without a ListenPort, the port is set to %d", *s.ListenPort)
	}

	// A file without peers, or a device without any, is setconf's.
	cfg, _, _ = parseConf("f", []byte("[Interface]\nListenPort = 1\n"), fakeLookup)
	if s := syncing(cfg, cur); !s.ReplacePeers || len(s.Peers) != 0 || !s.PrivateKey.IsZero() {
		t.Errorf("no peers in the file: %+v", s)
	}
	cfg, _, _ = parseConf("f", []byte(text), fakeLookup)
	if s := syncing(cfg, &wireguard.Device{Name: "wg0"}); !s.ReplacePeers || len(s.Peers) != 2 {
		t.Errorf("no peers on the device: %+v", s)
	}
}

// confText writes cfg in the configuration format, as showconf does.
func confText(cfg *wireguard.Config) string {
	var b strings.Builder
	b.WriteString("[Interface]\n")
	if cfg.PrivateKey != nil {
		fmt.Fprintf(&b, "PrivateKey = %s\n", cfg.PrivateKey)
	}
	if cfg.ListenPort != nil {
		fmt.Fprintf(&b, "ListenPort = %d\n", *cfg.ListenPort)
	}
	if cfg.FirewallMark != nil {
		fmt.Fprintf(&b, "FwMark = 0x%x\n", *cfg.FirewallMark)
	}
	for _, p := range cfg.Peers {
		fmt.Fprintf(&b, "\n[Peer]\nPublicKey = %s\n", p.PublicKey)
		if p.PresharedKey != nil {
			fmt.Fprintf(&b, "PresharedKey = %s\n", p.PresharedKey)
		}
		if len(p.AllowedIPs) > 0 {
			fmt.Fprintf(&b, "AllowedIPs = %s\n", ips(p.AllowedIPs, ", "))
		}
		if p.Endpoint.IsValid() {
			fmt.Fprintf(&b, "Endpoint = %s\n", p.Endpoint)
		}
		if p.PersistentKeepalive != nil {
			fmt.Fprintf(&b, "PersistentKeepalive = %d\n", *p.PersistentKeepalive/time.Second)
		}
	}
	return b.String()
}

// FuzzParseConf checks that any file is read without panicking, that an
// error names a line of the file, that what is read is valid (keys on
// every peer, prefixes no longer than their address), and that writing
// what is read back in the format and reading it again gives the same.
func FuzzParseConf(f *testing.F) {
	f.Add([]byte("[Interface]\nPrivateKey = " + confPriv + "\nListenPort = 51820\n\n[Peer]\nPublicKey = " + confPubA +
		"\nAllowedIPs = 10.0.0.0/8, fd00::/64\nEndpoint = localhost:51821\nPersistentKeepalive = 25\n"))
	f.Fuzz(func(t *testing.T, text []byte) {
		cfg, _, err := parseConf("f", text, fakeLookup)
		if err != nil {
			var ce *confError
			if !errors.As(err, &ce) || ce.Line < 1 || ce.Line > strings.Count(string(text), "\n")+1 {
				t.Fatalf("error %v does not name a line of the file", err)
			}
			return
		}
		for _, p := range cfg.Peers {
			if !p.ReplaceAllowedIPs {
				t.Errorf("peer %s does not replace its allowed IPs", p.PublicKey)
			}
			for _, a := range p.AllowedIPs {
				if !a.IsValid() || a.Addr().Zone() != "" {
					t.Errorf("peer %s: allowed IP %v", p.PublicKey, a)
				}
			}
		}
		again, _, err := parseConf("again", []byte(confText(cfg)), fakeLookup)
		if err != nil {
			t.Fatalf("reading back\n%s: %v", confText(cfg), err)
		}
		if confText(again) != confText(cfg) || len(again.Peers) != len(cfg.Peers) ||
			!slices.EqualFunc(again.Peers, cfg.Peers, func(x, y wireguard.PeerConfig) bool {
				return slices.Equal(x.AllowedIPs, y.AllowedIPs) && x.Endpoint == y.Endpoint
			}) {
			t.Fatalf("read back differently:\n%s\nthen\n%s", confText(cfg), confText(again))
		}
	})
}
