package judge_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
)

// deploy renders a Deployment with replicas, a label and the containers
// given as YAML flow mappings.
func deploy(replicas, label string, containers ...string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop, labels: {tier: ` + label + `}}
spec:
  replicas: ` + replicas + `
  template:
    spec:
      containers: [` + strings.Join(containers, ", ") + `]
`
}

const (
	appOK       = `{name: a, image: 'example.com/app:1'}`
	appMissing  = `{name: a, image: 'example.com/app:2'}`
	sideMissing = `{name: s, image: 'example.com/side:1'}`
	sideOK      = `{name: s, image: 'example.com/side:2'}`
	badRef      = `{name: b, image: 'example.com/Bad'}`
	bothEnv     = `{name: e, image: 'example.com/app:1', env: [{name: P, value: x, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]}`
	bothEnvOK   = `{name: e, image: 'example.com/app:1', env: [{name: P, value: x}]}`
)

// TestJudgeUpdate: an UPDATE looks up only the images the old object did not
// name, and a problem the old object already had is a warning.
func TestJudgeUpdate(t *testing.T) {
	const (
		envProblem    = "spec.template.spec.containers[1].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"
		badRefProblem = `spec.template.spec.containers[1].image: Invalid value: "example.com/Bad": not a valid image reference: could not parse reference: example.com/Bad`
	)
	tests := map[string]struct {
		old, obj  string
		want      summary
		wantCalls map[string]int
	}{
		"scale and relabel: nothing looked up": {
			old:  deploy("1", "a", appOK, sideOK),
			obj:  deploy("3", "b", appOK, sideOK),
			want: summary{},
		},
		"re-apply of an object whose image is gone since: admitted, not looked up": {
			old:  deploy("1", "a", appMissing),
			obj:  deploy("2", "a", appMissing),
			want: summary{},
		},
		"containers reordered: the same images, nothing looked up": {
			old:  deploy("1", "a", appOK, sideOK),
			obj:  deploy("1", "a", sideOK, appOK),
			want: summary{},
		},
		"one image changed: only it is looked up": {
			old: deploy("1", "a", appOK, sideOK),
			obj: deploy("1", "a", appOK, sideMissing),
			want: summary{
				Problems: []string{`spec.template.spec.containers[1].image: Not found: "example.com/side:1": tag "1" not found in example.com/side (example.com: 404 Not Found)`},
				Lookups:  []string{"spec.template.spec.containers[1].image example.com/side:1: not found"},
			},
			wantCalls: map[string]int{"example.com/side:1": 1},
		},
		"pod template problem the old object had: a warning": {
			old:  deploy("1", "a", appOK, bothEnv),
			obj:  deploy("2", "a", appOK, bothEnv),
			want: summary{Warnings: []string{"already present before this update: " + envProblem}},
		},
		"pod template problem the update introduces: a denial": {
			old:  deploy("1", "a", appOK, bothEnvOK),
			obj:  deploy("1", "a", appOK, bothEnv),
			want: summary{Problems: []string{envProblem}},
		},
		"same problem at another path: a denial": {
			old:  deploy("1", "a", bothEnv),
			obj:  deploy("1", "a", appOK, bothEnv),
			want: summary{Problems: []string{envProblem}},
		},
		"unparsable reference the old object had: a warning": {
			old:  deploy("1", "a", appOK, badRef),
			obj:  deploy("5", "a", appOK, badRef),
			want: summary{Warnings: []string{"already present before this update: " + badRefProblem}},
		},
		"no old object: judged as a creation": {
			obj: deploy("1", "a", appOK, sideMissing),
			want: summary{
				Problems: []string{`spec.template.spec.containers[1].image: Not found: "example.com/side:1": tag "1" not found in example.com/side (example.com: 404 Not Found)`},
				Lookups: []string{
					"spec.template.spec.containers[0].image example.com/app:1: found",
					"spec.template.spec.containers[1].image example.com/side:1: not found",
				},
			},
			wantCalls: map[string]int{"example.com/app:1": 1, "example.com/side:1": 1},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/app:2"), resolverstest.Missing("example.com/side:1"), resolverstest.Found("example.com/side:2"))
			req := judge.Request{Object: object(t, tc.obj)}
			if tc.old != "" {
				req.Old = object(t, tc.old)
			}
			got := summarize(judge.NewEngine(r).Judge(t.Context(), req))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJudgeUpdateAsksNoCredentials: an update that changes no image asks
// neither the registry nor the cluster for pull credentials.
func TestJudgeUpdateAsksNoCredentials(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"))
	src := &fakeCredentials{}
	v := judge.NewEngine(r, judge.WithCredentials(src)).Judge(t.Context(), judge.Request{
		Object: object(t, deploy("3", "a", appOK)), Old: object(t, deploy("1", "a", appOK)),
	})
	if !v.Allowed() || len(v.Warnings) > 0 {
		t.Errorf("Judge: problems %q, warnings %q; want none", v.Problems(), v.Warnings)
	}
	if got := r.Calls(); len(got) != 0 {
		t.Errorf("lookups = %v, want none", got)
	}
	if len(src.asked) != 0 {
		t.Errorf("credentials asked %q, want nothing", src.asked)
	}
}

// TestJudgeUpdateOfAnotherKind: an old object of another kind (not sent by
// the API server, but possible offline) is not compared.
func TestJudgeUpdateOfAnotherKind(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Missing("example.com/app:2"))
	old := object(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: a, image: 'example.com/app:2'}]\n")
	v := judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, deploy("1", "a", appMissing)), Old: old})
	if v.Allowed() {
		t.Errorf("Judge admitted a missing image because a Pod named it")
	}
	if diff := cmp.Diff(map[string]int{"example.com/app:2": 1}, r.Calls()); diff != "" {
		t.Errorf("lookups mismatch (-want +got):\n%s", diff)
	}
}
