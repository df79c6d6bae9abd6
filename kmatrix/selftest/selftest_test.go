// Package selftest is the kernel matrix's test of itself (kmatrix/run.sh
// with NLKIT_MATRIX_SELFTEST=1, checked by kmatrix/selftest.sh): one test
// fails on purpose on kernels older than 6.0 without detecting anything,
// one passes everywhere and one skips with a recorded reason, so that the
// matrix must show a failure for the old kernel only, and the skip with its
// reason on every kernel. Outside the matrix (NLKIT_MATRIX_SELFTEST unset)
// every test skips.
package selftest

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// armed skips the test unless the matrix's selftest runs it.
func armed(t *testing.T) {
	t.Helper()
	if os.Getenv("NLKIT_MATRIX_SELFTEST") != "1" {
		t.Skip("the kernel matrix's selftest: runs only under kmatrix/run.sh with NLKIT_MATRIX_SELFTEST=1")
	}
}

// release returns uname -r and its major and minor numbers.
func release(t *testing.T) (string, int, int) {
	t.Helper()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatalf("uname: %v", err)
	}
	rel := unix.ByteSliceToString(u.Release[:])
	f := strings.FieldsFunc(rel, func(r rune) bool { return r < '0' || r > '9' })
	if len(f) < 2 {
		t.Fatalf("uname -r %q: no major.minor", rel)
	}
	major, _ := strconv.Atoi(f[0])
	minor, _ := strconv.Atoi(f[1])
	return rel, major, minor
}

// TestDeliberateFailureBefore6 asserts that the kernel is 6.0 or newer
// without asking it for any feature: the deliberate defect the matrix must
// report as a failure on 5.10, and only there.
func TestDeliberateFailureBefore6(t *testing.T) {
	armed(t)
	rel, major, _ := release(t)
	if major < 6 {
		t.Fatalf("kernel %s is older than 6.0 (a deliberate failure of the matrix's selftest)", rel)
	}
}

// TestPassesEverywhere passes on every kernel.
func TestPassesEverywhere(t *testing.T) {
	armed(t)
	if rel, major, _ := release(t); major < 5 {
		t.Fatalf("kernel %s: the matrix boots nothing older than 5.10", rel)
	}
}

// TestSkipIsReported skips through netnstest's recorded skip, so that the
// matrix must list it with its reason on every kernel.
func TestSkipIsReported(t *testing.T) {
	armed(t)
	netnstest.SkipFeature(t, "the matrix selftest's pretend feature", "a deliberate skip of the matrix's selftest")
}
