// Package webhook judges Kubernetes objects before they are stored: it refuses
// images that do not exist and pod templates the API server would refuse at
// pod creation, and warns when a registry could not be asked.
//
// The Engine is shared by the admission Handler (served by controller-runtime's
// webhook.Server) and by the offline "admissible check" command, so a manifest
// is judged the same way from a file or from an AdmissionReview.
//
// Verdicts:
//   - a pod template problem (see package podspec) is a denial, reported with
//     the API server's own field path and wording;
//   - an image that every endpoint a node would try answered 404 for is a
//     denial;
//   - an image that could not be verified (timeout, 5xx, 429, no credentials)
//     is admitted with a warning that names what each endpoint answered;
//   - an object of a kind the catalog (package kinds) does not list is
//     admitted untouched.
//
// Every problem of an object is reported in one answer, one line each.
// This package never speaks HTTP to a registry: it asks a resolvers.Resolver.
package webhook
