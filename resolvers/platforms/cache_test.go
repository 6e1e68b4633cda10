package platforms_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/platforms"
)

// anIndex serves an index of one linux/amd64 entry at each digest given.
func anIndex(digests ...string) map[string]string {
	m := map[string]string{}
	for _, d := range digests {
		m[d] = ociIndex + "\n" + `{"schemaVersion":2,"mediaType":"` + ociIndex + `","manifests":[{"mediaType":"` + ociManifest + `","digest":"sha256:a","size":2,"platform":{"os":"linux","architecture":"amd64"}}]}`
	}
	return m
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestReaderCache: what is kept, for how long, and for whom.
func TestReaderCache(t *testing.T) {
	pullSecret, err := credentials.Parse([]byte(`{"auths":{"mirror.example":{"auth":"dTpw"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		digest string
		creds  credentials.Set
		// advance moves the clock before the step.
		advance time.Duration
	}
	tests := map[string]struct {
		opts []platforms.Option
		// failing makes every fetch fail.
		failing bool
		steps   []step
		// wantFetches is the fetches after all steps.
		wantFetches int
	}{
		"an answer is kept by digest, whatever the credentials": {
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:1", creds: pullSecret}, {digest: "sha256:1", advance: 23 * time.Hour}},
			wantFetches: 1,
		},
		"until its TTL": {
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:1", advance: 24 * time.Hour}},
			wantFetches: 2,
		},
		"a set TTL": {
			opts:        []platforms.Option{platforms.WithCacheTTL(time.Minute)},
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:1", advance: 59 * time.Second}, {digest: "sha256:1", advance: time.Second}},
			wantFetches: 2,
		},
		"no TTL keeps nothing": {
			opts:        []platforms.Option{platforms.WithCacheTTL(0)},
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:1"}},
			wantFetches: 2,
		},
		"the least recently used goes first": {
			opts:        []platforms.Option{platforms.WithCacheSize(2)},
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:2"}, {digest: "sha256:1"}, {digest: "sha256:3"}, {digest: "sha256:1"}, {digest: "sha256:2"}},
			wantFetches: 4,
		},
		"errors are not kept": {
			failing:     true,
			steps:       []step{{digest: "sha256:1"}, {digest: "sha256:1"}},
			wantFetches: 2,
		},
		"errors kept briefly, per credentials": {
			opts:    []platforms.Option{platforms.WithErrorTTL(10 * time.Second)},
			failing: true,
			steps: []step{
				{digest: "sha256:1"}, {digest: "sha256:1", advance: 9 * time.Second}, // kept
				{digest: "sha256:1", creds: pullSecret},    // other credentials: asked
				{digest: "sha256:1", advance: time.Second}, // expired: asked
			},
			wantFetches: 3,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := &fakeFetcher{manifests: anIndex("sha256:1", "sha256:2", "sha256:3")}
			if tc.failing {
				f.err = errors.New("503 Service Unavailable")
			}
			clk := &clock{now: time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)}
			r := platforms.New(f, append([]platforms.Option{platforms.WithClock(clk.Now)}, tc.opts...)...)
			for i, s := range tc.steps {
				clk.advance(s.advance)
				_, err := r.Served(t.Context(), resolvers.Query{Credentials: s.creds}, foundAt(s.digest, ociIndex))
				if (err != nil) != tc.failing {
					t.Fatalf("step %d: Served error = %v", i, err)
				}
			}
			if got := f.calls(); got != tc.wantFetches {
				t.Errorf("%d fetches, want %d", got, tc.wantFetches)
			}
		})
	}
}

// TestReaderShared: concurrent callers of one digest share one read.
func TestReaderShared(t *testing.T) {
	f := &fakeFetcher{manifests: anIndex("sha256:1"), gate: make(chan struct{}), started: make(chan struct{}, 100)}
	r := platforms.New(f)
	const callers = 50
	var wg sync.WaitGroup
	results := make([]platforms.Served, callers)
	errs := make([]error, callers)
	for i := range callers {
		wg.Go(func() { results[i], errs[i] = r.Served(t.Context(), resolvers.Query{}, foundAt("sha256:1", ociIndex)) })
	}
	<-f.started
	// Let every caller reach the flight before it ends.
	time.Sleep(50 * time.Millisecond)
	close(f.gate)
	wg.Wait()
	for i := range callers {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if diff := cmp.Diff(results[0], results[i]); diff != "" {
			t.Errorf("caller %d mismatch (-first +got):\n%s", i, diff)
		}
	}
	if got := f.calls(); got != 1 {
		t.Errorf("%d fetches, want 1", got)
	}
	// Answers are copies.
	results[0].Platforms[0].OS = "plan9"
	again, err := r.Served(t.Context(), resolvers.Query{}, foundAt("sha256:1", ociIndex))
	if err != nil || again.Platforms[0].OS != "linux" {
		t.Errorf("Served after a caller changed its answer = %+v, %v", again, err)
	}
}

// TestReaderCallerGivesUp: a caller whose context ends gets its error at
// once; the read carries on and its answer is kept.
func TestReaderCallerGivesUp(t *testing.T) {
	f := &fakeFetcher{manifests: anIndex("sha256:1"), gate: make(chan struct{}), started: make(chan struct{}, 1)}
	r := platforms.New(f)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := r.Served(ctx, resolvers.Query{}, foundAt("sha256:1", ociIndex))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Served error = %v, want the caller's deadline", err)
	}
	<-f.started
	close(f.gate)
	// The read ends soon; then its answer is kept.
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, err := r.Served(t.Context(), resolvers.Query{}, foundAt("sha256:1", ociIndex))
		if err != nil {
			t.Fatalf("Served: %v", err)
		}
		if len(s.Platforms) == 1 && f.calls() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d fetches, want the first read's answer kept", f.calls())
		}
		time.Sleep(time.Millisecond)
	}
}

// TestReaderFetchTimeout: a shared read is bounded.
func TestReaderFetchTimeout(t *testing.T) {
	f := &fakeFetcher{manifests: anIndex("sha256:1"), gate: make(chan struct{})}
	defer close(f.gate)
	r := platforms.New(f, platforms.WithFetchTimeout(50*time.Millisecond))
	_, err := r.Served(t.Context(), resolvers.Query{}, foundAt("sha256:1", ociIndex))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Served error = %v, want the read's deadline", err)
	}
}

// TestReaderPanic: a Fetcher that panics gives an error, not kept.
func TestReaderPanic(t *testing.T) {
	f := &fakeFetcher{panics: true}
	r := platforms.New(f)
	for range 2 {
		_, err := r.Served(t.Context(), resolvers.Query{}, foundAt("sha256:1", ociIndex))
		if err == nil || !strings.Contains(err.Error(), "panicked") {
			t.Errorf("Served error = %v, want a panic reported", err)
		}
	}
	if got := f.calls(); got != 2 {
		t.Errorf("%d fetches, want 2", got)
	}
}
