package registry_test

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// behaviour is how the test server answers one path.
type behaviour int

const (
	// passThrough hands the request to the real registry.
	passThrough behaviour = iota
	serverError
	tooManyRequests
	unauthorized
	notFound
	htmlPage
	hang
	redirect
	// bearerChallenge answers 401 with a Bearer challenge whose realm is
	// /token on the same server.
	bearerChallenge
	// tokenOnce hands out one token, then answers 404.
	tokenOnce
	// dropConnection closes the connection without an answer.
	dropConnection
	// tokenAlways hands out a token to every request.
	tokenAlways
	// hubMissing plays Docker Hub for a repository that does not exist:
	// 401 with a Bearer challenge for the repository's pull scope, token or
	// not.
	hubMissing
	// basicChallenge answers 401 with a Basic challenge.
	basicChallenge
	// slow answers like the registry after slowFor.
	slow
	// hugeBody answers 200 with hugeSize bytes and their Content-Length.
	hugeBody
	// hugeChunked answers 200 with hugeSize bytes and no Content-Length.
	hugeChunked
	// schema1 answers 200 with a Docker schema 1 manifest's media type, a
	// digest and a length: what containerd v2 no longer pulls.
	schema1
	// charset passes the request to the registry and adds a parameter to
	// the Content-Type of its answer.
	charset
)

// hugeSize is the size of hugeBody and hugeChunked answers, more than any
// bound of the Client.
const hugeSize = 5 << 20

// schema2 is the media type of the manifests random.Image makes.
const schema2 = string(types.DockerManifestSchema2)

// slowFor is how long slow paths take.
const slowFor = 150 * time.Millisecond

// testServer is a real go-containerregistry registry behind a handler that
// can misbehave per path and records every request it receives.
type testServer struct {
	*httptest.Server

	registry http.Handler
	// redirectTo is the base URL that redirect answers point to.
	redirectTo string
	// stripProxy serves "/v2/proxy/<rest>" as "/v2/<rest>", like a Harbor
	// proxy-cache project.
	stripProxy bool
	// retryAfter is the Retry-After header of tooManyRequests answers, none
	// when empty.
	retryAfter string
	// fetches lets manifests be asked with GET without a HEAD before: the
	// Client's FetchManifest does so.
	fetches bool

	// stop releases hanging handlers.
	stop chan struct{}

	mu       sync.Mutex
	rules    map[string]behaviour
	requests []string
	// auth is the Authorization header of each request, by index.
	auth   []string
	tokens int
	// inFlight counts requests being answered; maxInFlight is its peak.
	inFlight, maxInFlight int
}

// newTestServer starts a registry, pushes a random image to each of
// repoTags ("repo:tag") and returns the server with its request log emptied,
// and the digest of the pushed image. Every repoTag gets the same image.
func newTestServer(t *testing.T, repoTags ...string) (*testServer, v1.Hash) {
	t.Helper()
	return newTestServerAt(t, "127.0.0.1:0", repoTags...)
}

// newTestServerAt is newTestServer listening on addr; it skips the test when
// addr cannot be listened on.
func newTestServerAt(t *testing.T, addr string, repoTags ...string) (*testServer, v1.Hash) {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	s := &testServer{
		registry: ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))),
		rules:    map[string]behaviour{},
		stop:     make(chan struct{}),
	}
	s.Server = &httptest.Server{Listener: l, Config: &http.Server{Handler: s}}
	s.Start()
	t.Cleanup(s.Close)
	t.Cleanup(func() { close(s.stop) })
	t.Cleanup(func() {
		// A manifest is fetched with GET only after a HEAD that could not
		// be used, as containerd does.
		prev := ""
		if s.fetches {
			return
		}
		for _, r := range s.log() {
			if strings.HasPrefix(r, http.MethodGet+" ") && strings.Contains(r, "/manifests/") && prev != http.MethodHead+" "+strings.TrimPrefix(r, http.MethodGet+" ") {
				t.Errorf("server saw %q not after a HEAD of the same manifest", r)
			}
			prev = r
		}
	})

	digest, err := v1.NewHash(resolverstest.Push(t, s.host(), repoTags...))
	if err != nil {
		t.Fatal(err)
	}
	s.resetLog()
	return s, digest
}

func (s *testServer) host() string {
	u, err := url.Parse(s.URL)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// endpoint returns the server as a plain http registry endpoint that the
// operator configured: a mirror's, trusted.
func (s *testServer) endpoint() resolvers.Endpoint {
	return resolvers.Endpoint{Scheme: "http", Host: s.host(), Path: "/v2", Trusted: true}
}

// untrusted returns the server as a plain http endpoint named by an image
// reference.
func (s *testServer) untrusted() resolvers.Endpoint {
	return resolvers.Endpoint{Scheme: "http", Host: s.host(), Path: "/v2"}
}

func (s *testServer) setRules(rules map[string]behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, b := range rules {
		s.rules[p] = b
	}
}

func (s *testServer) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func (s *testServer) resetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.auth = nil
	s.maxInFlight = s.inFlight
}

// authorizations returns the Authorization header of each request, as
// "METHOD path: header".
func (s *testServer) authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, len(s.requests))
	for i, r := range s.requests {
		out[i] = r + ": " + s.auth[i]
	}
	return out
}

// peak returns the most requests answered at once.
func (s *testServer) peak() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInFlight
}

// counts returns how many requests were seen, by "METHOD path".
func (s *testServer) counts() map[string]int {
	c := map[string]int{}
	for _, r := range s.log() {
		c[r]++
	}
	return c
}

func (s *testServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	s.auth = append(s.auth, r.Header.Get("Authorization"))
	b := s.rules[r.URL.Path]
	s.inFlight++
	s.maxInFlight = max(s.maxInFlight, s.inFlight)
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()

	switch b {
	case serverError:
		http.Error(w, "boom", http.StatusInternalServerError)
	case tooManyRequests:
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"errors":[{"code":"TOOMANYREQUESTS"}]}`)
	case unauthorized:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`)
	case notFound:
		http.NotFound(w, r)
	case htmlPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<html><body>Please log in to the corporate proxy</body></html>")
	case hang:
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
	case redirect:
		http.Redirect(w, r, s.redirectTo+r.URL.Path, http.StatusTemporaryRedirect)
	case bearerChallenge:
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.URL+`/token",service="test"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`)
	case dropConnection:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		_ = conn.Close()
	case tokenOnce:
		s.mu.Lock()
		s.tokens++
		n := s.tokens
		s.mu.Unlock()
		if n > 1 {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token":"t0k3n"}`)
	case tokenAlways:
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"token":"t0k3n"}`)
	case hubMissing:
		repo, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/v2/"), "/manifests/")
		w.Header().Set("WWW-Authenticate", `Bearer realm="`+s.URL+`/token",service="test",scope="repository:`+repo+`:pull",error="insufficient_scope"`)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
	case hugeBody, hugeChunked:
		w.Header().Set("Content-Type", "application/vnd.oci.image.index.v1+json")
		if b == hugeBody {
			w.Header().Set("Content-Length", strconv.Itoa(hugeSize))
		}
		w.WriteHeader(http.StatusOK)
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for range hugeSize / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			_ = http.NewResponseController(w).Flush()
		}
	case basicChallenge:
		w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
		w.WriteHeader(http.StatusUnauthorized)
	case schema1:
		body := `{"schemaVersion":1,"fsLayers":[]}`
		w.Header().Set("Content-Type", "application/vnd.docker.distribution.manifest.v1+prettyjws")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Header().Set("Docker-Content-Digest", "sha256:0000000000000000000000000000000000000000000000000000000000000000")
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, body)
		}
	case charset:
		s.registry.ServeHTTP(charsetWriter{w}, r)
	default:
		if b == slow {
			time.Sleep(slowFor)
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/v2/proxy/"); ok && s.stripProxy {
			r = r.Clone(r.Context())
			r.URL.Path = "/v2/" + rest
			r.URL.RawPath = ""
		}
		s.registry.ServeHTTP(w, r)
	}
}

// charsetWriter adds "; charset=utf-8" to the Content-Type of an answer.
type charsetWriter struct{ http.ResponseWriter }

func (c charsetWriter) WriteHeader(code int) {
	if ct := c.Header().Get("Content-Type"); ct != "" {
		c.Header().Set("Content-Type", ct+"; charset=utf-8")
	}
	c.ResponseWriter.WriteHeader(code)
}

// replaceHost replaces "{host}" in s with the server's host:port.
func replaceHost(s string, srv *testServer) string {
	return strings.ReplaceAll(s, "{host}", srv.host())
}
