package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-logr/logr"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
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
	"github.com/admissible/admissible/webhook/report"
	"github.com/admissible/admissible/webhook/serving"
)

// Exit codes of check.
const (
	exitAdmitted = 0
	exitRefused  = 1
	exitUnusable = 2
)

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
	var mirrorSetsConfig *rest.Config
	var mirrorSets []schema.GroupVersionResource
	if online {
		mirrorSetsConfig, mirrorSets = lookup.servedMirrorSets(cfg, *kubeconfig)
	}
	lk, err := lookup.resolver(cfg, nil)
	if err != nil {
		return unusable(err)
	}
	flagPlatforms, err := config.ParsePlatforms(splitCommas(platformList))
	if err != nil {
		return unusable(fmt.Errorf("--platform: %w", err))
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
		clusterOpts, namespaces, err = checkCluster(ctx, *kubeconfig, *kubeVersion, cfg, lk, flagPlatforms)
		if err != nil {
			return unusable(err)
		}
		if err := lk.watchMirrorSets(ctx, mirrorSetsConfig, mirrorSets, logr.Discard()); err != nil {
			return unusable(fmt.Errorf("mirror sets: %w", err))
		}
		opts = append(opts, clusterOpts...)
	} else {
		chain, err := admissionchain.New(ctx, admissionchain.FromManifests(objects(docs)), cfg.AdmissionChain())
		if err != nil {
			return unusable(err)
		}
		opts = append(opts, judge.WithAdmissionChain(chain))
		named := flagPlatforms
		if len(named) == 0 {
			named = cfg.NodePlatforms()
		}
		if j := platforms.Pick(named, nil, lk.platforms); j != nil {
			opts = append(opts, judge.WithJudge(j))
		}
	}
	engine := judge.NewEngine(lk.resolver, opts...)

	results := report.Judge(ctx, engine, namespaces, docs, *budget)
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
	report.Text(stdout, docs, results, online)
	return code
}

// checkCluster reads the cluster as serve does: the engine options that
// judge with what it holds, and its namespaces' labels. The platforms check
// reads its nodes, unless --platform names platforms.
func checkCluster(ctx context.Context, kubeconfig, kubeVersion string, cfg *config.File, lk lookups, flagPlatforms []ocispec.Platform) ([]judge.Option, serving.NamespaceLabeler, error) {
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
	return []judge.Option{judge.WithCredentials(c.Credentials), judge.WithPodAdmission(admission), judge.WithAdmissionChain(chain),
		judge.WithJudge(platforms.Pick(flagPlatforms, c.Circle, lk.platforms))}, c.Namespaces, nil
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

// klogOnce sets where client-go's and the admission plugins' klog output
// goes, once per process: klog's logger is a global that informers still
// running (an earlier check's, in tests) read without a lock.
var klogOnce sync.Once

func routeKlog(l logr.Logger) { klogOnce.Do(func() { klog.SetLogger(l) }) }
