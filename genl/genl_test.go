package genl_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

var bg = context.Background()

// dial opens a Conn in a fresh namespace of the test's.
func dial(t *testing.T) *genl.Conn {
	t.Helper()
	ns := netnstest.New(t)
	c, err := genl.Dial(&nl.Config{NetNS: ns.NS})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestGenlFamilyController resolves the controller by name: every kernel
// has it, with its fixed id, and its family resolution command.
func TestGenlFamilyController(t *testing.T) {
	c := dial(t)
	f, err := c.Family(bg, "nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != unix.GENL_ID_CTRL || f.Name != "nlctrl" || f.Version == 0 {
		t.Errorf("nlctrl: %+v", f)
	}
	op, ok := f.Op(unix.CTRL_CMD_GETFAMILY)
	if !ok || op.Flags&genl.OpCmdCapDo == 0 || op.Flags&genl.OpCmdCapDump == 0 {
		t.Errorf("CTRL_CMD_GETFAMILY: %+v %v in %+v", op, ok, f.Ops)
	}
	if id, ok := f.Group("notify"); !ok || id == 0 {
		t.Errorf("nlctrl's notify group: %d %v in %+v", id, ok, f.Groups)
	}
	again, err := c.Family(bg, "nlctrl")
	if err != nil || again != f {
		t.Errorf("second resolution: %p %v, want the first, %p", again, err, f)
	}
}

// TestGenlFamilyNotFound asks for a family no kernel has: the error says
// so, names the family, and is the kernel's ENOENT.
func TestGenlFamilyNotFound(t *testing.T) {
	c := dial(t)
	_, err := c.Family(bg, "nlkit-none")
	if !errors.Is(err, genl.ErrFamilyNotFound) || !errors.Is(err, unix.ENOENT) {
		t.Fatalf("err = %v, want ErrFamilyNotFound and ENOENT", err)
	}
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Op != "nlctrl CTRL_CMD_GETFAMILY" {
		t.Errorf("kernel error %#v: want Op nlctrl CTRL_CMD_GETFAMILY", ne)
	}
	if !strings.Contains(err.Error(), `"nlkit-none"`) {
		t.Errorf("%q does not name the family", err)
	}
}

// TestGenlFamilies lists the families: each resolves by name to the same
// description, and the controller is among them.
func TestGenlFamilies(t *testing.T) {
	c := dial(t)
	fams, err := c.Families(bg)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(fams, func(f genl.Family) bool { return f.Name == "nlctrl" })
	if i < 0 {
		t.Fatalf("no nlctrl among %d families", len(fams))
	}
	for _, f := range fams {
		g, err := c.Family(bg, f.Name)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		if g.ID != f.ID || g.Version != f.Version || g.MaxAttr != f.MaxAttr || len(g.Ops) != len(f.Ops) || len(g.Groups) != len(f.Groups) {
			t.Errorf("%s resolved as %+v, listed as %+v", f.Name, g, f)
		}
	}
	t.Logf("%d families", len(fams))
}

// TestGenlErrorNaming sends a command the controller does not have to a
// resolved family: the refusal names the family and the command by the
// names given with NameCommands.
func TestGenlErrorNaming(t *testing.T) {
	c := dial(t)
	f, err := c.Family(bg, "nlctrl")
	if err != nil {
		t.Fatal(err)
	}
	c.NameCommands("nlctrl", map[uint8]string{200: "NLKIT_CMD_BOGUS"})
	e := c.Encoder()
	defer c.Release(e)
	f.Begin(e, 200, unix.NLM_F_ACK)
	e.End()
	err = c.Do(bg, e, nil)
	var ne *nl.Error
	if !errors.As(err, &ne) || ne.Op != "nlctrl NLKIT_CMD_BOGUS" {
		t.Fatalf("err = %v (%#v), want a refusal of nlctrl NLKIT_CMD_BOGUS", err, ne)
	}
	if !errors.Is(err, unix.EOPNOTSUPP) {
		t.Errorf("err = %v, want EOPNOTSUPP", err)
	}
}

// TestGenlParseMessage checks the split of a generic message.
func TestGenlParseMessage(t *testing.T) {
	if _, err := genl.ParseMessage(nl.Message{Data: []byte{1, 2}}); !errors.Is(err, nl.ErrMalformed) {
		t.Errorf("short message: %v", err)
	}
	m, err := genl.ParseMessage(nl.Message{Data: []byte{3, 1, 0, 0, 9}})
	if err != nil || m.Header != (genl.Header{Command: 3, Version: 1}) || !slices.Equal(m.Payload, []byte{9}) {
		t.Errorf("%+v %v", m, err)
	}
}
