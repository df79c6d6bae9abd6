package genl

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"context"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// fuzzMessage reads b as one netlink message, if it is one.
func fuzzMessage(b []byte) (nl.Message, bool) {
	m, _, err := nl.NextMessage(b)
	return m, err == nil
}

// FuzzFamilyDecode decodes controller replies: no input panics, and what
// decodes encodes back to the same family. The corpus holds every family
// a kernel listed (NLKIT_CAPTURE_SEEDS=1 go test ./genl -run Capture).
func FuzzFamilyDecode(f *testing.F) {
	for _, fam := range []Family{
		{ID: 16, Name: "nlctrl", Version: 2, MaxAttr: 10, Ops: []Op{{3, OpCmdCapDo | OpCmdCapDump}}, Groups: []MulticastGroup{{16, "notify"}}},
		{ID: 30, Name: "wireguard", Version: 1, MaxAttr: 8, Ops: []Op{{0, OpAdminPerm | OpCmdCapDump}, {1, OpAdminPerm | OpCmdCapDo}}},
	} {
		var e nl.Encoder
		controller().Begin(&e, unix.CTRL_CMD_NEWFAMILY, 0)
		encodeFamily(&e, &fam)
		e.End()
		f.Add(nl.AppendMessage(nil, e.Message(0)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, ok := fuzzMessage(b)
		if !ok {
			return
		}
		var fam Family
		if fam.Decode(m) != nil {
			return
		}
		var e nl.Encoder
		controller().Begin(&e, unix.CTRL_CMD_NEWFAMILY, 0)
		encodeFamily(&e, &fam)
		if err := e.End(); err != nil {
			return // a name or list too long to encode again
		}
		var again Family
		if err := again.Decode(e.Message(0)); err != nil {
			t.Fatalf("re-encoded %+v does not decode: %v", fam, err)
		}
		if !reflect.DeepEqual(fam, again) {
			t.Fatalf("decoded %+v, re-encoded and decoded %+v", fam, again)
		}
	})
}

// TestCaptureFamilySeeds records the controller's description of every
// family the kernel has as seeds for FuzzFamilyDecode
// (NLKIT_CAPTURE_SEEDS=1), inside a namespace of the test's.
func TestCaptureFamilySeeds(t *testing.T) {
	if os.Getenv("NLKIT_CAPTURE_SEEDS") != "1" {
		t.Skip("set NLKIT_CAPTURE_SEEDS=1 to record fuzz seeds")
	}
	ns := netnstest.New(t)
	c, err := Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := filepath.Join("testdata", "fuzz", "FuzzFamilyDecode")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	e := c.Encoder()
	controller().Begin(e, unix.CTRL_CMD_GETFAMILY, unix.NLM_F_DUMP)
	e.End()
	n := 0
	for m, err := range c.Dump(context.Background(), e) {
		if err != nil {
			t.Fatal(err)
		}
		raw := nl.AppendMessage(nil, m.Message)
		sum := sha256.Sum256(raw)
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", raw)
		if err := os.WriteFile(filepath.Join(dir, "kernel-"+hex.EncodeToString(sum[:8])), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	t.Logf("%d seeds", n)
}
