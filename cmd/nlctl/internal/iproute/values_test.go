package iproute

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIDFileNames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rt_tables")
	data := "# reserved values\n255\tlocal\n254 main # the main table\n\n0x10 sixteen\nbad line\nnotanumber name\n#7 commented\n1\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	want := []string{"sixteen", "main", "local"}
	if got := sortedNames(readIPRouteIDFile(path, true)); !slices.Equal(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
	if got := readIPRouteIDFile(filepath.Join(t.TempDir(), "missing"), true); len(got) != 0 {
		t.Errorf("names of a missing file = %v", got)
	}
}
