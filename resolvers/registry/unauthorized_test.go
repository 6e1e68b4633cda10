package registry_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

const withToken = "401 Unauthorized with a pull token (no credentials): the repository does not exist, or these credentials may not pull it"

// TestClientLookupUnauthorized checks when a 401 to the manifest HEAD means
// the repository does not exist: only when the HEAD carried a token the
// endpoint issued during the lookup, as Docker Hub and quay.io answer.
func TestClientLookupUnauthorized(t *testing.T) {
	const (
		ping    = "/v2/"
		token   = "/token"
		missing = "/v2/missing/manifests/v1"
	)
	tests := map[string]struct {
		ref   string
		rules map[string]behaviour
		want  resolvers.Attempt
		// wantAuth is every request with its Authorization header.
		wantAuth []string
	}{
		"Docker Hub: 401 to the HEAD with a pull token": {
			ref:   "registry.example/missing:v1",
			rules: map[string]behaviour{ping: bearerChallenge, token: tokenAlways, missing: hubMissing},
			want:  resolvers.Attempt{Verdict: resolvers.NotFound, Status: 401, Detail: withToken},
			// go-containerregistry refreshes the token on the HEAD's
			// challenge and asks again.
			wantAuth: []string{
				"GET /v2/: ",
				"GET /token: ",
				"HEAD /v2/missing/manifests/v1: Bearer t0k3n",
				"GET /token: ",
				"HEAD /v2/missing/manifests/v1: Bearer t0k3n",
			},
		},
		"401 without a challenge to the HEAD with a pull token": {
			ref:   "registry.example/missing:v1",
			rules: map[string]behaviour{ping: bearerChallenge, token: tokenAlways, missing: unauthorized},
			want:  resolvers.Attempt{Verdict: resolvers.NotFound, Status: 401, Detail: withToken},
			wantAuth: []string{
				"GET /v2/: ",
				"GET /token: ",
				"HEAD /v2/missing/manifests/v1: Bearer t0k3n",
			},
		},
		"existing repository behind tokens": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{ping: bearerChallenge, token: tokenAlways},
			want:  resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: "{digest}", MediaType: schema2, EndsWalk: true},
			wantAuth: []string{
				"GET /v2/: ",
				"GET /token: ",
				"HEAD /v2/app/manifests/v1: Bearer t0k3n",
			},
		},
		"no token: the token service fails": {
			ref:   "registry.example/missing:v1",
			rules: map[string]behaviour{ping: bearerChallenge, token: serverError, missing: hubMissing},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "GET /token: 500 Internal Server Error"},
			wantAuth: []string{
				"GET /v2/: ",
				"GET /token: ",
			},
		},
		"no token: Basic challenge and no credentials": {
			ref:   "registry.example/missing:v1",
			rules: map[string]behaviour{ping: basicChallenge, missing: basicChallenge},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 401, Detail: "401 Unauthorized with no credentials: not allowed, or not found"},
			wantAuth: []string{
				"GET /v2/: ",
				"HEAD /v2/missing/manifests/v1: ",
			},
		},
		"no token: an open registry answers 401 to the HEAD": {
			ref:   "registry.example/missing:v1",
			rules: map[string]behaviour{missing: unauthorized},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 401, Detail: "401 Unauthorized with no credentials: not allowed, or not found"},
			wantAuth: []string{
				"GET /v2/: ",
				"HEAD /v2/missing/manifests/v1: ",
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, digest := newTestServer(t, "app:v1")
			srv.setRules(tc.rules)
			c := registry.New(registry.WithTimeout(10 * time.Second))

			got := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, tc.ref)})

			want := tc.want
			want.Endpoint = srv.endpoint()
			if want.Digest != "" {
				want.Digest = digest.String()
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", tc.ref, diff)
			}
			if diff := cmp.Diff(tc.wantAuth, srv.authorizations()); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientLookupUnauthorizedLater checks that a token must have been
// issued in the lookup itself: a token kept from an earlier lookup may have
// expired, and a 401 to it says nothing.
func TestClientLookupUnauthorizedLater(t *testing.T) {
	srv, _ := newTestServer(t, "app:v1")
	srv.setRules(map[string]behaviour{"/v2/": bearerChallenge, "/token": tokenAlways})
	c := registry.New(registry.WithTimeout(10 * time.Second))
	if a := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")}); a.Verdict != resolvers.Found {
		t.Fatalf("first Lookup = %+v, want found", a)
	}

	steps := []struct {
		ref      string
		rules    map[string]behaviour
		want     resolvers.Attempt
		wantAuth []string
	}{
		{
			// The kept token goes out; the 401 has no challenge, so no
			// new token is asked for.
			ref:      "registry.example/app:v2",
			rules:    map[string]behaviour{"/v2/app/manifests/v2": unauthorized},
			want:     resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 401, Detail: "401 Unauthorized with no credentials: not allowed, or not found"},
			wantAuth: []string{"HEAD /v2/app/manifests/v2: Bearer t0k3n"},
		},
		{
			// With a challenge, a new token is issued in this lookup.
			ref:   "registry.example/app:v2",
			rules: map[string]behaviour{"/v2/app/manifests/v2": hubMissing},
			want:  resolvers.Attempt{Verdict: resolvers.NotFound, Status: 401, Detail: withToken},
			wantAuth: []string{
				"HEAD /v2/app/manifests/v2: Bearer t0k3n",
				"GET /token: ",
				"HEAD /v2/app/manifests/v2: Bearer t0k3n",
			},
		},
	}
	for i, step := range steps {
		srv.resetLog()
		srv.setRules(step.rules)
		got := c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, step.ref)})
		want := step.want
		want.Endpoint = srv.endpoint()
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("step %d: Lookup(%s) mismatch (-want +got):\n%s", i, step.ref, diff)
		}
		if diff := cmp.Diff(step.wantAuth, srv.authorizations()); diff != "" {
			t.Errorf("step %d: requests mismatch (-want +got):\n%s", i, diff)
		}
	}
}
