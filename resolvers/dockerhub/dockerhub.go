package dockerhub

import "strings"

const (
	// Name is what configuration calls Docker Hub: docker.io.
	Name = "docker.io"
	// APIHost is the host Docker Hub's registry API answers at, the one
	// containerd contacts for docker.io.
	APIHost = "registry-1.docker.io"
)

// Aliases are every name of Docker Hub, Name first.
var Aliases = []string{Name, "index.docker.io", APIHost, "registry.hub.docker.com"}

// Is reports whether host (no scheme, no path) is one of Docker Hub's
// names, in any letter case. A host with a port is not: Docker Hub is only
// reached on 443.
func Is(host string) bool {
	for _, a := range Aliases {
		if strings.EqualFold(host, a) {
			return true
		}
	}
	return false
}

// Canonical is Name for every Docker Hub alias and host itself otherwise.
func Canonical(host string) string {
	if Is(host) {
		return Name
	}
	return host
}
