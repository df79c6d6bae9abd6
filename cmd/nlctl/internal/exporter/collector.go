package exporter

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nlkit/nlkit/nl"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/prometheus/client_golang/prometheus"
)

// The metrics. Every one has the label netns first.
var (
	descLinkCounters = [...]struct {
		desc *prometheus.Desc
		get  func(*rtnl.LinkStats) uint64
	}{
		{linkDesc("receive_bytes_total", "Bytes received by the interface (IFLA_STATS64 rx_bytes), read from the kernel at the scrape."), func(s *rtnl.LinkStats) uint64 { return s.RxBytes }},
		{linkDesc("transmit_bytes_total", "Bytes transmitted by the interface (IFLA_STATS64 tx_bytes), read from the kernel at the scrape."), func(s *rtnl.LinkStats) uint64 { return s.TxBytes }},
		{linkDesc("receive_packets_total", "Packets received by the interface (rx_packets)."), func(s *rtnl.LinkStats) uint64 { return s.RxPackets }},
		{linkDesc("transmit_packets_total", "Packets transmitted by the interface (tx_packets)."), func(s *rtnl.LinkStats) uint64 { return s.TxPackets }},
		{linkDesc("receive_errors_total", "Receive errors of the interface (rx_errors)."), func(s *rtnl.LinkStats) uint64 { return s.RxErrors }},
		{linkDesc("transmit_errors_total", "Transmit errors of the interface (tx_errors)."), func(s *rtnl.LinkStats) uint64 { return s.TxErrors }},
		{linkDesc("receive_drops_total", "Received packets the interface dropped (rx_dropped)."), func(s *rtnl.LinkStats) uint64 { return s.RxDropped }},
		{linkDesc("transmit_drops_total", "Packets to transmit the interface dropped (tx_dropped)."), func(s *rtnl.LinkStats) uint64 { return s.TxDropped }},
	}
	descLinkUp      = linkDesc("up", "1 if the interface's operational state is up (IF_OPER_UP), else 0.")
	descLinkAdminUp = linkDesc("admin_up", "1 if the interface is set up (IFF_UP), else 0.")
	descLinkCarrier = linkDesc("carrier", "1 if the interface has a carrier (IFLA_CARRIER), else 0.")
	descLinkMTU     = linkDesc("mtu_bytes", "The interface's MTU.")
	descLinkInfo    = prometheus.NewDesc("nlkit_link_info",
		"The interface's index, kind (IFLA_INFO_KIND, empty for devices without one), operational state and link-layer address, as labels; always 1.",
		[]string{"netns", "ifname", "ifindex", "kind", "operstate", "address"}, nil)

	descRoutes = prometheus.NewDesc("nlkit_routes",
		"Routes held, by table (named as ip names it), protocol and family.",
		[]string{"netns", "table", "protocol", "family"}, nil)
	descNeighbours = prometheus.NewDesc("nlkit_neighbours",
		"Neighbour entries held, by state and family: IPv4 and IPv6 entries, without proxy entries, bridge FDB entries and the entries the kernel makes for multicast and broadcast addresses (which a Cache leaves out).",
		[]string{"netns", "state", "family"}, nil)
	descAddresses = prometheus.NewDesc("nlkit_addresses",
		"Addresses held, by interface and family.",
		[]string{"netns", "ifname", "family"}, nil)
	descNexthops = prometheus.NewDesc("nlkit_nexthops",
		"Nexthop objects held (groups included).",
		[]string{"netns"}, nil)
	descRules = prometheus.NewDesc("nlkit_rules",
		"Policy routing rules held, by family.",
		[]string{"netns", "family"}, nil)

	descEvents = cacheDesc("events_total",
		"Kernel events the namespace's cache applied.")
	descDerived = cacheDesc("derived_changes_total",
		"Changes the cache found by fetching a kind again after an event that implied them (routes of a link taken down, of a deleted nexthop).")
	descOverruns = cacheDesc("overruns_total",
		"Times the kernel dropped events for the cache (its socket's buffer overran).")
	descResyncs = cacheDesc("resyncs_total",
		"Resyncs (dumps compared with what the cache held) made after overruns.")
	descCorrected = cacheDesc("resync_corrected_objects_total",
		"Objects the resyncs found different from what the cache held.")
	descLastResync = cacheDesc("last_resync_timestamp_seconds",
		"When the last resync ended, in seconds since the epoch; 0 if none.")
	descObjects = prometheus.NewDesc("nlkit_cache_objects",
		"Objects the cache holds, by kind.",
		[]string{"netns", "kind"}, nil)
	descBytes = cacheDesc("bytes",
		"Bytes the message bodies held by the cache take.")
	descCacheUp = cacheDesc("up",
		"1 while the cache follows its namespace's events; 0 once it stopped (its state is then stale until it is started again).")
	descScrapeOK = prometheus.NewDesc("nlkit_scrape_success",
		"1 if the scrape read the namespace's links from the kernel, else 0 (the link metrics are then missing).",
		[]string{"netns"}, nil)
	descScrapeTime = prometheus.NewDesc("nlkit_scrape_duration_seconds",
		"How long the scrape of the namespace took (its link dump and the walks of its cache).",
		[]string{"netns"}, nil)
)

func linkDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("nlkit_link_"+name, help, []string{"netns", "ifname"}, nil)
}

func cacheDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("nlkit_cache_"+name, help, []string{"netns"}, nil)
}

// collector computes the metrics at scrape time from the Exporter's
// targets.
type collector struct{ x *Exporter }

func newCollector(x *Exporter) *collector { return &collector{x} }

// Describe sends every metric's description.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range descLinkCounters {
		ch <- d.desc
	}
	for _, d := range []*prometheus.Desc{
		descLinkUp, descLinkAdminUp, descLinkCarrier, descLinkMTU, descLinkInfo,
		descRoutes, descNeighbours, descAddresses, descNexthops, descRules,
		descEvents, descDerived, descOverruns, descResyncs, descCorrected, descLastResync,
		descObjects, descBytes, descCacheUp, descScrapeOK, descScrapeTime,
	} {
		ch <- d
	}
}

// Collect scrapes every namespace, a few at a time.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	x := c.x
	x.mu.RLock()
	defer x.mu.RUnlock()
	ts := x.snapshot()
	if len(ts) == 1 {
		c.scrape(ch, ts[0])
		return
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for _, t := range ts {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			c.scrape(ch, t)
		})
	}
	wg.Wait()
}

// linkSample is what a scrape keeps of a link from the dump.
type linkSample struct {
	index      int
	name, kind string
	addr       string
	oper       rtnl.OperState
	flags      rtnl.LinkFlags
	carrier    bool
	mtu        uint32
	stats      rtnl.LinkStats
	hasStats   bool
}

// The keys the aggregates are counted by.
type routeKey struct {
	table  uint32
	proto  rtnl.RouteProtocol
	family rtnl.Family
}

type neighKey struct {
	state  rtnl.NeighState
	family rtnl.Family
}

type addrKey struct {
	link   int
	family rtnl.Family
}

// scrape sends the metrics of one namespace.
func (c *collector) scrape(ch chan<- prometheus.Metric, t *target) {
	start := time.Now()
	ns := t.name
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{ns}, labels...)...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, append([]string{ns}, labels...)...)
	}
	b2f := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}

	// The links, with their counters, from the kernel.
	links, err := c.dumpLinks(t)
	if err != nil {
		c.x.logOnce(ns, err)
	}
	gauge(descScrapeOK, b2f(err == nil))
	names := make(map[int]string, len(links))
	for i := range links {
		l := &links[i]
		names[l.index] = l.name
		if l.hasStats {
			for _, d := range descLinkCounters {
				counter(d.desc, float64(d.get(&l.stats)), l.name)
			}
		}
		gauge(descLinkUp, b2f(l.oper == rtnl.OperUp), l.name)
		gauge(descLinkAdminUp, b2f(l.flags&rtnl.LinkUp != 0), l.name)
		gauge(descLinkCarrier, b2f(l.carrier), l.name)
		gauge(descLinkMTU, float64(l.mtu), l.name)
		gauge(descLinkInfo, 1, l.name, strconv.Itoa(l.index), l.kind, strings.ToLower(l.oper.String()), l.addr)
	}

	// The aggregates, from the Cache, without copying it.
	cache := t.c
	// Most routes of a large table share their key: count runs of one
	// key before touching the map.
	routes := map[routeKey]int{}
	var run routeKey
	runLen := 0
	cache.RangeRoutes(func(r *rtnl.Route) bool {
		k := routeKey{r.Table, r.Protocol, r.Family}
		if k != run {
			if runLen > 0 {
				routes[run] += runLen
			}
			run, runLen = k, 0
		}
		runLen++
		return true
	})
	if runLen > 0 {
		routes[run] += runLen
	}
	for k, n := range routes {
		gauge(descRoutes, float64(n), rtnl.TableName(k.table), k.proto.String(), k.family.String())
	}
	neighs := map[neighKey]int{}
	cache.RangeNeighbours(func(n *rtnl.Neighbour) bool {
		neighs[neighKey{n.State, n.Family}]++
		return true
	})
	for k, n := range neighs {
		gauge(descNeighbours, float64(n), strings.ToLower(k.state.String()), k.family.String())
	}
	addrs := map[addrKey]int{}
	cache.RangeAddresses(func(a *rtnl.Address) bool {
		addrs[addrKey{a.LinkIndex, a.Family}]++
		return true
	})
	// By name: the dump's names, or the Cache's for a link the dump did
	// not have; two indexes never share a name at one time, but the
	// dump and the Cache may disagree for a moment, so count by name.
	byName := map[[2]string]int{}
	for k, n := range addrs {
		name, ok := names[k.link]
		if !ok {
			if l, ok := cache.LinkByIndex(k.link); ok {
				name = l.Name
			} else {
				name = strconv.Itoa(k.link)
			}
		}
		byName[[2]string{name, k.family.String()}] += n
	}
	for k, n := range byName {
		gauge(descAddresses, float64(n), k[0], k[1])
	}
	nexthops := 0
	cache.RangeNexthops(func(*rtnl.Nexthop) bool {
		nexthops++
		return true
	})
	gauge(descNexthops, float64(nexthops))
	rules := map[rtnl.Family]int{}
	cache.RangeRules(func(r *rtnl.Rule) bool {
		rules[r.Family]++
		return true
	})
	for f, n := range rules {
		gauge(descRules, float64(n), f.String())
	}

	// The Cache's health.
	s := cache.Stats()
	counter(descEvents, float64(s.Events))
	counter(descDerived, float64(s.Derived))
	counter(descOverruns, float64(s.Overruns))
	counter(descResyncs, float64(s.Resyncs))
	counter(descCorrected, float64(s.Corrected))
	last := 0.0
	if !s.LastResync.IsZero() {
		last = float64(s.LastResync.UnixNano()) / 1e9
	}
	gauge(descLastResync, last)
	counts, bytes := cache.Len()
	for k, n := range counts {
		gauge(descObjects, float64(n), k.String())
	}
	gauge(descBytes, float64(bytes))
	gauge(descCacheUp, b2f(!t.stopped()))
	gauge(descScrapeTime, time.Since(start).Seconds())
}

// dumpLinks reads the namespace's links from the kernel, fetching the
// dump again if a change interrupted it.
func (c *collector) dumpLinks(t *target) ([]linkSample, error) {
	ctx, cancel := context.WithTimeout(c.x.ctx, c.x.cfg.ScrapeTimeout)
	defer cancel()
	var links []linkSample
	err := nl.Retry(3, func() error {
		links = links[:0]
		for l, err := range t.h.Links(ctx, nil) {
			if err != nil {
				return err
			}
			s := linkSample{
				index: l.Index, name: l.Name, kind: l.Info.Kind,
				oper: l.OperState, flags: l.Flags, carrier: l.Carrier, mtu: l.MTU,
			}
			if len(l.HardwareAddr) > 0 {
				s.addr = l.HardwareAddr.String()
			}
			if l.Stats != nil {
				s.stats, s.hasStats = *l.Stats, true
			}
			links = append(links, s)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return links, nil
}
