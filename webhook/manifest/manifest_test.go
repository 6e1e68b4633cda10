package manifest_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/admissible/admissible/webhook/manifest"
)

// names renders documents with Document.String.
func names(docs []manifest.Document) []string {
	var out []string
	for _, d := range docs {
		if d.NotObject != "" {
			out = append(out, d.String()+" skipped: "+d.NotObject)
			continue
		}
		out = append(out, d.String())
	}
	return out
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRead(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    []string
		wantErr string
	}{
		"empty input": {},
		"only comments": {
			in: "# nothing here\n\n# still nothing\n",
		},
		"one document": {
			in:   "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\n",
			want: []string{"app.yaml#1 Pod/shop/web"},
		},
		"multi-document YAML with empty documents and comments": {
			in: `---
# leading comment: an empty first document
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # trailing comment
  namespace: shop
---

---
# a comment between objects
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
`,
			want: []string{"app.yaml#2 Deployment/shop/web", "app.yaml#4 Namespace/shop"},
		},
		"JSON object": {
			in:   `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "shop"}}`,
			want: []string{"app.yaml#1 Pod/shop/web"},
		},
		"JSON stream, pretty-printed": {
			in: `{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "a"}
}
{
  "apiVersion": "v1",
  "kind": "Pod",
  "metadata": {"name": "b"}
}
`,
			want: []string{"app.yaml#1 Pod/a", "app.yaml#2 Pod/b"},
		},
		"v1 List: one object per item, with the list's document number": {
			in: `apiVersion: v1
kind: Service
metadata: {name: first}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: a, namespace: ns}}
  - {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: b, namespace: ns}}
`,
			want: []string{"app.yaml#1 Service/first", "app.yaml#2 Pod/ns/a", "app.yaml#2 StatefulSet/ns/b"},
		},
		"typed list as kubectl get -o yaml prints it": {
			in:   `{"apiVersion": "v1", "kind": "PodList", "metadata": {"resourceVersion": "1"}, "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}]}`,
			want: []string{"app.yaml#1 Pod/a"},
		},
		"nested List": {
			in: `apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, metadata: {name: a}}
  - apiVersion: v1
    kind: List
    items:
      - {apiVersion: v1, kind: Pod, metadata: {name: b}}
      - {apiVersion: v1, kind: Pod, metadata: {name: c}}
  - {apiVersion: v1, kind: Pod, metadata: {name: d}}
`,
			want: []string{"app.yaml#1 Pod/a", "app.yaml#1 Pod/b", "app.yaml#1 Pod/c", "app.yaml#1 Pod/d"},
		},
		"empty List": {
			in: "apiVersion: v1\nkind: List\nitems: []\n",
		},
		"missing kind: skipped, the rest read": {
			in:   "apiVersion: v1\nmetadata: {name: b}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: no apiVersion or kind", "app.yaml#2 Pod/a"},
		},
		"missing apiVersion: skipped": {
			in:   "kind: Pod\nmetadata: {name: a}\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: no apiVersion or kind"},
		},
		"a kustomization without apiVersion and kind: skipped": {
			in:   "resources: [deployment.yaml]\nimages:\n  - {name: nginx, newTag: \"1.27\"}\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: no apiVersion or kind"},
		},
		"Helm values: skipped": {
			in:   "replicaCount: 3\nimage: {repository: nginx, tag: \"1.27\"}\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: no apiVersion or kind"},
		},
		"a list document: skipped": {
			in:   "- name: build\n  run: make\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: a list, not a map", "app.yaml#2 Pod/a"},
		},
		"a scalar document: skipped": {
			in:   "just text\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: a string, not a map"},
		},
		"List item without kind": {
			in:      "apiVersion: v1\nkind: List\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: a}}\n  - {apiVersion: v1, metadata: {name: b}}\n",
			wantErr: "app.yaml: document 1: items[1]: object has no apiVersion or kind",
		},
		"nested List item without kind": {
			in:      "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items: [{metadata: {name: b}}]\n",
			wantErr: "app.yaml: document 1: items[0]: items[0]: object has no apiVersion or kind",
		},
		"invalid YAML": {
			in:      "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [\n",
			wantErr: "app.yaml: document 2: error converting YAML to JSON: yaml: line 2: did not find expected node content",
		},
		"tab indentation": {
			in:      "apiVersion: v1\nkind: Pod\n\tmetadata: {name: a}\n",
			wantErr: "app.yaml: document 1: error converting YAML to JSON: yaml: line 3: found a tab character that violates indentation",
		},
		"document that is a sequence": {
			in:   "- apiVersion: v1\n  kind: Pod\n",
			want: []string{"app.yaml#1 skipped: not a Kubernetes object: a list, not a map"},
		},
		"document that is a scalar": {
			in:   "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\nhello\n",
			want: []string{"app.yaml#1 Pod/a", "app.yaml#2 skipped: not a Kubernetes object: a string, not a map"},
		},
		"bad document separator": {
			in:      "apiVersion: v1\nkind: Pod\n--- not a separator\n",
			wantErr: "app.yaml: document 1: invalid Yaml document separator: not a separator",
		},
		"truncated JSON": {
			in:      `{"apiVersion": "v1", "kind": "Pod"`,
			wantErr: "app.yaml: document 1: unexpected EOF",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			docs, err := manifest.Read("app.yaml", strings.NewReader(tc.in))
			if diff := cmp.Diff(tc.wantErr, errString(err)); diff != "" {
				t.Errorf("Read() error mismatch (-want +got):\n%s", diff)
			}
			if err != nil && docs != nil {
				t.Errorf("Read() returned %d documents with its error", len(docs))
			}
			if diff := cmp.Diff(tc.want, names(docs)); diff != "" {
				t.Errorf("Read() documents mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestReadKeepsTheObject checks that the decoded object is the document's
// content, and that each item of a List is its own object.
func TestReadKeepsTheObject(t *testing.T) {
	in := `apiVersion: v1
kind: List
items:
  - apiVersion: ceph.rook.io/v1
    kind: CephCluster
    metadata: {name: rook-ceph, namespace: rook-ceph}
    spec:
      cephVersion: {image: "quay.io/ceph/ceph:v17.2.6"}
  - apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec:
      containers: [{name: a, image: "nginx:1.25"}]
`
	docs, err := manifest.Read("list.yaml", strings.NewReader(in))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	want := []manifest.Document{
		{Source: "list.yaml", Index: 1, Object: &unstructured.Unstructured{Object: map[string]interface{}{
			"apiVersion": "ceph.rook.io/v1", "kind": "CephCluster",
			"metadata": map[string]interface{}{"name": "rook-ceph", "namespace": "rook-ceph"},
			"spec":     map[string]interface{}{"cephVersion": map[string]interface{}{"image": "quay.io/ceph/ceph:v17.2.6"}},
		}}},
		{Source: "list.yaml", Index: 1, Object: &unstructured.Unstructured{Object: map[string]interface{}{
			"apiVersion": "v1", "kind": "Pod",
			"metadata": map[string]interface{}{"name": "p"},
			"spec": map[string]interface{}{"containers": []interface{}{
				map[string]interface{}{"name": "a", "image": "nginx:1.25"},
			}},
		}}},
	}
	if diff := cmp.Diff(want, docs); diff != "" {
		t.Errorf("Read() mismatch (-want +got):\n%s", diff)
	}
}

// write creates the files of tree (path -> content) under dir.
func write(t *testing.T, dir string, tree map[string]string) {
	t.Helper()
	for p, content := range tree {
		p = filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func pod(name string) string {
	return "apiVersion: v1\nkind: Pod\nmetadata: {name: " + name + "}\n"
}

func TestReadPath(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"dir/b.yaml":            pod("b") + "---\n" + pod("b2"),
		"dir/a.yml":             pod("a"),
		"dir/c.json":            `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "c"}}`,
		"dir/D.YAML":            pod("upper"),
		"dir/sub/e.yaml":        pod("e"),
		"dir/dir.yaml/f.yaml":   pod("f"), // a directory with a manifest's extension is walked, not read
		"dir/README.md":         "# not a manifest: {",
		"dir/notes.txt":         "not: [a manifest",
		"dir/yaml":              "not: [a manifest",
		"dir/.hidden/g.yaml":    pod("g"),
		"empty/README.md":       "nothing",
		"broken/a.yaml":         pod("a"),
		"broken/b.yaml":         pod("b") + "---\nkind: [\n",
		"file.txt":              pod("txt"),
		"single.yaml":           pod("s1") + "---\n" + pod("s2"),
		"missingkind/one.yaml":  "apiVersion: v1\nmetadata: {name: x}\n",
		"missingkind/two.yaml":  "apiVersion: v1\nkind: Pod\nmetadata: {name: two}\n",
		"dir2/z.yml":            pod("z"),
		"dir2/sub-dir/a.yaml":   pod("sub-dir-a"),
		"dir2/sub/nested/a.yml": pod("nested-a"),
	})
	in := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	tests := map[string]struct {
		path    string
		stdin   string
		want    []string
		wantErr string
	}{
		"a file": {
			path: in("single.yaml"),
			want: []string{in("single.yaml") + "#1 Pod/s1", in("single.yaml") + "#2 Pod/s2"},
		},
		"a file named on the command line is read whatever its extension": {
			path: in("file.txt"),
			want: []string{in("file.txt") + "#1 Pod/txt"},
		},
		"a directory: .yaml, .yml and .json files, recursively, sorted by path": {
			path: in("dir"),
			want: []string{
				in("dir/.hidden/g.yaml") + "#1 Pod/g",
				in("dir/D.YAML") + "#1 Pod/upper",
				in("dir/a.yml") + "#1 Pod/a",
				in("dir/b.yaml") + "#1 Pod/b",
				in("dir/b.yaml") + "#2 Pod/b2",
				in("dir/c.json") + "#1 Pod/c",
				in("dir/dir.yaml/f.yaml") + "#1 Pod/f",
				in("dir/sub/e.yaml") + "#1 Pod/e",
			},
		},
		"a directory with subdirectories": {
			path: in("dir2"),
			want: []string{
				in("dir2/sub-dir/a.yaml") + "#1 Pod/sub-dir-a",
				in("dir2/sub/nested/a.yml") + "#1 Pod/nested-a",
				in("dir2/z.yml") + "#1 Pod/z",
			},
		},
		"a directory without manifests": {
			path: in("empty"),
		},
		"a directory with an invalid file: the error names the file and document": {
			path:    in("broken"),
			wantErr: in("broken/b.yaml") + ": document 2: error converting YAML to JSON: yaml: line 1: did not find expected node content",
		},
		"a directory with an object without kind: skipped, the rest read": {
			path: in("missingkind"),
			want: []string{in("missingkind/one.yaml") + "#1 skipped: not a Kubernetes object: no apiVersion or kind", in("missingkind/two.yaml") + "#1 Pod/two"},
		},
		"standard input": {
			path:  "-",
			stdin: pod("in1") + "---\n" + pod("in2"),
			want:  []string{"-#1 Pod/in1", "-#2 Pod/in2"},
		},
		"standard input, invalid": {
			path:    "-",
			stdin:   "kind: [\n",
			wantErr: "-: document 1: error converting YAML to JSON: yaml: line 1: did not find expected node content",
		},
		"missing file": {
			path:    in("nope.yaml"),
			wantErr: "stat " + in("nope.yaml") + ": no such file or directory",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			docs, err := manifest.ReadPath(tc.path, strings.NewReader(tc.stdin))
			if diff := cmp.Diff(tc.wantErr, errString(err)); diff != "" {
				t.Errorf("ReadPath(%s) error mismatch (-want +got):\n%s", tc.path, diff)
			}
			if diff := cmp.Diff(tc.want, names(docs), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadPath(%s) documents mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}

func TestReadPathMissingFileIsNotExist(t *testing.T) {
	_, err := manifest.ReadPath(filepath.Join(t.TempDir(), "nope.yaml"), strings.NewReader(""))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadPath(missing) error = %v, want fs.ErrNotExist", err)
	}
}

func TestDocumentString(t *testing.T) {
	obj := func(kind, ns, name string) *unstructured.Unstructured {
		o := &unstructured.Unstructured{Object: map[string]interface{}{}}
		o.SetKind(kind)
		if ns != "" {
			o.SetNamespace(ns)
		}
		if name != "" {
			o.SetName(name)
		}
		return o
	}
	tests := map[string]struct {
		doc  manifest.Document
		want string
	}{
		"namespaced": {
			doc:  manifest.Document{Source: "app.yaml", Index: 2, Object: obj("StatefulSet", "db", "pg")},
			want: "app.yaml#2 StatefulSet/db/pg",
		},
		"cluster-scoped": {
			doc:  manifest.Document{Source: "ns.yaml", Index: 1, Object: obj("Namespace", "", "db")},
			want: "ns.yaml#1 Namespace/db",
		},
		"standard input": {
			doc:  manifest.Document{Source: "-", Index: 3, Object: obj("Pod", "default", "p")},
			want: "-#3 Pod/default/p",
		},
		"no name (generateName)": {
			doc:  manifest.Document{Source: "job.yaml", Index: 1, Object: obj("Job", "ci", "")},
			want: "job.yaml#1 Job/ci/",
		},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			if got := tc.doc.String(); got != tc.want {
				t.Errorf("String() = %q, want %q", got, tc.want)
			}
		})
	}
}
