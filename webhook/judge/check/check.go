package check

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
)

// Mode says what a check does with the problems it finds.
type Mode string

// Modes of a check.
const (
	// Enforce refuses an object with a problem.
	Enforce Mode = "enforce"
	// Warn admits it with each problem as a warning, prefixed "[warn mode] ".
	Warn Mode = "warn"
	// Off does not run the check: no lookups, no problems, no warnings.
	Off Mode = "off"
)

// ParseMode reads "enforce", "warn" or "off"; "" is the check's default,
// returned as "".
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "", Enforce, Warn, Off:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: must be enforce, warn or off", s)
}

// LabelPrefix starts the namespace label that sets a check's mode in that
// namespace: admissible.dev/<name>.
const LabelPrefix = "admissible.dev/"

// AnnotationSkip on an object lists the checks it is exempted from, by
// name, comma-separated.
const AnnotationSkip = LabelPrefix + "skip"

// Check is what a check says about itself.
type Check struct {
	// Name is the check in the skip annotation, in its namespace label and
	// in metrics: "images", "pod-templates".
	Name string
	// Key is the check's key under the configuration file's modes:
	// "images", "podTemplates".
	Key string
	// Title names the check in notes and warnings: "pod templates".
	Title string
	// Default is the mode where nothing says otherwise.
	Default Mode
	// Reads says which kinds and fields the check reads, and what it needs
	// from the cluster, for the docs.
	Reads string
	// Resources are the cluster's resources the check reads (get, list,
	// watch), as kubectl names them: "secrets", "deployments.apps". The
	// install's RBAC grants them, and the manifests' tests hold it to
	// them.
	Resources []string
}

// Label is the namespace label setting the check's mode there.
func (c Check) Label() string { return LabelPrefix + c.Name }

// Subject is what a check judges: an admission request's objects, or one
// object of a manifest set.
type Subject interface {
	// Pods returns the pods the object's controllers would create, one per
	// pod template, after the admission chain when one runs: a Pod is its
	// own. Empty for an object without pod templates, and for a Pod
	// update (the API server validates it as an update before the webhook
	// is called).
	Pods() []Pod
	// Images returns the lookups of the object's images, each once,
	// through the node's mirror walk and pull credentials. Images the old
	// object of an update already named are not looked up again, and not
	// returned.
	Images(ctx context.Context) []Image
}

// Judge judges one object for one check.
type Judge interface {
	// Check is the check judged.
	Check() Check
	// Judge returns the object's problems and warnings. Problems are
	// refusals in enforce mode, warnings in warn mode.
	Judge(ctx context.Context, s Subject) Findings
}

// Findings are what a check found in one object.
type Findings struct {
	// Problems are what the check refuses, in the API server's wording.
	Problems field.ErrorList
	// Had holds the renderings (field.Error.Error()) of the problems the
	// old object of an update already had: those are warnings, never
	// refusals, so that an update that does not make things worse passes.
	Had map[string]bool
	// Warnings are said whatever the mode.
	Warnings []string
}

// Pod is a pod the object's controller would create from one of its pod
// templates.
type Pod struct {
	// Path is the template's pod spec in the object: spec.template.spec.
	Path *field.Path
	// Spec is the pod's spec as the API server validates it: the
	// template's, after the admission chain when one runs.
	Spec *corev1.PodSpec
	// Template is the template's own spec, as the object holds it: images
	// found there are matched to the pod by this pointer (Image.Pod).
	Template *corev1.PodSpec
	// Controller is the kind creating the pod: "DaemonSet", "Deployment",
	// or "Pod" for a Pod.
	Controller string
}

// Image is one image the object names, and its lookup.
type Image struct {
	// Path is the field naming the image.
	Path *field.Path
	// Ref is the reference as written.
	Ref string
	// Pod is the pod template naming it (Pod.Template), nil for a plain
	// image field of a custom resource.
	Pod *corev1.PodSpec
	// Query is what was looked up: the parsed reference and the pull
	// credentials a node would use.
	Query resolvers.Query
	// Result is the lookup's answer.
	Result resolvers.Result
}
