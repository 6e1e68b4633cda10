// Package corpus loads the real-world workload corpus: manifests copied
// unchanged from public projects' rendered installs, examples and test
// outputs (sidecar-injected ones among them). Nothing in it was written
// here. Every file is listed in SOURCES with the repository, commit and path
// it was copied from; README.md says what each project contributes.
//
// A file holds any number of YAML documents; Load keeps the workloads among
// them (Kinds, whether or not the API server still serves their version, see
// Workload.Served) and skips everything else (Services, RBAC, CRDs...).
package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Kinds are the kinds of workload the corpus is about.
var Kinds = map[string]bool{
	"Pod": true, "Deployment": true, "StatefulSet": true, "DaemonSet": true, "ReplicaSet": true,
	"ReplicationController": true, "Job": true, "CronJob": true,
}

// served are the group versions in which current API servers serve each
// workload kind.
var served = map[schema.GroupVersionKind]bool{
	{Version: "v1", Kind: "Pod"}:                        true,
	{Version: "v1", Kind: "ReplicationController"}:      true,
	{Group: "apps", Version: "v1", Kind: "Deployment"}:  true,
	{Group: "apps", Version: "v1", Kind: "StatefulSet"}: true,
	{Group: "apps", Version: "v1", Kind: "DaemonSet"}:   true,
	{Group: "apps", Version: "v1", Kind: "ReplicaSet"}:  true,
	{Group: "batch", Version: "v1", Kind: "Job"}:        true,
	{Group: "batch", Version: "v1", Kind: "CronJob"}:    true,
}

// Workload is one workload document of the corpus.
type Workload struct {
	// File is the file's path below the corpus root, e.g.
	// "linkerd/cli/cmd/testdata/inject_emojivoto_deployment.golden.yml";
	// its first element is the project.
	File string
	// Doc is the document's index in the file (from 0); Item is the index
	// in a List document's items, -1 for a document that is no List.
	Doc, Item int
	// Object is the document as read.
	Object *unstructured.Unstructured
	// Source is where File was copied from.
	Source Source
}

// Project is the corpus directory the workload's file is in.
func (w Workload) Project() string {
	p, _, _ := strings.Cut(w.File, "/")
	return p
}

// ID names the workload: file, document (and item), kind and name.
func (w Workload) ID() string {
	at := fmt.Sprintf("#%d", w.Doc)
	if w.Item >= 0 {
		at += fmt.Sprintf(".items[%d]", w.Item)
	}
	name := w.Object.GetName()
	if name == "" {
		name = w.Object.GetGenerateName() + "*"
	}
	return fmt.Sprintf("%s%s %s/%s", w.File, at, w.Object.GetKind(), name)
}

// Served reports whether current API servers serve the workload's
// apiVersion (batch/v1beta1 CronJobs and extensions/v1beta1 DaemonSets of
// old manifests are not).
func (w Workload) Served() bool {
	return served[w.Object.GroupVersionKind()]
}

// Source is where a corpus file comes from.
type Source struct {
	// File is the path below the corpus root.
	File string
	// Repo is the GitHub repository, owner/name.
	Repo string
	// Commit is the commit the file was copied at.
	Commit string
	// Path is the file's path in Repo.
	Path string
}

// Dir is the corpus root: the directory of this package's source.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	return filepath.Dir(file)
}

// Sources reads SOURCES under root: one line per file, "file repo commit
// path"; blank lines and lines starting with # are skipped.
func Sources(root string) ([]Source, error) {
	data, err := os.ReadFile(filepath.Join(root, "SOURCES"))
	if err != nil {
		return nil, err
	}
	var out []Source
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 {
			return nil, fmt.Errorf("SOURCES line %d: want \"file repo commit path\", got %q", i+1, line)
		}
		out = append(out, Source{File: f[0], Repo: f[1], Commit: f[2], Path: f[3]})
	}
	return out, nil
}

// Load reads every file SOURCES lists under root and returns its workloads,
// in SOURCES order. A document that is not YAML is an error.
func Load(root string) ([]Workload, error) {
	sources, err := Sources(root)
	if err != nil {
		return nil, err
	}
	var out []Workload
	for _, s := range sources {
		ws, err := loadFile(root, s)
		if err != nil {
			return nil, err
		}
		out = append(out, ws...)
	}
	return out, nil
}

// typeMeta is what decides whether a document is a workload.
type typeMeta struct {
	APIVersion string            `json:"apiVersion"`
	Kind       string            `json:"kind"`
	Items      []json.RawMessage `json:"items"`
}

func loadFile(root string, s Source) ([]Workload, error) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(s.File)))
	if err != nil {
		return nil, err
	}
	docs, err := Documents(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.File, err)
	}
	var out []Workload
	for i, doc := range docs {
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", s.File, i, err)
		}
		if bytes.Equal(bytes.TrimSpace(js), []byte("null")) {
			continue
		}
		var tm typeMeta
		if err := json.Unmarshal(js, &tm); err != nil {
			// A scalar or sequence document: nothing Kubernetes reads.
			continue
		}
		if strings.HasSuffix(tm.Kind, "List") && tm.Items != nil {
			for j, item := range tm.Items {
				w, ok, err := workload(item)
				if err != nil {
					return nil, fmt.Errorf("%s: document %d item %d: %w", s.File, i, j, err)
				}
				if ok {
					out = append(out, Workload{File: s.File, Doc: i, Item: j, Object: w, Source: s})
				}
			}
			continue
		}
		w, ok, err := workload(js)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w", s.File, i, err)
		}
		if ok {
			out = append(out, Workload{File: s.File, Doc: i, Item: -1, Object: w, Source: s})
		}
	}
	return out, nil
}

// workload decodes a JSON document that is a workload.
func workload(js []byte) (*unstructured.Unstructured, bool, error) {
	var tm typeMeta
	if err := json.Unmarshal(js, &tm); err != nil || !Kinds[tm.Kind] || tm.APIVersion == "" {
		return nil, false, nil
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(js); err != nil {
		return nil, false, err
	}
	return obj, true, nil
}

// Documents splits a YAML stream into its documents, as kubectl does.
func Documents(data []byte) ([][]byte, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var docs [][]byte
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
}

// Count is the corpus's workloads by project and kind.
type Count map[string]map[string]int

// Counts counts ws by project and kind.
func Counts(ws []Workload) Count {
	c := Count{}
	for _, w := range ws {
		p := w.Project()
		if c[p] == nil {
			c[p] = map[string]int{}
		}
		c[p][w.Object.GetKind()]++
	}
	return c
}

// Projects are c's projects, sorted.
func (c Count) Projects() []string {
	out := make([]string, 0, len(c))
	for p := range c {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
