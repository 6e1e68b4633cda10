package circle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/webhook/judge/circle"
)

// objects reads a multi-document YAML stream.
func objects(t *testing.T, docs ...string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for _, d := range docs {
		for _, doc := range strings.Split(d, "\n---\n") {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
				t.Fatalf("%v\n%s", err, doc)
			}
			out = append(out, obj)
		}
	}
	return out
}

func chain(t *testing.T, cfg string) *mirrors.Chain {
	t.Helper()
	var c mirrors.Config
	if err := yaml.UnmarshalStrict([]byte(cfg), &c); err != nil {
		t.Fatal(err)
	}
	ch, err := mirrors.New(c, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

const incidentMirrors = `
docker.io:
  endpoints: [https://registry.example/v2/docker.io, https://docker.io/v2]
  overridePath: true
`

const harborDeployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: harbor-core, namespace: harbor-registry}
spec:
  selector: {matchLabels: {app: harbor-core}}
  template:
    metadata: {labels: {app: harbor-core}}
    spec:
      containers: [{name: core, image: "goharbor/harbor-core:v2.9.0"}]`

const harborService = `apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: harbor-registry}
spec: {selector: {app: harbor-core}, ports: [{port: 80}]}`

// ingress renders an Ingress in harbor-registry for host, path and
// pathType, to service.
func ingress(host, path, pathType, service string) string {
	return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: harbor, namespace: harbor-registry}
spec:
  rules:
    - host: "` + host + `"
      http:
        paths:
          - {path: ` + path + `, pathType: ` + pathType + `, backend: {service: {name: ` + service + `, port: {number: 80}}}}
          - {path: /, pathType: Prefix, backend: {service: {name: harbor-portal, port: {number: 80}}}}`
}

const harborRoute = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: harbor, namespace: gateways}
spec:
  hostnames: ["*.example"]
  rules:
    - matches: [{path: {type: PathPrefix, value: /v2}}]
      backendRefs: [{name: harbor-registry-core, namespace: harbor-registry, port: 80}]`

const pdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: harbor-core, namespace: harbor-registry}
spec: {minAvailable: 1, selector: {matchLabels: {app: harbor-core}}}`

// nodePortHarbor is Harbor's Service on NodePort 30500 and node n1 at
// 10.0.0.7.
var nodePortHarbor = []string{`apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: harbor-registry}
spec: {type: NodePort, selector: {app: harbor-core}, ports: [{port: 80, nodePort: 30500}]}`, `apiVersion: v1
kind: Node
metadata: {name: n1}
status: {addresses: [{type: InternalIP, address: 10.0.0.7}]}`}

// summary is what a report says, in words.
type summary struct {
	Circles []string
	Fragile []string
}

func TestWorkload(t *testing.T) {
	const chainWords = "harbor-registry/harbor-registry-core serves registry.example, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it"
	sturdy := strings.Replace(harborDeployment, "spec:\n  selector", "spec:\n  replicas: 3\n  selector", 1)
	spread := strings.Replace(sturdy, "    spec:\n      containers", "    spec:\n      topologySpreadConstraints: [{maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule}]\n      containers", 1)
	antiAffinity := strings.Replace(sturdy, "    spec:\n      containers", "    spec:\n      affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, podAffinityTerm: {topologyKey: kubernetes.io/hostname}}]}}\n      containers", 1)
	oneReplica := "spec.replicas: registry circle: Deployment harbor-registry/harbor-core runs one replica (spec.replicas is unset): while its pod is rescheduled, no node pulls through registry.example"
	noPDB := "spec.template.metadata.labels: registry circle: no PodDisruptionBudget selects the pods of Deployment harbor-registry/harbor-core: a node drain may evict them all at once"
	noSpread := "spec.template.spec: registry circle: nothing keeps the replicas of Deployment harbor-registry/harbor-core on different nodes (no topologySpreadConstraints or podAntiAffinity on kubernetes.io/hostname): one node going away can take them all"
	tests := map[string]struct {
		mirrors  string
		objects  []string
		workload string
		want     summary
	}{
		"the incident: Ingress on the first endpoint": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: " + chainWords + " via Ingress harbor-registry/harbor, fallbacks docker.io,registry-1.docker.io"}, Fragile: []string{oneReplica, noPDB}},
		},
		"sturdy: no fragility lines": {
			mirrors: incidentMirrors, objects: []string{harborService, pdb, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, workload: spread,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: " + chainWords + " via Ingress harbor-registry/harbor, fallbacks docker.io,registry-1.docker.io"}},
		},
		"anti-affinity spreads too": {
			mirrors: incidentMirrors, objects: []string{harborService, pdb, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, workload: antiAffinity,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: " + chainWords + " via Ingress harbor-registry/harbor, fallbacks docker.io,registry-1.docker.io"}},
		},
		"three replicas on one node": {
			mirrors: incidentMirrors, objects: []string{harborService, pdb, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, workload: sturdy,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: " + chainWords + " via Ingress harbor-registry/harbor, fallbacks docker.io,registry-1.docker.io"}, Fragile: []string{noSpread}},
		},
		"the Ingress path for the registry API goes to another Service": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("registry.example", "/v2", "Prefix", "harbor-registry-registry")}, workload: harborDeployment,
		},
		"Exact path: no registry request matches": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("registry.example", "/v2", "Exact", "harbor-registry-core")}, workload: harborDeployment,
		},
		"wildcard Ingress host": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("*.example", "/v2", "Prefix", "harbor-registry-core")}, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: " + chainWords + " via Ingress harbor-registry/harbor, fallbacks docker.io,registry-1.docker.io"}, Fragile: []string{oneReplica, noPDB}},
		},
		"another host": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("harbor.example", "/v2", "Prefix", "harbor-registry-core")}, workload: harborDeployment,
		},
		"no Service selects the pods": {
			mirrors: incidentMirrors, objects: []string{strings.Replace(harborService, "app: harbor-core", "app: harbor-portal", 1), ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, workload: harborDeployment,
		},
		"its image comes from another registry": {
			mirrors: incidentMirrors, objects: []string{harborService, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")},
			workload: strings.Replace(harborDeployment, "goharbor/harbor-core", "quay.io/goharbor/harbor-core", 1),
		},
		"the Service's DNS name, no fallback": {
			mirrors: "docker.io:\n  endpoints: [https://harbor-registry-core.harbor-registry.svc.cluster.local]\n  skipFallback: true\n", objects: []string{harborService}, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: harbor-registry/harbor-registry-core serves harbor-registry-core.harbor-registry.svc.cluster.local, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it via the Service's DNS name, fallbacks "}, Fragile: []string{strings.Replace(oneReplica, "registry.example", "harbor-registry-core.harbor-registry.svc.cluster.local", 1), noPDB}},
		},
		"an HTTPRoute in another namespace, second endpoint": {
			mirrors: "docker.io:\n  endpoints: [https://mirror.corp, https://registry.example]\n", objects: []string{harborService, harborRoute}, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: harbor-registry/harbor-registry-core serves registry.example, which docker.io pulls go through second; its own image goharbor/harbor-core is pulled through it via HTTPRoute gateways/harbor, fallbacks registry-1.docker.io"}, Fragile: []string{oneReplica, noPDB}},
		},
		"a LoadBalancer address with the Service's port": {
			mirrors: "docker.io:\n  endpoints: [http://192.0.2.10:5000]\n",
			objects: []string{`apiVersion: v1
kind: Service
metadata: {name: harbor-registry-core, namespace: harbor-registry}
spec: {type: LoadBalancer, selector: {app: harbor-core}, ports: [{port: 5000, nodePort: 30500}]}
status: {loadBalancer: {ingress: [{ip: 192.0.2.10}]}}`}, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: harbor-registry/harbor-registry-core serves 192.0.2.10:5000, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it via LoadBalancer address 192.0.2.10, fallbacks registry-1.docker.io"}, Fragile: []string{strings.Replace(oneReplica, "registry.example", "192.0.2.10:5000", 1), noPDB}},
		},
		"a NodePort on a node's address": {
			mirrors: "docker.io:\n  endpoints: [http://10.0.0.7:30500]\n",
			objects: nodePortHarbor, workload: harborDeployment,
			want: summary{Circles: []string{"spec.template.spec.containers[0].image: harbor-registry/harbor-registry-core serves 10.0.0.7:30500, which docker.io pulls go through first; its own image goharbor/harbor-core is pulled through it via NodePort 30500 on node n1, fallbacks registry-1.docker.io"}, Fragile: []string{strings.Replace(oneReplica, "registry.example", "10.0.0.7:30500", 1), noPDB}},
		},
		"a NodePort on an address that is no node's": {
			mirrors: "docker.io:\n  endpoints: [http://10.0.0.8:30500]\n",
			objects: nodePortHarbor, workload: harborDeployment,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			set, err := circle.NewSet(objects(t, tc.objects...))
			if err != nil {
				t.Fatal(err)
			}
			w, ok, err := circle.WorkloadOf(objects(t, tc.workload)[0])
			if !ok || err != nil {
				t.Fatalf("WorkloadOf: %v, %v", ok, err)
			}
			r, err := circle.New(set, chain(t, tc.mirrors)).Workload(t.Context(), w)
			if err != nil {
				t.Fatal(err)
			}
			var got summary
			for _, c := range r.Circles {
				fallbacks := make([]string, 0, len(c.Fallbacks))
				for _, f := range c.Fallbacks {
					fallbacks = append(fallbacks, f.String())
				}
				got.Circles = append(got.Circles, c.Path.String()+": "+strings.TrimPrefix(strings.SplitN(c.Message(), " (", 2)[0], "registry circle: ")+" via "+c.Via+", fallbacks "+strings.Join(fallbacks, ","))
			}
			for _, f := range r.Fragile {
				got.Fragile = append(got.Fragile, f.Path.String()+": "+f.Message)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("report mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Closing: a Service, an Ingress or an HTTPRoute that closes the circle
// names it; one that does not, nothing.
func TestClosing(t *testing.T) {
	tests := map[string]struct {
		index   []string
		closing string
		want    int
	}{
		"the Service last":                {index: []string{harborDeployment, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, closing: harborService, want: 1},
		"the Ingress last":                {index: []string{harborDeployment, harborService}, closing: ingress("registry.example", "/v2", "Prefix", "harbor-registry-core"), want: 1},
		"the HTTPRoute last":              {index: []string{harborDeployment, harborService}, closing: harborRoute, want: 1},
		"an Ingress on another host":      {index: []string{harborDeployment, harborService}, closing: ingress("app.example", "/", "Prefix", "harbor-registry-core")},
		"the Service before the workload": {index: []string{ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, closing: harborService},
		"an Ingress updated off the host": {
			index: []string{harborDeployment, harborService, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")}, closing: ingress("app.example", "/", "Prefix", "harbor-registry-core"),
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			set, err := circle.NewSet(objects(t, tc.index...))
			if err != nil {
				t.Fatal(err)
			}
			reports, err := circle.New(set, chain(t, incidentMirrors)).Closing(t.Context(), objects(t, tc.closing)[0])
			if err != nil {
				t.Fatal(err)
			}
			if len(reports) != tc.want {
				t.Errorf("%d reports, want %d: %+v", len(reports), tc.want, reports)
			}
		})
	}
}

func TestInCluster(t *testing.T) {
	set, err := circle.NewSet(objects(t, harborService, ingress("registry.example", "/v2", "Prefix", "harbor-registry-core")))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := circle.New(set, chain(t, incidentMirrors)).InCluster(t.Context(), []string{"docker.io", "quay.io"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.String())
	}
	want := []string{"docker.io endpoint 1 https://registry.example/v2/docker.io: Service harbor-registry/harbor-registry-core through Ingress harbor-registry/harbor"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("InCluster mismatch (-want +got):\n%s", diff)
	}
}

// TestWalkCapabilities: a circle goes through the endpoints a node pulls
// the image through, as lookups walk them: a host that may only pull is
// asked for a digest, not for a tag.
func TestWalkCapabilities(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "docker.io"), 0o755); err != nil {
		t.Fatal(err)
	}
	hosts := "[host.\"https://harbor-registry-core.harbor-registry.svc\"]\n  capabilities = [\"pull\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "docker.io", "hosts.toml"), []byte(hosts), 0o644); err != nil {
		t.Fatal(err)
	}
	walk, err := mirrors.New(nil, nil, mirrors.WithHostsDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	set, err := circle.NewSet(objects(t, harborService))
	if err != nil {
		t.Fatal(err)
	}
	for image, want := range map[string]int{
		"goharbor/harbor-core:v2.9.0": 0,
		"goharbor/harbor-core@sha256:4bf5b2c0d1d9a1b1d8c5dbb7bd63bce3e9d8bb3b1d06c3c4d5fd0c6c1f36c2b7": 1,
	} {
		w, ok, err := circle.WorkloadOf(objects(t, strings.Replace(harborDeployment, "goharbor/harbor-core:v2.9.0", image, 1))[0])
		if !ok || err != nil {
			t.Fatalf("WorkloadOf: %v, %v", ok, err)
		}
		r, err := circle.New(set, walk).Workload(t.Context(), w)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Circles) != want {
			t.Errorf("%s: %d circles, want %d: %+v", image, len(r.Circles), want, r.Circles)
		}
	}
}
