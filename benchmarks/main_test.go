package benchmarks

// The shared machinery of the benchmarks: building nlctl, the scratch
// namespaces the inserts run in, the raw x/sys/unix reference, paired
// measurement and reporting.

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netns/netnstest"
	"github.com/nlkit/nlkit/nl"
	"golang.org/x/sys/unix"
)

// A build is an nlctl binary built by TestMain for the whole-process
// benchmarks, or the reason it could not be built.
type build struct {
	path string
	err  error
}

// nlctl is built with CGO_ENABLED=0: a static binary, as nlctl is meant to
// be shipped (it uses no cgo; a dynamically linked binary starts about
// 2.5 ms later, see BenchmarkListings). nlctlCgo is what a plain `go
// build` makes where a C compiler is found.
var nlctl, nlctlCgo build

// nlctlEnv names an nlctl binary to measure instead of this tree's.
const nlctlEnv = "NLKIT_BENCH_NLCTL"

// TestMain builds nlctl once (when benchmarks are run) and removes the
// shared listing fixtures and the binaries afterwards.
func TestMain(m *testing.M) {
	flag.Parse()
	var dir string
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		var err error
		if dir, err = os.MkdirTemp("", "nlkit-bench-"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		nlctl = goBuild(filepath.Join(dir, "nlctl"), "CGO_ENABLED=0")
		nlctlCgo = goBuild(filepath.Join(dir, "nlctl-cgo"))
		// Another build (an earlier commit's, to compare with) may stand
		// in for both.
		if p := os.Getenv(nlctlEnv); p != "" {
			nlctl, nlctlCgo = build{path: p}, build{path: p}
		}
	}
	code := m.Run()
	closeListFixture()
	closeListingFixtures()
	if dir != "" {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// goBuild builds ../cmd/nlctl into path with the environment's settings
// changed by env.
func goBuild(path string, env ...string) build {
	cmd := exec.Command("go", "build", "-o", path, "./cmd/nlctl")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return build{err: fmt.Errorf("%s go build ./cmd/nlctl: %v: %s", strings.Join(env, " "), err, out)}
	}
	return build{path: path}
}

// nlctlPath returns the static nlctl, failing the benchmark if it is
// missing.
func nlctlPath(b *testing.B) string { return nlctl.get(b) }

// nlctlCgoPath returns the nlctl of a plain go build.
func nlctlCgoPath(b *testing.B) string { return nlctlCgo.get(b) }

func (bd build) get(b *testing.B) string {
	b.Helper()
	if bd.err != nil {
		b.Fatal(bd.err)
	}
	if bd.path == "" {
		b.Fatal("nlctl was not built")
	}
	return bd.path
}

// A scratch is a namespace that one sub-benchmark's inserts run in. Before
// each insert, reset deletes and re-creates the veth pair v0/v0p, which
// removes every route and neighbour through v0 synchronously, so each
// insert starts from an emptied namespace without a namespace teardown
// running in the background during the next measurement.
type scratch struct {
	ns   *netnstest.NS
	addr string // v0's address, as ip takes it
	fd   int    // a raw route socket in ns, for the reference and for checks
	made bool
	rbuf []byte
}

func newScratch(b *testing.B, addr string) *scratch {
	ns := netnstest.New(b)
	return &scratch{ns: ns, addr: addr, fd: rawSocket(b, ns), rbuf: make([]byte, 32<<10)}
}

// reset empties the namespace and returns v0's (new) index.
func (s *scratch) reset(b *testing.B) int {
	b.Helper()
	var script strings.Builder
	if s.made {
		script.WriteString("link del v0\n")
	}
	fmt.Fprintf(&script, "link add v0 type veth peer name v0p\nlink set v0 up\nlink set v0p up\naddr add %s dev v0\n", s.addr)
	cmd := exec.Command("ip", "-n", s.ns.Name, "-batch", "-")
	cmd.Stdin = strings.NewReader(script.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("reset %s: %v: %s", s.ns.Name, err, out)
	}
	s.made = true
	out := s.ns.IP("-o", "link", "show", "v0")
	i, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(out, ":", 2)[0]))
	if err != nil {
		b.Fatalf("index of v0 from %q: %v", out, err)
	}
	return i
}

// count returns the number of IPv4 objects the kernel dumps for a
// RTM_GET* request of type typ (routes of every table, or neighbours).
func (s *scratch) count(b *testing.B, typ uint16) int {
	return rawDump(b, s.fd, s.rbuf, typ)
}

// rawSocket opens a route socket in ns with x/sys/unix alone, as the
// reference in nl/bench_test.go does.
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
	b.Cleanup(func() { unix.Close(fd) })
	if err := setupRawSocket(fd); err != nil {
		b.Fatal(err)
	}
	return fd
}

func setupRawSocket(fd int) error {
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return err
	}
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, 4<<20)
	unix.SetsockoptInt(fd, unix.SOL_NETLINK, unix.NETLINK_CAP_ACK, 1)
	return nil
}

// rawInsert sends pre-encoded requests of msgLen bytes each in 64 KiB
// batches and waits for their outcome, failing on any error. With
// ackLast, only the last request of each sendmsg asks for an ACK (the
// kernel answers every failure anyway, in order, so that ACK says the
// whole sendmsg is done): one recvmsg per sendmsg. Without it, every
// request asks for one: one recvmsg per request.
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
						b.Fatalf("raw insert: %v", unix.Errno(-code))
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

// rawDump sends an IPv4 dump request of type typ (RTM_GETROUTE or
// RTM_GETNEIGH, whose headers are both 12 bytes) and counts the replies,
// reading 32 KiB at a time.
func rawDump(b *testing.B, fd int, rbuf []byte, typ uint16) int {
	var req [16 + 12]byte
	binary.NativeEndian.PutUint32(req[0:], uint32(len(req)))
	binary.NativeEndian.PutUint16(req[4:], typ)
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
				b.Fatalf("raw dump: %v", unix.Errno(-int32(binary.NativeEndian.Uint32(rbuf[p+16:]))))
			}
			count++
			p += nl.Align(l)
		}
	}
}

// A result is one measured run of a contender: the time of its measured
// part and any further metrics (reported as medians).
type result struct {
	d       time.Duration
	metrics map[string]float64
}

// A contender runs once, preparing what it needs untimed, and returns its
// result.
type contender func(b *testing.B) result

// A ref is a contender that another is paired with, for a ratio.
type ref struct {
	name string // "raw", "ip": reported as raw-ms and x-raw
	run  contender
}

// measure runs cand b.N times, each time paired with one run of every ref,
// back to back and in rotating order, so that all see the same machine.
// It reports ns/op, the mean time of cand's measured part alone; ms, its
// median; and for each ref NAME-ms, the ref's median, and x-NAME, the
// median of the per-run ratios cand/ref: the figure to compare with a
// target, little affected by the machine's drift.
func measure(b *testing.B, cand contender, refs ...ref) {
	b.StopTimer()
	var total time.Duration
	series := map[string][]float64{}
	for i := range b.N {
		order := make([]ref, 0, 1+len(refs))
		order = append(order, ref{"", cand})
		order = append(order, refs...)
		k := i % len(order)
		order = append(order[k:], order[:k]...)
		got := map[string]result{}
		for _, r := range order {
			got[r.name] = r.run(b)
		}
		c := got[""]
		total += c.d
		series["ms"] = append(series["ms"], float64(c.d)/1e6)
		for _, r := range refs {
			d := got[r.name].d
			series[r.name+"-ms"] = append(series[r.name+"-ms"], float64(d)/1e6)
			series["x-"+r.name] = append(series["x-"+r.name], float64(c.d)/float64(d))
		}
		for k, v := range c.metrics {
			series[k] = append(series[k], v)
		}
	}
	b.ReportMetric(float64(total)/float64(b.N), "ns/op")
	for k, v := range series {
		b.ReportMetric(median(v), k)
	}
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// runProcess runs a whole command with stdout discarded (to /dev/null)
// and returns its wall time and its peak resident set size in KiB
// (peak-RSS-KiB).
//
// The peak is the child's own VmHWM, read from /proc at its exit (the
// child is traced, stopping only after its execve and at its exit). The
// rusage of wait4 cannot give it: Go starts children with
// CLONE_VM|CLONE_VFORK, and at execve the kernel folds the high-water mark
// of the mm being left, which is the benchmark process's own, into the
// child's ru_maxrss.
func runProcess(b *testing.B, name string, args ...string) result {
	b.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		b.Fatal(err)
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer null.Close()
	errf, err := os.CreateTemp("", "nlkit-bench-stderr-")
	if err != nil {
		b.Fatal(err)
	}
	defer os.Remove(errf.Name())
	defer errf.Close()
	fail := func(format string, a ...any) {
		out, _ := os.ReadFile(errf.Name())
		b.Fatalf("%s %s: %s: %.2000s", name, strings.Join(args, " "), fmt.Sprintf(format, a...), out)
	}

	// The tracer is the thread that forked; every ptrace call comes from
	// it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	pid, err := syscall.ForkExec(path, append([]string{name}, args...), &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{null.Fd(), null.Fd(), errf.Fd()},
		Sys:   &syscall.SysProcAttr{Ptrace: true},
	})
	if err != nil {
		fail("%v", err)
	}
	wait := func(ws *unix.WaitStatus) {
		for {
			_, err := unix.Wait4(pid, ws, 0, nil)
			if err == nil {
				return
			}
			if err != unix.EINTR {
				fail("wait4: %v", err)
			}
		}
	}
	var ws unix.WaitStatus
	wait(&ws) // stopped after execve
	if !ws.Stopped() {
		fail("not stopped after execve: %v", ws)
	}
	if err := unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACEEXIT|unix.PTRACE_O_EXITKILL); err != nil {
		fail("ptrace: %v", err)
	}
	hwm := -1
	sig := 0
	for {
		if err := unix.PtraceCont(pid, sig); err != nil {
			fail("ptrace: %v", err)
		}
		wait(&ws)
		if ws.Exited() || ws.Signaled() {
			break
		}
		sig = 0
		switch {
		case ws.TrapCause() == unix.PTRACE_EVENT_EXIT:
			hwm = vmHWM(pid)
		case ws.StopSignal() != unix.SIGTRAP:
			sig = int(ws.StopSignal()) // deliver it
		}
	}
	d := time.Since(start)
	if !ws.Exited() || ws.ExitStatus() != 0 {
		fail("%v", ws)
	}
	if hwm < 0 {
		fail("no VmHWM at exit")
	}
	return result{d: d, metrics: map[string]float64{"peak-RSS-KiB": float64(hwm)}}
}

// vmHWM returns the peak resident set size of process pid in KiB, or -1.
func vmHWM(pid int) int {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return kib
			}
		}
	}
	return -1
}

// A heapProbe tracks the peak of the live and unswept heap objects
// (runtime/metrics /memory/classes/heap/objects:bytes) above a baseline.
type heapProbe struct {
	s          [1]metrics.Sample
	base, peak uint64
}

func (p *heapProbe) read() uint64 {
	p.s[0].Name = "/memory/classes/heap/objects:bytes"
	metrics.Read(p.s[:])
	return p.s[0].Value.Uint64()
}

func (p *heapProbe) reset() { p.base = p.read(); p.peak = p.base }

func (p *heapProbe) poll() { p.peak = max(p.peak, p.read()) }

// inProcess measures an in-process listing of want or more objects:
// its time, heap allocations per object (MemStats.Mallocs delta), bytes
// allocated (TotalAlloc delta) and peak heap growth. list calls poll as it
// goes, if it can; the probe is read once more right after it returns,
// before any forced collection.
func inProcess(b *testing.B, want int, list func(p *heapProbe) int) result {
	b.Helper()
	var p heapProbe
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	p.reset()
	start := time.Now()
	n := list(&p)
	d := time.Since(start)
	p.poll()
	runtime.ReadMemStats(&m1)
	if n < want {
		b.Fatalf("listed %d objects, want %d", n, want)
	}
	return result{d: d, metrics: map[string]float64{
		"allocs/route": float64(m1.Mallocs-m0.Mallocs) / float64(want),
		"alloc-MiB":    float64(m1.TotalAlloc-m0.TotalAlloc) / (1 << 20),
		"peak-MiB":     float64(p.peak-p.base) / (1 << 20),
	}}
}
