package podcreate

import (
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apimachinery/pkg/util/version"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	api "k8s.io/kubernetes/pkg/apis/core"
	"k8s.io/kubernetes/pkg/features"
)

// olderServerRules are the rules an API server older than this library
// applies where this library, emulating it, would drop the field instead:
// newer code drops the fields of a disabled feature, the older server never
// knew the field relaxed and refuses it.
//
//   - ContainerRestartRules (1.34): before it, a regular container may not set
//     restartPolicy and an init container may set only Always.
func olderServerRules(pod *api.Pod) field.ErrorList {
	var errs field.ErrorList
	if utilfeature.DefaultFeatureGate.Enabled(features.ContainerRestartRules) || !olderThan("1.34") {
		return nil
	}
	spec := field.NewPath("spec")
	for i, c := range pod.Spec.Containers {
		if c.RestartPolicy != nil {
			errs = append(errs, field.Forbidden(spec.Child("containers").Index(i).Child("restartPolicy"), "may not be set for non-init containers"))
		}
	}
	for i, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy != api.ContainerRestartPolicyAlways {
			errs = append(errs, field.NotSupported(spec.Child("initContainers").Index(i).Child("restartPolicy"), *c.RestartPolicy, []string{string(api.ContainerRestartPolicyAlways)}))
		}
	}
	return errs
}

// olderThan reports whether the emulated version is before v.
func olderThan(v string) bool {
	return utilfeature.DefaultMutableFeatureGate.EmulationVersion().LessThan(version.MustParse(v))
}
