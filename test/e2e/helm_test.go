//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/admissible/admissible/manifests"
	"github.com/admissible/admissible/test/harness"
)

// helm runs the real Helm CLI ($HELM) against the control plane of
// kubeconfig.
func helm(t *testing.T, kubeconfig string) func(args ...string) harness.Result {
	t.Helper()
	h, err := harness.NewHelm(kubeconfig, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return func(args ...string) harness.Result {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		return h.Run(ctx, args...)
	}
}

// TestHelmIncident: helm upgrade --install of a chart rendering the
// incident's StatefulSet fails with the refusal in Helm's error, and leaves
// the release failed with nothing stored; so does the upgrade that follows.
func TestHelmIncident(t *testing.T) {
	run := helm(t, env.cp.Kubeconfig)
	chart := filepath.Join(repoRoot(t), "test", "testdata", "charts", "incident")
	field := "spec.template.spec.containers[0].env[4].valueFrom"
	want := []string{field + ": Invalid value: \"\": may not be specified when `value` is not empty"}
	if env.cp.Minor <= 33 {
		// Up to 1.33 the API server would store it: the webhook refuses.
		want = append(want, webhookPrefix+": "+field)
	} else {
		// From 1.34 the API server refuses it before calling webhooks.
		want = append(want, `StatefulSet.apps "harbor-registry-postgresql" is invalid`)
	}
	for revision := 1; revision <= 2; revision++ {
		t.Run(fmt.Sprintf("revision %d", revision), func(t *testing.T) {
			r := run("upgrade", "--install", "incident", chart, "--namespace", "harbor-registry")
			expect(t, r, 1, want...)
			expect(t, run("status", "incident", "--namespace", "harbor-registry"), 0,
				"STATUS: failed", fmt.Sprintf("REVISION: %d", revision))
			expect(t, kubectl(t, "", "get", "statefulset", "--namespace", "harbor-registry", "harbor-registry-postgresql"),
				1, `"harbor-registry-postgresql" not found`)
		})
	}
}

// TestHelmInstallsChart: helm install of admissible's own chart creates its
// objects in a real API server (no kubelet: its pods never run), and helm
// test creates the verify hook. In a control plane of its own: the chart's
// cluster-wide objects, its webhook configuration first, have the names of
// the suite's registration and of TestInstall's objects.
func TestHelmInstallsChart(t *testing.T) {
	cp, err := harness.StartControlPlane(os.Getenv("KUBEBUILDER_ASSETS"), t.TempDir(), certManagerCRDs(t))
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Stop()
	ownKubectl := func(stdin string, args ...string) harness.Result {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		return cp.Kubectl(ctx, stdin, args...)
	}
	run := helm(t, cp.Kubeconfig)
	chart := filepath.Join(repoRoot(t), "manifests", "chart")

	// The namespace as manifests/README.md has it created: restricted Pod
	// Security enforced.
	expect(t, ownKubectl("", "apply", "-f", filepath.Join(repoRoot(t), "manifests", "base", "namespace.yaml")), 0, "namespace/admissible created")
	r := run("install", "admissible", chart, "--namespace", "admissible")
	expect(t, r, 0, "NAME: admissible", "STATUS: deployed", "admissible is installed in admissible with failurePolicy Ignore")
	noPodSecurityWarning(t, r)
	expect(t, run("status", "admissible", "--namespace", "admissible"), 0, "STATUS: deployed")
	expect(t, ownKubectl("", "get", "--namespace", "admissible", "deployment/admissible", "service/admissible", "pdb/admissible",
		"configmap/admissible-config", "serviceaccount/admissible", "certificate/admissible-serving", "issuer/admissible-ca",
		"validatingwebhookconfiguration/admissible", "clusterrole/admissible", "-o", "name"), 0,
		"deployment.apps/admissible", "certificate.cert-manager.io/admissible-serving",
		"validatingwebhookconfiguration.admissionregistration.k8s.io/admissible")

	// helm test: the API server takes the hook's objects (the pod only once
	// its service account exists); the pod, never scheduled here, makes helm
	// test time out. The failed pod stays for its logs; the objects that
	// granted it permissions are removed.
	r = run("test", "admissible", "--namespace", "admissible", "--timeout", "5s")
	expect(t, r, 1, "admissible-verify")
	expect(t, ownKubectl("", "get", "pod", "--namespace", "admissible", "admissible-verify",
		"-o", "jsonpath={.spec.serviceAccountName} {.spec.containers[0].args}"), 0, `admissible-verify ["verify","--namespace=default"]`)
	expect(t, ownKubectl("", "get", "rolebinding", "--namespace", "default", "admissible-verify-canary"), 1, "not found")
	expect(t, ownKubectl("", "get", "clusterrolebinding", "admissible-verify"), 1, "not found")
}

// TestHelmTestHookPermissions runs admissible verify with exactly the
// permissions the chart's helm test hook grants its service account: they
// are enough for every check to pass.
func TestHelmTestHookPermissions(t *testing.T) {
	const ns = "helm-verify"
	hooks, err := manifests.RenderChartTests(filepath.Join(repoRoot(t), "manifests", "chart"), "tests: {canaryNamespace: e2e}\n", ns)
	if err != nil {
		t.Fatal(err)
	}
	expect(t, kubectl(t, "", "create", "namespace", ns), 0)
	// Everything but the pod, which verify stands in for.
	expect(t, kubectl(t, docs(t, except(parse(t, "chart tests", hooks), "Pod")), "apply", "-f", "-"), 0,
		"serviceaccount/admissible-verify created", "rolebinding.rbac.authorization.k8s.io/admissible-verify-canary created")

	// The suite's kubeconfig, impersonating the hook's service account.
	kc, err := clientcmd.LoadFromFile(env.cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range kc.AuthInfos {
		user.Impersonate = "system:serviceaccount:" + ns + ":admissible-verify"
	}
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, kubeconfig); err != nil {
		t.Fatal(err)
	}
	r := admissible(t, "verify", "--kubeconfig", kubeconfig, "--config", env.webhook.ConfigFile, "--namespace", "e2e")
	expect(t, r, 0, "refused by webhook validate.admissible.dev", "enforcing")

	// Without the canary's role, verify names what it was refused.
	expect(t, kubectl(t, "", "delete", "rolebinding", "--namespace", "e2e", "admissible-verify-canary"), 0)
	r = admissible(t, "verify", "--kubeconfig", kubeconfig, "--config", env.webhook.ConfigFile, "--namespace", "e2e")
	expect(t, r, 1, "podtemplates", "forbidden")
}
