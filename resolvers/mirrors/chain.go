package mirrors

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
)

// Lookuper asks one endpoint for one manifest. *registry.Client is one.
type Lookuper interface {
	Lookup(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt
}

// Chain resolves references through the configured mirrors.
type Chain struct {
	talos    map[string]Mirror
	hostsDir string
	lookup   Lookuper
}

var _ resolvers.Resolver = (*Chain)(nil)

// Option configures a Chain.
type Option func(*options)

type options struct{ hostsDir string }

// WithHostsDir also reads a containerd certs.d directory
// (DIR/<registry>/hosts.toml), as containerd does on every pull: a file
// containerd skips is skipped (Check says why). A registry configured both
// there and in the mirrors configuration is an error.
func WithHostsDir(dir string) Option { return func(o *options) { o.hostsDir = dir } }

// New validates cfg and returns a Chain that asks endpoints through l.
func New(cfg Config, l Lookuper, opts ...Option) (*Chain, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	talos := map[string]Mirror{}
	for k, m := range cfg {
		talos[normalize(k)] = m
	}
	if o.hostsDir != "" {
		regs, err := hostsDirRegistries(o.hostsDir)
		if err != nil {
			return nil, err
		}
		for _, reg := range regs {
			if _, dup := talos[normalize(reg)]; dup {
				return nil, fmt.Errorf("registry %s is configured both in mirrors and in %s", reg, o.hostsDir)
			}
		}
	}
	return &Chain{talos: talos, hostsDir: o.hostsDir, lookup: l}, nil
}

// hosts returns the hosts a node tries for registry: a hosts.toml of the
// registry's own, else its mirrors entry, else _default/hosts.toml, else
// the "*" entry, else the registry itself.
func (c *Chain) hosts(registry string) (hostList, error) {
	reg := normalize(registry)
	dir, isDefault := "", false
	if c.hostsDir != "" {
		var err error
		if dir, isDefault, err = hostDirFor(c.hostsDir, reg); err != nil {
			return hostList{}, err
		}
	}
	if dir != "" && !isDefault {
		return fromContainerd(reg, c.hostsDir)
	}
	if m, ok := c.talos[reg]; ok {
		return fromTalos(reg, m)
	}
	if dir != "" {
		return fromContainerd(reg, c.hostsDir)
	}
	if m, ok := c.talos[wildcard]; ok {
		return fromTalos(reg, m)
	}
	return fromContainerd(reg, "")
}

// Endpoints returns, in order, the endpoints a node tries for a registry,
// whatever their capabilities.
func (c *Chain) Endpoints(registry string) []resolvers.Endpoint {
	hl, err := c.hosts(registry)
	if err != nil {
		return nil
	}
	return hl.endpoints
}

// Walk is what a node's container runtime tries for one reference.
type Walk struct {
	// Registry is the reference's registry as mirror configurations name
	// it: docker.io for every name of Docker Hub.
	Registry string
	// Endpoints are the hosts a node asks, in order: containerd asks only
	// hosts with "resolve" for a tag, with "pull" for a digest.
	Endpoints []resolvers.Endpoint
	// Authority is the index in Endpoints of the registry's own answer
	// (the registry itself, or hosts.toml's server), -1 when every
	// endpoint is a mirror (Talos skipFallback) or the registry's own host
	// may not serve this reference.
	Authority int
}

// Walk returns the endpoints a node tries for ref, in the order it tries
// them. The error says why no endpoint may serve ref: a host list that
// cannot be read, or no host with the capability ref needs.
func (c *Chain) Walk(ref name.Reference) (Walk, error) {
	w := Walk{Registry: normalize(ref.Context().RegistryStr()), Authority: -1}
	hl, err := c.hosts(w.Registry)
	if err != nil {
		return w, err
	}
	want := resolvers.CapPull
	if _, byTag := ref.(name.Tag); byTag {
		want |= resolvers.CapResolve
	}
	for _, ep := range hl.endpoints {
		if ep.Capabilities.Has(want) {
			w.Endpoints = append(w.Endpoints, ep)
		}
	}
	if len(w.Endpoints) == 0 {
		return w, fmt.Errorf("no host of %s may %s: %w", w.Registry, wantVerb(want), errNoHosts)
	}
	if n, last := len(hl.endpoints), len(w.Endpoints)-1; hl.authoritative && w.Endpoints[last] == hl.endpoints[n-1] {
		w.Authority = last
	}
	return w, nil
}

// Resolve asks the endpoints of ref's Walk in order until one answers
// 2xx. The verdict is NotFound when the registry's own answer (the Walk's
// Authority) is NotFound, or when every host asked answered NotFound; the
// last attempt is then the answer that decided it (Result.NotFoundBy).
func (c *Chain) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	res := resolvers.Result{Reference: q.Ref.Name()}
	w, err := c.Walk(q.Ref)
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	allNotFound := true
	for i, ep := range w.Endpoints {
		if i > 0 && ctx.Err() != nil {
			res.Reason = "lookup budget spent before every endpoint was asked"
			return res
		}
		a := c.lookup.Lookup(ctx, ep, q)
		res.Attempts = append(res.Attempts, a)
		if a.EndsWalk {
			res.Verdict, res.Digest, res.MediaType = a.Verdict, a.Digest, a.MediaType
			return res
		}
		allNotFound = allNotFound && a.Verdict == resolvers.NotFound
	}
	// The attempts say, endpoint by endpoint, why: a mirror that did not
	// answer before the registry's own not found is one of them.
	if allNotFound || (w.Authority >= 0 && res.Attempts[w.Authority].Verdict == resolvers.NotFound) {
		res.Verdict = resolvers.NotFound
	}
	return res
}

func wantVerb(c resolvers.Capabilities) string {
	if c.Has(resolvers.CapResolve) {
		return "resolve a tag (capabilities)"
	}
	return "pull by digest (capabilities)"
}

// Registries returns the configured registry names ("*" included), sorted.
func (c *Chain) Registries() []string {
	seen := map[string]bool{}
	for r := range c.talos {
		seen[r] = true
	}
	if c.hostsDir != "" {
		regs, _ := hostsDirRegistries(c.hostsDir)
		for _, r := range regs {
			seen[normalize(r)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}
