package rtnl_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

// TestWaitLink waits for a veth end's carrier (the kernel turns it on
// asynchronously once both ends are up), for a link that appears later,
// and checks the errors: deleted while waited for, and a context that
// ends.
func TestWaitLink(t *testing.T) {
	ns, h := newHandle(t)
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	ns.IP("link", "add", "w0", "type", "veth", "peer", "name", "w1")
	ns.IP("link", "set", "w1", "up")
	ns.IP("link", "set", "w0", "up")
	up := func(l *rtnl.Link) bool { return l.OperState == rtnl.OperUp }
	l, err := h.WaitLink(ctx, &rtnl.Link{Name: "w0"}, up)
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "w0" || l.OperState != rtnl.OperUp {
		t.Fatalf("WaitLink returned %s in state %v", l.Name, l.OperState)
	}

	// A link that does not exist yet, by name.
	errc := make(chan error, 1)
	var got *rtnl.Link
	go func() {
		var err error
		got, err = h.WaitLink(ctx, &rtnl.Link{Name: "late0"}, nil)
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond) // usually: the wait has begun
	ns.IP("link", "add", "late0", "type", "ifb")
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if got.Info.Kind != "ifb" || got.Index != ipIfindex(t, ns, "late0") {
		t.Fatalf("waited-for link: %s kind %q index %d", got.Name, got.Info.Kind, got.Index)
	}

	// Deleted while waited for, by index.
	go func() {
		_, err := h.WaitLink(ctx, &rtnl.Link{Index: got.Index}, func(*rtnl.Link) bool { return false })
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	ns.IP("link", "del", "late0")
	if err := <-errc; !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("deleted while waited for: %v, want os.ErrNotExist", err)
	}
	if _, err := h.WaitLink(ctx, &rtnl.Link{Index: got.Index}, nil); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no such index: %v, want os.ErrNotExist", err)
	}

	// The context ends first.
	short, cancel2 := context.WithTimeout(bg, 100*time.Millisecond)
	defer cancel2()
	if _, err := h.WaitLink(short, &rtnl.Link{Name: "never0"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ended context: %v, want context.DeadlineExceeded", err)
	}
	if _, err := h.WaitLink(ctx, &rtnl.Link{}, nil); err == nil {
		t.Fatal("WaitLink with neither Index nor Name succeeded")
	}
}
