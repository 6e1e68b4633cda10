package platforms_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/errdefs"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers/platforms"
)

// What TestDifferentialContainerd draws: platforms, nodes, indexes, and the
// images and content store behind them.

// provider is an in-memory content.Provider.
type provider map[digest.Digest][]byte

func (p provider) ReaderAt(_ context.Context, desc ocispec.Descriptor) (content.ReaderAt, error) {
	b, ok := p[desc.Digest]
	if !ok {
		return nil, fmt.Errorf("blob %s: %w", desc.Digest, errdefs.ErrNotFound)
	}
	return readerAt{bytes.NewReader(b)}, nil
}

func (p provider) add(b []byte) digest.Digest {
	d := digest.FromBytes(b)
	p[d] = b
	return d
}

type readerAt struct{ *bytes.Reader }

func (readerAt) Close() error { return nil }

// pool makes one image per platform and kind, and remembers every
// manifest and config in the provider, and the platform each config
// stands for.
type pool struct {
	t          *testing.T
	rng        *rand.Rand
	prov       provider
	images     map[string]v1.Image
	platformOf map[string]ocispec.Platform // by config digest
}

func (p *pool) image(kind string, pl v1.Platform) v1.Image {
	key := fmt.Sprintf("%s %#v", kind, pl)
	if img, ok := p.images[key]; ok {
		return img
	}
	img := image(p.t, pl)
	if p.rng.IntN(2) == 0 {
		img = mutate.ConfigMediaType(mutate.MediaType(img, types.OCIManifestSchema1), types.OCIConfigJSON)
	}
	raw, err := img.RawManifest()
	if err != nil {
		p.t.Fatal(err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		p.t.Fatal(err)
	}
	p.prov.add(raw)
	p.platformOf[p.prov.add(cfg).String()] = ocispec.Platform{OS: pl.OS, Architecture: pl.Architecture, Variant: pl.Variant, OSVersion: pl.OSVersion, OSFeatures: pl.OSFeatures}
	p.images[key] = img
	return img
}

// genPlatform draws the platform of an index entry or an image.
func genPlatform(rng *rand.Rand) v1.Platform {
	pick := func(s ...string) string { return s[rng.IntN(len(s))] }
	linux := func() v1.Platform {
		switch arch := pick("amd64", "amd64", "arm64", "arm64", "arm", "386", "ppc64le", "s390x", "riscv64", "x86_64", "aarch64"); arch {
		case "amd64":
			return v1.Platform{Architecture: arch, Variant: pick("", "", "", "v1", "v2", "v3", "v4")}
		case "arm64":
			return v1.Platform{Architecture: arch, Variant: pick("", "", "v8", "v8", "v8.2", "v9")}
		case "arm":
			return v1.Platform{Architecture: arch, Variant: pick("", "v5", "v6", "v7", "v7", "v8")}
		default:
			return v1.Platform{Architecture: arch}
		}
	}
	switch r := rng.IntN(100); {
	case r < 18:
		p := v1.Platform{OS: "windows", Architecture: pick("amd64", "amd64", "amd64", "arm64", "386")}
		p.OSVersion = pick("", "10.0.17763.5458", "10.0.20348.2227", "10.0.20348.2227", "10.0.25398.1", "10.0.26100.1742", "10.0.22621.1")
		if rng.IntN(5) == 0 {
			p.OSFeatures = []string{"win32k"}
		}
		return p
	case r < 25:
		return linux() // no os
	case r < 28:
		return v1.Platform{OS: "freebsd", Architecture: "amd64"}
	default:
		p := linux()
		p.OS = "linux"
		return p
	}
}

// genNode draws a node's platform, as its runtime sees it.
func genNode(rng *rand.Rand) ocispec.Platform {
	nodes := []string{
		"linux/amd64", "linux/amd64", "linux/amd64", "linux/amd64/v2", "linux/amd64/v3",
		"linux/arm64", "linux/arm64", "linux/arm64/v8", "linux/arm/v7", "linux/arm/v6", "linux/arm",
		"linux/386", "linux/ppc64le", "linux/s390x", "linux/riscv64",
		"windows(10.0.17763)/amd64", "windows(10.0.20348)/amd64", "windows(10.0.20348)/amd64",
		"windows(10.0.25398)/amd64", "windows(10.0.26100)/amd64", "windows/amd64", "windows(10.0.26100)/arm64",
	}
	p, err := platforms.Parse(nodes[rng.IntN(len(nodes))])
	if err != nil {
		panic(err)
	}
	return p
}

var (
	unknownPlatform = v1.Platform{OS: "unknown", Architecture: "unknown"}
	attestationNote = map[string]string{"vnd.docker.reference.type": "attestation-manifest"}
)

// families are platforms several of which a node takes, in containerd's
// order of preference: indexes drawn from them make the order matter.
var families = [][]string{
	{"linux/arm/v5", "linux/arm/v6", "linux/arm/v7", "linux/arm/v8", "linux/arm64"},
	{"linux/386", "linux/amd64", "linux/amd64/v2", "linux/amd64/v3", "linux/amd64/v4"},
	{"linux/arm64", "linux/arm64/v8.2", "linux/arm/v7", "linux/arm/v6", "linux/arm/v5"},
	{
		"windows(10.0.20348.2227)/amd64", "windows(10.0.20348.2227+win32k)/amd64", "windows(10.0.17763.5458)/amd64",
		"windows(10.0.26100.1742)/amd64", "windows(10.0.25398.1)/amd64", "windows/amd64", "windows/386",
	},
}

// genIndex draws an index: image entries, from one family or any,
// attestations, now and then an attestation annotated on a real platform
// and an entry without platform.
func genIndex(rng *rand.Rand, pl *pool) (v1.ImageIndex, types.MediaType) {
	var entries []entry
	if rng.IntN(3) == 0 {
		family := families[rng.IntN(len(families))]
		for _, i := range rng.Perm(len(family))[:2+rng.IntN(len(family)-1)] {
			op, err := platforms.Parse(family[i])
			if err != nil {
				panic(err)
			}
			p := v1.Platform{OS: op.OS, Architecture: op.Architecture, Variant: op.Variant, OSVersion: op.OSVersion, OSFeatures: op.OSFeatures}
			entries = append(entries, entry{img: pl.image("image", p), platform: &p})
		}
		if rng.IntN(3) == 0 {
			// One without its platform, read from its config.
			entries[rng.IntN(len(entries))].platform = nil
		}
	}
	for range 1 + rng.IntN(6) - min(len(entries), 1) {
		p := genPlatform(rng)
		entries = append(entries, entry{img: pl.image("image", p), platform: &p})
	}
	for range rng.IntN(3) {
		entries = append(entries, entry{img: pl.image("attestation", unknownPlatform), platform: &unknownPlatform, annotations: attestationNote})
	}
	if rng.IntN(10) == 0 {
		p := genPlatform(rng)
		entries = append(entries, entry{img: pl.image("attested", p), platform: &p, annotations: attestationNote})
	}
	if rng.IntN(8) == 0 {
		p := genPlatform(rng)
		if p.OS == "" {
			p.OS = "linux"
		}
		entries = append(entries, entry{img: pl.image("image", p)})
	}
	rng.Shuffle(len(entries), func(i, j int) { entries[i], entries[j] = entries[j], entries[i] })
	mt := types.OCIImageIndex
	if rng.IntN(3) == 0 {
		mt = types.DockerManifestList
	}
	return index(mt, entries...), mt
}
