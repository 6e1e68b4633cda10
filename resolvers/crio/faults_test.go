package crio_test

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fault is how one loopback host of the differential test behaves.
type fault string

const (
	good    fault = "good"    // a registry that holds the image
	missing fault = "404"     // a registry that does not
	e500    fault = "500"     // 500 to every request
	auth401 fault = "401"     // a pull token, then 401: Docker Hub's answer for a missing repository
	dead    fault = "dead"    // nothing listens
	hang    fault = "hang"    // accepts connections, never answers
	unused  fault = "unused"  // holds the image, and must not be asked
	secure  fault = "https?"  // holds the image over plain http, named without insecure
	blocked fault = "blocked" // holds the image, blocked in registries.conf
)

// world is the loopback hosts of one case behind one HTTP proxy that maps
// host names (without ports) to them, so that both containers/image and
// admissible reach "reg.test" and "a.example.test" as a node would reach
// real hosts. The proxy tunnels CONNECT (https attempts meet a plain-http
// server and fail as against a real one) and forwards plain http.
type world struct {
	t        *testing.T
	proxyURL *url.URL
	backends map[string]string

	mu    sync.Mutex
	asked map[string]bool
	conns []net.Conn
}

func newWorld(t *testing.T) *world {
	w := &world{t: t, backends: map[string]string{}, asked: map[string]bool{}}
	forward := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme = "http"
			pr.Out.URL.Host = w.backends[pr.In.URL.Hostname()]
			pr.Out.Host = pr.In.Host
		},
		Transport: &http.Transport{},
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host := r.URL.Hostname()
		w.mu.Lock()
		w.asked[host] = true
		backend, ok := w.backends[host]
		w.mu.Unlock()
		if !ok {
			http.Error(rw, "unknown host "+host, http.StatusBadGateway)
			return
		}
		if r.Method != http.MethodConnect {
			forward.ServeHTTP(rw, r)
			return
		}
		up, err := net.DialTimeout("tcp", backend, time.Second)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadGateway)
			return
		}
		down, _, err := rw.(http.Hijacker).Hijack()
		if err != nil {
			up.Close()
			return
		}
		w.track(up, down)
		if _, err := io.WriteString(down, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			return
		}
		go func() { _, _ = io.Copy(up, down); up.Close() }()
		go func() { _, _ = io.Copy(down, up); down.Close() }()
	}))
	t.Cleanup(func() {
		srv.Close()
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, c := range w.conns {
			c.Close()
		}
	})
	w.proxyURL, _ = url.Parse(srv.URL)
	return w
}

func (w *world) track(conns ...net.Conn) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.conns = append(w.conns, conns...)
}

// takeAsked returns the hosts asked through the proxy since the last call.
func (w *world) takeAsked() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	asked := w.asked
	w.asked = map[string]bool{}
	return asked
}

// add starts host with fault f; a host that holds the image gets img at
// each of repos, tagged v1.
func (w *world) add(host string, f fault, img v1.Image, repos []string) {
	t := w.t
	var addr string
	switch f {
	case dead:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
	case hang:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				w.track(c)
			}
		}()
		t.Cleanup(func() { l.Close() })
		addr = l.Addr().String()
	case e500:
		addr = serve(t, http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			rw.WriteHeader(http.StatusInternalServerError)
		}))
	case auth401:
		addr = serve(t, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/token" {
				fmt.Fprint(rw, `{"token":"t","access_token":"t"}`)
				return
			}
			challenge := `Bearer realm="http://` + host + `/token",service="test"`
			if strings.Contains(r.URL.Path, "/manifests/") {
				challenge += `,scope="repository:x:pull"`
			}
			rw.Header().Set("WWW-Authenticate", challenge)
			rw.WriteHeader(http.StatusUnauthorized)
		}))
	default:
		addr = serve(t, ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
		if f != missing {
			for _, repo := range repos {
				ref, err := name.ParseReference(addr+"/"+repo+":v1", name.Insecure)
				if err != nil {
					t.Fatal(err)
				}
				if err := remote.Write(ref, img); err != nil {
					t.Fatalf("push %s: %v", ref, err)
				}
			}
		}
	}
	w.mu.Lock()
	w.backends[host] = addr
	w.mu.Unlock()
}

// serve starts h on loopback until the test ends and returns its address.
func serve(t *testing.T, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
