package kfeature

import (
	"context"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// VxlanVNIFilterFeature names the VXLAN VNI filter in skip messages.
const VxlanVNIFilterFeature = "the VXLAN VNI filter (vnifilter, RTM_GETTUNNEL; Linux 5.18)"

// HasVxlanVNIFilter asks the kernel for a dump of the VNI filter database
// (RTM_GETTUNNEL, family AF_BRIDGE): a kernel with the VXLAN VNI filter
// answers it (with nothing when no device has one), one without refuses
// the message type. The VXLAN device kind itself is HasLinkKind's to probe.
func HasVxlanVNIFilter(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(122, unix.NLM_F_DUMP)  // RTM_GETTUNNEL
	e.Fixed(8)[0] = unix.AF_BRIDGE // struct tunnel_msg
	e.End()
	for _, err := range c.Dump(context.Background(), &e) {
		if err == nil {
			continue
		}
		var ne *nl.Error
		if !errors.As(err, &ne) {
			t.Fatalf("probe: dumping the VNI filter: %v", err)
		}
		return false, "an RTM_GETTUNNEL dump answered " + describeAnswer(ne)
	}
	return true, "an RTM_GETTUNNEL dump of family AF_BRIDGE was answered"
}

// RequireVxlanVNIFilter skips the test unless the kernel has the VXLAN
// device kind and its VNI filter.
func RequireVxlanVNIFilter(t testing.TB, ns *netnstest.NS) {
	t.Helper()
	RequireLinkKinds(t, ns, "vxlan")
	ok, ev := HasVxlanVNIFilter(t, ns)
	Require(t, VxlanVNIFilterFeature, ok, ev)
}
