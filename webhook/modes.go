package webhook

import (
	"fmt"
	"slices"
	"strings"
)

// Mode says what a check does with the problems it finds.
type Mode string

// Modes of a check.
const (
	// Enforce refuses an object with a problem (the default).
	Enforce Mode = "enforce"
	// Warn admits it with each problem as a warning, prefixed "[warn mode] ".
	Warn Mode = "warn"
	// Off does not run the check: no lookups, no problems, no warnings.
	Off Mode = "off"
)

// ParseMode reads "enforce", "warn" or "off"; "" is Enforce.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(s); m {
	case "":
		return Enforce, nil
	case Enforce, Warn, Off:
		return m, nil
	}
	return "", fmt.Errorf("mode %q: must be enforce, warn or off", s)
}

// Modes is the mode of each check.
type Modes struct {
	// Images covers image references: whether they parse, the registries
	// policy, and whether the image exists.
	Images Mode
	// PodTemplates covers the API server's validation of the pod a
	// controller creates from a template (package podcreate).
	PodTemplates Mode
	// PodAdmission covers what pod admission will refuse, known from the
	// cluster: PodSecurity, and the ServiceAccount, PriorityClass and
	// RuntimeClass a pod names (package podadmission). It needs the cluster:
	// offline it does not run.
	PodAdmission Mode
	// RegistryCircle covers a registry that serves its own images (package
	// circle); unlike the others it defaults to Warn.
	RegistryCircle Mode
}

// Checks, as named in namespace labels and the skip annotation.
const (
	checkImages         = "images"
	checkPodTemplates   = "pod-templates"
	checkPodAdmission   = "pod-admission"
	checkRegistryCircle = "registry-circle"
)

// Labels and annotations that set the modes.
const (
	// LabelImages on a namespace sets the images check's mode there.
	LabelImages = "admissible.dev/images"
	// LabelPodTemplates on a namespace sets the pod-templates check's mode
	// there.
	LabelPodTemplates = "admissible.dev/pod-templates"
	// LabelPodAdmission on a namespace sets the pod-admission check's mode
	// there.
	LabelPodAdmission = "admissible.dev/pod-admission"
	// LabelRegistryCircle on a namespace sets the registry-circle check's
	// mode there.
	LabelRegistryCircle = "admissible.dev/registry-circle"
	// AnnotationSkip on an object lists the checks it is exempted from,
	// comma-separated: "images", "pod-templates", "pod-admission",
	// "registry-circle".
	AnnotationSkip = "admissible.dev/skip"
)

// warnPrefix starts a problem admitted because its check is in warn mode.
const warnPrefix = "[warn mode] "

// check is one check as labels and annotations name it, and its mode.
type check struct {
	// name is the check in the skip annotation; title in the notes.
	name, title string
	// label on a namespace sets its mode there.
	label string
	mode  *Mode
}

// checks lists the checks and their modes in m.
func (m *Modes) checks() []check {
	return []check{
		{checkImages, "images", LabelImages, &m.Images},
		{checkPodTemplates, "pod templates", LabelPodTemplates, &m.PodTemplates},
		{checkPodAdmission, "pod admission", LabelPodAdmission, &m.PodAdmission},
		{checkRegistryCircle, "registry circle", LabelRegistryCircle, &m.RegistryCircle},
	}
}

// effective returns the modes that apply to one object: the engine's, then
// its namespace's labels, then its skip annotation. The notes say what was
// exempted and which label or annotation was not understood.
func (m Modes) effective(namespaceLabels, annotations map[string]string) (Modes, []string) {
	var notes []string
	checks := m.checks()
	for _, c := range checks {
		v, ok := namespaceLabels[c.label]
		if !ok {
			continue
		}
		mode, err := ParseMode(v)
		if err != nil || v == "" {
			notes = append(notes, fmt.Sprintf("namespace label %s=%q is not enforce, warn or off: ignored, mode %s applies", c.label, v, *c.mode))
			continue
		}
		*c.mode = mode
	}
	skip, ok := annotations[AnnotationSkip]
	if !ok {
		return m, notes
	}
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.name
	}
	for _, word := range strings.Split(skip, ",") {
		word = strings.TrimSpace(word)
		if word == "" {
			continue
		}
		i := slices.Index(names, word)
		if i < 0 {
			notes = append(notes, fmt.Sprintf("annotation %s: unknown check %q ignored (known: %s)", AnnotationSkip, word, strings.Join(names, ", ")))
			continue
		}
		*checks[i].mode = Off
		notes = append(notes, fmt.Sprintf("%s not checked: this object is exempted by annotation %s", checks[i].title, AnnotationSkip))
	}
	return m, notes
}
