package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/probe"
	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/manifest"
)

// defaultSample is the image probed on a registry with no --sample.
const defaultSample = "library/alpine:latest"

// mirrorsCommand runs "admissible mirrors check".
func mirrorsCommand(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: admissible mirrors check --config FILE | --containerd-hosts DIR | --registries-conf FILE [--registries-conf-dir DIR] [-f FILE|DIR|-]... [--sample REGISTRY=REPOSITORY:TAG]... [-o text|json]")
		return exitUnusable
	}
	fs := flag.NewFlagSet("mirrors check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file whose mirrors are probed")
	hostsDir := fs.String("containerd-hosts", "", "containerd certs.d directory whose hosts are probed")
	registriesConf := fs.String("registries-conf", "", "CRI-O nodes' registries.conf whose sources are probed")
	registriesConfDir := fs.String("registries-conf-dir", "", "CRI-O nodes' registries.conf.d whose sources are probed")
	output := fs.String("o", "text", "output format: text or json")
	timeout := fs.Duration("timeout", 10*time.Second, "time one request may take")
	var files stringList
	fs.Var(&files, "f", "manifests of the cluster (file, directory or -; repeatable): endpoints that reach one of their Services are reported, with the fallback after them")
	var samples stringList
	fs.Var(&samples, "sample", "image to look up on a registry's endpoints, as REGISTRY=REPOSITORY:TAG (repeatable; default "+defaultSample+")")
	if err := fs.Parse(args[1:]); err != nil {
		return exitUnusable
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "admissible mirrors check: "+format+"\n", a...)
		return exitUnusable
	}
	if *configPath == "" && *hostsDir == "" && *registriesConf == "" && *registriesConfDir == "" {
		return fail("name the mirrors with --config, --containerd-hosts or --registries-conf")
	}
	if *output != "text" && *output != "json" {
		return fail("-o %q: must be text or json", *output)
	}
	sampleFor := map[string]string{}
	for _, s := range samples {
		reg, img, ok := strings.Cut(s, "=")
		if !ok || !strings.Contains(img, ":") {
			return fail("--sample %q: want REGISTRY=REPOSITORY:TAG", s)
		}
		sampleFor[reg] = img
	}
	cfg, err := config.Load(*configPath)
	if err != nil {
		return fail("%v", err)
	}
	client := &http.Client{Timeout: *timeout, CheckRedirect: probe.NoRedirects}
	sample := func(reg string) string {
		if s := sampleFor[reg]; s != "" {
			return s
		}
		return defaultSample
	}
	if file, dir := first(*registriesConf, cfg.CRIO.RegistriesConf), first(*registriesConfDir, cfg.CRIO.RegistriesConfDir); file != "" || dir != "" {
		walks, err := crioWalks(client, file, dir, sample)
		if err != nil {
			return fail("%v", err)
		}
		return printAndJudge(stdout, *output, walks, nil)
	}
	chain, err := lookupFlags{hostsDir: *hostsDir}.walk(cfg)
	if err != nil {
		return fail("%v", err)
	}
	inCluster, err := inClusterEndpoints(files, stdin, chain)
	if err != nil {
		return fail("%v", err)
	}
	var problems []mirrors.Problem
	if *hostsDir != "" {
		if problems, err = mirrors.Check(*hostsDir); err != nil {
			return fail("%v", err)
		}
		for _, p := range problems {
			fmt.Fprintf(stderr, "admissible mirrors check: %s\n", p)
		}
	}
	var walks []walk
	for _, reg := range chain.Registries() {
		repo, tag, _ := strings.Cut(sample(reg), ":")
		w := walk{Registry: reg, Sample: sample(reg)}
		for _, ep := range chain.Endpoints(reg) {
			w.Endpoints = append(w.Endpoints, probe.Endpoint(context.Background(), client, ep, repo, tag))
		}
		w.Node = w.nodeOutcome()
		for _, e := range inCluster {
			if e.Registry == reg {
				w.InCluster = append(w.InCluster, inClusterEndpoint{Entry: e, Fallback: w.fallback(e.Position)})
			}
		}
		walks = append(walks, w)
	}
	return printAndJudge(stdout, *output, walks, problems)
}

// crioWalks probes the sources of each entry of CRI-O's registries.conf
// for a sample image below its prefix, in the order a node tries them.
func crioWalks(client *http.Client, file, dir string, sample func(string) string) ([]walk, error) {
	r, err := crio.New(nil, crio.WithRegistriesConf(file), crio.WithRegistriesConfDir(dir))
	if err != nil {
		return nil, err
	}
	entries, err := r.Entries(func(prefix string) string {
		s := sample(prefix)
		if s == defaultSample && strings.Contains(prefix, "/") {
			s = "alpine:latest" // below a namespace or repository prefix
		}
		return prefix + "/" + s
	})
	if err != nil {
		return nil, err
	}
	var walks []walk
	for _, e := range entries {
		w := walk{Registry: e.Prefix, Sample: e.Sample}
		if e.Skipped != "" {
			w.Node = "not probed: " + e.Skipped
			walks = append(walks, w)
			continue
		}
		for _, s := range e.Sources {
			if s.Blocked != "" {
				w.Endpoints = append(w.Endpoints, probe.Report{Endpoint: s.Endpoint, Outcome: probe.Skipped, Problems: []string{s.Blocked}})
				continue
			}
			repo, tag := s.Repository()
			rep := probe.Endpoint(context.Background(), client, s.Endpoint, repo, tag)
			if rep.Outcome == probe.Unreachable && s.Endpoint.HTTPFallback {
				// An insecure source that gave no HTTPS answer: CRI-O tries
				// plain http.
				plain := s.Endpoint
				plain.Scheme, plain.HTTPFallback = "http", false
				rep = probe.Endpoint(context.Background(), client, plain, repo, tag)
			}
			w.Endpoints = append(w.Endpoints, rep)
		}
		w.Node = w.nodeOutcome()
		walks = append(walks, w)
	}
	return walks, nil
}

// printAndJudge prints the walks and returns check's exit code: refused when a
// hosts.toml has problems, an in-cluster endpoint has no working fallback,
// or an endpoint is broken.
func printAndJudge(stdout io.Writer, output string, walks []walk, problems []mirrors.Problem) int {
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(walks)
	} else {
		printWalks(stdout, walks)
	}
	if len(problems) > 0 {
		return exitRefused
	}
	for _, w := range walks {
		for _, e := range w.InCluster {
			if !e.Fallback.Works {
				return exitRefused
			}
		}
	}
	for _, w := range walks {
		for _, r := range w.Endpoints {
			if r.Outcome == probe.Broken {
				return exitRefused
			}
		}
	}
	return exitAdmitted
}

// walk is what a node does for one registry's sample image.
type walk struct {
	Registry  string         `json:"registry"`
	Sample    string         `json:"sample"`
	Endpoints []probe.Report `json:"endpoints"`
	Node      string         `json:"node"`
	// InCluster are the endpoints that reach a Service of the manifests
	// given with -f, each with what a node does when it is down.
	InCluster []inClusterEndpoint `json:"inCluster,omitempty"`
}

// inClusterEndpoint is an endpoint served by the cluster itself.
type inClusterEndpoint struct {
	circle.Entry
	Fallback fallback `json:"fallback"`
}

// fallback is what a node does for the sample when an in-cluster endpoint
// is down.
type fallback struct {
	Works bool   `json:"works"`
	Node  string `json:"node"`
}

// fallback says where a node's pull of the sample ends when endpoint
// position (from 0) does not answer: the walk goes on after it.
func (w walk) fallback(position int) fallback {
	for i := position + 1; i < len(w.Endpoints); i++ {
		switch r := w.Endpoints[i]; r.Outcome {
		case probe.Serves:
			return fallback{Works: true, Node: fmt.Sprintf("falls back to endpoint %d (%s), which serves %s", i+1, r.Endpoint, w.Sample)}
		case probe.Broken:
			return fallback{Node: fmt.Sprintf("falls back to endpoint %d (%s), which breaks the pull of %s", i+1, r.Endpoint, w.Sample)}
		}
	}
	return fallback{Node: fmt.Sprintf("has no endpoint after it that serves %s", w.Sample)}
}

// inClusterEndpoints reads the manifests named by files and returns the
// endpoints of chain's walks that reach one of their Services.
func inClusterEndpoints(files []string, stdin io.Reader, chain *mirrors.Chain) ([]circle.Entry, error) {
	if len(files) == 0 {
		return nil, nil
	}
	var docs []manifest.Document
	for _, f := range files {
		d, err := manifest.ReadPath(f, stdin)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d...)
	}
	set, err := circle.NewSet(objects(docs))
	if err != nil {
		return nil, err
	}
	return circle.New(set, chain).InCluster(context.Background(), chain.Registries())
}

// nodeOutcome says, in a sentence, where a node's pull of the sample ends.
func (w walk) nodeOutcome() string {
	for i, r := range w.Endpoints {
		switch r.Outcome {
		case probe.Serves:
			return fmt.Sprintf("pulls %s from endpoint %d (%s)", w.Sample, i+1, r.Endpoint)
		case probe.Broken:
			return fmt.Sprintf("stops at endpoint %d (%s) and fails to pull %s", i+1, r.Endpoint, w.Sample)
		}
	}
	return fmt.Sprintf("finds %s on no endpoint", w.Sample)
}

func printWalks(w io.Writer, walks []walk) {
	for _, wk := range walks {
		fmt.Fprintf(w, "%s (sample %s): a node %s\n", wk.Registry, wk.Sample, wk.Node)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  #\tENDPOINT\tPING\tSAMPLE HEAD\tNODE")
		for i, r := range wk.Endpoints {
			fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\n", i+1, endpointLabel(r.Endpoint, wk.Registry), hops(r.Ping), hops(r.Sample), r.Outcome)
		}
		tw.Flush()
		for _, r := range wk.Endpoints {
			for _, p := range r.Problems {
				fmt.Fprintf(w, "  problem: %s: %s\n", r.Endpoint, p)
			}
		}
		for _, e := range wk.InCluster {
			fmt.Fprintf(w, "  in the cluster: endpoint %d (%s) is %s; when it is down, a node %s\n", e.Position+1, e.Endpoint, e.Reaches(), e.Fallback.Node)
		}
	}
}

func endpointLabel(ep resolvers.Endpoint, registry string) string {
	if ep == resolvers.Upstream(registry) {
		return ep.String() + " (upstream)"
	}
	return ep.String()
}

// hops renders a redirect chain compactly: "301 -> 200 text/html".
func hops(hs []probe.Hop) string {
	parts := make([]string, 0, len(hs))
	for _, h := range hs {
		switch {
		case h.Error != "":
			parts = append(parts, h.Error)
		case h.APIVersion != "":
			parts = append(parts, fmt.Sprintf("%d %s", h.Status, h.APIVersion))
		default:
			ct, _, _ := strings.Cut(h.ContentType, ";")
			parts = append(parts, strings.TrimSpace(fmt.Sprintf("%d %s", h.Status, ct)))
		}
	}
	return strings.Join(parts, " -> ")
}
