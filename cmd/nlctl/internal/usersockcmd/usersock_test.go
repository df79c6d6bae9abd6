package usersockcmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// usersockLiveness bounds how long a test waits for something that must
// happen: a failure bound for a hang, not a measure of speed.
const usersockLiveness = 30 * time.Second

// usersockPort returns a port id for a test server: high, and random. Each
// test serves in a namespace of its own, where nothing else is bound.
// nlctl runs nlctl's usersock command in process.
func nlctl(args ...string) (int, string, string) {
	return clitest.Run(clitest.Registry(nil, Commands()...), args...)
}

func usersockPort() string {
	return fmt.Sprint(0x40000000 | (uint32(os.Getpid())<<12)&0x3ffff000 | rand.Uint32N(1<<12))
}

// startServe runs `nlctl -n NS usersock serve` in process until it has
// served max requests; it returns the lines it prints and a channel that
// receives its error when it ends.
func startServe(t *testing.T, ns *netnstest.NS, args ...string) (<-chan string, <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	e := &cli.Env{NetNS: ns.Name, Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard}
	done := make(chan error, 1)
	go func() {
		err := runUsersock(e, append([]string{"serve"}, args...))
		pw.Close()
		done <- err
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	select {
	case first, ok := <-lines:
		if !ok || !strings.HasPrefix(first, "serving on port") {
			t.Fatalf("serve: %q, %v", first, ended(done))
		}
	case <-time.After(usersockLiveness):
		t.Fatalf("serve printed nothing in %v", usersockLiveness)
	}
	return lines, done
}

// ended returns serve's error, or says that it is still running.
func ended(done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-time.After(time.Second):
		return fmt.Errorf("serve still running")
	}
}

// waitServed waits for serve to end (after its --max requests) and returns
// its error.
func waitServed(t *testing.T, done <-chan error) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(usersockLiveness):
		t.Fatalf("serve did not end in %v", usersockLiveness)
		return nil
	}
}

// waitLine reads lines until one contains s.
func waitLine(t *testing.T, lines <-chan string, s string) string {
	t.Helper()
	timeout := time.After(usersockLiveness)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended without printing %q", s)
			}
			if strings.Contains(l, s) {
				return l
			}
		case <-timeout:
			t.Fatalf("serve printed no %q in %v", s, usersockLiveness)
		}
	}
}

// Acceptance 4: serve, send and listen against each other, in a namespace
// of their own.
func TestUsersockServeSendListen(t *testing.T) {
	ns := netnstest.New(t)
	netnstest.RequireCapabilities(t, unix.CAP_NET_ADMIN) // listen joins a group
	port := usersockPort()
	lines, served := startServe(t, ns, "--port", port, "--groups", "2", "--max", "3")
	timeout := "--timeout=" + usersockLiveness.String()

	type result struct {
		code     int
		out, err string
	}
	listened := make(chan result, 1)
	go func() {
		code, out, errs := nlctl("-n", ns.Name, "usersock", "listen", "--group", "2", "--port", port, "--count", "1", timeout, "-j")
		listened <- result{code, out, errs}
	}()
	// Wait for the join; a listen that fails to join ends first.
	joined := time.After(usersockLiveness)
	for done := false; !done; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve ended before listen joined: %v", ended(served))
			}
			done = strings.Contains(l, "joins group 2")
		case l := <-listened:
			t.Fatalf("listen ended before joining: exit %d: %s %s", l.code, l.out, l.err)
		case <-joined:
			t.Fatalf("listen did not join group 2 in %v", usersockLiveness)
		}
	}

	code, out, errs := nlctl("-n", ns.Name, "usersock", "send", "--port", port, "--ack", "hello", "world")
	if code != 0 || !strings.Contains(out, `"hello world"`) || !strings.Contains(out, "from port "+port) {
		t.Fatalf("send: exit %d: %s %s", code, out, errs)
	}
	waitLine(t, lines, `type 16 seq`)

	l := <-listened // it exits after one message, or after its --timeout
	var m usersockMessage
	if l.code != 0 || json.Unmarshal([]byte(l.out), &m) != nil || m.Data != "hello world" || m.Group != 2 || fmt.Sprint(m.Port) != port {
		t.Fatalf("listen: exit %d: %s %s", l.code, l.out, l.err)
	}

	code, out, errs = nlctl("-n", ns.Name, "usersock", "send", "--port", port, "--dump", "-j", "alpha beta gamma")
	var msgs []usersockMessage
	if code != 0 || json.Unmarshal([]byte(out), &msgs) != nil || len(msgs) != 3 || msgs[2].Data != "gamma" || msgs[0].Hex != "616c706861" {
		t.Fatalf("dump: exit %d: %s %s", code, out, errs)
	}

	// The server's refusal, with its message, and exit status 2.
	code, _, errs = nlctl("-n", ns.Name, "usersock", "send", "--port", port, "--ack")
	if code != cli.ExitRefused || !strings.Contains(errs, "empty request") || !strings.Contains(errs, "invalid argument") {
		t.Fatalf("refusal: exit %d: %s", code, errs)
	}
	if err := waitServed(t, served); err != nil {
		t.Fatalf("serve: %v", err)
	}
	code, _, errs = nlctl("-n", ns.Name, "usersock", "send", "--port", port, "x")
	if code != cli.ExitRefused || !strings.Contains(errs, "no server is bound to port "+port) {
		t.Fatalf("after shutdown: exit %d: %s", code, errs)
	}
}

// A sealed server answers clients with the secret and refuses others.
func TestUsersockSecret(t *testing.T) {
	ns := netnstest.New(t)
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret")
	if err := os.WriteFile(secret, []byte("0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other")
	os.WriteFile(other, []byte("fedcba9876543210fedcba9876543210"), 0o600)
	port := usersockPort()
	lines, served := startServe(t, ns, "--port", port, "--secret-file", secret, "--max", "1")
	for _, args := range [][]string{{"--secret-file", other}, nil} {
		code, _, errs := nlctl(append([]string{"-n", ns.Name, "usersock", "send", "--port", port, "--ack", "x"}, args...)...)
		if code != cli.ExitRefused || !strings.Contains(errs, "authentication failed") || strings.Contains(errs, "0123456789abcdef") {
			t.Fatalf("send %v: exit %d: %s", args, code, errs)
		}
	}
	code, out, errs := nlctl("-n", ns.Name, "usersock", "send", "--port", port, "--secret-file", secret, "sealed hello")
	if code != 0 || !strings.Contains(out, `"sealed hello"`) {
		t.Fatalf("sealed send: exit %d: %s %s", code, out, errs)
	}
	if err := waitServed(t, served); err != nil {
		t.Fatal(err)
	}
	for l := range lines {
		if strings.Contains(l, "0123456789abcdef") {
			t.Fatalf("serve printed the secret: %s", l)
		}
	}
	code, _, errs = nlctl("-n", ns.Name, "usersock", "serve", "--port", port, "--secret-file", filepath.Join(dir, "missing"))
	if code != cli.ExitRefused || !strings.Contains(errs, "read the secret") {
		t.Fatalf("missing secret: exit %d: %s", code, errs)
	}
}

// Usage errors and help open no socket, so they need no privileges. The
// namespace named does not exist: were a socket opened, the command would
// fail to enter it rather than send anything.
func TestUsersockUsage(t *testing.T) {
	const nowhere = "nlkit-usersock-usage-no-such-namespace"
	code, _, errs := nlctl("-n", nowhere, "usersock", "send")
	if code != cli.ExitSyntax || !strings.Contains(errs, "--port") {
		t.Fatalf("usage: exit %d: %s", code, errs)
	}
	code, out, _ := nlctl("-n", nowhere, "usersock", "-h")
	if code != 0 || !strings.Contains(out, "nlctl usersock listen --group G") {
		t.Fatalf("help: exit %d: %s", code, out)
	}
}

// Every numeric option of usersock names itself and its range when its
// value is out of range or no number; durations must be above zero. No
// socket is opened (the namespace does not exist).
func TestUsersockOptionRanges(t *testing.T) {
	const nowhere = "nlkit-usersock-usage-no-such-namespace"
	long := strings.Repeat("9", 1000000)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"serve", "--port", "1", "--groups", "99999"}, `invalid --groups "99999": a number of multicast groups from 0 to 32 is expected`},
		{[]string{"serve", "--port", "1", "--groups", "33"}, `invalid --groups "33": a number of multicast groups from 0 to 32`},
		{[]string{"serve", "--port", "1", "--groups", "x"}, `invalid --groups "x"`},
		{[]string{"serve", "--port", "-1"}, `invalid --port "-1": a port id from 0 to 4294967295 is expected`},
		{[]string{"serve", "--port", "4294967296"}, `invalid --port "4294967296"`},
		{[]string{"serve", "--port", long}, `invalid --port "9999`},
		{[]string{"serve", "--port", "1", "--workers", "65536"}, `invalid --workers "65536": a number of goroutines (0: one per CPU) from 0 to 65535`},
		{[]string{"serve", "--port", "1", "--max", "-3"}, `invalid --max "-3": a number of requests (0: no limit) from 0 to 2147483647`},
		{[]string{"listen", "--group", "0"}, `invalid --group "0": a multicast group from 1 to 32 is expected`},
		{[]string{"listen", "--group", "33"}, `invalid --group "33": a multicast group from 1 to 32`},
		{[]string{"listen", "--group", "1", "--count", "x"}, `invalid --count "x": a number of messages (0: no limit) from 0 to 2147483647`},
		{[]string{"listen", "--group", "1", "--timeout", "0"}, `invalid --timeout "0": a duration above zero, such as 500ms, 5s or 1m, is expected`},
		{[]string{"send", "--port", "1", "--type", "15", "x"}, `invalid --type "15": a message type from 16 to 65519 is expected`},
		{[]string{"send", "--port", "1", "--type", "65520", "x"}, `invalid --type "65520"`},
		{[]string{"send", "--port", "1", "--type", "70000", "x"}, `invalid --type "70000"`},
		{[]string{"send", "--port", "1", "--timeout", "-1s", "x"}, `invalid --timeout "-1s": a duration above zero`},
		{[]string{"send", "--port", "1", "--timeout", "never", "x"}, `invalid --timeout "never"`},
		{[]string{"send", "--port"}, "--port needs a value"},
		{[]string{"send", "--" + long}, `unknown option "--999`},
		{[]string{long}, `unknown usersock subcommand "999`},
	} {
		code, _, errs := nlctl(append([]string{"-n", nowhere, "usersock"}, c.args...)...)
		if code != cli.ExitSyntax || !strings.Contains(errs, c.msg) || len(errs) > 500 {
			t.Errorf("usersock %.60q: exit %d, %.300q; want exit %d with %q", c.args, code, errs, cli.ExitSyntax, c.msg)
		}
	}
}
