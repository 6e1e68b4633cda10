package serving_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/serving"
)

// withObject returns req with its object changed by edit.
func withObject(t *testing.T, req admission.Request, edit func(obj map[string]any)) admission.Request {
	t.Helper()
	var obj map[string]any
	if err := json.Unmarshal(req.Object.Raw, &obj); err != nil {
		t.Fatal(err)
	}
	edit(obj)
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	req.Object.Raw = raw
	return req
}

func metadata(obj map[string]any) map[string]any { return obj["metadata"].(map[string]any) }

// TestRecentVerdicts: an admission allowed a moment ago is answered again
// without a lookup when nothing that decides its verdict changed; anything
// that could change the verdict is judged anew, and a refusal always is.
func TestRecentVerdicts(t *testing.T) {
	stamped := func(uid, version string) func(map[string]any) {
		return func(obj map[string]any) {
			m := metadata(obj)
			m["uid"], m["resourceVersion"], m["creationTimestamp"], m["generation"] = uid, version, "2026-12-04T00:00:0"+version+"Z", 1
			m["managedFields"] = []any{map[string]any{"manager": "kubectl-" + version, "operation": "Update"}}
			obj["status"] = map[string]any{"phase": "Pending" + version}
		}
	}
	generated := func(name string) func(map[string]any) {
		return func(obj map[string]any) {
			m := metadata(obj)
			m["generateName"], m["name"] = "web-7d9f8-", name
		}
	}
	for name, tc := range map[string]struct {
		first, second func(admission.Request) admission.Request
		image         string
		period        *int // seconds; nil: the default
		// between changes the namespace's labels between the two.
		between     func(ns *fakeNamespaces)
		wantLookups int
	}{
		"the namespace's labels changed": {
			between:     func(ns *fakeNamespaces) { ns.labels["shop"] = map[string]string{judge.Images.Label(): "warn"} },
			wantLookups: 2,
		},
		"the namespace's labels not read": {
			between:     func(ns *fakeNamespaces) { ns.err = errors.New("informer not synced") },
			wantLookups: 2,
		},
		"same object, other uid, resourceVersion, timestamps, managedFields, status": {
			first:       func(r admission.Request) admission.Request { return withObject(t, r, stamped("a", "1")) },
			second:      func(r admission.Request) admission.Request { return withObject(t, r, stamped("b", "2")) },
			wantLookups: 1,
		},
		"pods of one ReplicaSet: generated names": {
			first:       func(r admission.Request) admission.Request { return withObject(t, r, generated("web-7d9f8-x2k9p")) },
			second:      func(r admission.Request) admission.Request { return withObject(t, r, generated("web-7d9f8-q7zzb")) },
			wantLookups: 1,
		},
		"a name that is not generateName and 5 characters": {
			first:       func(r admission.Request) admission.Request { return withObject(t, r, generated("web-7d9f8-x2k9p")) },
			second:      func(r admission.Request) admission.Request { return withObject(t, r, generated("web-7d9f8-x2k9p0")) },
			wantLookups: 2,
		},
		"another name": {
			second: func(r admission.Request) admission.Request {
				r.Name = "other"
				return withObject(t, r, func(o map[string]any) { metadata(o)["name"] = "other" })
			},
			wantLookups: 2,
		},
		"another label": {
			second: func(r admission.Request) admission.Request {
				return withObject(t, r, func(o map[string]any) { metadata(o)["labels"] = map[string]any{"tier": "web"} })
			},
			wantLookups: 2,
		},
		"another spec": {
			second: func(r admission.Request) admission.Request {
				return withObject(t, r, func(o map[string]any) { o["spec"].(map[string]any)["hostname"] = "web-0" })
			},
			wantLookups: 2,
		},
		"another namespace": {
			second:      func(r admission.Request) admission.Request { r.Namespace = "other"; return r },
			wantLookups: 2,
		},
		"another user": {
			second: func(r admission.Request) admission.Request {
				r.UserInfo.Username = "system:serviceaccount:ci:deployer"
				return r
			},
			wantLookups: 2,
		},
		"a dry run": {
			second:      func(r admission.Request) admission.Request { r.DryRun = ptr.To(true); return r },
			wantLookups: 2,
		},
		"an update of the same object": {
			second: func(r admission.Request) admission.Request {
				r.Operation, r.OldObject = admissionv1.Update, r.Object
				return r
			},
			wantLookups: 1, // the update names the image its old object named: not looked up
		},
		"refused: judged every time": {
			image:       "missing",
			wantLookups: 2,
		},
		"remembering off": {
			period:      ptr.To(0),
			wantLookups: 2,
		},
	} {
		t.Run(name, func(t *testing.T) {
			image := "1.0"
			if tc.image != "" {
				image = tc.image
			}
			fake := resolverstest.NewResolver(resolverstest.Found("example.com/app:1.0"), resolverstest.Missing("example.com/app:missing"))
			ns := &fakeNamespaces{labels: map[string]map[string]string{}}
			opts := []serving.HandlerOption{serving.WithNamespaces(ns)}
			if tc.period != nil {
				opts = append(opts, serving.WithRecentVerdicts(0))
			}
			h := serving.NewHandler(judge.NewEngine(fake), opts...)
			first := review(t, "CREATE", podKind, pod(image))
			if tc.first != nil {
				first = tc.first(first)
			}
			second := first
			if tc.second != nil {
				second = tc.second(first)
			}
			a := h.Handle(context.Background(), first)
			if tc.between != nil {
				tc.between(ns)
			}
			b := h.Handle(context.Background(), second)
			if a.Allowed != b.Allowed || a.Allowed != (image == "1.0") {
				t.Errorf("allowed %v then %v, want both %v", a.Allowed, b.Allowed, image == "1.0")
			}
			if got := fake.Calls()["example.com/app:"+image]; got != tc.wantLookups {
				t.Errorf("%d lookups, want %d", got, tc.wantLookups)
			}
		})
	}
}
