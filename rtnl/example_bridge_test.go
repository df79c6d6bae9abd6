package rtnl_test

import (
	"context"
	"fmt"
	"log"
	"net"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
)

// Print every port's VLANs as `bridge -compressvlans vlan show` does, in
// the namespace "blue".
func ExampleHandle_ListBridgePorts() {
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	ports, err := h.ListBridgePorts(context.Background(), &rtnl.BridgePortFilter{CompressVLANs: true})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range ports {
		for _, v := range p.VLANs {
			fmt.Println(p.Name, v.VID, v.VIDEnd, v.Flags)
		}
		for _, t := range p.Tunnels {
			fmt.Println(p.Name, "vid", t.VID, t.VIDEnd, "vni", t.TunnelID, t.TunnelIDEnd)
		}
	}
}

// Give a port VLAN 10 untagged as its PVID and a trunk of VLANs 20-25
// (bridge vlan add dev eth1 vid 10 pvid untagged; ... vid 20-25).
func ExampleHandle_AddBridgeVLAN() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	port, err := h.LinkByName(ctx, "eth1")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range []rtnl.BridgeVLAN{
		{LinkIndex: port.Index, VID: 10, Flags: rtnl.BridgeVLANPVID | rtnl.BridgeVLANUntagged},
		{LinkIndex: port.Index, VID: 20, VIDEnd: 25},
	} {
		if err := h.AddBridgeVLAN(ctx, &v); err != nil {
			log.Fatal(err)
		}
	}
}

// Map VLANs 100-102 of an external VXLAN port to VNIs 1100-1102, as an
// EVPN setup does (bridge vlan add dev vx0 vid 100-102 tunnel_info id
// 1100-1102). The port needs the VLANs and vlan_tunnel on.
func ExampleHandle_AddBridgeVLANTunnel() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	vx, err := h.LinkByName(ctx, "vx0")
	if err != nil {
		log.Fatal(err)
	}
	on := true
	if err := h.SetBridgePort(ctx, &rtnl.BridgePort{LinkIndex: vx.Index, Port: &rtnl.BridgePortInfo{VLANTunnel: &on}}); err != nil {
		log.Fatal(err)
	}
	if err := h.AddBridgeVLAN(ctx, &rtnl.BridgeVLAN{LinkIndex: vx.Index, VID: 100, VIDEnd: 102}); err != nil {
		log.Fatal(err)
	}
	t := rtnl.BridgeVLANTunnel{LinkIndex: vx.Index, VID: 100, VIDEnd: 102, TunnelID: 1100}
	if err := h.AddBridgeVLANTunnel(ctx, &t); err != nil {
		log.Fatal(err)
	}
}

// Flood a VXLAN device's unknown traffic to two remote VTEPs (head-end
// replication: bridge fdb append 00:00:00:00:00:00 dev vx0 dst ...).
func ExampleHandle_AppendNeighbour() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	vx, err := h.LinkByName(ctx, "vx0")
	if err != nil {
		log.Fatal(err)
	}
	for _, remote := range []string{"192.0.2.2", "192.0.2.3"} {
		n := rtnl.Neighbour{Family: rtnl.Bridge, LinkIndex: vx.Index, LinkAddr: net.HardwareAddr{0, 0, 0, 0, 0, 0},
			Addr: netip.MustParseAddr(remote), Flags: rtnl.NeighSelf, State: rtnl.NeighPermanent}
		if err := h.AppendNeighbour(ctx, &n); err != nil {
			log.Fatal(err)
		}
	}
}

// Join port eth1 of br0 to group 239.1.1.1 in VLAN 10, permanently
// (bridge mdb add dev br0 port eth1 grp 239.1.1.1 permanent vid 10), and
// list the bridge's multicast database.
func ExampleHandle_AddMDBEntry() {
	ctx := context.Background()
	h, err := rtnl.DialNetNS("blue")
	if err != nil {
		log.Fatal(err)
	}
	defer h.Close()
	br, err := h.LinkByName(ctx, "br0")
	if err != nil {
		log.Fatal(err)
	}
	port, err := h.LinkByName(ctx, "eth1")
	if err != nil {
		log.Fatal(err)
	}
	e := rtnl.MDBEntry{MasterIndex: br.Index, LinkIndex: port.Index,
		Group: netip.MustParseAddr("239.1.1.1"), VID: 10, State: rtnl.MDBPermanent}
	if err := h.AddMDBEntry(ctx, &e); err != nil {
		log.Fatal(err)
	}
	entries, err := h.ListMDBEntries(ctx, &rtnl.MDBEntryFilter{MasterIndex: br.Index})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range entries {
		fmt.Println(e.String())
	}
}
