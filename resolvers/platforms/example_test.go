package platforms_test

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/cache"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/resolvers/registry"
)

// The platforms check of one image for one node: look the reference up
// through the mirrors, read what the manifest found serves from the
// endpoint that answered, and match the node's platform with its runtime's
// rules. One registry.Client and one Reader serve the whole process.
func Example() {
	client := registry.New()
	chain, err := mirrors.New(mirrors.Config{}, client)
	if err != nil {
		panic(err)
	}
	resolver := cache.New(chain)
	reader := platforms.New(client)

	ctx := context.Background()
	ref, err := name.ParseReference("ghcr.io/org/app:v1")
	if err != nil {
		panic(err)
	}
	q := resolvers.Query{Ref: ref}
	res := resolver.Resolve(ctx, q)
	if res.Verdict != resolvers.Found {
		return // the image check says why
	}
	served, err := reader.Served(ctx, q, res)
	if err != nil {
		fmt.Println("platforms not known:", err)
		return
	}
	// From the node: kubernetes.io/os, kubernetes.io/arch and
	// node.kubernetes.io/windows-build; status.nodeInfo.containerRuntimeVersion.
	node, err := platforms.Parse("linux/arm64")
	if err != nil {
		panic(err)
	}
	rt, err := platforms.ParseRuntime("containerd://2.1.4")
	if err != nil {
		panic(err)
	}
	switch o := platforms.Match(served, node, rt); o.Kind {
	case platforms.Exact:
	case platforms.Fallback:
		fmt.Printf("only pulled with use_local_image_pull, as %s\n", platforms.Format(o.Platform))
	case platforms.None:
		fmt.Printf("serves no %s image: %d platforms\n", platforms.Format(node), len(served.Platforms))
	}
}
