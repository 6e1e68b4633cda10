package judge_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/circle"
)

const (
	circleDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: harbor-core, namespace: harbor-registry}
spec:
  replicas: 2
  selector: {matchLabels: {app: harbor-core}}
  template:
    metadata: {labels: {app: harbor-core}}
    spec:
      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}]
      containers: [{name: core, image: "goharbor/harbor-core:v2.9.0"}]
`
	circleService = `apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: harbor-registry}
spec: {selector: {app: harbor-core}, ports: [{port: 80}]}
`
	circleIngress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: harbor, namespace: harbor-registry}
spec:
  rules: [{host: registry.example, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: harbor-registry-core, port: {number: 80}}}}]}}]
`
	circlePDB = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: harbor-core, namespace: harbor-registry}
spec: {minAvailable: 1, selector: {matchLabels: {app: harbor-core}}}
`
	circleWords = "registry circle: harbor-registry/harbor-registry-core serves registry.example, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it"
)

// The registry-circle check by mode, on the workload and on the Service
// that closes the circle; in check (workloads only) the Service is not
// judged.
func TestJudgeRegistryCircle(t *testing.T) {
	walk, err := mirrors.New(mirrors.Config{"docker.io": {Endpoints: []string{"https://registry.example"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		modes       judge.Modes
		onWorkloads bool
		labels      map[string]string
		index       []string
		judged      string
		denials     int
		warnings    []string // prefixes
		skipped     bool
	}{
		"default warn, on the workload": {index: []string{circleService, circleIngress, circlePDB}, judged: circleDeployment,
			warnings: []string{"[warn mode] spec.template.spec.containers[0].image: Forbidden: " + circleWords}},
		"enforce refuses the workload": {modes: judge.Modes{judge.RegistryCircle.Name: judge.Enforce}, index: []string{circleService, circleIngress, circlePDB}, judged: circleDeployment, denials: 1},
		"a namespace label enforces":   {labels: map[string]string{judge.RegistryCircle.Label(): "enforce"}, index: []string{circleService, circleIngress, circlePDB}, judged: circleDeployment, denials: 1},
		"off":                          {modes: judge.Modes{judge.RegistryCircle.Name: judge.Off}, index: []string{circleService, circleIngress, circlePDB}, judged: circleDeployment},
		"the skip annotation": {index: []string{circleService, circleIngress, circlePDB},
			judged:   strings.Replace(circleDeployment, "namespace: harbor-registry}", "namespace: harbor-registry, annotations: {admissible.dev/skip: registry-circle}}", 1),
			warnings: []string{"registry circle not checked: this object is exempted by annotation admissible.dev/skip"}},
		"the Service closing it, without a PDB": {index: []string{circleDeployment, circleIngress}, judged: circleService,
			warnings: []string{"[warn mode] spec.selector: Forbidden: " + circleWords, "registry circle: no PodDisruptionBudget selects the pods of Deployment harbor-registry/harbor-core"}},
		"the Service refused in enforce":   {modes: judge.Modes{judge.RegistryCircle.Name: judge.Enforce}, index: []string{circleDeployment, circleIngress, circlePDB}, judged: circleService, denials: 1},
		"check: the Service is not judged": {onWorkloads: true, index: []string{circleDeployment, circleIngress}, judged: circleService, skipped: true},
		"no circle, no warning":            {index: []string{circleService}, judged: circleDeployment},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var objs []*unstructured.Unstructured
			for _, doc := range tc.index {
				objs = append(objs, object(t, doc))
			}
			set, err := circle.NewSet(objs)
			if err != nil {
				t.Fatal(err)
			}
			option := judge.WithRegistryCircle(circle.New(set, walk))
			if tc.onWorkloads {
				option = judge.WithRegistryCircleOnWorkloads(circle.New(set, walk))
			}
			e := judge.NewEngine(resolverstest.NewResolver(resolverstest.Found("goharbor/harbor-core:v2.9.0")), judge.WithModes(tc.modes), option)
			v := e.Judge(t.Context(), judge.Request{Object: object(t, tc.judged), NamespaceLabels: tc.labels})
			if v.Skipped != tc.skipped || len(v.Denials) != tc.denials {
				t.Errorf("skipped %v, %d denials %v; want %v, %d", v.Skipped, len(v.Denials), v.Problems(), tc.skipped, tc.denials)
			}
			for _, d := range v.Denials {
				if !strings.Contains(d.Error(), circleWords) {
					t.Errorf("denial %q does not spell out the circle", d.Error())
				}
			}
			var got []string
			for i, w := range v.Warnings {
				if i < len(tc.warnings) && strings.HasPrefix(w, tc.warnings[i]) {
					w = tc.warnings[i]
				}
				got = append(got, w)
			}
			if diff := cmp.Diff(tc.warnings, got); diff != "" {
				t.Errorf("warnings mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
