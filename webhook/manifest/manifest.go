package manifest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
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
	// Refused is the API server's refusal of the object, in its words,
	// before any admission: a field its type does not have, a key written
	// twice in the same map, or a value of the wrong type ("Deployment in
	// version "v1" cannot be handled as a Deployment: strict decoding
	// error: unknown field "spec.replicass""). Empty when the object
	// decodes; see the package doc for what is checked.
	Refused string
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

// MaxInput bounds what Read takes from one source: 32 MiB, ten times the
// largest object etcd stores by default.
const MaxInput = 32 << 20

// MaxDocuments bounds the documents Read takes from one source.
const MaxDocuments = 10000

// errTooLarge is the input past MaxInput.
var errTooLarge = fmt.Errorf("larger than %d MiB", MaxInput>>20)

// Read decodes every object of r, naming them after source. An input larger
// than MaxInput or holding more than MaxDocuments is refused; so are YAML
// documents nested deeper than 10,000 levels or expanding aliases
// excessively (a "billion laughs").
func Read(source string, r io.Reader) ([]Document, error) {
	lr := &limitedReader{r: r, n: MaxInput}
	split := newSplitter(bufio.NewReader(lr), 4096)
	var docs []Document
	for i := 1; ; i++ {
		d, err := split.next()
		v := d.value
		if lr.exceeded {
			return nil, fmt.Errorf("%s: %w", source, errTooLarge)
		}
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		if i > MaxDocuments {
			return nil, fmt.Errorf("%s: more than %d documents", source, MaxDocuments)
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
		objs, err := expand(&unstructured.Unstructured{Object: m}, duplicates(d))
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", source, i, err)
		}
		for _, o := range objs {
			docs = append(docs, Document{Source: source, Index: i, Object: o.Unstructured, Refused: refusal(o.Unstructured, o.dups)})
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

// listed is an object read from a document, with the paths of the keys
// written twice in it.
type listed struct {
	*unstructured.Unstructured
	dups []string
}

// expand checks the object's identity and unfolds List kinds. dups are the
// paths of the keys written twice in o: each item of a list takes those
// under it ("items[2].spec.replicas" is item 2's "spec.replicas") and those
// of the list itself.
func expand(o *unstructured.Unstructured, dups []string) ([]listed, error) {
	if o.GetAPIVersion() == "" || o.GetKind() == "" {
		return nil, fmt.Errorf("object has no apiVersion or kind")
	}
	if !o.IsList() {
		return []listed{{o, dups}}, nil
	}
	list, err := o.ToList()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.GetKind(), err)
	}
	var out []listed
	for i := range list.Items {
		prefix := "items[" + strconv.Itoa(i) + "]."
		var own []string
		for _, p := range dups {
			if rest, ok := strings.CutPrefix(p, prefix); ok {
				own = append(own, rest)
			} else if !strings.HasPrefix(p, "items[") {
				own = append(own, p)
			}
		}
		items, err := expand(&list.Items[i], own)
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
	return readFiles(files)
}

// readFiles reads files, GOMAXPROCS at a time (decoding YAML is most of
// the work), and returns their documents in the files' order; the first
// file in that order that cannot be read is the error.
func readFiles(files []string) ([]Document, error) {
	read := make([][]Document, len(files))
	errs := make([]error, len(files))
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, f := range files {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			read[i], errs[i] = readFile(f)
		})
	}
	wg.Wait()
	var docs []Document
	for i := range files {
		if errs[i] != nil {
			return nil, errs[i]
		}
		docs = append(docs, read[i]...)
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

// limitedReader reads at most n bytes of r, then fails with errTooLarge and
// remembers it: the YAML decoder does not always pass a read error on.
type limitedReader struct {
	r        io.Reader
	n        int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		if len(p) == 0 {
			return 0, nil
		}
		// One byte more tells a source of exactly n bytes from a longer one.
		var one [1]byte
		if k, _ := io.ReadFull(l.r, one[:]); k == 0 {
			return 0, io.EOF
		}
		l.exceeded = true
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}
