//go:build e2e

package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chainDeployment is a Deployment in ns whose container has resources
// (a flow mapping, "{}" for none) and whose pod spec has extra.
func chainDeployment(ns, name, extra, resources string) string {
	return deploymentWith(ns, name, extra, "resources: "+resources)
}

// chainNamespace creates ns with the images check off and its default
// service account.
func chainNamespace(t *testing.T, ns string, labels ...string) {
	t.Helper()
	kubectl(t, "", "create", "namespace", ns)
	kubectl(t, "", append([]string{"label", "namespace", ns, "admissible.dev/images=off"}, labels...)...)
	kubectl(t, "", "create", "serviceaccount", "default", "-n", ns)
}

// eventually applies doc until kubectl's output holds every want with the
// exit code wanted: the webhook's informers see a new object a moment after
// the API server stores it.
func eventually(t *testing.T, doc string, exitCode int, wants ...string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := kubectl(t, doc, "apply", "--dry-run=server", "-f", "-")
		ok := (exitCode == 0) == (r.ExitCode == 0)
		for _, w := range wants {
			ok = ok && strings.Contains(r.Output(), w)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			expect(t, r, exitCode, wants...)
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// A LimitRange's defaults are applied before validation (a request above the
// default limit is invalid), and its max refuses a limit above it; both
// through kubectl, and the fixed Deployment is admitted.
func TestLimitRangeRefusedAtApply(t *testing.T) {
	ns := "chain-limits"
	chainNamespace(t, ns)
	kubectl(t, `apiVersion: v1
kind: LimitRange
metadata: {name: limits, namespace: chain-limits}
spec:
  limits:
  - type: Container
    max: {cpu: "2"}
    default: {cpu: "1"}
    defaultRequest: {cpu: 100m}
`, "apply", "-f", "-")
	eventually(t, chainDeployment(ns, "big", "", "{limits: {cpu: 4}}"), 1,
		webhookPrefix, "spec.template.spec: Forbidden: maximum cpu usage per Container is 2, but limit is 4")
	expect(t, kubectl(t, chainDeployment(ns, "greedy", "", "{requests: {cpu: 1500m}}"), "apply", "-f", "-"), 1,
		webhookPrefix, `spec.template.spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1`)
	// check with --kubeconfig reads the same LimitRange and judges alike;
	// offline it cannot know it.
	file := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(file, []byte(chainDeployment(ns, "big", "", "{limits: {cpu: 4}}")), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--kubeconfig", env.cp.Kubeconfig}, 1, "spec.template.spec: Forbidden: maximum cpu usage per Container is 2, but limit is 4"},
		{nil, 0, "1 object: 0 refused, 1 admitted"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		cmd := exec.CommandContext(ctx, env.webhook.Binary, append([]string{"check", "--config", env.webhook.ConfigFile, "-f", file}, tc.args...)...)
		out, _ := cmd.CombinedOutput()
		cancel()
		if cmd.ProcessState.ExitCode() != tc.code || !strings.Contains(string(out), tc.want) {
			t.Errorf("check %v: exit %d, want %d and %q:\n%s", tc.args, cmd.ProcessState.ExitCode(), tc.code, tc.want, out)
		}
	}
	expect(t, kubectl(t, chainDeployment(ns, "big", "", "{limits: {cpu: 2}}"), "apply", "-f", "-"), 0, "deployment.apps/big created")
	expect(t, kubectl(t, chainDeployment(ns, "greedy", "", "{requests: {cpu: 500m}}"), "apply", "-f", "-"), 0, "deployment.apps/greedy created")
}

// A quota on limits.cpu refuses a Deployment whose pods set no cpu limit:
// every pod would be forbidden. The quota's status is what its controller
// would write (no controller runs here).
func TestQuotaRequiringLimitsRefusedAtApply(t *testing.T) {
	ns := "chain-quota"
	chainNamespace(t, ns)
	kubectl(t, "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: compute, namespace: chain-quota}\nspec:\n  hard: {limits.cpu: \"4\"}\n", "apply", "-f", "-")
	expect(t, kubectl(t, "", "patch", "resourcequota", "compute", "-n", ns, "--subresource=status", "--type=merge",
		"-p", `{"status":{"hard":{"limits.cpu":"4"},"used":{"limits.cpu":"0"}}}`), 0)
	eventually(t, chainDeployment(ns, "nolimit", "", "{}"), 1,
		webhookPrefix, "spec.template.spec: Forbidden: failed quota: compute: must specify limits.cpu for: app")
	expect(t, kubectl(t, chainDeployment(ns, "nolimit", "", "{limits: {cpu: 1}}"), "apply", "-f", "-"), 0, "deployment.apps/nolimit created")
	// Over the quota: usage changes as pods come and go, a warning only.
	expect(t, kubectl(t, chainDeployment(ns, "huge", "", "{limits: {cpu: 8}}"), "apply", "-f", "-"), 0,
		"deployment.apps/huge created", "pods may be forbidden: exceeded quota: compute")
}

// A priority set by hand with no PriorityClass is refused by the Priority
// plugin on every pod; without it the Deployment is admitted.
func TestHandSetPriorityRefusedAtApply(t *testing.T) {
	ns := "chain-priority"
	chainNamespace(t, ns)
	expect(t, kubectl(t, chainDeployment(ns, "urgent", "      priority: 1000\n", "{}"), "apply", "-f", "-"), 1,
		webhookPrefix, "spec.template.spec: Forbidden: the integer value of priority (1000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name")
	expect(t, kubectl(t, chainDeployment(ns, "urgent", "", "{}"), "apply", "-f", "-"), 0, "deployment.apps/urgent created")
}

// A ValidatingAdmissionPolicy that matches Pods is evaluated on the pods a
// Deployment creates (the API server has no autogen for it): Deny refuses
// the Deployment through kubectl, Warn warns, and the fixed Deployment is
// admitted. Namespaces outside the binding's selector are not judged by it.
func TestAdmissionPolicyOnPodsRefusedAtApply(t *testing.T) {
	ns := "chain-policy"
	chainNamespace(t, ns, "policy=strict")
	chainNamespace(t, "chain-policy-lax")
	kubectl(t, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: require-cpu-limits}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: [""]
      apiVersions: [v1]
      operations: [CREATE]
      resources: [pods]
  validations:
  - expression: "object.spec.containers.all(c, has(c.resources.limits) && 'cpu' in c.resources.limits)"
    message: every container must set a cpu limit
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: require-cpu-limits}
spec:
  policyName: require-cpu-limits
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels: {policy: strict}
`, "apply", "-f", "-")
	eventually(t, chainDeployment(ns, "unbounded", "", "{}"), 1, webhookPrefix,
		"spec.template.spec: Forbidden: ValidatingAdmissionPolicy 'require-cpu-limits' with binding 'require-cpu-limits' denied request: every container must set a cpu limit")
	expect(t, kubectl(t, chainDeployment(ns, "unbounded", "", "{limits: {cpu: 1}}"), "apply", "-f", "-"), 0, "deployment.apps/unbounded created")
	expect(t, kubectl(t, chainDeployment("chain-policy-lax", "unbounded", "", "{}"), "apply", "-f", "-"), 0, "deployment.apps/unbounded created")
}
