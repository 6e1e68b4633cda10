package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/probe"
	"github.com/admissible/admissible/webhook/config"
	"github.com/admissible/admissible/webhook/judge/circle"
	"github.com/admissible/admissible/webhook/manifest"
	"github.com/admissible/admissible/webhook/report"
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
	if file, dir := (lookupFlags{registriesConf: *registriesConf, registriesConfDir: *registriesConfDir}).crioFiles(cfg); file != "" || dir != "" {
		walks, err := report.ProbeCRIO(context.Background(), client, file, dir, func(prefix string) string {
			s := sample(prefix)
			if s == defaultSample && strings.Contains(prefix, "/") {
				s = "alpine:latest" // below a namespace or repository prefix
			}
			return prefix + "/" + s
		})
		if err != nil {
			return fail("%v", err)
		}
		return printWalks(stdout, *output, walks, nil)
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
	walks := report.ProbeMirrors(context.Background(), client, chain, sample, inCluster)
	return printWalks(stdout, *output, walks, problems)
}

// printWalks prints the walks and returns mirrors check's exit code:
// refused when a hosts.toml has problems or a node's pull breaks.
func printWalks(stdout io.Writer, output string, walks []report.Walk, problems []mirrors.Problem) int {
	if output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(walks)
	} else {
		report.Walks(stdout, walks)
	}
	if len(problems) > 0 || report.Breaks(walks) {
		return exitRefused
	}
	return exitAdmitted
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
