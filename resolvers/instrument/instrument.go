package instrument

import (
	"context"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/mirrors"
)

// Resolver counts and times the lookups of another Resolver.
type Resolver struct {
	next     resolvers.Resolver
	lookups  *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

var _ resolvers.Resolver = (*Resolver)(nil)

// New returns a Resolver over next whose metrics are registered with reg.
func New(next resolvers.Resolver, reg prometheus.Registerer) (*Resolver, error) {
	r := &Resolver{
		next: next,
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "admissible_lookups_total", Help: "Image lookups by registry and verdict.",
		}, []string{"registry", "verdict"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "admissible_lookup_duration_seconds", Help: "Image lookup latency by registry.",
			Buckets: []float64{0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"registry"}),
	}
	for _, c := range []prometheus.Collector{r.lookups, r.duration} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Resolve resolves q through next and records the outcome.
func (r *Resolver) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	start := time.Now()
	res := r.next.Resolve(ctx, q)
	reg := q.Ref.Context().RegistryStr()
	r.duration.WithLabelValues(reg).Observe(time.Since(start).Seconds())
	r.lookups.WithLabelValues(reg, res.Verdict.String()).Inc()
	return res
}

// Requests counts registry HTTP exchanges; it is a registry.Observer.
type Requests struct {
	total *prometheus.CounterVec
}

// NewRequests returns a Requests registered with reg.
func NewRequests(reg prometheus.Registerer) (*Requests, error) {
	r := &Requests{total: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "admissible_registry_requests_total", Help: "HTTP exchanges with registry endpoints by host, method and status.",
	}, []string{"host", "method", "status"})}
	if err := reg.Register(r.total); err != nil {
		return nil, err
	}
	return r, nil
}

// Request records one exchange; status 0 means no answer came back.
func (r *Requests) Request(host, method string, status int) {
	s := "error"
	if status != 0 {
		s = strconv.Itoa(status)
	}
	r.total.WithLabelValues(host, method, s).Inc()
}

// RegisterCache exports c's counters.
func RegisterCache(c *cache.Cache, reg prometheus.Registerer) error {
	desc := prometheus.NewDesc("admissible_cache_lookups_total", "Cache lookups by result: hit, miss (asked the registry) or shared (joined a lookup in flight).", []string{"result"}, nil)
	return reg.Register(cacheCollector{c: c, desc: desc})
}

type cacheCollector struct {
	c    *cache.Cache
	desc *prometheus.Desc
}

func (cc cacheCollector) Describe(ch chan<- *prometheus.Desc) { ch <- cc.desc }

func (cc cacheCollector) Collect(ch chan<- prometheus.Metric) {
	s := cc.c.Stats()
	for result, v := range map[string]uint64{"hit": s.Hits, "miss": s.Misses, "shared": s.Shared} {
		ch <- prometheus.MustNewConstMetric(cc.desc, prometheus.CounterValue, float64(v), result)
	}
}

// RegisterHostsProblems exports what mirrors.Check found in the containerd
// hosts directory at start: admissible_containerd_hosts_problems, by file and
// kind ("skipped": containerd does not use the file; "ignored": containerd
// ignores a key; "unusable": containerd tries a host that is not an http or
// https URL with a host, and fails on it at every pull).
func RegisterHostsProblems(problems []mirrors.Problem, reg prometheus.Registerer) error {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "admissible_containerd_hosts_problems",
		Help: "Problems in the containerd hosts.toml files read at start, by file and kind: skipped (containerd does not use the file), ignored (containerd ignores the key) or unusable (containerd tries a host that is not an http or https URL with a host, and fails).",
	}, []string{"file", "kind"})
	for _, p := range problems {
		kind := "ignored"
		switch {
		case p.Skipped:
			kind = "skipped"
		case p.Unusable:
			kind = "unusable"
		}
		g.WithLabelValues(p.File, kind).Inc()
	}
	return reg.Register(g)
}
