// Package wireguard configures WireGuard interfaces through the kernel's
// generic netlink family "wireguard": a device's private key, listen port
// and firewall mark, and its peers with their public and preshared keys,
// endpoints, persistent keepalives and allowed IPs; and reads them back
// with each peer's last handshake and byte counters.
//
// The interface itself is a link of kind "wireguard", created, listed and
// deleted with package rtnl:
//
//	h.AddLink(ctx, &rtnl.Link{Name: "wg0", Info: rtnl.LinkInfo{Kind: "wireguard"}})
//
// then configured here:
//
//	priv, _ := wireguard.GeneratePrivateKey()
//	c.Configure(ctx, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
//		PrivateKey: &priv,
//		ListenPort: new(uint16(51820)),
//		Peers: []wireguard.PeerConfig{{
//			PublicKey:  peer,
//			Endpoint:   netip.MustParseAddrPort("192.0.2.2:51820"),
//			AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32")},
//		}},
//	})
//
// Keys are [32]byte values (Key) printed and parsed in base64, as wg(8)
// does. Configurations too large for one netlink message (many peers, or
// many allowed IPs) are sent as several, each continuing the last, as the
// kernel's interface describes; listings the kernel splits likewise are
// joined back into one Device.
//
// Like rtnl, calls that change something take the object they change, named
// by its key fields (Device.Index, or Device.Name when the index is 0), and
// lookups are DeviceByName and DeviceByIndex.
package wireguard
