package manifest_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/admissible/admissible/webhook/manifest"
)

// deployment is a valid Deployment; each extra line is inserted before the
// line "# here" of its pod template's container, or replaces it.
func deployment(container ...string) string {
	d := `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullPolicy: IfNotPresent
          # here
`
	return strings.Replace(d, "          # here\n", strings.Join(container, ""), 1)
}

// refusals renders what Read says of each document: its refusal, or "".
func refusals(docs []manifest.Document) []string {
	var out []string
	for _, d := range docs {
		switch {
		case d.NotObject != "":
			out = append(out, d.String()+" skipped: "+d.NotObject)
		case d.Refused != "":
			out = append(out, d.String()+" refused: "+d.Refused)
		default:
			out = append(out, d.String())
		}
	}
	return out
}

// TestReadStrict: an object of a built-in kind is refused as the API server
// refuses it under kubectl's default strict field validation: unknown and
// duplicated fields, named in its words; a custom resource only for its
// duplicated keys, its schema being unknown offline.
func TestReadStrict(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
	}{
		"a valid Deployment": {
			in:   deployment(),
			want: []string{"app.yaml#1 Deployment/shop/web"},
		},
		"unknown field in a Deployment's container": {
			in:   deployment("          imagePullPolicyy: Always\n"),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy"`},
		},
		"duplicated key": {
			in:   strings.Replace(deployment(), "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n", 1),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.replicas"`},
		},
		"unknown and duplicated fields: all of them, unknown ones first": {
			in: strings.Replace(deployment("          imagePullPolicyy: Always\n", "          ports: [{containerPort: 80, protokol: TCP}]\n", "          image: nginx:1.28\n"),
				"  replicas: 2\n", "  replicas: 2\n  replicas: 3\n  replicaz: 4\n", 1),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replicaz", unknown field "spec.template.spec.containers[0].imagePullPolicyy", unknown field "spec.template.spec.containers[0].ports[0].protokol", duplicate field "spec.replicas", duplicate field "spec.template.spec.containers[0].image"`},
		},
		"a key written three times is one duplicate": {
			in:   strings.Replace(deployment(), "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n  replicas: 4\n", 1),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.replicas"`},
		},
		"duplicated label, quoted once": {
			in:   strings.Replace(deployment(), "  labels: {app: web}\n", "  labels: {app: web, \"app\": shop}\n", 1),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "metadata.labels.app"`},
		},
		"int-or-string and quantity fields, as numbers and as strings": {
			in: deployment(
				"          ports: [{name: http, containerPort: 8080}]\n",
				"          readinessProbe: {httpGet: {port: http, path: /}}\n",
				"          livenessProbe: {tcpSocket: {port: 8080}}\n",
				"          resources:\n",
				"            requests: {cpu: 0.5, memory: 128Mi, ephemeral-storage: 1e9}\n",
				"            limits: {cpu: 1, memory: \"256Mi\", nvidia.com/gpu: 1}\n",
			),
			want: []string{"app.yaml#1 Deployment/shop/web"},
		},
		"a status block": {
			in:   deployment() + "status:\n  replicas: 2\n  readyReplicas: 2\n  conditions: [{type: Available, status: \"True\"}]\n",
			want: []string{"app.yaml#1 Deployment/shop/web"},
		},
		"an unknown field in a status block": {
			in:   deployment() + "status:\n  replicas: 2\n  ready: 2\n",
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "status.ready"`},
		},
		"a value of the wrong type: refused, whatever the field validation": {
			in:   strings.Replace(deployment(), "  replicas: 2\n", "  replicas: two\n", 1),
			want: []string{`app.yaml#1 Deployment/shop/web refused: Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`},
		},
		"a custom resource: unknown fields not checked, its schema is unknown offline": {
			in:   "apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: rook-ceph, namespace: rook-ceph}\nspec:\n  cephVersion: {image: \"quay.io/ceph/ceph:v17.2.6\"}\n  anything: [1, 2]\n",
			want: []string{"app.yaml#1 CephCluster/rook-ceph/rook-ceph"},
		},
		"a custom resource's duplicated key": {
			in:   "apiVersion: ceph.rook.io/v1\nkind: CephCluster\nmetadata: {name: rook-ceph}\nspec:\n  mon: {count: 3}\n  mon: {count: 5}\n",
			want: []string{`app.yaml#1 CephCluster/rook-ceph refused: CephCluster in version "v1" cannot be handled as a CephCluster: strict decoding error: duplicate field "spec.mon"`},
		},
		"a beta version of a built-in kind: not checked, served with the fields of the cluster's release or not at all": {
			in:   "apiVersion: apps/v1beta1\nkind: Deployment\nmetadata: {name: old}\nspec: {replicaz: 1}\n",
			want: []string{"app.yaml#1 Deployment/old"},
		},
		"a version no release served: not checked": {
			in:   "apiVersion: apps/v9\nkind: Deployment\nmetadata: {name: new}\nspec: {replicaz: 1}\n",
			want: []string{"app.yaml#1 Deployment/new"},
		},
		"but its duplicated keys are": {
			in:   "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: old}\nspec: {schedule: \"@daily\", schedule: \"@hourly\"}\n",
			want: []string{`app.yaml#1 CronJob/old refused: CronJob in version "v1beta1" cannot be handled as a CronJob: strict decoding error: duplicate field "spec.schedule"`},
		},
		"anchors and merge keys: a key overriding a merged one is no duplicate": {
			in: `apiVersion: v1
kind: ConfigMap
metadata: {name: env}
data:
  shared: &shared "x"
  again: *shared
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: &labels {app: web}}
  template:
    metadata: {labels: *labels}
    spec:
      containers:
        - &base
          name: web
          image: nginx:1.27
          resources: {limits: {cpu: 1}}
        - <<: *base
          name: sidecar
        - <<: [*base, {imagePullPolicy: Always}]
          name: third
`,
			want: []string{"app.yaml#1 ConfigMap/env", "app.yaml#2 Deployment/web"},
		},
		"merge keys: an unknown field merged in, a duplicate in the merged map": {
			in: `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          <<: {image: nginx, imagePullPolicyy: Always, image: nginx:1.27}
`,
			want: []string{`app.yaml#1 Deployment/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", duplicate field "spec.template.spec.containers[0].image"`},
		},
		"JSON: the API server's decoder finds the duplicates": {
			in:   `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1, "replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "nginx", "imagePullPolicyy": "Always"}]}}}}`,
			want: []string{`app.yaml#1 Deployment/web refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolicyy", duplicate field "spec.replicas"`},
		},
		"a List: each item refused for its own fields and those of the list": {
			in: `apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: a}, spec: {containers: [{name: a, image: nginx, image: busybox}]}}
  - {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {containerz: []}}
  - {apiVersion: v1, kind: Pod, metadata: {name: c}, spec: {containers: [{name: c, image: nginx}]}}
`,
			want: []string{
				`app.yaml#1 Pod/a refused: Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "spec.containers[0].image"`,
				`app.yaml#1 Pod/b refused: Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containerz"`,
				"app.yaml#1 Pod/c",
			},
		},
		"a List written with its items twice: every item left is refused, as the list itself is": {
			in: `apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: lost}}
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: kept}}
`,
			want: []string{`app.yaml#1 ConfigMap/kept refused: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "items"`},
		},
		"a JSON List: items' duplicates and unknown fields": {
			in: `{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "1", "k": "2"}}, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}, "dta": {}}]}`,
			want: []string{
				`app.yaml#1 ConfigMap/a refused: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.k"`,
				`app.yaml#1 ConfigMap/b refused: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "dta"`,
			},
		},
		"documents that are not objects: skipped as before, duplicates or not": {
			in:   "resources: [a.yaml]\nresources: [b.yaml]\n---\nreplicaCount: 3\nimage: {tag: \"1\", tag: \"2\"}\n---\n- a\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: no apiVersion or kind", "app.yaml#2 skipped: not a Kubernetes object: no apiVersion or kind", "app.yaml#3 skipped: not a Kubernetes object: a list, not a map"},
		},
		"only the refused document of a file": {
			in:   deployment() + "---\n" + strings.Replace(deployment(), "name: web\n  namespace", "name: api\n  namespace", 1) + "  paused: true\n  pause: true\n",
			want: []string{"app.yaml#1 Deployment/shop/web", `app.yaml#2 Deployment/shop/api refused: Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.pause"`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			docs, err := manifest.Read("app.yaml", strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(tc.want, refusals(docs)); diff != "" {
				t.Errorf("Read() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadStrictManyKeys: duplicates are found in one pass, however many
// keys a map has (yaml.v3's own check compares each key with every other).
func TestReadStrictManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n")
	for i := range 200000 {
		b.WriteString("  k" + strings.Repeat("x", i%7) + strconv.Itoa(i) + ": v\n")
	}
	b.WriteString("  k0: again\n")
	start := time.Now()
	docs, err := manifest.Read("big.yaml", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("took %v", took)
	}
	want := []string{`big.yaml#1 ConfigMap/big refused: ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "data.k0"`}
	if diff := cmp.Diff(want, refusals(docs)); diff != "" {
		t.Errorf("Read() mismatch (-want +got):\n%s", diff)
	}
}
