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

	"github.com/admissible/admissible/test/harness"
)

// circleHost is the host of docker.io's first mirror endpoint, which the
// registry-circle tests' Ingresses claim: a name the webhook's resolver
// reaches (the test registry), as a node would reach Harbor's Ingress.
const circleHost = "localhost"

// circleMirror is docker.io's mirror endpoint: the test registry by name.
func circleMirror() string { return strings.Replace(env.registry.URL, "127.0.0.1", circleHost, 1) }

// circleMessage is the chain the warning spells out for namespace ns.
func circleMessage(ns string) string {
	return fmt.Sprintf("registry circle: %s/harbor-registry-core serves %s, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it",
		ns, strings.TrimPrefix(circleMirror(), "http://"))
}

// fragilityLines are the warnings of a one-replica Deployment without a PDB.
var fragilityLines = []string{"runs one replica (spec.replicas is 1)", "registry circle: no PodDisruptionBudget selects the pods of Deployment"}

// harbor renders the incident's shape in ns: a Harbor-like Deployment
// (sturdy: two replicas, spread, and a PDB, which comes with the Service),
// its Service and an Ingress on docker.io's first mirror host.
func harbor(ns string, sturdy bool) (deployment, service, ingress string) {
	replicas, spread, pdb := "", "", ""
	if sturdy {
		replicas = "  replicas: 2\n"
		spread = `      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: harbor-core}}}
`
		pdb = fmt.Sprintf("---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: harbor-core, namespace: %s}\nspec: {minAvailable: 1, selector: {matchLabels: {app: harbor-core}}}\n", ns)
	}
	deployment = fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: harbor-core, namespace: %s}
spec:
%s  selector: {matchLabels: {app: harbor-core}}
  template:
    metadata: {labels: {app: harbor-core}}
    spec:
%s      containers:
        - {name: core, image: "goharbor/harbor-core:v2.9.0"}
`, ns, replicas, spread)
	service = fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: %s}
spec:
  selector: {app: harbor-core}
  ports: [{name: http, port: 80, targetPort: 8080}]
`, ns)
	ingress = fmt.Sprintf(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: harbor, namespace: %s}
spec:
  rules:
    - host: %s
      http:
        paths:
          - {path: /v2, pathType: Prefix, backend: {service: {name: harbor-registry-core, port: {number: 80}}}}
`, ns, circleHost)
	return deployment, service + pdb, ingress
}

// applyLast applies objs in order; the last one closes the circle. The
// informers may lag the objects applied just before: the last one is sent as
// a dry run until the webhook sees the circle (10 s at most), then applied.
func applyLast(t *testing.T, ns string, objs ...string) string {
	t.Helper()
	for _, o := range objs[:len(objs)-1] {
		r := kubectl(t, o, "apply", "-f", "-")
		expect(t, r, 0)
		if strings.Contains(r.Output(), "registry circle") {
			t.Errorf("registry circle reported before the circle closes:\n%s", r.Output())
		}
	}
	last := objs[len(objs)-1]
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(kubectl(t, last, "apply", "--dry-run=server", "-f", "-").Output(), "registry circle") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	return kubectl(t, last, "apply", "-f", "-").Output()
}

// The incident's Harbor circle, applied in any order: the object applied
// last gets the warning spelling out the chain, and the one-replica
// Deployment without a PDB its fragility lines.
func TestRegistryCircleAnyOrder(t *testing.T) {
	for name, tc := range map[string]struct {
		ns    string
		order func(dep, svc, ing string) []string
		path  string
	}{
		"workload last": {ns: "harbor-registry", order: func(d, s, i string) []string { return []string{s, i, d} }, path: "spec.template.spec.containers[0].image"},
		"service last":  {ns: "circle-service-last", order: func(d, s, i string) []string { return []string{d, i, s} }, path: "spec.selector"},
		"ingress last":  {ns: "circle-ingress-last", order: func(d, s, i string) []string { return []string{d, s, i} }, path: "spec.rules"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.ns != "harbor-registry" {
				kubectl(t, "", "create", "namespace", tc.ns)
			}
			dep, svc, ing := harbor(tc.ns, false)
			out := applyLast(t, tc.ns, tc.order(dep, svc, ing)...)
			for _, want := range append([]string{"Warning: [warn mode] " + tc.path + ": Forbidden: " + circleMessage(tc.ns), "Break the circle"}, fragilityLines...) {
				if !strings.Contains(out, want) {
					t.Errorf("output does not contain %q:\n%s", want, out)
				}
			}
		})
	}
}

// In strict mode (the namespace label) the circle is a refusal.
func TestRegistryCircleEnforce(t *testing.T) {
	ns := "circle-enforce"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "label", "namespace", ns, "admissible.dev/registry-circle=enforce")
	dep, svc, ing := harbor(ns, false)
	for _, o := range []string{svc, ing} {
		expect(t, kubectl(t, o, "apply", "-f", "-"), 0)
	}
	var r harness.Result
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if r = kubectl(t, dep, "apply", "--dry-run=server", "-f", "-"); r.ExitCode != 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	expect(t, kubectl(t, dep, "apply", "-f", "-"), 1, webhookPrefix, "spec.template.spec.containers[0].image: Forbidden: "+circleMessage(ns))
}

// Two replicas, spread over nodes, with a PDB: the circle is still there,
// the fragility lines are gone.
func TestRegistryCircleSturdy(t *testing.T) {
	ns := "circle-sturdy"
	kubectl(t, "", "create", "namespace", ns)
	dep, svc, ing := harbor(ns, true)
	out := applyLast(t, ns, svc, ing, dep)
	if !strings.Contains(out, circleMessage(ns)) {
		t.Errorf("no circle warning:\n%s", out)
	}
	for _, l := range append(fragilityLines, "nothing keeps the replicas") {
		if strings.Contains(out, l) {
			t.Errorf("fragility line %q on a sturdy registry:\n%s", l, out)
		}
	}
}

// unrelated renders 50 objects of ten ordinary apps: a Deployment pulled
// through the same docker.io mirror, its Service, Ingress, PDB and
// ConfigMap.
func unrelated(ns string) string {
	var b strings.Builder
	for i := range 10 {
		app := fmt.Sprintf("app-%d", i)
		fmt.Fprintf(&b, `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  replicas: 2
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec: {containers: [{name: main, image: "docker.io/library/app:1.0", envFrom: [{configMapRef: {name: %[1]s}}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: %[1]s, namespace: %[2]s}
spec: {selector: {app: %[1]s}, ports: [{port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  rules: [{host: %[1]s.apps.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: %[1]s, port: {number: 80}}}}]}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: %[1]s, namespace: %[2]s}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: %[1]s}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: %[1]s, namespace: %[2]s}
data: {MODE: production}
`, app, ns)
	}
	return b.String()
}

// No false alarm: 50 ordinary objects whose images go through the same
// mirror get no circle warning, from the webhook nor from check; check on
// the incident's manifests prints the circle.
func TestRegistryCircleNoFalseAlarmsAndCheck(t *testing.T) {
	ns := "circle-unrelated"
	kubectl(t, "", "create", "namespace", ns)
	manifests := unrelated(ns)
	if n := strings.Count(manifests, "\nkind: "); n != 50 {
		t.Fatalf("%d objects, want 50", n)
	}
	r := kubectl(t, manifests, "apply", "-f", "-")
	expect(t, r, 0)
	if n := strings.Count(r.Output(), "registry circle"); n != 0 {
		t.Errorf("%d registry circle warnings on unrelated objects:\n%s", n, r.Output())
	}

	dir := t.TempDir()
	dep, svc, ing := harbor("harbor-registry", false)
	files := map[string]string{"unrelated.yaml": manifests, "harbor.yaml": dep + "---\n" + svc + "---\n" + ing}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	check := func(args ...string) (string, int) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, env.webhook.Binary, append([]string{"check", "--config", env.webhook.ConfigFile}, args...)...)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	out, code := check("-f", filepath.Join(dir, "unrelated.yaml"))
	if n := strings.Count(out, "registry circle"); n != 0 || code != 0 {
		t.Errorf("check on unrelated objects: exit %d, %d registry circle lines:\n%s", code, n, out)
	}
	out, code = check("-f", dir)
	if !strings.Contains(out, "warning: [warn mode] spec.template.spec.containers[0].image: Forbidden: "+circleMessage("harbor-registry")) || code != 0 {
		t.Errorf("check on the incident's shape: exit %d, want 0 and the circle:\n%s", code, out)
	}
	if n := strings.Count(out, "registry circle: harbor-registry/"); n != 1 {
		t.Errorf("check printed the circle %d times, want once (on the workload)", n)
	}
	t.Logf("check:\n%s", out)
}
