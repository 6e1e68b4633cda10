// Package registry asks one endpoint whether it serves a manifest.
//
// A Client keeps one long-lived go-containerregistry Puller per endpoint, so
// after the first lookup of a repository (ping, token, HEAD) the steady-state
// cost is a single HEAD request. A manifest is never fetched with GET.
//
// Defaults: no retries (an admission has no time for go-containerregistry's
// 1 s and 3 s backoff), a 3 s limit per lookup, anonymous credentials.
//
// Answers are classified once, in classify.go: 2xx with a manifest is Found,
// 404 is NotFound, everything else is Undetermined. A 2xx that is not a
// manifest (an HTML page) ends a node's walk over mirrors, and is marked so.
package registry
