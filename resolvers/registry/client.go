package registry

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/admissible/admissible/resolvers"
)

// Client looks manifests up on registry endpoints.
type Client struct {
	keychain  authn.Keychain
	timeout   time.Duration
	transport http.RoundTripper
	userAgent string

	mu      sync.Mutex
	pullers map[resolvers.Endpoint]*remote.Puller
}

var _ resolvers.Resolver = (*Client)(nil)

// Option configures a Client.
type Option func(*Client)

// WithKeychain sets where credentials come from (default: anonymous).
func WithKeychain(k authn.Keychain) Option { return func(c *Client) { c.keychain = k } }

// WithTimeout bounds one lookup on one endpoint, token exchange included
// (default 3 s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithTransport sets the underlying HTTP transport (default: a clone of
// http.DefaultTransport).
func WithTransport(t http.RoundTripper) Option { return func(c *Client) { c.transport = t } }

// WithUserAgent sets the User-Agent sent to registries.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// New returns a Client.
func New(opts ...Option) *Client {
	c := &Client{
		keychain:  authn.NewMultiKeychain(),
		timeout:   3 * time.Second,
		transport: http.DefaultTransport.(*http.Transport).Clone(),
		userAgent: "admissible",
		pullers:   map[resolvers.Endpoint]*remote.Puller{},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Resolve looks ref up on its own registry, with no mirrors.
func (c *Client) Resolve(ctx context.Context, ref name.Reference) resolvers.Result {
	a := c.Lookup(ctx, resolvers.Upstream(ref.Context().RegistryStr()), ref)
	return resolvers.Result{
		Reference: ref.Name(),
		Verdict:   a.Verdict,
		Digest:    a.Digest,
		Attempts:  []resolvers.Attempt{a},
	}
}

// Lookup asks one endpoint for ref's manifest with a HEAD request.
func (c *Client) Lookup(ctx context.Context, ep resolvers.Endpoint, ref name.Reference) resolvers.Attempt {
	target, err := retarget(ep, ref)
	if err != nil {
		return resolvers.Attempt{Endpoint: ep, Detail: err.Error()}
	}
	p, err := c.puller(ep)
	if err != nil {
		return resolvers.Attempt{Endpoint: ep, Detail: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ctx, seen := observe(ctx)
	desc, err := p.Head(ctx, target)
	return classify(ctx, ep, desc, seen, err, c.timeout)
}

// puller returns the long-lived puller of an endpoint.
func (c *Client) puller(ep resolvers.Endpoint) (*remote.Puller, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pullers[ep]; ok {
		return p, nil
	}
	p, err := remote.NewPuller(
		remote.WithTransport(&endpointTransport{endpoint: ep, next: c.transport}),
		remote.WithAuthFromKeychain(c.keychain),
		remote.WithUserAgent(c.userAgent),
		remote.WithRetryPredicate(func(error) bool { return false }),
		remote.WithRetryStatusCodes(),
	)
	if err != nil {
		return nil, fmt.Errorf("puller for %s: %w", ep, err)
	}
	c.pullers[ep] = p
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
