package nl

import "golang.org/x/sys/unix"

// Align rounds n up to the netlink message alignment of 4 bytes, as the
// kernel's NLMSG_ALIGN macro does.
func Align(n int) int { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// MsgLength is the value of nlmsg_len for a message with a payload of n
// bytes: the header plus the payload, without trailing padding, as the
// kernel's NLMSG_LENGTH macro computes.
func MsgLength(n int) int { return n + HeaderLen }

// MsgSpace is the number of bytes a message with a payload of n bytes takes
// in a buffer, trailing padding included, as the kernel's NLMSG_SPACE macro
// computes.
func MsgSpace(n int) int { return Align(MsgLength(n)) }

// MsgData returns the payload of the message that starts at b[0], as the
// kernel's NLMSG_DATA macro points at it. b must hold a valid message
// (see [MsgOK]); the result aliases b.
func MsgData(b []byte) []byte {
	h, _ := ParseHeader(b)
	return b[HeaderLen:h.Len]
}

// MsgOK reports whether b begins with a complete message whose length field
// is consistent with len(b), as the kernel's NLMSG_OK macro checks.
func MsgOK(b []byte) bool {
	if len(b) < HeaderLen {
		return false
	}
	h, _ := ParseHeader(b)
	return h.Len >= HeaderLen && int64(h.Len) <= int64(len(b))
}

// MsgNext returns what follows the message at b[0], as the kernel's
// NLMSG_NEXT macro steps over it (padding included). b must hold a valid
// message (see [MsgOK]); the result may be empty.
func MsgNext(b []byte) []byte {
	h, _ := ParseHeader(b)
	n := Align(int(h.Len))
	if n > len(b) {
		n = len(b)
	}
	return b[n:]
}

// MsgPayload is the length of the payload that follows a fixed family
// header of hdrLen bytes in the message described by h, as the kernel's
// NLMSG_PAYLOAD macro computes. It is negative when the message is too short
// to hold that header.
func MsgPayload(h Header, hdrLen int) int { return int(h.Len) - MsgSpace(hdrLen) }

// AttrAlign rounds n up to the attribute alignment of 4 bytes, as the
// kernel's NLA_ALIGN macro does.
func AttrAlign(n int) int { return (n + unix.NLA_ALIGNTO - 1) &^ (unix.NLA_ALIGNTO - 1) }

// AttrHeaderLen is the size of an attribute header (NLA_HDRLEN).
const AttrHeaderLen = unix.NLA_HDRLEN
