package genl

import (
	"fmt"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A Family is a generic netlink family as the controller describes it
// (CTRL_CMD_NEWFAMILY, the answer to CTRL_CMD_GETFAMILY).
type Family struct {
	// ID is the family's message type, given by the kernel when the
	// family registered; it differs between boots and kernels.
	ID uint16
	// Name is the family's name, such as "wireguard" or "nlctrl".
	Name string
	// Version is the version of the family's interface the kernel speaks;
	// requests carry it in their generic header.
	Version uint32
	// HeaderSize is the size of the family's own header, which follows
	// the generic header in every message (0 for most families).
	HeaderSize uint32
	// MaxAttr is the highest attribute type of the family's top level.
	MaxAttr uint32
	// Ops are the commands the kernel accepts, with their flags.
	Ops []Op
	// Groups are the family's multicast groups.
	Groups []MulticastGroup
}

// An Op is one command a family's kernel side accepts.
type Op struct {
	Command uint8
	Flags   OpFlags
}

// OpFlags say how a command may be used (GENL_* in linux/genetlink.h).
type OpFlags uint32

// The flags of an operation.
const (
	OpAdminPerm    OpFlags = unix.GENL_ADMIN_PERM     // needs CAP_NET_ADMIN
	OpCmdCapDo     OpFlags = unix.GENL_CMD_CAP_DO     // a "do" handler: single requests
	OpCmdCapDump   OpFlags = unix.GENL_CMD_CAP_DUMP   // a "dump" handler: NLM_F_DUMP requests
	OpCmdCapHasPol OpFlags = unix.GENL_CMD_CAP_HASPOL // an attribute policy
	OpUnsAdminPerm OpFlags = unix.GENL_UNS_ADMIN_PERM // needs CAP_NET_ADMIN in the namespace's user namespace
)

// A MulticastGroup is a family's multicast group: its name and the group
// number to join (nl.Conn.JoinGroup).
type MulticastGroup struct {
	ID   uint32
	Name string
}

// Group returns the number of the family's multicast group named name.
func (f *Family) Group(name string) (uint32, bool) {
	for _, g := range f.Groups {
		if g.Name == name {
			return g.ID, true
		}
	}
	return 0, false
}

// Op returns the family's operation for command cmd, if the kernel
// listed it.
func (f *Family) Op(cmd uint8) (Op, bool) {
	for _, o := range f.Ops {
		if o.Command == cmd {
			return o, true
		}
	}
	return Op{}, false
}

// Begin starts in e a message of the family with command cmd and the
// family's version in its generic header, and reserves the family's own
// header (HeaderSize bytes, zeroed), which it returns to be filled in.
// Attributes follow; e.End finishes the message.
func (f *Family) Begin(e *nl.Encoder, cmd uint8, flags nl.Flags) []byte {
	e.Begin(nl.MsgType(f.ID), flags)
	b := e.Fixed(HeaderLen + int(f.HeaderSize))
	Header{Command: cmd, Version: uint8(f.Version)}.Put(b)
	return b[HeaderLen:]
}

// Decode fills f from m, a controller message describing a family
// (CTRL_CMD_NEWFAMILY, as the controller answers CTRL_CMD_GETFAMILY). f is
// reset first. Malformed input gives an error wrapping nl.ErrMalformed;
// nothing in f aliases m.
func (f *Family) Decode(m nl.Message) error {
	*f = Family{}
	gm, err := ParseMessage(m)
	if err != nil {
		return err
	}
	if m.Header.Type != unix.GENL_ID_CTRL {
		return fmt.Errorf("genl: family description: message of type %d, not the controller's (%d): %w", m.Header.Type, unix.GENL_ID_CTRL, nl.ErrMalformed)
	}
	d := nl.NewAttrDecoder(gm.Payload)
	for d.Next() {
		switch d.Type() {
		case unix.CTRL_ATTR_FAMILY_ID:
			f.ID = d.Uint16()
		case unix.CTRL_ATTR_FAMILY_NAME:
			f.Name = d.String()
		case unix.CTRL_ATTR_VERSION:
			f.Version = d.Uint32()
		case unix.CTRL_ATTR_HDRSIZE:
			f.HeaderSize = d.Uint32()
		case unix.CTRL_ATTR_MAXATTR:
			f.MaxAttr = d.Uint32()
		case unix.CTRL_ATTR_OPS:
			ops := d.Nested()
			for ops.Next() {
				var op Op
				o := ops.Nested()
				for o.Next() {
					switch o.Type() {
					case unix.CTRL_ATTR_OP_ID:
						id := o.Uint32()
						if id > 0xff {
							o.Fail(fmt.Errorf("genl: family description: operation %d beyond a command's 8 bits: %w", id, nl.ErrMalformed))
						}
						op.Command = uint8(id)
					case unix.CTRL_ATTR_OP_FLAGS:
						op.Flags = OpFlags(o.Uint32())
					}
				}
				if err := o.Err(); err != nil {
					return decodeErr("operation", err)
				}
				f.Ops = append(f.Ops, op)
			}
			if err := ops.Err(); err != nil {
				return decodeErr("operations", err)
			}
		case unix.CTRL_ATTR_MCAST_GROUPS:
			groups := d.Nested()
			for groups.Next() {
				var g MulticastGroup
				a := groups.Nested()
				for a.Next() {
					switch a.Type() {
					case unix.CTRL_ATTR_MCAST_GRP_ID:
						g.ID = a.Uint32()
					case unix.CTRL_ATTR_MCAST_GRP_NAME:
						g.Name = a.String()
					}
				}
				if err := a.Err(); err != nil {
					return decodeErr("multicast group", err)
				}
				f.Groups = append(f.Groups, g)
			}
			if err := groups.Err(); err != nil {
				return decodeErr("multicast groups", err)
			}
		}
	}
	if err := d.Err(); err != nil {
		return decodeErr("attributes", err)
	}
	return nil
}

// decodeErr wraps a decoding error of a family description's part.
func decodeErr(part string, err error) error {
	return fmt.Errorf("genl: family description: %s: %w", part, err)
}

// encodeFamily encodes f as the controller describes a family, into an
// open message of e: the inverse of Decode, for tests.
func encodeFamily(e *nl.Encoder, f *Family) {
	e.Uint16(unix.CTRL_ATTR_FAMILY_ID, f.ID)
	e.String(unix.CTRL_ATTR_FAMILY_NAME, f.Name)
	e.Uint32(unix.CTRL_ATTR_VERSION, f.Version)
	e.Uint32(unix.CTRL_ATTR_HDRSIZE, f.HeaderSize)
	e.Uint32(unix.CTRL_ATTR_MAXATTR, f.MaxAttr)
	if len(f.Ops) > 0 {
		n := e.Nest(unix.CTRL_ATTR_OPS)
		for i, o := range f.Ops {
			on := e.Nest(uint16(i + 1))
			e.Uint32(unix.CTRL_ATTR_OP_ID, uint32(o.Command))
			e.Uint32(unix.CTRL_ATTR_OP_FLAGS, uint32(o.Flags))
			e.EndNest(on)
		}
		e.EndNest(n)
	}
	if len(f.Groups) > 0 {
		n := e.Nest(unix.CTRL_ATTR_MCAST_GROUPS)
		for i, g := range f.Groups {
			gn := e.Nest(uint16(i + 1))
			e.String(unix.CTRL_ATTR_MCAST_GRP_NAME, g.Name)
			e.Uint32(unix.CTRL_ATTR_MCAST_GRP_ID, g.ID)
			e.EndNest(gn)
		}
		e.EndNest(n)
	}
}
