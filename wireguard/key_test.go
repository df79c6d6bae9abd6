package wireguard_test

import (
	"encoding/hex"
	"testing"

	"github.com/nlkit/nlkit/wireguard"
)

// TestKeyPublicKey checks the Curve25519 public key against RFC 7748's
// test vector (section 6.1, Alice).
func TestKeyPublicKey(t *testing.T) {
	var priv, want wireguard.Key
	hex.Decode(priv[:], []byte("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
	hex.Decode(want[:], []byte("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"))
	if got := priv.PublicKey(); got != want {
		t.Errorf("public key %s, want %s", got, want)
	}
}

// TestKeyText round-trips keys through base64 and refuses malformed ones.
func TestKeyText(t *testing.T) {
	k, err := wireguard.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	if k[0]&7 != 0 || k[31]&128 != 0 || k[31]&64 == 0 {
		t.Errorf("private key %x is not clamped", k)
	}
	s := k.String()
	if len(s) != 44 || s[43] != '=' {
		t.Errorf("String() = %q, want 44 characters of base64", s)
	}
	back, err := wireguard.ParseKey(s)
	if err != nil || back != k {
		t.Errorf("ParseKey(%q) = %x, %v; want %x", s, back, err, k)
	}
	for _, bad := range []string{"", "AAAA", "not base64 at all!!!!!!!!!!!!!!!!!!!!!!!!!", k.String()[:40]} {
		if _, err := wireguard.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if !(wireguard.Key{}).IsZero() || k.IsZero() {
		t.Error("IsZero")
	}
	psk, err := wireguard.GenerateKey()
	if err != nil || psk.IsZero() || psk == k {
		t.Errorf("GenerateKey: %x %v", psk, err)
	}
}
