package nl_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// threadNamespaces returns the namespace of every thread of the process.
func threadNamespaces(t *testing.T) map[netns.ID]int {
	t.Helper()
	tasks, err := filepath.Glob("/proc/self/task/*/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[netns.ID]int{}
	for _, p := range tasks {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			continue // the thread exited
		}
		ids[netns.ID{Dev: st.Dev, Ino: st.Ino}]++
	}
	return ids
}

// Acceptance 8: 1,000 goroutines dialing into other namespaces leave every
// thread's namespace as it was, with no fd or goroutine leak.
func TestDialInNamespacesLeavesThreadsAlone(t *testing.T) {
	nss := []*netnstest.NS{netnstest.New(t), netnstest.New(t), netnstest.New(t)}
	self, err := netns.Self()
	if err != nil {
		t.Fatal(err)
	}
	defer self.Close()
	home, err := self.ID()
	if err != nil {
		t.Fatal(err)
	}
	// Settle the runtime (timers, poller) before counting.
	runtime.GC()
	fds, goroutines := countFDs(t), runtime.NumGoroutine()

	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Pin the goroutine so that "its thread" is one thread.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			before, err := netnstest.ThreadNS()
			if err != nil {
				errs <- err
				return
			}
			ns := nss[i%len(nss)]
			c, err := nl.Dial(nl.Route, &nl.Config{NetNS: ns.NS})
			if err != nil {
				errs <- err
				return
			}
			after, err := netnstest.ThreadNS()
			if err != nil {
				errs <- err
				return
			}
			if before != after || after != home {
				t.Errorf("goroutine %d: thread namespace %v before, %v after, process %v", i, before, after, home)
			}
			// The socket really lives in the other namespace: it sees
			// only lo there (the host has more links).
			var e nl.Encoder
			encodeLinkDump(&e)
			links := 0
			for _, err := range c.Dump(context.Background(), &e) {
				if err != nil {
					errs <- err
					break
				}
				links++
			}
			if links != 1 {
				t.Errorf("goroutine %d: %d links in the namespace, want 1", i, links)
			}
			c.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for id, k := range threadNamespaces(t) {
		if id != home {
			t.Errorf("%d threads left in namespace %v", k, id)
		}
	}
	// Goroutines and descriptors return to where they were (allowing the
	// runtime a moment to retire exiting goroutines).
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && (runtime.NumGoroutine() > goroutines || countFDs(t) > fds) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("goroutines: %d before, %d after", goroutines, g)
	}
	if f := countFDs(t); f > fds {
		t.Errorf("file descriptors: %d before, %d after", fds, f)
	}
}

// A thread whose namespace cannot be restored is discarded, never reused:
// NS.Do reports it, and the calling thread is untouched.
func TestNamespaceDoKeepsCallerThread(t *testing.T) {
	ns := netnstest.New(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, _ := netnstest.ThreadNS()
	var inside netns.ID
	err := ns.Do(func() error {
		var err error
		inside, err = netnstest.ThreadNS()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := netnstest.ThreadNS()
	want, _ := ns.ID()
	if inside != want {
		t.Errorf("Do ran in %v, want %v", inside, want)
	}
	if before != after {
		t.Errorf("caller's thread moved from %v to %v", before, after)
	}
}
