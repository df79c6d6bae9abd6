package rtnl_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/internal/fuzzseed"
	"github.com/nlkit/nlkit/internal/kfeature"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// vniNS makes a namespace with two VXLAN devices with a VNI filter, vx0
// and vx1, and returns their indexes.
func vniNS(t *testing.T) (*netnstest.NS, *rtnl.Handle, int, int) {
	t.Helper()
	ns, h := newHandle(t)
	kfeature.RequireVxlanVNIFilter(t, ns)
	ns.IP("link", "add", "vx0", "type", "vxlan", "dstport", "4789", "external", "vnifilter")
	ns.IP("link", "add", "vx1", "type", "vxlan", "dstport", "4790", "external", "vnifilter")
	vx0, err := h.LinkByName(bg, "vx0")
	if err != nil {
		t.Fatal(err)
	}
	vx1, err := h.LinkByName(bg, "vx1")
	if err != nil {
		t.Fatal(err)
	}
	return ns, h, vx0.Index, vx1.Index
}

// TestVxlanVNIAddListDelete adds VNIs (one, a range, with a remote of each
// family) to a VNI filter, lists them back, by device and with counters,
// compares with what bridge vni shows, and deletes them.
func TestVxlanVNIAddListDelete(t *testing.T) {
	ns, h, vx0, vx1 := vniNS(t)
	add := []rtnl.VxlanVNI{
		{LinkIndex: vx0, VNI: 100},
		{LinkIndex: vx0, VNI: 200, VNIEnd: 203},
		{LinkIndex: vx0, VNI: 300, Group: netip.MustParseAddr("10.0.0.5")},
		{LinkIndex: vx0, VNI: 400, Group: netip.MustParseAddr("2001:db8::1")},
		{LinkIndex: vx1, VNI: 7},
	}
	for i := range add {
		if err := h.AddVxlanVNI(bg, &add[i]); err != nil {
			t.Fatalf("add %+v: %v", add[i], err)
		}
	}
	got, err := h.ListVxlanVNIs(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, add) {
		t.Errorf("listed\n%+v\nadded\n%+v", got, add)
	}
	// bridge sees what we added.
	if out := ns.Exec("bridge", "-j", "vni", "show", "dev", "vx1"); out != `[{"ifname":"vx1","vnis":[{"vni":7}]}]`+"\n" {
		t.Errorf("bridge -j vni show dev vx1: %q", out)
	}

	got, err = h.ListVxlanVNIs(bg, &rtnl.VxlanVNIFilter{LinkIndex: vx0, Stats: true})
	if err != nil {
		t.Fatal(err)
	}
	// With counters, the kernel reports a range one VNI at a time.
	if len(got) != 7 {
		t.Fatalf("with stats, vx0's VNIs: %+v", got)
	}
	for _, v := range got {
		if v.LinkIndex != vx0 || v.Stats == nil || v.VNIEnd != 0 {
			t.Errorf("with stats: %+v", v)
		}
	}

	for _, v := range []rtnl.VxlanVNI{add[1], add[2]} {
		if err := h.DeleteVxlanVNI(bg, &v); err != nil {
			t.Fatalf("delete %+v: %v", v, err)
		}
	}
	got, err = h.ListVxlanVNIs(bg, &rtnl.VxlanVNIFilter{LinkIndex: vx0})
	if err != nil {
		t.Fatal(err)
	}
	if want := []rtnl.VxlanVNI{add[0], add[3]}; !reflect.DeepEqual(got, want) {
		t.Errorf("after deleting, listed\n%+v\nwant\n%+v", got, want)
	}
}

// TestVxlanVNIErrors checks what is refused before anything is sent, and
// the kernel's refusals.
func TestVxlanVNIErrors(t *testing.T) {
	_, h, vx0, _ := vniNS(t)
	for _, v := range []*rtnl.VxlanVNI{
		nil,
		{VNI: 1},
		{LinkIndex: vx0},
		{LinkIndex: vx0, VNI: 1 << 24},
		{LinkIndex: vx0, VNI: 10, VNIEnd: 5},
	} {
		if err := h.AddVxlanVNI(bg, v); err == nil {
			t.Errorf("AddVxlanVNI(%+v) accepted", v)
		}
	}
	// A multicast group needs a local address and a device.
	err := h.AddVxlanVNI(bg, &rtnl.VxlanVNI{LinkIndex: vx0, VNI: 5, Group: netip.MustParseAddr("239.1.1.1")})
	if err == nil {
		t.Error("a multicast group without a local address was accepted")
	}
	// Deleting a VNI the filter lacks.
	if err := h.DeleteVxlanVNI(bg, &rtnl.VxlanVNI{LinkIndex: vx0, VNI: 77}); err == nil {
		t.Error("deleting an absent VNI succeeded")
	}
}

// TestCaptureVxlanVNISeeds records the kernel's VNI filter dumps (with and
// without counters) as seeds of FuzzVxlanVNI.
func TestCaptureVxlanVNISeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	ns, h, _, _ := vniNS(t)
	ns.Exec("bridge", "vni", "add", "vni", "100", "dev", "vx0")
	ns.Exec("bridge", "vni", "add", "vni", "200-203", "dev", "vx0")
	ns.Exec("bridge", "vni", "add", "vni", "300", "remote", "10.0.0.5", "dev", "vx0")
	ns.Exec("bridge", "vni", "add", "vni", "400", "remote", "2001:db8::1", "dev", "vx1")
	dir := filepath.Join("testdata", "fuzz", "FuzzVxlanVNI")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, flags := range []byte{0, 1} {
		var e nl.Encoder
		e.Begin(122, unix.NLM_F_DUMP) // RTM_GETTUNNEL
		hdr := e.Fixed(8)
		hdr[0], hdr[1] = unix.AF_BRIDGE, flags
		e.End()
		for m, err := range h.Conn().Dump(bg, &e) {
			if err != nil {
				t.Fatal(err)
			}
			// Each seed keeps the header and tunnel_msg and a share of
			// the entries (an entry with counters split in parts), to
			// stay within 128 bytes (maxSeedLen).
			raw := nl.AppendMessage(nil, m)
			const start = nl.HeaderLen + 8
			for _, p := range (fuzzseed.Splitter{}).Split(raw[start:], 128-start) {
				seed := append(slices.Clip(raw[:start]), p...)
				binary.NativeEndian.PutUint32(seed, uint32(len(seed)))
				sum := sha256.Sum256(seed)
				if err := fuzzseed.Write(filepath.Join(dir, "kernel-"+hex.EncodeToString(sum[:8])), seed); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
	}
	t.Logf("FuzzVxlanVNI: %d seeds", n)
}
