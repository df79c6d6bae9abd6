package wireguard_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/wireguard"
)

// Create a WireGuard interface in a namespace, give it a key, a port and a
// peer, and read back what the kernel holds. (Not run: it needs a
// namespace named "blue" and a kernel with WireGuard.)
func ExampleClient_Configure() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	if err := h.AddLink(ctx, &rtnl.Link{Name: "wg0", Info: rtnl.LinkInfo{Kind: "wireguard"}}); err != nil {
		fmt.Println(err)
		return
	}
	c, err := wireguard.DialNetNS("blue")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	priv, err := wireguard.GeneratePrivateKey()
	if err != nil {
		fmt.Println(err)
		return
	}
	peer, err := wireguard.ParseKey("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = c.Configure(ctx, &wireguard.Device{Name: "wg0"}, &wireguard.Config{
		PrivateKey: &priv,
		ListenPort: new(uint16(51820)),
		Peers: []wireguard.PeerConfig{{
			PublicKey:  peer,
			Endpoint:   netip.MustParseAddrPort("192.0.2.2:51820"),
			AllowedIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.2/32")},
		}},
	})
	if err != nil {
		fmt.Println(err) // wireguard WG_CMD_SET_DEVICE dev wg0: ...
		return
	}
	d, err := c.DeviceByName(ctx, "wg0")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(d.PublicKey == priv.PublicKey(), d.ListenPort, d.Peers[0].AllowedIPs) // true 51820 [10.0.0.2/32]
}
