package nl

import (
	"context"
	"iter"
)

// The family toolkit: what every family needs to turn dumps into typed
// objects, written once. A family supplies, per kind of object, the
// message type that carries it and a function that decodes one message
// into it (an ObjectDecoder); Objects, Collect and Snapshot do the rest.

// An ObjectDecoder reads one kind of object from the messages that carry
// it, in dumps and in events alike.
type ObjectDecoder[T any] struct {
	// Type is the message type that carries the object (RTM_NEWROUTE);
	// replies of other types are skipped. 0 takes every message that is
	// not a control message.
	Type MsgType
	// Decode fills v from m; v was cleared (set to its zero value) before
	// the call. The values it stores must not alias m.Data, which is
	// reused.
	Decode func(v *T, m Message) error
	// Keep, if not nil, selects the objects to yield: the user-space half
	// of a filter the kernel may not apply (older kernels, or fields it
	// cannot filter on).
	Keep func(v *T) bool
}

// Objects runs the dump request encoded in e on c and yields every reply
// decoded by d, into one reused value: the *T is valid until the next
// iteration (copy the value to keep it), so that listing costs no
// allocation per object beyond what the value itself holds. The dump holds
// the connection while the loop body runs: making a request on c from the
// body waits for the dump's end, forever. Errors are
// yielded after the dump, when the connection is free again, so that the
// loop body may use c to handle them: the kernel's, ErrDumpInterrupted
// (wrap the loop in Retry, or use Collect), or the first decoding error
// (the rest of the dump is read and dropped).
func Objects[T any](ctx context.Context, c *Conn, e *Encoder, d ObjectDecoder[T]) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		var v, zero T
		var err error
		for m, derr := range c.Dump(ctx, e) {
			if derr != nil {
				err = derr
				break
			}
			if d.Type != 0 && m.Header.Type != d.Type || m.Header.Type < MsgMinType {
				continue
			}
			v = zero
			if derr := d.Decode(&v, m); derr != nil {
				err = derr
				break
			}
			if d.Keep != nil && !d.Keep(&v) {
				continue
			}
			if !yield(&v, nil) {
				return
			}
		}
		if err != nil {
			yield(nil, err)
		}
	}
}

// Collect runs the dump request encoded in e and returns its objects as a
// slice, fetching the dump again (DefaultRetries times at most) when the
// kernel reports it interrupted by a change, so that the result is
// consistent. A small listing allocates little: values are gathered in
// chunks that start small and grow, then copied once into a slice of the
// exact size.
func Collect[T any](ctx context.Context, c *Conn, e *Encoder, d ObjectDecoder[T]) ([]T, error) {
	var chunks [][]T
	err := Retry(DefaultRetries, func() error {
		chunks = chunks[:0]
		var cur []T
		for v, err := range Objects(ctx, c, e, d) {
			if err != nil {
				return err
			}
			if len(cur) == cap(cur) {
				if cur != nil {
					chunks = append(chunks, cur)
				}
				cur = make([]T, 0, min(max(8, 2*cap(cur)), 1024))
			}
			cur = append(cur, *v)
		}
		if cur != nil {
			chunks = append(chunks, cur)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, ch := range chunks {
		n += len(ch)
	}
	if len(chunks) == 1 && len(chunks[0]) == n {
		return chunks[0][:n:n], nil
	}
	out := make([]T, 0, n)
	for i, ch := range chunks {
		out = append(out, ch...)
		chunks[i] = nil // let the chunk go as soon as it is copied
	}
	return out, nil
}
