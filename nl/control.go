package nl

import (
	"encoding/binary"
	"unsafe"

	"golang.org/x/sys/unix"
)

// cmsgAlign rounds n up as CMSG_ALIGN does.
func cmsgAlign(n int) int {
	const a = int(unsafe.Sizeof(uintptr(0)))
	return (n + a - 1) &^ (a - 1)
}

// ParseControl reads the control messages of a received netlink datagram
// (the ancillary data of recvmsg) into m: the multicast group
// (NETLINK_PKTINFO), the peer namespace id (NETLINK_LISTEN_ALL_NSID) and
// the sender's credentials (SCM_CREDENTIALS). Other control messages are
// skipped; a malformed or truncated one ends the parse, never a panic. It
// is what [Conn] uses; it is exported for code that reads a [Socket]
// itself.
func ParseControl(b []byte, m *Meta) {
	hdr := cmsgAlign(unix.SizeofCmsghdr)
	for len(b) >= unix.SizeofCmsghdr {
		var l int
		if unix.SizeofCmsghdr == 16 {
			l = int(min(binary.NativeEndian.Uint64(b), uint64(len(b)+1)))
		} else {
			l = int(binary.NativeEndian.Uint32(b))
		}
		level := int32(binary.NativeEndian.Uint32(b[unix.SizeofCmsghdr-8:]))
		typ := int32(binary.NativeEndian.Uint32(b[unix.SizeofCmsghdr-4:]))
		if l < unix.SizeofCmsghdr || l > len(b) || hdr > l {
			return
		}
		data := b[hdr:l]
		switch {
		case level == unix.SOL_NETLINK && typ == unix.NETLINK_PKTINFO && len(data) >= 4:
			m.Group = binary.NativeEndian.Uint32(data)
		case level == unix.SOL_NETLINK && typ == unix.NETLINK_LISTEN_ALL_NSID && len(data) >= 4:
			m.NSID = int32(binary.NativeEndian.Uint32(data))
			m.HasNSID = true
		case level == unix.SOL_SOCKET && typ == unix.SCM_CREDENTIALS && len(data) >= 12:
			m.Creds = Credentials{
				PID: int32(binary.NativeEndian.Uint32(data)),
				UID: binary.NativeEndian.Uint32(data[4:]),
				GID: binary.NativeEndian.Uint32(data[8:]),
			}
			m.HasCreds = true
		}
		next := cmsgAlign(l)
		if next >= len(b) {
			return
		}
		b = b[next:]
	}
}
