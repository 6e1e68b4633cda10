package suggest_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/mirrors"
	registryclient "github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/resolvers/suggest"
)

// TestSuggestionsFromARealRegistry looks the incident's tag up through a
// mirror that holds the real neighbouring tags.
func TestSuggestionsFromARealRegistry(t *testing.T) {
	srv := resolverstest.Serve(t)
	for _, tag := range []string{"v17.2.5", "v17.2.6", "v16.2.13"} {
		resolverstest.Push(t, resolverstest.Host(srv), "ceph/ceph:"+tag)
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
			ref := resolverstest.MustRef(t, tc.ref)
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

// TestReasonWhenNodesWalkSeveralEndpoints looks the incident's tag up as a
// node with a containerd certs.d directory would: [host] mirrors, then the
// registry (server). The reason names each endpoint once, in the order
// asked, and the nearest tags come from the endpoint whose answer is the
// not found: the registry, whatever the mirrors hold.
func TestReasonWhenNodesWalkSeveralEndpoints(t *testing.T) {
	reg := resolverstest.Serve(t)
	for _, tag := range []string{"v17.2.5", "v17.2.6", "v16.2.13"} {
		resolverstest.Push(t, resolverstest.Host(reg), "ceph/ceph:"+tag)
	}
	// A mirror that lacks the tag and holds other ones.
	mirror := resolverstest.Serve(t)
	resolverstest.Push(t, resolverstest.Host(mirror), "ceph/ceph:v17.2.30")
	// A dead mirror: a port nothing listens on any more.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	client := registryclient.New()

	cases := map[string]struct {
		hostsToml string
		reason    string
		nearest   []string
	}{
		"dead mirror, then the registry's 404": {
			hostsToml: "server = \"" + reg.URL + "\"\n[host.\"" + dead + "\"]\n",
			reason:    dead + "/v2: connection refused; " + reg.URL + "/v2: 404 Not Found",
			nearest:   []string{"v17.2.6", "v17.2.5"},
		},
		"mirror 404, then the registry's 404": {
			hostsToml: "server = \"" + reg.URL + "\"\n[host.\"" + mirror.URL + "\"]\n",
			reason:    mirror.URL + "/v2: 404 Not Found; " + reg.URL + "/v2: 404 Not Found",
			nearest:   []string{"v17.2.6", "v17.2.5"},
		},
		"the registry's 404 alone": {
			hostsToml: "server = \"" + reg.URL + "\"\n",
			reason:    reg.URL + "/v2: 404 Not Found",
			nearest:   []string{"v17.2.6", "v17.2.5"},
		},
	}
	for name_, tc := range cases {
		t.Run(name_, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "quay.io"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "quay.io", "hosts.toml"), []byte(tc.hostsToml), 0o600); err != nil {
				t.Fatal(err)
			}
			chain, err := mirrors.New(nil, client, mirrors.WithHostsDir(dir))
			if err != nil {
				t.Fatal(err)
			}
			res := suggest.New(chain, client, suggest.WithCount(2)).Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, "quay.io/ceph/ceph:v17.2.31")})
			if res.Verdict != resolvers.NotFound {
				t.Fatalf("verdict %v, want not found (%s)", res.Verdict, res.Summary())
			}
			if diff := cmp.Diff(tc.reason, res.Summary()); diff != "" {
				t.Errorf("reason (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.nearest, res.Suggestions); diff != "" {
				t.Errorf("nearest (-want +got):\n%s", diff)
			}
		})
	}
}

type failingLister struct{ calls int }

func (f *failingLister) Tags(context.Context, resolvers.Endpoint, name.Repository, credentials.Set) ([]string, error) {
	f.calls++
	return nil, errors.New("boom")
}

func TestListingIsBestEffort(t *testing.T) {
	notFound := resolverstest.Fixed(resolvers.Result{Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{{Verdict: resolvers.NotFound}}})
	l := &failingLister{}
	res := suggest.New(notFound, l).Resolve(context.Background(), resolvers.Query{Ref: resolverstest.MustRef(t, "example.com/a:v1")})
	if res.Verdict != resolvers.NotFound || res.Suggestions != nil || l.calls != 1 {
		t.Errorf("got verdict %v suggestions %v after %d listings; want not found, none, 1", res.Verdict, res.Suggestions, l.calls)
	}
	undetermined := resolverstest.Fixed(resolvers.Result{Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{{}}})
	suggest.New(undetermined, l).Resolve(context.Background(), resolvers.Query{Ref: resolverstest.MustRef(t, "example.com/a:v1")})
	if l.calls != 1 {
		t.Errorf("listed tags for an undetermined result")
	}
}
