package podspec

import (
	"path/filepath"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Messages of the API server's validateEnvVarValueFrom and ValidateEnvFrom.
const (
	// msgNoValueFromSource is the server's wording when the EnvFiles feature
	// is enabled (the default since 1.35); with it disabled the server leaves
	// out "fileKeyRef".
	msgNoValueFromSource   = "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"
	msgValueAndValueFrom   = "may not be specified when `value` is not empty"
	msgMoreThanOneSource   = "may not have more than one field specified at a time"
	msgNoEnvFromSource     = "must specify one of: `configMapRef` or `secretRef`"
	msgPathBacksteps       = "must not contain '..'"
	originShortName        = "format=k8s-short-name"
	originQualifiedName    = "format=qualified-name"
	defaultFieldAPIVersion = "v1"
)

// ValidateEnv checks a container's env list as the API server does when it
// validates a pod. path is the path of the list itself, for example
// field.NewPath("spec", "template", "spec", "containers").Index(0).Child("env").
// Every problem found is reported, not only the first.
func ValidateEnv(env []corev1.EnvVar, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range env {
		ev := &env[i]
		idxPath := path.Index(i)
		if ev.Name == "" {
			errs = append(errs, field.Required(idxPath.Child("name"), ""))
		} else {
			for _, msg := range validation.IsRelaxedEnvVarName(ev.Name) {
				errs = append(errs, field.Invalid(idxPath.Child("name"), ev.Name, msg))
			}
		}
		errs = append(errs, validateEnvVarValueFrom(ev, idxPath.Child("valueFrom"))...)
	}
	return errs
}

// validateEnvVarValueFrom checks ev.ValueFrom, if set: each source present is
// checked on its own, then the count of sources. Like the server, a non-empty
// value is reported in preference to having several sources, and an empty
// valueFrom is reported whatever the value.
func validateEnvVarValueFrom(ev *corev1.EnvVar, path *field.Path) field.ErrorList {
	from := ev.ValueFrom
	if from == nil {
		return nil
	}

	var errs field.ErrorList
	sources := 0
	if from.FieldRef != nil {
		sources++
		errs = append(errs, validateObjectFieldSelector(from.FieldRef, path.Child("fieldRef"))...)
	}
	if from.ResourceFieldRef != nil {
		sources++
		errs = append(errs, validateResourceFieldSelector(from.ResourceFieldRef, path.Child("resourceFieldRef"))...)
	}
	if from.ConfigMapKeyRef != nil {
		sources++
		errs = append(errs, validateKeySelector(from.ConfigMapKeyRef.Name, from.ConfigMapKeyRef.Key, path.Child("configMapKeyRef"))...)
	}
	if from.SecretKeyRef != nil {
		sources++
		errs = append(errs, validateKeySelector(from.SecretKeyRef.Name, from.SecretKeyRef.Key, path.Child("secretKeyRef"))...)
	}
	if from.FileKeyRef != nil {
		sources++
		errs = append(errs, validateFileKeySelector(from.FileKeyRef, path.Child("fileKeyRef"))...)
	}

	switch {
	case sources == 0:
		errs = append(errs, field.Invalid(path, "", msgNoValueFromSource))
	case ev.Value != "":
		errs = append(errs, field.Invalid(path, "", msgValueAndValueFrom))
	case sources > 1:
		errs = append(errs, field.Invalid(path, "", msgMoreThanOneSource))
	}
	return errs
}

// validateKeySelector checks a configMapKeyRef or secretKeyRef; the server
// treats both alike. The referenced name must be a DNS subdomain (so it may
// not be empty) and the key must be a valid ConfigMap/Secret key.
func validateKeySelector(name, key string, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, false) {
		errs = append(errs, field.Invalid(path.Child("name"), name, msg))
	}
	if key == "" {
		errs = append(errs, field.Required(path.Child("key"), ""))
	} else {
		for _, msg := range validation.IsConfigMapKey(key) {
			errs = append(errs, field.Invalid(path.Child("key"), key, msg))
		}
	}
	return errs
}

// validateFileKeySelector checks a fileKeyRef: the key must be a valid
// environment variable name, the volume name a DNS label, and the path must
// not step out of the volume. That the volume exists and is an emptyDir is a
// pod-level check and is not done here.
func validateFileKeySelector(s *corev1.FileKeySelector, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if s.Key == "" {
		errs = append(errs, field.Required(path.Child("key"), ""))
	} else {
		for _, msg := range validation.IsRelaxedEnvVarName(s.Key) {
			errs = append(errs, field.Invalid(path.Child("key"), s.Key, msg))
		}
	}

	if s.VolumeName == "" {
		errs = append(errs, field.Required(path.Child("volumeName"), ""))
	} else {
		for _, msg := range validation.IsDNS1123Label(s.VolumeName) {
			errs = append(errs, field.Invalid(path.Child("volumeName"), s.VolumeName, msg).WithOrigin(originShortName))
		}
	}

	if s.Path == "" {
		errs = append(errs, field.Required(path.Child("path"), ""))
	} else if hasBackstep(s.Path) {
		errs = append(errs, field.Invalid(path.Child("path"), s.Path, msgPathBacksteps))
	}
	return errs
}

// hasBackstep reports whether p has a ".." element.
func hasBackstep(p string) bool {
	for _, part := range strings.Split(filepath.ToSlash(p), "/") {
		if part == ".." {
			return true
		}
	}
	return false
}

// ValidateEnvFrom checks a container's envFrom list as the API server does
// when it validates a pod. path is the path of the list itself, for example
// field.NewPath("spec", "containers").Index(0).Child("envFrom"). Every problem
// found is reported, not only the first.
//
// As in the server, an entry with no source, or with both, is reported at
// path (the list), not at the entry's index.
func ValidateEnvFrom(envFrom []corev1.EnvFromSource, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range envFrom {
		ef := &envFrom[i]
		idxPath := path.Index(i)
		if ef.Prefix != "" {
			for _, msg := range validation.IsRelaxedEnvVarName(ef.Prefix) {
				errs = append(errs, field.Invalid(idxPath.Child("prefix"), ef.Prefix, msg))
			}
		}

		sources := 0
		if ef.ConfigMapRef != nil {
			sources++
			errs = append(errs, validateEnvSourceName(ef.ConfigMapRef.Name, idxPath.Child("configMapRef"))...)
		}
		if ef.SecretRef != nil {
			sources++
			errs = append(errs, validateEnvSourceName(ef.SecretRef.Name, idxPath.Child("secretRef"))...)
		}

		switch {
		case sources == 0:
			errs = append(errs, field.Invalid(path, "", msgNoEnvFromSource))
		case sources > 1:
			errs = append(errs, field.Invalid(path, "", msgMoreThanOneSource))
		}
	}
	return errs
}

// validateEnvSourceName checks the name of an envFrom configMapRef or
// secretRef. The server validates it as a name prefix, which lets a trailing
// '-' through.
func validateEnvSourceName(name string, path *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(path.Child("name"), "")}
	}
	var errs field.ErrorList
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, true) {
		errs = append(errs, field.Invalid(path.Child("name"), name, msg))
	}
	return errs
}
