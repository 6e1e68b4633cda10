package judge_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

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
