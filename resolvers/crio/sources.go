package crio

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/sysregistriesv2"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/dockerhub"
)

// Source is one place CRI-O pulls a reference from, as registries.conf
// says: the mirrors that apply, in order, then the registry's own location.
type Source struct {
	// Endpoint is where the requests go: https, or https then plain http
	// for an insecure source (HTTPFallback, SkipVerify).
	Endpoint resolvers.Endpoint
	// Reference is the reference asked there, once the entry's location
	// replaced its prefix ("mirror.example/quay/ceph/ceph:v17").
	Reference string
	// Mirror is false for the registry's own location, tried last.
	Mirror bool
	// Blocked, when not empty, says why CRI-O does not contact the source:
	// the entry that matches Reference is blocked.
	Blocked string
	// NamespaceProxy is the entry's namespace-proxy: CRI-O adds
	// "?ns=<value>" to every request, which admissible cannot send, so it
	// does not ask such a source.
	NamespaceProxy string

	// ref is Reference for the registry client; nil when Blocked.
	ref name.Reference
	// sameDomain: Reference is on the looked-up reference's own registry,
	// the only one a pod's pull secret goes to.
	sameDomain bool
}

// Sources returns, in order, where CRI-O pulls ref from.
func (r *Resolver) Sources(ref name.Reference) ([]Source, error) {
	logical, err := logicalRef(ref)
	if err != nil {
		return nil, err
	}
	return r.sources(logical, false)
}

// logicalRef turns a go-containerregistry reference into the reference
// CRI-O pulls: the digest alone when there is one, as CRI-O strips a tag
// written with a digest.
func logicalRef(ref name.Reference) (reference.Named, error) {
	s := ref.Context().Name()
	switch r := ref.(type) {
	case name.Digest:
		s += "@" + r.DigestStr()
	case name.Tag:
		s += ":" + r.TagStr()
	}
	named, err := reference.ParseNormalizedNamed(s)
	if err != nil {
		return nil, fmt.Errorf("reference %s: %w", s, err)
	}
	return named, nil
}

// sources applies registries.conf to logical (containers/image's
// docker.newImageSource): the entry with the longest matching prefix, its
// pull sources for a tag or a digest, and for each source the entry that
// matches the rewritten reference, which may block it. trustAll marks every
// endpoint Trusted: the configuration chose the registry (a short name's
// candidate), not the pod. Otherwise an endpoint is Trusted when
// registries.conf moved the reference to another host.
func (r *Resolver) sources(logical reference.Named, trustAll bool) ([]Source, error) {
	reg, err := sysregistriesv2.FindRegistry(r.sys, logical.Name())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.files, err)
	}
	if reg == nil {
		// No entry: the reference itself, as containers/image does.
		reg = &sysregistriesv2.Registry{
			Endpoint: sysregistriesv2.Endpoint{Location: logical.String()},
			Prefix:   logical.String(),
		}
	}
	pulls, err := reg.PullSourcesFromReference(logical)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.files, err)
	}
	domain := reference.Domain(logical)
	out := make([]Source, 0, len(pulls))
	for i, p := range pulls {
		host := reference.Domain(p.Reference)
		s := Source{
			Endpoint:       endpoint(host, p.Endpoint.Insecure),
			Reference:      p.Reference.String(),
			Mirror:         i < len(pulls)-1,
			NamespaceProxy: p.Endpoint.NamespaceProxy,
			sameDomain:     host == domain,
		}
		s.Endpoint.Trusted = trustAll || host != domain
		// containers/image's newDockerClient: the entry of the source's
		// own reference decides whether it is blocked.
		own, err := sysregistriesv2.FindRegistry(r.sys, p.Reference.Name())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.files, err)
		}
		if own != nil && own.Blocked {
			s.Blocked = fmt.Sprintf("not contacted: registry %s is blocked in %s", own.Prefix, r.files)
			out = append(out, s)
			continue
		}
		if s.ref, err = name.ParseReference(s.Reference); err != nil {
			return nil, fmt.Errorf("%s rewritten by %s: %w", logical, r.files, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// endpoint is where containers/image sends the requests for a host:
// docker.io means registry-1.docker.io; an insecure source is asked
// without verifying certificates, and over plain http when https fails.
func endpoint(host string, insecure bool) resolvers.Endpoint {
	if host == dockerhub.Name {
		host = dockerhub.APIHost
	}
	return resolvers.Endpoint{Scheme: "https", Host: host, Path: "/v2", SkipVerify: insecure, HTTPFallback: insecure}
}

// repository is the repository part of a reference string, for attempts.
func (s Source) repository() string {
	if s.ref != nil {
		return s.ref.Context().RepositoryStr()
	}
	if named, err := reference.ParseNormalizedNamed(s.Reference); err == nil {
		return reference.Path(named)
	}
	return s.Reference
}
