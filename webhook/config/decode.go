package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// decode reads the YAML document data into v (a pointer to a struct) key by
// key, so that every error names its key, the value found there and what is
// allowed: an unknown key lists the known ones, a value of the wrong type
// says which type the key takes.
//
// sigs.k8s.io/yaml reads YAML 1.1 scalars: a bare yes, no, on, off, true or
// false is a boolean before a field sees it. A string field refuses a
// boolean with a message saying to quote it; Mode reads false as off.
func decode(data []byte, v any) error {
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		return err
	}
	return decodeValue("", j, reflect.ValueOf(v).Elem())
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// hints say what a key of a type takes, for types that read themselves.
var hints = map[reflect.Type]string{
	reflect.TypeFor[metav1.Duration](): "must be a duration such as 8s, 500ms or 1m30s",
}

func decodeValue(path string, raw json.RawMessage, v reflect.Value) error {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return nil
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeValue(path, raw, v.Elem())
	}
	if reflect.PointerTo(v.Type()).Implements(unmarshaler) {
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			if hint, ok := hints[v.Type()]; ok {
				return fmt.Errorf("%s: %s: %s", at(path), raw, hint)
			}
			return fmt.Errorf("%s: %s: %w", at(path), raw, err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.Struct:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return typeError(path, raw, "a map")
		}
		fields := map[string]int{}
		var known []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			fields[name] = i
			known = append(known, name)
		}
		for _, key := range sortedKeys(m) {
			i, ok := fields[key]
			if !ok {
				return fmt.Errorf("%sunknown key %q (known: %s)", prefix(path), key, strings.Join(known, ", "))
			}
			if err := decodeValue(join(path, key), m[key], v.Field(i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Map:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return typeError(path, raw, "a map")
		}
		if v.IsNil() {
			v.Set(reflect.MakeMapWithSize(v.Type(), len(m)))
		}
		for _, key := range sortedKeys(m) {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeValue(join(path, key), m[key], e); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(key).Convert(v.Type().Key()), e)
		}
		return nil
	case reflect.Slice:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return typeError(path, raw, "a list")
		}
		s := reflect.MakeSlice(v.Type(), len(items), len(items))
		for i, item := range items {
			if err := decodeValue(fmt.Sprintf("%s[%d]", path, i), item, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	case reflect.String:
		switch raw[0] {
		case '"':
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return typeError(path, raw, "a string")
			}
			v.SetString(s)
			return nil
		case 't', 'f':
			return fmt.Errorf("%s: %s: must be a string; YAML reads a bare yes, no, on, off, true or false as a boolean: quote it", at(path), raw)
		case '[', '{':
			return typeError(path, raw, "a string")
		}
		// A number: the string it is written as.
		v.SetString(string(raw))
		return nil
	case reflect.Int:
		n, err := strconv.Atoi(string(raw))
		if err != nil {
			return typeError(path, raw, "a whole number")
		}
		v.SetInt(int64(n))
		return nil
	case reflect.Bool:
		b, err := strconv.ParseBool(string(raw))
		if err != nil || raw[0] == '"' {
			return typeError(path, raw, "true or false")
		}
		v.SetBool(b)
		return nil
	}
	return fmt.Errorf("%s: cannot read a %s", at(path), v.Type())
}

func typeError(path string, raw json.RawMessage, want string) error {
	return fmt.Errorf("%s: %s: must be %s", at(path), short(raw), want)
}

// short is raw as an error quotes it: at most 60 characters.
func short(raw json.RawMessage) string {
	if len(raw) > 60 {
		return string(raw[:57]) + "..."
	}
	return string(raw)
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// at names path in an error; the document itself is "the file".
func at(path string) string {
	if path == "" {
		return "the file"
	}
	return path
}

func prefix(path string) string {
	if path == "" {
		return ""
	}
	return path + ": "
}

// Mode is a check's mode as the file spells it: enforce, warn or off. A
// bare off is the boolean false in YAML 1.1, read here as off; true (a bare
// on, yes or true) is refused: no mode is called on.
type Mode string

// UnmarshalJSON reads a string, or false as off.
func (m *Mode) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "false":
		*m = "off"
		return nil
	case "true":
		return errors.New("must be enforce, warn or off (YAML reads a bare on, yes or true as the boolean true)")
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errors.New("must be enforce, warn or off")
	}
	*m = Mode(s)
	return nil
}
