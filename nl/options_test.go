package nl_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kfeature"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

func TestExplicitPort(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.UserSock, &nl.Config{Port: 4711})
	if c.Port() != 4711 {
		t.Fatalf("port %d", c.Port())
	}
	if _, err := nl.Dial(nl.UserSock, &nl.Config{NetNS: ns.NS, Port: 4711}); !errors.Is(err, unix.EADDRINUSE) {
		t.Fatalf("second bind to port 4711: %v", err)
	}
}

// Events from a peer namespace arrive with the nsid it has here.
func TestListenAllNSID(t *testing.T) {
	a, b := netnstest.New(t), netnstest.New(t)
	a.IP("netns", "set", b.Name, "7")
	mon := a.Dial(nl.Route, &nl.Config{ListenAllNSID: true})
	if err := mon.JoinGroup(rtnlgrpLink); err != nil {
		t.Fatal(err)
	}
	b.IP("link", "add", "nsid0", "type", "veth", "peer", "name", "nsid1")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for m, err := range mon.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type == unix.RTM_NEWLINK {
			if !m.Meta.HasNSID || m.Meta.NSID != 7 {
				t.Fatalf("event from the peer namespace: nsid %d (has %v), want 7", m.Meta.NSID, m.Meta.HasNSID)
			}
			return
		}
	}
}

// With NoENOBUFS, a flood is dropped without an overrun error.
func TestNoENOBUFS(t *testing.T) {
	ns := netnstest.New(t)
	mon := ns.Dial(nl.Route, &nl.Config{NoENOBUFS: true, ReadBuffer: 1})
	mon.JoinGroup(unix.RTNLGRP_IPV4_IFADDR)
	ns.IP("link", "set", "lo", "up")
	addLoAddresses(t, ns, 9, 300)
	n := 0
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		msgs, err := mon.Receive(ctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
		if err != nil {
			t.Fatalf("with NoENOBUFS: %v", err)
		}
		n += len(msgs)
	}
	if n == 0 || n >= 300 {
		t.Fatalf("received %d of 300 events; want some, and some dropped", n)
	}
}

// A BPF filter keeps rejected messages out of the receive buffer.
func TestAttachFilter(t *testing.T) {
	ns := netnstest.New(t)
	a := ns.Dial(nl.UserSock, nil)
	b := ns.Dial(nl.UserSock, nil)
	// Accept only messages of type 200: load nlmsg_type (offset 4, host
	// order, little-endian here) and compare.
	prog := []unix.SockFilter{
		{Code: unix.BPF_LD | unix.BPF_H | unix.BPF_ABS, K: 4},
		{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, Jt: 0, Jf: 1, K: 0xc800}, // 200 little-endian, as loaded big-endian
		{Code: unix.BPF_RET | unix.BPF_K, K: 0xffff},
		{Code: unix.BPF_RET | unix.BPF_K, K: 0},
	}
	if err := b.AttachFilter(prog); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, typ := range []nl.MsgType{100, 200} {
		msg := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: typ}, Data: []byte("x")})
		if err := a.Send(ctx, msg, nl.Addr{Port: b.Port()}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := b.Receive(ctx)
	if err != nil || len(got) != 1 || got[0].Header.Type != 200 {
		t.Fatalf("filtered receive: %+v, %v", got, err)
	}
	if err := b.DetachFilter(); err != nil {
		t.Fatal(err)
	}
	msg := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 100}})
	a.Send(ctx, msg, nl.Addr{Port: b.Port()})
	if got, err := b.Receive(ctx); err != nil || got[0].Header.Type != 100 {
		t.Fatalf("after detaching: %+v, %v", got, err)
	}
}

// Groups above 32 are joined with setsockopt and reported through packet
// info: VXLAN VNI filter events go to RTNLGRP_TUNNEL (35).
func TestGroupAbove32(t *testing.T) {
	ns := netnstest.New(t)
	kfeature.RequireLinkKinds(t, ns, "vxlan")
	ok, why := kfeature.HasLinkDataAttr(t, ns, "vxlan", unix.IFLA_VXLAN_VNIFILTER)
	kfeature.Require(t, "VXLAN VNI filtering (IFLA_VXLAN_VNIFILTER)", ok, why)
	const rtnlgrpTunnel = 35 // linux/rtnetlink.h
	mon := ns.Dial(nl.Route, nil)
	if err := mon.JoinGroup(rtnlgrpTunnel); err != nil {
		t.Fatal(err)
	}
	if g, err := mon.Groups(); err != nil || len(g) != 1 || g[0] != rtnlgrpTunnel {
		t.Fatalf("Groups() = %v, %v", g, err)
	}
	ns.IP("link", "add", "vx0", "type", "vxlan", "dstport", "4789", "external", "vnifilter")
	ns.Exec("bridge", "vni", "add", "dev", "vx0", "vni", "100")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for m, err := range mon.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Meta.Group != rtnlgrpTunnel {
			t.Fatalf("message %v from group %d", m.Header.Type, m.Meta.Group)
		}
		if m.Header.Type != 120 { // RTM_NEWTUNNEL
			t.Fatalf("message type %v, want RTM_NEWTUNNEL", m.Header.Type)
		}
		return
	}
}

// The tracer names message types and attributes.
func TestTrace(t *testing.T) {
	ns := netnstest.New(t)
	var buf bytes.Buffer
	c := ns.Dial(nl.Route, &nl.Config{Trace: &buf})
	if got := linkNames(t, c); len(got) != 1 {
		t.Fatal(got)
	}
	var e nl.Encoder
	encodeVeth(&e, "a-name-far-too-long-for-ifnamsiz", "p")
	c.Do(context.Background(), &e, nil)
	out := buf.String()
	for _, want := range []string{"netlink route send", "RTM_GETLINK flags=REQUEST|DUMP", "IFLA_IFNAME (3) \"lo\"",
		"NLMSG_DONE", "IFLA_INFO_KIND (1) \"veth\"", "NLMSG_ERROR flags=CAPPED|ACK_TLVS", "error ERANGE", "Attribute failed policy validation"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// NLKIT_TRACE=1 traces to standard error without any code change.
func TestTraceEnv(t *testing.T) {
	netnstest.RequirePrivileged(t)
	if os.Getenv("NLKIT_TRACE_CHILD") == "1" {
		c, err := nl.Dial(nl.Route, nil)
		if err != nil {
			t.Fatal(err)
		}
		var e nl.Encoder
		encodeLinkDump(&e)
		for range c.Dump(context.Background(), &e) {
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestTraceEnv$")
	cmd.Env = append(os.Environ(), "NLKIT_TRACE_CHILD=1", "NLKIT_TRACE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "RTM_GETLINK flags=REQUEST|DUMP") || !strings.Contains(stderr.String(), "RTM_NEWLINK flags=MULTI") {
		t.Fatalf("stderr:\n%s", stderr.String())
	}
}

func TestExecuteAndOptions(t *testing.T) {
	ns := netnstest.New(t)
	strict, strictWhy := kfeature.HasStrictCheck(t, ns)
	c := ns.Dial(nl.Route, &nl.Config{StrictCheck: true, ReadBuffer: 1 << 20, WriteBuffer: 1 << 20, BroadcastError: true})
	if c.StrictCheck() != strict {
		t.Errorf("StrictCheck() = %v, but the kernel: %s", c.StrictCheck(), strictWhy)
	}
	if rb, err := c.ReadBuffer(); err != nil || rb < 1<<20 {
		t.Errorf("read buffer %d, %v", rb, err)
	}
	if wb, err := c.WriteBuffer(); err != nil || wb < 1<<20 {
		t.Errorf("write buffer %d, %v", wb, err)
	}
	for _, o := range []nl.Option{nl.ExtendedAck, nl.CapAck, nl.NoENOBUFS, nl.PacketInfo, nl.PassCred} {
		if err := c.SetOption(o, true); err != nil {
			t.Errorf("%v: %v", o, err)
		}
	}
	// A GET of one link, with an acknowledgement after the reply.
	var e nl.Encoder
	e.Begin(unix.RTM_GETLINK, nl.Acknowledge)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, "lo")
	e.End()
	msgs, err := c.Execute(context.Background(), &e)
	if err != nil || len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWLINK {
		t.Fatalf("Execute: %v, %v", msgs, err)
	}
	// And without one: the single reply ends the exchange.
	e.Reset()
	e.Begin(unix.RTM_GETLINK, 0)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, "lo")
	e.End()
	if msgs, err := c.Execute(context.Background(), &e); err != nil || len(msgs) != 1 {
		t.Fatalf("Execute without ACK: %v, %v", msgs, err)
	}
	// Strict checking rejects a dump request with junk in its header.
	if !strict {
		t.Run("strict", func(t *testing.T) {
			netnstest.SkipFeature(t, "strict checking of requests (NETLINK_GET_STRICT_CHK)", strictWhy)
		})
		return
	}
	e.Reset()
	e.Begin(unix.RTM_GETADDR, 0)
	e.Fixed(unix.SizeofIfAddrmsg)[1] = 99
	e.End()
	for _, err := range c.Dump(context.Background(), &e) {
		if err == nil {
			t.Fatal("strict check accepted a bad header")
		}
		var ne *nl.Error
		if !errors.As(err, &ne) || ne.Message == "" {
			t.Fatalf("strict check: %v", err)
		}
		break
	}
}
