// Package mirrors walks the endpoints a node's container runtime tries for an
// image, in the order it tries them.
//
// The configuration is Talos' machine.registries.mirrors, verbatim: per
// registry host (or "*" for every host without its own entry) an ordered list
// of endpoints, overridePath (the endpoint URL is the full API base, no "/v2"
// appended; it applies to every endpoint of the mirror) and skipFallback (do
// not try the registry itself after the endpoints).
//
// The walk follows containerd: endpoints in order, then the upstream registry
// (docker.io means registry-1.docker.io) unless skipFallback. An endpoint that
// answers 2xx ends the walk, whatever it served; a transport error or a status
// of 400 or more moves on to the next endpoint.
//
// The overall verdict is Found when the walk ended on a manifest, NotFound
// only when every endpoint tried answered 404, and Undetermined otherwise.
package mirrors
