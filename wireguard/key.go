package wireguard

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// KeyLen is the length of a WireGuard key in bytes (WG_KEY_LEN).
const KeyLen = 32

// A Key is a WireGuard key: a Curve25519 private or public key, or a
// preshared key. Its zero value is "no key" where the kernel reports one
// and "remove the key" where one is set.
type Key [KeyLen]byte

// ParseKey parses a key in base64, as wg(8) prints and reads keys (44
// characters ending in '=').
func ParseKey(s string) (Key, error) {
	var k Key
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return k, fmt.Errorf("wireguard: key %q: %w", s, err)
	}
	if len(b) != KeyLen {
		return k, fmt.Errorf("wireguard: key %q: %d bytes, want %d", s, len(b), KeyLen)
	}
	copy(k[:], b)
	return k, nil
}

// String returns k in base64, as wg(8) prints keys.
func (k Key) String() string { return base64.StdEncoding.EncodeToString(k[:]) }

// IsZero reports whether k is all zeros: no key.
func (k Key) IsZero() bool { return k == Key{} }

// PublicKey returns the public key of k, a private key: the Curve25519
// product of k (clamped) and the base point, as `wg pubkey` computes it.
func (k Key) PublicKey() Key {
	var pub Key
	priv, err := ecdh.X25519().NewPrivateKey(k[:])
	if err != nil {
		return pub // unreachable: every 32-byte string is an X25519 private key
	}
	copy(pub[:], priv.PublicKey().Bytes())
	return pub
}

// GeneratePrivateKey returns a new random private key, clamped as
// `wg genkey` clamps it (the kernel clamps keys it is given alike).
func GeneratePrivateKey() (Key, error) {
	k, err := GenerateKey()
	if err != nil {
		return k, err
	}
	k[0] &= 248
	k[31] = k[31]&127 | 64
	return k, nil
}

// GenerateKey returns 32 random bytes: a preshared key, as `wg genpsk`
// makes one.
func GenerateKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("wireguard: generate key: %w", err)
	}
	return k, nil
}
