package rtnl_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/rtnl"
)

// TestDialNetNS opens handles in a test namespace by its name and by two
// paths, and checks that each operates there and that the calling
// thread's namespace never changes.
func TestDialNetNS(t *testing.T) {
	ns := netnstest.New(t)
	ns.MustNotBeHost()
	ns.IP("link", "add", "dn0", "type", "ifb")
	before, err := netnstest.ThreadNS()
	if err != nil {
		t.Fatal(err)
	}
	// A process in the namespace, for /proc/PID/ns/net.
	cmd := exec.Command("ip", "netns", "exec", ns.Name, "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	byPID := fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)
	for i := 0; ; i++ { // until ip has entered the namespace
		if got, err := netns.Open(byPID); err == nil {
			in := got.Equal(ns.NS)
			got.Close()
			if in {
				break
			}
		}
		if i == 500 {
			t.Fatalf("%s never entered %s", byPID, ns.Name)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, ref := range []string{ns.Name, filepath.Join(netns.RunDir, ns.Name), ns.Path(), byPID} {
		h, err := rtnl.DialNetNS(ref)
		if err != nil {
			t.Fatalf("DialNetNS(%q): %v", ref, err)
		}
		l, err := h.LinkByName(bg, "dn0")
		h.Close()
		if err != nil {
			t.Fatalf("DialNetNS(%q): the namespace's link: %v", ref, err)
		}
		if l.Info.Kind != "ifb" {
			t.Errorf("DialNetNS(%q): dn0 is %q, want ifb", ref, l.Info.Kind)
		}
		after, err := netnstest.ThreadNS()
		if err != nil {
			t.Fatal(err)
		}
		if after != before {
			t.Fatalf("DialNetNS(%q) moved the calling thread to another namespace", ref)
		}
	}
}

func TestDialNetNSErrors(t *testing.T) {
	for _, ref := range []string{"nlkit-no-such-namespace", "/nonexistent/ns", "", "../x"} {
		h, err := rtnl.DialNetNS(ref)
		if err == nil {
			h.Close()
			t.Errorf("DialNetNS(%q) succeeded", ref)
			continue
		}
		t.Logf("DialNetNS(%q): %v", ref, err)
	}
	if _, err := rtnl.DialNetNS("nlkit-no-such-namespace"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing namespace: %v, want an error that is os.ErrNotExist", err)
	}
	// A file that is not a namespace.
	if _, err := rtnl.DialNetNS("/proc/self/status"); !errors.Is(err, netns.ErrNotNetNS) {
		t.Errorf("a file that is not a namespace: %v, want netns.ErrNotNetNS", err)
	}
}
