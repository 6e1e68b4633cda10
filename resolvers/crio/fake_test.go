package crio_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/admissible/admissible/resolvers"
)

const digest = "sha256:4444444444444444444444444444444444444444444444444444444444444444"

// Answers of the fake endpoints.
var (
	found    = resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest, MediaType: "application/vnd.oci.image.index.v1+json", EndsWalk: true}
	absent   = resolvers.Attempt{Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"}
	failed   = resolvers.Attempt{Status: 500, Detail: "500 Internal Server Error"}
	refused  = resolvers.Attempt{Detail: "connection refused"}
	silent   = resolvers.Attempt{Detail: "no answer within 3s"}
	htmlPage = resolvers.Attempt{Status: 200, EndsWalk: true, Detail: `200 with Content-Type "text/html", not a manifest: pulls through this endpoint fail`}
)

// fake answers lookups from a table keyed by "host/repository" (any
// scheme) or "scheme://host/repository"; anything else is refused. It
// records every call as "scheme://host/repository", with " +creds" when
// the query carried credentials.
type fake struct {
	answers map[string]resolvers.Attempt

	mu    sync.Mutex
	calls []string
}

func (f *fake) Lookup(_ context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt {
	repo := q.Ref.Context().RepositoryStr()
	call := ep.Scheme + "://" + ep.Host + "/" + repo
	if !q.Credentials.Empty() {
		call += " +creds"
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	a, ok := f.answers[ep.Scheme+"://"+ep.Host+"/"+repo]
	if !ok {
		a, ok = f.answers[ep.Host+"/"+repo]
	}
	if !ok {
		a = refused
	}
	a.Endpoint = ep
	return a
}

// write writes content to name in dir and returns its path.
func write(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
