package iproute

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/netns/netnstest"
)

// A word of a megabyte, wherever it stands on a command line or a -batch
// line, is never echoed whole: the errors show its start and its length.
func TestLongWordsNotEchoed(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v1")
	w := strings.Repeat("w", 1000000)
	cases := [][]string{
		{w},
		{"-" + w},
		{"-n", w, "link"},
		{"link", w},
		{"link", "show", w},
		{"link", "show", "v0", w},
		{"link", "show", "group", w},
		{"link", "show", "master", w},
		{"link", "set", "dev", w, "up"},
		{"link", "set", w, "up"},
		{"link", "set", "dev", "v0", "name", w},
		{"link", "set", "dev", "v0", "mtu", w},
		{"link", "set", "dev", "v0", "address", w},
		{"link", "set", "dev", "v0", "promisc", w},
		{"link", "set", "dev", "v0", "netns", w},
		{"link", "set", "dev", "v0", w},
		{"link", "delete", w},
		{"link", "add", w, "type", "veth"},
		{"link", "add", "x0", "type", w, "x"},
		{"link", "add", "x0", "type", "veth", w},
		{"link", "add", "x0", "type", "bridge", w},
		{"link", "add", "x0", "type", "vxlan", "id", "1", "ttl", w},
		{"address", "add", w, "dev", "v0"},
		{"address", "add", "10.9.9.9/24", "dev", w},
		{"address", "add", "10.9.9.9/24", "dev", "v0", "scope", w},
		{"address", "add", "10.9.9.9/24", "dev", "v0", w},
		{"address", "show", "dev", w},
		{"route", "add", w},
		{"route", "add", "10.9.0.0/16", "via", w},
		{"route", "add", "10.9.0.0/16", "dev", "v0", w},
		{"route", "add", "10.9.0.0/16", "dev", "v0", "table", w},
		{"route", "show", "table", w},
		{"route", "get", w},
		{"rule", "add", w},
		{"rule", "add", "iif", w},
		{"rule", "add", "table", "5", "fwmark", w},
		{"rule", "show", "table", w},
		{"neigh", "add", w, "dev", "v0"},
		{"neigh", "add", "10.9.9.9", "dev", "v0", "nud", w},
		{"neigh", "add", "10.9.9.9", "dev", "v0", "lladdr", w},
		{"nexthop", "add", "id", "1", w},
		{"nexthop", "add", "id", w},
		{"nexthop", "add", "id", "1", "group", w},
		{"nexthop", "show", w},
		{"nexthop", "bucket", "show", w},
		{"netns", "add", w},
		{"netns", "pids", w},
		{"netns", "del", w},
		{"netns", "set", w, "5"},
		{"netns", "set", "x", w},
		{"netns", "identify", w},
		{"netns", "list-id", w},
		{"netns", "exec", w, "true"},
		{"netns", "exec", "nlkit-no-such-netns", w},
	}
	check := func(how string, args []string, code int, errs string) {
		t.Helper()
		if code == cli.ExitOK || len(errs) > 1000 || strings.Contains(errs, w[:100]) && !strings.Contains(errs, " bytes)") {
			t.Errorf("%s %.40q: exit %d, %d bytes of errors: %.300q", how, args, code, len(errs), errs)
		}
	}
	dir := t.TempDir()
	for _, args := range cases {
		code, _, errs := nlctl(append([]string{"-n", ns.Name}, args...)...)
		check("nlctl", args, code, errs)
		if args[0] == "-n" {
			continue
		}
		path := filepath.Join(dir, "long.batch")
		if err := os.WriteFile(path, []byte(strings.Join(args, " ")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, errs = nlctl("-n", ns.Name, "-batch", path)
		check("-batch", args, code, errs)
	}

	// A -batch line over batchrun.MaxLine is refused with its number, and
	// with -force the next lines run.
	path := filepath.Join(dir, "huge.batch")
	huge := "# first\nlink show dev " + strings.Repeat("h", 3<<20) + "\nlink show dev lo\n"
	if err := os.WriteFile(path, []byte(huge), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := nlctl("-n", ns.Name, "-force", "-batch", path)
	if code != cli.ExitSyntax || errs != "nlctl: line 2: the line is longer than 1048576 bytes\n" || !strings.Contains(out, "lo: <LOOPBACK") {
		t.Errorf("a line of 3 MiB: exit %d, stderr %.300q, stdout %.300q", code, errs, out)
	}
}
