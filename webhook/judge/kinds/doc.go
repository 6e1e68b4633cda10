// Package kinds is the catalog of object kinds admissible judges and where,
// in each, images and pod specs live.
//
// Builtin: Pod (spec, and its pods/ephemeralcontainers subresource, which
// kubectl debug writes), the workloads that carry a pod template
// (Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController and
// Job at spec.template.spec, CronJob at spec.jobTemplate.spec.template.spec),
// PodTemplate (template.spec), and Rook's CRDs with container image fields
// (ceph.rook.io/v1 CephCluster, CephNFS, CephNVMeOFGateway, CephCOSIDriver).
// A Kind names its resource (the plural of webhook rules), its
// subresources, its pod spec paths and its plain image paths.
//
// New builds a catalog from a list of kinds, the built-in ones and the
// custom resources the configuration names (package config); a kind listed
// twice, or without a resource name, is refused. The catalog is the source
// of the webhook configuration's rules for the kinds judged (with the
// Services, Ingresses and HTTPRoutes that can close a registry circle,
// which the webhook adds), so the kinds the API server sends and the kinds
// the code handles cannot drift apart.
//
// A Path is dot-separated field names (ParsePath); a segment "name[]" walks
// every item of a list, and Find reports each value with its indexed field
// path: spec.sidecars[].image finds spec.sidecars[1].image. Indices,
// wildcards and JSONPath are refused.
package kinds
