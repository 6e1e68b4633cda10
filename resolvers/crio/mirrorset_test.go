package crio_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
)

// parsed reads registries.conf content with containers/image's own code.
func parsed(t *testing.T, content string) *sysregistriesv2.V2RegistriesConf {
	t.Helper()
	file := write(t, t.TempDir(), "registries.conf", content)
	c, err := sysregistriesv2.TryUpdatingCache(&types.SystemContext{SystemRegistriesConfPath: file, SystemRegistriesConfDirPath: t.TempDir()})
	if err != nil {
		t.Fatalf("sysregistriesv2 refuses\n%s\n: %v", content, err)
	}
	return c
}

func TestRegistriesConf(t *testing.T) {
	const search = "unqualified-search-registries = [\"registry.access.redhat.com\", \"docker.io\"]\n"
	tests := map[string]struct {
		sets []crio.MirrorSet
		opts []crio.ConfOption
		// want is registries.conf, compared once both are parsed.
		want string
	}{
		"nothing: the template's search registries": {
			want: search,
		},
		"other search registries": {
			opts: []crio.ConfOption{crio.WithSearchRegistries("quay.io")},
			want: "unqualified-search-registries = [\"quay.io\"]\n",
		},
		"an ImageDigestMirrorSet: digest-only mirrors in order": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"b.example/ceph", "a.example/ceph"}}},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "b.example/ceph"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "a.example/ceph"
pull-from-mirror = "digest-only"
`,
		},
		"an ImageTagMirrorSet: tag-only mirrors": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"tags.example/ceph"}, Kind: crio.TagMirrors}},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "tags.example/ceph"
pull-from-mirror = "tag-only"
`,
		},
		"an ImageContentSourcePolicy: digest-only mirrors, as the operator merges it with digest sets": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"m.example/ceph"}, Kind: crio.LegacyDigestMirrors}},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "m.example/ceph"
pull-from-mirror = "digest-only"
`,
		},
		"NeverContactSource blocks the source": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"m.example/ceph"}, NeverContactSource: true}},
			want: search + `
[[registry]]
location = "quay.io/ceph"
blocked = true
[[registry.mirror]]
location = "m.example/ceph"
pull-from-mirror = "digest-only"
`,
		},
		"sets of one source merged, each order kept: (b, c) and (a, b) give (a, b, c)": {
			sets: []crio.MirrorSet{
				{Source: "quay.io/ceph", Mirrors: []string{"b.example", "c.example"}},
				{Source: "quay.io/ceph", Mirrors: []string{"a.example", "b.example"}, Kind: crio.LegacyDigestMirrors},
			},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "a.example"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "b.example"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "c.example"
pull-from-mirror = "digest-only"
`,
		},
		"orders that disagree: the loop is broken by name": {
			sets: []crio.MirrorSet{
				{Source: "quay.io/ceph", Mirrors: []string{"b.example", "a.example"}},
				{Source: "quay.io/ceph", Mirrors: []string{"a.example", "b.example"}},
			},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "a.example"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "b.example"
pull-from-mirror = "digest-only"
`,
		},
		"the source among its mirrors keeps its place": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"a.example", "quay.io/ceph", "b.example"}}},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "a.example"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "quay.io/ceph"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "b.example"
pull-from-mirror = "digest-only"
`,
		},
		"a set that only repeats its source is ignored, its policy too": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"quay.io/ceph"}}},
			want: search,
		},
		"digest and tag sets of one source: digest mirrors first": {
			sets: []crio.MirrorSet{
				{Source: "quay.io/ceph", Mirrors: []string{"tags.example/ceph"}, Kind: crio.TagMirrors, NeverContactSource: true},
				{Source: "quay.io/ceph", Mirrors: []string{"digests.example/ceph"}, NeverContactSource: true},
			},
			want: search + `
[[registry]]
location = "quay.io/ceph"
blocked = true
[[registry.mirror]]
location = "digests.example/ceph"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.example/ceph"
pull-from-mirror = "tag-only"
`,
		},
		"a wildcard source is a prefix": {
			sets: []crio.MirrorSet{{Source: "*.example.com", Mirrors: []string{"mirror.example"}}},
			want: search + `
[[registry]]
prefix = "*.example.com"
[[registry.mirror]]
location = "mirror.example"
pull-from-mirror = "digest-only"
`,
		},
		"a blocked scope nested in a mirrored one gets its mirrors": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"m.example/ceph"}}},
			opts: []crio.ConfOption{crio.WithBlockedScopes("quay.io/ceph/bad")},
			want: search + `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "m.example/ceph"
pull-from-mirror = "digest-only"
[[registry]]
location = "quay.io/ceph/bad"
blocked = true
[[registry.mirror]]
location = "m.example/ceph/bad"
pull-from-mirror = "digest-only"
`,
		},
		"a blocked registry blocks the mirrored scopes inside it": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"m.example/ceph"}}},
			opts: []crio.ConfOption{crio.WithBlockedScopes("quay.io")},
			want: search + `
[[registry]]
location = "quay.io/ceph"
blocked = true
[[registry.mirror]]
location = "m.example/ceph"
pull-from-mirror = "digest-only"
[[registry]]
location = "quay.io"
blocked = true
`,
		},
		"an insecure scope marks entries and mirrors inside it": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"m.example.com/ceph", "other.example/ceph"}}},
			opts: []crio.ConfOption{crio.WithInsecureScopes("*.example.com", "quay.io")},
			want: search + `
[[registry]]
location = "quay.io/ceph"
insecure = true
[[registry.mirror]]
location = "m.example.com/ceph"
pull-from-mirror = "digest-only"
insecure = true
[[registry.mirror]]
location = "other.example/ceph"
pull-from-mirror = "digest-only"
[[registry]]
prefix = "*.example.com"
insecure = true
[[registry]]
location = "quay.io"
insecure = true
`,
		},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			got, err := crio.RegistriesConf(tc.sets, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			want := parsed(t, tc.want)
			have := parsed(t, string(got))
			if diff := cmp.Diff(want.Registries, have.Registries); diff != "" {
				t.Errorf("registries mismatch (-want +got):\n%s\nrendered:\n%s", diff, got)
			}
			if diff := cmp.Diff(want.UnqualifiedSearchRegistries, have.UnqualifiedSearchRegistries); diff != "" {
				t.Errorf("search registries mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistriesConfErrors(t *testing.T) {
	tests := map[string]struct {
		sets []crio.MirrorSet
		opts []crio.ConfOption
		want string
	}{
		"conflicting policies for one source": {
			sets: []crio.MirrorSet{
				{Source: "quay.io/ceph", Mirrors: []string{"a.example"}, NeverContactSource: true},
				{Source: "quay.io/ceph", Mirrors: []string{"b.example"}, Kind: crio.TagMirrors},
			},
			want: "conflicting mirrorSourcePolicy",
		},
		"NeverContactSource with the source among the mirrors": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"quay.io/ceph"}, NeverContactSource: true}},
			want: "NeverContactSource with the source among its mirrors",
		},
		"an ImageContentSourcePolicy with a policy": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"a.example"}, Kind: crio.LegacyDigestMirrors, NeverContactSource: true}},
			want: "no mirrorSourcePolicy",
		},
		"an invalid source": {
			sets: []crio.MirrorSet{{Source: "quay.io/Ceph:v1", Mirrors: []string{"a.example"}}},
			want: `invalid source "quay.io/Ceph:v1"`,
		},
		"an invalid mirror": {
			sets: []crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"*.example.com"}}},
			want: `invalid mirror "*.example.com"`,
		},
		"an invalid scope": {
			opts: []crio.ConfOption{crio.WithBlockedScopes("*.example.com/ns")},
			want: `invalid scope "*.example.com/ns"`,
		},
		"a scope nested in a wildcard source": {
			sets: []crio.MirrorSet{{Source: "*.example.com", Mirrors: []string{"mirror.example"}}},
			opts: []crio.ConfOption{crio.WithBlockedScopes("registry.example.com")},
			want: "cannot give the mirrors of *.example.com to registry.example.com",
		},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			got, err := crio.RegistriesConf(tc.sets, tc.opts...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("RegistriesConf() = %s, %v; want an error containing %q", got, err, tc.want)
			}
		})
	}
}

// TestRegistriesConfResolve is the end-to-end case of issue 21 offline: an
// ImageDigestMirrorSet with NeverContactSource refuses a tag of its source
// (its only source is the digest-only mirror) and admits the digest.
func TestRegistriesConfResolve(t *testing.T) {
	content, err := crio.RegistriesConf([]crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"mirror.example/ceph"}, NeverContactSource: true}})
	if err != nil {
		t.Fatal(err)
	}
	file := write(t, t.TempDir(), "registries.conf", string(content))
	r, err := crio.New(&fake{answers: map[string]resolvers.Attempt{"mirror.example/ceph/ceph": found, "quay.io/ceph/ceph": found, "quay.io/rook/ceph": found}},
		crio.WithRegistriesConf(file), crio.WithShortNameMode(crio.Disabled))
	if err != nil {
		t.Fatal(err)
	}
	for ref, want := range map[string]resolvers.Verdict{
		"quay.io/ceph/ceph:v17":       resolvers.NotFound,
		"quay.io/ceph/ceph@" + digest: resolvers.Found,
		"quay.io/rook/ceph:v1.17":     resolvers.Found,
	} {
		r2, err := name.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		res := r.Resolve(t.Context(), resolvers.Query{Ref: r2})
		if res.Verdict != want {
			t.Errorf("Resolve(%s) = %s, want %s: %s", ref, res.Verdict, want, res.Summary())
		}
		if want == resolvers.NotFound && res.Refused == "" {
			t.Errorf("Resolve(%s) is not a refusal: %s", ref, res.Summary())
		}
	}
}
