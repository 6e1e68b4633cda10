//go:build e2e

package e2e

import (
	"fmt"
	"testing"
)

// podAdmissionDeployment is a Deployment in ns whose pod spec has extra
// (indented as a pod spec field) and whose container has securityContext.
func podAdmissionDeployment(ns, name, extra, securityContext string) string {
	return deploymentWith(ns, name, extra, "securityContext: "+securityContext)
}

// deploymentWith is a Deployment in ns whose pod spec has podExtra (indented
// as a pod spec field) and whose one container has the field container.
func deploymentWith(ns, name, podExtra, container string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
%s      containers:
        - name: app
          image: registry.example/app:1
          %s
`, name, ns, name, name, podExtra, container)
}

const restrictedContext = `{allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}`

// The namespace's PodSecurity enforce level refuses, through kubectl, a
// Deployment whose pods it would forbid (the API server itself only warns on
// a workload); the same Deployment made restricted is admitted.
func TestPodSecurityRefusedAtApply(t *testing.T) {
	ns := "psa-restricted"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted", "admissible.dev/images=off")
	kubectl(t, "", "create", "serviceaccount", "default", "-n", ns)

	expect(t, kubectl(t, podAdmissionDeployment(ns, "priv", "", "{privileged: true}"), "apply", "-f", "-"), 1,
		webhookPrefix, `spec.template.spec: Forbidden: violates PodSecurity "restricted:latest": privileged (container "app" must not set securityContext.privileged=true)`)
	expect(t, kubectl(t, podAdmissionDeployment(ns, "priv", "", restrictedContext), "apply", "-f", "-"), 0, "deployment.apps/priv created")
}

// A PriorityClass the pods name that does not exist is refused; once it
// exists the same Deployment is admitted.
func TestMissingPriorityClassRefused(t *testing.T) {
	ns := "priority"
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", "label", "namespace", ns, "admissible.dev/images=off")
	kubectl(t, "", "create", "serviceaccount", "default", "-n", ns)
	dep := podAdmissionDeployment(ns, "batch", "      priorityClassName: batch-low\n", "{}")
	expect(t, kubectl(t, dep, "apply", "-f", "-"), 1,
		webhookPrefix, "spec.template.spec: Forbidden: no PriorityClass with name batch-low was found")
	kubectl(t, "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: batch-low}\nvalue: 100\n", "apply", "-f", "-")
	expect(t, kubectl(t, dep, "apply", "-f", "-"), 0, "deployment.apps/batch created")
	// A service account the pods name that does not exist: a warning (it is
	// often applied after the workload).
	sa := podAdmissionDeployment(ns, "robot", "      serviceAccountName: robot\n", "{}")
	expect(t, kubectl(t, sa, "apply", "-f", "-"), 0, `pods will be forbidden until service account priority/robot exists`)
	// In a dry run a missing PriorityClass is a warning: the same apply may
	// create it first.
	dry := podAdmissionDeployment(ns, "dry", "      priorityClassName: later\n", "{}")
	expect(t, kubectl(t, dry, "apply", "--dry-run=server", "-f", "-"), 0, "no PriorityClass with name later was found (this is a dry run")
}
