// Package manifest reads Kubernetes objects from files: multi-document YAML,
// JSON, and List kinds (expanded to their items). Each object remembers the
// file and the document it came from, so messages can point at it.
//
// Invalid input is an error naming the source and document; an empty
// document is skipped; a document without apiVersion or kind is an error.
package manifest
