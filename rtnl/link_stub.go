package rtnl

import (
	"context"

	"github.com/nlkit/nlkit/nl"
)

// linkObject words the link in request m for errors (stub until link.go lands).
func linkObject(m nl.Message, names func(int) string) string { return "" }

// Link stub.
type Link struct {
	Index int
	Name  string
}

// LinkFilter stub.
type LinkFilter struct{}

// LinkByIndex stub.
func (h *Handle) LinkByIndex(ctx context.Context, index int) (*Link, error) { return nil, nil }

// ListLinks stub.
func (h *Handle) ListLinks(ctx context.Context, f *LinkFilter) ([]Link, error) { return nil, nil }
