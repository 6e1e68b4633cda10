package platforms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/admissible/admissible/resolvers"
)

// dockerConfig is the media type of a Docker image config, as containerd's
// core/images names it. The manifest media types are resolvers'.
const dockerConfig = "application/vnd.docker.container.image.v1+json"

// Annotation of an attestation entry in an index, as BuildKit writes it.
const (
	referenceType       = "vnd.docker.reference.type"
	attestationManifest = "attestation-manifest"
)

func isConfig(mt string) bool { return mt == ocispec.MediaTypeImageConfig || mt == dockerConfig }

// mediaTypeOf returns the media type a manifest is read as: the one the
// lookup's answer announced, which containerd goes by, when it is an index
// or a manifest; else the Content-Type of the GET. Parameters are dropped.
func mediaTypeOf(announced, got string) string {
	announced, got = resolvers.MediaType(announced), resolvers.MediaType(got)
	if resolvers.IsManifest(announced) {
		return announced
	}
	return got
}

// read fetches the manifest digest from ep and tells what it serves.
func (r *Reader) read(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, digest, announced string) (Served, error) {
	body, got, err := r.fetch.FetchManifest(ctx, ep, q, digest)
	if err != nil {
		return Served{}, err
	}
	mt := mediaTypeOf(announced, got)
	switch {
	case resolvers.IsIndex(mt):
		return r.readIndex(ctx, ep, q, digest, mt, body)
	case resolvers.IsImageManifest(mt):
		p, config, err := r.configPlatform(ctx, ep, q, digest, mt, body)
		switch {
		case err != nil:
			return Served{}, err
		case config == "":
			return Served{}, fmt.Errorf("manifest %s is an artifact, not an image: its config is not an image config", digest)
		case p.OS == "":
			return Served{}, fmt.Errorf("config %s of manifest %s names no os", config, digest)
		case p.Architecture == "":
			return Served{}, fmt.Errorf("config %s of manifest %s names no architecture", config, digest)
		}
		return Served{Digest: digest, Platforms: []ocispec.Platform{p}}, nil
	default:
		return Served{}, fmt.Errorf("manifest %s has media type %q, neither an image index nor an image manifest", digest, mt)
	}
}

// readIndex reads the platforms of an index's entries, and of the configs
// of entries without a platform.
func (r *Reader) readIndex(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, digest, mt string, body []byte) (Served, error) {
	if err := validate(body, mt); err != nil {
		return Served{}, fmt.Errorf("index %s: %w", digest, err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(body, &idx); err != nil {
		return Served{}, fmt.Errorf("index %s: %w", digest, err)
	}
	s := Served{Digest: digest, Index: true, Platforms: []ocispec.Platform{}}
	var unplatformed []ocispec.Descriptor
	for _, d := range idx.Manifests {
		switch {
		case isAttestation(d):
			s.Attestations++
		case resolvers.IsIndex(d.MediaType):
			return Served{}, fmt.Errorf("index %s: entry %s is itself an index, which is not read", digest, d.Digest)
		case !resolvers.IsImageManifest(d.MediaType) || (d.ArtifactType != "" && !isConfig(d.ArtifactType)):
			// An artifact, or something else no node runs.
		case d.Platform != nil:
			s.Platforms = append(s.Platforms, *d.Platform)
		default:
			unplatformed = append(unplatformed, d)
		}
	}
	if len(unplatformed) > MaxUnplatformed {
		return Served{}, fmt.Errorf("index %s: %d entries without a platform, more than the %d whose configs are read", digest, len(unplatformed), MaxUnplatformed)
	}
	// containerd reads the config of an entry without a platform; one
	// without an architecture, an artifact's, matches no node.
	for _, d := range unplatformed {
		child, got, err := r.fetch.FetchManifest(ctx, ep, q, d.Digest.String())
		if err != nil {
			return Served{}, fmt.Errorf("index %s: entry without a platform: %w", digest, err)
		}
		p, config, err := r.configPlatform(ctx, ep, q, d.Digest.String(), mediaTypeOf(d.MediaType, got), child)
		if err != nil {
			return Served{}, fmt.Errorf("index %s: entry without a platform: %w", digest, err)
		}
		if config != "" && p.Architecture != "" {
			s.Platforms = append(s.Platforms, p)
			s.Unplatformed++
		}
	}
	return s, nil
}

// configPlatform reads the platform of an image manifest from its config,
// and returns the config's digest; "" for an artifact, a manifest whose
// config is not an image config, whose platform is then not read.
func (r *Reader) configPlatform(ctx context.Context, ep resolvers.Endpoint, q resolvers.Query, digest, mt string, body []byte) (ocispec.Platform, string, error) {
	if !resolvers.IsImageManifest(mt) {
		return ocispec.Platform{}, "", fmt.Errorf("manifest %s has media type %q, not an image manifest", digest, mt)
	}
	if err := validate(body, mt); err != nil {
		return ocispec.Platform{}, "", fmt.Errorf("manifest %s: %w", digest, err)
	}
	var m ocispec.Manifest
	if err := json.Unmarshal(body, &m); err != nil {
		return ocispec.Platform{}, "", fmt.Errorf("manifest %s: %w", digest, err)
	}
	if m.Config.Digest == "" {
		return ocispec.Platform{}, "", fmt.Errorf("manifest %s names no config", digest)
	}
	if !isConfig(m.Config.MediaType) {
		return ocispec.Platform{}, "", nil
	}
	cfg, err := r.fetch.FetchConfig(ctx, ep, q, m.Config.Digest.String())
	if err != nil {
		return ocispec.Platform{}, "", err
	}
	// The platform fields are at the top of an image config.
	var p ocispec.Platform
	if err := json.Unmarshal(cfg, &p); err != nil {
		return ocispec.Platform{}, "", fmt.Errorf("config %s of manifest %s: %w", m.Config.Digest, digest, err)
	}
	return p, m.Config.Digest.String(), nil
}

// isAttestation reports whether an index entry is an attestation, not an
// image.
func isAttestation(d ocispec.Descriptor) bool {
	if d.Annotations[referenceType] == attestationManifest {
		return true
	}
	return d.Platform != nil && d.Platform.OS == "unknown" && d.Platform.Architecture == "unknown"
}

// validate checks that body is what its media type says, as containerd does
// before it reads a manifest (core/images validateMediaType): JSON, not a
// schema 1 manifest, an index not announced as a manifest nor the other way
// round.
func validate(body []byte, mt string) error {
	var doc struct {
		MediaType string          `json:"mediaType,omitempty"`
		Config    json.RawMessage `json:"config,omitempty"`
		Layers    json.RawMessage `json:"layers,omitempty"`
		Manifests json.RawMessage `json:"manifests,omitempty"`
		FSLayers  json.RawMessage `json:"fsLayers,omitempty"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	switch {
	case len(doc.FSLayers) != 0:
		return errors.New("a schema 1 manifest, which is not supported")
	case resolvers.IsImageManifest(mt) && (len(doc.Manifests) != 0 || resolvers.IsIndex(doc.MediaType)):
		return fmt.Errorf("announced as %s, an index", mt)
	case resolvers.IsIndex(mt) && (len(doc.Config) != 0 || len(doc.Layers) != 0 || resolvers.IsImageManifest(doc.MediaType)):
		return fmt.Errorf("announced as %s, an image manifest", mt)
	}
	return nil
}
