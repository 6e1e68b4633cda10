package judge_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/policy"
)

// modesPod has a missing image and an env entry the API server refuses at
// pod creation; annotations are added to its metadata.
func modesPod(annotations string) string {
	return `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: shop, annotations: {` + annotations + `}}
spec:
  containers:
    - {name: a, image: 'example.com/app:2', env: [{name: P, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}
`
}

func TestJudgeModes(t *testing.T) {
	const (
		envProblem   = "spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"
		imageProblem = `spec.containers[0].image: Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`
		lookup       = "spec.containers[0].image example.com/app:2: not found"
	)
	tests := map[string]struct {
		modes       judge.Modes
		labels      map[string]string
		annotations string
		want        summary
		wantCalls   map[string]int
	}{
		"default: both enforced": {
			want:      summary{Problems: []string{envProblem, imageProblem}, Lookups: []string{lookup}},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"images warn, globally": {
			modes: judge.Modes{judge.Images.Name: judge.Warn},
			want: summary{
				Problems: []string{envProblem}, Warnings: []string{"[warn mode] " + imageProblem}, Lookups: []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"images off, globally: not looked up": {
			modes: judge.Modes{judge.Images.Name: judge.Off},
			want:  summary{Problems: []string{envProblem}},
		},
		"pod templates warn, globally": {
			modes: judge.Modes{judge.PodTemplates.Name: judge.Warn},
			want: summary{
				Problems: []string{imageProblem}, Warnings: []string{"[warn mode] " + envProblem}, Lookups: []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"both off": {
			modes: judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Off},
			want:  summary{},
		},
		"namespace label loosens images": {
			labels: map[string]string{"admissible.dev/images": "warn"},
			want: summary{
				Problems: []string{envProblem}, Warnings: []string{"[warn mode] " + imageProblem}, Lookups: []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"namespace label turns pod templates off": {
			labels:    map[string]string{"admissible.dev/pod-templates": "off"},
			want:      summary{Problems: []string{imageProblem}, Lookups: []string{lookup}},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"namespace label tightens a global warn": {
			modes:     judge.Modes{judge.Images.Name: judge.Warn, judge.PodTemplates.Name: judge.Warn},
			labels:    map[string]string{"admissible.dev/images": "enforce", "admissible.dev/pod-templates": "enforce"},
			want:      summary{Problems: []string{envProblem, imageProblem}, Lookups: []string{lookup}},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"namespace label not understood: warned, global mode applies": {
			labels: map[string]string{"admissible.dev/images": "relaxed"},
			want: summary{
				Problems: []string{envProblem, imageProblem},
				Warnings: []string{`namespace label admissible.dev/images="relaxed" is not enforce, warn or off: ignored, mode enforce applies`},
				Lookups:  []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"other namespace labels: no effect": {
			labels:    map[string]string{"team": "shop"},
			want:      summary{Problems: []string{envProblem, imageProblem}, Lookups: []string{lookup}},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"annotation exempts from images: warned, not looked up": {
			annotations: `admissible.dev/skip: images`,
			want: summary{
				Problems: []string{envProblem},
				Warnings: []string{"images not checked: this object is exempted by annotation admissible.dev/skip"},
			},
		},
		"annotation exempts from pod templates": {
			annotations: `admissible.dev/skip: pod-templates`,
			want: summary{
				Problems: []string{imageProblem},
				Warnings: []string{"pod templates not checked: this object is exempted by annotation admissible.dev/skip"},
				Lookups:  []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"annotation exempts from both, over a namespace label": {
			labels:      map[string]string{"admissible.dev/images": "enforce"},
			annotations: `admissible.dev/skip: 'pod-templates, images'`,
			want: summary{Warnings: []string{
				"images not checked: this object is exempted by annotation admissible.dev/skip",
				"pod templates not checked: this object is exempted by annotation admissible.dev/skip",
			}},
		},
		"annotation with an unknown check: warned, ignored": {
			annotations: `admissible.dev/skip: imagez`,
			want: summary{
				Problems: []string{envProblem, imageProblem},
				Warnings: []string{`annotation admissible.dev/skip: unknown check "imagez" ignored (known: images, pod-templates, pod-admission, registry-circle, platforms)`},
				Lookups:  []string{lookup},
			},
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Missing("example.com/app:2"))
			e := judge.NewEngine(r, judge.WithModes(tc.modes))
			got := summarize(e.Judge(t.Context(), judge.Request{Object: object(t, modesPod(tc.annotations)), NamespaceLabels: tc.labels}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    judge.Mode
		wantErr string
	}{
		"empty is the check default": {in: "", want: ""},
		"enforce":                    {in: "enforce", want: judge.Enforce},
		"warn":                       {in: "warn", want: judge.Warn},
		"off":                        {in: "off", want: judge.Off},
		"capitals":                   {in: "Warn", wantErr: `mode "Warn": must be enforce, warn or off`},
		"other":                      {in: "audit", wantErr: `mode "audit": must be enforce, warn or off`},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got, err := judge.ParseMode(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr || got != tc.want {
				t.Errorf("ParseMode(%q) = %q, %q; want %q, %q", tc.in, got, gotErr, tc.want, tc.wantErr)
			}
		})
	}
}

func TestJudgeRegistries(t *testing.T) {
	pol, err := policy.NewRegistries([]string{"*.corp.example", "docker.io", "example.com"}, []string{"evil.corp.example"})
	if err != nil {
		t.Fatalf("NewRegistries: %v", err)
	}
	pod := func(image string) string {
		return "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: '" + image + "'}]\n"
	}
	tests := map[string]struct {
		image     string
		modes     judge.Modes
		want      summary
		wantCalls map[string]int
	}{
		"allowed host: looked up": {
			image:     "registry.corp.example/app:1",
			want:      summary{Lookups: []string{"spec.containers[0].image registry.corp.example/app:1: found"}},
			wantCalls: map[string]int{"registry.corp.example/app:1": 1},
		},
		"short name is docker.io: allowed": {
			image:     "nginx:1",
			want:      summary{Lookups: []string{"spec.containers[0].image nginx:1: found"}},
			wantCalls: map[string]int{"index.docker.io/library/nginx:1": 1},
		},
		"registry-1.docker.io is docker.io: allowed": {
			image:     "registry-1.docker.io/library/nginx:1",
			want:      summary{Lookups: []string{"spec.containers[0].image registry-1.docker.io/library/nginx:1: found"}},
			wantCalls: map[string]int{"registry-1.docker.io/library/nginx:1": 1},
		},
		"host not allowed: refused, not looked up": {
			image: "quay.io/app:1",
			want:  summary{Problems: []string{`spec.containers[0].image: Forbidden: "quay.io/app:1": registry quay.io is not allowed by registries.allow`}},
		},
		"denied host, although allowed: refused": {
			image: "evil.corp.example/app:1",
			want:  summary{Problems: []string{`spec.containers[0].image: Forbidden: "evil.corp.example/app:1": registry evil.corp.example is denied by registries.deny ("evil.corp.example")`}},
		},
		"images warn: a warning": {
			image: "quay.io/app:1",
			modes: judge.Modes{judge.Images.Name: judge.Warn},
			want:  summary{Warnings: []string{`[warn mode] spec.containers[0].image: Forbidden: "quay.io/app:1": registry quay.io is not allowed by registries.allow`}},
		},
		"images off: nothing": {
			image: "quay.io/app:1",
			modes: judge.Modes{judge.Images.Name: judge.Off},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Found("registry.corp.example/app:1"), resolverstest.Found("nginx:1"), resolverstest.Found("registry-1.docker.io/library/nginx:1"), resolverstest.Found("quay.io/app:1"), resolverstest.Found("evil.corp.example/app:1"))
			e := judge.NewEngine(r, judge.WithRegistries(pol), judge.WithModes(tc.modes))
			got := summarize(e.Judge(t.Context(), judge.Request{Object: object(t, pod(tc.image))}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
