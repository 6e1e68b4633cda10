package kinds_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/admissible/admissible/webhook/judge/kinds"
)

func TestParsePath(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    kinds.Path
		wantErr string
	}{
		"one segment":       {in: "image", want: kinds.Path{"image"}},
		"dotted":            {in: "spec.template.spec", want: kinds.Path{"spec", "template", "spec"}},
		"list segment":      {in: "spec.sidecars[].image", want: kinds.Path{"spec", "sidecars[]", "image"}},
		"empty":             {wantErr: "empty path"},
		"empty segment":     {in: "spec..image", wantErr: `"spec..image": empty segment 2 (paths are dot-separated field names)`},
		"trailing dot":      {in: "spec.", wantErr: `"spec.": empty segment 2 (paths are dot-separated field names)`},
		"bare list":         {in: "spec.[].image", wantErr: `"spec.[].image": segment 2: "[]" must follow a field name`},
		"index":             {in: "spec.sidecars[0].image", wantErr: `"spec.sidecars[0].image": segment "sidecars[0]": only field names and a trailing "[]" are supported`},
		"JSONPath":          {in: "{.spec.image}", wantErr: `"{.spec.image}": segment "{": only field names and a trailing "[]" are supported`},
		"wildcard":          {in: "spec.*.image", wantErr: `"spec.*.image": segment "*": only field names and a trailing "[]" are supported`},
		"round trip string": {in: "a.b[].c", want: kinds.Path{"a", "b[]", "c"}},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			got, err := kinds.ParsePath(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if gotErr != tc.wantErr {
				t.Fatalf("ParsePath(%q) error = %q, want %q", tc.in, gotErr, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParsePath(%q) mismatch (-want +got):\n%s", tc.in, diff)
			}
			if err == nil && got.String() != tc.in {
				t.Errorf("String() = %q, want %q", got.String(), tc.in)
			}
		})
	}
}

func TestFind(t *testing.T) {
	obj := map[string]interface{}{
		"spec": map[string]interface{}{
			"image": "a",
			"null":  nil,
			"sidecars": []interface{}{
				map[string]interface{}{"image": "b"},
				"not an object",
				map[string]interface{}{"name": "no image"},
				map[string]interface{}{"image": "c"},
			},
			"notAList": map[string]interface{}{"image": "d"},
		},
	}
	tests := map[string]struct {
		path kinds.Path
		want []string // "path=value"
	}{
		"plain":                 {path: kinds.Path{"spec", "image"}, want: []string{"spec.image=a"}},
		"missing":               {path: kinds.Path{"spec", "other"}},
		"null":                  {path: kinds.Path{"spec", "null"}},
		"through a string":      {path: kinds.Path{"spec", "image", "x"}},
		"list items":            {path: kinds.Path{"spec", "sidecars[]", "image"}, want: []string{"spec.sidecars[0].image=b", "spec.sidecars[3].image=c"}},
		"list segment on a map": {path: kinds.Path{"spec", "notAList[]", "image"}},
		"map segment on a list": {path: kinds.Path{"spec", "sidecars", "image"}},
	}
	for tcName, tc := range tests {
		t.Run(tcName, func(t *testing.T) {
			var got []string
			for _, v := range kinds.Find(obj, tc.path) {
				got = append(got, v.Path.String()+"="+v.Value.(string))
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Find(%s) mismatch (-want +got):\n%s", tc.path, diff)
			}
		})
	}
}
