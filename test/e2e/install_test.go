//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/manifests"
	"github.com/admissible/admissible/test/harness"
	"github.com/admissible/admissible/webhook/manifest"
)

// The install's webhook configuration has the name the suite's own
// registration has: applying it for real would cut the suite off from its
// webhook. These tests apply it with --dry-run=server only, and register a
// copy under another name where it must act.

// TestInstall applies manifests/ to the real API server, as the install
// instructions do, after cert-manager's CRDs.
func TestInstall(t *testing.T) {
	installCertManagerCRDs(t)
	// The image the Deployment names, so that the suite's own webhook, which
	// judges the admissible namespace, admits it.
	if _, err := env.registry.Push("library/admissible", "dev"); err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(repoRoot(t), "manifests", "base")
	objs := kustomize(t, base)

	// A server dry run creates nothing, so the namespaced objects need the
	// namespace first.
	expect(t, kubectl(t, docs(t, only(objs, "Namespace")), "apply", "-f", "-"), 0, "namespace/admissible")
	r := kubectl(t, "", "apply", "-k", base, "--dry-run=server")
	expect(t, r, 0, "deployment.apps/admissible created (server dry run)",
		"certificate.cert-manager.io/admissible-serving created (server dry run)",
		"validatingwebhookconfiguration.admissionregistration.k8s.io/admissible configured (server dry run)")
	noPodSecurityWarning(t, r)

	r = kubectl(t, docs(t, except(objs, "ValidatingWebhookConfiguration")), "apply", "-f", "-")
	expect(t, r, 0, "deployment.apps/admissible created", "poddisruptionbudget.policy/admissible created",
		"issuer.cert-manager.io/admissible-ca created", "certificate.cert-manager.io/admissible-serving created",
		"clusterrole.rbac.authorization.k8s.io/admissible created", "service/admissible created")
	noPodSecurityWarning(t, r)
	expect(t, kubectl(t, "", "get", "-n", "admissible", "deployment/admissible", "service/admissible", "pdb/admissible",
		"certificate/admissible-ca", "certificate/admissible-serving", "issuer/admissible-ca", "issuer/admissible-selfsigned",
		"serviceaccount/admissible", "-o", "name"), 0, "deployment.apps/admissible", "certificate.cert-manager.io/admissible-serving")

	r = kubectl(t, "", "apply", "-k", filepath.Join(repoRoot(t), "manifests", "overlays", "strict"), "--dry-run=server")
	expect(t, r, 0, "deployment.apps/admissible configured (server dry run)",
		"validatingwebhookconfiguration.admissionregistration.k8s.io/admissible configured (server dry run)")
	noPodSecurityWarning(t, r)

	// The monitoring overlay, less its ServiceMonitor: prometheus-operator's
	// CRDs are not installed here.
	monitoring := kustomize(t, filepath.Join(repoRoot(t), "manifests", "overlays", "monitoring"))
	r = kubectl(t, docs(t, except(monitoring, "ServiceMonitor")), "apply", "--dry-run=server", "-f", "-")
	expect(t, r, 0, "service/admissible-metrics created (server dry run)", "deployment.apps/admissible configured (server dry run)")
	noPodSecurityWarning(t, r)

	// The chart renders the same objects; they apply too, in the default
	// namespace and in another one, created as manifests/README.md says.
	expect(t, kubectl(t, "", "create", "namespace", "admissible-chart"), 0)
	expect(t, kubectl(t, "", "label", "namespace", "admissible-chart",
		"pod-security.kubernetes.io/enforce=restricted", "pod-security.kubernetes.io/warn=restricted"), 0)
	for _, ns := range []string{"admissible", "admissible-chart"} {
		out, err := manifests.RenderChart(filepath.Join(repoRoot(t), "manifests", "chart"), "", ns)
		if err != nil {
			t.Fatal(err)
		}
		r := kubectl(t, string(out), "apply", "--dry-run=server", "-f", "-")
		expect(t, r, 0, "deployment.apps/admissible", "certificate.cert-manager.io/admissible-serving",
			"validatingwebhookconfiguration.admissionregistration.k8s.io/admissible")
		noPodSecurityWarning(t, r)
	}
}

// TestNoCircle registers the install's webhook configuration with every
// replica down. Under failurePolicy Ignore every pod is admitted; under Fail
// (strict), pods in the namespaces the webhook depends on and the webhook's
// own requests still are, and only an ordinary namespace's pods wait for it.
func TestNoCircle(t *testing.T) {
	for _, ns := range []string{"cert-manager", "workloads"} {
		expect(t, kubectl(t, "apiVersion: v1\nkind: Namespace\nmetadata: {name: "+ns+"}\n", "apply", "-f", "-"), 0)
	}
	expect(t, kubectl(t, "", "apply", "-f", filepath.Join(repoRoot(t), "manifests", "base", "namespace.yaml")), 0)

	down := closedPortURL(t)
	defer func() {
		expect(t, kubectl(t, "", "delete", "validatingwebhookconfiguration", "admissible-down", "--ignore-not-found"), 0)
		// Removal reaches the admission chain asynchronously.
		waitFor(t, "webhook configuration admissible-down removed", func() bool {
			r := kubectl(t, restrictedPod("probe", "workloads"), "apply", "--dry-run=server", "-f", "-")
			return r.ExitCode == 0
		})
	}()
	failed := fmt.Sprintf(`failed calling webhook "validate.admissible.dev": failed to call webhook: Post "%s`, down)

	excluded := []string{"kube-system", "admissible", "cert-manager"}
	t.Run("strict", func(t *testing.T) {
		registerDown(t, filepath.Join(repoRoot(t), "manifests", "overlays", "strict"), down)
		waitFor(t, "failurePolicy Fail in force", func() bool {
			r := kubectl(t, restrictedPod("probe", "workloads"), "apply", "--dry-run=server", "-f", "-")
			return strings.Contains(r.Output(), failed)
		})
		for _, ns := range excluded {
			expect(t, kubectl(t, restrictedPod("strict", ns), "create", "-f", "-"), 0, "pod/strict created")
		}
		expect(t, kubectl(t, restrictedPod("strict", "workloads"), "create", "-f", "-"), 1, failed)
		// The webhook's own service account is skipped everywhere (its group
		// here only lets it create pods at all).
		r := kubectl(t, restrictedPod("strict-self", "workloads"), "create", "-f", "-",
			"--as=system:serviceaccount:admissible:admissible", "--as-group=system:masters")
		expect(t, r, 0, "pod/strict-self created")
	})
	t.Run("default", func(t *testing.T) {
		registerDown(t, filepath.Join(repoRoot(t), "manifests", "base"), down)
		waitFor(t, "failurePolicy Ignore in force", func() bool {
			return kubectl(t, restrictedPod("probe", "workloads"), "apply", "--dry-run=server", "-f", "-").ExitCode == 0
		})
		for _, ns := range append(excluded, "workloads") {
			expect(t, kubectl(t, restrictedPod("default", ns), "create", "-f", "-"), 0, "pod/default created")
		}
	})
}

// registerDown registers the webhook configuration of the kustomization in
// dir as admissible-down, calling url instead of the Service.
func registerDown(t *testing.T, dir, url string) {
	t.Helper()
	vwc := only(kustomize(t, dir), "ValidatingWebhookConfiguration")
	if len(vwc) != 1 {
		t.Fatalf("%s: %d webhook configurations, want 1", dir, len(vwc))
	}
	o := vwc[0]
	o.SetName("admissible-down")
	o.SetAnnotations(nil) // no cainjector here
	ca := []byte(readFile(t, env.webhook.CAFile))
	webhooks, _, _ := unstructured.NestedSlice(o.Object, "webhooks")
	for _, w := range webhooks {
		w.(map[string]any)["clientConfig"] = map[string]any{"url": url, "caBundle": base64.StdEncoding.EncodeToString(ca)}
	}
	if err := unstructured.SetNestedSlice(o.Object, webhooks, "webhooks"); err != nil {
		t.Fatal(err)
	}
	expect(t, kubectl(t, docs(t, vwc), "apply", "-f", "-"), 0, "admissible-down")
}

// closedPortURL is a validate URL on a loopback port nothing listens on:
// every replica down.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "https://" + addr + "/validate"
}

// restrictedPod renders a Pod that meets the restricted Pod Security
// Standard (the admissible namespace enforces it), with an image the suite's
// registry holds.
func restrictedPod(name, namespace string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s}
spec:
  securityContext: {runAsNonRoot: true, runAsUser: 65532, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: main
      image: docker.io/library/app:1.0
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`, name, namespace)
}

// installCertManagerCRDs applies the CRDs shipped in the cert-manager module
// go.mod names, and waits until they are served.
func installCertManagerCRDs(t *testing.T) {
	t.Helper()
	crds := certManagerCRDs(t)
	// Server-side: the largest CRDs exceed the annotation client-side apply keeps.
	expect(t, kubectl(t, "", "apply", "--server-side", "-f", crds), 0, "certificates.cert-manager.io serverside-applied")
	expect(t, kubectl(t, "", "wait", "--for=condition=Established", "--timeout=60s",
		"crd/certificates.cert-manager.io", "crd/issuers.cert-manager.io", "crd/clusterissuers.cert-manager.io"), 0)
}

// certManagerCRDs is the directory of the CRDs shipped in the cert-manager
// module go.mod names.
func certManagerCRDs(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", "github.com/cert-manager/cert-manager")
	cmd.Dir = repoRoot(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go mod download cert-manager: %v", err)
	}
	var mod struct{ Dir, Version string }
	if err := json.Unmarshal(out, &mod); err != nil {
		t.Fatal(err)
	}
	crds := filepath.Join(mod.Dir, "deploy", "crds")
	if _, err := os.Stat(filepath.Join(crds, "cert-manager.io_certificates.yaml")); err != nil {
		t.Fatalf("cert-manager %s ships no CRDs in deploy/crds: %v", mod.Version, err)
	}
	return crds
}

// noPodSecurityWarning checks the API server found nothing against the
// restricted Pod Security Standard the namespace warns about.
func noPodSecurityWarning(t *testing.T, r harness.Result) {
	t.Helper()
	if strings.Contains(r.Output(), "would violate PodSecurity") {
		t.Errorf("pod template violates the restricted Pod Security Standard:\n%s", r.Output())
	}
}

// kustomize renders a kustomization with kubectl's kustomize.
func kustomize(t *testing.T, dir string) []*unstructured.Unstructured {
	t.Helper()
	r := kubectl(t, "", "kustomize", dir)
	if r.ExitCode != 0 {
		t.Fatalf("kubectl kustomize %s: %s", dir, r.Output())
	}
	return parse(t, "kustomize "+dir, []byte(r.Stdout))
}

func parse(t *testing.T, source string, data []byte) []*unstructured.Unstructured {
	t.Helper()
	ds, err := manifest.Read(source, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*unstructured.Unstructured, 0, len(ds))
	for _, d := range ds {
		if d.NotObject != "" {
			t.Fatalf("%s: %s", d, d.NotObject)
		}
		out = append(out, d.Object)
	}
	return out
}

// only keeps the objects of kind; except drops them.
func only(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	return filter(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() == kind })
}

func except(objs []*unstructured.Unstructured, kind string) []*unstructured.Unstructured {
	return filter(objs, func(o *unstructured.Unstructured) bool { return o.GetKind() != kind })
}

func filter(objs []*unstructured.Unstructured, keep func(*unstructured.Unstructured) bool) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if keep(o) {
			out = append(out, o)
		}
	}
	return out
}

// docs renders objects as one YAML stream, in their order.
func docs(t *testing.T, objs []*unstructured.Unstructured) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		y, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(y)
	}
	return b.String()
}

// waitFor polls done until it holds, for at most 30 seconds.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for !done() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}
