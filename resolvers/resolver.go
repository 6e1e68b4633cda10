package resolvers

import (
	"context"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers/credentials"
)

// Resolver looks an image reference up. Implementations never return a
// NotFound verdict unless an endpoint said so authoritatively.
type Resolver interface {
	Resolve(ctx context.Context, q Query) Result
}

// Query is one lookup: a reference and the credentials a node would pull it
// with.
type Query struct {
	// Ref is the image reference.
	Ref name.Reference
	// Credentials are the pull credentials; each is only sent to the
	// registry host it names. The zero Set is anonymous.
	Credentials credentials.Set
	// Written is the reference as the manifest wrote it, before any
	// completion ("nginx", "myorg/app:v1"). A resolver that resolves short
	// names as the node's runtime does (CRI-O's unqualified-search
	// registries and aliases) reads it; empty means Ref as it is, and
	// every other resolver ignores it.
	Written string
}

// Verdict is the outcome of a lookup.
type Verdict int

const (
	// Undetermined means the lookup could not tell whether the image exists.
	Undetermined Verdict = iota
	// Found means an endpoint serves the manifest.
	Found
	// NotFound means every endpoint asked answered that the manifest does not exist.
	NotFound
)

// String returns a lower-case name for the verdict.
func (v Verdict) String() string {
	switch v {
	case Found:
		return "found"
	case NotFound:
		return "not found"
	default:
		return "undetermined"
	}
}

// MarshalText renders the verdict as its name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// Attempt is what one endpoint answered.
type Attempt struct {
	// Endpoint is where the request went.
	Endpoint Endpoint `json:"endpoint"`
	// Verdict is this endpoint's own answer.
	Verdict Verdict `json:"verdict"`
	// Status is the HTTP status of the manifest request, 0 when none came back.
	Status int `json:"status,omitempty"`
	// Detail says in a few words what came back ("404 Not Found",
	// "connection refused").
	Detail string `json:"detail"`
	// Digest is the manifest digest when Verdict is Found.
	Digest string `json:"digest,omitempty"`
	// MediaType is the manifest's media type when Verdict is Found: an
	// image index or manifest list, or a single image manifest.
	MediaType string `json:"mediaType,omitempty"`
	// EndsWalk is true when a node's container runtime would stop at this
	// endpoint: it answered the manifest request with a 2xx status, whatever
	// the body.
	EndsWalk bool `json:"endsWalk,omitempty"`
	// Repository is the repository asked on the endpoint when a resolver
	// sets it (CRI-O's registries.conf may rewrite it for each endpoint,
	// and a short name has several candidates); empty means the one of
	// the Result's Reference.
	Repository string `json:"repository,omitempty"`
}

// String renders the attempt as "endpoint: detail", or
// "endpoint/repository: detail" when Repository is set.
func (a Attempt) String() string {
	if a.Repository == "" {
		return a.Endpoint.String() + ": " + a.Detail
	}
	return strings.TrimSuffix(a.Endpoint.String(), "/v2") + "/" + a.Repository + ": " + a.Detail
}

// Result is the answer to one lookup.
type Result struct {
	// Reference is the fully qualified reference that was looked up.
	Reference string `json:"reference"`
	// Verdict is the overall answer.
	Verdict Verdict `json:"verdict"`
	// Digest is the manifest digest when Verdict is Found.
	Digest string `json:"digest,omitempty"`
	// MediaType is the manifest's media type when Verdict is Found, as the
	// endpoint that ended the walk answered it.
	MediaType string `json:"mediaType,omitempty"`
	// Attempts lists every endpoint asked, in order.
	Attempts []Attempt `json:"attempts"`
	// Reason explains a verdict reached without asking every endpoint.
	Reason string `json:"reason,omitempty"`
	// Refused, when not empty, says why a node's runtime refuses the
	// reference by its own configuration, whatever the registries hold:
	// CRI-O's short-name mode "enforcing" with several candidates and no
	// alias, a short name with no candidate at all, every source blocked
	// in registries.conf. The Verdict is then NotFound, a definite answer,
	// and Attempts may be empty (NotFoundBy then has no attempt).
	Refused string `json:"refused,omitempty"`
	// Suggestions are existing tags close to a tag that was not found,
	// nearest first, listed where the NotFound answer came from
	// (NotFoundBy).
	Suggestions []string `json:"suggestions,omitempty"`
}

// NotFoundBy returns the attempt whose answer makes a NotFound verdict: the
// last one that answered NotFound, which is the registry's own answer when
// mirrors were asked before it. ok is false for another verdict.
func (r Result) NotFoundBy() (a Attempt, ok bool) {
	if r.Verdict != NotFound {
		return Attempt{}, false
	}
	for i := len(r.Attempts) - 1; i >= 0; i-- {
		if r.Attempts[i].Verdict == NotFound {
			return r.Attempts[i], true
		}
	}
	return Attempt{}, false
}

// Summary renders the attempts on one line, for messages: one clause per
// endpoint, in the order asked, then Refused and the Reason if any.
func (r Result) Summary() string {
	parts := make([]string, 0, len(r.Attempts)+2)
	for _, a := range r.Attempts {
		parts = append(parts, a.String())
	}
	for _, s := range []string{r.Refused, r.Reason} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "; ")
}
