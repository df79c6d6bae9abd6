package rtnl

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
)

// WaitLink waits until the link l, named by its Index, or by its Name
// when the index is 0 (a link that may not exist yet), satisfies cond, and
// returns the link as the kernel last reported it. A nil cond waits for
// the link to exist. For example, to wait for a veth's carrier:
//
//	up := func(l *rtnl.Link) bool { return l.OperState == rtnl.OperUp }
//	l, err := h.WaitLink(ctx, &rtnl.Link{Name: "eth0"}, up)
//
// WaitLink watches the links (Watch with KindLink): the listing tells the
// link's state when the wait begins, the events its changes, and a loss
// is made up for by a resync, so no change is missed. cond sees a *Link
// decoded as listings decode it. WaitLink returns an error wrapping
// os.ErrNotExist if the link, named by index, does not exist or is deleted
// while waited for, and ctx's error when ctx ends first: give it a
// deadline.
func (h *Handle) WaitLink(ctx context.Context, l *Link, cond func(*Link) bool) (*Link, error) {
	if _, err := linkTarget("wait for link", l); err != nil {
		return nil, err
	}
	what := l.Name
	if l.Index > 0 && l.Name == "" {
		what = "if" + strconv.Itoa(l.Index)
	}
	fail := func(err error) (*Link, error) {
		return nil, fmt.Errorf("rtnl: wait for link %s: %w", what, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	seen := false // the link named by index, in the listing
	for ev, err := range h.Watch(ctx, &WatchOptions{Kinds: KindLink}) {
		if err != nil {
			return fail(err)
		}
		if ev.Type == EventSynced {
			if l.Index > 0 && !seen {
				return fail(fmt.Errorf("no link of index %d: %w", l.Index, os.ErrNotExist))
			}
			continue
		}
		got := ev.Link
		if got == nil || l.Index > 0 && got.Index != l.Index ||
			l.Index == 0 && got.Name != l.Name && !slices.Contains(got.AltNames, l.Name) {
			continue
		}
		seen = true
		if ev.Type == EventDelete {
			if l.Index > 0 {
				return fail(fmt.Errorf("link deleted: %w", os.ErrNotExist))
			}
			continue // by name: another may come
		}
		if cond == nil || cond(got) {
			c := *got // the watcher reuses it; a decoded link's memory is its own
			return &c, nil
		}
	}
	return fail(ctx.Err())
}
