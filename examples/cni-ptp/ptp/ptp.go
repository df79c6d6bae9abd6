// Package ptp is the netlink part of the CNI ptp plugin
// (containernetworking/plugins, plugins/main/ptp) written on nlkit: a veth
// pair with one end in the container's namespace, the container's address
// and routes through the host end, and the host end's address and route
// back to the container. It leaves the state the plugin leaves (its
// vishvananda/netlink twin is compared with it in ../vishvananda) and shows
// nlkit's way of doing it: handles opened in the namespaces by path with
// no thread ever moved, the peer created directly in the host's namespace,
// the link's carrier waited for, the container's routes applied as one
// batch, and a failed Add undone.
//
// What the plugin does besides netlink is left out: IPAM, sysctls
// (ip_forward), IP masquerading, DNS.
package ptp

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// Config is one container's attachment, as the plugin gets it from the
// runtime (namespace, interface name) and from IPAM (address, gateway,
// routes). Only IPv4 is modelled.
type Config struct {
	HostNS      string         // path of the host-side namespace, e.g. /run/netns/NAME
	ContainerNS string         // path of the container's namespace (CNI_NETNS)
	IfName      string         // interface name in the container, "eth0" (CNI_IFNAME)
	HostIfName  string         // name of the host-side veth
	MTU         int            // MTU of both veth ends (0: the kernel's default)
	Address     netip.Prefix   // container address with its subnet length, 10.1.1.2/24
	Gateway     netip.Addr     // the host side's address, 10.1.1.1
	Routes      []netip.Prefix // routes via Gateway in the container, e.g. 0.0.0.0/0
}

func (cfg *Config) validate() error {
	switch {
	case cfg == nil:
		return errors.New("ptp: nil config")
	case cfg.HostNS == "" || cfg.ContainerNS == "":
		return errors.New("ptp: HostNS and ContainerNS are required")
	case cfg.IfName == "" || cfg.HostIfName == "":
		return errors.New("ptp: IfName and HostIfName are required")
	case cfg.MTU < 0:
		return fmt.Errorf("ptp: MTU %d", cfg.MTU)
	case !cfg.Address.IsValid() || !cfg.Address.Addr().Is4():
		return fmt.Errorf("ptp: Address %v is not an IPv4 prefix", cfg.Address)
	case !cfg.Gateway.Is4():
		return fmt.Errorf("ptp: Gateway %v is not an IPv4 address", cfg.Gateway)
	}
	for _, r := range cfg.Routes {
		if !r.IsValid() || !r.Addr().Is4() {
			return fmt.Errorf("ptp: route %v is not an IPv4 prefix", r)
		}
	}
	return nil
}

// operUp is true of a link whose carrier is on: for a veth, once both ends
// are up.
func operUp(l *rtnl.Link) bool { return l.OperState == rtnl.OperUp }

// Add attaches the container: it creates the veth pair, configures both
// ends, and waits for the container end's carrier. On failure it deletes
// what it created (deleting the container end takes the host end, its
// address and route with it) and returns the error.
func Add(ctx context.Context, cfg *Config) (err error) {
	if err := cfg.validate(); err != nil {
		return err
	}
	hostNS, err := netns.Open(cfg.HostNS)
	if err != nil {
		return fmt.Errorf("ptp: host namespace: %w", err)
	}
	defer hostNS.Close()
	host, err := rtnl.DialNetNS(cfg.HostNS)
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	defer host.Close()
	cont, err := rtnl.DialNetNS(cfg.ContainerNS)
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	defer cont.Close()

	// The pair, created in the container with its peer made directly in
	// the host's namespace. The plugin's vishvananda/netlink call sends
	// the peer a transmit queue length of 0 (a Veth literal leaves
	// PeerTxQLen 0, which it sends); Explicit does the same here, so that
	// both leave the same state.
	link := &rtnl.Link{
		Name: cfg.IfName,
		MTU:  uint32(cfg.MTU),
		Info: rtnl.LinkInfo{Data: &rtnl.VethInfo{Peer: &rtnl.Link{
			Name:     cfg.HostIfName,
			MTU:      uint32(cfg.MTU),
			NetNS:    hostNS,
			Explicit: rtnl.LinkFieldTxQueueLen,
		}}},
	}
	if err := cont.AddLink(ctx, link); err != nil { // sets link.Index
		return fmt.Errorf("ptp: %w", err)
	}
	defer func() {
		if err != nil {
			undo := context.WithoutCancel(ctx)
			if derr := cont.DeleteLink(undo, &rtnl.Link{Index: link.Index}); derr != nil {
				err = errors.Join(err, fmt.Errorf("ptp: undo: %w", derr))
			}
		}
	}()
	hostLink := &rtnl.Link{Name: cfg.HostIfName}
	if err := host.SetLinkUp(ctx, hostLink); err != nil {
		return fmt.Errorf("ptp: %w", err)
	}

	// The container's address, with its broadcast address (ip's "brd +",
	// which vishvananda/netlink computes for prefixes shorter than /31),
	// then the link up, and its carrier.
	addr := &rtnl.Address{LinkIndex: link.Index, Prefix: cfg.Address}
	addr.Broadcast, _ = rtnl.BroadcastOf(cfg.Address)
	if err := cont.AddAddress(ctx, addr); err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	if err := cont.SetLinkUp(ctx, link); err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	if _, err := cont.WaitLink(ctx, link, operUp); err != nil {
		return fmt.Errorf("ptp: %w", err)
	}

	// The container's routes, in one batch: the routes IPAM gave, via the
	// gateway; then the subnet's connected route is replaced by a route to
	// the gateway on the link and the subnet via the gateway, so that all
	// the container's traffic goes through the host.
	subnet := cfg.Address.Masked()
	src := cfg.Address.Addr()
	b := cont.NewBatch()
	add := func(v rtnl.Verb, r *rtnl.Route) {
		err = errors.Join(err, b.Route(v, r)) // a route that cannot be encoded
	}
	for _, dst := range cfg.Routes {
		add(rtnl.Add, &rtnl.Route{Dst: dst.Masked(), Gateway: cfg.Gateway, LinkIndex: link.Index})
	}
	add(rtnl.Delete, &rtnl.Route{Dst: subnet, LinkIndex: link.Index})
	add(rtnl.Add, &rtnl.Route{Dst: netip.PrefixFrom(cfg.Gateway, 32), LinkIndex: link.Index, PrefSrc: src})
	add(rtnl.Add, &rtnl.Route{Dst: subnet, Gateway: cfg.Gateway, LinkIndex: link.Index, PrefSrc: src})
	if err != nil {
		return fmt.Errorf("ptp: container routes: %w", err)
	}
	if err := b.Run(ctx, nil); err != nil {
		return fmt.Errorf("ptp: container routes: %w", err)
	}

	// The host end: the gateway's address, alone in its /32, and the route
	// to the container, of host scope as the plugin makes it.
	hostLink, err = host.LinkByName(ctx, cfg.HostIfName)
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	gw := &rtnl.Address{LinkIndex: hostLink.Index, Prefix: netip.PrefixFrom(cfg.Gateway, 32)}
	if err := host.AddAddress(ctx, gw); err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	back := &rtnl.Route{Dst: netip.PrefixFrom(src, 32), LinkIndex: hostLink.Index, Scope: rtnl.ScopeHost}
	if err := host.AddRoute(ctx, back); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("ptp: %w", err)
	}
	return nil
}

// Check verifies what the plugin's CHECK does: the container's interface
// is a veth with the address, the main table has a route to the subnet,
// and one to each route's destination, via the gateway (for other than
// the default route, whose gateway the plugin does not compare).
func Check(ctx context.Context, cfg *Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	cont, err := rtnl.DialNetNS(cfg.ContainerNS)
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	defer cont.Close()
	link, err := cont.LinkByName(ctx, cfg.IfName)
	if err != nil {
		return fmt.Errorf("ptp: check: %w", err)
	}
	if _, ok := link.Info.Data.(*rtnl.VethInfo); !ok {
		return fmt.Errorf("ptp: check: %s is a %q link, not a veth", cfg.IfName, link.Info.Kind)
	}
	addrs, err := cont.ListAddresses(ctx, &rtnl.AddressFilter{LinkIndex: link.Index, Prefix: netip.PrefixFrom(cfg.Address.Addr(), 32)})
	if err != nil {
		return fmt.Errorf("ptp: check: %w", err)
	}
	if len(addrs) != 1 || addrs[0].Prefix != cfg.Address {
		return fmt.Errorf("ptp: check: %s has no address %v", cfg.IfName, cfg.Address)
	}
	routes, err := cont.ListRoutes(ctx, &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain})
	if err != nil {
		return fmt.Errorf("ptp: check: %w", err)
	}
	has := func(dst netip.Prefix, gw netip.Addr) bool {
		for _, r := range routes {
			if r.Dst == dst && (!gw.IsValid() || r.Gateway == gw) {
				return true
			}
		}
		return false
	}
	if subnet := cfg.Address.Masked(); !has(subnet, netip.Addr{}) {
		return fmt.Errorf("ptp: check: no route to %v", subnet)
	}
	for _, dst := range cfg.Routes {
		gw := cfg.Gateway
		if dst.Bits() == 0 {
			gw = netip.Addr{}
		}
		if !has(dst.Masked(), gw) {
			return fmt.Errorf("ptp: check: no route to %v via %v", dst, cfg.Gateway)
		}
	}
	return nil
}

// Del detaches the container: deleting its end of the pair deletes the
// host's end, with its address and route. Like the plugin's DEL it
// succeeds when there is nothing to delete, the namespace included.
func Del(ctx context.Context, cfg *Config) error {
	if cfg == nil {
		return errors.New("ptp: nil config")
	}
	if cfg.ContainerNS == "" {
		return nil // the runtime has no namespace any more
	}
	cont, err := rtnl.DialNetNS(cfg.ContainerNS)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	defer cont.Close()
	err = cont.DeleteLink(ctx, &rtnl.Link{Name: cfg.IfName})
	if errors.Is(err, unix.ENODEV) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ptp: %w", err)
	}
	return nil
}
