// Package netnstest gives each test a fresh, named network namespace in
// which it may change links, addresses, routes and firewall state without
// touching the host's.
//
// Privileged tests call [New] (or [RequirePrivileged]). Without root they
// are skipped, unless the environment sets NLKIT_REQUIRE_PRIV=1, as CI
// does: then they fail, so that a privileged test never passes by silently
// skipping.
package netnstest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// RequirePrivEnv is the environment variable that turns skipped privileged
// tests into failures.
const RequirePrivEnv = "NLKIT_REQUIRE_PRIV"

// RequirePrivileged skips the test when the process cannot manage network
// namespaces (it is not root), or fails it when NLKIT_REQUIRE_PRIV=1.
func RequirePrivileged(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if requirePriv() {
		t.Fatalf("test needs root (to create network namespaces), and %s=1 forbids skipping", RequirePrivEnv)
	}
	skip(t, "test needs root to create network namespaces; skipped (set "+RequirePrivEnv+"=1 to fail instead)")
}

// NS is a test's own network namespace, named so that iproute2 reaches it
// with `ip -n NAME` and deleted when the test ends.
type NS struct {
	*netns.NS
	Name string
	t    testing.TB
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// New creates a fresh network namespace for the test, on a locked thread
// that is restored afterwards, and removes it in the test's cleanup. It
// refuses (fails the test) if the result is the host's namespace.
func New(t testing.TB) *NS {
	t.Helper()
	RequirePrivileged(t)
	var rnd [4]byte
	rand.Read(rnd[:])
	base := unsafeChars.ReplaceAllString(t.Name(), "-")
	if len(base) > 40 {
		base = base[:40]
	}
	name := fmt.Sprintf("nlkit-%s-%s", base, hex.EncodeToString(rnd[:]))
	h, err := netns.Create(name)
	if err != nil {
		t.Fatalf("netnstest: %v", err)
	}
	ns := &NS{NS: h, Name: name, t: t}
	t.Cleanup(func() {
		h.Close()
		if err := netns.Delete(name); err != nil {
			t.Errorf("netnstest: %v", err)
		}
	})
	ns.MustNotBeHost()
	return ns
}

// MustNotBeHost fails the test at once if ns is the host's network
// namespace (that of process 1) or this process's own: the guard every
// state-changing test passes before it changes anything.
func (ns *NS) MustNotBeHost() {
	ns.t.Helper()
	if err := NotHost(ns.NS); err != nil {
		ns.t.Fatalf("netnstest: refusing to run: %v", err)
	}
}

// NotHost returns an error if ns is the host's network namespace (that of
// process 1, when this process may look at it) or the calling process's
// own.
func NotHost(ns *netns.NS) error {
	id, err := ns.ID()
	if err != nil {
		return err
	}
	self, err := netns.Self()
	if err != nil {
		return err
	}
	sid, err := self.ID()
	self.Close()
	if err != nil {
		return err
	}
	if sid == id {
		return fmt.Errorf("namespace %v is this process's own", ns)
	}
	// Process 1 may be out of reach (another user namespace, or no
	// ptrace access): then this process's namespace stands for the host's.
	if host, err := netns.Host(); err == nil {
		hid, err := host.ID()
		host.Close()
		if err == nil && hid == id {
			return fmt.Errorf("namespace %v is the host's", ns)
		}
	}
	return nil
}

// Dial opens a netlink connection inside the namespace, closed when the
// test ends.
func (ns *NS) Dial(p nl.Protocol, cfg *nl.Config) *nl.Conn {
	ns.t.Helper()
	var c nl.Config
	if cfg != nil {
		c = *cfg
	}
	c.NetNS = ns.NS
	conn, err := nl.Dial(p, &c)
	if err != nil {
		ns.t.Fatalf("netnstest: dial %v in %s: %v", p, ns.Name, err)
	}
	ns.t.Cleanup(func() { conn.Close() })
	return conn
}

// IP runs `ip -n NAME args...` and returns its standard output; a failure
// fails the test.
func (ns *NS) IP(args ...string) string {
	ns.t.Helper()
	out, err := ns.TryIP(args...)
	if err != nil {
		ns.t.Fatalf("netnstest: %v", err)
	}
	return out
}

// TryIP runs `ip -n NAME args...` and returns its standard output, or an
// error carrying its standard error.
func (ns *NS) TryIP(args ...string) (string, error) {
	return ns.run("ip", append([]string{"-n", ns.Name}, args...)...)
}

// IPStatus runs `ip -n NAME args...` and returns its standard output,
// standard error and exit status, for tests that compare how ip and
// another tool fail. A status of -1 means ip could not be run (its error
// is in stderr) or was killed by a signal.
func (ns *NS) IPStatus(args ...string) (stdout, stderr string, code int) {
	cmd := exec.Command("ip", append([]string{"-n", ns.Name}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	return out.String(), errb.String() + err.Error(), -1
}

// Exec runs a command inside the namespace (`ip netns exec NAME cmd
// args...`) and returns its standard output; a failure fails the test.
func (ns *NS) Exec(cmd string, args ...string) string {
	ns.t.Helper()
	out, err := ns.run("ip", append([]string{"netns", "exec", ns.Name, cmd}, args...)...)
	if err != nil {
		ns.t.Fatalf("netnstest: %v", err)
	}
	return out
}

// TryExec is Exec that returns the command's failure, with its standard
// error, instead of failing the test: for probing what a kernel accepts.
func (ns *NS) TryExec(cmd string, args ...string) (string, error) {
	return ns.run("ip", append([]string{"netns", "exec", ns.Name, cmd}, args...)...)
}

func (ns *NS) run(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// ThreadNS returns the identity of the calling thread's network namespace.
// Lock the goroutine to its thread around uses that must see one thread.
func ThreadNS() (netns.ID, error) {
	var st unix.Stat_t
	if err := unix.Stat("/proc/thread-self/ns/net", &st); err != nil {
		return netns.ID{}, err
	}
	return netns.ID{Dev: st.Dev, Ino: st.Ino}, nil
}
