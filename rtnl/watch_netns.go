package rtnl

import (
	"context"
	"fmt"
	"iter"
	"sync"
	"time"

	"github.com/nlkit/nlkit/netns"
)

// netnsPoll is how often WatchNetNS looks for namespaces added to or
// removed from /run/netns.
const netnsPoll = time.Second

// WatchNetNS follows several network namespaces in one stream: each of
// namespaces (names under /run/netns, or paths, as DialNetNS takes them),
// or, if namespaces is nil, every namespace named in /run/netns, starting
// to follow the ones added there and stopping for the ones removed (looked
// for every second, and followed anew when its name is given to another
// namespace). Each namespace is watched as Watch does, with opts,
// and its events carry its name or path in Event.NetNS; each has its own
// initial listing, EventSynced and resyncs.
//
// Unlike Watch's, the events are copies that stay valid after the loop
// moves on (the namespaces' watchers run concurrently), at the cost of an
// allocation per event. A namespace that cannot be watched, or whose
// watch fails, is reported as an error naming it, and the stream goes on
// with the others; it ends with ctx or a broken loop.
func WatchNetNS(ctx context.Context, namespaces []string, opts *WatchOptions) iter.Seq2[*Event, error] {
	return func(yield func(*Event, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		type item struct {
			ev  *Event
			err error
		}
		out := make(chan item, 1024)
		var wg sync.WaitGroup
		type follower struct {
			id   netns.ID // of a name in RunDir, to see it given to another namespace
			stop context.CancelFunc
		}
		running := map[string]follower{}
		start := func(ns string, id netns.ID) {
			wctx, stop := context.WithCancel(ctx)
			running[ns] = follower{id, stop}
			wg.Add(1)
			go func() {
				defer wg.Done()
				send := func(it item) bool {
					select {
					case out <- it:
						return true
					case <-wctx.Done():
						return false
					}
				}
				h, err := DialNetNS(ns)
				if err != nil {
					send(item{err: fmt.Errorf("rtnl: watch namespace %s: %w", ns, err)})
					return
				}
				defer h.Close()
				for ev, err := range h.Watch(wctx, opts) {
					if err != nil {
						if wctx.Err() == nil {
							send(item{err: fmt.Errorf("rtnl: watch namespace %s: %w", ns, err)})
						}
						return
					}
					c := ev.clone()
					c.NetNS = ns
					if !send(item{ev: c}) {
						return
					}
				}
			}()
		}
		follow := namespaces == nil
		// sync starts following the names of RunDir that are new, or
		// that now name another namespace, and stops for the others.
		sync := func() {
			named, err := netns.Named()
			if err != nil {
				return
			}
			for ns, f := range running {
				if id, ok := named[ns]; !ok || id != f.id {
					f.stop()
					delete(running, ns)
				}
			}
			for ns, id := range named {
				if _, ok := running[ns]; !ok {
					start(ns, id)
				}
			}
		}
		if follow {
			sync()
		}
		for _, ns := range namespaces {
			if _, dup := running[ns]; !dup {
				start(ns, netns.ID{})
			}
		}
		var tick <-chan time.Time
		if follow {
			t := time.NewTicker(netnsPoll)
			defer t.Stop()
			tick = t.C
		}
		defer func() {
			cancel()
			go func() { // let the watchers end without a reader
				for range out {
				}
			}()
			wg.Wait()
			close(out)
		}()
		for {
			select {
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			case it := <-out:
				if !yield(it.ev, it.err) {
					return
				}
			case <-tick:
				sync()
			}
		}
	}
}

// clone copies the event and the object it points to, which the watcher
// reuses. A decoded object's own memory (names, slices) is its own: a
// copy of its struct keeps it valid.
func (ev *Event) clone() *Event {
	c := *ev
	if ev.Link != nil {
		v := *ev.Link
		c.Link = &v
	}
	if ev.Address != nil {
		v := *ev.Address
		c.Address = &v
	}
	if ev.Route != nil {
		v := *ev.Route
		c.Route = &v
	}
	if ev.Nexthop != nil {
		v := *ev.Nexthop
		c.Nexthop = &v
	}
	if ev.Neighbour != nil {
		v := *ev.Neighbour
		c.Neighbour = &v
	}
	if ev.Rule != nil {
		v := *ev.Rule
		c.Rule = &v
	}
	return &c
}
