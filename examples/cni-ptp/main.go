// Command cni-ptp runs the netlink part of the CNI ptp plugin (package
// ptp) on two network namespaces: it attaches a container to a host
// namespace with a veth pair, checks the attachment, or detaches it.
//
// Usage:
//
//	cni-ptp add|check|del -host PATH -container PATH [-ifname eth0]
//	        [-hostif NAME] [-mtu N] [-addr 10.1.1.2/24] [-gw 10.1.1.1]
//	        [-route 0.0.0.0/0]...
//	cni-ptp demo
//
// PATH is a namespace's path (/run/netns/NAME, /proc/PID/ns/net, a
// CNI_NETNS). demo creates two throwaway namespaces, attaches, prints what
// each side then holds, checks, detaches and deletes them: it needs root
// and changes nothing outside those namespaces.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/nlkit/nlkit/examples/cni-ptp/ptp"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// prefixes is a repeatable flag of prefixes.
type prefixes []netip.Prefix

func (p *prefixes) String() string { return fmt.Sprint(*p) }
func (p *prefixes) Set(s string) error {
	v, err := netip.ParsePrefix(s)
	if err != nil {
		return err
	}
	*p = append(*p, v)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	usage := "usage: cni-ptp add|check|del -host PATH -container PATH [flags], or cni-ptp demo"
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	verb := args[0]
	if verb == "demo" {
		if err := demo(ctx, stdout); err != nil {
			fmt.Fprintln(stderr, "cni-ptp:", err)
			return 1
		}
		return 0
	}
	fs := flag.NewFlagSet("cni-ptp "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := ptp.Config{IfName: "eth0", HostIfName: "veth0", MTU: 1500}
	var addr, gw string
	var routes prefixes
	fs.StringVar(&cfg.HostNS, "host", "", "host-side namespace `path`")
	fs.StringVar(&cfg.ContainerNS, "container", "", "container namespace `path`")
	fs.StringVar(&cfg.IfName, "ifname", cfg.IfName, "interface `name` in the container")
	fs.StringVar(&cfg.HostIfName, "hostif", cfg.HostIfName, "host-side veth `name`")
	fs.IntVar(&cfg.MTU, "mtu", cfg.MTU, "MTU of both ends")
	fs.StringVar(&addr, "addr", "10.1.1.2/24", "container `address/len`")
	fs.StringVar(&gw, "gw", "10.1.1.1", "gateway `address` (the host side's)")
	fs.Var(&routes, "route", "route `prefix` via the gateway (repeatable)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	var err error
	if cfg.Address, err = netip.ParsePrefix(addr); err == nil {
		cfg.Gateway, err = netip.ParseAddr(gw)
	}
	if err != nil {
		fmt.Fprintln(stderr, "cni-ptp:", err)
		return 2
	}
	cfg.Routes = routes
	switch verb {
	case "add":
		err = ptp.Add(ctx, &cfg)
	case "check":
		err = ptp.Check(ctx, &cfg)
	case "del":
		err = ptp.Del(ctx, &cfg)
	default:
		fmt.Fprintln(stderr, usage)
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "cni-ptp:", err)
		return 1
	}
	return 0
}

// demo attaches a container in throwaway namespaces and prints both sides.
func demo(ctx context.Context, w io.Writer) (err error) {
	base := fmt.Sprintf("cni-ptp-demo-%d", os.Getpid())
	names := []string{base + "-host", base + "-ctr"}
	for _, n := range names {
		ns, err := netns.Create(n)
		if err != nil {
			return err
		}
		ns.Close()
		defer func() { err = errors.Join(err, netns.Delete(n)) }()
	}
	cfg := &ptp.Config{
		HostNS:      filepath.Join(netns.RunDir, names[0]),
		ContainerNS: filepath.Join(netns.RunDir, names[1]),
		IfName:      "eth0", HostIfName: "veth0", MTU: 1400,
		Address: netip.MustParsePrefix("10.1.1.2/24"),
		Gateway: netip.MustParseAddr("10.1.1.1"),
		Routes:  []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")},
	}
	if err := ptp.Add(ctx, cfg); err != nil {
		return err
	}
	for _, side := range []struct{ name, path string }{{"host", cfg.HostNS}, {"container", cfg.ContainerNS}} {
		if err := show(ctx, w, side.name, side.path); err != nil {
			return err
		}
	}
	if err := ptp.Check(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintln(w, "check: ok")
	if err := ptp.Del(ctx, cfg); err != nil {
		return err
	}
	fmt.Fprintln(w, "del: ok")
	return nil
}

// show prints a namespace's veths, IPv4 addresses and main-table routes.
func show(ctx context.Context, w io.Writer, side, path string) error {
	h, err := rtnl.DialNetNS(path)
	if err != nil {
		return err
	}
	defer h.Close()
	fmt.Fprintf(w, "%s (%s):\n", side, path)
	links, err := h.ListLinks(ctx, &rtnl.LinkFilter{Kind: "veth"})
	if err != nil {
		return err
	}
	names := map[int]string{}
	for _, l := range links {
		names[l.Index] = l.Name
		peer := l.Info.Data.(*rtnl.VethInfo)
		fmt.Fprintf(w, "  link %s mtu %d %v, peer index %d in namespace id %d\n", l.Name, l.MTU, l.OperState, peer.PeerIndex, *peer.PeerNetNSID)
	}
	addrs, err := h.ListAddresses(ctx, &rtnl.AddressFilter{Family: rtnl.IPv4})
	if err != nil {
		return err
	}
	for _, a := range addrs {
		if names[a.LinkIndex] == "" {
			continue
		}
		brd := ""
		if a.Broadcast.IsValid() {
			brd = " brd " + a.Broadcast.String()
		}
		fmt.Fprintf(w, "  address %s%s dev %s\n", a.Prefix, brd, names[a.LinkIndex])
	}
	routes, err := h.ListRoutes(ctx, &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain})
	if err != nil {
		return err
	}
	for _, r := range routes {
		fmt.Fprintf(w, "  route %s proto %v scope %v\n", r.String(), r.Protocol, r.Scope)
	}
	return nil
}
