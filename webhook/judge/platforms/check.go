package platforms

import (
	"context"
	"fmt"
	"sort"
	"strings"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
	served "github.com/admissible/admissible/resolvers/platforms"
	"github.com/admissible/admissible/webhook/judge/check"
)

// Check is the platforms check.
var Check = check.Check{
	Name: "platforms", Key: "platforms", Title: "platforms", Default: check.Enforce,
	Reads:     "the pods of the pod templates (nodeSelector, required node affinity, tolerations, nodeName); the cluster's Nodes, or the configured platforms; each image's index or config",
	Resources: []string{"nodes"},
}

// Source tells which platforms an image found by a lookup serves.
// *resolvers/platforms.Reader is one.
type Source interface {
	Served(ctx context.Context, q resolvers.Query, found resolvers.Result) (served.Served, error)
}

// Nodes lists the nodes pods may run on. cluster.CircleIndex is one.
type Nodes interface {
	Nodes(ctx context.Context) ([]corev1.Node, error)
}

// Judge judges the platforms check. It is safe for concurrent use.
type Judge struct {
	nodes   Nodes
	static  bool
	source  Source
	outcome *prometheus.CounterVec
}

// New returns the check judging against nodes, with what images serve
// read from source.
func New(nodes Nodes, source Source) *Judge {
	return &Judge{nodes: nodes, source: source, outcome: newCounter()}
}

// NewStatic returns the check judging against one node of each platform,
// for clusters whose nodes are not read: only their os and arch are known.
func NewStatic(ps []ocispec.Platform, source Source) *Judge {
	nodes := make(staticNodes, 0, len(ps))
	for _, p := range ps {
		nodes = append(nodes, *nodeOf(p))
	}
	return &Judge{nodes: nodes, static: true, source: source, outcome: newCounter()}
}

// Pick returns the check judging against the named platforms when there
// are any (a flag or the configuration naming them wins), else against
// nodes when they are read, else nil: no platform verdict.
func Pick(named []ocispec.Platform, nodes Nodes, source Source) *Judge {
	switch {
	case len(named) > 0:
		return NewStatic(named, source)
	case nodes != nil:
		return New(nodes, source)
	}
	return nil
}

func newCounter() *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "admissible_platforms_judged_total",
		Help: "Images judged by the platforms check, one per pod template, by outcome: served, fallback (some nodes only through a fallback), partial (some nodes not served), unserved (no node served), unknown (what the image serves not read), no-nodes (no node the pod may run on).",
	}, []string{"outcome"})
}

// RegisterMetrics exports the outcomes.
func (j *Judge) RegisterMetrics(reg prometheus.Registerer) error { return reg.Register(j.outcome) }

// Check implements check.Judge.
func (j *Judge) Check() check.Check { return Check }

// Judge implements check.Judge.
func (j *Judge) Judge(ctx context.Context, s check.Subject) check.Findings {
	pods := s.Pods()
	if len(pods) == 0 {
		return check.Findings{}
	}
	nodes, err := j.nodes.Nodes(ctx)
	if err != nil {
		return check.Findings{Warnings: []string{fmt.Sprintf("platforms not checked: the nodes were not read: %v", err)}}
	}
	if len(nodes) == 0 {
		return check.Findings{} // no node known at all: nothing to say
	}
	var f check.Findings
	images := s.Images(ctx)
	for _, pod := range pods {
		groups := candidates(pod, ptrs(nodes), j.static)
		var mine []check.Image
		for _, img := range images {
			if img.Pod == pod.Template && img.Result.Verdict == resolvers.Found {
				mine = append(mine, img)
			}
		}
		if len(mine) == 0 {
			continue
		}
		if len(groups) == 0 {
			j.count("no-nodes", len(mine))
			f.Warnings = append(f.Warnings, fmt.Sprintf("%s: platforms not checked: none of the %d nodes matches this pod's nodeSelector, required node affinity and tolerations", pod.Path, len(nodes)))
			continue
		}
		for _, img := range mine {
			j.judgeImage(ctx, pod, img, groups, &f)
		}
	}
	return f
}

// judgeImage matches what img serves with each group of nodes.
func (j *Judge) judgeImage(ctx context.Context, pod check.Pod, img check.Image, groups []group, f *check.Findings) {
	sv, err := j.source.Served(ctx, img.Query, img.Result)
	if err != nil {
		j.count("unknown", 1)
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s: platforms of image %q not known: %v", img.Path, img.Ref, err))
		return
	}
	var unserved, fallback []string
	for _, g := range groups {
		o := served.Match(sv, g.platform, g.runtime)
		switch o.Kind {
		case served.None:
			unserved = append(unserved, g.String())
		case served.Fallback:
			fallback = append(fallback, fmt.Sprintf("%s through %s", g, served.Format(o.Platform)))
		}
	}
	what := fmt.Sprintf("image %q serves %s", img.Ref, servedList(sv))
	switch {
	case len(unserved) == len(groups):
		j.count("unserved", 1)
		f.Problems = append(f.Problems, field.Forbidden(img.Path, fmt.Sprintf("%s; the nodes this pod may run on are %s: no match for their platform", what, strings.Join(unserved, ", "))))
		return
	case len(unserved) > 0 && pod.Controller == "DaemonSet":
		j.count("unserved", 1)
		f.Problems = append(f.Problems, field.Forbidden(img.Path, fmt.Sprintf("%s; this DaemonSet also runs on %s: its pods there fail", what, strings.Join(unserved, ", "))))
		return
	case len(unserved) > 0:
		j.count("partial", 1)
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s: %s; not %s, where this pod may also be scheduled: its pods there would fail (pin the pod with a nodeSelector on kubernetes.io/arch)", img.Path, what, strings.Join(unserved, ", ")))
	case len(fallback) > 0:
		j.count("fallback", 1)
	default:
		j.count("served", 1)
	}
	if len(fallback) > 0 {
		f.Warnings = append(f.Warnings, fmt.Sprintf("%s: %s; %s only through a fallback platform, which containerd's default pull does not take (only its local pull, use_local_image_pull)", img.Path, what, strings.Join(fallback, ", ")))
	}
}

func (j *Judge) count(outcome string, n int) { j.outcome.WithLabelValues(outcome).Add(float64(n)) }

// servedList renders the platforms s serves: "linux/amd64, linux/arm64",
// "linux/amd64 only".
func servedList(s served.Served) string {
	if len(s.Platforms) == 0 {
		return "no platform"
	}
	names := make([]string, 0, len(s.Platforms))
	for _, p := range s.Platforms {
		names = append(names, served.Format(p))
	}
	sort.Strings(names)
	if len(names) == 1 {
		return names[0] + " only"
	}
	return strings.Join(names, ", ")
}
