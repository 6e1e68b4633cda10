package registry_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// recorder is an Observer that keeps every call as "host METHOD status".
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) Request(host, method string, status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %s %d", host, method, status))
}

func (r *recorder) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// TestClientObserver checks that the observer hears of every exchange, and
// of nothing that was not sent.
func TestClientObserver(t *testing.T) {
	tests := map[string]struct {
		ref      string
		rules    map[string]behaviour
		endpoint func(*testServer) resolvers.Endpoint
		closed   bool
		// lookups is how often ref is looked up (default once).
		lookups int
		// want has "{host}" replaced.
		want []string
	}{
		"found": {
			ref:  "registry.example/app:v1",
			want: []string{"{host} GET 200", "{host} HEAD 200"},
		},
		"missing tag": {
			ref:  "registry.example/app:v2",
			want: []string{"{host} GET 200", "{host} HEAD 404"},
		},
		"token flow": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{"/v2/": bearerChallenge, "/token": tokenAlways},
			want:  []string{"{host} GET 401", "{host} GET 200", "{host} HEAD 200"},
		},
		"connection refused: status 0, for both pings of the http race": {
			ref:    "registry.example/app:v1",
			closed: true,
			want:   []string{"{host} GET 0", "{host} GET 0"},
		},
		"refused address: nothing sent": {
			ref:      "registry.example/app:v1",
			endpoint: (*testServer).untrusted,
			want:     nil,
		},
		"rate limited: the second lookup sends nothing": {
			ref:     "registry.example/app:v1",
			rules:   map[string]behaviour{"/v2/app/manifests/v1": tooManyRequests},
			lookups: 2,
			want:    []string{"{host} GET 200", "{host} HEAD 429"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, _ := newTestServer(t, "app:v1")
			srv.setRules(tc.rules)
			if tc.closed {
				srv.Close()
			}
			rec := &recorder{}
			c := registry.New(registry.WithTimeout(10*time.Second), registry.WithObserver(rec))
			ep := srv.endpoint()
			if tc.endpoint != nil {
				ep = tc.endpoint(srv)
			}

			for range max(tc.lookups, 1) {
				c.Lookup(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, tc.ref)})
			}

			var want []string
			for _, w := range tc.want {
				want = append(want, replaceHost(w, srv))
			}
			if diff := cmp.Diff(want, rec.get()); diff != "" {
				t.Errorf("observed requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
