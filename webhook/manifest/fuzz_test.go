package manifest

import (
	"bytes"
	"testing"
)

// FuzzRead: any file is read or refused with an error naming it, never a
// panic; every object read has an apiVersion and a kind, every other
// document says why it is not an object.
func FuzzRead(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: c, image: nginx}]\n"))
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
				continue
			}
			if d.Object.GetAPIVersion() == "" || d.Object.GetKind() == "" {
				t.Fatalf("%s: read without apiVersion or kind", d)
			}
		}
	})
}
