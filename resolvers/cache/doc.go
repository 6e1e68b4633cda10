// Package cache puts a Resolver behind a bounded, expiring cache so that a
// lookup is cheap enough to run in every admission. cmd/admissible builds
// instrument(cache(suggest(mirrors(registry)))): the cache keeps the
// verdict of the mirror walk together with the nearest tags of a missing
// one, and the metrics around it count every lookup, cached or not.
//
// A Cache owns two things:
//
//   - Entries: the Result of a lookup, kept under the fully qualified
//     reference (ref.Name()) and a scope, least recently used first out. An
//     expired entry is a miss. A caller gets a copy; no caller can change what
//     another one gets.
//   - Shared lookups: concurrent callers of the same reference and scope wait
//     for one call to the next Resolver. That call runs on a context detached
//     from every caller (context.WithoutCancel) and bounded by the lookup
//     timeout, so a caller who gives up does not cancel it for the others.
//     Each caller waits for the result or its own context, whichever ends
//     first; one whose context ends first gets an Undetermined result with
//     Reason "lookup budget spent", and the lookup carries on to fill the
//     cache for the next caller.
//
// Scopes: entries and shared lookups are kept per set of credentials, by
// the Query's credentials.Set.Fingerprint ("" for anonymous lookups), so a
// result reached with one namespace's pull secrets is never given to a
// caller with other credentials.
//
// Defaults, each changed by an Option:
//
//   - WithSize: 10000 entries; 0 or less keeps none (lookups are still
//     shared).
//   - WithFoundTTL: 5 min for a tag found; a tag can be moved.
//   - WithNotFoundTTL: 30 s for a reference not found, tag or digest, so that
//     an image pushed just after a denial is admitted soon.
//   - WithDigestTTL: 24 h for a digest found; the manifest behind a digest
//     never changes.
//   - WithUndeterminedTTL: 0, an undetermined result is never kept: the next
//     caller asks again.
//   - WithLookupTimeout: 10 s for a shared lookup.
//   - WithClock: time.Now, for expiry only.
//
// A TTL of zero or less keeps no entry of that kind. What the cache refuses:
// to keep a result it made itself ("lookup budget spent"), to keep the result
// of a lookup whose Resolver panicked (the panic becomes an Undetermined
// result, since it happens on no caller's goroutine), and to run a shared
// lookup without a time limit.
//
// Stats counts hits, misses (lookups started), shared (callers that joined a
// lookup under way) and evictions (entries dropped for room before they
// expired); package instrument exports the first three as
// admissible_cache_lookups_total.
package cache
