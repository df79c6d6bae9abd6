package genl

import (
	"testing"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// TestNamesDescribe checks the Conn's Describer: a resolved family's
// messages are named by family and command, with the generic header (and
// the family's own) before their attributes; others are the catalog's.
func TestNamesDescribe(t *testing.T) {
	n := newNames()
	n.add(&Family{ID: 30, Name: "wireguard", Version: 1})
	n.add(&Family{ID: 31, Name: "withhdr", HeaderSize: 8})
	n.setCommands("wireguard", map[uint8]string{1: "WG_CMD_SET_DEVICE"})
	msg := func(typ uint16, data ...byte) nl.Message {
		return nl.Message{Header: nl.Header{Type: nl.MsgType(typ), Flags: nl.Request}, Data: data}
	}
	for _, tc := range []struct {
		m       nl.Message
		name    string
		hdrLen  int
		matched bool
	}{
		{msg(30, 1, 1, 0, 0), "wireguard WG_CMD_SET_DEVICE", HeaderLen, true},
		{msg(30, 0, 1, 0, 0), "wireguard command 0", HeaderLen, true},
		{msg(30), "wireguard command 0", HeaderLen, true}, // a capped ACK's echo: header alone
		{msg(31, 5, 1, 0, 0), "withhdr command 5", HeaderLen + 8, true},
		{msg(unix.GENL_ID_CTRL, unix.CTRL_CMD_GETFAMILY, 2, 0, 0), "CTRL_CMD_GETFAMILY", HeaderLen, true},
		{msg(40, 1, 1, 0, 0), "", 0, false},
	} {
		cm, ok := n.Describe(nl.Generic, tc.m)
		if ok != tc.matched || ok && (cm.Name != tc.name || cm.HeaderLen != tc.hdrLen) {
			t.Errorf("type %d: %+v %v, want %q with a header of %d", tc.m.Header.Type, cm, ok, tc.name, tc.hdrLen)
		}
	}
	if got := n.describe(40, 2); got != "genl family 40 command 2" {
		t.Errorf("describe of an unknown family: %q", got)
	}
	// The description goes through nl.Describe whole, malformed or not.
	d := nl.Describe(nl.Generic, msg(30, 1, 1, 0, 0, 8, 0, 1, 0, 3, 0, 0, 0), n)
	if d.Type != "wireguard WG_CMD_SET_DEVICE" || len(d.Attrs) != 1 {
		t.Errorf("nl.Describe: %+v", d)
	}
}
