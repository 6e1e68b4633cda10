// Command demo shows admissible refusing the incident's two manifests at
// apply time: it starts a throwaway etcd and kube-apiserver, a registry that
// stands in for quay.io and docker.io, and the webhook, then drives kubectl.
//
// Run it with "make demo" (which builds the control plane binaries first), or
// with KUBEBUILDER_ASSETS naming a directory with kube-apiserver and etcd.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/admissible/admissible/test/harness"
)

const (
	incident     = "test/testdata/incident/"
	platformsDir = "test/testdata/platforms/"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "demo: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "admissible-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	step("Starting a registry that stands in for quay.io and docker.io")
	reg := harness.StartRegistry()
	defer reg.Close()
	for _, img := range []string{"ceph/ceph:v17.2.5", "ceph/ceph:v17.2.6", "bitnami/postgresql:15.3.0-debian-11-r24"} {
		repo, tag, _ := strings.Cut(img, ":")
		if _, err := reg.Push(repo, tag); err != nil {
			return err
		}
		fmt.Printf("  pushed %s\n", img)
	}
	for tag, platforms := range map[string][]string{"16.4-amd64": {"linux/amd64"}, "16.4": {"linux/amd64", "linux/arm64"}} {
		if _, err := reg.PushIndex("library/postgres", tag, platforms...); err != nil {
			return err
		}
		fmt.Printf("  pushed library/postgres:%s for %s\n", tag, strings.Join(platforms, ", "))
	}
	config := fmt.Sprintf(`mirrors:
  quay.io:
    endpoints: [%[1]q]
    skipFallback: true
  docker.io:
    endpoints: [%[1]q]
    skipFallback: true
`, reg.URL)
	fmt.Printf("  webhook config:\n%s", indent(config))

	step("Starting etcd and kube-apiserver")
	cp, err := harness.StartControlPlane(os.Getenv("KUBEBUILDER_ASSETS"), dir, filepath.Join(root, "test/testdata/crds"))
	if err != nil {
		return err
	}
	defer cp.Stop()
	fmt.Printf("  kube-apiserver %s\n", cp.Version)
	// The API server runs the ServiceAccount admission plugin, as clusters
	// do: every namespace needs its default ServiceAccount.
	if err := harness.StartServiceAccounts(ctx, cp.Kubeconfig); err != nil {
		return err
	}

	step("Building and starting admissible serve, registering it by URL")
	bin, err := harness.BuildAdmissible(root, dir)
	if err != nil {
		return err
	}
	wh, err := harness.StartWebhook(ctx, bin, dir, config, "--kubeconfig", cp.Kubeconfig)
	if err != nil {
		return err
	}
	defer wh.Stop()
	if err := wh.Register(ctx, cp); err != nil {
		return err
	}
	fmt.Printf("  webhook at %s\n", wh.URL)
	for _, ns := range []string{"rook-ceph", "harbor-registry"} {
		cp.Kubectl(ctx, "", "create", "namespace", ns)
	}
	if err := waitForWebhook(ctx, cp); err != nil {
		return err
	}

	step("Failure 1: a CephCluster naming quay.io/ceph/ceph:v17.2.31, a tag that never existed")
	apply(ctx, cp, incident+"cephcluster-broken.yaml", "apply", "--dry-run=server")
	apply(ctx, cp, incident+"cephcluster-broken.yaml", "apply")
	apply(ctx, cp, incident+"cephcluster-fixed.yaml", "apply")

	step("Failure 2: a StatefulSet whose env entry has both value and valueFrom")
	apply(ctx, cp, incident+"statefulset-broken.yaml", "apply", "--server-side")
	apply(ctx, cp, incident+"statefulset-fixed.yaml", "apply")

	step("Mixed nodes: a tag that exists, but not for the nodes the pod may run on")
	apply(ctx, cp, platformsDir+"nodes.yaml", "apply")
	waitForNodes(ctx, cp, platformsDir+"deployment-arm64-broken.yaml")
	apply(ctx, cp, platformsDir+"deployment-arm64-broken.yaml", "apply")
	apply(ctx, cp, platformsDir+"deployment-arm64-fixed.yaml", "apply")

	step("The same engine in CI, without a cluster")
	configFile := filepath.Join(dir, "config.yaml")
	show(exec.CommandContext(ctx, bin, "check", "--config", configFile, "-f", incident), "admissible check --config config.yaml -f "+incident)

	step("The incident's fallback: a dead Harbor, then https://docker.io/v2 (a redirect to a web page)")
	web := harness.StartFaultyServer(harness.FaultHTML)
	defer web.Close()
	redirect := httptest.NewServer(http.RedirectHandler(web.URL+"/", http.StatusMovedPermanently))
	defer redirect.Close()
	talos := fmt.Sprintf(`mirrors:
  docker.io:
    endpoints:
      - http://127.0.0.1:1/v2/docker.io   # Harbor, down with its node
      - %s/v2   # stands in for https://docker.io/v2
    overridePath: true
`, redirect.URL)
	fmt.Printf("  talos mirrors:\n%s", indent(talos))
	talosFile := filepath.Join(dir, "talos.yaml")
	if err := os.WriteFile(talosFile, []byte(talos), 0o600); err != nil {
		return err
	}
	show(exec.CommandContext(ctx, bin, "mirrors", "check", "--config", talosFile, "--timeout", "3s"), "admissible mirrors check --config talos.yaml")
	return nil
}

func step(s string) { fmt.Printf("\n== %s\n", s) }

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n    ") + "\n"
}

// apply runs kubectl on a file and prints the command, its output and its
// exit code.
func apply(ctx context.Context, cp *harness.ControlPlane, file string, args ...string) {
	args = append(args, "-f", file)
	fmt.Printf("\n$ kubectl %s\n", strings.Join(args, " "))
	r := cp.Kubectl(ctx, "", args...)
	fmt.Print(indent(r.Output()))
	fmt.Printf("  (exit %d)\n", r.ExitCode)
}

func show(cmd *exec.Cmd, shown string) {
	fmt.Printf("\n$ %s\n", shown)
	out, err := cmd.CombinedOutput()
	fmt.Print(indent(string(out)))
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	fmt.Printf("  (exit %d)\n", code)
}

// waitForWebhook waits until the API server's admission chain has the webhook.
func waitForWebhook(ctx context.Context, cp *harness.ControlPlane) error {
	probe := "apiVersion: v1\nkind: Pod\nmetadata: {name: probe, namespace: default}\nspec:\n  containers: [{name: c, image: quay.io/ceph/ceph:probe}]\n"
	for ctx.Err() == nil {
		if r := cp.Kubectl(ctx, probe, "apply", "--dry-run=server", "-f", "-"); strings.Contains(r.Output(), "denied the request") {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("the API server never called the webhook")
}

// waitForNodes waits until the webhook's informer holds the nodes just
// created: until a dry run of file is refused, for at most 15 seconds.
func waitForNodes(ctx context.Context, cp *harness.ControlPlane, file string) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if r := cp.Kubectl(ctx, "", "apply", "--dry-run=server", "-f", file); strings.Contains(r.Output(), "denied the request") {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
