package iproute

import (
	"errors"
	"strings"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// The errors of a command line that ip refuses with exit(-1) (status 255),
// worded once: a value of the wrong form, a keyword given twice, a word
// that means nothing where it stands, and a device that ip reads as a
// malformed value. Each names the argument and says what is accepted; the
// user's words are shown through cli.Quote.

// invalidArg is the error for value, the argument of keyword kw, that is
// not of the accepted form want ("a number from 0 to 255", ...).
func invalidArg(kw, value, want string) error {
	return cli.Syntaxf("invalid %s %s: %s is expected", kw, cli.Quote(value), want)
}

// duplicateArg is the error for keyword kw given a second time, with value.
func duplicateArg(kw, value string) error {
	return cli.Syntaxf("duplicate %q: %s is its second value", kw, cli.Quote(value))
}

// garbageArg is the error for word, which is neither a keyword here nor
// the value of kw (which was given already).
func garbageArg(kw, word string) error {
	return cli.Syntaxf("either %q is duplicate, or %s is garbage", kw, cli.Quote(word))
}

// maxIfname and maxAltIfname bound an interface name and an alternative
// interface name, without their terminating NUL (IFNAMSIZ, ALTIFNAMSIZ).
const (
	maxIfname    = 15
	maxAltIfname = 127
)

// checkIfname refuses, as ip does, a name that cannot be an interface's:
// empty, longer than max bytes, or with '/' or a blank in it. kw is the
// keyword it is the value of.
func checkIfname(kw, name string, max int) error {
	if name == "" || len(name) > max || strings.ContainsAny(name, "/ \t\n\r\v\f") {
		return cli.Syntaxf("invalid %s %s: an interface name of 1 to %d bytes without '/' or blanks is expected", kw, cli.Quote(name), max)
	}
	return nil
}

// linkIndexArg resolves the device named by the value of keyword kw where
// ip takes a device that does not exist for a malformed argument (master,
// vrf, a nexthop's dev ...): that is a syntax error (255), not the
// "Cannot find device" of linkIndex (1).
func (x *ipctx) linkIndexArg(kw, name string) (int, error) {
	i, err := x.linkIndex(name)
	if ce := (*cli.Error)(nil); errors.As(err, &ce) && ce.Status == cli.ExitFailure {
		return 0, cli.Syntaxf("invalid %s %s: the device does not exist", kw, cli.Quote(name))
	}
	return i, err
}
