package nl_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/catalog"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/nl/nltest"
	"golang.org/x/sys/unix"
)

// attrNames flattens a description's attribute tree to "A/B" paths.
func attrNames(attrs []nl.AttrDesc, prefix string) []string {
	var out []string
	for _, a := range attrs {
		name := a.Name
		if name == "" {
			name = "?"
		}
		out = append(out, prefix+name)
		out = append(out, attrNames(a.Attrs, prefix+name+"/")...)
	}
	return out
}

// sockDiagMessage builds a sock_diag message: a header of hdrLen bytes
// whose first byte is family, then an attribute.
func sockDiagMessage(flags nl.Flags, family byte, hdrLen int, attrType uint16, attr []byte) nl.Message {
	var e nl.Encoder
	e.Begin(unix.SOCK_DIAG_BY_FAMILY, flags)
	e.Fixed(hdrLen)[0] = family
	e.Attr(attrType, attr)
	e.End()
	return e.Message(0)
}

// Requests and replies of sock_diag share their type, not their layout:
// the Request flag picks the description.
func TestDescribeSockDiag(t *testing.T) {
	tcp := binary.NativeEndian.AppendUint32(nil, unix.IPPROTO_TCP)
	req := sockDiagMessage(nl.Request|nl.Dump, unix.AF_INET, 56, 3 /* INET_DIAG_REQ_PROTOCOL */, tcp)
	d := nl.Describe(nl.SockDiag, req, nil)
	if d.Type != "SOCK_DIAG_BY_FAMILY" || d.Header == nil || d.Header.Name != "inet_diag_req_v2" || len(d.Problems) > 0 {
		t.Errorf("request: %+v", d)
	}
	if got := strings.Join(attrNames(d.Attrs, ""), " "); got != "INET_DIAG_REQ_PROTOCOL" || d.Attrs[0].Value != uint32(unix.IPPROTO_TCP) {
		t.Errorf("request attributes %s, %+v", got, d.Attrs)
	}
	if !strings.Contains(strings.Join(d.Flags, "|"), "DUMP") {
		t.Errorf("request flags %v", d.Flags)
	}

	// A dumped socket: an inet_diag_msg (72 bytes), then INET_DIAG_*.
	reply := sockDiagMessage(nl.Multi, unix.AF_INET6, 72, 4 /* INET_DIAG_CONG */, []byte("cubic\x00"))
	d = nl.Describe(nl.SockDiag, reply, nil)
	if d.Type != "SOCK_DIAG_BY_FAMILY" || d.Header == nil || d.Header.Name != "inet_diag_msg" || len(d.Header.Hex) != 2*72 || len(d.Problems) > 0 {
		t.Errorf("reply: %+v", d)
	}
	if len(d.Attrs) != 1 || d.Attrs[0].Name != "INET_DIAG_CONG" || d.Attrs[0].Value != "cubic" {
		t.Errorf("reply attributes %+v", d.Attrs)
	}
	// Described as a request, the same bytes would be cut at 56.
	req2 := reply
	req2.Header.Flags |= nl.Request
	if d := nl.Describe(nl.SockDiag, req2, nil); d.Header == nil || d.Header.Name != "inet_diag_req_v2" {
		t.Errorf("reply bytes as a request: %+v", d)
	}

	// Other families lay their messages out in their own way: named, and
	// shown as bytes.
	unixReply := sockDiagMessage(nl.Multi, unix.AF_UNIX, 16, 1, []byte("x"))
	d = nl.Describe(nl.SockDiag, unixReply, nil)
	if d.Type != "SOCK_DIAG_BY_FAMILY" || d.Header != nil || d.Attrs != nil || d.Payload == "" || len(d.Problems) > 0 {
		t.Errorf("AF_UNIX reply: %+v", d)
	}
}

// The controller's messages are named by their command.
func TestDescribeGenericController(t *testing.T) {
	var e nl.Encoder
	e.Begin(unix.GENL_ID_CTRL, nl.Request|nl.Dump)
	h := e.Fixed(4)
	h[0], h[1] = unix.CTRL_CMD_GETFAMILY, 1
	e.String(unix.CTRL_ATTR_FAMILY_NAME, "nlctrl")
	e.End()
	m := e.Message(0)
	d := nl.Describe(nl.Generic, m, nil)
	if d.Type != "CTRL_CMD_GETFAMILY" || d.Header == nil || d.Header.Name != "genlmsghdr" || len(d.Problems) > 0 {
		t.Errorf("GETFAMILY: %+v", d)
	}
	if got := strings.Join(d.Flags, "|"); got != "REQUEST|DUMP" {
		t.Errorf("GETFAMILY flags %s, want REQUEST|DUMP", got)
	}
	if len(d.Attrs) != 1 || d.Attrs[0].Name != "CTRL_ATTR_FAMILY_NAME" || d.Attrs[0].Value != "nlctrl" {
		t.Errorf("GETFAMILY attributes %+v", d.Attrs)
	}
	cm, ok := nl.CatalogDescriber{}.Describe(nl.Generic, m)
	if !ok || cm.Name != "CTRL_CMD_GETFAMILY" || cm.Op != catalog.OpGet || cm.HeaderLen != 4 || cm.Attrs == nil {
		t.Errorf("CatalogDescriber: %+v, %v", cm, ok)
	}

	// The reply is CTRL_CMD_NEWFAMILY.
	reply := m.Clone()
	reply.Header.Flags = nl.Multi
	reply.Data[0] = unix.CTRL_CMD_NEWFAMILY
	if d := nl.Describe(nl.Generic, reply, nil); d.Type != "CTRL_CMD_NEWFAMILY" {
		t.Errorf("reply named %s", d.Type)
	}
	// An unknown command, or none at all, keeps the type's name.
	reply.Data[0] = 200
	if d := nl.Describe(nl.Generic, reply, nil); d.Type != "GENL_ID_CTRL" || len(d.Attrs) != 1 {
		t.Errorf("unknown command: %+v", d)
	}
	empty := nl.Message{Header: nl.Header{Type: unix.GENL_ID_CTRL, Len: nl.HeaderLen}}
	if d := nl.Describe(nl.Generic, empty, nil); d.Type != "GENL_ID_CTRL" || len(d.Problems) != 1 {
		t.Errorf("empty controller message: %+v", d)
	}
	// Other generic families have dynamic types the catalog cannot know.
	other := nl.Message{Header: nl.Header{Type: 0x20, Len: nl.HeaderLen}}
	if _, ok := (nl.CatalogDescriber{}).Describe(nl.Generic, other); ok {
		t.Error("CatalogDescriber described a dynamic family")
	}
}

// fooDescriber describes a generic netlink family "foo" whose type (0x20)
// and attributes are known only at run time, and falls back on the
// catalog for the rest. It records what it was asked.
type fooDescriber struct {
	space *catalog.Space
	seen  []nl.Message
}

func (d *fooDescriber) Describe(p nl.Protocol, m nl.Message) (catalog.Message, bool) {
	d.seen = append(d.seen, m)
	if p != nl.Generic || m.Header.Type != 0x20 {
		return nl.CatalogDescriber{}.Describe(p, m)
	}
	name := "foo" // a capped acknowledgement echoes the header alone
	if len(m.Data) > 0 {
		name = "FOO_CMD_UNKNOWN"
		if m.Data[0] == 7 {
			name = "FOO_CMD_SET"
		}
	}
	return catalog.Message{Name: name, Op: catalog.OpNew, Header: "genlmsghdr", HeaderLen: 4, Attrs: d.space}, true
}

// A Conn's Describer sees our whole request, so it names errors by
// command and attribute.
func TestDescriberSeesRequest(t *testing.T) {
	foo := &fooDescriber{space: catalog.NewSpace("foo", map[uint16]catalog.Attr{
		1: {Name: "FOO_ATTR_NAME", Kind: catalog.String},
		2: {Name: "FOO_ATTR_VALUE", Kind: catalog.U32},
	})}
	var trace bytes.Buffer
	c := nltest.Dial(nl.Generic, func(req nl.Message) []nltest.Datagram {
		// Point at FOO_ATTR_VALUE: header, genlmsghdr, FOO_ATTR_NAME (8).
		return nltest.One(nltest.Error(req, unix.EINVAL, "bad value", nl.HeaderLen+4+8))
	}, &nl.Config{Describe: foo, Trace: &trace})
	defer c.Close()
	var e nl.Encoder
	e.Begin(0x20, nl.Acknowledge)
	e.Fixed(4)[0] = 7
	e.String(1, "abc")
	e.Uint32(2, 99)
	e.End()
	err := c.Do(context.Background(), &e, nil)
	var ne *nl.Error
	if !errors.As(err, &ne) {
		t.Fatalf("Do = %v", err)
	}
	if ne.Op != "FOO_CMD_SET" || ne.AttrName != "FOO_ATTR_VALUE" {
		t.Errorf("Op %q, AttrName %q; want FOO_CMD_SET, FOO_ATTR_VALUE (%v)", ne.Op, ne.AttrName, err)
	}
	sawRequest := false
	for _, m := range foo.seen {
		if m.Header.Type == 0x20 && m.Header.Flags&nl.Request != 0 && len(m.Data) == 4+8+8 && m.Data[0] == 7 {
			sawRequest = true
		}
	}
	if !sawRequest {
		t.Errorf("the describer never saw the whole request: %+v", foo.seen)
	}
	out := trace.String()
	for _, want := range []string{"FOO_CMD_SET flags=REQUEST|ACK", `FOO_ATTR_NAME (1) "abc"`, "FOO_ATTR_VALUE (2) 99", "in reply to foo flags=REQUEST|ACK"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}

	// Without a Describer of its own, a Conn names the controller's
	// commands from the catalog.
	c2 := nltest.Dial(nl.Generic, func(req nl.Message) []nltest.Datagram {
		return nltest.One(nltest.Error(req, unix.ENOENT, "", nl.HeaderLen+4))
	}, nil)
	defer c2.Close()
	e.Reset()
	e.Begin(unix.GENL_ID_CTRL, 0)
	e.Fixed(4)[0] = unix.CTRL_CMD_GETFAMILY
	e.String(unix.CTRL_ATTR_FAMILY_NAME, "nosuch")
	e.End()
	err = c2.Do(context.Background(), &e, nil)
	if !errors.As(err, &ne) || ne.Op != "CTRL_CMD_GETFAMILY" || ne.AttrName != "CTRL_ATTR_FAMILY_NAME" {
		t.Errorf("Do = %v (%+v)", err, ne)
	}
}

// Describe with a nil Describer is Describe with CatalogDescriber.
func TestDescribeNilDescriber(t *testing.T) {
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, nl.Request)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, "v0")
	e.End()
	a := nl.Describe(nl.Route, e.Message(0), nil)
	b := nl.Describe(nl.Route, e.Message(0), nl.CatalogDescriber{})
	if a.Type != "RTM_NEWLINK" || len(a.Attrs) != 1 || a.Attrs[0].Name != "IFLA_IFNAME" {
		t.Errorf("%+v", a)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Errorf("nil describer %s, CatalogDescriber %s", ja, jb)
	}
}
