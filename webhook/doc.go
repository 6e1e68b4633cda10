// Package webhook judges Kubernetes objects before they are stored: it refuses
// images that do not exist and pod templates the API server would refuse at
// pod creation, and warns when a registry could not be asked.
//
// The Engine is shared by the admission Handler (served by controller-runtime's
// webhook.Server) and by the offline "admissible check" command, so a manifest
// is judged the same way from a file or from an AdmissionReview.
//
// Two checks, each in a Mode (enforce, warn or off; default enforce):
//   - images: a reference that is empty or does not parse, an image whose
//     registry the policy refuses (package policy; never looked up), and an
//     image that every endpoint a node would try answered 404 for;
//   - pod templates: the pod spec rules of package podspec, reported with
//     the API server's own field path and wording.
//
// The engine's modes (WithModes) apply unless the object's namespace has the
// label admissible.dev/images or admissible.dev/pod-templates (enforce, warn
// or off), and an object annotated admissible.dev/skip: images,pod-templates
// is exempted from the checks it names, with a warning saying so. In warn
// mode a problem becomes a warning prefixed "[warn mode] ".
//
// Verdicts:
//   - a problem of a check in enforce mode is a denial;
//   - an image that could not be verified (timeout, 5xx, 429, no credentials)
//     is admitted with a warning that names what each endpoint answered;
//   - an object of a kind the catalog (package kinds) does not list is
//     admitted untouched.
//
// Updates judge the change, not the past: on UPDATE, an image reference the
// old object already named is not looked up (no registry request for a
// scale, a relabel or a GitOps re-apply), and a problem the old object
// already had, same field path and message, is a warning prefixed "already
// present before this update: ". The Handler judges CREATE and UPDATE of an
// object and of pods/ephemeralcontainers; DELETE, CONNECT and every other
// subresource (status, scale) are admitted without a look.
//
// Every problem of an object is reported in one answer, one line each,
// sorted by field path (indices as numbers), then message; warnings too.
// The Handler's answer lists at most 50 of each, the last line counting the
// rest. An object's lookups stop at WithMaxLookups distinct images (100).
// This package never speaks HTTP to a registry: it asks a resolvers.Resolver.
package webhook
