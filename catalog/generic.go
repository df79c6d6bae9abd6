package catalog

// The generic netlink (NETLINK_GENERIC) tables, from linux/genetlink.h.
// Only the controller has a fixed message type; other families get theirs
// at run time, when the controller resolves their names.

import "golang.org/x/sys/unix"

// sizeofGenlmsghdr is the size of struct genlmsghdr (linux/genetlink.h).
const sizeofGenlmsghdr = 4

// GenericCommand returns the name of command cmd (the cmd field of a
// genlmsghdr) of the generic netlink family named family, such as
// "CTRL_CMD_GETFAMILY" for family "nlctrl" and command 3. It returns ""
// when the family or the command is not known.
func GenericCommand(family string, cmd uint8) string {
	if family != "nlctrl" {
		return ""
	}
	load()
	return ctrlCommands[cmd]
}

// The generic netlink tables, filled on first use by loadGeneric (see
// load). The pointers exist from the start, so that the tables may refer
// to one another in any order.
var (
	genericProtocol     = &Protocol{}
	ctrlSpace           = &Space{}
	ctrlOpSpace         = &Space{}
	ctrlMcastGroupSpace = &Space{}
	ctrlOpPolicySpace   = &Space{}
	ctrlCommands        map[uint8]string
)

// loadGeneric fills the tables of this file.
func loadGeneric() {
	// ctrlCommands names the commands of the controller family.
	ctrlCommands = map[uint8]string{
		unix.CTRL_CMD_NEWFAMILY:    "CTRL_CMD_NEWFAMILY",
		unix.CTRL_CMD_DELFAMILY:    "CTRL_CMD_DELFAMILY",
		unix.CTRL_CMD_GETFAMILY:    "CTRL_CMD_GETFAMILY",
		unix.CTRL_CMD_NEWOPS:       "CTRL_CMD_NEWOPS",
		unix.CTRL_CMD_DELOPS:       "CTRL_CMD_DELOPS",
		unix.CTRL_CMD_GETOPS:       "CTRL_CMD_GETOPS",
		unix.CTRL_CMD_NEWMCAST_GRP: "CTRL_CMD_NEWMCAST_GRP",
		unix.CTRL_CMD_DELMCAST_GRP: "CTRL_CMD_DELMCAST_GRP",
		unix.CTRL_CMD_GETMCAST_GRP: "CTRL_CMD_GETMCAST_GRP",
		unix.CTRL_CMD_GETPOLICY:    "CTRL_CMD_GETPOLICY",
	}

	// genericProtocol describes the generic netlink controller, "nlctrl".
	*genericProtocol = Protocol{Name: "generic", Number: unix.NETLINK_GENERIC, messages: map[uint16]Message{
		unix.GENL_ID_CTRL: {Name: "GENL_ID_CTRL", Header: "genlmsghdr", HeaderLen: sizeofGenlmsghdr, Attrs: ctrlSpace},
	}}
	register(genericProtocol)

	// ctrlSpace holds the CTRL_ATTR_* attributes of controller messages.
	*ctrlSpace = Space{name: "ctrl", attrs: map[uint16]Attr{
		unix.CTRL_ATTR_FAMILY_ID:    {Name: "CTRL_ATTR_FAMILY_ID", Kind: U16},
		unix.CTRL_ATTR_FAMILY_NAME:  {Name: "CTRL_ATTR_FAMILY_NAME", Kind: String},
		unix.CTRL_ATTR_VERSION:      {Name: "CTRL_ATTR_VERSION", Kind: U32},
		unix.CTRL_ATTR_HDRSIZE:      {Name: "CTRL_ATTR_HDRSIZE", Kind: U32},
		unix.CTRL_ATTR_MAXATTR:      {Name: "CTRL_ATTR_MAXATTR", Kind: U32},
		unix.CTRL_ATTR_OPS:          {Name: "CTRL_ATTR_OPS", Kind: NestedArray, Space: ctrlOpSpace},
		unix.CTRL_ATTR_MCAST_GROUPS: {Name: "CTRL_ATTR_MCAST_GROUPS", Kind: NestedArray, Space: ctrlMcastGroupSpace},
		unix.CTRL_ATTR_POLICY:       {Name: "CTRL_ATTR_POLICY", Kind: Nested},                                   // policy index, then attribute index, then NL_POLICY_TYPE_ATTR_* (linux/netlink.h)
		unix.CTRL_ATTR_OP_POLICY:    {Name: "CTRL_ATTR_OP_POLICY", Kind: NestedArray, Space: ctrlOpPolicySpace}, // numbered by command
		unix.CTRL_ATTR_OP:           {Name: "CTRL_ATTR_OP", Kind: U32},
	}}

	// ctrlOpSpace holds one entry of CTRL_ATTR_OPS.
	*ctrlOpSpace = Space{name: "ctrl_op", attrs: map[uint16]Attr{
		unix.CTRL_ATTR_OP_ID:    {Name: "CTRL_ATTR_OP_ID", Kind: U32},
		unix.CTRL_ATTR_OP_FLAGS: {Name: "CTRL_ATTR_OP_FLAGS", Kind: U32},
	}}

	// ctrlMcastGroupSpace holds one entry of CTRL_ATTR_MCAST_GROUPS.
	*ctrlMcastGroupSpace = Space{name: "ctrl_mcast_group", attrs: map[uint16]Attr{
		unix.CTRL_ATTR_MCAST_GRP_NAME: {Name: "CTRL_ATTR_MCAST_GRP_NAME", Kind: String},
		unix.CTRL_ATTR_MCAST_GRP_ID:   {Name: "CTRL_ATTR_MCAST_GRP_ID", Kind: U32},
	}}

	// ctrlOpPolicySpace holds one entry of CTRL_ATTR_OP_POLICY: the policy
	// indexes of a command's do and dump handlers.
	*ctrlOpPolicySpace = Space{name: "ctrl_op_policy", attrs: map[uint16]Attr{
		unix.CTRL_ATTR_POLICY_DO:   {Name: "CTRL_ATTR_POLICY_DO", Kind: U32},
		unix.CTRL_ATTR_POLICY_DUMP: {Name: "CTRL_ATTR_POLICY_DUMP", Kind: U32},
	}}
}
