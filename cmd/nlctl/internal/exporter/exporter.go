package exporter

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config configures an Exporter.
type Config struct {
	// Self dials the namespace exported with the label netns=SelfName (the
	// current one, or -n's); nil exports none but those of AllNetNS.
	Self     func() (*rtnl.Handle, error)
	SelfName string
	// AllNetNS exports every namespace named in /run/netns too, labelled
	// with its name, following those added and deleted.
	AllNetNS bool
	// Match, if set, keeps only the names in /run/netns it accepts (the
	// tests' own namespaces, in tests that run beside others).
	Match func(name string) bool
	// Poll is how often /run/netns is read again and a cache that
	// stopped is started again (0: defaultPoll).
	Poll time.Duration
	// ScrapeTimeout bounds the link dump of one namespace in a scrape
	// (0: 10s).
	ScrapeTimeout time.Duration
	// Log receives what goes wrong while serving (nil: discarded).
	Log io.Writer
}

// An Exporter follows namespaces with one Cache each and exports their
// state through a private Prometheus registry.
type Exporter struct {
	cfg    Config
	ctx    context.Context
	cancel context.CancelFunc
	reg    *prometheus.Registry
	done   chan struct{} // the poller ended

	mu      sync.RWMutex // Lock to change targets; RLock while scraping them
	targets map[string]*target

	logMu  sync.Mutex
	logged map[string]string // the last error logged per namespace
}

// A target is one namespace exported: a Handle for the scrapes' link
// dumps and the Cache that follows it.
type target struct {
	name   string // the label
	dial   func() (*rtnl.Handle, error)
	id     netns.ID // of /run/netns/name, for named namespaces
	h      *rtnl.Handle
	c      *rtnl.Cache
	cancel context.CancelFunc
}

// New starts following the namespaces cfg names; it returns once each
// Cache holds its namespace's initial listing. A namespace of /run/netns
// that cannot be followed is logged and tried again at the next poll; Self
// failing is an error.
func New(ctx context.Context, cfg Config) (*Exporter, error) {
	if cfg.Poll <= 0 {
		cfg.Poll = defaultPoll
	}
	if cfg.ScrapeTimeout <= 0 {
		cfg.ScrapeTimeout = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	x := &Exporter{cfg: cfg, targets: map[string]*target{}, logged: map[string]string{}, done: make(chan struct{})}
	x.ctx, x.cancel = context.WithCancel(ctx)
	if cfg.Self != nil {
		t, err := x.open(cfg.SelfName, cfg.Self, netns.ID{})
		if err != nil {
			x.cancel()
			return nil, err
		}
		x.targets[t.name] = t
	}
	if cfg.AllNetNS {
		x.refreshNamed()
	}
	x.reg = prometheus.NewRegistry()
	x.reg.MustRegister(
		newCollector(x),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	go x.poll()
	return x, nil
}

// Close stops following the namespaces and releases them.
func (x *Exporter) Close() error {
	x.cancel()
	<-x.done
	x.mu.Lock()
	ts := x.targets
	x.targets = map[string]*target{}
	x.mu.Unlock()
	for _, t := range ts {
		t.close()
	}
	return nil
}

// Handler returns the HTTP handler of /metrics (and of /, which points
// there).
func (x *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.InstrumentMetricHandler(x.reg, promhttp.HandlerFor(x.reg, promhttp.HandlerOpts{
		ErrorLog:      logger{x},
		ErrorHandling: promhttp.ContinueOnError,
		// Each scrape walks every Cache: a few at a time. No Timeout:
		// it would buffer every response once more; the link dumps are
		// bounded by ScrapeTimeout, and the walks of the caches never
		// wait for the kernel.
		MaxRequestsInFlight: 4,
	})))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintln(w, "nlctl exporter: the metrics are at /metrics")
	})
	return mux
}

// Serve serves the exporter's metrics at /metrics on ln until ctx ends,
// then shuts the server down (requests under way get a few seconds).
func (x *Exporter) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           x.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	<-errc
	return nil
}

// logger is promhttp's error log.
type logger struct{ x *Exporter }

func (l logger) Println(v ...any) {
	l.x.logMu.Lock()
	defer l.x.logMu.Unlock()
	fmt.Fprintln(l.x.cfg.Log, append([]any{"nlctl exporter:"}, v...)...)
}

// logOnce logs err for namespace name unless it is the error last logged
// for it; a nil err forgets it.
func (x *Exporter) logOnce(name string, err error) {
	x.logMu.Lock()
	defer x.logMu.Unlock()
	if err == nil {
		delete(x.logged, name)
		return
	}
	if x.logged[name] == err.Error() {
		return
	}
	x.logged[name] = err.Error()
	fmt.Fprintf(x.cfg.Log, "nlctl exporter: netns %q: %v\n", name, err)
}

// open dials a namespace and builds its Cache.
func (x *Exporter) open(name string, dial func() (*rtnl.Handle, error), id netns.ID) (*target, error) {
	h, err := dial()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(x.ctx)
	c, err := h.NewCache(ctx, nil)
	if err != nil {
		cancel()
		h.Close()
		return nil, err
	}
	return &target{name: name, dial: dial, id: id, h: h, c: c, cancel: cancel}, nil
}

func (t *target) close() {
	t.cancel()
	t.c.Close()
	t.h.Close()
}

// stopped reports whether t's Cache stopped following its namespace.
func (t *target) stopped() bool {
	select {
	case <-t.c.Done():
		return true
	default:
		return false
	}
}

// poll reads /run/netns again (with AllNetNS) and starts the caches that
// stopped again, every Poll, until the Exporter is closed.
func (x *Exporter) poll() {
	defer close(x.done)
	tick := time.NewTicker(x.cfg.Poll)
	defer tick.Stop()
	for {
		select {
		case <-x.ctx.Done():
			return
		case <-tick.C:
		}
		x.restartStopped()
		if x.cfg.AllNetNS {
			x.refreshNamed()
		}
	}
}

// restartStopped builds again the caches that stopped (an error of the
// watcher), keeping the old one's state served until the new one holds
// its listing.
func (x *Exporter) restartStopped() {
	x.mu.RLock()
	var stopped []*target
	for _, t := range x.targets {
		if t.stopped() {
			stopped = append(stopped, t)
		}
	}
	x.mu.RUnlock()
	for _, old := range stopped {
		if x.ctx.Err() != nil {
			return
		}
		x.logOnce(old.name, fmt.Errorf("the cache stopped: %w", old.c.Err()))
		t, err := x.open(old.name, old.dial, old.id)
		if err != nil {
			x.logOnce(old.name, err)
			continue
		}
		x.logOnce(old.name, nil)
		if !x.swap(old, t) {
			t.close()
		}
	}
}

// swap replaces old by t, if old is still the target of its name, and
// closes old.
func (x *Exporter) swap(old, t *target) bool {
	x.mu.Lock()
	ok := x.targets[old.name] == old
	if ok {
		x.targets[old.name] = t
	}
	x.mu.Unlock()
	if ok {
		old.close()
	}
	return ok
}

// isSelf reports whether name is the label of the Self namespace, which
// no name in /run/netns takes over.
func (x *Exporter) isSelf(name string) bool {
	return x.cfg.Self != nil && name == x.cfg.SelfName
}

// refreshNamed follows the namespaces added to /run/netns, stops following
// those deleted, and follows again a name that now names another
// namespace.
func (x *Exporter) refreshNamed() {
	want, err := netns.Named()
	if err != nil {
		x.logOnce(netns.RunDir, err)
		return
	}
	for n := range want {
		if x.isSelf(n) || x.cfg.Match != nil && !x.cfg.Match(n) {
			delete(want, n)
		}
	}
	var gone []*target
	var add []string
	x.mu.Lock()
	for n, t := range x.targets {
		if x.isSelf(n) {
			continue
		}
		if id, ok := want[n]; !ok || id != t.id {
			delete(x.targets, n)
			gone = append(gone, t)
		}
	}
	for n := range want {
		if _, ok := x.targets[n]; !ok {
			add = append(add, n)
		}
	}
	x.mu.Unlock()
	for _, t := range gone {
		t.close()
	}
	slices.Sort(add)
	for _, n := range add {
		if x.ctx.Err() != nil {
			return
		}
		t, err := x.openNamed(n)
		if err != nil {
			x.logOnce(n, err)
			continue
		}
		x.logOnce(n, nil)
		x.mu.Lock()
		if _, ok := x.targets[n]; ok || x.ctx.Err() != nil {
			x.mu.Unlock()
			t.close()
			continue
		}
		x.targets[n] = t
		x.mu.Unlock()
	}
}

// openNamed follows the namespace of /run/netns/name.
func (x *Exporter) openNamed(name string) (*target, error) {
	ns, err := netns.OpenName(name)
	if err != nil {
		return nil, err
	}
	id, err := ns.ID()
	ns.Close()
	if err != nil {
		return nil, err
	}
	dial := func() (*rtnl.Handle, error) {
		ns, err := netns.OpenName(name)
		if err != nil {
			return nil, err
		}
		defer ns.Close()
		if nid, err := ns.ID(); err != nil || nid != id {
			return nil, errors.New("the name now names another namespace")
		}
		return rtnl.Dial(&nl.Config{NetNS: ns})
	}
	return x.open(name, dial, id)
}

// snapshot returns the targets by name, to scrape under x.mu's read lock.
func (x *Exporter) snapshot() []*target {
	ts := make([]*target, 0, len(x.targets))
	for _, t := range x.targets {
		ts = append(ts, t)
	}
	slices.SortFunc(ts, func(a, b *target) int {
		switch {
		case a.name < b.name:
			return -1
		case a.name > b.name:
			return 1
		}
		return 0
	})
	return ts
}
