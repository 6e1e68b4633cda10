// Package judge judges Kubernetes objects before they are stored: it
// refuses images that do not exist, pod templates the API server would
// refuse at pod creation, pods that pod admission would forbid and images
// that do not serve the platform of the nodes their pods may run on, warns
// about a registry that serves its own images, and warns when a registry
// could not be asked.
//
// The Engine is shared by the admission Handler (package serving) and by the
// offline "admissible check" command, so a manifest is judged the same way
// from a file or from an AdmissionReview.
//
// Five checks, listed once in Checks (each a check.Check: its name, config
// key, namespace label, skip word and default mode), each in a Mode
// (enforce, warn or off). The engine judges the first four itself; a check
// that needs more than the engine holds is a package implementing
// check.Judge, given with WithJudge:
//   - images (default enforce): a reference that is empty or does not
//     parse, an image whose registry the policy refuses (package policy;
//     never looked up), and an image that does not exist where a node would
//     pull it (the walk of package mirrors says which answers mean so);
//   - pod templates (default enforce): the pod each controller creates from
//     its template (package controllerpod), validated by the API server's own
//     pod create code (package podcreate), each problem on the workload's own
//     field path in the API server's wording;
//   - pod admission (default enforce): the refusals of kube-apiserver's own
//     admission plugins, run on the pod before both pod checks judge the pod
//     they return (WithAdmissionChain, package admissionchain), then
//     PodSecurity and the ServiceAccount the pods name (WithPodAdmission,
//     package podadmission; not checked without it, as offline);
//   - registry circle (default warn): a workload whose images are pulled
//     through a registry its own pods serve (WithRegistryCircle, package
//     circle; not checked without it). The engine then also judges Services,
//     Ingresses and HTTPRoutes, any of which can close a circle; the
//     fragility that makes a circle fatal (one replica, no
//     PodDisruptionBudget, no spreading) is a warning in every mode;
//   - platforms (default enforce): an image that does not serve the
//     platform of the nodes its pods may run on (package platforms).
//
// The checks share one subject per object (check.Subject): its pods after
// the admission chain, and its image lookups, made once for every check
// that reads them.
//
// The engine's modes (WithModes) apply unless the object's namespace has the
// check's label (admissible.dev/<name>: enforce, warn or off), and an object
// annotated admissible.dev/skip with a comma-separated list of check names is
// exempted from the checks it names, with a warning saying so. In warn mode a problem becomes a warning prefixed "[warn mode] ".
//
// Verdicts:
//   - a problem of a check in enforce mode is a denial;
//   - an image that could not be verified (timeout, 5xx, 429, no credentials)
//     is admitted with a warning that names what each endpoint answered;
//   - an object of a kind the catalog (package kinds) does not list, and
//     that cannot close a registry circle, is admitted untouched.
//
// Updates judge the change, not the past: on UPDATE, an image reference the
// old object already named is not looked up (no registry request for a
// scale, a relabel or a GitOps re-apply), and a problem the old object
// already had, same field path and message, is a warning prefixed "already
// present before this update: ". A pod update (kubectl debug's ephemeral
// containers) is not judged by the create rules nor by pod admission.
//
// Every problem of an object is reported in one answer, one line each,
// sorted by field path (indices as numbers), then message; warnings too.
// An object's lookups stop at WithMaxLookups distinct images (100).
// This package never speaks HTTP to a registry: it asks a resolvers.Resolver.
package judge
