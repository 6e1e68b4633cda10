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

// validate checks every entry, so that a bad one fails at start.
func (c Config) validate() error {
	hosts := make([]string, 0, len(c))
	for h := range c {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, host := range hosts {
		if host == "" {
			return fmt.Errorf("mirrors: empty registry name")
		}
		if _, err := fromTalos(host, c[host]); err != nil {
			return err
		}
	}
	return nil
}

// fromTalos is the host list Talos renders into hosts.toml for a mirror,
// as containerd then reads it: one [host] per endpoint, capabilities pull
// and resolve, override_path from the mirror; with skipFallback the last
// endpoint is the server line, and the registry itself is not tried;
// otherwise containerd adds the registry itself. A skipFallback mirror has
// no authoritative host: every endpoint is a mirror.
func fromTalos(registry string, m Mirror) (hostList, error) {
	if len(m.Endpoints) == 0 && m.SkipFallback {
		return hostList{}, fmt.Errorf("mirrors.%s: skipFallback without endpoints leaves nothing to pull from", registry)
	}
	var hl hostList
	for i, raw := range m.Endpoints {
		ep, err := resolvers.ParseEndpoint(raw, m.OverridePath)
		if err != nil {
			return hostList{}, fmt.Errorf("mirrors.%s.endpoints[%d]: %w", registry, i, err)
		}
		// The operator wrote this endpoint: it may be internal.
		ep.Trusted = true
		hl.endpoints = append(hl.endpoints, ep)
	}
	if m.SkipFallback || registry == wildcard {
		return hl, nil
	}
	up, err := fromContainerd(registry, "")
	if err != nil {
		return hostList{}, err
	}
	hl.endpoints = append(hl.endpoints, up.endpoints...)
	hl.authoritative = up.authoritative
	return hl, nil
}

// normalize maps every name of Docker Hub to the one used in mirror
// configurations, docker.io.
func normalize(registry string) string {
	return dockerhub.Canonical(registry)
}
