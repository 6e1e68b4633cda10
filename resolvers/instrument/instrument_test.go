package instrument

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	c := cache.New(resolverstest.Fixed(resolvers.Result{Verdict: resolvers.NotFound}))
	r, err := New(c, reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := RegisterCache(c, reg); err != nil {
		t.Fatal(err)
	}
	req, err := NewRequests(reg)
	if err != nil {
		t.Fatal(err)
	}
	ref := resolverstest.MustRef(t, "quay.io/ceph/ceph:v17.2.31")
	for range 3 {
		r.Resolve(context.Background(), resolvers.Query{Ref: ref})
	}
	req.Request("quay.io", "HEAD", 404)
	req.Request("quay.io", "GET", 0)

	want := `
# HELP admissible_cache_lookups_total Cache lookups by result: hit, miss (asked the registry) or shared (joined a lookup in flight).
# TYPE admissible_cache_lookups_total counter
admissible_cache_lookups_total{result="hit"} 2
admissible_cache_lookups_total{result="miss"} 1
admissible_cache_lookups_total{result="shared"} 0
# HELP admissible_lookups_total Image lookups by registry and verdict.
# TYPE admissible_lookups_total counter
admissible_lookups_total{registry="quay.io",verdict="not found"} 3
# HELP admissible_registry_requests_total HTTP exchanges with registry endpoints by host, method and status.
# TYPE admissible_registry_requests_total counter
admissible_registry_requests_total{host="quay.io",method="GET",status="error"} 1
admissible_registry_requests_total{host="quay.io",method="HEAD",status="404"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "admissible_cache_lookups_total", "admissible_lookups_total", "admissible_registry_requests_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(r.duration); n != 1 {
		t.Errorf("duration series: %d, want 1", n)
	}
}

func TestHostsProblems(t *testing.T) {
	reg := prometheus.NewRegistry()
	problems := []mirrors.Problem{
		{File: "a/hosts.toml", Key: "host.\"https://m.example\".overide_path", Message: "unknown key"},
		{File: "a/hosts.toml", Key: "host.\"#000\"", Message: "not an http or https URL with a host", Unusable: true},
		{File: "b/hosts.toml", Message: "does not parse", Skipped: true},
	}
	if err := RegisterHostsProblems(problems, reg); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP admissible_containerd_hosts_problems Problems in the containerd hosts.toml files read at start, by file and kind: skipped (containerd does not use the file), ignored (containerd ignores the key) or unusable (containerd tries a host that is not an http or https URL with a host, and fails).
# TYPE admissible_containerd_hosts_problems gauge
admissible_containerd_hosts_problems{file="a/hosts.toml",kind="ignored"} 1
admissible_containerd_hosts_problems{file="a/hosts.toml",kind="unusable"} 1
admissible_containerd_hosts_problems{file="b/hosts.toml",kind="skipped"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "admissible_containerd_hosts_problems"); err != nil {
		t.Error(err)
	}
}
