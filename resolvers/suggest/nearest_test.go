package suggest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNearest(t *testing.T) {
	ceph := []string{"v16.2.13", "v17.2.4", "v17.2.5", "v17.2.6", "v17.2.6-20230620", "v18.1.0", "latest", "latest-quincy"}
	cases := map[string]struct {
		missing string
		tags    []string
		n       int
		want    []string
	}{
		"the incident: nearest patch of the same minor first": {
			missing: "v17.2.31", tags: ceph, n: 3, want: []string{"v17.2.6", "v17.2.5", "v17.2.4"},
		},
		"releases before pre-releases": {
			missing: "v17.2.7", tags: []string{"v17.2.6-20230620", "v17.2.5"}, n: 2, want: []string{"v17.2.5", "v17.2.6-20230620"},
		},
		"another major: its newest release": {
			missing: "v19.0.0", tags: ceph, n: 2, want: []string{"v18.1.0", "v17.2.6"},
		},
		"other minor when the minor has no release": {
			missing: "v17.9.0", tags: ceph, n: 1, want: []string{"v17.2.6"},
		},
		"unprefixed versions only match unprefixed tags": {
			missing: "1.25.9", tags: []string{"v1.25.3", "1.25.3", "1.24.0"}, n: 2, want: []string{"1.25.3", "1.24.0"},
		},
		"no version: edit distance": {
			missing: "latest-quincyy", tags: ceph, n: 2, want: []string{"latest-quincy", "latest"},
		},
		"nothing alike": {missing: "zzzzzzzz", tags: []string{"v1.0.0", "stable"}, n: 3, want: []string{}},
		"no tags":       {missing: "v1.0.0", tags: nil, n: 3, want: nil},
		"n zero":        {missing: "v1.0.0", tags: ceph, n: 0, want: nil},
		"the missing tag itself is never suggested": {
			missing: "v1.0.0", tags: []string{"v1.0.0", "v1.0.1"}, n: 3, want: []string{"v1.0.1"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := Nearest(tc.missing, tc.tags, tc.n)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Nearest(%q) (-want +got):\n%s", tc.missing, diff)
			}
		})
	}
}

func TestLevenshtein(t *testing.T) {
	cases := map[string]struct {
		a, b string
		want int
	}{
		"equal":      {"abc", "abc", 0},
		"insert":     {"abc", "abcd", 1},
		"substitute": {"abc", "abd", 1},
		"empty":      {"", "abc", 3},
		"kitten":     {"kitten", "sitting", 3},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := levenshtein(tc.a, tc.b); got != tc.want {
				t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
			}
		})
	}
}
