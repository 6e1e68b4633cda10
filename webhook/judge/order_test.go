package judge_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/kinds"
)

// TestJudgeOrder: denials and warnings come sorted by field path, indices
// compared as numbers, whatever order the lookups finish in.
func TestJudgeOrder(t *testing.T) {
	var spec strings.Builder
	spec.WriteString("  initContainers: [{name: i, image: 'example.com/missing:0'}]\n  containers:\n")
	var answers []resolvers.Result
	for i := 11; i >= 0; i-- {
		fmt.Fprintf(&spec, "    - {name: c%d, image: 'example.com/missing:%d'}\n", i, i+1)
		answers = append(answers, resolverstest.Missing(fmt.Sprintf("example.com/missing:%d", i+1)))
		fmt.Fprintf(&spec, "    - {name: u%d, image: 'failing.example/app:%d'}\n", i, i)
		answers = append(answers, resolverstest.Answer(fmt.Sprintf("failing.example/app:%d", i), resolvers.Undetermined, "500 Internal Server Error"))
	}
	answers = append(answers, resolverstest.Missing("example.com/missing:0"))
	obj := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n" + spec.String()
	var want, wantWarn []string
	for i := range 24 {
		if i%2 == 0 {
			tag := 12 - i/2
			want = append(want, fmt.Sprintf(`spec.containers[%d].image: Not found: "example.com/missing:%d": tag "%d" not found in example.com/missing (example.com: 404 Not Found)`, i, tag, tag))
		} else {
			tag := 11 - i/2
			wantWarn = append(wantWarn, fmt.Sprintf(`spec.containers[%d].image: could not verify image "failing.example/app:%d": failing.example: 500 Internal Server Error`, i, tag))
		}
	}
	want = append(want, `spec.initContainers[0].image: Not found: "example.com/missing:0": tag "0" not found in example.com/missing (example.com: 404 Not Found)`)
	for range 3 {
		r := resolverstest.NewResolver(answers...)
		v := judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, obj)})
		if diff := cmp.Diff(want, v.Problems()); diff != "" {
			t.Fatalf("Problems() order mismatch (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(wantWarn, v.Warnings); diff != "" {
			t.Fatalf("Warnings order mismatch (-want +got):\n%s", diff)
		}
	}
}

// TestJudgeOneLinePerProblem: a lookup detail with line breaks still makes
// one line.
func TestJudgeOneLinePerProblem(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Answer("example.com/app:2", resolvers.NotFound, "404 Not Found:\n<html>\n</html>"),
		resolverstest.Answer("example.com/app:3", resolvers.Undetermined, "500:\nboom"))
	v := judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'example.com/app:2'}, {name: b, image: 'example.com/app:3'}]\n")})
	want := summary{
		Problems: []string{`spec.containers[0].image: Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found: <html> </html>)`},
		Warnings: []string{`spec.containers[1].image: could not verify image "example.com/app:3": example.com: 500: boom`},
		Lookups:  []string{"spec.containers[0].image example.com/app:2: not found", "spec.containers[1].image example.com/app:3: undetermined"},
	}
	if diff := cmp.Diff(want, summarize(v), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Judge mismatch (-want +got):\n%s", diff)
	}
}

// TestJudgeListPaths: a configured path with a list segment judges every
// item, with its index in the field path.
func TestJudgeListPaths(t *testing.T) {
	c, err := kinds.New(kinds.Kind{
		GroupVersionKind: schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "App"},
		Resource:         "apps",
		Images:           []kinds.Path{{"spec", "image"}, {"spec", "sidecars[]", "image"}},
		PodSpecs:         []kinds.Path{{"spec", "workers[]", "template", "spec"}},
	})
	if err != nil {
		t.Fatalf("kinds.New: %v", err)
	}
	r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/side:2"), resolverstest.Found("example.com/worker:1"))
	v := judge.NewEngine(r, judge.WithCatalog(c)).Judge(t.Context(), judge.Request{Object: object(t, `apiVersion: example.com/v1
kind: App
metadata: {name: a}
spec:
  image: example.com/app:1
  sidecars:
    - {image: example.com/app:1}
    - {image: example.com/side:2}
    - {image: 7}
  workers:
    - template: {spec: {containers: [{name: w, image: example.com/worker:1}]}}
    - template: {spec: {containers: [{name: w, image: example.com/worker:1, env: [{name: 'A=B'}]}]}}
`)})
	want := summary{
		Problems: []string{
			`spec.sidecars[1].image: Not found: "example.com/side:2": tag "2" not found in example.com/side (example.com: 404 Not Found)`,
			`spec.sidecars[2].image: Invalid value: 7: must be a string`,
			`spec.workers[1].template.spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
		},
		Lookups: []string{
			"spec.image example.com/app:1: found",
			"spec.sidecars[0].image example.com/app:1: found",
			"spec.sidecars[1].image example.com/side:2: not found",
			"spec.workers[0].template.spec.containers[0].image example.com/worker:1: found",
			"spec.workers[1].template.spec.containers[0].image example.com/worker:1: found",
		},
	}
	if diff := cmp.Diff(want, summarize(v), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Judge mismatch (-want +got):\n%s", diff)
	}
}
