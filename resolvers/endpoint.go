package resolvers

import (
	"fmt"
	"net/url"
	pathpkg "path"
	"strings"

	"github.com/admissible/admissible/resolvers/dockerhub"
)

// Endpoint is one base URL a node's container runtime may pull from.
type Endpoint struct {
	// Scheme is "https" or "http".
	Scheme string `json:"scheme"`
	// Host is host[:port].
	Host string `json:"host"`
	// Path replaces "/v2" in registry API paths: "/v2" for a plain registry,
	// "/v2/proxy-project" for a Harbor proxy cache reached with overridePath,
	// "/prefix/v2" for an endpoint with a path and no overridePath.
	Path string `json:"path"`
	// Trusted is true for an endpoint the operator configured (a mirror):
	// it is asked whatever address its host resolves to. Other endpoints
	// come from image references that anyone who can create a pod writes,
	// and the registry client refuses to contact internal addresses for
	// them.
	Trusted bool `json:"trusted,omitempty"`
	// Capabilities are what containerd may ask of the host (hosts.toml
	// "capabilities"); the zero value is containerd's default, pull and
	// resolve.
	Capabilities Capabilities `json:"capabilities,omitempty"`
	// HTTPFallback asks over https first and, when the host answers in
	// plain HTTP, over http: containerd's rule for a loopback registry with
	// a port, and for an http host with TLS settings.
	HTTPFallback bool `json:"httpFallback,omitempty"`
	// SkipVerify does not verify the host's certificate (hosts.toml
	// "skip_verify").
	SkipVerify bool `json:"skipVerify,omitempty"`
	// Header holds the extra request headers of hosts.toml "header", one
	// "Name: value" per line, sorted, so that an Endpoint stays comparable.
	Header string `json:"header,omitempty"`
}

// Capabilities are the operations containerd asks of a host, as in
// hosts.toml.
type Capabilities uint8

const (
	// CapPull: the host serves content by digest.
	CapPull Capabilities = 1 << iota
	// CapResolve: the host resolves tags.
	CapResolve
	// CapDefault is what a host may do when hosts.toml does not say.
	CapDefault = CapPull | CapResolve
)

// Has reports whether every capability of want is in c; the zero value has
// containerd's default ones.
func (c Capabilities) Has(want Capabilities) bool {
	if c == 0 {
		c = CapDefault
	}
	return c&want == want
}

// MarshalText renders the capabilities as hosts.toml names them.
func (c Capabilities) MarshalText() ([]byte, error) {
	var names []string
	if c.Has(CapPull) {
		names = append(names, "pull")
	}
	if c.Has(CapResolve) {
		names = append(names, "resolve")
	}
	return []byte(strings.Join(names, ",")), nil
}

// Upstream returns the endpoint of a registry itself, the last one a node
// tries. Docker Hub, by any of its names, means registry-1.docker.io.
// The host comes from an image reference, so the endpoint is not Trusted.
func Upstream(registry string) Endpoint {
	host := registry
	if dockerhub.Is(host) {
		host = dockerhub.APIHost
	}
	return Endpoint{Scheme: "https", Host: host, Path: "/v2"}
}

// ParseEndpoint reads a mirror endpoint URL the way containerd's hosts.toml
// does: a URL without a scheme is https; with overridePath the URL path is
// used as is, otherwise "/v2" is appended to it unless it already ends in
// "/v2".
func ParseEndpoint(raw string, overridePath bool) (Endpoint, error) {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Endpoint{}, fmt.Errorf("endpoint %q: %w", raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return Endpoint{}, fmt.Errorf("endpoint %q: scheme must be http or https", raw)
	}
	if u.Host == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q: no host", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("endpoint %q: query and fragment are not allowed", raw)
	}
	path := u.Path
	if path != "" {
		path = pathpkg.Clean(path)
	}
	path = strings.TrimSuffix(path, "/")
	if !overridePath && !strings.HasSuffix(path, "/v2") {
		path += "/v2"
	}
	return Endpoint{Scheme: u.Scheme, Host: u.Host, Path: path}, nil
}

// String renders the endpoint compactly: the bare host for an https
// registry at /v2, the URL otherwise.
func (e Endpoint) String() string {
	if e.Scheme == "https" && e.Path == "/v2" && e.Host != "" {
		return e.Host
	}
	return e.Scheme + "://" + e.Host + e.Path
}
