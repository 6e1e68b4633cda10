package cache_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// TestCacheScopeSharing checks that lookups under way are not shared across
// scopes either.
func TestCacheScopeSharing(t *testing.T) {
	f := newFake()
	f.Hold = make(chan struct{})
	f.Started = make(chan string, 2)
	c := cache.New(f)
	var wg sync.WaitGroup
	for _, scope := range []string{"team-a", "team-b"} {
		wg.Go(func() {
			c.Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, tagRef), Credentials: scopeCredentials(scope)})
		})
	}
	receive(t, f.Started, "first lookup")
	receive(t, f.Started, "second lookup: the scopes shared one")
	close(f.Hold)
	wg.Wait()
	if diff := cmp.Diff(cache.Stats{Misses: 2}, c.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

func TestCacheSharesLookups(t *testing.T) {
	const callers = 100
	f := newFake()
	f.Hold = make(chan struct{})
	c := cache.New(f)
	results := make(chan resolvers.Result, callers)
	for range callers {
		go func() { results <- c.Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, tagRef)}) }()
	}
	waitFor(t, "every caller waits", func() bool { return c.Stats().Shared == callers-1 })
	close(f.Hold)

	want := result(tagRef, resolvers.Found)
	for i := range callers {
		got := receive(t, results, "result")
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("caller %d mismatch (-want +got):\n%s", i, diff)
		}
		// Each caller has its own copy.
		got.Attempts[0].Detail = "changed by a caller"
	}
	if got := f.Calls()[tagRef]; got != 1 {
		t.Errorf("next was called %d times, want 1", got)
	}
	if diff := cmp.Diff(cache.Stats{Misses: 1, Shared: callers - 1}, c.Stats()); diff != "" {
		t.Errorf("Stats mismatch (-want +got):\n%s", diff)
	}
}

// TestCacheCallerGivesUp checks that a caller whose context ends gets an
// answer at once, while the lookup carries on for the others and the cache.
func TestCacheCallerGivesUp(t *testing.T) {
	tests := map[string]struct {
		// waiters join the lookup with contexts that do not end.
		waiters int
	}{
		"alone":            {waiters: 0},
		"with other users": {waiters: 3},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := newFake()
			f.Hold = make(chan struct{})
			f.Started = make(chan string, 1)
			c := cache.New(f, cache.WithClock(newClock().now))
			ref := resolverstest.MustRef(t, tagRef)

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			first := make(chan resolvers.Result, 1)
			go func() { first <- c.Resolve(ctx, resolvers.Query{Ref: ref}) }()
			receive(t, f.Started, "lookup")
			others := make(chan resolvers.Result, tc.waiters)
			for range tc.waiters {
				go func() { others <- c.Resolve(t.Context(), resolvers.Query{Ref: ref}) }()
			}
			waitFor(t, "waiters join", func() bool { return c.Stats().Shared == uint64(tc.waiters) })

			cancel()
			// The lookup is still held: only the caller's own context can
			// answer it.
			got := receive(t, first, "answer to the caller who gave up")
			want := resolvers.Result{Reference: tagRef, Verdict: resolvers.Undetermined, Reason: "lookup budget spent"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Resolve with a cancelled context mismatch (-want +got):\n%s", diff)
			}
			select {
			case r := <-others:
				t.Fatalf("a waiter got %+v before the lookup ended", r)
			default:
			}

			close(f.Hold)
			for i := range tc.waiters {
				if diff := cmp.Diff(result(tagRef, resolvers.Found), receive(t, others, "waiter's result")); diff != "" {
					t.Errorf("waiter %d mismatch (-want +got):\n%s", i, diff)
				}
			}
			// The next caller either joins the lookup as it ends or finds
			// its result; the one after finds it.
			c.Resolve(t.Context(), resolvers.Query{Ref: ref})
			before := c.Stats()
			if diff := cmp.Diff(result(tagRef, resolvers.Found), c.Resolve(t.Context(), resolvers.Query{Ref: ref})); diff != "" {
				t.Errorf("Resolve after the lookup mismatch (-want +got):\n%s", diff)
			}
			if got := c.Stats().Hits - before.Hits; got != 1 {
				t.Errorf("Resolve after the lookup: %d hits, want 1", got)
			}
			if got := f.Calls()[tagRef]; got != 1 {
				t.Errorf("next was called %d times, want 1", got)
			}
			if diff := cmp.Diff([]error{nil}, f.ContextErrs(), cmp.Comparer(func(a, b error) bool { return errors.Is(a, b) })); diff != "" {
				t.Errorf("context of the lookup ended (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCacheLookupTimeout checks that a shared lookup, which no caller can
// cancel, is bounded by the lookup timeout, and that its undetermined result
// is not kept.
func TestCacheLookupTimeout(t *testing.T) {
	f := newFake()
	f.Hold = make(chan struct{}) // never closed
	c := cache.New(f, cache.WithLookupTimeout(50*time.Millisecond))
	ref := resolverstest.MustRef(t, tagRef)

	// The caller would wait 5 s: the lookup timeout must end it first.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	start := time.Now()
	got := c.Resolve(ctx, resolvers.Query{Ref: ref})
	elapsed := time.Since(start)

	want := resolvers.Result{Reference: tagRef, Reason: context.DeadlineExceeded.Error()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Resolve mismatch (-want +got):\n%s", diff)
	}
	if elapsed < 50*time.Millisecond || elapsed > 4*time.Second {
		t.Errorf("Resolve took %s, want about 50ms", elapsed)
	}
	c.Resolve(t.Context(), resolvers.Query{Ref: ref})
	if got := f.Calls()[tagRef]; got != 2 {
		t.Errorf("next was called %d times, want 2: an undetermined result is not kept", got)
	}
}

// TestCacheNextPanics checks that a panic in the lookup, which runs on no
// caller's goroutine, becomes an undetermined result that is never kept.
func TestCacheNextPanics(t *testing.T) {
	f := newFake()
	f.Panic = "boom"
	c := cache.New(f, cache.WithUndeterminedTTL(time.Hour))
	ref := resolverstest.MustRef(t, tagRef)

	want := resolvers.Result{Reference: tagRef, Verdict: resolvers.Undetermined, Reason: "lookup panicked: boom"}
	for i := range 2 {
		if diff := cmp.Diff(want, c.Resolve(t.Context(), resolvers.Query{Ref: ref})); diff != "" {
			t.Errorf("Resolve %d mismatch (-want +got):\n%s", i, diff)
		}
	}
	if got := f.Calls()[tagRef]; got != 2 {
		t.Errorf("next was called %d times, want 2", got)
	}
}
