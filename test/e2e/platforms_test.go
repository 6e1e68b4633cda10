//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// platformWorkload is a Deployment or DaemonSet in namespace platforms
// running image, with podExtra (indented six spaces) in its pod spec.
func platformWorkload(kind, name, image, podExtra string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: %s
metadata: {name: %s, namespace: platforms}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
%s      containers: [{name: app, image: %q}]
`, kind, name, name, name, podExtra, image)
}

const (
	armSelector    = "      nodeSelector: {kubernetes.io/arch: arm64}\n"
	amdSelector    = "      nodeSelector: {kubernetes.io/arch: amd64}\n"
	armTolerations = "      tolerations: [{key: dedicated, operator: Equal, value: arm, effect: NoSchedule}]\n"
)

// Nodes of two architectures, one of them tainted, and images serving
// amd64 only, amd64 and arm64, or a single arm64 image: the webhook refuses,
// through kubectl, what the nodes a pod may run on cannot run, warns where
// only some of them cannot, and check --platform refuses offline alike.
func TestPlatformsRefusedAtApply(t *testing.T) {
	for repo, platforms := range map[string][]string{"plat/amd64-only": {"linux/amd64"}, "plat/multi": {"linux/amd64", "linux/arm64"}} {
		if _, err := env.registry.PushIndex(repo, "1", platforms...); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.registry.PushPlatformImage("plat/arm64-single", "1", "linux/arm64"); err != nil {
		t.Fatal(err)
	}
	kubectl(t, "", "create", "namespace", "platforms")
	kubectl(t, "", "create", "serviceaccount", "default", "-n", "platforms")
	nodes := `apiVersion: v1
kind: Node
metadata: {name: plat-amd-1, labels: {kubernetes.io/os: linux, kubernetes.io/arch: amd64}}
---
apiVersion: v1
kind: Node
metadata: {name: plat-arm-1, labels: {kubernetes.io/os: linux, kubernetes.io/arch: arm64}}
---
apiVersion: v1
kind: Node
metadata: {name: plat-arm-2, labels: {kubernetes.io/os: linux, kubernetes.io/arch: arm64}}
spec:
  taints: [{key: dedicated, value: arm, effect: NoSchedule}]
`
	expect(t, kubectl(t, nodes, "apply", "-f", "-"), 0)
	unpinned := platformWorkload("Deployment", "unpinned", "quay.io/plat/amd64-only:1", "")
	t.Cleanup(func() {
		kubectl(t, "", "delete", "node", "plat-amd-1", "plat-arm-1", "plat-arm-2")
		// The other tests' images serve no platform: wait until the
		// webhook's informer has seen the nodes go.
		deadline := time.Now().Add(15 * time.Second)
		for strings.Contains(kubectl(t, unpinned, "apply", "--dry-run=server", "-f", "-").Output(), "where this pod may also be scheduled") {
			if time.Now().After(deadline) {
				t.Fatal("the webhook still sees the nodes 15 s after they were deleted")
			}
			time.Sleep(200 * time.Millisecond)
		}
	})

	pinnedRefusal := `spec.template.spec.containers[0].image: Forbidden: image "quay.io/plat/amd64-only:1" serves linux/amd64 only; the nodes this pod may run on are linux/arm64 (1 node): no match for their platform`
	eventually(t, platformWorkload("Deployment", "pinned", "quay.io/plat/amd64-only:1", armSelector), 1, webhookPrefix, pinnedRefusal)
	expect(t, kubectl(t, platformWorkload("Deployment", "pinned-multi", "quay.io/plat/multi:1", armSelector), "apply", "-f", "-"), 0)
	// The tainted arm64 node counts once tolerated.
	expect(t, kubectl(t, platformWorkload("Deployment", "tolerating", "quay.io/plat/amd64-only:1", armSelector+armTolerations), "apply", "-f", "-"), 1,
		webhookPrefix, "the nodes this pod may run on are linux/arm64 (2 nodes)")
	expect(t, kubectl(t, platformWorkload("DaemonSet", "agent", "quay.io/plat/amd64-only:1", ""), "apply", "-f", "-"), 1,
		webhookPrefix, `image "quay.io/plat/amd64-only:1" serves linux/amd64 only; this DaemonSet also runs on linux/arm64 (1 node): its pods there fail`)
	expect(t, kubectl(t, platformWorkload("DaemonSet", "agent-multi", "quay.io/plat/multi:1", armTolerations), "apply", "-f", "-"), 0)
	expect(t, kubectl(t, unpinned, "apply", "-f", "-"), 0,
		`Warning: spec.template.spec.containers[0].image: image "quay.io/plat/amd64-only:1" serves linux/amd64 only; not linux/arm64 (1 node), where this pod may also be scheduled`)
	expect(t, kubectl(t, platformWorkload("Deployment", "single", "quay.io/plat/arm64-single:1", amdSelector), "apply", "-f", "-"), 1,
		webhookPrefix, `image "quay.io/plat/arm64-single:1" serves linux/arm64 only; the nodes this pod may run on are linux/amd64 (1 node)`)
	expect(t, kubectl(t, platformWorkload("Deployment", "single-arm", "quay.io/plat/arm64-single:1", armSelector), "apply", "-f", "-"), 0)

	// check, offline, with the nodes' platforms named.
	file := filepath.Join(t.TempDir(), "pinned.yaml")
	if err := os.WriteFile(file, []byte(platformWorkload("Deployment", "pinned", "quay.io/plat/amd64-only:1", armSelector)), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		platforms string
		code      int
		want      string
	}{
		{"linux/amd64,linux/arm64", 1, `spec.template.spec.containers[0].image: Forbidden: image "quay.io/plat/amd64-only:1" serves linux/amd64 only; the nodes this pod may run on are linux/arm64: no match for their platform`},
		{"linux/amd64", 0, "platforms not checked: none of the 1 nodes matches"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, env.webhook.Binary, "check", "--config", env.webhook.ConfigFile, "--platform", tc.platforms, "-f", file)
		out, _ := cmd.CombinedOutput()
		cancel()
		if cmd.ProcessState.ExitCode() != tc.code || !strings.Contains(string(out), tc.want) {
			t.Errorf("check --platform %s: exit %d, want %d and %q:\n%s", tc.platforms, cmd.ProcessState.ExitCode(), tc.code, tc.want, out)
		}
	}
}
