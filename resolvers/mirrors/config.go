package mirrors

import (
	"fmt"
	"sort"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/dockerhub"
)

// Config maps a registry host ("docker.io", "quay.io", "*") to its mirror, in
// the shape of Talos' machine.registries.mirrors.
type Config map[string]Mirror

// Mirror is one registry's mirror configuration.
type Mirror struct {
	// Endpoints are tried in order.
	Endpoints []string `json:"endpoints"`
	// OverridePath uses each endpoint URL as the full API base.
	OverridePath bool `json:"overridePath,omitempty"`
	// SkipFallback stops the walk after the endpoints, without trying the
	// registry itself.
	SkipFallback bool `json:"skipFallback,omitempty"`
}

// wildcard is the key whose mirror applies to every registry without one.
const wildcard = "*"

// route is a mirror with its endpoints parsed.
type route struct {
	endpoints    []resolvers.Endpoint
	skipFallback bool
	// server replaces the upstream registry as the last endpoint
	// (containerd's hosts.toml "server").
	server *resolvers.Endpoint
}

// parse validates the configuration and returns routes by registry host.
func (c Config) parse() (map[string]route, error) {
	hosts := make([]string, 0, len(c))
	for h := range c {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	routes := make(map[string]route, len(c))
	for _, host := range hosts {
		m := c[host]
		if host == "" {
			return nil, fmt.Errorf("mirrors: empty registry name")
		}
		if len(m.Endpoints) == 0 && m.SkipFallback {
			return nil, fmt.Errorf("mirrors.%s: skipFallback without endpoints leaves nothing to pull from", host)
		}
		r := route{skipFallback: m.SkipFallback}
		for i, raw := range m.Endpoints {
			ep, err := resolvers.ParseEndpoint(raw, m.OverridePath)
			if err != nil {
				return nil, fmt.Errorf("mirrors.%s.endpoints[%d]: %w", host, i, err)
			}
			// The operator wrote this endpoint: it may be internal.
			ep.Trusted = true
			r.endpoints = append(r.endpoints, ep)
		}
		routes[normalize(host)] = r
	}
	return routes, nil
}

// normalize maps every name of Docker Hub to the one used in mirror
// configurations, docker.io.
func normalize(registry string) string {
	return dockerhub.Canonical(registry)
}
