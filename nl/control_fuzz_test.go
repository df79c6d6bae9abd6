package nl_test

import (
	"encoding/binary"
	"testing"
	"unsafe"

	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// cmsg appends one control message as the kernel lays it out.
func cmsg(b []byte, level, typ int32, data []byte) []byte {
	h := make([]byte, unix.CmsgSpace(len(data)))
	c := (*unix.Cmsghdr)(unsafe.Pointer(&h[0]))
	c.Level, c.Type = level, typ
	c.SetLen(unix.CmsgLen(len(data)))
	copy(h[unix.CmsgLen(0):], data)
	return append(b, h...)
}

func u32le(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// controlSeed is what a listener with packet info, all-nsid and
// credentials receives.
func controlSeed() []byte {
	var b []byte
	b = cmsg(b, unix.SOL_NETLINK, unix.NETLINK_PKTINFO, u32le(33))
	b = cmsg(b, unix.SOL_NETLINK, unix.NETLINK_LISTEN_ALL_NSID, u32le(7))
	b = cmsg(b, unix.SOL_SOCKET, unix.SCM_CREDENTIALS, unix.UnixCredentials(&unix.Ucred{Pid: 42, Uid: 1000, Gid: 100})[unix.CmsgLen(0):unix.CmsgLen(unix.SizeofUcred)])
	return b
}

func TestParseControl(t *testing.T) {
	var m nl.Meta
	nl.ParseControl(controlSeed(), &m)
	if m.Group != 33 || !m.HasNSID || m.NSID != 7 || !m.HasCreds || m.Creds != (nl.Credentials{PID: 42, UID: 1000, GID: 100}) {
		t.Fatalf("meta %+v", m)
	}
}

// FuzzParseControl feeds arbitrary ancillary data to the control-message
// parser: no panic, and what it reports must be what the bytes say.
func FuzzParseControl(f *testing.F) {
	f.Add(controlSeed())
	f.Add(cmsg(nil, unix.SOL_NETLINK, unix.NETLINK_PKTINFO, []byte{1}))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m nl.Meta
		nl.ParseControl(b, &m)
		if !m.HasCreds && m.Creds != (nl.Credentials{}) || !m.HasNSID && m.NSID != 0 {
			t.Fatalf("values without their flags: %+v", m)
		}
	})
}
