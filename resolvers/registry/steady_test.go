package registry_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// TestClientLookupSteadyState checks that a Client keeps what it learnt
// about a host and a repository: one ping per host, then one HEAD per
// lookup.
func TestClientLookupSteadyState(t *testing.T) {
	srv, _ := newTestServer(t, "app:v1", "app:v2", "other:v1", "third:v1")
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	c := registry.New(registry.WithTimeout(10*time.Second), registry.WithClock(func() time.Time { return now }))
	ep := srv.endpoint()

	steps := []struct {
		ref string
		// later is how much time passes before the lookup.
		later time.Duration
		want  map[string]int
	}{
		{
			ref:  "registry.example/app:v1",
			want: map[string]int{"GET /v2/": 1, "HEAD /v2/app/manifests/v1": 1},
		},
		{
			ref:  "registry.example/app:v1",
			want: map[string]int{"HEAD /v2/app/manifests/v1": 1},
		},
		{
			ref:  "registry.example/app:v2",
			want: map[string]int{"HEAD /v2/app/manifests/v2": 1},
		},
		{
			// A new repository on the same host: the host's answer to the
			// ping is known.
			ref:  "registry.example/other:v1",
			want: map[string]int{"HEAD /v2/other/manifests/v1": 1},
		},
		{
			ref:  "registry.example/other:v1",
			want: map[string]int{"HEAD /v2/other/manifests/v1": 1},
		},
		{
			// Minutes later, a new repository pings again.
			ref:   "registry.example/third:v1",
			later: 6 * time.Minute,
			want:  map[string]int{"GET /v2/": 1, "HEAD /v2/third/manifests/v1": 1},
		},
	}
	for i, step := range steps {
		now = now.Add(step.later)
		srv.resetLog()
		a := c.Lookup(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, step.ref)})
		if a.Verdict != resolvers.Found {
			t.Fatalf("step %d: Lookup(%s) = %+v, want found", i, step.ref, a)
		}
		if diff := cmp.Diff(step.want, srv.counts()); diff != "" {
			t.Errorf("step %d: Lookup(%s) requests mismatch (-want +got):\n%s", i, step.ref, diff)
		}
	}
}

// TestClientLookupRecovers checks that a failed lookup is not kept: once
// the registry answers again, the next lookup succeeds.
func TestClientLookupRecovers(t *testing.T) {
	srv, digest := newTestServer(t, "app:v1")
	c := registry.New(registry.WithTimeout(10 * time.Second))
	ref := resolverstest.MustRef(t, "registry.example/app:v1")

	srv.setRules(map[string]behaviour{"/v2/app/manifests/v1": serverError})
	if a := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref}); a.Verdict != resolvers.Undetermined {
		t.Fatalf("Lookup with a failing registry = %+v, want undetermined", a)
	}
	srv.setRules(map[string]behaviour{"/v2/app/manifests/v1": passThrough})
	a := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref})
	if diff := cmp.Diff(digest.String(), a.Digest); diff != "" || a.Verdict != resolvers.Found {
		t.Errorf("Lookup after recovery = %+v, want found; digest mismatch (-want +got):\n%s", a, diff)
	}
}
