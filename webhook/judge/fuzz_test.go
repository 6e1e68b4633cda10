package judge_test

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
)

// FuzzJudge: any object the API server could send is judged, never a panic;
// a refusal names a field for each problem, and the same object gets the
// same verdict twice.
func FuzzJudge(f *testing.F) {
	f.Add([]byte(`{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "example.com/app:missing"}]}}}}`))
	e := judge.NewEngine(resolverstest.ByTag)
	f.Fuzz(func(t *testing.T, data []byte) {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(data); err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		v := e.Judge(ctx, judge.Request{Object: obj})
		if !v.Allowed() && v.Message() == "" {
			t.Fatal("refused without a message")
		}
		for _, d := range v.Denials {
			if d.Field == "" {
				t.Fatalf("a denial without a field: %v", d)
			}
		}
		if again := e.Judge(ctx, judge.Request{Object: obj}); again.Message() != v.Message() {
			t.Fatalf("two verdicts on one object:\n%s\n%s", v.Message(), again.Message())
		}
	})
}
