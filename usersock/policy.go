package usersock

import (
	"os"
	"slices"

	"github.com/nlkit/nlkit/nl"
)

// A Policy decides which senders a Server serves, by the user and group
// ids the kernel attached to their messages (SCM_CREDENTIALS), which are
// sound: the kernel fills them in for every netlink message, translated
// into the server's user namespace, and a sender can claim other ids only
// with CAP_SETUID/CAP_SETGID over them, that is, only if it could become
// that user anyway (root in a user namespace of its own is still its own
// uid outside).
//
// The process id in the same credentials is NOT an identity, and a Policy
// does not see it: the kernel reports it as the sender's own PID namespace
// numbers it, so any user can appear as pid 1 (unshare -Urp) or, by
// steering ns_last_pid in a PID namespace of its own, as the pid of any
// running process, root's included. Never authorise by pid, nor by
// anything read from /proc/<pid> for it.
//
// A sender is allowed if Anyone is set, or its user id is in UIDs, or its
// group id is in GIDs, or Allow returns true. A nil *Policy in Config
// allows the server's own user id and root only.
type Policy struct {
	// Anyone allows every sender.
	Anyone bool
	// UIDs are allowed user ids.
	UIDs []uint32
	// GIDs are allowed (primary) group ids.
	GIDs []uint32
	// Allow, if set, allows the senders for which it returns true. It runs
	// on the server's worker goroutines and must be safe for concurrent
	// use.
	Allow func(Identity) bool
}

// Identity is what the kernel vouches for about a sender: its real user and
// group ids, as the server's user namespace sees them. (The pid it also
// reports is not part of it: see Policy.)
type Identity struct {
	UID uint32
	GID uint32
}

// defaultPolicy allows the process's own user and root.
func defaultPolicy() *Policy {
	return &Policy{UIDs: []uint32{0, uint32(os.Getuid())}}
}

// allows reports whether the sender of a datagram with meta is allowed.
// A datagram without credentials is allowed only by Anyone.
func (p *Policy) allows(meta nl.Meta) bool {
	if p.Anyone {
		return true
	}
	if !meta.HasCreds {
		return false
	}
	c := meta.Creds
	if slices.Contains(p.UIDs, c.UID) || slices.Contains(p.GIDs, c.GID) {
		return true
	}
	return p.Allow != nil && p.callAllow(Identity{UID: c.UID, GID: c.GID})
}

// callAllow runs the user's Allow function; a panic in it refuses the
// sender instead of ending the server.
func (p *Policy) callAllow(id Identity) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return p.Allow(id)
}
