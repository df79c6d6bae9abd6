package netnstest_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

// TestHelperUnprivileged is run by TestUnprivileged as user nobody.
func TestHelperUnprivileged(t *testing.T) {
	if os.Getenv("NLKIT_HELPER") != "1" {
		t.Skip("helper for TestUnprivileged")
	}
	netnstest.New(t)
	t.Log("reached past New")
}

// Without root, New skips; with NLKIT_REQUIRE_PRIV=1 it fails instead.
func TestUnprivileged(t *testing.T) {
	// Running the helper as another user takes changing identity.
	netnstest.RequireCapabilities(t, unix.CAP_SETUID, unix.CAP_SETGID)
	dir, err := os.MkdirTemp("", "netnstest")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "test")
	src, _ := os.Open(os.Args[0])
	dst, _ := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	run := func(require string) (string, error) {
		cmd := exec.Command(bin, "-test.run=^TestHelperUnprivileged$", "-test.v")
		cmd.Env = []string{"NLKIT_HELPER=1", "NLKIT_REQUIRE_PRIV=" + require, "HOME=/"}
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil || !strings.Contains(out, "SKIP") || strings.Contains(out, "reached past New") {
		t.Errorf("as nobody: %v\n%s", err, out)
	}
	out, err = run("1")
	if err == nil || !strings.Contains(out, "forbids skipping") || strings.Contains(out, "reached past New") {
		t.Errorf("as nobody with NLKIT_REQUIRE_PRIV=1: %v\n%s", err, out)
	}
}
