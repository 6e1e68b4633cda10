//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// env is the environment every test shares.
var env struct {
	cp       *harness.ControlPlane
	registry *harness.Registry
	// private requires the credentials privateUser/privatePassword.
	private *harness.Registry
	// distribution is Debian's docker-registry, a mirror behind a dead one.
	distribution *harness.Distribution
	webhook      *harness.Webhook
	digests      map[string]string // "repo:tag" -> digest
	// stopServiceAccounts stops the default service account stand-in.
	stopServiceAccounts func()
}

// images pushed to the test registry, which stands in for quay.io and docker.io.
var images = []string{
	"ceph/ceph:v17.2.5", "ceph/ceph:v17.2.6",
	"bitnami/postgresql:15.3.0-debian-11-r24",
	"library/nginx:latest", "library/busybox:1.36", "library/app:1.0",
	"goharbor/harbor-core:v2.9.0",
}

const webhookPrefix = `admission webhook "validate.admissible.dev" denied the request`

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := setup(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "e2e setup: %v\n", err)
		teardown()
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: kube-apiserver %s, registry %s, webhook %s\n", env.cp.Version, env.registry.URL, env.webhook.URL)
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "webhook log:\n%s\n", env.webhook.Log)
	}
	teardown()
	return code
}

func setup(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "admissible-e2e-")
	if err != nil {
		return err
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return err
	}
	env.registry = harness.StartRegistry()
	env.digests = map[string]string{}
	for _, img := range images {
		repo, tag, _ := strings.Cut(img, ":")
		d, err := env.registry.Push(repo, tag)
		if err != nil {
			return err
		}
		env.digests[img] = d
	}
	env.private = harness.StartPrivateRegistry(privateUser, privatePassword)
	if _, err := env.private.Push("team/app", "1.0"); err != nil {
		return err
	}
	env.distribution, err = harness.StartDistribution(dir)
	if err != nil {
		return err
	}
	if _, err := env.distribution.Push("org/tool", "2.1"); err != nil {
		return err
	}
	bin, err := harness.BuildAdmissible(root, dir)
	if err != nil {
		return err
	}
	env.cp, err = harness.StartControlPlane(os.Getenv("KUBEBUILDER_ASSETS"), dir, filepath.Join(root, "test", "testdata", "crds"), filepath.Join(root, "test", "testdata", "crds", "openshift"))
	if err != nil {
		return err
	}
	// Namespaces get their default service account, as kube-controller-manager
	// would: pod admission (and the webhook's prediction of it) needs it.
	saCtx, stopSA := context.WithCancel(context.Background())
	env.stopServiceAccounts = stopSA
	if err := harness.StartServiceAccounts(saCtx, env.cp.Kubeconfig); err != nil {
		return err
	}
	env.webhook, err = harness.StartWebhook(ctx, bin, dir, mirrorConfig(), "--endpoint-timeout", "1s", "--kubeconfig", env.cp.Kubeconfig)
	if err != nil {
		return err
	}
	if err := env.webhook.Register(ctx, env.cp); err != nil {
		return err
	}
	for _, ns := range []string{"rook-ceph", "harbor-registry", "e2e"} {
		if r := env.cp.Kubectl(ctx, "", "create", "namespace", ns); r.ExitCode != 0 {
			return fmt.Errorf("create namespace %s: %s", ns, r.Output())
		}
	}
	return waitForWebhook(ctx)
}

// mirrorConfig sends quay.io and docker.io to the test registry, and a few
// made-up registries to servers that fail in one way each; it also denies
// denied.example (mirrored to the test registry, to show it is never asked)
// and judges Argo Rollouts as a configured custom resource.
func mirrorConfig() string {
	var b strings.Builder
	b.WriteString("mirrors:\n")
	mirror := func(host, url string) {
		fmt.Fprintf(&b, "  %s:\n    endpoints: [%q]\n    skipFallback: true\n", host, url)
	}
	mirror("quay.io", env.registry.URL)
	// docker.io goes through a host an Ingress of the registry-circle tests
	// claims (circleHost): the same registry, reached by name.
	mirror("docker.io", circleMirror())
	mirror("private.example", env.private.URL)
	// A dead first mirror (nothing listens on port 1), then a real one.
	fmt.Fprintf(&b, "  ghcr.io:\n    endpoints: [\"http://127.0.0.1:1\", %q]\n    skipFallback: true\n", env.distribution.URL)
	mirror("denied.example", env.registry.URL)
	for host, fault := range map[string]harness.Fault{
		"failing.example": harness.FaultServerError, "ratelimited.example": harness.FaultRateLimit,
		"hanging.example": harness.FaultHang, "html.example": harness.FaultHTML,
	} {
		mirror(host, harness.StartFaultyServer(fault).URL)
	}
	b.WriteString(`registries:
  deny: [denied.example]
customResources:
  - group: argoproj.io
    version: v1alpha1
    kind: Rollout
    resource: rollouts
    podTemplatePaths: [spec.template.spec]
`)
	return b.String()
}

// waitForWebhook waits until the API server calls the webhook: registration
// reaches the API server's admission chain asynchronously.
func waitForWebhook(ctx context.Context) error {
	probe := pod("probe", "e2e", "docker.io/library/app:does-not-exist")
	for {
		r := env.cp.Kubectl(ctx, probe, "apply", "--dry-run=server", "-f", "-")
		if strings.Contains(r.Output(), webhookPrefix) {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("webhook never called by the API server; last answer: %s", r.Output())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func teardown() {
	if env.stopServiceAccounts != nil {
		env.stopServiceAccounts()
	}
	if env.webhook != nil {
		env.webhook.Stop()
	}
	if env.cp != nil {
		env.cp.Stop()
	}
	if env.registry != nil {
		env.registry.Close()
	}
	if env.private != nil {
		env.private.Close()
	}
	if env.distribution != nil {
		env.distribution.Stop()
	}
}

// pod renders a one-container Pod.
func pod(name, namespace, image string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Pod
metadata: {name: %s, namespace: %s}
spec:
  containers:
    - name: main
      image: %s
`, name, namespace, image)
}

// kubectl runs kubectl with a deadline.
func kubectl(t *testing.T, stdin string, args ...string) harness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	return env.cp.Kubectl(ctx, stdin, args...)
}

// expect checks kubectl's exit code and that its output holds every want.
func expect(t *testing.T, r harness.Result, exitCode int, wants ...string) {
	t.Helper()
	if (exitCode == 0) != (r.ExitCode == 0) {
		t.Errorf("kubectl exit code %d, want %d; output:\n%s", r.ExitCode, exitCode, r.Output())
		return
	}
	for _, w := range wants {
		if !strings.Contains(r.Output(), w) {
			t.Errorf("kubectl output does not contain %q; output:\n%s", w, r.Output())
		}
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// harnessReview wraps a Pod in an AdmissionReview.
func harnessReview(pod string) ([]byte, error) { return harness.AdmissionReview("load", []byte(pod)) }

// loadWebhook posts body to the webhook total times, concurrency at once.
func loadWebhook(ctx context.Context, body []byte, total, concurrency int) (harness.LoadResult, error) {
	return harness.Load(ctx, env.webhook.URL, env.webhook.CAFile, body, total, concurrency)
}
