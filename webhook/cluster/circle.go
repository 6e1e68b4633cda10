package cluster

import (
	"context"
	"errors"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apimeta "k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/admissible/admissible/webhook/judge/circle"
)

// CircleIndex reads, from the informer cache, what the registry-circle
// check matches mirror endpoints and workloads against: Services,
// Ingresses, HTTPRoutes (when Gateway API is served), PodDisruptionBudgets,
// Nodes, and Deployments, StatefulSets and DaemonSets.
type CircleIndex struct {
	reader client.Reader
	// routes is true when the API server serves Gateway API's HTTPRoutes.
	routes bool
}

var _ circle.Index = (*CircleIndex)(nil)

// NewCircleIndex reads from reader (an informer cache, or a live client for
// a one-off look); httpRoutes says whether HTTPRoutes are served.
func NewCircleIndex(reader client.Reader, httpRoutes bool) *CircleIndex {
	return &CircleIndex{reader: reader, routes: httpRoutes}
}

// circleObjects are the objects the registry-circle check reads, without
// HTTPRoutes.
func circleObjects() []client.Object {
	return []client.Object{&corev1.Service{}, &networkingv1.Ingress{}, &policyv1.PodDisruptionBudget{}, &corev1.Node{},
		&appsv1.Deployment{}, &appsv1.StatefulSet{}, &appsv1.DaemonSet{}}
}

// ServesHTTPRoutes asks the API server's discovery whether it serves
// gateway.networking.k8s.io/v1 HTTPRoutes (their CRDs are installed).
func ServesHTTPRoutes(d discovery.DiscoveryInterface) (bool, error) {
	list, err := d.ServerResourcesForGroupVersion(gatewayv1.GroupVersion.String())
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, r := range list.APIResources {
		if r.Name == "httproutes" {
			return true, nil
		}
	}
	return false, nil
}

// listOpts lists the cache's objects of namespace (every namespace when
// empty) without copying them: a workload's admission lists its namespace's
// Services, Ingresses, routes and the cluster's nodes, and package circle
// only reads what it is given (and builds new slices where it lays the
// admitted object over them).
func listOpts(namespace string) []client.ListOption {
	opts := []client.ListOption{client.UnsafeDisableDeepCopy}
	if namespace != "" {
		opts = append(opts, client.InNamespace(namespace))
	}
	return opts
}

func (c *CircleIndex) Services(ctx context.Context, ns string) ([]corev1.Service, error) {
	var l corev1.ServiceList
	err := c.reader.List(ctx, &l, listOpts(ns)...)
	return l.Items, err
}

func (c *CircleIndex) Ingresses(ctx context.Context, ns string) ([]networkingv1.Ingress, error) {
	var l networkingv1.IngressList
	err := c.reader.List(ctx, &l, listOpts(ns)...)
	return l.Items, err
}

func (c *CircleIndex) HTTPRoutes(ctx context.Context, ns string) ([]gatewayv1.HTTPRoute, error) {
	if !c.routes {
		return nil, nil
	}
	var l gatewayv1.HTTPRouteList
	err := c.reader.List(ctx, &l, listOpts(ns)...)
	return l.Items, err
}

func (c *CircleIndex) PodDisruptionBudgets(ctx context.Context, ns string) ([]policyv1.PodDisruptionBudget, error) {
	var l policyv1.PodDisruptionBudgetList
	err := c.reader.List(ctx, &l, listOpts(ns)...)
	return l.Items, err
}

func (c *CircleIndex) Nodes(ctx context.Context) ([]corev1.Node, error) {
	var l corev1.NodeList
	err := c.reader.List(ctx, &l, listOpts("")...)
	return l.Items, err
}

// Workloads lists the Deployments, StatefulSets and DaemonSets of ns.
func (c *CircleIndex) Workloads(ctx context.Context, ns string) ([]circle.Workload, error) {
	var out []circle.Workload
	var errs []error
	for _, l := range []client.ObjectList{&appsv1.DeploymentList{}, &appsv1.StatefulSetList{}, &appsv1.DaemonSetList{}} {
		if err := c.reader.List(ctx, l, listOpts(ns)...); err != nil {
			errs = append(errs, err)
			continue
		}
		items, err := apimeta.ExtractList(l)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, it := range items {
			if w, ok := circle.WorkloadFrom(it); ok {
				out = append(out, w)
			}
		}
	}
	return out, errors.Join(errs...)
}
