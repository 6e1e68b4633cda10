package registry

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
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

	// guard checks the addresses of endpoints that are not Trusted.
	guard *guard
	hosts *hostTable

	mu      sync.Mutex
	pullers map[pullerKey]*remote.Puller
}

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
	c.guard = g
	c.hosts = newHostTable(c.hostConcurrency, c.now)
	return c
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
	if err != nil {
		status, _ := seen.get()
		switch {
		case status == http.StatusMethodNotAllowed:
			// containerd asks again with GET, and takes that answer.
			desc, err = c.get(ctx, p, target)
		case status >= 200 && status < 300:
			// A 2xx without Docker-Content-Digest (or that go-containerregistry
			// cannot use): containerd fetches the manifest with GET, and
			// stops at this host whatever the GET gets. (By digest containerd
			// trusts the reference's digest when the size is known; the GET
			// comes to the same answer.)
			if desc, err = c.get(ctx, p, target); err != nil {
				a := classify(ctx, ep, nil, seen, err, expired, c.credentialsUsed(ep, q))
				a.Verdict, a.EndsWalk = resolvers.Undetermined, true
				a.Detail = "HEAD answered 2xx without a digest, then GET failed: " + a.Detail
				return a
			}
		}
	}
	return classify(ctx, ep, desc, seen, err, expired, c.credentialsUsed(ep, q))
}

// get fetches the manifest with GET, as containerd does when HEAD is not
// enough; only then does a lookup count toward Docker Hub's pull limits.
func (c *Client) get(ctx context.Context, p *remote.Puller, target name.Reference) (*v1.Descriptor, error) {
	d, err := p.Get(ctx, target)
	if err != nil {
		return nil, err
	}
	return &d.Descriptor, nil
}

// credentialsUsed names the credentials a lookup on ep sends: the pod's
// pull secret for the host, else the node's docker config, else none.
func (c *Client) credentialsUsed(ep resolvers.Endpoint, q resolvers.Query) string {
	if _, ok := q.Credentials.For(ep.Host); ok {
		return "the pod's pull secret for " + ep.Host
	}
	if reg, err := name.NewRegistry(ep.Host); err == nil {
		if a, err := c.keychain.Resolve(reg); err == nil && a != authn.Anonymous {
			return "the node's docker config for " + ep.Host
		}
	}
	return "no credentials"
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
	base := c.transport
	if ep.SkipVerify {
		base = insecure(base)
	}
	next := base
	if !ep.Trusted {
		next = c.guard.wrap(base)
	}
	p, err := remote.NewPuller(
		remote.WithTransport(&endpointTransport{endpoint: ep, next: next, hosts: c.hosts, observer: c.observer, pings: newPings(c.now)}),
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
	// go-containerregistry would read a repository without a host as one
	// on Docker Hub; containerd fails on such a host and moves on.
	if ep.Host == "" {
		return nil, errors.New("no host in the URL")
	}
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

// insecure returns a copy of t that does not verify certificates
// (hosts.toml skip_verify); t itself when it is not an *http.Transport.
func insecure(t http.RoundTripper) http.RoundTripper {
	ht, ok := t.(*http.Transport)
	if !ok {
		return t
	}
	ht = ht.Clone()
	if ht.TLSClientConfig == nil {
		ht.TLSClientConfig = &tls.Config{}
	}
	ht.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the operator's hosts.toml says so
	return ht
}
