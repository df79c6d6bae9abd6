package netnstest_test

import (
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
)

// A test gets its own namespace, reachable by nlkit and by `ip -n`.
func ExampleNew() {
	var t *testing.T // the test's *testing.T
	ns := netnstest.New(t)
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v1")
	c := ns.Dial(nl.Route, nil)
	_ = c // list, add, watch: all inside the test's namespace
}
