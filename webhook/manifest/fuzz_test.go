package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// FuzzRead: any file is read or refused with an error naming it, never a
// panic; every object read has an apiVersion and a kind, every other
// document says why it is not an object (and is not refused: it is not
// sent).
func FuzzRead(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: nginx}]\n"))
	f.Add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - &c {name: c, image: nginx, imagePullPolicyy: Always}\n        - <<: *c\n          name: d\n  replicas: 2\n"))
	f.Add([]byte(`{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Pod", "spec": {"x": 1, "x": 2}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Read("fuzz.yaml", bytes.NewReader(data))
		if err != nil {
			if !bytes.Contains([]byte(err.Error()), []byte("fuzz.yaml")) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, d := range docs {
			if d.Object == nil {
				if d.NotObject == "" {
					t.Fatalf("%s#%d: neither an object nor why not", d.Source, d.Index)
				}
				if d.Refused != "" {
					t.Fatalf("%s#%d: not an object, yet refused: %s", d.Source, d.Index, d.Refused)
				}
				continue
			}
			if d.Object.GetAPIVersion() == "" || d.Object.GetKind() == "" {
				t.Fatalf("%s: read without apiVersion or kind", d)
			}
		}
	})
}

// FuzzSplit: the splitter reads every stream as the API machinery's
// YAMLOrJSONDecoder does, the same documents with the same values, and
// fails where it fails, with the same error; and each document it keeps
// decodes to its value again.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Pod\n---\n# c\n---\n\n---\nkind: [\n",
		`{"a": 1} {"b": [2]}` + "\n" + `{"c": "x"}`,
		"{\"a\": 1}\n---\nb: 2\n---\nc: 3\n",
		"{\"a\": 1}  \n  b: 2\n",
		"{\"a\": 1} zz",
		"{\"a\": 1}\n\xff",
		"  \n\t{\"a\": {\"b\": 1, \"b\": 2}}",
		"{\"a\": 1e400}\n---\nb: 1\n",
		"--- not a separator\n",
		"a: &x {b: 1}\nc:\n  <<: *x\n  b: 2\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lib := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 64)
		split := newSplitter(bytes.NewReader(data), 64)
		for i := 1; i <= 100; i++ {
			var want any
			wantErr := lib.Decode(&want)
			got, gotErr := split.next()
			if fmt.Sprint(wantErr) != fmt.Sprint(gotErr) {
				t.Fatalf("document %d: error %v, want %v", i, gotErr, wantErr)
			}
			if wantErr != nil {
				return
			}
			if diff := cmp.Diff(want, got.value, cmpopts.EquateNaNs()); diff != "" {
				t.Fatalf("document %d mismatch (-want +got):\n%s", i, diff)
			}
			var again any
			if got.isJSON {
				err := json.Unmarshal(got.raw, &again)
				if err != nil {
					t.Fatalf("document %d: %v", i, err)
				}
			} else if len(got.raw) > 0 {
				if err := yaml.Unmarshal(got.raw, &again); err != nil {
					t.Fatalf("document %d: %v", i, err)
				}
			}
			if diff := cmp.Diff(want, again, cmpopts.EquateNaNs()); diff != "" {
				t.Fatalf("document %d: its bytes %q decode to something else (-want +got):\n%s", i, got.raw, diff)
			}
		}
	})
}
