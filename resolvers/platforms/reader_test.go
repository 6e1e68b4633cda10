package platforms_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

var (
	linuxAMD64   = v1.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64v8 = v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
	linuxARMv7   = v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	linuxS390x   = v1.Platform{OS: "linux", Architecture: "s390x"}
	windows2022  = v1.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2227"}
	unknown      = v1.Platform{OS: "unknown", Architecture: "unknown"}
	attestation  = map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000"}
)

// TestReaderServed reads what real manifests serve, from a real registry
// through the real registry.Client.
func TestReaderServed(t *testing.T) {
	tests := map[string]struct {
		// content is pushed at app:v1.
		content func(t *testing.T) any
		// answer replaces the registry's answer to the GET of the
		// manifest by digest.
		answer  func(r *testRegistry) http.HandlerFunc
		timeout time.Duration
		// want is compared with Digest set to the pushed digest.
		want platforms.Served
		// wantErr is a part of the error's message; wantStatus the status
		// of the registry.FetchError it wraps, when one.
		wantErr    string
		wantStatus int
	}{
		"an OCI index with attestations": {
			content: func(t *testing.T) any {
				return index(types.OCIImageIndex,
					entry{img: image(t, linuxAMD64), platform: &linuxAMD64},
					entry{img: image(t, linuxARM64v8), platform: &linuxARM64v8},
					entry{img: image(t, windows2022), platform: &windows2022},
					entry{img: image(t, unknown), platform: &unknown, annotations: attestation},
					entry{img: image(t, linuxAMD64), platform: &linuxAMD64, annotations: attestation},
				)
			},
			want: platforms.Served{Index: true, Attestations: 2, Platforms: []ocispec.Platform{
				{OS: "linux", Architecture: "amd64"},
				{OS: "linux", Architecture: "arm64", Variant: "v8"},
				{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2227"},
			}},
		},
		"a Docker manifest list": {
			content: func(t *testing.T) any {
				return index(types.DockerManifestList,
					entry{img: image(t, linuxARMv7), platform: &linuxARMv7},
					entry{img: image(t, linuxS390x), platform: &linuxS390x},
				)
			},
			want: platforms.Served{Index: true, Platforms: []ocispec.Platform{
				{OS: "linux", Architecture: "arm", Variant: "v7"},
				{OS: "linux", Architecture: "s390x"},
			}},
		},
		"an entry without a platform is read from its config, and listed last": {
			content: func(t *testing.T) any {
				return index(types.OCIImageIndex,
					entry{img: image(t, linuxS390x)},
					entry{img: image(t, linuxAMD64), platform: &linuxAMD64},
				)
			},
			want: platforms.Served{Index: true, Unplatformed: 1, Platforms: []ocispec.Platform{
				{OS: "linux", Architecture: "amd64"},
				{OS: "linux", Architecture: "s390x"},
			}},
		},
		"an index of attestations only": {
			content: func(t *testing.T) any {
				return index(types.OCIImageIndex, entry{img: image(t, unknown), platform: &unknown, annotations: attestation})
			},
			want: platforms.Served{Index: true, Attestations: 1, Platforms: []ocispec.Platform{}},
		},
		"a single image": {
			content: func(t *testing.T) any { return image(t, linuxARMv7) },
			want:    platforms.Served{Platforms: []ocispec.Platform{{OS: "linux", Architecture: "arm", Variant: "v7"}}},
		},
		"a single Windows image": {
			content: func(t *testing.T) any { return image(t, windows2022) },
			want:    platforms.Served{Platforms: []ocispec.Platform{{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2227"}}},
		},
		"a config without os": {
			content: func(t *testing.T) any { return image(t, v1.Platform{Architecture: "amd64"}) },
			wantErr: "names no os",
		},
		"an entry without a platform whose config has no os is listed so: containerd takes it for the node's": {
			content: func(t *testing.T) any {
				return index(types.OCIImageIndex, entry{img: image(t, v1.Platform{Architecture: "amd64"})})
			},
			want: platforms.Served{Index: true, Unplatformed: 1, Platforms: []ocispec.Platform{{Architecture: "amd64"}}},
		},
		"an entry without a platform whose config has no architecture matches no node": {
			content: func(t *testing.T) any {
				return index(types.OCIImageIndex,
					entry{img: image(t, v1.Platform{OS: "linux"})},
					entry{img: image(t, linuxAMD64), platform: &linuxAMD64},
				)
			},
			want: platforms.Served{Index: true, Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}},
		},
		"a config without architecture": {
			content: func(t *testing.T) any { return image(t, v1.Platform{OS: "linux"}) },
			wantErr: "names no architecture",
		},
		"404 to the GET": {
			content:    func(t *testing.T) any { return image(t, linuxAMD64) },
			answer:     func(*testRegistry) http.HandlerFunc { return http.NotFound },
			wantErr:    "404 Not Found",
			wantStatus: 404,
		},
		"500 to the GET": {
			content: func(t *testing.T) any { return image(t, linuxAMD64) },
			answer: func(*testRegistry) http.HandlerFunc {
				return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) }
			},
			wantErr:    "500 Internal Server Error",
			wantStatus: 500,
		},
		"an HTML page with 200 to the GET": {
			content: func(t *testing.T) any { return image(t, linuxAMD64) },
			answer: func(*testRegistry) http.HandlerFunc {
				return func(w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Content-Type", "text/html")
					_, _ = io.WriteString(w, "<html>Please log in</html>")
				}
			},
			wantErr: `200 with Content-Type "text/html", not the manifest asked for`,
		},
		"no answer to the GET": {
			content: func(t *testing.T) any { return image(t, linuxAMD64) },
			answer:  func(r *testRegistry) http.HandlerFunc { return r.hang },
			timeout: 300 * time.Millisecond,
			wantErr: "no answer within 300ms",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			t.Parallel()
			reg := newTestRegistry(t)
			digest := ""
			switch c := tc.content(t).(type) {
			case v1.ImageIndex:
				digest = reg.push(t, "app:v1", c)
			case v1.Image:
				digest = reg.push(t, "app:v1", c)
			}
			if tc.answer != nil {
				reg.answer("GET /v2/app/manifests/"+digest, tc.answer(reg))
			}
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c := newClient(timeout)
			q := resolvers.Query{Ref: reg.ref(t, "app:v1")}
			found := reg.found(t, c, q)
			if found.Verdict != resolvers.Found || found.Digest != digest {
				t.Fatalf("lookup = %+v, want %s found", found, digest)
			}

			got, err := platforms.New(c).Served(t.Context(), q, found)

			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Served error = %v, want one saying %q", err, tc.wantErr)
				}
				var fe *registry.FetchError
				if errors.As(err, &fe) != (tc.wantStatus != 0 || strings.Contains(tc.wantErr, "200 with") || strings.Contains(tc.wantErr, "no answer")) {
					t.Errorf("Served error %v: *registry.FetchError in the chain: %t", err, errors.As(err, &fe))
				}
				if fe != nil && fe.Status != tc.wantStatus {
					t.Errorf("status = %d, want %d", fe.Status, tc.wantStatus)
				}
				if !strings.Contains(err.Error(), reg.host()) && fe != nil {
					t.Errorf("error %q does not name the endpoint", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Served: %v", err)
			}
			want := tc.want
			want.Digest = digest
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Served mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReaderServedNotFound: a Result that did not find a manifest has
// nothing to read.
func TestReaderServedNotFound(t *testing.T) {
	ep := resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: "/v2", Trusted: true}
	const digest = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	tests := map[string]resolvers.Result{
		"not found":    {Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{{Endpoint: ep, Verdict: resolvers.NotFound}}},
		"undetermined": {Verdict: resolvers.Undetermined},
		"no attempts":  {Verdict: resolvers.Found, Digest: digest},
		"no digest":    {Verdict: resolvers.Found, Attempts: []resolvers.Attempt{{Endpoint: ep, Verdict: resolvers.Found, EndsWalk: true}}},
		"the last attempt did not end the walk": {Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
			{Endpoint: ep, Verdict: resolvers.Found, Digest: digest},
		}},
		"the last attempt answered another digest": {Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
			{Endpoint: ep, Verdict: resolvers.Found, Digest: "sha256:1111111111111111111111111111111111111111111111111111111111111111", EndsWalk: true},
		}},
	}
	for tcName, found := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := &fakeFetcher{}
			_, err := platforms.New(f).Served(t.Context(), resolvers.Query{}, found)
			if !errors.Is(err, platforms.ErrNoManifest) {
				t.Errorf("Served error = %v, want ErrNoManifest", err)
			}
			if n := f.calls(); n != 0 {
				t.Errorf("%d fetches, want none", n)
			}
		})
	}
}

// TestReaderServedRequests: an index costs one GET, a single image two, and
// a digest read once is not read again.
func TestReaderServedRequests(t *testing.T) {
	reg := newTestRegistry(t)
	img := image(t, linuxARMv7)
	idx := index(types.OCIImageIndex, entry{img: image(t, linuxAMD64), platform: &linuxAMD64})
	indexDigest := reg.push(t, "app:multi", idx)
	imageDigest := reg.push(t, "app:single", img)
	config, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(10 * time.Second)
	r := platforms.New(c)
	for range 2 {
		for _, tag := range []string{"multi", "single"} {
			q := resolvers.Query{Ref: reg.ref(t, "app:"+tag)}
			if _, err := r.Served(t.Context(), q, reg.found(t, c, q)); err != nil {
				t.Fatalf("Served(%s): %v", tag, err)
			}
		}
	}
	want := map[string]int{
		"GET /v2/app/manifests/" + indexDigest: 1,
		"GET /v2/app/manifests/" + imageDigest: 1,
		"GET /v2/app/blobs/" + config.String(): 1,
	}
	got := map[string]int{}
	for k := range want {
		got[k] = reg.count(k)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requests mismatch (-want +got):\n%s", diff)
	}
}

// TestReaderServedRewrittenRepository: when the walk found the manifest in
// another repository of the endpoint (CRI-O's rewritten mirror location),
// the index is read there, not in the reference's own repository, which the
// endpoint does not hold.
func TestReaderServedRewrittenRepository(t *testing.T) {
	reg := newTestRegistry(t)
	digest := reg.push(t, "quay-proxy/ceph/app:v1", index(types.OCIImageIndex, entry{img: image(t, linuxAMD64), platform: &linuxAMD64}))
	q := resolvers.Query{Ref: resolverstest.MustRef(t, "quay.io/ceph/app:v1")}
	found := resolvers.Result{Reference: q.Ref.Name(), Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
		{Endpoint: reg.endpoint(), Repository: "quay-proxy/ceph/app", Verdict: resolvers.Found, Digest: digest, EndsWalk: true},
	}}
	s, err := platforms.New(newClient(5*time.Second)).Served(t.Context(), q, found)
	if err != nil {
		t.Fatalf("Served: %v", err)
	}
	if len(s.Platforms) != 1 || s.Platforms[0].Architecture != "amd64" {
		t.Errorf("served %+v, want linux/amd64", s.Platforms)
	}
	if n := reg.count("GET /v2/quay-proxy/ceph/app/manifests/" + digest); n != 1 {
		t.Errorf("%d GETs of the index in the rewritten repository, want 1", n)
	}
}
