// Package podspec re-implements the parts of the Kubernetes API server's pod
// validation that the server skips when a pod spec is only a template.
//
// The API server validates a pod spec in full when a Pod is created, but not
// always when the spec is embedded in another object: a StatefulSet's pod
// template is not run through the container checks on Kubernetes 1.33 and
// earlier, and a custom resource's embedded template is only checked against
// its OpenAPI schema. A bad template is then accepted, and the failure shows
// up later, when the controller tries to create the pods. The functions here
// run the same checks at admission time so the object is rejected up front.
//
// What is covered:
//
//   - container env: variable names, the value/valueFrom exclusivity, exactly
//     one valueFrom source, and each source (fieldRef, resourceFieldRef,
//     configMapKeyRef, secretKeyRef, fileKeyRef);
//   - container envFrom: the prefix, and exactly one of configMapRef or
//     secretRef with a valid name.
//
// Behaviour follows the API server's defaults in recent releases
// (k8s.io/kubernetes pkg/apis/core/validation, v1.37): relaxed environment
// variable names (RelaxedEnvironmentVariableValidation, GA in 1.34) and the
// fileKeyRef source (EnvFiles, on by default since 1.35). Field defaulting the
// server applies before validating, such as fieldRef.apiVersion defaulting to
// "v1", is taken into account so that nothing the server would accept is
// reported.
//
// Errors are field.Errors with the API server's field paths and wording, so a
// message reported here reads exactly as the one the server would give when
// the pod is created. Where a helper exists in k8s.io/apimachinery it is
// called rather than re-implemented.
package podspec
