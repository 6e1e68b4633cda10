package main

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	judge "github.com/admissible/admissible/webhook"
	"github.com/admissible/admissible/webhook/kinds"
)

const fullConfig = `mirrors:
  quay.io:
    endpoints: [http://127.0.0.1:5000]
modes:
  images: warn
  podTemplates: "off"
registries:
  allow: ["*.corp.example", docker.io]
  deny: [evil.corp.example]
customResources:
  - group: argoproj.io
    version: v1alpha1
    kind: Rollout
    resource: rollouts
    podTemplatePaths: [spec.template.spec]
  - group: example.com
    version: v1
    kind: App
    resource: apps
    imagePaths: [spec.image, "spec.sidecars[].image"]
budget: 5s
endpointTimeout: 2s
`

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(writeFile(t, "config.yaml", fullConfig))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	if diff := cmp.Diff(judge.Modes{Images: judge.Warn, PodTemplates: judge.Off, PodAdmission: judge.Enforce}, c.modes); diff != "" {
		t.Errorf("modes mismatch (-want +got):\n%s", diff)
	}
	for host, want := range map[string]string{
		"a.corp.example":    "",
		"docker.io":         "",
		"quay.io":           "registry quay.io is not allowed by registries.allow",
		"evil.corp.example": `registry evil.corp.example is denied by registries.deny ("evil.corp.example")`,
	} {
		if got := c.registries.Refusal(host); got != want {
			t.Errorf("Refusal(%s) = %q, want %q", host, got, want)
		}
	}
	rollout, ok := c.catalog.Lookup(schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Rollout"})
	want := kinds.Kind{GroupVersionKind: schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: "Rollout"}, Resource: "rollouts", PodSpecs: []kinds.Path{{"spec", "template", "spec"}}}
	if diff := cmp.Diff(want, rollout); !ok || diff != "" {
		t.Errorf("catalog Rollout (found %v) mismatch (-want +got):\n%s", ok, diff)
	}
	app, _ := c.catalog.Lookup(schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "App"})
	if diff := cmp.Diff([]kinds.Path{{"spec", "image"}, {"spec", "sidecars[]", "image"}}, app.Images); diff != "" {
		t.Errorf("catalog App images mismatch (-want +got):\n%s", diff)
	}
	if _, ok := c.catalog.Lookup(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}); !ok {
		t.Errorf("catalog lost the built-in kinds")
	}
	if c.Budget.Duration != 5*time.Second || c.EndpointTimeout.Duration != 2*time.Second {
		t.Errorf("budget %s, endpointTimeout %s; want 5s, 2s", c.Budget.Duration, c.EndpointTimeout.Duration)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	for name, path := range map[string]string{"no file": "", "empty file": writeFile(t, "empty.yaml", "")} {
		t.Run(name, func(t *testing.T) {
			c, err := loadConfig(path)
			if err != nil {
				t.Fatalf("loadConfig: %v", err)
			}
			if diff := cmp.Diff(judge.Modes{Images: judge.Enforce, PodTemplates: judge.Enforce, PodAdmission: judge.Enforce}, c.modes); diff != "" {
				t.Errorf("modes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(kinds.Builtin().All(), c.catalog.All()); diff != "" {
				t.Errorf("catalog mismatch (-want +got):\n%s", diff)
			}
			if got := c.registries.Refusal("anything.example"); got != "" {
				t.Errorf("default registries policy refuses: %q", got)
			}
			if c.Budget != nil || c.EndpointTimeout != nil {
				t.Errorf("budget %v, endpointTimeout %v; want unset", c.Budget, c.EndpointTimeout)
			}
		})
	}
}

func TestLoadConfigRefuses(t *testing.T) {
	cr := func(fields string) string { return "customResources:\n  - " + fields + "\n" }
	const rollout = "{group: argoproj.io, version: v1alpha1, kind: Rollout, resource: rollouts, podTemplatePaths: [spec.template.spec]}"
	tests := map[string]struct {
		yaml string
		want string // after "config FILE: "
	}{
		"unknown top-level key":  {yaml: "mode: {images: warn}\n", want: `error unmarshaling JSON: while decoding JSON: json: unknown field "mode"`},
		"unknown key in modes":   {yaml: "modes: {image: warn}\n", want: `error unmarshaling JSON: while decoding JSON: json: unknown field "image"`},
		"unknown key in entry":   {yaml: cr("{kind: A, version: v1, resource: as, imagePath: [spec.image]}"), want: `error unmarshaling JSON: while decoding JSON: json: unknown field "imagePath"`},
		"bad images mode":        {yaml: "modes: {images: audit}\n", want: `modes.images: mode "audit": must be enforce, warn or off`},
		"bad podTemplates mode":  {yaml: "modes: {podTemplates: Warn}\n", want: `modes.podTemplates: mode "Warn": must be enforce, warn or off`},
		"bad allow glob":         {yaml: "registries: {allow: [quay.io, '[x']}\n", want: `registries.allow[1] "[x": syntax error in pattern`},
		"empty deny glob":        {yaml: "registries: {deny: ['']}\n", want: `registries.deny[0]: empty pattern`},
		"zero budget":            {yaml: "budget: 0s\n", want: "budget: 0s: must be positive"},
		"negative timeout":       {yaml: "endpointTimeout: -1s\n", want: "endpointTimeout: -1s: must be positive"},
		"budget not a duration":  {yaml: "budget: soon\n", want: `error unmarshaling JSON: while decoding JSON: time: invalid duration "soon"`},
		"missing kind":           {yaml: cr("{group: g.example, version: v1, resource: as, imagePaths: [spec.image]}"), want: "customResources[0].kind: required"},
		"missing version":        {yaml: cr("{group: g.example, kind: A, resource: as, imagePaths: [spec.image]}"), want: "customResources[0].version: required"},
		"missing resource":       {yaml: cr("{group: g.example, version: v1, kind: A, imagePaths: [spec.image]}"), want: "customResources[0].resource: required"},
		"resource with a slash":  {yaml: cr("{group: g.example, version: v1, kind: A, resource: as/status, imagePaths: [spec.image]}"), want: `customResources[0].resource "as/status": no slashes or spaces`},
		"nothing to judge":       {yaml: cr("{group: g.example, version: v1, kind: A, resource: as}"), want: "customResources[0]: no imagePaths or podTemplatePaths: nothing to judge"},
		"bad image path":         {yaml: cr("{group: g.example, version: v1, kind: A, resource: as, imagePaths: [spec.image, 'spec..image']}"), want: `customResources[0].imagePaths[1]: "spec..image": empty segment 2 (paths are dot-separated field names)`},
		"bad pod template path":  {yaml: cr("{group: g.example, version: v1, kind: A, resource: as, podTemplatePaths: ['spec.workers[0].spec']}"), want: `customResources[0].podTemplatePaths[0]: "spec.workers[0].spec": segment "workers[0]": only field names and a trailing "[]" are supported`},
		"built-in kind":          {yaml: cr("{group: apps, version: v1, kind: Deployment, resource: deployments, podTemplatePaths: [spec.template.spec]}"), want: "customResources[0]: apps/v1 Deployment is built in"},
		"listed twice":           {yaml: cr(rollout) + "  - " + rollout + "\n", want: "customResources[1]: argoproj.io/v1alpha1 Rollout is already customResources[0]"},
		"second entry's problem": {yaml: cr(rollout) + "  - {group: g.example, version: v1, resource: as, imagePaths: [spec.image]}\n", want: "customResources[1].kind: required"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			path := writeFile(t, "config.yaml", tc.yaml)
			_, err := loadConfig(path)
			want := "config " + path + ": " + tc.want
			if err == nil || err.Error() != want {
				t.Errorf("loadConfig error = %v\nwant %s", err, want)
			}
		})
	}
}

// TestOverrideFromFile: the file's budget and endpoint timeout apply unless
// their flags were given, even with the flag's default value.
func TestOverrideFromFile(t *testing.T) {
	c, err := loadConfig(writeFile(t, "config.yaml", "budget: 5s\nendpointTimeout: 2s\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		cfg         config
		args        []string
		wantBudget  time.Duration
		wantTimeout time.Duration
	}{
		"no flags: the file":                 {cfg: c, wantBudget: 5 * time.Second, wantTimeout: 2 * time.Second},
		"flags given: the flags":             {cfg: c, args: []string{"--budget", "9s", "--endpoint-timeout", "4s"}, wantBudget: 9 * time.Second, wantTimeout: 4 * time.Second},
		"flag given with its default value":  {cfg: c, args: []string{"--budget", "8s"}, wantBudget: 8 * time.Second, wantTimeout: 2 * time.Second},
		"nothing in the file: flag defaults": {args: []string{"--endpoint-timeout", "4s"}, wantBudget: 8 * time.Second, wantTimeout: 4 * time.Second},
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
			tc.cfg.overrideFromFile(fs, budget, &lookup.endpointTimeout)
			if *budget != tc.wantBudget || lookup.endpointTimeout != tc.wantTimeout {
				t.Errorf("budget %s, endpoint timeout %s; want %s, %s", *budget, lookup.endpointTimeout, tc.wantBudget, tc.wantTimeout)
			}
		})
	}
}

// TestWebhookConfigCustomResources: the configured kinds are in the rules.
func TestWebhookConfigCustomResources(t *testing.T) {
	ca := writeFile(t, "ca.crt", string(caPEM(t)))
	cfg := writeFile(t, "config.yaml", fullConfig)
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
		"/v1":                  {"pods", "pods/ephemeralcontainers", "podtemplates", "replicationcontrollers"},
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
	config := func(extra string) string { return writeFile(t, "config.yaml", string(mirrors)+extra) }
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
			config:   config("modes: {podTemplates: warn}\n"),
			file:     incident + "statefulset-broken.yaml",
			wantCode: 0,
			wantStdout: incident + "statefulset-broken.yaml#1 StatefulSet/harbor-registry/harbor-registry-postgresql: admitted\n" +
				"  warning: [warn mode] spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty\n" +
				"1 object: 0 refused, 1 admitted, 0 not judged\n",
		},
		"registries.deny: refused": {
			config:   config("registries: {deny: [evil.example]}\n"),
			file:     writeFile(t, "denied.yaml", denied),
			wantCode: 1,
		},
		"images off: the denied registry is not checked": {
			config:   config("registries: {deny: [evil.example]}\nmodes: {images: \"off\"}\n"),
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
