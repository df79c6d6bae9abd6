package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// TestDemo runs `cni-ptp demo` (two throwaway namespaces of its own) and
// checks what it prints of both sides.
func TestDemo(t *testing.T) {
	netnstest.RequirePrivileged(t)
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, &out, &errb); code != 0 {
		t.Fatalf("cni-ptp demo: status %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"link veth0 mtu 1400 UP",
		"address 10.1.1.1/32 dev veth0",
		"route 10.1.1.2 dev if2 scope host proto boot scope host",
		"address 10.1.1.2/24 brd 10.1.1.255 dev eth0",
		"route default via 10.1.1.1 dev if2 proto boot scope global",
		"check: ok",
		"del: ok",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"frob"}, {"add", "-addr", "x"}, {"add", "-bogus"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, &out, &errb); code != 2 || errb.Len() == 0 {
			t.Errorf("cni-ptp %q: status %d, stderr %q; want 2 and a message", args, code, errb.String())
		}
	}
}
