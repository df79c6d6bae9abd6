package raw

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/catalog"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/cli"
	"github.com/nlkit/nlkit/cmd/nlctl/internal/clitest"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// nlctl runs nlctl's raw and protocols commands in process.
func nlctl(args ...string) (int, string, string) {
	return clitest.Run(clitest.Registry(nil, Commands()...), args...)
}

// Acceptance 11: the raw dump of links, as JSON, in a namespace.
func TestRawLinkDumpJSON(t *testing.T) {
	ns := netnstest.New(t)
	code, out, errs := nlctl("-n", ns.Name, "raw", "--proto", "route", "--type", "RTM_GETLINK", "--dump", "-j")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var descs []nl.Description
	if err := json.Unmarshal([]byte(out), &descs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(descs) != 1 || descs[0].Type != "RTM_NEWLINK" || descs[0].Header == nil || descs[0].Header.Name != "ifinfomsg" {
		t.Fatalf("descriptions: %+v", descs)
	}
	found := false
	for _, a := range descs[0].Attrs {
		if a.Name == "IFLA_IFNAME" && a.Value == "lo" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no IFLA_IFNAME lo in %s", out)
	}
}

// A veth pair created with a raw request, nested three deep, then a
// refusal that names the attribute and exits 2.
func TestRawCreateAndRefuse(t *testing.T) {
	ns := netnstest.New(t)
	code, _, errs := nlctl("-n", ns.Name, "raw", "--type", "RTM_NEWLINK", "--ack", "--flags", "create,excl",
		"IFLA_IFNAME=v0", "IFLA_LINKINFO={IFLA_INFO_KIND=veth,IFLA_INFO_DATA={VETH_INFO_PEER={IFLA_IFNAME=v0p,IFLA_MTU=1400}}}")
	if code != 0 {
		t.Fatalf("create veth: exit %d: %s", code, errs)
	}
	out := ns.IP("-o", "link", "show", "v0p")
	if !strings.Contains(out, "mtu 1400") {
		t.Fatalf("peer: %s", out)
	}
	code, _, errs = nlctl("-n", ns.Name, "raw", "--type", "RTM_NEWLINK", "--ack", "--flags", "create,excl",
		"IFLA_IFNAME=v0", "IFLA_LINKINFO={IFLA_INFO_KIND=veth}")
	if code != cli.ExitRefused || !strings.Contains(errs, "file exists") {
		t.Fatalf("duplicate: exit %d: %s", code, errs)
	}
	code, _, errs = nlctl("-n", ns.Name, "raw", "--type", "RTM_NEWLINK", "--ack", "--flags", "create",
		"IFLA_IFNAME=a-name-far-too-long-for-ifnamsiz", "IFLA_LINKINFO={IFLA_INFO_KIND=veth}")
	if code != cli.ExitRefused || !strings.Contains(errs, "IFLA_IFNAME") || !strings.Contains(errs, "policy") {
		t.Fatalf("long name: exit %d: %s", code, errs)
	}
	// Text output of a dump decodes nested attributes by name.
	code, out, _ = nlctl("-n", ns.Name, "raw", "--type", "RTM_GETLINK", "--dump")
	if code != 0 || !strings.Contains(out, `IFLA_INFO_KIND (1) "veth"`) || !strings.Contains(out, "IFLA_LINKINFO (18)") {
		t.Fatalf("text dump: exit %d\n%s", code, out)
	}
}

func TestProtocols(t *testing.T) {
	netnstest.RequirePrivileged(t)
	code, out, errs := nlctl("protocols")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"route", "generic", "sock_diag", "kobject_uevent", "usersock"} {
		if !strings.Contains(out, want) {
			t.Errorf("protocols lacks %s:\n%s", want, out)
		}
	}
	code, out, _ = nlctl("-j", "protocols", "-a")
	var infos []protocolInfo
	if code != 0 || json.Unmarshal([]byte(out), &infos) != nil {
		t.Fatalf("protocols -a -j: exit %d\n%s", code, out)
	}
	for _, i := range infos {
		if i.Number == 0 && (!i.Available || i.Name != "route") {
			t.Errorf("route: %+v", i)
		}
		if i.Number == 13 && i.Available {
			t.Errorf("ip6_fw is obsolete and should be absent: %+v", i)
		}
	}
}

func TestAttrSpecEncoding(t *testing.T) {
	m, off := encodedRaw(t, "--type", "RTM_NEWLINK", "--family", "inet6", "IFLA_IFNAME=eth0,IFLA_MTU=0x5dc",
		`IFLA_IFALIAS="a,b{c}"`, "IFLA_LINKINFO={IFLA_INFO_KIND=vxlan,IFLA_INFO_DATA={IFLA_VXLAN_ID=42,IFLA_VXLAN_PORT=4789}}", "300=u16:7")
	if m.Header.Type != unix.RTM_NEWLINK || m.Data[0] != unix.AF_INET6 || off != 16 {
		t.Fatalf("header: %+v %x", m.Header, m.Data[:16])
	}
	d := nl.Describe(nl.Route, m, nil)
	var got []string
	var walk func([]nl.AttrDesc, string)
	walk = func(as []nl.AttrDesc, p string) {
		for _, a := range as {
			v := strings.ReplaceAll(jsonOf(a.Value), `"`, "")
			if a.Value == nil && a.Hex != "" {
				v = "hex:" + a.Hex
			}
			got = append(got, p+a.Name+"="+v)
			walk(a.Attrs, p+a.Name+"/")
		}
	}
	walk(d.Attrs, "")
	want := "IFLA_IFNAME=eth0 IFLA_MTU=1500 IFLA_IFALIAS=a,b{c} IFLA_LINKINFO=null IFLA_LINKINFO/IFLA_INFO_KIND=vxlan " +
		"IFLA_LINKINFO/IFLA_INFO_DATA=null IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_ID=42 IFLA_LINKINFO/IFLA_INFO_DATA/IFLA_VXLAN_PORT=4789 =hex:0700"
	if strings.Join(got, " ") != want {
		t.Fatalf("encoded:\n%s\nwant:\n%s", strings.Join(got, " "), want)
	}
	// The VXLAN port is big-endian on the wire.
	if !bytes.Contains(m.Data, []byte{0x12, 0xb5}) {
		t.Error("IFLA_VXLAN_PORT not in network byte order")
	}
	if _, _, ok := catalog.MessageType(0, "rtm_getlink"); !ok {
		t.Error("catalog lookup")
	}
}

// encodedRaw encodes the request `nlctl raw args...` sends, flagged as a
// request, and returns it with the offset of its attributes.
func encodedRaw(t *testing.T, args ...string) (nl.Message, int) {
	t.Helper()
	r, err := parseRaw(args)
	if err != nil {
		t.Fatal(err)
	}
	var e nl.Encoder
	if err := r.encode(&e); err != nil {
		t.Fatal(err)
	}
	m := e.Message(0)
	m.Header.Flags |= nl.Request
	return m, e.AttrOffset(0)
}

// `nlctl raw` lays a request out as requests of its type are, whether the
// type is given by name or by number, where replies differ (sock_diag).
func TestRawRequestLayout(t *testing.T) {
	for _, typ := range []string{"SOCK_DIAG_BY_FAMILY", "20"} {
		m, off := encodedRaw(t, "--proto", "sock_diag", "--type", typ, "--dump", "--family", "inet", "INET_DIAG_REQ_PROTOCOL=6")
		d := nl.Describe(nl.SockDiag, m, nil)
		if off != 56 || d.Header == nil || d.Header.Name != "inet_diag_req_v2" || len(d.Attrs) != 1 || d.Attrs[0].Name != "INET_DIAG_REQ_PROTOCOL" || len(d.Problems) > 0 {
			t.Errorf("--type %s: attributes at %d, %s", typ, off, jsonOf(d))
		}
	}
	m, _ := encodedRaw(t, "--proto", "generic", "--type", "16", "--header", "03010000", "ctrl_attr_family_name=nlctrl")
	if d := nl.Describe(nl.Generic, m, nil); d.Type != "CTRL_CMD_GETFAMILY" || len(d.Attrs) != 1 || d.Attrs[0].Name != "CTRL_ATTR_FAMILY_NAME" {
		t.Errorf("controller request: %s", jsonOf(d))
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Every option and value of raw that is out of its range or form is an
// error of the command line (255) that names the option (or the
// attribute) and says what is accepted, without echoing a long word
// whole, and before anything is sent.
func TestRawUsageErrors(t *testing.T) {
	a40k := strings.Repeat("a", 40000)
	hex50k := strings.Repeat("ab", 50000) // 50,000 bytes
	long := strings.Repeat("z", 1000000)
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--type", "70000"}, `invalid --type "70000": a message type name (such as RTM_GETLINK) or a number from 0 to 65535 (message types are 16-bit; 0 to 15 are netlink's own control messages`},
		{[]string{"--type", "99999999999999999999999"}, `invalid --type "99999999999999999999999": a message type name`},
		{[]string{"--type", "RTM_NOPE"}, `invalid --type "RTM_NOPE": no message type of protocol route has that name; a message type name (such as RTM_GETLINK) or a number from 0 to 65535`},
		{[]string{"--type", long}, `invalid --type "zzzz`},
		{[]string{"--type"}, "--type needs a value"},
		{[]string{"--type", "18", "--port", "-1"}, `invalid --port "-1": a port number from 0 (the kernel) to 4294967295 is expected`},
		{[]string{"--type", "18", "--port", "4294967296"}, `invalid --port "4294967296"`},
		{[]string{"--type", "18", "--port=x"}, `invalid --port "x"`},
		{[]string{"--type", "18", "--timeout", "-1s"}, `invalid --timeout "-1s": a duration above zero, such as 500ms, 5s or 1m is expected`},
		{[]string{"--type", "18", "--timeout", "0"}, `invalid --timeout "0": a duration above zero`},
		{[]string{"--type", "18", "--timeout", "soon"}, `invalid --timeout "soon"`},
		{[]string{"--type", "18", "--family", "bogus"}, `invalid --family "bogus": a family name (unspec, inet, inet6, bridge, mpls, packet) or a number from 0 to 255 is expected`},
		{[]string{"--type", "18", "--family", "256"}, `invalid --family "256"`},
		{[]string{"--type", "18", "--flags", "create,bogus"}, `invalid --flags "create,bogus": a list of flag names`},
		{[]string{"--type", "18", "--flags", "65536"}, `invalid --flags "65536"`},
		{[]string{"--type", "18", "--proto", "99"}, `invalid --proto "99": a protocol name (route, generic, sock_diag, usersock, ...) or a number from 0 to 31 is expected`},
		{[]string{"--type", "18", "--header", "zz"}, `invalid --header "zz": a hex string`},
		{[]string{"--type", "18", "--" + long}, `unknown option "--zzzz`},
		{[]string{"--type", "18", "IFLA_MTU=x"}, `IFLA_MTU: "x" is not a number from 0 to 4294967295 (32 bits, unsigned)`},
		{[]string{"--type", "18", "IFLA_MTU=4294967296"}, `IFLA_MTU: "4294967296" is not a number from 0 to 4294967295`},
		{[]string{"--type", "18", "IFLA_MTU=s32:2147483648"}, `IFLA_MTU: "2147483648" is not a number from -2147483648 to 2147483647 (32 bits, signed)`},
		{[]string{"--type", "18", "IFLA_MTU=u8:256"}, `IFLA_MTU: "256" is not a number from 0 to 255 (8 bits, unsigned)`},
		{[]string{"--type", "18", "70000=u8:1"}, `unknown attribute "70000" in the link attributes (a name, or a number from 0 to 65535)`},
		{[]string{"--type", "18", long + "=1"}, `unknown attribute "zzzz`},
		{[]string{"--type", "18", "IFLA_IFNAME=" + long}, "IFLA_IFNAME: the value is 1000001 bytes, more than the 65531 an attribute holds"},
		{[]string{"--type", "18", "IFLA_IFALIAS=" + strings.Repeat("a", 65531)}, "IFLA_IFALIAS: the value is 65532 bytes, more than the 65531"},
		{[]string{"--type", "18", "IFLA_LINKINFO={IFLA_INFO_KIND=veth,IFLA_INFO_DATA={VETH_INFO_PEER={IFLA_IFNAME=" + a40k + ",IFLA_IFALIAS=" + a40k + "}}}"},
			"IFLA_LINKINFO: IFLA_INFO_DATA: VETH_INFO_PEER: its contents come to more than the 65531 bytes a nested attribute holds"},
		{[]string{"--type", "18", "IFLA_AF_SPEC={1=hex:" + hex50k + ",2=hex:" + hex50k + "}"}, "IFLA_AF_SPEC: its contents come to more than the 65531 bytes"},
		{[]string{"--type", "18", "IFLA_LINKINFO={IFLA_INFO_KIND=" + long}, "missing } for \"IFLA_LINKINFO\" in \"IFLA_LINKINFO"},
	} {
		// A namespace that does not exist: nothing may reach a socket.
		code, _, errs := nlctl(append([]string{"-n", "nlkit-no-such-netns", "raw"}, c.args...)...)
		if code != cli.ExitSyntax || !strings.Contains(errs, c.msg) || len(errs) > 1000 {
			t.Errorf("raw %.80q: exit %d, %.400q; want exit %d with %q", c.args, code, errs, cli.ExitSyntax, c.msg)
		}
	}
	// A value that fits exactly is sent (and here refused by the kernel,
	// for this is no valid link).
	ns := netnstest.New(t)
	code, _, errs := nlctl("-n", ns.Name, "raw", "--type", "RTM_SETLINK", "--ack", "IFLA_IFALIAS="+strings.Repeat("a", 65530))
	if code != cli.ExitRefused {
		t.Errorf("a value of 65531 bytes: exit %d, %.300q; want a refusal (%d)", code, errs, cli.ExitRefused)
	}
}
