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
	// port, so it may be a replay of a recording, or sealed in the future;
	// or a receiver got a message of a session it does not know sealed
	// before the newest message of the sessions it forgot. A Client seals
	// a request anew and retries once when a server reports either of the
	// first and last. (A Client quietly drops messages sealed while it did
	// not listen.)
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
	prk []byte // HKDF pseudorandom key; the secret itself is not kept
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
	return &Key{prk: prk}, nil
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
// when the server gives either of the first two.
const (
	staleBefore    = "sealed before the receiver began to listen"
	staleForgotten = "sealed before the newest message of a sender the receiver forgot"
	staleFuture    = "sealed in the future"
)

// maxAhead is how far ahead of the receiver's clock a message's time may
// be. Sender and receiver read the same clock; the margin only absorbs a
// clock step between sealing and receiving.
const maxAhead = time.Minute

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
	aead cipher.AEAD
	win  window
	last int64  // time of the newest message accepted (tracked ones only)
	used uint64 // when last heard from, in the table's clock
}

// A sessionID names a sender session: its kernel-reported port id and its
// epoch.
type sessionID struct {
	port  uint32
	epoch uint64
}

// maxSessions bounds the sessions (and, in an ordered table, the senders)
// a table remembers; the least recently heard from are forgotten first,
// and raise the table's floor.
const maxSessions = 4096

// A peerTable opens sealed messages from many senders and rejects
// replays. A message is taken if it authenticates, is new in its session's
// replay window and was sealed after the receiver began to listen to its
// destination (the since of open); a message of a session the table does
// not know must also be newer than every message of the sessions it
// forgot. So a recorded message replayed later is refused whether its
// session is current, ended or forgotten, and whatever the session ids.
type peerTable struct {
	key      *Key
	mu       sync.Mutex
	sessions map[sessionID]*session
	floor    int64 // messages of unknown sessions (or senders) sealed at or before it are refused
	clock    uint64
	now      func() int64 // tests move it

	// ordered: each sender seals and sends its tracked messages in order,
	// as a Server does, so a message must be sealed after the last one
	// taken from its port, in any session: one it missed (to an overrun)
	// cannot be slipped in after later ones, nor an earlier run's after
	// the current run's.
	ordered bool
	last    map[uint32]position // ordered: the last message taken from each port

	keys keyCache // ciphers of the sessions not in sessions (derive.go)
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
	return &peerTable{key: k, sessions: make(map[sessionID]*session), now: now, last: make(map[uint32]position)}
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
	t.clock++
	cur = t.sessions[id]
	if track {
		if err := t.fresh(cur, id, ctr, sealed, since); err != nil {
			return nil, binding{}, err
		}
	}
	if cur == nil {
		if len(t.sessions) >= maxSessions {
			t.evict()
		}
		cur = &session{aead: a}
		t.sessions[id] = cur
	}
	if track {
		cur.win.accept(ctr)
		cur.last = max(cur.last, sealed)
		if t.ordered {
			if _, ok := t.last[id.port]; !ok && len(t.last) >= maxSessions {
				t.forgetSenders()
			}
			t.last[id.port] = position{sealed, id.epoch, ctr}
		}
	}
	cur.used = t.clock
	return plain, bind, nil
}

// fresh checks that a tracked message numbered ctr, sealed at sealed, of
// session id (cur, or nil if unknown) is not a replay. Called with t.mu
// held.
func (t *peerTable) fresh(cur *session, id sessionID, ctr uint64, sealed, since int64) error {
	switch {
	case sealed > t.now()+int64(maxAhead):
		return fmt.Errorf("%w: %s", ErrStale, staleFuture)
	case sealed <= since:
		return fmt.Errorf("%w: %s", ErrStale, staleBefore)
	}
	if t.ordered {
		last, ok := t.last[id.port]
		switch {
		case ok && !(position{sealed, id.epoch, ctr}).after(last):
			return fmt.Errorf("%w: sealed before a message already taken from its sender", ErrReplay)
		case !ok && sealed <= t.floor:
			return fmt.Errorf("%w: %s", ErrStale, staleForgotten)
		}
		return nil
	}
	switch {
	case cur == nil && sealed <= t.floor:
		return fmt.Errorf("%w: %s", ErrStale, staleForgotten)
	case cur != nil && !cur.win.check(ctr):
		return ErrReplay
	}
	return nil
}

// forgetSenders forgets, in an ordered table, the quarter of the senders
// whose last messages are the oldest. Called with t.mu held.
func (t *peerTable) forgetSenders() {
	t.floor = max(t.floor, forgetOldest(t.last,
		func(p position) uint64 { return uint64(p.sealed) },
		func(p position) int64 { return p.sealed }))
}

// evict forgets the quarter of the sessions heard from least recently.
// Called with t.mu held.
func (t *peerTable) evict() {
	t.floor = max(t.floor, forgetOldest(t.sessions,
		func(s *session) uint64 { return s.used },
		func(s *session) int64 { return s.last }))
}

// forgetOldest deletes from m the quarter of its entries (and one) that
// are oldest by age, and returns the newest message time among them,
// which becomes the table's floor. Forgetting a quarter at once keeps the
// cost of a new entry constant on average.
func forgetOldest[K comparable, V any](m map[K]V, age func(V) uint64, newest func(V) int64) int64 {
	type entry struct {
		k K
		v V
	}
	all := make([]entry, 0, len(m))
	for k, v := range m {
		all = append(all, entry{k, v})
	}
	slices.SortFunc(all, func(a, b entry) int { return cmp.Compare(age(a.v), age(b.v)) })
	var floor int64
	for _, e := range all[:len(all)/4+1] {
		floor = max(floor, newest(e.v))
		delete(m, e.k)
	}
	return floor
}
