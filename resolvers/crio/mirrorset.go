package crio

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
)

// MirrorKind is the OpenShift object a MirrorSet comes from.
type MirrorKind int

const (
	// DigestMirrors come from an ImageDigestMirrorSet: the mirrors serve
	// pulls by digest only.
	DigestMirrors MirrorKind = iota
	// TagMirrors come from an ImageTagMirrorSet: the mirrors serve pulls
	// by tag only.
	TagMirrors
	// LegacyDigestMirrors come from an ImageContentSourcePolicy: as
	// DigestMirrors, and the source is always contacted.
	LegacyDigestMirrors
)

// MirrorSet is one entry of an ImageDigestMirrorSet's imageDigestMirrors,
// an ImageTagMirrorSet's imageTagMirrors, or an ImageContentSourcePolicy's
// repositoryDigestMirrors.
type MirrorSet struct {
	// Source is the mirrored scope: a registry, a namespace or a
	// repository ("quay.io/ceph"), or "*.example.com".
	Source string
	// Mirrors are tried in this order, before the source.
	Mirrors []string
	// Kind says which pulls the mirrors serve.
	Kind MirrorKind
	// NeverContactSource is mirrorSourcePolicy: NeverContactSource: the
	// source is blocked, only the mirrors are asked.
	NeverContactSource bool
}

// OpenShiftSearchRegistries are the unqualified-search registries of the
// registries.conf the machine-config operator renders for every node.
var OpenShiftSearchRegistries = []string{"registry.access.redhat.com", "docker.io"}

// ConfOption configures RegistriesConf.
type ConfOption func(*confOptions)

type confOptions struct {
	search            []string
	blocked, insecure []string
}

// WithSearchRegistries sets unqualified-search-registries (default
// OpenShiftSearchRegistries; none for an empty list).
func WithSearchRegistries(registries ...string) ConfOption {
	return func(o *confOptions) { o.search = registries }
}

// WithBlockedScopes blocks registries, namespaces or repositories
// (image.config.openshift.io spec.registrySources.blockedRegistries).
func WithBlockedScopes(scopes ...string) ConfOption {
	return func(o *confOptions) { o.blocked = scopes }
}

// WithInsecureScopes marks registries, namespaces or repositories insecure
// (spec.registrySources.insecureRegistries).
func WithInsecureScopes(scopes ...string) ConfOption {
	return func(o *confOptions) { o.insecure = scopes }
}

var (
	anchoredName     = regexp.MustCompile(`^` + reference.NameRegexp.String() + `$`)
	anchoredWildcard = regexp.MustCompile(`^\*(\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)+$`)
)

// RegistriesConf renders the registries.conf an OpenShift node gets for
// these mirror sets, with the machine-config operator's rules
// (openshift/runtime-utils pkg/registries EditRegistriesConfig, as the
// operator's container-runtime-config controller calls it):
//
//   - The sets of one source are merged into one mirror list that keeps
//     every set's order where the orders agree (a topological sort, ties
//     broken by name); a set whose mirrors only repeat its source is
//     ignored.
//   - Digest sets (ImageDigestMirrorSet and ImageContentSourcePolicy) give
//     mirrors with pull-from-mirror = "digest-only", tag sets
//     (ImageTagMirrorSet) mirrors with "tag-only", on the source's entry.
//   - NeverContactSource blocks the source's entry.
//   - Blocked and insecure scopes mark their entries and every entry (and,
//     for insecure, every mirror) nested inside them.
//   - An entry nested inside a mirrored scope that has no mirrors of its own
//     gets the scope's mirrors, with its own path appended, since only the
//     longest matching prefix applies.
//
// Conflicting mirrorSourcePolicy for one source, NeverContactSource on a
// source listed among its own mirrors, and malformed scopes are errors, as
// for the operator.
func RegistriesConf(sets []MirrorSet, opts ...ConfOption) ([]byte, error) {
	o := confOptions{search: OpenShiftSearchRegistries}
	for _, opt := range opts {
		opt(&o)
	}
	if err := validateSets(sets, o); err != nil {
		return nil, err
	}
	var digest, tag []MirrorSet
	for _, s := range sets {
		if s.Kind == TagMirrors {
			tag = append(tag, s)
		} else {
			digest = append(digest, s)
		}
	}
	var c conf
	digestSets, tagSets := merge(digest), merge(tag)
	c.addMirrors(digestSets, sysregistriesv2.MirrorByDigestOnly)
	c.addMirrors(tagSets, sysregistriesv2.MirrorByTagOnly)
	for _, scope := range o.blocked {
		c.entry(scope)
	}
	for _, scope := range o.insecure {
		c.Registries[c.entry(scope)].Insecure = true
		for i := range c.Registries {
			r := &c.Registries[i]
			if nested(r.scope(), scope) {
				r.Insecure = true
			}
			for j := range r.Mirrors {
				if nested(r.Mirrors[j].Location, scope) {
					r.Mirrors[j].Insecure = true
				}
			}
		}
	}
	for _, scope := range o.blocked {
		c.Registries[c.entry(scope)].Blocked = true
		for i := range c.Registries {
			if nested(c.Registries[i].scope(), scope) {
				c.Registries[i].Blocked = true
			}
		}
	}
	for _, s := range append(digestSets, tagSets...) {
		if err := c.propagate(s.source); err != nil {
			return nil, err
		}
	}
	c.Search = o.search
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(c); err != nil {
		return nil, fmt.Errorf("registries.conf: %w", err)
	}
	return buf.Bytes(), nil
}

// validateSets applies the operator's checks (validateRegistriesConfScopes).
func validateSets(sets []MirrorSet, o confOptions) error {
	for _, scope := range slices.Concat(o.blocked, o.insecure) {
		if !validScope(scope) {
			return fmt.Errorf("registries.conf: invalid scope %q", scope)
		}
	}
	never := map[string]bool{}
	for _, s := range sets {
		if !anchoredName.MatchString(s.Source) && !anchoredWildcard.MatchString(s.Source) {
			return fmt.Errorf("mirror set: invalid source %q", s.Source)
		}
		if s.Kind == LegacyDigestMirrors && s.NeverContactSource {
			return fmt.Errorf("mirror set for %s: an ImageContentSourcePolicy has no mirrorSourcePolicy", s.Source)
		}
		if prev, ok := never[s.Source]; ok && prev != s.NeverContactSource {
			return fmt.Errorf("mirror set for %s: conflicting mirrorSourcePolicy for the same source", s.Source)
		}
		never[s.Source] = s.NeverContactSource
		for _, m := range s.Mirrors {
			if !anchoredName.MatchString(m) {
				return fmt.Errorf("mirror set for %s: invalid mirror %q", s.Source, m)
			}
			if s.NeverContactSource && m == s.Source {
				return fmt.Errorf("mirror set for %s: NeverContactSource with the source among its mirrors", s.Source)
			}
		}
	}
	return nil
}

// validScope: a scope without a wildcard, or "*." and a domain.
func validScope(scope string) bool {
	if scope == "" {
		return false
	}
	if !strings.Contains(scope, "*") {
		return true
	}
	return strings.HasPrefix(scope, "*.") && !strings.ContainsAny(scope[2:], "/@:*")
}

// conf is registries.conf as the operator writes it.
type conf struct {
	Search     []string    `toml:"unqualified-search-registries,omitempty"`
	Registries []confEntry `toml:"registry,omitempty"`
}

type confEntry struct {
	Prefix   string       `toml:"prefix,omitempty"`
	Location string       `toml:"location,omitempty"`
	Insecure bool         `toml:"insecure,omitempty"`
	Blocked  bool         `toml:"blocked,omitempty"`
	Mirrors  []confMirror `toml:"mirror,omitempty"`
}

type confMirror struct {
	Location       string `toml:"location"`
	Insecure       bool   `toml:"insecure,omitempty"`
	PullFromMirror string `toml:"pull-from-mirror,omitempty"`
}

// scope is what the entry matches: its prefix, else its location.
func (e confEntry) scope() string {
	if e.Prefix != "" {
		return e.Prefix
	}
	return e.Location
}

// entry returns the index of scope's entry, adding one if needed: a
// wildcard scope is a prefix, any other a location.
func (c *conf) entry(scope string) int {
	for i, r := range c.Registries {
		if r.scope() == scope {
			return i
		}
	}
	e := confEntry{Location: scope}
	if strings.HasPrefix(scope, "*.") {
		e = confEntry{Prefix: scope}
	}
	c.Registries = append(c.Registries, e)
	return len(c.Registries) - 1
}

func (c *conf) addMirrors(sets []merged, pullFrom string) {
	for _, s := range sets {
		e := &c.Registries[c.entry(s.source)]
		if s.never {
			e.Blocked = true
		}
		for _, m := range s.mirrors {
			e.Mirrors = append(e.Mirrors, confMirror{Location: m, PullFromMirror: pullFrom})
		}
	}
}

// propagate gives the mirrors of source's entry to the entries nested
// inside it that have none, each mirror location extended by the entry's
// own path below the source.
func (c *conf) propagate(source string) error {
	mirrored := c.Registries[c.entry(source)]
	scope := mirrored.scope()
	for i := range c.Registries {
		r := &c.Registries[i]
		sub := r.scope()
		if sub == scope || !nested(sub, scope) || len(r.Mirrors) > 0 {
			continue
		}
		if strings.HasPrefix(scope, "*.") || !strings.HasPrefix(sub, scope) {
			return fmt.Errorf("registries.conf: cannot give the mirrors of %s to %s nested inside it", scope, sub)
		}
		suffix := sub[len(scope):]
		for _, m := range mirrored.Mirrors {
			m.Location += suffix
			r.Mirrors = append(r.Mirrors, m)
		}
	}
	return nil
}

// nested reports whether scope sub lies inside scope super: the same, a
// namespace or repository below it, or a host matched by a wildcard.
func nested(sub, super string) bool {
	if sub == super {
		return true
	}
	if strings.HasPrefix(sub, super+"/") {
		return true
	}
	domain, ok := strings.CutPrefix(super, "*")
	if !ok || !strings.HasPrefix(domain, ".") {
		return false
	}
	if host, _, hasPort := strings.Cut(sub, ":"); hasPort {
		return strings.HasSuffix(host, domain) && !strings.Contains(host, "/")
	}
	host, _, _ := strings.Cut(sub, "/")
	return strings.HasSuffix(host, domain)
}
