package benchmarks

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/vishvananda/netlink"
	vnetns "github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// benchRoutes is the number of routes inserted and listed.
const benchRoutes = 100000

// routeNetAddr is v0's address in the route benchmarks; the routes,
// 10.0.0.0/32 up to 10.1.134.159/32, lie outside it.
const routeNetAddr = "10.255.0.1/24"

// routeDst returns the i'th route's destination.
func routeDst(i int) [4]byte { return [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)} }

// rawRouteMessages pre-encodes n RTM_NEWROUTE requests by hand: 10.x/32,
// dev oif, scope link, protocol static, table main.
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
		d := routeDst(i)
		copy(m[32:36], d[:])
		ne.PutUint16(m[36:], 8)
		ne.PutUint16(m[38:], unix.RTA_OIF)
		ne.PutUint32(m[40:], oif)
		buf = append(buf, m[:]...)
	}
	return buf
}

// writeRouteFile writes the batch file of ip and nlctl: benchRoutes lines
// "route add 10.a.b.c/32 dev v0 proto static".
func writeRouteFile(b *testing.B) string {
	path := filepath.Join(b.TempDir(), "routes.batch")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range benchRoutes {
		d := routeDst(i)
		fmt.Fprintf(w, "route add %d.%d.%d.%d/32 dev v0 proto static\n", d[0], d[1], d[2], d[3])
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return path
}

// insertRoutes returns a contender that empties s, runs insert (which
// returns the time of its measured part) and checks that the routes are
// all there.
func insertRoutes(s *scratch, insert func(b *testing.B, idx int) result) contender {
	return func(b *testing.B) result {
		idx := s.reset(b)
		r := insert(b, idx)
		if n := s.count(b, unix.RTM_GETROUTE); n < benchRoutes {
			b.Fatalf("%d IPv4 routes after the insert, want %d or more", n, benchRoutes)
		}
		return r
	}
}

// BenchmarkRouteInsert100k inserts 100,000 routes "10.a.b.c/32 dev v0
// proto static scope link" into an emptied namespace per run, timing only
// the insert (for ip-batch and nlctl-batch, the whole process). Every
// contender but raw runs paired with raw and reports x-raw; nlctl-batch
// is also paired with ip-batch and reports x-ip.
func BenchmarkRouteInsert100k(b *testing.B) {
	file := writeRouteFile(b)
	ctx := context.Background()
	// Two hand-written readers: one asks every request for an ACK, the
	// other only the last of each sendmsg (as nlkit does).
	rawWith := func(s *scratch, ackLast bool) contender {
		return insertRoutes(s, func(b *testing.B, idx int) result {
			start := time.Now()
			msgs := rawRouteMessages(benchRoutes, uint32(idx)) // encoding counts
			rawInsert(b, s.fd, msgs, len(msgs)/benchRoutes, ackLast)
			return result{d: time.Since(start)}
		})
	}
	raw := func(s *scratch) contender { return rawWith(s, false) }
	rawLast := func(s *scratch) contender { return rawWith(s, true) }
	b.Run("raw", func(b *testing.B) {
		measure(b, raw(newScratch(b, routeNetAddr)))
	})
	b.Run("raw-acklast", func(b *testing.B) {
		s := newScratch(b, routeNetAddr)
		measure(b, rawLast(s), ref{"raw", raw(s)})
	})
	b.Run("nlkit", func(b *testing.B) {
		s := newScratch(b, routeNetAddr)
		h, err := rtnl.Dial(&nl.Config{NetNS: s.ns.NS})
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		measure(b, insertRoutes(s, func(b *testing.B, idx int) result {
			start := time.Now()
			bt := h.NewBatch()
			bt.Grow(benchRoutes) // a loader that knows the table's size reserves room for it
			for i := range benchRoutes {
				r := rtnl.Route{
					Dst:       netip.PrefixFrom(netip.AddrFrom4(routeDst(i)), 32),
					LinkIndex: idx,
					Scope:     rtnl.ScopeLink,
					Protocol:  rtnl.ProtoStatic,
				}
				if err := bt.Route(rtnl.Add, &r); err != nil {
					b.Fatal(err)
				}
			}
			if err := bt.Run(ctx, nil); err != nil {
				b.Fatal(err)
			}
			return result{d: time.Since(start)}
		}), ref{"raw", raw(s)}, ref{"rawlast", rawLast(s)})
	})
	b.Run("vishvananda", func(b *testing.B) {
		s := newScratch(b, routeNetAddr)
		h := vishHandle(b, s.ns.NS)
		measure(b, insertRoutes(s, func(b *testing.B, idx int) result {
			start := time.Now()
			for i := range benchRoutes {
				d := routeDst(i)
				r := netlink.Route{
					LinkIndex: idx,
					Dst:       &net.IPNet{IP: net.IP(d[:]), Mask: net.CIDRMask(32, 32)},
					Scope:     netlink.SCOPE_LINK,
					Protocol:  unix.RTPROT_STATIC,
				}
				if err := h.RouteAdd(&r); err != nil {
					b.Fatal(err)
				}
			}
			return result{d: time.Since(start)}
		}), ref{"raw", raw(s)})
	})
	ipBatch := func(s *scratch) contender {
		return insertRoutes(s, func(b *testing.B, idx int) result {
			return runProcess(b, "ip", "-n", s.ns.Name, "-batch", file)
		})
	}
	b.Run("ip-batch", func(b *testing.B) {
		s := newScratch(b, routeNetAddr)
		measure(b, ipBatch(s), ref{"raw", raw(s)})
	})
	// nlctl-batch runs paired with ip-batch too: x-ip is the target's
	// figure.
	b.Run("nlctl-batch", func(b *testing.B) {
		bin := nlctlPath(b)
		s := newScratch(b, routeNetAddr)
		measure(b, insertRoutes(s, func(b *testing.B, idx int) result {
			return runProcess(b, bin, "-n", s.ns.Name, "-batch", file)
		}), ref{"raw", raw(s)}, ref{"ip", ipBatch(s)})
	})
}

// vishHandle opens a vishvananda/netlink route handle in ns, closed when
// the benchmark ends.
func vishHandle(b *testing.B, ns *netns.NS) *netlink.Handle {
	h, err := netlink.NewHandleAt(vnetns.NsHandle(ns.FD()), unix.NETLINK_ROUTE)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(h.Close)
	return h
}

// The listing fixture, a namespace with benchRoutes routes in its main
// table, is built once per process and shared by every run of
// BenchmarkRouteList100k; TestMain removes it.
var listFixture struct {
	once sync.Once
	ns   *netns.NS
	name string
	fd   int
	err  error
}

func routeFixture(b *testing.B) (*netns.NS, string, int) {
	netnstest.RequirePrivileged(b)
	listFixture.once.Do(func() { listFixture.err = buildListFixture() })
	if listFixture.err != nil {
		b.Fatal(listFixture.err)
	}
	return listFixture.ns, listFixture.name, listFixture.fd
}

func buildListFixture() error {
	f := &listFixture
	f.name = fmt.Sprintf("nlkit-bench-list-%d", os.Getpid())
	ns, err := netns.Create(f.name)
	if err != nil {
		return err
	}
	f.ns = ns
	if err := netnstest.NotHost(ns); err != nil {
		return err
	}
	script := "link add v0 type veth peer name v0p\nlink set v0 up\nlink set v0p up\naddr add " + routeNetAddr + " dev v0\n"
	cmd := exec.Command("ip", "-n", f.name, "-batch", "-")
	cmd.Stdin = bytes.NewBufferString(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ip -batch: %v: %s", err, out)
	}
	iface, err := interfaceIndex(ns, "v0")
	if err != nil {
		return err
	}
	h, err := rtnl.Dial(&nl.Config{NetNS: ns})
	if err != nil {
		return err
	}
	defer h.Close()
	bt := h.NewBatch()
	for i := range benchRoutes {
		r := rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4(routeDst(i)), 32), LinkIndex: iface, Scope: rtnl.ScopeLink, Protocol: rtnl.ProtoStatic}
		if err := bt.Route(rtnl.Add, &r); err != nil {
			return err
		}
	}
	if err := bt.Run(context.Background(), nil); err != nil {
		return err
	}
	f.fd = -1
	var fd int
	if err := ns.Do(func() error {
		var err error
		fd, err = unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.NETLINK_ROUTE)
		return err
	}); err != nil {
		return err
	}
	f.fd = fd
	return setupRawSocket(fd)
}

// interfaceIndex returns the index of the named interface in ns.
func interfaceIndex(ns *netns.NS, name string) (int, error) {
	var idx int
	err := ns.Do(func() error {
		i, err := net.InterfaceByName(name)
		if err == nil {
			idx = i.Index
		}
		return err
	})
	return idx, err
}

// closeListFixture removes the listing fixture, if it was built.
func closeListFixture() {
	f := &listFixture
	if f.ns == nil {
		return
	}
	if f.fd > 0 {
		unix.Close(f.fd)
	}
	f.ns.Close()
	if err := netns.Delete(f.name); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
}

// BenchmarkRouteList100k lists the IPv4 main table of the shared fixture
// (100,000 routes and one connected route). In-process contenders report
// allocs/route, alloc-MiB and peak-MiB; whole processes (stdout to
// /dev/null) report peak-RSS-KiB. Every contender but raw runs paired with
// raw and reports x-raw; nlctl-json is also paired with ip-json and
// reports x-ip.
func BenchmarkRouteList100k(b *testing.B) {
	ns, name, fd := routeFixture(b)
	ctx := context.Background()
	rbuf := make([]byte, 32<<10)
	raw := func(b *testing.B) result {
		return inProcess(b, benchRoutes, func(*heapProbe) int {
			return rawDump(b, fd, rbuf, unix.RTM_GETROUTE)
		})
	}
	filter := &rtnl.RouteFilter{Family: rtnl.IPv4, Table: rtnl.TableMain}
	handle := func(b *testing.B) *rtnl.Handle {
		h, err := rtnl.Dial(&nl.Config{NetNS: ns})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { h.Close() })
		return h
	}
	b.Run("raw", func(b *testing.B) { measure(b, raw) })
	b.Run("nlkit-iter", func(b *testing.B) {
		h := handle(b)
		measure(b, func(b *testing.B) result {
			return inProcess(b, benchRoutes, func(p *heapProbe) int {
				n, bits := 0, 0
				for r, err := range h.Routes(ctx, filter) {
					if err != nil {
						b.Fatal(err)
					}
					bits += r.Dst.Bits()
					if n++; n%10000 == 0 {
						p.poll()
					}
				}
				if bits < 32*benchRoutes {
					b.Fatalf("prefix lengths add up to %d", bits)
				}
				return n
			})
		}, ref{"raw", raw})
	})
	b.Run("nlkit-list", func(b *testing.B) {
		h := handle(b)
		measure(b, func(b *testing.B) result {
			return inProcess(b, benchRoutes, func(*heapProbe) int {
				rs, err := h.ListRoutes(ctx, filter)
				if err != nil {
					b.Fatal(err)
				}
				return len(rs)
			})
		}, ref{"raw", raw})
	})
	b.Run("vishvananda", func(b *testing.B) {
		h := vishHandle(b, ns)
		measure(b, func(b *testing.B) result {
			return inProcess(b, benchRoutes, func(*heapProbe) int {
				rs, err := h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_MAIN}, netlink.RT_FILTER_TABLE)
				if err != nil {
					b.Fatal(err)
				}
				return len(rs)
			})
		}, ref{"raw", raw})
	})
	ipJSON := func(b *testing.B) result {
		return runProcess(b, "ip", "-n", name, "-j", "route", "show")
	}
	b.Run("ip-json", func(b *testing.B) {
		checkJSONRoutes(b, "ip", "-n", name, "-j", "route", "show")
		measure(b, ipJSON, ref{"raw", raw})
	})
	// nlctl-json runs paired with ip-json too: x-ip is the target's figure.
	b.Run("nlctl-json", func(b *testing.B) {
		bin := nlctlPath(b)
		checkJSONRoutes(b, bin, "-n", name, "-j", "route", "show")
		measure(b, func(b *testing.B) result {
			return runProcess(b, bin, "-n", name, "-j", "route", "show")
		}, ref{"raw", raw}, ref{"ip", ipJSON})
	})
}

// checkJSONRoutes runs a listing command once, untimed, and checks that it
// prints every route, so that a broken lister is not measured as a fast
// one.
func checkJSONRoutes(b *testing.B, name string, args ...string) {
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		b.Fatalf("%s %v: %v", name, args, err)
	}
	if n := bytes.Count(out, []byte(`"dst"`)); n < benchRoutes {
		b.Fatalf("%s %v printed %d routes, want %d or more", name, args, n, benchRoutes)
	}
}
