package circle

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
	"github.com/admissible/admissible/resolvers/mirrors"
	"github.com/admissible/admissible/webhook/judge/podspec"
)

// Mirrors gives the endpoints a node tries: for one reference, the walk of
// its pull; for a registry, every endpoint configured, whatever it may
// serve. *mirrors.Chain is one.
type Mirrors interface {
	Walk(ref name.Reference) (mirrors.Walk, error)
	Endpoints(registry string) []resolvers.Endpoint
}

// Analyzer finds registry circles in an Index.
type Analyzer struct {
	index         Index
	mirrors       Mirrors
	clusterDomain string
}

// Option configures an Analyzer.
type Option func(*Analyzer)

// WithClusterDomain sets the cluster's DNS domain, for Service names such as
// svc.ns.svc.cluster.local (default cluster.local).
func WithClusterDomain(d string) Option { return func(a *Analyzer) { a.clusterDomain = d } }

// New returns an Analyzer reading idx, with the walk of m.
func New(idx Index, m Mirrors, opts ...Option) *Analyzer {
	a := &Analyzer{index: idx, mirrors: m, clusterDomain: "cluster.local"}
	for _, o := range opts {
		o(a)
	}
	return a
}

// Circle is a workload pulling one of its own images through a mirror
// endpoint that reaches a Service its pods back.
type Circle struct {
	Workload Workload
	Access
	// Registry is the image's registry; Endpoint its Position-th (from 0)
	// endpoint in the walk, and Fallbacks the endpoints tried after it.
	Registry  string
	Endpoint  resolvers.Endpoint
	Position  int
	Fallbacks []resolvers.Endpoint
	// Image is the image as written, without its tag or digest; Path its
	// field in the workload.
	Image string
	Path  *field.Path
}

// Report is what the analysis found for one workload.
type Report struct {
	Circles []Circle
	// Fragile are the lines that make the circles fatal (empty without a
	// circle).
	Fragile []Fragility
}

// Workload returns the circles w is in, and its fragility when it is in one.
func (a *Analyzer) Workload(ctx context.Context, w Workload) (Report, error) {
	return a.workload(ctx, a.index, w, reachable{})
}

// reachable memoizes, per namespace and endpoint, the Services an
// endpoint reaches.
type reachable map[reachKey][]Access

type reachKey struct {
	namespace string
	endpoint  resolvers.Endpoint
}

func (a *Analyzer) workload(ctx context.Context, idx Index, w Workload, reach reachable) (Report, error) {
	svcs, err := idx.Services(ctx, w.Namespace)
	if err != nil {
		return Report{}, fmt.Errorf("services: %w", err)
	}
	backed := map[types.NamespacedName]bool{}
	for i := range svcs {
		if w.backs(&svcs[i]) {
			backed[types.NamespacedName{Namespace: svcs[i].Namespace, Name: svcs[i].Name}] = true
		}
	}
	if len(backed) == 0 {
		return Report{}, nil
	}
	var r Report
	seen := map[string]bool{}
	for _, img := range podspec.Images(&w.Template.Spec, templatePath.Child("spec")) {
		ref, err := resolvers.ParseReference(img.Ref)
		if err != nil || seen[ref.Context().Name()] {
			continue
		}
		seen[ref.Context().Name()] = true
		c, found, err := a.through(ctx, idx, w, ref, backed, reach)
		if err != nil {
			return Report{}, err
		}
		if found {
			c.Image, c.Path = repository(img.Ref), img.Path
			r.Circles = append(r.Circles, c)
		}
	}
	if len(r.Circles) == 0 {
		return Report{}, nil
	}
	r.Fragile, err = fragility(ctx, idx, w, r.Circles[0].Endpoint.Host)
	return r, err
}

// through finds the first endpoint of ref's walk that reaches a Service of
// backed.
func (a *Analyzer) through(ctx context.Context, idx Index, w Workload, ref name.Reference, backed map[types.NamespacedName]bool, reach reachable) (Circle, bool, error) {
	walk, err := a.mirrors.Walk(ref)
	if err != nil {
		// No endpoint may serve ref: no node pulls it through the cluster
		// either.
		return Circle{}, false, nil
	}
	for i, ep := range walk.Endpoints {
		key := reachKey{namespace: w.Namespace, endpoint: ep}
		acc, ok := reach[key]
		if !ok {
			if acc, err = accesses(ctx, idx, ep, w.Namespace, a.clusterDomain); err != nil {
				return Circle{}, false, err
			}
			reach[key] = acc
		}
		for _, ac := range acc {
			if backed[ac.Service] {
				return Circle{Workload: w, Access: ac, Registry: walk.Registry, Endpoint: ep, Position: i, Fallbacks: walk.Endpoints[i+1:]}, true, nil
			}
		}
	}
	return Circle{}, false, nil
}

// repository is an image reference as written, without its tag or digest.
func repository(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// Closing returns the circles that obj (a Service, an Ingress or an
// HTTPRoute, as it would be stored) closes: those of every workload of its
// namespace, and of the namespaces its route sends to, with obj in the
// index.
func (a *Analyzer) Closing(ctx context.Context, obj *unstructured.Unstructured) ([]Report, error) {
	idx, err := with(a.index, obj)
	if err != nil {
		return nil, err
	}
	namespaces := []string{namespaceOf(obj)}
	if idx.route != nil {
		for _, rule := range idx.route.Spec.Rules {
			for _, ref := range rule.BackendRefs {
				if ref.Namespace != nil {
					namespaces = append(namespaces, string(*ref.Namespace))
				}
			}
		}
	}
	sort.Strings(namespaces)
	var out []Report
	reach := reachable{}
	for i, ns := range namespaces {
		if i > 0 && ns == namespaces[i-1] {
			continue
		}
		workloads, err := idx.Workloads(ctx, ns)
		if err != nil {
			return nil, fmt.Errorf("workloads: %w", err)
		}
		for _, w := range workloads {
			r, err := a.workload(ctx, idx, w, reach)
			if err != nil {
				return nil, err
			}
			if r, ok := closedBy(r, obj); ok {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// closedBy keeps the circles of r that go through obj: the Service
// itself, or the Ingress or HTTPRoute the endpoint reaches it by.
func closedBy(r Report, obj *unstructured.Unstructured) (Report, bool) {
	id := namespaceOf(obj) + "/" + obj.GetName()
	var kept []Circle
	for _, c := range r.Circles {
		if (obj.GetKind() == "Service" && c.Service.String() == id) || c.Via == obj.GetKind()+" "+id {
			kept = append(kept, c)
		}
	}
	r.Circles = kept
	return r, len(kept) > 0
}

// Entry is a mirror endpoint that points into the cluster.
type Entry struct {
	Registry string             `json:"registry"`
	Position int                `json:"position"`
	Endpoint resolvers.Endpoint `json:"endpoint"`
	Access   []Access           `json:"access"`
}

// InCluster returns, for each of registries, the endpoints of its walk
// that reach a Service of the index, in walk order.
func (a *Analyzer) InCluster(ctx context.Context, registries []string) ([]Entry, error) {
	var out []Entry
	for _, reg := range registries {
		for i, ep := range a.mirrors.Endpoints(reg) {
			acc, err := accesses(ctx, a.index, ep, "", a.clusterDomain)
			if err != nil {
				return nil, err
			}
			if len(acc) > 0 {
				out = append(out, Entry{Registry: reg, Position: i, Endpoint: ep, Access: acc})
			}
		}
	}
	return out, nil
}
