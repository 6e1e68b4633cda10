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

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/test/harness"
)

// OpenShift's mirror sets in the real API server (their CRDs installed from
// openshift/api): with an ImageDigestMirrorSet whose source is never
// contacted and an ImageTagMirrorSet, check --kubeconfig, naming no mirror
// nor registries.conf, walks as the cluster's CRI-O nodes pull: a tag whose
// only source is the digest-only mirror is refused with the reason, the
// same image by digest is found on the mirror, and a tag behind the
// tag-only mirror is found there.
func TestMirrorSetsWalkAsCRIO(t *testing.T) {
	host := env.registry.Host
	kubectl(t, fmt.Sprintf(`apiVersion: config.openshift.io/v1
kind: Image
metadata: {name: cluster}
spec:
  registrySources: {insecureRegistries: [%[1]q]}
---
apiVersion: config.openshift.io/v1
kind: ImageDigestMirrorSet
metadata: {name: ceph}
spec:
  imageDigestMirrors:
    - {source: quay.io/ceph, mirrors: [%[1]s/ceph], mirrorSourcePolicy: NeverContactSource}
---
apiVersion: config.openshift.io/v1
kind: ImageTagMirrorSet
metadata: {name: bitnami}
spec:
  imageTagMirrors:
    - {source: docker.io/bitnami, mirrors: [%[1]s/bitnami]}
`, host), "apply", "-f", "-")
	t.Cleanup(func() {
		kubectl(t, "", "delete", "imagedigestmirrorset", "ceph")
		kubectl(t, "", "delete", "imagetagmirrorset", "bitnami")
		kubectl(t, "", "delete", "image.config.openshift.io", "cluster")
	})
	digest := env.digests["ceph/ceph:v17.2.6"]
	file := filepath.Join(t.TempDir(), "pods.yaml")
	pods := ""
	for i, image := range []string{"quay.io/ceph/ceph:v17.2.6", "quay.io/ceph/ceph@" + digest, "docker.io/bitnami/postgresql:15.3.0-debian-11-r24"} {
		pods += fmt.Sprintf("---\napiVersion: v1\nkind: Pod\nmetadata: {name: p%d, namespace: e2e}\nspec:\n  containers: [{name: c, image: %q}]\n", i, image)
	}
	if err := os.WriteFile(file, []byte(pods), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.webhook.Binary, "check", "--kubeconfig", env.cp.Kubeconfig, "--endpoint-timeout", "2s", "-f", file)
	out, _ := cmd.CombinedOutput()
	text := string(out)
	if cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("check: exit %d, want 1:\n%s", cmd.ProcessState.ExitCode(), text)
	}
	for _, want := range []string{
		`Pod/e2e/p0: refused`,
		`spec.containers[0].image: Forbidden: "quay.io/ceph/ceph:v17.2.6": no node would pull it`,
		`Pod/e2e/p1: admitted`,
		`Pod/e2e/p2: admitted`,
		"3 objects: 1 refused, 2 admitted",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("check output lacks %q:\n%s", want, text)
		}
	}
	t.Logf("check --kubeconfig with the mirror sets:\n%s", text)
	if strings.Contains(text, "could not verify") {
		t.Errorf("a lookup went unanswered; the mirrors should have answered:\n%s", text)
	}

	// The same through kubectl: a second webhook, naming no mirror, walks
	// as the cluster's CRI-O nodes; it is registered, under its own name,
	// for one namespace only (the suite's webhook, whose mirrors are
	// containerd's, judges there too and admits all three).
	wh, err := harness.StartWebhook(ctx, env.webhook.Binary, t.TempDir(), "", "--kubeconfig", env.cp.Kubeconfig, "--endpoint-timeout", "2s")
	if err != nil {
		t.Fatal(err)
	}
	defer wh.Stop()
	out, err = exec.CommandContext(ctx, wh.Binary, "webhook-config", "--url", wh.URL, "--ca-file", wh.CAFile).Output()
	if err != nil {
		t.Fatal(err)
	}
	var vwc admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.Unmarshal(out, &vwc); err != nil {
		t.Fatal(err)
	}
	vwc.Name, vwc.Webhooks[0].Name = "admissible-openshift", "openshift.admissible.dev"
	vwc.Webhooks[0].NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "openshift-nodes"}}
	reg, err := yaml.Marshal(vwc)
	if err != nil {
		t.Fatal(err)
	}
	kubectl(t, "", "create", "namespace", "openshift-nodes")
	kubectl(t, "", "create", "serviceaccount", "default", "-n", "openshift-nodes")
	expect(t, kubectl(t, string(reg), "apply", "-f", "-"), 0)
	t.Cleanup(func() { kubectl(t, "", "delete", "validatingwebhookconfiguration", "admissible-openshift") })
	pod := func(name, image string) string {
		return fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata: {name: %s, namespace: openshift-nodes}\nspec:\n  containers: [{name: c, image: %q}]\n", name, image)
	}
	eventually(t, pod("by-tag", "quay.io/ceph/ceph:v17.2.6"), 1,
		`admission webhook "openshift.admissible.dev" denied the request: spec.containers[0].image: Forbidden: "quay.io/ceph/ceph:v17.2.6": no node would pull it`)
	expect(t, kubectl(t, pod("by-digest", "quay.io/ceph/ceph@"+digest), "apply", "--dry-run=server", "-f", "-"), 0)
	expect(t, kubectl(t, pod("tag-mirror", "docker.io/bitnami/postgresql:15.3.0-debian-11-r24"), "apply", "--dry-run=server", "-f", "-"), 0)
}
