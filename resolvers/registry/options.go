package registry

import (
	"net/http"
	"net/netip"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Defaults of a Client; doc.go explains them.
const (
	DefaultTimeout         = 3 * time.Second
	DefaultHostConcurrency = 16
	// DefaultRetryAfter is how long a host that answered 429 without a
	// usable Retry-After header is left alone.
	DefaultRetryAfter = 30 * time.Second
	// MaxRetryAfter caps the Retry-After a host may ask for.
	MaxRetryAfter = 10 * time.Minute
)

// Option configures a Client.
type Option func(*Client)

// Observer is told about every HTTP exchange of a Client: the host asked
// (host[:port]), the method, and the response status, or 0 when no response
// came back (a transport error). Requests the Client never sends (to an
// address it refuses, to a host in its Retry-After period, after a wait for
// a free slot that ran out of time) are not reported. It is called
// concurrently and must not block.
type Observer interface {
	Request(host, method string, status int)
}

// WithKeychain sets where credentials come from (default: anonymous).
func WithKeychain(k authn.Keychain) Option { return func(c *Client) { c.keychain = k } }

// WithTimeout bounds one lookup on one endpoint, token exchange and waiting
// for a free slot included (default 3 s).
func WithTimeout(d time.Duration) Option { return func(c *Client) { c.timeout = d } }

// WithTransport sets the underlying HTTP transport (default: a clone of
// http.DefaultTransport). Trusted endpoints use it as is; for the others the
// Client derives a guarded copy that checks every address it dials, which
// needs an *http.Transport: any other RoundTripper gets its host names
// resolved and checked before each request instead.
func WithTransport(t http.RoundTripper) Option { return func(c *Client) { c.transport = t } }

// WithUserAgent sets the User-Agent sent to registries.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithHostConcurrency bounds the requests in flight to one host (default
// 16); a request over the bound waits for a free slot within its lookup's
// time. n < 1 removes the bound.
func WithHostConcurrency(n int) Option { return func(c *Client) { c.hostConcurrency = n } }

// WithClock sets where the Client reads the time for Retry-After periods
// (default time.Now). Timeouts always use the real clock.
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithObserver sets who is told about every HTTP exchange (default: nobody).
func WithObserver(o Observer) Option { return func(c *Client) { c.observer = o } }

// WithAllowedNetworks lets the Client contact addresses in these ranges for
// endpoints that are not Trusted, whatever kind of address they are (a
// loopback registry in a test, an internal registry without a mirror entry).
// Cloud metadata host names and addresses stay refused whatever the ranges.
func WithAllowedNetworks(prefixes ...netip.Prefix) Option {
	return func(c *Client) {
		for _, p := range prefixes {
			c.allowedNetworks = append(c.allowedNetworks, p.Masked())
		}
	}
}

// WithAllowPrivate lets the Client contact private addresses (10/8,
// 172.16/12, 192.168/16, fc00::/7, 100.64/10) for endpoints that are not
// Trusted (default false). Loopback, link-local and unspecified addresses
// stay refused unless WithAllowedNetworks names them; cloud metadata
// addresses stay refused.
func WithAllowPrivate(allow bool) Option { return func(c *Client) { c.allowPrivate = allow } }
