package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// A report is the matrix of one run.
type report struct {
	runs  []*kernelRun
	pkgs  []string
	regex string
	note  string
	date  time.Time
}

// short drops the module path from a package name.
func short(pkg string) string { return strings.TrimPrefix(pkg, "github.com/nlkit/nlkit/") }

// markdown renders the report and says whether the run passed.
func (r *report) markdown() (string, bool) {
	var b strings.Builder
	ok := true
	pkgs := slices.Clone(r.pkgs)
	for _, k := range r.runs {
		for _, p := range k.Order {
			if !slices.Contains(pkgs, p) {
				pkgs = append(pkgs, p)
			}
		}
	}
	fmt.Fprintf(&b, "# Kernel matrix\n\n")
	fmt.Fprintf(&b, "Run %s by `kmatrix/run.sh`", r.date.Format("2006-01-02 15:04 UTC"))
	if r.regex != "" {
		fmt.Fprintf(&b, " with `-r %s`", r.regex)
	}
	fmt.Fprintf(&b, ". Cells: passed / failed / skipped top-level tests; `—` not run; `!` the binary did not finish or exited non-zero without a failed test.\n\n")
	if r.note != "" {
		fmt.Fprintf(&b, "%s\n\n", r.note)
	}

	fmt.Fprintf(&b, "## Kernels\n\n| kernel | package | uname -r | accelerator | wall time | result |\n|---|---|---|---|---|---|\n")
	for _, k := range r.runs {
		res := "ran to the end"
		if !k.Done {
			res = "**did not finish**"
			if k.Boot != "" && k.Boot != "ok" {
				res += " (" + k.Boot + ")"
			}
			ok = false
		}
		if len(k.Setup) > 0 {
			res += "; setup: " + strings.Join(k.Setup, "; ")
			ok = false
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s s | %s |\n", k.Label, k.Package, orDash(k.Release), k.Accel, orDash(k.Wall), res)
	}

	fmt.Fprintf(&b, "\n## Table\n\n| package |")
	for _, k := range r.runs {
		fmt.Fprintf(&b, " %s |", k.Label)
	}
	fmt.Fprintf(&b, "\n|---|")
	for range r.runs {
		fmt.Fprintf(&b, "---|")
	}
	fmt.Fprintf(&b, "\n")
	totals := make([][3]int, len(r.runs))
	for _, p := range pkgs {
		fmt.Fprintf(&b, "| %s |", short(p))
		for i, k := range r.runs {
			pr := k.Pkgs[p]
			if pr == nil {
				fmt.Fprintf(&b, " — |")
				continue
			}
			pass, fail, skip := pr.counts()
			totals[i][0] += pass
			totals[i][1] += fail
			totals[i][2] += skip
			mark := ""
			if pr.broken() != "" {
				mark = " !"
			}
			cell := fmt.Sprintf("%d / %d / %d%s", pass, fail, skip, mark)
			if fail > 0 || mark != "" {
				cell = "**" + cell + "**"
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		fmt.Fprintf(&b, "\n")
	}
	fmt.Fprintf(&b, "| **total** |")
	for _, t := range totals {
		fmt.Fprintf(&b, " %d / %d / %d |", t[0], t[1], t[2])
	}
	fmt.Fprintf(&b, "\n")

	// Failures, kernel by kernel.
	fmt.Fprintf(&b, "\n## Failures\n\n")
	nfail := 0
	for _, k := range r.runs {
		for _, p := range pkgs {
			pr := k.Pkgs[p]
			if pr == nil {
				if k.Done {
					continue
				}
				if slices.Contains(r.pkgs, p) {
					fmt.Fprintf(&b, "- **%s** %s: not run (the guest did not get to it)\n", k.Label, short(p))
					nfail++
				}
				continue
			}
			for _, t := range pr.Order {
				if pr.Results[t] != "FAIL" {
					continue
				}
				nfail++
				fmt.Fprintf(&b, "- **%s** %s `%s`\n", k.Label, short(p), t)
				for _, l := range failLines(pr.Output[t]) {
					fmt.Fprintf(&b, "    - `%s`\n", strings.ReplaceAll(l, "`", "'"))
				}
			}
			if why := pr.broken(); why != "" {
				nfail++
				fmt.Fprintf(&b, "- **%s** %s: %s; its last lines:\n\n```\n%s\n```\n", k.Label, short(p), why, strings.Join(pr.Tail, "\n"))
			}
		}
	}
	if nfail == 0 {
		fmt.Fprintf(&b, "None.\n")
	} else {
		ok = false
	}

	// Skips: one line per test and reason, with the kernels it was seen on.
	type skipKey struct{ pkg, test, reason string }
	seen := map[skipKey][]string{}
	var keys []skipKey
	for _, k := range r.runs {
		for _, p := range pkgs {
			pr := k.Pkgs[p]
			if pr == nil {
				continue
			}
			for _, t := range pr.Order {
				if pr.Results[t] != "SKIP" {
					continue
				}
				key := skipKey{short(p), t, pr.skipReason(t)}
				if _, ok := seen[key]; !ok {
					keys = append(keys, key)
				}
				seen[key] = append(seen[key], k.Label)
			}
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].pkg != keys[j].pkg {
			return keys[i].pkg < keys[j].pkg
		}
		return keys[i].test < keys[j].test
	})
	fmt.Fprintf(&b, "\n## Skips (%d distinct), with their reasons and the kernels they happened on\n\n", len(keys))
	if len(keys) == 0 {
		fmt.Fprintf(&b, "None.\n")
	}
	for _, key := range keys {
		fmt.Fprintf(&b, "- %s `%s` [%s]: %s\n", key.pkg, key.test, strings.Join(seen[key], ", "), key.reason)
	}

	// Modules each kernel lacked.
	fmt.Fprintf(&b, "\n## Modules\n\n")
	for _, k := range r.runs {
		if len(k.Modules) == 0 {
			continue
		}
		var absent, failed, builtin, unknown []string
		for name, st := range k.Modules {
			switch {
			case st == "absent":
				absent = append(absent, name)
			case st == "notmodule":
				unknown = append(unknown, name)
			case st == "builtin":
				builtin = append(builtin, name)
			case strings.HasPrefix(st, "failed"):
				failed = append(failed, name+" ("+st+")")
			}
		}
		sort.Strings(absent)
		sort.Strings(failed)
		sort.Strings(builtin)
		sort.Strings(unknown)
		fmt.Fprintf(&b, "- %s: %d loaded", k.Label, len(k.Modules)-len(absent)-len(failed)-len(builtin)-len(unknown))
		if len(builtin) > 0 {
			fmt.Fprintf(&b, "; built in: %s", strings.Join(builtin, " "))
		}
		if len(absent) > 0 {
			fmt.Fprintf(&b, "; absent: %s", strings.Join(absent, " "))
		}
		if len(unknown) > 0 {
			fmt.Fprintf(&b, "; not a loadable module (built in or absent: the package lists no modules.builtin): %s", strings.Join(unknown, " "))
		}
		if len(failed) > 0 {
			fmt.Fprintf(&b, "; **failed to load**: %s", strings.Join(failed, "; "))
		}
		fmt.Fprintf(&b, "\n")
	}

	// Time per package.
	fmt.Fprintf(&b, "\n## Seconds per package\n\n| package |")
	for _, k := range r.runs {
		fmt.Fprintf(&b, " %s |", k.Label)
	}
	fmt.Fprintf(&b, "\n|---|")
	for range r.runs {
		fmt.Fprintf(&b, "---|")
	}
	fmt.Fprintf(&b, "\n")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "| %s |", short(p))
		for _, k := range r.runs {
			if pr := k.Pkgs[p]; pr != nil && pr.Ended {
				fmt.Fprintf(&b, " %s |", pr.Secs)
			} else {
				fmt.Fprintf(&b, " — |")
			}
		}
		fmt.Fprintf(&b, "\n")
	}
	return b.String(), ok
}

// failLines picks a failed test's message lines.
func failLines(out []string) []string {
	if len(out) > 12 {
		out = out[len(out)-12:]
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
