package harness

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is a real OCI registry over HTTP on loopback, in memory.
type Registry struct {
	srv *httptest.Server
	// Host is host:port of the registry.
	Host string
	// URL is http://host:port.
	URL string

	// user and password, when set, are required by every request (Basic).
	user, password string

	mu       sync.Mutex
	requests map[string]int
	users    map[string]int
}

// StartRegistry starts an empty registry.
func StartRegistry() *Registry { return startRegistry("", "") }

// StartPrivateRegistry starts an empty registry that answers 401 with a
// Basic challenge to every request without user and password.
func StartPrivateRegistry(user, password string) *Registry { return startRegistry(user, password) }

func startRegistry(user, password string) *Registry {
	r := &Registry{requests: map[string]int{}, users: map[string]int{}, user: user, password: password}
	inner := registry.New(registry.Logger(nopLogger()))
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		u, p, hasAuth := req.BasicAuth()
		r.mu.Lock()
		r.requests[req.Method+" "+req.URL.Path]++
		if hasAuth {
			r.users[u]++
		}
		r.mu.Unlock()
		if r.user != "" && (u != r.user || p != r.password) {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		inner.ServeHTTP(w, req)
	}))
	r.URL = r.srv.URL
	r.Host = strings.TrimPrefix(r.srv.URL, "http://")
	return r
}

// Close stops the registry.
func (r *Registry) Close() { r.srv.Close() }

// Requests returns how often "METHOD /path" was asked.
func (r *Registry) Requests(methodPath string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.requests[methodPath]
}

// Counts is what a registry was asked.
type Counts struct {
	// Pings are GET /v2/ requests.
	Pings int
	// Manifests are requests for a manifest, by tag or digest.
	Manifests int
	// All counts every request.
	All int
}

// Count returns what the registry was asked so far.
func (r *Registry) Count() Counts {
	r.mu.Lock()
	defer r.mu.Unlock()
	var c Counts
	for k, n := range r.requests {
		c.All += n
		_, path, _ := strings.Cut(k, " ")
		switch {
		case path == "/v2/":
			c.Pings += n
		case strings.Contains(path, "/manifests/"):
			c.Manifests += n
		}
	}
	return c
}

// Users returns how many requests carried Basic credentials of user.
func (r *Registry) Users(user string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.users[user]
}

// Push stores a small random image at repo:tag and returns its digest.
func (r *Registry) Push(repo, tag string) (string, error) {
	return push(r.Host, repo, tag, r.options())
}

// options are the remote options writing to r: its credentials.
func (r *Registry) options() []remote.Option {
	if r.user == "" {
		return nil
	}
	return []remote.Option{remote.WithAuth(&authn.Basic{Username: r.user, Password: r.password})}
}

// push stores a small random image at host/repo:tag over HTTP.
func push(host, repo, tag string, opts []remote.Option) (string, error) {
	img, err := random.Image(256, 1)
	if err != nil {
		return "", err
	}
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", host, repo, tag), name.Insecure)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, opts...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// Fault is how a FaultyServer answers every request.
type Fault string

// Faults a FaultyServer can play.
const (
	FaultServerError Fault = "500"  // 500 Internal Server Error
	FaultRateLimit   Fault = "429"  // 429 TOOMANYREQUESTS
	FaultHang        Fault = "hang" // no answer until the client gives up
	FaultHTML        Fault = "html" // 200 with an HTML page
)

// StartFaultyServer starts a server that answers every request with f.
func StartFaultyServer(f Fault) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch f {
		case FaultServerError:
			http.Error(w, "internal error", http.StatusInternalServerError)
		case FaultRateLimit:
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"errors":[{"code":"TOOMANYREQUESTS","message":"rate limit exceeded"}]}`)
		case FaultHang:
			<-req.Context().Done()
		case FaultHTML:
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html><body>Welcome</body></html>")
		}
	}))
}

// ServeLoopback serves s on a free loopback port and returns its host:port.
func ServeLoopback(s *http.Server) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go func() { _ = s.Serve(l) }()
	return l.Addr().String()
}

// PushTags stores one small random image under every tag of repo: the
// image once, then a tag per manifest write.
func (r *Registry) PushTags(repo string, tags ...string) error {
	if len(tags) == 0 {
		return nil
	}
	if _, err := r.Push(repo, tags[0]); err != nil {
		return err
	}
	src, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.Host, repo, tags[0]), name.Insecure)
	if err != nil {
		return err
	}
	opts := r.options()
	desc, err := remote.Get(src, opts...)
	if err != nil {
		return err
	}
	for _, tag := range tags[1:] {
		if err := remote.Tag(src.Context().Tag(tag), desc, opts...); err != nil {
			return fmt.Errorf("tag %s: %w", tag, err)
		}
	}
	return nil
}
