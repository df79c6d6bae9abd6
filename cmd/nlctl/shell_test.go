package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// The shell tests load `nlctl completion SHELL` into the real shells and
// complete with them. The nlctl they run is this test binary: it becomes
// nlctl when started under that name (a link on the shells' PATH), so
// that no build (and no module download) is needed, even as user nobody.

// TestMain runs nlctl's main when the binary is started as nlctl.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "nlctl" {
		main()
	}
	os.Exit(m.Run())
}

// shellSetup is where the shells run: nlctl on PATH, a home of their own.
type shellSetup struct {
	dir string   // the working directory, with a file cmds.batch
	env []string // PATH with nlctl first, HOME and XDG directories
}

// newShellSetup links this binary as nlctl into a fresh directory.
func newShellSetup(t *testing.T) *shellSetup {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, home, dir := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "nlctl")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cmds.batch"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"BASH_ENV=", "ENV=")
	return &shellSetup{dir: dir, env: env}
}

// requireShell returns the path of a shell. A missing shell skips the
// test, naming it, or fails it under NLKIT_REQUIRE_PRIV=1 (CI installs
// zsh and fish).
func requireShell(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv(netnstest.RequirePrivEnv) == "1" {
		t.Fatalf("%s is not installed, and %s=1 requires the shell tests (apt-get install %s)", name, netnstest.RequirePrivEnv, name)
	}
	t.Skipf("%s is not installed: its completion script is not tested", name)
	return ""
}

// run runs a shell script and returns its standard output; a failure, or
// anything on standard error, fails the test.
func (s *shellSetup) run(t *testing.T, shell string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, requireShell(t, shell), args...)
	cmd.Dir, cmd.Env = s.dir, s.env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil || errb.Len() > 0 {
		t.Fatalf("%s %q: %v\nstderr: %s\nstdout: %s", shell, args, err, errb.String(), out.String())
	}
	return out.String()
}

// lines splits output into its non-empty lines.
func lines(out string) []string {
	var ls []string
	for _, l := range strings.Split(out, "\n") {
		if l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// shQuote quotes s for bash and zsh.
func shQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// shWords quotes words as an array's elements.
func shWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = shQuote(w)
	}
	return strings.Join(q, " ")
}

// bashComplete completes the command line words (nlctl first, the last
// word the one completed) as bash does on TAB, with the script of
// `nlctl completion bash`, and returns COMPREPLY.
func (s *shellSetup) bashComplete(t *testing.T, words ...string) []string {
	t.Helper()
	line := strings.Join(words, " ")
	script := `source <(nlctl completion bash) || exit 1
COMP_WORDS=(` + shWords(words) + `)
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE=` + shQuote(line) + `
COMP_POINT=${#COMP_LINE}
_nlctl_complete nlctl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"`
	return lines(s.run(t, "bash", "--norc", "--noprofile", "-c", script))
}

// zshComplete runs the _nlctl of `nlctl completion zsh`, loaded after
// compinit, on the command line words, with compadd and _files replaced
// by functions that print what they are given ("FILES" for _files).
func (s *shellSetup) zshComplete(t *testing.T, words ...string) []string {
	t.Helper()
	script := `autoload -U compinit && compinit -u -d "$HOME/.zcompdump" || exit 1
source <(nlctl completion zsh) || exit 1
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }
_files() { print FILES }
words=(` + shWords(words) + `)
CURRENT=${#words}
PREFIX=${words[CURRENT]}
_nlctl`
	return lines(s.run(t, "zsh", "-f", "-c", script))
}

// fishComplete asks fish, with the script of `nlctl completion fish`
// loaded, for the completions of line (complete -C).
func (s *shellSetup) fishComplete(t *testing.T, line string) []string {
	t.Helper()
	q := "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(line) + "'"
	out := s.run(t, "fish", "--no-config", "-c", "nlctl completion fish | source; or exit 1; complete -C "+q)
	var cands []string
	for _, l := range lines(out) {
		c, _, _ := strings.Cut(l, "\t") // a candidate, then its description
		cands = append(cands, c)
	}
	return cands
}

// check compares candidates, in order.
func check(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}

// sorted returns s sorted.
func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestShellBash(t *testing.T) {
	s := newShellSetup(t)
	check(t, "bash: nlctl ro", s.bashComplete(t, "nlctl", "ro"), []string{"route"})
	check(t, "bash: nlctl r", s.bashComplete(t, "nlctl", "r"), []string{"route", "rule", "raw"})
	check(t, "bash: nlctl link s", s.bashComplete(t, "nlctl", "link", "s"), []string{"set", "show"})
	check(t, "bash: nlctl -ne", s.bashComplete(t, "nlctl", "-ne"), []string{"-netns"})
	// A file name: __complete says so, and bash completes it.
	check(t, "bash: nlctl -batch cm", s.bashComplete(t, "nlctl", "-batch", "cm"), []string{"cmds.batch"})
	check(t, "bash: nlctl nosuch x", s.bashComplete(t, "nlctl", "nosuch", "x"), nil)
	// The script registers the function for nlctl.
	out := s.run(t, "bash", "--norc", "--noprofile", "-c", "source <(nlctl completion bash) && complete -p nlctl")
	if strings.TrimSpace(out) != "complete -F _nlctl_complete nlctl" {
		t.Errorf("bash: complete -p nlctl = %q", out)
	}
}

func TestShellZsh(t *testing.T) {
	s := newShellSetup(t)
	// Sourced after compinit, the script loads without a word on stderr
	// and registers _nlctl for nlctl.
	out := s.run(t, "zsh", "-f", "-c", `autoload -U compinit && compinit -u -d "$HOME/.zcompdump" && source <(nlctl completion zsh) && print -r -- $_comps[nlctl]`)
	check(t, "zsh: sourced: $_comps[nlctl]", lines(out), []string{"_nlctl"})
	// Saved as _nlctl in $fpath, compinit finds it and the first call
	// completes.
	fdir := t.TempDir()
	script := s.run(t, "bash", "--norc", "--noprofile", "-c", "nlctl completion zsh")
	if err := os.WriteFile(filepath.Join(fdir, "_nlctl"), []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out = s.run(t, "zsh", "-f", "-c", `fpath=(`+shQuote(fdir)+` $fpath)
autoload -U compinit && compinit -u -d "$HOME/.zcompdump2" || exit 1
print -r -- $_comps[nlctl]
compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@" }
words=(nlctl ro); CURRENT=2; PREFIX=ro
_nlctl`)
	check(t, "zsh: from fpath", lines(out), []string{"_nlctl", "route"})

	check(t, "zsh: nlctl ro", s.zshComplete(t, "nlctl", "ro"), []string{"route"})
	check(t, "zsh: nlctl link s", s.zshComplete(t, "nlctl", "link", "s"), []string{"set", "show"})
	check(t, "zsh: nlctl -batch ''", s.zshComplete(t, "nlctl", "-batch", ""), []string{"FILES"})
}

func TestShellFish(t *testing.T) {
	s := newShellSetup(t)
	check(t, "fish: nlctl ro", s.fishComplete(t, "nlctl ro"), []string{"route"})
	check(t, "fish: nlctl link s", sorted(s.fishComplete(t, "nlctl link s")), []string{"set", "show"})
	check(t, "fish: nlctl -batch cm", s.fishComplete(t, "nlctl -batch cm"), []string{"cmds.batch"})
}

// The acceptance test: each shell completes `nlctl -n NS link set dev `
// to exactly the interfaces of the namespace NS.
func TestShellsNamespaceDevices(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v1")
	want := []string{"lo", "v0", "v1"}
	s := newShellSetup(t)
	t.Run("bash", func(t *testing.T) {
		check(t, "bash: -n NS link set dev", sorted(s.bashComplete(t, "nlctl", "-n", ns.Name, "link", "set", "dev", "")), want)
		check(t, "bash: -n NS<TAB>", s.bashComplete(t, "nlctl", "-n", ns.Name), []string{ns.Name})
	})
	t.Run("zsh", func(t *testing.T) {
		check(t, "zsh: -n NS link set dev", sorted(s.zshComplete(t, "nlctl", "-n", ns.Name, "link", "set", "dev", "")), want)
	})
	t.Run("fish", func(t *testing.T) {
		check(t, "fish: -n NS link set dev", sorted(s.fishComplete(t, "nlctl -n "+ns.Name+" link set dev ")), want)
	})
}
