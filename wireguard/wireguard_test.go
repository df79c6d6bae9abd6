package wireguard_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/wireguard"
	"golang.org/x/sys/unix"
)

// TestWireGuardLink creates a wireguard link through rtnl: it lists with
// its kind and no kind data (as ip -j -d shows it), a new device has no
// keys and no peers, and a change of the link is read back.
func TestWireGuardLink(t *testing.T) {
	ns, h, c := newNS(t)
	l := addDevice(t, h, "wg0")
	if l.Info.Kind != "wireguard" || l.Info.Data != nil {
		t.Errorf("listed info %+v, want kind wireguard without data", l.Info)
	}
	var ipLinks []struct {
		Name     string `json:"ifname"`
		MTU      int    `json:"mtu"`
		LinkInfo struct {
			Kind string `json:"info_kind"`
		} `json:"linkinfo"`
	}
	ipShow := func() {
		t.Helper()
		if err := json.Unmarshal([]byte(ns.IP("-j", "-d", "link", "show", "dev", "wg0")), &ipLinks); err != nil || len(ipLinks) != 1 {
			t.Fatalf("ip -j -d link show dev wg0: %v %+v", err, ipLinks)
		}
	}
	ipShow()
	if ipLinks[0].LinkInfo.Kind != "wireguard" || ipLinks[0].MTU != int(l.MTU) {
		t.Errorf("ip -j -d: %+v, want kind wireguard and mtu %d", ipLinks[0], l.MTU)
	}
	if err := h.SetLink(bg, l, &rtnl.LinkChange{MTU: 1380}); err != nil {
		t.Fatal(err)
	}
	if got, err := h.LinkByIndex(bg, l.Index); err != nil || got.MTU != 1380 || got.Info.Kind != "wireguard" {
		t.Errorf("after the change: %+v %v", got, err)
	}
	if ipShow(); ipLinks[0].MTU != 1380 {
		t.Errorf("ip -j -d after the change: %+v", ipLinks[0])
	}
	links, err := h.ListLinks(bg, &rtnl.LinkFilter{Kind: "wireguard"})
	if err != nil || len(links) != 1 || links[0].Index != l.Index {
		t.Errorf("links of kind wireguard: %+v %v", links, err)
	}
	d, err := c.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if d.Index != l.Index || d.Name != "wg0" || !d.PrivateKey.IsZero() || !d.PublicKey.IsZero() || len(d.Peers) != 0 {
		t.Errorf("new device: %+v", d)
	}
	devs, err := c.Devices(bg)
	if err != nil || len(devs) != 1 || devs[0].Name != "wg0" {
		t.Errorf("Devices: %+v %v", devs, err)
	}
	if err := h.DeleteLink(bg, l); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeviceByIndex(bg, l.Index); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("deleted device: %v, want not exist", err)
	}
}

// TestWireGuardConfigure sets every setting of a device and its peers and
// reads them back, then merges, updates, replaces and removes peers and
// allowed IPs, checking the kernel's state after each change.
func TestWireGuardConfigure(t *testing.T) {
	_, h, c := newNS(t)
	l := addDevice(t, h, "wg0")
	priv, psk := mustKey(t), mustKey(t)
	p1, p2, p3 := mustKey(t).PublicKey(), mustKey(t).PublicKey(), mustKey(t).PublicKey()
	ips1 := []netip.Prefix{netip.MustParsePrefix("10.1.0.0/16"), netip.MustParsePrefix("10.2.3.4/32"), netip.MustParsePrefix("fd00:1::/64")}
	ips2 := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}
	err := c.Configure(bg, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
		PrivateKey:   &priv,
		ListenPort:   new(uint16(51820)),
		FirewallMark: new(uint32(0x42)),
		Peers: []wireguard.PeerConfig{
			{PublicKey: p1, PresharedKey: &psk, Endpoint: netip.MustParseAddrPort("192.0.2.1:51821"),
				PersistentKeepalive: new(25 * time.Second), AllowedIPs: ips1},
			{PublicKey: p2, Endpoint: netip.MustParseAddrPort("[2001:db8::2]:4500"), AllowedIPs: ips2},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.DeviceByIndex(bg, l.Index)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "wg0" || d.Index != l.Index || d.PrivateKey != priv || d.PublicKey != priv.PublicKey() || d.ListenPort != 51820 || d.FirewallMark != 0x42 || len(d.Peers) != 2 {
		t.Fatalf("device: %+v", d)
	}
	a := peerOf(t, d, p1)
	if a.PresharedKey != psk || a.Endpoint != netip.MustParseAddrPort("192.0.2.1:51821") || a.PersistentKeepalive != 25*time.Second ||
		!slices.Equal(sortedPrefixes(a.AllowedIPs), sortedPrefixes(ips1)) || !a.LastHandshake.IsZero() || a.ReceiveBytes != 0 || a.ProtocolVersion != 1 {
		t.Errorf("peer 1: %+v", a)
	}
	b := peerOf(t, d, p2)
	if !b.PresharedKey.IsZero() || b.Endpoint != netip.MustParseAddrPort("[2001:db8::2]:4500") || b.PersistentKeepalive != 0 ||
		!slices.Equal(sortedPrefixes(b.AllowedIPs), sortedPrefixes(ips2)) {
		t.Errorf("peer 2: %+v", b)
	}

	// Merge: a third peer joins; UpdateOnly leaves a missing peer out; new
	// allowed IPs add to a peer's (host bits cleared by the kernel).
	extra := netip.MustParsePrefix("10.9.9.9/24")
	err = c.Configure(bg, &wireguard.Device{Index: l.Index}, &wireguard.Config{Peers: []wireguard.PeerConfig{
		{PublicKey: p3, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.3.0.0/16")}},
		{PublicKey: mustKey(t).PublicKey(), UpdateOnly: true, AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.4.0.0/16")}},
		{PublicKey: p1, AllowedIPs: []netip.Prefix{extra}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	wireguard.CaptureDeviceSeeds(t, c, "wg0", 4096)
	if len(d.Peers) != 3 {
		t.Fatalf("after merging: %d peers, want 3: %+v", len(d.Peers), d.Peers)
	}
	if got, want := sortedPrefixes(peerOf(t, d, p1).AllowedIPs), sortedPrefixes(append(slices.Clone(ips1), extra.Masked())); !slices.Equal(got, want) {
		t.Errorf("peer 1's allowed IPs after adding: %v, want %v", got, want)
	}
	if d.PrivateKey != priv || d.ListenPort != 51820 {
		t.Errorf("a peers-only change changed the device: %+v", d)
	}

	// Replace a peer's allowed IPs, remove its preshared key and
	// keepalive, and remove another peer.
	err = c.Configure(bg, &wireguard.Device{Name: "wg0"}, &wireguard.Config{Peers: []wireguard.PeerConfig{
		{PublicKey: p1, ReplaceAllowedIPs: true, PresharedKey: new(wireguard.Key{}), PersistentKeepalive: new(time.Duration(0)),
			AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.5.0.0/16")}},
		{PublicKey: p2, Remove: true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Peers) != 2 || slices.ContainsFunc(d.Peers, func(p wireguard.Peer) bool { return p.PublicKey == p2 }) {
		t.Fatalf("after removing peer 2: %+v", d.Peers)
	}
	a = peerOf(t, d, p1)
	if !slices.Equal(a.AllowedIPs, []netip.Prefix{netip.MustParsePrefix("10.5.0.0/16")}) || !a.PresharedKey.IsZero() || a.PersistentKeepalive != 0 {
		t.Errorf("peer 1 after replacing: %+v", a)
	}

	// Replace every peer, and remove the private key.
	err = c.Configure(bg, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
		PrivateKey: new(wireguard.Key{}), FirewallMark: new(uint32(0)), ReplacePeers: true,
		Peers: []wireguard.PeerConfig{{PublicKey: p2}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err = c.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if !d.PrivateKey.IsZero() || !d.PublicKey.IsZero() || d.FirewallMark != 0 || len(d.Peers) != 1 || d.Peers[0].PublicKey != p2 || len(d.Peers[0].AllowedIPs) != 0 {
		t.Errorf("after replacing the peers: %+v", d)
	}
}

// TestWireGuardLargeConfig configures more peers and allowed IPs than one
// netlink message holds, both ways: the configuration is sent in several
// requests and the kernel lists it in several messages, joined again.
func TestWireGuardLargeConfig(t *testing.T) {
	_, h, c := newNS(t)
	addDevice(t, h, "wg0")
	cfg := &wireguard.Config{PrivateKey: new(mustKey(t)), ReplacePeers: true}
	want := map[wireguard.Key][]netip.Prefix{}
	for i := range 300 {
		p := wireguard.PeerConfig{PublicKey: mustKey(t).PublicKey(), Endpoint: netip.AddrPortFrom(netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}), uint16(10000+i))}
		n := 2
		if i < 2 {
			n = 3000 // two peers with more allowed IPs than a message holds
		}
		for j := range n {
			if j%2 == 0 {
				// distinct across peers: a prefix belongs to one peer,
				// the last one given it
				p.AllowedIPs = append(p.AllowedIPs, netip.PrefixFrom(netip.AddrFrom4([4]byte{10 + byte(i>>8), byte(i), byte(j >> 8), byte(j)}), 32))
			} else {
				p.AllowedIPs = append(p.AllowedIPs, netip.MustParsePrefix(fmt.Sprintf("fd00:%x:%x::/64", i, j)))
			}
		}
		want[p.PublicKey] = sortedPrefixes(p.AllowedIPs)
		cfg.Peers = append(cfg.Peers, p)
	}
	if err := c.Configure(bg, &wireguard.Device{Name: "wg0"}, cfg); err != nil {
		t.Fatal(err)
	}
	d, err := c.DeviceByName(bg, "wg0")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Peers) != len(cfg.Peers) {
		t.Fatalf("%d peers listed, %d configured", len(d.Peers), len(cfg.Peers))
	}
	total := 0
	for i, p := range d.Peers {
		w, ok := want[p.PublicKey]
		if !ok {
			t.Fatalf("peer %d %s was not configured", i, p.PublicKey)
		}
		if got := sortedPrefixes(p.AllowedIPs); !slices.Equal(got, w) {
			t.Errorf("peer %s: %d allowed IPs listed, %d configured", p.PublicKey, len(got), len(w))
		}
		if p.Endpoint != cfg.Peers[i].Endpoint {
			t.Errorf("peer %d: endpoint %v, want %v (in the order configured)", i, p.Endpoint, cfg.Peers[i].Endpoint)
		}
		total += len(p.AllowedIPs)
	}
	t.Logf("%d peers, %d allowed IPs", len(d.Peers), total)
	wireguard.CaptureDeviceSeeds(t, c, "wg0", 1024)
}

// TestWireGuardErrors checks that refusals name the command and the
// device, and carry the kernel's errno.
func TestWireGuardErrors(t *testing.T) {
	ns, _, c := newNS(t)
	err := c.Configure(bg, &wireguard.Device{Name: "nowg0"}, &wireguard.Config{ListenPort: new(uint16(1))})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "wireguard WG_CMD_SET_DEVICE dev nowg0") {
		t.Errorf("configuring a missing device: %v", err)
	}
	_, err = c.DeviceByName(bg, "nowg0")
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "wireguard WG_CMD_GET_DEVICE dev nowg0") {
		t.Errorf("getting a missing device: %v", err)
	}
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v1")
	_, err = c.DeviceByName(bg, "v0")
	if !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("getting a veth as a wireguard device: %v, want EOPNOTSUPP", err)
	}
	if err := c.Configure(bg, &wireguard.Device{}, &wireguard.Config{}); err == nil {
		t.Error("a device without index or name was accepted")
	}
}
