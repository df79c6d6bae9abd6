package catalog

// Names for the other netlink protocols. Only sock_diag describes its
// message types (for inet sockets); the rest are registered so that every
// protocol has a name.

import "golang.org/x/sys/unix"

// Message types and header sizes of sock_diag that x/sys/unix lacks.
const (
	tcpDiagGetSock      = 18 // TCPDIAG_GETSOCK (linux/inet_diag.h)
	dccpDiagGetSock     = 19 // DCCPDIAG_GETSOCK (linux/inet_diag.h)
	sizeofInetDiagReq   = 60 // struct inet_diag_req (linux/inet_diag.h)
	sizeofInetDiagReqV2 = 56 // struct inet_diag_req_v2 (linux/inet_diag.h)
	sizeofInetDiagMsg   = 72 // struct inet_diag_msg (linux/inet_diag.h)
)

// The sock_diag and other tables, filled on first use by loadMisc (see
// load). The pointers exist from the start, so that the tables may refer
// to one another in any order.
var (
	sockDiagProtocol     = &Protocol{}
	inetDiagReqSpace     = &Space{}
	skBPFStorageReqSpace = &Space{}
	inetDiagSpace        = &Space{}
	inetULPInfoSpace     = &Space{}
	skBPFStoragesSpace   = &Space{}
	skBPFStorageSpace    = &Space{}
)

// loadMisc fills the tables of this file.
func loadMisc() {
	// sockDiagProtocol describes NETLINK_SOCK_DIAG (also known as
	// NETLINK_INET_DIAG) for inet sockets: requests carry an inet_diag_req(_v2)
	// and INET_DIAG_REQ_* attributes, replies of the same type an inet_diag_msg
	// and INET_DIAG_* attributes. Other address families (the first byte of
	// either header) lay their messages out in their own way (unix_diag_req,
	// netlink_diag_msg, ...), which this table does not describe.
	*sockDiagProtocol = Protocol{Name: "sock_diag", Number: unix.NETLINK_SOCK_DIAG, messages: map[uint16]Message{
		tcpDiagGetSock:           {Name: "TCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_req", HeaderLen: sizeofInetDiagReq, Attrs: inetDiagReqSpace},
		dccpDiagGetSock:          {Name: "DCCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_req", HeaderLen: sizeofInetDiagReq, Attrs: inetDiagReqSpace},
		unix.SOCK_DIAG_BY_FAMILY: {Name: "SOCK_DIAG_BY_FAMILY", Op: OpGet, Header: "inet_diag_req_v2", HeaderLen: sizeofInetDiagReqV2, Attrs: inetDiagReqSpace},
		unix.SOCK_DESTROY:        {Name: "SOCK_DESTROY", Op: OpDel, Header: "inet_diag_req_v2", HeaderLen: sizeofInetDiagReqV2, Attrs: inetDiagReqSpace},
	}, replies: map[uint16]Message{
		tcpDiagGetSock:           {Name: "TCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_msg", HeaderLen: sizeofInetDiagMsg, Attrs: inetDiagSpace},
		dccpDiagGetSock:          {Name: "DCCPDIAG_GETSOCK", Op: OpGet, Header: "inet_diag_msg", HeaderLen: sizeofInetDiagMsg, Attrs: inetDiagSpace},
		unix.SOCK_DIAG_BY_FAMILY: {Name: "SOCK_DIAG_BY_FAMILY", Op: OpGet, Header: "inet_diag_msg", HeaderLen: sizeofInetDiagMsg, Attrs: inetDiagSpace},
		// SOCK_DESTROY is answered by an acknowledgement only.
	}}
	register(sockDiagProtocol)

	// inetDiagReqSpace holds the INET_DIAG_REQ_* attributes of requests.
	*inetDiagReqSpace = Space{name: "inet_diag_req", attrs: map[uint16]Attr{
		1: {Name: "INET_DIAG_REQ_BYTECODE", Kind: Binary},                                     // linux/inet_diag.h; struct inet_diag_bc_op program
		2: {Name: "INET_DIAG_REQ_SK_BPF_STORAGES", Kind: Nested, Space: skBPFStorageReqSpace}, // linux/inet_diag.h
		3: {Name: "INET_DIAG_REQ_PROTOCOL", Kind: U32},                                        // linux/inet_diag.h
	}}

	// skBPFStorageReqSpace holds INET_DIAG_REQ_SK_BPF_STORAGES (linux/sock_diag.h).
	*skBPFStorageReqSpace = Space{name: "sk_bpf_storage_req", attrs: map[uint16]Attr{
		unix.SK_DIAG_BPF_STORAGE_REQ_MAP_FD: {Name: "SK_DIAG_BPF_STORAGE_REQ_MAP_FD", Kind: U32},
	}}

	// inetDiagSpace holds the INET_DIAG_* attributes of replies, which follow
	// their inet_diag_msg.
	*inetDiagSpace = Space{name: "inet_diag", attrs: map[uint16]Attr{
		1:  {Name: "INET_DIAG_MEMINFO", Kind: Struct},                                    // linux/inet_diag.h; struct inet_diag_meminfo
		2:  {Name: "INET_DIAG_INFO", Kind: Struct},                                       // linux/inet_diag.h; struct tcp_info (linux/tcp.h), or the protocol's own
		3:  {Name: "INET_DIAG_VEGASINFO", Kind: Struct},                                  // linux/inet_diag.h; struct tcpvegas_info
		4:  {Name: "INET_DIAG_CONG", Kind: String},                                       // linux/inet_diag.h
		5:  {Name: "INET_DIAG_TOS", Kind: U8},                                            // linux/inet_diag.h
		6:  {Name: "INET_DIAG_TCLASS", Kind: U8},                                         // linux/inet_diag.h
		7:  {Name: "INET_DIAG_SKMEMINFO", Kind: Binary},                                  // linux/inet_diag.h; u32[SK_MEMINFO_VARS] (linux/sock_diag.h)
		8:  {Name: "INET_DIAG_SHUTDOWN", Kind: U8},                                       // linux/inet_diag.h
		9:  {Name: "INET_DIAG_DCTCPINFO", Kind: Struct},                                  // linux/inet_diag.h; struct tcp_dctcp_info
		10: {Name: "INET_DIAG_PROTOCOL", Kind: U8},                                       // linux/inet_diag.h
		11: {Name: "INET_DIAG_SKV6ONLY", Kind: U8},                                       // linux/inet_diag.h
		12: {Name: "INET_DIAG_LOCALS", Kind: Binary},                                     // linux/inet_diag.h; struct sockaddr_storage[] (SCTP)
		13: {Name: "INET_DIAG_PEERS", Kind: Binary},                                      // linux/inet_diag.h; struct sockaddr_storage[] (SCTP)
		14: {Name: "INET_DIAG_PAD", Kind: Binary},                                        // linux/inet_diag.h
		15: {Name: "INET_DIAG_MARK", Kind: U32},                                          // linux/inet_diag.h
		16: {Name: "INET_DIAG_BBRINFO", Kind: Struct},                                    // linux/inet_diag.h; struct tcp_bbr_info
		17: {Name: "INET_DIAG_CLASS_ID", Kind: U32},                                      // linux/inet_diag.h
		18: {Name: "INET_DIAG_MD5SIG", Kind: Binary},                                     // linux/inet_diag.h; struct tcp_diag_md5sig[] (linux/tcp.h)
		19: {Name: "INET_DIAG_ULP_INFO", Kind: Nested, Space: inetULPInfoSpace},          // linux/inet_diag.h
		20: {Name: "INET_DIAG_SK_BPF_STORAGES", Kind: Nested, Space: skBPFStoragesSpace}, // linux/inet_diag.h
		21: {Name: "INET_DIAG_CGROUP_ID", Kind: U64},                                     // linux/inet_diag.h
		22: {Name: "INET_DIAG_SOCKOPT", Kind: Struct},                                    // linux/inet_diag.h; struct inet_diag_sockopt
	}}

	// inetULPInfoSpace holds INET_DIAG_ULP_INFO.
	*inetULPInfoSpace = Space{name: "inet_ulp_info", attrs: map[uint16]Attr{
		1: {Name: "INET_ULP_INFO_NAME", Kind: String},  // linux/inet_diag.h
		2: {Name: "INET_ULP_INFO_TLS", Kind: Nested},   // linux/inet_diag.h; TLS_INFO_* (linux/tls.h)
		3: {Name: "INET_ULP_INFO_MPTCP", Kind: Nested}, // linux/inet_diag.h; MPTCP_SUBFLOW_ATTR_* (linux/mptcp.h)
	}}

	// skBPFStoragesSpace holds INET_DIAG_SK_BPF_STORAGES (linux/sock_diag.h).
	*skBPFStoragesSpace = Space{name: "sk_bpf_storages", attrs: map[uint16]Attr{
		unix.SK_DIAG_BPF_STORAGE: {Name: "SK_DIAG_BPF_STORAGE", Kind: Nested, Space: skBPFStorageSpace},
	}}

	// skBPFStorageSpace holds one SK_DIAG_BPF_STORAGE (linux/sock_diag.h).
	*skBPFStorageSpace = Space{name: "sk_bpf_storage", attrs: map[uint16]Attr{
		unix.SK_DIAG_BPF_STORAGE_PAD:       {Name: "SK_DIAG_BPF_STORAGE_PAD", Kind: Binary},
		unix.SK_DIAG_BPF_STORAGE_MAP_ID:    {Name: "SK_DIAG_BPF_STORAGE_MAP_ID", Kind: U32},
		unix.SK_DIAG_BPF_STORAGE_MAP_VALUE: {Name: "SK_DIAG_BPF_STORAGE_MAP_VALUE", Kind: Binary},
	}}

	// Protocols known by name only.
	register(&Protocol{Name: "usersock", Number: unix.NETLINK_USERSOCK})
	register(&Protocol{Name: "xfrm", Number: unix.NETLINK_XFRM})
	register(&Protocol{Name: "audit", Number: unix.NETLINK_AUDIT})
	register(&Protocol{Name: "connector", Number: unix.NETLINK_CONNECTOR})
	register(&Protocol{Name: "netfilter", Number: unix.NETLINK_NETFILTER})
	register(&Protocol{Name: "kobject_uevent", Number: unix.NETLINK_KOBJECT_UEVENT})
}
