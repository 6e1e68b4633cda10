package suggest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/mirrors"
	registryclient "github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/registrytest"
	"github.com/admissible/admissible/resolvers/suggest"
)

// TestSuggestionsFromARealRegistry looks the incident's tag up through a
// mirror that holds the real neighbouring tags.
func TestSuggestionsFromARealRegistry(t *testing.T) {
	srv := registrytest.Serve(t)
	for _, tag := range []string{"v17.2.5", "v17.2.6", "v16.2.13"} {
		registrytest.Push(t, registrytest.Host(srv), "ceph/ceph:"+tag)
	}
	client := registryclient.New()
	chain, err := mirrors.New(mirrors.Config{"quay.io": {Endpoints: []string{srv.URL}, SkipFallback: true}}, client)
	if err != nil {
		t.Fatal(err)
	}
	d := suggest.New(chain, client, suggest.WithCount(2))

	cases := map[string]struct {
		ref     string
		verdict resolvers.Verdict
		want    []string
	}{
		"missing tag":            {ref: "quay.io/ceph/ceph:v17.2.31", verdict: resolvers.NotFound, want: []string{"v17.2.6", "v17.2.5"}},
		"existing tag":           {ref: "quay.io/ceph/ceph:v17.2.6", verdict: resolvers.Found},
		"missing repository":     {ref: "quay.io/ceph/nothing:v1", verdict: resolvers.NotFound},
		"digests get no suggest": {ref: "quay.io/ceph/ceph@sha256:" + strings.Repeat("a", 64), verdict: resolvers.NotFound},
	}
	for name_, tc := range cases {
		t.Run(name_, func(t *testing.T) {
			ref, err := name.ParseReference(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			res := d.Resolve(context.Background(), resolvers.Query{Ref: ref})
			if res.Verdict != tc.verdict {
				t.Fatalf("verdict %v, want %v (%s)", res.Verdict, tc.verdict, res.Summary())
			}
			if diff := cmp.Diff(tc.want, res.Suggestions); diff != "" {
				t.Errorf("suggestions (-want +got):\n%s", diff)
			}
		})
	}
}

type failingLister struct{ calls int }

func (f *failingLister) Tags(context.Context, resolvers.Endpoint, name.Repository, credentials.Set) ([]string, error) {
	f.calls++
	return nil, errors.New("boom")
}

type fixedResolver resolvers.Result

func (f fixedResolver) Resolve(context.Context, resolvers.Query) resolvers.Result {
	return resolvers.Result(f)
}

func TestListingIsBestEffort(t *testing.T) {
	notFound := fixedResolver{Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{{Verdict: resolvers.NotFound}}}
	l := &failingLister{}
	res := suggest.New(notFound, l).Resolve(context.Background(), resolvers.Query{Ref: name.MustParseReference("example.com/a:v1")})
	if res.Verdict != resolvers.NotFound || res.Suggestions != nil || l.calls != 1 {
		t.Errorf("got verdict %v suggestions %v after %d listings; want not found, none, 1", res.Verdict, res.Suggestions, l.calls)
	}
	undetermined := fixedResolver{Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{{}}}
	suggest.New(undetermined, l).Resolve(context.Background(), resolvers.Query{Ref: name.MustParseReference("example.com/a:v1")})
	if l.calls != 1 {
		t.Errorf("listed tags for an undetermined result")
	}
}
