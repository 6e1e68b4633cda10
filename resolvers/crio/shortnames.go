package crio

import (
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"

	"github.com/admissible/admissible/resolvers"
)

// candidateSet is what CRI-O pulls for a query: one reference, or the
// candidates of a short name in order.
type candidateSet struct {
	names []reference.Named
	// short: names are a short name's candidates, chosen by the
	// configuration.
	short bool
	// description says where the candidates come from (an alias, the
	// unqualified-search registries of a file), for messages.
	description string
	// refused is CRI-O's reason to refuse the short name without pulling.
	refused string
}

// candidates returns what CRI-O pulls for q. Only q.Written can be a short
// name (no registry: "nginx", "myorg/app:v1"); without it, q.Ref is pulled
// as it is.
//
// A short name is resolved by containers/image's pkg/shortnames, always in
// mode disabled, which never prompts: an alias (registries.conf [aliases],
// drop-ins included) is the one candidate; otherwise each
// unqualified-search registry in order. In mode enforcing CRI-O refuses a
// short name with more than one candidate, which the library would prompt
// for on a terminal: that one rule is applied here, with CRI-O's words.
func (r *Resolver) candidates(q resolvers.Query) (candidateSet, error) {
	if q.Written == "" || !shortnames.IsShortName(q.Written) {
		named, err := logicalRef(q.Ref)
		if err != nil {
			return candidateSet{}, err
		}
		return candidateSet{names: []reference.Named{named}}, nil
	}
	sys := *r.sys
	disabled := types.ShortNameModeDisabled
	sys.ShortNameMode = &disabled
	resolved, err := shortnames.Resolve(&sys, q.Written)
	if err != nil {
		// With no alias, the library fails when there is no search
		// registry: CRI-O then refuses every short name.
		if search, serr := sysregistriesv2.UnqualifiedSearchRegistries(&sys); serr == nil && len(search) == 0 {
			return candidateSet{refused: fmt.Sprintf("short name %s: no alias and no unqualified-search-registries in %s", q.Written, r.files)}, nil
		}
		return candidateSet{}, fmt.Errorf("short name %s: %w", q.Written, err)
	}
	cs := candidateSet{short: true, description: resolved.Description()}
	for _, c := range resolved.PullCandidates {
		cs.names = append(cs.names, stripTag(c.Value))
	}
	if r.mode == Enforcing && len(cs.names) > 1 {
		list := make([]string, len(cs.names))
		for i, n := range cs.names {
			list[i] = n.String()
		}
		// CRI-O's internal/storage CandidatesForPotentiallyShortImageName.
		cs.refused = fmt.Sprintf("short name mode is enforcing, but image name %s returns ambiguous list (%s: unqualified-search-registries of %s, no alias)",
			q.Written, strings.Join(list, ", "), r.files)
	}
	return cs, nil
}

// stripTag keeps the digest alone of a reference that has both, as CRI-O
// does before pulling.
func stripTag(n reference.Named) reference.Named {
	d, ok := n.(reference.Canonical)
	if !ok {
		return n
	}
	if withDigest, err := reference.WithDigest(reference.TrimNamed(n), d.Digest()); err == nil {
		return withDigest
	}
	return n
}
