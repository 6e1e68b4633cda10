// Package manifest reads Kubernetes objects from files: multi-document YAML,
// JSON, and List kinds (expanded to their items). Each object remembers the
// file and the document it came from, so messages can point at it.
//
// Invalid input is an error naming the source and document; an empty
// document is dropped. A document that is not a Kubernetes object (no
// apiVersion or kind, or not a map: a kustomization.yaml, Helm values, a CI
// file) is returned with NotObject saying so, never an error, so a
// repository's directory can be read whole. A List item without apiVersion
// or kind is an error: the list says it holds objects.
package manifest
