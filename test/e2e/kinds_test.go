//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// podSpec renders a pod spec indented by indent, with an init container and a
// main container.
func podSpec(indent, initImage, image string) string {
	s := fmt.Sprintf(`initContainers:
  - name: init
    image: %s
containers:
  - name: main
    image: %s
`, initImage, image)
	pad := strings.Repeat(" ", len(indent))
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

// workload renders an object of kind with a pod template; specPath is where
// the pod spec sits.
func workload(kind, name, initImage, image string) (manifest, specPath string) {
	meta := fmt.Sprintf("metadata: {name: %s, namespace: e2e}\n", name)
	sel := "  selector:\n    matchLabels: {app: %s}\n"
	tmplMeta := "    metadata:\n      labels: {app: %s}\n"
	switch kind {
	case "Pod":
		return "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n" + podSpec("  ", initImage, image), "spec"
	case "PodTemplate":
		return "apiVersion: v1\nkind: PodTemplate\n" + meta + "template:\n" + fmt.Sprintf("  metadata:\n    labels: {app: %s}\n", name) +
			"  spec:\n" + podSpec("    ", initImage, image), "template.spec"
	case "CronJob":
		return "apiVersion: batch/v1\nkind: CronJob\n" + meta + "spec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n" +
			podSpec("          ", initImage, image), "spec.jobTemplate.spec.template.spec"
	case "Job":
		return "apiVersion: batch/v1\nkind: Job\n" + meta + "spec:\n  template:\n    spec:\n      restartPolicy: Never\n" + podSpec("      ", initImage, image), "spec.template.spec"
	case "ReplicationController":
		return "apiVersion: v1\nkind: ReplicationController\n" + meta + "spec:\n  selector: {app: " + name + "}\n  template:\n" +
			fmt.Sprintf(tmplMeta, name) + "    spec:\n" + podSpec("      ", initImage, image), "spec.template.spec"
	default: // apps/v1 kinds
		extra := ""
		if kind == "StatefulSet" {
			extra = "  serviceName: " + name + "\n"
		}
		spec := podSpec("      ", initImage, image)
		return "apiVersion: apps/v1\nkind: " + kind + "\n" + meta + "spec:\n" + extra + fmt.Sprintf(sel, name) + "  template:\n" +
			fmt.Sprintf(tmplMeta, name) + "    spec:\n" + spec, "spec.template.spec"
	}
}

var workloadKinds = []string{"Pod", "PodTemplate", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"}

func TestEveryWorkloadKind(t *testing.T) {
	const good = "docker.io/library/app:1.0"
	for _, kind := range workloadKinds {
		t.Run(kind, func(t *testing.T) {
			name := strings.ToLower(kind)
			m, path := workload(kind, name, "docker.io/library/app:no-such-tag", good)
			r := kubectl(t, m, "apply", "-f", "-")
			expect(t, r, 1, webhookPrefix,
				path+`.initContainers[0].image: Not found: "docker.io/library/app:no-such-tag"`)

			m, path = workload(kind, name, good, "busybox:no-such-tag")
			r = kubectl(t, m, "apply", "--dry-run=server", "-f", "-")
			expect(t, r, 1, webhookPrefix, path+`.containers[0].image: Not found: "busybox:no-such-tag"`)

			// Job templates are immutable: the admitted object gets its own name.
			m, _ = workload(kind, name+"-ok", good, "busybox:1.36")
			expect(t, kubectl(t, m, "apply", "-f", "-"), 0, "created")
		})
	}
}

func TestEphemeralContainer(t *testing.T) {
	expect(t, kubectl(t, pod("debugged", "e2e", "docker.io/library/app:1.0"), "apply", "-f", "-"), 0, "created")
	r := kubectl(t, "", "debug", "-n", "e2e", "pod/debugged", "--image=docker.io/library/app:no-such-tag", "--container=dbg")
	expect(t, r, 1, webhookPrefix, `spec.ephemeralContainers[0].image: Not found: "docker.io/library/app:no-such-tag"`)
	r = kubectl(t, "", "debug", "-n", "e2e", "pod/debugged", "--image=docker.io/library/busybox:1.36", "--container=dbg2")
	expect(t, r, 0)
	r = kubectl(t, "", "get", "pod", "-n", "e2e", "debugged", "-o", "jsonpath={.spec.ephemeralContainers[*].name}")
	expect(t, r, 0)
	if strings.TrimSpace(r.Stdout) != "dbg2" {
		t.Errorf("ephemeral containers = %q, want only dbg2", r.Stdout)
	}
}
