package registry_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestClientHostConcurrency fires lookups at once at a slow registry and
// counts the requests it answers at the same time.
func TestClientHostConcurrency(t *testing.T) {
	const lookups = 8
	tests := map[string]struct {
		opts []registry.Option
		// wantPeakMin and wantPeakMax bound the requests seen at once.
		wantPeakMin, wantPeakMax int
	}{
		"bound of 2":   {opts: []registry.Option{registry.WithHostConcurrency(2)}, wantPeakMin: 2, wantPeakMax: 2},
		"bound of 1":   {opts: []registry.Option{registry.WithHostConcurrency(1)}, wantPeakMin: 1, wantPeakMax: 1},
		"default (16)": {wantPeakMin: 3, wantPeakMax: lookups},
		// Shows the test can see more requests at once than a bound allows.
		"no bound": {opts: []registry.Option{registry.WithHostConcurrency(0)}, wantPeakMin: 3, wantPeakMax: lookups},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, _ := newTestServer(t, "app:v1")
			srv.setRules(map[string]behaviour{"/v2/": slow, "/v2/app/manifests/v1": slow})
			c := registry.New(append([]registry.Option{registry.WithTimeout(20 * time.Second)}, tc.opts...)...)
			ref := resolverstest.MustRef(t, "registry.example/app:v1")

			var wg sync.WaitGroup
			got := make([]resolvers.Attempt, lookups)
			for i := range lookups {
				wg.Go(func() { got[i] = c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref}) })
			}
			wg.Wait()

			for i, a := range got {
				if a.Verdict != resolvers.Found {
					t.Errorf("lookup %d = %+v, want found", i, a)
				}
			}
			if p := srv.peak(); p < tc.wantPeakMin || p > tc.wantPeakMax {
				t.Errorf("server answered %d requests at once, want %d to %d", p, tc.wantPeakMin, tc.wantPeakMax)
			}
		})
	}
}

// TestClientHostConcurrencyWait checks that a lookup waiting for a free
// slot gives up with its context, without sending anything. (The Client's
// own timeout cannot be shown here: the lookup holding the slot, started
// first, would run out first and free it; TestTransportDetail covers it.)
func TestClientHostConcurrencyWait(t *testing.T) {
	const manifest = "/v2/app/manifests/v1"
	tests := map[string]struct {
		// timeout is the Client's; budget the caller's.
		timeout, budget time.Duration
		want            string
	}{
		"the caller's budget runs out first": {
			timeout: 10 * time.Second,
			budget:  200 * time.Millisecond,
			want:    "lookup budget spent before an answer: 1 request to {host} already in flight",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, _ := newTestServer(t, "app:v1")
			srv.setRules(map[string]behaviour{manifest: hang})
			c := registry.New(registry.WithHostConcurrency(1), registry.WithTimeout(tc.timeout))
			ref := resolverstest.MustRef(t, "registry.example/app:v1")

			// The first lookup holds the only slot, hanging on its HEAD
			// until cancelled.
			first, cancel := context.WithCancel(t.Context())
			done := make(chan struct{})
			go func() {
				defer close(done)
				c.Lookup(first, srv.endpoint(), resolvers.Query{Ref: ref})
			}()
			t.Cleanup(func() { cancel(); <-done })
			waitFor(t, func() bool { return srv.counts()[http.MethodHead+" "+manifest] == 1 })

			ctx, cancelBudget := context.WithTimeout(t.Context(), tc.budget)
			defer cancelBudget()
			got := c.Lookup(ctx, srv.endpoint(), resolvers.Query{Ref: ref})

			want := resolvers.Attempt{Endpoint: srv.endpoint(), Verdict: resolvers.Undetermined, Detail: replaceHost(tc.want, srv)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
			}
			if n := srv.counts()[http.MethodHead+" "+manifest]; n != 1 {
				t.Errorf("server saw %d HEAD requests, want 1: the waiting lookup must send nothing", n)
			}
		})
	}
}

// TestClientRetryAfter checks that a host that answered 429 is left alone
// for its Retry-After, and asked again after it.
func TestClientRetryAfter(t *testing.T) {
	const (
		ping     = "/v2/"
		manifest = "/v2/app/manifests/v1"
	)
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		path       string
		retryAfter string
		// wantPause is how long the host is left alone.
		wantPause time.Duration
		// wantFirst is the detail of the lookup that got the 429.
		wantFirst string
	}{
		"seconds, on the HEAD": {path: manifest, retryAfter: "60", wantPause: 60 * time.Second, wantFirst: "429 Too Many Requests"},
		"seconds, on the ping": {path: ping, retryAfter: "60", wantPause: 60 * time.Second, wantFirst: "GET /v2/: 429 Too Many Requests (TOOMANYREQUESTS)"},
		"HTTP date": {
			path: manifest, retryAfter: start.Add(2 * time.Minute).Format(http.TimeFormat),
			wantPause: 2 * time.Minute, wantFirst: "429 Too Many Requests",
		},
		"absent: 30 s":      {path: manifest, wantPause: 30 * time.Second, wantFirst: "429 Too Many Requests"},
		"unreadable: 30 s":  {path: manifest, retryAfter: "soon", wantPause: 30 * time.Second, wantFirst: "429 Too Many Requests"},
		"capped at 10 min":  {path: manifest, retryAfter: "86400", wantPause: 10 * time.Minute, wantFirst: "429 Too Many Requests"},
		"zero: asked again": {path: manifest, retryAfter: "0", wantFirst: "429 Too Many Requests"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, digest := newTestServer(t, "app:v1")
			srv.retryAfter = tc.retryAfter
			srv.setRules(map[string]behaviour{tc.path: tooManyRequests})
			clock := &fakeClock{now: start}
			c := registry.New(registry.WithTimeout(10*time.Second), registry.WithClock(clock.Now))
			ref := resolverstest.MustRef(t, "registry.example/app:v1")

			if got := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref}); got.Verdict != resolvers.Undetermined || got.Detail != tc.wantFirst {
				t.Fatalf("first Lookup = %+v, want undetermined with %q", got, tc.wantFirst)
			}
			srv.setRules(map[string]behaviour{tc.path: passThrough})

			if tc.wantPause > 0 {
				// Until the end of the pause, nothing is sent.
				limited := resolvers.Attempt{
					Endpoint: srv.endpoint(),
					Verdict:  resolvers.Undetermined,
					Detail:   "rate limited by " + srv.host() + " until " + start.Add(tc.wantPause).Format(time.RFC3339) + " (Retry-After)",
				}
				for _, at := range []time.Duration{0, tc.wantPause - time.Second} {
					clock.set(start.Add(at))
					srv.resetLog()
					got := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref})
					if diff := cmp.Diff(limited, got); diff != "" {
						t.Errorf("Lookup %s after the 429 mismatch (-want +got):\n%s", at, diff)
					}
					if diff := cmp.Diff([]string(nil), srv.log()); diff != "" {
						t.Errorf("Lookup %s after the 429 sent requests (-want +got):\n%s", at, diff)
					}
				}
			}

			clock.advance(time.Second)
			srv.resetLog()
			got := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref})
			want := resolvers.Attempt{Endpoint: srv.endpoint(), Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest.String(), MediaType: schema2, EndsWalk: true}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup after the pause mismatch (-want +got):\n%s", diff)
			}
			if len(srv.log()) == 0 {
				t.Errorf("Lookup after the pause sent no request")
			}
		})
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
