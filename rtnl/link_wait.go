package rtnl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// WaitLink waits until the link l, named by its Index, or by its Name
// when the index is 0 (a link that may not exist yet), satisfies cond, and
// returns the link as the kernel last reported it. A nil cond waits for
// the link to exist. For example, to wait for a veth's carrier:
//
//	up := func(l *rtnl.Link) bool { return l.OperState == rtnl.OperUp }
//	l, err := h.WaitLink(ctx, &rtnl.Link{Name: "eth0"}, up)
//
// WaitLink listens to the link group (GroupLink) on a socket of its own,
// opened next to the Handle's, before it looks at the link, so that no
// change between the look and the wait is missed; when the kernel drops
// events (an overrun) it looks again. The events are the values listings
// return: cond sees a *Link decoded as Links decodes it. WaitLink returns
// an error wrapping os.ErrNotExist if the link, named by index, is deleted
// while waited for (or does not exist), and ctx's error when ctx ends
// first: give it a deadline.
//
// The listening socket is opened in the Handle's namespace: the one it was
// dialed in, or for a Handle made with New the one the kernel says its
// socket is in (SIOCGSKNS, which needs CAP_NET_ADMIN).
func (h *Handle) WaitLink(ctx context.Context, l *Link, cond func(*Link) bool) (*Link, error) {
	if _, err := linkTarget("wait for link", l); err != nil {
		return nil, err
	}
	what := l.Name
	if l.Index > 0 {
		what = "if" + strconv.Itoa(l.Index)
		if l.Name != "" {
			what = l.Name
		}
	}
	fail := func(err error) (*Link, error) {
		return nil, fmt.Errorf("rtnl: wait for link %s: %w", what, err)
	}
	cfg, release, err := h.sibling()
	if err != nil {
		return fail(err)
	}
	defer release()
	c, err := nl.Dial(nl.Route, &cfg)
	if err != nil {
		return fail(err)
	}
	defer c.Close()
	if err := c.JoinGroup(GroupLink); err != nil {
		return fail(err)
	}
	done := func(got *Link) bool { return cond == nil || cond(got) }
	// look fetches the link: nil (and no error) if it does not exist and
	// is named by name, as it may yet appear.
	look := func() (*Link, error) {
		var got *Link
		var err error
		if l.Index > 0 {
			got, err = h.LinkByIndex(ctx, l.Index)
		} else {
			got, err = h.LinkByName(ctx, l.Name)
		}
		if errors.Is(err, unix.ENODEV) {
			if l.Index > 0 {
				return nil, fmt.Errorf("no link of index %d: %w", l.Index, os.ErrNotExist)
			}
			return nil, nil
		}
		return got, err
	}
	got, err := look()
	if err != nil {
		return fail(err)
	}
	if got != nil && done(got) {
		return got, nil
	}
	for {
		msgs, err := c.Receive(ctx)
		var over *nl.OverrunError
		switch {
		case errors.As(err, &over):
			if got, err = look(); err != nil {
				return fail(err)
			}
			if got != nil && done(got) {
				return got, nil
			}
			continue
		case err != nil:
			return fail(err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK && m.Header.Type != unix.RTM_DELLINK {
				continue
			}
			ev := new(Link)
			if ev.Decode(m) != nil {
				continue
			}
			if l.Index > 0 && ev.Index != l.Index ||
				l.Index == 0 && ev.Name != l.Name && !slices.Contains(ev.AltNames, l.Name) {
				continue
			}
			if m.Header.Type == unix.RTM_DELLINK {
				if l.Index > 0 {
					return fail(fmt.Errorf("link deleted: %w", os.ErrNotExist))
				}
				continue // by name: another may come
			}
			if done(ev) {
				return ev, nil
			}
		}
	}
}
