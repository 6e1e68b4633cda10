package cache_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

const (
	tagRef    = "quay.io/org/app:v1"
	digest    = "sha256:4bf5b2c0d1d9a1b1d8c5dbb7bd63bce3e9d8bb3b1d06c3c4d5fd0c6c1f36c2b7"
	digestRef = "quay.io/org/app@" + digest
)

var quay = resolvers.Endpoint{Scheme: "https", Host: "quay.io", Path: "/v2"}

// result is what a registry would answer for ref with verdict v.
func result(ref string, v resolvers.Verdict) resolvers.Result {
	a := resolvers.Attempt{Endpoint: quay, Verdict: v}
	r := resolvers.Result{Reference: ref, Verdict: v}
	switch v {
	case resolvers.Found:
		a.Status, a.Detail, a.Digest, a.EndsWalk = 200, "200 OK", digest, true
		r.Digest = digest
	case resolvers.NotFound:
		a.Status, a.Detail = 404, "404 Not Found"
		r.Suggestions = []string{"v1.1", "v2"}
	default:
		a.Status, a.Detail = 503, "503 Service Unavailable"
	}
	r.Attempts = []resolvers.Attempt{a}
	return r
}

// newFake answers every reference that is not in its Results as found
// (result).
func newFake() *resolverstest.Resolver {
	return &resolverstest.Resolver{
		Results: map[string]resolvers.Result{},
		Default: func(ref name.Reference) resolvers.Result { return result(ref.Name(), resolvers.Found) },
	}
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// receive returns the next value of ch, failing the test after 5 s.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatalf("no %s within 5s", what)
		panic("unreachable")
	}
}

// waitFor polls cond until it holds, failing the test after 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// scopeCredentials returns credentials whose fingerprint stands for scope;
// "" is anonymous.
func scopeCredentials(scope string) credentials.Set {
	if scope == "" {
		return credentials.Set{}
	}
	s, err := credentials.Parse([]byte(`{"auths": {"` + scope + `.example": {"username": "u", "password": "p"}}}`))
	if err != nil {
		panic(err)
	}
	return s
}
