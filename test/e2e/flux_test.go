//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fluxcd/pkg/ssa"
	ssaerrors "github.com/fluxcd/pkg/ssa/errors"
	ssautils "github.com/fluxcd/pkg/ssa/utils"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fluxNamespace holds what TestFlux applies, apart from the incident tests'
// rook-ceph and harbor-registry namespaces.
const fluxNamespace = "flux"

// fluxManager is what kustomize-controller builds: an ssa.ResourceManager on
// a controller-runtime client, with kustomize-controller's field manager.
func fluxManager(t *testing.T) (*ssa.ResourceManager, client.Client) {
	t.Helper()
	cfg, err := clientcmd.BuildConfigFromFlags("", env.cp.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ssa.NewResourceManager(c, nil, ssa.Owner{Field: "kustomize-controller", Group: "kustomize.toolkit.fluxcd.io"}), c
}

// incidentObject decodes an incident manifest as Flux does and moves it to
// the flux namespace.
func incidentObject(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	f, err := os.Open(incident + file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	obj, err := ssautils.ReadObject(f)
	if err != nil {
		t.Fatal(err)
	}
	obj.SetNamespace(fluxNamespace)
	return obj
}

// TestFlux drives fluxcd/pkg/ssa, the library kustomize-controller
// reconciles with: a server-side dry-run of every object of a stage, then, only
// if all pass, the server-side apply. The denial must reach the error Flux
// puts into the Kustomization's Ready condition, and nothing may be applied.
func TestFlux(t *testing.T) {
	expect(t, kubectl(t, "", "create", "namespace", fluxNamespace), 0)
	manager, c := fluxManager(t)

	ceph := incidentObject(t, "cephcluster-broken.yaml")
	cephWant := []string{
		"CephCluster/flux/rook-ceph dry-run failed (Forbidden): " + webhookPrefix,
		`spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31"`,
	}
	sts := incidentObject(t, "statefulset-broken.yaml")
	stsWant := []string{
		"StatefulSet/flux/harbor-registry-postgresql dry-run failed",
		"spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
	}
	if env.cp.Minor <= 33 {
		// Up to 1.33 the API server takes such a StatefulSet: the webhook
		// is the only guard.
		stsWant = append(stsWant, "dry-run failed (Forbidden): "+webhookPrefix)
	} else {
		// From 1.34 the API server refuses it before calling webhooks.
		stsWant = append(stsWant, `dry-run failed (Invalid): StatefulSet.apps "harbor-registry-postgresql" is invalid`)
	}

	// apply runs ApplyAllStaged as kustomize-controller does and returns its
	// error, which must be a dry-run error naming one of objs.
	apply := func(t *testing.T, objs ...*unstructured.Unstructured) string {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		in := make([]*unstructured.Unstructured, len(objs))
		for i, o := range objs {
			in[i] = o.DeepCopy()
		}
		cs, err := manager.ApplyAllStaged(ctx, in, ssa.DefaultApplyOptions())
		if err == nil {
			t.Fatalf("ApplyAllStaged succeeded: %v", cs.ToMap())
		}
		var dryRun *ssaerrors.DryRunErr
		if !errors.As(err, &dryRun) {
			t.Fatalf("ApplyAllStaged error %T is not a dry-run error: %v", err, err)
		}
		t.Logf("ApplyAllStaged: %v", err)
		return err.Error()
	}
	contains := func(t *testing.T, msg string, wants []string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(msg, w) {
				t.Errorf("error does not contain %q:\n%s", w, msg)
			}
		}
	}
	notCreated := func(t *testing.T) {
		t.Helper()
		for _, o := range []*unstructured.Unstructured{ceph, sts} {
			live := &unstructured.Unstructured{}
			live.SetGroupVersionKind(o.GroupVersionKind())
			err := c.Get(context.Background(), client.ObjectKeyFromObject(o), live)
			if !apierrors.IsNotFound(err) {
				t.Errorf("%s: got error %v, want NotFound: a refused dry-run must stop the apply", ssautils.FmtUnstructured(o), err)
			}
		}
	}

	t.Run("CephCluster", func(t *testing.T) {
		contains(t, apply(t, ceph), cephWant)
		notCreated(t)
	})
	t.Run("StatefulSet", func(t *testing.T) {
		contains(t, apply(t, sts), stsWant)
		notCreated(t)
	})
	t.Run("both in one set", func(t *testing.T) {
		// ApplyAll dry-runs the set concurrently and returns the first
		// failure, so the message names either object; neither is applied.
		msg := apply(t, ceph, sts)
		if strings.HasPrefix(msg, "CephCluster/") {
			contains(t, msg, cephWant)
		} else {
			contains(t, msg, stsWant)
		}
		notCreated(t)
	})
}

// helmPostgres is a StatefulSet whose POSTGRES_PASSWORD comes from a Secret
// only, as the fixed chart renders it.
const helmPostgres = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: helm-postgresql, namespace: flux-helm}
spec:
  serviceName: helm-postgresql
  replicas: 1
  selector: {matchLabels: {app: helm-postgresql}}
  template:
    metadata: {labels: {app: helm-postgresql}}
    spec:
      containers:
        - name: postgresql
          image: docker.io/bitnami/postgresql:15.3.0-debian-11-r24
          env:
            - name: PGDATA
              value: /bitnami/postgresql/data
            - name: POSTGRES_PASSWORD
              valueFrom:
                secretKeyRef: {name: helm-postgresql, key: postgres-password}
`

// TestHelmThreeWayMerge: a client-side three-way merge (kubectl apply here;
// Helm upgrade computes the same strategic merge patch from the last release's
// manifest, the new one and the live object) merges env entries by name. If
// another writer replaced valueFrom with a value, re-applying the manifest
// patches valueFrom back in and keeps the live value, because the value was
// never in the last-applied manifest, so the merge does not delete it. The
// patched StatefulSet carries both, which no pod can be created from.
func TestHelmThreeWayMerge(t *testing.T) {
	const ns = "flux-helm"
	expect(t, kubectl(t, "", "create", "namespace", ns), 0)
	envPath := "{.spec.template.spec.containers[0].env[1]}"
	get := func(t *testing.T) string {
		t.Helper()
		r := kubectl(t, "", "get", "statefulset", "-n", ns, "helm-postgresql", "-o", "jsonpath="+envPath)
		expect(t, r, 0)
		return r.Stdout
	}

	// 1. Install: the manifest, recorded in the last-applied annotation.
	expect(t, kubectl(t, helmPostgres, "apply", "-f", "-"), 0, "statefulset.apps/helm-postgresql created")

	// 2. Another writer sets the password by hand: kubectl set env replaces
	// the entry, so the live object has value and no valueFrom.
	expect(t, kubectl(t, "", "set", "env", "-n", ns, "statefulset/helm-postgresql", "POSTGRES_PASSWORD=not-secure"), 0,
		"statefulset.apps/helm-postgresql env updated")
	if live := get(t); !strings.Contains(live, `"value":"not-secure"`) || strings.Contains(live, "valueFrom") {
		t.Fatalf("after kubectl set env, env[1] is %s; want value only", live)
	}

	// 3. Upgrade with the same manifest: the three-way patch adds valueFrom
	// back and keeps value, and the update is refused.
	want := []string{"spec.template.spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"}
	if env.cp.Minor <= 33 {
		// The API server stores it: the webhook is the only guard.
		want = append(want, webhookPrefix)
	} else {
		want = append(want, `The StatefulSet "helm-postgresql" is invalid`)
	}
	expect(t, kubectl(t, helmPostgres, "apply", "-f", "-"), 1, want...)
	if live := get(t); !strings.Contains(live, `"value":"not-secure"`) || strings.Contains(live, "valueFrom") {
		t.Errorf("after the refused upgrade, env[1] is %s; want it unchanged", live)
	}
}
