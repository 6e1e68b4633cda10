package policy

import (
	"fmt"
	"path"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers/dockerhub"
)

// Registries allows and denies registry hosts.
type Registries struct {
	allow, deny []string
}

// NewRegistries returns the policy of the allow and deny patterns; a pattern
// path.Match cannot read is an error naming it.
func NewRegistries(allow, deny []string) (*Registries, error) {
	for _, list := range []struct {
		name     string
		patterns []string
	}{{"allow", allow}, {"deny", deny}} {
		for i, p := range list.patterns {
			if p == "" {
				return nil, fmt.Errorf("%s[%d]: empty pattern", list.name, i)
			}
			if _, err := path.Match(p, ""); err != nil {
				return nil, fmt.Errorf("%s[%d] %q: %w", list.name, i, p, err)
			}
		}
	}
	return &Registries{allow: canonical(allow), deny: canonical(deny)}, nil
}

// Host is the registry host of ref as the policy matches it: docker.io for
// Docker Hub, by whichever of its names ref uses.
func Host(ref name.Reference) string {
	return dockerhub.Canonical(ref.Context().RegistryStr())
}

// canonical names Docker Hub docker.io in patterns, as Host does, so a
// pattern naming any of its aliases matches all of them.
func canonical(patterns []string) []string {
	out := make([]string, len(patterns))
	for i, p := range patterns {
		out[i] = dockerhub.Canonical(p)
	}
	return out
}

// Refusal says why images of host are refused, or is "" when they are not.
// A nil policy refuses nothing.
func (r *Registries) Refusal(host string) string {
	if r == nil {
		return ""
	}
	for _, p := range r.deny {
		if ok, _ := path.Match(p, host); ok {
			return fmt.Sprintf("registry %s is denied by registries.deny (%q)", host, p)
		}
	}
	if len(r.allow) == 0 {
		return ""
	}
	for _, p := range r.allow {
		if ok, _ := path.Match(p, host); ok {
			return ""
		}
	}
	return fmt.Sprintf("registry %s is not allowed by registries.allow", host)
}
