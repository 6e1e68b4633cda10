package suggest

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
)

// Lister lists the tags of a repository on one endpoint. *registry.Client is
// one.
type Lister interface {
	Tags(ctx context.Context, ep resolvers.Endpoint, repo name.Repository, creds credentials.Set) ([]string, error)
}

// Decorator attaches tag suggestions to NotFound results for tags.
type Decorator struct {
	next   resolvers.Resolver
	lister Lister
	count  int
}

var _ resolvers.Resolver = (*Decorator)(nil)

// Option configures a Decorator.
type Option func(*Decorator)

// WithCount sets how many tags are suggested (default 3).
func WithCount(n int) Option { return func(d *Decorator) { d.count = n } }

// New returns a Decorator over next that lists tags through l.
func New(next resolvers.Resolver, l Lister, opts ...Option) *Decorator {
	d := &Decorator{next: next, lister: l, count: 3}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Resolve resolves ref and, when its tag was not found, lists the tags of the
// repository on the endpoint whose answer made the verdict (the registry's
// own, when a mirror before it did not answer: Result.NotFoundBy) and
// suggests the nearest. Listing is best effort: a failure leaves the result
// without suggestions.
func (d *Decorator) Resolve(ctx context.Context, q resolvers.Query) resolvers.Result {
	res := d.next.Resolve(ctx, q)
	tag, ok := q.Ref.(name.Tag)
	by, found := res.NotFoundBy()
	if !ok || !found || ctx.Err() != nil {
		return res
	}
	repo := tag.Context()
	if by.Repository != "" { // a rewritten mirror location or a short name's candidate
		if r, err := name.NewRepository(by.Repository, name.WeakValidation); err == nil {
			repo = r
		}
	}
	tags, err := d.lister.Tags(ctx, by.Endpoint, repo, q.Credentials)
	if err != nil {
		return res
	}
	res.Suggestions = Nearest(tag.TagStr(), tags, d.count)
	return res
}
