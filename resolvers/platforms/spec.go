package platforms

import (
	"fmt"
	"strings"

	cdplatforms "github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Parse reads a platform written as containerd writes it (Format):
// "os/architecture[/variant]", with an os.version and os.features in
// parentheses after the os when there are any: "linux/arm64",
// "linux/arm/v7", "windows(10.0.20348)/amd64",
// "windows(10.0.20348+win32k)/amd64". It normalizes as containerd does
// (aarch64 is arm64, x86_64 is amd64, "linux/arm" has no variant, which
// means v7). Both os and architecture are required: containerd's own parser
// takes a missing one from the machine it runs on, which is not the node.
func Parse(s string) (ocispec.Platform, error) {
	const want = "want os/architecture[/variant], as linux/arm64, linux/arm/v7 or windows(10.0.20348)/amd64"
	if s == "" {
		return ocispec.Platform{}, fmt.Errorf("platform %q: empty: %s", s, want)
	}
	if !strings.Contains(s, "/") {
		return ocispec.Platform{}, fmt.Errorf("platform %q: %s", s, want)
	}
	p, err := cdplatforms.Parse(s)
	if err != nil {
		return ocispec.Platform{}, fmt.Errorf("platform %q: %s: %w", s, want, err)
	}
	return p, nil
}

// Format writes p as Parse reads it: "linux/arm/v7",
// "windows(10.0.20348)/amd64"; "unknown" when p has no os.
func Format(p ocispec.Platform) string { return cdplatforms.FormatAll(p) }
