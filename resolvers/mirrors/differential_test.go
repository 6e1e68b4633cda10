package mirrors_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/errdefs"
	"github.com/containerd/log"
	"github.com/sirupsen/logrus"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/registry"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// The differential: containerd v2's own resolver (core/remotes/docker with
// core/remotes/docker/config, as the CRI plugin builds it for a kubelet
// pull) and admissible's walk, over the same hosts.toml (or the hosts.toml
// Talos renders for a mirrors entry) and the same loopback fault
// registries. docs/design.md ("Agreement with containerd") says what it
// covers; BENCHMARKS.md lists the figures
// and the disagreements this test allows.

// fault is how one loopback registry behaves.
type fault string

const (
	good         fault = "good"
	missing      fault = "404"
	dead         fault = "dead"
	e500         fault = "500"
	e429         fault = "429"
	auth401      fault = "401-token" // Docker Hub's answer for a missing repository
	html200      fault = "html-200"
	redirectGood fault = "redirect-good"
	redirectHTML fault = "redirect-html"
	head405      fault = "head-405"
	noDigest     fault = "head-no-digest"
	ping404      fault = "ping-404"
)

var allFaults = []fault{good, missing, dead, e500, e429, auth401, html200, redirectGood, redirectHTML, head405, noDigest, ping404}

const (
	repo       = "org/app"
	tag        = "v1"
	manifestMT = "application/vnd.oci.image.manifest.v1+json"
)

var (
	manifest       = []byte(`{"schemaVersion":2,"mediaType":"` + manifestMT + `","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}`)
	manifestDigest = func() string { s := sha256.Sum256(manifest); return "sha256:" + hex.EncodeToString(s[:]) }()
)

// serve starts a loopback registry with fault f, serving under prefix
// (the API root: "/v2", or "/v2/proxy" for an override_path server);
// other holds the good and HTML registries redirects go to.
func serve(t *testing.T, f fault, prefix string, other map[fault]string) string {
	t.Helper()
	if f == dead {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		return addr
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/token" {
			fmt.Fprint(w, `{"token":"t"}`)
			return
		}
		if p == prefix+"/" || p == prefix {
			switch f {
			case ping404:
				http.NotFound(w, r)
			case auth401:
				w.Header().Set("WWW-Authenticate", `Bearer realm="`+srv.URL+`/token",service="test"`)
				w.WriteHeader(http.StatusUnauthorized)
			}
			return
		}
		rest, ok := strings.CutPrefix(p, prefix+"/"+repo+"/manifests/")
		if !ok || (rest != tag && rest != manifestDigest) {
			http.NotFound(w, r)
			return
		}
		writeManifest := func(digestHeader bool) {
			w.Header().Set("Content-Type", manifestMT)
			w.Header().Set("Content-Length", strconv.Itoa(len(manifest)))
			if digestHeader {
				w.Header().Set("Docker-Content-Digest", manifestDigest)
			}
			if r.Method == http.MethodGet {
				_, _ = w.Write(manifest)
			}
		}
		switch f {
		case good, ping404:
			writeManifest(true)
		case missing:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"errors":[{"code":"MANIFEST_UNKNOWN"}]}`)
		case e500:
			w.WriteHeader(http.StatusInternalServerError)
		case e429:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case auth401:
			w.Header().Set("WWW-Authenticate", `Bearer realm="`+srv.URL+`/token",service="test",scope="repository:`+repo+`:pull"`)
			w.WriteHeader(http.StatusUnauthorized)
		case html200:
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Welcome</body></html>")
		case redirectGood:
			http.Redirect(w, r, "http://"+other[good]+"/v2/"+repo+"/manifests/"+rest, http.StatusTemporaryRedirect)
		case redirectHTML:
			http.Redirect(w, r, "http://"+other[html200]+"/", http.StatusFound)
		case head405:
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			writeManifest(true)
		case noDigest:
			writeManifest(false)
		}
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// outcome is what containerd's pull gets.
type outcome string

const (
	cdPulls    outcome = "pulls"
	cdNotFound outcome = "not found"
	cdFails    outcome = "fails (other error)"
)

// layout is one shape of mirror configuration.
type layout string

const (
	fallback      layout = "hosts.toml [host], then the registry"
	serverLine    layout = "hosts.toml [host], then server"
	serverPath    layout = "hosts.toml server with a path and top-level override_path"
	talosFallback layout = "Talos mirror, then the registry"
	talosSkip     layout = "Talos mirror with skipFallback"
	pullOnly      layout = "hosts.toml [host] with capabilities [pull]"
	tolerated     layout = "hosts.toml with an unknown key"
	unparsable    layout = "hosts.toml that does not parse"
)

type diffCase struct {
	layout layout
	// mirror is the first host's fault, last is the registry's (or
	// server's, or for skipFallback the last mirror's) fault.
	mirror, last fault
	digest       bool
	// dirName: "colon" writes the host:port directory, else host_port_.
	colon bool
}

func (c diffCase) String() string {
	ref := "tag"
	if c.digest {
		ref = "digest"
	}
	return fmt.Sprintf("%s/mirror=%s/last=%s/%s", c.layout, c.mirror, c.last, ref)
}

func matrix() []diffCase {
	var out []diffCase
	for i, m := range allFaults {
		for _, u := range []fault{good, missing, dead, e500, auth401} {
			out = append(out, diffCase{layout: fallback, mirror: m, last: u, colon: i%2 == 1})
		}
		out = append(out, diffCase{layout: fallback, mirror: m, last: missing, digest: true})
		for _, s := range []fault{good, missing, dead} {
			out = append(out, diffCase{layout: serverLine, mirror: m, last: s, colon: i%2 == 0})
		}
	}
	for _, m := range []fault{missing, dead} {
		for _, s := range []fault{good, missing, dead} {
			out = append(out, diffCase{layout: serverPath, mirror: m, last: s})
		}
	}
	for _, m := range []fault{good, missing, dead, html200} {
		for _, u := range []fault{good, missing, dead} {
			out = append(out, diffCase{layout: talosFallback, mirror: m, last: u})
		}
	}
	for _, m := range []fault{good, missing, dead} {
		for _, l := range []fault{good, missing, dead, e500} {
			out = append(out, diffCase{layout: talosSkip, mirror: m, last: l})
		}
	}
	for _, m := range []fault{good, missing} {
		for _, u := range []fault{good, missing} {
			for _, d := range []bool{false, true} {
				out = append(out, diffCase{layout: pullOnly, mirror: m, last: u, digest: d})
			}
		}
	}
	for _, l := range []layout{tolerated, unparsable} {
		for _, u := range []fault{good, missing} {
			out = append(out, diffCase{layout: l, mirror: good, last: u})
		}
	}
	return out
}

// setup starts the registries of c and returns the reference, the
// certs.d directory and admissible's mirrors configuration (Talos).
func (c diffCase) setup(t *testing.T) (ref, dir string, cfg mirrors.Config) {
	other := map[fault]string{good: serve(t, good, "/v2", nil), html200: serve(t, html200, "/v2", nil)}
	m := serve(t, c.mirror, "/v2", other)
	lastPrefix := "/v2"
	if c.layout == serverPath {
		lastPrefix = "/v2/proxy"
	}
	last := serve(t, c.last, lastPrefix, other)
	registryHost := last
	if c.layout == serverLine || c.layout == serverPath || c.layout == talosSkip {
		// The registry itself is never asked.
		registryHost = "registry.test:5000"
	}
	ref = registryHost + "/" + repo + ":" + tag
	if c.digest {
		ref = registryHost + "/" + repo + "@" + manifestDigest
	}
	dirName := strings.Replace(registryHost, ":", "_", 1) + "_"
	if c.colon {
		dirName = registryHost
	}
	var file string
	switch c.layout {
	case fallback:
		file = fmt.Sprintf("[host.\"http://%s\"]\n", m)
	case serverLine:
		file = fmt.Sprintf("server = \"http://%s\"\n\n[host.\"http://%s\"]\n", last, m)
	case serverPath:
		file = fmt.Sprintf("server = \"http://%s/v2/proxy\"\noverride_path = true\n\n[host.\"http://%s\"]\n", last, m)
	case pullOnly:
		file = fmt.Sprintf("[host.\"http://%s\"]\n  capabilities = [\"pull\"]\n", m)
	case tolerated:
		file = fmt.Sprintf("[host.\"http://%s\"]\n  capabilities = [\"pull\", \"resolve\"]\n  mirror_timeout = \"5s\"\n", m)
	case unparsable:
		file = fmt.Sprintf("[host.\"http://%s\"\n", m)
	case talosFallback, talosSkip:
		// admissible reads the Talos configuration; containerd reads
		// what Talos renders from it (hosts.go in siderolabs/talos).
		mirror := mirrors.Mirror{Endpoints: []string{"http://" + m}}
		file = fmt.Sprintf("[host]\n  [host.\"http://%s\"]\n    capabilities = [\"pull\", \"resolve\"]\n", m)
		if c.layout == talosSkip {
			mirror.Endpoints = append(mirror.Endpoints, "http://"+last)
			mirror.SkipFallback = true
			file = fmt.Sprintf("server = \"http://%s\"\ncapabilities = [\"pull\", \"resolve\"]\n", last) + file
		}
		cfg = mirrors.Config{registryHost: mirror}
	}
	dir = t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, dirName), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, dirName, "hosts.toml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	return ref, dir, cfg
}

// authoritativeNotFound: an answer exists that the image does not exist:
// the registry's own host (or hosts.toml's server) answers 404 or 401 with
// a pull token, or every host asked answers 404.
func (c diffCase) authoritativeNotFound() bool {
	lastIsAuthority := c.layout != talosSkip
	mirrorAsked := c.layout != unparsable && !(c.layout == pullOnly && !c.digest)
	if lastIsAuthority && (c.last == missing || c.last == auth401) {
		return true
	}
	return c.last == missing && (!mirrorAsked || c.mirror == missing)
}

func containerdPull(t *testing.T, ref, dir string) (outcome, string) {
	l := logrus.New()
	l.Out = nopWriter{}
	ctx := log.WithLogger(context.Background(), logrus.NewEntry(l))
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	r := docker.NewResolver(docker.ResolverOptions{
		Hosts: config.ConfigureHosts(ctx, config.HostOptions{HostDir: config.HostDirFromRoot(dir)}),
	})
	_, desc, err := r.Resolve(ctx, ref)
	switch {
	case err == nil && (images.IsManifestType(desc.MediaType) || images.IsIndexType(desc.MediaType)):
		return cdPulls, desc.Digest.String()
	case err == nil:
		return cdFails, "resolved to " + desc.MediaType + ": the pull fails"
	case errdefs.IsNotFound(err):
		return cdNotFound, err.Error()
	default:
		return cdFails, err.Error()
	}
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

// allowed is why admissible may answer differently from the expectation,
// "" when it may not.
func allowed(c diffCase, cd outcome, got resolvers.Verdict) string {
	switch {
	case cd == cdFails && got == resolvers.NotFound && c.authoritativeNotFound() && c.last == auth401:
		return "registry answers 401 to a pull token: containerd says \"pull access denied\", admissible refuses (not found or not allowed)"
	case cd == cdFails && got == resolvers.NotFound && c.authoritativeNotFound():
		return "a mirror failed (5xx, 429, 401), the registry answers 404: containerd reports the mirror's error, admissible refuses (the registry is authoritative)"
	case cd == cdNotFound && got == resolvers.NotFound && c.authoritativeNotFound():
		return ""
	}
	return ""
}

func TestDifferentialContainerd(t *testing.T) {
	cases := matrix()
	if len(cases) < 100 {
		t.Fatalf("matrix has %d cases, want at least 100", len(cases))
	}
	type tally struct{ agree, total int }
	byClass := map[outcome]*tally{cdPulls: {}, cdNotFound: {}, cdFails: {}}
	disagreements := map[string]int{}
	for _, c := range cases {
		t.Run(c.String(), func(t *testing.T) {
			ref, dir, cfg := c.setup(t)
			cd, cdDetail := containerdPull(t, ref, dir)

			chain, err := mirrors.New(cfg, registry.New(
				registry.WithTimeout(10*time.Second),
				registry.WithAllowedNetworks(netip.MustParsePrefix("127.0.0.0/8")),
			), mirrors.WithHostsDir(dirFor(c, dir)))
			if err != nil {
				t.Fatalf("admissible refused to start where the node cdPulls: %v", err)
			}
			res := chain.Resolve(t.Context(), resolvers.Query{Ref: resolverstest.MustRef(t, ref)})

			var want resolvers.Verdict
			switch {
			case cd == cdPulls:
				want = resolvers.Found
			case cd == cdNotFound && c.authoritativeNotFound():
				want = resolvers.NotFound
			default:
				want = resolvers.Undetermined
			}
			tl := byClass[cd]
			tl.total++
			if res.Verdict == want {
				tl.agree++
				return
			}
			switch {
			case cd == cdPulls && res.Verdict == resolvers.NotFound:
				t.Errorf("FALSE REFUSAL: containerd cdPulls (%s), admissible refuses: %s", cdDetail, res.Summary())
			case cd != cdPulls && res.Verdict == resolvers.Found:
				t.Errorf("SILENT ADMIT: containerd %s (%s), admissible admits: %s", cd, cdDetail, res.Summary())
			default:
				reason := allowed(c, cd, res.Verdict)
				if reason == "" {
					t.Errorf("containerd %s (%s), admissible %s, want %s: %s", cd, cdDetail, res.Verdict, want, res.Summary())
					return
				}
				disagreements[reason]++
			}
		})
	}
	classes := []outcome{cdPulls, cdNotFound, cdFails}
	total := 0
	for _, cl := range classes {
		t.Logf("containerd %-20s admissible agrees on %d/%d", cl, byClass[cl].agree, byClass[cl].total)
		total += byClass[cl].total
	}
	var reasons []string
	for r := range disagreements {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		t.Logf("allowed disagreement (%d): %s", disagreements[r], r)
	}
	t.Logf("%d configurations", total)
}

// dirFor is the certs.d admissible reads: for Talos layouts admissible
// reads the Talos configuration instead.
func dirFor(c diffCase, dir string) string {
	if c.layout == talosFallback || c.layout == talosSkip {
		return ""
	}
	return dir
}
