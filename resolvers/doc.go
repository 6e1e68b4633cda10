// Package resolvers answers one question about a container image reference:
// could a node pull it right now?
//
// A Resolver returns a Result with a three-valued Verdict:
//
//   - Found: some endpoint a node would try serves the manifest.
//   - NotFound: every endpoint a node would try answered authoritatively that
//     the manifest does not exist (HTTP 404).
//   - Undetermined: anything else (timeouts, refused connections, 5xx, 429,
//     401 without credentials, a 2xx that is not a manifest). Callers must
//     never treat Undetermined as NotFound.
//
// Every Result lists, endpoint by endpoint, what was asked and what came back,
// so that a person can see why a verdict was reached.
//
// The subpackages do the work: registry asks one endpoint over HTTP through
// go-containerregistry; mirrors walks the endpoints a node would try, in the
// order containerd tries them. This package never imports Kubernetes object
// types.
package resolvers
