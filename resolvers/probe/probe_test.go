package probe_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/probe"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

func endpoint(t *testing.T, url, path string) resolvers.Endpoint {
	t.Helper()
	ep, err := resolvers.ParseEndpoint(url+path, path != "")
	if err != nil {
		t.Fatal(err)
	}
	return ep
}

func TestEndpoint(t *testing.T) {
	reg := resolverstest.Serve(t)
	resolverstest.Push(t, resolverstest.Host(reg), "library/alpine:latest")
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html>welcome</html>")
	}))
	t.Cleanup(html.Close)
	// docker.io/v2 redirects to a web page.
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, html.URL+"/", http.StatusMovedPermanently)
	}))
	t.Cleanup(redirect.Close)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	// manifest answers the sample with a media type, recording the Accept
	// header it was asked with.
	var (
		mu     sync.Mutex
		accept []string
	)
	manifest := func(mediaType string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/manifests/") {
				mu.Lock()
				accept = append(accept, r.Header.Get("Accept"))
				mu.Unlock()
			}
			w.Header().Set("Content-Type", mediaType)
			w.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	schema1 := manifest("application/vnd.docker.distribution.manifest.v1+prettyjws")
	charset := manifest("application/vnd.oci.image.index.v1+json; charset=utf-8")

	cases := map[string]struct {
		ep           resolvers.Endpoint
		tag          string
		outcome      probe.Outcome
		problems     int
		sampleHops   int
		pingAPIValid bool
	}{
		"registry with the sample":    {ep: endpoint(t, reg.URL, ""), tag: "latest", outcome: probe.Serves, sampleHops: 1, pingAPIValid: true},
		"registry without the sample": {ep: endpoint(t, reg.URL, ""), tag: "nope", outcome: probe.Skipped, sampleHops: 1, pingAPIValid: true},
		"html page":                   {ep: endpoint(t, html.URL, ""), tag: "latest", outcome: probe.Broken, problems: 2, sampleHops: 1},
		"redirect to a web page (https://docker.io/v2 with overridePath)": {
			ep: endpoint(t, redirect.URL, "/v2"), tag: "latest", outcome: probe.Broken, problems: 2, sampleHops: 2,
		},
		"500":                {ep: endpoint(t, failing.URL, ""), tag: "latest", outcome: probe.Skipped, problems: 1, sampleHops: 1},
		"connection refused": {ep: endpoint(t, closed.URL, ""), tag: "latest", outcome: probe.Unreachable, problems: 1, sampleHops: 1},
		"a Docker schema 1 manifest: containerd v2 refuses it": {ep: endpoint(t, schema1.URL, ""), tag: "latest", outcome: probe.Broken, problems: 1, sampleHops: 1, pingAPIValid: true},
		"a media type with a parameter":                        {ep: endpoint(t, charset.URL, ""), tag: "latest", outcome: probe.Serves, sampleHops: 1, pingAPIValid: true},
	}
	client := &http.Client{CheckRedirect: probe.NoRedirects}
	for n, tc := range cases {
		t.Run(n, func(t *testing.T) {
			r := probe.Endpoint(context.Background(), client, tc.ep, "library/alpine", tc.tag)
			got := struct {
				Outcome    probe.Outcome
				Problems   int
				SampleHops int
				PingAPI    bool
			}{r.Outcome, len(r.Problems), len(r.Sample), r.Ping[len(r.Ping)-1].APIVersion == "registry/2.0"}
			want := struct {
				Outcome    probe.Outcome
				Problems   int
				SampleHops int
				PingAPI    bool
			}{tc.outcome, tc.problems, tc.sampleHops, tc.pingAPIValid}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\nproblems: %q", diff, r.Problems)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(accept) == 0 {
		t.Error("no sample asked for a manifest")
	}
	for _, a := range accept {
		if a != resolvers.ManifestAccept {
			t.Errorf("sample asked with Accept %q, want containerd's %q", a, resolvers.ManifestAccept)
		}
	}
}

func TestTooManyRedirects(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+r.URL.Path, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	r := probe.Endpoint(context.Background(), &http.Client{CheckRedirect: probe.NoRedirects}, endpoint(t, srv.URL, ""), "a", "b")
	if r.Outcome != probe.Unreachable || !strings.Contains(strings.Join(r.Problems, "\n"), "redirects") {
		t.Errorf("outcome %s problems %q; want unreachable after too many redirects", r.Outcome, r.Problems)
	}
}
