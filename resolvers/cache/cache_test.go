package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

func TestCacheTTL(t *testing.T) {
	const ns = time.Nanosecond
	tests := map[string]struct {
		ref     string
		verdict resolvers.Verdict
		opts    []cache.Option
		// after is how long after the first lookup the second one comes.
		after     time.Duration
		wantCalls int
		wantStats cache.Stats
	}{
		"tag found, just before 5 min": {
			ref: tagRef, verdict: resolvers.Found, after: 5*time.Minute - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"tag found, at 5 min": {
			ref: tagRef, verdict: resolvers.Found, after: 5 * time.Minute,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"tag not found, just before 30 s": {
			ref: tagRef, verdict: resolvers.NotFound, after: 30*time.Second - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"tag not found, at 30 s": {
			ref: tagRef, verdict: resolvers.NotFound, after: 30 * time.Second,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"digest found outlives a tag found": {
			ref: digestRef, verdict: resolvers.Found, after: 5 * time.Minute,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"digest found, just before 24 h": {
			ref: digestRef, verdict: resolvers.Found, after: 24*time.Hour - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"digest found, at 24 h": {
			ref: digestRef, verdict: resolvers.Found, after: 24 * time.Hour,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"digest not found, just before 30 s": {
			ref: digestRef, verdict: resolvers.NotFound, after: 30*time.Second - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"digest not found, at 30 s: it can be pushed later": {
			ref: digestRef, verdict: resolvers.NotFound, after: 30 * time.Second,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"undetermined is not kept": {
			ref: tagRef, verdict: resolvers.Undetermined,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"undetermined with a TTL, just before it": {
			ref: tagRef, verdict: resolvers.Undetermined, opts: []cache.Option{cache.WithUndeterminedTTL(10 * time.Second)}, after: 10*time.Second - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"undetermined with a TTL, at it": {
			ref: tagRef, verdict: resolvers.Undetermined, opts: []cache.Option{cache.WithUndeterminedTTL(10 * time.Second)}, after: 10 * time.Second,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"WithFoundTTL, just before it": {
			ref: tagRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithFoundTTL(time.Minute)}, after: time.Minute - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"WithFoundTTL, at it": {
			ref: tagRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithFoundTTL(time.Minute)}, after: time.Minute,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"WithFoundTTL does not apply to digests": {
			ref: digestRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithFoundTTL(time.Minute)}, after: time.Hour,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"WithDigestTTL, at it": {
			ref: digestRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithDigestTTL(time.Hour)}, after: time.Hour,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"WithDigestTTL does not apply to tags": {
			ref: tagRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithDigestTTL(time.Hour)}, after: 5 * time.Minute,
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"WithNotFoundTTL, just before it": {
			ref: digestRef, verdict: resolvers.NotFound, opts: []cache.Option{cache.WithNotFoundTTL(time.Minute)}, after: time.Minute - ns,
			wantCalls: 1, wantStats: cache.Stats{Misses: 1, Hits: 1},
		},
		"WithNotFoundTTL zero keeps none": {
			ref: tagRef, verdict: resolvers.NotFound, opts: []cache.Option{cache.WithNotFoundTTL(0)},
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
		"WithSize zero keeps none": {
			ref: tagRef, verdict: resolvers.Found, opts: []cache.Option{cache.WithSize(0)},
			wantCalls: 2, wantStats: cache.Stats{Misses: 2},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := newFake()
			f.Results[tc.ref] = result(tc.ref, tc.verdict)
			clk := newClock()
			c := cache.New(f, append([]cache.Option{cache.WithClock(clk.now)}, tc.opts...)...)
			ref := resolverstest.MustRef(t, tc.ref)
			want := result(tc.ref, tc.verdict)

			if diff := cmp.Diff(want, c.Resolve(t.Context(), resolvers.Query{Ref: ref})); diff != "" {
				t.Errorf("first Resolve mismatch (-want +got):\n%s", diff)
			}
			clk.advance(tc.after)
			if diff := cmp.Diff(want, c.Resolve(t.Context(), resolvers.Query{Ref: ref})); diff != "" {
				t.Errorf("Resolve %s later mismatch (-want +got):\n%s", tc.after, diff)
			}

			if got := f.Calls()[tc.ref]; got != tc.wantCalls {
				t.Errorf("next was called %d times, want %d", got, tc.wantCalls)
			}
			if diff := cmp.Diff(tc.wantStats, c.Stats()); diff != "" {
				t.Errorf("Stats mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCacheEviction(t *testing.T) {
	f := newFake()
	c := cache.New(f, cache.WithSize(2), cache.WithClock(newClock().now))
	steps := []struct {
		ref     string
		wantHit bool
	}{
		{ref: "quay.io/org/a:v1"},
		{ref: "quay.io/org/b:v1"},
		{ref: "quay.io/org/a:v1", wantHit: true},
		// b is the least recently used: c takes its place.
		{ref: "quay.io/org/c:v1"},
		{ref: "quay.io/org/a:v1", wantHit: true},
		{ref: "quay.io/org/c:v1", wantHit: true},
		// a is now the least recently used.
		{ref: "quay.io/org/b:v1"},
		{ref: "quay.io/org/a:v1"},
		{ref: "quay.io/org/b:v1", wantHit: true},
	}
	for i, step := range steps {
		before := c.Stats().Hits
		got := c.Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, step.ref)})
		if diff := cmp.Diff(result(step.ref, resolvers.Found), got); diff != "" {
			t.Errorf("step %d: Resolve(%s) mismatch (-want +got):\n%s", i, step.ref, diff)
		}
		if hit := c.Stats().Hits > before; hit != step.wantHit {
			t.Errorf("step %d: Resolve(%s) hit = %t, want %t", i, step.ref, hit, step.wantHit)
		}
	}
	if diff := cmp.Diff(cache.Stats{Hits: 4, Misses: 5, Evictions: 3}, c.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

// resolveFunc is one way of calling the cache.
type resolveFunc func(c *cache.Cache, ctx context.Context, ref string) resolvers.Result

func plain(t *testing.T) resolveFunc {
	return func(c *cache.Cache, ctx context.Context, ref string) resolvers.Result {
		return c.Resolve(ctx, resolvers.Query{Ref: resolverstest.MustRef(t, ref)})
	}
}

func scoped(t *testing.T, scope string) resolveFunc {
	return func(c *cache.Cache, ctx context.Context, ref string) resolvers.Result {
		return c.Resolve(ctx, resolvers.Query{Ref: resolverstest.MustRef(t, ref), Credentials: scopeCredentials(scope)})
	}
}

func TestCacheScope(t *testing.T) {
	tests := map[string]struct {
		calls     []resolveFunc
		wantCalls int
	}{
		"same scope twice": {
			calls:     []resolveFunc{scoped(t, "team-a"), scoped(t, "team-a")},
			wantCalls: 1,
		},
		"two scopes": {
			calls:     []resolveFunc{scoped(t, "team-a"), scoped(t, "team-b")},
			wantCalls: 2,
		},
		"Resolve is the empty scope": {
			calls:     []resolveFunc{plain(t), scoped(t, "")},
			wantCalls: 1,
		},
		"a scoped entry is not Resolve's": {
			calls:     []resolveFunc{scoped(t, "team-a"), plain(t)},
			wantCalls: 2,
		},
		"Resolve's entry is not a scope's": {
			calls:     []resolveFunc{plain(t), scoped(t, "team-a"), plain(t), scoped(t, "team-a")},
			wantCalls: 2,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := newFake()
			c := cache.New(f, cache.WithClock(newClock().now))
			for i, call := range tc.calls {
				if diff := cmp.Diff(result(tagRef, resolvers.Found), call(c, t.Context(), tagRef)); diff != "" {
					t.Errorf("call %d mismatch (-want +got):\n%s", i, diff)
				}
			}
			if got := f.Calls()[tagRef]; got != tc.wantCalls {
				t.Errorf("next was called %d times, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestCacheHitIsACopy(t *testing.T) {
	f := newFake()
	f.Results[tagRef] = result(tagRef, resolvers.NotFound)
	c := cache.New(f)
	ref := resolverstest.MustRef(t, tagRef)
	first := c.Resolve(t.Context(), resolvers.Query{Ref: ref})
	first.Attempts[0].Detail = "changed by a caller"
	first.Suggestions[0] = "changed by a caller"

	if diff := cmp.Diff(result(tagRef, resolvers.NotFound), c.Resolve(t.Context(), resolvers.Query{Ref: ref})); diff != "" {
		t.Errorf("Resolve after a caller changed its result mismatch (-want +got):\n%s", diff)
	}
	if got := f.Calls()[tagRef]; got != 1 {
		t.Errorf("next was called %d times, want 1", got)
	}
}
