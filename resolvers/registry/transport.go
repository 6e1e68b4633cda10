package registry

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/admissible/admissible/resolvers"
)

// endpointTransport sends registry API requests for the endpoint's host to the
// endpoint's scheme and path: "/v2/<rest>" becomes "<endpoint path>/<rest>".
// Requests to other hosts (token services, redirects) pass unchanged.
type endpointTransport struct {
	endpoint resolvers.Endpoint
	next     http.RoundTripper
}

func (t *endpointTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host == t.endpoint.Host {
		if rest, ok := strings.CutPrefix(req.URL.Path, "/v2"); ok && (rest == "" || rest[0] == '/') {
			req = req.Clone(req.Context())
			req.URL.Scheme = t.endpoint.Scheme
			req.URL.Path = t.endpoint.Path + rest
			req.URL.RawPath = ""
		}
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodHead {
		if s := observationFrom(req.Context()); s != nil {
			s.record(resp)
		}
	}
	return resp, err
}

// observation holds the raw answer to the manifest HEAD of one lookup, which
// go-containerregistry does not expose when it rejects a 2xx.
type observation struct {
	mu          sync.Mutex
	status      int
	contentType string
}

func (o *observation) record(resp *http.Response) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.status = resp.StatusCode
	o.contentType = resp.Header.Get("Content-Type")
}

func (o *observation) get() (int, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.status, o.contentType
}

type observationKey struct{}

// observe returns a context whose manifest HEAD answer is recorded.
func observe(ctx context.Context) (context.Context, *observation) {
	o := &observation{}
	return context.WithValue(ctx, observationKey{}, o), o
}

func observationFrom(ctx context.Context) *observation {
	o, _ := ctx.Value(observationKey{}).(*observation)
	return o
}
