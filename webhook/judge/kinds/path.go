package kinds

import (
	"fmt"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Path is a field path in an object, as its segments: {"spec", "template"}.
// A segment ending in "[]" names a list whose every item is followed by the
// rest of the path: {"spec", "sidecars[]", "image"}.
type Path []string

// listSuffix marks a segment that names a list.
const listSuffix = "[]"

// String renders the path with dots, as ParsePath reads it.
func (p Path) String() string { return strings.Join(p, ".") }

// ParsePath reads a dot-separated path such as "spec.template.spec" or
// "spec.sidecars[].image". A segment is a field name, optionally followed by
// "[]"; field names are letters, digits, '_', '-' and '$'. Anything else
// (empty segments, indices, wildcards, JSONPath) is refused.
func ParsePath(s string) (Path, error) {
	if s == "" {
		return nil, fmt.Errorf("empty path")
	}
	p := Path(strings.Split(s, "."))
	for i, seg := range p {
		name := strings.TrimSuffix(seg, listSuffix)
		switch {
		case seg == "":
			return nil, fmt.Errorf("%q: empty segment %d (paths are dot-separated field names)", s, i+1)
		case name == "":
			return nil, fmt.Errorf("%q: segment %d: \"[]\" must follow a field name", s, i+1)
		case strings.IndexFunc(name, notFieldRune) >= 0:
			return nil, fmt.Errorf("%q: segment %q: only field names and a trailing \"[]\" are supported", s, seg)
		}
	}
	return p, nil
}

// notFieldRune reports a rune no field name of a path may hold: field names
// are letters, digits, '_', '-' and '$'.
func notFieldRune(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '-' && r != '$'
}

// Value is a value found at a path and the field path it was found at, list
// indices filled in: spec.sidecars[1].image.
type Value struct {
	Path  *field.Path
	Value interface{}
}

// Find returns the values at p in obj, in document order. A missing field, a
// null, or a list segment that is not a list yields nothing: an object whose
// schema does not match is the API server's business, not this catalog's.
func Find(obj map[string]interface{}, p Path) []Value {
	var out []Value
	var walk func(v interface{}, rest Path, at *field.Path)
	walk = func(v interface{}, rest Path, at *field.Path) {
		if v == nil {
			return
		}
		if len(rest) == 0 {
			out = append(out, Value{Path: at, Value: v})
			return
		}
		m, ok := v.(map[string]interface{})
		if !ok {
			return
		}
		seg := rest[0]
		name, isList := strings.CutSuffix(seg, listSuffix)
		child := childPath(at, name)
		next, ok := m[name]
		if !ok {
			return
		}
		if !isList {
			walk(next, rest[1:], child)
			return
		}
		items, ok := next.([]interface{})
		if !ok {
			return
		}
		for i, item := range items {
			walk(item, rest[1:], child.Index(i))
		}
	}
	walk(obj, p, nil)
	return out
}

func childPath(at *field.Path, name string) *field.Path {
	if at == nil {
		return field.NewPath(name)
	}
	return at.Child(name)
}
