package registrytest

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestPushThenHead(t *testing.T) {
	srv := Serve(t)
	digest := Push(t, Host(srv), "org/app:v1")
	ref, err := name.ParseReference(Host(srv)+"/org/app:v1", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != digest {
		t.Errorf("registry serves %s, Push returned %s", desc.Digest, digest)
	}
}
