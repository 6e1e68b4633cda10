package registry_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// listener counts the connections made to it on every local address (it
// listens on all of them) and records the Authorization header of every
// request; it answers each request 200 with a manifest media type.
type listener struct {
	*httptest.Server
	port string

	mu    sync.Mutex
	conns int
	auth  []string
}

func newListener(t *testing.T) *listener {
	t.Helper()
	l := &listener{}
	ln, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	_, l.port, _ = net.SplitHostPort(ln.Addr().String())
	l.Server = &httptest.Server{Listener: ln, Config: &http.Server{
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				l.mu.Lock()
				l.conns++
				l.mu.Unlock()
			}
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			l.mu.Lock()
			if a := r.Header.Get("Authorization"); a != "" {
				l.auth = append(l.auth, r.Method+" "+r.URL.Path+": "+a)
			}
			l.mu.Unlock()
			if strings.HasSuffix(r.URL.Path, "/token") {
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"token":"stolen"}`)
				return
			}
			w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
			w.Header().Set("Docker-Content-Digest", "sha256:"+strings.Repeat("0", 64))
		}),
	}}
	l.Start()
	t.Cleanup(l.Close)
	return l
}

func (l *listener) counts() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conns, append([]string(nil), l.auth...)
}

// loopbackForms are spellings of this machine's own addresses.
var loopbackForms = []string{
	"127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "017700000001",
	"127.000.000.001", "127.0.0.1.", "127.254.1.1", "localhost", "localhost.", "LOCALHOST", "0.0.0.0", "0",
	"[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::]", "[::ffff:0.0.0.0]",
}

// dialRecorder records every address a transport dials, and dials nothing.
type dialRecorder struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialRecorder) transport() *http.Transport {
	return &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, addr)
		d.mu.Unlock()
		return nil, fmt.Errorf("test: no dialing")
	}}
}

func (d *dialRecorder) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.addrs...)
}

// TestNoSSRFImageHosts: an image naming this machine, in any spelling, or a
// private, link-local or metadata address is not contacted: zero
// connections at a listener on every local address, zero dials for the
// others.
func TestNoSSRFImageHosts(t *testing.T) {
	l := newListener(t)
	c := registry.New(registry.WithTimeout(3 * time.Second))
	refused := 0
	for _, form := range loopbackForms {
		image := form + ":" + l.port + "/app:v1"
		t.Run(image, func(t *testing.T) {
			ref, err := name.ParseReference(image)
			if err != nil {
				refused++
				t.Logf("not a reference (refused before any lookup): %v", err)
				return
			}
			a := c.Lookup(t.Context(), resolvers.Upstream(ref.Context().RegistryStr()), resolvers.Query{Ref: ref})
			if a.Verdict == resolvers.Found {
				t.Fatalf("Lookup = %+v", a)
			}
			refused++
			t.Logf("%s", a.Detail)
		})
	}
	if conns, _ := l.counts(); conns != 0 {
		t.Errorf("%d connections to a loopback listener from %d image hosts", conns, len(loopbackForms))
	}

	rec := &dialRecorder{}
	c = registry.New(registry.WithTimeout(3*time.Second), registry.WithTransport(rec.transport()))
	for _, host := range []string{
		"10.0.0.1", "172.16.5.4", "192.168.1.1", "100.64.0.1", "169.254.169.254", "169.254.170.2", "100.100.100.200",
		"2852039166", "0xa9fea9fe", "169.254.169.254.", "[fd00:ec2::254]", "[::ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]",
		"[fe80::1]", "[fc00::1]", "metadata.google.internal", "metadata.google.internal.", "metadata", "instance-data",
	} {
		ref, err := name.ParseReference(host + "/app:v1")
		if err != nil {
			continue
		}
		if a := c.Lookup(t.Context(), resolvers.Upstream(ref.Context().RegistryStr()), resolvers.Query{Ref: ref}); a.Verdict == resolvers.Found {
			t.Errorf("%s: found", host)
		}
	}
	if d := rec.dialed(); len(d) != 0 {
		t.Errorf("dialed %q", d)
	}
}

// TestNoSSRFRedirectsAndRealms: a registry on an allowed address that
// redirects, or names a token service, at this machine in any spelling
// gets nothing from that address: zero connections.
func TestNoSSRFRedirectsAndRealms(t *testing.T) {
	for _, how := range []string{"redirect", "realm"} {
		t.Run(how, func(t *testing.T) {
			l := newListener(t)
			var target string
			reg := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if how == "redirect" && r.URL.Path != "/v2/" {
					http.Redirect(w, r, target+r.URL.Path, http.StatusTemporaryRedirect)
					return
				}
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+target+`/token",service="x"`)
				w.WriteHeader(http.StatusUnauthorized)
			}))
			ln, err := net.Listen("tcp", "127.0.0.2:0")
			if err != nil {
				t.Fatalf("listen on 127.0.0.2: %v", err)
			}
			reg.Listener = ln
			reg.Start()
			defer reg.Close()
			// The registry's own address is allowed; the listener's
			// addresses are not.
			c := registry.New(registry.WithTimeout(3*time.Second), registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.2/32")))
			host := ln.Addr().String()
			for _, form := range loopbackForms {
				if form == "127.254.1.1" || form == "0" {
					continue
				}
				target = "http://" + form + ":" + l.port
				ep := resolvers.Endpoint{Scheme: "http", Host: host, Path: "/v2"}
				a := c.Lookup(t.Context(), ep, resolvers.Query{Ref: resolverstest.MustRef(t, "registry.example/app:"+strings.NewReplacer(".", "-", "[", "", "]", "", ":", "-").Replace(form))})
				if a.Verdict == resolvers.Found {
					t.Errorf("%s: found through %s", form, target)
				}
			}
			if conns, _ := l.counts(); conns != 0 {
				t.Errorf("%d connections to a loopback listener", conns)
			}
		})
	}
}

// TestNoCredentialCrossesHosts: a registry's credentials reach that
// registry (host and port) only. A listener on another port, the same IP
// allowed, never sees an Authorization header: not through a redirect, a
// token service the registry names, or a mirror.
func TestNoCredentialCrossesHosts(t *testing.T) {
	for _, how := range []string{"redirect", "realm", "realm by name", "mirror"} {
		t.Run(how, func(t *testing.T) {
			other := newListener(t)
			reg := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == "" {
					w.Header().Set("WWW-Authenticate", `Basic realm="x"`)
					if how == "realm" {
						w.Header().Set("WWW-Authenticate", `Bearer realm="http://127.0.0.1:`+other.port+`/token",service="x"`)
					}
					if how == "realm by name" {
						w.Header().Set("WWW-Authenticate", `Bearer realm="http://localhost:`+other.port+`/token",service="x"`)
					}
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				http.Redirect(w, r, "http://127.0.0.1:"+other.port+r.URL.Path, http.StatusTemporaryRedirect)
			}))
			defer reg.Close()
			regHost := strings.TrimPrefix(reg.URL, "http://")
			keychain := staticKeychain{regHost: &authn.Basic{Username: "u", Password: "secret"}}
			c := registry.New(registry.WithTimeout(3*time.Second), registry.WithKeychain(keychain),
				registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")))
			ref := resolverstest.MustRef(t, regHost+"/app:v1")
			ep := resolvers.Endpoint{Scheme: "http", Host: regHost, Path: "/v2"}
			if how == "mirror" {
				// The image names reg; a mirror on another port is asked
				// first, as a node would.
				ep = resolvers.Endpoint{Scheme: "http", Host: "127.0.0.1:" + other.port, Path: "/v2", Trusted: true}
			}
			a := c.Lookup(t.Context(), ep, resolvers.Query{Ref: ref})
			t.Logf("%s: %s", a.Verdict, a.Detail)
			if _, auth := other.counts(); len(auth) != 0 {
				t.Errorf("credentials sent to another port: %q", auth)
			}
		})
	}
}

// staticKeychain holds credentials by registry host.
type staticKeychain map[string]authn.Authenticator

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if a, ok := k[r.RegistryStr()]; ok {
		return a, nil
	}
	return authn.Anonymous, nil
}
