// Package policy decides which registries images may come from.
//
// A Registries policy has two lists of glob patterns (path.Match syntax)
// matched against the registry host of an image reference, port included:
// "docker.io", "*.corp.example", "registry.local:5000". Docker Hub is matched
// as "docker.io" by any of its names (package dockerhub: index.docker.io,
// registry-1.docker.io, registry.hub.docker.com), in references and in
// patterns, so a short name such as "nginx" is a docker.io image. "*" does not stop at dots:
// "*.corp.example" matches "a.b.corp.example" but not "corp.example" itself.
//
// Deny wins: a host matching any deny pattern is refused. Otherwise, when the
// allow list is not empty, a host matching none of its patterns is refused.
// The empty policy (the default) refuses nothing.
//
// The policy is about the host an image names, not the mirror endpoints a
// node would pull it through. A refused image is never looked up.
package policy
