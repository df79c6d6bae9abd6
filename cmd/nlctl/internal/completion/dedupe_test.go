package completion

import (
	"slices"
	"testing"
)

func TestDedupe(t *testing.T) {
	got := dedupe([]string{"main", "local", "main", "x", "local"})
	if want := []string{"main", "local", "x"}; !slices.Equal(got, want) {
		t.Errorf("dedupe = %q, want %q", got, want)
	}
}
