// Package genl is generic netlink (NETLINK_GENERIC): the controller that
// resolves a family's name to its message type, version, header size,
// attribute count, operations and multicast groups, and the message
// header (struct genlmsghdr) every family's messages start with.
//
// A family package (such as wireguard) dials a Conn, resolves its family
// once with Conn.Family, starts each request with Family.Begin, and sends
// it with Conn.Do or Conn.Dump, which decode the generic header of every
// reply and name the family and command in errors:
//
//	wireguard WG_CMD_SET_DEVICE: No such device
//
// The command names come from the family package (Conn.NameCommands);
// the controller's own are known. Everything else — acknowledging,
// dumping, retrying, error decoding — is package nl's.
package genl
