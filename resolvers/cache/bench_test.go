package cache_test

import (
	"strconv"
	"testing"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/resolverstest"
)

// BenchmarkCachedResolve measures a hit: the reference is in the cache.
func BenchmarkCachedResolve(b *testing.B) {
	srv, _ := newRegistry(b)
	c := cache.New(newChain(b, srv))
	ref := resolverstest.MustRef(b, "registry.invalid/app:v1")
	if r := c.Resolve(b.Context(), resolvers.Query{Ref: ref}); r.Verdict != resolvers.Found {
		b.Fatalf("warming Resolve = %+v, want found", r)
	}
	srv.reset()

	b.Run("serial", func(b *testing.B) {
		for b.Loop() {
			c.Resolve(b.Context(), resolvers.Query{Ref: ref})
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Resolve(b.Context(), resolvers.Query{Ref: ref})
			}
		})
	})
	if got := srv.counts(); len(got) != 0 {
		b.Errorf("hits reached the registry: %v", got)
	}
}

// BenchmarkColdResolve measures a miss: every lookup, in a scope of its own,
// goes to a real local registry with one HEAD (the client's handshake is
// done before the timer starts). "uncached" is the chain alone, for
// comparison.
func BenchmarkColdResolve(b *testing.B) {
	srv, _ := newRegistry(b)
	chain := newChain(b, srv)
	ref := resolverstest.MustRef(b, "registry.invalid/app:v1")
	if r := chain.Resolve(b.Context(), resolvers.Query{Ref: ref}); r.Verdict != resolvers.Found {
		b.Fatalf("warming Resolve = %+v, want found", r)
	}

	b.Run("cache miss", func(b *testing.B) {
		c := cache.New(chain)
		i := 0
		for b.Loop() {
			if r := c.Resolve(b.Context(), resolvers.Query{Ref: ref, Credentials: scopeCredentials(strconv.Itoa(i))}); r.Verdict != resolvers.Found {
				b.Fatalf("Resolve = %+v, want found", r)
			}
			i++
		}
		if s := c.Stats(); s.Hits != 0 {
			b.Errorf("Stats = %+v, want no hits", s)
		}
	})
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			if r := chain.Resolve(b.Context(), resolvers.Query{Ref: ref}); r.Verdict != resolvers.Found {
				b.Fatalf("Resolve = %+v, want found", r)
			}
		}
	})
}
