package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

func TestOptionAbbreviations(t *testing.T) {
	cases := []struct {
		args  []string
		n     int
		check func(e *Env) bool
	}{
		{[]string{"-j"}, 1, func(e *Env) bool { return e.JSON }},
		{[]string{"--json"}, 1, func(e *Env) bool { return e.JSON }},
		{[]string{"-ndjson"}, 1, func(e *Env) bool { return e.JSON && e.NDJSON }},
		{[]string{"-br"}, 1, func(e *Env) bool { return e.Brief }},
		{[]string{"-b", "f"}, 2, func(e *Env) bool { return e.Batch == "f" }},
		{[]string{"-batch=f"}, 1, func(e *Env) bool { return e.Batch == "f" }},
		{[]string{"-s"}, 1, func(e *Env) bool { return e.Stats == 1 }},
		{[]string{"-stat"}, 1, func(e *Env) bool { return e.Stats == 1 }},
		{[]string{"-d"}, 1, func(e *Env) bool { return e.Details }},
		{[]string{"-det"}, 1, func(e *Env) bool { return e.Details }},
		{[]string{"-o"}, 1, func(e *Env) bool { return e.Oneline }},
		{[]string{"-force"}, 1, func(e *Env) bool { return e.Force }},
		{[]string{"-n", "lab"}, 2, func(e *Env) bool { return e.NetNS == "lab" }},
		{[]string{"--netns=lab"}, 1, func(e *Env) bool { return e.NetNS == "lab" }},
		{[]string{"-6"}, 1, func(e *Env) bool { return e.Family == 6 }},
		// ip's order: -t is -timestamp, -ts -tshort, -r -resolve (refused
		// below), -rc -rcvbuf, -a -all.
		{[]string{"-t"}, 1, func(e *Env) bool { return e.Timestamp && !e.TShort }},
		{[]string{"-timestamp"}, 1, func(e *Env) bool { return e.Timestamp && !e.TShort }},
		{[]string{"-ts"}, 1, func(e *Env) bool { return e.Timestamp && e.TShort }},
		{[]string{"--tshort"}, 1, func(e *Env) bool { return e.Timestamp && e.TShort }},
		{[]string{"-rc", "4096"}, 2, func(e *Env) bool { return e.RcvBuf == 4096 }},
		{[]string{"-rcvbuf=0x1000"}, 1, func(e *Env) bool { return e.RcvBuf == 4096 }},
		{[]string{"-a"}, 1, func(e *Env) bool { return e.AllNetNS }},
		{[]string{"-all-netns"}, 1, func(e *Env) bool { return e.AllNetNS }},
		{[]string{"--all-netns"}, 1, func(e *Env) bool { return e.AllNetNS }},
	}
	for _, c := range cases {
		var e Env
		n, err := e.Option(c.args)
		if err != nil || n != c.n || !c.check(&e) {
			t.Errorf("%q: took %d, %v, env %+v", c.args, n, err, e)
		}
	}
	for _, bad := range [][]string{{"-x"}, {"-n"}, {"-n", ""}, {"-j=1"}, {"-f", "link"}, {"-"},
		{"-r"}, {"-rcvbuf"}, {"-rcvbuf", "x"}, {"-rcvbuf", "-1"}, {"-rcvbuf", "4294967296"}} {
		var e Env
		_, err := e.Option(bad)
		if err == nil || Status(err) == ExitOK || Status(err) == ExitRefused {
			t.Errorf("%q: %v (status %d), want a usage error", bad, err, Status(err))
		}
	}
}

func TestGlobalsAfter(t *testing.T) {
	var e Env
	rest, err := e.GlobalsAfter([]string{"show", "-j", "dev", "eth0", "-n", "lab", "-br"})
	if err != nil || strings.Join(rest, " ") != "show dev eth0" || !e.JSON || !e.Brief || e.NetNS != "lab" {
		t.Fatalf("%q %v %+v", rest, err, e)
	}
}

func TestRegistryLookup(t *testing.T) {
	var r Registry
	for _, n := range []string{"address", "route", "rule", "neighbour", "link", "raw"} {
		c := &Command{Name: n}
		if n == "neighbour" {
			c.Aliases = []string{"neighbor"}
		}
		r.Add(c)
	}
	for word, want := range map[string]string{"a": "address", "r": "route", "ru": "rule", "ra": "raw",
		"n": "neighbour", "neighbor": "neighbour", "neighb": "neighbour", "l": "link", "route": "route"} {
		if c, ok := r.Lookup(word); !ok || c.Name != want {
			t.Errorf("%q: %v %v, want %s", word, c, ok, want)
		}
	}
	if _, ok := r.Lookup("x"); ok {
		t.Error("x found")
	}
	if _, ok := r.Lookup(""); ok {
		t.Error("empty word found")
	}
}

func TestFindVerb(t *testing.T) {
	verbs := []Verb{{Name: "add"}, {Name: "set", Aliases: []string{"change"}}, {Name: "delete"},
		{Name: "show", Aliases: []string{"list", "lst"}}, {Name: "help"}}
	for word, want := range map[string]string{"s": "set", "sh": "show", "ls": "show", "lst": "show",
		"list": "show", "l": "show", "change": "set", "ch": "set", "del": "delete", "a": "add"} {
		if v, ok := FindVerb(verbs, word); !ok || v.Name != want {
			t.Errorf("%q: %v %v, want %s", word, v, ok, want)
		}
	}
}

func TestStatus(t *testing.T) {
	if s := Status(nil); s != ExitOK {
		t.Error(s)
	}
	if s := Status(fmt.Errorf("x: %w", ErrHelpShown)); s != ExitOK {
		t.Error(s)
	}
	if s := Status(Syntaxf("bad")); s != ExitSyntax {
		t.Error(s)
	}
	if s := Status(fmt.Errorf("wrapped: %w", Failf("none"))); s != ExitFailure {
		t.Error(s)
	}
	if s := Status(errors.New("refused")); s != ExitRefused {
		t.Error(s)
	}
	err := exec.Command("sh", "-c", "exit 7").Run()
	if s := Status(err); s != 7 {
		t.Errorf("a command's own status: %d", s)
	}
}

func TestQuoteCuts(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	q := Quote(long)
	if len(q) > 100 || !strings.Contains(q, "1048576 bytes") {
		t.Errorf("%d bytes: %.120s", len(q), q)
	}
	if Quote("eth0") != `"eth0"` {
		t.Error(Quote("eth0"))
	}
}

func TestParseUintNamesRange(t *testing.T) {
	_, err := ParseUint("mtu", "-1", 32)
	if err == nil || !strings.Contains(err.Error(), "mtu") || !strings.Contains(err.Error(), "4294967295") || Status(err) != ExitSyntax {
		t.Errorf("%v", err)
	}
	if v, err := ParseUint("mark", "0x10", 32); err != nil || v != 16 {
		t.Errorf("%d %v", v, err)
	}
}

func TestMainStatuses(t *testing.T) {
	var r Registry
	r.Add(&Command{Name: "echo", Run: func(e *Env, args []string) error {
		if len(args) > 0 && args[0] == "fail" {
			return Failf("no such thing")
		}
		_, err := fmt.Fprintln(e.Stdout, strings.Join(args, " "), e.JSON)
		return err
	}})
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := Main(context.Background(), &r, args, nil, &out, &errb)
		return code, out.String(), errb.String()
	}
	if code, out, _ := run("e", "a", "-j", "b"); code != 0 || out != "a b true\n" {
		t.Errorf("%d %q", code, out)
	}
	if code, _, errs := run("echo", "fail"); code != ExitFailure || !strings.Contains(errs, "nlctl echo: no such thing") {
		t.Errorf("%d %q", code, errs)
	}
	// As ip: an unknown object exits 1 (`Object "x" is unknown`).
	if code, _, errs := run("nosuch"); code != ExitFailure || errs == "" {
		t.Errorf("nosuch: %d %q", code, errs)
	}
	for _, args := range [][]string{{}, {"-x", "echo"}, {"-batch", "f"}} {
		if code, _, errs := run(args...); code != ExitSyntax || errs == "" {
			t.Errorf("%q: %d %q", args, code, errs)
		}
	}
	if code, out, _ := run("-h"); code != 0 || !strings.Contains(out, "usage: nlctl") {
		t.Errorf("-h: %d %q", code, out)
	}
}
