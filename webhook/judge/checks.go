package judge

import (
	"github.com/admissible/admissible/webhook/judge/check"
	"github.com/admissible/admissible/webhook/judge/platforms"
)

// The built-in checks, judged by the engine itself.
var (
	// Images: image references parse, the registries policy allows them,
	// and the image exists where a node would pull it.
	Images = check.Check{
		Name: "images", Key: "images", Title: "images", Default: check.Enforce,
		Reads:     "every image field of the kinds judged (pod specs and custom resources' image fields); the namespace's pull secrets",
		Resources: []string{"secrets", "serviceaccounts"},
	}
	// PodTemplates: the API server's validation of the pod each controller
	// creates from its template (package podcreate).
	PodTemplates = check.Check{
		Name: "pod-templates", Key: "podTemplates", Title: "pod templates", Default: check.Enforce,
		Reads: "the pod templates of workloads, and Pods",
	}
	// PodAdmission: what the API server's admission will refuse, known
	// from the cluster: the admission chain, PodSecurity, and the
	// ServiceAccount, PriorityClass and RuntimeClass a pod names (packages
	// admissionchain and podadmission). Offline it needs the objects.
	PodAdmission = check.Check{
		Name: "pod-admission", Key: "podAdmission", Title: "pod admission", Default: check.Enforce,
		Reads: "the pods of the pod templates; namespaces, ServiceAccounts, PriorityClasses, RuntimeClasses, LimitRanges, ResourceQuotas and ValidatingAdmissionPolicies of the cluster",
		Resources: []string{"namespaces", "serviceaccounts", "limitranges", "resourcequotas",
			"priorityclasses.scheduling.k8s.io", "runtimeclasses.node.k8s.io",
			"validatingadmissionpolicies.admissionregistration.k8s.io", "validatingadmissionpolicybindings.admissionregistration.k8s.io"},
	}
	// RegistryCircle: a registry that serves its own images (package
	// circle); a warning by default.
	RegistryCircle = check.Check{
		Name: "registry-circle", Key: "registryCircle", Title: "registry circle", Default: check.Warn,
		Reads: "workloads, and the Services, Ingresses and HTTPRoutes that lead to them",
		Resources: []string{"services", "nodes", "ingresses.networking.k8s.io", "httproutes.gateway.networking.k8s.io",
			"poddisruptionbudgets.policy", "deployments.apps", "statefulsets.apps", "daemonsets.apps"},
	}
)

// Checks lists every check, in the order the skip annotation names them.
// Configuration keys, namespace labels, skip words and the docs' table come
// from this list, and the install's RBAC is held to its Resources by the
// manifests' tests; a check is added by one line here (and, when it needs
// what only the cluster or the command line knows, its judge given to the
// engine with WithJudge).
var Checks = []check.Check{Images, PodTemplates, PodAdmission, RegistryCircle, platforms.Check}
