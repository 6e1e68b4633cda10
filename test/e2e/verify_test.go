//go:build e2e

package e2e

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/admissible/admissible/test/harness"
)

// admissible runs the admissible binary the suite built.
func admissible(t *testing.T, args ...string) harness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, env.webhook.Binary, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		code = -1
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	return harness.Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code}
}

// registerAs registers a webhook reached at url under its own names, so it
// does not replace the suite's.
func registerAs(t *testing.T, name, url, caFile string) {
	t.Helper()
	r := admissible(t, "webhook-config", "--url", url, "--ca-file", caFile, "--config", env.webhook.ConfigFile)
	if r.ExitCode != 0 {
		t.Fatalf("webhook-config: %s", r.Output())
	}
	vwc := strings.Replace(r.Stdout, "name: admissible\n", "name: "+name+"\n", 1)
	vwc = strings.Replace(vwc, "name: validate.admissible.dev", "name: "+name+".admissible.dev", 1)
	expect(t, kubectl(t, vwc, "apply", "-f", "-"), 0, name)
	t.Cleanup(func() { kubectl(t, "", "delete", "validatingwebhookconfiguration", name, "--ignore-not-found") })
}

func verifyArgs(name string) []string {
	return []string{"verify", "--kubeconfig", env.cp.Kubeconfig, "--config", env.webhook.ConfigFile, "--namespace", "e2e",
		"--name", name, "--webhook", name + ".admissible.dev"}
}

// TestVerify: admissible verify passes against the suite's webhook, reached
// by URL, and fails naming the broken link when a webhook's URL is wrong or
// the webhook is stopped.
func TestVerify(t *testing.T) {
	t.Run("reached by URL: enforcing", func(t *testing.T) {
		r := admissible(t, "verify", "--kubeconfig", env.cp.Kubeconfig, "--config", env.webhook.ConfigFile, "--namespace", "e2e")
		expect(t, r, 0,
			"ok    webhook configuration admissible: has webhook validate.admissible.dev, called at "+env.webhook.URL,
			"ok    rules, path and side effects: every kind of the catalog",
			"ok    caBundle verifies the serving certificate: 127.0.0.1:",
			"ok    canary PodTemplate in namespace e2e (server-side dry run): refused by webhook validate.admissible.dev",
			"enforcing: the API server calls the webhook and honours its refusals")
		// The canary was a dry run: nothing stored (other tests keep their
		// own PodTemplates in this namespace).
		r = kubectl(t, "", "get", "podtemplates", "-n", "e2e", "-o", "name")
		expect(t, r, 0)
		if strings.Contains(r.Stdout, "admissible-verify-canary") {
			t.Errorf("the canary was stored: %s", r.Stdout)
		}
	})
	t.Run("wrong URL: the unreachable webhook named", func(t *testing.T) {
		down := closedPortURL(t)
		registerAs(t, "wrong", down, env.webhook.CAFile)
		r := admissible(t, verifyArgs("wrong")...)
		expect(t, r, 1,
			"FAIL  caBundle verifies the serving certificate: the API server could not reach the webhook: nothing answers at "+strings.TrimSuffix(strings.TrimPrefix(down, "https://"), "/validate"),
			"not enforcing: the API server could not reach the webhook")
	})
	t.Run("not registered", func(t *testing.T) {
		expect(t, admissible(t, verifyArgs("absent")...), 1,
			"FAIL  webhook configuration absent: the ValidatingWebhookConfiguration does not exist: the API server calls no webhook")
	})
	t.Run("stopped: the unreachable webhook named", func(t *testing.T) {
		w, err := harness.StartWebhook(t.Context(), env.webhook.Binary, t.TempDir(), mirrorConfig(), "--no-cluster-credentials")
		if err != nil {
			t.Fatal(err)
		}
		defer w.Stop()
		registerAs(t, "second", w.URL, w.CAFile)
		expect(t, admissible(t, verifyArgs("second")...), 0, "ok    caBundle verifies the serving certificate", "enforcing")
		w.Stop()
		expect(t, admissible(t, verifyArgs("second")...), 1,
			"FAIL  caBundle verifies the serving certificate: the API server could not reach the webhook: nothing answers at",
			"not enforcing: the API server could not reach the webhook")
	})
}
