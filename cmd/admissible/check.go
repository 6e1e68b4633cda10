package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/klog/v2"

	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/defaults"
	"github.com/admissible/admissible/webhook/judge"
	"github.com/admissible/admissible/webhook/judge/admissionchain"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/judge/platforms"
	"github.com/admissible/admissible/webhook/judge/podadmission"
	"github.com/admissible/admissible/webhook/judge/podcreate"
	"github.com/admissible/admissible/webhook/manifest"
	"github.com/admissible/admissible/webhook/serving"
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
	judge.Verdict
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
	budget := fs.Duration("budget", defaults.CheckBudget, "time the lookups of one object may take")
	kubeVersion := kubeVersionFlag(fs, podcreate.LibraryVersion)
	kubeconfig := fs.String("kubeconfig", "", "read the cluster as the webhook does (namespace labels, service accounts, classes, limit ranges, quotas, admission policies, pull secrets) through this kubeconfig, instead of judging offline")
	useContext := fs.Bool("current-context", false, "read the cluster of the current kubeconfig context, as --kubeconfig does")
	var platformList stringList
	fs.Var(&platformList, "platform", "the nodes' platforms, comma-separated or repeated (linux/amd64,linux/arm64): images must serve them (default: the configuration's platforms; with --kubeconfig, the cluster's nodes)")
	var lookup lookupFlags
	lookup.register(fs, defaults.CheckEndpointTimeout)
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
	online := *kubeconfig != "" || *useContext
	if !online {
		if err := emulate(*kubeVersion); err != nil {
			return unusable(fmt.Errorf("--kube-version: %w", err))
		}
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return unusable(err)
	}
	overrideFromFile(cfg, fs, budget, &lookup.endpointTimeout)
	lk, err := lookup.resolver(cfg, nil)
	if err != nil {
		return unusable(err)
	}
	nodePlatforms, err := config.ParsePlatforms(splitCommas(platformList))
	if err != nil {
		return unusable(fmt.Errorf("--platform: %w", err))
	}
	if len(nodePlatforms) == 0 {
		nodePlatforms = cfg.NodePlatforms()
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
	routeKlog(logr.Discard()) // informers' and plugins' logs are not check's output
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	opts := append(cfg.EngineOptions(), judge.WithRegistryCircleOnWorkloads(circle.New(set, walk)))
	var namespaces serving.NamespaceLabeler
	if online {
		var clusterOpts []judge.Option
		clusterOpts, namespaces, err = checkCluster(ctx, *kubeconfig, *kubeVersion, cfg, lk, nodePlatforms)
		if err != nil {
			return unusable(err)
		}
		opts = append(opts, clusterOpts...)
	} else {
		chain, err := admissionchain.New(ctx, admissionchain.FromManifests(objects(docs)), cfg.AdmissionChain())
		if err != nil {
			return unusable(err)
		}
		opts = append(opts, judge.WithAdmissionChain(chain))
		if len(nodePlatforms) > 0 {
			opts = append(opts, judge.WithJudge(platforms.NewStatic(nodePlatforms, lk.platforms)))
		}
	}
	engine := judge.NewEngine(lk.resolver, opts...)

	results := judgeAll(ctx, engine, namespaces, docs, *budget)
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
	printText(stdout, docs, results, online)
	return code
}

// checkCluster reads the cluster as serve does: the engine options that
// judge with what it holds, and its namespaces' labels. The platforms check
// reads its nodes, unless nodePlatforms are given.
func checkCluster(ctx context.Context, kubeconfig, kubeVersion string, cfg *config.File, lk lookups, nodePlatforms []ocispec.Platform) ([]judge.Option, serving.NamespaceLabeler, error) {
	c, minor, err := startCluster(ctx, kubeconfig, kubeVersion, logr.Discard())
	if err != nil {
		return nil, nil, err
	}
	admission, err := podadmission.New(c.Objects, cfg.PodAdmission(), minor)
	if err != nil {
		return nil, nil, err
	}
	chain, err := admissionchain.New(ctx, c.Admission, cfg.AdmissionChain())
	if err != nil {
		return nil, nil, err
	}
	platformJudge := platforms.New(c.Circle, lk.platforms)
	if len(nodePlatforms) > 0 {
		platformJudge = platforms.NewStatic(nodePlatforms, lk.platforms)
	}
	return []judge.Option{judge.WithCredentials(c.Credentials), judge.WithPodAdmission(admission), judge.WithAdmissionChain(chain), judge.WithJudge(platformJudge)}, c.Namespaces, nil
}

// splitCommas splits each value at its commas and drops empty ones.
func splitCommas(values []string) []string {
	var out []string
	for _, v := range values {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// checkParallelism is how many documents are judged at once: their lookups
// of distinct images run in parallel (each registry host still gets at
// most 16 requests at once), and shared ones are made once.
const checkParallelism = 32

// judgeAll judges every document, checkParallelism at a time, each within
// budget, and returns the results in the documents' order.
// With namespaces, each object is judged with its namespace's labels, as the
// webhook judges it.
func judgeAll(ctx context.Context, engine *judge.Engine, namespaces serving.NamespaceLabeler, docs []manifest.Document, budget time.Duration) []checkResult {
	results := make([]checkResult, len(docs))
	slots := make(chan struct{}, checkParallelism)
	var wg sync.WaitGroup
	for i, d := range docs {
		if d.NotObject != "" {
			results[i] = checkResult{Source: d.Source, Document: d.Index, Allowed: true, NotObject: d.NotObject}
			continue
		}
		if d.Refused != "" { // the API server refuses it before admission
			results[i] = checkResult{Source: d.Source, Document: d.Index, Kind: d.Object.GetKind(), Namespace: d.Object.GetNamespace(), Name: d.Object.GetName(), Problems: []string{d.Refused}}
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
					ns = metav1.NamespaceDefault
				}
				req.NamespaceLabels, _ = namespaces.NamespaceLabels(ctx, ns)
			}
			v := engine.Judge(ctx, req)
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

// objects are the documents that are Kubernetes objects the API server
// would store.
func objects(docs []manifest.Document) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, 0, len(docs))
	for _, d := range docs {
		if d.NotObject == "" && d.Refused == "" {
			out = append(out, d.Object)
		}
	}
	return out
}

// printText prints one block per document and a summary line.
func printText(w io.Writer, docs []manifest.Document, results []checkResult, online bool) {
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

// klogOnce sets where client-go's and the admission plugins' klog output
// goes, once per process: klog's logger is a global that informers still
// running (an earlier check's, in tests) read without a lock.
var klogOnce sync.Once

func routeKlog(l logr.Logger) { klogOnce.Do(func() { klog.SetLogger(l) }) }
