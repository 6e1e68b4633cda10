package registry_test

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

func TestClientLookup(t *testing.T) {
	const (
		manifest = "/v2/app/manifests/v1"
		ping     = "/v2/"
	)
	tests := map[string]struct {
		// ref is looked up with "{digest}" replaced by the pushed image's digest.
		ref     string
		rules   map[string]behaviour
		timeout time.Duration
		// closed closes the server before the lookup.
		closed bool
		// redirectTarget starts a second registry with the image and points
		// redirect answers to it.
		redirectTarget bool
		// want is compared with the attempt; Endpoint is always the
		// server's, "{digest}" in Digest and "{host}" in Detail are replaced.
		want resolvers.Attempt
		// wantFirstRequests is the server's request log, when set.
		wantFirstRequests []string
	}{
		"existing tag": {
			ref:  "registry.example/app:v1",
			want: resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Digest: "{digest}", MediaType: schema2, EndsWalk: true, Detail: "200 OK"},
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"missing tag": {
			ref:  "registry.example/app:v2",
			want: resolvers.Attempt{Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"},
		},
		"missing repository": {
			ref:  "registry.example/other:v1",
			want: resolvers.Attempt{Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"},
		},
		"existing digest": {
			ref:  "registry.example/app@{digest}",
			want: resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Digest: "{digest}", MediaType: schema2, EndsWalk: true, Detail: "200 OK"},
		},
		"missing digest": {
			ref:  "registry.example/app@sha256:0000000000000000000000000000000000000000000000000000000000000000",
			want: resolvers.Attempt{Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"},
		},
		"500 on the manifest": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: serverError},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 500, Detail: "500 Internal Server Error"},
			// No retry.
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"429 on the manifest: a HEAD answer has no body, so no error code": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: tooManyRequests},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 429, Detail: "429 Too Many Requests"},
			// No retry.
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"429 on the ping: the GET body's error code is reported": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{ping: tooManyRequests},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "GET /v2/: 429 Too Many Requests (TOOMANYREQUESTS)"},
		},
		"401 on the manifest": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: unauthorized},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 401, Detail: "401 Unauthorized with no credentials: not allowed, or not found"},
		},
		"404 on the ping is not a 404 on the manifest": {
			ref: "registry.example/app:v1",
			// containerd never pings: a registry whose /v2/ answers 404 but
			// serves manifests is pullable.
			rules: map[string]behaviour{ping: notFound},
			want:  resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: "{digest}", MediaType: schema2, EndsWalk: true},
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"401 on the manifest, then 404 on the token refresh": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{ping: bearerChallenge, "/token": tokenOnce, manifest: bearerChallenge},
			// Status is the manifest's; the 404 is the token service's.
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 401, Detail: "GET /token: 404 Not Found"},
			wantFirstRequests: []string{
				"GET /v2/",
				"GET /token",
				"HEAD /v2/app/manifests/v1",
				"GET /token",
			},
		},
		"bearer token flow": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{ping: bearerChallenge, "/token": tokenOnce},
			want:  resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Digest: "{digest}", MediaType: schema2, EndsWalk: true, Detail: "200 OK"},
			wantFirstRequests: []string{
				"GET /v2/",
				"GET /token",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"HTML 200 on the manifest ends the walk": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: htmlPage},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 200, EndsWalk: true, Detail: `200 with Content-Type "text/html; charset=utf-8", not a manifest: pulls through this endpoint fail`},
		},
		"HTML 200 everywhere: the ping takes it for an open registry": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{ping: htmlPage, manifest: htmlPage},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 200, EndsWalk: true, Detail: `200 with Content-Type "text/html; charset=utf-8", not a manifest: pulls through this endpoint fail`},
			// No Docker-Content-Digest on the HEAD: containerd asks again
			// with GET, and stops there.
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
				"GET /v2/app/manifests/v1",
			},
		},
		"a Docker schema 1 manifest ends the walk: containerd v2 refuses it": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: schema1},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 200, EndsWalk: true, Detail: `200 with Content-Type "application/vnd.docker.distribution.manifest.v1+prettyjws", not a manifest: pulls through this endpoint fail`},
		},
		"a manifest media type with a parameter: containerd drops it": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: charset},
			want:  resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Digest: "{digest}", MediaType: schema2, EndsWalk: true, Detail: "200 OK"},
		},
		"no answer": {
			ref:     "registry.example/app:v1",
			rules:   map[string]behaviour{manifest: hang},
			timeout: 300 * time.Millisecond,
			want:    resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "no answer within 300ms"},
		},
		"no answer to the ping": {
			ref:     "registry.example/app:v1",
			rules:   map[string]behaviour{ping: hang},
			timeout: 300 * time.Millisecond,
			want:    resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "no answer within 300ms"},
		},
		"connection refused": {
			ref:    "registry.example/app:v1",
			closed: true,
			want:   resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "connection refused"},
		},
		"connection dropped": {
			ref:   "registry.example/app:v1",
			rules: map[string]behaviour{manifest: dropConnection},
			want:  resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: `Head "http://{host}/v2/app/manifests/v1": EOF`},
			// net/http itself resends an idempotent request once when a
			// reused connection closes before answering; go-containerregistry
			// does not retry (it would, three times, with its default
			// retry predicate).
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
				"HEAD /v2/app/manifests/v1",
			},
		},
		"307 redirect to another registry": {
			ref:            "registry.example/app:v1",
			rules:          map[string]behaviour{manifest: redirect},
			redirectTarget: true,
			want:           resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Digest: "{digest}", MediaType: schema2, EndsWalk: true, Detail: "200 OK"},
			wantFirstRequests: []string{
				"GET /v2/",
				"HEAD /v2/app/manifests/v1",
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, digest := newTestServer(t, "app:v1")
			var target *testServer
			if tc.redirectTarget {
				target, _ = newTestServer(t)
				img, err := remote.Image(resolverstest.MustRef(t, srv.host()+"/app:v1"), remote.WithContext(t.Context()))
				if err != nil {
					t.Fatalf("remote.Image: %v", err)
				}
				if err := remote.Write(resolverstest.MustRef(t, target.host()+"/app:v1"), img); err != nil {
					t.Fatalf("remote.Write: %v", err)
				}
				target.resetLog()
				srv.redirectTo = target.URL
				srv.resetLog()
			}
			srv.setRules(tc.rules)
			if tc.closed {
				srv.Close()
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c := registry.New(registry.WithTimeout(timeout))
			ref := resolverstest.MustRef(t, strings.ReplaceAll(tc.ref, "{digest}", digest.String()))

			done := make(chan resolvers.Attempt, 1)
			go func() { done <- c.Lookup(t.Context(), srv.endpoint(), resolvers.Query{Ref: ref}) }()
			var got resolvers.Attempt
			select {
			case got = <-done:
			case <-time.After(timeout + 5*time.Second):
				t.Fatalf("Lookup(%s) did not return within %s of its %s timeout", ref, 5*time.Second, timeout)
			}

			want := tc.want
			want.Endpoint = srv.endpoint()
			want.Digest = strings.ReplaceAll(want.Digest, "{digest}", digest.String())
			want.Detail = strings.ReplaceAll(want.Detail, "{host}", srv.host())
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", ref, diff)
			}
			if tc.wantFirstRequests != nil {
				if diff := cmp.Diff(tc.wantFirstRequests, srv.log()); diff != "" {
					t.Errorf("requests mismatch (-want +got):\n%s", diff)
				}
			}
			if target != nil {
				if diff := cmp.Diff([]string{"HEAD /v2/app/manifests/v1"}, target.log()); diff != "" {
					t.Errorf("redirect target requests mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestClientLookupPathEndpoint asks a Harbor-style proxy-cache endpoint,
// whose API base is /v2/proxy.
func TestClientLookupPathEndpoint(t *testing.T) {
	srv, digest := newTestServer(t, "library/app:v1")
	srv.stripProxy = true
	ep := resolvers.Endpoint{Scheme: "http", Host: srv.host(), Path: "/v2/proxy", Trusted: true}
	c := registry.New(registry.WithTimeout(10 * time.Second))

	got := c.Lookup(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, "docker.io/library/app:v1")})

	want := resolvers.Attempt{
		Endpoint:  ep,
		Verdict:   resolvers.Found,
		Status:    200,
		Detail:    "200 OK",
		Digest:    digest.String(),
		MediaType: schema2,
		EndsWalk:  true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
	wantRequests := []string{
		"GET /v2/proxy/",
		"HEAD /v2/proxy/library/app/manifests/v1",
	}
	if diff := cmp.Diff(wantRequests, srv.log()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// TestClientLookupNoHost asks an endpoint without a host, as containerd
// reads [host."#000"] or [host.""] in hosts.toml: containerd fails on it and
// moves on, and so does the Client, instead of asking Docker Hub, which is
// what go-containerregistry makes of a repository without a host.
func TestClientLookupNoHost(t *testing.T) {
	c := registry.New(registry.WithTimeout(10 * time.Second))
	ref := resolverstest.MustRef(t, "quay.io/ceph/ceph:v17.2.31")
	for _, ep := range []resolvers.Endpoint{
		{Scheme: "https", Path: "/v2", Trusted: true},
		{Trusted: true},
	} {
		got := c.Lookup(t.Context(), ep, resolvers.Query{Ref: ref})
		want := resolvers.Attempt{Endpoint: ep, Verdict: resolvers.Undetermined, Detail: "no host in the URL"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", ep, diff)
		}
		if _, err := c.Tags(t.Context(), ep, ref.Context(), credentials.Set{}); err == nil {
			t.Errorf("Tags(%s): listed tags", ep)
		}
	}
}

// TestClientLookupCancelled checks a lookup whose caller gave up.
func TestClientLookupCancelled(t *testing.T) {
	srv, _ := newTestServer(t, "app:v1")
	srv.setRules(map[string]behaviour{"/v2/app/manifests/v1": hang})
	c := registry.New(registry.WithTimeout(10 * time.Second))
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)

	got := c.Lookup(ctx, srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")})

	want := resolvers.Attempt{Endpoint: srv.endpoint(), Verdict: resolvers.Undetermined, Detail: "lookup cancelled"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
}

// TestClientLookupBudget checks a lookup whose caller's budget ends before
// the Client's own time: the detail says so, not "no answer within 10s".
func TestClientLookupBudget(t *testing.T) {
	srv, _ := newTestServer(t, "app:v1")
	srv.setRules(map[string]behaviour{"/v2/app/manifests/v1": hang})
	c := registry.New(registry.WithTimeout(10 * time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()

	got := c.Lookup(ctx, srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")})

	want := resolvers.Attempt{Endpoint: srv.endpoint(), Verdict: resolvers.Undetermined, Detail: "lookup budget spent before an answer"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
	}
}

// TestClientLookupUpstream checks a lookup on a reference's own registry
// (resolvers.Upstream: over https), as a walk without mirrors makes it.
func TestClientLookupUpstream(t *testing.T) {
	srv := httptest.NewTLSServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatalf("random.Image: %v", err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	if err := remote.Write(resolverstest.MustRef(t, host+"/app:v1"), img, remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatalf("remote.Write: %v", err)
	}
	// The registry is the reference's own, on loopback: not contacted
	// unless allowed.
	c := registry.New(
		registry.WithTransport(srv.Client().Transport),
		registry.WithTimeout(10*time.Second),
		registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")),
	)
	ep := resolvers.Endpoint{Scheme: "https", Host: host, Path: "/v2"}

	tests := map[string]struct {
		ref  string
		want resolvers.Attempt
	}{
		"found": {
			ref:  host + "/app:v1",
			want: resolvers.Attempt{Endpoint: ep, Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest.String(), MediaType: schema2, EndsWalk: true},
		},
		"not found": {
			ref:  host + "/app:v2",
			want: resolvers.Attempt{Endpoint: ep, Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			ref := resolverstest.MustRef(t, tc.ref)
			got := c.Lookup(t.Context(), resolvers.Upstream(ref.Context().RegistryStr()), resolvers.Query{Ref: ref})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Lookup(%s) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}
