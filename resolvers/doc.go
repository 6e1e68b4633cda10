// Package resolvers answers one question about a container image reference:
// could a node pull it right now?
//
// A Resolver returns a Result with a three-valued Verdict:
//
//   - Found: some endpoint a node would try serves the manifest.
//   - NotFound: every endpoint a node would try answered authoritatively that
//     the manifest does not exist: HTTP 404, or a 401 to a request that
//     carried a pull token obtained in the same lookup (Docker Hub and
//     quay.io answer so for a repository that does not exist).
//   - Undetermined: anything else (timeouts, refused connections, 5xx, 429,
//     401 without credentials, a 2xx that is not a manifest). Callers must
//     never treat Undetermined as NotFound.
//
// Every Result lists, endpoint by endpoint, what was asked and what came back,
// so that a person can see why a verdict was reached.
//
// The subpackages do the work: registry asks one endpoint over HTTP through
// go-containerregistry; mirrors walks the endpoints a node would try, in the
// order containerd tries them; cache keeps answers and shares concurrent
// lookups; suggest names the nearest existing tags; credentials reads pull
// secrets; probe examines a mirror endpoint for "admissible mirrors check";
// platforms reads which platforms a found manifest serves and matches a
// node's platform with containerd's own matcher.
// This package never imports Kubernetes object types.
package resolvers
