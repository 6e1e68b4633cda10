package mirrors

import (
	"context"
	"fmt"
	"sort"

	"github.com/admissible/admissible/resolvers"
)

// Lookuper asks one endpoint for one manifest. *registry.Client is one.
type Lookuper interface {
	Lookup(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt
}

// Chain resolves references through the configured mirrors.
type Chain struct {
	routes map[string]route
	lookup Lookuper
}

var _ resolvers.Resolver = (*Chain)(nil)

// Option configures a Chain.
type Option func(*options)

type options struct{ hostsDir string }

// WithHostsDir also reads a containerd certs.d directory
// (DIR/<registry>/hosts.toml). A registry configured both there and in the
// mirrors configuration is an error.
func WithHostsDir(dir string) Option { return func(o *options) { o.hostsDir = dir } }

// New validates cfg and returns a Chain that asks endpoints through l.
func New(cfg Config, l Lookuper, opts ...Option) (*Chain, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	routes, err := cfg.parse()
	if err != nil {
		return nil, err
	}
	if o.hostsDir != "" {
		dirRoutes, err := loadHostsDir(o.hostsDir)
		if err != nil {
			return nil, err
		}
		for reg, r := range dirRoutes {
			if _, dup := routes[reg]; dup {
				return nil, fmt.Errorf("registry %s is configured both in mirrors and in %s", reg, o.hostsDir)
			}
			routes[reg] = r
		}
	}
	return &Chain{routes: routes, lookup: l}, nil
}

// Endpoints returns, in order, the endpoints a node tries for a registry.
func (c *Chain) Endpoints(registry string) []resolvers.Endpoint {
	r, ok := c.routes[normalize(registry)]
	if !ok {
		r, ok = c.routes[wildcard]
	}
	eps := append([]resolvers.Endpoint(nil), r.endpoints...)
	switch {
	case ok && r.server != nil:
		eps = append(eps, *r.server)
	case !ok || !r.skipFallback:
		eps = append(eps, resolvers.Upstream(registry))
	}
	return eps
}

// Resolve walks the endpoints for ref until one answers 2xx.
func (c *Chain) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	ref := q.Ref
	res := resolvers.Result{Reference: ref.Name()}
	allNotFound := true
	for i, ep := range c.Endpoints(ref.Context().RegistryStr()) {
		if i > 0 && ctx.Err() != nil {
			res.Reason = "lookup budget spent before every endpoint was asked"
			return res
		}
		a := c.lookup.Lookup(ctx, ep, q)
		res.Attempts = append(res.Attempts, a)
		if a.EndsWalk {
			res.Verdict, res.Digest = a.Verdict, a.Digest
			return res
		}
		allNotFound = allNotFound && a.Verdict == resolvers.NotFound
	}
	if allNotFound && len(res.Attempts) > 0 {
		res.Verdict = resolvers.NotFound
	}
	return res
}

// Registries returns the configured registry names ("*" included), sorted.
func (c *Chain) Registries() []string {
	out := make([]string, 0, len(c.routes))
	for r := range c.routes {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
