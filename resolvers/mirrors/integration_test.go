package mirrors_test

import (
	"net"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// schema2 is the media type of the manifests resolverstest.Push makes.
const schema2 = string(types.DockerManifestSchema2)

// TestChainWithRegistryClient walks a dead mirror, then a good one, with a
// real registry.Client against real registries.
func TestChainWithRegistryClient(t *testing.T) {
	// A dead mirror: a port nothing listens on any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	dead := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	good := resolverstest.Serve(t)
	digest := resolverstest.Push(t, resolverstest.Host(good), "org/app:v1")

	// The upstream, registry.invalid, is never asked: the good mirror ends
	// the walk.
	c, err := mirrors.New(mirrors.Config{
		"registry.invalid": {Endpoints: []string{"http://" + dead, good.URL}},
	}, registry.New(registry.WithTimeout(10*time.Second)))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	deadEp := resolvers.Endpoint{Scheme: "http", Host: dead, Path: "/v2", Trusted: true}
	goodEp := resolvers.Endpoint{Scheme: "http", Host: resolverstest.Host(good), Path: "/v2", Trusted: true}

	tests := map[string]struct {
		ref  string
		want resolvers.Result
	}{
		"found on the second mirror": {
			ref: "registry.invalid/org/app:v1",
			want: resolvers.Result{
				Reference: "registry.invalid/org/app:v1",
				Verdict:   resolvers.Found,
				Digest:    digest,
				MediaType: schema2,
				Attempts: []resolvers.Attempt{
					{Endpoint: deadEp, Verdict: resolvers.Undetermined, Detail: "connection refused"},
					{Endpoint: goodEp, Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest, MediaType: schema2, EndsWalk: true},
				},
			},
		},
		"by digest on the second mirror": {
			ref: "registry.invalid/org/app@" + digest,
			want: resolvers.Result{
				Reference: "registry.invalid/org/app@" + digest,
				Verdict:   resolvers.Found,
				Digest:    digest,
				MediaType: schema2,
				Attempts: []resolvers.Attempt{
					{Endpoint: deadEp, Verdict: resolvers.Undetermined, Detail: "connection refused"},
					{Endpoint: goodEp, Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest, MediaType: schema2, EndsWalk: true},
				},
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := c.Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, tc.ref)})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve(%s) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}
