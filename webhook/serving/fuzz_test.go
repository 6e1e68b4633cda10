package serving_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// FuzzAdmissionReview: any request body gets an AdmissionReview answer
// (a verdict, or an error with a code and a message), never a panic; a
// refusal always says why.
func FuzzAdmissionReview(f *testing.F) {
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","object":` + pod("missing") + `}}`))
	wh := &admission.Webhook{Handler: serving.NewHandler(judge.NewEngine(resolverstest.ByTag), serving.WithBudget(time.Second))}
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
