package platforms

import "time"

// Defaults of a Reader; doc.go explains them.
const (
	DefaultCacheSize    = 1000
	DefaultCacheTTL     = 24 * time.Hour
	DefaultErrorTTL     = 0
	DefaultFetchTimeout = 10 * time.Second
	// MaxUnplatformed is how many index entries without a platform a
	// Reader reads the configs of; an index with more is an error.
	MaxUnplatformed = 4
)

// Option configures a Reader.
type Option func(*Reader)

// WithCacheSize bounds the number of digests whose answers are kept
// (default 1000); the least recently used makes room. n <= 0 keeps none:
// concurrent reads are still shared.
func WithCacheSize(n int) Option { return func(r *Reader) { r.size = n } }

// WithCacheTTL sets how long an answer is kept (default 24 h: the manifest
// behind a digest never changes). d <= 0 keeps none.
func WithCacheTTL(d time.Duration) Option { return func(r *Reader) { r.ttl = d } }

// WithErrorTTL sets how long an error is kept for the same digest,
// endpoint and credentials (default 0: never, the next caller asks again).
func WithErrorTTL(d time.Duration) Option { return func(r *Reader) { r.errorTTL = d } }

// WithFetchTimeout bounds a shared read, which no single caller can cancel
// (default 10 s). d <= 0 keeps the default.
func WithFetchTimeout(d time.Duration) Option {
	return func(r *Reader) {
		if d > 0 {
			r.fetchTimeout = d
		}
	}
}

// WithClock sets the clock entries expire by (default time.Now). Timeouts
// run on real time whatever the clock.
func WithClock(now func() time.Time) Option {
	return func(r *Reader) {
		if now != nil {
			r.now = now
		}
	}
}
