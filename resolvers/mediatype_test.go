package resolvers_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers"
)

// TestManifestMediaTypesAreContainerds: the manifest media types are the
// ones containerd reads an image from, schema 1 is not one, and
// ManifestAccept is the header containerd's resolver sends.
func TestManifestMediaTypesAreContainerds(t *testing.T) {
	for _, mt := range []string{
		ocispec.MediaTypeImageManifest, ocispec.MediaTypeImageIndex,
		images.MediaTypeDockerSchema2Manifest, images.MediaTypeDockerSchema2ManifestList,
		images.MediaTypeDockerSchema1Manifest, "application/vnd.docker.distribution.manifest.v1+json",
		ocispec.MediaTypeImageConfig, "text/html", "",
	} {
		if got, want := resolvers.IsIndex(mt), images.IsIndexType(mt); got != want {
			t.Errorf("IsIndex(%q) = %t, containerd says %t", mt, got, want)
		}
		if got, want := resolvers.IsImageManifest(mt), images.IsManifestType(mt); got != want {
			t.Errorf("IsImageManifest(%q) = %t, containerd says %t", mt, got, want)
		}
		if got, want := resolvers.IsManifest(mt), images.IsIndexType(mt) || images.IsManifestType(mt); got != want {
			t.Errorf("IsManifest(%q) = %t, containerd says %t", mt, got, want)
		}
	}
	for _, mt := range resolvers.ManifestMediaTypes {
		if !resolvers.IsManifest(mt) {
			t.Errorf("%q is listed but not a manifest", mt)
		}
	}

	accept := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			select {
			case accept <- r.Header.Get("Accept"):
			default:
			}
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	r := docker.NewResolver(docker.ResolverOptions{Hosts: docker.ConfigureDefaultRegistries(docker.WithPlainHTTP(docker.MatchAllHosts))})
	if _, _, err := r.Resolve(t.Context(), strings.TrimPrefix(srv.URL, "http://")+"/app:v1"); err == nil {
		t.Fatal("containerd resolved a reference the registry does not have")
	}
	select {
	case got := <-accept:
		if got != resolvers.ManifestAccept {
			t.Errorf("containerd sends Accept %q, ManifestAccept is %q", got, resolvers.ManifestAccept)
		}
	default:
		t.Fatal("containerd asked for no manifest")
	}
}

func TestMediaType(t *testing.T) {
	for in, want := range map[string]string{
		"application/vnd.oci.image.index.v1+json":                "application/vnd.oci.image.index.v1+json",
		"application/vnd.oci.image.index.v1+json; charset=utf-8": "application/vnd.oci.image.index.v1+json",
		"": "",
	} {
		if got := resolvers.MediaType(in); got != want {
			t.Errorf("MediaType(%q) = %q, want %q", in, got, want)
		}
	}
}
