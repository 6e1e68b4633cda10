package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/admissible/admissible/webhook"
	"github.com/admissible/admissible/webhook/circle"
	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/manifest"
	"github.com/admissible/admissible/webhook/podcreate"
)

// Exit codes of check.
const (
	exitAdmitted = 0
	exitRefused  = 1
	exitUnusable = 2
)

// checkResult is one document's verdict, as printed with -o json.
type checkResult struct {
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
	webhook.Verdict
}

func check(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "f", "manifest file, directory or - for standard input (repeatable)")
	var kustomizations stringList
	fs.Var(&kustomizations, "k", "kustomization directory, rendered as kubectl kustomize does (repeatable)")
	configPath := fs.String("config", "", "configuration file, as serve reads it (namespace labels do not apply: there is no cluster)")
	output := fs.String("o", "text", "output format: text or json")
	budget := fs.Duration("budget", 30*time.Second, "time the lookups of one object may take")
	kubeVersion := kubeVersionFlag(fs, podcreate.LibraryVersion)
	var lookup lookupFlags
	lookup.register(fs, 5*time.Second)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	unusable := func(err error) int {
		fmt.Fprintf(stderr, "admissible check: %v\n", err)
		return exitUnusable
	}
	if len(files) == 0 && len(kustomizations) == 0 {
		return unusable(fmt.Errorf("no input: name manifests with -f FILE, -f DIR, -f - or -k DIR"))
	}
	if *output != "text" && *output != "json" {
		return unusable(fmt.Errorf("-o %q: must be text or json", *output))
	}
	if err := emulate(*kubeVersion); err != nil {
		return unusable(fmt.Errorf("--kube-version: %w", err))
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return unusable(err)
	}
	overrideFromFile(cfg, fs, budget, &lookup.endpointTimeout)
	resolver, _, err := lookup.resolver(cfg, nil)
	if err != nil {
		return unusable(err)
	}
	var docs []manifest.Document
	for _, f := range files {
		d, err := manifest.ReadPath(f, stdin)
		if err != nil {
			return unusable(err)
		}
		docs = append(docs, d...)
	}
	for _, dir := range kustomizations {
		d, err := kustomize(dir)
		if err != nil {
			return unusable(err)
		}
		docs = append(docs, d...)
	}
	walk, err := lookup.walk(cfg)
	if err != nil {
		return unusable(err)
	}
	set, err := circle.NewSet(objects(docs))
	if err != nil {
		return unusable(err)
	}
	engine := webhook.NewEngine(resolver, append(cfg.EngineOptions(), webhook.WithRegistryCircleOnWorkloads(circle.New(set, walk)))...)

	results := judgeAll(engine, docs, *budget)
	code := exitAdmitted
	for _, r := range results {
		if !r.Allowed {
			code = exitRefused
		}
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return unusable(err)
		}
		return code
	}
	printText(stdout, docs, results)
	return code
}

// checkParallelism is how many documents are judged at once: their lookups
// of distinct images run in parallel (each registry host still gets at
// most 16 requests at once), and shared ones are made once.
const checkParallelism = 32

// judgeAll judges every document, checkParallelism at a time, each within
// budget, and returns the results in the documents' order.
func judgeAll(engine *webhook.Engine, docs []manifest.Document, budget time.Duration) []checkResult {
	results := make([]checkResult, len(docs))
	slots := make(chan struct{}, checkParallelism)
	var wg sync.WaitGroup
	for i, d := range docs {
		if d.NotObject != "" {
			results[i] = checkResult{Source: d.Source, Document: d.Index, Allowed: true, NotObject: d.NotObject}
			continue
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			ctx, cancel := context.WithTimeout(context.Background(), budget)
			defer cancel()
			v := engine.Judge(ctx, webhook.Request{Object: d.Object})
			results[i] = checkResult{
				Source: d.Source, Document: d.Index, Kind: d.Object.GetKind(),
				Namespace: d.Object.GetNamespace(), Name: d.Object.GetName(),
				Allowed: v.Allowed(), Problems: v.Problems(), Verdict: v,
			}
		})
	}
	wg.Wait()
	return results
}

// objects are the documents that are Kubernetes objects.
func objects(docs []manifest.Document) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(docs))
	for _, d := range docs {
		if d.NotObject == "" {
			out = append(out, d.Object)
		}
	}
	return out
}

// printText prints one block per document and a summary line.
func printText(w io.Writer, docs []manifest.Document, results []checkResult) {
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
	fmt.Fprintf(w, "not checked offline (they need the cluster): PodSecurity, and whether the ServiceAccount, PriorityClass and RuntimeClass pods name exist; pod rules of Kubernetes %s\n", podcreate.EmulatedVersion())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
