package platforms_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/platforms"
)

// fakeFetcher serves manifests and configs from maps, by digest, and counts
// fetches. It checks no digest: the registry.Client does.
type fakeFetcher struct {
	// manifests holds "mediaType\nbody" by digest.
	manifests map[string]string
	configs   map[string]string
	// err, when set, is every fetch's error.
	err error
	// gate, when set, holds every fetch until it is closed or the fetch's
	// context ends; started is told of each fetch that starts.
	gate    chan struct{}
	started chan struct{}
	// panics makes every fetch panic.
	panics bool

	mu sync.Mutex
	n  int
}

func (f *fakeFetcher) begin(ctx context.Context) error {
	f.mu.Lock()
	f.n++
	f.mu.Unlock()
	if f.panics {
		panic("fake fetcher")
	}
	if f.started != nil {
		f.started <- struct{}{}
	}
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return f.err
}

func (f *fakeFetcher) FetchManifest(ctx context.Context, _ resolvers.Endpoint, _ resolvers.Query, digest string) ([]byte, string, error) {
	if err := f.begin(ctx); err != nil {
		return nil, "", err
	}
	m, ok := f.manifests[digest]
	if !ok {
		return nil, "", fmt.Errorf("manifest %s: 404 Not Found", digest)
	}
	mt, body, _ := strings.Cut(m, "\n")
	return []byte(body), mt, nil
}

func (f *fakeFetcher) FetchConfig(ctx context.Context, _ resolvers.Endpoint, _ resolvers.Query, digest string) ([]byte, error) {
	if err := f.begin(ctx); err != nil {
		return nil, err
	}
	c, ok := f.configs[digest]
	if !ok {
		return nil, fmt.Errorf("config %s: 404 Not Found", digest)
	}
	return []byte(c), nil
}

func (f *fakeFetcher) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.n
}

const (
	ociIndex    = "application/vnd.oci.image.index.v1+json"
	ociManifest = "application/vnd.oci.image.manifest.v1+json"
	ociConfig   = "application/vnd.oci.image.config.v1+json"
	topDigest   = "sha256:top"
)

// foundAt is a Result that found digest, announced as mediaType, on a
// mirror.
func foundAt(digest, mediaType string) resolvers.Result {
	ep := resolvers.Endpoint{Scheme: "https", Host: "mirror.example", Path: "/v2", Trusted: true}
	return resolvers.Result{
		Reference: "registry.example/app:v1", Verdict: resolvers.Found, Digest: digest, MediaType: mediaType,
		Attempts: []resolvers.Attempt{{Endpoint: ep, Verdict: resolvers.Found, Digest: digest, MediaType: mediaType, EndsWalk: true}},
	}
}

// imageManifest is an OCI image manifest whose config is config, of
// media type configType.
func imageManifest(config, configType string) string {
	return ociManifest + "\n" + `{"schemaVersion":2,"mediaType":"` + ociManifest + `","config":{"mediaType":"` + configType + `","digest":"` + config + `","size":2},"layers":[]}`
}

// TestReaderServedInputs: whatever the registry serves, Served answers,
// with platforms or an error, never a panic.
func TestReaderServedInputs(t *testing.T) {
	entry := func(digest, mediaType, platform string) string {
		s := `{"mediaType":"` + mediaType + `","digest":"` + digest + `","size":2`
		if platform != "" {
			s += `,"platform":` + platform
		}
		return s + "}"
	}
	indexOf := func(entries ...string) string {
		return ociIndex + "\n" + `{"schemaVersion":2,"mediaType":"` + ociIndex + `","manifests":[` + strings.Join(entries, ",") + `]}`
	}
	tests := map[string]struct {
		// announced is the lookup's media type of topDigest.
		announced string
		manifests map[string]string
		configs   map[string]string
		want      platforms.Served
		wantErr   string
	}{
		"malformed JSON index": {
			manifests: map[string]string{topDigest: ociIndex + "\n" + `{"manifests":[`},
			wantErr:   "not JSON",
		},
		"an HTML page served as an index": {
			manifests: map[string]string{topDigest: ociIndex + "\n<html><body>Log in</body></html>"},
			wantErr:   "not JSON",
		},
		"an index announced as a manifest": {
			announced: ociManifest,
			manifests: map[string]string{topDigest: indexOf(entry("sha256:a", ociManifest, `{"os":"linux","architecture":"amd64"}`))},
			wantErr:   "an index",
		},
		"a manifest announced as an index": {
			announced: ociIndex,
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			wantErr:   "an image manifest",
		},
		"a schema 1 manifest": {
			manifests: map[string]string{topDigest: ociManifest + "\n" + `{"schemaVersion":1,"fsLayers":[{"blobSum":"sha256:x"}]}`},
			wantErr:   "schema 1",
		},
		"a media type that is no manifest's": {
			manifests: map[string]string{topDigest: "text/plain\nhello"},
			wantErr:   `media type "text/plain", neither an image index nor an image manifest`,
		},
		"the announced media type wins over the GET's": {
			announced: ociIndex,
			manifests: map[string]string{topDigest: "application/octet-stream\n" + strings.SplitN(indexOf(entry("sha256:a", ociManifest, `{"os":"linux","architecture":"amd64"}`)), "\n", 2)[1]},
			want:      platforms.Served{Digest: topDigest, Index: true, Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}},
		},
		"a media type with parameters": {
			manifests: map[string]string{topDigest: ociIndex + "; charset=utf-8\n" + strings.SplitN(indexOf(entry("sha256:a", ociManifest, `{"os":"linux","architecture":"amd64"}`)), "\n", 2)[1]},
			want:      platforms.Served{Digest: topDigest, Index: true, Platforms: []ocispec.Platform{{OS: "linux", Architecture: "amd64"}}},
		},
		"an entry that is an index": {
			manifests: map[string]string{topDigest: indexOf(entry("sha256:a", ociIndex, `{"os":"linux","architecture":"amd64"}`))},
			wantErr:   "entry sha256:a is itself an index",
		},
		"artifacts are skipped": {
			manifests: map[string]string{topDigest: indexOf(
				entry("sha256:a", "application/vnd.example.sbom", ""),
				`{"mediaType":"`+ociManifest+`","artifactType":"application/vnd.example.signature","digest":"sha256:b","size":2}`,
				entry("sha256:c", ociManifest, ""),
				entry("sha256:d", ociManifest, `{"os":"linux","architecture":"arm64"}`),
			),
				// No platform, and an artifact's config.
				"sha256:c": imageManifest("sha256:x", "application/vnd.example.config"),
			},
			want: platforms.Served{Digest: topDigest, Index: true, Platforms: []ocispec.Platform{{OS: "linux", Architecture: "arm64"}}},
		},
		"too many entries without a platform": {
			manifests: map[string]string{topDigest: indexOf(
				entry("sha256:1", ociManifest, ""), entry("sha256:2", ociManifest, ""), entry("sha256:3", ociManifest, ""),
				entry("sha256:4", ociManifest, ""), entry("sha256:5", ociManifest, ""),
			)},
			wantErr: "5 entries without a platform, more than the 4",
		},
		"an entry without a platform whose manifest is missing": {
			manifests: map[string]string{topDigest: indexOf(entry("sha256:a", ociManifest, ""))},
			wantErr:   "entry without a platform: manifest sha256:a: 404 Not Found",
		},
		"a manifest without a config": {
			manifests: map[string]string{topDigest: ociManifest + "\n" + `{"schemaVersion":2,"mediaType":"` + ociManifest + `","layers":[]}`},
			wantErr:   "names no config",
		},
		"a config that is not JSON": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			configs:   map[string]string{"sha256:c": "<html>"},
			wantErr:   "config sha256:c of manifest sha256:top",
		},
		"a config without os": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			configs:   map[string]string{"sha256:c": `{"architecture":"amd64"}`},
			wantErr:   "config sha256:c of manifest sha256:top names no os",
		},
		"a config of JSON null": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			configs:   map[string]string{"sha256:c": `null`},
			wantErr:   "names no os",
		},
		"an artifact": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", "application/vnd.cncf.helm.config.v1+json")},
			wantErr:   "is an artifact, not an image",
		},
		"a missing config": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			wantErr:   "config sha256:c: 404 Not Found",
		},
		"a config with every field": {
			manifests: map[string]string{topDigest: imageManifest("sha256:c", ociConfig)},
			configs:   map[string]string{"sha256:c": `{"os":"windows","architecture":"amd64","os.version":"10.0.20348.2227","os.features":["win32k"],"variant":"","rootfs":{"type":"layers","diff_ids":[]}}`},
			want:      platforms.Served{Digest: topDigest, Platforms: []ocispec.Platform{{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.2227", OSFeatures: []string{"win32k"}}}},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f := &fakeFetcher{manifests: tc.manifests, configs: tc.configs}
			got, err := platforms.New(f).Served(t.Context(), resolvers.Query{}, foundAt(topDigest, tc.announced))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Served error = %v, want one saying %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "platforms of registry.example/app:v1") {
					t.Errorf("error %q does not name the reference", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Served: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Served mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReaderServedFetchError: the Fetcher's error is in the chain.
func TestReaderServedFetchError(t *testing.T) {
	boom := errors.New("boom")
	_, err := platforms.New(&fakeFetcher{err: boom}).Served(t.Context(), resolvers.Query{}, foundAt(topDigest, ociIndex))
	if !errors.Is(err, boom) {
		t.Errorf("Served error = %v, want boom in the chain", err)
	}
}
