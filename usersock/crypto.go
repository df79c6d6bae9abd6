package usersock

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
	// already accepted from this sender, or is too old to tell.
	ErrReplay = errors.New("usersock: replayed message")
	// ErrStale: the message belongs to a session that began before the
	// server started (or than the sender's current session), so it may be
	// a replay of an earlier run. A Client renews its session and retries
	// once when a server reports it.
	ErrStale = errors.New("usersock: message from a stale session")
)

// A Key authenticates and encrypts message payloads with a secret shared by
// a server and its clients. Every sender derives its own AES-256-GCM key
// from it (HKDF-SHA256 over the secret, the sender's port id and its session
// number), so that nonces, which are per-sender counters, never repeat under
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

// epochRandomBits is how many low bits of a session's epoch are random.
const epochRandomBits = 24

// newEpoch returns the id of a new sender session: the time in nanoseconds
// (so that later sessions have larger ids) with its low 24 bits (16 ms)
// random, so that two senders with the same key and port id (the same
// well-known port in two network namespaces) started at the same moment
// still derive different session keys: their GCM nonces, counters that
// restart at 1, are then never used twice under one key.
func newEpoch() uint64 {
	var r [4]byte
	rand.Read(r[:])
	t := uint64(time.Now().UnixNano()) &^ (1<<epochRandomBits - 1)
	return t | uint64(binary.BigEndian.Uint32(r[:]))&(1<<epochRandomBits-1)
}

// epochFloor is the oldest session a receiver starting now accepts from a
// sender it does not know: one begun up to two random spans (about 33 ms)
// before it, since the low bits of epochs are random.
func epochFloor() uint64 {
	return uint64(time.Now().UnixNano()) - 2<<epochRandomBits
}

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
//	epoch (8 bytes, big-endian) | counter (8 bytes, big-endian) | ciphertext | tag (16 bytes)
//
// The nonce is four zero bytes and the counter. The additional data binds
// the message's kind, type and destination, and, for replies, the request
// they answer (its epoch and counter).
const (
	sealHeader   = 16
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
func aad(dst *[23]byte, kind byte, t nl.MsgType, to uint32, b binding) []byte {
	dst[0] = kind
	binary.BigEndian.PutUint16(dst[1:], uint16(t))
	binary.BigEndian.PutUint32(dst[3:], to)
	copy(dst[7:], b[:])
	return dst[:]
}

// A sealer seals the messages of one sender session.
type sealer struct {
	aead  cipher.AEAD
	epoch uint64
	ctr   atomic.Uint64
}

func newSealer(k *Key, port uint32, epoch uint64) (*sealer, error) {
	a, err := k.aead(port, epoch)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: a, epoch: epoch}, nil
}

// seal appends the sealed form of plain to dst and returns it with the
// binding a reply to it must carry.
func (s *sealer) seal(dst []byte, kind byte, t nl.MsgType, to uint32, b binding, plain []byte) ([]byte, binding) {
	ctr := s.ctr.Add(1)
	var hdr [sealHeader]byte
	binary.BigEndian.PutUint64(hdr[:], s.epoch)
	binary.BigEndian.PutUint64(hdr[8:], ctr)
	dst = append(dst, hdr[:]...)
	var nonce [12]byte
	binary.BigEndian.PutUint64(nonce[4:], ctr)
	var ad [23]byte
	dst = s.aead.Seal(dst, nonce[:], plain, aad(&ad, kind, t, to, b))
	return dst, binding(hdr)
}

// What a server says of a session it refuses as stale; a Client renews
// its session when it reads either.
const (
	staleBeforeReceiver = "the session began before the receiver's"
	staleFuture         = "the session begins in the future"
)

// maxEpochAhead is how far in the future (by the receiver's clock) a new
// session may begin. Epochs are times, and sender and receiver share the
// machine's clock; the bound keeps a sender from claiming a session so
// late that, once remembered, it would make every later one stale.
const maxEpochAhead = time.Minute

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

// A peer is what a receiver knows of one sender: its current session's
// cipher and replay window.
type peer struct {
	epoch uint64
	aead  cipher.AEAD
	win   window
	used  uint64 // when last accepted from, in the table's clock
	// from: in a table that requires proof, the counter of the reply that
	// proved the session; the session's messages numbered at or below it
	// were sealed before the proof and are refused (errBeforeProof),
	// since they could be replays recorded before this receiver began.
	from uint64
}

// maxPeers bounds the senders a table remembers; the least recently heard
// from is forgotten first, and its epoch raises the table's floor.
const maxPeers = 4096

// A peerTable opens sealed messages from many senders, each identified by
// its kernel-reported port id, and rejects replays.
type peerTable struct {
	key   *Key
	mu    sync.Mutex
	peers map[uint32]*peer
	floor uint64 // sessions at or below it are stale for unknown senders
	clock uint64
	// proven: a sender's session must be learned from a reply (which
	// is bound to a request of ours, so it cannot be a replay) before
	// its unsolicited messages are accepted.
	proven bool
}

func newPeerTable(k *Key, floor uint64) *peerTable {
	return &peerTable{key: k, peers: make(map[uint32]*peer), floor: floor}
}

// knows reports whether the table holds a session of the sender at port.
func (t *peerTable) knows(port uint32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.peers[port] != nil
}

// open authenticates and decrypts the sealed payload p, in place, from the
// sender at port. It returns the plaintext (aliasing p) and the binding of
// the message, for replies. With track, the message must be new in its
// sender's replay window and belong to its newest session; without (for
// replies, which are bound to the request they answer), it only has to
// authenticate. A table that requires proof returns errUnproven, with the
// plaintext, for an authentic message of a session no reply proved; the
// caller proves the session and calls admit.
func (t *peerTable) open(p []byte, port uint32, kind byte, mt nl.MsgType, to uint32, b binding, track bool) ([]byte, binding, error) {
	if len(p) < sealOverhead {
		return nil, binding{}, fmt.Errorf("%w: sealed payload of %d bytes is shorter than the %d-byte envelope", ErrAuth, len(p), sealOverhead)
	}
	epoch := binary.BigEndian.Uint64(p)
	ctr := binary.BigEndian.Uint64(p[8:])
	var bind binding
	copy(bind[:], p[:sealHeader])

	t.mu.Lock()
	cur := t.peers[port]
	var a cipher.AEAD
	if cur != nil && epoch == cur.epoch {
		a = cur.aead
	}
	var unproven error
	if track {
		if err := t.fresh(cur, epoch, ctr); errors.Is(err, errUnproven) {
			unproven = err // said only of authentic messages
		} else if err != nil {
			t.mu.Unlock()
			return nil, binding{}, err
		}
	}
	t.mu.Unlock()
	if a == nil {
		var err error
		if a, err = t.key.aead(port, epoch); err != nil {
			return nil, binding{}, err
		}
	}
	var nonce [12]byte
	binary.BigEndian.PutUint64(nonce[4:], ctr)
	var ad [23]byte
	plain, err := a.Open(p[sealHeader:sealHeader], nonce[:], p[sealHeader:], aad(&ad, kind, mt, to, b))
	if err != nil {
		return nil, binding{}, ErrAuth
	}
	if unproven != nil {
		return plain, bind, unproven
	}
	how := admitReply
	if track {
		how = admitTracked
	}
	if err := t.admit(port, epoch, ctr, a, how); err != nil {
		return plain, bind, err
	}
	return plain, bind, nil
}

// How admit takes a message.
const (
	admitTracked = iota // checked against and recorded in the replay window
	admitReply          // a reply, bound to our request: not tracked; it proves its session
	admitHeld           // tracked, but received before the reply that proved its session
)

// admit records an authentic message of session epoch numbered ctr from
// the sender at port, unless a concurrent message moved the sender on. A
// newer session replaces the sender's current one; in a table that
// requires proof, only a reply does, whatever its session, and the
// session's messages sealed before that reply are refused from then on.
// a is the session's cipher.
func (t *peerTable) admit(port uint32, epoch, ctr uint64, a cipher.AEAD, how int) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clock++
	cur := t.peers[port]
	if how != admitReply {
		err := t.fresh(cur, epoch, ctr)
		if how == admitHeld && err == errBeforeProof {
			err = nil // by its arrival, it is no replay: see Client.Messages
		}
		if err != nil {
			return err
		}
	}
	proof := t.proven && how == admitReply
	if cur == nil || epoch > cur.epoch || proof && epoch != cur.epoch {
		if cur == nil && len(t.peers) >= maxPeers {
			t.evict()
		}
		cur = &peer{epoch: epoch, aead: a}
		if proof {
			cur.from = ctr
		}
		t.peers[port] = cur
	}
	if how != admitReply {
		cur.win.accept(ctr)
	}
	cur.used = t.clock
	return nil
}

// errUnproven is said of an authentic message from a session that no
// reply has proven, by a table that requires proof (peerTable.proven).
var errUnproven = fmt.Errorf("%w: no reply from the sender has proven its session", ErrStale)

// errBeforeProof is said of a message sealed before the reply that proved
// its session, by a table that requires proof.
var errBeforeProof = fmt.Errorf("%w: the message was sealed before the reply that proved its session", ErrReplay)

// fresh checks that a message of session epoch numbered ctr is neither
// stale nor a replay, given what is known of its sender (cur, or nil).
// Called with t.mu held.
func (t *peerTable) fresh(cur *peer, epoch, ctr uint64) error {
	switch {
	case t.proven && (cur == nil || epoch != cur.epoch):
		return errUnproven
	case (cur == nil || epoch > cur.epoch) && epoch > uint64(time.Now().Add(maxEpochAhead).UnixNano()):
		return fmt.Errorf("%w: %s", ErrStale, staleFuture)
	case cur == nil && epoch <= t.floor:
		return fmt.Errorf("%w: %s", ErrStale, staleBeforeReceiver)
	case cur != nil && epoch < cur.epoch:
		return fmt.Errorf("%w: the sender has begun a newer session", ErrStale)
	case cur != nil && epoch == cur.epoch && cur.from != 0 && ctr <= cur.from:
		return errBeforeProof
	case cur != nil && epoch == cur.epoch && !cur.win.check(ctr):
		return ErrReplay
	}
	return nil
}

// evict forgets the least recently heard sender. Called with t.mu held.
func (t *peerTable) evict() {
	var oldest uint32
	var op *peer
	for port, p := range t.peers {
		if op == nil || p.used < op.used {
			oldest, op = port, p
		}
	}
	if op != nil {
		t.floor = max(t.floor, op.epoch)
		delete(t.peers, oldest)
	}
}
