package cache_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// countingRegistry is a real in-memory registry that counts the requests it
// receives by "METHOD path", and can hold manifest requests.
type countingRegistry struct {
	*httptest.Server
	registry http.Handler

	mu       sync.Mutex
	requests map[string]int
	// hold, when set, holds every manifest HEAD until it is closed.
	hold chan struct{}
}

// newRegistry starts a registry with one random image at app:v1 and returns
// it with its request counts emptied, and the image's digest.
func newRegistry(tb testing.TB) (*countingRegistry, string) {
	tb.Helper()
	r := &countingRegistry{
		registry: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		requests: map[string]int{},
	}
	r.Server = httptest.NewServer(r)
	tb.Cleanup(r.Close)
	digest := resolverstest.Push(tb, r.host(), "app:v1")
	r.reset()
	return r, digest
}

func (r *countingRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.requests[req.Method+" "+req.URL.Path]++
	hold := r.hold
	r.mu.Unlock()
	if hold != nil && req.Method == http.MethodHead && strings.Contains(req.URL.Path, "/manifests/") {
		select {
		case <-hold:
		case <-req.Context().Done():
		}
	}
	r.registry.ServeHTTP(w, req)
}

func (r *countingRegistry) host() string { return strings.TrimPrefix(r.URL, "http://") }

// holdManifests holds manifest requests until the returned function is
// called.
func (r *countingRegistry) holdManifests() (release func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hold := make(chan struct{})
	r.hold = hold
	return func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.hold = nil
		close(hold)
	}
}

// counts returns the requests since the last reset.
func (r *countingRegistry) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := make(map[string]int, len(r.requests))
	for k, v := range r.requests {
		c[k] = v
	}
	return c
}

func (r *countingRegistry) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests = map[string]int{}
}

// newChain returns what cmd builds, mirrors over a registry client, with
// registry.invalid served only by r.
func newChain(tb testing.TB, r *countingRegistry) *mirrors.Chain {
	tb.Helper()
	chain, err := mirrors.New(mirrors.Config{
		"registry.invalid": {Endpoints: []string{r.URL}, SkipFallback: true},
	}, registry.New(registry.WithTimeout(10*time.Second)))
	if err != nil {
		tb.Fatalf("mirrors.New: %v", err)
	}
	return chain
}

// TestCacheAgainstRegistry fires waves of concurrent lookups of one
// uncached reference at a real registry: the first wave costs one manifest
// request, the second none. The registry holds the manifest request of the
// first wave until every caller waits, so that they all overlap.
func TestCacheAgainstRegistry(t *testing.T) {
	const callers = 500
	tests := map[string]struct {
		// ref is looked up with "{digest}" replaced by the pushed image's digest.
		ref          string
		wantVerdict  resolvers.Verdict
		wantStatus   int
		wantDetail   string
		wantRequests map[string]int
	}{
		"existing tag": {
			ref: "registry.invalid/app:v1", wantVerdict: resolvers.Found, wantStatus: 200, wantDetail: "200 OK",
			wantRequests: map[string]int{"GET /v2/": 1, "HEAD /v2/app/manifests/v1": 1},
		},
		"missing tag": {
			ref: "registry.invalid/app:v2", wantVerdict: resolvers.NotFound, wantStatus: 404, wantDetail: "404 Not Found",
			wantRequests: map[string]int{"GET /v2/": 1, "HEAD /v2/app/manifests/v2": 1},
		},
		"existing digest": {
			ref: "registry.invalid/app@{digest}", wantVerdict: resolvers.Found, wantStatus: 200, wantDetail: "200 OK",
			wantRequests: map[string]int{"GET /v2/": 1, "HEAD /v2/app/manifests/{digest}": 1},
		},
		"missing repository": {
			ref: "registry.invalid/other:v1", wantVerdict: resolvers.NotFound, wantStatus: 404, wantDetail: "404 Not Found",
			wantRequests: map[string]int{"GET /v2/": 1, "HEAD /v2/other/manifests/v1": 1},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, digest := newRegistry(t)
			chain := newChain(t, srv)
			c := cache.New(chain)
			ref := resolverstest.MustRef(t, strings.ReplaceAll(tc.ref, "{digest}", digest))
			wantRequests := map[string]int{}
			for k, v := range tc.wantRequests {
				wantRequests[strings.ReplaceAll(k, "{digest}", digest)] = v
			}
			attempt := resolvers.Attempt{Endpoint: chain.Endpoints("registry.invalid")[0], Verdict: tc.wantVerdict, Status: tc.wantStatus, Detail: tc.wantDetail}
			want := resolvers.Result{Reference: ref.Name(), Verdict: tc.wantVerdict}
			if tc.wantVerdict == resolvers.Found {
				attempt.Digest, attempt.MediaType, attempt.EndsWalk = digest, string(types.DockerManifestSchema2), true
				want.Digest, want.MediaType = digest, string(types.DockerManifestSchema2)
			}
			want.Attempts = []resolvers.Attempt{attempt}

			// wave resolves ref from every caller at once, calls during
			// while they run, and checks every answer.
			wave := func(name string, during func()) {
				start := make(chan struct{})
				results := make([]resolvers.Result, callers)
				var wg sync.WaitGroup
				for i := range callers {
					wg.Go(func() {
						<-start
						results[i] = c.Resolve(t.Context(), resolvers.Query{Ref: ref})
					})
				}
				close(start)
				during()
				wg.Wait()
				wrong := 0
				for i, got := range results {
					if diff := cmp.Diff(want, got); diff != "" {
						if wrong++; wrong <= 3 {
							t.Errorf("%s: caller %d mismatch (-want +got):\n%s", name, i, diff)
						}
					}
				}
				if wrong > 0 {
					t.Errorf("%s: %d of %d callers got a wrong result", name, wrong, callers)
				}
			}

			release := srv.holdManifests()
			wave("first wave", func() {
				defer release()
				waitFor(t, "every caller waits for the lookup", func() bool { return c.Stats().Shared == callers-1 })
			})
			if diff := cmp.Diff(wantRequests, srv.counts()); diff != "" {
				t.Errorf("first wave: requests mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(cache.Stats{Misses: 1, Shared: callers - 1}, c.Stats()); diff != "" {
				t.Errorf("first wave: Stats mismatch (-want +got):\n%s", diff)
			}

			srv.reset()
			wave("second wave", func() {})
			if diff := cmp.Diff(map[string]int{}, srv.counts()); diff != "" {
				t.Errorf("second wave: requests mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(cache.Stats{Misses: 1, Shared: callers - 1, Hits: callers}, c.Stats()); diff != "" {
				t.Errorf("second wave: Stats mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
