package catalog

import (
	"os"
	"testing"
)

// TestMain builds the tables first: the tests read them directly.
func TestMain(m *testing.M) {
	load()
	os.Exit(m.Run())
}
