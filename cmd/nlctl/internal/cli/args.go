package cli

import (
	"strconv"
	"strings"
)

// Args walks a command line the way iproute2 does: keywords followed by
// their values, read one at a time.
type Args struct {
	a []string
	i int
}

// NewArgs returns the arguments a to walk.
func NewArgs(a []string) *Args { return &Args{a: a} }

// More reports whether arguments remain.
func (p *Args) More() bool { return p.i < len(p.a) }

// Next returns the next argument and moves past it ("" at the end).
func (p *Args) Next() string {
	if p.i >= len(p.a) {
		return ""
	}
	p.i++
	return p.a[p.i-1]
}

// Peek returns the next argument without moving.
func (p *Args) Peek() string {
	if p.i >= len(p.a) {
		return ""
	}
	return p.a[p.i]
}

// Rest returns the arguments not read yet and moves past them.
func (p *Args) Rest() []string {
	r := p.a[p.i:]
	p.i = len(p.a)
	return r
}

// Value returns the value that must follow keyword kw.
func (p *Args) Value(kw string) (string, error) {
	if p.i >= len(p.a) {
		return "", Syntaxf("%q needs an argument", kw)
	}
	return p.Next(), nil
}

// Uint reads the unsigned number of the given bits that must follow
// keyword kw (decimal, or hexadecimal with 0x).
func (p *Args) Uint(kw string, bits int) (uint64, error) {
	s, err := p.Value(kw)
	if err != nil {
		return 0, err
	}
	return ParseUint(kw, s, bits)
}

// ParseUint reads s, the value of keyword kw, as an unsigned number of
// the given bits; the error names the keyword and the range.
func ParseUint(kw, s string, bits int) (uint64, error) {
	v, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		max := uint64(1)<<bits - 1
		if bits == 64 {
			max = ^uint64(0)
		}
		return 0, Syntaxf("invalid %s %s: a number from 0 to %d is expected", kw, Quote(s), max)
	}
	return v, nil
}

// Matches reports whether word is a prefix of keyword (at least one
// character), as iproute2 lets users abbreviate keywords.
func Matches(word, keyword string) bool {
	return word != "" && strings.HasPrefix(keyword, word)
}
