package rtnl

import (
	"context"
	"errors"

	"github.com/nlkit/nlkit/nl"
)

// A Batch collects many changes (of links, addresses, routes, nexthops,
// neighbours and rules, in any mix) and applies them with as few system
// calls as the kernel allows, reporting the outcome of each. It is the API a
// routing daemon loads a full table with.
//
// The changes are encoded as they are added; nothing is sent before Run.
// A Batch is not safe for concurrent use; it may be reused after Reset.
type Batch struct {
	h *Handle
	e nl.Encoder
}

// NewBatch returns an empty batch that will run on h.
func (h *Handle) NewBatch() *Batch { return &Batch{h: h} }

// Len returns the number of changes in the batch.
func (b *Batch) Len() int {
	return b.e.Len()
}

// Grow makes room for about n more changes (of the usual sizes: a route
// or neighbour request takes 40 to 80 bytes), so that adding them does not
// reallocate the batch's buffer as it fills.
func (b *Batch) Grow(n int) {
	b.e.Grow(n * 64)
	b.e.GrowMessages(n)
}

// Reset empties the batch, keeping its memory.
func (b *Batch) Reset() { b.e.Reset() }

// Run applies the changes in order. It returns nil when all succeeded and
// otherwise an *nl.BatchError: each failure's Index is the change's position
// in the batch (counting from 0) and its Err names the change, as
// "add route 10.0.0.0/8 dev v0: ...". With opts.ContinueOnError every change
// is tried; by default Run stops after the system call that carried the
// first failure, and changes from BatchError.Done on were not applied.
func (b *Batch) Run(ctx context.Context, opts *nl.BatchOptions) error {
	if err := b.e.Err(); err != nil {
		return err
	}
	err := b.h.c.Batch(ctx, &b.e, opts)
	var be *nl.BatchError
	if errors.As(err, &be) {
		names := b.h.linkNames(ctx)
		for _, f := range be.Failures {
			var ne *nl.Error
			if errors.As(f.Err, &ne) {
				ne.Op = DescribeRequest(b.e.Message(f.Index), names)
			}
		}
	}
	return err
}

// add encodes one change with enc. A change that fails to encode (a
// value out of range, an attribute over 64 KiB) is taken back whole, so
// the batch holds only the changes that were accepted.
func (b *Batch) add(enc func(*nl.Encoder) error) error {
	n := b.e.Len()
	if err := enc(&b.e); err != nil {
		b.e.Truncate(n)
		return err
	}
	return nil
}

// Request returns the i'th change as the netlink message it was encoded
// into, for logging or describing with DescribeRequest.
func (b *Batch) Request(i int) nl.Message { return b.e.Message(i) }
