package serving_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// podWith returns a pod of n containers; container i has image(i) and, when
// env, an env entry with both value and valueFrom.
func podWith(n int, image func(i int) string, env bool) string {
	cs := make([]string, n)
	for i := range cs {
		e := ""
		if env {
			e = `,"env":[{"name":"A","value":"x","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]`
		}
		cs[i] = fmt.Sprintf(`{"name":"c%d","image":%q%s}`, i, image(i), e)
	}
	return `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"big","namespace":"shop"},"spec":{"containers":[` + strings.Join(cs, ",") + `]}}`
}

func reviewBody(object string) []byte {
	return []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"version":"v1","kind":"Pod"},` +
		`"resource":{"version":"v1","resource":"pods"},"namespace":"shop","operation":"CREATE","object":` + object + `}}`)
}

// TestHostileAdmissionReviews: every hostile request gets an answer, within
// the budget plus a margin, with bounded size and bounded registry traffic.
func TestHostileAdmissionReviews(t *testing.T) {
	const budget = 2 * time.Second
	distinct := func(i int) string { return fmt.Sprintf("registry.example/app%d:1", i) }
	tests := map[string]struct {
		body        []byte
		contentType string
		wantCode    int32 // of an errored answer
		wantAllowed bool
		wantIn      string // in the message, or in the last warning when allowed
		maxLines    int    // of the message or the warnings
		maxLookups  int
	}{
		"8 MiB body": {
			body:     reviewBody(podWith(1, distinct, false)[:60] + `"x":"` + strings.Repeat("a", 8<<20) + `"}`),
			wantCode: http.StatusRequestEntityTooLarge, wantIn: "request entity is too large",
		},
		"5,000 containers, 5,000 images, registry never answers": {
			body:        reviewBody(podWith(5000, distinct, false)),
			wantAllowed: true, wantIn: "... and 4951 more warnings", maxLines: 50, maxLookups: 100,
		},
		"5,000 containers, one image, each env entry invalid": {
			body:   reviewBody(podWith(5000, func(int) string { return "registry.example/app:1" }, true)),
			wantIn: "... and 4951 more problems", maxLines: 51, maxLookups: 1,
		},
		"deep nesting": {
			body:     reviewBody(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"x":` + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + `}}`),
			wantCode: http.StatusBadRequest, wantIn: "max depth",
		},
		"deep nesting in the pod spec, under the limit": {
			body:        reviewBody(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"spec":{"containers":[{"name":"c","image":"registry.example/a:1","x":` + strings.Repeat("[", 9000) + strings.Repeat("]", 9000) + `}]}}`),
			wantAllowed: true, wantIn: "could not verify", maxLines: 1, maxLookups: 1,
		},
		"binary garbage": {
			body:     []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00"),
			wantCode: http.StatusBadRequest, wantIn: "",
		},
		"not JSON": {
			body: []byte("apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n"), contentType: "application/yaml",
			wantCode: http.StatusBadRequest, wantIn: "expected application/json",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := &resolverstest.Resolver{Hold: make(chan struct{})} // a registry that never answers
			wh := &admission.Webhook{Handler: serving.NewHandler(judge.NewEngine(res), serving.WithBudget(budget))}
			req := httptest.NewRequest(http.MethodPost, "/validate", bytes.NewReader(tc.body))
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			wh.ServeHTTP(rec, req)
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if took > budget+3*time.Second {
				t.Errorf("answered after %v, budget %v", took, budget)
			}
			if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<30 {
				t.Errorf("allocated %d MiB", grew>>20)
			}
			if rec.Body.Len() > 64<<10 {
				t.Errorf("answer of %d bytes", rec.Body.Len())
			}
			var ar admissionv1.AdmissionReview
			if err := json.Unmarshal(rec.Body.Bytes(), &ar); err != nil || ar.Response == nil {
				t.Fatalf("not an AdmissionReview answer (%v): %.300s", err, rec.Body)
			}
			r := ar.Response
			if r.Allowed != tc.wantAllowed {
				t.Fatalf("allowed %v, want %v: %.500s", r.Allowed, tc.wantAllowed, rec.Body)
			}
			text := ""
			lines := 0
			switch {
			case r.Allowed:
				lines = len(r.Warnings)
				if lines > 0 {
					text = r.Warnings[lines-1]
				}
			default:
				if r.Result == nil {
					t.Fatalf("refused without a result: %.300s", rec.Body)
				}
				if tc.wantCode != 0 && r.Result.Code != tc.wantCode {
					t.Errorf("code %d, want %d (%s)", r.Result.Code, tc.wantCode, r.Result.Message)
				}
				text = r.Result.Message
				lines = strings.Count(text, "\n") + 1
				if text == "" {
					t.Error("refused without a message")
				}
			}
			if !strings.Contains(text, tc.wantIn) {
				t.Errorf("%.300q does not contain %q", text, tc.wantIn)
			}
			if tc.maxLines > 0 && lines > tc.maxLines+1 {
				t.Errorf("%d lines, want at most %d", lines, tc.maxLines)
			}
			if got := res.Lookups(); got > tc.maxLookups {
				t.Errorf("%d lookups, want at most %d", got, tc.maxLookups)
			}
			t.Logf("%v, %d bytes, %d lookups, %d MiB allocated", took.Round(time.Millisecond), rec.Body.Len(), res.Lookups(), (after.TotalAlloc-before.TotalAlloc)>>20)
		})
	}
}
