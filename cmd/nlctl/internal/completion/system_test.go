package completion

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIDNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt_tables")
	data := "# reserved values\n255\tlocal\n254 main # the main table\n\n0x10 sixteen\nbad line\nnotanumber name\n#7 commented\n1\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"local", "main", "sixteen"}
	if got := idNames(path); !slices.Equal(got, want) {
		t.Errorf("idNames = %q, want %q", got, want)
	}
	if got := idNames(filepath.Join(t.TempDir(), "missing")); got != nil {
		t.Errorf("idNames of a missing file = %q", got)
	}
}

func TestDedupe(t *testing.T) {
	got := dedupe([]string{"main", "local", "main", "x", "local"})
	if want := []string{"main", "local", "x"}; !slices.Equal(got, want) {
		t.Errorf("dedupe = %q, want %q", got, want)
	}
}
