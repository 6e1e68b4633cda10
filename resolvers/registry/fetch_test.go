package registry_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// fetchServer is a test server holding an image at app:v1 and an index at
// app:multi, with the digests of the image, its config and the index, and
// the bodies a fetch should bring back.
type fetchServer struct {
	*testServer
	image, config, index      string
	imageBody, indexBody, cfg []byte
}

func newFetchServer(t *testing.T) *fetchServer {
	t.Helper()
	srv, digest := newTestServer(t, "app:v1")
	srv.fetches = true
	idx, err := random.Index(256, 1, 2)
	if err != nil {
		t.Fatalf("random.Index: %v", err)
	}
	if err := remote.WriteIndex(resolverstest.MustRef(t, srv.host()+"/app:multi"), idx); err != nil {
		t.Fatalf("remote.WriteIndex: %v", err)
	}
	img, err := remote.Image(resolverstest.MustRef(t, srv.host()+"/app:v1"))
	if err != nil {
		t.Fatalf("remote.Image: %v", err)
	}
	fs := &fetchServer{testServer: srv, image: digest.String()}
	must := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	fs.imageBody = must(img.RawManifest())
	fs.cfg = must(img.RawConfigFile())
	fs.indexBody = must(idx.RawManifest())
	cfgDigest, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	fs.config = cfgDigest.String()
	idxDigest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	fs.index = idxDigest.String()
	srv.resetLog()
	return fs
}

// expand replaces {image}, {config}, {index} and {host}.
func (fs *fetchServer) expand(s string) string {
	return strings.NewReplacer("{image}", fs.image, "{config}", fs.config, "{index}", fs.index, "{host}", fs.host()).Replace(s)
}

const missingDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

func TestClientFetchManifest(t *testing.T) {
	tests := map[string]struct {
		// digest is fetched, with {image} and {index} replaced; so are
		// the paths of rules.
		digest  string
		rules   map[string]behaviour
		timeout time.Duration
		// untrusted asks the server as an endpoint named by a reference.
		untrusted bool
		// wantBody is "image" or "index" for a fetch that works.
		wantBody      string
		wantMediaType string
		// wantErr is compared without Err; Endpoint is the server's and
		// {host} and the digests in Detail are replaced.
		wantErr *registry.FetchError
		// wantRequests is the server's log, with the digests replaced.
		wantRequests []string
	}{
		"an index": {
			digest: "{index}", wantBody: "index", wantMediaType: string(types.OCIImageIndex),
			wantRequests: []string{"GET /v2/", "GET /v2/app/manifests/{index}"},
		},
		"an image manifest": {
			digest: "{image}", wantBody: "image", wantMediaType: string(types.DockerManifestSchema2),
		},
		"missing": {
			digest:  missingDigest,
			wantErr: &registry.FetchError{Status: 404, Detail: "404 Not Found (MANIFEST_UNKNOWN)"},
		},
		"500": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/app/manifests/{index}": serverError},
			wantErr: &registry.FetchError{Status: 500, Detail: "500 Internal Server Error"},
			// No retry.
			wantRequests: []string{"GET /v2/", "GET /v2/app/manifests/{index}"},
		},
		"an HTML page with 200": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/app/manifests/{index}": htmlPage},
			wantErr: &registry.FetchError{Detail: `200 with Content-Type "text/html; charset=utf-8", not the manifest asked for`},
		},
		"no answer": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/app/manifests/{index}": hang},
			timeout: 200 * time.Millisecond,
			wantErr: &registry.FetchError{Detail: "no answer within 200ms"},
		},
		"too large, announced": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/app/manifests/{index}": hugeBody},
			wantErr: &registry.FetchError{Detail: "manifest larger than 4 MiB"},
		},
		"too large, not announced": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/app/manifests/{index}": hugeChunked},
			wantErr: &registry.FetchError{Detail: "manifest larger than 4 MiB"},
		},
		"the token service fails": {
			digest:  "{index}",
			rules:   map[string]behaviour{"/v2/": bearerChallenge, "/token": serverError},
			wantErr: &registry.FetchError{Detail: "GET /token: 500 Internal Server Error"},
		},
		"not a digest": {
			digest:       "latest",
			wantErr:      &registry.FetchError{Detail: `digest "latest": cannot parse hash: "latest"`},
			wantRequests: []string{},
		},
		"a loopback address named by a reference": {
			digest:       "{index}",
			untrusted:    true,
			wantErr:      &registry.FetchError{Detail: "not contacted: {host} is a loopback address (allow 127.0.0.1/32, or make it a mirror endpoint)"},
			wantRequests: []string{},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			t.Parallel()
			srv := newFetchServer(t)
			rules := map[string]behaviour{}
			for p, b := range tc.rules {
				rules[srv.expand(p)] = b
			}
			srv.setRules(rules)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c := registry.New(registry.WithTimeout(timeout))
			ep := srv.endpoint()
			if tc.untrusted {
				ep = srv.untrusted()
			}
			dgst := srv.expand(tc.digest)

			body, mediaType, err := c.FetchManifest(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")}, dgst)

			if tc.wantErr != nil {
				var got *registry.FetchError
				if !errors.As(err, &got) {
					t.Fatalf("FetchManifest error = %v, want a *FetchError", err)
				}
				want := *tc.wantErr
				want.Endpoint, want.What, want.Digest = ep, "manifest", dgst
				want.Detail = srv.expand(want.Detail)
				want.Detail = strings.ReplaceAll(want.Detail, "127.0.0.1:"+strings.Split(srv.host(), ":")[1], "127.0.0.1")
				if diff := cmp.Diff(&want, got, cmpopts.IgnoreFields(registry.FetchError{}, "Err")); diff != "" {
					t.Errorf("FetchManifest error mismatch (-want +got):\n%s", diff)
				}
				if got.Err == nil {
					t.Errorf("FetchManifest error wraps nothing")
				}
				if !strings.Contains(err.Error(), ep.String()) {
					t.Errorf("error %q does not name the endpoint %s", err, ep)
				}
			} else {
				if err != nil {
					t.Fatalf("FetchManifest: %v", err)
				}
				wantBody := map[string][]byte{"image": srv.imageBody, "index": srv.indexBody}[tc.wantBody]
				if diff := cmp.Diff(string(wantBody), string(body)); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
				if mediaType != tc.wantMediaType {
					t.Errorf("media type = %q, want %q", mediaType, tc.wantMediaType)
				}
			}
			if tc.wantRequests != nil {
				want := make([]string, len(tc.wantRequests))
				for i, r := range tc.wantRequests {
					want[i] = srv.expand(r)
				}
				if diff := cmp.Diff(want, srv.log(), cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("requests mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestClientFetchConfig(t *testing.T) {
	tests := map[string]struct {
		digest  string
		rules   map[string]behaviour
		timeout time.Duration
		wantErr *registry.FetchError
		// wantDetail is a part of the error's Detail, when wantErr is nil
		// and an error is expected.
		wantDetail string
	}{
		"the config": {digest: "{config}"},
		"missing": {
			digest:  missingDigest,
			wantErr: &registry.FetchError{Status: 404, Detail: "404 Not Found (BLOB_UNKNOWN)"},
		},
		"500": {
			digest:  "{config}",
			rules:   map[string]behaviour{"/v2/app/blobs/{config}": serverError},
			wantErr: &registry.FetchError{Status: 500, Detail: "500 Internal Server Error"},
		},
		"no answer": {
			digest:  "{config}",
			rules:   map[string]behaviour{"/v2/app/blobs/{config}": hang},
			timeout: 200 * time.Millisecond,
			wantErr: &registry.FetchError{Detail: "no answer within 200ms"},
		},
		"too large, announced": {
			digest:  "{config}",
			rules:   map[string]behaviour{"/v2/app/blobs/{config}": hugeBody},
			wantErr: &registry.FetchError{Detail: "config larger than 1 MiB"},
		},
		"too large, not announced": {
			digest:  "{config}",
			rules:   map[string]behaviour{"/v2/app/blobs/{config}": hugeChunked},
			wantErr: &registry.FetchError{Detail: "config larger than 1 MiB"},
		},
		"another body": {
			digest:     "{config}",
			rules:      map[string]behaviour{"/v2/app/blobs/{config}": htmlPage},
			wantDetail: "checksum",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			t.Parallel()
			srv := newFetchServer(t)
			rules := map[string]behaviour{}
			for p, b := range tc.rules {
				rules[srv.expand(p)] = b
			}
			srv.setRules(rules)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c := registry.New(registry.WithTimeout(timeout))
			dgst := srv.expand(tc.digest)

			body, err := c.FetchConfig(t.Context(), srv.endpoint(), resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")}, dgst)

			switch {
			case tc.wantErr != nil:
				var got *registry.FetchError
				if !errors.As(err, &got) {
					t.Fatalf("FetchConfig error = %v, want a *FetchError", err)
				}
				want := *tc.wantErr
				want.Endpoint, want.What, want.Digest = srv.endpoint(), "config", dgst
				if diff := cmp.Diff(&want, got, cmpopts.IgnoreFields(registry.FetchError{}, "Err")); diff != "" {
					t.Errorf("FetchConfig error mismatch (-want +got):\n%s", diff)
				}
			case tc.wantDetail != "":
				var got *registry.FetchError
				if !errors.As(err, &got) || !strings.Contains(got.Detail, tc.wantDetail) {
					t.Fatalf("FetchConfig error = %v, want a *FetchError saying %q", err, tc.wantDetail)
				}
			default:
				if err != nil {
					t.Fatalf("FetchConfig: %v", err)
				}
				if diff := cmp.Diff(string(srv.cfg), string(body)); diff != "" {
					t.Errorf("body mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// TestClientFetchObserved checks that fetches go through the observer, as
// lookups do, and reuse the endpoint's ping.
func TestClientFetchObserved(t *testing.T) {
	srv := newFetchServer(t)
	rec := &recorder{}
	c := registry.New(registry.WithObserver(rec))
	q := resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:multi")}

	a := c.Lookup(t.Context(), srv.endpoint(), q)
	if a.Verdict != resolvers.Found || a.MediaType != string(types.OCIImageIndex) {
		t.Fatalf("Lookup = %+v, want found, an OCI index", a)
	}
	if _, _, err := c.FetchManifest(t.Context(), srv.endpoint(), q, a.Digest); err != nil {
		t.Fatalf("FetchManifest: %v", err)
	}
	if _, err := c.FetchConfig(t.Context(), srv.endpoint(), q, srv.config); err != nil {
		t.Fatalf("FetchConfig: %v", err)
	}
	host := srv.host()
	want := []string{host + " GET 200", host + " HEAD 200", host + " GET 200", host + " GET 200"}
	if diff := cmp.Diff(want, rec.get()); diff != "" {
		t.Errorf("observed mismatch (-want +got):\n%s", diff)
	}
	wantRequests := []string{
		"GET /v2/",
		"HEAD /v2/app/manifests/multi",
		"GET /v2/app/manifests/" + srv.index,
		"GET /v2/app/blobs/" + srv.config,
	}
	if diff := cmp.Diff(wantRequests, srv.log()); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}
