package judge

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/admissible/admissible/resolvers"
)

// Verdict is the judgement on one object.
type Verdict struct {
	// Skipped is true when the object's kind is not judged.
	Skipped bool `json:"skipped,omitempty"`
	// Denials are the problems that refuse the object, sorted by field path,
	// then message.
	Denials field.ErrorList `json:"-"`
	// Warnings are shown to the user but do not refuse the object, sorted.
	Warnings []string `json:"warnings,omitempty"`
	// Images are the lookups made, one per image field looked up. An image
	// an UPDATE leaves unchanged is not looked up and not listed.
	Images []ImageVerdict `json:"images,omitempty"`
}

// ImageVerdict is the lookup of one image field.
type ImageVerdict struct {
	Field  string           `json:"field"`
	Image  string           `json:"image"`
	Result resolvers.Result `json:"result"`
}

// Prefix of a problem the object had before the update being judged.
const preexistingPrefix = "already present before this update: "

// add sorts problems of a check in mode into denials and warnings: one the
// old object already had (by its rendering, path and message included) is a
// warning, so is every problem in warn mode.
func (v *Verdict) add(mode Mode, problems field.ErrorList, before map[string]bool) {
	for _, p := range problems {
		switch {
		case before[p.Error()]:
			v.Warnings = append(v.Warnings, preexistingPrefix+p.Error())
		case mode == Warn:
			v.Warnings = append(v.Warnings, warnPrefix+p.Error())
		default:
			v.Denials = append(v.Denials, p)
		}
	}
}

// sort folds each warning onto one line and orders denials by field path,
// then message, and warnings by their text, which starts with their field path; numbers in paths compare as
// numbers, so containers[2] comes before containers[10].
func (v *Verdict) sort() {
	for i, w := range v.Warnings {
		v.Warnings[i] = OneLine(w)
	}
	sort.SliceStable(v.Denials, func(i, j int) bool {
		a, b := v.Denials[i], v.Denials[j]
		if a.Field != b.Field {
			return naturalLess(a.Field, b.Field)
		}
		return a.ErrorBody() < b.ErrorBody()
	})
	sort.SliceStable(v.Warnings, func(i, j int) bool { return naturalLess(v.Warnings[i], v.Warnings[j]) })
}

// naturalLess compares a and b with runs of digits compared as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da != "" && db != "" {
			na, nb := strings.TrimLeft(da, "0"), strings.TrimLeft(db, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[len(da):], b[len(db):]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// Allowed reports whether the object is admitted.
func (v Verdict) Allowed() bool { return len(v.Denials) == 0 }

// Problems renders each denial on its own line.
func (v Verdict) Problems() []string {
	out := make([]string, 0, len(v.Denials))
	for _, d := range v.Denials {
		out = append(out, OneLine(d.Error()))
	}
	return out
}

// OneLine folds the line breaks of s into spaces, so one problem is one
// line of a Flux condition or a Helm error.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
}

// Message renders the denials for an admission response: one line per
// problem.
func (v Verdict) Message() string {
	p := v.Problems()
	if len(p) == 1 {
		return p[0]
	}
	return fmt.Sprintf("%d problems:\n%s", len(p), strings.Join(p, "\n"))
}
