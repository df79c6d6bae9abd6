// Package vvptp is the netlink flow of the CNI "ptp" plugin
// (containernetworking/plugins, plugins/main/ptp) for one IPv4 address,
// written on github.com/vishvananda/netlink v1.3.1 as the plugin is. It is
// the reference that nlkit's examples/cni-ptp/ptp is compared with: the
// same requests, in the same order, with the same fields (FLOW.md lists
// them). What the plugin does that is not netlink (IPAM, sysctls, IP
// masquerade, the CNI result) is left out.
//
// Unlike the plugin, which moves its thread into the container's namespace
// (ns.Do), this package opens one netlink handle in each namespace with
// netlink.NewHandleAt and never moves the calling thread.
package vvptp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Config is one ptp attachment: the same fields, with the same meaning, as
// nlkit's ptp.Config.
type Config struct {
	HostNS      string         // path of the host-side namespace, e.g. /run/netns/NAME
	ContainerNS string         // path of the container's namespace
	IfName      string         // interface name in the container, "eth0"
	HostIfName  string         // name of the host-side veth
	MTU         int            // MTU of both veth ends (0: the kernel's default)
	Address     netip.Prefix   // container address with its subnet length, 10.1.1.2/24
	Gateway     netip.Addr     // 10.1.1.1
	Routes      []netip.Prefix // routes via Gateway in the container, e.g. 0.0.0.0/0
}

func (cfg *Config) validate() error {
	switch {
	case cfg == nil:
		return errors.New("vvptp: nil config")
	case cfg.IfName == "":
		return errors.New("vvptp: IfName is empty")
	case cfg.HostIfName == "":
		return errors.New("vvptp: HostIfName is empty")
	case !cfg.Address.IsValid() || !cfg.Address.Addr().Is4():
		return fmt.Errorf("vvptp: Address %v is not an IPv4 prefix", cfg.Address)
	case !cfg.Gateway.Is4():
		return fmt.Errorf("vvptp: Gateway %v is not an IPv4 address", cfg.Gateway)
	}
	for _, r := range cfg.Routes {
		if !r.IsValid() || !r.Addr().Is4() {
			return fmt.Errorf("vvptp: route %v is not an IPv4 prefix", r)
		}
	}
	return nil
}

// ipNet is the plugin's net.IPNet form of a prefix: the address as given
// (not masked) with the prefix's mask.
func ipNet(p netip.Prefix) *net.IPNet {
	bits := p.Addr().BitLen()
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), bits)}
}

func ipOf(a netip.Addr) net.IP { return net.IP(a.AsSlice()) }

// handleAt opens a NETLINK_ROUTE handle inside the namespace at path. The
// socket keeps the namespace alive; the namespace's file is closed here.
func handleAt(path string) (*netlink.Handle, error) {
	ns, err := netns.GetFromPath(path)
	if err != nil {
		return nil, err
	}
	defer ns.Close()
	return netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
}

// discardDumpInterrupted is the plugin's netlinksafe behaviour: a dump
// interrupted by a concurrent change still counts as a result.
func discardDumpInterrupted(err error) error {
	if errors.Is(err, netlink.ErrDumpInterrupted) {
		return nil
	}
	return err
}

// Add is the plugin's ADD: the veth pair (ip.SetupVethWithName), the
// container's address, link and routes (ipam.ConfigureIface, then ptp's
// route rewrite) and the host's address and host route (setupHostVeth).
// Like the plugin, it does not undo what it did when a later step fails.
func Add(cfg *Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	hostNS, err := netns.GetFromPath(cfg.HostNS)
	if err != nil {
		return fmt.Errorf("failed to open netns %q: %v", cfg.HostNS, err)
	}
	defer hostNS.Close()
	host, err := netlink.NewHandleAt(hostNS, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("failed to open netlink in %q: %v", cfg.HostNS, err)
	}
	defer host.Close()
	cont, err := handleAt(cfg.ContainerNS)
	if err != nil {
		return fmt.Errorf("failed to open netns %q: %v", cfg.ContainerNS, err)
	}
	defer cont.Close()

	// ip.SetupVethWithName → makeVeth → makeVethPair, in the container:
	// the peer is created directly in the host namespace. A literal Veth,
	// as the plugin builds it: PeerTxQLen stays 0 and is sent.
	la := netlink.NewLinkAttrs()
	la.Name = cfg.IfName
	la.MTU = cfg.MTU
	veth := &netlink.Veth{
		LinkAttrs:     la,
		PeerName:      cfg.HostIfName,
		PeerNamespace: netlink.NsFd(int(hostNS)),
	}
	if err := cont.LinkAdd(veth); err != nil {
		if os.IsExist(err) {
			return fmt.Errorf("container veth name (%q) peer provided (%q) already exists", cfg.IfName, cfg.HostIfName)
		}
		return fmt.Errorf("failed to make veth pair: %v", err)
	}
	if _, err := cont.LinkByName(cfg.IfName); err != nil {
		cont.LinkDel(veth)
		return fmt.Errorf("failed to make veth pair: %v", err)
	}
	hostVeth, err := host.LinkByName(cfg.HostIfName)
	if err != nil {
		return fmt.Errorf("failed to lookup %q in %q: %v", cfg.HostIfName, cfg.HostNS, err)
	}
	if err := host.LinkSetUp(hostVeth); err != nil {
		return fmt.Errorf("failed to set %q up: %v", cfg.HostIfName, err)
	}
	// (sysctl net/ipv6/conf/HOSTIF/accept_ra=0: not netlink, left out.)

	// The plugin's net.InterfaceByName(ifName), for the index.
	contVeth, err := cont.LinkByName(cfg.IfName)
	if err != nil {
		return fmt.Errorf("failed to look up %q: %v", cfg.IfName, err)
	}
	contIndex := contVeth.Attrs().Index

	// ipam.ConfigureIface.
	link, err := cont.LinkByName(cfg.IfName)
	if err != nil {
		return fmt.Errorf("failed to lookup %q: %v", cfg.IfName, err)
	}
	if err := cont.AddrAdd(link, &netlink.Addr{IPNet: ipNet(cfg.Address), Label: ""}); err != nil {
		return fmt.Errorf("failed to add IP addr %v to %q: %v", cfg.Address, cfg.IfName, err)
	}
	if err := cont.LinkSetUp(link); err != nil {
		return fmt.Errorf("failed to set %q UP: %v", cfg.IfName, err)
	}
	for _, r := range cfg.Routes {
		route := netlink.Route{
			Dst:       ipNet(r.Masked()),
			LinkIndex: link.Attrs().Index,
			Gw:        ipOf(cfg.Gateway),
		}
		if err := cont.RouteAddEcmp(&route); err != nil {
			return fmt.Errorf("failed to add route '%v via %v dev %v': %v", r, cfg.Gateway, cfg.IfName, err)
		}
	}

	// ptp: replace the kernel's connected route by a host route to the
	// gateway and a route to the subnet via the gateway.
	subnet := ipNet(cfg.Address.Masked())
	del := netlink.Route{LinkIndex: contIndex, Dst: subnet, Scope: netlink.SCOPE_NOWHERE}
	if err := cont.RouteDel(&del); err != nil {
		return fmt.Errorf("failed to delete route %v: %v", del, err)
	}
	for _, r := range []netlink.Route{
		{
			LinkIndex: contIndex,
			Dst:       ipNet(netip.PrefixFrom(cfg.Gateway, 32)),
			Scope:     netlink.SCOPE_LINK,
			Src:       ipOf(cfg.Address.Addr()),
		},
		{
			LinkIndex: contIndex,
			Dst:       subnet,
			Scope:     netlink.SCOPE_UNIVERSE,
			Gw:        ipOf(cfg.Gateway),
			Src:       ipOf(cfg.Address.Addr()),
		},
	} {
		if err := cont.RouteAdd(&r); err != nil {
			return fmt.Errorf("failed to add route %v: %v", r, err)
		}
	}

	// setupHostVeth: the veth moved namespaces, so it is looked up again.
	hostVeth, err = host.LinkByName(cfg.HostIfName)
	if err != nil {
		return fmt.Errorf("failed to lookup %q: %v", cfg.HostIfName, err)
	}
	gw := ipNet(netip.PrefixFrom(cfg.Gateway, 32))
	if err := host.AddrAdd(hostVeth, &netlink.Addr{IPNet: gw, Label: ""}); err != nil {
		return fmt.Errorf("failed to add IP addr (%#v) to veth: %v", gw, err)
	}
	// ip.AddHostRoute; an existing route is fine.
	hostRoute := netlink.Route{
		LinkIndex: hostVeth.Attrs().Index,
		Scope:     netlink.SCOPE_HOST,
		Dst:       ipNet(netip.PrefixFrom(cfg.Address.Addr(), 32)),
	}
	if err := host.RouteAdd(&hostRoute); err != nil && !os.IsExist(err) {
		return fmt.Errorf("failed to add route on host: %v", err)
	}
	return nil
}

// Check is the plugin's CHECK, in the container namespace only (the plugin
// looks at nothing on the host side): the interface exists and is a veth
// (the plugin also compares its MAC with prevResult's; there is no
// prevResult here), the address is on it, a main-table route to its
// subnet exists, and every route exists (for a default route only its
// destination is compared, as the plugin does).
func Check(cfg *Config) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	cont, err := handleAt(cfg.ContainerNS)
	if err != nil {
		return fmt.Errorf("failed to open netns %q: %v", cfg.ContainerNS, err)
	}
	defer cont.Close()

	// validateCniContainerInterface.
	link, err := cont.LinkByName(cfg.IfName)
	if err != nil {
		return fmt.Errorf("ptp: Container Interface name in prevResult: %s not found", cfg.IfName)
	}
	if _, ok := link.(*netlink.Veth); !ok {
		return fmt.Errorf("Error: Container interface %s not of type veth/p2p", link.Attrs().Name)
	}

	// ip.ValidateExpectedInterfaceIPs.
	ours := netlink.Addr{IPNet: ipNet(cfg.Address)}
	link, err = cont.LinkByName(cfg.IfName)
	if err != nil {
		return fmt.Errorf("Cannot find container link %v", cfg.IfName)
	}
	addrs, err := cont.AddrList(link, netlink.FAMILY_ALL)
	if discardDumpInterrupted(err) != nil {
		return fmt.Errorf("Cannot obtain List of IP Addresses")
	}
	match := false
	for _, a := range addrs {
		if a.Equal(ours) {
			match = true
			break
		}
	}
	if !match {
		return fmt.Errorf("Failed to match addr %v on interface %v", ours, cfg.IfName)
	}
	gwy, err := cont.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Dst: ipNet(cfg.Address.Masked())}, netlink.RT_FILTER_DST)
	if discardDumpInterrupted(err) != nil {
		return fmt.Errorf("Error %v trying to find Gateway %v for interface %v", err, cfg.Gateway, cfg.IfName)
	}
	if gwy == nil {
		return fmt.Errorf("Failed to find Gateway %v for interface %v", cfg.Gateway, cfg.IfName)
	}

	// ip.ValidateExpectedRoute.
	for _, r := range cfg.Routes {
		find := &netlink.Route{Dst: ipNet(r.Masked()), Gw: ipOf(cfg.Gateway)}
		mask := uint64(netlink.RT_FILTER_DST | netlink.RT_FILTER_GW)
		if r.Bits() == 0 {
			find = &netlink.Route{Dst: nil, Gw: ipOf(cfg.Gateway)}
			mask = netlink.RT_FILTER_DST
		}
		found, err := cont.RouteListFiltered(netlink.FAMILY_V4, find, mask)
		if discardDumpInterrupted(err) != nil {
			return fmt.Errorf("Expected Route %v not route table lookup error %v", r, err)
		}
		if found == nil {
			return fmt.Errorf("Expected Route %v not found in routing table", r)
		}
	}
	return nil
}

// Del is the plugin's DEL: in the container namespace, look the interface
// up, list its addresses (the plugin returns them for the masquerade
// teardown) and delete it, which deletes the host-side peer with its
// address and route. A missing namespace or interface is success.
func Del(cfg *Config) error {
	if cfg == nil {
		return errors.New("vvptp: nil config")
	}
	if cfg.ContainerNS == "" {
		return nil
	}
	ns, err := netns.GetFromPath(cfg.ContainerNS)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	cont, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	ns.Close()
	if err != nil {
		return err
	}
	defer cont.Close()

	// ip.DelLinkByNameAddr.
	link, err := cont.LinkByName(cfg.IfName)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("failed to lookup %q: %v", cfg.IfName, err)
	}
	if _, err := cont.AddrList(link, netlink.FAMILY_ALL); discardDumpInterrupted(err) != nil {
		return fmt.Errorf("failed to get IP addresses for %q: %v", cfg.IfName, err)
	}
	if err := cont.LinkDel(link); err != nil {
		return fmt.Errorf("failed to delete %q: %v", cfg.IfName, err)
	}
	return nil
}
