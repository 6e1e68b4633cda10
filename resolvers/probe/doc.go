// Package probe examines a mirror endpoint the way a node's container runtime
// would use it, so a broken fallback is found before it matters.
//
// For each endpoint it sends the registry API ping (GET <path>/) and a sample
// manifest HEAD (<path>/<repository>/manifests/<tag>), following redirects
// (at most 5) and recording each hop. The sample answer decides what a node
// does with the endpoint, as containerd does:
//
//   - a manifest (2xx with one of resolvers.ManifestMediaTypes, asked for
//     with containerd's Accept header): the node pulls from it;
//   - 404, 401 or another status of 400 or more: the node moves on to the
//     next endpoint (Skipped; fine for a mirror that lacks an image);
//   - a 2xx that is not a manifest (an HTML page, a Docker schema 1
//     manifest): the node stops there and the pull fails (Broken);
//   - no answer (refused, timeout, TLS error): the node moves on after the
//     runtime's own dial timeout (Unreachable).
//
// A ping without the Docker-Distribution-API-Version header is reported: it
// is what "https://docker.io/v2" answers (a redirect to a web page).
package probe
