package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeKernel writes a kernel's result directory as run.sh leaves it.
func writeKernel(t *testing.T, label, results string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), label)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	meta := "label=" + label + "\npackage=linux-image-x " + label + "\naccel=tcg\nwall=12\nboot=ok\n"
	if err := os.WriteFile(filepath.Join(dir, "meta"), []byte(meta), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "results.log"), []byte(results), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

const oldKernel = `KM KERNEL 5.10.0-32-amd64 #1 SMP Debian
KM MODULE dummy loaded (3ms)
KM MODULE wireguard absent
KM BEGIN example.com/p
=== RUN   TestA
--- PASS: TestA (0.00s)
=== RUN   TestB
    b_test.go:9: kernel too old
--- FAIL: TestB (0.01s)
=== RUN   TestC
    c_test.go:3: kernel feature absent: X (EOPNOTSUPP)
--- SKIP: TestC (0.00s)
=== RUN   TestD
=== RUN   TestD/sub
    d_test.go:5: sub broke
    --- FAIL: TestD/sub (0.00s)
--- FAIL: TestD (0.00s)
FAIL
KM SKIPLOG example.com/p SKIP TestC: kernel feature absent: X (EOPNOTSUPP "no X")
KM END example.com/p exit=1 secs=0.5
KM BEGIN example.com/q
panic: boom
KM END example.com/q exit=2 secs=0.1
KM BEGIN example.com/r
=== RUN   TestLong
KM DONE
`

const newKernel = `KM KERNEL 7.2.13+deb14-amd64 #1 SMP
KM BEGIN example.com/p
--- PASS: TestA (0.00s)
--- PASS: TestB (0.00s)
--- PASS: TestC (0.00s)
--- PASS: TestD (0.00s)
KM END example.com/p exit=0 secs=0.5
KM BEGIN example.com/q
--- PASS: TestQ (0.00s)
KM END example.com/q exit=0 secs=0.1
KM BEGIN example.com/r
--- PASS: TestLong (0.00s)
KM END example.com/r exit=0 secs=0.1
`

// TestReport checks the table, the failures and the skips of two kernels:
// failures shown for the kernel they happened on only, a binary that died
// without a failed test and one that never ended counted as failures, the
// skip log's reason preferred, a guest that never said DONE not passing.
func TestReport(t *testing.T) {
	oldRun, err := readKernel(writeKernel(t, "5.10", oldKernel))
	if err != nil {
		t.Fatal(err)
	}
	newRun, err := readKernel(writeKernel(t, "7", newKernel))
	if err != nil {
		t.Fatal(err)
	}
	r := &report{runs: []*kernelRun{oldRun, newRun}, pkgs: []string{"example.com/p", "example.com/q", "example.com/r"}, date: time.Unix(0, 0)}
	text, ok := r.markdown()
	if ok {
		t.Errorf("report passed with failures on 5.10 and 7 not done:\n%s", text)
	}
	for _, want := range []string{
		"| example.com/p | **1 / 2 / 1** | 4 / 0 / 0 |",
		"| example.com/q | **0 / 0 / 0 !** | 1 / 0 / 0 |",
		"| example.com/r | **0 / 0 / 0 !** | 1 / 0 / 0 |",
		"- **5.10** example.com/p `TestB`\n    - `b_test.go:9: kernel too old`",
		"- **5.10** example.com/p `TestD/sub`",
		"- **5.10** example.com/q: the binary exited with status 2 and no failed test",
		"- **5.10** example.com/r: the binary did not finish",
		"- example.com/p `TestC` [5.10]: kernel feature absent: X (EOPNOTSUPP \"no X\")",
		"| 7 | linux-image-x 7 | 7.2.13+deb14-amd64 | tcg | 12 s | **did not finish** |",
		"- 5.10: 1 loaded; absent: wireguard",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "- **7**") {
		t.Errorf("a failure is listed for 7:\n%s", text)
	}
}
