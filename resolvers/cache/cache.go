package cache

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/internal/lru"
)

// BudgetSpent is the Reason of the result given to a caller whose context
// ended before the lookup it waited for.
const BudgetSpent = "lookup budget spent"

// Cache remembers the results of another Resolver and shares concurrent
// lookups of the same reference.
type Cache struct {
	next resolvers.Resolver

	size            int
	foundTTL        time.Duration
	notFoundTTL     time.Duration
	digestTTL       time.Duration
	undeterminedTTL time.Duration
	lookupTimeout   time.Duration
	now             func() time.Time

	// mu guards entries and calls, so that a lookup that ends and the
	// entry it leaves appear to callers at once.
	mu      sync.Mutex
	entries *lru.Cache[key, resolvers.Result]
	calls   map[key]*call

	hits, misses, shared, evictions atomic.Uint64
}

var _ resolvers.Resolver = (*Cache)(nil)

// call is a lookup under way; done is closed once result is set.
type call struct {
	done   chan struct{}
	result resolvers.Result
}

// Stats counts what callers got since the Cache was made.
type Stats struct {
	// Hits were answered from an entry.
	Hits uint64 `json:"hits"`
	// Misses started a lookup.
	Misses uint64 `json:"misses"`
	// Shared joined a lookup another caller had started.
	Shared uint64 `json:"shared"`
	// Evictions are entries dropped, before they expired, to make room.
	Evictions uint64 `json:"evictions"`
}

// New returns a Cache in front of next.
func New(next resolvers.Resolver, opts ...Option) *Cache {
	c := &Cache{
		next:            next,
		size:            DefaultSize,
		foundTTL:        DefaultFoundTTL,
		notFoundTTL:     DefaultNotFoundTTL,
		digestTTL:       DefaultDigestTTL,
		undeterminedTTL: DefaultUndeterminedTTL,
		lookupTimeout:   DefaultLookupTimeout,
		now:             time.Now,
		calls:           map[key]*call{},
	}
	for _, o := range opts {
		o(c)
	}
	c.entries = lru.New[key, resolvers.Result](c.size)
	return c
}

// Resolve looks q up. Entries and shared lookups are kept per set of
// credentials (credentials.Set.Fingerprint): a verdict reached with one
// namespace's pull secrets is never given to a caller with other
// credentials.
//
// A caller whose ctx ends before the lookup gets an Undetermined result with
// Reason BudgetSpent; the lookup carries on, bounded by the lookup timeout,
// and its result is kept for the next caller.
func (c *Cache) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	ref := q.Ref
	k := key{scope: q.Credentials.Fingerprint(), ref: ref.Name(), written: q.Written}
	c.mu.Lock()
	if r, ok := c.entries.Get(k, c.now()); ok {
		c.mu.Unlock()
		c.hits.Add(1)
		return clone(r)
	}
	cl, ok := c.calls[k]
	if ok {
		c.shared.Add(1)
	} else {
		c.misses.Add(1)
		cl = &call{done: make(chan struct{})}
		c.calls[k] = cl
		go c.lookup(context.WithoutCancel(ctx), k, q, cl)
	}
	c.mu.Unlock()

	select {
	case <-cl.done:
		return clone(cl.result)
	case <-ctx.Done():
		select {
		case <-cl.done:
			return clone(cl.result)
		default:
		}
		return resolvers.Result{Reference: k.ref, Verdict: resolvers.Undetermined, Reason: BudgetSpent}
	}
}

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits:      c.hits.Load(),
		Misses:    c.misses.Load(),
		Shared:    c.shared.Load(),
		Evictions: c.evictions.Load(),
	}
}

// lookup asks next, keeps the result as long as its TTL says and hands it to
// the callers waiting on cl. ctx is no single caller's: it ends only at the
// lookup timeout.
func (c *Cache) lookup(ctx context.Context, k key, q resolvers.Query, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, c.lookupTimeout)
	defer cancel()
	ref := q.Ref
	r, ok := c.ask(ctx, q)

	c.mu.Lock()
	delete(c.calls, k)
	if ttl := c.ttl(ref, r); ok && ttl > 0 {
		c.evictions.Add(uint64(c.entries.Add(k, r, c.now().Add(ttl))))
	}
	cl.result = r
	c.mu.Unlock()
	close(cl.done)
}

// ask calls next. A panic in next becomes an Undetermined result that is not
// kept: it runs on no caller's goroutine, so nothing else would recover it.
func (c *Cache) ask(ctx context.Context, q resolvers.Query) (r resolvers.Result, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r = resolvers.Result{Reference: q.Ref.Name(), Verdict: resolvers.Undetermined, Reason: fmt.Sprintf("lookup panicked: %v", p)}
			ok = false
		}
	}()
	return c.next.Resolve(ctx, q), true
}

// ttl returns how long r, the result of looking ref up, is kept.
func (c *Cache) ttl(ref name.Reference, r resolvers.Result) time.Duration {
	switch r.Verdict {
	case resolvers.Found:
		if _, digest := ref.(name.Digest); digest {
			return c.digestTTL
		}
		return c.foundTTL
	case resolvers.NotFound:
		return c.notFoundTTL
	default:
		return c.undeterminedTTL
	}
}

// clone copies r so that no caller can change what another one gets. Every
// slice of Result is copied here.
func clone(r resolvers.Result) resolvers.Result {
	r.Attempts = slices.Clone(r.Attempts)
	r.Suggestions = slices.Clone(r.Suggestions)
	return r
}

// key identifies an entry: a fully qualified reference within a scope.
type key struct {
	scope string
	ref   string
	// written is the reference as written: a short name and its docker.io
	// completion are resolved apart by CRI-O's walk.
	written string
}
