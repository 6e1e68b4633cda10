package serving_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// fakeNamespaces answers namespace labels from a map, or err; it records
// the namespaces asked.
type fakeNamespaces struct {
	labels map[string]map[string]string
	err    error
	asked  []string
}

func (f *fakeNamespaces) NamespaceLabels(_ context.Context, name string) (map[string]string, error) {
	f.asked = append(f.asked, name)
	return f.labels[name], f.err
}

// request builds an admission request with an old object and a
// subresource.
func request(op admissionv1.Operation, kind metav1.GroupVersionKind, subresource, namespace, object, old string) admission.Request {
	req := admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID: "1", Kind: kind, Name: "web", Namespace: namespace, Operation: op, SubResource: subresource,
		Object: runtime.RawExtension{Raw: []byte(object)},
	}}
	if old != "" {
		req.OldObject = runtime.RawExtension{Raw: []byte(old)}
	}
	return req
}

func TestHandleOperations(t *testing.T) {
	const (
		app2Missing = `spec.containers[0].image: Not found: "example.com/app:2": tag "2" not found in example.com/app (example.com: 404 Not Found)`
	)
	scaleKind := metav1.GroupVersionKind{Group: "autoscaling", Version: "v1", Kind: "Scale"}
	tests := map[string]struct {
		req         admission.Request
		namespaces  *fakeNamespaces
		wantAllowed bool
		wantMessage string
		wantWarn    []string
		wantCalls   map[string]int
		wantAsked   []string
	}{
		"UPDATE leaving a missing image unchanged: admitted, not looked up": {
			req:         request(admissionv1.Update, podKind, "", "shop", pod("2"), pod("2")),
			wantAllowed: true,
		},
		"UPDATE to a missing image: denied": {
			req:         request(admissionv1.Update, podKind, "", "shop", pod("2"), pod("1")),
			wantMessage: app2Missing,
			wantCalls:   map[string]int{"example.com/app:2": 1},
		},
		"UPDATE of a deployment's replicas: nothing looked up": {
			req:         request(admissionv1.Update, deploymentKind, "", "shop", deployment("1"), deployment("1")),
			wantAllowed: true,
		},
		"status subresource: never judged": {
			req:         request(admissionv1.Update, podKind, "status", "shop", pod("2"), pod("1")),
			wantAllowed: true,
		},
		"scale subresource: never judged": {
			req:         request(admissionv1.Update, scaleKind, "scale", "shop", `{"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}, "spec": {"replicas": 3}}`, ""),
			wantAllowed: true,
		},
		"ephemeralcontainers subresource: judged": {
			req:         request(admissionv1.Update, podKind, "ephemeralcontainers", "shop", pod("2"), pod("1")),
			wantMessage: app2Missing,
			wantCalls:   map[string]int{"example.com/app:2": 1},
		},
		"namespace label sets warn mode": {
			req:         request(admissionv1.Create, podKind, "", "shop", pod("2"), ""),
			namespaces:  &fakeNamespaces{labels: map[string]map[string]string{"shop": {"admissible.dev/images": "warn"}}},
			wantAllowed: true,
			wantWarn:    []string{"[warn mode] " + app2Missing},
			wantCalls:   map[string]int{"example.com/app:2": 1},
			wantAsked:   []string{"shop"},
		},
		"namespace labels not read: warned, enforced": {
			req:         request(admissionv1.Create, podKind, "", "shop", pod("2"), ""),
			namespaces:  &fakeNamespaces{err: errors.New("forbidden")},
			wantMessage: app2Missing,
			wantWarn:    []string{"namespace shop: labels not read (forbidden): the configured modes apply"},
			wantCalls:   map[string]int{"example.com/app:2": 1},
			wantAsked:   []string{"shop"},
		},
		"cluster-scoped object: no namespace asked": {
			req:         request(admissionv1.Create, podKind, "", "", pod("1"), ""),
			namespaces:  &fakeNamespaces{err: errors.New("must not be asked")},
			wantAllowed: true,
			wantCalls:   map[string]int{"example.com/app:1": 1},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/app:2"), resolverstest.Found("example.com/init:1"))
			var opts []serving.HandlerOption
			if tc.namespaces != nil {
				opts = append(opts, serving.WithNamespaces(tc.namespaces))
			}
			resp := serving.NewHandler(judge.NewEngine(r), opts...).Handle(t.Context(), tc.req)
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("Allowed = %v (%v), want %v", resp.Allowed, resp.Result, tc.wantAllowed)
			}
			if !tc.wantAllowed && (resp.Result == nil || resp.Result.Code != http.StatusForbidden || resp.Result.Message != tc.wantMessage) {
				t.Errorf("Result = %+v, want 403 %q", resp.Result, tc.wantMessage)
			}
			if diff := cmp.Diff(tc.wantWarn, resp.Warnings, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Warnings mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCalls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
			if tc.namespaces != nil {
				if diff := cmp.Diff(tc.wantAsked, tc.namespaces.asked, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("namespaces asked mismatch (-want +got):\n%s", diff)
				}
			}
		})
	}
}
