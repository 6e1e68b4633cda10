// Package dockerhub is the one rule for Docker Hub's names. Image references
// and docker config files call it docker.io (containerd, kubectl),
// index.docker.io (go-containerregistry, the legacy docker config key
// https://index.docker.io/v1/), registry-1.docker.io (the host its registry
// API answers at) or registry.hub.docker.com. Mirrors, credentials, the
// registries policy and the upstream endpoint all match by Canonical, so
// docker.io in any of them covers every alias, and a node's pull of any of
// them goes to registry-1.docker.io.
//
// It is a leaf package (no imports of this module) so that every package of
// resolvers and webhook can use it.
package dockerhub
