package resolvers

import "strings"

// The manifest media types a node's container runtime pulls, and why each
// is one. They are the types containerd v2 asks for when it resolves a
// reference (core/remotes/docker resolver.go, its Accept header) and the
// only ones it reads an image from (core/images IsManifestType and
// IsIndexType). An endpoint that answers 2xx with any other type ends a
// node's walk, and the pull fails.
//
// Docker's schema 1 manifests (application/vnd.docker.distribution.manifest.v1+json,
// and its signed form v1+prettyjws) are not among them: containerd asks
// for neither and, since v2.0, refuses both ("no longer supported").
const (
	// MediaTypeOCIManifest is an OCI image manifest: one platform's image.
	MediaTypeOCIManifest = "application/vnd.oci.image.manifest.v1+json"
	// MediaTypeOCIIndex is an OCI image index: a manifest per platform.
	MediaTypeOCIIndex = "application/vnd.oci.image.index.v1+json"
	// MediaTypeDockerManifest is Docker's image manifest, schema 2: what
	// docker push has written for one platform since Docker 1.10.
	MediaTypeDockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
	// MediaTypeDockerManifestList is Docker's manifest list, schema 2: its
	// form of an index.
	MediaTypeDockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
)

// ManifestMediaTypes are the four, in the order of containerd's Accept
// header.
var ManifestMediaTypes = []string{MediaTypeDockerManifest, MediaTypeDockerManifestList, MediaTypeOCIManifest, MediaTypeOCIIndex}

// ManifestAccept is the Accept header containerd sends to resolve a
// reference: the four, then anything ("*/*"), so that a registry answers
// with what it has rather than with a 404.
var ManifestAccept = strings.Join(append(ManifestMediaTypes[:len(ManifestMediaTypes):len(ManifestMediaTypes)], "*/*"), ", ")

// MediaType is the media type of a Content-Type header as containerd reads
// it: without parameters ("a/b; charset=utf-8" is "a/b").
func MediaType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	return mt
}

// IsIndex reports whether mt (without parameters) is an image index or a
// manifest list: a manifest per platform.
func IsIndex(mt string) bool { return mt == MediaTypeOCIIndex || mt == MediaTypeDockerManifestList }

// IsImageManifest reports whether mt (without parameters) is one
// platform's image manifest.
func IsImageManifest(mt string) bool {
	return mt == MediaTypeOCIManifest || mt == MediaTypeDockerManifest
}

// IsManifest reports whether mt (without parameters) is one of
// ManifestMediaTypes: a manifest a node pulls.
func IsManifest(mt string) bool { return IsIndex(mt) || IsImageManifest(mt) }
