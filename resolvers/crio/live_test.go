package crio_test

import (
	"context"
	"strings"
	"testing"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// countingLookuper answers every endpoint 404 and records which were asked.
type countingLookuper struct{ asked []string }

func (c *countingLookuper) Lookup(_ context.Context, ep resolvers.Endpoint, _ resolvers.Query) resolvers.Attempt {
	c.asked = append(c.asked, ep.String())
	return resolvers.Attempt{Endpoint: ep, Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"}
}

// A Live resolver follows its mirror sets: with an ImageDigestMirrorSet
// whose source is never contacted, a tag of that source is refused without
// asking anything (the only source is a digest-only mirror); removing the
// set contacts the registry again.
func TestLiveFollowsMirrorSets(t *testing.T) {
	l := &countingLookuper{}
	v, err := crio.NewLive(l, t.TempDir(), []crio.Option{crio.WithShortNameMode(crio.Disabled)})
	if err != nil {
		t.Fatal(err)
	}
	q := resolvers.Query{Ref: resolverstest.MustRef(t, "quay.io/ceph/ceph:v17.2.31")}
	if r := v.Resolve(t.Context(), q); r.Verdict != resolvers.NotFound || len(l.asked) != 1 || r.Refused != "" {
		t.Fatalf("no mirror set: %+v, asked %v; want quay.io asked, not found", r, l.asked)
	}
	if err := v.Update([]crio.MirrorSet{{Source: "quay.io/ceph", Mirrors: []string{"mirror.example/ceph"}, Kind: crio.DigestMirrors, NeverContactSource: true}}); err != nil {
		t.Fatal(err)
	}
	l.asked = nil
	r := v.Resolve(t.Context(), q)
	if r.Verdict != resolvers.NotFound || r.Refused == "" || len(l.asked) != 0 {
		t.Errorf("digest-only mirror, source never contacted: %+v, asked %v; want refused without asking", r, l.asked)
	}
	if !strings.Contains(r.Summary(), "blocked") {
		t.Errorf("reason %q does not say the source is blocked", r.Summary())
	}
	d := resolvers.Query{Ref: resolverstest.MustRef(t, "quay.io/ceph/ceph@sha256:"+strings.Repeat("a", 64))}
	if r := v.Resolve(t.Context(), d); len(l.asked) != 1 || !strings.Contains(l.asked[0], "mirror.example") {
		t.Errorf("by digest: %+v, asked %v; want the mirror asked", r, l.asked)
	}
	if err := v.Update(nil); err != nil {
		t.Fatal(err)
	}
	l.asked = nil
	if r := v.Resolve(t.Context(), q); r.Refused != "" || len(l.asked) != 1 {
		t.Errorf("set removed: %+v, asked %v; want quay.io asked again", r, l.asked)
	}
}
