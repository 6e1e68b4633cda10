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
//
// # Refused objects
//
// kubectl apply (1.27 on) asks the API server for strict field validation
// by default, and the API server then refuses an object whose fields its
// type does not have, before any admission: "Deployment in version "v1"
// cannot be handled as a Deployment: strict decoding error: unknown field
// "spec.template.spec.containers[0].imagePullPolicyy"". Read decodes each
// object as the API server decodes what kubectl sends (the object as
// JSON), with the API machinery's own strict decoder into the kind's Go
// type, and keeps the API server's answer in Document.Refused: unknown
// fields, and values of the wrong type ("replicas: two", a quantity
// "${GPUS}"), which it refuses whatever the validation. Only the stable
// versions of the built-in kinds, those client-go's scheme knows, are
// checked: a stable version's fields are never removed, so those of this
// client's types, the newest, are all that any release knows. Not checked:
// custom resources, whose schemas are in the cluster (their CRDs), not
// here; alpha and beta versions, which a cluster serves with the fields of
// its own release or not at all; and a field newer than the cluster's
// release, which that cluster's API server would refuse.
//
// Keys written twice in the same map of a document are refused too, for
// every object, custom resources included, named as the API server names
// them ("duplicate field "spec.replicas""). The API server refuses them
// when it is sent the document as written; kubectl apply -f itself never
// sends them: it converts the YAML to JSON first, keeping the last of the
// values and saying nothing, so one of the two values is silently lost
// (kustomize, and so kubectl apply -k, refuses the file). They are found in
// the document's own bytes, since decoding drops them: with the API
// server's JSON decoder for a JSON document, and in the YAML nodes
// otherwise, where a key overriding one brought in by a merge key ("<<:
// *defaults") is no duplicate. A duplicate in a List counts against the
// item it is in, or against every item when it is in the list itself.
package manifest
