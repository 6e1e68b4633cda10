//go:build e2e

package e2e

import "testing"

const incident = "../testdata/incident/"

// applyModes are the three ways a manifest reaches the API server that must
// get the same verdict.
var applyModes = map[string][]string{
	"apply":            {"apply", "-f", "-"},
	"dry-run=server":   {"apply", "--dry-run=server", "-f", "-"},
	"server-side":      {"apply", "--server-side", "-f", "-"},
	"server-side dry":  {"apply", "--server-side", "--dry-run=server", "-f", "-"},
	"create":           {"create", "-f", "-"},
	"create dry-run":   {"create", "--dry-run=server", "-f", "-"},
	"apply -o name":    {"apply", "-o", "name", "-f", "-"},
	"server-side -o n": {"apply", "--server-side", "-o", "name", "-f", "-"},
}

func TestIncidentCephClusterImage(t *testing.T) {
	broken := readFile(t, incident+"cephcluster-broken.yaml")
	for mode, args := range applyModes {
		t.Run("broken/"+mode, func(t *testing.T) {
			r := kubectl(t, broken, args...)
			expect(t, r, 1, webhookPrefix,
				`spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31"`,
				`tag "v17.2.31" not found in quay.io/ceph/ceph`,
				"404 Not Found", "nearest: v17.2.6, v17.2.5")
		})
	}
	t.Run("fixed is admitted", func(t *testing.T) {
		r := kubectl(t, readFile(t, incident+"cephcluster-fixed.yaml"), "apply", "-f", "-")
		expect(t, r, 0, "cephcluster.ceph.rook.io/rook-ceph created")
	})
	t.Run("update back to the broken tag is refused", func(t *testing.T) {
		for _, args := range [][]string{{"apply", "-f", "-"}, {"apply", "--server-side", "-f", "-"}, {"replace", "-f", "-"}} {
			r := kubectl(t, broken, args...)
			expect(t, r, 1, webhookPrefix, `spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31"`)
		}
		r := kubectl(t, "", "get", "cephcluster", "-n", "rook-ceph", "rook-ceph", "-o", "jsonpath={.spec.cephVersion.image}")
		expect(t, r, 0, "quay.io/ceph/ceph:v17.2.6")
	})
}

func TestIncidentStatefulSetEnv(t *testing.T) {
	broken := readFile(t, incident+"statefulset-broken.yaml")
	want := []string{"spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"}
	if env.cp.Minor <= 33 {
		// Up to 1.33 the API server stores such a StatefulSet: the webhook is
		// the only guard.
		want = append(want, webhookPrefix)
	}
	for mode, args := range applyModes {
		t.Run("broken/"+mode, func(t *testing.T) {
			expect(t, kubectl(t, broken, args...), 1, want...)
		})
	}
	t.Run("fixed is admitted", func(t *testing.T) {
		r := kubectl(t, readFile(t, incident+"statefulset-fixed.yaml"), "apply", "-f", "-")
		expect(t, r, 0, "statefulset.apps/harbor-registry-postgresql created")
	})
	t.Run("helm-style update that keeps value beside valueFrom is refused", func(t *testing.T) {
		expect(t, kubectl(t, broken, "apply", "-f", "-"), 1, want...)
		expect(t, kubectl(t, broken, "replace", "-f", "-"), 1, want...)
	})
}
