package resolvers

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ParseReference reads an image reference the way a node's runtime
// completes it (docker.io/library/nginx:latest for "nginx"), refusing one
// whose completed name is not itself a valid reference: a repository that
// only the added "library/" makes longer than 255 characters, for example.
func ParseReference(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, err
	}
	if _, err := name.ParseReference(ref.Name()); err != nil {
		return nil, fmt.Errorf("completed as %q: %w", ref.Name(), err)
	}
	return ref, nil
}

// ShortName reports whether s, a reference as written, names no registry
// ("nginx", "myorg/app:v1"): its first path component has no "." nor ":"
// and is not "localhost", the rule of containerd, CRI-O and the Docker
// distribution reference. A node completes it: containerd to docker.io,
// CRI-O by its aliases and unqualified-search registries.
func ShortName(s string) bool {
	first, _, ok := strings.Cut(s, "/")
	if !ok {
		return true
	}
	return !strings.ContainsAny(first, ".:") && first != "localhost"
}
