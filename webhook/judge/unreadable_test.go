package judge

import (
	"testing"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestUnreadablePodSpecNamesTheField(t *testing.T) {
	cases := map[string]struct {
		spec map[string]interface{}
		want string
	}{
		"number where a string belongs": {
			spec: map[string]interface{}{"containers": []interface{}{map[string]interface{}{
				"name": "db", "env": []interface{}{map[string]interface{}{"name": "PORT", "value": int64(5432)}},
			}}},
			want: `spec.template.spec: Invalid value: "": cannot be read as a pod spec: spec.template.spec.containers[0].env[0].value must be string, not number`,
		},
		"a list that is a string": {
			spec: map[string]interface{}{"containers": "x"},
			want: `spec.template.spec: Invalid value: "": cannot be read as a pod spec: spec.template.spec.containers must be []v1.Container, not string`,
		},
	}
	path := field.NewPath("spec", "template", "spec")
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := unreadablePodSpec(path, tc.spec, nil).Error(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
