// Package kinds is the catalog of object kinds admissible judges and where,
// in each, images and pod specs live.
//
// Built in: Pod, every workload that carries a pod template (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob,
// PodTemplate) and Rook's CRDs with container image fields. The catalog is
// also the single source of the webhook configuration's rules, so the kinds
// the API server sends and the kinds the code handles cannot drift apart.
package kinds
