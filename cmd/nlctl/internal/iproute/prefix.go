package iproute

import (
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// parseAddr reads an address of the given family (0 for either).
func parseAddr(s string, family int) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, cli.Failf("invalid address %s: an IPv4 or IPv6 address is expected", cli.Quote(s))
	}
	if family == 4 && !a.Is4() || family == 6 && !a.Is6() {
		return netip.Addr{}, cli.Failf("address %s is not IPv%d", cli.Quote(s), family)
	}
	return a, nil
}

// parsePrefix reads a prefix as ip does: "default", "ADDR/LEN", or a bare
// address meaning a host prefix. family is 4, 6 or 0 (default means IPv4
// then).
func parsePrefix(s string, family int) (netip.Prefix, error) {
	if s == "default" || s == "all" || s == "any" {
		if family == 6 {
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), nil
		}
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	if !strings.Contains(s, "/") {
		a, err := parseAddr(s, family)
		if err != nil {
			return netip.Prefix{}, err
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, cli.Failf("invalid prefix %s: ADDRESS/LENGTH is expected", cli.Quote(s))
	}
	if family == 4 && !p.Addr().Is4() || family == 6 && !p.Addr().Is6() {
		return netip.Prefix{}, cli.Failf("prefix %s is not IPv%d", cli.Quote(s), family)
	}
	return p, nil
}

// familyOf returns 4 or 6 for an address.
func familyOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// formatPrefix prints a prefix as ip does: a host prefix without its
// length, the zero prefix as "default".
func formatPrefix(p netip.Prefix) string {
	if !p.IsValid() {
		return ""
	}
	if p.Bits() == 0 && p.Addr().IsUnspecified() {
		return "default"
	}
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}
