// Package kinds is the catalog of object kinds admissible judges and where,
// in each, images and pod specs live.
//
// Built in: Pod, every workload that carries a pod template (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
// PodTemplate) and Rook's CRDs with container image fields. Further kinds
// (custom resources named in the configuration) are added with New; a kind
// listed twice is refused. The catalog is also the single source of the
// webhook configuration's rules, so the kinds the API server sends and the
// kinds the code handles cannot drift apart.
//
// A Path is dot-separated field names (ParsePath); a segment "name[]" walks
// every item of a list, and Find reports each value with its indexed field
// path: spec.sidecars[].image finds spec.sidecars[1].image. Indices,
// wildcards and JSONPath are refused.
package kinds
