package main

import (
	"net/netip"
	"strconv"
	"strings"
)

// argList walks a command line the way iproute2 does: keywords followed by
// their values, read one at a time.
type argList struct {
	a []string
	i int
}

func newArgs(a []string) *argList { return &argList{a: a} }

// more reports whether arguments remain.
func (p *argList) more() bool { return p.i < len(p.a) }

// next returns the next argument and moves past it ("" at the end).
func (p *argList) next() string {
	if p.i >= len(p.a) {
		return ""
	}
	p.i++
	return p.a[p.i-1]
}

// peek returns the next argument without moving.
func (p *argList) peek() string {
	if p.i >= len(p.a) {
		return ""
	}
	return p.a[p.i]
}

// value returns the value that must follow keyword kw.
func (p *argList) value(kw string) (string, error) {
	if p.i >= len(p.a) {
		return "", usagef("%q needs an argument", kw)
	}
	return p.next(), nil
}

// uint reads the number that must follow keyword kw.
func (p *argList) uint(kw string, bits int) (uint64, error) {
	s, err := p.value(kw)
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, usagef("invalid %s %q", kw, s)
	}
	return v, nil
}

// matches reports whether word is a prefix of keyword (at least one
// character), as iproute2 lets users abbreviate keywords.
func matches(word, keyword string) bool {
	return word != "" && strings.HasPrefix(keyword, word)
}

// parseAddr reads an address of the given family (0 for either).
func parseAddr(s string, family int) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, usagef("invalid address %q", s)
	}
	if family == 4 && !a.Is4() || family == 6 && !a.Is6() {
		return netip.Addr{}, usagef("address %q is not IPv%d", s, family)
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
		return netip.Prefix{}, usagef("invalid prefix %q", s)
	}
	if family == 4 && !p.Addr().Is4() || family == 6 && !p.Addr().Is6() {
		return netip.Prefix{}, usagef("prefix %q is not IPv%d", s, family)
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
