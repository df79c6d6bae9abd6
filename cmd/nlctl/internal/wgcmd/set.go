package wgcmd

import (
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/wireguard"
)

// parseSet reads `set IFACE ...` as wg(8) does: device settings, then any
// number of `peer KEY` with the peer's settings. allowed-ips replaces the
// peer's allowed IPs (an empty list removes them all). An endpoint's host
// may be a name, which look resolves, and its port a service name.
func parseSet(args []string, look confLookup) (string, *wireguard.Config, error) {
	a := cli.NewArgs(args)
	if !a.More() {
		return "", nil, cli.Syntaxf("wg set needs an interface\n%s", usage)
	}
	dev := a.Next()
	cfg := &wireguard.Config{}
	var peer *wireguard.PeerConfig
	for a.More() {
		kw := a.Next()
		if peer == nil && kw != "peer" {
			switch kw {
			case "listen-port":
				v, err := a.Uint(kw, 16)
				if err != nil {
					return "", nil, err
				}
				cfg.ListenPort = new(uint16(v))
				continue
			case "fwmark":
				v, err := a.Value(kw)
				if err != nil {
					return "", nil, err
				}
				var mark uint64
				if v != "off" {
					if mark, err = strconv.ParseUint(v, 0, 32); err != nil {
						return "", nil, cli.Syntaxf("invalid fwmark %s", cli.Quote(v))
					}
				}
				cfg.FirewallMark = new(uint32(mark))
				continue
			case "private-key":
				v, err := a.Value(kw)
				if err != nil {
					return "", nil, err
				}
				k, err := readKeyFile(v)
				if err != nil {
					return "", nil, cli.Failf("private-key: %v", err)
				}
				cfg.PrivateKey = &k
				continue
			}
			return "", nil, cli.Syntaxf("invalid argument %s\n%s", cli.Quote(kw), usage)
		}
		switch kw {
		case "peer":
			v, err := a.Value(kw)
			if err != nil {
				return "", nil, err
			}
			k, err := wireguard.ParseKey(v)
			if err != nil {
				return "", nil, cli.Syntaxf("invalid peer key %s", cli.Quote(v))
			}
			cfg.Peers = append(cfg.Peers, wireguard.PeerConfig{PublicKey: k})
			peer = &cfg.Peers[len(cfg.Peers)-1]
		case "remove":
			peer.Remove = true
		case "update-only":
			peer.UpdateOnly = true
		case "preshared-key":
			v, err := a.Value(kw)
			if err != nil {
				return "", nil, err
			}
			k, err := readKeyFile(v)
			if err != nil {
				return "", nil, cli.Failf("preshared-key: %v", err)
			}
			peer.PresharedKey = &k
		case "endpoint":
			v, err := a.Value(kw)
			if err != nil {
				return "", nil, err
			}
			ap, err := parseEndpoint(v, look)
			if err != nil {
				return "", nil, cli.Syntaxf("invalid endpoint: %v", err)
			}
			peer.Endpoint = ap
		case "persistent-keepalive":
			v, err := a.Value(kw)
			if err != nil {
				return "", nil, err
			}
			var secs uint64
			if v != "off" {
				if secs, err = strconv.ParseUint(v, 10, 16); err != nil {
					return "", nil, cli.Syntaxf("invalid persistent-keepalive %s: seconds from 0 to 65535 or off", cli.Quote(v))
				}
			}
			peer.PersistentKeepalive = new(time.Duration(secs) * time.Second)
		case "allowed-ips":
			v, err := a.Value(kw)
			if err != nil {
				return "", nil, err
			}
			peer.ReplaceAllowedIPs = true
			peer.AllowedIPs = nil
			for _, s := range strings.Split(v, ",") {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				p, err := parsePrefix(s)
				if err != nil {
					return "", nil, cli.Syntaxf("invalid allowed-ips entry %s", cli.Quote(s))
				}
				peer.AllowedIPs = append(peer.AllowedIPs, p)
			}
		default:
			return "", nil, cli.Syntaxf("invalid argument %s\n%s", cli.Quote(kw), usage)
		}
	}
	return dev, cfg, nil
}

// parsePrefix reads an allowed IP: a prefix, or an address alone (the
// whole address, as wg takes it).
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		return netip.ParsePrefix(s)
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func runSet(e *cli.Env, args []string) error {
	dev, cfg, err := parseSet(args, systemLookup(e.Context()))
	if err != nil {
		return err
	}
	c, err := dial(e)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.Configure(e.Context(), &wireguard.Device{Name: dev}, cfg)
}
