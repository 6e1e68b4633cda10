package webhook

import (
	"fmt"
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

// effective returns the modes that apply to one object: the engine's, then
// its namespace's labels, then its skip annotation. The notes say what was
// exempted and which label or annotation was not understood.
func (m Modes) effective(namespaceLabels, annotations map[string]string) (Modes, []string) {
	var notes []string
	for _, l := range []struct {
		label string
		mode  *Mode
	}{{LabelImages, &m.Images}, {LabelPodTemplates, &m.PodTemplates}, {LabelPodAdmission, &m.PodAdmission}, {LabelRegistryCircle, &m.RegistryCircle}} {
		v, ok := namespaceLabels[l.label]
		if !ok {
			continue
		}
		mode, err := ParseMode(v)
		if err != nil || v == "" {
			notes = append(notes, fmt.Sprintf("namespace label %s=%q is not enforce, warn or off: ignored, mode %s applies", l.label, v, *l.mode))
			continue
		}
		*l.mode = mode
	}
	skip, ok := annotations[AnnotationSkip]
	if !ok {
		return m, notes
	}
	for _, c := range strings.Split(skip, ",") {
		switch c = strings.TrimSpace(c); c {
		case checkImages:
			m.Images = Off
			notes = append(notes, fmt.Sprintf("images not checked: this object is exempted by annotation %s", AnnotationSkip))
		case checkPodTemplates:
			m.PodTemplates = Off
			notes = append(notes, fmt.Sprintf("pod templates not checked: this object is exempted by annotation %s", AnnotationSkip))
		case checkPodAdmission:
			m.PodAdmission = Off
			notes = append(notes, fmt.Sprintf("pod admission not checked: this object is exempted by annotation %s", AnnotationSkip))
		case checkRegistryCircle:
			m.RegistryCircle = Off
			notes = append(notes, fmt.Sprintf("registry circle not checked: this object is exempted by annotation %s", AnnotationSkip))
		case "":
		default:
			notes = append(notes, fmt.Sprintf("annotation %s: unknown check %q ignored (known: %s, %s, %s, %s)", AnnotationSkip, c, checkImages, checkPodTemplates, checkPodAdmission, checkRegistryCircle))
		}
	}
	return m, notes
}
