package judge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/admissible/admissible/webhook/judge/check"
)

// Mode says what a check does with the problems it finds (check.Mode).
type Mode = check.Mode

// Modes of a check.
const (
	// Enforce refuses an object with a problem.
	Enforce = check.Enforce
	// Warn admits it with each problem as a warning, prefixed "[warn mode] ".
	Warn = check.Warn
	// Off does not run the check: no lookups, no problems, no warnings.
	Off = check.Off
)

// ParseMode reads "enforce", "warn" or "off"; "" is the check's default,
// returned as "".
func ParseMode(s string) (Mode, error) { return check.ParseMode(s) }

// AnnotationSkip on an object lists the checks it is exempted from, by
// name, comma-separated.
const AnnotationSkip = check.AnnotationSkip

// Modes is the mode of each check, by check name (check.Check.Name). A
// check it does not name has its default mode.
type Modes map[string]Mode

// Of returns the mode of c: the one set, or c's default.
func (m Modes) Of(c check.Check) Mode {
	if mode, ok := m[c.Name]; ok && mode != "" {
		return mode
	}
	return c.Default
}

// warnPrefix starts a problem admitted because its check is in warn mode.
const warnPrefix = "[warn mode] "

// effective returns the modes that apply to one object: m's, then its
// namespace's labels, then its skip annotation. The notes say what was
// exempted and which label or annotation was not understood.
func (m Modes) effective(namespaceLabels, annotations map[string]string) (Modes, []string) {
	var notes []string
	out := make(Modes, len(Checks))
	for _, c := range Checks {
		out[c.Name] = m.Of(c)
		v, ok := namespaceLabels[c.Label()]
		if !ok {
			continue
		}
		mode, err := ParseMode(v)
		if err != nil || v == "" {
			notes = append(notes, fmt.Sprintf("namespace label %s=%q is not enforce, warn or off: ignored, mode %s applies", c.Label(), v, out[c.Name]))
			continue
		}
		out[c.Name] = mode
	}
	skip, ok := annotations[AnnotationSkip]
	if !ok {
		return out, notes
	}
	for _, word := range strings.Split(skip, ",") {
		word = strings.TrimSpace(word)
		if word == "" {
			continue
		}
		i := slices.IndexFunc(Checks, func(c check.Check) bool { return c.Name == word })
		if i < 0 {
			notes = append(notes, fmt.Sprintf("annotation %s: unknown check %q ignored (known: %s)", AnnotationSkip, word, strings.Join(checkNames(), ", ")))
			continue
		}
		out[word] = Off
		notes = append(notes, fmt.Sprintf("%s not checked: this object is exempted by annotation %s", Checks[i].Title, AnnotationSkip))
	}
	return out, notes
}

// checkNames lists the checks' names, in order.
func checkNames() []string {
	names := make([]string, len(Checks))
	for i, c := range Checks {
		names[i] = c.Name
	}
	return names
}
