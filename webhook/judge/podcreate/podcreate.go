package podcreate

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/version"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	api "k8s.io/kubernetes/pkg/apis/core"
	_ "k8s.io/kubernetes/pkg/apis/core/install" // v1 defaults and conversions in legacyscheme
	"k8s.io/kubernetes/pkg/capabilities"
	podregistry "k8s.io/kubernetes/pkg/registry/core/pod"
)

// Validate returns every problem the API server would find creating pod, in
// the API server's wording, paths relative to the pod (metadata..., spec...).
// pod is not modified. pod.Name must be set (a generated name is filled in
// by the caller, as the API server does before validating).
func Validate(pod *corev1.Pod) field.ErrorList {
	v1pod := pod.DeepCopy()
	legacyscheme.Scheme.Default(v1pod)
	internal := &api.Pod{}
	if err := legacyscheme.Scheme.Convert(v1pod, internal, nil); err != nil {
		return field.ErrorList{field.InternalError(field.NewPath("spec"), fmt.Errorf("converting the pod to the API server's internal type: %w", err))}
	}
	errs := olderServerRules(internal)
	ctx := genericapirequest.WithNamespace(context.Background(), pod.Namespace)
	// Declarative validation names the request it validates.
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: "create", APIVersion: "v1", Resource: "pods",
		Namespace: pod.Namespace, Name: pod.Name,
	})
	podregistry.Strategy.PrepareForCreate(ctx, internal)
	return append(errs, rest.ValidateCreate(ctx, internal, podregistry.Strategy)...)
}

func init() {
	// kube-apiserver --allow-privileged: every cluster that runs privileged
	// pods (CNI, CSI, kube-proxy) sets it, and a pod refused for it would be
	// refused by the API server on the workload already.
	capabilities.Setup(true, 0)
}

// LibraryVersion is the Kubernetes minor version of the validation code
// (k8s.io/kubernetes in go.mod; a test keeps the two equal).
const LibraryVersion = "1.37"

// EmulateVersion makes the feature gates default as in Kubernetes v (major.minor,
// e.g. "1.33" or "v1.33.13"), as kube-apiserver --emulated-version does. A
// version newer than this library's is refused.
func EmulateVersion(v string) error {
	parsed, err := version.ParseGeneric(v)
	if err != nil {
		return fmt.Errorf("kubernetes version %q: %w", v, err)
	}
	mm := version.MajorMinor(parsed.Major(), parsed.Minor())
	if mm.GreaterThan(version.MustParse(LibraryVersion)) {
		return fmt.Errorf("kubernetes %s is newer than the validation code admissible is built with (%s): its pod rules are unknown", mm, LibraryVersion)
	}
	if err := utilfeature.DefaultMutableFeatureGate.SetEmulationVersion(mm); err != nil {
		return fmt.Errorf("emulating kubernetes %s: %w", mm, err)
	}
	return nil
}

// EmulatedVersion returns the major.minor version whose feature defaults apply.
func EmulatedVersion() string {
	return utilfeature.DefaultMutableFeatureGate.EmulationVersion().String()
}
