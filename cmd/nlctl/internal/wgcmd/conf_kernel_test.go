package wgcmd

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/wireguard"
	"golang.org/x/sys/unix"
)

// wgNS returns a namespace in which the kernel has WireGuard, and a
// function running nlctl in it that fails the test on another exit
// status than want.
func wgNS(t *testing.T) (*netnstest.NS, func(stdin string, want int, args ...string) string) {
	t.Helper()
	ns := netnstest.New(t)
	ok, ev := kfeature.HasLinkKind(t, ns, "wireguard")
	kfeature.Require(t, "WireGuard devices and their generic netlink family (CONFIG_WIREGUARD)", ok, ev)
	return ns, func(stdin string, want int, args ...string) string {
		t.Helper()
		code, out, errOut := nlctlInput(stdin, append([]string{"-n", ns.Name}, args...)...)
		if code != want {
			t.Fatalf("%q: exit %d (%s), want %d", args, code, errOut, want)
		}
		return out
	}
}

// writeFile writes a file in dir and returns its path.
func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// newKey returns a new private key.
func newKey(t *testing.T) wireguard.Key {
	t.Helper()
	k, err := wireguard.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestWgSetconf applies configuration files with setconf, addconf and
// syncconf, an endpoint given by a host name among them, checks what the
// device then holds with showconf, and that a file with an error changes
// nothing; then it copies the device's configuration, showconf's output
// given to setconf, to a device in another namespace, which shows the
// same.
func TestWgSetconf(t *testing.T) {
	_, run := wgNS(t)
	run("", 0, "link", "add", "wg0", "type", "wireguard")
	dir := t.TempDir()
	priv, psk := newKey(t), newKey(t)
	a, b, c := newKey(t).PublicKey(), newKey(t).PublicKey(), newKey(t).PublicKey()

	conf := fmt.Sprintf(`[Interface]  # wg0
PrivateKey = %s
ListenPort = 51820
FwMark = 0x42

[Peer]
PublicKey = %s
PresharedKey = %s
AllowedIPs = 10.1.0.0/16
AllowedIPs = 10.2.0.0/16
Endpoint = localhost:51821
PersistentKeepalive = 25

[Peer]
PublicKey = %s
AllowedIPs = fd00::/64
Endpoint = [::1]:51822
`, priv, a, psk, b)
	run("", 0, "wg", "setconf", "wg0", writeFile(t, dir, "wg0.conf", conf))
	// localhost is in /etc/hosts as 127.0.0.1 here and in the guests
	// (which copy the host's).
	want := fmt.Sprintf(`[Interface]
ListenPort = 51820
FwMark = 0x42
PrivateKey = %s

[Peer]
PublicKey = %s
PresharedKey = %s
AllowedIPs = 10.1.0.0/16, 10.2.0.0/16
Endpoint = 127.0.0.1:51821
PersistentKeepalive = 25

[Peer]
PublicKey = %s
AllowedIPs = fd00::/64
Endpoint = [::1]:51822
`, priv, a, psk, b)
	if got := run("", 0, "wg", "showconf", "wg0"); got != want {
		t.Fatalf("showconf after setconf:\n%s\nwant:\n%s", got, want)
	}

	// A file with an error changes nothing, the device not even asked.
	bad := strings.Replace(conf, "ListenPort = 51820", "ListenPort = 1", 1) + "\n[Peer]\nPublicKey = " + c.String() + "\nAddress = 10.0.0.1/24\n"
	code, _, errOut := nlctlInput("", "-n", "nonexistent-ns", "wg", "setconf", "wg0", writeFile(t, dir, "bad.conf", bad))
	if code != 1 || !strings.Contains(errOut, "bad.conf:21: Address is a wg-quick key") {
		t.Errorf("bad file: exit %d, %q; want 1 and the line named", code, errOut)
	}
	run("", 1, "wg", "setconf", "wg0", filepath.Join(dir, "bad.conf"))
	if got := run("", 0, "wg", "showconf", "wg0"); got != want {
		t.Errorf("showconf after a bad file:\n%s", got)
	}

	// addconf from standard input adds a peer and changes one, leaving
	// the rest.
	run(fmt.Sprintf("[Peer]\nPublicKey = %s\nAllowedIPs = 10.3.0.0/16\n[Peer]\nPublicKey = %s\nPersistentKeepalive = 5\n", c, a),
		0, "wg", "addconf", "wg0", "/dev/stdin")
	dump := run("", 0, "wg", "show", "wg0", "dump")
	for _, s := range []string{
		fmt.Sprintf("%s\t%s\t51820\t0x42\n", priv, priv.PublicKey()),
		fmt.Sprintf("%s\t%s\t127.0.0.1:51821\t(none)\t0\t0\t0\t5\n", a, psk), // a's allowed IPs replaced by none
		fmt.Sprintf("%s\t(none)\t[::1]:51822\tfd00::/64\t0\t0\t0\toff\n", b),
		fmt.Sprintf("%s\t(none)\t(none)\t10.3.0.0/16\t0\t0\t0\toff\n", c),
	} {
		if !strings.Contains(dump, s) {
			t.Errorf("after addconf, the dump lacks %q:\n%s", s, dump)
		}
	}

	// syncconf to the first file: c removed, a as it was.
	run("", 0, "wg", "syncconf", "wg0", filepath.Join(dir, "wg0.conf"))
	if got := run("", 0, "wg", "showconf", "wg0"); got != want {
		t.Errorf("showconf after syncconf:\n%s\nwant:\n%s", got, want)
	}

	// The round trip: showconf | setconf on a device elsewhere.
	_, run2 := wgNS(t)
	run2("", 0, "link", "add", "wg1", "type", "wireguard")
	run2(run("", 0, "wg", "showconf", "wg0"), 0, "wg", "setconf", "wg1", "/dev/stdin")
	if got := run2("", 0, "wg", "showconf", "wg1"); got != want {
		t.Errorf("showconf of the copy:\n%s\nwant:\n%s", got, want)
	}

	// setconf with a file of no peers and no keys clears it all.
	run("", 0, "wg", "setconf", "wg0", writeFile(t, dir, "empty.conf", "[Interface]\n"))
	if got := run("", 0, "wg", "showconf", "wg0"); got != "[Interface]\n" {
		t.Errorf("showconf after an empty setconf:\n%s", got)
	}
	run("", 2, "wg", "setconf", "nowg0", filepath.Join(dir, "empty.conf"))
	run("", 1, "wg", "setconf", "wg0", filepath.Join(dir, "nosuchfile"))
	run("", 255, "wg", "setconf", "wg0")
}

// maxHandshakeTries bounds the one-a-second datagrams sent through the
// tunnel until its handshake completes: a liveness bound for a tunnel
// that never comes up, not a measure of speed.
const maxHandshakeTries = 300

// TestWgSyncconfKeepsSessions is syncconf's point: two namespaces joined
// by a veth pair, a tunnel between them configured with setconf, a
// handshake made by traffic through it; then syncconf with a file in
// which only another peer changed (and one is added) leaves the tunnel's
// peer alone — the same handshake, the counters kept — where setconf with
// the same file re-creates the peer, its handshake and counters gone.
func TestWgSyncconfKeepsSessions(t *testing.T) {
	nsA, runA := wgNS(t)
	nsB, runB := wgNS(t)
	ctx := context.Background()
	hA, err := rtnl.Dial(&nl.Config{NetNS: nsA.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer hA.Close()
	hB, err := rtnl.Dial(&nl.Config{NetNS: nsB.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer hB.Close()
	if err := hA.AddLink(ctx, &rtnl.Link{Name: "u0", Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{Name: "u1", NetNS: nsB.NS}}}}); err != nil {
		t.Fatal(err)
	}
	runA("", 0, "link", "add", "wg0", "type", "wireguard")
	runB("", 0, "link", "add", "wg0", "type", "wireguard")
	up := func(h *rtnl.Handle, name, prefix string) {
		t.Helper()
		l, err := h.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.AddAddress(ctx, &rtnl.Address{LinkIndex: l.Index, Prefix: netip.MustParsePrefix(prefix)}); err != nil {
			t.Fatal(err)
		}
		if err := h.SetLinkUp(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	up(hA, "u0", "192.168.77.1/24")
	up(hB, "u1", "192.168.77.2/24")

	privA, privB := newKey(t), newKey(t)
	c, d := newKey(t).PublicKey(), newKey(t).PublicKey()
	dir := t.TempDir()
	confA := fmt.Sprintf("[Interface]\nPrivateKey = %s\nListenPort = 51820\n\n[Peer]\nPublicKey = %s\nEndpoint = 192.168.77.2:51821\nAllowedIPs = 10.77.0.2/32\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.88.0.0/16\n",
		privA, privB.PublicKey(), c)
	confB := fmt.Sprintf("[Interface]\nPrivateKey = %s\nListenPort = 51821\n\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.77.0.1/32\n", privB, privA.PublicKey())
	runA("", 0, "wg", "setconf", "wg0", writeFile(t, dir, "a.conf", confA))
	runB("", 0, "wg", "setconf", "wg0", writeFile(t, dir, "b.conf", confB))
	up(hA, "wg0", "10.77.0.1/24")
	up(hB, "wg0", "10.77.0.2/24")

	cA, err := wireguard.Dial(&nl.Config{NetNS: nsA.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer cA.Close()
	peerB := func() wireguard.Peer {
		t.Helper()
		dev, err := cA.DeviceByName(ctx, "wg0")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range dev.Peers {
			if p.PublicKey == privB.PublicKey() {
				return p
			}
		}
		t.Fatalf("wg0 in A has no peer %s", privB.PublicKey())
		return wireguard.Peer{}
	}
	// Datagrams to B's tunnel address until A's peer has a handshake.
	var before wireguard.Peer
	err = nsA.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		to := &unix.SockaddrInet4{Port: 9, Addr: [4]byte{10, 77, 0, 2}}
		for i := 0; i < maxHandshakeTries; i++ {
			if err := unix.Sendto(fd, []byte("nlkit syncconf"), 0, to); err != nil {
				return fmt.Errorf("send: %w", err)
			}
			time.Sleep(time.Second)
			if before = peerB(); !before.LastHandshake.IsZero() && before.ReceiveBytes > 0 {
				t.Logf("handshake after %d datagrams: %v, rx %d, tx %d", i+1, before.LastHandshake.Format(time.RFC3339Nano), before.ReceiveBytes, before.TransmitBytes)
				return nil
			}
		}
		return errors.New("no handshake through the tunnel")
	})
	if err != nil {
		t.Fatal(err)
	}

	// Only peer c changes, peer d is added.
	confA2 := strings.Replace(confA, "10.88.0.0/16", "10.99.0.0/16", 1) + fmt.Sprintf("\n[Peer]\nPublicKey = %s\nAllowedIPs = 10.66.0.0/16\n", d)
	file2 := writeFile(t, dir, "a2.conf", confA2)
	runA("", 0, "wg", "syncconf", "wg0", file2)
	after := peerB()
	if !after.LastHandshake.Equal(before.LastHandshake) && after.LastHandshake.Before(before.LastHandshake) ||
		after.ReceiveBytes < before.ReceiveBytes || after.TransmitBytes < before.TransmitBytes || after.Endpoint != before.Endpoint {
		t.Errorf("after syncconf, the tunnel's peer was reset: %+v, before %+v", after, before)
	}
	t.Logf("after syncconf: handshake %v, rx %d, tx %d", after.LastHandshake.Format(time.RFC3339Nano), after.ReceiveBytes, after.TransmitBytes)
	allowed := runA("", 0, "wg", "show", "wg0", "allowed-ips")
	for _, s := range []string{c.String() + "\t10.99.0.0/16\n", d.String() + "\t10.66.0.0/16\n", privB.PublicKey().String() + "\t10.77.0.2/32\n"} {
		if !strings.Contains(allowed, s) {
			t.Errorf("after syncconf, allowed-ips lacks %q:\n%s", s, allowed)
		}
	}

	// setconf with the same file starts the tunnel's peer over.
	runA("", 0, "wg", "setconf", "wg0", file2)
	if p := peerB(); !p.LastHandshake.IsZero() || p.ReceiveBytes != 0 {
		t.Errorf("after setconf, the tunnel's peer kept its session: %+v", p)
	}
}
