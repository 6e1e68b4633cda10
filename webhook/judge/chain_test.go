package judge_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
)

// linkerdInjected is a Deployment as `linkerd inject` writes it: a projected
// service account token for the proxy, and no serviceAccountName. The API
// server's ServiceAccount plugin names "default" before validation, so its
// pods are created.
const linkerdInjected = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: emojivoto}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.com/web:1
        volumeMounts: [{name: linkerd-identity-token, mountPath: /var/run/linkerd/identity/token}]
      volumes:
      - name: linkerd-identity-token
        projected:
          sources:
          - serviceAccountToken: {audience: identity.l5d.io, expirationSeconds: 86400, path: linkerd-identity-token}
`

// handSetPriority names no PriorityClass but sets its value by hand: the
// Priority plugin refuses every pod.
const handSetPriority = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: emojivoto}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      priority: 1000
      containers: [{name: web, image: example.com/web:1}]
`

func TestJudgeAfterTheAdmissionChain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	chain, err := admissionchain.New(ctx, admissionchain.FromObjects(nil, []string{"emojivoto"}), admissionchain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r := resolverstest.NewResolver(resolverstest.Found("example.com/web:1"))
	tests := map[string]struct {
		doc  string
		opts []judge.Option
		want []string
	}{
		"linkerd inject output, judged as its controller builds the pod": {
			doc:  linkerdInjected,
			want: []string{"spec.template.spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set"},
		},
		"linkerd inject output, after the chain": {
			doc: linkerdInjected, opts: []judge.Option{judge.WithAdmissionChain(chain)},
		},
		"priority set by hand, after the chain": {
			doc: handSetPriority, opts: []judge.Option{judge.WithAdmissionChain(chain)},
			want: []string{"spec.template.spec: Forbidden: the integer value of priority (1000) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name"},
		},
		"priority set by hand, pod admission off": {
			doc: handSetPriority, opts: []judge.Option{judge.WithAdmissionChain(chain), judge.WithModes(judge.Modes{judge.PodAdmission.Name: judge.Off})},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := judge.NewEngine(r, tc.opts...).Judge(t.Context(), judge.Request{Object: object(t, tc.doc)})
			if diff := cmp.Diff(tc.want, v.Problems(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nwarnings: %q", diff, v.Warnings)
			}
		})
	}
}

// An UPDATE that leaves a problem the admission chain brings (a LimitRange
// default limit below the container's request) and changes something else
// (a label): the old pods are compared after the chain too, so the problem
// is one the old object already had, a warning, not a refusal of the update.
func TestJudgeUpdateAfterTheAdmissionChain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	limits := &corev1.LimitRange{
		ObjectMeta: metav1.ObjectMeta{Name: "limits", Namespace: "app"},
		Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
			Type: corev1.LimitTypeContainer, Default: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")},
		}}},
	}
	chain, err := admissionchain.New(ctx, admissionchain.FromObjects([]runtime.Object{limits}, []string{"app"}), admissionchain.Config{})
	if err != nil {
		t.Fatal(err)
	}
	deployment := func(version string) string {
		return `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: app}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: "` + version + `"}}
    spec:
      containers: [{name: web, image: example.com/web:1, resources: {requests: {cpu: 1500m}}}]
`
	}
	problem := `spec.template.spec.containers[0].resources.requests: Invalid value: "1500m": must be less than or equal to cpu limit of 1`
	e := judge.NewEngine(resolverstest.NewResolver(resolverstest.Found("example.com/web:1")), judge.WithAdmissionChain(chain))
	if v := e.Judge(t.Context(), judge.Request{Object: object(t, deployment("1"))}); !slices.Contains(v.Problems(), problem) {
		t.Fatalf("create: problems %q, want %q", v.Problems(), problem)
	}
	v := e.Judge(t.Context(), judge.Request{Object: object(t, deployment("2")), Old: object(t, deployment("1"))})
	if !v.Allowed() || !slices.Contains(v.Warnings, "already present before this update: "+problem) {
		t.Errorf("update: problems %q, warnings %q; want the LimitRange problem as already present", v.Problems(), v.Warnings)
	}
}
