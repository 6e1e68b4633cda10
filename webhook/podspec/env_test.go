package podspec

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Messages the server takes from k8s.io/apimachinery, spelled out so that a
// change of wording there shows up here.
const (
	relaxedNameMsg  = "a valid environment variable name must consist only of printable ASCII characters other than '='"
	dnsSubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	dnsLabelMsg     = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
	configKeyMsg    = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
	labelNameMsg    = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)

var envPath = field.NewPath("spec", "containers").Index(0).Child("env")

// render turns errs into their messages, nil when there are none.
func render(errs field.ErrorList) []string {
	var out []string
	for _, err := range errs {
		out = append(out, err.Error())
	}
	return out
}

func secretRef(name, key string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key,
	}}
}

func configMapRef(name, key string) *corev1.EnvVarSource {
	return &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key,
	}}
}

func TestValidateEnv(t *testing.T) {
	tests := map[string]struct {
		env  []corev1.EnvVar
		want []string
	}{
		"nil list": {},
		"plain values": {
			env: []corev1.EnvVar{{Name: "ABC", Value: "x"}, {Name: "EMPTY"}},
		},
		"relaxed names": {
			env: []corev1.EnvVar{{Name: "1st.var-name"}, {Name: "with space"}, {Name: `!"#$%&'()*+,-./:;<>?@[\]^_{|}~`}},
		},
		"valid sources": {
			env: []corev1.EnvVar{
				{Name: "A", ValueFrom: configMapRef("app-config", "key.name")},
				{Name: "B", ValueFrom: secretRef("app-secret", "KEY_NAME")},
				{Name: "C", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: "metadata.name"}}},
				{Name: "D", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu"}}},
				{Name: "E", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{VolumeName: "config", Path: "env/app.env", Key: "DB_HOST"}}},
			},
		},
		"empty name": {
			env:  []corev1.EnvVar{{Value: "x"}},
			want: []string{"spec.containers[0].env[0].name: Required value"},
		},
		"name with =": {
			env:  []corev1.EnvVar{{Name: "A=B"}},
			want: []string{`spec.containers[0].env[0].name: Invalid value: "A=B": ` + relaxedNameMsg},
		},
		"name with non-ascii and control characters": {
			env: []corev1.EnvVar{{Name: "NAÏVE"}, {Name: "TAB\tNAME"}},
			want: []string{
				`spec.containers[0].env[0].name: Invalid value: "NAÏVE": ` + relaxedNameMsg,
				`spec.containers[0].env[1].name: Invalid value: "TAB\tNAME": ` + relaxedNameMsg,
			},
		},
		"incident: value and valueFrom": {
			env: []corev1.EnvVar{
				{Name: "A", Value: "a"}, {Name: "B", Value: "b"}, {Name: "C", Value: "c"}, {Name: "D", Value: "d"},
				{Name: "POSTGRES_PASSWORD", Value: "not-secure-database-password", ValueFrom: secretRef("harbor-registry-postgresql", "postgres-password")},
			},
			want: []string{"spec.containers[0].env[4].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
		},
		"valueFrom without a source": {
			env:  []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{}}},
			want: []string{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"},
		},
		"valueFrom without a source wins over value": {
			env:  []corev1.EnvVar{{Name: "A", Value: "x", ValueFrom: &corev1.EnvVarSource{}}},
			want: []string{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`"},
		},
		"two sources": {
			env: []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				ConfigMapKeyRef: configMapRef("cm", "k").ConfigMapKeyRef,
				SecretKeyRef:    secretRef("s", "k").SecretKeyRef,
			}}},
			want: []string{`spec.containers[0].env[0].valueFrom: Invalid value: "": may not have more than one field specified at a time`},
		},
		"value wins over two sources": {
			env: []corev1.EnvVar{{Name: "A", Value: "x", ValueFrom: &corev1.EnvVarSource{
				ConfigMapKeyRef: configMapRef("cm", "k").ConfigMapKeyRef,
				FieldRef:        &corev1.ObjectFieldSelector{FieldPath: "metadata.name"},
			}}},
			want: []string{"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"},
		},
		"source errors and count errors together": {
			env: []corev1.EnvVar{{Name: "A", Value: "x", ValueFrom: secretRef("", "")}},
			want: []string{
				`spec.containers[0].env[0].valueFrom.secretKeyRef.name: Invalid value: "": ` + dnsSubdomainMsg,
				"spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value",
				"spec.containers[0].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
			},
		},
		"configMapKeyRef without name or key": {
			env: []corev1.EnvVar{{Name: "A", ValueFrom: configMapRef("", "")}},
			want: []string{
				`spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Invalid value: "": ` + dnsSubdomainMsg,
				"spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Required value",
			},
		},
		"bad referenced names": {
			env: []corev1.EnvVar{
				{Name: "A", ValueFrom: configMapRef("App_Config", "k")},
				{Name: "B", ValueFrom: secretRef(strings.Repeat("a", 254), "k")},
			},
			want: []string{
				`spec.containers[0].env[0].valueFrom.configMapKeyRef.name: Invalid value: "App_Config": ` + dnsSubdomainMsg,
				`spec.containers[0].env[1].valueFrom.secretKeyRef.name: Invalid value: "` + strings.Repeat("a", 254) + `": must be no more than 253 characters`,
			},
		},
		"bad keys": {
			env: []corev1.EnvVar{
				{Name: "A", ValueFrom: configMapRef("cm", "a/b")},
				{Name: "B", ValueFrom: secretRef("s", ".")},
				{Name: "C", ValueFrom: secretRef("s", "..")},
				{Name: "D", ValueFrom: configMapRef("cm", "..key")},
				{Name: "E", ValueFrom: secretRef("s", strings.Repeat("k", 254))},
			},
			want: []string{
				`spec.containers[0].env[0].valueFrom.configMapKeyRef.key: Invalid value: "a/b": ` + configKeyMsg,
				`spec.containers[0].env[1].valueFrom.secretKeyRef.key: Invalid value: ".": must not be '.'`,
				`spec.containers[0].env[2].valueFrom.secretKeyRef.key: Invalid value: "..": must not be '..'`,
				`spec.containers[0].env[3].valueFrom.configMapKeyRef.key: Invalid value: "..key": must not start with '..'`,
				`spec.containers[0].env[4].valueFrom.secretKeyRef.key: Invalid value: "` + strings.Repeat("k", 254) + `": must be no more than 253 characters`,
			},
		},
		"fileKeyRef with nothing set": {
			env: []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{}}}},
			want: []string{
				"spec.containers[0].env[0].valueFrom.fileKeyRef.key: Required value",
				"spec.containers[0].env[0].valueFrom.fileKeyRef.volumeName: Required value",
				"spec.containers[0].env[0].valueFrom.fileKeyRef.path: Required value",
			},
		},
		"fileKeyRef with bad fields": {
			env: []corev1.EnvVar{
				{Name: "A", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{Key: "A=B", VolumeName: "My_Vol", Path: "../etc/passwd"}}},
				{Name: "B", ValueFrom: &corev1.EnvVarSource{FileKeyRef: &corev1.FileKeySelector{Key: "B", VolumeName: "my.vol", Path: "a/../../b"}}},
			},
			want: []string{
				`spec.containers[0].env[0].valueFrom.fileKeyRef.key: Invalid value: "A=B": ` + relaxedNameMsg,
				`spec.containers[0].env[0].valueFrom.fileKeyRef.volumeName: Invalid value: "My_Vol": ` + dnsLabelMsg,
				`spec.containers[0].env[0].valueFrom.fileKeyRef.path: Invalid value: "../etc/passwd": must not contain '..'`,
				`spec.containers[0].env[1].valueFrom.fileKeyRef.volumeName: Invalid value: "my.vol": must not contain dots`,
				`spec.containers[0].env[1].valueFrom.fileKeyRef.path: Invalid value: "a/../../b": must not contain '..'`,
			},
		},
		"every entry is reported": {
			env: []corev1.EnvVar{
				{Value: "no-name"},
				{Name: "GOOD", Value: "x"},
				{Name: "BAD_KEY", ValueFrom: configMapRef("cm", "a b")},
				{Name: "BOTH", Value: "x", ValueFrom: secretRef("s", "k")},
				{Name: "A=B", ValueFrom: &corev1.EnvVarSource{}},
			},
			want: []string{
				"spec.containers[0].env[0].name: Required value",
				`spec.containers[0].env[2].valueFrom.configMapKeyRef.key: Invalid value: "a b": ` + configKeyMsg,
				"spec.containers[0].env[3].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty",
				`spec.containers[0].env[4].name: Invalid value: "A=B": ` + relaxedNameMsg,
				"spec.containers[0].env[4].valueFrom: Invalid value: \"\": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef`, `secretKeyRef` or `fileKeyRef`",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := render(ValidateEnv(tc.env, envPath))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateEnvTemplatePath(t *testing.T) {
	path := field.NewPath("spec", "template", "spec", "containers").Index(1).Child("env")
	env := []corev1.EnvVar{{Name: "X", Value: "v", ValueFrom: secretRef("s", "k")}}
	want := []string{"spec.template.spec.containers[1].env[0].valueFrom: Invalid value: \"\": may not be specified when `value` is not empty"}
	if diff := cmp.Diff(want, render(ValidateEnv(env, path))); diff != "" {
		t.Errorf("ValidateEnv() mismatch (-want +got):\n%s", diff)
	}
}

// TestNoPanic feeds zero values and a nil path through every source.
func TestNoPanic(t *testing.T) {
	env := []corev1.EnvVar{
		{},
		{ValueFrom: &corev1.EnvVarSource{}},
		{ValueFrom: &corev1.EnvVarSource{
			FieldRef:         &corev1.ObjectFieldSelector{},
			ResourceFieldRef: &corev1.ResourceFieldSelector{},
			ConfigMapKeyRef:  &corev1.ConfigMapKeySelector{},
			SecretKeyRef:     &corev1.SecretKeySelector{},
			FileKeyRef:       &corev1.FileKeySelector{},
		}},
		{Name: "\xff", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "']"}}},
		{ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "['']"}}},
	}
	envFrom := []corev1.EnvFromSource{{}, {ConfigMapRef: &corev1.ConfigMapEnvSource{}, SecretRef: &corev1.SecretEnvSource{}}, {Prefix: "\xff"}}
	for _, path := range []*field.Path{nil, envPath} {
		if len(ValidateEnv(env, path)) == 0 {
			t.Error("ValidateEnv() found nothing wrong with zero values")
		}
		if len(ValidateEnvFrom(envFrom, path)) == 0 {
			t.Error("ValidateEnvFrom() found nothing wrong with zero values")
		}
	}
}
