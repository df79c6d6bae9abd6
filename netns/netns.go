// Package netns handles Linux network namespaces as explicit values.
//
// A [NS] is an open handle on a network namespace. Code runs inside one with
// [NS.Do], which uses a fresh, locked OS thread: the caller's goroutine and
// thread never change namespace. If a thread cannot be restored to its
// original namespace it is left locked, so that the Go runtime terminates it
// instead of returning it to the pool.
//
// Named namespaces live under /run/netns, as with `ip netns`: [Create],
// [OpenName] and [Delete] are compatible with it.
package netns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// RunDir is where named network namespaces are bind-mounted, as iproute2
// expects them.
const RunDir = "/run/netns"

// An NS is an open handle on a network namespace. The namespace lives at
// least as long as the handle is open. An NS is safe for concurrent use.
type NS struct {
	f    *os.File
	name string // how it was opened, for messages
}

// ErrNotNetNS is wrapped by the error Open returns for a file that is not a
// network namespace.
var ErrNotNetNS = errors.New("not a network namespace")

// Open opens the network namespace at path: a bind mount such as
// /run/netns/NAME, or /proc/PID/ns/net, or /proc/PID/task/TID/ns/net.
func Open(path string) (*NS, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	ns := &NS{f: f, name: path}
	if err := ns.check(); err != nil {
		f.Close()
		return nil, err
	}
	return ns, nil
}

// OpenName opens the named namespace /run/netns/NAME, as `ip netns` names it.
func OpenName(name string) (*NS, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	return Open(filepath.Join(RunDir, name))
}

// OpenPID opens the network namespace of process pid.
func OpenPID(pid int) (*NS, error) {
	return Open(fmt.Sprintf("/proc/%d/ns/net", pid))
}

// FromFD returns a handle on the network namespace that fd refers to. The
// handle holds its own duplicate of fd; the caller keeps ownership of fd.
func FromFD(fd int) (*NS, error) {
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: duplicate fd %d: %w", fd, err)
	}
	ns := &NS{f: os.NewFile(uintptr(nfd), fmt.Sprintf("fd %d", fd)), name: fmt.Sprintf("fd %d", fd)}
	if err := ns.check(); err != nil {
		ns.f.Close()
		return nil, err
	}
	return ns, nil
}

// Host opens the namespace of process 1, the machine's initial network
// namespace as seen from this process's PID namespace. Tests use it to
// refuse to touch the host.
func Host() (*NS, error) { return OpenPID(1) }

// Self opens the network namespace of this process (of its main thread).
func Self() (*NS, error) { return Open("/proc/self/ns/net") }

// check verifies that the handle refers to a network namespace.
func (ns *NS) check() error {
	t, err := unix.IoctlRetInt(int(ns.f.Fd()), unix.NS_GET_NSTYPE)
	if err != nil {
		return fmt.Errorf("netns: %s: %w (%w)", ns.name, ErrNotNetNS, err)
	}
	if t != unix.CLONE_NEWNET {
		return fmt.Errorf("netns: %s: %w", ns.name, ErrNotNetNS)
	}
	return nil
}

// FD returns the handle's file descriptor, valid until Close.
func (ns *NS) FD() int { return int(ns.f.Fd()) }

// Path returns a path that refers to the namespace while the handle is
// open (under /proc/self/fd), usable by other processes' tools such as
// `nsenter --net=PATH` run by this process.
func (ns *NS) Path() string { return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), ns.f.Fd()) }

// String returns how the namespace was opened.
func (ns *NS) String() string { return ns.name }

// ID identifies a namespace: two handles refer to the same namespace exactly
// when their IDs are equal.
type ID struct {
	Dev uint64
	Ino uint64
}

// ID returns the namespace's identity (the device and inode of its nsfs
// file).
func (ns *NS) ID() (ID, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(ns.f.Fd()), &st); err != nil {
		return ID{}, fmt.Errorf("netns: %s: %w", ns.name, err)
	}
	return ID{Dev: st.Dev, Ino: st.Ino}, nil
}

// Equal reports whether ns and other refer to the same namespace.
func (ns *NS) Equal(other *NS) bool {
	a, err1 := ns.ID()
	b, err2 := other.ID()
	return err1 == nil && err2 == nil && a == b
}

// Close releases the handle. A namespace without handles, processes or
// mounts is destroyed by the kernel.
func (ns *NS) Close() error { return ns.f.Close() }

// Do runs fn on a fresh OS thread that has entered ns, and returns fn's
// error. The calling goroutine and its thread never change namespace.
// Goroutines that fn starts do not run in ns. If the thread cannot be
// restored to its original namespace afterwards, it is terminated rather
// than reused, and Do reports that too.
func (ns *NS) Do(fn func() error) error {
	return onLockedThread(func() (bool, error) {
		return ns.enter(fn)
	})
}

// enter switches the current (locked) thread into ns, runs fn and switches
// back. It reports whether the thread is clean (restored).
func (ns *NS) enter(fn func() error) (clean bool, err error) {
	orig, err := os.OpenFile("/proc/thread-self/ns/net", os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return true, fmt.Errorf("netns: open this thread's namespace: %w", err)
	}
	defer orig.Close()
	if err := unix.Setns(int(ns.f.Fd()), unix.CLONE_NEWNET); err != nil {
		return true, fmt.Errorf("netns: enter %s: %w", ns.name, err)
	}
	ferr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		return false, errors.Join(ferr, fmt.Errorf("netns: restore the thread's namespace (thread discarded): %w", err))
	}
	return true, ferr
}

// onLockedThread runs fn in a new goroutine locked to its thread. fn
// reports whether the thread is still clean; a dirty thread stays locked
// when the goroutine exits, which makes the runtime terminate it. A panic
// in fn is raised again in the caller; runtime.Goexit in fn is an error.
func onLockedThread(fn func() (bool, error)) error {
	type result struct {
		err      error
		panicked bool
		value    any
	}
	done := make(chan result, 1)
	go func() {
		runtime.LockOSThread()
		res := result{err: errGoexit}
		clean := false
		defer func() {
			if r := recover(); r != nil {
				res = result{panicked: true, value: r}
				clean = false // the thread may still be in the other namespace
			}
			if clean {
				runtime.UnlockOSThread()
			}
			done <- res
		}()
		clean, res.err = fn()
	}()
	res := <-done
	if res.panicked {
		panic(res.value)
	}
	return res.err
}

// errGoexit is returned when the function run by NS.Do calls
// runtime.Goexit (t.FailNow, for instance) instead of returning.
var errGoexit = errors.New("netns: the function called runtime.Goexit; its thread was discarded")

// New creates a new, anonymous network namespace and returns a handle on
// it. It is destroyed when the handle is closed and nothing else uses it.
func New() (*NS, error) {
	var ns *NS
	err := onLockedThread(func() (bool, error) {
		orig, err := os.OpenFile("/proc/thread-self/ns/net", os.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return true, fmt.Errorf("netns: open this thread's namespace: %w", err)
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return true, fmt.Errorf("netns: unshare: %w", err)
		}
		f, oerr := os.OpenFile("/proc/thread-self/ns/net", os.O_RDONLY|unix.O_CLOEXEC, 0)
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			if f != nil {
				f.Close()
			}
			return false, fmt.Errorf("netns: restore the thread's namespace (thread discarded): %w", err)
		}
		if oerr != nil {
			return true, fmt.Errorf("netns: open the new namespace: %w", oerr)
		}
		ns = &NS{f: f, name: "new namespace"}
		return true, nil
	})
	return ns, err
}

// Create creates a new network namespace named name, bind-mounted at
// /run/netns/NAME as `ip netns add NAME` does, and returns a handle on it.
func Create(name string) (*NS, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	if err := prepareRunDir(); err != nil {
		return nil, err
	}
	path := filepath.Join(RunDir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("netns: create %s: %w", name, err)
	}
	f.Close()
	err = onLockedThread(func() (bool, error) {
		orig, err := os.OpenFile("/proc/thread-self/ns/net", os.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return true, fmt.Errorf("netns: open this thread's namespace: %w", err)
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			return true, fmt.Errorf("netns: unshare: %w", err)
		}
		merr := unix.Mount("/proc/thread-self/ns/net", path, "none", unix.MS_BIND, "")
		if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
			return false, fmt.Errorf("netns: restore the thread's namespace (thread discarded): %w", err)
		}
		if merr != nil {
			return true, fmt.Errorf("netns: bind %s: %w", path, merr)
		}
		return true, nil
	})
	if err != nil {
		os.Remove(path)
		return nil, err
	}
	ns, err := Open(path)
	if err != nil {
		Delete(name)
		return nil, err
	}
	ns.name = name
	return ns, nil
}

// Attach names the network namespace of the process pid: it bind-mounts
// it at /run/netns/NAME, as `ip netns attach NAME PID` does.
func Attach(name string, pid int) error {
	if err := validName(name); err != nil {
		return err
	}
	if pid <= 0 {
		return fmt.Errorf("netns: attach %s: invalid pid %d", name, pid)
	}
	if err := prepareRunDir(); err != nil {
		return err
	}
	path := filepath.Join(RunDir, name)
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("netns: attach %s: %w", name, err)
	}
	f.Close()
	if err := unix.Mount(fmt.Sprintf("/proc/%d/ns/net", pid), path, "none", unix.MS_BIND, ""); err != nil {
		os.Remove(path)
		return fmt.Errorf("netns: attach %s to process %d: %w", name, pid, err)
	}
	return nil
}

// Delete removes the named namespace /run/netns/NAME, as `ip netns delete`
// does. The namespace itself lives on while handles or processes use it.
func Delete(name string) error {
	if err := validName(name); err != nil {
		return err
	}
	path := filepath.Join(RunDir, name)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		if errors.Is(err, unix.ENOENT) {
			return fmt.Errorf("netns: delete %s: %w", name, os.ErrNotExist)
		}
		return fmt.Errorf("netns: delete %s: unmount: %w", name, err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("netns: delete %s: %w", name, err)
	}
	return nil
}

// List returns the names of the namespaces in /run/netns.
func List() ([]string, error) {
	ents, err := os.ReadDir(RunDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("netns: %w", err)
	}
	var names []string
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// prepareRunDir makes /run/netns exist and be a shared mount point, so that
// namespace mounts made in it propagate to other mount namespaces, as
// iproute2 does.
func prepareRunDir() error {
	if err := os.MkdirAll(RunDir, 0o755); err != nil {
		return fmt.Errorf("netns: %w", err)
	}
	for range 2 {
		err := unix.Mount("", RunDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		if err == nil {
			return nil
		}
		if !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("netns: make %s shared: %w", RunDir, err)
		}
		// Not a mount point yet: bind it onto itself, then retry.
		if err := unix.Mount(RunDir, RunDir, "none", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("netns: bind %s: %w", RunDir, err)
		}
	}
	return fmt.Errorf("netns: could not make %s a shared mount point", RunDir)
}

func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > 255 {
		return fmt.Errorf("netns: invalid namespace name %q", name)
	}
	return nil
}

// PathID returns the identity of the namespace at path (a name's bind
// mount, /proc/PID/ns/net), from stat(2), without opening it.
func PathID(path string) (ID, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return ID{}, fmt.Errorf("netns: %w", &os.PathError{Op: "stat", Path: path, Err: err})
	}
	return ID{Dev: st.Dev, Ino: st.Ino}, nil
}

// Named returns the namespaces named in RunDir with their identities
// (PathID), for a follower of RunDir to see names added and removed, and
// names given to another namespace. A name removed while it is read is
// left out.
func Named() (map[string]ID, error) {
	names, err := List()
	if err != nil {
		return nil, err
	}
	m := make(map[string]ID, len(names))
	for _, n := range names {
		if id, err := PathID(filepath.Join(RunDir, n)); err == nil {
			m[n] = id
		}
	}
	return m, nil
}
