package wireguard

import (
	"context"
	"encoding/binary"
	"os"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/internal/fuzzseed"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// CaptureDeviceSeeds records the kernel's WG_CMD_GET_DEVICE replies for
// the device as seeds of FuzzDeviceDecode, when NLKIT_CAPTURE_SEEDS=1
// (=log in a guest, whose files are lost: see writeSeeds):
// the kernel tests call it once their devices hold what a seed should
// (peers, endpoints learnt, handshakes, counters). Messages over max bytes
// are split (internal/fuzzseed) into parts of at most max bytes, each with
// the device's index and name and its peers' keys, of which the first and
// the last are kept: a dump's later messages start with the continuation
// of a peer, which the parts keep.
func CaptureDeviceSeeds(t *testing.T, c *Client, name string, max int) {
	t.Helper()
	mode := os.Getenv("NLKIT_CAPTURE_SEEDS")
	if mode != "1" && mode != "log" {
		return
	}
	ctx := context.Background()
	f, err := c.family(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	f.Begin(&e, unix.WG_CMD_GET_DEVICE, nl.Flags(unix.NLM_F_DUMP))
	e.String(unix.WGDEVICE_A_IFNAME, name)
	e.End()
	var msgs [][]byte
	for m, err := range c.c.Dump(ctx, &e) {
		if err != nil {
			t.Fatal(err)
		}
		raw := nl.AppendMessage(nil, m.Message)
		if len(raw) <= max {
			msgs = append(msgs, raw)
			continue
		}
		parts := splitMessage(raw, max)
		msgs = append(msgs, parts[0])
		if len(parts) > 1 {
			msgs = append(msgs, parts[len(parts)-1])
		}
	}
	writeSeeds(t, "FuzzDeviceDecode", msgs, mode == "log")
}

// splitMessage splits a WG_CMD_GET_DEVICE reply into messages of at most
// max bytes where it can, each keeping the device's index and name and
// the key of every peer it holds part of.
func splitMessage(raw []byte, max int) [][]byte {
	start := nl.HeaderLen + genl.HeaderLen
	s := fuzzseed.Splitter{Keep: [][]uint16{
		{unix.WGDEVICE_A_IFINDEX}, {unix.WGDEVICE_A_IFNAME},
		{unix.WGDEVICE_A_PEERS, 0, unix.WGPEER_A_PUBLIC_KEY},
	}}
	var out [][]byte
	for _, p := range s.Split(raw[start:], max-start) {
		m := append(slices.Clip(raw[:start]), p...)
		binary.NativeEndian.PutUint32(m, uint32(len(m)))
		out = append(out, m)
	}
	return out
}
