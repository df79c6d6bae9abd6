// Package kfeature detects kernel features for nlkit's tests, by asking
// the kernel.
//
// Kernels from 5.10 on differ in what they are built with (policy routing,
// multicast routing, device kinds, lightweight tunnels) and in what their
// version knows (newer rule selectors, nexthop group kinds). A test that
// needs such a feature asks the kernel first, in its own namespace, with a
// request whose answer says only whether the feature exists: a family the
// kernel does not register (EAFNOSUPPORT), a device kind it calls unknown,
// an attribute its policy names when given a malformed value (or ignores,
// when it does not know it), a message that says the feature is not built.
// Where the kernel lacks the feature, the test (or the part of it that
// needs the feature) is skipped through netnstest.SkipFeature, which
// records the skip; where the kernel has it, any refusal of the test's own
// request fails the test. An errno alone (EINVAL, EOPNOTSUPP) is never
// taken as evidence: an encoding bug produces the same.
package kfeature

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// Rule families (RTNL_FAMILY_IPMR and RTNL_FAMILY_IP6MR in
// linux/rtnetlink.h) and the features they stand for.
const (
	FamilyIPMR  = 128
	FamilyIP6MR = 129
)

var ruleFamilyFeatures = map[uint8]string{
	unix.AF_INET:  "IPv4 policy routing (CONFIG_IP_MULTIPLE_TABLES)",
	unix.AF_INET6: "IPv6 policy routing (CONFIG_IPV6_MULTIPLE_TABLES)",
	FamilyIPMR:    "IPv4 multicast routing rules (CONFIG_IP_MROUTE_MULTIPLE_TABLES)",
	FamilyIP6MR:   "IPv6 multicast routing rules (CONFIG_IPV6_MROUTE_MULTIPLE_TABLES)",
}

// linkKindFeatures names the configuration of device kinds tests create.
var linkKindFeatures = map[string]string{
	"bridge":  "bridge devices (CONFIG_BRIDGE)",
	"macvlan": "macvlan devices (CONFIG_MACVLAN)",
	"macvtap": "macvtap devices (CONFIG_MACVTAP)",
	"vxlan":   "VXLAN devices (CONFIG_VXLAN)",
	"ifb":     "ifb devices (CONFIG_IFB)",
	"vrf":     "VRF devices (CONFIG_NET_VRF)",
	"veth":    "veth devices (CONFIG_VETH)",

	"dummy":     "dummy devices (CONFIG_DUMMY)",
	"vlan":      "802.1Q VLAN devices (CONFIG_VLAN_8021Q)",
	"bond":      "bonding devices (CONFIG_BONDING)",
	"ipvlan":    "ipvlan devices (CONFIG_IPVLAN)",
	"gre":       "GRE devices (CONFIG_NET_IPGRE)",
	"gretap":    "GRE devices (CONFIG_NET_IPGRE)",
	"erspan":    "GRE devices (CONFIG_NET_IPGRE)",
	"ip6gre":    "IPv6 GRE devices (CONFIG_IPV6_GRE)",
	"ip6gretap": "IPv6 GRE devices (CONFIG_IPV6_GRE)",
	"ip6erspan": "IPv6 GRE devices (CONFIG_IPV6_GRE)",
	"ipip":      "IPIP devices (CONFIG_NET_IPIP)",
	"sit":       "SIT devices (CONFIG_IPV6_SIT)",
	"ip6tnl":    "IPv6 tunnel devices (CONFIG_IPV6_TUNNEL)",
	"geneve":    "Geneve devices (CONFIG_GENEVE)",
}

// Feature names of the other probes.
const (
	L3mdevRulesFeature         = "l3mdev rules (CONFIG_NET_L3_MASTER_DEV)"
	RouteClassidFeature        = "route realms (CONFIG_IP_ROUTE_CLASSID)"
	IPv6SubtreesFeature        = "IPv6 source routing (CONFIG_IPV6_SUBTREES)"
	BridgeMcastSnoopingFeature = "bridge multicast snooping (CONFIG_BRIDGE_IGMP_SNOOPING)"
	BridgeVLANFilteringFeature = "bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)"
	NexthopResilientFeature    = "resilient nexthop groups and their buckets (NHA_RES_GROUP)"
	NexthopStatsFeature        = "nexthop group statistics (NHA_OP_FLAGS)"
	NexthopWideWeightsFeature  = "16-bit nexthop group weights (struct nexthop_grp weight_high)"
	StrictCheckFeature         = "strict checking of requests and kernel-side dump filters (NETLINK_GET_STRICT_CHK)"
	NoMasterFilterFeature      = "dump filter for links without a master (IFLA_MASTER/NDA_MASTER of -1, Linux 5.12)"
	BridgeL2MDBFeature         = "layer-2 (MAC) groups in the bridge multicast database (MDB entry proto 0, Linux 5.11)"
)

var lwtFeatures = map[uint16]string{
	unix.LWTUNNEL_ENCAP_IP:  "IPv4 tunnel encapsulation of routes (CONFIG_LWTUNNEL, CONFIG_NET_IP_TUNNEL)",
	unix.LWTUNNEL_ENCAP_IP6: "IPv6 tunnel encapsulation of routes (CONFIG_LWTUNNEL, CONFIG_NET_IP_TUNNEL)",
}

// probeConn dials a route socket in the namespace for one probe.
func probeConn(t testing.TB, ns *netnstest.NS) *nl.Conn {
	t.Helper()
	return ns.Dial(nl.Route, &nl.Config{StrictCheck: true})
}

// probeDo sends one request and returns the kernel's answer: nil, an
// *nl.Error, or (another error) a failure of the test.
func probeDo(t testing.TB, c *nl.Conn, e *nl.Encoder) *nl.Error {
	t.Helper()
	if err := e.Err(); err != nil {
		t.Fatalf("probe: %v", err)
	}
	_, err := c.Execute(context.Background(), e)
	if err == nil {
		return nil
	}
	var ne *nl.Error
	if !errors.As(err, &ne) {
		t.Fatalf("probe: %v", err)
	}
	return ne
}

// describeAnswer words a kernel answer for the skip log.
func describeAnswer(ne *nl.Error) string {
	if ne == nil {
		return "accepted"
	}
	name := unix.ErrnoName(ne.Errno)
	if ne.Errno == unix.EOPNOTSUPP {
		name = "EOPNOTSUPP" // rather than its alias ENOTSUP
	}
	s := fmt.Sprintf("%s (%d)", name, int(ne.Errno))
	if ne.Message != "" {
		s += fmt.Sprintf(" %q", ne.Message)
	}
	if ne.Offset != 0 {
		s += fmt.Sprintf(" at offset %d", ne.Offset)
	}
	return s
}

// Require skips the test unless present.
func Require(t testing.TB, feature string, present bool, evidence string) {
	t.Helper()
	if !present {
		netnstest.SkipFeature(t, feature, evidence)
	}
	t.Logf("kernel has %s: %s", feature, evidence)
}

// SkipPart records, as a skipped subtest named part, a part of a test
// that the kernel cannot run; the rest of the test goes on.
func SkipPart(t *testing.T, part, feature, evidence string) {
	t.Helper()
	t.Run(part, func(t *testing.T) { netnstest.SkipFeature(t, feature, evidence) })
}

// HasStrictCheck asks for strict checking of requests on a route socket of
// the namespace (NETLINK_GET_STRICT_CHK): a kernel without it refuses the
// option (ENOPROTOOPT), and then filters no dump by the request's fields
// and checks no request's header strictly.
func HasStrictCheck(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	var optErr error
	err := ns.Do(func() error {
		fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		optErr = unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_GET_STRICT_CHK, 1)
		return nil
	})
	switch {
	case err != nil:
		t.Fatalf("probe: %v", err)
	case optErr == nil:
		return true, "setsockopt(NETLINK_GET_STRICT_CHK) accepted"
	case errors.Is(optErr, unix.ENOPROTOOPT):
		return false, "setsockopt(NETLINK_GET_STRICT_CHK) answered ENOPROTOOPT"
	}
	t.Fatalf("probe: setsockopt(NETLINK_GET_STRICT_CHK): %v", optErr)
	return false, ""
}

// HasRuleFamily asks for a rule dump of one family: the kernel answers
// EAFNOSUPPORT when it registers no rules of that family.
func HasRuleFamily(t testing.TB, ns *netnstest.NS, family uint8) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_GETRULE, unix.NLM_F_DUMP)
	e.Fixed(12)[0] = family
	e.End()
	n := 0
	for _, err := range c.Dump(context.Background(), &e) {
		if err != nil {
			var ne *nl.Error
			if errors.As(err, &ne) && ne.Errno == unix.EAFNOSUPPORT {
				return false, fmt.Sprintf("RTM_GETRULE dump of family %d answered %s", family, describeAnswer(ne))
			}
			t.Fatalf("probe: rule dump of family %d: %v", family, err)
		}
		n++
	}
	return true, fmt.Sprintf("RTM_GETRULE dump of family %d answered %d rules", family, n)
}

// RequireRuleFamilies skips the test unless the kernel has rules of every
// family listed.
func RequireRuleFamilies(t testing.TB, ns *netnstest.NS, families ...uint8) {
	t.Helper()
	for _, f := range families {
		ok, ev := HasRuleFamily(t, ns, f)
		Require(t, RuleFamilyFeature(f), ok, ev)
	}
}

// HasLinkKind asks the kernel to create a device of the kind, with nothing
// but a name: it answers "Unknown device type" when no such kind is
// registered (and, without modules, none can be loaded). A device the
// probe creates is deleted at once.
func HasLinkKind(t testing.TB, ns *netnstest.NS, kind string) (bool, string) {
	t.Helper()
	ne := probeNewLink(t, ns, kind, nil)
	what := fmt.Sprintf("RTM_NEWLINK of kind %q answered %s", kind, describeAnswer(ne))
	if ne != nil && ne.Errno == unix.EOPNOTSUPP && ne.Message == "Unknown device type" {
		return false, what
	}
	return true, what
}

// probeNewLink asks the kernel to create a device named nlkit-probe0 of
// the kind, with data (if not nil) encoding its IFLA_INFO_DATA, and returns
// the kernel's refusal, if any; a device it creates is deleted at once.
func probeNewLink(t testing.TB, ns *netnstest.NS, kind string, data func(*nl.Encoder)) *nl.Error {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	encodeProbeLink(&e, kind, data)
	ne := probeDo(t, c, &e)
	if ne == nil {
		deleteProbeLink(t, c, probeLinkName)
	}
	return ne
}

// probeLinkName names the devices probes create.
const probeLinkName = "nlkit-probe0"

// encodeProbeLink encodes the creation of the probe device of the kind,
// with data (if not nil) encoding its IFLA_INFO_DATA.
func encodeProbeLink(e *nl.Encoder, kind string, data func(*nl.Encoder)) {
	e.Begin(unix.RTM_NEWLINK, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, probeLinkName)
	li := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, kind)
	if data != nil {
		d := e.Nest(unix.IFLA_INFO_DATA)
		data(e)
		e.EndNest(d)
	}
	e.EndNest(li)
	e.End()
}

func deleteProbeLink(t testing.TB, c *nl.Conn, name string) {
	t.Helper()
	var e nl.Encoder
	e.Begin(unix.RTM_DELLINK, unix.NLM_F_ACK)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, name)
	e.End()
	if ne := probeDo(t, c, &e); ne != nil {
		t.Fatalf("probe: deleting %s: %v", name, ne)
	}
}

// RequireLinkKinds skips the test unless the kernel has every device kind
// listed.
func RequireLinkKinds(t testing.TB, ns *netnstest.NS, kinds ...string) {
	t.Helper()
	for _, k := range kinds {
		ok, ev := HasLinkKind(t, ns, k)
		Require(t, LinkKindFeature(k), ok, ev)
	}
}

// namesAttr reports whether the kernel's refusal points at the attribute
// at path (outermost first) for a reason other than not knowing it: its
// policy has the attribute.
func namesAttr(ne *nl.Error, path ...uint16) bool {
	return ne != nil && slices.Equal(ne.Attr, path) && !strings.Contains(ne.Message, "Unknown attribute")
}

// HasLinkDataAttr asks whether the kernel's policy for the kind's
// IFLA_INFO_DATA has attribute attr: it creates nothing, sending the
// attribute empty, which fails the policy of every attribute with a value.
// A kernel that knows the attribute names it in its refusal; one that does
// not ignores it (the data is parsed leniently) and refuses the request
// for another reason, or creates the device, which is then deleted.
func HasLinkDataAttr(t testing.TB, ns *netnstest.NS, kind string, attr uint16) (bool, string) {
	t.Helper()
	ne := probeNewLink(t, ns, kind, func(e *nl.Encoder) { e.Attr(attr, nil) })
	what := fmt.Sprintf("RTM_NEWLINK of kind %q with an empty IFLA_INFO_DATA attribute %d answered %s", kind, attr, describeAnswer(ne))
	if ne == nil {
		return false, what
	}
	return namesAttr(ne, unix.IFLA_LINKINFO, unix.IFLA_INFO_DATA, attr), what
}

// HasBridgeMcastSnooping creates a bridge and looks whether the kernel
// reports its multicast snooping setting, which it does exactly when
// built with snooping (and otherwise ignores the setting).
func HasBridgeMcastSnooping(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	return bridgeDataHas(t, ns, unix.IFLA_BR_MCAST_SNOOPING, "IFLA_BR_MCAST_SNOOPING")
}

// HasBridgeVLANFiltering creates a bridge and looks whether the kernel
// reports its default PVID, which it does exactly when built with VLAN
// filtering (without, it reports vlan_filtering 0 and refuses to turn it
// on, with a bare EOPNOTSUPP).
func HasBridgeVLANFiltering(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	return bridgeDataHas(t, ns, unix.IFLA_BR_VLAN_DEFAULT_PVID, "IFLA_BR_VLAN_DEFAULT_PVID")
}

// bridgeDataHas creates a bridge and reports whether its IFLA_INFO_DATA
// has the attribute attr (named name).
func bridgeDataHas(t testing.TB, ns *netnstest.NS, attr uint16, attrName string) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	const name = probeLinkName
	var e nl.Encoder
	encodeProbeLink(&e, "bridge", nil)
	if ne := probeDo(t, c, &e); ne != nil {
		t.Fatalf("probe: creating a bridge: %v", ne)
	}
	defer deleteProbeLink(t, c, name)
	e.Reset()
	e.Begin(unix.RTM_GETLINK, 0)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, name)
	e.End()
	msgs, err := c.Execute(context.Background(), &e)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("probe: getting the bridge: %v %v", msgs, err)
	}
	d := nl.NewAttrDecoder(msgs[0].Data[unix.SizeofIfInfomsg:])
	for d.Next() {
		if d.Type() != unix.IFLA_LINKINFO {
			continue
		}
		info := d.Nested()
		for info.Next() {
			if info.Type() != unix.IFLA_INFO_DATA {
				continue
			}
			data := info.Nested()
			for data.Next() {
				if data.Type() == attr {
					return true, "a new bridge's IFLA_INFO_DATA has " + attrName
				}
			}
		}
	}
	return false, "a new bridge's IFLA_INFO_DATA has no " + attrName
}

// HasRuleAttr asks whether the kernel's rule policy has attribute attr,
// with an RTM_DELRULE of a rule that does not exist carrying the attribute
// empty. Rules are parsed leniently: a kernel that does not know the
// attribute ignores it and answers ENOENT (no such rule); one that knows
// it refuses the empty value, pointing at it.
func HasRuleAttr(t testing.TB, ns *netnstest.NS, family uint8, attr uint16) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_DELRULE, unix.NLM_F_ACK)
	e.Fixed(12)[0] = family
	e.Attr(attr, nil)
	e.Uint32(unix.FRA_PRIORITY, 0xfffffff0)
	e.End()
	ne := probeDo(t, c, &e)
	what := fmt.Sprintf("RTM_DELRULE of a missing rule with an empty attribute %d answered %s", attr, describeAnswer(ne))
	if ne != nil && ne.Errno == unix.ENOENT {
		return false, what
	}
	// The attribute starts right after the 12-byte rule header.
	return ne != nil && ne.Offset == nl.HeaderLen+12 && !strings.Contains(ne.Message, "Unknown attribute"), what
}

// HasL3mdevRules asks to delete a missing l3mdev rule: a kernel with
// l3mdev answers ENOENT; one without refuses FRA_L3MDEV, saying so.
func HasL3mdevRules(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_DELRULE, unix.NLM_F_ACK)
	e.Fixed(12)[0] = unix.AF_INET
	e.Uint32(unix.FRA_PRIORITY, 0xfffffff0)
	e.Uint8(unix.FRA_L3MDEV, 1)
	e.End()
	ne := probeDo(t, c, &e)
	what := "RTM_DELRULE of a missing l3mdev rule answered " + describeAnswer(ne)
	return !(ne != nil && ne.Errno == unix.EINVAL && strings.Contains(ne.Message, "l3mdev")), what
}

// HasRouteClassid looks, in the namespace, for /proc/net/rt_acct, which
// the kernel provides exactly when built with route realms.
func HasRouteClassid(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	var statErr error
	if err := ns.Do(func() error {
		_, statErr = os.Stat("/proc/thread-self/net/rt_acct")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	switch {
	case statErr == nil:
		return true, "/proc/net/rt_acct exists"
	case errors.Is(statErr, os.ErrNotExist):
		return false, "/proc/net/rt_acct does not exist"
	}
	t.Fatalf("probe: %v", statErr)
	return false, ""
}

// HasIPv6Subtrees adds an IPv6 blackhole route with a source prefix, which
// a kernel without source routing refuses, saying so; the route is
// deleted at once.
func HasIPv6Subtrees(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	route := func(typ nl.MsgType, flags nl.Flags) *nl.Error {
		var e nl.Encoder
		e.Begin(typ, flags)
		h := e.Fixed(unix.SizeofRtMsg)
		h[0], h[1], h[2], h[4], h[5], h[7] = unix.AF_INET6, 48, 48, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RTN_BLACKHOLE
		e.Prefix(unix.RTA_DST, netip.MustParsePrefix("2001:db8:ffff::/48"))
		e.Prefix(unix.RTA_SRC, netip.MustParsePrefix("2001:db8:fffe::/48"))
		e.End()
		return probeDo(t, c, &e)
	}
	ne := route(unix.RTM_NEWROUTE, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	what := "RTM_NEWROUTE of an IPv6 route with a source prefix answered " + describeAnswer(ne)
	if ne == nil {
		if ne := route(unix.RTM_DELROUTE, unix.NLM_F_ACK); ne != nil {
			t.Fatalf("probe: deleting the source route: %v", ne)
		}
		return true, what
	}
	return !(ne.Errno == unix.EINVAL && strings.Contains(ne.Message, "SUBTREES")), what
}

// HasLWTEncap asks to delete a missing IPv4 route with an encapsulation
// of the type: the kernel checks the type first, refusing one it has no
// implementation of ("lwt encapsulation type not supported", or
// lightweight tunnels not built at all), and otherwise answers ESRCH.
func HasLWTEncap(t testing.TB, ns *netnstest.NS, typ uint16) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_DELROUTE, unix.NLM_F_ACK)
	h := e.Fixed(unix.SizeofRtMsg)
	h[0], h[1], h[4] = unix.AF_INET, 24, unix.RT_TABLE_MAIN
	e.Prefix(unix.RTA_DST, netip.MustParsePrefix("10.255.255.0/24"))
	e.Uint16(unix.RTA_ENCAP_TYPE, typ)
	e.End()
	ne := probeDo(t, c, &e)
	what := fmt.Sprintf("RTM_DELROUTE of a missing route with encapsulation type %d answered %s", typ, describeAnswer(ne))
	// A type past the kernel's last is refused as unknown, one it knows of
	// but was built without as not supported.
	absent := ne != nil && (ne.Errno == unix.EINVAL && strings.Contains(ne.Message, "Unknown lwt encapsulation type") ||
		ne.Errno == unix.EOPNOTSUPP && (strings.Contains(ne.Message, "not supported") || strings.Contains(ne.Message, "LWTUNNEL")))
	return !absent, what
}

// hasNexthopAttr sends an RTM_NEWNEXTHOP with attribute attr, empty, and
// nothing else: nexthop requests are parsed strictly, so a kernel that
// does not know the attribute refuses it as unknown, pointing at it; one
// that knows it refuses the request for what it lacks (NHA_RES_GROUP, 12,
// is resilient groups and their buckets).
func hasNexthopAttr(t testing.TB, ns *netnstest.NS, attr uint16) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWNEXTHOP, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	e.Fixed(8)
	n := e.Nest(attr)
	e.EndNest(n)
	e.End()
	ne := probeDo(t, c, &e)
	what := fmt.Sprintf("RTM_NEWNEXTHOP with only an empty attribute %d answered %s", attr, describeAnswer(ne))
	if ne == nil {
		t.Fatalf("probe: %s", what)
	}
	return !unknownAttrAt(ne, nl.HeaderLen+8), what
}

// HasNexthopResilient reports whether the kernel has resilient nexthop
// groups, and the kernel's answer that says so.
func HasNexthopResilient(t testing.TB, ns *netnstest.NS) (bool, string) {
	return hasNexthopAttr(t, ns, 12) // NHA_RES_GROUP
}

// unknownAttrAt reports whether the kernel refused the attribute at byte
// off of the request as unknown.
func unknownAttrAt(ne *nl.Error, off int) bool {
	return ne != nil && ne.Errno == unix.EINVAL && ne.Offset == off && strings.Contains(ne.Message, "Unknown attribute")
}

// hasNexthopDumpAttr dumps nexthops with the 32-bit attribute attr set to
// 0: a kernel that does not know it refuses it as unknown (dump requests
// are parsed strictly). NHA_OP_FLAGS (14) asks for group statistics.
// Older kernels say less: 6.1 names no offset in a dump's error (only the
// message; the request carries no other attribute, so it names this one),
// and 5.10 answers a bare EINVAL. A bare EINVAL is evidence only when an
// attribute no kernel knows (200) gets the very same answer.
func hasNexthopDumpAttr(t testing.TB, ns *netnstest.NS, attr uint16) (bool, string) {
	t.Helper()
	ne := nexthopDumpAnswer(t, ns, attr)
	what := fmt.Sprintf("RTM_GETNEXTHOP dump with attribute %d answered %s", attr, describeAnswer(ne))
	switch {
	case ne == nil:
		return true, what
	case unknownAttrAt(ne, nl.HeaderLen+8) || unknownAttrAt(ne, 0):
		return false, what
	case ne.Errno == unix.EINVAL && ne.Message == "" && ne.Offset == 0:
		ref := nexthopDumpAnswer(t, ns, 200)
		if ref != nil && ref.Errno == ne.Errno && ref.Message == "" && ref.Offset == 0 {
			return false, what + ", as for attribute 200, which no kernel knows"
		}
		return true, what + ", unlike attribute 200 (" + describeAnswer(ref) + ")"
	}
	return true, what
}

// nexthopDumpAnswer dumps nexthops with the 32-bit attribute attr set to 0
// and returns the kernel's refusal, or nil.
func nexthopDumpAnswer(t testing.TB, ns *netnstest.NS, attr uint16) *nl.Error {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_GETNEXTHOP, unix.NLM_F_DUMP)
	e.Fixed(8)
	e.Uint32(attr, 0)
	e.End()
	for _, err := range c.Dump(context.Background(), &e) {
		if err != nil {
			var ne *nl.Error
			if !errors.As(err, &ne) {
				t.Fatalf("probe: %v", err)
			}
			return ne
		}
	}
	return nil
}

// HasNexthopStats reports whether the kernel keeps nexthop group
// statistics, and the kernel's answer that says so.
func HasNexthopStats(t testing.TB, ns *netnstest.NS) (bool, string) {
	return hasNexthopDumpAttr(t, ns, 14) // NHA_OP_FLAGS
}

// HasNexthopWideWeights asks for a group whose one member (which does not
// exist) has the high byte of its weight set: a kernel with 16-bit weights
// looks the member up and refuses it; one without refuses the byte as
// reserved.
func HasNexthopWideWeights(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWNEXTHOP, unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	e.Fixed(8)
	e.Uint32(unix.NHA_ID, 0x7ffffff0)
	g := make([]byte, 8) // struct nexthop_grp: id, weight, weight_high, reserved
	binary.NativeEndian.PutUint32(g, 0x7ffffff1)
	g[5] = 1
	e.Attr(unix.NHA_GROUP, g)
	e.End()
	ne := probeDo(t, c, &e)
	what := "RTM_NEWNEXTHOP of a group with a weight's high byte set answered " + describeAnswer(ne)
	if ne == nil {
		t.Fatalf("probe: %s", what)
	}
	return !(ne.Errno == unix.EINVAL && strings.Contains(ne.Message, "Reserved")), what
}

// RuleFamilyFeature names the feature a rule family (AF_INET, AF_INET6,
// FamilyIPMR, FamilyIP6MR) stands for.
func RuleFamilyFeature(family uint8) string { return ruleFamilyFeatures[family] }

// LinkKindFeature names the kernel configuration of a device kind.
func LinkKindFeature(kind string) string {
	if f, ok := linkKindFeatures[kind]; ok {
		return f
	}
	return kind + " devices"
}

// LWTFeature names the feature of a lightweight tunnel encapsulation type
// (LWTUNNEL_ENCAP_*).
func LWTFeature(typ uint16) string { return lwtFeatures[typ] }

// HasNoMasterFilter asks for a dump of the links whose master is -1,
// which a kernel with the filter takes for "no master" (what `ip link show
// nomaster` and `ip neigh show nomaster` send) and an older one for a
// master that does not exist: the namespace's loopback, which has no
// master, is listed only by the former.
func HasNoMasterFilter(t testing.TB, ns *netnstest.NS) (bool, string) {
	t.Helper()
	c := probeConn(t, ns)
	var e nl.Encoder
	e.Begin(unix.RTM_GETLINK, unix.NLM_F_DUMP)
	e.Fixed(unix.SizeofIfInfomsg)
	e.Uint32(unix.IFLA_MASTER, 0xffffffff)
	e.End()
	n := 0
	for _, err := range c.Dump(context.Background(), &e) {
		if err != nil {
			t.Fatalf("probe: RTM_GETLINK dump with IFLA_MASTER -1: %v", err)
		}
		n++
	}
	return n > 0, fmt.Sprintf("RTM_GETLINK dump with IFLA_MASTER -1 listed %d links, loopback has no master", n)
}

// IFLA_GRE_ENCAP_TYPE and IFLA_GRE_ENCAP_DPORT (linux/if_tunnel.h), which
// x/sys/unix does not name.
const (
	greEncapType  = 14
	greEncapDPort = 17
)

// Tunnel UDP encapsulation types (TUNNEL_ENCAP_*), as IFLA_*_ENCAP_TYPE
// carries them.
const (
	TunnelEncapFOU = 1
	TunnelEncapGUE = 2
)

// TunnelEncapFeature names what the tunnel encapsulation typ (FOU or GUE)
// of IPv4 (v6 false) or IPv6 tunnels needs.
func TunnelEncapFeature(typ uint16, v6 bool) string {
	name := "FOU"
	if typ == TunnelEncapGUE {
		name = "GUE"
	}
	if v6 {
		return name + " encapsulation of IPv6 tunnels (CONFIG_IPV6_FOU_TUNNEL, module fou6)"
	}
	return name + " encapsulation of IPv4 tunnels (CONFIG_NET_FOU_IP_TUNNELS, module fou)"
}

// HasTunnelEncap asks the kernel to create a GRE device (ip6gre when v6)
// encapsulated in UDP of type typ: without the encapsulation's handlers
// registered (the fou or fou6 module) it answers EINVAL before creating
// anything. A device the probe creates is deleted at once. The GRE kind
// must be present.
func HasTunnelEncap(t testing.TB, ns *netnstest.NS, typ uint16, v6 bool) (bool, string) {
	t.Helper()
	kind := "gre"
	if v6 {
		kind = "ip6gre"
	}
	ne := probeNewLink(t, ns, kind, func(e *nl.Encoder) {
		e.Uint16(greEncapType, typ)
		e.Uint16BE(greEncapDPort, 5555)
	})
	what := fmt.Sprintf("RTM_NEWLINK of kind %q with encapsulation type %d answered %s", kind, typ, describeAnswer(ne))
	return ne == nil || ne.Errno != unix.EINVAL, what
}

// RequireTunnelEncap skips the test unless the kernel can encapsulate
// IPv4 (v6 false) or IPv6 tunnels in UDP of type typ.
func RequireTunnelEncap(t testing.TB, ns *netnstest.NS, typ uint16, v6 bool) {
	t.Helper()
	ok, ev := HasTunnelEncap(t, ns, typ, v6)
	Require(t, TunnelEncapFeature(typ, v6), ok, ev)
}
