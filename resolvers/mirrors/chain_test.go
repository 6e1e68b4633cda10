package mirrors_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

const digest = "sha256:4bf5b2c0d1d9a1b1d8c5dbb7bd63bce3e9d8bb3b1d06c3c4d5fd0c6c1f36c2b7"

// Answers of one endpoint, as registry.Client gives them.
var (
	found        = resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: digest, EndsWalk: true}
	notFound     = resolvers.Attempt{Verdict: resolvers.NotFound, Status: 404, Detail: "404 Not Found"}
	refused      = resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "connection refused"}
	unavailable  = resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 503, Detail: "503 Service Unavailable"}
	htmlPage     = resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 200, Detail: `200 with Content-Type "text/html", not a manifest: pulls through this endpoint fail`, EndsWalk: true}
	hubEndpoint  = resolvers.Endpoint{Scheme: "https", Host: "registry-1.docker.io", Path: "/v2"}
	quayEndpoint = resolvers.Endpoint{Scheme: "https", Host: "quay.io", Path: "/v2"}
)

// fakeLookuper answers by endpoint and records the endpoints asked.
type fakeLookuper struct {
	// answers by Endpoint.String(); an endpoint without one refuses the
	// connection.
	answers map[string]resolvers.Attempt
	// during runs inside the lookup of an endpoint, by Endpoint.String().
	during map[string]func()
	asked  []resolvers.Endpoint
	refs   []string
}

func (f *fakeLookuper) Lookup(_ context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt {
	ref := q.Ref
	f.asked = append(f.asked, ep)
	f.refs = append(f.refs, ref.Name())
	if fn := f.during[ep.String()]; fn != nil {
		fn()
	}
	a, ok := f.answers[ep.String()]
	if !ok {
		a = refused
	}
	a.Endpoint = ep
	return a
}

func TestChainEndpoints(t *testing.T) {
	tests := map[string]struct {
		cfg mirrors.Config
		// registry is as go-containerregistry names it (Context().RegistryStr()).
		registry string
		want     []resolvers.Endpoint
	}{
		"no configuration: the registry itself": {
			registry: "quay.io",
			want:     []resolvers.Endpoint{quayEndpoint},
		},
		"mirror endpoints in order, then the registry": {
			cfg:      mirrors.Config{"quay.io": {Endpoints: []string{"https://m1.example", "http://10.0.0.5:5000", "https://m3.example:8443/cache"}}},
			registry: "quay.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "m1.example", Path: "/v2", Trusted: true},
				{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2", Trusted: true},
				{Scheme: "https", Host: "m3.example:8443", Path: "/cache/v2", Trusted: true},
				quayEndpoint,
			},
		},
		"skipFallback drops the registry": {
			cfg:      mirrors.Config{"quay.io": {Endpoints: []string{"https://m1.example", "https://m2.example"}, SkipFallback: true}},
			registry: "quay.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "m1.example", Path: "/v2", Trusted: true},
				{Scheme: "https", Host: "m2.example", Path: "/v2", Trusted: true},
			},
		},
		"overridePath uses the URL path as the API base": {
			cfg:      mirrors.Config{"quay.io": {Endpoints: []string{"https://harbor.example/v2/proxy"}, OverridePath: true}},
			registry: "quay.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy", Trusted: true},
				quayEndpoint,
			},
		},
		"without overridePath /v2 is appended to the URL path": {
			cfg:      mirrors.Config{"quay.io": {Endpoints: []string{"https://harbor.example/v2/proxy"}}},
			registry: "quay.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy/v2", Trusted: true},
				quayEndpoint,
			},
		},
		"another registry's mirror does not apply": {
			cfg:      mirrors.Config{"ghcr.io": {Endpoints: []string{"https://m1.example"}}},
			registry: "quay.io",
			want:     []resolvers.Endpoint{quayEndpoint},
		},
		"wildcard applies to a registry without its own entry": {
			cfg: mirrors.Config{
				"*":       {Endpoints: []string{"https://everything.example"}},
				"ghcr.io": {Endpoints: []string{"https://ghcr-mirror.example"}},
			},
			registry: "quay.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "everything.example", Path: "/v2", Trusted: true},
				quayEndpoint,
			},
		},
		"wildcard does not apply to a registry with its own entry": {
			cfg: mirrors.Config{
				"*":       {Endpoints: []string{"https://everything.example"}},
				"ghcr.io": {Endpoints: []string{"https://ghcr-mirror.example"}},
			},
			registry: "ghcr.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "ghcr-mirror.example", Path: "/v2", Trusted: true},
				{Scheme: "https", Host: "ghcr.io", Path: "/v2"},
			},
		},
		"wildcard skipFallback": {
			cfg:      mirrors.Config{"*": {Endpoints: []string{"https://everything.example"}, SkipFallback: true}},
			registry: "quay.io",
			want:     []resolvers.Endpoint{{Scheme: "https", Host: "everything.example", Path: "/v2", Trusted: true}},
		},
		"docker.io entry applies to go-containerregistry's index.docker.io": {
			cfg:      mirrors.Config{"docker.io": {Endpoints: []string{"https://mirror.gcr.io"}}},
			registry: "index.docker.io",
			want: []resolvers.Endpoint{
				{Scheme: "https", Host: "mirror.gcr.io", Path: "/v2", Trusted: true},
				hubEndpoint,
			},
		},
		"docker.io without mirror is registry-1.docker.io": {
			registry: "index.docker.io",
			want:     []resolvers.Endpoint{hubEndpoint},
		},
		"registry with a port": {
			cfg:      mirrors.Config{"registry.example:5000": {Endpoints: []string{"http://10.0.0.5:5000"}}},
			registry: "registry.example:5000",
			want: []resolvers.Endpoint{
				{Scheme: "http", Host: "10.0.0.5:5000", Path: "/v2", Trusted: true},
				{Scheme: "https", Host: "registry.example:5000", Path: "/v2"},
			},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			c, err := mirrors.New(tc.cfg, &fakeLookuper{})
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if diff := cmp.Diff(tc.want, c.Endpoints(tc.registry)); diff != "" {
				t.Errorf("Endpoints(%q) mismatch (-want +got):\n%s", tc.registry, diff)
			}
		})
	}
}

func TestChainResolve(t *testing.T) {
	const (
		m1      = "https://m1.example"
		m2      = "https://m2.example"
		harbor  = "https://harbor.example/v2/proxy"
		quayRef = "quay.io/org/app:v1"
	)
	ep1 := resolvers.Endpoint{Scheme: "https", Host: "m1.example", Path: "/v2", Trusted: true}
	ep2 := resolvers.Endpoint{Scheme: "https", Host: "m2.example", Path: "/v2", Trusted: true}
	harborEp := resolvers.Endpoint{Scheme: "https", Host: "harbor.example", Path: "/v2/proxy", Trusted: true}
	at := func(a resolvers.Attempt, ep resolvers.Endpoint) resolvers.Attempt {
		a.Endpoint = ep
		return a
	}
	tests := map[string]struct {
		cfg     mirrors.Config
		ref     string
		answers map[string]resolvers.Attempt
		// cancelDuring cancels the lookup's context while this endpoint
		// (by String()) is asked.
		cancelDuring string
		want         resolvers.Result
		wantAsked    []resolvers.Endpoint
	}{
		"found on the registry itself": {
			ref:       quayRef,
			answers:   map[string]resolvers.Attempt{"quay.io": found},
			want:      resolvers.Result{Reference: quayRef, Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{at(found, quayEndpoint)}},
			wantAsked: []resolvers.Endpoint{quayEndpoint},
		},
		"not found on the registry itself": {
			ref:       quayRef,
			answers:   map[string]resolvers.Attempt{"quay.io": notFound},
			want:      resolvers.Result{Reference: quayRef, Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{at(notFound, quayEndpoint)}},
			wantAsked: []resolvers.Endpoint{quayEndpoint},
		},
		"found on the first mirror ends the walk": {
			cfg:       mirrors.Config{"quay.io": {Endpoints: []string{m1, m2}}},
			ref:       quayRef,
			answers:   map[string]resolvers.Attempt{"m1.example": found, "m2.example": found, "quay.io": found},
			want:      resolvers.Result{Reference: quayRef, Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{at(found, ep1)}},
			wantAsked: []resolvers.Endpoint{ep1},
		},
		"404 on the mirror, then 404 upstream": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": notFound, "quay.io": notFound},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{
				at(notFound, ep1), at(notFound, quayEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{ep1, quayEndpoint},
		},
		"404 on the mirror, then found upstream": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": notFound, "quay.io": found},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
				at(notFound, ep1), at(found, quayEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{ep1, quayEndpoint},
		},
		"404 on the mirror, then undetermined upstream": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": notFound, "quay.io": unavailable},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{
				at(notFound, ep1), at(unavailable, quayEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{ep1, quayEndpoint},
		},
		"undetermined on the mirror, then 404 upstream: the registry is authoritative": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": unavailable, "quay.io": notFound},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{
				at(unavailable, ep1), at(notFound, quayEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{ep1, quayEndpoint},
		},
		"dead first mirror, then a good one": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1, m2}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m2.example": found, "quay.io": notFound},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
				at(refused, ep1), at(found, ep2),
			}},
			wantAsked: []resolvers.Endpoint{ep1, ep2},
		},
		"HTML 200 mirror ends the walk, undetermined": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1, m2}}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": htmlPage, "m2.example": found, "quay.io": found},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{
				at(htmlPage, ep1),
			}},
			wantAsked: []resolvers.Endpoint{ep1},
		},
		"skipFallback, dead first mirror, 404 on the last: no authoritative answer": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1, m2}, SkipFallback: true}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": unavailable, "m2.example": notFound},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.Undetermined, Attempts: []resolvers.Attempt{
				at(unavailable, ep1), at(notFound, ep2),
			}},
			wantAsked: []resolvers.Endpoint{ep1, ep2},
		},
		"skipFallback, 404 on every mirror": {
			cfg:     mirrors.Config{"quay.io": {Endpoints: []string{m1, m2}, SkipFallback: true}},
			ref:     quayRef,
			answers: map[string]resolvers.Attempt{"m1.example": notFound, "m2.example": notFound, "quay.io": found},
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{
				at(notFound, ep1), at(notFound, ep2),
			}},
			wantAsked: []resolvers.Endpoint{ep1, ep2},
		},
		"docker.io mirror with overridePath for a short Docker Hub reference": {
			cfg:     mirrors.Config{"docker.io": {Endpoints: []string{harbor}, OverridePath: true}},
			ref:     "nginx:1.27",
			answers: map[string]resolvers.Attempt{"https://harbor.example/v2/proxy": notFound, "registry-1.docker.io": found},
			want: resolvers.Result{Reference: "index.docker.io/library/nginx:1.27", Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
				at(notFound, harborEp), at(found, hubEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{harborEp, hubEndpoint},
		},
		"wildcard mirror": {
			cfg:     mirrors.Config{"*": {Endpoints: []string{m1}}},
			ref:     "ghcr.io/org/app@" + digest,
			answers: map[string]resolvers.Attempt{"m1.example": found},
			want: resolvers.Result{Reference: "ghcr.io/org/app@" + digest, Verdict: resolvers.Found, Digest: digest, Attempts: []resolvers.Attempt{
				at(found, ep1),
			}},
			wantAsked: []resolvers.Endpoint{ep1},
		},
		"budget spent before every endpoint was asked": {
			cfg:          mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:          quayRef,
			answers:      map[string]resolvers.Attempt{"m1.example": notFound, "quay.io": notFound},
			cancelDuring: "m1.example",
			want: resolvers.Result{
				Reference: quayRef,
				Verdict:   resolvers.Undetermined,
				Attempts:  []resolvers.Attempt{at(notFound, ep1)},
				Reason:    "lookup budget spent before every endpoint was asked",
			},
			wantAsked: []resolvers.Endpoint{ep1},
		},
		"budget spent on the last endpoint, which answered": {
			cfg:          mirrors.Config{"quay.io": {Endpoints: []string{m1}}},
			ref:          quayRef,
			answers:      map[string]resolvers.Attempt{"m1.example": notFound, "quay.io": notFound},
			cancelDuring: "quay.io",
			want: resolvers.Result{Reference: quayRef, Verdict: resolvers.NotFound, Attempts: []resolvers.Attempt{
				at(notFound, ep1), at(notFound, quayEndpoint),
			}},
			wantAsked: []resolvers.Endpoint{ep1, quayEndpoint},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			l := &fakeLookuper{answers: tc.answers}
			if tc.cancelDuring != "" {
				l.during = map[string]func(){tc.cancelDuring: cancel}
			}
			c, err := mirrors.New(tc.cfg, l)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			ref := resolverstest.MustRef(t, tc.ref)

			got := c.Resolve(ctx, resolvers.Query{Ref: ref})

			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Resolve(%s) mismatch (-want +got):\n%s", tc.ref, diff)
			}
			if diff := cmp.Diff(tc.wantAsked, l.asked); diff != "" {
				t.Errorf("endpoints asked mismatch (-want +got):\n%s", diff)
			}
			for i, r := range l.refs {
				if r != ref.Name() {
					t.Errorf("lookup %d asked for %q, want %q", i, r, ref.Name())
				}
			}
		})
	}
}

func TestNewConfigErrors(t *testing.T) {
	tests := map[string]struct {
		cfg mirrors.Config
		// wantPrefix names the registry (and endpoint index).
		wantPrefix string
		// wantReason is a substring of the rest.
		wantReason string
	}{
		"unparsable URL": {
			cfg:        mirrors.Config{"quay.io": {Endpoints: []string{"https://ok.example", "https://[::1"}}},
			wantPrefix: `mirrors.quay.io.endpoints[1]: endpoint "https://[::1": `,
			wantReason: "missing ']' in host",
		},
		"ftp scheme": {
			cfg:        mirrors.Config{"docker.io": {Endpoints: []string{"ftp://mirror.example"}}},
			wantPrefix: `mirrors.docker.io.endpoints[0]: endpoint "ftp://mirror.example": `,
			wantReason: "scheme must be http or https",
		},
		"empty host": {
			cfg:        mirrors.Config{"ghcr.io": {Endpoints: []string{"https://a.example", "https://b.example", "https:///v2/proxy"}, OverridePath: true}},
			wantPrefix: `mirrors.ghcr.io.endpoints[2]: endpoint "https:///v2/proxy": `,
			wantReason: "no host",
		},
		"wildcard with a bad endpoint": {
			cfg:        mirrors.Config{"*": {Endpoints: []string{"ftp://mirror.example"}}},
			wantPrefix: `mirrors.*.endpoints[0]: endpoint "ftp://mirror.example": `,
			wantReason: "scheme must be http or https",
		},
		"skipFallback without endpoints": {
			cfg:        mirrors.Config{"quay.io": {SkipFallback: true}},
			wantPrefix: "mirrors.quay.io: ",
			wantReason: "skipFallback without endpoints",
		},
		"empty registry name": {
			cfg:        mirrors.Config{"": {Endpoints: []string{"https://mirror.example"}}},
			wantPrefix: "mirrors: ",
			wantReason: "empty registry name",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			c, err := mirrors.New(tc.cfg, &fakeLookuper{})
			if err == nil {
				t.Fatalf("New() = %v, want an error", c)
			}
			if !strings.HasPrefix(err.Error(), tc.wantPrefix) {
				t.Errorf("New() error = %q, want prefix %q", err, tc.wantPrefix)
			}
			if !strings.Contains(err.Error(), tc.wantReason) {
				t.Errorf("New() error = %q, want it to contain %q", err, tc.wantReason)
			}
		})
	}
}
