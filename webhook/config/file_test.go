package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/kinds"
)

// fullConfig is a configuration with every kind of key (cmd/admissible tests
// read it too).
const fullConfig = "testdata/full.yaml"

func TestLoadConfig(t *testing.T) {
	c, err := Load(fullConfig)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(judge.Modes{judge.Images.Name: judge.Warn, judge.PodTemplates.Name: judge.Off, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}, c.modes); diff != "" {
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
	if c.Policy() != Fail || c.MaxInFlight == nil || *c.MaxInFlight != 64 {
		t.Errorf("failurePolicy %s, maxInFlight %v; want Fail, 64", c.Policy(), c.MaxInFlight)
	}
}

func TestLoadConfigDefaults(t *testing.T) {
	for name, path := range map[string]string{"no file": "", "empty file": writeFile(t, "empty.yaml", "")} {
		t.Run(name, func(t *testing.T) {
			c, err := Load(path)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(judge.Modes{judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Enforce, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}, c.modes); diff != "" {
				t.Errorf("modes mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(kinds.Builtin().All(), c.catalog.All()); diff != "" {
				t.Errorf("catalog mismatch (-want +got):\n%s", diff)
			}
			if got := c.registries.Refusal("anything.example"); got != "" {
				t.Errorf("default registries policy refuses: %q", got)
			}
			if c.Policy() != Ignore || c.MaxInFlight != nil {
				t.Errorf("failurePolicy %s, maxInFlight %v; want Ignore, unset", c.Policy(), c.MaxInFlight)
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
		"unknown top-level key":        {yaml: "mode: {images: warn}\n", want: `unknown key "mode" (known: mirrors, modes, podSecurity, admission, registries, customResources, budget, endpointTimeout, failurePolicy, maxInFlight, crio, platforms)`},
		"failure policy spelled wrong": {yaml: "failurePolicy: fail\n", want: `failurePolicy: "fail": must be Ignore or Fail`},
		"maxInFlight zero":             {yaml: "maxInFlight: 0\n", want: "maxInFlight: 0: must be at least 1"},
		"maxInFlight not a number":     {yaml: "maxInFlight: many\n", want: `maxInFlight: "many": must be a whole number`},
		"maxInFlight a fraction":       {yaml: "maxInFlight: 1.5\n", want: "maxInFlight: 1.5: must be a whole number"},
		"unknown key in modes":         {yaml: "modes: {image: warn}\n", want: `modes: unknown key "image" (known: images, podTemplates, podAdmission, registryCircle, platforms)`},
		"unknown key in entry":         {yaml: cr("{kind: A, version: v1, resource: as, imagePath: [spec.image]}"), want: `customResources[0]: unknown key "imagePath" (known: group, version, kind, resource, imagePaths, podTemplatePaths)`},
		"bad images mode":              {yaml: "modes: {images: audit}\n", want: `modes.images: mode "audit": must be enforce, warn or off`},
		"bad podTemplates mode":        {yaml: "modes: {podTemplates: Warn}\n", want: `modes.podTemplates: mode "Warn": must be enforce, warn or off`},
		"bad allow glob":               {yaml: "registries: {allow: [quay.io, '[x']}\n", want: `registries.allow[1] "[x": syntax error in pattern`},
		"empty deny glob":              {yaml: "registries: {deny: ['']}\n", want: `registries.deny[0]: empty pattern`},
		"zero budget":                  {yaml: "budget: 0s\n", want: "budget: 0s: must be positive"},
		"negative timeout":             {yaml: "endpointTimeout: -1s\n", want: "endpointTimeout: -1s: must be positive"},
		"budget not a duration":        {yaml: "budget: soon\n", want: `budget: "soon": must be a duration such as 8s, 500ms or 1m30s`},
		"images on":                    {yaml: "modes: {images: on}\n", want: "modes.images: true: must be enforce, warn or off (YAML reads a bare on, yes or true as the boolean true)"},
		"images a number":              {yaml: "modes: {images: 1}\n", want: "modes.images: 1: must be enforce, warn or off"},
		"unknown mirror key":           {yaml: "mirrors: {quay.io: {endpoint: [http://m.example]}}\n", want: `mirrors.quay.io: unknown key "endpoint" (known: endpoints, overridePath, skipFallback)`},
		"overridePath a string":        {yaml: "mirrors: {quay.io: {endpoints: [http://m.example], overridePath: \"yes\"}}\n", want: `mirrors.quay.io.overridePath: "yes": must be true or false`},
		"allow not a list":             {yaml: "registries: {allow: quay.io}\n", want: `registries.allow: "quay.io": must be a list`},
		"allow entry a boolean":        {yaml: "registries: {allow: [quay.io, no]}\n", want: "registries.allow[1]: false: must be a string; YAML reads a bare yes, no, on, off, true or false as a boolean: quote it"},
		"modes a list":                 {yaml: "modes: [warn]\n", want: `modes: ["warn"]: must be a map`},
		"file a list":                  {yaml: "- modes\n", want: `the file: ["modes"]: must be a map`},
		"duplicate key":                {yaml: "budget: 1s\nbudget: 2s\n", want: "yaml: unmarshal errors:\n  line 2: key \"budget\" already set in map"},
		"missing kind":                 {yaml: cr("{group: g.example, version: v1, resource: as, imagePaths: [spec.image]}"), want: "customResources[0].kind: required"},
		"missing version":              {yaml: cr("{group: g.example, kind: A, resource: as, imagePaths: [spec.image]}"), want: "customResources[0].version: required"},
		"missing resource":             {yaml: cr("{group: g.example, version: v1, kind: A, imagePaths: [spec.image]}"), want: "customResources[0].resource: required"},
		"resource with a slash":        {yaml: cr("{group: g.example, version: v1, kind: A, resource: as/status, imagePaths: [spec.image]}"), want: `customResources[0].resource "as/status": no slashes or spaces`},
		"nothing to judge":             {yaml: cr("{group: g.example, version: v1, kind: A, resource: as}"), want: "customResources[0]: no imagePaths or podTemplatePaths: nothing to judge"},
		"bad image path":               {yaml: cr("{group: g.example, version: v1, kind: A, resource: as, imagePaths: [spec.image, 'spec..image']}"), want: `customResources[0].imagePaths[1]: "spec..image": empty segment 2 (paths are dot-separated field names)`},
		"bad pod template path":        {yaml: cr("{group: g.example, version: v1, kind: A, resource: as, podTemplatePaths: ['spec.workers[0].spec']}"), want: `customResources[0].podTemplatePaths[0]: "spec.workers[0].spec": segment "workers[0]": only field names and a trailing "[]" are supported`},
		"built-in kind":                {yaml: cr("{group: apps, version: v1, kind: Deployment, resource: deployments, podTemplatePaths: [spec.template.spec]}"), want: "customResources[0]: apps/v1 Deployment is built in"},
		"listed twice":                 {yaml: cr(rollout) + "  - " + rollout + "\n", want: "customResources[1]: argoproj.io/v1alpha1 Rollout is already customResources[0]"},
		"second entry's problem":       {yaml: cr(rollout) + "  - {group: g.example, version: v1, resource: as, imagePaths: [spec.image]}\n", want: "customResources[1].kind: required"},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			path := writeFile(t, "config.yaml", tc.yaml)
			_, err := Load(path)
			want := "config " + path + ": " + tc.want
			if err == nil || err.Error() != want {
				t.Errorf("Load error = %v\nwant %s", err, want)
			}
		})
	}
}

// TestLoadConfigModeSpellings: the mode words however YAML spells them. A
// bare off is YAML 1.1's boolean false.
func TestLoadConfigModeSpellings(t *testing.T) {
	tests := map[string]struct {
		yaml string
		want judge.Modes
	}{
		"bare off":         {yaml: "modes: {images: off, podTemplates: warn}\n", want: judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Warn, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}},
		"bare Off":         {yaml: "modes:\n  images: Off\n  podTemplates: OFF\n", want: judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Off, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}},
		"quoted off":       {yaml: "modes: {images: \"off\", podTemplates: 'off'}\n", want: judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Off, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}},
		"false, no":        {yaml: "modes: {images: false, podTemplates: no}\n", want: judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Off, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}},
		"enforce and null": {yaml: "modes: {images: enforce, podTemplates: null}\n", want: judge.Modes{judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Enforce, judge.PodAdmission.Name: judge.Enforce, judge.RegistryCircle.Name: judge.Warn, "platforms": judge.Enforce}},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			f, err := Load(writeFile(t, "config.yaml", tc.yaml))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if diff := cmp.Diff(tc.want, f.modes); diff != "" {
				t.Errorf("modes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// writeFile writes content to a new file named base and returns its path.
func writeFile(t *testing.T, base, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), base)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadConfigReportsEveryProblem: a file with several problems gets them
// all in one answer, each naming its field, in the order validate checks them.
func TestLoadConfigReportsEveryProblem(t *testing.T) {
	path := writeFile(t, "config.yaml", "modes: {images: audit}\nbudget: 0s\nfailurePolicy: fail\nmaxInFlight: 0\nregistries: {deny: ['']}\n")
	_, err := Load(path)
	want := "config " + path + ": " + strings.Join([]string{
		`modes.images: mode "audit": must be enforce, warn or off`,
		`registries.deny[0]: empty pattern`,
		`budget: 0s: must be positive`,
		`failurePolicy: "fail": must be Ignore or Fail`,
		`maxInFlight: 0: must be at least 1`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("Load error = %v\nwant %s", err, want)
	}
}
