package resolverstest

import (
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Serve starts an empty, quiet registry, closed when the test ends.
func Serve(tb testing.TB) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	tb.Cleanup(srv.Close)
	return srv
}

// Host returns the host:port of a server started by httptest.
func Host(srv *httptest.Server) string { return strings.TrimPrefix(srv.URL, "http://") }

// Push stores one small random image at host/repoTag, over plain HTTP, for
// each of repoTags, and returns its digest.
func Push(tb testing.TB, host string, repoTags ...string) string {
	tb.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		tb.Fatalf("random.Image: %v", err)
	}
	for _, repoTag := range repoTags {
		ref := MustRef(tb, host+"/"+repoTag, name.Insecure)
		if err := remote.Write(ref, img); err != nil {
			tb.Fatalf("remote.Write(%s): %v", ref, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		tb.Fatalf("Digest: %v", err)
	}
	return d.String()
}
