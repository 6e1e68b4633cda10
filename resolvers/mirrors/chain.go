package mirrors

import (
	"context"
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

// New validates cfg and returns a Chain that asks endpoints through l.
func New(cfg Config, l Lookuper) (*Chain, error) {
	routes, err := cfg.parse()
	if err != nil {
		return nil, err
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
	if !ok || !r.skipFallback {
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
