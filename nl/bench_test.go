package nl_test

// Benchmarks against "raw" references: hand-written golang.org/x/sys/unix
// programs with pre-encoded messages, 64 KiB batches and 32 KiB dump reads.
// For inserts there are two: one asks an ACK of every message ("raw"), the
// other only of the last of each sendmsg ("rawlast"), as Conn.Batch does.
// All run in the same process, in throwaway namespaces, in the same run.
//
//	go test ./nl -run '^$' -bench 'Route' -benchtime 10x -count 5

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

const benchRoutes = 100000

// benchNS is a namespace with veth v0 up, for one benchmark iteration.
func benchNS(b *testing.B) (*netnstest.NS, uint32) {
	ns := netnstest.New(b)
	return ns, upVeth(b, ns)
}

// rawSocket opens a route socket in ns with x/sys/unix alone.
func rawSocket(b *testing.B, ns *netnstest.NS) int {
	var fd int
	err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		b.Fatal(err)
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
	unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	b.Cleanup(func() { unix.Close(fd) })
	return fd
}

// rawRouteMessages pre-encodes n RTM_NEWROUTE requests by hand.
func rawRouteMessages(n int, oif uint32) []byte {
	const msgLen = 16 + 12 + 8 + 8
	buf := make([]byte, 0, n*msgLen)
	ne := binary.NativeEndian
	for i := range n {
		var m [msgLen]byte
		ne.PutUint32(m[0:], msgLen)
		ne.PutUint16(m[4:], unix.RTM_NEWROUTE)
		ne.PutUint16(m[6:], unix.NLM_F_REQUEST|unix.NLM_F_ACK|unix.NLM_F_CREATE|unix.NLM_F_EXCL)
		ne.PutUint32(m[8:], uint32(i+1))
		m[16], m[17], m[20], m[21], m[22], m[23] = unix.AF_INET, 32, unix.RT_TABLE_MAIN, unix.RTPROT_STATIC, unix.RT_SCOPE_LINK, unix.RTN_UNICAST
		ne.PutUint16(m[28:], 8)
		ne.PutUint16(m[30:], unix.RTA_DST)
		m[32], m[33], m[34], m[35] = 10, byte(i>>16), byte(i>>8), byte(i)
		ne.PutUint16(m[36:], 8)
		ne.PutUint16(m[38:], unix.RTA_OIF)
		ne.PutUint32(m[40:], oif)
		buf = append(buf, m[:]...)
	}
	return buf
}

// rawInsert sends pre-encoded messages in 64 KiB batches, failing on any
// error. With ackLast only the last message of each sendmsg asks for an
// ACK (failures are answered anyway, before it); without, every message
// does, and one ACK per message is read.
func rawInsert(b *testing.B, fd int, msgs []byte, msgLen int, ackLast bool) {
	per := (64 << 10) / msgLen
	rbuf := make([]byte, 32<<10)
	kernel := &unix.SockaddrNetlink{Family: unix.AF_NETLINK}
	ne := binary.NativeEndian
	for off := 0; off < len(msgs); off += per * msgLen {
		end := min(off+per*msgLen, len(msgs))
		if ackLast {
			for p := off; p < end-msgLen; p += msgLen {
				ne.PutUint16(msgs[p+6:], ne.Uint16(msgs[p+6:])&^unix.NLM_F_ACK)
			}
		}
		if err := unix.Sendto(fd, msgs[off:end], 0, kernel); err != nil {
			b.Fatal(err)
		}
		lastSeq := ne.Uint32(msgs[end-msgLen+8:])
		for want := (end - off) / msgLen; want > 0; {
			n, _, err := unix.Recvfrom(fd, rbuf, 0)
			if err != nil {
				b.Fatal(err)
			}
			for p := 0; p+16 <= n; {
				l := int(ne.Uint32(rbuf[p:]))
				if ne.Uint16(rbuf[p+4:]) == unix.NLMSG_ERROR {
					if code := int32(ne.Uint32(rbuf[p+16:])); code != 0 {
						b.Fatalf("raw insert: errno %d", -code)
					}
					want--
					if ackLast && ne.Uint32(rbuf[p+8:]) == lastSeq {
						want = 0
					}
				}
				p += nl.Align(l)
			}
		}
	}
}

// rawDump dumps IPv4 routes with 32 KiB reads and counts them.
func rawDump(b *testing.B, fd int, rbuf []byte) int {
	var req [16 + 12]byte
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], unix.RTM_GETROUTE)
	binary.NativeEndian.PutUint16(req[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	binary.NativeEndian.PutUint32(req[8:], 1)
	req[16] = unix.AF_INET
	if err := unix.Sendto(fd, req[:], 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		b.Fatal(err)
	}
	count := 0
	for {
		n, _, err := unix.Recvfrom(fd, rbuf, 0)
		if err != nil {
			b.Fatal(err)
		}
		for p := 0; p+16 <= n; {
			l := int(binary.NativeEndian.Uint32(rbuf[p:]))
			switch binary.NativeEndian.Uint16(rbuf[p+4:]) {
			case unix.NLMSG_DONE:
				return count
			case unix.NLMSG_ERROR:
				b.Fatal("raw dump: error")
			}
			count++
			p += nl.Align(l)
		}
	}
}

// BenchmarkRouteInsert100k inserts 100,000 routes per operation through
// the core's batching and through both raw references, each into a fresh
// namespace, rotating which goes first so that all see the same machine
// (namespace teardown in the background included). It reports the times
// and nlkit's ratio to each.
func BenchmarkRouteInsert100k(b *testing.B) {
	var e nl.Encoder
	var p, pl pairs
	for i := range b.N {
		var tn, tr, tl time.Duration
		nlkit := func() {
			ns, idx := benchNS(b)
			c := ns.Dial(nl.Route, nil)
			start := time.Now()
			e.Reset()
			for i := range benchRoutes {
				dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
				encodeRoute(&e, dst, idx, nl.Create|nl.Excl)
			}
			if err := c.Batch(context.Background(), &e, nil); err != nil {
				b.Fatal(err)
			}
			tn = time.Since(start)
		}
		raw := func(ackLast bool, d *time.Duration) func() {
			return func() {
				ns, idx := benchNS(b)
				fd := rawSocket(b, ns)
				start := time.Now()
				msgs := rawRouteMessages(benchRoutes, idx) // pre-encoding counts, as above
				rawInsert(b, fd, msgs, len(msgs)/benchRoutes, ackLast)
				*d = time.Since(start)
			}
		}
		order := []func(){nlkit, raw(false, &tr), raw(true, &tl)}
		k := i % len(order)
		for _, run := range append(order[k:], order[:k]...) {
			run()
		}
		p.add(tn, tr)
		pl.add(tn, tl)
	}
	p.report(b)
	b.ReportMetric(median(pl.raw), "rawlast-ms")
	b.ReportMetric(median(pl.ratio), "nlkit/rawlast")
}

// pairs collects the nlkit and raw times of each iteration. Each pair ran
// back to back, so its ratio is little affected by the machine's drift; the
// median of the ratios is the figure to compare with a target.
type pairs struct{ nlkit, raw, ratio []float64 }

func (p *pairs) add(nlkit, raw time.Duration) {
	p.nlkit = append(p.nlkit, float64(nlkit.Microseconds())/1000)
	p.raw = append(p.raw, float64(raw.Microseconds())/1000)
	p.ratio = append(p.ratio, float64(nlkit)/float64(raw))
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// report reports the medians: nlkit's time, raw's, and their ratio.
func (p *pairs) report(b *testing.B) {
	b.ReportMetric(median(p.nlkit), "nlkit-ms")
	b.ReportMetric(median(p.raw), "raw-ms")
	b.ReportMetric(median(p.ratio), "nlkit/raw")
}

// BenchmarkRouteDump100k dumps 100,000 routes per operation through the
// raw iterator and through the raw reference, alternately, from one
// namespace.
func BenchmarkRouteDump100k(b *testing.B) {
	ns, fd := dumpFixture(b)
	c, err := nl.Dial(nl.Route, &nl.Config{NetNS: ns})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	rbuf := make([]byte, 32<<10)
	var e nl.Encoder
	var p pairs
	for i := range b.N {
		var tn, tr time.Duration
		nlkit := func() {
			start := time.Now()
			e.Reset()
			e.Begin(unix.RTM_GETROUTE, 0)
			e.Fixed(unix.SizeofRtMsg)[0] = unix.AF_INET
			e.End()
			n := 0
			for _, err := range c.Dump(context.Background(), &e) {
				if err != nil {
					b.Fatal(err)
				}
				n++
			}
			tn = time.Since(start)
			if n < benchRoutes {
				b.Fatalf("dumped %d routes", n)
			}
		}
		raw := func() {
			start := time.Now()
			n := rawDump(b, fd, rbuf)
			tr = time.Since(start)
			if n < benchRoutes {
				b.Fatalf("dumped %d routes", n)
			}
		}
		if i%2 == 0 {
			nlkit()
			raw()
		} else {
			raw()
			nlkit()
		}
		p.add(tn, tr)
	}
	p.report(b)
}

// The dump fixture, a namespace with 100,000 routes, is built once per
// process and shared by every run of BenchmarkRouteDump100k: building and
// tearing one down per run would load the machine while others measure.
var fixture struct {
	once sync.Once
	ns   *netns.NS
	name string
	fd   int
	err  error
}

func dumpFixture(b *testing.B) (*netns.NS, int) {
	netnstest.RequirePrivileged(b)
	fixture.once.Do(func() {
		fixture.name = fmt.Sprintf("nlkit-bench-dump-%d", os.Getpid())
		ns, err := netns.Create(fixture.name)
		if err != nil {
			fixture.err = err
			return
		}
		if err := netnstest.NotHost(ns); err != nil {
			fixture.err = err
			return
		}
		fixture.ns = ns
		c, err := nl.Dial(nl.Route, &nl.Config{NetNS: ns})
		if err != nil {
			fixture.err = err
			return
		}
		defer c.Close()
		for _, args := range [][]string{
			{"link", "add", "v0", "type", "veth", "peer", "name", "v0p"},
			{"link", "set", "v0", "up"}, {"link", "set", "v0p", "up"},
		} {
			if out, err := exec.Command("ip", append([]string{"-n", fixture.name}, args...)...).CombinedOutput(); err != nil {
				fixture.err = fmt.Errorf("ip %v: %v: %s", args, err, out)
				return
			}
		}
		var e nl.Encoder
		idx := uint32(0)
		e.Begin(unix.RTM_GETLINK, nl.Acknowledge)
		e.Fixed(unix.SizeofIfInfomsg)
		e.String(unix.IFLA_IFNAME, "v0")
		e.End()
		msgs, err := c.Execute(context.Background(), &e)
		if err != nil || len(msgs) != 1 {
			fixture.err = fmt.Errorf("index of v0: %v", err)
			return
		}
		idx = binary.NativeEndian.Uint32(msgs[0].Data[4:8])
		e.Reset()
		for i := range benchRoutes {
			dst := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32)
			encodeRoute(&e, dst, idx, nl.Create|nl.Excl)
		}
		if err := c.Batch(context.Background(), &e, nil); err != nil {
			fixture.err = err
			return
		}
		ns.Do(func() error {
			fixture.fd, fixture.err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
			return nil
		})
		if fixture.err == nil {
			fixture.err = unix.Bind(fixture.fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK})
		}
	})
	if fixture.err != nil {
		b.Fatal(fixture.err)
	}
	return fixture.ns, fixture.fd
}

// TestMain removes the benchmark fixture after the run.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.ns != nil {
		unix.Close(fixture.fd)
		fixture.ns.Close()
		netns.Delete(fixture.name)
	}
	os.Exit(code)
}

// BenchmarkEncodeRoute encodes one route request into a reused buffer.
func BenchmarkEncodeRoute(b *testing.B) {
	var e nl.Encoder
	dst := netip.MustParsePrefix("10.1.2.0/24")
	b.ReportAllocs()
	for range b.N {
		e.Reset()
		encodeRoute(&e, dst, 2, nl.Create|nl.Excl)
	}
}

// BenchmarkDecodeAttributes walks the attributes of a link message.
func BenchmarkDecodeAttributes(b *testing.B) {
	var e nl.Encoder
	e.Begin(unix.RTM_NEWLINK, 0)
	e.Fixed(16)
	for i := range 40 {
		e.Uint32(uint16(i+1), uint32(i))
	}
	e.String(unix.IFLA_IFNAME, "eth0")
	e.End()
	data := e.Message(0).Data[16:]
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for range b.N {
		d := nl.NewAttrDecoder(data)
		sum := uint32(0)
		for d.Next() {
			if d.Len() == 4 {
				sum += d.Uint32()
			}
		}
		if d.Err() != nil {
			b.Fatal(d.Err())
		}
	}
}
