package crio_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/types"

	"github.com/admissible/admissible/resolvers/crio"
)

// oracleSystem is the SystemContext CRI-O would pull with, reading the
// case's files and nothing of this machine: no auth file, no certs.d, no
// registries.d, no recorded aliases; every request through the case's
// proxy. TLS verification is left to each source's insecure flag, as CRI-O
// leaves it.
func oracleSystem(dir, file, dropIns string, proxy *url.URL) (*types.SystemContext, error) {
	for _, d := range []string{"certs.d", "registries.d"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			return nil, err
		}
	}
	disabled := types.ShortNameModeDisabled
	return &types.SystemContext{
		SystemRegistriesConfPath:    file,
		SystemRegistriesConfDirPath: dropIns,
		UserShortNameAliasConfPath:  filepath.Join(dir, "no-aliases.conf"),
		AuthFilePath:                filepath.Join(dir, "no-auth.json"),
		DockerPerHostCertDirPath:    filepath.Join(dir, "certs.d"),
		RegistriesDirPath:           filepath.Join(dir, "registries.d"),
		DockerProxyURL:              proxy,
		DockerRegistryUserAgent:     "oracle",
		ShortNameMode:               &disabled,
	}, nil
}

// errRefused is CRI-O refusing a short name by its configuration.
var errRefused = errors.New("refused by the configuration")

// oraclePull is CRI-O's pull, up to the manifest: the candidates of the
// reference as written (CRI-O's CandidatesForPotentiallyShortImageName),
// then for each, in order, containers/image's own source loop
// (docker.NewReference and NewImageSource: FindRegistry,
// PullSourcesFromReference, blocked sources, insecure fallback) and the
// manifest it settles on, which must be an image manifest. The first
// candidate that gets one wins; otherwise the last error, as CRI-O's
// pullImage returns it. It returns the manifest's digest.
//
// Mode enforcing is not asked of the library, which checks for a terminal
// on the test's own stdin and stdout: with disabled candidates, more than
// one candidate that is not an alias is CRI-O's refusal.
func oraclePull(ctx context.Context, sys *types.SystemContext, written string, mode crio.ShortNameMode) (string, error) {
	resolved, err := shortnames.Resolve(sys, written)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errRefused, err)
	}
	if mode == crio.Enforcing && len(resolved.PullCandidates) > 1 && !strings.HasPrefix(resolved.Description(), "Resolved") {
		return "", fmt.Errorf("%w: short name mode is enforcing, but image name %s returns ambiguous list", errRefused, written)
	}
	lastErr := errors.New("no candidate")
	for _, c := range resolved.PullCandidates {
		named := c.Value
		if d, ok := named.(reference.Canonical); ok {
			// CRI-O keeps the digest alone.
			if named, err = reference.WithDigest(reference.TrimNamed(named), d.Digest()); err != nil {
				return "", err
			}
		}
		digest, err := oracleSource(ctx, sys, named)
		if err == nil {
			return digest, nil
		}
		lastErr = err
	}
	return "", lastErr
}

func oracleSource(ctx context.Context, sys *types.SystemContext, named reference.Named) (string, error) {
	ref, err := docker.NewReference(named)
	if err != nil {
		return "", err
	}
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return "", err
	}
	defer src.Close()
	blob, mt, err := src.GetManifest(ctx, nil)
	if err != nil {
		return "", err
	}
	if _, err := manifest.FromBlob(blob, manifest.NormalizedMIMEType(mt)); err != nil {
		return "", fmt.Errorf("the manifest of %s: %w", named, err)
	}
	d, err := manifest.Digest(blob)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}
