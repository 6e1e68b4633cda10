package suggest

import (
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// Nearest returns at most n tags of tags closest to missing, nearest first.
func Nearest(missing string, tags []string, n int) []string {
	if n <= 0 || len(tags) == 0 {
		return nil
	}
	if want, err := semver.NewVersion(missing); err == nil {
		if out := nearestVersions(missing, want, tags, n); len(out) > 0 {
			return out
		}
	}
	return nearestStrings(missing, tags, n)
}

type candidate struct {
	tag string
	v   *semver.Version
}

// nearestVersions ranks the tags that read as versions in the same style as
// missing (with or without "v").
func nearestVersions(missing string, want *semver.Version, tags []string, n int) []string {
	prefixed := strings.HasPrefix(missing, "v")
	var cands []candidate
	for _, t := range tags {
		if t == missing || strings.HasPrefix(t, "v") != prefixed {
			continue
		}
		v, err := semver.NewVersion(t)
		if err != nil {
			continue
		}
		cands = append(cands, candidate{tag: t, v: v})
	}
	// Closeness: major first; minor only within the same major; then
	// releases before pre-releases; patch only within the same minor.
	key := func(c candidate) [4]uint64 {
		var k [4]uint64
		k[0] = dist(c.v.Major(), want.Major())
		if k[0] == 0 {
			k[1] = dist(c.v.Minor(), want.Minor())
		}
		if c.v.Prerelease() != "" {
			k[2] = 1
		}
		if k[0] == 0 && k[1] == 0 {
			k[3] = dist(c.v.Patch(), want.Patch())
		}
		return k
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := key(cands[i]), key(cands[j])
		if a != b {
			for k := range a {
				if a[k] != b[k] {
					return a[k] < b[k]
				}
			}
		}
		// Equally close: the newer one first.
		return cands[i].v.GreaterThan(cands[j].v)
	})
	out := make([]string, 0, n)
	for _, c := range cands {
		if len(out) == n {
			break
		}
		out = append(out, c.tag)
	}
	return out
}

func dist(a, b uint64) uint64 {
	if a > b {
		return a - b
	}
	return b - a
}

// nearestStrings ranks tags by edit distance to missing.
func nearestStrings(missing string, tags []string, n int) []string {
	type scored struct {
		tag string
		d   int
	}
	var all []scored
	for _, t := range tags {
		if t != missing {
			all = append(all, scored{t, levenshtein(missing, t)})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].d != all[j].d {
			return all[i].d < all[j].d
		}
		return all[i].tag < all[j].tag
	})
	// A tag more different than it is alike is no suggestion.
	limit := len(missing)/2 + 1
	out := make([]string, 0, n)
	for _, s := range all {
		if len(out) == n || s.d > limit {
			break
		}
		out = append(out, s.tag)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
