package platforms

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/singleflight"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/internal/lru"
)

// Fetcher GETs content by digest from one endpoint with a query's
// credentials. *registry.Client is one.
type Fetcher interface {
	// FetchManifest returns the manifest with the digest, as served, and
	// the Content-Type it came with.
	FetchManifest(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, digest string) (body []byte, mediaType string, err error)
	// FetchConfig returns the blob with the digest, an image's config.
	FetchConfig(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, digest string) ([]byte, error)
}

// Served is what the manifest behind a digest serves.
type Served struct {
	// Digest is the manifest's digest.
	Digest string `json:"digest"`
	// Index is true for an image index or a manifest list, false for a
	// single image manifest.
	Index bool `json:"index,omitempty"`
	// Platforms are the platforms of the images served, as the manifests
	// name them (not normalized): an index's entries in index order, then
	// the entries without a platform, by their configs; a single image's
	// config platform.
	Platforms []ocispec.Platform `json:"platforms"`
	// Unplatformed counts the index entries without a platform, read from
	// their configs: the last Unplatformed of Platforms. A runtime turns to
	// them only when no entry with a platform is the node's, and then to the
	// first of them only.
	Unplatformed int `json:"unplatformed,omitempty"`
	// Attestations counts the index entries that are attestations
	// (platform unknown/unknown, or annotation
	// vnd.docker.reference.type: attestation-manifest): not images, not
	// listed in Platforms.
	Attestations int `json:"attestations,omitempty"`
}

// ErrNoManifest is the error of Served for a Result that does not say where
// a manifest was found: not Found, no digest, or a last attempt that did not
// end the walk with it.
var ErrNoManifest = errors.New("no manifest found to read")

// Reader tells which platforms the manifests found by lookups serve. It is
// safe for concurrent use; one Reader should serve a whole process.
type Reader struct {
	fetch Fetcher

	size         int
	ttl          time.Duration
	errorTTL     time.Duration
	fetchTimeout time.Duration
	now          func() time.Time

	mu sync.Mutex
	// entries keeps answers by digest, and errors by flight.
	entries *lru.Cache[string, kept]

	flights singleflight.Group
}

// New returns a Reader that fetches through f; options.go lists the
// options and doc.go the defaults.
func New(f Fetcher, opts ...Option) *Reader {
	r := &Reader{
		fetch:        f,
		size:         DefaultCacheSize,
		ttl:          DefaultCacheTTL,
		errorTTL:     DefaultErrorTTL,
		fetchTimeout: DefaultFetchTimeout,
		now:          time.Now,
	}
	for _, o := range opts {
		o(r)
	}
	r.entries = lru.New[string, kept](r.size)
	return r
}

// Served reads which platforms the manifest of found serves. found is the
// Result of looking q up (through the mirror walk, the cache); its last
// attempt, the endpoint that ended the walk, is asked for found.Digest, in
// the repository that attempt asked (Attempt.Repository, else q's), with
// q's credentials: where a node pulls from.
//
// Answers are kept by digest. Concurrent callers for the same digest,
// endpoint and credentials share one read, which runs on a context detached
// from every caller; a caller whose ctx ends first gets ctx's error, and the
// read carries on for the next caller.
//
// An error means the platforms are not known: ErrNoManifest, a
// *registry.FetchError from the Fetcher, or a manifest or config that does
// not say (malformed JSON, an unexpected media type, a config without os).
func (r *Reader) Served(ctx context.Context, q resolvers.Query, found resolvers.Result) (Served, error) {
	what := found.Reference
	if what == "" {
		what = found.Digest
	}
	a, err := answeredBy(found)
	if err != nil {
		return Served{}, fmt.Errorf("platforms of %s: %w", what, err)
	}
	ep, digest := a.Endpoint, found.Digest
	if a.Repository != "" {
		// The walk asked another repository there (a rewritten mirror
		// location, a short name's candidate): the manifest is there.
		repo, err := name.NewRepository(q.Ref.Context().RegistryStr() + "/" + a.Repository)
		if err != nil {
			return Served{}, fmt.Errorf("platforms of %s: repository %q: %w", what, a.Repository, err)
		}
		q.Ref = repo.Digest(digest)
	}
	flight := fmt.Sprintf("%s\x00%s\x00%#v\x00%s", digest, q.Credentials.Fingerprint(), ep, a.Repository)

	r.mu.Lock()
	now := r.now()
	if e, ok := r.entries.Get(digest, now); ok {
		r.mu.Unlock()
		return e.served.clone(), nil
	}
	if e, ok := r.entries.Get(flight, now); ok {
		r.mu.Unlock()
		return Served{}, fmt.Errorf("platforms of %s: %w", what, e.err)
	}
	r.mu.Unlock()

	ch := r.flights.DoChan(flight, func() (any, error) {
		return r.shared(context.WithoutCancel(ctx), flight, ep, q, digest, found.MediaType)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return Served{}, fmt.Errorf("platforms of %s: %w", what, res.Err)
		}
		return res.Val.(Served).clone(), nil
	case <-ctx.Done():
		return Served{}, fmt.Errorf("platforms of %s: %w", what, ctx.Err())
	}
}

// shared runs one read for every caller waiting on flight and keeps its
// answer. A panic becomes an error that is not kept: the read runs on no
// caller's goroutine.
func (r *Reader) shared(ctx context.Context, flight string, ep resolvers.Endpoint, q resolvers.Query, digest, mediaType string) (s Served, err error) {
	ctx, cancel := context.WithTimeout(ctx, r.fetchTimeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			s, err = Served{}, fmt.Errorf("reading %s panicked: %v", digest, p)
		}
	}()
	s, err = r.read(ctx, ep, q, digest, mediaType)
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	switch {
	case err == nil && r.ttl > 0:
		r.entries.Add(digest, kept{served: s.clone()}, now.Add(r.ttl))
	case err != nil && r.errorTTL > 0:
		r.entries.Add(flight, kept{err: err}, now.Add(r.errorTTL))
	}
	return s, err
}

// kept is one kept answer: what a read brought back, or its error.
type kept struct {
	served Served
	err    error
}

// answeredBy returns the attempt that served found's manifest: its last,
// which ended the walk with the digest.
func answeredBy(found resolvers.Result) (resolvers.Attempt, error) {
	if found.Verdict != resolvers.Found || found.Digest == "" || len(found.Attempts) == 0 {
		return resolvers.Attempt{}, fmt.Errorf("%w: the lookup's verdict is %s", ErrNoManifest, found.Verdict)
	}
	a := found.Attempts[len(found.Attempts)-1]
	if !a.EndsWalk || a.Verdict != resolvers.Found || a.Digest != found.Digest {
		return resolvers.Attempt{}, fmt.Errorf("%w: the last endpoint asked, %s, did not answer %s", ErrNoManifest, a.Endpoint, found.Digest)
	}
	return a, nil
}

// clone copies s so that no caller can change what another one gets.
func (s Served) clone() Served {
	s.Platforms = slices.Clone(s.Platforms)
	for i := range s.Platforms {
		s.Platforms[i].OSFeatures = slices.Clone(s.Platforms[i].OSFeatures)
	}
	return s
}
