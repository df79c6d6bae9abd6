package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// nlctl runs the command in process and returns its exit status and output.
func nlctl(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"-x", "raw"},
		{"raw"},
		{"raw", "--type", "RTM_NOPE"},
		{"raw", "--type", "RTM_GETLINK", "--proto", "nope"},
		{"raw", "--type", "RTM_GETLINK", "--flags", "bogus"},
		{"raw", "--type", "RTM_GETLINK", "NOSUCHATTR=1"},
		{"raw", "--type", "RTM_GETLINK", "IFLA_MTU=notanumber"},
		{"raw", "--type", "RTM_GETLINK", "IFLA_LINKINFO=5"},
		{"raw", "--type", "RTM_GETLINK", "99=7"},
		{"raw", "--type", "RTM_GETLINK", "IFLA_LINKINFO={IFLA_INFO_KIND=veth"},
		{"raw", "--type", "RTM_GETLINK", "--timeout"},
		{"protocols", "--bogus"},
	}
	for _, args := range cases {
		if code, _, errs := nlctl(args...); code != cli.ExitSyntax || errs == "" {
			t.Errorf("nlctl %q: exit %d, stderr %q; want exit 255 with a message", args, code, errs)
		}
	}
	if code, out, _ := nlctl("help"); code != 0 || !strings.Contains(out, "raw") {
		t.Errorf("help: %d %q", code, out)
	}
	if code, out, _ := nlctl("raw", "--help"); code != 0 || !strings.Contains(out, "--proto") {
		t.Errorf("raw --help: %d %q", code, out)
	}
}

// The global options and the command word fail as ip's do: an unknown
// option, an option without its value, an empty or missing namespace are
// errors of the command line (255); an unknown command, like ip's unknown
// object, is a name that matches nothing (1).
func TestGlobalOptionErrors(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-x"}, cli.ExitSyntax, `option "-x" is unknown, try "nlctl -help"`},
		{[]string{"-x", "link"}, cli.ExitSyntax, `option "-x" is unknown`},
		{[]string{"--x"}, cli.ExitSyntax, `option "--x" is unknown`},
		{[]string{"-n"}, cli.ExitSyntax, "option -n needs an argument"},
		{[]string{"-netns"}, cli.ExitSyntax, "option -netns needs an argument"},
		{[]string{"-n", ""}, cli.ExitSyntax, "option -n: the namespace name is empty"},
		{[]string{"-n", "", "link"}, cli.ExitSyntax, "the namespace name is empty"},
		{[]string{"-n=", "link"}, cli.ExitSyntax, "the namespace name is empty"},
		{[]string{"-n", "nlkit-no-such-netns", "link"}, cli.ExitSyntax, `cannot open network namespace "nlkit-no-such-netns" (-n)`},
		{[]string{"-batch"}, cli.ExitSyntax, "option -batch needs an argument"},
		{[]string{"-f", "link", "link"}, cli.ExitSyntax, `option -f "link" is not supported: inet or inet6 is expected`},
		{[]string{"-j=1", "link"}, cli.ExitSyntax, `option "-j=1" takes no value`},
		{[]string{"nosuchcommand"}, cli.ExitFailure, `command "nosuchcommand" is unknown, try "nlctl help"`},
		{[]string{long}, cli.ExitFailure, "is unknown"},
		{[]string{"-" + long}, cli.ExitSyntax, "is unknown"},
		{[]string{"-j=" + long, "link"}, cli.ExitSyntax, "takes no value"},
	} {
		code, _, errs := nlctl(c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) || len(errs) > 400 {
			t.Errorf("nlctl %.80q: exit %d, stderr %.500q; want exit %d with %q", c.args, code, errs, c.code, c.msg)
		}
	}
}

// TestSignalContext checks that SIGINT cancels the root context once
// signals are watched, and that stopping before then is harmless.
func TestSignalContext(t *testing.T) {
	ctx, stop, armed := signalContext(time.Hour)
	stop()
	if ctx.Err() == nil {
		t.Error("the context is not cancelled by stop")
	}
	select {
	case <-armed:
		t.Error("signals watched after stop")
	default:
	}

	ctx, stop, armed = signalContext(0)
	defer stop()
	select {
	case <-armed:
	case <-time.After(10 * time.Second):
		t.Fatal("signals not watched after 10s")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGINT did not cancel the context")
	}
}
