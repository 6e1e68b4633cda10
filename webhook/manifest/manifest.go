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
	// Object is the decoded object.
	Object *unstructured.Unstructured
}

// String names the document and the object: "app.yaml#2 StatefulSet/db/pg".
func (d Document) String() string {
	o := d.Object
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
		var m map[string]interface{}
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if len(m) == 0 {
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
