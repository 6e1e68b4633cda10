package mirrors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/containerd/containerd/v2/core/remotes/docker/config"
	"github.com/containerd/errdefs"
	"github.com/containerd/log"
	"github.com/sirupsen/logrus"

	"github.com/admissible/admissible/resolvers"
)

// hostList is what a node tries for one registry, in order.
type hostList struct {
	endpoints []resolvers.Endpoint
	// authoritative: the last endpoint is the registry's own answer (the
	// registry itself, or hosts.toml's server), not a mirror's.
	authoritative bool
}

// defaultDir is containerd's directory for registries without their own.
const defaultDir = "_default"

// containerdName is the registry's name as containerd spells it:
// go-containerregistry's index.docker.io is docker.io.
func containerdName(registry string) string { return normalize(registry) }

// quiet is a context whose containerd log lines are dropped: admissible
// reports what matters about hosts.toml itself (Check).
func quiet() context.Context {
	l := logrus.New()
	l.Out = io.Discard
	return log.WithLogger(context.Background(), logrus.NewEntry(l))
}

// fromContainerd returns the hosts containerd's own configuration code
// (core/remotes/docker/config, as the CRI plugin calls it) builds for
// registry, with hosts.toml read from dir when dir is not "".
func fromContainerd(registry, dir string) (hostList, error) {
	opts := config.HostOptions{}
	if dir != "" {
		opts.HostDir = config.HostDirFromRoot(dir)
	}
	name := containerdName(registry)
	hosts, err := config.ConfigureHosts(quiet(), opts)(name)
	if err != nil {
		return hostList{}, fmt.Errorf("containerd hosts for %s: %w", name, err)
	}
	upstream, _ := docker.DefaultHost(name)
	hl := hostList{authoritative: len(hosts) > 0}
	for _, h := range hosts {
		ep := resolvers.Endpoint{
			Scheme:       h.Scheme,
			Host:         h.Host,
			Path:         h.Path,
			Trusted:      h.Host != upstream,
			Capabilities: capabilities(h.Capabilities),
			Header:       canonicalHeader(h.Header),
		}
		if h.Client != nil {
			if tr, ok := h.Client.Transport.(*http.Transport); ok {
				ep.SkipVerify = tr.TLSClientConfig != nil && tr.TLSClientConfig.InsecureSkipVerify
			} else {
				// containerd wraps the transport only to fall back from
				// https to http.
				ep.HTTPFallback = true
				ep.SkipVerify = docker.IsLocalhost(h.Host)
			}
		}
		hl.endpoints = append(hl.endpoints, ep)
	}
	return hl, nil
}

func capabilities(c docker.HostCapabilities) resolvers.Capabilities {
	var out resolvers.Capabilities
	if c.Has(docker.HostCapabilityPull) {
		out |= resolvers.CapPull
	}
	if c.Has(docker.HostCapabilityResolve) {
		out |= resolvers.CapResolve
	}
	if out == resolvers.CapDefault {
		return 0
	}
	if out == 0 {
		// Neither: a push-only host, never asked for a pull. Not the zero
		// value, which means the default.
		return resolvers.Capabilities(1 << 7)
	}
	return out
}

func canonicalHeader(h http.Header) string {
	var lines []string
	for k, vs := range h {
		for _, v := range vs {
			lines = append(lines, http.CanonicalHeaderKey(k)+": "+v)
		}
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// hostDirFor returns the directory containerd reads for registry under
// root, and whether it is the _default one; "" when there is none.
func hostDirFor(root, registry string) (dir string, isDefault bool, err error) {
	dir, err = config.HostDirFromRoot(root)(containerdName(registry))
	if errdefs.IsNotFound(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return dir, filepath.Base(dir) == defaultDir, nil
}

// dirRegistry is the registry a certs.d directory name configures.
func dirRegistry(name string) string {
	if name == defaultDir {
		return wildcard
	}
	if strings.HasSuffix(name, "_") {
		if i := strings.LastIndex(name[:len(name)-1], "_"); i > 0 {
			return name[:i] + ":" + name[i+1:len(name)-1]
		}
	}
	return name
}

// hostsDirRegistries lists the registries root configures.
func hostsDirRegistries(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("containerd hosts directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, dirRegistry(e.Name()))
		}
	}
	return out, nil
}

// errNoHosts: no host may serve the reference.
var errNoHosts = errors.New("no host may serve it")
