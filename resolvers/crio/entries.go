package crio

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
)

// Entry is one [[registry]] entry of the configuration and the sources a
// node would try, in order, for a sample reference below its prefix: what
// "admissible mirrors check" probes.
type Entry struct {
	// Prefix is the entry's prefix ("quay.io", "quay.io/ceph").
	Prefix string
	// Sample is the reference looked up below the prefix.
	Sample string
	// Sources are where a node would pull Sample from, in order.
	Sources []Source
	// Skipped says why the entry is not probed (a "*.domain" prefix names
	// no registry to ask).
	Skipped string
}

// Entries returns the configuration's entries, each with the sources of
// sample(prefix), a reference below the prefix.
func (r *Resolver) Entries(sample func(prefix string) string) ([]Entry, error) {
	regs, err := sysregistriesv2.GetRegistries(r.sys)
	if err != nil {
		return nil, fmt.Errorf("crio: %s: %w", r.files, err)
	}
	var out []Entry
	for _, reg := range regs {
		e := Entry{Prefix: reg.Prefix}
		if strings.HasPrefix(reg.Prefix, "*.") {
			e.Skipped = "a wildcard prefix names no registry to ask"
			out = append(out, e)
			continue
		}
		e.Sample = sample(reg.Prefix)
		ref, err := name.ParseReference(e.Sample)
		if err != nil {
			return nil, fmt.Errorf("crio: sample %q of %s: %w", e.Sample, reg.Prefix, err)
		}
		if e.Sources, err = r.Sources(ref); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Repository returns the repository and tag (or digest) a source asks its
// endpoint for.
func (s Source) Repository() (repository, tagOrDigest string) {
	rest := s.Reference
	if i := strings.Index(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	}
	if repo, digest, ok := strings.Cut(rest, "@"); ok {
		return repo, digest
	}
	if i := strings.LastIndex(rest, ":"); i >= 0 {
		return rest[:i], rest[i+1:]
	}
	return rest, "latest"
}
