package netns_test

import (
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"golang.org/x/sys/unix"
)

func TestCreateOpenDelete(t *testing.T) {
	netnstest.RequirePrivileged(t)
	const name = "nlkit-netns-test-cod"
	ns, err := netns.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := netnstest.NotHost(ns); err != nil {
		t.Fatal(err)
	}
	if _, err := netns.Create(name); !errors.Is(err, os.ErrExist) {
		t.Errorf("second Create: %v, want os.ErrExist", err)
	}
	names, err := netns.List()
	if err != nil || !slices.Contains(names, name) {
		t.Errorf("List() = %v, %v", names, err)
	}
	again, err := netns.OpenName(name)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Equal(ns) {
		t.Error("OpenName opened another namespace")
	}
	dup, err := netns.FromFD(again.FD())
	if err != nil || !dup.Equal(ns) {
		t.Fatalf("FromFD: %v", err)
	}
	dup.Close()
	again.Close()
	// The path other processes can use refers to it too.
	viaPath, err := netns.Open(ns.Path())
	if err != nil || !viaPath.Equal(ns) {
		t.Fatalf("Open(Path()): %v", err)
	}
	viaPath.Close()
	if err := netns.Delete(name); err != nil {
		t.Fatal(err)
	}
	if err := netns.Delete(name); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("second Delete: %v", err)
	}
	// The handle keeps the namespace alive after its name is gone.
	if err := ns.Do(func() error { return nil }); err != nil {
		t.Errorf("Do after Delete: %v", err)
	}
}

func TestNewAnonymous(t *testing.T) {
	netnstest.RequirePrivileged(t)
	ns, err := netns.New()
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	if err := netnstest.NotHost(ns); err != nil {
		t.Fatal(err)
	}
	var inside netns.ID
	if err := ns.Do(func() error {
		var err error
		inside, err = netnstest.ThreadNS()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if id, _ := ns.ID(); id != inside {
		t.Fatalf("Do ran in %v, want %v", inside, id)
	}
}

func TestOpenRejects(t *testing.T) {
	if _, err := netns.Open("/etc/hostname"); !errors.Is(err, netns.ErrNotNetNS) {
		t.Errorf("a regular file: %v", err)
	}
	if _, err := netns.Open("/proc/self/ns/uts"); err != nil && !errors.Is(err, netns.ErrNotNetNS) && !errors.Is(err, os.ErrPermission) {
		t.Errorf("a UTS namespace: %v", err)
	} else if err == nil {
		t.Error("a UTS namespace was accepted")
	}
	for _, bad := range []string{"", ".", "..", "a/b", "x\x00y"} {
		if _, err := netns.OpenName(bad); err == nil {
			t.Errorf("OpenName(%q) accepted", bad)
		}
		if _, err := netns.Create(bad); err == nil {
			t.Errorf("Create(%q) accepted", bad)
		}
	}
	if _, err := netns.FromFD(-1); !errors.Is(err, unix.EBADF) {
		t.Errorf("FromFD(-1): %v", err)
	}
}

// The guard refuses the process's own (host) namespace.
func TestGuardRefusesHost(t *testing.T) {
	self, err := netns.Self()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	if err := netnstest.NotHost(self); err == nil {
		t.Fatal("NotHost accepted this process's own namespace")
	}
}

func TestOpenPID(t *testing.T) {
	self, err := netns.Self()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	byPID, err := netns.OpenPID(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer byPID.Close()
	if !byPID.Equal(self) {
		t.Fatal("OpenPID(self) is not this process's namespace")
	}
}

func TestAttach(t *testing.T) {
	netnstest.RequirePrivileged(t)
	const src, name = "nlkit-netns-test-attach-src", "nlkit-netns-test-attach"
	ns, err := netns.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	defer netns.Delete(src)
	defer ns.Close()
	// A process in the namespace, named by its pid.
	cmd := exec.Command("sleep", "60")
	if err := ns.Do(cmd.Start); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if err := netns.Attach(name, cmd.Process.Pid); err != nil {
		t.Fatal(err)
	}
	defer netns.Delete(name)
	attached, err := netns.OpenName(name)
	if err != nil {
		t.Fatal(err)
	}
	defer attached.Close()
	if !attached.Equal(ns) {
		t.Error("the attached name is not the process's namespace")
	}
	if err := netns.Attach(name, cmd.Process.Pid); !errors.Is(err, os.ErrExist) {
		t.Errorf("second Attach: %v", err)
	}
	if err := netns.Attach("nlkit-netns-test-attach-none", 1<<30); err == nil {
		netns.Delete("nlkit-netns-test-attach-none")
		t.Error("Attach to no process succeeded")
	}
	if _, err := os.Stat("/run/netns/nlkit-netns-test-attach-none"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed Attach left its file: %v", err)
	}
}

// TestNamed checks that Named lists a namespace made in RunDir with the
// identity its handle has, and PathID the same for /proc/self/ns/net.
func TestNamed(t *testing.T) {
	ns := netnstest.New(t)
	named, err := netns.Named()
	if err != nil {
		t.Fatal(err)
	}
	want, err := ns.ID()
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := named[ns.Name]; !ok || got != want {
		t.Errorf("Named()[%s] = %v %v, want %v", ns.Name, got, ok, want)
	}
	self, err := netns.Self()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	id, err := netns.PathID("/proc/self/ns/net")
	sid, _ := self.ID()
	if err != nil || id != sid {
		t.Errorf("PathID(/proc/self/ns/net) = %v %v, want %v", id, err, sid)
	}
	if _, err := netns.PathID("/nonexistent"); err == nil {
		t.Error("PathID of a missing path succeeded")
	}
}
