package main

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/config"
)

// fullConfig is the config package's configuration with every kind of key.
const fullConfig = "../../webhook/config/testdata/full.yaml"

// TestOverrideFromFile: the file's budget and endpoint timeout apply unless
// their flags were given, even with the flag's default value.
func TestOverrideFromFile(t *testing.T) {
	c, err := config.Load(writeFile(t, "config.yaml", "budget: 5s\nendpointTimeout: 2s\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		cfg         *config.File
		args        []string
		wantBudget  time.Duration
		wantTimeout time.Duration
	}{
		"no flags: the file":                 {cfg: c, wantBudget: 5 * time.Second, wantTimeout: 2 * time.Second},
		"flags given: the flags":             {cfg: c, args: []string{"--budget", "9s", "--endpoint-timeout", "4s"}, wantBudget: 9 * time.Second, wantTimeout: 4 * time.Second},
		"flag given with its default value":  {cfg: c, args: []string{"--budget", "8s"}, wantBudget: 8 * time.Second, wantTimeout: 2 * time.Second},
		"nothing in the file: flag defaults": {cfg: &config.File{}, args: []string{"--endpoint-timeout", "4s"}, wantBudget: 8 * time.Second, wantTimeout: 4 * time.Second},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			budget := fs.Duration("budget", 8*time.Second, "")
			var lookup lookupFlags
			lookup.register(fs, 3*time.Second)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			overrideFromFile(tc.cfg, fs, budget, &lookup.endpointTimeout)
			if *budget != tc.wantBudget || lookup.endpointTimeout != tc.wantTimeout {
				t.Errorf("budget %s, endpoint timeout %s; want %s, %s", *budget, lookup.endpointTimeout, tc.wantBudget, tc.wantTimeout)
			}
		})
	}
}

// TestWebhookConfigCustomResources: the configured kinds are in the rules.
func TestWebhookConfigCustomResources(t *testing.T) {
	ca := writeFile(t, "ca.crt", string(caPEM(t)))
	cfg := fullConfig
	r := runCmd(t, "", "webhook-config", "--url", "https://admissible.example/validate", "--ca-file", ca, "--config", cfg)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got admissionregistrationv1.ValidatingWebhookConfiguration
	if err := yaml.UnmarshalStrict([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	resources := map[string][]string{}
	for _, rule := range got.Webhooks[0].Rules {
		key := strings.Join(rule.APIGroups, ",") + "/" + strings.Join(rule.APIVersions, ",")
		resources[key] = append(resources[key], rule.Resources...)
		if diff := cmp.Diff([]admissionregistrationv1.OperationType{"CREATE", "UPDATE"}, rule.Operations); diff != "" {
			t.Errorf("rule %s operations mismatch (-want +got):\n%s", key, diff)
		}
	}
	for key, want := range map[string][]string{
		"argoproj.io/v1alpha1": {"rollouts"},
		"example.com/v1":       {"apps"},
		"apps/v1":              {"daemonsets", "deployments", "replicasets", "statefulsets"},
		"/v1":                  {"pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers", "services"},
	} {
		if diff := cmp.Diff(want, resources[key]); diff != "" {
			t.Errorf("rule %s resources mismatch (-want +got):\n%s", key, diff)
		}
	}

	bad := writeFile(t, "bad.yaml", "customResources: [{kind: A}]\n")
	r = runCmd(t, "", "webhook-config", "--url", "https://admissible.example/validate", "--ca-file", ca, "--config", bad)
	if want := "admissible webhook-config: config " + bad + ": customResources[0].version: required\n"; r.code != 2 || r.stderr != want {
		t.Errorf("bad config: exit %d, stderr %q; want 2, %q", r.code, r.stderr, want)
	}
}

// TestCheckReadsModesAndPolicy: check applies the file's modes and
// registries policy.
func TestCheckReadsModesAndPolicy(t *testing.T) {
	regs := startRegistries(t)
	mirrors, err := os.ReadFile(regs.config)
	if err != nil {
		t.Fatal(err)
	}
	withMirrors := func(extra string) string { return writeFile(t, "config.yaml", string(mirrors)+extra) }
	const denied = `apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: ops}
spec:
  containers: [{name: sh, image: "evil.example/tools:1"}]
`
	tests := map[string]struct {
		config     string
		file       string
		wantCode   int
		wantStdout string
	}{
		"podTemplates warn: admitted with a warning": {
			config:   withMirrors("modes: {podTemplates: warn}\n"),
			file:     incident + "statefulset-broken.yaml",
			wantCode: 0,
			wantStdout: incident + "statefulset-broken.yaml#1 StatefulSet/harbor-registry/harbor-registry-postgresql: admitted\n" +
				"  warning: [warn mode] spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty\n" +
				"1 object: 0 refused, 1 admitted, 0 not judged\n" + offlineNote,
		},
		"registries.deny: refused": {
			config:   withMirrors("registries: {deny: [evil.example]}\n"),
			file:     writeFile(t, "denied.yaml", denied),
			wantCode: 1,
		},
		"images off: the denied registry is not checked": {
			config:   withMirrors("registries: {deny: [evil.example]}\nmodes: {images: \"off\"}\n"),
			file:     writeFile(t, "denied.yaml", denied),
			wantCode: 0,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := runCmd(t, "", "check", "--config", tc.config, "-f", tc.file)
			if r.code != tc.wantCode {
				t.Errorf("exit %d, want %d", r.code, tc.wantCode)
			}
			if tc.wantStdout != "" {
				if diff := cmp.Diff(tc.wantStdout, r.stdout); diff != "" {
					t.Errorf("stdout mismatch (-want +got):\n%s", diff)
				}
			}
			if tc.wantCode == 1 && !strings.Contains(r.stdout, `Forbidden: "evil.example/tools:1": registry evil.example is denied by registries.deny ("evil.example")`) {
				t.Errorf("stdout does not say why the registry is refused:\n%s", r.stdout)
			}
		})
	}
}
