package report

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/podcreate"
	"github.com/admissible/admissible/webhook/manifest"
	"github.com/admissible/admissible/webhook/serving"
)

// Result is one document's verdict, as check prints it with -o json.
type Result struct {
	Source    string   `json:"source"`
	Document  int      `json:"document"`
	Kind      string   `json:"kind"`
	Namespace string   `json:"namespace,omitempty"`
	Name      string   `json:"name"`
	Allowed   bool     `json:"allowed"`
	Problems  []string `json:"problems,omitempty"`
	// NotObject says why a document was not judged: it is not a Kubernetes
	// object (a kustomization, Helm values, a CI file).
	NotObject string `json:"notObject,omitempty"`
	judge.Verdict
}

// Parallelism is how many documents are judged at once: their lookups
// of distinct images run in parallel (each registry host still gets at
// most 16 requests at once), and shared ones are made once.
const Parallelism = 32

// Judge judges every document, Parallelism at a time, each within
// budget, and returns the results in the documents' order.
// With namespaces, each object is judged with its namespace's labels, as the
// webhook judges it.
func Judge(ctx context.Context, engine *judge.Engine, namespaces serving.NamespaceLabeler, docs []manifest.Document, budget time.Duration) []Result {
	results := make([]Result, len(docs))
	slots := make(chan struct{}, Parallelism)
	var wg sync.WaitGroup
	for i, d := range docs {
		if d.NotObject != "" {
			results[i] = Result{Source: d.Source, Document: d.Index, Allowed: true, NotObject: d.NotObject}
			continue
		}
		if d.Refused != "" { // the API server refuses it before admission
			results[i] = Result{Source: d.Source, Document: d.Index, Kind: d.Object.GetKind(), Namespace: d.Object.GetNamespace(), Name: d.Object.GetName(), Problems: []string{d.Refused}}
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			ctx, cancel := context.WithTimeout(ctx, budget)
			defer cancel()
			req := judge.Request{Object: d.Object}
			if namespaces != nil {
				ns := d.Object.GetNamespace()
				if ns == "" {
					ns = corev1.NamespaceDefault
				}
				req.NamespaceLabels, _ = namespaces.NamespaceLabels(ctx, ns)
			}
			v := engine.Judge(ctx, req)
			results[i] = Result{
				Source: d.Source, Document: d.Index, Kind: d.Object.GetKind(),
				Namespace: d.Object.GetNamespace(), Name: d.Object.GetName(),
				Allowed: v.Allowed(), Problems: v.Problems(), Verdict: v,
			}
		})
	}
	wg.Wait()
	return results
}

// Text prints one block per document and a summary line; online says
// whether the cluster was read.
func Text(w io.Writer, docs []manifest.Document, results []Result, online bool) {
	var refused, admitted, skipped, notObjects int
	for i, r := range results {
		if r.NotObject != "" {
			notObjects++
			fmt.Fprintf(w, "%s: skipped, %s\n", docs[i], r.NotObject)
			continue
		}
		status := "admitted"
		switch {
		case !r.Allowed:
			status, refused = "refused", refused+1
		case r.Skipped:
			status, skipped = "not judged (kind not handled)", skipped+1
		default:
			admitted++
		}
		fmt.Fprintf(w, "%s: %s\n", docs[i], status)
		for _, p := range r.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
		for _, warn := range r.Warnings {
			fmt.Fprintf(w, "  warning: %s\n", warn)
		}
	}
	objects := len(results) - notObjects
	fmt.Fprintf(w, "%d %s: %d refused, %d admitted, %d not judged", objects, plural(objects, "object", "objects"), refused, admitted, skipped)
	if notObjects > 0 {
		fmt.Fprintf(w, "; %d %s skipped", notObjects, plural(notObjects, "document that is not a Kubernetes object", "documents that are not Kubernetes objects"))
	}
	fmt.Fprintln(w)
	if online {
		fmt.Fprintf(w, "judged with the cluster's objects; pod rules of Kubernetes %s\n", podcreate.EmulatedVersion())
		return
	}
	fmt.Fprintf(w, "not checked offline (they need the cluster, or --kubeconfig): PodSecurity, and whether the ServiceAccount, PriorityClass and RuntimeClass pods name exist; admission plugins read only these manifests' objects; pod rules of Kubernetes %s\n", podcreate.EmulatedVersion())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
