package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/admissible/admissible/resolvers"
)

// Bounds of what FetchManifest and FetchConfig read: an answer announcing
// more, or carrying more, is an error. Real image indexes and configs are a
// few kilobytes.
const (
	MaxManifestSize = 4 << 20
	MaxConfigSize   = 1 << 20
)

// FetchError is a GET by digest that did not bring the content back. Its
// message names the endpoint and says in a few words what came back.
type FetchError struct {
	// Endpoint is where the request went.
	Endpoint resolvers.Endpoint
	// What is "manifest" or "config".
	What string
	// Digest is the digest asked for.
	Digest string
	// Status is the HTTP status of the answer to the GET, 0 when none came
	// back or the answer was a 2xx that did not carry the content.
	Status int
	// Detail says what came back ("404 Not Found", "no answer within 3s").
	Detail string
	// Err is the error underneath.
	Err error
}

func (e *FetchError) Error() string {
	return fmt.Sprintf("GET %s %s on %s: %s", e.What, e.Digest, e.Endpoint, e.Detail)
}

func (e *FetchError) Unwrap() error { return e.Err }

// FetchManifest fetches the manifest with digest dgst of q's repository from
// ep with GET, with q's credentials for ep's host, else the client's
// keychain, through the same transport, host bounds, SSRF guard, observer
// and timeout (WithTimeout) as Lookup. It returns the body, whose digest is
// checked, and the Content-Type it came with. A body over MaxManifestSize is
// an error. Every error is a *FetchError.
//
// A GET of a manifest counts toward Docker Hub's pull limits; a HEAD does
// not.
func (c *Client) FetchManifest(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, dgst string) (body []byte, mediaType string, err error) {
	fail := func(err error) ([]byte, string, error) {
		return nil, "", &FetchError{Endpoint: ep, What: "manifest", Digest: dgst, Detail: err.Error(), Err: err}
	}
	target, p, err := c.fetchTarget(ep, q, dgst)
	if err != nil {
		return fail(err)
	}
	ctx, cancel, expired := c.fetchContext(ctx, MaxManifestSize)
	defer cancel()
	ctx, seen := observe(ctx)
	d, err := p.Get(ctx, target)
	if err != nil {
		return nil, "", c.fetchError(ctx, ep, "manifest", dgst, seen, err, expired)
	}
	return d.Manifest, string(d.MediaType), nil
}

// FetchConfig fetches the blob with digest dgst of q's repository from ep,
// an image's config, as FetchManifest fetches a manifest. Its digest is
// checked; more than MaxConfigSize bytes is an error. Every error is a
// *FetchError.
func (c *Client) FetchConfig(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, dgst string) ([]byte, error) {
	target, p, err := c.fetchTarget(ep, q, dgst)
	if err != nil {
		return nil, &FetchError{Endpoint: ep, What: "config", Digest: dgst, Detail: err.Error(), Err: err}
	}
	ctx, cancel, expired := c.fetchContext(ctx, MaxConfigSize)
	defer cancel()
	body, err := func() ([]byte, error) {
		l, err := p.Layer(ctx, target)
		if err != nil {
			return nil, err
		}
		rc, err := l.Compressed()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		// The transport bounds the body; so does this, whatever the transport.
		body, err := io.ReadAll(io.LimitReader(rc, MaxConfigSize+1))
		if err == nil && len(body) > MaxConfigSize {
			err = &tooLargeError{host: ep.Host, limit: MaxConfigSize, size: -1}
		}
		return body, err
	}()
	if err != nil {
		return nil, c.fetchError(ctx, ep, "config", dgst, nil, err, expired)
	}
	return body, nil
}

// fetchTarget returns the reference of dgst in q's repository on ep, and the
// puller of ep for q's credentials.
func (c *Client) fetchTarget(ep resolvers.Endpoint, q resolvers.Query, dgst string) (name.Digest, *remote.Puller, error) {
	if _, err := v1.NewHash(dgst); err != nil {
		return name.Digest{}, nil, fmt.Errorf("digest %q: %w", dgst, err)
	}
	ref, err := retarget(ep, q.Ref)
	if err != nil {
		return name.Digest{}, nil, err
	}
	p, err := c.puller(ep, q.Credentials)
	if err != nil {
		return name.Digest{}, nil, err
	}
	return ref.Context().Digest(dgst), p, nil
}

// fetchContext bounds a fetch by the Client's timeout and each answer's body
// by limit; expired says what ran out when the context ends, as in Lookup.
func (c *Client) fetchContext(ctx context.Context, limit int64) (context.Context, context.CancelFunc, string) {
	expired := fmt.Sprintf("no answer within %s", c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(time.Now().Add(c.timeout)) {
		expired = "budget spent before an answer"
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	return withBodyLimit(ctx, limit), cancel, expired
}

// fetchError classifies a failed GET: the status of the answer when one came
// back, else what went wrong on the way. seen is the fetch's observation of
// manifest answers, nil for a blob.
func (c *Client) fetchError(ctx context.Context, ep resolvers.Endpoint, what, dgst string, seen *observation, err error, expired string) *FetchError {
	e := &FetchError{Endpoint: ep, What: what, Digest: dgst, Err: err}
	var (
		terr    *transport.Error
		tooBig  *tooLargeError
		status  int
		ctyp    string
		answers bool
	)
	if seen != nil {
		status, ctyp = seen.get()
	}
	switch {
	case errors.As(err, &tooBig):
		e.Detail = fmt.Sprintf("%s larger than %s", what, size(tooBig.limit))
	case errors.As(err, &terr):
		e.Detail = statusDetail(terr)
		if r := terr.Request; r != nil {
			answers = r.Method == http.MethodGet && (strings.Contains(r.URL.Path, "/manifests/") || strings.Contains(r.URL.Path, "/blobs/"))
			if !answers {
				// The ping or a token request failed.
				where := r.URL.Path
				if r.URL.Host != ep.Host {
					where = r.URL.Host + where
				}
				e.Detail = r.Method + " " + where + ": " + e.Detail
			}
		}
		if answers || terr.Request == nil {
			e.Status = terr.StatusCode
		}
	case status >= 200 && status < 300:
		// An HTML page, or another manifest: go-containerregistry checks
		// the digest of what came back.
		e.Detail = fmt.Sprintf("%d with Content-Type %q, not the %s asked for", status, ctyp, what)
	default:
		e.Detail = transportDetail(ctx, err, expired)
	}
	return e
}

// tooLargeError is an answer whose body is over the bound of its request
// (withBodyLimit).
type tooLargeError struct {
	host  string
	limit int64
	size  int64 // as announced by Content-Length, -1 when not announced
}

func (e *tooLargeError) Error() string {
	if e.size >= 0 {
		return fmt.Sprintf("%s announced %d bytes, more than %s", e.host, e.size, size(e.limit))
	}
	return fmt.Sprintf("%s sent more than %s", e.host, size(e.limit))
}

// size renders a byte count: "4 MiB", "1000 bytes".
func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
