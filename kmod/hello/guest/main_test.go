package main

import (
	"errors"
	"strings"
	"testing"
)

func TestModuleParams(t *testing.T) {
	for cmdline, want := range map[string]string{
		"":                      "dyndbg=+p",
		"console=ttyS0 quiet\n": "dyndbg=+p",
		"console=ttyS0 hello.wrong_reply=1 panic=-1\n":   "dyndbg=+p wrong_reply=1",
		"hello.wrong_reply=1 hello.x=y hellox.z=1 hello": "dyndbg=+p wrong_reply=1 x=y",
	} {
		if got := moduleParams(cmdline); got != want {
			t.Errorf("moduleParams(%q) = %q, want %q", cmdline, got, want)
		}
	}
}

func TestSummary(t *testing.T) {
	ok := func(*guest) error { return nil }
	bad := func(*guest) error { return errors.New("seq=2\nwant 1") }
	boom := func(*guest) error { panic("boom") }
	g := new(guest)
	if got := g.run([]check{{"a", ok}, {"b", ok}}); got != "HELLO-QEMU PASS 2/2" {
		t.Errorf("all pass: %q", got)
	}
	got := g.run([]check{{"a", ok}, {"echo", bad}, {"c", boom}})
	want := "HELLO-QEMU FAIL 1/3: echo: seq=2 want 1; c: panic: boom"
	if got != want || strings.Contains(got, "\n") {
		t.Errorf("failures: %q, want %q", got, want)
	}
}
