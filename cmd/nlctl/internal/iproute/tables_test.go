package iproute

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
)

// Table names come from rt_tables and rt_tables.d, the administrator's
// overriding the distribution's, and serve both reading and printing.
func TestTableNames(t *testing.T) {
	dir := t.TempDir()
	usr, etc := filepath.Join(dir, "usr"), filepath.Join(dir, "etc")
	for _, d := range []string{usr, filepath.Join(etc, "rt_tables.d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(usr, "rt_tables"), "255 local\n254 main\n100 old # a comment\n101 kept\n")
	write(filepath.Join(etc, "rt_tables"), "# local names\n100 vpn\n")
	write(filepath.Join(etc, "rt_tables.d", "a.conf"), "0x200 hex\n")
	write(filepath.Join(etc, "rt_tables.d", "b.ignored"), "300 nope\n")
	n := &iprouteNames{tables: readRTTables(usr, etc)}
	for name, want := range map[string]uint32{"vpn": 100, "kept": 101, "hex": 0x200, "main": 254, "local": 255, "all": 0, "7": 7} {
		if got, err := n.parseTable("table", name); err != nil || got != want {
			t.Errorf("table %s: %d, %v; want %d", name, got, err, want)
		}
	}
	for _, bad := range []string{"old", "nope", "VPN", ""} {
		if _, err := n.parseTable("table", bad); cli.Status(err) != cli.ExitSyntax {
			t.Errorf("table %q: %v, want a usage error", bad, err)
		}
	}
	for id, want := range map[uint32]string{100: "vpn", 101: "kept", 0x200: "hex", 254: "main", 253: "default", 300: "300"} {
		if got := n.tableName(id); got != want {
			t.Errorf("table %d printed %q, want %q", id, got, want)
		}
	}
}
