package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/admissible/admissible/config"
	"github.com/admissible/admissible/webhook"
	"github.com/admissible/admissible/webhook/manifest"
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
	webhook.Verdict
}

func check(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var files stringList
	fs.Var(&files, "f", "manifest file, directory or - for standard input (repeatable)")
	configPath := fs.String("config", "", "configuration file, as serve reads it (namespace labels do not apply: there is no cluster)")
	output := fs.String("o", "text", "output format: text or json")
	budget := fs.Duration("budget", 30*time.Second, "time the lookups of one object may take")
	var lookup lookupFlags
	lookup.register(fs, 5*time.Second)
	if err := fs.Parse(args); err != nil {
		return exitUnusable
	}
	unusable := func(err error) int {
		fmt.Fprintf(stderr, "admissible check: %v\n", err)
		return exitUnusable
	}
	if len(files) == 0 {
		return unusable(fmt.Errorf("no input: name manifests with -f FILE, -f DIR or -f -"))
	}
	if *output != "text" && *output != "json" {
		return unusable(fmt.Errorf("-o %q: must be text or json", *output))
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
	engine := webhook.NewEngine(resolver, cfg.EngineOptions()...)
	var docs []manifest.Document
	for _, f := range files {
		d, err := manifest.ReadPath(f, stdin)
		if err != nil {
			return unusable(err)
		}
		docs = append(docs, d...)
	}

	results := make([]checkResult, 0, len(docs))
	code := exitAdmitted
	for _, d := range docs {
		ctx, cancel := context.WithTimeout(context.Background(), *budget)
		v := engine.Judge(ctx, webhook.Request{Object: d.Object})
		cancel()
		if !v.Allowed() {
			code = exitRefused
		}
		results = append(results, checkResult{
			Source: d.Source, Document: d.Index, Kind: d.Object.GetKind(),
			Namespace: d.Object.GetNamespace(), Name: d.Object.GetName(),
			Allowed: v.Allowed(), Problems: v.Problems(), Verdict: v,
		})
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

// printText prints one block per document and a summary line.
func printText(w io.Writer, docs []manifest.Document, results []checkResult) {
	var refused, admitted, skipped int
	for i, r := range results {
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
	fmt.Fprintf(w, "%d %s: %d refused, %d admitted, %d not judged\n", len(results), plural(len(results), "object", "objects"), refused, admitted, skipped)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
