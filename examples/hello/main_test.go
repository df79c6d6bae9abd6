package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/kmod/hello/hellonl"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// TestNotRegistered runs hello where protocol 31 is absent, as on any
// kernel without kmod/hello: it must say so, not print a bare errno.
func TestNotRegistered(t *testing.T) {
	c, err := nl.Dial(hellonl.Protocol, nil)
	if err == nil {
		c.Close()
		netnstest.SkipFeature(t, "a kernel without netlink protocol 31 (kmod/hello not loaded)",
			"socket(AF_NETLINK, SOCK_RAW, 31) succeeded: the protocol is registered")
	}
	if !errors.Is(err, unix.EPROTONOSUPPORT) {
		t.Fatalf("dial protocol 31: %v, want EPROTONOSUPPORT", err)
	}
	for _, args := range [][]string{nil, {"-pid"}, {"-join", "1"}, {"-broadcast", "2"}} {
		var out, errb bytes.Buffer
		code := run(context.Background(), args, &out, &errb)
		want := "hello: protocol 31 is not registered: load kmod/hello (see kmod/hello/README.md)\n"
		if code != 1 || errb.String() != want || out.Len() != 0 {
			t.Errorf("hello %q: status %d, stdout %q, stderr %q; want 1, nothing, %q",
				args, code, out.String(), errb.String(), want)
		}
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-join", "33"}, "group 33 out of range 1-32"},
		{[]string{"-broadcast", "40"}, "group 40 out of range 1-32"},
		{[]string{"-count", "-1", "-join", "1"}, "negative -count -1"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"-bogus"}, "flag provided but not defined: -bogus"},
	} {
		var out, errb bytes.Buffer
		code := run(context.Background(), tc.args, &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("hello %q: status %d, stderr %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestJoinWaitsForever(t *testing.T) {
	o, err := parseFlags([]string{"-join", "3"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if o.join != 3 || o.timeout != 0 {
		t.Errorf("-join 3: join %d timeout %v, want 3 and 0", o.join, o.timeout)
	}
	o, err = parseFlags([]string{"-join", "3", "-timeout", "2s"}, new(bytes.Buffer))
	if err != nil {
		t.Fatal(err)
	}
	if o.timeout.Seconds() != 2 {
		t.Errorf("-timeout 2s with -join: timeout %v", o.timeout)
	}
}
