package wireguard

import (
	"context"
	"os"
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// CaptureDeviceSeeds records the kernel's WG_CMD_GET_DEVICE replies for
// the device as seeds of FuzzDeviceDecode, when NLKIT_CAPTURE_SEEDS=1:
// the kernel tests call it once their devices hold what a seed should
// (peers, endpoints learnt, handshakes, counters). Messages over max bytes
// are left out, to keep seeds small.
func CaptureDeviceSeeds(t *testing.T, c *Client, name string, max int) {
	t.Helper()
	if os.Getenv("NLKIT_CAPTURE_SEEDS") != "1" {
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
		if raw := nl.AppendMessage(nil, m.Message); len(raw) <= max {
			msgs = append(msgs, raw)
		}
	}
	writeSeeds(t, "FuzzDeviceDecode", msgs)
}
