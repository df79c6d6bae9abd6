package nl

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"
)

// TraceEnv is the environment variable that turns tracing on for every
// Conn dialed while it is set to a non-empty value other than "0": each
// message sent and received is described on standard error.
const TraceEnv = "NLKIT_TRACE"

// tracer prints every datagram a Conn sends or receives, like
// `strace -e trace=netlink` with the payloads decoded.
type tracer struct {
	mu    sync.Mutex
	w     io.Writer
	proto Protocol
	d     Describer
	buf   bytes.Buffer
}

func newTracer(cfg *Config, p Protocol, d Describer) *tracer {
	w := cfg.Trace
	if w == nil {
		if v := os.Getenv(TraceEnv); v != "" && v != "0" {
			w = os.Stderr
		}
	}
	if w == nil {
		return nil
	}
	return &tracer{w: w, proto: p, d: d}
}

// datagram describes one datagram sent or received; n is its full length,
// larger than len(b) when it was cut.
func (t *tracer) datagram(dir string, b []byte, meta Meta, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Reset()
	peer := "to"
	if dir == "recv" {
		peer = "from"
	}
	fmt.Fprintf(&t.buf, "netlink %v %s %d bytes %s port %d", t.proto, dir, len(b), peer, meta.Port)
	if meta.Group != 0 {
		fmt.Fprintf(&t.buf, " group %d", meta.Group)
	}
	if n > len(b) {
		fmt.Fprintf(&t.buf, " (cut: %d bytes long)", n)
	}
	t.buf.WriteByte('\n')
	if t.proto == KObjectUEvent {
		// Uevents are NUL-separated text, not netlink messages.
		fmt.Fprintf(&t.buf, "    %q\n", b)
		t.w.Write(t.buf.Bytes())
		return
	}
	for len(b) > 0 {
		m, rest, err := NextMessage(b)
		if err != nil {
			fmt.Fprintf(&t.buf, "    !! %v: % x\n", err, b)
			break
		}
		m.Meta = meta
		d := Describe(t.proto, m, t.d)
		d.Format(&t.buf, "    ")
		b = rest
	}
	t.w.Write(t.buf.Bytes())
}

// note prints one line.
func (t *tracer) note(s string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "netlink %v: %s\n", t.proto, s)
}
