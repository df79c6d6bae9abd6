package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// A kernelRun is what one kernel's directory of run.sh holds: its meta
// file and its parsed result stream.
type kernelRun struct {
	Label   string // 5.10, 6.1, 6.12, 7, host
	Package string // the Debian package and version, or "host kernel ..."
	Accel   string // kvm, tcg, native
	Wall    string // seconds, the whole kernel's step
	Boot    string // ok, or what went wrong
	Release string // uname -r in the guest
	Done    bool   // the guest reached its end
	Setup   []string
	Modules map[string]string // name: loaded, builtin, absent, failed: ...
	Pkgs    map[string]*pkgRun
	Order   []string
}

// A pkgRun is one test binary's run on one kernel.
type pkgRun struct {
	Name     string
	Ended    bool
	Exit     int
	Secs     string
	Results  map[string]string // test name: PASS, FAIL, SKIP
	Order    []string
	Output   map[string][]string // test name: its output lines
	SkipLog  map[string]string   // test name: reason from NLKIT_SKIP_LOG
	Tail     []string            // the last lines of its output
	HasTests bool
}

var (
	resultRE = regexp.MustCompile(`^\s*--- (PASS|FAIL|SKIP): (\S+) \(`)
	headerRE = regexp.MustCompile(`^=== (RUN|CONT|NAME|PAUSE)\s+(\S+)`)
	endRE    = regexp.MustCompile(`^KM END (\S+) exit=(-?\d+) secs=(\S+)`)
)

// readKernel reads dir/meta and dir/results.log.
func readKernel(dir string) (*kernelRun, error) {
	k := &kernelRun{Modules: map[string]string{}, Pkgs: map[string]*pkgRun{}, Label: filepath.Base(dir)}
	meta, err := os.ReadFile(filepath.Join(dir, "meta"))
	if err != nil {
		return nil, fmt.Errorf("kernel %s: %w", dir, err)
	}
	for _, ln := range strings.Split(string(meta), "\n") {
		key, v, _ := strings.Cut(ln, "=")
		switch key {
		case "label":
			k.Label = v
		case "package":
			k.Package = v
		case "accel":
			k.Accel = v
		case "wall":
			k.Wall = v
		case "boot":
			k.Boot = v
		}
	}
	f, err := os.Open(filepath.Join(dir, "results.log"))
	if err != nil {
		return k, nil // no stream: reported as not run
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var cur *pkgRun
	test := ""
	for sc.Scan() {
		ln := strings.TrimRight(sc.Text(), "\r")
		if rest, ok := strings.CutPrefix(ln, "KM "); ok {
			word, arg, _ := strings.Cut(rest, " ")
			switch word {
			case "KERNEL":
				k.Release, _, _ = strings.Cut(arg, " ")
				continue
			case "MODULE":
				name, st, _ := strings.Cut(arg, " ")
				k.Modules[name] = st
				continue
			case "BEGIN":
				cur = &pkgRun{Name: arg, Results: map[string]string{}, Output: map[string][]string{}, SkipLog: map[string]string{}}
				if _, dup := k.Pkgs[arg]; !dup {
					k.Order = append(k.Order, arg)
				}
				k.Pkgs[arg] = cur
				test = ""
				continue
			case "END":
				if m := endRE.FindStringSubmatch(ln); m != nil {
					if p := k.Pkgs[m[1]]; p != nil {
						p.Ended = true
						p.Exit, _ = strconv.Atoi(m[2])
						p.Secs = m[3]
					}
				}
				cur = nil
				continue
			case "SKIPLOG":
				pkg, line, _ := strings.Cut(arg, " ")
				line = strings.TrimPrefix(line, "SKIP ")
				name, reason, _ := strings.Cut(line, ": ")
				if p := k.Pkgs[pkg]; p != nil {
					p.SkipLog[name] = reason
				}
				continue
			case "DONE":
				k.Done = true
				cur = nil
				continue
			case "SETUP-FAIL", "MODULE-SETUP-FAIL", "TESTS-SETUP-FAIL", "RUN-FAIL", "SYSCTL":
				if word != "SYSCTL" || strings.Contains(arg, "failed") {
					k.Setup = append(k.Setup, rest)
				}
				continue
			}
		}
		if cur == nil {
			continue
		}
		cur.Tail = append(cur.Tail, ln)
		if len(cur.Tail) > 30 {
			cur.Tail = cur.Tail[1:]
		}
		if m := headerRE.FindStringSubmatch(ln); m != nil {
			test = m[2]
			continue
		}
		if m := resultRE.FindStringSubmatch(ln); m != nil {
			cur.HasTests = true
			if _, seen := cur.Results[m[2]]; !seen {
				cur.Order = append(cur.Order, m[2])
			}
			cur.Results[m[2]] = m[1]
			test = m[2]
			continue
		}
		if test != "" && (strings.HasPrefix(ln, " ") || strings.HasPrefix(ln, "\t")) {
			out := cur.Output[test]
			if len(out) < 40 {
				cur.Output[test] = append(out, strings.TrimSpace(ln))
			}
		}
	}
	return k, sc.Err()
}

// counts returns the top-level tests' outcomes of p.
func (p *pkgRun) counts() (pass, fail, skip int) {
	for _, t := range p.Order {
		if strings.Contains(t, "/") {
			continue
		}
		switch p.Results[t] {
		case "PASS":
			pass++
		case "FAIL":
			fail++
		case "SKIP":
			skip++
		}
	}
	return
}

// broken says why the package's run failed as a whole (it did not end,
// or it exited non-zero with no failed test), or "".
func (p *pkgRun) broken() string {
	if !p.Ended {
		return "the binary did not finish (the guest stopped or timed out during it)"
	}
	_, fail, _ := p.counts()
	if p.Exit != 0 && fail == 0 {
		return fmt.Sprintf("the binary exited with status %d and no failed test", p.Exit)
	}
	return ""
}

// skipReason returns why test t skipped: the skip log's line, else the
// test's last output line.
func (p *pkgRun) skipReason(t string) string {
	if r, ok := p.SkipLog[t]; ok {
		return r
	}
	out := p.Output[t]
	if len(out) > 0 {
		return stripLoc(out[len(out)-1])
	}
	return "(no reason printed)"
}

// stripLoc drops a leading "file.go:NN: ".
func stripLoc(s string) string {
	if i := strings.Index(s, ": "); i > 0 && strings.Contains(s[:i], ".go:") {
		return s[i+2:]
	}
	return s
}
