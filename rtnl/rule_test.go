package rtnl_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// ipRules returns `ip -j [FAMILY] rule show` as generic objects, keyed by
// priority.
func ipRules(t *testing.T, ns *netnstest.NS, family string) map[float64]map[string]any {
	t.Helper()
	args := []string{"-j", "rule", "show"}
	if family != "" {
		args = append([]string{family}, args...)
	}
	out := ns.IP(args...)
	var rs []map[string]any
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("ip %v: %v\n%s", args, err, out)
	}
	m := map[float64]map[string]any{}
	for _, r := range rs {
		m[r["priority"].(float64)] = r
	}
	return m
}

// wantKeys checks that an `ip -j` object has exactly these values (and
// maybe more keys).
func wantKeys(t *testing.T, what string, got map[string]any, want map[string]any) {
	t.Helper()
	if got == nil {
		t.Errorf("%s: missing", what)
		return
	}
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: %s = %#v, want %#v (all: %v)", what, k, got[k], v, got)
		}
	}
}

func rulePrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// testRules are rules of every kind, with what `ip -j rule show` prints
// for them.
func testRules() []struct {
	r  rtnl.Rule
	ip map[string]any
} {
	return []struct {
		r  rtnl.Rule
		ip map[string]any
	}{
		{rtnl.Rule{Priority: 100, Src: rulePrefix("10.0.0.0/8"), Dst: rulePrefix("192.168.1.0/24"), Table: 100},
			map[string]any{"src": "10.0.0.0", "srclen": 8.0, "dst": "192.168.1.0", "dstlen": 24.0, "table": "100"}},
		{rtnl.Rule{Priority: 200, Invert: true, Src: rulePrefix("10.1.0.0/16"), Mark: 0x10, Mask: 0xff, InputLinkName: "lo", OutputLinkName: "gone0", Table: 1000},
			map[string]any{"not": nil, "src": "10.1.0.0", "srclen": 16.0, "fwmark": "0x10", "fwmask": "0xff", "iif": "lo", "oif": "gone0", "oif_detached": nil, "table": "1000"}},
		{rtnl.Rule{Priority: 300, UIDRange: &rtnl.RuleUIDRange{Start: 100, End: 200}, IPProto: unix.IPPROTO_TCP,
			SrcPort: rtnl.RulePortRange{Start: 1000, End: 2000}, DstPort: rtnl.RulePortRange{Start: 80, End: 80}, Table: rtnl.TableMain},
			map[string]any{"src": "all", "uid_start": 100.0, "uid_end": 200.0, "ipproto": "tcp", "sport_start": 1000.0, "sport_end": 2000.0, "dport": 80.0, "table": "main"}},
		{rtnl.Rule{Priority: 400, Goto: 500},
			map[string]any{"goto": 500.0}},
		{rtnl.Rule{Priority: 500, Action: rtnl.RuleBlackhole}, map[string]any{"action": "blackhole"}},
		{rtnl.Rule{Priority: 501, Action: rtnl.RuleUnreachable}, map[string]any{"action": "unreachable"}},
		{rtnl.Rule{Priority: 502, Action: rtnl.RuleProhibit}, map[string]any{"action": "prohibit"}},
		{rtnl.Rule{Priority: 503, Action: rtnl.RuleNop}, map[string]any{"nop": nil}},
		{rtnl.Rule{Priority: 504, TOS: 0x10, Table: 5, SuppressPrefixLen: new(0), Protocol: rtnl.ProtoBGP},
			map[string]any{"tos": "0x10", "table": "5", "suppress_prefixlen": 0.0, "protocol": "bgp"}},
		{rtnl.Rule{Priority: 505, Table: 6, SuppressIfgroup: new(uint32(5))},
			map[string]any{"table": "6", "suppress_ifgroup": "5"}},
		{rtnl.Rule{Priority: 506, L3mdev: true}, map[string]any{"l3mdev": nil}},
		{rtnl.Rule{Priority: 507, Mark: 5, Realms: 3<<16 | 4, Table: 7},
			map[string]any{"fwmark": "0x5", "table": "7", "flow_from": "3", "flow_to": "4"}},
		{rtnl.Rule{Priority: 508, TunID: 55, Table: 7}, map[string]any{"tun_id": 55.0, "table": "7"}},
		{rtnl.Rule{Priority: 509, Table: 100000}, map[string]any{"table": "100000"}},
	}
}

func TestRuleAddListDelete(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	// The l3mdev and realms selectors are tested where the kernel is built
	// with them.
	l3mdev, l3mdevWhy := kfeature.HasL3mdevRules(t, ns)
	realms, realmsWhy := kfeature.HasRouteClassid(t, ns)
	var rules []struct {
		r  rtnl.Rule
		ip map[string]any
	}
	for _, tr := range testRules() {
		switch {
		case tr.r.L3mdev && !l3mdev:
			kfeature.SkipPart(t, "l3mdev", kfeature.L3mdevRulesFeature, l3mdevWhy)
		case tr.r.Realms != 0 && !realms:
			kfeature.SkipPart(t, "realms", kfeature.RouteClassidFeature, realmsWhy)
		default:
			rules = append(rules, tr)
		}
	}
	for i := range rules {
		if err := h.AddRule(bg, &rules[i].r); err != nil {
			t.Fatalf("add %v: %v", &rules[i].r, err)
		}
	}
	v6 := rtnl.Rule{Priority: 100, Src: rulePrefix("2001:db8::/32"), Dst: rulePrefix("2001:db8:1::1/128"), Table: 9}
	if err := h.AddRule(bg, &v6); err != nil {
		t.Fatal(err)
	}
	// Independently, through ip.
	got := ipRules(t, ns, "")
	for _, tr := range rules {
		wantKeys(t, tr.r.String(), got[float64(tr.r.Priority)], tr.ip)
	}
	got6 := ipRules(t, ns, "-6")
	wantKeys(t, "v6", got6[100], map[string]any{"src": "2001:db8::", "srclen": 32.0, "dst": "2001:db8:1::1", "table": "9"})
	if _, ok := got6[100]["dstlen"]; ok {
		t.Errorf("v6 host prefix has a dstlen: %v", got6[100])
	}

	// Our own listing gives back what was added, with the kernel's
	// defaults filled in.
	list, err := h.ListRules(bg, &rtnl.RuleFilter{Family: rtnl.IPv4})
	if err != nil {
		t.Fatal(err)
	}
	byPrio := map[uint32]rtnl.Rule{}
	for _, r := range list {
		if r.Family != rtnl.IPv4 {
			t.Errorf("family filter let through %v", r)
		}
		byPrio[r.Priority] = r
	}
	for _, tr := range rules {
		want := tr.r
		want.Family = rtnl.IPv4
		if want.Action == rtnl.RuleActionUnspec {
			want.Action = rtnl.RuleLookup
			if want.Goto != 0 {
				want.Action = rtnl.RuleGoto
			}
		}
		if want.Mark != 0 && want.Mask == 0 {
			want.Mask = 0xffffffff
		}
		if want.DstPort.Start == want.DstPort.End && want.DstPort.Start != 0 {
			want.DstPortMask = 0xffff // Linux 6.15 reports the mask of a single port
		}
		r := byPrio[want.Priority]
		if r.DstPortMask == 0 {
			want.DstPortMask = 0
		}
		r.Flags = 0
		if !reflect.DeepEqual(r, want) {
			t.Errorf("listed\n%+v\nwant\n%+v", r, want)
		}
	}
	if r := byPrio[0]; r.Table != rtnl.TableLocal || r.Protocol != rtnl.ProtoKernel {
		t.Errorf("local rule: %+v", r)
	}
	if r := byPrio[200]; r.Flags&rtnl.RuleOIFDetached == 0 {
		t.Errorf("rule 200 flags %#x, want oif detached", r.Flags)
	}

	// Delete by priority alone, and by selector alone.
	if err := h.DeleteRule(bg, &rtnl.Rule{Priority: 100}); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteRule(bg, &rtnl.Rule{Family: rtnl.IPv4, TunID: 55}); err != nil {
		t.Fatal(err)
	}
	if err := h.DeleteRule(bg, &rtnl.Rule{Family: rtnl.IPv6, Priority: 100}); err != nil {
		t.Fatal(err)
	}
	got = ipRules(t, ns, "")
	if got[100] != nil || got[508] != nil || got[200] == nil {
		t.Errorf("after delete: %v", got)
	}
	if got6 := ipRules(t, ns, "-6"); got6[100] != nil {
		t.Errorf("v6 rule not deleted: %v", got6[100])
	}
	// Every listed rule can be deleted as listed.
	list, err = h.ListRules(bg, &rtnl.RuleFilter{Family: rtnl.IPv4})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.Priority == 0 {
			continue
		}
		if err := h.DeleteRule(bg, &r); err != nil {
			t.Errorf("delete listed %v: %v", &r, err)
		}
	}
	if got := ipRules(t, ns, ""); len(got) != 1 {
		t.Errorf("left: %v", got)
	}
}

func TestRuleDefaultsAndFamilies(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	// The multicast routing families have rules where the kernel is built
	// with multicast routing and its policy rules: one default rule each,
	// pointing IPv4's at the default table and IPv6's at the main table.
	mr4, mr4Why := kfeature.HasRuleFamily(t, ns, kfeature.FamilyIPMR)
	mr6, mr6Why := kfeature.HasRuleFamily(t, ns, kfeature.FamilyIP6MR)
	t.Logf("%s: %v (%s)", kfeature.RuleFamilyFeature(kfeature.FamilyIPMR), mr4, mr4Why)
	t.Logf("%s: %v (%s)", kfeature.RuleFamilyFeature(kfeature.FamilyIP6MR), mr6, mr6Why)
	all, err := h.ListRules(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var v4, v6, mr []string
	for _, r := range all {
		s := fmt.Sprintf("%d:%s", r.Priority, rtnl.TableName(r.Table))
		switch r.Family {
		case rtnl.IPv4:
			v4 = append(v4, s)
		case rtnl.IPv6:
			v6 = append(v6, s)
		default:
			mr = append(mr, fmt.Sprintf("%d/%s", r.Family, s))
		}
	}
	if strings.Join(v4, " ") != "0:local 32766:main 32767:default" || strings.Join(v6, " ") != "0:local 32766:main" {
		t.Errorf("defaults: v4 %v v6 %v", v4, v6)
	}
	var wantMR []string
	if mr4 {
		wantMR = append(wantMR, "128/32767:default")
	}
	if mr6 {
		wantMR = append(wantMR, "129/32767:main")
	}
	slices.Sort(mr)
	if !slices.Equal(mr, wantMR) {
		t.Errorf("multicast routing rules: %v, want %v", mr, wantMR)
	}
	// A family's listing, or the kernel's refusal of a family it lacks.
	for _, c := range []struct {
		family  rtnl.Family
		present bool
		want    string
	}{
		{kfeature.FamilyIPMR, mr4, "128/32767:default"},
		{kfeature.FamilyIP6MR, mr6, "129/32767:main"},
	} {
		got, err := h.ListRules(bg, &rtnl.RuleFilter{Family: c.family})
		switch {
		case !c.present:
			if !errors.Is(err, unix.EAFNOSUPPORT) || !strings.HasPrefix(err.Error(), "list rule") {
				t.Errorf("family %d, which the kernel lacks: %v %v", c.family, got, err)
			}
		case err != nil || len(got) != 1 || fmt.Sprintf("%d/%d:%s", got[0].Family, got[0].Priority, rtnl.TableName(got[0].Table)) != c.want:
			t.Errorf("family %d: %+v %v, want %s", c.family, got, err, c.want)
		}
	}
	// Priority filter, including priority 0.
	got, err := h.ListRules(bg, &rtnl.RuleFilter{Family: rtnl.IPv6, Priority: new(uint32(0))})
	if err != nil || len(got) != 1 || got[0].Table != rtnl.TableLocal {
		t.Errorf("priority 0 filter: %v %v", got, err)
	}
	// Table filters, over every family: main's rules are IPv4's, IPv6's
	// and IPv6 multicast routing's; default's IPv4's and IPv4 multicast
	// routing's.
	for _, c := range []struct {
		table uint32
		want  []rtnl.Family
	}{
		{rtnl.TableMain, []rtnl.Family{rtnl.IPv4, rtnl.IPv6}},
		{rtnl.TableDefault, []rtnl.Family{rtnl.IPv4}},
	} {
		if mr6 && c.table == rtnl.TableMain {
			c.want = append(c.want, kfeature.FamilyIP6MR)
		}
		if mr4 && c.table == rtnl.TableDefault {
			c.want = append(c.want, kfeature.FamilyIPMR)
		}
		got, err := h.ListRules(bg, &rtnl.RuleFilter{Table: c.table})
		var fams []rtnl.Family
		for _, r := range got {
			fams = append(fams, r.Family)
		}
		slices.Sort(fams)
		if err != nil || !slices.Equal(fams, c.want) {
			t.Errorf("table %s filter: %v %v, want rules of families %v", rtnl.TableName(c.table), got, err, c.want)
		}
	}
	// The iterator stops early without trouble.
	n := 0
	for r, err := range h.Rules(bg, nil) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Priority == 0 {
			n++
		}
		if n == 2 {
			break
		}
	}
	// An add without a priority gets one from the kernel, below main's.
	if err := h.AddRule(bg, &rtnl.Rule{Src: rulePrefix("10.9.0.0/16"), Table: 50}); err != nil {
		t.Fatal(err)
	}
	got, err = h.ListRules(bg, &rtnl.RuleFilter{Family: rtnl.IPv4, Table: 50})
	if err != nil || len(got) != 1 || got[0].Priority == 0 || got[0].Priority >= 32766 {
		t.Errorf("auto priority: %v %v", got, err)
	}
	// An IPv6 family is taken from the prefix.
	if err := h.AddRule(bg, &rtnl.Rule{Priority: 7, Dst: rulePrefix("2001:db8::/48")}); err != nil {
		t.Fatal(err)
	}
	got, err = h.ListRules(bg, &rtnl.RuleFilter{Priority: new(uint32(7))})
	if err != nil || len(got) != 1 || got[0].Family != rtnl.IPv6 || got[0].Table != rtnl.TableMain {
		t.Errorf("v6 by prefix: %+v %v", got, err)
	}
}

func TestRuleErrors(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET)
	r := rtnl.Rule{Priority: 100, Src: rulePrefix("10.0.0.0/8"), Table: 100}
	if err := h.AddRule(bg, &r); err != nil {
		t.Fatal(err)
	}
	err := h.AddRule(bg, &r)
	var ne *nl.Error
	if !errors.As(err, &ne) || !errors.Is(err, os.ErrExist) {
		t.Fatalf("duplicate: %v", err)
	}
	if ne.Op != "add rule from 10.0.0.0/8 lookup 100 pref 100" {
		t.Errorf("Op %q", ne.Op)
	}
	err = h.DeleteRule(bg, &rtnl.Rule{Priority: 999, Action: rtnl.RuleBlackhole})
	if !errors.As(err, &ne) || !errors.Is(err, os.ErrNotExist) || ne.Op != "delete rule from all blackhole pref 999" {
		t.Errorf("delete missing: %v (%q)", err, ne.Op)
	}
	if err := h.NewBatch().Rule(rtnl.Replace, &r); err == nil || !strings.Contains(err.Error(), "cannot replace a rule") {
		t.Errorf("replace: %v", err)
	}
	bad := []struct {
		r    rtnl.Rule
		want string
	}{
		{rtnl.Rule{Family: rtnl.IPv6, Src: rulePrefix("10.0.0.0/8")}, "Src 10.0.0.0/8 is not of family inet6"},
		{rtnl.Rule{InputLinkName: "a-name-much-too-long"}, "IIF"},
		{rtnl.Rule{Action: rtnl.RuleBlackhole, Goto: 5}, "Goto 5 with action blackhole"},
		{rtnl.Rule{UIDRange: &rtnl.RuleUIDRange{Start: 9, End: 1}}, "reversed"},
		{rtnl.Rule{SrcPort: rtnl.RulePortRange{Start: 9, End: 1}}, "SrcPort 9-1"},
		{rtnl.Rule{DstPort: rtnl.RulePortRange{Start: 1, End: 9}, DstPortMask: 0xf}, "single port"},
		{rtnl.Rule{SuppressPrefixLen: new(-3)}, "SuppressPrefixLen -3"},
		{rtnl.Rule{DSCP: new(uint8(64))}, "DSCP 64"},
	}
	b := h.NewBatch()
	for _, c := range bad {
		if err := b.Rule(rtnl.Add, &c.r); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.r, err, c.want)
		}
	}
	if b.Len() != 0 {
		t.Errorf("refused rules left %d messages in the batch", b.Len())
	}
	// The kernel's own refusal, named.
	err = h.AddRule(bg, &rtnl.Rule{Priority: 5, L3mdev: true, Table: 9})
	if !errors.As(err, &ne) || !errors.Is(err, unix.EINVAL) || ne.Op != "add rule from all l3mdev pref 5" {
		t.Errorf("l3mdev with table: %v (%q)", err, ne.Op)
	}
}

func TestRuleBatch(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET)
	b := h.NewBatch()
	for i := range 200 {
		r := rtnl.Rule{Priority: uint32(1000 + i), Mark: uint32(i + 1), Table: uint32(100 + i%10)}
		if err := b.Rule(rtnl.Add, &r); err != nil {
			t.Fatal(err)
		}
	}
	// A duplicate in the middle fails alone.
	dup := rtnl.Rule{Priority: 1005, Mark: 6, Table: 105}
	b.Rule(rtnl.Add, &dup)
	err := b.Run(bg, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 200 ||
		!errors.Is(be.Failures[0].Err, os.ErrExist) || !strings.Contains(be.Failures[0].Err.Error(), "add rule from all fwmark 0x6 lookup 105 pref 1005") {
		t.Fatalf("batch: %v", err)
	}
	if got := ipRules(t, ns, ""); len(got) != 203 {
		t.Errorf("%d rules, want 203", len(got))
	}
	b.Reset()
	for i := range 200 {
		b.Rule(rtnl.Delete, &rtnl.Rule{Priority: uint32(1000 + i)})
	}
	if err := b.Run(bg, nil); err != nil {
		t.Fatal(err)
	}
	if got := ipRules(t, ns, ""); len(got) != 3 {
		t.Errorf("%d rules left, want 3", len(got))
	}
}

// Selectors newer than iproute2 6.1, checked through a raw dump. Each is
// tested where the kernel's rule policy has its attributes (see
// kfeature.HasRuleAttr); there, the kernel must take the rule as encoded.
func TestRuleNewerSelectors(t *testing.T) {
	ns, h := newHandle(t)
	kfeature.RequireRuleFamilies(t, ns, unix.AF_INET, unix.AF_INET6)
	const (
		fraDSCP          = 25
		fraFlowLabel     = 26
		fraFlowLabelMask = 27
		fraDPortMask     = 29
		fraDSCPMask      = 30
	)
	for _, c := range []struct {
		name, feature string
		attrs         []uint16 // the attributes the kernel must know
		rule          rtnl.Rule
		check         func(attrs map[uint16][]byte) string // what is wrong, if anything
	}{
		{"DSCP", "rule DSCP selector (FRA_DSCP)", []uint16{fraDSCP},
			rtnl.Rule{Priority: 10, DSCP: new(uint8(46)), Table: 10},
			func(a map[uint16][]byte) string {
				if got := a[fraDSCP]; len(got) != 1 || got[0] != 46 {
					return fmt.Sprintf("FRA_DSCP: %x", got)
				}
				return ""
			}},
		{"FlowLabel", "rule flow label selector (FRA_FLOWLABEL, FRA_FLOWLABEL_MASK)", []uint16{fraFlowLabel, fraFlowLabelMask},
			rtnl.Rule{Priority: 11, Family: rtnl.IPv6, FlowLabel: 0x12345, FlowLabelMask: 0xfffff, Table: 11},
			func(a map[uint16][]byte) string {
				if got := a[fraFlowLabel]; string(got) != "\x00\x01\x23\x45" {
					return fmt.Sprintf("FRA_FLOWLABEL: %x", got)
				}
				return ""
			}},
		{"DPortMask", "rule port masks (FRA_DPORT_MASK)", []uint16{fraDPortMask},
			rtnl.Rule{Priority: 12, IPProto: unix.IPPROTO_UDP, DstPort: rtnl.RulePortRange{Start: 0x1200, End: 0x1200}, DstPortMask: 0xff00, Table: 12},
			func(a map[uint16][]byte) string {
				if got := a[fraDPortMask]; len(got) != 2 || got[0]|got[1] != 0xff { // 0xff00 in either byte order
					return fmt.Sprintf("FRA_DPORT_MASK: %x", got)
				}
				return ""
			}},
		{"DSCPMask", "rule DSCP mask (FRA_DSCP_MASK)", []uint16{fraDSCP, fraDSCPMask},
			rtnl.Rule{Priority: 13, DSCP: new(uint8(0x20)), DSCPMask: 0x38, Table: 13},
			func(a map[uint16][]byte) string {
				if got := a[fraDSCPMask]; len(got) != 1 || got[0] != 0x38 {
					return fmt.Sprintf("FRA_DSCP_MASK: %x", got)
				}
				return ""
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			family := uint8(unix.AF_INET)
			if c.rule.Family == rtnl.IPv6 {
				family = unix.AF_INET6
			}
			for _, a := range c.attrs {
				ok, why := kfeature.HasRuleAttr(t, ns, family, a)
				kfeature.Require(t, c.feature, ok, why)
			}
			r := c.rule
			if err := h.AddRule(bg, &r); err != nil {
				t.Fatalf("the kernel knows the selector, yet: %v", err)
			}
			// What the kernel holds, attribute by attribute.
			var e nl.Encoder
			e.Begin(unix.RTM_GETRULE, unix.NLM_F_DUMP)
			e.Fixed(12)[0] = family
			e.End()
			var attrs map[uint16][]byte
			for m, err := range h.Conn().Dump(bg, &e) {
				if err != nil {
					t.Fatal(err)
				}
				a := map[uint16][]byte{}
				var prio uint32
				d := nl.NewAttrDecoder(m.Data[12:])
				for d.Next() {
					a[d.Type()] = append([]byte(nil), d.Bytes()...)
					if d.Type() == unix.FRA_PRIORITY {
						prio = d.Uint32()
					}
				}
				if prio == c.rule.Priority {
					attrs = a
				}
			}
			if attrs == nil {
				t.Fatalf("no rule %d in the dump", c.rule.Priority)
			}
			if problem := c.check(attrs); problem != "" {
				t.Error(problem)
			}
			// And as listed.
			list, err := h.ListRules(bg, &rtnl.RuleFilter{Priority: new(c.rule.Priority)})
			if err != nil || len(list) != 1 {
				t.Fatalf("listing rule %d: %v %v", c.rule.Priority, list, err)
			}
			got, want := list[0], c.rule
			if want.Family == rtnl.AnyFamily {
				want.Family = rtnl.IPv4
			}
			want.Action = rtnl.RuleLookup
			if want.DSCP != nil && want.DSCPMask == 0 {
				want.DSCPMask = got.DSCPMask // reported or not, depending on the kernel
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("listed\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

func TestCaptureRuleSeeds(t *testing.T) {
	if os.Getenv(captureEnv) != "1" {
		t.Skip("set " + captureEnv + "=1 to capture fuzz seeds")
	}
	_, h := newHandle(t)
	for _, tr := range testRules() {
		if err := h.AddRule(bg, &tr.r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []rtnl.Rule{
		{Priority: 100, Src: rulePrefix("2001:db8::/32"), Dst: rulePrefix("2001:db8:1::1/128"), Table: 9},
		{Priority: 10, DSCP: new(uint8(46)), Table: 10},
		{Priority: 11, Family: rtnl.IPv6, FlowLabel: 0x12345, FlowLabelMask: 0xfffff, Table: 11},
	} {
		if err := h.AddRule(bg, &r); err != nil {
			t.Logf("%v: %v", &r, err)
		}
	}
	captureSeeds(t, "FuzzRule", h, func(e *nl.Encoder) {
		e.Begin(unix.RTM_GETRULE, unix.NLM_F_DUMP)
		e.Fixed(12)
		e.End()
	})
}
