package cache

import "time"

// Defaults, described in doc.go.
const (
	DefaultSize            = 10000
	DefaultFoundTTL        = 5 * time.Minute
	DefaultNotFoundTTL     = 30 * time.Second
	DefaultDigestTTL       = 24 * time.Hour
	DefaultUndeterminedTTL = 0
	DefaultLookupTimeout   = 10 * time.Second
)

// Option configures a Cache.
type Option func(*Cache)

// WithSize bounds the number of entries (default 10000); the least recently
// used entry makes room for a new one. n <= 0 keeps nothing: concurrent
// lookups are still shared.
func WithSize(n int) Option { return func(c *Cache) { c.size = n } }

// WithFoundTTL sets how long a tag found is kept (default 5 min). d <= 0
// keeps none.
func WithFoundTTL(d time.Duration) Option { return func(c *Cache) { c.foundTTL = d } }

// WithNotFoundTTL sets how long a reference not found, tag or digest, is kept
// (default 30 s, so that an image pushed just after a denial is seen soon).
// d <= 0 keeps none.
func WithNotFoundTTL(d time.Duration) Option { return func(c *Cache) { c.notFoundTTL = d } }

// WithDigestTTL sets how long a digest found is kept (default 24 h: the
// manifest behind a digest never changes). d <= 0 keeps none.
func WithDigestTTL(d time.Duration) Option { return func(c *Cache) { c.digestTTL = d } }

// WithUndeterminedTTL sets how long an undetermined result is kept (default
// 0: never, every lookup asks again).
func WithUndeterminedTTL(d time.Duration) Option { return func(c *Cache) { c.undeterminedTTL = d } }

// WithLookupTimeout bounds a shared lookup, which no single caller can cancel
// (default 10 s). d <= 0 keeps the default: a shared lookup is always bounded.
func WithLookupTimeout(d time.Duration) Option {
	return func(c *Cache) {
		if d > 0 {
			c.lookupTimeout = d
		}
	}
}

// WithClock sets the clock that entries expire by (default time.Now). The
// lookup timeout runs on real time whatever the clock.
func WithClock(now func() time.Time) Option {
	return func(c *Cache) {
		if now != nil {
			c.now = now
		}
	}
}
