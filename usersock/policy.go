package usersock

import (
	"os"
	"slices"

	"github.com/nlkit/nlkit/nl"
)

// A Policy decides which senders a Server serves, by the credentials the
// kernel attached to their messages (SCM_CREDENTIALS: process id, real user
// id and real group id). The kernel fills these in for every netlink
// message; a sender can claim other ids only with CAP_SYS_ADMIN (pid) or
// CAP_SETUID/CAP_SETGID, that is, only if it could become that user anyway.
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
	Allow func(nl.Credentials) bool
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
	return p.Allow != nil && p.callAllow(c)
}

// callAllow runs the user's Allow function; a panic in it refuses the
// sender instead of ending the server.
func (p *Policy) callAllow(c nl.Credentials) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	return p.Allow(c)
}
