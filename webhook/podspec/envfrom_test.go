package podspec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var envFromPath = field.NewPath("spec", "containers").Index(0).Child("envFrom")

func configMapSource(name string) *corev1.ConfigMapEnvSource {
	return &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}
}

func secretSource(name string) *corev1.SecretEnvSource {
	return &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: name}}
}

func TestValidateEnvFrom(t *testing.T) {
	tests := map[string]struct {
		envFrom []corev1.EnvFromSource
		want    []string
	}{
		"nil list": {},
		"valid sources": {
			envFrom: []corev1.EnvFromSource{
				{ConfigMapRef: configMapSource("app-config")},
				{Prefix: "DB_", SecretRef: secretSource("db.credentials")},
				{Prefix: "1st prefix.", ConfigMapRef: configMapSource("cm")},
			},
		},
		"name may end with a dash": {
			envFrom: []corev1.EnvFromSource{{ConfigMapRef: configMapSource("generated-")}},
		},
		"bad prefix": {
			envFrom: []corev1.EnvFromSource{{Prefix: "A=", SecretRef: secretSource("s")}},
			want:    []string{`spec.containers[0].envFrom[0].prefix: Invalid value: "A=": ` + relaxedNameMsg},
		},
		"no source": {
			envFrom: []corev1.EnvFromSource{{Prefix: "P_"}},
			want:    []string{"spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`"},
		},
		"both sources": {
			envFrom: []corev1.EnvFromSource{{ConfigMapRef: configMapSource("cm"), SecretRef: secretSource("s")}},
			want:    []string{`spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time`},
		},
		"missing names": {
			envFrom: []corev1.EnvFromSource{{ConfigMapRef: configMapSource("")}, {SecretRef: secretSource("")}},
			want: []string{
				"spec.containers[0].envFrom[0].configMapRef.name: Required value",
				"spec.containers[0].envFrom[1].secretRef.name: Required value",
			},
		},
		"bad names": {
			envFrom: []corev1.EnvFromSource{{ConfigMapRef: configMapSource("App_Config")}, {SecretRef: secretSource("-")}},
			want: []string{
				`spec.containers[0].envFrom[0].configMapRef.name: Invalid value: "App_Config": ` + dnsSubdomainMsg,
				`spec.containers[0].envFrom[1].secretRef.name: Invalid value: "-": ` + dnsSubdomainMsg,
			},
		},
		"every entry is reported": {
			envFrom: []corev1.EnvFromSource{
				{Prefix: "=", ConfigMapRef: configMapSource(""), SecretRef: secretSource("Bad")},
				{SecretRef: secretSource("ok")},
				{},
			},
			want: []string{
				`spec.containers[0].envFrom[0].prefix: Invalid value: "=": ` + relaxedNameMsg,
				"spec.containers[0].envFrom[0].configMapRef.name: Required value",
				`spec.containers[0].envFrom[0].secretRef.name: Invalid value: "Bad": ` + dnsSubdomainMsg,
				`spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time`,
				"spec.containers[0].envFrom: Invalid value: \"\": must specify one of: `configMapRef` or `secretRef`",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := render(ValidateEnvFrom(tc.envFrom, envFromPath))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateEnvFrom() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
