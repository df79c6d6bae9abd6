package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
)

// syncBuffer is a buffer a process writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMonitorInterrupt runs nlctl monitor as a process, as a user does:
// it prints a change made meanwhile, and SIGINT (Ctrl-C) ends it with
// status 0.
func TestMonitorInterrupt(t *testing.T) {
	ns := netnstest.New(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	nlctl := filepath.Join(t.TempDir(), "nlctl")
	if err := os.Symlink(exe, nlctl); err != nil {
		t.Fatal(err)
	}
	out, errs := new(syncBuffer), new(syncBuffer)
	cmd := exec.Command(nlctl, "-n", ns.Name, "monitor", "label", "link")
	cmd.Stdout, cmd.Stderr = out, errs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	// Change lo until the monitor prints it: it says nothing when it
	// starts listening.
	deadline := time.Now().Add(5 * time.Second)
	for mtu := 10000; !strings.Contains(out.String(), "[LINK]1: lo: <LOOPBACK> mtu "); mtu++ {
		if time.Now().After(deadline) {
			t.Fatalf("nlctl monitor printed no change of lo: %q, stderr %q", out.String(), errs.String())
		}
		ns.IP("link", "set", "lo", "mtu", strconv.Itoa(mtu))
		time.Sleep(20 * time.Millisecond)
	}
	// Until nlctl watches signals (signalDelay), SIGINT ends it as it
	// ends ip, by the signal.
	time.Sleep(time.Until(started.Add(5 * signalDelay)))
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || cmd.ProcessState.ExitCode() != 0 {
			t.Errorf("after SIGINT: %v (exit %d), stderr %q", err, cmd.ProcessState.ExitCode(), errs.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nlctl monitor did not end within 5 s of SIGINT")
	}
}
