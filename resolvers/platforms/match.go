package platforms

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	cdplatforms "github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Runtime is a node's container runtime, whose rules pick an image for the
// node's platform.
type Runtime int

const (
	// Containerd is containerd's CRI plugin (v2).
	Containerd Runtime = iota
	// CRIO is CRI-O, which pulls with containers/image.
	CRIO
)

// String returns the runtime's name as nodes report it: "containerd",
// "cri-o".
func (rt Runtime) String() string {
	if rt == CRIO {
		return "cri-o"
	}
	return "containerd"
}

// ParseRuntime reads a runtime's name, or a node's
// status.nodeInfo.containerRuntimeVersion ("containerd://2.1.4",
// "cri-o://1.33.2").
func ParseRuntime(s string) (Runtime, error) {
	runtime, _, _ := strings.Cut(s, "://")
	switch strings.ToLower(runtime) {
	case "containerd":
		return Containerd, nil
	case "cri-o", "crio":
		return CRIO, nil
	}
	return 0, fmt.Errorf("container runtime %q: want containerd or cri-o", s)
}

// Kind says whether a node's runtime finds an image for the node's platform.
type Kind int

const (
	// None: no served platform is the node's; the pull fails ("no match
	// for platform in manifest").
	None Kind = iota
	// Exact: the runtime's default pull takes a served platform.
	Exact
	// Fallback: only containerd's local pull (CRI plugin
	// use_local_image_pull = true) takes a served platform, a compatible
	// one: an older amd64 level or 386 on amd64, arm on arm64, an older arm
	// variant on arm. The default pull fails.
	Fallback
)

// String returns "none", "exact" or "fallback".
func (k Kind) String() string {
	switch k {
	case Exact:
		return "exact"
	case Fallback:
		return "fallback"
	default:
		return "none"
	}
}

// MarshalText renders the kind as its name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Outcome is what a node's runtime makes of what an image serves.
type Outcome struct {
	// Kind says whether the pull finds an image, and how.
	Kind Kind `json:"kind"`
	// Platform is the served platform the pull takes, as served; the zero
	// Platform for None.
	Platform ocispec.Platform `json:"platform"`
}

// Match says which of the platforms s serves a node of platform need
// pulls with runtime rt. need is the node's platform as its runtime sees
// it: os, architecture, the CPU variant when known, and a Windows node's
// os.version ("10.0.20348"). doc.go describes each runtime's rules. A single
// image manifest is judged by its config's platform, as an index entry
// would be, although neither runtime checks it at pull: the container fails
// to start instead.
func Match(s Served, need ocispec.Platform, rt Runtime) Outcome {
	n := len(s.Platforms) - s.Unplatformed
	if n < 0 || n > len(s.Platforms) {
		n = len(s.Platforms)
	}
	// Both runtimes sort the entries without a platform last and take the
	// first of them: containerd checks its config, containers/image pulls
	// it whatever its config says, which the container's start then does.
	groups := [][]ocispec.Platform{s.Platforms[:n]}
	if n < len(s.Platforms) {
		groups = append(groups, s.Platforms[n:n+1])
	}
	if rt == CRIO {
		for _, g := range groups {
			if o := matchCRIO(g, need); o.Kind != None {
				return o
			}
		}
		return Outcome{}
	}
	return matchContainerd(groups, need)
}

// matchContainerd picks as containerd's CRI plugin does: the default
// (transfer service) pull filters an index with platforms.Ordered(node),
// the local pull with platforms.Default(), which is platforms.Only(node) but
// on Windows, where it is as exact as the default. Each pass takes from the
// first group it can.
func matchContainerd(groups [][]ocispec.Platform, need ocispec.Platform) Outcome {
	passes := []struct {
		kind Kind
		m    cdplatforms.MatchComparer
	}{{Exact, cdplatforms.Ordered(need)}}
	if cdplatforms.Normalize(need).OS != "windows" {
		passes = append(passes, struct {
			kind Kind
			m    cdplatforms.MatchComparer
		}{Fallback, cdplatforms.Only(need)})
	}
	for _, pass := range passes {
		for _, served := range groups {
			// containerd normalizes an entry without os to its own: the
			// node's.
			cands := slices.Clone(served)
			for i := range cands {
				if cands[i].OS == "" {
					cands[i].OS = need.OS
				}
			}
			if i, ok := best(pass.m, cands); ok {
				return Outcome{Kind: pass.kind, Platform: served[i]}
			}
		}
	}
	return Outcome{}
}

// best returns the index of the platform m picks among ps: the least by
// m.Less among those m matches, the first listed of equals, as containerd's
// core/images sorts an index's entries.
func best(m cdplatforms.MatchComparer, ps []ocispec.Platform) (int, bool) {
	var matched []int
	for i, p := range ps {
		if m.Match(p) {
			matched = append(matched, i)
		}
	}
	if len(matched) == 0 {
		return 0, false
	}
	sort.SliceStable(matched, func(a, b int) bool { return m.Less(ps[matched[a]], ps[matched[b]]) })
	return matched[0], true
}

// crioVariants are, by architecture, the variants from most to least
// capable, as containers/image lists them (internal/pkg/platform,
// compatibility): a node runs its own variant and the ones after it.
var crioVariants = map[string][]string{
	"arm":   {"v8", "v7", "v6", "v5"},
	"arm64": {"v8"},
}

// matchCRIO picks as containers/image does for CRI-O (WantedPlatforms,
// MatchesPlatform): the same os and architecture, as written; the node's
// variant, an older one of the same architecture, or none; os.version not
// looked at; never another architecture.
func matchCRIO(served []ocispec.Platform, need ocispec.Platform) Outcome {
	variant := need.Variant
	switch need.Architecture {
	case "amd64":
		// containers/image detects no amd64 level unless asked to
		// (DetectPlatformVariant), and CRI-O does not ask.
		variant = ""
	case "arm64":
		if variant == "" {
			variant = "v8" // what the node's /proc/cpuinfo says
		}
	case "arm":
		if variant == "" {
			variant = "v7"
		}
	}
	wanted := []string{""}
	if variant != "" {
		wanted = []string{variant}
		if order := crioVariants[need.Architecture]; slices.Contains(order, variant) {
			wanted = order[slices.Index(order, variant):]
		}
		wanted = append(slices.Clip(wanted), "")
	}
	for _, v := range wanted {
		for _, p := range served {
			if p.OS == need.OS && p.Architecture == need.Architecture && amd64Level(p.Architecture, p.Variant) == amd64Level(need.Architecture, v) {
				return Outcome{Kind: Exact, Platform: p}
			}
		}
	}
	return Outcome{}
}

// amd64Level treats amd64 v1 as no variant, as containers/image does.
func amd64Level(arch, variant string) string {
	if arch == "amd64" && variant == "v1" {
		return ""
	}
	return variant
}
