package hellonl_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/kmod/hello/hellonl"
	"github.com/nlkit/nlkit/nl"
)

func TestEncodeEcho(t *testing.T) {
	var e nl.Encoder
	hellonl.EncodeEcho(&e, nl.Acknowledge, "hi")
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	b := e.Bytes()
	h, err := nl.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	// The Encoder pads the payload, and the module reads text up to the
	// first NUL.
	if h.Type != hellonl.MsgEcho || h.Flags != nl.Acknowledge || h.Len != nl.HeaderLen+4 {
		t.Errorf("header %v, want type %d flags ACK len %d", h, hellonl.MsgEcho, nl.HeaderLen+4)
	}
	if len(b) != nl.HeaderLen+4 || string(b[nl.HeaderLen:]) != "hi\x00\x00" {
		t.Errorf("message % x", b)
	}
}

func TestEncodeBroadcast(t *testing.T) {
	var e nl.Encoder
	hellonl.EncodeBroadcast(&e, 0, 7)
	b := e.Bytes()
	h, err := nl.ParseHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Type != hellonl.MsgBroadcast || h.Len != nl.HeaderLen+4 {
		t.Errorf("header %v, want type %d len %d", h, hellonl.MsgBroadcast, nl.HeaderLen+4)
	}
	if g := binary.NativeEndian.Uint32(b[nl.HeaderLen:]); g != 7 {
		t.Errorf("group %d, want 7", g)
	}
}

func reply(t nl.MsgType, data string) nl.Message {
	return nl.Message{Header: nl.Header{Type: t}, Data: []byte(data)}
}

func TestParseReply(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    nl.Message
		text string
		seq  uint32
	}{
		{"padded", reply(nl.MsgDone, "Hello from kernel! seq=42\x00\x00\x00"), "Hello from kernel! seq=42", 42},
		{"no NUL", reply(nl.MsgDone, "Hello from kernel! seq=0"), "Hello from kernel! seq=0", 0},
		{"max", reply(nl.MsgDone, hellonl.Greeting(1<<32-1)+"\x00"), "Hello from kernel! seq=4294967295", 1<<32 - 1},
	} {
		r, err := hellonl.ParseReply(tc.m)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if r.Text != tc.text || r.Seq != tc.seq {
			t.Errorf("%s: got %+v, want %q seq %d", tc.name, r, tc.text, tc.seq)
		}
	}
}

func TestParseReplyRejects(t *testing.T) {
	for name, m := range map[string]nl.Message{
		"type":     reply(nl.MsgError, "Hello from kernel! seq=1\x00"),
		"prefix":   reply(nl.MsgDone, "Hi from kernel! seq=1\x00"),
		"empty":    reply(nl.MsgDone, ""),
		"no seq":   reply(nl.MsgDone, "Hello from kernel! seq=\x00"),
		"sign":     reply(nl.MsgDone, "Hello from kernel! seq=-1\x00"),
		"overflow": reply(nl.MsgDone, "Hello from kernel! seq=4294967296\x00"),
		"trailing": reply(nl.MsgDone, "Hello from kernel! seq=1 \x00"),
	} {
		if _, err := hellonl.ParseReply(m); !errors.Is(err, nl.ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

func TestParseEvent(t *testing.T) {
	data := binary.NativeEndian.AppendUint32(nil, 5)
	data = binary.NativeEndian.AppendUint32(data, 3)
	ev, err := hellonl.ParseEvent(nl.Message{Header: nl.Header{Type: hellonl.MsgEvent}, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if ev != (hellonl.Event{Count: 5, Group: 3}) {
		t.Errorf("got %+v, want count 5 group 3", ev)
	}
	if _, err := hellonl.ParseEvent(nl.Message{Header: nl.Header{Type: hellonl.MsgEvent}, Data: data[:7]}); !errors.Is(err, nl.ErrMalformed) {
		t.Errorf("short event: got %v, want ErrMalformed", err)
	}
	if _, err := hellonl.ParseEvent(nl.Message{Header: nl.Header{Type: hellonl.MsgEcho}, Data: data}); !errors.Is(err, nl.ErrMalformed) {
		t.Errorf("wrong type: got %v, want ErrMalformed", err)
	}
}

// maxFuzzPayload bounds the payloads FuzzParse tries.
const maxFuzzPayload = 64

func FuzzParse(f *testing.F) {
	f.Add(uint16(nl.MsgDone), []byte("Hello from kernel! seq=1\x00"))
	f.Add(uint16(nl.MsgDone), []byte("Hello from kernel! seq=99999999999"))
	f.Add(uint16(hellonl.MsgEvent), []byte{1, 0, 0, 0, 2, 0, 0, 0})
	f.Add(uint16(hellonl.MsgEvent), []byte{1})
	f.Fuzz(func(t *testing.T, typ uint16, data []byte) {
		// The module's replies are at most 36 bytes and its events 8:
		// the first 64 bytes hold all the parsers tell apart (the
		// greeting, a number too long for 32 bits, what follows the NUL,
		// an event's further fields). Longer payloads only made the
		// fuzzer find "new" inputs in quoting more of the same into
		// error messages (coverage counts how often a loop runs), and
		// spend most of -fuzztime minimising them, seconds each.
		data = data[:min(len(data), maxFuzzPayload)]
		m := nl.Message{Header: nl.Header{Type: nl.MsgType(typ)}, Data: data}
		if r, err := hellonl.ParseReply(m); err == nil && r.Text != hellonl.Greeting(r.Seq) {
			t.Errorf("reply %q parsed as seq %d", r.Text, r.Seq)
		}
		if ev, err := hellonl.ParseEvent(m); err == nil && len(data) >= 8 &&
			ev.Count != binary.NativeEndian.Uint32(data) {
			t.Errorf("event %+v from % x", ev, data)
		}
	})
}
