package wgcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/wireguard"
)

// runConf is `wg setconf|addconf|syncconf IFACE FILE`: the configuration
// file applied to the device. setconf replaces the device's configuration
// (keys, port and mark not in the file are cleared, peers not in it
// removed); addconf adds to it (what the file gives, and its peers, are
// set); syncconf makes the device's configuration the file's while
// leaving the peers that the file does not change alone, so that their
// sessions go on. As wg, FILE is a file name ("/dev/stdin" for standard
// input), and the file is read in full before the device is touched.
//
// Compared with wg (wireguard-tools v1.0.20210914, run beside nlctl in a
// kmatrix guest), setconf and addconf leave devices alike. syncconf
// clears the preshared key and keepalive of a kept peer when the file has
// none, as wireguard-tools does since 2025 (not v1.0.20210914), and keeps
// the listen port when the file gives none (wg sends 0, which moves a
// running device to a new random port).
func runConf(e *cli.Env, verb string, args []string) error {
	if len(args) != 2 {
		return cli.Syntaxf("wg %s takes an interface and a configuration file\n%s", verb, usage)
	}
	dev, file := args[0], args[1]
	text, err := readConfFile(e, file)
	if err != nil {
		return cli.Failf("%v", err)
	}
	cfg, warnings, err := parseConf(file, text, systemLookup(e.Context()))
	for _, w := range warnings {
		fmt.Fprintln(e.Stderr, w)
	}
	if err != nil {
		return cli.Failf("%v", err)
	}
	c, err := dial(e)
	if err != nil {
		return err
	}
	defer c.Close()
	d := &wireguard.Device{Name: dev}
	switch verb {
	case "setconf":
		cfg = replacing(cfg)
	case "syncconf":
		cur, err := c.DeviceByName(e.Context(), dev)
		if err != nil {
			return err
		}
		cfg = syncing(cfg, cur)
		d.Index = cur.Index
	}
	return c.Configure(e.Context(), d, cfg)
}

// readConfFile reads a configuration file; "/dev/stdin" is the command's
// standard input.
func readConfFile(e *cli.Env, name string) ([]byte, error) {
	var r io.Reader
	if name == "/dev/stdin" && e.Stdin != nil {
		r = e.Stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, maxConfSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(b) > maxConfSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxConfSize)
	}
	return b, nil
}

// systemLookup resolves host and service names as the system does: host
// names through the Go resolver (/etc/hosts, then DNS), taking the first
// address it gives (wg takes getaddrinfo's first), service names through
// /etc/services.
func systemLookup(ctx context.Context) confLookup {
	return confLookup{
		Host: func(host string) (netip.Addr, error) {
			addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
			if err != nil {
				return netip.Addr{}, err
			}
			if len(addrs) == 0 {
				return netip.Addr{}, fmt.Errorf("host %s: no address", host)
			}
			return addrs[0].Unmap(), nil
		},
		Port: func(service string) (uint16, error) {
			p, err := net.DefaultResolver.LookupPort(ctx, "udp", service)
			if err != nil {
				return 0, err
			}
			if p < 0 || p > 65535 {
				return 0, errors.New("not a port")
			}
			return uint16(p), nil
		},
	}
}

// replacing returns cfg as setconf applies it: the device's key, port and
// mark set (cleared when the file has none), every peer not in the file
// removed.
func replacing(cfg *wireguard.Config) *wireguard.Config {
	c := *cfg
	c.ReplacePeers = true
	if c.PrivateKey == nil {
		c.PrivateKey = &wireguard.Key{}
	}
	if c.ListenPort == nil {
		c.ListenPort = new(uint16(0))
	}
	if c.FirewallMark == nil {
		c.FirewallMark = new(uint32(0))
	}
	return &c
}

// syncing returns the change that makes cur's configuration the file's
// (cfg), as syncconf applies it. Like wg's syncconf, it removes the peers
// the file lacks one by one rather than replacing every peer, and clears
// a peer's preshared key and keepalive that the file does not give; it
// also leaves out of the change what already is as the file says — the
// device's key, port and mark, and every peer whose preshared key,
// keepalive, endpoint (when the file gives one) and allowed IPs are the
// file's — so that an unchanged peer is not touched at all. A device
// without peers, or a file without any, is set as setconf sets it.
func syncing(cfg *wireguard.Config, cur *wireguard.Device) *wireguard.Config {
	full := replacing(cfg)
	if len(cfg.Peers) == 0 || len(cur.Peers) == 0 {
		return full
	}
	out := &wireguard.Config{}
	if *full.PrivateKey != cur.PrivateKey {
		out.PrivateKey = full.PrivateKey
	}
	// A port of 0 lets the kernel choose one: whatever it chose stays.
	if *full.ListenPort != 0 && *full.ListenPort != cur.ListenPort {
		out.ListenPort = full.ListenPort
	}
	if *full.FirewallMark != cur.FirewallMark {
		out.FirewallMark = full.FirewallMark
	}
	inFile := make(map[wireguard.Key]bool, len(cfg.Peers))
	for _, p := range cfg.Peers {
		inFile[p.PublicKey] = true
	}
	for _, p := range cur.Peers {
		if !inFile[p.PublicKey] {
			out.Peers = append(out.Peers, wireguard.PeerConfig{PublicKey: p.PublicKey, Remove: true})
		}
	}
	running := make(map[wireguard.Key]*wireguard.Peer, len(cur.Peers))
	for i := range cur.Peers {
		running[cur.Peers[i].PublicKey] = &cur.Peers[i]
	}
	for i, p := range cfg.Peers {
		r := running[p.PublicKey]
		if r == nil || p.UpdateOnly || p.Remove {
			out.Peers = append(out.Peers, p)
			continue
		}
		if p.PresharedKey == nil && !r.PresharedKey.IsZero() {
			p.PresharedKey = &wireguard.Key{}
		}
		if p.PersistentKeepalive == nil && r.PersistentKeepalive != 0 {
			p.PersistentKeepalive = new(time.Duration(0))
		}
		// A key given twice in the file: the later entries are sent as
		// they are, in order, as wg sends them.
		if slices.ContainsFunc(cfg.Peers[:i], func(q wireguard.PeerConfig) bool { return q.PublicKey == p.PublicKey }) ||
			!samePeer(&p, r) {
			out.Peers = append(out.Peers, p)
		}
	}
	return out
}

// samePeer reports whether applying p would leave r as it is.
func samePeer(p *wireguard.PeerConfig, r *wireguard.Peer) bool {
	if p.PresharedKey != nil && *p.PresharedKey != r.PresharedKey {
		return false
	}
	if p.PersistentKeepalive != nil && *p.PersistentKeepalive != r.PersistentKeepalive {
		return false
	}
	if p.Endpoint.IsValid() && p.Endpoint != r.Endpoint {
		return false
	}
	if !p.ReplaceAllowedIPs {
		return len(p.AllowedIPs) == 0
	}
	return slices.Equal(prefixSet(p.AllowedIPs), prefixSet(r.AllowedIPs))
}

// prefixSet returns the prefixes masked, sorted and without repeats.
func prefixSet(ps []netip.Prefix) []netip.Prefix {
	s := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		s[i] = p.Masked()
	}
	slices.SortFunc(s, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	return slices.Compact(s)
}
