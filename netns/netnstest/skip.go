package netnstest

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// SkipLogEnv names the environment variable that, when set to a file
// path, makes every skip decided by this package append one line to that
// file: "SKIP <test>: <reason>". CI sets it and prints the file, so that
// every skip of a run can be reviewed.
const SkipLogEnv = "NLKIT_SKIP_LOG"

// skipLogMu serializes appends from the tests of one binary; lines from
// different binaries are single writes to a file opened for appending.
var skipLogMu sync.Mutex

// skip records the reason and skips the test.
func skip(t testing.TB, reason string) {
	t.Helper()
	if path := os.Getenv(SkipLogEnv); path != "" {
		line := fmt.Sprintf("SKIP %s: %s\n", t.Name(), strings.ReplaceAll(reason, "\n", " "))
		skipLogMu.Lock()
		if f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666); err == nil {
			f.WriteString(line)
			f.Close()
		}
		skipLogMu.Unlock()
	}
	t.Skip(reason)
}

// requirePriv reports whether NLKIT_REQUIRE_PRIV=1 forbids skipping for
// want of privileges.
func requirePriv() bool { return os.Getenv(RequirePrivEnv) == "1" }

// SkipFeature skips the test because the kernel lacks a feature the test
// detected as absent by asking the kernel (a family that does not resolve,
// an attribute it rejects with a message saying so, a protocol it does not
// register). feature names it the way a reader of the skip list recognizes
// it, such as "IPv6 multicast routing (CONFIG_IPV6_MROUTE)"; evidence is
// what the kernel answered. It skips even under NLKIT_REQUIRE_PRIV=1: a
// missing kernel feature is not a missing privilege. Tests must detect the
// feature specifically: an errno that an encoding bug could also produce
// (EINVAL, EOPNOTSUPP) is not evidence on its own.
func SkipFeature(t testing.TB, feature, evidence string) {
	t.Helper()
	skip(t, fmt.Sprintf("kernel feature absent: %s (%s)", feature, evidence))
}

// capNames names the capabilities tests ask for.
var capNames = map[int]string{
	unix.CAP_NET_ADMIN:    "CAP_NET_ADMIN",
	unix.CAP_NET_RAW:      "CAP_NET_RAW",
	unix.CAP_SYS_ADMIN:    "CAP_SYS_ADMIN",
	unix.CAP_SETUID:       "CAP_SETUID",
	unix.CAP_SETGID:       "CAP_SETGID",
	unix.CAP_DAC_OVERRIDE: "CAP_DAC_OVERRIDE",
}

// CapName returns the kernel's name of capability c (unix.CAP_*).
func CapName(c int) string {
	if n, ok := capNames[c]; ok {
		return n
	}
	return fmt.Sprintf("capability %d", c)
}

// HasCapability reports whether the calling thread has capability c
// (unix.CAP_*) in its effective set, in its own user namespace.
func HasCapability(c int) bool {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	if c < 0 || c >= 64 {
		return false
	}
	return data[c/32].Effective&(1<<(uint(c)%32)) != 0
}

// RequireCapabilities skips the test unless the process has every
// capability listed (unix.CAP_*), naming what is missing; with
// NLKIT_REQUIRE_PRIV=1 it fails the test instead, as RequirePrivileged
// does. Tests that need a capability without needing a namespace of their
// own (joining a NETLINK_USERSOCK group needs CAP_NET_ADMIN) say so with it.
func RequireCapabilities(t testing.TB, caps ...int) {
	t.Helper()
	var missing []string
	for _, c := range caps {
		if !HasCapability(c) {
			missing = append(missing, CapName(c))
		}
	}
	if len(missing) == 0 {
		return
	}
	what := strings.Join(missing, ", ")
	if requirePriv() {
		t.Fatalf("test needs %s, and %s=1 forbids skipping", what, RequirePrivEnv)
	}
	skip(t, "test needs "+what+"; skipped (set "+RequirePrivEnv+"=1 to fail instead)")
}
