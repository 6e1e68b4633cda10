// Package podadmission predicts what pod admission in the API server will do
// with the pod a controller creates, after the admission chain (package
// admissionchain) has run the other plugins on it:
//
//   - PodSecurity: the namespace's pod-security.kubernetes.io labels (and the
//     cluster's defaults and exemptions, which the webhook cannot read and
//     are configured) evaluated by k8s.io/pod-security-admission's own
//     admission code on the pod. An enforce violation is a problem, in
//     PodSecurity's wording ("violates PodSecurity "restricted:latest": ..."):
//     the API server only warns on a workload, then forbids every pod
//     create. audit and warn violations are warnings.
//   - ServiceAccount: the pod's service account ("default" when it names
//     none) must exist in its namespace. A missing one is a warning, never a
//     refusal: it ships with the workload and is often applied after it
//     (kubectl apply -f DIR goes by file name), and the controller retries
//     until it exists.
//
// Priority, RuntimeClass, LimitRanger, ResourceQuota and the cluster's
// ValidatingAdmissionPolicies are the admission chain's: the plugins' own code.
//
// The cluster is read through a Cluster, backed by informers: no live read
// per admission (an informer miss may be confirmed once, see Cluster).
// Wording follows the admission plugins of kube-apiserver v1.37.
package podadmission
