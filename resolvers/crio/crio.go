package crio

import (
	"context"
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/registry"
)

// Lookuper asks one endpoint for one manifest. *registry.Client is one.
type Lookuper interface {
	Lookup(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query) resolvers.Attempt
}

// Resolver looks images up where a CRI-O node pulls them from: the sources
// of registries.conf, in CRI-O's order, and the candidates of a short name.
type Resolver struct {
	lookup Lookuper
	// sys names the files and nothing else; never changed after New.
	sys  *types.SystemContext
	mode ShortNameMode
	// files names the configured files, for messages.
	files string
}

var _ resolvers.Resolver = (*Resolver)(nil)

// New reads the registries.conf files named by the options, with
// containers/image's own code, and returns a Resolver that asks endpoints
// through l. A file that is missing or that CRI-O would refuse is an error.
// Each New reads the files again, for every Resolver of the same paths.
func New(l Lookuper, opts ...Option) (*Resolver, error) {
	o := options{mode: Enforcing}
	for _, opt := range opts {
		opt(&o)
	}
	if _, err := ParseShortNameMode(string(o.mode)); err != nil {
		return nil, fmt.Errorf("crio: %w", err)
	}
	sys, err := systemContext(o)
	if err != nil {
		return nil, err
	}
	files := describe(o)
	if o.describedAs != "" {
		files = o.describedAs
	}
	return &Resolver{lookup: l, sys: sys, mode: o.mode, files: files}, nil
}

// budgetSpent is the reason of a lookup cut short by its context.
const budgetSpent = "lookup budget spent before every endpoint was asked"

// Resolve looks q up as CRI-O pulls it. A reference written without a
// registry (q.Written) is a short name: its candidates are tried in order,
// the first found wins. For each candidate the sources are asked in order
// until one serves the manifest (a 2xx ends the candidate, as CRI-O stops
// at the first source whose manifest GET succeeds).
//
// The verdict is NotFound when every source asked of every candidate
// answered NotFound or is blocked, or when, for each candidate, the
// registry's own location answered NotFound (the registry is
// authoritative, as for containerd). It is Found when a source serves the
// manifest and no source before it went unanswered: CRI-O sets no limit on
// how long it waits for an answer, so a source that did not answer in time
// makes the outcome Undetermined. Refused is set when the configuration
// alone refuses the reference (short names, every source blocked).
func (r *Resolver) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	res := resolvers.Result{Reference: q.Ref.Name()}
	cs, err := r.candidates(q)
	if err != nil {
		res.Reason = err.Error()
		return res
	}
	if cs.refused != "" {
		res.Verdict, res.Refused = resolvers.NotFound, cs.refused
		if q.Written != "" {
			res.Reference = q.Written
		}
		return res
	}
	if cs.short {
		res.Reference = cs.names[0].String()
	}
	var (
		stuck       string
		allNotFound = true
		allBlocked  = true
		reasons     []string
	)
	if cs.description != "" {
		reasons = append(reasons, cs.description)
	}
	for i, c := range cs.names {
		if i > 0 && ctx.Err() != nil {
			res.Reason = strings.Join(append(reasons, budgetSpent), "; ")
			return res
		}
		o := r.walk(ctx, c, cs.short, q)
		res.Attempts = append(res.Attempts, o.attempts...)
		if stuck == "" {
			stuck = o.stuck
		}
		if o.reason != "" {
			reasons = append(reasons, o.reason)
		}
		if o.verdict == resolvers.Found {
			if stuck != "" {
				reasons = append(reasons, fmt.Sprintf("%s serves the image, but CRI-O asks %s first, which did not answer in time, and waits for an answer without limit", o.found, stuck))
				res.Reason = strings.Join(reasons, "; ")
				return res
			}
			res.Verdict, res.Digest, res.MediaType = resolvers.Found, o.digest, o.mediaType
			if cs.short {
				res.Reference = c.String()
			}
			res.Reason = cs.description
			return res
		}
		allNotFound = allNotFound && o.verdict == resolvers.NotFound
		allBlocked = allBlocked && o.allBlocked
	}
	switch {
	case allBlocked:
		res.Verdict = resolvers.NotFound
		res.Refused = fmt.Sprintf("CRI-O contacts no source of %s: each is blocked", cs.names[0])
		res.Reason = cs.description
	case allNotFound:
		res.Verdict = resolvers.NotFound
		res.Reason = cs.description
	default:
		res.Reason = strings.Join(reasons, "; ")
	}
	return res
}

// outcome is what one candidate's sources answered.
type outcome struct {
	attempts          []resolvers.Attempt
	verdict           resolvers.Verdict
	digest, mediaType string
	// found names the source that served the manifest.
	found string
	// stuck names the first source that did not answer in time.
	stuck string
	// allBlocked: every source is blocked, none was asked.
	allBlocked bool
	reason     string
}

// walk asks the sources of logical in order, as containers/image's
// docker.newImageSource tries them: any failure moves to the next one, a
// manifest ends the walk. An answer that is not a manifest ends it too
// (CRI-O's pull then fails on it).
func (r *Resolver) walk(ctx context.Context, logical reference.Named, trustAll bool, q resolvers.Query) outcome {
	var o outcome
	srcs, err := r.sources(logical, trustAll)
	if err != nil {
		o.reason = err.Error()
		return o
	}
	asked, allNotFound, authority := 0, true, false
	for i, s := range srcs {
		if s.Blocked != "" {
			o.attempts = append(o.attempts, resolvers.Attempt{Endpoint: s.Endpoint, Repository: s.repository(), Detail: s.Blocked})
			continue
		}
		if asked > 0 && ctx.Err() != nil {
			o.reason = budgetSpent
			return o
		}
		asked++
		if s.NamespaceProxy != "" {
			allNotFound = false
			o.attempts = append(o.attempts, resolvers.Attempt{Endpoint: s.Endpoint, Repository: s.repository(),
				Detail: fmt.Sprintf("not asked: CRI-O sends namespace-proxy %q as an ns= parameter, which admissible does not", s.NamespaceProxy)})
			continue
		}
		as := r.ask(ctx, s, q)
		o.attempts = append(o.attempts, as...)
		a := as[len(as)-1]
		if a.EndsWalk {
			o.verdict, o.digest, o.mediaType, o.found = a.Verdict, a.Digest, a.MediaType, where(a)
			if a.Verdict != resolvers.Found {
				o.verdict = resolvers.Undetermined
			}
			return o
		}
		for _, b := range as {
			if o.stuck == "" && registry.NoAnswer(b) {
				o.stuck = where(b)
			}
		}
		allNotFound = allNotFound && a.Verdict == resolvers.NotFound
		authority = i == len(srcs)-1 && !s.Mirror && a.Verdict == resolvers.NotFound
	}
	switch {
	case asked == 0:
		o.verdict, o.allBlocked = resolvers.NotFound, true
	case allNotFound || authority:
		o.verdict = resolvers.NotFound
	}
	return o
}

// ask looks a source up. A pod's pull secret goes to the reference's own
// registry only (containers/image drops sys.DockerAuthConfig for a source
// on another domain); the Lookuper's own credentials, the node's, go
// everywhere. An insecure source whose https attempt got no HTTP answer is
// asked again over plain http, as containers/image pings http when https
// fails; an https attempt that went unanswered is not.
func (r *Resolver) ask(ctx context.Context, s Source, q resolvers.Query) []resolvers.Attempt {
	sq := resolvers.Query{Ref: s.ref, Credentials: q.Credentials}
	if !s.sameDomain {
		sq.Credentials = credentials.Set{}
	}
	repo := s.repository()
	a := r.lookup.Lookup(ctx, s.Endpoint, sq)
	a.Repository = repo
	out := []resolvers.Attempt{a}
	if !s.Endpoint.HTTPFallback || a.Status != 0 || a.EndsWalk || a.Verdict != resolvers.Undetermined || registry.NoAnswer(a) || ctx.Err() != nil {
		return out
	}
	plain := s.Endpoint
	plain.Scheme, plain.HTTPFallback = "http", false
	b := r.lookup.Lookup(ctx, plain, sq)
	b.Repository = repo
	return append(out, b)
}

// where names an attempt's endpoint and repository, without its answer.
func where(a resolvers.Attempt) string {
	return strings.TrimSuffix(a.String(), ": "+a.Detail)
}
