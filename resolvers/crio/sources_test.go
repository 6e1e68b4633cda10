package crio_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
)

// ep is an https endpoint at /v2; trusted and insecure set the flags.
func ep(host string, trusted, insecure bool) resolvers.Endpoint {
	return resolvers.Endpoint{Scheme: "https", Host: host, Path: "/v2", Trusted: trusted, SkipVerify: insecure, HTTPFallback: insecure}
}

func TestSources(t *testing.T) {
	const (
		mirrors = `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "all.example/ceph"
[[registry.mirror]]
location = "digests.example/quay/ceph"
pull-from-mirror = "digest-only"
insecure = true
[[registry.mirror]]
location = "tags.example/ceph"
pull-from-mirror = "tag-only"
`
		byDigestOnly = `
[[registry]]
location = "quay.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "mirror.example/quay"
`
		rewritten = `
[[registry]]
prefix = "quay.io/team"
location = "internal.example/copies/team"
insecure = true
[[registry.mirror]]
location = "quay.io/team-mirror"
`
		nested = `
[[registry]]
location = "quay.io"
[[registry.mirror]]
location = "wide.example/quay"
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "narrow.example/ceph"
`
		wildcard = `
[[registry]]
prefix = "*.example.com"
insecure = true
[[registry.mirror]]
location = "mirror.example/any"
`
		blockedMirror = `
[[registry]]
location = "quay.io/ceph"
[[registry.mirror]]
location = "old.example/ceph"
[[registry.mirror]]
location = "new.example/ceph"
[[registry]]
location = "old.example"
blocked = true
`
		hub = `
[[registry]]
location = "docker.io"
[[registry.mirror]]
location = "mirror.gcr.io"
`
	)
	tests := map[string]struct {
		conf string
		ref  string
		want []crio.Source
	}{
		"no entry: the registry alone": {
			conf: "",
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17"}},
		},
		"by tag: all and tag-only mirrors, then the registry": {
			conf: mirrors,
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{
				{Endpoint: ep("all.example", true, false), Reference: "all.example/ceph/ceph:v17", Mirror: true},
				{Endpoint: ep("tags.example", true, false), Reference: "tags.example/ceph/ceph:v17", Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17"},
			},
		},
		"by digest: all and digest-only mirrors, then the registry": {
			conf: mirrors,
			ref:  "quay.io/ceph/ceph@" + digest,
			want: []crio.Source{
				{Endpoint: ep("all.example", true, false), Reference: "all.example/ceph/ceph@" + digest, Mirror: true},
				{Endpoint: ep("digests.example", true, true), Reference: "digests.example/quay/ceph/ceph@" + digest, Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph@" + digest},
			},
		},
		"another namespace of the registry: no entry": {
			conf: mirrors,
			ref:  "quay.io/cephx/ceph:v17",
			want: []crio.Source{{Endpoint: ep("quay.io", false, false), Reference: "quay.io/cephx/ceph:v17"}},
		},
		"mirror-by-digest-only, by tag: the registry alone": {
			conf: byDigestOnly,
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17"}},
		},
		"mirror-by-digest-only, by digest": {
			conf: byDigestOnly,
			ref:  "quay.io/ceph/ceph@" + digest,
			want: []crio.Source{
				{Endpoint: ep("mirror.example", true, false), Reference: "mirror.example/quay/ceph/ceph@" + digest, Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph@" + digest},
			},
		},
		"a location that rewrites the registry's own: trusted, insecure": {
			conf: rewritten,
			ref:  "quay.io/team/app:v1",
			want: []crio.Source{
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/team-mirror/app:v1", Mirror: true},
				{Endpoint: ep("internal.example", true, true), Reference: "internal.example/copies/team/app:v1"},
			},
		},
		"the longest prefix wins": {
			conf: nested,
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{
				{Endpoint: ep("narrow.example", true, false), Reference: "narrow.example/ceph/ceph:v17", Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17"},
			},
		},
		"the registry's entry for another namespace": {
			conf: nested,
			ref:  "quay.io/rook/ceph:v1.17",
			want: []crio.Source{
				{Endpoint: ep("wide.example", true, false), Reference: "wide.example/quay/rook/ceph:v1.17", Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/rook/ceph:v1.17"},
			},
		},
		"a wildcard prefix": {
			conf: wildcard,
			ref:  "registry.example.com/team/app:v1",
			want: []crio.Source{
				{Endpoint: ep("mirror.example", true, false), Reference: "mirror.example/any/team/app:v1", Mirror: true},
				{Endpoint: ep("registry.example.com", false, true), Reference: "registry.example.com/team/app:v1"},
			},
		},
		"a wildcard does not match its own domain": {
			conf: wildcard,
			ref:  "example.com/team/app:v1",
			want: []crio.Source{{Endpoint: ep("example.com", false, false), Reference: "example.com/team/app:v1"}},
		},
		"NeverContactSource by tag: the blocked registry alone": {
			conf: idmsNeverContact,
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17", Blocked: "not contacted: registry quay.io/ceph is blocked in {file}"}},
		},
		"NeverContactSource by digest: the mirror, then the blocked registry": {
			conf: idmsNeverContact,
			ref:  "quay.io/ceph/ceph@" + digest,
			want: []crio.Source{
				{Endpoint: ep("mirror.example", true, false), Reference: "mirror.example/ceph/ceph@" + digest, Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph@" + digest, Blocked: "not contacted: registry quay.io/ceph is blocked in {file}"},
			},
		},
		"a mirror whose own entry is blocked": {
			conf: blockedMirror,
			ref:  "quay.io/ceph/ceph:v17",
			want: []crio.Source{
				{Endpoint: ep("old.example", true, false), Reference: "old.example/ceph/ceph:v17", Mirror: true, Blocked: "not contacted: registry old.example is blocked in {file}"},
				{Endpoint: ep("new.example", true, false), Reference: "new.example/ceph/ceph:v17", Mirror: true},
				{Endpoint: ep("quay.io", false, false), Reference: "quay.io/ceph/ceph:v17"},
			},
		},
		"docker.io is registry-1.docker.io": {
			conf: hub,
			ref:  "nginx:1.27",
			want: []crio.Source{
				{Endpoint: ep("mirror.gcr.io", true, false), Reference: "mirror.gcr.io/library/nginx:1.27", Mirror: true},
				{Endpoint: ep("registry-1.docker.io", false, false), Reference: "docker.io/library/nginx:1.27"},
			},
		},
	}
	for label, tc := range tests {
		t.Run(label, func(t *testing.T) {
			file := write(t, t.TempDir(), "registries.conf", tc.conf)
			r, err := crio.New(&fake{}, crio.WithRegistriesConf(file))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := name.ParseReference(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Sources(ref)
			if err != nil {
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].Blocked = strings.ReplaceAll(tc.want[i].Blocked, "{file}", file)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.IgnoreUnexported(crio.Source{})); diff != "" {
				t.Errorf("Sources(%s) mismatch (-want +got):\n%s", tc.ref, diff)
			}
		})
	}
}
