package usersock

import (
	"cmp"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/nl"
)

// MinSecretLen is the shortest shared secret NewKey accepts.
const MinSecretLen = 16

// Errors reported for sealed messages. A server answers them with an
// NLMSG_ERROR (EBADMSG, EALREADY or ESTALE) whose extended-ACK message is
// the error's text; a Client returns them, wrapped, for messages it receives.
var (
	// ErrAuth: the message does not authenticate under the key: it was
	// tampered with, sealed with another secret, sealed for another
	// destination, or sent from another port than the one it was sealed by.
	ErrAuth = errors.New("usersock: message authentication failed (tampered, or sealed with another key)")
	// ErrReplay: the message authenticates but its sequence number was
	// already accepted from its sender's session, or is too old to tell.
	ErrReplay = errors.New("usersock: replayed message")
	// ErrStale: a server received a request sealed before it bound its
	// port, so it may be a replay of a recording, or sealed in the future
	// (more than a second ahead of its clock); or a receiver got a message
	// of a session it does not know sealed before the newest message of
	// the sessions it forgot, or dated ahead of its clock while too many
	// sessions are; or a Client got an answer to a request sealed before
	// it dialed or in the future. A Client seals a request anew and
	// retries once when a server reports any of these but a port's
	// sessions being all dated ahead. (A Client quietly drops messages
	// sealed while it did not listen.)
	ErrStale = errors.New("usersock: stale message")
)

// A Key authenticates and encrypts message payloads with a secret shared by
// a server and its clients. Every sender derives its own AES-256-GCM key
// from it (HKDF-SHA256 over the secret, the sender's port id and its session
// id, 64 random bits), so that nonces, which are per-sender counters, never repeat under
// one key.
//
// A Key never prints its contents: every fmt verb shows "usersock.Key(redacted)".
// It is safe for concurrent use.
type Key struct {
	prk        []byte     // HKDF pseudorandom key; the secret itself is not kept
	answer     []byte     // HMAC-SHA256 key of a server's answers (answer.go)
	answerMACs *sync.Pool // of hash.Hash: HMAC-SHA256 under answer
}

const (
	hkdfSalt    = "nlkit/usersock v1"
	sessionInfo = "nlkit/usersock v1 session"
	redacted    = "usersock.Key(redacted)"
)

// NewKey derives a Key from a shared secret of at least MinSecretLen bytes
// (use 32 random bytes). The secret is not retained.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("usersock: shared secret too short: need at least %d bytes", MinSecretLen)
	}
	prk, err := hkdf.Extract(sha256.New, secret, []byte(hkdfSalt))
	if err != nil {
		return nil, fmt.Errorf("usersock: derive key: %w", err)
	}
	answer, err := hkdf.Expand(sha256.New, prk, answerInfo, 32)
	if err != nil {
		return nil, fmt.Errorf("usersock: derive key: %w", err)
	}
	return &Key{prk: prk, answer: answer, answerMACs: new(sync.Pool)}, nil
}

// String returns "usersock.Key(redacted)".
func (k Key) String() string { return redacted }

// GoString returns "usersock.Key(redacted)".
func (k Key) GoString() string { return redacted }

// Format writes "usersock.Key(redacted)" whatever the verb, so that no
// formatting of a Key, or of a struct holding one, shows key material.
func (k Key) Format(f fmt.State, verb rune) { io.WriteString(f, redacted) }

// newEpoch returns the id of a new sender session: 64 random bits (never
// 0). Two senders with the same key and port id (the same well-known port
// in two network namespaces) thus derive different session keys, and
// their GCM nonces, counters that start at 1, never repeat under one key.
func newEpoch() uint64 {
	var r [8]byte
	rand.Read(r[:])
	return binary.BigEndian.Uint64(r[:]) | 1
}

// now returns the wall clock in nanoseconds, the time sealed messages
// carry. Every process on the machine reads the same clock.
func now() int64 { return time.Now().UnixNano() }

// aead returns the AES-256-GCM of one sender session.
func (k *Key) aead(port uint32, epoch uint64) (cipher.AEAD, error) {
	var info [len(sessionInfo) + 12]byte
	copy(info[:], sessionInfo)
	binary.BigEndian.PutUint32(info[len(sessionInfo):], port)
	binary.BigEndian.PutUint64(info[len(sessionInfo)+4:], epoch)
	sk, err := hkdf.Expand(sha256.New, k.prk, string(info[:]), 32)
	if err != nil {
		return nil, fmt.Errorf("usersock: derive session key: %w", err)
	}
	defer clear(sk)
	block, err := aes.NewCipher(sk)
	if err != nil {
		return nil, fmt.Errorf("usersock: session cipher: %w", err)
	}
	return cipher.NewGCM(block)
}

// The sealed payload of a message is
//
//	epoch (8 bytes) | counter (8 bytes) | time (8 bytes) | ciphertext | tag (16 bytes)
//
// all big-endian. The nonce is four zero bytes and the counter. The time,
// in nanoseconds, is when the message was sealed. The additional data binds
// the message's kind, type, destination and time, and, for replies, the
// request they answer (its epoch and counter).
const (
	sealHeader   = 24
	tagLen       = 16
	sealOverhead = sealHeader + tagLen
)

// Kinds of sealed messages, bound into the additional data.
const (
	kindRequest   = 1
	kindReply     = 2
	kindUnicast   = 3
	kindBroadcast = 4
)

// binding identifies the request a reply answers: its epoch and counter.
type binding [16]byte

// aad builds the additional authenticated data of a message.
func aad(dst *[31]byte, kind byte, t nl.MsgType, to uint32, b binding, sealed int64) []byte {
	dst[0] = kind
	binary.BigEndian.PutUint16(dst[1:], uint16(t))
	binary.BigEndian.PutUint32(dst[3:], to)
	copy(dst[7:], b[:])
	binary.BigEndian.PutUint64(dst[23:], uint64(sealed))
	return dst[:]
}

// A sealer seals the messages of one sender session.
type sealer struct {
	aead  cipher.AEAD
	epoch uint64
	ctr   atomic.Uint64
	clock func() int64 // now; tests move it
}

func newSealer(k *Key, port uint32, epoch uint64) (*sealer, error) {
	a, err := k.aead(port, epoch)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: a, epoch: epoch, clock: now}, nil
}

// seal appends the sealed form of plain to dst and returns it with the
// binding a reply to it must carry.
func (s *sealer) seal(dst []byte, kind byte, t nl.MsgType, to uint32, b binding, plain []byte) ([]byte, binding) {
	ctr := s.ctr.Add(1)
	sealed := s.clock()
	var hdr [sealHeader]byte
	binary.BigEndian.PutUint64(hdr[:], s.epoch)
	binary.BigEndian.PutUint64(hdr[8:], ctr)
	binary.BigEndian.PutUint64(hdr[16:], uint64(sealed))
	dst = append(dst, hdr[:]...)
	var nonce [12]byte
	binary.BigEndian.PutUint64(nonce[4:], ctr)
	var ad [31]byte
	dst = s.aead.Seal(dst, nonce[:], plain, aad(&ad, kind, t, to, b, sealed))
	return dst, binding(hdr[:16])
}

// Reasons for ErrStale; a Client retries a request, sealed anew, once
// when the server gives any of the first four (a request sealed now
// passes them), not the last.
const (
	staleBefore    = "sealed before the receiver began to listen"
	staleForgotten = "sealed before the newest message of a sender the receiver forgot"
	staleFuture    = "sealed in the future"
	staleAhead     = "sealed ahead of the receiver's clock, while as many sessions as it allows are"
	staleCrowded   = "its sender's port has as many sessions as the receiver allows, all sealed ahead of its clock"
)

// maxAhead is how far ahead of the receiver's clock a message's time may
// be. Sender and receiver read the same clock (CLOCK_REALTIME, on one
// machine), so a message is sealed before it is received: the margin only
// absorbs the clock being set back between sealing and receiving. It is
// short because a receiver cannot forget a session whose newest message
// is dated ahead of its clock until the clock gets there (see peerTable).
const maxAhead = time.Second

// windowBits is the size of the replay window: a message may arrive this
// many counter values behind the newest one accepted from its sender.
const windowBits = 1024

// A window records which recent counter values were accepted (RFC 4303's
// sliding window).
type window struct {
	top  uint64 // highest counter accepted; 0 before the first
	bits [windowBits / 64]uint64
}

// check reports whether ctr is new, without recording it.
func (w *window) check(ctr uint64) bool {
	if ctr == 0 {
		return false
	}
	if ctr > w.top {
		return true
	}
	d := w.top - ctr
	if d >= windowBits {
		return false
	}
	i := (w.top - d) % windowBits
	return w.bits[i/64]&(1<<(i%64)) == 0
}

// accept records ctr, which check approved.
func (w *window) accept(ctr uint64) {
	if ctr > w.top {
		shift := ctr - w.top
		if shift >= windowBits {
			clear(w.bits[:])
		} else {
			for c := w.top + 1; c <= ctr; c++ {
				i := c % windowBits
				w.bits[i/64] &^= 1 << (i % 64)
			}
		}
		w.top = ctr
	}
	i := ctr % windowBits
	w.bits[i/64] |= 1 << (i % 64)
}

// A session is what a receiver knows of one sender session.
type session struct {
	aead  cipher.AEAD
	epoch uint64
	win   window
	last  int64  // time of the newest message accepted (tracked ones only)
	floor int64  // its port's floor when it was remembered, which its messages must pass
	used  uint64 // when last heard from, in the table's clock
	ahead bool   // listed in the table's ahead: not to be forgotten yet
}

// A sessionID names a sender session: its kernel-reported port id and its
// epoch.
type sessionID struct {
	port  uint32
	epoch uint64
}

// Bounds on what a table remembers.
const (
	// maxSessions bounds the sessions of all senders; when it is reached,
	// the least recently heard quarter of them is forgotten.
	maxSessions = 4096
	// perPort bounds the sessions of one sender port; a new one forgets
	// the port's own least recently heard session, so that one sender
	// cannot make a receiver forget other senders' sessions.
	perPort = 16
	// maxAheadSessions bounds the sessions whose newest message was dated
	// ahead of the receiver's clock when it was taken, which cannot be
	// forgotten until the clock gets there.
	maxAheadSessions = maxSessions / 4
	// maxPeers bounds the sender ports (with or without sessions); when it
	// is reached, the quarter of the ports without sessions whose newest
	// messages are the oldest is forgotten.
	maxPeers = 2 * maxSessions
)

// A peerTable opens sealed messages from many senders and rejects
// replays. A message is taken if it authenticates, is new in its session's
// replay window and was sealed after the receiver began to listen to its
// destination (the since of open), and at most maxAhead ahead of the
// receiver's clock.
//
// Memory is bounded: a table forgets sessions, and then ports. A message
// of a session the table does not know must be newer than every message
// of the sessions it forgot of the same port (the port's floor), and of
// a port it does not know, newer than every message of the ports it
// forgot (the table's floor). Keys are bound to ports, so a recording
// can only be replayed from its sender's port: its port's floor is what
// protects it, and one port's floor does not concern others. A session
// remembered anew after it was forgotten has a new replay window, so its
// messages must also be newer than its port's floor when it was
// remembered, which is at or above every message it had taken.
//
// Nothing dated ahead of the receiver's clock is forgotten: a session
// whose newest message is dated ahead stays until the clock gets there
// (at most maxAhead), and there are at most maxAheadSessions such
// sessions. So no floor is ever raised above the receiver's clock (unless
// the clock is set back), and no sender can lock others out by dating its
// messages ahead; and every message a forgotten session had taken is
// still at or below a floor.
//
// So a recorded message replayed later is refused whether its session is
// current, ended or forgotten, and whatever the session ids.
type peerTable struct {
	key      *Key
	mu       sync.Mutex
	sessions map[sessionID]*session
	peers    map[uint32]*peer
	floor    int64 // messages of unknown ports sealed at or before it are refused
	clock    uint64
	now      func() int64 // tests move it

	// ahead lists the sessions whose newest message was dated ahead of
	// the clock when taken (some may have been reached since); aheadMin
	// is the earliest of their newest messages: until the clock gets
	// there, none has been reached.
	ahead    []*session
	aheadMin int64

	// ordered: each sender seals and sends its tracked messages in order,
	// as a Server does, so a message must be sealed after the last one
	// taken from its port, in any session: one it missed (to an overrun)
	// cannot be slipped in after later ones, nor an earlier run's after
	// the current run's.
	ordered bool

	keys keyCache // ciphers of the sessions not in sessions (derive.go)
}

// A peer is what a table knows of one sender port.
type peer struct {
	sessions []*session // the port's sessions in the table, at most perPort
	floor    int64      // newest message of the port's forgotten sessions
	pos      position   // ordered: the last message taken from the port
	taken    bool       // ordered: pos is set
}

// newest returns the time of the newest message the table knows of p,
// apart from its sessions.
func (p *peer) newest() int64 {
	if p.taken {
		return max(p.floor, p.pos.sealed)
	}
	return p.floor
}

// A position is where a message stands in its sender's order.
type position struct {
	sealed     int64
	epoch, ctr uint64
}

// after reports whether a message at p comes after q in its sender's
// order: in one session, numbered higher (the counter is the order of
// sending, whatever the clock did meanwhile); across sessions, sealed
// later.
func (p position) after(q position) bool {
	if p.epoch == q.epoch {
		return p.ctr > q.ctr
	}
	return p.sealed > q.sealed
}

func newPeerTable(k *Key) *peerTable {
	return &peerTable{key: k, sessions: make(map[sessionID]*session), peers: make(map[uint32]*peer), now: now}
}

// open authenticates and decrypts the sealed payload p, in place, from the
// sender at port. It returns the plaintext (aliasing p) and the binding of
// the message, for replies. With track, the message must be new in its
// session's replay window and sealed after since (the time the receiver
// began to listen to the message's destination); without (for replies,
// which are bound to the request they answer), it only has to
// authenticate.
func (t *peerTable) open(p []byte, port uint32, kind byte, mt nl.MsgType, to uint32, b binding, track bool, since int64) ([]byte, binding, error) {
	if len(p) < sealOverhead {
		return nil, binding{}, fmt.Errorf("%w: sealed payload of %d bytes is shorter than the %d-byte envelope", ErrAuth, len(p), sealOverhead)
	}
	id := sessionID{port, binary.BigEndian.Uint64(p)}
	ctr := binary.BigEndian.Uint64(p[8:])
	sealed := int64(binary.BigEndian.Uint64(p[16:]))
	var bind binding
	copy(bind[:], p[:16])

	t.mu.Lock()
	cur := t.sessions[id]
	var a cipher.AEAD
	if cur != nil {
		a = cur.aead
	}
	if track {
		if err := t.fresh(cur, id, ctr, sealed, since); err != nil {
			t.mu.Unlock()
			return nil, binding{}, err
		}
	}
	t.mu.Unlock()
	if a == nil {
		var err error
		if a, err = t.sessionKey(id); err != nil {
			return nil, binding{}, err
		}
	}
	var nonce [12]byte
	binary.BigEndian.PutUint64(nonce[4:], ctr)
	var ad [31]byte
	plain, err := a.Open(p[sealHeader:sealHeader], nonce[:], p[sealHeader:], aad(&ad, kind, mt, to, b, sealed))
	if err != nil {
		return nil, binding{}, ErrAuth
	}

	// Authentic: record it, unless a concurrent copy was taken meanwhile.
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.take(id, a, ctr, sealed, since, track); err != nil {
		return nil, binding{}, err
	}
	return plain, bind, nil
}

// take records an authentic message of session id, numbered ctr and
// sealed at sealed, checking again (with track) that it is fresh: a
// concurrent copy may have been taken meanwhile. Called with t.mu held.
func (t *peerTable) take(id sessionID, a cipher.AEAD, ctr uint64, sealed, since int64, track bool) error {
	now := t.now()
	cur := t.sessions[id]
	if track {
		if err := t.freshAt(cur, id, ctr, sealed, since, now); err != nil {
			return err
		}
	}
	t.clock++
	if cur == nil {
		if cur = t.remember(id, a, now); cur == nil {
			if track { // freshAt found room: not reached
				return fmt.Errorf("%w: %s", ErrStale, staleCrowded)
			}
			return nil // a reply only has to authenticate
		}
	}
	cur.used = t.clock
	if !track {
		return nil
	}
	cur.win.accept(ctr)
	cur.last = max(cur.last, sealed)
	if sealed > now && !cur.ahead {
		cur.ahead = true
		t.ahead = append(t.ahead, cur)
		t.aheadMin = min(t.aheadMin, cur.last)
	}
	if t.ordered {
		p := t.peers[id.port]
		p.pos, p.taken = position{sealed, id.epoch, ctr}, true
	}
	return nil
}

// remember adds session id to the table, forgetting what it must to make
// room, and returns it; or nil if its port has perPort sessions and all
// are dated ahead of the clock. Called with t.mu held.
func (t *peerTable) remember(id sessionID, a cipher.AEAD, now int64) *session {
	p := t.peers[id.port]
	if p == nil {
		if len(t.peers) >= maxPeers {
			t.forgetPeers()
		}
		p = new(peer)
		t.peers[id.port] = p
	}
	if len(p.sessions) >= perPort {
		v := t.victim(p, now)
		if v == nil {
			return nil
		}
		t.forget(id.port, p, v)
	}
	if len(t.sessions) >= maxSessions {
		t.evict(now)
	}
	s := &session{aead: a, epoch: id.epoch, floor: max(t.floor, p.floor)}
	t.sessions[id] = s
	p.sessions = append(p.sessions, s)
	return s
}

// fresh checks that a tracked message numbered ctr, sealed at sealed, of
// session id (cur, or nil if unknown) is not a replay, and that the table
// can take it. Called with t.mu held.
func (t *peerTable) fresh(cur *session, id sessionID, ctr uint64, sealed, since int64) error {
	return t.freshAt(cur, id, ctr, sealed, since, t.now())
}

// freshAt is fresh at time now.
func (t *peerTable) freshAt(cur *session, id sessionID, ctr uint64, sealed, since, now int64) error {
	switch {
	case sealed > now+int64(maxAhead):
		return fmt.Errorf("%w: %s", ErrStale, staleFuture)
	case sealed <= since:
		return fmt.Errorf("%w: %s", ErrStale, staleBefore)
	}
	p := t.peers[id.port]
	floor := t.floor
	if p != nil {
		floor = max(floor, p.floor)
	}
	switch {
	case t.ordered && p != nil && p.taken:
		if !(position{sealed, id.epoch, ctr}).after(p.pos) {
			return fmt.Errorf("%w: sealed before a message already taken from its sender", ErrReplay)
		}
	case (t.ordered || cur == nil) && sealed <= floor:
		return fmt.Errorf("%w: %s", ErrStale, staleForgotten)
	case !t.ordered && cur != nil && sealed <= cur.floor:
		// Remembered anew after it was forgotten, with a new window: its
		// messages taken before are still at or below the floor.
		return fmt.Errorf("%w: %s", ErrStale, staleForgotten)
	case !t.ordered && cur != nil && !cur.win.check(ctr):
		return ErrReplay
	}
	if cur == nil && p != nil && len(p.sessions) >= perPort && t.victim(p, now) == nil {
		return fmt.Errorf("%w: %s", ErrStale, staleCrowded)
	}
	if sealed > now && (cur == nil || !cur.ahead) {
		t.pruneAhead(now)
		if len(t.ahead) >= maxAheadSessions {
			return fmt.Errorf("%w: %s", ErrStale, staleAhead)
		}
	}
	return nil
}

// pruneAhead drops from t.ahead the sessions whose newest message the
// clock has reached. Called with t.mu held.
func (t *peerTable) pruneAhead(now int64) {
	if now < t.aheadMin {
		return // none reached yet
	}
	kept, next := t.ahead[:0], int64(math.MaxInt64)
	for _, s := range t.ahead {
		if s.last > now {
			kept = append(kept, s)
			next = min(next, s.last)
		} else {
			s.ahead = false
		}
	}
	clear(t.ahead[len(kept):])
	t.ahead, t.aheadMin = kept, next
}

// victim returns port p's least recently heard session that may be
// forgotten (not dated ahead of the clock), or nil. Called with t.mu
// held.
func (t *peerTable) victim(p *peer, now int64) *session {
	t.pruneAhead(now)
	var v *session
	for _, s := range p.sessions {
		if !s.ahead && (v == nil || s.used < v.used) {
			v = s
		}
	}
	return v
}

// forget forgets session s of port (whose record is p), raising the
// port's floor to its newest message. Called with t.mu held.
func (t *peerTable) forget(port uint32, p *peer, s *session) {
	delete(t.sessions, sessionID{port, s.epoch})
	p.sessions = slices.DeleteFunc(p.sessions, func(x *session) bool { return x == s })
	p.floor = max(p.floor, s.last)
}

// evict forgets the quarter (and one) of the sessions heard from least
// recently, of those not dated ahead of the clock. Forgetting a quarter
// at once keeps the cost of a new session constant on average. Called
// with t.mu held.
func (t *peerTable) evict(now int64) {
	t.pruneAhead(now)
	type entry struct {
		port uint32
		s    *session
	}
	all := make([]entry, 0, len(t.sessions))
	for id, s := range t.sessions {
		if !s.ahead {
			all = append(all, entry{id.port, s})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.s.used, b.s.used) })
	for _, e := range all[:min(len(all), len(t.sessions)/4+1)] {
		t.forget(e.port, t.peers[e.port], e.s)
	}
}

// forgetPeers forgets the quarter (and one) of the ports, of those without
// sessions, whose newest messages are the oldest, raising the table's
// floor to the newest of them. Called with t.mu held.
func (t *peerTable) forgetPeers() {
	type entry struct {
		port   uint32
		newest int64
	}
	all := make([]entry, 0, len(t.peers))
	for port, p := range t.peers {
		if len(p.sessions) == 0 {
			all = append(all, entry{port, p.newest()})
		}
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(a.newest, b.newest) })
	for _, e := range all[:min(len(all), len(t.peers)/4+1)] {
		t.floor = max(t.floor, e.newest)
		delete(t.peers, e.port)
	}
}
