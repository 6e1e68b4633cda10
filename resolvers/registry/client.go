package registry

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
)

// Client looks manifests up on registry endpoints. It is safe for
// concurrent use; one Client should serve a whole process, since it keeps
// what it learnt about each endpoint and host.
type Client struct {
	keychain        authn.Keychain
	timeout         time.Duration
	transport       http.RoundTripper
	userAgent       string
	hostConcurrency int
	now             func() time.Time
	observer        Observer
	allowedNetworks []netip.Prefix
	allowPrivate    bool

	// guarded is transport for endpoints that are not Trusted.
	guarded http.RoundTripper
	hosts   *hostTable

	mu      sync.Mutex
	pullers map[pullerKey]*remote.Puller
}

var _ resolvers.Resolver = (*Client)(nil)

// New returns a Client; options.go lists the options and doc.go the
// defaults.
func New(opts ...Option) *Client {
	c := &Client{
		keychain:        authn.NewMultiKeychain(),
		timeout:         DefaultTimeout,
		transport:       http.DefaultTransport.(*http.Transport).Clone(),
		userAgent:       "admissible",
		hostConcurrency: DefaultHostConcurrency,
		now:             time.Now,
		pullers:         map[pullerKey]*remote.Puller{},
	}
	for _, o := range opts {
		o(c)
	}
	g := &guard{allowed: c.allowedNetworks, allowPrivate: c.allowPrivate, resolver: net.DefaultResolver}
	c.guarded = g.wrap(c.transport)
	c.hosts = newHostTable(c.hostConcurrency, c.now)
	return c
}

// Resolve looks q up on its own registry, with no mirrors.
func (c *Client) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	a := c.Lookup(ctx, resolvers.Upstream(q.Ref.Context().RegistryStr()), q)
	return resolvers.Result{
		Reference: q.Ref.Name(),
		Verdict:   a.Verdict,
		Digest:    a.Digest,
		Attempts:  []resolvers.Attempt{a},
	}
}

// Lookup asks one endpoint for q's manifest with a HEAD request, with q's
// credentials for the endpoint's host, else the client's keychain.
func (c *Client) Lookup(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt {
	target, err := retarget(ep, q.Ref)
	if err != nil {
		return resolvers.Attempt{Endpoint: ep, Detail: err.Error()}
	}
	if until, ok := c.hosts.limitedUntil(ep.Host); ok {
		// Never wait for a Retry-After in an admission.
		return resolvers.Attempt{Endpoint: ep, Detail: (&rateLimitedError{host: ep.Host, until: until}).Error()}
	}
	p, err := c.puller(ep, q.Credentials)
	if err != nil {
		return resolvers.Attempt{Endpoint: ep, Detail: err.Error()}
	}
	// Says what ran out when the lookup's context ends: the Client's own
	// time, or the caller's earlier budget.
	expired := fmt.Sprintf("no answer within %s", c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(time.Now().Add(c.timeout)) {
		expired = "lookup budget spent before an answer"
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ctx, seen := observe(ctx)
	desc, err := p.Head(ctx, target)
	return classify(ctx, ep, desc, seen, err, expired)
}

// pullerKey identifies a puller: one per endpoint and set of credentials.
type pullerKey struct {
	endpoint    resolvers.Endpoint
	credentials string
}

// puller returns the long-lived puller of an endpoint for a set of
// credentials.
func (c *Client) puller(ep resolvers.Endpoint, creds credentials.Set) (*remote.Puller, error) {
	key := pullerKey{endpoint: ep, credentials: creds.Fingerprint()}
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pullers[key]; ok {
		return p, nil
	}
	keychain := c.keychain
	if !creds.Empty() {
		keychain = authn.NewMultiKeychain(creds.Keychain(), c.keychain)
	}
	next := c.guarded
	if ep.Trusted {
		next = c.transport
	}
	p, err := remote.NewPuller(
		remote.WithTransport(&endpointTransport{endpoint: ep, next: next, hosts: c.hosts, observer: c.observer}),
		remote.WithAuthFromKeychain(keychain),
		remote.WithUserAgent(c.userAgent),
		remote.WithRetryPredicate(func(error) bool { return false }),
		remote.WithRetryStatusCodes(),
	)
	if err != nil {
		return nil, fmt.Errorf("puller for %s: %w", ep, err)
	}
	c.pullers[key] = p
	return p, nil
}

// retarget moves ref onto the endpoint's host, keeping repository, tag and
// digest. The endpoint's path is applied by endpointTransport.
func retarget(ep resolvers.Endpoint, ref name.Reference) (name.Reference, error) {
	var opts []name.Option
	if ep.Scheme == "http" {
		opts = append(opts, name.Insecure)
	}
	repo, err := name.NewRepository(ep.Host+"/"+ref.Context().RepositoryStr(), opts...)
	if err != nil {
		return nil, fmt.Errorf("repository on %s: %w", ep, err)
	}
	switch r := ref.(type) {
	case name.Digest:
		return repo.Digest(r.DigestStr()), nil
	case name.Tag:
		return repo.Tag(r.TagStr()), nil
	default:
		return nil, fmt.Errorf("unsupported reference %q", ref)
	}
}
