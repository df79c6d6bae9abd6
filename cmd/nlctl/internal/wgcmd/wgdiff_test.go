//go:build wgdiff

package wgcmd

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestWgDiff compares nlctl wg with wg(8) itself: the same configuration
// files applied with setconf, addconf and syncconf to two devices, one by
// wg and one by nlctl, must leave them alike (wg showconf of each), and
// nlctl's showconf and show dump must print what wg's do. It needs wg,
// which the kmatrix guests lack unless asked for, hence the build tag:
//
//	NLKIT_KMATRIX_BINS="sh ip bridge tc ss ping sysctl sleep setpriv true false cat nsenter unshare wg" \
//	GOFLAGS=-tags=wgdiff sh kmatrix/run.sh -k 7 -p ./cmd/nlctl/internal/wgcmd -r TestWgDiff
func TestWgDiff(t *testing.T) {
	ns, run := wgNS(t)
	wg := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("ip", append([]string{"netns", "exec", ns.Name, "wg"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("wg %q: %v: %s", args, err, out)
		}
		return string(out)
	}
	t.Logf("%s", wg("--version"))
	run("", 0, "link", "add", "wg0", "type", "wireguard")
	run("", 0, "link", "add", "wg1", "type", "wireguard")
	dir := t.TempDir()
	priv, psk := newKey(t), newKey(t)
	p := make([]string, 5)
	for i := range p {
		p[i] = newKey(t).PublicKey().String()
	}
	f1 := fmt.Sprintf(`[Interface]
PrivateKey = %s
ListenPort = 51820
FwMark = 0x42
[Peer]
PublicKey = %s
PresharedKey = %s
AllowedIPs = 10.1.0.0/16, 10.1.2.3/24
allowedips = fd00::/64
Endpoint = localhost:51821
PersistentKeepalive = 25
[Peer]
PublicKey = %s
Endpoint = [::1]:51822
[Peer]
PublicKey = %s
AllowedIPs = 192.0.2.0/24
Endpoint = fd00::1:7
PersistentKeepalive = 7
`, priv, p[0], psk, p[1], p[2])
	f3 := fmt.Sprintf("[Peer]\nPublicKey = %s\nAllowedIPs = 10.3.0.0/16\n[Peer]\nPublicKey = %s\nPersistentKeepalive = 9\n[Interface]\nFwMark = 7\n", p[3], p[1])
	f2 := fmt.Sprintf(`[Interface]
PrivateKey = %s
ListenPort = 51820
[Peer]
PublicKey = %s
PresharedKey = %s
PersistentKeepalive = 25
AllowedIPs = 10.1.0.0/16
Endpoint = localhost:51829
[Peer]
PublicKey = %s
AllowedIPs = 192.0.2.0/24
Endpoint = fd00::1:7
PersistentKeepalive = 7
[Peer]
PublicKey = %s
AllowedIPs = 10.5.0.0/16
[Peer]
PublicKey = %s
AllowedIPs = 10.3.0.0/16
`, priv, p[0], psk, p[2], p[4], p[3])
	files := map[string]string{"f1": writeFile(t, dir, "f1", f1), "f2": writeFile(t, dir, "f2", f2), "f3": writeFile(t, dir, "f3", f3)}
	compare := func(step string) {
		t.Helper()
		w0, w1 := wg("showconf", "wg0"), wg("showconf", "wg1")
		n0 := run("", 0, "wg", "showconf", "wg0")
		if w0 != w1 || n0 != w0 {
			t.Errorf("%s: wg showconf wg0 (wg applied):\n%s\nwg showconf wg1 (nlctl applied):\n%s\nnlctl showconf wg0:\n%s", step, w0, w1, n0)
		}
		if d0, nd0 := wg("show", "wg0", "dump"), run("", 0, "wg", "show", "wg0", "dump"); d0 != nd0 {
			t.Errorf("%s: show dump differs:\nwg:\n%s\nnlctl:\n%s", step, d0, nd0)
		}
	}
	for _, s := range [][2]string{{"setconf", "f1"}, {"addconf", "f3"}, {"syncconf", "f2"}, {"addconf", "f1"}, {"setconf", "f2"}, {"syncconf", "f1"}} {
		wg(s[0], "wg0", files[s[1]])
		run("", 0, "wg", s[0], "wg1", files[s[1]])
		compare(s[0] + " " + s[1])
	}
	// The known differences, logged: a kept peer's preshared key and
	// keepalive the file drops (cleared by wireguard-tools since 2025 and
	// by nlctl), and a file without a ListenPort (wg sends 0).
	drop := writeFile(t, dir, "drop", strings.NewReplacer("PresharedKey = "+psk.String()+"\n", "", "PersistentKeepalive = 25\n", "", "ListenPort = 51820\n", "").Replace(f1))
	wg("syncconf", "wg0", drop)
	run("", 0, "wg", "syncconf", "wg1", drop)
	t.Logf("syncconf dropping a preshared key, a keepalive and the port:\nwg:\n%s\nnlctl:\n%s", wg("showconf", "wg0"), wg("showconf", "wg1"))
}
