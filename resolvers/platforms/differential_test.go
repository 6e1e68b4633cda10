package platforms_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/errdefs"
	cdplatforms "github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/platforms"
)

// The differential: containerd v2.4.2's own selection code and admissible,
// on the same bytes. containerd: core/images.Manifest over an in-memory
// content.Provider, with the matchers its CRI plugin pulls with,
// platforms.Ordered(node) for the default (transfer service) pull and
// platforms.Only(node) for the local pull; for a single image,
// core/images.Platforms (its config's platform) and the same matchers.
// admissible: Reader.Served over HTTP through the real registry.Client
// from an in-memory registry, then Match. Every disagreement must be one of
// the deliberate differences below, and is checked to be: the oracle asked
// again on the input the difference changes must then agree.

const (
	diffSeed    = 20 // issue 20
	diffIndexes = 240
	diffSingles = 60
	// diffNodes is how many node platforms each image is matched against.
	diffNodes = 2
)

// deliberate are the differences from containerd's code that admissible
// makes on purpose.
var deliberate = map[string]string{
	"windows-no-fallback": "a Windows node has no fallback: containerd's local pull takes platforms.Default(), which on Windows is as exact as the default pull; platforms.Only, the oracle's fallback, is Linux's",
	"missing-os":          "an index entry without os is taken as the node's os, as containerd on the node normalizes it to its own GOOS; the oracle normalizes it to this test's",
	"annotated-attestation": "an entry annotated vnd.docker.reference.type: attestation-manifest is no image whatever its platform; " +
		"containerd's Manifest would pick it",
	"config-without-os": "a single image whose config names no os has no known platform (an error); containerd takes it for its own os",
}

// tally counts the comparisons.
type tally struct {
	agree, total map[string]int
	deliberate   map[string]int
}

func TestDifferentialContainerd(t *testing.T) {
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(diffSeed, 0))
	pl := &pool{t: t, rng: rng, prov: provider{}, images: map[string]v1.Image{}, platformOf: map[string]ocispec.Platform{}}
	reg := newTestRegistry(t)
	client := newClient(10 * time.Second)
	reader := platforms.New(client)
	tl := tally{agree: map[string]int{}, total: map[string]int{}, deliberate: map[string]int{}}

	// oracle picks as containerd, from an index or a single manifest.
	oracle := func(desc ocispec.Descriptor, need ocispec.Platform, single bool) platforms.Outcome {
		t.Helper()
		matchers := []struct {
			kind platforms.Kind
			m    cdplatforms.MatchComparer
		}{{platforms.Exact, cdplatforms.Ordered(need)}, {platforms.Fallback, cdplatforms.Only(need)}}
		for _, m := range matchers {
			if single {
				ps, err := images.Platforms(ctx, pl.prov, desc)
				if err != nil || len(ps) != 1 {
					t.Fatalf("containerd: Platforms(%s) = %v, %v", desc.Digest, ps, err)
				}
				if m.m.Match(ps[0]) {
					mf, err := images.Manifest(ctx, pl.prov, desc, m.m)
					if err != nil {
						t.Fatalf("containerd: Manifest(%s): %v", desc.Digest, err)
					}
					return platforms.Outcome{Kind: m.kind, Platform: pl.platformOf[mf.Config.Digest.String()]}
				}
				continue
			}
			mf, err := images.Manifest(ctx, pl.prov, desc, m.m)
			if errdefs.IsNotFound(err) {
				continue
			}
			if err != nil {
				t.Fatalf("containerd: Manifest(%s): %v", desc.Digest, err)
			}
			return platforms.Outcome{Kind: m.kind, Platform: pl.platformOf[mf.Config.Digest.String()]}
		}
		return platforms.Outcome{}
	}
	same := func(a, b platforms.Outcome) bool { return cmp.Equal(a, b, cmpopts.EquateEmpty()) }

	// explain returns the deliberate differences that account for ours
	// against theirs on index raw, checking each by asking the oracle again
	// on the index the difference changes; nil when none does.
	explain := func(raw []byte, mt types.MediaType, need ocispec.Platform, ours, theirs platforms.Outcome) []string {
		var idx ocispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			t.Fatal(err)
		}
		var reasons []string
		kept := idx.Manifests[:0:0]
		for _, d := range idx.Manifests {
			annotated := d.Annotations["vnd.docker.reference.type"] == "attestation-manifest"
			if annotated && d.Platform != nil && (d.Platform.OS != "unknown" || d.Platform.Architecture != "unknown") {
				if !slices.Contains(reasons, "annotated-attestation") {
					reasons = append(reasons, "annotated-attestation")
				}
				continue
			}
			if d.Platform != nil && d.Platform.OS == "" && cdplatforms.Normalize(need).OS != runtime.GOOS {
				p := *d.Platform
				p.OS = need.OS
				d.Platform = &p
				if !slices.Contains(reasons, "missing-os") {
					reasons = append(reasons, "missing-os")
				}
			}
			kept = append(kept, d)
		}
		if len(reasons) > 0 {
			idx.Manifests = kept
			changed, err := json.Marshal(idx)
			if err != nil {
				t.Fatal(err)
			}
			theirs = oracle(ocispec.Descriptor{MediaType: string(mt), Digest: pl.prov.add(changed), Size: int64(len(changed))}, need, false)
			if same(ours, theirs) {
				return reasons
			}
		}
		if cdplatforms.Normalize(need).OS == "windows" && ours.Kind == platforms.None && theirs.Kind == platforms.Fallback {
			return append(reasons, "windows-no-fallback")
		}
		return nil
	}

	record := func(class, what string, need ocispec.Platform, ours, theirs platforms.Outcome, reasons []string, err error) {
		t.Helper()
		class += " " + theirs.Kind.String()
		tl.total[class]++
		switch {
		case err == nil && same(ours, theirs):
			tl.agree[class]++
		case len(reasons) > 0:
			for _, r := range reasons {
				tl.deliberate[r]++
			}
		default:
			t.Errorf("%s, node %s: admissible %s %s (error %v), containerd %s %s",
				what, platforms.Format(need), ours.Kind, platforms.Format(ours.Platform), err, theirs.Kind, platforms.Format(theirs.Platform))
		}
	}

	for i := range diffIndexes {
		idx, mt := genIndex(rng, pl)
		tag := fmt.Sprintf("app:index-%d", i)
		d := reg.push(t, tag, idx)
		raw, err := idx.RawManifest()
		if err != nil {
			t.Fatal(err)
		}
		desc := ocispec.Descriptor{MediaType: string(mt), Digest: pl.prov.add(raw), Size: int64(len(raw))}
		if desc.Digest.String() != d {
			t.Fatalf("index digest %s, pushed %s", desc.Digest, d)
		}
		q := resolvers.Query{Ref: reg.ref(t, tag)}
		served, err := reader.Served(ctx, q, reg.found(t, client, q))
		if err != nil {
			t.Fatalf("index %d: Served: %v", i, err)
		}
		for range diffNodes {
			need := genNode(rng)
			ours := platforms.Match(served, need, platforms.Containerd)
			theirs := oracle(desc, need, false)
			var reasons []string
			if !same(ours, theirs) {
				reasons = explain(raw, mt, need, ours, theirs)
			}
			record("index", fmt.Sprintf("index %d %s", i, raw), need, ours, theirs, reasons, nil)
		}
	}

	for i := range diffSingles {
		p := genPlatform(rng)
		img := pl.image("image", p)
		tag := fmt.Sprintf("app:single-%d", i)
		d := reg.push(t, tag, img)
		mt, err := img.MediaType()
		if err != nil {
			t.Fatal(err)
		}
		size, err := img.Size()
		if err != nil {
			t.Fatal(err)
		}
		desc := ocispec.Descriptor{MediaType: string(mt), Digest: digest.Digest(d), Size: size}
		q := resolvers.Query{Ref: reg.ref(t, tag)}
		served, err := reader.Served(ctx, q, reg.found(t, client, q))
		for range diffNodes {
			need := genNode(rng)
			theirs := oracle(desc, need, true)
			var ours platforms.Outcome
			var reasons []string
			switch {
			case err != nil && p.OS == "":
				reasons = []string{"config-without-os"}
			case err == nil:
				ours = platforms.Match(served, need, platforms.Containerd)
				if !same(ours, theirs) && cdplatforms.Normalize(need).OS == "windows" && ours.Kind == platforms.None && theirs.Kind == platforms.Fallback {
					reasons = []string{"windows-no-fallback"}
				}
			}
			record("single", fmt.Sprintf("image %d (%s)", i, platforms.Format(ocispec.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion})), need, ours, theirs, reasons, err)
		}
	}

	total, agreed := 0, 0
	classes := make([]string, 0, len(tl.total))
	for c := range tl.total {
		classes = append(classes, c)
	}
	sort.Strings(classes)
	for _, c := range classes {
		t.Logf("containerd %-16s admissible agrees on %d/%d", c, tl.agree[c], tl.total[c])
		total += tl.total[c]
		agreed += tl.agree[c]
	}
	reasons := make([]string, 0, len(tl.deliberate))
	for r := range tl.deliberate {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		t.Logf("deliberate difference %s (%d): %s", r, tl.deliberate[r], deliberate[r])
	}
	t.Logf("%d cases (seed %d): %d agree, %d deliberate differences, %d images in the pool", total, diffSeed, agreed, total-agreed, len(pl.images))
	if total < 300 {
		t.Errorf("%d cases, want at least 300", total)
	}
	for r := range deliberate {
		if tl.deliberate[r] == 0 {
			t.Errorf("deliberate difference %s never seen: the generator no longer exercises it", r)
		}
	}
}
