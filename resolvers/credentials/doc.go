// Package credentials holds registry credentials the way the kubelet reads
// them from image pull secrets (kubernetes.io/dockerconfigjson and the legacy
// kubernetes.io/dockercfg) and docker config files, and hands them to
// go-containerregistry as a Keychain.
//
// A credential is only ever sent to the registry host it names: keys are
// matched against the host a request goes to, label by label, with the
// kubelet's glob rules ("*.example.com" matches "a.example.com", not
// "a.b.example.com"), and a port in the key must match. Docker Hub's many
// names (docker.io, index.docker.io, registry-1.docker.io,
// https://index.docker.io/v1/) are one host. When several credentials match,
// the first added wins, as pull secrets are tried in the order they are
// listed.
//
// A Set has a Fingerprint so a cache can keep the verdicts reached with one
// set of credentials apart from those reached with another.
package credentials
