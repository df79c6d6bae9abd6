package nl_test

import (
	"testing"

	"github.com/nlkit/nlkit/nl"
)

// TestDatagramMessagesNoAlloc: ranging over a datagram's messages
// allocates nothing (a listener does it for every datagram).
func TestDatagramMessagesNoAlloc(t *testing.T) {
	var e nl.Encoder
	e.Begin(16, 0)
	e.Fixed(16)
	e.End()
	b := e.Bytes()
	n := testing.AllocsPerRun(100, func() {
		d := nl.Datagram{Data: b, Len: len(b)}
		for m, err := range d.Messages() {
			_, _ = m, err
		}
	})
	if n != 0 {
		t.Errorf("Datagram.Messages: %v allocations per datagram, want 0", n)
	}
}
