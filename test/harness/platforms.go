package harness

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// platformImage returns a small random image whose config names platform
// ("linux/arm64", "linux/arm/v7").
func platformImage(platform string) (v1.Image, *v1.Platform, error) {
	p, err := v1.ParsePlatform(platform)
	if err != nil {
		return nil, nil, err
	}
	img, err := random.Image(256, 1)
	if err != nil {
		return nil, nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	return img, p, err
}

// PushPlatformImage stores at repo:tag a single image manifest whose config
// names platform, and returns its digest.
func (r *Registry) PushPlatformImage(repo, tag, platform string) (string, error) {
	img, _, err := platformImage(platform)
	if err != nil {
		return "", err
	}
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.Host, repo, tag), name.Insecure)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, r.options()...); err != nil {
		return "", fmt.Errorf("push %s: %w", ref, err)
	}
	d, err := img.Digest()
	return d.String(), err
}

// PushIndex stores at repo:tag an image index with one image per platform,
// and returns its digest.
func (r *Registry) PushIndex(repo, tag string, platforms ...string) (string, error) {
	var idx v1.ImageIndex = empty.Index
	for _, platform := range platforms {
		img, p, err := platformImage(platform)
		if err != nil {
			return "", err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", r.Host, repo, tag), name.Insecure)
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(ref, idx, r.options()...); err != nil {
		return "", fmt.Errorf("push %s (%s): %w", ref, strings.Join(platforms, ", "), err)
	}
	d, err := idx.Digest()
	return d.String(), err
}
