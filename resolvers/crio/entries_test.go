package crio_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers/crio"
)

func TestEntries(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "registries.conf")
	if err := os.WriteFile(conf, []byte(`[[registry]]
prefix = "quay.io/ceph"
location = "quay.io/ceph"
[[registry.mirror]]
location = "mirror.example/ceph-proxy"

[[registry]]
location = "blocked.example"
blocked = true

[[registry]]
prefix = "*.example.org"
location = "cache.example/org"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := crio.New(nil, crio.WithRegistriesConf(conf))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := r.Entries(func(prefix string) string { return prefix + "/sample:1" })
	if err != nil {
		t.Fatal(err)
	}
	type source struct{ Reference, Repository, Tag, Blocked string }
	got := map[string][]source{}
	for _, e := range entries {
		got[e.Prefix] = []source{}
		if e.Skipped != "" {
			got[e.Prefix] = append(got[e.Prefix], source{Blocked: e.Skipped})
		}
		for _, s := range e.Sources {
			repo, tag := s.Repository()
			blocked := ""
			if s.Blocked != "" {
				blocked = "blocked"
			}
			got[e.Prefix] = append(got[e.Prefix], source{s.Reference, repo, tag, blocked})
		}
	}
	want := map[string][]source{
		"quay.io/ceph":    {{"mirror.example/ceph-proxy/sample:1", "ceph-proxy/sample", "1", ""}, {"quay.io/ceph/sample:1", "ceph/sample", "1", ""}},
		"blocked.example": {{"blocked.example/sample:1", "sample", "1", "blocked"}},
		"*.example.org":   {{Blocked: "a wildcard prefix names no registry to ask"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}
