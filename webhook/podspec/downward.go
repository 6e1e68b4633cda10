package podspec

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// envFieldPaths are the pod fields an env fieldRef may select without a
// subscript, sorted as the server lists them in its error.
var envFieldPaths = []string{
	"metadata.name",
	"metadata.namespace",
	"metadata.uid",
	"spec.nodeName",
	"spec.serviceAccountName",
	"status.hostIP",
	"status.hostIPs",
	"status.podIP",
	"status.podIPs",
}

// convertibleFieldPaths are the unsubscripted v1 field labels the server's
// conversion to the internal version accepts, mapped to their internal name.
// Some convert but are then refused as an env fieldRef.
var convertibleFieldPaths = map[string]string{
	"metadata.annotations":    "metadata.annotations",
	"metadata.labels":         "metadata.labels",
	"metadata.name":           "metadata.name",
	"metadata.namespace":      "metadata.namespace",
	"metadata.uid":            "metadata.uid",
	"spec.nodeName":           "spec.nodeName",
	"spec.restartPolicy":      "spec.restartPolicy",
	"spec.serviceAccountName": "spec.serviceAccountName",
	"spec.schedulerName":      "spec.schedulerName",
	"status.phase":            "status.phase",
	"status.hostIP":           "status.hostIP",
	"status.hostIPs":          "status.hostIPs",
	"status.podIP":            "status.podIP",
	"status.podIPs":           "status.podIPs",
	"spec.host":               "spec.nodeName", // old v1 clients
}

// envResources are the container resources an env resourceFieldRef may
// select, sorted as the server lists them in its error. Huge pages are
// accepted by prefix (hugePagesPrefixes) and are not listed.
var envResources = []string{
	"limits.cpu",
	"limits.ephemeral-storage",
	"limits.memory",
	"requests.cpu",
	"requests.ephemeral-storage",
	"requests.memory",
}

var hugePagesPrefixes = []string{"limits.hugepages-", "requests.hugepages-"}

var (
	cpuDivisors = []string{"1m", "1"}
	// byteDivisors serve memory, ephemeral storage and huge pages alike.
	byteDivisors = []string{
		"1",
		"1k", "1M", "1G", "1T", "1P", "1E",
		"1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei",
	}
)

const byteDivisorList = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"

// validateObjectFieldSelector checks an env fieldRef. The server first
// defaults an empty apiVersion to "v1", then converts the field path from that
// version, then checks the result; so does this.
func validateObjectFieldSelector(fs *corev1.ObjectFieldSelector, path *field.Path) field.ErrorList {
	apiVersion := fs.APIVersion
	if apiVersion == "" {
		apiVersion = defaultFieldAPIVersion
	}
	if fs.FieldPath == "" {
		return field.ErrorList{field.Required(path.Child("fieldPath"), "")}
	}

	internal, err := convertFieldPath(apiVersion, fs.FieldPath)
	if err != nil {
		return field.ErrorList{field.Invalid(path.Child("fieldPath"), fs.FieldPath, fmt.Sprintf("error converting fieldPath: %v", err))}
	}

	var errs field.ErrorList
	if base, key, ok := splitSubscript(internal); ok {
		// Conversion lets only labels and annotations have a subscript. The
		// key errors are reported at the fieldRef itself, as the server does.
		if base == "metadata.annotations" {
			key = strings.ToLower(key)
		}
		for _, msg := range validation.IsQualifiedName(key) {
			errs = append(errs, field.Invalid(path, key, msg).WithOrigin(originQualifiedName))
		}
	} else if !slices.Contains(envFieldPaths, internal) {
		errs = append(errs, field.NotSupported(path.Child("fieldPath"), internal, envFieldPaths))
	}
	return errs
}

// convertFieldPath converts a pod field label of the given API version to its
// internal name, with the server's errors (pkg/apis/core/pods).
func convertFieldPath(apiVersion, label string) (string, error) {
	if apiVersion != "v1" {
		return "", fmt.Errorf("unsupported pod version: %s", apiVersion)
	}
	if base, _, ok := splitSubscript(label); ok {
		if base != "metadata.annotations" && base != "metadata.labels" {
			return "", fmt.Errorf("field label does not support subscript: %s", label)
		}
		return label, nil
	}
	internal, ok := convertibleFieldPaths[label]
	if !ok {
		return "", fmt.Errorf("field label not supported: %s", label)
	}
	return internal, nil
}

// splitSubscript splits "base['key']" into base and key. ok is false when p
// has no subscript or nothing before it.
func splitSubscript(p string) (base, key string, ok bool) {
	s, found := strings.CutSuffix(p, "']")
	if !found {
		return p, "", false
	}
	base, key, found = strings.Cut(s, "['")
	if !found || base == "" {
		return p, "", false
	}
	return base, key, true
}

// validateResourceFieldSelector checks an env resourceFieldRef: a supported
// resource, and a divisor fitting it. containerName may be empty in env (it
// means the current container) and is not checked here.
func validateResourceFieldSelector(fs *corev1.ResourceFieldSelector, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case fs.Resource == "":
		errs = append(errs, field.Required(path.Child("resource"), ""))
	case !slices.Contains(envResources, fs.Resource) && !isHugePages(fs.Resource):
		errs = append(errs, field.NotSupported(path.Child("resource"), fs.Resource, envResources))
	}
	return append(errs, validateDivisor(fs.Resource, fs.Divisor, path)...)
}

// validateDivisor checks that divisor, if set, is one the resource supports.
// As in the server, the error's value is the resource name, and a zero
// divisor counts as unset.
func validateDivisor(res string, divisor resource.Quantity, path *field.Path) field.ErrorList {
	if divisor.IsZero() {
		return nil
	}
	var allowed []string
	var msg string
	switch {
	case res == "limits.cpu" || res == "requests.cpu":
		allowed, msg = cpuDivisors, "only divisor's values 1m and 1 are supported with the cpu resource"
	case res == "limits.memory" || res == "requests.memory":
		allowed, msg = byteDivisors, "only divisor's values "+byteDivisorList+" are supported with the memory resource"
	case res == "limits.ephemeral-storage" || res == "requests.ephemeral-storage":
		allowed, msg = byteDivisors, "only divisor's values "+byteDivisorList+" are supported with the local ephemeral storage resource"
	case isHugePages(res):
		allowed, msg = byteDivisors, "only divisor's values "+byteDivisorList+" are supported with the hugepages resource"
	default:
		return nil
	}
	if slices.Contains(allowed, divisor.String()) {
		return nil
	}
	return field.ErrorList{field.Invalid(path.Child("divisor"), res, msg)}
}

func isHugePages(res string) bool {
	for _, prefix := range hugePagesPrefixes {
		if strings.HasPrefix(res, prefix) {
			return true
		}
	}
	return false
}
