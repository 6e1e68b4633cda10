package serving_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// BenchmarkServe serves the Deployment the engine's benchmarks judge
// (package judge), whose images are known, as the API server sends it:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./webhook/serving/

func init() {
	// The handler logs through controller-runtime's logger; without one it
	// prints a notice in the middle of the benchmark figures.
	logf.SetLogger(logr.Discard())
}

// benchReview wraps the Deployment in a CREATE AdmissionReview.
func benchReview(b *testing.B) []byte {
	b.Helper()
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID:       "bench",
			Kind:      metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"},
			Resource:  metav1.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"},
			Namespace: "load", Name: "load", Operation: admissionv1.Create,
			Object: runtime.RawExtension{Raw: deployment3x20(b)},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// deployment3x20 reads the Deployment the load tool sends too.
func deployment3x20(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile("../judge/testdata/deployment-3x20.json")
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

// BenchmarkServe: a whole admission as the API server makes it, an
// AdmissionReview in and the answer out, through controller-runtime's
// webhook: "recent", the same admission allowed a moment ago (the answer
// given again); "judged", judged in full every time (images cached).
func BenchmarkServe(b *testing.B) {
	body := benchReview(b)
	for name, opts := range map[string][]serving.HandlerOption{
		"recent": nil,
		"judged": {serving.WithRecentVerdicts(0)},
	} {
		b.Run(name, func(b *testing.B) {
			wh := &admission.Webhook{Handler: serving.NewHandler(judge.NewEngine(resolverstest.ByTag), opts...)}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, serving.Path, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				wh.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !bytes.Contains(rec.Body.Bytes(), []byte(`"allowed":true`)) {
					b.Fatalf("answer %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
