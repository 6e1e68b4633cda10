package circle

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// Index is what the analysis reads of a cluster or a manifest set. A
// namespace "" means every namespace.
type Index interface {
	Services(ctx context.Context, namespace string) ([]corev1.Service, error)
	Ingresses(ctx context.Context, namespace string) ([]networkingv1.Ingress, error)
	HTTPRoutes(ctx context.Context, namespace string) ([]gatewayv1.HTTPRoute, error)
	PodDisruptionBudgets(ctx context.Context, namespace string) ([]policyv1.PodDisruptionBudget, error)
	Nodes(ctx context.Context) ([]corev1.Node, error)
	Workloads(ctx context.Context, namespace string) ([]Workload, error)
}

// Kinds the analysis reads, besides workloads.
var (
	ServiceKind             = schema.GroupVersionKind{Version: "v1", Kind: "Service"}
	IngressKind             = networkingv1.SchemeGroupVersion.WithKind("Ingress")
	HTTPRouteKind           = schema.GroupVersionKind{Group: gatewayv1.GroupName, Version: "v1", Kind: "HTTPRoute"}
	PodDisruptionBudgetKind = policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget")
	NodeKind                = schema.GroupVersionKind{Version: "v1", Kind: "Node"}
)

// ClosingKind is a kind that can close a circle without being a workload.
type ClosingKind struct {
	schema.GroupVersionKind
	// Resource is the kind's plural, as webhook rules name it.
	Resource string
	// Path is the field that leads to the workload in a circle.
	Path *field.Path
}

// ClosingKinds are the kinds that can close a circle without being
// workloads: the webhook's rules and the engine read them here.
var ClosingKinds = []ClosingKind{
	{ServiceKind, "services", field.NewPath("spec", "selector")},
	{IngressKind, "ingresses", field.NewPath("spec", "rules")},
	{HTTPRouteKind, "httproutes", field.NewPath("spec", "rules")},
}

// Closing returns the closing kind gvk is, if it is one.
func Closing(gvk schema.GroupVersionKind) (ClosingKind, bool) {
	for _, k := range ClosingKinds {
		if k.GroupVersionKind == gvk {
			return k, true
		}
	}
	return ClosingKind{}, false
}

// Closes reports whether an object of kind gvk can close a circle without
// being a workload: a Service, an Ingress or an HTTPRoute.
func Closes(gvk schema.GroupVersionKind) bool {
	_, ok := Closing(gvk)
	return ok
}

// DefaultNamespace is the namespace of a manifest that names none, as
// kubectl applies it with the default context.
const DefaultNamespace = "default"

func namespaceOf(obj *unstructured.Unstructured) string {
	if ns := obj.GetNamespace(); ns != "" {
		return ns
	}
	return DefaultNamespace
}

// Set is an Index over a fixed set of objects: the manifests "admissible
// check" is given. Objects of other kinds are ignored.
type Set struct {
	services  []corev1.Service
	ingresses []networkingv1.Ingress
	routes    []gatewayv1.HTTPRoute
	pdbs      []policyv1.PodDisruptionBudget
	nodes     []corev1.Node
	workloads []Workload
}

var _ Index = (*Set)(nil)

// NewSet indexes objs. An object of a known kind that does not convert is
// an error naming it.
func NewSet(objs []*unstructured.Unstructured) (*Set, error) {
	s := &Set{}
	for _, obj := range objs {
		if err := s.add(obj); err != nil {
			return nil, fmt.Errorf("%s %s/%s: %w", obj.GetKind(), namespaceOf(obj), obj.GetName(), err)
		}
	}
	return s, nil
}

func (s *Set) add(obj *unstructured.Unstructured) error {
	if w, ok, err := WorkloadOf(obj); ok || err != nil {
		s.workloads = append(s.workloads, w)
		return err
	}
	switch obj.GroupVersionKind() {
	case ServiceKind:
		return appendAs(obj, &s.services)
	case IngressKind:
		return appendAs(obj, &s.ingresses)
	case HTTPRouteKind:
		return appendAs(obj, &s.routes)
	case PodDisruptionBudgetKind:
		return appendAs(obj, &s.pdbs)
	case NodeKind:
		return appendAs(obj, &s.nodes)
	}
	return nil
}

// object is a typed Kubernetes object whose namespace can be defaulted.
type object interface {
	GetNamespace() string
	SetNamespace(string)
	GetName() string
}

// convert converts obj into a T, its namespace defaulted.
func convert[T any, PT interface {
	*T
	object
}](obj *unstructured.Unstructured) (*T, error) {
	var t T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, &t); err != nil {
		return nil, err
	}
	if PT(&t).GetNamespace() == "" {
		PT(&t).SetNamespace(namespaceOf(obj))
	}
	return &t, nil
}

func appendAs[T any, PT interface {
	*T
	object
}](obj *unstructured.Unstructured, list *[]T) error {
	t, err := convert[T, PT](obj)
	if err != nil {
		return err
	}
	*list = append(*list, *t)
	return nil
}

// inNamespace keeps the items in namespace ("" keeps all).
func inNamespace[T any, PT interface {
	*T
	object
}](items []T, namespace string) []T {
	if namespace == "" {
		return items
	}
	var out []T
	for i := range items {
		if PT(&items[i]).GetNamespace() == namespace {
			out = append(out, items[i])
		}
	}
	return out
}

func (s *Set) Services(_ context.Context, ns string) ([]corev1.Service, error) {
	return inNamespace(s.services, ns), nil
}

func (s *Set) Ingresses(_ context.Context, ns string) ([]networkingv1.Ingress, error) {
	return inNamespace(s.ingresses, ns), nil
}

func (s *Set) HTTPRoutes(_ context.Context, ns string) ([]gatewayv1.HTTPRoute, error) {
	return inNamespace(s.routes, ns), nil
}

func (s *Set) PodDisruptionBudgets(_ context.Context, ns string) ([]policyv1.PodDisruptionBudget, error) {
	return inNamespace(s.pdbs, ns), nil
}

func (s *Set) Nodes(context.Context) ([]corev1.Node, error) { return s.nodes, nil }

func (s *Set) Workloads(_ context.Context, ns string) ([]Workload, error) {
	var out []Workload
	for _, w := range s.workloads {
		if ns == "" || w.Namespace == ns {
			out = append(out, w)
		}
	}
	return out, nil
}

// overlay is an Index with one Service, Ingress or HTTPRoute replaced or
// added: the object being admitted, which the informers do not hold yet.
type overlay struct {
	Index
	service *corev1.Service
	ingress *networkingv1.Ingress
	route   *gatewayv1.HTTPRoute
}

// with returns idx with obj (a Service, an Ingress or an HTTPRoute) in it.
func with(idx Index, obj *unstructured.Unstructured) (*overlay, error) {
	o := &overlay{Index: idx}
	var err error
	switch obj.GroupVersionKind() {
	case ServiceKind:
		o.service, err = convert[corev1.Service](obj)
	case IngressKind:
		o.ingress, err = convert[networkingv1.Ingress](obj)
	case HTTPRouteKind:
		o.route, err = convert[gatewayv1.HTTPRoute](obj)
	default:
		return nil, fmt.Errorf("%s does not close a registry circle", obj.GroupVersionKind())
	}
	return o, err
}

// replace returns items with item in place of the one of the same
// namespace and name, or added when in namespace.
func replace[T any, PT interface {
	*T
	object
}](items []T, err error, item *T, namespace string) ([]T, error) {
	if err != nil || item == nil {
		return items, err
	}
	it := PT(item)
	if namespace != "" && it.GetNamespace() != namespace {
		return items, nil
	}
	out := make([]T, 0, len(items)+1)
	for i := range items {
		if p := PT(&items[i]); p.GetNamespace() != it.GetNamespace() || p.GetName() != it.GetName() {
			out = append(out, items[i])
		}
	}
	return append(out, *item), nil
}

func (o *overlay) Services(ctx context.Context, ns string) ([]corev1.Service, error) {
	items, err := o.Index.Services(ctx, ns)
	return replace(items, err, o.service, ns)
}

func (o *overlay) Ingresses(ctx context.Context, ns string) ([]networkingv1.Ingress, error) {
	items, err := o.Index.Ingresses(ctx, ns)
	return replace(items, err, o.ingress, ns)
}

func (o *overlay) HTTPRoutes(ctx context.Context, ns string) ([]gatewayv1.HTTPRoute, error) {
	items, err := o.Index.HTTPRoutes(ctx, ns)
	return replace(items, err, o.route, ns)
}
