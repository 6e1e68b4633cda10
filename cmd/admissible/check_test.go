package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/admissible/admissible/resolvers/resolverstest"
	"github.com/google/go-cmp/cmp"
)

const incident = "../../test/testdata/incident/"

// registries are the servers a check test talks to.
type registries struct {
	// mirror is a real registry that quay.io and docker.io are mirrored to.
	mirror string
	// failing answers 500 to everything; failing.example is mirrored to it.
	failing string
	// config is a --config file routing every registry used here to them,
	// without falling back to the real registries.
	config string
}

// startRegistries serves a registry holding the images the tests' manifests
// use, and writes the configuration that mirrors them.
func startRegistries(t *testing.T) registries {
	t.Helper()
	reg := resolverstest.Serve(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)

	for _, repoTag := range []string{
		"ceph/ceph:v17.2.6",                       // quay.io/ceph/ceph:v17.2.6
		"bitnami/postgresql:15.3.0-debian-11-r24", // docker.io/bitnami/postgresql
		"library/busybox:1.36",                    // busybox:1.36
	} {
		resolverstest.Push(t, resolverstest.Host(reg), repoTag)
	}
	config := writeFile(t, "config.yaml", `# Every registry the tests use goes to a local server.
mirrors:
  quay.io:
    endpoints: [`+reg.URL+`]
    skipFallback: true
  docker.io:
    endpoints: [`+reg.URL+`]
    skipFallback: true
  failing.example:
    endpoints: [`+failing.URL+`]
    skipFallback: true
`)
	return registries{mirror: reg.URL, failing: failing.URL, config: config}
}

// writeFile writes content to a new file named base and returns its path.
func writeFile(t *testing.T, base, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), base)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	busyboxPod = `apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: ops}
spec:
  containers: [{name: sh, image: "busybox:1.36"}]
`
	missingBusyboxPod = `apiVersion: v1
kind: Pod
metadata: {name: tools, namespace: ops}
spec:
  containers: [{name: sh, image: "busybox:1.99"}]
`
	failingPod = `apiVersion: v1
kind: Pod
metadata: {name: flaky, namespace: ops}
spec:
  containers: [{name: a, image: "failing.example/app:1"}]
`
	configMap = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: ops}
data: {image: "busybox:1.99"}
`
	namespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ops}\n"
)

func TestCheck(t *testing.T) {
	regs := startRegistries(t)
	// What the mirror answers for a tag it does not have, and the failing
	// server for anything. A refusal also names the nearest tags the
	// repository has.
	notFound := "(" + regs.mirror + "/v2: 404 Not Found)"
	failed := regs.failing + "/v2: 500 Internal Server Error"

	multi := writeFile(t, "app.yaml", namespace+"---\n"+busyboxPod+"---\n# just a comment\n---\n"+configMap)
	broken := writeFile(t, "broken.yaml", missingBusyboxPod+"---\n"+failingPod)
	dir := t.TempDir()
	for base, content := range map[string]string{
		"10-namespace.yaml": namespace,
		"20-tools.yml":      busyboxPod,
		"30-flaky.json":     `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "flaky", "namespace": "ops"}, "spec": {"containers": [{"name": "a", "image": "failing.example/app:1"}]}}`,
		"README.md":         "not a manifest: [",
	} {
		if err := os.WriteFile(filepath.Join(dir, base), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A repository as it is: a kustomization, Helm values and a CI file
	// beside the manifests. The kustomization sets a tag that does not
	// exist, which only rendering it shows.
	repo := t.TempDir()
	for base, content := range map[string]string{
		"app/kustomization.yaml":            "namespace: ops\nresources: [pod.yaml]\nimages:\n  - {name: busybox, newTag: \"1.99\"}\n",
		"app/pod.yaml":                      busyboxPod,
		"chart/values.yaml":                 "replicaCount: 3\nimage: {repository: busybox, tag: \"1.36\"}\n",
		".github/workflows/ci.yml":          "on: [push]\njobs:\n  test: {runs-on: ubuntu-latest, steps: [{run: make test}]}\n",
		"list-of-steps.yaml":                "- run: make\n",
		"deploy/namespace.yaml":             namespace,
		"kustomize-only/kustomization.yaml": "resources: [../app]\nnamePrefix: prod-\n",
	} {
		p := filepath.Join(repo, filepath.FromSlash(base))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	invalid := writeFile(t, "invalid.yaml", busyboxPod+"---\napiVersion: v1\nkind: [\n")
	noKind := writeFile(t, "nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n")
	typo := writeFile(t, "typo.yaml", "mirrrors:\n  quay.io:\n    endpoints: [http://127.0.0.1:1]\n")
	nestedTypo := writeFile(t, "nested.yaml", "mirrors:\n  quay.io:\n    endpoints: [http://127.0.0.1:1]\n    skipFallbak: true\n")
	badMirror := writeFile(t, "badmirror.yaml", "mirrors:\n  quay.io:\n    skipFallback: true\n")
	missing := filepath.Join(t.TempDir(), "missing.yaml")

	tests := map[string]struct {
		args       []string
		stdin      string
		wantCode   int
		wantStdout string
		// wantStderr is what standard error must contain.
		wantStderr string
	}{
		"the incident's fixed manifests are admitted": {
			args:     []string{"check", "--config", regs.config, "-f", incident + "cephcluster-fixed.yaml", "-f", incident + "statefulset-fixed.yaml"},
			wantCode: 0,
			wantStdout: incident + "cephcluster-fixed.yaml#1 CephCluster/rook-ceph/rook-ceph: admitted\n" +
				incident + "statefulset-fixed.yaml#1 StatefulSet/harbor-registry/harbor-registry-postgresql: admitted\n" +
				"2 objects: 0 refused, 2 admitted, 0 not judged\n" + offlineNote,
		},
		"multi-document file, kinds not judged": {
			args:     []string{"check", "--config", regs.config, "-f", multi},
			wantCode: 0,
			wantStdout: multi + "#1 Namespace/ops: not judged (kind not handled)\n" +
				multi + "#2 Pod/ops/tools: admitted\n" +
				multi + "#4 ConfigMap/ops/settings: not judged (kind not handled)\n" +
				"3 objects: 0 refused, 1 admitted, 2 not judged\n" + offlineNote,
		},
		"the incident's CephCluster: a missing tag": {
			args:     []string{"check", "--config", regs.config, "-f", incident + "cephcluster-broken.yaml"},
			wantCode: 1,
			wantStdout: incident + "cephcluster-broken.yaml#1 CephCluster/rook-ceph/rook-ceph: refused\n" +
				`  spec.cephVersion.image: Not found: "quay.io/ceph/ceph:v17.2.31": tag "v17.2.31" not found in quay.io/ceph/ceph ` + notFound + "; nearest: v17.2.6\n" +
				"1 object: 1 refused, 0 admitted, 0 not judged\n" + offlineNote,
		},
		"the incident's StatefulSet: value and valueFrom": {
			args:     []string{"check", "--config", regs.config, "-f", incident + "statefulset-broken.yaml"},
			wantCode: 1,
			wantStdout: incident + "statefulset-broken.yaml#1 StatefulSet/harbor-registry/harbor-registry-postgresql: refused\n" +
				"  spec.template.spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty\n" +
				"1 object: 1 refused, 0 admitted, 0 not judged\n" + offlineNote,
		},
		"refused and warned": {
			args:     []string{"check", "--config", regs.config, "-f", broken},
			wantCode: 1,
			wantStdout: broken + "#1 Pod/ops/tools: refused\n" +
				`  spec.containers[0].image: Not found: "busybox:1.99": tag "1.99" not found in index.docker.io/library/busybox ` + notFound + "; nearest: 1.36\n" +
				broken + "#2 Pod/ops/flaky: admitted\n" +
				`  warning: spec.containers[0].image: could not verify image "failing.example/app:1": ` + failed + "\n" +
				"2 objects: 1 refused, 1 admitted, 0 not judged\n" + offlineNote,
		},
		"standard input": {
			args:     []string{"check", "--config", regs.config, "-f", "-"},
			stdin:    busyboxPod + "---\n" + missingBusyboxPod,
			wantCode: 1,
			wantStdout: "-#1 Pod/ops/tools: admitted\n" +
				"-#2 Pod/ops/tools: refused\n" +
				`  spec.containers[0].image: Not found: "busybox:1.99": tag "1.99" not found in index.docker.io/library/busybox ` + notFound + "; nearest: 1.36\n" +
				"2 objects: 1 refused, 1 admitted, 0 not judged\n" + offlineNote,
		},
		"a directory": {
			args:     []string{"check", "--config", regs.config, "-f", dir},
			wantCode: 0,
			wantStdout: filepath.Join(dir, "10-namespace.yaml") + "#1 Namespace/ops: not judged (kind not handled)\n" +
				filepath.Join(dir, "20-tools.yml") + "#1 Pod/ops/tools: admitted\n" +
				filepath.Join(dir, "30-flaky.json") + "#1 Pod/ops/flaky: admitted\n" +
				`  warning: spec.containers[0].image: could not verify image "failing.example/app:1": ` + failed + "\n" +
				"3 objects: 0 refused, 2 admitted, 1 not judged\n" + offlineNote,
		},
		"invalid YAML": {
			args:       []string{"check", "--config", regs.config, "-f", multi, "-f", invalid},
			wantCode:   2,
			wantStderr: "admissible check: " + invalid + ": document 2: error converting YAML to JSON: yaml: line 2: did not find expected node content\n",
		},
		"object without kind: skipped": {
			args: []string{"check", "--config", regs.config, "-f", noKind},
			wantStdout: noKind + "#1: skipped, not a Kubernetes object: no apiVersion or kind\n" +
				"0 objects: 0 refused, 0 admitted, 0 not judged; 1 document that is not a Kubernetes object skipped\n" + offlineNote,
		},
		"a repository: what is not a Kubernetes object is skipped, the rest judged": {
			args:     []string{"check", "--config", regs.config, "-f", repo},
			wantCode: 0,
			wantStdout: filepath.Join(repo, ".github/workflows/ci.yml") + "#1: skipped, not a Kubernetes object: no apiVersion or kind\n" +
				filepath.Join(repo, "app/kustomization.yaml") + "#1: skipped, not a Kubernetes object: no apiVersion or kind\n" +
				filepath.Join(repo, "app/pod.yaml") + "#1 Pod/ops/tools: admitted\n" +
				filepath.Join(repo, "chart/values.yaml") + "#1: skipped, not a Kubernetes object: no apiVersion or kind\n" +
				filepath.Join(repo, "deploy/namespace.yaml") + "#1 Namespace/ops: not judged (kind not handled)\n" +
				filepath.Join(repo, "kustomize-only/kustomization.yaml") + "#1: skipped, not a Kubernetes object: no apiVersion or kind\n" +
				filepath.Join(repo, "list-of-steps.yaml") + "#1: skipped, not a Kubernetes object: a list, not a map\n" +
				"2 objects: 0 refused, 1 admitted, 1 not judged; 5 documents that are not Kubernetes objects skipped\n" + offlineNote,
		},
		"-k: the kustomization rendered, as kubectl kustomize does": {
			args:     []string{"check", "--config", regs.config, "-k", filepath.Join(repo, "app")},
			wantCode: 1,
			wantStdout: "kustomize " + filepath.Join(repo, "app") + "#1 Pod/ops/tools: refused\n" +
				`  spec.containers[0].image: Not found: "busybox:1.99": tag "1.99" not found in index.docker.io/library/busybox ` + notFound + "; nearest: 1.36\n" +
				"1 object: 1 refused, 0 admitted, 0 not judged\n" + offlineNote,
		},
		"-k: a kustomization of a kustomization, with -f": {
			args:     []string{"check", "--config", regs.config, "-k", filepath.Join(repo, "kustomize-only"), "-f", filepath.Join(repo, "deploy")},
			wantCode: 1,
			wantStdout: filepath.Join(repo, "deploy/namespace.yaml") + "#1 Namespace/ops: not judged (kind not handled)\n" +
				"kustomize " + filepath.Join(repo, "kustomize-only") + "#1 Pod/ops/prod-tools: refused\n" +
				`  spec.containers[0].image: Not found: "busybox:1.99": tag "1.99" not found in index.docker.io/library/busybox ` + notFound + "; nearest: 1.36\n" +
				"2 objects: 1 refused, 0 admitted, 1 not judged\n" + offlineNote,
		},
		"-k: not a kustomization": {
			args:       []string{"check", "--config", regs.config, "-k", filepath.Join(repo, "deploy")},
			wantCode:   2,
			wantStderr: "admissible check: -k " + filepath.Join(repo, "deploy") + ": unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory",
		},
		"missing file": {
			args:       []string{"check", "--config", regs.config, "-f", missing},
			wantCode:   2,
			wantStderr: "admissible check: stat " + missing + ": no such file or directory\n",
		},
		"no -f": {
			args:       []string{"check", "--config", regs.config},
			wantCode:   2,
			wantStderr: "admissible check: no input: name manifests with -f FILE, -f DIR, -f - or -k DIR\n",
		},
		"bad -o": {
			args:       []string{"check", "--config", regs.config, "-o", "yaml", "-f", multi},
			wantCode:   2,
			wantStderr: "admissible check: -o \"yaml\": must be text or json\n",
		},
		"unknown flag": {
			args:       []string{"check", "--mirrors", regs.config, "-f", multi},
			wantCode:   2,
			wantStderr: "flag provided but not defined: -mirrors\n",
		},
		"config with an unknown key": {
			args:       []string{"check", "--config", typo, "-f", multi},
			wantCode:   2,
			wantStderr: `admissible check: config ` + typo + `: unknown key "mirrrors" (known: mirrors, modes, podSecurity, admission, registries, customResources, budget, endpointTimeout, failurePolicy, maxInFlight, crio, platforms)` + "\n",
		},
		"config with an unknown nested key": {
			args:       []string{"check", "--config", nestedTypo, "-f", multi},
			wantCode:   2,
			wantStderr: `mirrors.quay.io: unknown key "skipFallbak" (known: endpoints, overridePath, skipFallback)`,
		},
		"config with a mirror that leaves nothing to pull from": {
			args:       []string{"check", "--config", badMirror, "-f", multi},
			wantCode:   2,
			wantStderr: "admissible check: config: mirrors.quay.io: skipFallback without endpoints leaves nothing to pull from\n",
		},
		"missing config": {
			args:       []string{"check", "--config", missing, "-f", multi},
			wantCode:   2,
			wantStderr: "admissible check: config: open " + missing + ": no such file or directory\n",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got := runCmd(t, tc.stdin, tc.args...)
			if got.code != tc.wantCode {
				t.Errorf("exit code = %d, want %d", got.code, tc.wantCode)
			}
			if diff := cmp.Diff(tc.wantStdout, got.stdout); diff != "" {
				t.Errorf("stdout mismatch (-want +got):\n%s", diff)
			}
			if !strings.Contains(got.stderr, tc.wantStderr) || (tc.wantStderr == "") != (got.stderr == "") {
				t.Errorf("stderr = %q, want it to contain %q", got.stderr, tc.wantStderr)
			}
		})
	}
}

// jsonResult is an entry of check -o json, with every key it must have.
type jsonResult struct {
	Source    string   `json:"source"`
	Document  int      `json:"document"`
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace"`
	Name      string   `json:"name"`
	Allowed   bool     `json:"allowed"`
	Skipped   bool     `json:"skipped"`
	Problems  []string `json:"problems"`
	Warnings  []string `json:"warnings"`
	Images    []struct {
		Field  string `json:"field"`
		Image  string `json:"image"`
		Result struct {
			Reference string `json:"reference"`
			Verdict   string `json:"verdict"`
			Digest    string `json:"digest"`
		} `json:"result"`
	} `json:"images"`
}

func TestCheckJSON(t *testing.T) {
	regs := startRegistries(t)
	manifests := writeFile(t, "all.yaml", busyboxPod+"---\n"+missingBusyboxPod+"---\n"+failingPod+"---\n"+configMap)
	got := runCmd(t, "", "check", "--config", regs.config, "-o", "json", "-f", manifests)
	if got.code != 1 {
		t.Errorf("exit code = %d, want 1", got.code)
	}
	if got.stderr != "" {
		t.Errorf("stderr = %q, want nothing", got.stderr)
	}

	// Every entry carries its identity and verdict; problems and warnings
	// are there when there are some.
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(got.stdout), &raw); err != nil {
		t.Fatalf("stdout is not a JSON array of objects: %v\n%s", err, got.stdout)
	}
	if len(raw) != 4 {
		t.Fatalf("%d entries, want 4", len(raw))
	}
	wantKeys := [][]string{
		{"source", "document", "kind", "namespace", "name", "allowed", "images"},
		{"source", "document", "kind", "namespace", "name", "allowed", "problems", "images"},
		{"source", "document", "kind", "namespace", "name", "allowed", "warnings", "images"},
		{"source", "document", "kind", "namespace", "name", "allowed", "skipped"},
	}
	for i, keys := range wantKeys {
		for _, k := range keys {
			if _, ok := raw[i][k]; !ok {
				t.Errorf("entry %d has no %q: %v", i, k, raw[i])
			}
		}
	}

	var results []jsonResult
	if err := json.Unmarshal([]byte(got.stdout), &results); err != nil {
		t.Fatalf("decoding -o json: %v", err)
	}
	type image struct{ Field, Image, Reference, Verdict string }
	type entry struct {
		Source             string
		Document           int
		Kind, Namespace    string
		Name               string
		Allowed, Skipped   bool
		Problems, Warnings []string
		Images             []image
		Digested           []bool
	}
	var summary []entry
	for _, r := range results {
		e := entry{
			Source: r.Source, Document: r.Document, Kind: r.Kind, Namespace: r.Namespace, Name: r.Name,
			Allowed: r.Allowed, Skipped: r.Skipped, Problems: r.Problems, Warnings: r.Warnings,
		}
		for _, img := range r.Images {
			e.Images = append(e.Images, image{img.Field, img.Image, img.Result.Reference, img.Result.Verdict})
			e.Digested = append(e.Digested, strings.HasPrefix(img.Result.Digest, "sha256:"))
		}
		summary = append(summary, e)
	}
	want := []entry{
		{
			Source: manifests, Document: 1, Kind: "Pod", Namespace: "ops", Name: "tools", Allowed: true,
			Images:   []image{{"spec.containers[0].image", "busybox:1.36", "index.docker.io/library/busybox:1.36", "found"}},
			Digested: []bool{true},
		},
		{
			Source: manifests, Document: 2, Kind: "Pod", Namespace: "ops", Name: "tools",
			Problems: []string{`spec.containers[0].image: Not found: "busybox:1.99": tag "1.99" not found in index.docker.io/library/busybox (` + regs.mirror + "/v2: 404 Not Found); nearest: 1.36"},
			Images:   []image{{"spec.containers[0].image", "busybox:1.99", "index.docker.io/library/busybox:1.99", "not found"}},
			Digested: []bool{false},
		},
		{
			Source: manifests, Document: 3, Kind: "Pod", Namespace: "ops", Name: "flaky", Allowed: true,
			Warnings: []string{`spec.containers[0].image: could not verify image "failing.example/app:1": ` + regs.failing + "/v2: 500 Internal Server Error"},
			Images:   []image{{"spec.containers[0].image", "failing.example/app:1", "failing.example/app:1", "undetermined"}},
			Digested: []bool{false},
		},
		{Source: manifests, Document: 4, Kind: "ConfigMap", Namespace: "ops", Name: "settings", Allowed: true, Skipped: true},
	}
	if diff := cmp.Diff(want, summary); diff != "" {
		t.Errorf("-o json mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckJSONAllAdmittedIsAnArray(t *testing.T) {
	regs := startRegistries(t)
	got := runCmd(t, "", "check", "--config", regs.config, "-o", "json", "-f", "-")
	if got.code != 0 {
		t.Errorf("exit code = %d, want 0", got.code)
	}
	// No input documents: an empty array, not null.
	if diff := cmp.Diff("[]\n", got.stdout); diff != "" {
		t.Errorf("stdout mismatch (-want +got):\n%s", diff)
	}
}

// offlineNote is the line check ends its text output with.
const offlineNote = "not checked offline (they need the cluster, or --kubeconfig): PodSecurity, and whether the ServiceAccount, PriorityClass and RuntimeClass pods name exist; admission plugins read only these manifests' objects; pod rules of Kubernetes 1.37\n"
