package registry_test

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

const loopbackRefused = "not contacted: 127.0.0.1 is a loopback address (allow 127.0.0.1/32, or make it a mirror endpoint)"

var found = resolvers.Attempt{Verdict: resolvers.Found, Status: 200, Detail: "200 OK", Digest: "{digest}", MediaType: schema2, EndsWalk: true}

// TestClientGuard checks which hosts a lookup contacts: any for a Trusted
// endpoint, only allowed addresses for the others.
func TestClientGuard(t *testing.T) {
	tests := map[string]struct {
		opts []registry.Option
		// endpoint is where the lookup goes; nil looks up
		// "<server host>/app:v1" on its own registry (resolvers.Upstream).
		endpoint func(*testServer) resolvers.Endpoint
		// want is the attempt, with "{digest}" in Digest replaced; its
		// Endpoint is the one asked.
		want          resolvers.Attempt
		wantContacted bool
	}{
		// TestClientLookupUpstream shows the same registry, allowed, found.
		"image on a loopback registry": {
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: loopbackRefused},
		},
		"untrusted endpoint": {
			endpoint: (*testServer).untrusted,
			want:     resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: loopbackRefused},
		},
		"the same server as a mirror endpoint": {
			endpoint:      (*testServer).endpoint,
			want:          found,
			wantContacted: true,
		},
		"allowed network": {
			opts:          []registry.Option{registry.WithAllowedNetworks(netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32"))},
			endpoint:      (*testServer).untrusted,
			want:          found,
			wantContacted: true,
		},
		"another network allowed": {
			opts:     []registry.Option{registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.2/32"))},
			endpoint: (*testServer).untrusted,
			want:     resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: loopbackRefused},
		},
		"private networks allowed: loopback is not private": {
			opts:     []registry.Option{registry.WithAllowPrivate(true)},
			endpoint: (*testServer).untrusted,
			want:     resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: loopbackRefused},
		},
		"a name that resolves to loopback": {
			endpoint: func(s *testServer) resolvers.Endpoint {
				_, port, _ := net.SplitHostPort(s.host())
				return resolvers.Endpoint{Scheme: "http", Host: "localhost:" + port, Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: localhost resolves to {localhost}, a loopback address (allow {localhost}/{bits}, or make it a mirror endpoint)"},
		},
		"a name that does not resolve": {
			endpoint: func(*testServer) resolvers.Endpoint {
				return resolvers.Endpoint{Scheme: "https", Host: "no-such-host.invalid", Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "cannot resolve host no-such-host.invalid"},
		},
		"private address": {
			endpoint: func(*testServer) resolvers.Endpoint {
				return resolvers.Endpoint{Scheme: "https", Host: "10.1.2.3:5000", Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: 10.1.2.3 is a private address (allow private networks or 10.1.2.3/32, or make it a mirror endpoint)"},
		},
		"metadata address": {
			endpoint: func(*testServer) resolvers.Endpoint {
				return resolvers.Endpoint{Scheme: "http", Host: "169.254.169.254", Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: 169.254.169.254 is a cloud metadata address"},
		},
		"metadata name, even with every network allowed": {
			opts: []registry.Option{registry.WithAllowedNetworks(netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0"))},
			endpoint: func(*testServer) resolvers.Endpoint {
				return resolvers.Endpoint{Scheme: "http", Host: "metadata.google.internal", Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: metadata.google.internal is a cloud metadata host name"},
		},
		"metadata name with a port": {
			endpoint: func(*testServer) resolvers.Endpoint {
				return resolvers.Endpoint{Scheme: "https", Host: "instance-data:8443", Path: "/v2"}
			},
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: instance-data is a cloud metadata host name"},
		},
		"custom RoundTripper: names are checked before each request": {
			opts:     []registry.Option{registry.WithTransport(roundTripperFunc(http.DefaultTransport.RoundTrip))},
			endpoint: (*testServer).untrusted,
			want:     resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: loopbackRefused},
		},
		"custom RoundTripper, allowed network": {
			opts: []registry.Option{
				registry.WithTransport(roundTripperFunc(http.DefaultTransport.RoundTrip)),
				registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8")),
			},
			endpoint:      (*testServer).untrusted,
			want:          found,
			wantContacted: true,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			srv, digest := newTestServer(t, "app:v1")
			c := registry.New(append([]registry.Option{registry.WithTimeout(10 * time.Second)}, tc.opts...)...)

			var got resolvers.Attempt
			want := tc.want
			if tc.endpoint == nil {
				ref := resolverstest.MustRef(t, srv.host()+"/app:v1")
				want.Endpoint = resolvers.Endpoint{Scheme: "https", Host: srv.host(), Path: "/v2"}
				got = c.Lookup(t.Context(), resolvers.Upstream(ref.Context().RegistryStr()), resolvers.Query{Ref: ref})
			} else {
				want.Endpoint = tc.endpoint(srv)
				got = c.Lookup(t.Context(), want.Endpoint, resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")})
			}
			want.Detail = replaceHost(replaceLocalhost(t, want.Detail), srv)
			want.Digest = strings.ReplaceAll(want.Digest, "{digest}", digest.String())
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("lookup mismatch (-want +got):\n%s", diff)
			}
			if contacted := len(srv.log()) > 0; contacted != tc.wantContacted {
				t.Errorf("server contacted: %t, want %t (requests %q)", contacted, tc.wantContacted, srv.log())
			}
		})
	}
}

// TestClientGuardRedirect checks that redirects are checked too: a
// registry on an allowed address redirects the HEAD to a name that
// resolves to loopback. go-containerregistry's own redirect check refuses
// private IP literals only.
func TestClientGuardRedirect(t *testing.T) {
	tests := map[string]struct {
		allowed       string
		want          resolvers.Attempt
		wantRedirects []string
	}{
		"redirect to a refused address": {
			allowed: "127.0.0.2/32",
			want:    resolvers.Attempt{Verdict: resolvers.Undetermined, Status: 307, Detail: "not contacted: localhost resolves to {localhost}, a loopback address (allow {localhost}/{bits}, or make it a mirror endpoint)"},
		},
		"redirect to an allowed address": {
			allowed:       "127.0.0.0/8",
			want:          found,
			wantRedirects: []string{"HEAD /v2/app/manifests/v1"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			target, digest := newTestServer(t, "app:v1")
			srv, _ := newTestServerAt(t, "127.0.0.2:0")
			_, port, _ := net.SplitHostPort(target.host())
			srv.redirectTo = "http://localhost:" + port
			srv.setRules(map[string]behaviour{"/v2/app/manifests/v1": redirect})
			c := registry.New(registry.WithTimeout(10*time.Second), registry.WithAllowedNetworks(netip.MustParsePrefix(tc.allowed)))

			got := c.Lookup(t.Context(), srv.untrusted(), resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")})

			want := tc.want
			want.Endpoint = srv.untrusted()
			want.Detail = replaceLocalhost(t, want.Detail)
			want.Digest = strings.ReplaceAll(want.Digest, "{digest}", digest.String())
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"GET /v2/", "HEAD /v2/app/manifests/v1"}, srv.log()); diff != "" {
				t.Errorf("requests mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantRedirects, target.log()); diff != "" {
				t.Errorf("redirect target requests mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestClientGuardProxy checks a guarded lookup through an HTTP proxy: the
// proxy, the operator's, is dialed whatever its address, and resolves names
// itself; IP literals are still refused.
func TestClientGuardProxy(t *testing.T) {
	tests := map[string]struct {
		host          string
		want          resolvers.Attempt
		wantContacted bool
	}{
		"a name goes to the proxy": {
			host:          "registry.invalid",
			want:          found,
			wantContacted: true,
		},
		"a refused IP literal does not": {
			host: "10.1.2.3",
			want: resolvers.Attempt{Verdict: resolvers.Undetermined, Detail: "not contacted: 10.1.2.3 is a private address (allow private networks or 10.1.2.3/32, or make it a mirror endpoint)"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			// The test server answers proxy requests ("GET http://host/v2/")
			// as a registry.
			proxy, digest := newTestServer(t, "app:v1")
			proxyURL, err := url.Parse(proxy.URL)
			if err != nil {
				t.Fatal(err)
			}
			c := registry.New(registry.WithTimeout(10*time.Second), registry.WithTransport(&http.Transport{Proxy: http.ProxyURL(proxyURL)}))
			ep := resolvers.Endpoint{Scheme: "http", Host: tc.host, Path: "/v2"}

			got := c.Lookup(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:v1")})

			want := tc.want
			want.Endpoint = ep
			want.Digest = strings.ReplaceAll(want.Digest, "{digest}", digest.String())
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Lookup mismatch (-want +got):\n%s", diff)
			}
			if contacted := len(proxy.log()) > 0; contacted != tc.wantContacted {
				t.Errorf("proxy contacted: %t, want %t (requests %q)", contacted, tc.wantContacted, proxy.log())
			}
		})
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// replaceLocalhost replaces "{localhost}" in s with the first address of
// localhost, and "{bits}" with its length.
func replaceLocalhost(t *testing.T, s string) string {
	t.Helper()
	if !strings.Contains(s, "{localhost}") {
		return s
	}
	addrs, err := net.DefaultResolver.LookupNetIP(t.Context(), "ip", "localhost")
	if err != nil || len(addrs) == 0 {
		t.Skipf("localhost does not resolve: %v", err)
	}
	a := addrs[0].Unmap()
	return strings.NewReplacer("{localhost}", a.String(), "{bits}", strings.TrimPrefix(netip.PrefixFrom(a, a.BitLen()).String(), a.String()+"/")).Replace(s)
}
