// Package circle finds a registry that serves its own images: a workload
// whose pods back a Service that a mirror endpoint points at (by the
// Service's DNS name, an Ingress or Gateway API HTTPRoute host, a
// LoadBalancer address or a NodePort on a node's address), while one of its
// own images is pulled through that same endpoint. When its pods go, no
// node can pull them back: the incident's Harbor circle.
//
// The analysis is pure: it reads an Index (informers in the webhook, the
// manifest set in "admissible check") and the endpoints a node pulls each
// image through (resolvers/mirrors, Chain.Walk: the same walk a lookup
// makes), and never asks a registry or the API server anything else. It
// reports one Circle per image and endpoint, and the
// Fragility of a workload in a circle (one replica, no PodDisruptionBudget,
// nothing spreading its replicas over nodes).
//
// Matching rules, and what they leave out:
//   - Service DNS names: svc.ns.svc and svc.ns.svc.cluster.local (the
//     cluster domain is an option); the Service must exist.
//   - Ingress: a rule whose host equals the endpoint's host (a "*." host
//     matches one label), and of its paths the longest one the endpoint's
//     registry API path falls under; its backend Service. A default backend
//     is not a match (it catches every host).
//   - HTTPRoute: a hostname as above, the longest path match of its rules
//     (no match means "/"), and its Service backendRefs, in any namespace.
//     Routes without hostnames are not a match.
//   - LoadBalancer: a status ingress IP or hostname, or an external IP,
//     with the endpoint's port (default 443 for https, 80 for http) among
//     the Service's ports.
//   - NodePort: a node's address with the endpoint's port among the
//     Service's node ports.
//
// A workload's pods back a Service when the Service's selector, not empty,
// matches the pod template's labels in the same namespace. Workloads are
// Deployments, StatefulSets and DaemonSets.
package circle
