package serving_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// review builds an admission request the way the API server sends it: the
// JSON of an AdmissionReview.
func review(t *testing.T, operation string, kind metav1.GroupVersionKind, object string) admission.Request {
	t.Helper()
	group, version, kindName := kind.Group, kind.Version, kind.Kind
	raw := `{
  "apiVersion": "admission.k8s.io/v1",
  "kind": "AdmissionReview",
  "request": {
    "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
    "kind": {"group": "` + group + `", "version": "` + version + `", "kind": "` + kindName + `"},
    "resource": {"group": "` + group + `", "version": "` + version + `", "resource": "` + strings.ToLower(kindName) + `s"},
    "name": "web",
    "namespace": "shop",
    "operation": "` + operation + `",
    "userInfo": {"username": "admin"},
    "object": ` + object + `,
    "dryRun": false
  }
}`
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal([]byte(raw), &ar); err != nil {
		t.Fatalf("test AdmissionReview: %v\n%s", err, raw)
	}
	return admission.Request{AdmissionRequest: *ar.Request}
}

var (
	podKind        = metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}
	configMapKind  = metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}
	deploymentKind = metav1.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}
)

const (
	podJSON = `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"containers": [{"name": "a", "image": "example.com/app:%s"}]}}`
	deploymentJSON = `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
  "spec": {"template": {"spec": {
    "initContainers": [{"name": "i", "image": "example.com/init:1"}],
    "containers": [
      {"name": "a", "image": "example.com/app:%s"},
      {"name": "b", "image": "failing.example/app:1"}
    ]}}}}`
)

func pod(tag string) string { return strings.Replace(podJSON, "%s", tag, 1) }

func deployment(tag string) string { return strings.Replace(deploymentJSON, "%s", tag, 1) }

func TestHandle(t *testing.T) {
	answers := []resolvers.Result{
		resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/app:2"), resolverstest.Missing("example.com/init:1"),
		resolverstest.Answer("failing.example/app:1", resolvers.Undetermined, "500 Internal Server Error"),
	}
	const (
		app2Missing = `spec.containers[0].image: Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`
		failingWarn = `spec.template.spec.containers[1].image: could not verify image "failing.example/app:1": failing.example: 500 Internal Server Error`
	)
	forbidden := func(message string, details *metav1.StatusDetails) *metav1.Status {
		return &metav1.Status{Code: http.StatusForbidden, Reason: metav1.StatusReasonForbidden, Message: message, Details: details}
	}
	allowed := &metav1.Status{Code: http.StatusOK}
	tests := map[string]struct {
		req         admission.Request
		wantAllowed bool
		wantResult  *metav1.Status
		wantWarn    []string
		wantCalls   map[string]int
	}{
		"CREATE of a pod with an image that exists": {
			req:         review(t, "CREATE", podKind, pod("1")),
			wantAllowed: true, wantResult: allowed,
			wantCalls: map[string]int{"example.com/app:1": 1},
		},
		"CREATE of a pod with a missing image": {
			req: review(t, "CREATE", podKind, pod("2")),
			wantResult: forbidden(app2Missing, &metav1.StatusDetails{Name: "web", Kind: "Pod", Causes: []metav1.StatusCause{{
				Type:    metav1.CauseTypeFieldValueNotFound,
				Message: `Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`,
				Field:   "spec.containers[0].image",
			}}}),
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"UPDATE to a missing image is judged too": {
			req: review(t, "UPDATE", podKind, pod("2")),
			wantResult: forbidden(app2Missing, &metav1.StatusDetails{Name: "web", Kind: "Pod", Causes: []metav1.StatusCause{{
				Type:    metav1.CauseTypeFieldValueNotFound,
				Message: `Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`,
				Field:   "spec.containers[0].image",
			}}}),
			wantCalls: map[string]int{"example.com/app:2": 1},
		},
		"denied with several causes and a warning": {
			req: review(t, "CREATE", deploymentKind, deployment("2")),
			wantResult: forbidden("2 problems:\n"+
				`spec.template.spec.containers[0].image: Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`+"\n"+
				`spec.template.spec.initContainers[0].image: Not found: "example.com/init:1": tag "1" not found in example.com/init (example.com: 404 Not Found)`,
				&metav1.StatusDetails{Name: "web", Group: "apps", Kind: "Deployment", Causes: []metav1.StatusCause{
					{
						Type:    metav1.CauseTypeFieldValueNotFound,
						Message: `Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`,
						Field:   "spec.template.spec.containers[0].image",
					},
					{
						Type:    metav1.CauseTypeFieldValueNotFound,
						Message: `Not found: "example.com/init:1": tag "1" not found in example.com/init (example.com: 404 Not Found)`,
						Field:   "spec.template.spec.initContainers[0].image",
					},
				}}),
			wantWarn:  []string{failingWarn},
			wantCalls: map[string]int{"example.com/app:2": 1, "example.com/init:1": 1, "failing.example/app:1": 1},
		},
		"allowed with a warning": {
			req:         review(t, "CREATE", deploymentKind, strings.Replace(deployment("1"), "example.com/init:1", "example.com/app:1", 1)),
			wantAllowed: true, wantResult: allowed,
			wantWarn:  []string{failingWarn},
			wantCalls: map[string]int{"example.com/app:1": 1, "failing.example/app:1": 1},
		},
		"pod template problem: invalid cause": {
			req: review(t, "CREATE", podKind, `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
  "spec": {"containers": [{"name": "a", "image": "example.com/app:1", "env": [{"name": "P", "value": "x", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}]}}`),
			wantResult: forbidden("spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
				&metav1.StatusDetails{Name: "web", Kind: "Pod", Causes: []metav1.StatusCause{{
					Type:    metav1.CauseTypeFieldValueInvalid,
					Message: "Invalid value: \"\": may not be specified when `value` is not empty",
					Field:   "spec.containers[0].env[0].valueFrom",
				}}}),
			wantCalls: map[string]int{"example.com/app:1": 1},
		},
		"kind not judged: allowed without lookups": {
			req:         review(t, "CREATE", configMapKind, `{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}, "data": {"image": "example.com/app:2"}}`),
			wantAllowed: true, wantResult: allowed,
		},
		"DELETE: allowed without lookups": {
			req:         review(t, "DELETE", podKind, "null"),
			wantAllowed: true, wantResult: allowed,
		},
		"DELETE with the old object: allowed without lookups": {
			req:         review(t, "DELETE", podKind, pod("2")),
			wantAllowed: true, wantResult: allowed,
		},
		"CONNECT: allowed without lookups": {
			req:         review(t, "CONNECT", podKind, pod("2")),
			wantAllowed: true, wantResult: allowed,
		},
		"undecodable object: errored 400": {
			req:        review(t, "CREATE", podKind, `{"apiVersion": "v1", "metadata": {"name": "web"}}`),
			wantResult: &metav1.Status{Code: http.StatusBadRequest, Message: `Object 'Kind' is missing in '{"apiVersion": "v1", "metadata": {"name": "web"}}'`},
		},
		"no object: errored 400": {
			req:        review(t, "UPDATE", podKind, `"not an object"`),
			wantResult: &metav1.Status{Code: http.StatusBadRequest, Message: "json: cannot unmarshal string into Go value of type map[string]interface {}"},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(answers...)
			resp := serving.NewHandler(judge.NewEngine(r)).Handle(t.Context(), tc.req)
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("Allowed = %v, want %v", resp.Allowed, tc.wantAllowed)
			}
			if diff := cmp.Diff(tc.wantResult, resp.Result); diff != "" {
				t.Errorf("Result mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantWarn, resp.Warnings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Warnings mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHandleBudget: lookups that do not answer are cut off at the budget and
// the object is admitted with a warning.
func TestHandleBudget(t *testing.T) {
	const budget = 200 * time.Millisecond
	r := &resolverstest.Resolver{Hold: make(chan struct{})} // never answers
	h := serving.NewHandler(judge.NewEngine(r), serving.WithBudget(budget))

	done := make(chan admission.Response, 1)
	go func() { done <- h.Handle(context.Background(), review(t, "CREATE", podKind, pod("1"))) }()
	var resp admission.Response
	select {
	case resp = <-done:
	case <-time.After(budget + 10*time.Second):
		t.Fatalf("Handle did not return within %s of its %s budget", 10*time.Second, budget)
	}

	if !resp.Allowed {
		t.Errorf("Allowed = false (%v), want true: a lookup that did not finish is not a denial", resp.Result)
	}
	wantWarn := []string{`spec.containers[0].image: could not verify image "example.com/app:1": context deadline exceeded`}
	if diff := cmp.Diff(wantWarn, resp.Warnings); diff != "" {
		t.Errorf("Warnings mismatch (-want +got):\n%s", diff)
	}
	ctxErrs := r.ContextErrs()
	if len(ctxErrs) != 1 || !errors.Is(ctxErrs[0], context.DeadlineExceeded) {
		t.Errorf("lookup contexts ended with %v, want one context.DeadlineExceeded", ctxErrs)
	}
}

// TestHandleDefaultBudget: without WithBudget, lookups get a deadline below
// the API server's 10 s webhook timeout.
func TestHandleDefaultBudget(t *testing.T) {
	var (
		deadline time.Time
		ok       bool
	)
	r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"))
	r.During = func(ctx context.Context, _ resolvers.Query) { deadline, ok = ctx.Deadline() }
	serving.NewHandler(judge.NewEngine(r)).Handle(t.Context(), review(t, "CREATE", podKind, pod("1")))
	if !ok {
		t.Fatalf("lookup context had no deadline")
	}
	if left := time.Until(deadline); left <= 7*time.Second || left > 8*time.Second {
		t.Errorf("lookup deadline %s away, want 8s", left)
	}
}

// TestHandleCountsVerdicts: every judged admission is counted by kind and
// verdict; operations that are not judged are not counted.
func TestHandleCountsVerdicts(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/app:2"), resolverstest.Missing("example.com/init:1"),
		resolverstest.Answer("failing.example/app:1", resolvers.Undetermined, "500 Internal Server Error"))
	h := serving.NewHandler(judge.NewEngine(r))
	reg := prometheus.NewPedanticRegistry()
	if err := h.RegisterMetrics(reg); err != nil {
		t.Fatalf("RegisterMetrics: %v", err)
	}
	for _, req := range []admission.Request{
		review(t, "CREATE", podKind, pod("1")),
		review(t, "UPDATE", podKind, pod("1")),
		review(t, "CREATE", podKind, pod("2")),
		review(t, "CREATE", deploymentKind, strings.Replace(deployment("1"), "example.com/init:1", "example.com/app:1", 1)),
		review(t, "DELETE", podKind, "null"),
	} {
		h.Handle(t.Context(), req)
	}
	want := `
# HELP admissible_admissions_total Admissions judged, by kind and verdict (allowed, warned, denied).
# TYPE admissible_admissions_total counter
admissible_admissions_total{kind="Deployment",verdict="warned"} 1
admissible_admissions_total{kind="Pod",verdict="allowed"} 2
admissible_admissions_total{kind="Pod",verdict="denied"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "admissible_admissions_total"); err != nil {
		t.Error(err)
	}
}

// TestHandleCanary: an object annotated admissible.dev/canary is refused
// whatever its content and the modes, and nothing is looked up.
func TestHandleCanary(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"))
	h := serving.NewHandler(judge.NewEngine(r, judge.WithModes(judge.Modes{judge.Images.Name: judge.Off, judge.PodTemplates.Name: judge.Off})))
	canary := `{"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "canary", "namespace": "shop",
  "annotations": {"admissible.dev/canary": "admissible verify", "admissible.dev/skip": "images,pod-templates"}},
  "template": {"spec": {"containers": [{"name": "a", "image": "example.com/app:1"}]}}}`
	resp := h.Handle(t.Context(), review(t, "CREATE", metav1.GroupVersionKind{Version: "v1", Kind: "PodTemplate"}, canary))
	if resp.Allowed || resp.Result == nil || resp.Result.Message != serving.CanaryRefusal {
		t.Errorf("canary: allowed %v, result %+v; want refused with %q", resp.Allowed, resp.Result, serving.CanaryRefusal)
	}
	if calls := r.Calls(); len(calls) != 0 {
		t.Errorf("canary looked up %v, want nothing", calls)
	}
	// The same object without the annotation is admitted.
	plain := strings.Replace(canary, `"admissible.dev/canary": "admissible verify", `, "", 1)
	if resp := h.Handle(t.Context(), review(t, "CREATE", metav1.GroupVersionKind{Version: "v1", Kind: "PodTemplate"}, plain)); !resp.Allowed {
		t.Errorf("without the annotation: refused: %+v", resp.Result)
	}
}

// TestHandleLastAdmission: the time of the last AdmissionReview, as a
// metric and from LastAdmission; 0 before any.
func TestHandleLastAdmission(t *testing.T) {
	h := serving.NewHandler(judge.NewEngine(resolverstest.NewResolver(resolverstest.Found("example.com/app:1"))))
	reg := prometheus.NewPedanticRegistry()
	if err := h.RegisterMetrics(reg); err != nil {
		t.Fatalf("RegisterMetrics: %v", err)
	}
	if !h.LastAdmission().IsZero() {
		t.Errorf("LastAdmission before any = %s, want zero", h.LastAdmission())
	}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP admissible_last_admission_timestamp_seconds When the webhook last received an AdmissionReview (Unix time; 0: none since it started).
# TYPE admissible_last_admission_timestamp_seconds gauge
admissible_last_admission_timestamp_seconds 0
`), "admissible_last_admission_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	before := time.Now()
	h.Handle(t.Context(), review(t, "DELETE", podKind, "null")) // not judged, but received
	got := h.LastAdmission()
	if got.Before(before) || got.After(time.Now()) {
		t.Errorf("LastAdmission = %s, want between %s and now", got, before)
	}
	if v := gaugeValue(t, reg, "admissible_last_admission_timestamp_seconds"); v < float64(before.Unix()) {
		t.Errorf("metric = %v, want at least %d", v, before.Unix())
	}
}

// gaugeValue is the value of the gauge name in reg.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
