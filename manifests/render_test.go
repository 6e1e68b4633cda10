package manifests

import (
	"bytes"
	"os/exec"
	"regexp"
	"sort"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/admissible/admissible/webhook/manifest"
)

// objects are rendered objects by "Kind/namespace/name".
type objects map[string]*unstructured.Unstructured

func key(o *unstructured.Unstructured) string {
	return o.GetKind() + "/" + o.GetNamespace() + "/" + o.GetName()
}

// keys lists the objects' keys, sorted.
func (objs objects) keys() []string {
	out := make([]string, 0, len(objs))
	for k := range objs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// get returns the object of that kind and name in the install's namespace
// (or cluster-scoped); a missing object fails the test.
func (objs objects) get(t *testing.T, kind, name string) *unstructured.Unstructured {
	t.Helper()
	for _, ns := range []string{Namespace, ""} {
		if o, ok := objs[kind+"/"+ns+"/"+name]; ok {
			return o
		}
	}
	t.Fatalf("no %s %s among %v", kind, name, objs.keys())
	return nil
}

// typed decodes o into out, refusing unknown fields.
func typed(t *testing.T, o *unstructured.Unstructured, out any) {
	t.Helper()
	data, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, out); err != nil {
		t.Fatalf("%s: %v", key(o), err)
	}
}

func parse(t *testing.T, source string, data []byte) objects {
	t.Helper()
	docs, err := manifest.Read(source, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	objs := objects{}
	for _, d := range docs {
		if d.NotObject != "" {
			t.Fatalf("%s: %s", d, d.NotObject)
		}
		k := key(d.Object)
		if _, dup := objs[k]; dup {
			t.Fatalf("%s: %s twice", source, k)
		}
		objs[k] = d.Object
	}
	return objs
}

// kustomize renders a kustomization directory with kubectl's built-in
// kustomize, as kubectl apply -k does.
func kustomize(t *testing.T, dir string) objects {
	t.Helper()
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Fatal("kubectl is not on the PATH; the manifests are rendered with kubectl kustomize")
	}
	var stderr bytes.Buffer
	cmd := exec.Command("kubectl", "kustomize", dir)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl kustomize %s: %v\n%s", dir, err, stderr.String())
	}
	return parse(t, "kustomize "+dir, out)
}

// helmTemplate renders the chart as helm template would, with values over
// the chart's defaults, into namespace.
func helmTemplate(t *testing.T, values string, namespace string) objects {
	t.Helper()
	out, err := RenderChart("chart", values, namespace)
	if err != nil {
		t.Fatal(err)
	}
	return parse(t, "chart", out)
}

// kustomizeHash is the content hash kustomize appends to generated names.
var kustomizeHash = regexp.MustCompile(`^(admissible-config)-[a-z0-9]{10}$`)

// normalize removes what legitimately differs between the chart and the
// kustomize output: Helm's own labels, the way each rolls pods on a config
// change (kustomize's name hash, the chart's checksum annotation), and the
// config file's formatting.
func normalize(t *testing.T, objs objects) objects {
	t.Helper()
	out := objects{}
	for _, o := range objs {
		o = o.DeepCopy()
		labels := o.GetLabels()
		delete(labels, "helm.sh/chart")
		delete(labels, "app.kubernetes.io/managed-by")
		o.SetLabels(labels)
		o.SetName(kustomizeHash.ReplaceAllString(o.GetName(), "$1"))
		switch o.GetKind() {
		case "ConfigMap":
			data, _, _ := unstructured.NestedStringMap(o.Object, "data")
			for name, content := range data {
				var v any
				if err := yaml.Unmarshal([]byte(content), &v); err != nil {
					t.Fatalf("%s: %s: %v", key(o), name, err)
				}
				if err := unstructured.SetNestedField(o.Object, runtime.DeepCopyJSONValue(v), "data", name); err != nil {
					t.Fatal(err)
				}
			}
		case "Deployment":
			unstructured.RemoveNestedField(o.Object, "spec", "template", "metadata", "annotations", "checksum/config")
			if a, _, _ := unstructured.NestedMap(o.Object, "spec", "template", "metadata", "annotations"); len(a) == 0 {
				unstructured.RemoveNestedField(o.Object, "spec", "template", "metadata", "annotations")
			}
			volumes, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
			for _, v := range volumes {
				if cm, ok := v.(map[string]any)["configMap"].(map[string]any); ok {
					cm["name"] = kustomizeHash.ReplaceAllString(cm["name"].(string), "$1")
				}
			}
			if err := unstructured.SetNestedSlice(o.Object, volumes, "spec", "template", "spec", "volumes"); err != nil {
				t.Fatal(err)
			}
		}
		out[key(o)] = o
	}
	return out
}
