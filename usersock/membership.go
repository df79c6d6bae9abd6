package usersock

// maxIntervals bounds the past memberships a Client remembers per group;
// messages sealed during older ones are refused.
const maxIntervals = 8

// A membership records when a Client was a member of one group, so that it
// takes the group's sealed messages sealed while it was one, and only
// those: a message sealed while it was not was never sent to it, and may
// be a recording replayed by whoever holds the server's port.
type membership struct {
	since int64      // start of the current membership; 0 when not a member
	past  [][2]int64 // earlier memberships, [from, to], oldest first
}

// join starts a membership at time at, unless one is current.
func (m *membership) join(at int64) {
	if m.since == 0 {
		m.since = at
	}
}

// leave ends the current membership at time at.
func (m *membership) leave(at int64) {
	if m.since == 0 {
		return
	}
	if len(m.past) == maxIntervals {
		m.past = append(m.past[:0], m.past[1:]...)
	}
	m.past = append(m.past, [2]int64{m.since, at})
	m.since = 0
}

// covers reports whether a message sealed at time sealed falls in a
// membership.
func (m *membership) covers(sealed int64) bool {
	if m.since != 0 && sealed > m.since {
		return true
	}
	for _, iv := range m.past {
		if sealed > iv[0] && sealed <= iv[1] {
			return true
		}
	}
	return false
}
