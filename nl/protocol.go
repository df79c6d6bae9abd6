package nl

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A Protocol is a netlink protocol (family) number: the third argument of
// socket(AF_NETLINK, SOCK_RAW, protocol).
type Protocol int

// The netlink protocols of <linux/netlink.h>.
const (
	Route         Protocol = unix.NETLINK_ROUTE          // routing and link configuration
	UserSock      Protocol = unix.NETLINK_USERSOCK       // reserved for user-space protocols
	Firewall      Protocol = unix.NETLINK_FIREWALL       // obsolete
	SockDiag      Protocol = unix.NETLINK_SOCK_DIAG      // socket monitoring (was INET_DIAG)
	NFLog         Protocol = unix.NETLINK_NFLOG          // obsolete netfilter logging
	XFRM          Protocol = unix.NETLINK_XFRM           // IPsec
	SELinux       Protocol = unix.NETLINK_SELINUX        // SELinux event notifications
	ISCSI         Protocol = unix.NETLINK_ISCSI          // Open-iSCSI
	Audit         Protocol = unix.NETLINK_AUDIT          // auditing
	FIBLookup     Protocol = unix.NETLINK_FIB_LOOKUP     // FIB lookups
	Connector     Protocol = unix.NETLINK_CONNECTOR      // the kernel connector (process events)
	Netfilter     Protocol = unix.NETLINK_NETFILTER      // netfilter subsystems (nftables, conntrack)
	IP6Firewall   Protocol = 13                          // NETLINK_IP6_FW, obsolete
	DNRTMsg       Protocol = unix.NETLINK_DNRTMSG        // DECnet routing messages, obsolete
	KObjectUEvent Protocol = unix.NETLINK_KOBJECT_UEVENT // kernel messages to user space (uevents)
	Generic       Protocol = unix.NETLINK_GENERIC        // generic netlink
	SCSITransport Protocol = unix.NETLINK_SCSITRANSPORT  // SCSI transports
	ECryptFS      Protocol = unix.NETLINK_ECRYPTFS       // eCryptfs
	RDMA          Protocol = unix.NETLINK_RDMA           // RDMA
	Crypto        Protocol = unix.NETLINK_CRYPTO         // crypto layer
	SMC           Protocol = unix.NETLINK_SMC            // SMC monitoring
)

// MaxProtocol is the highest protocol number the kernel accepts
// (MAX_LINKS - 1).
const MaxProtocol Protocol = 31

var protocolNames = map[Protocol]string{
	Route: "route", UserSock: "usersock", Firewall: "firewall", SockDiag: "sock_diag",
	NFLog: "nflog", XFRM: "xfrm", SELinux: "selinux", ISCSI: "iscsi", Audit: "audit",
	FIBLookup: "fib_lookup", Connector: "connector", Netfilter: "netfilter",
	IP6Firewall: "ip6_fw", DNRTMsg: "dnrtmsg", KObjectUEvent: "kobject_uevent",
	Generic: "generic", SCSITransport: "scsitransport", ECryptFS: "ecryptfs", RDMA: "rdma",
	Crypto: "crypto", SMC: "smc",
}

// protocolAliases are other names people use for protocols.
var protocolAliases = map[string]Protocol{
	"rtnetlink": Route, "rtnl": Route, "genl": Generic, "inet_diag": SockDiag, "diag": SockDiag,
	"uevent": KObjectUEvent, "nfnetlink": Netfilter, "nfnl": Netfilter, "user": UserSock,
}

// String returns the protocol's lower-case name ("route", "generic", ...),
// or its number.
func (p Protocol) String() string {
	if n, ok := protocolNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}

// ParseProtocol accepts a protocol's name (as String returns it, with or
// without a NETLINK_ prefix, in any case, or a common alias such as "genl"
// or "uevent") or its number.
func ParseProtocol(s string) (Protocol, error) {
	name := strings.ToLower(strings.TrimPrefix(strings.ToUpper(s), "NETLINK_"))
	if n, err := strconv.Atoi(name); err == nil {
		if n < 0 || n > int(MaxProtocol) {
			return 0, fmt.Errorf("netlink: protocol %d out of range 0-%d", n, MaxProtocol)
		}
		return Protocol(n), nil
	}
	for p, n := range protocolNames {
		if n == name {
			return p, nil
		}
	}
	if p, ok := protocolAliases[name]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("netlink: unknown protocol %q", s)
}
