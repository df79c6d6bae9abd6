package nl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// readMode says how a datagram is read from the socket.
type readMode uint8

const (
	// readPeek peeks at each datagram first to learn its size, grows the
	// buffer if it must and reads it then: nothing is ever cut, at the
	// price of a second system call per datagram. Exchanges use it, since
	// a reply cut short could not be asked for again.
	readPeek readMode = iota
	// readOnce reads each datagram with one recvmsg. One larger than the
	// buffer comes back cut: its full length says so, and the buffer grows
	// for the next. Listeners, dumps and batch acknowledgements use it.
	readOnce
)

// errListenerYield is returned by receive when a listener must give the
// socket to a waiting requester.
var errListenerYield = errors.New("yield")

// receive reads one datagram into *buf and returns the bytes read, their
// metadata and the datagram's full length, which exceeds len(data) when
// the datagram was cut (readOnce only; the buffer has then grown). Called
// with the exchange lock held. A listener (listening) returns
// errListenerYield when a requester waits.
func (c *Conn) receive(o *op, buf *[]byte, oob []byte, listening bool, mode readMode) ([]byte, Meta, int, error) {
	for {
		if c.closed.Load() {
			return nil, Meta{}, 0, net.ErrClosed
		}
		dl, which := o.deadline(c)
		if !c.sockDLOK || !dl.Equal(c.sockDL) {
			c.sock.SetReadDeadline(dl)
			c.sockDL, c.sockDLOK = dl, true
		}
		if err := o.ctx.Err(); err != nil {
			return nil, Meta{}, 0, err
		}
		if listening && c.waiting.Load() > 0 {
			return nil, Meta{}, 0, errListenerYield
		}
		n, oobn, from, err := c.sock.Receive(*buf, oob, mode == readPeek)
		if err != nil {
			switch {
			case c.closed.Load():
				return nil, Meta{}, 0, net.ErrClosed
			case errors.Is(err, os.ErrDeadlineExceeded):
				c.sockDLOK = false // a kick may have moved it
				if cerr := o.ctx.Err(); cerr != nil {
					return nil, Meta{}, 0, cerr
				}
				if !dl.IsZero() && !time.Now().Before(dl) {
					switch which {
					case dlContext:
						return nil, Meta{}, 0, context.DeadlineExceeded
					case dlInner:
						return nil, Meta{}, 0, errInnerDeadline
					}
					return nil, Meta{}, 0, os.ErrDeadlineExceeded
				}
				continue // woken for another reason: look again
			case errors.Is(err, unix.ENOBUFS):
				c.noteOverrun()
				return nil, Meta{}, 0, &OverrunError{}
			}
			return nil, Meta{}, 0, fmt.Errorf("netlink: receive: %w", err)
		}
		got := min(n, len(*buf))
		data := (*buf)[:got]
		if n > len(*buf) {
			grown := make([]byte, Align(n+4095)&^4095)
			if mode == readPeek {
				*buf = grown
				continue // read it again, whole
			}
			// The head stays valid for the caller: it lives in the old
			// buffer, which the connection no longer uses.
			*buf = grown
		}
		if mode == readPeek {
			if _, _, _, err := c.sock.Receive(nil, nil, false); err != nil {
				if errors.Is(err, unix.ENOBUFS) {
					// The kernel reported its overrun before dequeuing:
					// the datagram stays queued, to be read again.
					c.noteOverrun()
					return nil, Meta{}, 0, &OverrunError{}
				}
				return nil, Meta{}, 0, fmt.Errorf("netlink: receive: %w", err)
			}
		}
		meta := Meta{Port: from.Port}
		if from.Groups != 0 {
			meta.Group = uint32(firstBit(from.Groups))
		}
		ParseControl(oob[:oobn], &meta)
		if c.trace != nil {
			c.trace.datagram("recv", data, meta, n)
		}
		return data, meta, n, nil
	}
}

func firstBit(v uint32) int {
	for i := 0; i < 32; i++ {
		if v&(1<<i) != 0 {
			return i + 1
		}
	}
	return 0
}
