package platforms_test

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

var _ platforms.Fetcher = (*registry.Client)(nil)

// testRegistry is a real in-memory registry whose answers to some requests
// ("METHOD path") can be replaced, and which counts the requests it gets.
type testRegistry struct {
	*httptest.Server
	registry http.Handler
	stop     chan struct{}

	mu     sync.Mutex
	rules  map[string]http.HandlerFunc
	counts map[string]int
}

func newTestRegistry(t testing.TB) *testRegistry {
	t.Helper()
	r := &testRegistry{
		registry: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		stop:     make(chan struct{}),
		rules:    map[string]http.HandlerFunc{},
		counts:   map[string]int{},
	}
	r.Server = httptest.NewServer(r)
	t.Cleanup(r.Close)
	t.Cleanup(func() { close(r.stop) })
	return r
}

func (r *testRegistry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	key := req.Method + " " + req.URL.Path
	r.mu.Lock()
	r.counts[key]++
	rule := r.rules[key]
	r.mu.Unlock()
	if rule != nil {
		rule(w, req)
		return
	}
	r.registry.ServeHTTP(w, req)
}

// answer makes the registry answer "METHOD path" with h.
func (r *testRegistry) answer(key string, h http.HandlerFunc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rules[key] = h
}

// count returns how many "METHOD path" requests came.
func (r *testRegistry) count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[key]
}

// hang is an answer that never comes, until the test ends.
func (r *testRegistry) hang(w http.ResponseWriter, req *http.Request) {
	select {
	case <-req.Context().Done():
	case <-r.stop:
	}
}

func (r *testRegistry) host() string { return strings.TrimPrefix(r.URL, "http://") }

// endpoint is the registry as a mirror endpoint.
func (r *testRegistry) endpoint() resolvers.Endpoint {
	return resolvers.Endpoint{Scheme: "http", Host: r.host(), Path: "/v2", Trusted: true}
}

// ref parses "repo:tag" or "repo@digest" on the registry.
func (r *testRegistry) ref(t testing.TB, s string) name.Reference {
	t.Helper()
	return resolverstest.MustRef(t, r.host()+"/"+s, name.Insecure)
}

// push stores img or an index at repo:tag and returns its digest.
func (r *testRegistry) push(t testing.TB, repoTag string, content remote.Taggable) string {
	t.Helper()
	ref := r.ref(t, repoTag)
	var (
		d   v1.Hash
		err error
	)
	switch c := content.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(ref, c)
		if err == nil {
			d, err = c.Digest()
		}
	case v1.Image:
		err = remote.Write(ref, c)
		if err == nil {
			d, err = c.Digest()
		}
	default:
		t.Fatalf("push %T", content)
	}
	if err != nil {
		t.Fatalf("push %s: %v", repoTag, err)
	}
	return d.String()
}

// found looks ref up on the registry as a mirror, as the walk would, and
// returns the Result.
func (r *testRegistry) found(t testing.TB, c *registry.Client, q resolvers.Query) resolvers.Result {
	t.Helper()
	a := c.Lookup(t.Context(), r.endpoint(), q)
	return resolvers.Result{Reference: q.Ref.Name(), Verdict: a.Verdict, Digest: a.Digest, MediaType: a.MediaType, Attempts: []resolvers.Attempt{a}}
}

// image returns a small random image whose config says platform p (os
// may be empty).
func image(t testing.TB, p v1.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatalf("random.Image: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatalf("ConfigFile: %v", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant, cf.OSVersion, cf.OSFeatures = p.OS, p.Architecture, p.Variant, p.OSVersion, p.OSFeatures
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatalf("mutate.ConfigFile: %v", err)
	}
	return img
}

// entry is an index entry: an image with its descriptor's platform (nil
// for none) and annotations.
type entry struct {
	img         v1.Image
	platform    *v1.Platform
	annotations map[string]string
}

// index builds an index of media type mt from entries.
func index(mt types.MediaType, entries ...entry) v1.ImageIndex {
	adds := make([]mutate.IndexAddendum, len(entries))
	for i, e := range entries {
		adds[i] = mutate.IndexAddendum{Add: e.img, Descriptor: v1.Descriptor{Platform: e.platform, Annotations: e.annotations}}
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, mt), adds...)
}

// newClient returns a registry client with the given timeout per request.
func newClient(timeout time.Duration) *registry.Client {
	return registry.New(registry.WithTimeout(timeout))
}
