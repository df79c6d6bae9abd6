package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A stream is where the results go; it remembers whether the last line was
// ended, so that the runner's own lines always start a line.
type stream struct {
	mu   sync.Mutex
	w    io.Writer
	last byte
}

// Write passes p on.
func (s *stream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(p) > 0 {
		s.last = p[len(p)-1]
	}
	return s.w.Write(p)
}

// line writes one line of the protocol.
func (s *stream) line(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last != 0 && s.last != '\n' {
		s.w.Write([]byte("\n"))
	}
	fmt.Fprintf(s.w, format+"\n", args...)
	s.last = '\n'
}

// A run runs the tests of one tree.
type run struct {
	w    *stream
	root string   // where the tree is: / in the guest
	env  []string // the tests' environment, without NLKIT_SKIP_LOG
}

// kernel reports the running kernel.
func (g *run) kernel() {
	rel, ver := kernelRelease()
	g.w.line("KM KERNEL %s %s", rel, clean(ver))
}

// modules loads the modules of dir/modules.list, dependencies first, and
// reports each: "KM MODULE name loaded|builtin|absent|failed: why".
func (g *run) modules(dir string) {
	deps, err := readDeps(filepath.Join(dir, "modules.dep"))
	if err != nil {
		g.w.line("KM MODULE-SETUP-FAIL %v", err)
		return
	}
	f, err := os.Open(filepath.Join(dir, "modules.list"))
	if err != nil {
		g.w.line("KM MODULE-SETUP-FAIL %v", err)
		return
	}
	defer f.Close()
	l := &loader{deps: deps, done: map[string]error{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.SplitN(sc.Text(), "\t", 3)
		if len(fields) < 2 {
			continue
		}
		name, where, params := fields[0], fields[1], ""
		if len(fields) == 3 {
			params = fields[2]
		}
		switch where {
		case "notmodule":
			// Built in, or not there (the package lists no
			// modules.builtin): built-in modules with parameters show
			// in /sys/module, others cannot be told from absent ones.
			where = "notmodule"
			if _, err := os.Stat("/sys/module/" + strings.ReplaceAll(name, "-", "_")); err == nil {
				where = "builtin"
			}
			g.w.line("KM MODULE %s %s", name, where)
			continue
		case "builtin", "absent":
			g.w.line("KM MODULE %s %s", name, where)
			continue
		}
		start := time.Now()
		if err := l.load(where, params); err != nil {
			g.w.line("KM MODULE %s failed: %s", name, clean(err.Error()))
			continue
		}
		g.w.line("KM MODULE %s loaded (%v)", name, time.Since(start).Round(time.Millisecond))
	}
}

// sysctls writes the "path value" lines of file, reporting each as
// "KM SYSCTL path value ok|failed: why".
func (g *run) sysctls(file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		return
	}
	for _, ln := range strings.Split(string(b), "\n") {
		path, value, ok := strings.Cut(ln, " ")
		if !ok {
			continue
		}
		if err := os.WriteFile(path, []byte(value+"\n"), 0o644); err != nil {
			g.w.line("KM SYSCTL %s %s failed: %s", path, value, clean(err.Error()))
			continue
		}
		g.w.line("KM SYSCTL %s %s ok", path, value)
	}
}

// readDeps reads "path: dep dep" lines.
func readDeps(path string) (map[string][]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	deps := map[string][]string{}
	for _, ln := range strings.Split(string(b), "\n") {
		mod, rest, ok := strings.Cut(ln, ":")
		if !ok {
			continue
		}
		deps[strings.TrimSpace(mod)] = strings.Fields(rest)
	}
	return deps, nil
}

// A loader loads modules once each, their dependencies first.
type loader struct {
	deps map[string][]string
	done map[string]error
}

// load loads the module at path (relative to /) after its dependencies.
func (l *loader) load(path, params string) error {
	if err, ok := l.done[path]; ok {
		return err
	}
	l.done[path] = fmt.Errorf("%s: dependency loop", path)
	var err error
	for _, d := range l.deps[path] {
		if derr := l.load(d, ""); derr != nil {
			err = fmt.Errorf("dependency %w", derr)
			break
		}
	}
	if err == nil {
		err = finit("/"+path, params)
	}
	l.done[path] = err
	return err
}

// finit loads one module file.
func finit(path, params string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	err = unix.FinitModule(int(f.Fd()), params, 0)
	if err == nil || errors.Is(err, unix.EEXIST) {
		return nil
	}
	return fmt.Errorf("finit_module %s: %w", filepath.Base(path), err)
}

// tests runs the binaries of dir/tests.list ("binary<TAB>package<TAB>
// source dir" lines) with the arguments of dir/args (one a line).
// Each one's output is framed by "KM BEGIN package" and "KM END package
// exit=N secs=S"; the lines its skips appended to NLKIT_SKIP_LOG follow as
// "KM SKIPLOG package line".
func (g *run) tests(dir string) {
	list, err := os.ReadFile(filepath.Join(dir, "tests.list"))
	if err != nil {
		g.w.line("KM TESTS-SETUP-FAIL %v", err)
		return
	}
	var args []string
	if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
		for _, a := range strings.Split(string(b), "\n") {
			if a != "" {
				args = append(args, a)
			}
		}
	}
	env := g.env
	if b, err := os.ReadFile(filepath.Join(dir, "env")); err == nil {
		for _, e := range strings.Split(string(b), "\n") {
			if strings.Contains(e, "=") {
				env = append(env, e)
			}
		}
	}
	tmp, err := os.MkdirTemp("", "kmatrix-skips")
	if err != nil {
		g.w.line("KM TESTS-SETUP-FAIL %v", err)
		return
	}
	defer os.RemoveAll(tmp)
	for i, ln := range strings.Split(string(list), "\n") {
		f := strings.Split(ln, "\t")
		if len(f) != 3 {
			continue
		}
		bin, pkg, src := filepath.Join(dir, "bin", f[0]), f[1], filepath.Join(dir, "src", f[2])
		skiplog := filepath.Join(tmp, fmt.Sprintf("skips-%d", i))
		g.w.line("KM BEGIN %s", pkg)
		start := time.Now()
		cmd := exec.Command(bin, append([]string{"-test.v", "-test.count=1"}, args...)...)
		cmd.Dir = src
		cmd.Env = append(append([]string(nil), env...), "NLKIT_SKIP_LOG="+skiplog)
		cmd.Stdout = g.w
		cmd.Stderr = g.w
		status := 0
		if err := cmd.Run(); err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
				if status < 0 {
					status = 128
				}
			} else {
				g.w.line("KM RUN-FAIL %s %s", pkg, clean(err.Error()))
				status = 127
			}
		}
		secs := time.Since(start).Seconds()
		if b, err := os.ReadFile(skiplog); err == nil {
			for _, s := range strings.Split(string(b), "\n") {
				if s != "" {
					g.w.line("KM SKIPLOG %s %s", pkg, s)
				}
			}
		}
		g.w.line("KM END %s exit=%d secs=%.1f", pkg, status, secs)
	}
}
