package iproute

import (
	"iter"

	"github.com/nlkit/nlkit/nl"
)

// A chunkList holds the values of a listing that must be kept whole (the
// links whose names others refer to, the addresses grouped by link) in
// chunks that grow from chunkMin to chunkMax values: values never move once
// added, and a long listing is held once, not copied as it grows nor at its
// end, as collecting it into one slice would.
type chunkList[T any] struct {
	chunks [][]T
	n      int
}

const (
	chunkMin = 16
	chunkMax = 1024
)

// add appends a copy of *v and returns a pointer to it.
func (c *chunkList[T]) add(v *T) *T {
	k := len(c.chunks) - 1
	if k < 0 || len(c.chunks[k]) == cap(c.chunks[k]) {
		size := chunkMin
		if k >= 0 {
			size = min(2*cap(c.chunks[k]), chunkMax)
		}
		c.chunks = append(c.chunks, make([]T, 0, size))
		k++
	}
	c.chunks[k] = append(c.chunks[k], *v)
	c.n++
	return &c.chunks[k][len(c.chunks[k])-1]
}

// len returns the number of values.
func (c *chunkList[T]) len() int { return c.n }

// all yields a pointer to every value, in the order they were added.
func (c *chunkList[T]) all() iter.Seq[*T] {
	return func(yield func(*T) bool) {
		for _, ch := range c.chunks {
			for i := range ch {
				if !yield(&ch[i]) {
					return
				}
			}
		}
	}
}

// collectList gathers a listing into a chunkList, listing again (as rtnl's
// List* methods do) when the kernel reports the dump interrupted by a
// change. list returns the iterator of one listing.
func collectList[T any](list func() iter.Seq2[*T, error]) (*chunkList[T], error) {
	var c *chunkList[T]
	err := nl.Retry(nl.DefaultRetries, func() error {
		c = new(chunkList[T])
		for v, err := range list() {
			if err != nil {
				return err
			}
			c.add(v)
		}
		return nil
	})
	return c, err
}
