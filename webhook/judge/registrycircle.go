package judge

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/webhook/judge/check"
	"github.com/admissible/admissible/webhook/judge/circle"
)

// WithRegistryCircle looks for registries that serve their own images with
// a (default: not checked). Besides workloads the engine then judges
// Services, Ingresses and HTTPRoutes, which can close a circle too.
func WithRegistryCircle(a *circle.Analyzer) Option {
	return func(e *Engine) { e.circle, e.circleOnWorkloads = a, false }
}

// WithRegistryCircleOnWorkloads looks for registry circles with a on
// workloads only: with every object known at once (a manifest set), the
// circle is reported once, on the workload, not again on its Service,
// Ingress or HTTPRoute.
func WithRegistryCircleOnWorkloads(a *circle.Analyzer) Option {
	return func(e *Engine) { e.circle, e.circleOnWorkloads = a, true }
}

// registryCircle returns the circles the object is in (a workload) or
// closes (a Service, an Ingress, an HTTPRoute) as problems, and the
// fragility of the workloads in them as warnings. A circle the old object
// of an UPDATE was already in is a warning.
func (e *Engine) registryCircle(ctx context.Context, req Request) check.Findings {
	problems, fragile, err := e.circleProblems(ctx, req.Object)
	if err != nil {
		return check.Findings{Warnings: []string{fmt.Sprintf("registry circle not checked: %v", err)}}
	}
	var had map[string]bool
	if req.Old != nil && len(problems) > 0 {
		if before, _, err := e.circleProblems(ctx, req.Old); err == nil {
			had = rendered(before)
		}
	}
	return check.Findings{Problems: problems, Had: had, Warnings: fragile}
}

// circleProblems returns the circles of obj as problems and the fragility
// lines of the workloads in them.
func (e *Engine) circleProblems(ctx context.Context, obj *unstructured.Unstructured) (field.ErrorList, []string, error) {
	w, ok, err := circle.WorkloadOf(obj)
	if err != nil {
		return nil, nil, nil // the pod templates check reports a workload that does not decode
	}
	var problems field.ErrorList
	var fragile []string
	if ok {
		r, err := e.circle.Workload(ctx, w)
		for _, c := range r.Circles {
			problems = append(problems, field.Forbidden(c.Path, c.Message()))
		}
		for _, f := range r.Fragile {
			fragile = append(fragile, f.Path.String()+": "+f.Message)
		}
		return problems, fragile, err
	}
	closing, ok := circle.Closing(obj.GroupVersionKind())
	if !ok || e.circleOnWorkloads {
		return nil, nil, nil
	}
	reports, err := e.circle.Closing(ctx, obj)
	for _, r := range reports {
		for _, c := range r.Circles {
			problems = append(problems, field.Forbidden(closing.Path, c.Message()))
		}
		for _, f := range r.Fragile {
			fragile = append(fragile, f.Message)
		}
	}
	return problems, fragile, err
}
