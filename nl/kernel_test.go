package nl_test

// Tests against the real kernel, each in a namespace of its own.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// rtnlgrpLink is RTNLGRP_LINK (linux/rtnetlink.h).
const rtnlgrpLink = unix.RTNLGRP_LINK

// encodeLinkDump encodes an RTM_GETLINK dump request.
func encodeLinkDump(e *nl.Encoder) {
	e.Reset()
	e.Begin(unix.RTM_GETLINK, 0)
	e.Fixed(unix.SizeofIfInfomsg)
	e.Uint32(unix.IFLA_EXT_MASK, 1<<3) // RTEXT_FILTER_SKIP_STATS (linux/rtnetlink.h)
	e.End()
}

// linkNames dumps the links of the connection's namespace by name.
func linkNames(t *testing.T, c *nl.Conn) []string {
	t.Helper()
	var e nl.Encoder
	var names []string
	err := nl.Retry(nl.DefaultRetries, func() error {
		names = names[:0]
		encodeLinkDump(&e)
		for m, err := range c.Dump(context.Background(), &e) {
			if err != nil {
				return err
			}
			if m.Header.Type != unix.RTM_NEWLINK {
				t.Fatalf("dump returned %v", m.Header.Type)
			}
			d := nl.NewAttrDecoder(m.Data[nl.Align(unix.SizeofIfInfomsg):])
			for d.Next() {
				if d.Type() == unix.IFLA_IFNAME {
					names = append(names, d.String())
				}
			}
			if err := d.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// addLoAddresses adds n /32 addresses 10.octet.x.y to lo with one
// `ip -batch`, each causing one RTM_NEWADDR event.
func addLoAddresses(t testing.TB, ns *netnstest.NS, octet, n int) {
	t.Helper()
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "address add 10.%d.%d.%d/32 dev lo\n", octet, i/250, i%250+1)
	}
	f := t.TempDir() + "/batch"
	if err := os.WriteFile(f, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ns.IP("-batch", f)
}

// receiveUnblockedBy starts a Receive on c, calls wake, and returns the
// error that ended the Receive; it fails the test if Receive stays blocked.
func receiveUnblockedBy(t *testing.T, c *nl.Conn, ctx context.Context, wake func()) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive(ctx)
		done <- err
	}()
	time.Sleep(30 * time.Millisecond)
	wake()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Receive stayed blocked")
		return nil
	}
}

// encodeVeth encodes a raw RTM_NEWLINK creating a veth pair name/peer:
// IFLA_LINKINFO → IFLA_INFO_DATA → VETH_INFO_PEER (an ifinfomsg followed by
// the peer's attributes).
func encodeVeth(e *nl.Encoder, name, peer string) {
	e.Begin(unix.RTM_NEWLINK, nl.Acknowledge|nl.Create|nl.Excl)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, name)
	info := e.Nest(unix.IFLA_LINKINFO)
	e.String(unix.IFLA_INFO_KIND, "veth")
	data := e.Nest(unix.IFLA_INFO_DATA)
	p := e.Nest(1) // VETH_INFO_PEER (linux/veth.h)
	e.Fixed(unix.SizeofIfInfomsg)
	e.String(unix.IFLA_IFNAME, peer)
	e.EndNest(p)
	e.EndNest(data)
	e.EndNest(info)
	e.End()
}

// Acceptance 1.
func TestDumpLinksAndCreateVeth(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	if got := linkNames(t, c); strings.Join(got, ",") != "lo" {
		t.Fatalf("links in a fresh namespace = %v, want [lo]", got)
	}
	var e nl.Encoder
	encodeVeth(&e, "v0", "v0p")
	if err := c.Do(context.Background(), &e, nil); err != nil {
		t.Fatalf("create veth: %v", err)
	}
	got := linkNames(t, c)
	if strings.Join(got, ",") != "lo,v0p,v0" && strings.Join(got, ",") != "lo,v0,v0p" {
		t.Fatalf("links after creating a veth pair = %v", got)
	}
	// Independently, with iproute2.
	out := ns.IP("-o", "link", "show", "type", "veth")
	if !strings.Contains(out, "v0@v0p") || !strings.Contains(out, "v0p@v0") {
		t.Fatalf("ip link show type veth:\n%s", out)
	}
}

// encodeRoute encodes an RTM_NEWROUTE for dst out of interface oif.
func encodeRoute(e *nl.Encoder, dst netip.Prefix, oif uint32, flags nl.Flags) {
	e.Begin(unix.RTM_NEWROUTE, flags)
	h := e.Fixed(unix.SizeofRtMsg)
	h[0] = unix.AF_INET
	if dst.Addr().Is6() {
		h[0] = unix.AF_INET6
	}
	h[1] = byte(dst.Bits())
	h[4] = unix.RT_TABLE_MAIN
	h[5] = unix.RTPROT_STATIC
	h[6] = unix.RT_SCOPE_LINK
	h[7] = unix.RTN_UNICAST
	e.Prefix(unix.RTA_DST, dst)
	e.Uint32(unix.RTA_OIF, oif)
	e.End()
}

// upVeth creates veth pair v0/v0p, up, in the namespace and returns v0's
// index.
func upVeth(t testing.TB, ns *netnstest.NS) uint32 {
	t.Helper()
	ns.IP("link", "add", "v0", "type", "veth", "peer", "name", "v0p")
	ns.IP("link", "set", "v0", "up")
	ns.IP("link", "set", "v0p", "up")
	ns.IP("link", "set", "lo", "up")
	out := ns.IP("-o", "link", "show", "v0")
	i, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(out, ":", 2)[0]))
	if err != nil {
		t.Fatalf("index of v0 from %q: %v", out, err)
	}
	return uint32(i)
}

// Acceptance 2.
func TestExtendedAckNamesAttribute(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)

	// An interface name longer than IFNAMSIZ-1 fails the kernel's policy,
	// which points at the attribute.
	var e nl.Encoder
	encodeVeth(&e, "a-name-far-too-long-for-ifnamsiz", "peer0")
	err := c.Do(context.Background(), &e, nil)
	var ne *nl.Error
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v (%T), want *nl.Error", err, err)
	}
	if ne.Errno != unix.ERANGE || ne.Message == "" {
		t.Errorf("errno %v, message %q", ne.Errno, ne.Message)
	}
	if len(ne.Attr) != 1 || ne.Attr[0] != unix.IFLA_IFNAME {
		t.Errorf("offending attribute = %v (offset %d), want [IFLA_IFNAME]", ne.Attr, ne.Offset)
	}
	if ne.AttrName != "IFLA_IFNAME" || !strings.Contains(err.Error(), "IFLA_IFNAME") {
		t.Errorf("error text %q does not name IFLA_IFNAME (AttrName %q)", err, ne.AttrName)
	}
	if ne.Policy == nil {
		t.Errorf("no policy in %v", err)
	}
	if ne.Op != "RTM_NEWLINK" {
		t.Errorf("Op = %q", ne.Op)
	}
	t.Logf("kernel said: %v", err)

	// A nested offender: the veth peer's name, three nests deep.
	e.Reset()
	encodeVeth(&e, "v9", "a-peer-name-far-too-long-for-ifnamsiz")
	err = c.Do(context.Background(), &e, nil)
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v, want *nl.Error", err)
	}
	want := []uint16{unix.IFLA_LINKINFO, unix.IFLA_INFO_DATA, 1, unix.IFLA_IFNAME}
	if fmt.Sprint(ne.Attr) != fmt.Sprint(want) {
		t.Errorf("nested offender = %v (%q), want %v", ne.Attr, ne.AttrName, want)
	}
	t.Logf("kernel said: %v", err)

	// A kernel message without an attribute.
	idx := upVeth(t, ns)
	e.Reset()
	e.Begin(unix.RTM_NEWROUTE, nl.Acknowledge|nl.Create|nl.Excl)
	h := e.Fixed(unix.SizeofRtMsg)
	h[0], h[1], h[4], h[5], h[7] = unix.AF_INET, 8, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RTN_UNICAST
	e.Prefix(unix.RTA_DST, netip.MustParsePrefix("10.0.0.0/8"))
	e.Addr(unix.RTA_GATEWAY, netip.MustParseAddr("10.9.9.9"))
	e.Uint32(unix.RTA_OIF, idx)
	e.End()
	err = c.Do(context.Background(), &e, nil)
	if !errors.As(err, &ne) || !strings.Contains(ne.Message, "gateway") {
		t.Errorf("route via an unreachable gateway: %v", err)
	}

	// A duplicate route: errors.Is with os.ErrExist and EEXIST.
	e.Reset()
	encodeRoute(&e, netip.MustParsePrefix("192.0.2.0/24"), idx, nl.Acknowledge|nl.Create|nl.Excl)
	if err := c.Do(context.Background(), &e, nil); err != nil {
		t.Fatalf("add route: %v", err)
	}
	e.Reset()
	encodeRoute(&e, netip.MustParsePrefix("192.0.2.0/24"), idx, nl.Acknowledge|nl.Create|nl.Excl)
	err = c.Do(context.Background(), &e, nil)
	if !errors.Is(err, os.ErrExist) || !errors.Is(err, unix.EEXIST) {
		t.Fatalf("duplicate route: %v, want os.ErrExist", err)
	}
	// And a missing one: os.ErrNotExist.
	e.Reset()
	e.Begin(unix.RTM_DELROUTE, nl.Acknowledge)
	h = e.Fixed(unix.SizeofRtMsg)
	h[0], h[1], h[4] = unix.AF_INET, 24, unix.RT_TABLE_MAIN
	e.Prefix(unix.RTA_DST, netip.MustParsePrefix("198.51.100.0/24"))
	e.End()
	if err := c.Do(context.Background(), &e, nil); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("delete a missing route: %v, want os.ErrNotExist", err)
	}
}

// Acceptance 4.
func TestMulticastLinkEvent(t *testing.T) {
	ns := netnstest.New(t)
	mon := ns.Dial(nl.Route, nil)
	if err := mon.JoinGroup(rtnlgrpLink); err != nil {
		t.Fatal(err)
	}
	groups, err := mon.Groups()
	if err != nil || len(groups) != 1 || groups[0] != rtnlgrpLink {
		t.Fatalf("Groups() = %v, %v", groups, err)
	}
	ns.IP("link", "add", "ev0", "type", "veth", "peer", "name", "ev0p")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	seen := map[string]uint32{}
	for m, err := range mon.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type != unix.RTM_NEWLINK {
			continue
		}
		d := nl.NewAttrDecoder(m.Data[nl.Align(unix.SizeofIfInfomsg):])
		for d.Next() {
			if d.Type() == unix.IFLA_IFNAME {
				seen[d.String()] = m.Meta.Group
			}
		}
		if len(seen) == 2 {
			break
		}
	}
	for _, n := range []string{"ev0", "ev0p"} {
		if g, ok := seen[n]; !ok || g != rtnlgrpLink {
			t.Errorf("event for %s: seen %v, group %d, want group %d", n, ok, g, rtnlgrpLink)
		}
	}
	// After leaving, no more events.
	if err := mon.LeaveGroup(rtnlgrpLink); err != nil {
		t.Fatal(err)
	}
	ns.IP("link", "add", "ev1", "type", "veth", "peer", "name", "ev1p")
	ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel2()
	if msgs, err := mon.Receive(ctx2); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("after leaving the group: %d messages, err %v", len(msgs), err)
	}
}

// Multicast messages that arrive while a request waits for its reply are
// kept for Receive, not taken for replies.
func TestMulticastDuringRequest(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	if err := c.JoinGroup(rtnlgrpLink); err != nil {
		t.Fatal(err)
	}
	// Events from another socket, queued before our request.
	ns.IP("link", "add", "mq0", "type", "veth", "peer", "name", "mq0p")
	if got := linkNames(t, c); len(got) != 3 {
		t.Fatalf("links = %v", got)
	}
	// They come first, one datagram per Receive.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n := 0
	for n < 2 {
		msgs, err := c.Receive(ctx)
		if err != nil {
			t.Fatalf("after %d RTM_NEWLINK events: %v", n, err)
		}
		for _, m := range msgs {
			if m.Header.Type != unix.RTM_NEWLINK || m.Meta.Group != rtnlgrpLink {
				t.Fatalf("not a link event: %+v", m)
			}
			n++
		}
	}
}

// Acceptance 5.
func TestOverrunKeepsSocketUsable(t *testing.T) {
	ns := netnstest.New(t)
	mon := ns.Dial(nl.Route, nil)
	if err := mon.SetReadBuffer(1); err != nil { // the kernel's minimum
		t.Fatal(err)
	}
	if err := mon.JoinGroup(unix.RTNLGRP_IPV4_IFADDR); err != nil {
		t.Fatal(err)
	}
	// Flood: 300 address additions, one event each, never read.
	ns.IP("link", "set", "lo", "up")
	addLoAddresses(t, ns, 7, 300)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	overrun := false
	for range 400 {
		_, err := mon.Receive(ctx)
		if err == nil {
			continue
		}
		if !errors.Is(err, nl.ErrOverrun) || !errors.Is(err, unix.ENOBUFS) {
			t.Fatalf("receive: %v, want the overrun error", err)
		}
		var oe *nl.OverrunError
		if !errors.As(err, &oe) {
			t.Fatalf("%T is not *nl.OverrunError", err)
		}
		overrun = true
		break
	}
	if !overrun {
		t.Fatal("a flood into a minimal buffer did not report an overrun")
	}
	// Drain what is left, then the socket still works: a request, and a
	// new event.
	for {
		c2, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
		_, err := mon.Receive(c2)
		cancel2()
		if errors.Is(err, context.DeadlineExceeded) {
			break
		}
	}
	if got := linkNames(t, mon); len(got) != 1 {
		t.Fatalf("links after overrun = %v", got)
	}
	ns.IP("address", "add", "10.8.0.1/32", "dev", "lo")
	msgs, err := mon.Receive(ctx)
	if err != nil || len(msgs) == 0 || msgs[0].Header.Type != unix.RTM_NEWADDR {
		t.Fatalf("event after overrun: %v, %v", msgs, err)
	}
}

// Acceptance 6, on the real kernel: an address dump raced by concurrent
// address churn either comes back consistent after retries or fails with
// ErrDumpInterrupted; an interrupted attempt is never returned as a result.
func TestDumpInterruptedByChurn(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	ns.IP("link", "set", "lo", "up")
	addLoAddresses(t, ns, 20, 3000)

	churn := ns.Dial(nl.Route, nil)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var e nl.Encoder
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			e.Reset()
			typ := uint16(unix.RTM_NEWADDR)
			if i%2 == 1 {
				typ = unix.RTM_DELADDR
			}
			e.Begin(nl.MsgType(typ), nl.Acknowledge|nl.Create)
			h := e.Fixed(unix.SizeofIfAddrmsg)
			h[0], h[1] = unix.AF_INET, 32
			h[4] = 1 // lo
			e.Addr(unix.IFA_LOCAL, netip.MustParseAddr("10.99.0.1"))
			e.End()
			if err := churn.Do(context.Background(), &e, nil); err != nil {
				t.Errorf("churn: %v", err)
				return
			}
		}
	}()

	var e nl.Encoder
	rawInterrupts, results, failures := 0, 0, 0
	for range 20 {
		attempts := 0
		var addrs map[netip.Addr]int
		err := nl.Retry(5, func() error {
			attempts++
			addrs = map[netip.Addr]int{}
			e.Reset()
			e.Begin(unix.RTM_GETADDR, 0)
			e.Fixed(unix.SizeofIfAddrmsg)[0] = unix.AF_INET
			e.End()
			for m, err := range c.Dump(context.Background(), &e) {
				if err != nil {
					if errors.Is(err, nl.ErrDumpInterrupted) {
						rawInterrupts++
					}
					return err
				}
				d := nl.NewAttrDecoder(m.Data[nl.Align(unix.SizeofIfAddrmsg):])
				for d.Next() {
					if d.Type() == unix.IFA_LOCAL {
						addrs[d.Addr()]++
					}
				}
			}
			return nil
		})
		if err != nil {
			if !errors.Is(err, nl.ErrDumpInterrupted) {
				t.Fatalf("dump: %v", err)
			}
			failures++
			continue
		}
		results++
		// A consistent result: the 3000 fixed addresses plus 127.0.0.1 and
		// maybe the churned one, each exactly once.
		n := len(addrs)
		for a, k := range addrs {
			if k != 1 {
				t.Fatalf("address %v appears %d times in a dump reported consistent", a, k)
			}
		}
		if n != 3001 && n != 3002 {
			t.Fatalf("a dump reported consistent has %d addresses, want 3001 or 3002", n)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("20 dumps under churn: %d consistent results, %d typed failures, %d interrupted attempts retried", results, failures, rawInterrupts)
	if rawInterrupts == 0 {
		t.Log("the kernel never flagged an interruption in this run")
	}
}

// Acceptance 7.
func TestBatchReportsEachFailure(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	idx := upVeth(t, ns)
	const n = 10000
	bad := map[int]bool{1234: true, 5000: true, 8765: true}
	var e nl.Encoder
	for i := range n {
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24)
		oif := idx
		if bad[i] {
			oif = 999 // no such device
		}
		encodeRoute(&e, dst, oif, nl.Create|nl.Excl)
	}
	err := c.Batch(context.Background(), &e, &nl.BatchOptions{ContinueOnError: true})
	var be *nl.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("batch: %v, want *nl.BatchError", err)
	}
	if len(be.Failures) != 3 || be.Done != n || be.Total != n || be.Err != nil {
		t.Fatalf("batch error %+v", be)
	}
	for _, f := range be.Failures {
		if !bad[f.Index] {
			t.Errorf("request %d reported failed: %v", f.Index, f.Err)
		}
		var ne *nl.Error
		if !errors.As(f.Err, &ne) || ne.Errno != unix.ENODEV {
			t.Errorf("request %d: %v, want ENODEV", f.Index, f.Err)
		}
	}
	if !errors.Is(err, unix.ENODEV) {
		t.Errorf("errors.Is(batch error, ENODEV) is false")
	}
	t.Logf("%v", err)
	out := ns.IP("-4", "route", "show", "proto", "static")
	if got := strings.Count(out, "\n"); got != n-3 {
		t.Fatalf("routes in the table: %d, want %d", got, n-3)
	}

	// Stopping at the first error: the sendmsg that carried it is fully
	// reported, nothing after it is sent.
	e.Reset()
	for i := range n {
		dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{11, byte(i >> 8), byte(i), 0}), 24)
		oif := idx
		if bad[i] {
			oif = 999
		}
		encodeRoute(&e, dst, oif, nl.Create|nl.Excl)
	}
	err = c.Batch(context.Background(), &e, nil)
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 1234 || be.Done <= 1234 || be.Done >= n {
		t.Fatalf("stop at first error: %v", err)
	}
	out = ns.IP("-4", "route", "show", "proto", "static")
	if got := strings.Count(out, "\n") - (n - 3); got != be.Done-1 {
		t.Fatalf("stop at first error: %d routes installed, want Done-1 = %d", got, be.Done-1)
	}
}

// Acceptance 9.
func TestUserSockUnicastAndMulticast(t *testing.T) {
	ns := netnstest.New(t)
	a := ns.Dial(nl.UserSock, &nl.Config{PassCred: true})
	b := ns.Dial(nl.UserSock, &nl.Config{PassCred: true})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	msg := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 100, Seq: 7, Port: a.Port()}, Data: []byte("hello b")})
	if err := a.Send(ctx, msg, nl.Addr{Port: b.Port()}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Data) != "hello b" || got[0].Meta.Port != a.Port() || got[0].Meta.Group != 0 {
		t.Fatalf("unicast: %+v", got)
	}
	cr := got[0].Meta
	if !cr.HasCreds || cr.Creds.PID != int32(os.Getpid()) || cr.Creds.UID != uint32(os.Getuid()) || cr.Creds.GID != uint32(os.Getgid()) {
		t.Fatalf("credentials %+v, want pid %d uid %d", cr, os.Getpid(), os.Getuid())
	}

	// Multicast: b joins group 5 and receives a's broadcast with its group;
	// after leaving it receives nothing.
	if err := b.JoinGroup(5); err != nil {
		t.Fatal(err)
	}
	msg = nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 101, Port: a.Port()}, Data: []byte("to group 5")})
	if err := a.Send(ctx, msg, nl.Addr{Groups: 1 << (5 - 1)}); err != nil {
		t.Fatal(err)
	}
	got, err = b.Receive(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0].Data) != "to group 5" || got[0].Meta.Group != 5 || !got[0].Meta.HasCreds || got[0].Meta.Creds.PID != int32(os.Getpid()) {
		t.Fatalf("multicast: %+v", got)
	}
	if err := b.LeaveGroup(5); err != nil {
		t.Fatal(err)
	}
	if err := a.Send(ctx, msg, nl.Addr{Groups: 1 << (5 - 1)}); err != nil {
		t.Fatal(err)
	}
	short, cancel2 := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel2()
	if got, err := b.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("after leaving: %v, %v", got, err)
	}
}

// A group above 32 can be joined and is reported through packet info.
func TestUserSockHighGroup(t *testing.T) {
	ns := netnstest.New(t)
	a := ns.Dial(nl.UserSock, nil)
	b := ns.Dial(nl.UserSock, nil)
	if err := b.JoinGroup(31); err != nil {
		t.Fatal(err)
	}
	groups, err := b.Groups()
	if err != nil || len(groups) != 1 || groups[0] != 31 {
		t.Fatalf("Groups() = %v, %v", groups, err)
	}
	if err := b.SetOption(nl.PacketInfo, true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	msg := nl.AppendMessage(nil, nl.Message{Header: nl.Header{Type: 100}, Data: []byte("x")})
	if err := a.Send(ctx, msg, nl.Addr{Groups: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	got, err := b.Receive(ctx)
	if err != nil || len(got) != 1 || got[0].Meta.Group != 31 {
		t.Fatalf("got %+v, %v", got, err)
	}
}

// Close unblocks a blocked receive.
func TestCloseUnblocksReceive(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	c.JoinGroup(rtnlgrpLink)
	if err := receiveUnblockedBy(t, c, context.Background(), func() { c.Close() }); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("receive after close: %v", err)
	}
}

// A context cancels a blocked receive; the connection stays usable.
func TestContextCancelsReceive(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	c.JoinGroup(rtnlgrpLink)
	ctx, cancel := context.WithCancel(context.Background())
	if err := receiveUnblockedBy(t, c, ctx, cancel); !errors.Is(err, context.Canceled) {
		t.Fatalf("receive: %v, want context.Canceled", err)
	}
	if got := linkNames(t, c); len(got) != 1 {
		t.Fatalf("links = %v", got)
	}
	// A deadline works too.
	c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := c.Receive(context.Background()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("receive past the deadline: %v", err)
	}
	c.SetReadDeadline(time.Time{})
}

// Requests from many goroutines on one connection, with a listener
// blocked on the same socket, all get their own replies (run with -race).
func TestConcurrentRequests(t *testing.T) {
	ns := netnstest.New(t)
	c := ns.Dial(nl.Route, nil)
	idx := upVeth(t, ns)
	c.JoinGroup(unix.RTNLGRP_IPV4_ROUTE)
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan int, 1)
	first := make(chan struct{}) // closed at the first route event
	go func() {
		n := 0
		for m, err := range c.Messages(ctx) {
			if err != nil {
				if !errors.Is(err, nl.ErrOverrun) {
					break
				}
				continue
			}
			if m.Header.Type == unix.RTM_NEWROUTE {
				if n++; n == 1 {
					close(first)
				}
			}
		}
		events <- n
	}()
	const workers, each = 16, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var e nl.Encoder
			for i := range each {
				e.Reset()
				encodeRoute(&e, netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(w), byte(i), 0}), 24), idx, nl.Acknowledge|nl.Create|nl.Excl)
				if err := c.Do(context.Background(), &e, nil); err != nil {
					t.Errorf("worker %d route %d: %v", w, i, err)
					return
				}
				// And a read on the same connection.
				if i%10 == 0 {
					if got := linkNames(t, c); len(got) != 3 {
						t.Errorf("links = %v", got)
					}
				}
			}
		}()
	}
	wg.Wait()
	out := ns.IP("-4", "route", "show", "proto", "static")
	if got := strings.Count(out, "\n"); got != workers*each {
		t.Fatalf("routes = %d, want %d", got, workers*each)
	}
	// Routes added by this socket are not echoed to it, so the listener
	// sees only events caused by others: add one with ip.
	// The listener has the event when the loop has read it, which a busy
	// machine (-race) may delay: wait for it rather than for a fixed time.
	ns.IP("route", "add", "10.250.0.0/24", "dev", "v0")
	select {
	case <-first:
	case <-time.After(10 * time.Second):
	}
	cancel()
	if n := <-events; n < 1 {
		t.Fatalf("listener saw %d route events", n)
	}
}

// The echo of a request (NLM_F_ECHO) comes back as a copy of the group
// notification, with the group set; it is still the request's reply, here
// the nexthop with the id the kernel chose.
func TestEchoIsAReply(t *testing.T) {
	ns := netnstest.New(t)
	ns.IP("link", "set", "lo", "up") // a blackhole nexthop lives on lo
	c := ns.Dial(nl.Route, nil)
	var e nl.Encoder
	e.Begin(unix.RTM_NEWNEXTHOP, nl.Create|nl.Excl|nl.Echo|nl.Acknowledge)
	e.Fixed(8)[0] = unix.AF_INET
	e.Flag(4) // NHA_BLACKHOLE
	e.End()
	msgs, err := c.Execute(context.Background(), &e)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Header.Type != unix.RTM_NEWNEXTHOP {
		t.Fatalf("replies: %+v", msgs)
	}
	d := nl.NewAttrDecoder(msgs[0].Data[8:])
	id := uint32(0)
	for d.Next() {
		if d.Type() == 1 { // NHA_ID
			id = d.Uint32()
		}
	}
	if id == 0 {
		t.Fatalf("no nexthop id in the echo: % x", msgs[0].Data)
	}
	// The same through a batch, with OnReply.
	e.Reset()
	for range 3 {
		e.Begin(unix.RTM_NEWNEXTHOP, nl.Create|nl.Excl|nl.Echo|nl.Acknowledge)
		e.Fixed(8)[0] = unix.AF_INET
		e.Flag(4)
		e.End()
	}
	var got []int
	err = c.Batch(context.Background(), &e, &nl.BatchOptions{OnReply: func(i int, m nl.Message) error {
		got = append(got, i)
		return nil
	}})
	if err != nil || len(got) != 3 || got[0] != 0 || got[2] != 2 {
		t.Fatalf("batch echoes: %v %v", got, err)
	}
}
