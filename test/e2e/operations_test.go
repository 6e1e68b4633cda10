//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// appManifests is the request path the test registry counts for every
// lookup of docker.io/library/app:1.0.
const appManifests = "HEAD /v2/library/app/manifests/1.0"

// deployment renders a Deployment of docker.io/library/app:1.0 with
// replicas, a label and annotations (a YAML flow mapping's inside).
func deployment(name, image string, replicas int, label, annotations string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %s
  namespace: e2e
  labels: {tier: %s}
  annotations: {%s}
spec:
  replicas: %d
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
      containers: [{name: main, image: %q}]
`, name, label, annotations, replicas, name, name, image)
}

// lookups returns how many image lookups the webhook made, cache hits
// included, from its admissible_lookups_total metric.
func lookups(t *testing.T) int {
	t.Helper()
	n, err := env.webhook.Metric("admissible_lookups_total")
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// TestUpdateLooksUpNothingUnchanged: scaling, relabelling and re-applying a
// Deployment reach neither the registry nor the webhook's lookup cache.
func TestUpdateLooksUpNothingUnchanged(t *testing.T) {
	const name = "ops-unchanged"
	expect(t, kubectl(t, deployment(name, "docker.io/library/app:1.0", 1, "a", ""), "apply", "-f", "-"), 0, "created")
	requests, looked := env.registry.Requests(appManifests), lookups(t)
	if looked == 0 {
		t.Fatalf("admissible_lookups_total is 0 after a created Deployment: the metric does not count lookups")
	}

	expect(t, kubectl(t, deployment(name, "docker.io/library/app:1.0", 3, "a", ""), "apply", "-f", "-"), 0, "configured")
	expect(t, kubectl(t, deployment(name, "docker.io/library/app:1.0", 3, "b", ""), "apply", "--server-side", "--force-conflicts", "-f", "-"), 0, "serverside-applied")
	expect(t, kubectl(t, "", "label", "-n", "e2e", "deployment/"+name, "owner=ops"), 0, "labeled")
	expect(t, kubectl(t, "", "scale", "-n", "e2e", "deployment/"+name, "--replicas=5"), 0, "scaled")
	expect(t, kubectl(t, "", "annotate", "-n", "e2e", "deployment/"+name, "note=flux"), 0, "annotated")

	if got := env.registry.Requests(appManifests); got != requests {
		t.Errorf("registry asked %q %d times during updates, want 0", appManifests, got-requests)
	}
	if got := lookups(t); got != looked {
		t.Errorf("webhook made %d lookups during updates that changed no image, want 0", got-looked)
	}

	// Changing the image is judged.
	r := kubectl(t, deployment(name, "docker.io/library/app:9.9", 5, "b", ""), "apply", "--server-side", "--force-conflicts", "-f", "-")
	expect(t, r, 1, webhookPrefix, `spec.template.spec.containers[0].image: Not found: "docker.io/library/app:9.9"`)
}

// TestUpdateJudgesTheChangeNotThePast: an object stored with a missing image
// (here through the exemption annotation) can still be scaled and
// relabelled once the exemption is gone; a new missing image is refused.
func TestUpdateJudgesTheChangeNotThePast(t *testing.T) {
	const name = "ops-past"
	r := kubectl(t, deployment(name, "docker.io/library/app:gone", 1, "a", `admissible.dev/skip: images`), "apply", "-f", "-")
	expect(t, r, 0, "created", "images not checked: this object is exempted by annotation admissible.dev/skip")

	r = kubectl(t, deployment(name, "docker.io/library/app:gone", 2, "b", ""), "apply", "-f", "-")
	expect(t, r, 0, "configured")
	if strings.Contains(r.Output(), "Warning") {
		t.Errorf("update that changes no image warned:\n%s", r.Output())
	}

	r = kubectl(t, deployment(name, "docker.io/library/app:also-gone", 2, "b", ""), "apply", "-f", "-")
	expect(t, r, 1, webhookPrefix, `spec.template.spec.containers[0].image: Not found: "docker.io/library/app:also-gone"`)
}

// TestUpdateOfAnOldPodTemplateProblem: a problem the stored object already
// had is a warning on update, one the update adds is a denial. A StatefulSet
// with value and valueFrom is what API servers up to 1.33 store.
func TestUpdateOfAnOldPodTemplateProblem(t *testing.T) {
	if env.cp.Minor > 33 {
		t.Skipf("API server %s refuses value with valueFrom in StatefulSet templates itself", env.cp.Version)
	}
	const both = `{name: P, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}`
	const both2 = `{name: Q, value: 'y', valueFrom: {fieldRef: {fieldPath: metadata.name}}}`
	sts := func(replicas int, annotations, env string) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ops-env
  namespace: e2e
  annotations: {%s}
spec:
  replicas: %d
  serviceName: ops-env
  selector: {matchLabels: {app: ops-env}}
  template:
    metadata: {labels: {app: ops-env}}
    spec:
      containers: [{name: main, image: "docker.io/library/app:1.0", env: [%s]}]
`, annotations, replicas, env)
	}
	expect(t, kubectl(t, sts(1, "admissible.dev/skip: pod-templates", both), "apply", "-f", "-"), 0, "created", "pod templates not checked")

	r := kubectl(t, sts(2, "", both), "apply", "-f", "-")
	expect(t, r, 0, "configured", "Warning: already present before this update: spec.template.spec.containers[0].env[0].valueFrom: Invalid value")

	r = kubectl(t, sts(2, "", both+", "+both2), "apply", "-f", "-")
	expect(t, r, 1, webhookPrefix, "spec.template.spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
		"Warning: already present before this update: spec.template.spec.containers[0].env[0].valueFrom")
}

// TestNamespaceWarnMode: a namespace labelled admissible.dev/images=warn
// admits a missing tag with a warning.
func TestNamespaceWarnMode(t *testing.T) {
	const ns = "e2e-warn"
	expect(t, kubectl(t, "", "create", "namespace", ns), 0)
	expect(t, kubectl(t, "", "label", "namespace", ns, "admissible.dev/images=warn"), 0, "labeled")
	m := pod("warned", ns, "docker.io/library/app:no-such-tag")
	// The webhook reads labels from an informer: give it a moment.
	var r = kubectl(t, m, "apply", "--dry-run=server", "-f", "-")
	for deadline := time.Now().Add(10 * time.Second); r.ExitCode != 0 && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		r = kubectl(t, m, "apply", "--dry-run=server", "-f", "-")
	}
	r = kubectl(t, m, "apply", "-f", "-")
	expect(t, r, 0, "pod/warned created",
		`Warning: [warn mode] spec.containers[0].image: Not found: "docker.io/library/app:no-such-tag"`)

}

// TestAnnotationExemption: admissible.dev/skip exempts one object from one
// check and says so.
func TestAnnotationExemption(t *testing.T) {
	m := strings.Replace(pod("exempted", "e2e", "docker.io/library/app:no-such-tag"),
		"metadata: {name: exempted, namespace: e2e}", "metadata: {name: exempted, namespace: e2e, annotations: {admissible.dev/skip: images}}", 1)
	expect(t, kubectl(t, m, "apply", "-f", "-"), 0, "pod/exempted created",
		"Warning: images not checked: this object is exempted by annotation admissible.dev/skip")
	// Without the annotation, the same pod is refused.
	expect(t, kubectl(t, pod("not-exempted", "e2e", "docker.io/library/app:no-such-tag"), "apply", "-f", "-"), 1, webhookPrefix)
}

// TestConfiguredCustomResource: a Rollout, listed in the configuration, is
// judged like a Deployment: its pod template's images and env.
func TestConfiguredCustomResource(t *testing.T) {
	rollout := func(name, image, env string) string {
		return fmt.Sprintf(`apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: %s, namespace: e2e}
spec:
  replicas: 1
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
      containers:
        - name: main
          image: %s
          env: [%s]
  strategy: {canary: {steps: [{setWeight: 20}]}}
`, name, name, name, image, env)
	}
	r := kubectl(t, rollout("broken", "docker.io/library/app:no-such-tag", `{name: P, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}`), "apply", "-f", "-")
	expect(t, r, 1, webhookPrefix, "2 problems:",
		"spec.template.spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
		`spec.template.spec.containers[0].image: Not found: "docker.io/library/app:no-such-tag"`)
	expect(t, kubectl(t, rollout("fine", "docker.io/library/app:1.0", `{name: P, value: x}`), "apply", "-f", "-"), 0, "rollout.argoproj.io/fine created")
	// The scale subresource is not judged: nothing to refuse there.
	expect(t, kubectl(t, "", "scale", "-n", "e2e", "rollout/fine", "--replicas=2"), 0, "scaled")
}

// TestRegistriesDeny: an image of a denied registry is refused with the
// reason and never looked up.
func TestRegistriesDeny(t *testing.T) {
	const path = "HEAD /v2/library/app/manifests/1.0"
	before := env.registry.Requests(path)
	r := kubectl(t, pod("denied", "e2e", "denied.example/library/app:1.0"), "apply", "-f", "-")
	expect(t, r, 1, webhookPrefix,
		`spec.containers[0].image: Forbidden: "denied.example/library/app:1.0": registry denied.example is denied by registries.deny ("denied.example")`)
	if got := env.registry.Requests(path); got != before {
		t.Errorf("the denied registry's mirror was asked %d times, want 0", got-before)
	}
}
