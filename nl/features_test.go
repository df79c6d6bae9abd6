package nl_test

// Kernel feature detection for the kernel tests, by asking the kernel (see
// rtnl/features_test.go, whose probes these are): a test that needs a
// feature a kernel may be built without, or may be too old for, skips
// through netnstest.SkipFeature where the kernel says it lacks it, and
// fails on any refusal where the kernel has it.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// probeNewLink sends, in the namespace, an RTM_NEWLINK creating a link
// named nlkit-probe0 of the kind, with data (if not nil) encoding its
// IFLA_INFO_DATA, and returns the kernel's refusal, if any. A link the
// probe creates is deleted at once.
func probeNewLink(t testing.TB, ns *netnstest.NS, kind string, data func(*nl.Encoder)) *nl.Error {
	t.Helper()
	c := ns.Dial(nl.Route, &nl.Config{StrictCheck: true})
	const name = "nlkit-probe0"
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge|nl.Create|nl.Excl)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, name)
	li := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, kind)
	if data != nil {
		d := e.Nest(unix.IFLA_INFO_DATA)
		data(&e)
		e.EndNest(d)
	}
	e.EndNest(li)
	e.End()
	err := c.Do(context.Background(), &e, nil)
	if err == nil {
		e.Reset()
		e.Begin(unix.RTM_DELLINK, nl.Acknowledge)
		e.Fixed(unix.SizeofIfInfomsg)
		e.String(unix.IFLA_IFNAME, name)
		e.End()
		if err := c.Do(context.Background(), &e, nil); err != nil {
			t.Fatalf("probe: deleting %s: %v", name, err)
		}
		return nil
	}
	var ne *nl.Error
	if !errors.As(err, &ne) {
		t.Fatalf("probe: %v", err)
	}
	return ne
}

func describeAnswer(ne *nl.Error) string {
	if ne == nil {
		return "accepted"
	}
	name := unix.ErrnoName(ne.Errno)
	if ne.Errno == unix.EOPNOTSUPP {
		name = "EOPNOTSUPP" // rather than its alias ENOTSUP
	}
	s := fmt.Sprintf("%s (%d)", name, int(ne.Errno))
	if ne.Message != "" {
		s += fmt.Sprintf(" %q", ne.Message)
	}
	return s
}

// requireLinkKind skips the test unless the kernel has devices of the
// kind: without it, the kernel calls the kind unknown.
func requireLinkKind(t testing.TB, ns *netnstest.NS, kind, feature string) {
	t.Helper()
	ne := probeNewLink(t, ns, kind, nil)
	if ne != nil && ne.Errno == unix.EOPNOTSUPP && ne.Message == "Unknown device type" {
		netnstest.SkipFeature(t, feature, fmt.Sprintf("RTM_NEWLINK of kind %q answered %s", kind, describeAnswer(ne)))
	}
}

// requireLinkDataAttr skips the test unless the kernel's policy for the
// kind's IFLA_INFO_DATA has attribute attr. The probe sends the attribute
// empty, which fails the policy of any attribute with a value: a kernel
// that knows the attribute names it in its refusal, one that does not
// ignores it (the data is parsed leniently).
func requireLinkDataAttr(t testing.TB, ns *netnstest.NS, kind string, attr uint16, feature string) {
	t.Helper()
	ne := probeNewLink(t, ns, kind, func(e *nl.Encoder) { e.Attr(attr, nil) })
	if ne == nil || !slices.Equal(ne.Attr, []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_DATA, attr}) || strings.Contains(ne.Message, "Unknown attribute") {
		netnstest.SkipFeature(t, feature, fmt.Sprintf("RTM_NEWLINK of kind %q with an empty IFLA_INFO_DATA attribute %d answered %s, not naming it",
			kind, attr, describeAnswer(ne)))
	}
}

// hasStrictCheck asks for strict checking of requests on a route socket of
// the namespace (NETLINK_GET_STRICT_CHK): a kernel without it refuses the
// option (ENOPROTOOPT), and then filters no dump by the request's fields
// and checks no request's header strictly.
func hasStrictCheck(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	var optErr error
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		optErr = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
		return nil
	})
	switch {
	case err != nil:
		t.Fatalf("probe: %v", err)
	case optErr == nil:
		return true, "setsockopt(NETLINK_GET_STRICT_CHK) accepted"
	case errors.Is(optErr, unix.ENOPROTOOPT):
		return false, "setsockopt(NETLINK_GET_STRICT_CHK) answered ENOPROTOOPT"
	}
	t.Fatalf("probe: setsockopt(NETLINK_GET_STRICT_CHK): %v", optErr)
	return false, ""
}
