package catalog

// Names for the other netlink protocols. Only sock_diag describes its
// message types; the rest are registered so that every protocol has a name.

import "golang.org/x/sys/unix"

// Message types and header sizes of sock_diag that x/sys/unix lacks.
const (
	tcpDiagGetSock      = 18 // TCPDIAG_GETSOCK (linux/inet_diag.h)
	dccpDiagGetSock     = 19 // DCCPDIAG_GETSOCK (linux/inet_diag.h)
	sizeofInetDiagReq   = 60 // struct inet_diag_req (linux/inet_diag.h)
	sizeofInetDiagReqV2 = 56 // struct inet_diag_req_v2 (linux/inet_diag.h)
)

// sockDiagProtocol describes the requests of NETLINK_SOCK_DIAG (also
// known as NETLINK_INET_DIAG). Replies share the request's message type but
// carry a different header (struct inet_diag_msg for inet sockets), so
// HeaderLen gives the request header and the attributes are not described.
var sockDiagProtocol = register(&Protocol{Name: "sock_diag", Number: unix.NETLINK_SOCK_DIAG, Messages: map[uint16]*Message{
	tcpDiagGetSock:           {Name: "TCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_req", HeaderLen: sizeofInetDiagReq},
	dccpDiagGetSock:          {Name: "DCCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_req", HeaderLen: sizeofInetDiagReq},
	unix.SOCK_DIAG_BY_FAMILY: {Name: "SOCK_DIAG_BY_FAMILY", Op: OpGet, Header: "inet_diag_req_v2", HeaderLen: sizeofInetDiagReqV2},
	unix.SOCK_DESTROY:        {Name: "SOCK_DESTROY", Op: OpDel, Header: "inet_diag_req_v2", HeaderLen: sizeofInetDiagReqV2},
}})

// Protocols known by name only.
var (
	_ = register(&Protocol{Name: "usersock", Number: unix.NETLINK_USERSOCK})
	_ = register(&Protocol{Name: "xfrm", Number: unix.NETLINK_XFRM})
	_ = register(&Protocol{Name: "audit", Number: unix.NETLINK_AUDIT})
	_ = register(&Protocol{Name: "connector", Number: unix.NETLINK_CONNECTOR})
	_ = register(&Protocol{Name: "netfilter", Number: unix.NETLINK_NETFILTER})
	_ = register(&Protocol{Name: "kobject_uevent", Number: unix.NETLINK_KOBJECT_UEVENT})
)
