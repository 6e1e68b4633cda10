package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
	judge "github.com/admissible/admissible/webhook"
)

// tagResolver answers without I/O: a tag "missing" does not exist, a tag
// "slow" is undetermined, everything else exists.
var tagResolver = resolverstest.Func(func(_ context.Context, q resolvers.Query) resolvers.Result {
	r := resolvers.Result{Reference: q.Ref.Name(), Verdict: resolvers.Found}
	switch {
	case strings.HasSuffix(q.Ref.Name(), ":missing"):
		r.Verdict = resolvers.NotFound
	case strings.HasSuffix(q.Ref.Name(), ":slow"):
		r.Verdict, r.Reason = resolvers.Undetermined, "timeout"
	}
	r.Attempts = []resolvers.Attempt{{Endpoint: resolvers.Upstream(q.Ref.Context().RegistryStr()), Verdict: r.Verdict, Detail: "fake"}}
	return r
})

// FuzzAdmissionReview: any request body gets an AdmissionReview answer
// (a verdict, or an error with a code and a message), never a panic; a
// refusal always says why.
func FuzzAdmissionReview(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","object":` + pod("missing") + `}}`))
	wh := &admission.Webhook{Handler: judge.NewHandler(judge.NewEngine(tagResolver), judge.WithBudget(time.Second))}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		wh.ServeHTTP(rec, req)
		var ar admissionv1.AdmissionReview
		if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
			t.Fatalf("answer is not an AdmissionReview with a response (%v): %s", err, rec.Body)
		}
		if !ar.Response.Allowed && (ar.Response.Result == nil || ar.Response.Result.Message == "") {
			t.Fatalf("refused without a message: %s", rec.Body)
		}
	})
}

// FuzzJudge: any object the API server could send is judged, never a panic;
// a refusal names a field for each problem, and the same object gets the
// same verdict twice.
func FuzzJudge(f *testing.F) {
	f.Add([]byte(deployment("missing")))
	e := judge.NewEngine(tagResolver)
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
