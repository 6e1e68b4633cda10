package registry_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
)

// silent accepts connections and never answers; it closes them when the
// test ends.
func silent(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
	)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

func TestNoAnswer(t *testing.T) {
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	tests := map[string]struct {
		host string
		// budget, when set, is the caller's deadline, shorter than the
		// Client's timeout.
		budget time.Duration
		want   bool
	}{
		"an endpoint that never answers":  {host: silent(t), want: true},
		"the caller's budget spent first": {host: silent(t), budget: 50 * time.Millisecond, want: true},
		"a refused connection":            {host: strings.TrimPrefix(closed.URL, "http://")},
		"a 404":                           {host: strings.TrimPrefix(notFound.URL, "http://")},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			c := registry.New(
				registry.WithTimeout(200*time.Millisecond),
				registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8")),
			)
			ref, err := name.ParseReference(tc.host + "/app:v1")
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()
			if tc.budget > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.budget)
				defer cancel()
			}
			ep := resolvers.Endpoint{Scheme: "http", Host: tc.host, Path: "/v2"}
			a := c.Lookup(ctx, ep, resolvers.Query{Ref: ref})
			if got := registry.NoAnswer(a); got != tc.want {
				t.Errorf("NoAnswer(%+v) = %t, want %t", a, got, tc.want)
			}
		})
	}
	t.Run("found", func(t *testing.T) {
		if registry.NoAnswer(resolvers.Attempt{Verdict: resolvers.Found, Status: 200, EndsWalk: true, Detail: "200 OK"}) {
			t.Error("NoAnswer of a found attempt is true")
		}
	})
}
