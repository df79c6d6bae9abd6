package rtnl_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
)

// newHandle gives a test a fresh namespace (the host guard is in
// netnstest.New) and a Handle inside it, closed when the test ends.
func newHandle(t testing.TB) (*netnstest.NS, *rtnl.Handle) {
	t.Helper()
	ns := netnstest.New(t)
	ns.MustNotBeHost()
	h, err := rtnl.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return ns, h
}

var bg = context.Background()

// captureEnv turns on the tests that record real kernel messages as fuzz
// seeds (NLKIT_CAPTURE_SEEDS=1 go test ./rtnl -run Capture).
const captureEnv = "NLKIT_CAPTURE_SEEDS"

// captureSeeds records every message of a dump as a seed of the fuzz
// target named fuzz, in testdata/fuzz/<fuzz>/, in the go test corpus
// format: a single []byte, the whole netlink message (header included).
func captureSeeds(t *testing.T, fuzz string, h *rtnl.Handle, req func(*nl.Encoder)) {
	t.Helper()
	var e nl.Encoder
	req(&e)
	dir := filepath.Join("testdata", "fuzz", fuzz)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for m, err := range h.Conn().Dump(bg, &e) {
		if err != nil {
			t.Fatal(err)
		}
		raw := nl.AppendMessage(nil, m)
		sum := sha256.Sum256(raw)
		name := filepath.Join(dir, "kernel-"+hex.EncodeToString(sum[:8]))
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", raw)
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	t.Logf("%s: %d seeds", fuzz, n)
}
