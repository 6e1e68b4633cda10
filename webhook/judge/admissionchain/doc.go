// Package admissionchain runs the API server's own admission plugins on the
// pod a controller will create, before that pod is validated: a pod is
// judged as the API server judges it, after the mutating plugins changed it,
// not as its template reads.
//
// The plugins are the API server's, constructed by the same registry
// (k8s.io/kubernetes/pkg/kubeapiserver/options RegisterAllAdmissionPlugins),
// run in its order (AllOrderedPlugins), enabled as kube-apiserver enables them
// by default (DefaultOffAdmissionPlugins), and configured from the cluster's
// own AdmissionConfiguration file when one is given. Of those, the chain runs
// the plugins that act on a pod's creation:
//
//   - LimitPodHardAntiAffinityTopology, LimitRanger, ServiceAccount,
//     AlwaysPullImages, PodNodeSelector, Priority, DefaultTolerationSeconds,
//     PodTolerationRestriction, ExtendedResourceToleration, RuntimeClass and
//     ValidatingAdmissionPolicy, each from k8s.io/kubernetes/plugin/pkg/admission
//     or k8s.io/apiserver;
//   - ResourceQuota's rules, by its own CheckRequest and the pod evaluator:
//     a quota that requires a resource the pod does not set refuses every pod
//     (a refusal); usage over a quota changes by the minute (a warning).
//
// Not run here: PodSecurity (package podadmission evaluates it, with
// pod-security-admission's own code, on the pod this chain returns);
// NamespaceLifecycle (the namespace is often created by the same apply);
// admission webhooks and MutatingAdmissionPolicy (other programs' code);
// plugins that act on other objects or on pod updates and bindings.
//
// The plugins read the cluster through a client-go informer factory (the
// webhook's informers, or, for check, one filled from the manifests). They
// never read the API server per admission: a ServiceAccount the informers do
// not hold gets a stand-in (the caller warns that it is missing), and
// LimitRanges come from the informer only.
package admissionchain
