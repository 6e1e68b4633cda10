package resolverstest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/admissible/admissible/resolvers"
)

func TestPushThenHead(t *testing.T) {
	srv := Serve(t)
	digest := Push(t, Host(srv), "org/app:v1", "org/app:v2")
	for _, tag := range []string{"v1", "v2"} {
		desc, err := remote.Head(MustRef(t, Host(srv)+"/org/app:"+tag, name.Insecure))
		if err != nil {
			t.Fatal(err)
		}
		if desc.Digest.String() != digest {
			t.Errorf("registry serves %s at %s, Push returned %s", desc.Digest, tag, digest)
		}
	}
}

func TestResolver(t *testing.T) {
	r := NewResolver(Found("example.com/app:1"), Missing("example.com/app:2"))
	q := func(s string) resolvers.Query { return resolvers.Query{Ref: MustRef(t, s)} }
	if diff := cmp.Diff(Found("example.com/app:1"), r.Resolve(t.Context(), q("example.com/app:1"))); diff != "" {
		t.Errorf("found (-want +got):\n%s", diff)
	}
	if got := r.Resolve(t.Context(), q("example.com/app:2")); got.Verdict != resolvers.NotFound || got.Attempts[0].Detail != "404 Not Found" {
		t.Errorf("missing: %+v", got)
	}
	if got := r.Resolve(t.Context(), q("example.com/app:3")); got.Verdict != resolvers.Undetermined || got.Reason != Unanswered {
		t.Errorf("unanswered: %+v", got)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if got := r.Resolve(ctx, q("example.com/app:1")); got.Verdict != resolvers.Undetermined || got.Reason != context.Canceled.Error() {
		t.Errorf("cancelled: %+v", got)
	}
	if diff := cmp.Diff(map[string]int{"example.com/app:1": 2, "example.com/app:2": 1, "example.com/app:3": 1}, r.Calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if r.Lookups() != 4 || r.MaxInFlight() != 1 {
		t.Errorf("%d lookups, at most %d at once; want 4, 1", r.Lookups(), r.MaxInFlight())
	}
	if errs := r.ContextErrs(); len(errs) != 4 || !errors.Is(errs[3], context.Canceled) {
		t.Errorf("context errors %v", errs)
	}

	fixed := Fixed(resolvers.Result{Verdict: resolvers.Found})
	if got := fixed.Resolve(t.Context(), q("quay.io/any:thing")); got.Verdict != resolvers.Found {
		t.Errorf("fixed: %+v", got)
	}
}
