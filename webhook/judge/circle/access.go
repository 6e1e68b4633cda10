package circle

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/types"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/admissible/admissible/resolvers"
)

// Access is how a mirror endpoint reaches a Service of the cluster.
type Access struct {
	// Service is the Service the endpoint's requests reach.
	Service types.NamespacedName
	// Via says how: "Ingress harbor-registry/harbor", "HTTPRoute ns/name",
	// "the Service's DNS name", "LoadBalancer address 10.0.0.5",
	// "NodePort 30500 on node n1".
	Via string
}

// target is an endpoint's host split for matching.
type target struct {
	host string // lowercased hostname or IP, no brackets
	port int    // explicit, or 443 for https and 80 for http
	path string // a request path under the endpoint's registry API base
}

func targetOf(ep resolvers.Endpoint) target {
	host, portStr, err := net.SplitHostPort(ep.Host)
	if err != nil {
		host, portStr = ep.Host, ""
	}
	port, _ := strconv.Atoi(portStr)
	if port == 0 {
		port = 443
		if ep.Scheme == "http" {
			port = 80
		}
	}
	return target{host: strings.ToLower(strings.Trim(host, "[]")), port: port, path: strings.TrimSuffix(ep.Path, "/") + "/"}
}

// accesses returns the Services of namespace ("" for all) that requests
// to ep reach, and how.
func accesses(ctx context.Context, idx Index, ep resolvers.Endpoint, namespace, clusterDomain string) ([]Access, error) {
	t := targetOf(ep)
	var out []Access
	svcs, err := idx.Services(ctx, namespace)
	if err != nil {
		return nil, fmt.Errorf("services: %w", err)
	}
	exists := map[types.NamespacedName]bool{}
	for i := range svcs {
		exists[types.NamespacedName{Namespace: svcs[i].Namespace, Name: svcs[i].Name}] = true
	}
	if name, ok := serviceDNS(t.host, clusterDomain); ok && exists[name] {
		out = append(out, Access{Service: name, Via: "the Service's DNS name"})
	}
	ings, err := idx.Ingresses(ctx, namespace)
	if err != nil {
		return nil, fmt.Errorf("ingresses: %w", err)
	}
	for i := range ings {
		if svc, ok := ingressBackend(&ings[i], t); ok {
			out = append(out, Access{Service: types.NamespacedName{Namespace: ings[i].Namespace, Name: svc}, Via: "Ingress " + ings[i].Namespace + "/" + ings[i].Name})
		}
	}
	// A route may send to a Service of another namespace: every route is read.
	routes, err := idx.HTTPRoutes(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("httproutes: %w", err)
	}
	for i := range routes {
		for _, svc := range routeBackends(&routes[i], t) {
			if namespace == "" || svc.Namespace == namespace {
				out = append(out, Access{Service: svc, Via: "HTTPRoute " + routes[i].Namespace + "/" + routes[i].Name})
			}
		}
	}
	lb, err := addressed(ctx, idx, svcs, t)
	if err != nil {
		return nil, err
	}
	return append(out, lb...), nil
}

// serviceDNS reads svc.ns.svc and svc.ns.svc.<clusterDomain>.
func serviceDNS(host, clusterDomain string) (types.NamespacedName, bool) {
	labels := strings.SplitN(host, ".", 4)
	if len(labels) < 3 || labels[2] != "svc" || (len(labels) == 4 && labels[3] != clusterDomain) {
		return types.NamespacedName{}, false
	}
	return types.NamespacedName{Namespace: labels[1], Name: labels[0]}, true
}

// hostMatches reports whether a rule's host (possibly "*.example.com", which
// matches exactly one more label) names host.
func hostMatches(rule, host string) bool {
	rule = strings.ToLower(rule)
	if suffix, ok := strings.CutPrefix(rule, "*."); ok {
		first, rest, found := strings.Cut(host, ".")
		return found && first != "" && rest == suffix
	}
	return rule == host
}

// prefixMatches reports whether path falls under prefix, element by element
// ("/v2" matches "/v2/x", not "/v2x").
func prefixMatches(prefix, path string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+"/")
}

// ingressBackend returns the Service that the longest path of ing's rules
// for t's host sends t's requests to.
func ingressBackend(ing *networkingv1.Ingress, t target) (string, bool) {
	best, bestLen := "", -1
	for _, rule := range ing.Spec.Rules {
		if rule.Host == "" || !hostMatches(rule.Host, t.host) || rule.HTTP == nil {
			continue
		}
		for _, p := range rule.HTTP.Paths {
			match := prefixMatches(p.Path, t.path)
			switch {
			case p.PathType != nil && *p.PathType == networkingv1.PathTypeExact:
				match = p.Path == t.path
			case p.PathType != nil && *p.PathType == networkingv1.PathTypeImplementationSpecific:
				match = strings.HasPrefix(t.path, p.Path)
			}
			if match && p.Backend.Service != nil && len(p.Path) > bestLen {
				best, bestLen = p.Backend.Service.Name, len(p.Path)
			}
		}
	}
	return best, bestLen >= 0
}

// routeBackends returns the Services of the rule of route whose path match
// is the longest for t's requests; a rule without matches matches "/".
func routeBackends(route *gatewayv1.HTTPRoute, t target) []types.NamespacedName {
	hostOK := false
	for _, h := range route.Spec.Hostnames {
		hostOK = hostOK || hostMatches(string(h), t.host)
	}
	if !hostOK {
		return nil
	}
	var best []gatewayv1.HTTPBackendRef
	bestLen := -1
	for _, rule := range route.Spec.Rules {
		if l := longestRouteMatch(rule.Matches, t.path); l > bestLen {
			best, bestLen = rule.BackendRefs, l
		}
	}
	var out []types.NamespacedName
	for _, ref := range best {
		if (ref.Group != nil && *ref.Group != "") || (ref.Kind != nil && *ref.Kind != "Service") {
			continue
		}
		ns := route.Namespace
		if ref.Namespace != nil {
			ns = string(*ref.Namespace)
		}
		out = append(out, types.NamespacedName{Namespace: ns, Name: string(ref.Name)})
	}
	return out
}

// longestRouteMatch returns the length of the longest path of matches that
// path falls under, -1 when none does; no matches is "/".
func longestRouteMatch(matches []gatewayv1.HTTPRouteMatch, path string) int {
	if len(matches) == 0 {
		return 1
	}
	best := -1
	for _, m := range matches {
		value, kind := "/", gatewayv1.PathMatchPathPrefix
		if m.Path != nil && m.Path.Value != nil {
			value = *m.Path.Value
		}
		if m.Path != nil && m.Path.Type != nil {
			kind = *m.Path.Type
		}
		ok := prefixMatches(value, path)
		switch kind {
		case gatewayv1.PathMatchExact:
			ok = value == path
		case gatewayv1.PathMatchRegularExpression:
			ok = true // not evaluated: a regular expression route is taken to match
		}
		if ok && len(value) > best {
			best = len(value)
		}
	}
	return best
}

// addressed returns the Services of svcs reached at t's address and port:
// a LoadBalancer's status address or an external IP with one of its ports,
// or a node's address with one of its node ports.
func addressed(ctx context.Context, idx Index, svcs []corev1.Service, t target) ([]Access, error) {
	var out []Access
	var byNodePort []*corev1.Service
	for i := range svcs {
		svc := &svcs[i]
		name := types.NamespacedName{Namespace: svc.Namespace, Name: svc.Name}
		for _, p := range svc.Spec.Ports {
			if int(p.NodePort) == t.port {
				byNodePort = append(byNodePort, svc)
			}
			if int(p.Port) != t.port {
				continue
			}
			for _, ip := range svc.Spec.ExternalIPs {
				if ip == t.host {
					out = append(out, Access{Service: name, Via: "external IP " + ip})
				}
			}
			for _, in := range svc.Status.LoadBalancer.Ingress {
				if in.IP == t.host || strings.EqualFold(in.Hostname, t.host) {
					out = append(out, Access{Service: name, Via: "LoadBalancer address " + t.host})
				}
			}
		}
	}
	if len(byNodePort) == 0 {
		return out, nil
	}
	nodes, err := idx.Nodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("nodes: %w", err)
	}
	for _, n := range nodes {
		for _, a := range n.Status.Addresses {
			if !strings.EqualFold(a.Address, t.host) {
				continue
			}
			for _, svc := range byNodePort {
				out = append(out, Access{Service: types.NamespacedName{Namespace: svc.Namespace, Name: svc.Name}, Via: fmt.Sprintf("NodePort %d on node %s", t.port, n.Name)})
			}
			break
		}
	}
	return out, nil
}
