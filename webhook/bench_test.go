package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	judge "github.com/admissible/admissible/webhook"
)

// The benchmarks judge a realistic Deployment (3 containers of 20 env
// entries, probes, ports, resources, mounts) whose images are known: every
// lookup is answered at once, as from the cache. Each measures one stage of
// an admission, then the whole:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./webhook/

func init() {
	// The handler logs through controller-runtime's logger; without one it
	// prints a notice in the middle of the benchmark figures.
	logf.SetLogger(logr.Discard())
}

// benchDeployment reads the Deployment the load tool sends too.
func benchDeployment(b *testing.B) []byte {
	b.Helper()
	raw, err := os.ReadFile("testdata/deployment-3x20.json")
	if err != nil {
		b.Fatal(err)
	}
	return raw
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
			Object: runtime.RawExtension{Raw: benchDeployment(b)},
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecodeObject: the object of a review, read as the engine reads it.
func BenchmarkDecodeObject(b *testing.B) {
	raw := benchDeployment(b)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJudge: the engine's verdict on a decoded object, by check: the
// walk and the cached lookups alone (images), the pod the controller would
// create validated by the API server's code (podTemplates), and both.
func BenchmarkJudge(b *testing.B) {
	raw := benchDeployment(b)
	for name, modes := range map[string]judge.Modes{
		"images":       {judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Off},
		"podTemplates": {judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Enforce},
		"both":         {judge.Images.Name: judge.Enforce, judge.PodTemplates.Name: judge.Enforce},
	} {
		b.Run(name, func(b *testing.B) {
			e := judge.NewEngine(tagResolver, judge.WithModes(modes))
			obj := &unstructured.Unstructured{}
			if err := obj.UnmarshalJSON(raw); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if v := e.Judge(context.Background(), judge.Request{Object: obj}); !v.Allowed() {
					b.Fatal(v.Message())
				}
			}
		})
	}
}

// BenchmarkServe: a whole admission as the API server makes it, an
// AdmissionReview in and the answer out, through controller-runtime's
// webhook: "recent", the same admission allowed a moment ago (the answer
// given again); "judged", judged in full every time (images cached).
func BenchmarkServe(b *testing.B) {
	body := benchReview(b)
	for name, opts := range map[string][]judge.HandlerOption{
		"recent": nil,
		"judged": {judge.WithRecentVerdicts(0)},
	} {
		b.Run(name, func(b *testing.B) {
			wh := &admission.Webhook{Handler: judge.NewHandler(judge.NewEngine(tagResolver), opts...)}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, judge.Path, bytes.NewReader(body))
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
