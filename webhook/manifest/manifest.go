package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/yaml"
)

// Document is one object read from a file.
type Document struct {
	// Source is the file name ("-" for standard input).
	Source string
	// Index is the document's position in the file, from 1.
	Index int
	// Object is the decoded object; nil when NotObject says why the
	// document is not one.
	Object *unstructured.Unstructured
	// NotObject says why the document is not a Kubernetes object, and so
	// not judged: a kustomization, Helm values or a CI file has no
	// apiVersion or kind.
	NotObject string
}

// String names the document and the object: "app.yaml#2 StatefulSet/db/pg".
func (d Document) String() string {
	o := d.Object
	if o == nil {
		return fmt.Sprintf("%s#%d", d.Source, d.Index)
	}
	id := o.GetKind() + "/"
	if ns := o.GetNamespace(); ns != "" {
		id += ns + "/"
	}
	id += o.GetName()
	return fmt.Sprintf("%s#%d %s", d.Source, d.Index, id)
}

// Read decodes every object of r, naming them after source.
func Read(source string, r io.Reader) ([]Document, error) {
	dec := yaml.NewYAMLOrJSONDecoder(bufio.NewReader(r), 4096)
	var docs []Document
	for i := 1; ; i++ {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		m, isMap := v.(map[string]any)
		switch {
		case v == nil || isMap && len(m) == 0:
			continue
		case !isMap:
			docs = append(docs, Document{Source: source, Index: i, NotObject: fmt.Sprintf("not a Kubernetes object: a %s, not a map", shape(v))})
			continue
		}
		if u := (&unstructured.Unstructured{Object: m}); u.GetAPIVersion() == "" || u.GetKind() == "" {
			docs = append(docs, Document{Source: source, Index: i, NotObject: "not a Kubernetes object: no apiVersion or kind"})
			continue
		}
		objs, err := expand(&unstructured.Unstructured{Object: m})
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		for _, o := range objs {
			docs = append(docs, Document{Source: source, Index: i, Object: o})
		}
	}
}

// shape names what a document that is not a map is.
func shape(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "string"
	case bool:
		return "boolean"
	default:
		return "number"
	}
}

// expand checks the object's identity and unfolds List kinds.
func expand(o *unstructured.Unstructured) ([]*unstructured.Unstructured, error) {
	if o.GetAPIVersion() == "" || o.GetKind() == "" {
		return nil, fmt.Errorf("object has no apiVersion or kind")
	}
	if !o.IsList() {
		return []*unstructured.Unstructured{o}, nil
	}
	list, err := o.ToList()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.GetKind(), err)
	}
	var out []*unstructured.Unstructured
	for i := range list.Items {
		items, err := expand(&list.Items[i])
		if err != nil {
			return nil, fmt.Errorf("items[%d]: %w", i, err)
		}
		out = append(out, items...)
	}
	return out, nil
}

// ReadPath reads a file, every .yaml, .yml and .json file under a directory
// (sorted by path), or standard input for "-".
func ReadPath(path string, stdin io.Reader) ([]Document, error) {
	if path == "-" {
		return Read("-", stdin)
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return readFile(path)
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			if !d.IsDir() {
				files = append(files, p)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var docs []Document
	for _, f := range files {
		d, err := readFile(f)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	return docs, nil
}

func readFile(path string) ([]Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f)
}
