package usersock

import (
	"crypto/cipher"
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// keyCacheSize bounds the session keys a receiver keeps outside its
// session table: those of sessions it does not (or no longer) track,
// including keys derived for messages that then failed to authenticate.
const keyCacheSize = 512

// A keyCache keeps the AES-GCM ciphers derived for recent sender sessions,
// so that a session is derived once however many messages name it (a
// forger who repeats a session id pays the cipher's tag check, not a key
// derivation). When full it forgets the entry inserted first. Its zero
// value is ready to use; it is safe for concurrent use.
type keyCache struct {
	mu    sync.Mutex
	keys  map[sessionID]cipher.AEAD
	order []sessionID // ring of the cached ids, in insertion order
	next  int         // the ring's oldest entry, replaced next when full

	derived atomic.Uint64 // session keys derived
}

func (c *keyCache) get(id sessionID) cipher.AEAD {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys[id]
}

func (c *keyCache) put(id sessionID, a cipher.AEAD) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[sessionID]cipher.AEAD)
	}
	if _, ok := c.keys[id]; ok {
		return
	}
	if len(c.order) < keyCacheSize {
		c.order = append(c.order, id)
	} else {
		delete(c.keys, c.order[c.next])
		c.order[c.next] = id
		c.next = (c.next + 1) % keyCacheSize
	}
	c.keys[id] = a
}

// sessionKey returns the cipher of the sender session id, which the
// table does not track: from the cache, or derived (and counted) and
// cached.
func (t *peerTable) sessionKey(id sessionID) (cipher.AEAD, error) {
	if a := t.keys.get(id); a != nil {
		return a, nil
	}
	t.keys.derived.Add(1)
	a, err := t.key.aead(id.port, id.epoch)
	if err != nil {
		return nil, err
	}
	t.keys.put(id, a)
	return a, nil
}

// needsKey reports whether opening the sealed payload p from port would
// derive a session key: its session is neither tracked nor cached, and p
// is long enough to be tried.
func (t *peerTable) needsKey(p []byte, port uint32) bool {
	if len(p) < sealOverhead {
		return false
	}
	id := sessionID{port, binary.BigEndian.Uint64(p)}
	t.mu.Lock()
	known := t.sessions[id] != nil
	t.mu.Unlock()
	return !known && t.keys.get(id) == nil
}

// Budget of key derivations for sessions that fail to authenticate: a
// burst of deriveBurst, then deriveRate a second, per sender user id. A
// derivation for a session that authenticates is given back, so senders
// that hold the Key are never limited; a forger's derivations, about
// 5 µs of a worker's time each, are bounded to about 0.2 ms a second per
// user id.
const (
	deriveBurst = 64
	deriveRate  = 32
	// maxBudgets bounds the user ids with a budget in use; beyond, the
	// senders of further ids share one.
	maxBudgets = 1024
)

// A deriveBudget rate-limits, per sender user id, the key derivations a
// Server makes for sessions it does not know. It is safe for concurrent
// use.
type deriveBudget struct {
	mu      sync.Mutex
	buckets map[int64]*bucket // by user id; -1 for senders without credentials
	shared  bucket            // for user ids past maxBudgets
	now     func() time.Time  // tests move it
}

// A bucket is a token bucket of derivations.
type bucket struct {
	tokens float64
	last   time.Time
}

func newDeriveBudget() *deriveBudget {
	return &deriveBudget{buckets: make(map[int64]*bucket), shared: bucket{tokens: deriveBurst}, now: time.Now}
}

// budgetOf returns the budget key of the sender of meta.
func budgetOf(meta nl.Meta) int64 {
	if !meta.HasCreds {
		return -1
	}
	return int64(meta.Creds.UID)
}

// refill adds the tokens earned since b.last.
func (b *bucket) refill(now time.Time) {
	if !b.last.IsZero() {
		b.tokens = min(deriveBurst, b.tokens+now.Sub(b.last).Seconds()*deriveRate)
	}
	b.last = now
}

// bucketOf returns the bucket of who, refilled. Called with d.mu held.
func (d *deriveBudget) bucketOf(who int64) *bucket {
	now := d.now()
	b := d.buckets[who]
	if b == nil {
		if len(d.buckets) >= maxBudgets {
			// Forget the budgets that are full again: they hold nothing.
			for k, v := range d.buckets {
				if v.refill(now); v.tokens >= deriveBurst {
					delete(d.buckets, k)
				}
			}
		}
		if len(d.buckets) >= maxBudgets {
			b = &d.shared
		} else {
			b = &bucket{tokens: deriveBurst, last: now}
			d.buckets[who] = b
		}
	}
	b.refill(now)
	return b
}

// take spends one derivation of who's budget, and reports whether there
// was one to spend.
func (d *deriveBudget) take(who int64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.bucketOf(who)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// giveBack returns a derivation that take spent for a session that
// authenticated.
func (d *deriveBudget) giveBack(who int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	b := d.bucketOf(who)
	b.tokens = min(deriveBurst, b.tokens+1)
}
