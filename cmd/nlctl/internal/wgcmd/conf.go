package wgcmd

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/wireguard"
)

// This file reads wg(8)'s configuration file format, as `wg setconf`,
// `addconf` and `syncconf` take it (wireguard-tools' config.c):
//
//   - A line is cut at its first '#', and every space, tab, CR, LF, VT
//     and FF in it is dropped, wherever it is ("Listen Port = 1" is
//     "ListenPort=1"); a line left empty is skipped.
//   - "[Interface]" and "[Peer]" (in any case) start a section; a [Peer]
//     section is a new peer. Any other line is KEY=VALUE in a section,
//     the key in any case: PrivateKey, ListenPort and FwMark in
//     [Interface]; PublicKey, PresharedKey, AllowedIPs, Endpoint and
//     PersistentKeepalive in [Peer]. Any other key — wg-quick's Address,
//     DNS, MTU, Table, PreUp, PostUp, PreDown, PostDown, SaveConfig
//     among them — is refused, as wg refuses it.
//   - A key given twice keeps its last value, except AllowedIPs, whose
//     lines add up. A peer replaces its allowed IPs with the ones listed
//     (none if none is).
//   - Every peer needs a PublicKey.
//
// The whole file is read, and its endpoints resolved, before anything is
// applied: an error leaves the device as it was.

// confLookup resolves what a configuration names: an endpoint's host, and
// a port given by its service name, as getaddrinfo does for wg.
type confLookup struct {
	// Host returns the address a host name stands for.
	Host func(host string) (netip.Addr, error)
	// Port returns the UDP port a service name stands for.
	Port func(service string) (uint16, error)
}

// maxConfSize bounds the configuration files read: a million peers' worth
// of text is far more than a device holds.
const maxConfSize = 64 << 20

// wgQuickKeys are the keys wg-quick(8) takes on top of wg's, which wg
// refuses: named in the error to say why.
var wgQuickKeys = []string{"Address", "DNS", "MTU", "Table", "PreUp", "PostUp", "PreDown", "PostDown", "SaveConfig"}

// A confError is an error in a configuration file, at a line.
type confError struct {
	File string // the file's name
	Line int    // 1-based
	Err  error
}

// Error names the file and the line.
func (e *confError) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap returns what was wrong.
func (e *confError) Unwrap() error { return e.Err }

// parseConf reads a configuration file, named name in errors, into the
// Config it describes: the [Interface] keys given (nil for those not
// given), and the peers in order, each with ReplaceAllowedIPs set. It
// returns warnings for what wg warns about (an allowed IP with host bits
// set), each naming its line.
func parseConf(name string, text []byte, look confLookup) (*wireguard.Config, []string, error) {
	cfg := &wireguard.Config{}
	var warnings []string
	section := ""    // "", "Interface" or "Peer"
	var starts []int // the line of each peer's [Peer]
	var hasKey []bool
	for n, raw := range strings.Split(string(text), "\n") {
		lineNo := n + 1
		fail := func(format string, args ...any) error {
			return &confError{name, lineNo, fmt.Errorf(format, args...)}
		}
		line := cleanConfLine(raw)
		if line == "" {
			continue
		}
		if strings.EqualFold(line, "[Interface]") {
			section = "Interface"
			continue
		}
		if strings.EqualFold(line, "[Peer]") {
			section = "Peer"
			cfg.Peers = append(cfg.Peers, wireguard.PeerConfig{ReplaceAllowedIPs: true})
			starts = append(starts, lineNo)
			hasKey = append(hasKey, false)
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			if strings.HasPrefix(line, "[") {
				return nil, nil, fail("unknown section %q: [Interface] or [Peer] expected", line)
			}
			return nil, nil, fail("%q is neither a section nor KEY = VALUE", line)
		}
		if section == "" {
			return nil, nil, fail("%s before any [Interface] or [Peer] section", key)
		}
		canon, known := confKey(section, key)
		if !known {
			for _, q := range wgQuickKeys {
				if strings.EqualFold(key, q) {
					return nil, nil, fail("%s is a wg-quick key, which wg setconf does not take (strip it, as wg-quick strip does)", q)
				}
			}
			return nil, nil, fail("unknown key %s in [%s]", key, section)
		}
		if value == "" {
			return nil, nil, fail("%s has no value", canon)
		}
		var err error
		if section == "Interface" {
			err = parseInterfaceKey(cfg, canon, value, look)
		} else {
			p := &cfg.Peers[len(cfg.Peers)-1]
			if canon == "PublicKey" {
				hasKey[len(hasKey)-1] = true
			}
			var w []string
			w, err = parsePeerKey(p, canon, value, look)
			for _, s := range w {
				warnings = append(warnings, fmt.Sprintf("%s:%d: %s", name, lineNo, s))
			}
		}
		if err != nil {
			return nil, nil, fail("%s: %w", canon, err)
		}
	}
	for i, ok := range hasKey {
		if !ok {
			return nil, nil, &confError{name, starts[i], fmt.Errorf("[Peer] without a PublicKey")}
		}
	}
	return cfg, warnings, nil
}

// cleanConfLine cuts a line at its comment and drops its white space, as
// wg does (space, \t, \n, \v, \f, \r).
func cleanConfLine(s string) string {
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\v', '\f', '\r':
			return -1
		}
		return r
	}, s)
}

// confKey returns the canonical spelling of a key of the section, and
// whether the section has it.
func confKey(section, key string) (string, bool) {
	keys := []string{"PrivateKey", "ListenPort", "FwMark"}
	if section == "Peer" {
		keys = []string{"PublicKey", "PresharedKey", "AllowedIPs", "Endpoint", "PersistentKeepalive"}
	}
	for _, k := range keys {
		if strings.EqualFold(k, key) {
			return k, true
		}
	}
	return "", false
}

// parseInterfaceKey sets an [Interface] key.
func parseInterfaceKey(cfg *wireguard.Config, key, value string, look confLookup) error {
	switch key {
	case "PrivateKey":
		k, err := parseConfKey(value)
		if err != nil {
			return err
		}
		cfg.PrivateKey = &k
	case "ListenPort":
		port, err := parsePort(value, look)
		if err != nil {
			return err
		}
		cfg.ListenPort = &port
	case "FwMark":
		mark, err := parseFwmark(value)
		if err != nil {
			return err
		}
		cfg.FirewallMark = &mark
	}
	return nil
}

// parsePeerKey sets a [Peer] key, returning warnings.
func parsePeerKey(p *wireguard.PeerConfig, key, value string, look confLookup) ([]string, error) {
	switch key {
	case "PublicKey", "PresharedKey":
		k, err := parseConfKey(value)
		if err != nil {
			return nil, err
		}
		if key == "PublicKey" {
			p.PublicKey = k
		} else {
			p.PresharedKey = &k
		}
	case "AllowedIPs":
		var warnings []string
		for _, s := range strings.Split(value, ",") {
			pfx, err := parseAllowedIP(s)
			if err != nil {
				return nil, err
			}
			if pfx != pfx.Masked() {
				warnings = append(warnings, fmt.Sprintf("warning: allowed IP %s has a nonzero host part (%s is kept)", pfx, pfx.Masked()))
			}
			p.AllowedIPs = append(p.AllowedIPs, pfx)
		}
		return warnings, nil
	case "Endpoint":
		ap, err := parseEndpoint(value, look)
		if err != nil {
			return nil, err
		}
		p.Endpoint = ap
	case "PersistentKeepalive":
		secs, err := parseKeepalive(value)
		if err != nil {
			return nil, err
		}
		p.PersistentKeepalive = new(time.Duration(secs) * time.Second)
	}
	return nil, nil
}

// parseConfKey reads a key as wg does: 44 characters of base64 ending in
// '=', the bits past the key's 256 zero.
func parseConfKey(s string) (wireguard.Key, error) {
	var k wireguard.Key
	if len(s) != 44 || s[43] != '=' {
		return k, fmt.Errorf("key %q: not 44 characters of base64 ending in '='", s)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	if err != nil || len(b) != wireguard.KeyLen {
		return k, fmt.Errorf("key %q: not a base64 key of %d bytes", s, wireguard.KeyLen)
	}
	copy(k[:], b)
	return k, nil
}

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parsePort reads a UDP port: a number up to 65535 or a service name.
func parsePort(s string, look confLookup) (uint16, error) {
	if isDigits(s) {
		n, err := strconv.ParseUint(s, 10, 16)
		if err != nil {
			return 0, fmt.Errorf("port %s: not from 0 to 65535", s)
		}
		return uint16(n), nil
	}
	if look.Port == nil {
		return 0, fmt.Errorf("port %q: not a number", s)
	}
	n, err := look.Port(s)
	if err != nil {
		return 0, fmt.Errorf("port %q: %w", s, err)
	}
	return n, nil
}

// parseFwmark reads a firewall mark as wg does: off, a decimal number, or
// a hexadecimal one after "0x".
func parseFwmark(s string) (uint32, error) {
	if strings.EqualFold(s, "off") {
		return 0, nil
	}
	digits, base := s, 10
	if len(s) > 2 && s[:2] == "0x" {
		digits, base = s[2:], 16
	}
	n, err := strconv.ParseUint(digits, base, 32)
	if err != nil || !isDigits(s[:1]) {
		return 0, fmt.Errorf("%q is neither off nor a number from 0 to 0xffffffff", s)
	}
	return uint32(n), nil
}

// parseKeepalive reads a persistent keepalive interval: off or seconds up
// to 65535.
func parseKeepalive(s string) (uint64, error) {
	if strings.EqualFold(s, "off") {
		return 0, nil
	}
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil || !isDigits(s) {
		return 0, fmt.Errorf("%q is neither off nor seconds from 0 to 65535", s)
	}
	return n, nil
}

// parseAllowedIP reads one allowed IP as wg does: an IPv4 or IPv6 address
// (IPv6 if it has a ':'), and a decimal prefix length after '/', the whole
// address without one. The host part is kept (the kernel clears it).
func parseAllowedIP(s string) (netip.Prefix, error) {
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-") {
		return netip.Prefix{}, fmt.Errorf("%q: adding (+) or removing (-) single allowed IPs is not supported", s)
	}
	ip, bits, hasBits := strings.Cut(s, "/")
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" || a.Is4() == strings.Contains(ip, ":") {
		return netip.Prefix{}, fmt.Errorf("%q: %q is not an IPv4 or IPv6 address", s, ip)
	}
	n := a.BitLen()
	if hasBits {
		v, err := strconv.ParseUint(bits, 10, 8)
		if err != nil || !isDigits(bits) || int(v) > a.BitLen() {
			return netip.Prefix{}, fmt.Errorf("%q: prefix length %q is not from 0 to %d", s, bits, a.BitLen())
		}
		n = int(v)
	}
	return netip.PrefixFrom(a, n), nil
}

// parseEndpoint reads an endpoint as wg does: HOST:PORT, the host in
// brackets if it has colons ([2001:db8::1]:51820) — without brackets the
// port is after the last colon. The host is an address or a name, which
// look.Host resolves; the port a number or a service name.
func parseEndpoint(s string, look confLookup) (netip.AddrPort, error) {
	var host, port string
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return netip.AddrPort{}, fmt.Errorf("%q: no ']' matches the '['", s)
		}
		host, port = s[1:end], s[end+1:]
		if !strings.HasPrefix(port, ":") || len(port) == 1 {
			return netip.AddrPort{}, fmt.Errorf("%q: no port after the ']'", s)
		}
		port = port[1:]
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 || i == len(s)-1 {
			return netip.AddrPort{}, fmt.Errorf("%q: no port (HOST:PORT or [IPv6]:PORT expected)", s)
		}
		host, port = s[:i], s[i+1:]
	}
	if host == "" {
		return netip.AddrPort{}, fmt.Errorf("%q: no host", s)
	}
	p, err := parsePort(port, look)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: %w", s, err)
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		if look.Host == nil {
			return netip.AddrPort{}, fmt.Errorf("%q: %q is not an address", s, host)
		}
		if a, err = look.Host(host); err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: %w", s, err)
		}
	}
	if z := a.Zone(); z != "" && !isDigits(z) {
		return netip.AddrPort{}, fmt.Errorf("%q: zone %q: only an interface index is taken", s, z)
	}
	return netip.AddrPortFrom(a, p), nil
}
