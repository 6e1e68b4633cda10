//go:build e2e

package e2e

import "testing"

// TestMirrorWalkThroughDistribution looks ghcr.io images up through a dead
// first mirror and then Debian's Distribution registry, as a node would.
func TestMirrorWalkThroughDistribution(t *testing.T) {
	cases := map[string]struct {
		image    string
		exitCode int
		want     []string
	}{
		"found on the second mirror": {image: "ghcr.io/org/tool:2.1", want: []string{"created"}},
		"missing there: undetermined, since the dead mirror might have it": {
			image: "ghcr.io/org/tool:2.2",
			want: []string{
				`Warning: spec.containers[0].image: could not verify image "ghcr.io/org/tool:2.2"`,
				"http://127.0.0.1:1/v2: connection refused",
				env.distribution.URL + "/v2: 404 Not Found",
			},
		},
	}
	i := 0
	for name, tc := range cases {
		i++
		t.Run(name, func(t *testing.T) {
			r := kubectl(t, pod("mirrored-"+string(rune('a'+i)), "e2e", tc.image), "apply", "--dry-run=server", "-f", "-")
			expect(t, r, tc.exitCode, tc.want...)
		})
	}
}
