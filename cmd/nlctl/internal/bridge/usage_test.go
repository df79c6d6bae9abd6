package bridge

import (
	"strings"
	"testing"
)

// TestHelp asks every object for its help, alone and after a verb: each
// prints its usage and exits 0, as bridge does.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{
		{"help"}, {"link", "help"}, {"link", "show", "help"}, {"fdb", "help"}, {"fdb", "show", "help"},
		{"mdb", "help"}, {"vlan", "help"}, {"vlan", "global", "help"}, {"vlan", "set", "help"},
		{"vni", "help"}, {"vni", "add", "help"}, {"monitor", "help"},
	} {
		code, out, errs := nlctl(append([]string{"bridge"}, args...)...)
		want := "usage: nlctl bridge "
		if args[0] != "help" {
			want += args[0]
		}
		if code != 0 || !strings.HasPrefix(out, want) || errs != "" {
			t.Errorf("bridge %s: exit %d, stdout %q, stderr %q; want exit 0 and %q...", strings.Join(args, " "), code, out, errs, want)
		}
	}
}
