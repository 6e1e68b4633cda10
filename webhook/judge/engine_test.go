package judge_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/credentials"
	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/kinds"
)

// object decodes one object from YAML.
func object(t *testing.T, doc string) *unstructured.Unstructured {
	t.Helper()
	var m map[string]interface{}
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatalf("test object: %v\n%s", err, doc)
	}
	return &unstructured.Unstructured{Object: m}
}

// fixture reads an object of the incident's manifests.
func fixture(t *testing.T, file string) *unstructured.Unstructured {
	t.Helper()
	data, err := os.ReadFile("../../test/testdata/incident/" + file)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return object(t, string(data))
}

// summary is what a verdict says, in comparable form.
type summary struct {
	Skipped  bool
	Problems []string
	Warnings []string
	// Lookups are "field image: verdict", one per image field.
	Lookups []string
}

func summarize(v judge.Verdict) summary {
	s := summary{Skipped: v.Skipped, Problems: v.Problems(), Warnings: v.Warnings}
	for _, iv := range v.Images {
		s.Lookups = append(s.Lookups, fmt.Sprintf("%s %s: %s", iv.Field, iv.Image, iv.Result.Verdict))
	}
	return s
}

// indent indents every line of s by n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+pad) + "\n"
}

// workloadSpec is a pod spec with images in every place a workload has them.
const workloadSpec = `initContainers:
  - name: init
    image: example.com/init:1
containers:
  - name: main
    image: example.com/app:1
  - name: sidecar
    image: example.com/missing:1
volumes:
  - name: scratch
    emptyDir: {}
  - name: data
    image: {reference: "example.com/data:1"}
`

func TestJudgeFindsThePodSpecOfEveryBuiltinKind(t *testing.T) {
	tests := map[string]struct {
		// head is the object up to the pod spec, which is appended indented
		// by specIndent.
		head       string
		specIndent int
		path       string
	}{
		"Pod": {
			head: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n", specIndent: 2, path: "spec",
		},
		"PodTemplate": {
			head: "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: p}\ntemplate:\n  spec:\n", specIndent: 4, path: "template.spec",
		},
		"ReplicationController": {
			head: "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"Deployment": {
			head: "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"StatefulSet": {
			head: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"DaemonSet": {
			head: "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"ReplicaSet": {
			head: "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"Job": {
			head: "apiVersion: batch/v1\nkind: Job\nmetadata: {name: p}\nspec:\n  template:\n    spec:\n", specIndent: 6, path: "spec.template.spec",
		},
		"CronJob": {
			head:       "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: p}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n",
			specIndent: 10, path: "spec.jobTemplate.spec.template.spec",
		},
	}
	for kind, tc := range tests {
		t.Run(kind, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Found("example.com/init:1"), resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/missing:1"), resolverstest.Found("example.com/data:1"))
			got := summarize(judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, tc.head+indent(workloadSpec, tc.specIndent))}))
			p := tc.path
			want := summary{
				Problems: []string{p + `.containers[1].image: Not found: "example.com/missing:1": tag "1" not found in example.com/missing (example.com: 404 Not Found)`},
				Lookups: []string{
					p + ".containers[0].image example.com/app:1: found",
					p + ".containers[1].image example.com/missing:1: not found",
					p + ".initContainers[0].image example.com/init:1: found",
					p + ".volumes[1].image.reference example.com/data:1: found",
				},
			}
			if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge(%s) mismatch (-want +got):\n%s", kind, diff)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	missingDigest := "sha256:" + strings.Repeat("0", 64)
	tests := map[string]struct {
		obj     string
		answers []resolvers.Result
		want    summary
		calls   map[string]int
	}{
		"found image: nothing to say": {
			obj:     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: example.com/app:1}]\n",
			answers: []resolvers.Result{resolverstest.Found("example.com/app:1")},
			want:    summary{Lookups: []string{"spec.containers[0].image example.com/app:1: found"}},
			calls:   map[string]int{"example.com/app:1": 1},
		},
		"ephemeral container and image volume of a pod": {
			obj: `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: a, image: example.com/app:1}]
  ephemeralContainers: [{name: dbg, image: example.com/debug:1}]
  volumes:
    - {name: data, image: {reference: example.com/data:1}}
`,
			answers: []resolvers.Result{resolverstest.Found("example.com/app:1"), resolverstest.Missing("example.com/debug:1"), resolverstest.Missing("example.com/data:1")},
			want: summary{
				Problems: []string{
					// A pod create that names ephemeral containers is refused by the API server.
					"spec.ephemeralContainers: Forbidden: cannot be set on create",
					`spec.ephemeralContainers[0].image: Not found: "example.com/debug:1": tag "1" not found in example.com/debug (example.com: 404 Not Found)`,
					`spec.volumes[0].image.reference: Not found: "example.com/data:1": tag "1" not found in example.com/data (example.com: 404 Not Found)`,
				},
				Lookups: []string{
					"spec.containers[0].image example.com/app:1: found",
					"spec.ephemeralContainers[0].image example.com/debug:1: not found",
					"spec.volumes[0].image.reference example.com/data:1: not found",
				},
			},
			calls: map[string]int{"example.com/app:1": 1, "example.com/debug:1": 1, "example.com/data:1": 1},
		},
		"CephCluster: spec.cephVersion.image": {
			obj:     "apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: c, namespace: rook-ceph}\nspec:\n  cephVersion: {image: quay.io/ceph/ceph:v17.2.31}\n",
			answers: []resolvers.Result{resolverstest.Missing("quay.io/ceph/ceph:v17.2.31")},
			want: summary{
				Problems: []string{`spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`},
				Lookups:  []string{"spec.cephVersion.image quay.io/ceph/ceph:v17.2.31: not found"},
			},
			calls: map[string]int{"quay.io/ceph/ceph:v17.2.31": 1},
		},
		"CephNFS: spec.server.image": {
			obj:     "apiVersion: ceph.rook.io/v1\nkind: CephNFS\nmetadata: {name: n}\nspec:\n  server: {active: 1, image: quay.io/ceph/ceph:v0}\n",
			answers: []resolvers.Result{resolverstest.Missing("quay.io/ceph/ceph:v0")},
			want: summary{
				Problems: []string{`spec.server.image: Not found: "quay.io/ceph/ceph:v0": tag "v0" not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`},
				Lookups:  []string{"spec.server.image quay.io/ceph/ceph:v0: not found"},
			},
			calls: map[string]int{"quay.io/ceph/ceph:v0": 1},
		},
		"CephNFS: spec.security.sssd.sidecar.image": {
			obj: `apiVersion: ceph.rook.io/v1
kind: CephNFS
metadata: {name: n}
spec:
  server: {active: 1, image: quay.io/ceph/ceph:v17.2.6}
  security:
    sssd:
      sidecar: {image: registry.access.redhat.com/rhel7/sssd:0.0}
`,
			answers: []resolvers.Result{resolverstest.Found("quay.io/ceph/ceph:v17.2.6"), resolverstest.Missing("registry.access.redhat.com/rhel7/sssd:0.0")},
			want: summary{
				Problems: []string{`spec.security.sssd.sidecar.image: Not found: "registry.access.redhat.com/rhel7/sssd:0.0": tag "0.0" not found in registry.access.redhat.com/rhel7/sssd (registry.access.redhat.com: 404 Not Found)`},
				Lookups: []string{
					"spec.server.image quay.io/ceph/ceph:v17.2.6: found",
					"spec.security.sssd.sidecar.image registry.access.redhat.com/rhel7/sssd:0.0: not found",
				},
			},
			calls: map[string]int{"quay.io/ceph/ceph:v17.2.6": 1, "registry.access.redhat.com/rhel7/sssd:0.0": 1},
		},
		"CephNVMeOFGateway: spec.image": {
			obj:     "apiVersion: ceph.rook.io/v1\nkind: CephNVMeOFGateway\nmetadata: {name: g}\nspec:\n  image: quay.io/ceph/nvmeof:0.0.0\n",
			answers: []resolvers.Result{resolverstest.Missing("quay.io/ceph/nvmeof:0.0.0")},
			want: summary{
				Problems: []string{`spec.image: Not found: "quay.io/ceph/nvmeof:0.0.0": tag "0.0.0" not found in quay.io/ceph/nvmeof (quay.io: 404 Not Found)`},
				Lookups:  []string{"spec.image quay.io/ceph/nvmeof:0.0.0: not found"},
			},
			calls: map[string]int{"quay.io/ceph/nvmeof:0.0.0": 1},
		},
		"CephCOSIDriver: spec.image and spec.objectProvisionerImage": {
			obj:     "apiVersion: ceph.rook.io/v1\nkind: CephCOSIDriver\nmetadata: {name: ceph-cosi-driver}\nspec:\n  image: quay.io/ceph/cosi:v0.1.2\n  objectProvisionerImage: gcr.io/k8s-staging-sig-storage/objectstorage-sidecar:v0\n",
			answers: []resolvers.Result{resolverstest.Found("quay.io/ceph/cosi:v0.1.2"), resolverstest.Missing("gcr.io/k8s-staging-sig-storage/objectstorage-sidecar:v0")},
			want: summary{
				Problems: []string{`spec.objectProvisionerImage: Not found: "gcr.io/k8s-staging-sig-storage/objectstorage-sidecar:v0": tag "v0" not found in gcr.io/k8s-staging-sig-storage/objectstorage-sidecar (gcr.io: 404 Not Found)`},
				Lookups: []string{
					"spec.image quay.io/ceph/cosi:v0.1.2: found",
					"spec.objectProvisionerImage gcr.io/k8s-staging-sig-storage/objectstorage-sidecar:v0: not found",
				},
			},
			calls: map[string]int{"quay.io/ceph/cosi:v0.1.2": 1, "gcr.io/k8s-staging-sig-storage/objectstorage-sidecar:v0": 1},
		},
		"optional Rook image fields left out, empty or null: nothing to look up": {
			obj:  "apiVersion: ceph.rook.io/v1\nkind: CephCOSIDriver\nmetadata: {name: d}\nspec:\n  image: ''\n  objectProvisionerImage: null\n",
			want: summary{},
		},
		"short name: canonical repository in the message": {
			obj:     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'nginx:9.9.9'}]\n",
			answers: []resolvers.Result{resolverstest.Missing("nginx:9.9.9")},
			want: summary{
				Problems: []string{`spec.containers[0].image: Not found: "nginx:9.9.9": tag "9.9.9" not found in index.docker.io/library/nginx (registry-1.docker.io: 404 Not Found)`},
				Lookups:  []string{"spec.containers[0].image nginx:9.9.9: not found"},
			},
			calls: map[string]int{"index.docker.io/library/nginx:9.9.9": 1},
		},
		"missing tag with the nearest existing tags": {
			obj: "apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: c}\nspec:\n  cephVersion: {image: 'quay.io/ceph/ceph:v17.2.31'}\n",
			answers: []resolvers.Result{func() resolvers.Result {
				r := resolverstest.Missing("quay.io/ceph/ceph:v17.2.31")
				r.Suggestions = []string{"v17.2.6", "v17.2.5"}
				return r
			}()},
			want: summary{
				Problems: []string{`spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph (quay.io: 404 Not Found); nearest: v17.2.6, v17.2.5`},
				Lookups:  []string{"spec.cephVersion.image quay.io/ceph/ceph:v17.2.31: not found"},
			},
			calls: map[string]int{"quay.io/ceph/ceph:v17.2.31": 1},
		},
		"missing digest": {
			obj:     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'quay.io/ceph/ceph@" + missingDigest + "'}]\n",
			answers: []resolvers.Result{resolverstest.Missing("quay.io/ceph/ceph@" + missingDigest)},
			want: summary{
				Problems: []string{`spec.containers[0].image: Not found: "quay.io/ceph/ceph@` + missingDigest + `": digest ` + missingDigest + ` not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`},
				Lookups:  []string{"spec.containers[0].image quay.io/ceph/ceph@" + missingDigest + ": not found"},
			},
			calls: map[string]int{"quay.io/ceph/ceph@" + missingDigest: 1},
		},
		"undetermined: a warning, not a denial": {
			obj:     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'failing.example/app:1'}]\n",
			answers: []resolvers.Result{resolverstest.Answer("failing.example/app:1", resolvers.Undetermined, "500 Internal Server Error")},
			want: summary{
				Warnings: []string{`spec.containers[0].image: could not verify image "failing.example/app:1": failing.example: 500 Internal Server Error`},
				Lookups:  []string{"spec.containers[0].image failing.example/app:1: undetermined"},
			},
			calls: map[string]int{"failing.example/app:1": 1},
		},
		"empty container image: required": {
			obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: ''}, {name: b}]\n",
			want: summary{Problems: []string{
				"spec.containers[0].image: Required value",
				"spec.containers[1].image: Required value",
			}},
		},
		"empty image volume reference: required": {
			obj:     "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: example.com/app:1}]\n  volumes: [{name: v, image: {}}]\n",
			answers: []resolvers.Result{resolverstest.Found("example.com/app:1")},
			want: summary{
				Problems: []string{"spec.volumes[0].image.reference: Required value"},
				Lookups:  []string{"spec.containers[0].image example.com/app:1: found"},
			},
			calls: map[string]int{"example.com/app:1": 1},
		},
		"unparsable reference: invalid, not looked up": {
			obj: "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: 'quay.io/Ceph/Ceph:v1'}]\n",
			want: summary{Problems: []string{
				`spec.containers[0].image: Invalid value: "quay.io/Ceph/Ceph:v1": not a valid image reference: could not parse reference: quay.io/Ceph/Ceph:v1`,
			}},
		},
		"unparsable Rook image: invalid": {
			obj: "apiVersion: ceph.rook.io/v1\nkind: CephNVMeOFGateway\nmetadata: {name: g}\nspec:\n  image: 'quay.io/ceph/nvmeof:bad:tag'\n",
			want: summary{Problems: []string{
				`spec.image: Invalid value: "quay.io/ceph/nvmeof:bad:tag": not a valid image reference: could not parse reference: quay.io/ceph/nvmeof:bad:tag`,
			}},
		},
		"image path that is not a string": {
			obj: "apiVersion: ceph.rook.io/v1\nkind: CephCOSIDriver\nmetadata: {name: d}\nspec:\n  image: 42\n  objectProvisionerImage: {name: quay.io/x}\n",
			want: summary{Problems: []string{
				"spec.image: Invalid value: 42: must be a string",
				`spec.objectProvisionerImage: Invalid value: {"name":"quay.io/x"}: must be a string`,
			}},
		},
		"pod spec that cannot be converted": {
			obj:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: x\n",
			want: summary{Problems: []string{`spec: Invalid value: "": cannot be read as a pod spec: spec.containers must be []v1.Container, not string`}},
		},
		"pod spec that is not an object": {
			obj:  "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec: [x]\n",
			want: summary{Problems: []string{`spec.template.spec: Invalid value: "": must be an object`}},
		},
		"pod spec with the numbers and quantities of a real manifest is read": {
			obj: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  replicas: 2
  template:
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: a
          image: example.com/app:1
          ports: [{containerPort: 8080}]
          resources: {limits: {cpu: 1, memory: 128Mi}}
          livenessProbe: {httpGet: {port: 8080, path: /healthz}}
`,
			answers: []resolvers.Result{resolverstest.Found("example.com/app:1")},
			want:    summary{Lookups: []string{"spec.template.spec.containers[0].image example.com/app:1: found"}},
			calls:   map[string]int{"example.com/app:1": 1},
		},
		"kind not in the catalog: skipped, no lookups": {
			obj:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {image: 'nginx:9.9.9'}\n",
			want: summary{Skipped: true},
		},
		"version not in the catalog: skipped, no lookups": {
			obj:  "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: a, image: 'nginx:9.9.9'}]\n",
			want: summary{Skipped: true},
		},
		// A short name is looked up as written (CRI-O resolves it by its own
		// search registries and aliases), the qualified spellings together.
		"same image five times: one lookup as a short name, one qualified": {
			obj: `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: i, image: 'nginx:1.25'}]
  containers:
    - {name: a, image: 'nginx:1.25'}
    - {name: b, image: 'docker.io/library/nginx:1.25'}
    - {name: c, image: 'index.docker.io/library/nginx:1.25'}
  volumes: [{name: v, image: {reference: 'nginx:1.25'}}]
`,
			answers: []resolvers.Result{resolverstest.Found("nginx:1.25")},
			want: summary{Lookups: []string{
				"spec.containers[0].image nginx:1.25: found",
				"spec.containers[1].image docker.io/library/nginx:1.25: found",
				"spec.containers[2].image index.docker.io/library/nginx:1.25: found",
				"spec.initContainers[0].image nginx:1.25: found",
				"spec.volumes[0].image.reference nginx:1.25: found",
			}},
			calls: map[string]int{"index.docker.io/library/nginx:1.25": 2},
		},
		"several problems: all reported, sorted by field path": {
			obj: `apiVersion: apps/v1
kind: Deployment
metadata: {name: many-problems}
spec:
  template:
    spec:
      initContainers:
        - {name: a, image: 'quay.io/ceph/ceph:v17.2.31'}
      containers:
        - {name: b, image: 'docker.io/library/app:2.0', env: [{name: 'A=B'}]}
        - {name: c, image: 'quay.io/Bad/Ref'}
        - {name: d, image: 'failing.example/app:1'}
        - {name: e}
`,
			answers: []resolvers.Result{
				resolverstest.Missing("quay.io/ceph/ceph:v17.2.31"), resolverstest.Missing("docker.io/library/app:2.0"),
				resolverstest.Answer("failing.example/app:1", resolvers.Undetermined, "500 Internal Server Error"),
			},
			want: summary{
				Problems: []string{
					`spec.template.spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`,
					`spec.template.spec.containers[0].image: Not found: "docker.io/library/app:2.0": tag "2.0" not found in index.docker.io/library/app (registry-1.docker.io: 404 Not Found)`,
					`spec.template.spec.containers[1].image: Invalid value: "quay.io/Bad/Ref": not a valid image reference: could not parse reference: quay.io/Bad/Ref`,
					"spec.template.spec.containers[3].image: Required value",
					`spec.template.spec.initContainers[0].image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`,
				},
				Warnings: []string{`spec.template.spec.containers[2].image: could not verify image "failing.example/app:1": failing.example: 500 Internal Server Error`},
				Lookups: []string{
					"spec.template.spec.containers[0].image docker.io/library/app:2.0: not found",
					"spec.template.spec.containers[2].image failing.example/app:1: undetermined",
					"spec.template.spec.initContainers[0].image quay.io/ceph/ceph:v17.2.31: not found",
				},
			},
			calls: map[string]int{"quay.io/ceph/ceph:v17.2.31": 1, "index.docker.io/library/app:2.0": 1, "failing.example/app:1": 1},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(tc.answers...)
			got := summarize(judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, tc.obj)}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.calls, r.Calls(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJudgeIncident judges the incident's manifests as they were applied.
func TestJudgeIncident(t *testing.T) {
	answers := []resolvers.Result{
		resolverstest.Missing("quay.io/ceph/ceph:v17.2.31"),
		resolverstest.Found("quay.io/ceph/ceph:v17.2.6"),
		resolverstest.Found("docker.io/bitnami/postgresql:15.3.0-debian-11-r24"),
	}
	tests := map[string]struct {
		file string
		want summary
	}{
		"CephCluster with a tag that never existed": {
			file: "cephcluster-broken.yaml",
			want: summary{
				Problems: []string{`spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`},
				Lookups:  []string{"spec.cephVersion.image quay.io/ceph/ceph:v17.2.31: not found"},
			},
		},
		"CephCluster fixed": {
			file: "cephcluster-fixed.yaml",
			want: summary{Lookups: []string{"spec.cephVersion.image quay.io/ceph/ceph:v17.2.6: found"}},
		},
		"StatefulSet with value and valueFrom": {
			file: "statefulset-broken.yaml",
			want: summary{
				// The API server's own message when the StatefulSet
				// controller creates the pod.
				Problems: []string{"spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
				Lookups:  []string{"spec.template.spec.containers[0].image docker.io/bitnami/postgresql:15.3.0-debian-11-r24: found"},
			},
		},
		"StatefulSet fixed": {
			file: "statefulset-fixed.yaml",
			want: summary{Lookups: []string{"spec.template.spec.containers[0].image docker.io/bitnami/postgresql:15.3.0-debian-11-r24: found"}},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := summarize(judge.NewEngine(resolverstest.NewResolver(answers...)).Judge(t.Context(), judge.Request{Object: fixture(t, tc.file)}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge(%s) mismatch (-want +got):\n%s", tc.file, diff)
			}
		})
	}
}

func TestJudgeImageVerdicts(t *testing.T) {
	app := resolverstest.Found("example.com/app:1")
	app.Digest = "sha256:" + strings.Repeat("a", 64)
	r := resolverstest.NewResolver(app)
	v := judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: example.com/app:1}]\n")})
	want := []judge.ImageVerdict{{Field: "spec.containers[0].image", Image: "example.com/app:1", Result: app}}
	if diff := cmp.Diff(want, v.Images); diff != "" {
		t.Errorf("Images mismatch (-want +got):\n%s", diff)
	}
	if !v.Allowed() {
		t.Errorf("Allowed() = false, want true")
	}
}

// TestJudgeLooksUpInParallel runs lookups that take a while: they overlap,
// never more than the parallelism allows, and each reference is asked once.
func TestJudgeLooksUpInParallel(t *testing.T) {
	tests := map[string]struct {
		opts    []judge.Option
		images  int
		maxWant int
	}{
		"default parallelism": {images: 12, maxWant: 8},
		"parallelism 2":       {opts: []judge.Option{judge.WithParallelism(2)}, images: 6, maxWant: 2},
		"parallelism 0 keeps the default": {
			opts: []judge.Option{judge.WithParallelism(0)}, images: 12, maxWant: 8,
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			var answers []resolvers.Result
			wantCalls := map[string]int{}
			for i := range tc.images {
				ref := fmt.Sprintf("example.com/app%d:1", i)
				answers = append(answers, resolverstest.Found(ref))
				wantCalls[ref] = 1
			}
			// Each image twice: once in a container, once in an init
			// container.
			var spec strings.Builder
			spec.WriteString("  containers:\n")
			for i := range tc.images {
				fmt.Fprintf(&spec, "    - {name: c%d, image: 'example.com/app%d:1'}\n", i, i)
			}
			spec.WriteString("  initContainers:\n")
			for i := range tc.images {
				fmt.Fprintf(&spec, "    - {name: i%d, image: 'example.com/app%d:1'}\n", i, i)
			}
			r := resolverstest.NewResolver(answers...)
			r.Delay = 20 * time.Millisecond
			v := judge.NewEngine(r, tc.opts...).Judge(t.Context(), judge.Request{Object: object(t, "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"+spec.String())})
			if !v.Allowed() || len(v.Warnings) > 0 {
				t.Errorf("Judge: problems %q, warnings %q; want none", v.Problems(), v.Warnings)
			}
			if got, want := len(v.Images), 2*tc.images; got != want {
				t.Errorf("Judge: %d image verdicts, want %d", got, want)
			}
			if diff := cmp.Diff(wantCalls, r.Calls()); diff != "" {
				t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
			}
			if maxInFlight := r.MaxInFlight(); maxInFlight < 2 || maxInFlight > tc.maxWant {
				t.Errorf("at most %d lookups ran at once, want between 2 and %d", maxInFlight, tc.maxWant)
			}
		})
	}
}

func TestVerdictMessage(t *testing.T) {
	p := field.NewPath("spec", "containers")
	tests := map[string]struct {
		denials field.ErrorList
		want    string
	}{
		"one problem: no header": {
			denials: field.ErrorList{field.Required(p.Index(0).Child("image"), "an image reference is required")},
			want:    "spec.containers[0].image: Required value: an image reference is required",
		},
		"three problems: header and one line each, in order": {
			denials: field.ErrorList{
				field.Required(p.Index(1).Child("image"), "an image reference is required"),
				field.Invalid(p.Index(0).Child("image"), "quay.io/Bad", "not a valid image reference"),
				field.Required(p.Index(2).Child("name"), ""),
			},
			want: "3 problems:\n" +
				"spec.containers[1].image: Required value: an image reference is required\n" +
				`spec.containers[0].image: Invalid value: "quay.io/Bad": not a valid image reference` + "\n" +
				"spec.containers[2].name: Required value",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			v := judge.Verdict{Denials: tc.denials}
			if diff := cmp.Diff(tc.want, v.Message()); diff != "" {
				t.Errorf("Message() mismatch (-want +got):\n%s", diff)
			}
			if v.Allowed() {
				t.Errorf("Allowed() = true with %d denials", len(tc.denials))
			}
		})
	}
}

// TestJudgeMessageOfSeveralProblems checks the rendering end to end: the
// message of a judged object has a header and one line per problem.
func TestJudgeMessageOfSeveralProblems(t *testing.T) {
	r := resolverstest.NewResolver(resolverstest.Missing("quay.io/ceph/ceph:v17.2.31"), resolverstest.Missing("docker.io/library/app:2.0"))
	v := judge.NewEngine(r).Judge(t.Context(), judge.Request{Object: object(t, `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers: [{name: a, image: 'quay.io/ceph/ceph:v17.2.31'}]
  containers: [{name: b, image: 'docker.io/library/app:2.0'}]
`)})
	want := "2 problems:\n" +
		`spec.containers[0].image: Not found: "docker.io/library/app:2.0": tag "2.0" not found in index.docker.io/library/app (registry-1.docker.io: 404 Not Found)` + "\n" +
		`spec.initContainers[0].image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph (quay.io: 404 Not Found)`
	if diff := cmp.Diff(want, v.Message()); diff != "" {
		t.Errorf("Message() mismatch (-want +got):\n%s", diff)
	}
}

func TestEngineWithCatalog(t *testing.T) {
	c, err := kinds.New(kinds.Kind{
		GroupVersionKind: schema.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "App"},
		Resource:         "apps",
		Images:           []kinds.Path{{"spec", "image"}},
	})
	if err != nil {
		t.Fatalf("kinds.New: %v", err)
	}
	r := resolverstest.NewResolver(resolverstest.Missing("example.com/app:1"))
	e := judge.NewEngine(r, judge.WithCatalog(c))
	if e.Catalog() != c {
		t.Errorf("Catalog() is not the catalog given WithCatalog")
	}
	tests := map[string]struct {
		obj  string
		want summary
	}{
		"kind of the catalog": {
			obj: "apiVersion: example.com/v1\nkind: App\nmetadata: {name: a}\nspec: {image: example.com/app:1}\n",
			want: summary{
				Problems: []string{`spec.image: Not found: "example.com/app:1": tag "1" not found in example.com/app (example.com: 404 Not Found)`},
				Lookups:  []string{"spec.image example.com/app:1: not found"},
			},
		},
		"built-in kind left out of the catalog": {
			obj:  "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: example.com/app:1}]\n",
			want: summary{Skipped: true},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := summarize(e.Judge(t.Context(), judge.Request{Object: object(t, tc.obj)}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
		})
	}
	if diff := cmp.Diff(map[string]int{"example.com/app:1": 1}, r.Calls()); diff != "" {
		t.Errorf("lookups by reference mismatch (-want +got):\n%s", diff)
	}
}

// fakeCredentials hands out pull credentials by service account, or by the
// pod's first pull secret, and records what it was asked.
type fakeCredentials struct {
	sets     map[string]credentials.Set
	warnings []string

	mu    sync.Mutex
	asked []string
}

func (f *fakeCredentials) PullCredentials(_ context.Context, namespace, serviceAccount string, secrets []string) (credentials.Set, []string) {
	f.mu.Lock()
	f.asked = append(f.asked, fmt.Sprintf("%s/%s %q", namespace, serviceAccount, secrets))
	f.mu.Unlock()
	key := serviceAccount
	if len(secrets) > 0 {
		key = secrets[0]
	}
	return f.sets[key], f.warnings
}

func mustCredentials(t *testing.T, host string) credentials.Set {
	t.Helper()
	s, err := credentials.Parse([]byte(`{"auths": {"` + host + `": {"username": "u", "password": "p-` + host + `"}}}`))
	if err != nil {
		t.Fatalf("credentials.Parse: %v", err)
	}
	return s
}

// TestJudgePullCredentials: the images of a pod spec are looked up with the
// credentials of its pull secrets or service account; plain image fields of
// custom resources anonymously.
func TestJudgePullCredentials(t *testing.T) {
	regcred, builder := mustCredentials(t, "example.com"), mustCredentials(t, "quay.io")
	tests := map[string]struct {
		obj       string
		warnings  []string
		want      summary
		wantAsked []string
		wantCreds map[string][]string
	}{
		"pull secrets of the pod template, asked once for the spec": {
			obj: `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: shop}
spec:
  template:
    spec:
      imagePullSecrets: [{name: regcred}, {name: other}]
      initContainers: [{name: i, image: example.com/init:1}]
      containers: [{name: a, image: example.com/app:1}, {name: b, image: example.com/app:1}]
`,
			want: summary{Lookups: []string{
				"spec.template.spec.containers[0].image example.com/app:1: found",
				"spec.template.spec.containers[1].image example.com/app:1: found",
				"spec.template.spec.initContainers[0].image example.com/init:1: found",
			}},
			wantAsked: []string{`shop/default ["regcred" "other"]`},
			wantCreds: map[string][]string{"example.com/app:1": {regcred.Fingerprint()}, "example.com/init:1": {regcred.Fingerprint()}},
		},
		"service account of the pod": {
			obj:       "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ci}\nspec:\n  serviceAccountName: builder\n  containers: [{name: a, image: example.com/app:1}]\n",
			want:      summary{Lookups: []string{"spec.containers[0].image example.com/app:1: found"}},
			wantAsked: []string{`ci/builder []`},
			wantCreds: map[string][]string{"example.com/app:1": {builder.Fingerprint()}},
		},
		"warnings of the credential source are passed on": {
			obj:       "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ci}\nspec:\n  imagePullSecrets: [{name: gone}]\n  containers: [{name: a, image: example.com/app:1}]\n",
			warnings:  []string{"imagePullSecret ci/gone: not found: images are looked up without it, as the kubelet pulls them"},
			want:      summary{Warnings: []string{"imagePullSecret ci/gone: not found: images are looked up without it, as the kubelet pulls them"}, Lookups: []string{"spec.containers[0].image example.com/app:1: found"}},
			wantAsked: []string{`ci/default ["gone"]`},
			wantCreds: map[string][]string{"example.com/app:1": {""}},
		},
		"custom resource image fields: anonymous, nothing asked": {
			obj:       "apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: c, namespace: rook-ceph}\nspec:\n  cephVersion: {image: 'quay.io/ceph/ceph:v17.2.6'}\n",
			want:      summary{Lookups: []string{"spec.cephVersion.image quay.io/ceph/ceph:v17.2.6: found"}},
			wantCreds: map[string][]string{"quay.io/ceph/ceph:v17.2.6": {""}},
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			r := resolverstest.NewResolver(resolverstest.Found("example.com/app:1"), resolverstest.Found("example.com/init:1"), resolverstest.Found("quay.io/ceph/ceph:v17.2.6"))
			src := &fakeCredentials{sets: map[string]credentials.Set{"regcred": regcred, "builder": builder}, warnings: tc.warnings}
			got := summarize(judge.NewEngine(r, judge.WithCredentials(src)).Judge(t.Context(), judge.Request{Object: object(t, tc.obj)}))
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Judge mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAsked, src.asked, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("credentials asked mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantCreds, r.Credentials()); diff != "" {
				t.Errorf("lookup credential fingerprints mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestJudgeReferenceTooLongOnceCompleted: "000...0" (250 characters) parses,
// but docker.io/library/000...0 is longer than a repository may be: no node
// could pull it, so it is refused without a lookup (found by FuzzImageReference).
func TestJudgeReferenceTooLongOnceCompleted(t *testing.T) {
	res := &resolverstest.Resolver{Hold: make(chan struct{})} // a registry that never answers
	image := strings.Repeat("0", 250)
	v := judge.NewEngine(res).Judge(t.Context(), judge.Request{Object: object(t, `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: "`+image+`"}]
`)})
	if v.Allowed() || !strings.Contains(v.Message(), "not a valid image reference: completed as") {
		t.Errorf("verdict %q, want a refusal of the completed name", v.Message())
	}
	if res.Lookups() != 0 {
		t.Errorf("%d lookups", res.Lookups())
	}
}
