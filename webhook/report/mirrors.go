package report

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/tabwriter"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/crio"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/resolvers/probe"
	"github.com/admissible/admissible/webhook/judge/circle"
)

// ProbeMirrors probes, for each registry of chain, the endpoints a node
// tries for sample(registry) ("REPOSITORY:TAG"), in order; inCluster are
// the endpoints the cluster serves, each reported with what a node does
// when it is down.
func ProbeMirrors(ctx context.Context, client *http.Client, chain *mirrors.Chain, sample func(registry string) string, inCluster []circle.Entry) []Walk {
	var walks []Walk
	for _, reg := range chain.Registries() {
		repo, tag, _ := strings.Cut(sample(reg), ":")
		w := Walk{Registry: reg, Sample: sample(reg)}
		for _, ep := range chain.Endpoints(reg) {
			w.Endpoints = append(w.Endpoints, probe.Endpoint(ctx, client, ep, repo, tag))
		}
		w.Node = w.nodeOutcome()
		for _, e := range inCluster {
			if e.Registry == reg {
				w.InCluster = append(w.InCluster, InClusterEndpoint{Entry: e, Fallback: w.fallback(e.Position)})
			}
		}
		walks = append(walks, w)
	}
	return walks
}

// ProbeCRIO probes the sources of each entry of CRI-O's registries.conf
// for sample(prefix), a reference below the entry's prefix, in the order a
// node tries them.
func ProbeCRIO(ctx context.Context, client *http.Client, file, dir string, sample func(prefix string) string) ([]Walk, error) {
	r, err := crio.New(nil, crio.WithRegistriesConf(file), crio.WithRegistriesConfDir(dir))
	if err != nil {
		return nil, err
	}
	entries, err := r.Entries(sample)
	if err != nil {
		return nil, err
	}
	var walks []Walk
	for _, e := range entries {
		w := Walk{Registry: e.Prefix, Sample: e.Sample}
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
			rep := probe.Endpoint(ctx, client, s.Endpoint, repo, tag)
			if rep.Outcome == probe.Unreachable && s.Endpoint.HTTPFallback {
				// An insecure source that gave no HTTPS answer: CRI-O tries
				// plain http.
				plain := s.Endpoint
				plain.Scheme, plain.HTTPFallback = "http", false
				rep = probe.Endpoint(ctx, client, plain, repo, tag)
			}
			w.Endpoints = append(w.Endpoints, rep)
		}
		w.Node = w.nodeOutcome()
		walks = append(walks, w)
	}
	return walks, nil
}

// Breaks reports whether a node's pull breaks somewhere: an in-cluster
// endpoint with no working fallback, or an endpoint that answers 2xx with
// something that is not a manifest.
func Breaks(walks []Walk) bool {
	for _, w := range walks {
		for _, e := range w.InCluster {
			if !e.Fallback.Works {
				return true
			}
		}
		for _, r := range w.Endpoints {
			if r.Outcome == probe.Broken {
				return true
			}
		}
	}
	return false
}

// Walk is what a node does for one registry's sample image, endpoint by
// endpoint: what "admissible mirrors check" reports.
type Walk struct {
	Registry  string         `json:"registry"`
	Sample    string         `json:"sample"`
	Endpoints []probe.Report `json:"endpoints"`
	Node      string         `json:"node"`
	// InCluster are the endpoints that reach a Service of the manifests
	// given with -f, each with what a node does when it is down.
	InCluster []InClusterEndpoint `json:"inCluster,omitempty"`
}

// InClusterEndpoint is an endpoint served by the cluster itself.
type InClusterEndpoint struct {
	circle.Entry
	Fallback Fallback `json:"fallback"`
}

// Fallback is what a node does for the sample when an in-cluster endpoint
// is down.
type Fallback struct {
	Works bool   `json:"works"`
	Node  string `json:"node"`
}

// fallback says where a node's pull of the sample ends when endpoint
// position (from 0) does not answer: the walk goes on after it.
func (w Walk) fallback(position int) Fallback {
	for i := position + 1; i < len(w.Endpoints); i++ {
		switch r := w.Endpoints[i]; r.Outcome {
		case probe.Serves:
			return Fallback{Works: true, Node: fmt.Sprintf("falls back to endpoint %d (%s), which serves %s", i+1, r.Endpoint, w.Sample)}
		case probe.Broken:
			return Fallback{Node: fmt.Sprintf("falls back to endpoint %d (%s), which breaks the pull of %s", i+1, r.Endpoint, w.Sample)}
		}
	}
	return Fallback{Node: fmt.Sprintf("has no endpoint after it that serves %s", w.Sample)}
}

// nodeOutcome says, in a sentence, where a node's pull of the sample ends.
func (w Walk) nodeOutcome() string {
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

// Walks prints each walk: a sentence, then its endpoints as a table, their
// problems, and the in-cluster endpoints with their fallback.
func Walks(w io.Writer, walks []Walk) {
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
