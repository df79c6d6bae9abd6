package wgcmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/iproute"
	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/wireguard"
)

// nlctl runs nlctl's wg command, with ip's objects beside it, in process.
func nlctl(args ...string) (int, string, string) {
	return nlctlInput("", args...)
}

func nlctlInput(stdin string, args ...string) (int, string, string) {
	cmds := append(iproute.Commands(), Commands()...)
	return clitest.RunInput(clitest.Registry(nil, cmds...), stdin, args...)
}

// TestWgKeys checks genkey, genpsk and pubkey (RFC 7748's vector).
func TestWgKeys(t *testing.T) {
	code, out, errOut := nlctl("wg", "genkey")
	if code != 0 {
		t.Fatalf("genkey: %d %s", code, errOut)
	}
	k, err := wireguard.ParseKey(strings.TrimSpace(out))
	if err != nil {
		t.Fatal(err)
	}
	code, pub, _ := nlctlInput(out, "wg", "pubkey")
	if code != 0 || strings.TrimSpace(pub) != k.PublicKey().String() {
		t.Errorf("pubkey of %s: %d %q, want %s", k, code, pub, k.PublicKey())
	}
	// RFC 7748 6.1: Alice's private key and public key, in base64.
	code, pub, _ = nlctlInput("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=\n", "wg", "pubkey")
	if code != 0 || strings.TrimSpace(pub) != "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=" {
		t.Errorf("pubkey of RFC 7748's key: %d %q", code, pub)
	}
	if code, _, _ := nlctlInput("not a key\n", "wg", "pubkey"); code != cli.ExitFailure {
		t.Errorf("pubkey of garbage: exit %d, want %d", code, cli.ExitFailure)
	}
	if code, out, _ := nlctl("wg", "genpsk"); code != 0 || len(strings.TrimSpace(out)) != 44 {
		t.Errorf("genpsk: %d %q", code, out)
	}
}

// TestWgSetGrammar checks the parse of `wg set` and its refusals.
func TestWgSetGrammar(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	k, _ := wireguard.GeneratePrivateKey()
	os.WriteFile(keyFile, []byte(k.String()+"\n"), 0o600)
	peer := k.PublicKey().String()
	dev, cfg, err := parseSet([]string{"wg0", "listen-port", "51820", "fwmark", "0x10", "private-key", keyFile,
		"peer", peer, "preshared-key", keyFile, "endpoint", "[2001:db8::1]:5", "persistent-keepalive", "25",
		"allowed-ips", "10.0.0.0/8, 192.0.2.1,fd00::/64",
		"peer", peer, "remove"}, confLookup{})
	if err != nil {
		t.Fatal(err)
	}
	if dev != "wg0" || *cfg.ListenPort != 51820 || *cfg.FirewallMark != 0x10 || *cfg.PrivateKey != k || len(cfg.Peers) != 2 {
		t.Fatalf("%s %+v", dev, cfg)
	}
	p := cfg.Peers[0]
	if *p.PresharedKey != k || p.Endpoint.String() != "[2001:db8::1]:5" || p.PersistentKeepalive.Seconds() != 25 || !p.ReplaceAllowedIPs ||
		fmt.Sprint(p.AllowedIPs) != "[10.0.0.0/8 192.0.2.1/32 fd00::/64]" || !cfg.Peers[1].Remove {
		t.Errorf("peer: %+v", p)
	}
	// An endpoint's host and port may be names, resolved as wg resolves
	// them (here without the network).
	for arg, want := range map[string]string{"localhost:wireguard": "127.0.0.1:51820", "[ip6-localhost]:7": "[::1]:7", "gateway.test:1": "192.0.2.9:1", "fd00::1:9": "[fd00::1]:9"} {
		_, cfg, err := parseSet([]string{"wg0", "peer", peer, "endpoint", arg}, fakeLookup)
		if err != nil || cfg.Peers[0].Endpoint.String() != want {
			t.Errorf("endpoint %s: %v, %v; want %s", arg, cfg, err, want)
		}
	}
	if _, _, err := parseSet([]string{"wg0", "peer", peer, "endpoint", "nowhere.test:1"}, fakeLookup); err == nil || !strings.Contains(err.Error(), "host nowhere.test: unknown") {
		t.Errorf("endpoint of an unknown host: %v", err)
	}
	for _, bad := range [][]string{
		{"wg", "set"},
		{"wg", "set", "wg0", "listen-port", "70000"},
		{"wg", "set", "wg0", "bogus"},
		{"wg", "set", "wg0", "peer", "notakey"},
		{"wg", "set", "wg0", "peer", peer, "endpoint", "192.0.2.1"},
		{"wg", "set", "wg0", "peer", peer, "endpoint", "[::1:5"},
		{"wg", "set", "wg0", "peer", peer, "allowed-ips", "10.0.0.0/33"},
		{"wg", "set", "wg0", "peer", peer, "persistent-keepalive", "70000"},
		{"wg", "show", "wg0", "bogus"},
		{"wg", "frob"},
	} {
		if code, _, _ := nlctl(bad...); code != cli.ExitSyntax {
			t.Errorf("%q: exit %d, want %d", bad, code, cli.ExitSyntax)
		}
	}
}

// TestWgSetShow creates a device with `nlctl link add ... type wireguard`,
// configures it with `nlctl wg set` and reads it back with `wg show`'s
// forms: dump, single fields, JSON, showconf, and the pretty print.
func TestWgSetShow(t *testing.T) {
	ns := netnstest.New(t)
	ok, ev := kfeature.HasLinkKind(t, ns, "wireguard")
	kfeature.Require(t, "WireGuard devices and their generic netlink family (CONFIG_WIREGUARD)", ok, ev)
	run := func(want int, args ...string) string {
		t.Helper()
		code, out, errOut := nlctl(append([]string{"-n", ns.Name}, args...)...)
		if code != want {
			t.Fatalf("%q: exit %d (%s), want %d", args, code, errOut, want)
		}
		return out
	}
	run(0, "link", "add", "wg0", "type", "wireguard")
	dir := t.TempDir()
	priv, _ := wireguard.GeneratePrivateKey()
	psk, _ := wireguard.GenerateKey()
	peerA, _ := wireguard.GeneratePrivateKey()
	peerB, _ := wireguard.GeneratePrivateKey()
	privFile, pskFile := filepath.Join(dir, "priv"), filepath.Join(dir, "psk")
	os.WriteFile(privFile, []byte(priv.String()+"\n"), 0o600)
	os.WriteFile(pskFile, []byte(psk.String()+"\n"), 0o600)
	a, b := peerA.PublicKey(), peerB.PublicKey()
	run(0, "wg", "set", "wg0", "listen-port", "51820", "fwmark", "0x42", "private-key", privFile,
		"peer", a.String(), "preshared-key", pskFile, "endpoint", "192.0.2.1:51821", "persistent-keepalive", "25", "allowed-ips", "10.1.0.0/16",
		"peer", b.String(), "allowed-ips", "fd00::/64")

	dump := run(0, "wg", "show", "wg0", "dump")
	lines := strings.Split(strings.TrimSuffix(dump, "\n"), "\n")
	want := []string{
		fmt.Sprintf("%s\t%s\t51820\t0x42", priv, priv.PublicKey()),
		fmt.Sprintf("%s\t%s\t192.0.2.1:51821\t10.1.0.0/16\t0\t0\t0\t25", a, psk),
		fmt.Sprintf("%s\t(none)\t(none)\tfd00::/64\t0\t0\t0\toff", b),
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("dump:\n%s\nwant:\n%s", dump, strings.Join(want, "\n"))
	}
	for field, want := range map[string]string{
		"public-key":           priv.PublicKey().String() + "\n",
		"listen-port":          "51820\n",
		"fwmark":               "0x42\n",
		"peers":                a.String() + "\n" + b.String() + "\n",
		"endpoints":            a.String() + "\t192.0.2.1:51821\n" + b.String() + "\t(none)\n",
		"allowed-ips":          a.String() + "\t10.1.0.0/16\n" + b.String() + "\tfd00::/64\n",
		"persistent-keepalive": a.String() + "\t25\n" + b.String() + "\toff\n",
	} {
		if got := run(0, "wg", "show", "wg0", field); got != want {
			t.Errorf("show %s: %q, want %q", field, got, want)
		}
	}
	if got := run(0, "wg", "show", "interfaces"); got != "wg0\n" {
		t.Errorf("show interfaces: %q", got)
	}
	if got := run(0, "wg", "show", "all", "listen-port"); got != "wg0\t51820\n" {
		t.Errorf("show all listen-port: %q", got)
	}
	var js []jsonDevice
	if err := json.Unmarshal([]byte(run(0, "-j", "wg", "show", "wg0")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0].Name != "wg0" || js[0].PublicKey != priv.PublicKey().String() || len(js[0].Peers) != 2 || js[0].Peers[0].PersistentKeepalive != 25 {
		t.Errorf("JSON: %+v", js)
	}
	pretty := run(0, "wg", "show", "wg0")
	for _, s := range []string{"interface: wg0\n", "  listening port: 51820\n", "  private key: (hidden)\n", "peer: " + a.String() + "\n",
		"  endpoint: 192.0.2.1:51821\n", "  persistent keepalive: every 25 seconds\n"} {
		if !strings.Contains(pretty, s) {
			t.Errorf("show lacks %q:\n%s", s, pretty)
		}
	}
	conf := run(0, "wg", "showconf", "wg0")
	if !strings.Contains(conf, "PrivateKey = "+priv.String()+"\n") || !strings.Contains(conf, "AllowedIPs = fd00::/64\n") {
		t.Errorf("showconf:\n%s", conf)
	}

	// allowed-ips replaces, remove removes, off turns off.
	run(0, "wg", "set", "wg0", "fwmark", "off", "peer", a.String(), "allowed-ips", "10.2.0.0/16,10.3.0.0/16", "persistent-keepalive", "off",
		"peer", b.String(), "remove")
	if got, want := run(0, "wg", "show", "wg0", "allowed-ips"), a.String()+"\t10.2.0.0/16 10.3.0.0/16\n"; got != want {
		t.Errorf("after replacing: %q, want %q", got, want)
	}
	if got := run(0, "wg", "show", "wg0", "fwmark"); got != "off\n" {
		t.Errorf("fwmark after off: %q", got)
	}
	// An endpoint by name: localhost, 127.0.0.1 in /etc/hosts here and
	// in the guests (which copy the host's).
	run(0, "wg", "set", "wg0", "peer", a.String(), "endpoint", "localhost:51899")
	if got, want := run(0, "wg", "show", "wg0", "endpoints"), a.String()+"\t127.0.0.1:51899\n"; got != want {
		t.Errorf("endpoint by name: %q, want %q", got, want)
	}
	run(2, "wg", "set", "nowg0", "listen-port", "1")
	run(2, "wg", "show", "nowg0")
}
