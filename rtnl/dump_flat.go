package rtnl

import (
	"context"
	"iter"

	"github.com/nlkit/nlkit/nl"
)

// flatDump lists objects the kernel sends several to a message (the VLAN
// database and its global options, VXLAN VNI filters, VLAN counters): it
// lists the messages with dump (the request build encodes, the replies
// of type want decoded by decode, those keep rejects skipped) and yields
// their entries one at a time.
func flatDump[M, T any](ctx context.Context, h *Handle, build func(*nl.Encoder), want nl.MsgType,
	decode func(*M, nl.Message) error, keep func(*M) bool, entries func(*M) []T) iter.Seq2[*T, error] {
	dec := func(m *M, msg nl.Message, _ *store) error { return decode(m, msg) }
	return func(yield func(*T, error) bool) {
		for m, err := range dump(ctx, h, build, want, dec, keep) {
			if err != nil {
				yield(nil, err)
				return
			}
			xs := entries(m)
			for i := range xs {
				if !yield(&xs[i], nil) {
					return
				}
			}
		}
	}
}

// listAll gathers a listing into a slice, running it again when the
// kernel reports the dump interrupted by a change.
func listAll[T any](seq iter.Seq2[*T, error]) ([]T, error) {
	var out []T
	err := nl.Retry(nl.DefaultRetries, func() error {
		out = out[:0]
		for x, err := range seq {
			if err != nil {
				return err
			}
			out = append(out, *x)
		}
		return nil
	})
	return out, err
}
