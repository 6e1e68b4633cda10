package resolverstest

import (
	"context"
	"maps"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
)

// Unanswered is the Reason of a lookup the Resolver has no answer for.
const Unanswered = "fake resolver: no answer for this reference"

// Resolver is a fake resolvers.Resolver: it answers from a table keyed by
// reference name (ref.Name()) and counts lookups. A lookup whose context
// has ended when it would answer is Undetermined, with the context's error
// as Reason. Set the fields before the first lookup; it is then safe for
// concurrent use.
type Resolver struct {
	// Results are the answers, by reference name.
	Results map[string]resolvers.Result
	// Default answers a reference without a result; when nil such a
	// lookup is Undetermined with Reason Unanswered, so that an unexpected
	// lookup shows.
	Default func(ref name.Reference) resolvers.Result
	// Delay is how long each lookup takes, unless its context ends first.
	Delay time.Duration
	// Hold, when set, holds each lookup until it is closed or the lookup's
	// context ends; a Hold never closed is a registry that never answers.
	Hold chan struct{}
	// Started, when set, is sent the reference name of each lookup as it
	// starts.
	Started chan string
	// During, when set, runs at the start of each lookup, with its context
	// and query.
	During func(ctx context.Context, q resolvers.Query)
	// Panic, when set, is what every lookup panics with.
	Panic any

	mu          sync.Mutex
	calls       map[string]int
	credentials map[string][]string
	inFlight    int
	maxInFlight int
	ctxErrs     []error
}

var _ resolvers.Resolver = (*Resolver)(nil)

// NewResolver returns a Resolver answering each of results for its
// Reference.
func NewResolver(results ...resolvers.Result) *Resolver {
	r := &Resolver{Results: make(map[string]resolvers.Result, len(results))}
	for _, res := range results {
		r.Results[res.Reference] = res
	}
	return r
}

// Fixed returns a Resolver answering res to every reference.
func Fixed(res resolvers.Result) *Resolver {
	return &Resolver{Default: func(name.Reference) resolvers.Result { return res }}
}

// Resolve answers q from the table.
func (r *Resolver) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	ref := q.Ref.Name()
	r.mu.Lock()
	if r.calls == nil {
		r.calls, r.credentials = map[string]int{}, map[string][]string{}
	}
	r.calls[ref]++
	r.credentials[ref] = append(r.credentials[ref], q.Credentials.Fingerprint())
	r.inFlight++
	r.maxInFlight = max(r.maxInFlight, r.inFlight)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inFlight--
		r.mu.Unlock()
	}()

	if r.Started != nil {
		r.Started <- ref
	}
	if r.During != nil {
		r.During(ctx, q)
	}
	if r.Panic != nil {
		panic(r.Panic)
	}
	switch {
	case r.Hold != nil:
		select {
		case <-r.Hold:
		case <-ctx.Done():
		}
	case r.Delay > 0:
		select {
		case <-time.After(r.Delay):
		case <-ctx.Done():
		}
	}

	err := ctx.Err()
	r.mu.Lock()
	r.ctxErrs = append(r.ctxErrs, err)
	r.mu.Unlock()
	if err != nil {
		return resolvers.Result{Reference: ref, Reason: err.Error()}
	}
	if res, ok := r.Results[ref]; ok {
		return res
	}
	if r.Default != nil {
		return r.Default(q.Ref)
	}
	return resolvers.Result{Reference: ref, Reason: Unanswered}
}

// Calls returns how many lookups asked for each reference name.
func (r *Resolver) Calls() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.calls)
}

// Lookups returns how many lookups there were.
func (r *Resolver) Lookups() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.calls {
		n += c
	}
	return n
}

// Credentials returns, by reference name, the fingerprints of the
// credentials of each lookup (credentials.Set.Fingerprint).
func (r *Resolver) Credentials() map[string][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.credentials)
}

// MaxInFlight returns the most lookups that ran at once.
func (r *Resolver) MaxInFlight() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxInFlight
}

// ContextErrs returns ctx.Err() of each lookup as it answered.
func (r *Resolver) ContextErrs() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.ctxErrs...)
}

// Func is a resolvers.Resolver made of a function: a fake that keeps no
// count, for benchmarks and fuzzing, where Resolver's bookkeeping would be
// measured too or grow without bound.
type Func func(ctx context.Context, q resolvers.Query) resolvers.Result

// Resolve calls f.
func (f Func) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result { return f(ctx, q) }

// ByTag answers without I/O and keeps no count: a tag "missing" does not
// exist, a tag "slow" is undetermined, every other image exists.
var ByTag = Func(func(_ context.Context, q resolvers.Query) resolvers.Result {
	r := resolvers.Result{Reference: q.Ref.Name(), Verdict: resolvers.Found}
	switch {
	case strings.HasSuffix(q.Ref.Name(), ":missing"):
		r.Verdict = resolvers.NotFound
	case strings.HasSuffix(q.Ref.Name(), ":slow"):
		r.Verdict, r.Reason = resolvers.Undetermined, "timeout"
	}
	r.Attempts = []resolvers.Attempt{{Endpoint: resolvers.Upstream(q.Ref.Context().RegistryStr()), Verdict: r.Verdict, Detail: "fake"}}
	return r
})

// Answer is what the registry of ref answered: verdict v, in one attempt on
// its own endpoint (resolvers.Upstream), with detail. It panics when ref
// does not parse.
func Answer(ref string, v resolvers.Verdict, detail string) resolvers.Result {
	r, err := name.ParseReference(ref)
	if err != nil {
		panic(err)
	}
	return resolvers.Result{
		Reference: r.Name(),
		Verdict:   v,
		Attempts: []resolvers.Attempt{{
			Endpoint: resolvers.Upstream(r.Context().RegistryStr()),
			Verdict:  v,
			Detail:   detail,
		}},
	}
}

// Found is ref found by its registry: "200 OK".
func Found(ref string) resolvers.Result { return Answer(ref, resolvers.Found, "200 OK") }

// Missing is ref not found by its registry: "404 Not Found".
func Missing(ref string) resolvers.Result {
	return Answer(ref, resolvers.NotFound, "404 Not Found")
}

// MustRef parses s as go-containerregistry does, failing the test when it
// does not parse.
func MustRef(tb testing.TB, s string, opts ...name.Option) name.Reference {
	tb.Helper()
	ref, err := name.ParseReference(s, opts...)
	if err != nil {
		tb.Fatalf("ParseReference(%q): %v", s, err)
	}
	return ref
}
