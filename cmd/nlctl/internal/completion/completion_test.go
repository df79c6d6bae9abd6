package completion_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/completion"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/iproute"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/raw"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/usersockcmd"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// registry is nlctl's registry, as cmd/nlctl's main builds it.
func registry() *cli.Registry {
	r := &cli.Registry{Batch: iproute.RunBatch}
	iproute.SetValues(r)
	r.Add(iproute.Commands()...)
	r.Add(raw.Commands()...)
	r.Add(usersockcmd.Commands()...)
	r.Add(completion.Commands(r)...)
	return r
}

// demoRegistry has one command whose grammar has every kind of value,
// independent of the grammars of nlctl's commands.
func demoRegistry() *cli.Registry {
	r := &cli.Registry{}
	iproute.SetValues(r)
	r.SetValues(cli.ValueLinkKind, func(context.Context, *cli.Env) []string { return []string{"veth", "vxlan", "bridge"} })
	r.Add(&cli.Command{
		Name: "demo", Summary: "a grammar with every kind of value",
		Run: func(*cli.Env, []string) error { return nil },
		Grammar: func() cli.Grammar {
			return cli.Grammar{Default: "set", Verbs: []cli.Verb{
				{Name: "set", Arg: cli.ValueDevice, Words: cli.Words(
					cli.KwValue(cli.ValueDevice, "dev", "master"),
					cli.Kw("up", "down"),
					cli.KwValue(cli.ValueText, "mtu"),
					[]cli.Word{cli.KwChoice("mode", "fast", "slow", "fair")},
					cli.KwValue(cli.ValueFile, "file"),
					cli.KwValue(cli.ValueLinkKind, "type"),
					cli.KwValue(cli.ValueTable, "table"),
					cli.KwValue(cli.ValueGroupName, "group"),
					cli.KwValue(cli.ValueNetns, "netns"),
				)},
				{Name: "show", Aliases: []string{"list"}},
				{Name: "bucket", Sub: []cli.Verb{
					{Name: "show", Words: cli.Kw("all", "id")},
					{Name: "get"},
				}},
			}}
		},
	})
	r.Add(&cli.Command{
		Name: "flat", Summary: "a command without verbs",
		Run: func(*cli.Env, []string) error { return nil },
		Grammar: func() cli.Grammar {
			return cli.Grammar{Verbs: []cli.Verb{{Name: "", Arg: cli.ValueFile, Words: cli.Words(
				cli.KwValue(cli.ValueText, "--port"), cli.Kw("--ack"))}}}
		},
	})
	r.Add(completion.Commands(r)...)
	return r
}

// complete runs `nlctl __complete words...` over r and returns the lines
// it printed; it fails the test unless the exit status is 0 with nothing
// on stderr.
func complete(t *testing.T, r *cli.Registry, words ...string) []string {
	t.Helper()
	code, out, errs := clitest.Run(r, append([]string{"__complete"}, words...)...)
	if code != 0 || errs != "" {
		t.Fatalf("__complete %q: exit %d, stderr %q", words, code, errs)
	}
	if out == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

// expect checks the candidates for words, in order.
func expect(t *testing.T, r *cli.Registry, want []string, words ...string) {
	t.Helper()
	if got := complete(t, r, words...); !slices.Equal(got, want) {
		t.Errorf("__complete %q = %q, want %q", words, got, want)
	}
}

// has checks that the candidates for words include each of want and none
// of not.
func has(t *testing.T, r *cli.Registry, want, not []string, words ...string) {
	t.Helper()
	got := complete(t, r, words...)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("__complete %q = %q, missing %q", words, got, w)
		}
	}
	for _, n := range not {
		if slices.Contains(got, n) {
			t.Errorf("__complete %q = %q, should not offer %q", words, got, n)
		}
	}
}

func TestCompleteCommands(t *testing.T) {
	r := registry()
	expect(t, r, []string{"route"}, "ro")
	expect(t, r, []string{"route", "rule", "raw"}, "r")
	expect(t, r, []string{"neighbour"}, "neighb")
	expect(t, r, []string{"neighbor"}, "neighbor")
	expect(t, r, nil, "nosuch")
	// Every command with a summary, in the registry's order; the hidden
	// __complete is not offered.
	var want []string
	for _, c := range r.Commands() {
		if c.Summary != "" {
			want = append(want, c.Name)
		}
	}
	expect(t, r, want, "")
	expect(t, r, want)
	has(t, r, []string{"link"}, []string{"__complete"}, "")
	// After global options.
	expect(t, r, []string{"route", "rule", "raw"}, "-j", "-d", "r")
}

func TestCompleteVerbs(t *testing.T) {
	r := registry()
	expect(t, r, []string{"set", "show"}, "link", "s")
	expect(t, r, []string{"set", "show"}, "l", "s") // the command abbreviated
	expect(t, r, []string{"change"}, "link", "ch")  // an alias, where only it matches
	expect(t, r, []string{"show", "get", "help"}, "nexthop", "bucket", "")
	expect(t, r, []string{"bash", "zsh", "fish", "help"}, "completion", "")
	expect(t, r, nil, "nosuch", "")

	d := demoRegistry()
	expect(t, d, []string{"set", "show", "bucket"}, "demo", "")
	expect(t, d, []string{"list"}, "demo", "l")
	expect(t, d, []string{"show", "get"}, "demo", "bucket", "")
	expect(t, d, []string{"all", "id"}, "demo", "b", "sh", "")
	expect(t, d, []string{"id"}, "demo", "bucket", "show", "all", "")
	expect(t, d, nil, "demo", "bucket", "get", "")
	expect(t, d, nil, "demo", "nosuchverb", "")
}

func TestCompleteOptions(t *testing.T) {
	r := registry()
	all := complete(t, r, "-")
	for _, o := range []string{"-json", "-netns", "-batch", "-4", "-6", "-details", "-brief", "-force"} {
		if !slices.Contains(all, o) {
			t.Errorf("__complete - = %q, missing %s", all, o)
		}
	}
	for _, o := range []string{"-family", "-0"} { // refused by nlctl
		if slices.Contains(all, o) {
			t.Errorf("__complete - offers %s, which nlctl refuses", o)
		}
	}
	expect(t, r, []string{"-netns"}, "-ne")
	expect(t, r, []string{"-batch", "-brief"}, "-j", "-b")
	// After the command: the options cli.RunCommand takes out there, and
	// the command's own words that start with a dash.
	has(t, r, []string{"-json", "-netns"}, []string{"-batch", "-force"}, "link", "show", "-")
	d := demoRegistry()
	expect(t, d, []string{completion.FileMarker, "--port", "--ack"}, "flat", "--")
	has(t, d, []string{"--port", "-json"}, nil, "flat", "-")
	// -batch takes a file, and then no command.
	expect(t, r, []string{completion.FileMarker}, "-batch", "")
	expect(t, r, []string{completion.FileMarker}, "-b", "x")
	expect(t, r, nil, "-batch", "cmds", "")
	// A file where a keyword's value or the positional value is one.
	expect(t, d, []string{completion.FileMarker}, "demo", "set", "eth0", "file", "")
	has(t, d, []string{completion.FileMarker, "--port", "--ack"}, nil, "flat", "")
}

func TestCompleteValues(t *testing.T) {
	d := demoRegistry()
	expect(t, d, []string{"fast", "slow", "fair"}, "demo", "set", "x", "mode", "")
	expect(t, d, []string{"fast", "fair"}, "demo", "set", "x", "mode", "f")
	expect(t, d, []string{"fast", "fair"}, "demo", "set", "x", "mo", "f") // keyword abbreviated
	expect(t, d, []string{"veth", "vxlan"}, "demo", "set", "x", "type", "v")
	expect(t, d, nil, "demo", "set", "x", "mtu", "")
	has(t, d, []string{"default"}, nil, "demo", "set", "x", "group", "")
	has(t, d, []string{"local", "main", "default"}, nil, "demo", "set", "x", "table", "")
	expect(t, d, []string{"main"}, "demo", "set", "x", "table", "ma")
}

func TestCompleteKeywordsOnce(t *testing.T) {
	d := demoRegistry()
	all := []string{"dev", "master", "up", "down", "mtu", "mode", "file", "type", "table", "group", "netns"}
	expect(t, d, all, "demo", "set", "x", "")
	expect(t, d, []string{"master", "mtu", "mode"}, "demo", "set", "x", "m")
	expect(t, d, []string{"master", "mode"}, "demo", "set", "x", "mtu", "1500", "m")
	expect(t, d, []string{"master"}, "demo", "set", "x", "mtu", "1500", "mo", "fast", "m")
	expect(t, d, []string{"down"}, "demo", "set", "x", "up", "d", "x0", "d")
	// On nlctl's own grammar.
	has(t, registry(), []string{"mtu"}, []string{"up"}, "link", "set", "dev", "lo", "up", "")
	has(t, registry(), []string{"up"}, []string{"mtu", "dev"}, "link", "set", "dev", "lo", "mtu", "1500", "")
}

func TestCompleteQuietOnErrors(t *testing.T) {
	r := registry()
	for _, words := range [][]string{
		{"-x", ""},
		{"-n"},
		{"-n", "nlkit-no-such-namespace", "link", "set", "dev", ""},
		{"-n", "/nonexistent/ns", "link", "show", "dev", ""},
		{"-family", "inet", ""},
		{"-help", ""},
		{"nosuchcommand", "show", ""},
		{"link", "nosuchverb", ""},
		{"netns", "exec", "x", "ip", "-n", ""},
		{"completion", "bash", ""},
		{"__complete", ""},
	} {
		complete(t, r, words...) // fails on anything but exit 0 and a quiet stderr
	}
	expect(t, r, nil, "-n", "nlkit-no-such-namespace", "link", "set", "dev", "")
}

func TestCompleteNamespaces(t *testing.T) {
	ns := netnstest.New(t)
	r := registry()
	has(t, r, []string{ns.Name}, nil, "-n", "")
	has(t, r, []string{ns.Name}, nil, "-netns", "nlkit-")
	has(t, r, []string{ns.Name}, nil, "link", "-n", "") // -n after the command
	has(t, r, []string{ns.Name}, nil, "netns", "exec", "")
	expect(t, r, []string{ns.Name}, "-n", ns.Name)
	expect(t, demoRegistry(), []string{ns.Name}, "demo", "set", "x", "netns", ns.Name)
}

func TestCompleteDevices(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v1")
	r := registry()
	sorted := func(s []string) []string { slices.Sort(s); return s }
	links := []string{"lo", "v0", "v1"}

	got := complete(t, r, "-n", ns.Name, "link", "set", "dev", "")
	if !slices.Equal(sorted(got), links) {
		t.Errorf("-n %s link set dev: %q, want exactly %q", ns.Name, got, links)
	}
	if got := complete(t, r, "-n", ns.Name, "link", "set", "dev", "v"); !slices.Equal(sorted(got), links[1:]) {
		t.Errorf("-n %s link set dev v: %q, want %q", ns.Name, got, links[1:])
	}
	expect(t, r, []string{"v1"}, "-netns", ns.Name, "link", "set", "dev", "v1")
	got = complete(t, r, "link", "-n", ns.Name, "set", "dev", "")
	if !slices.Equal(sorted(got), links) {
		t.Errorf("link -n %s set dev: %q, want exactly %q", ns.Name, got, links)
	}
	got = complete(t, r, "-n", "/run/netns/"+ns.Name, "link", "set", "dev", "")
	if !slices.Equal(sorted(got), links) {
		t.Errorf("-n /run/netns/%s link set dev: %q, want exactly %q", ns.Name, got, links)
	}

	// The positional device and the keywords together, the devices first.
	got = complete(t, r, "-n", ns.Name, "link", "set", "")
	if len(got) < 3 || !slices.Equal(sorted(slices.Clone(got[:3])), links) {
		t.Errorf("-n %s link set: %q, want the devices %q first", ns.Name, got, links)
	}
	for _, w := range []string{"dev", "up", "mtu"} {
		if !slices.Contains(got, w) {
			t.Errorf("-n %s link set: %q, missing keyword %q", ns.Name, got, w)
		}
	}
	// Once the device is given, by position or with dev, no more devices.
	for _, words := range [][]string{
		{"-n", ns.Name, "link", "set", "v0", ""},
		{"-n", ns.Name, "link", "set", "dev", "v0", ""},
	} {
		has(t, r, []string{"up"}, links, words...)
	}
	// In the demo grammar too, with master (a device) after the device.
	d := demoRegistry()
	if got := complete(t, d, "-n", ns.Name, "demo", "set", "v0", "master", ""); !slices.Equal(sorted(got), links) {
		t.Errorf("demo set v0 master: %q, want %q", got, links)
	}
}

func TestCompleteTables(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "d0", "up", "type", "veth", "peer", "name", "d1")
	ns.IP("link", "set", "d1", "up")
	ns.IP("route", "add", "10.9.0.0/16", "dev", "d0", "table", "100")
	ns.IP("-6", "route", "add", "2001:db8::/64", "dev", "d0", "table", "4000000000")
	d := demoRegistry()
	has(t, d, []string{"local", "main", "default", "100", "4000000000"}, []string{"254", "255"},
		"-n", ns.Name, "demo", "set", "x", "table", "")
	expect(t, d, []string{"100"}, "-n", ns.Name, "demo", "set", "x", "table", "1")
}

func TestCompletionScripts(t *testing.T) {
	r := registry()
	for _, sh := range []struct{ name, want string }{
		{"bash", "complete -F _nlctl_complete nlctl"},
		{"zsh", "#compdef nlctl"},
		{"fish", "complete -c nlctl"},
	} {
		code, out, errs := clitest.Run(r, "completion", sh.name)
		if code != 0 || errs != "" || !strings.Contains(out, sh.want) || !strings.Contains(out, "__complete") {
			t.Errorf("completion %s: exit %d, stderr %q, script:\n%s", sh.name, code, errs, out)
		}
	}
	if code, out, _ := clitest.Run(r, "completion", "z"); code != 0 || !strings.HasPrefix(out, "#compdef") {
		t.Errorf("completion z: exit %d, %q", code, out)
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "x"}} {
		if code, out, errs := clitest.Run(r, args...); code != cli.ExitSyntax || out != "" || errs == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 255 and a message", args, code, out, errs)
		}
	}
}

// The help `nlctl completion -h` prints is the one the package comment
// shows.
func TestCompletionHelp(t *testing.T) {
	r := registry()
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"-h", "--help", "help"} {
		code, out, _ := clitest.Run(r, "completion", h)
		if code != 0 || !strings.HasPrefix(out, "usage: nlctl completion") {
			t.Fatalf("completion %s: exit %d, %q", h, code, out)
		}
		for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			want := "//\t" + line + "\n"
			if line == "" {
				want = "//\n"
			}
			if !strings.Contains(string(doc), want) {
				t.Errorf("doc.go lacks the help line %q", line)
			}
		}
	}
}
