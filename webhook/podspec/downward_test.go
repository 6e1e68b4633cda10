package podspec

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

const (
	envFieldPathsList = `supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"`
	envResourcesList  = `supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"`
	byteDivisorsMsg   = "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the "
)

func TestValidateEnvFieldRef(t *testing.T) {
	tests := map[string]struct {
		apiVersion string
		fieldPath  string
		want       []string
	}{
		"metadata.name":                    {apiVersion: "v1", fieldPath: "metadata.name"},
		"status.podIPs":                    {apiVersion: "v1", fieldPath: "status.podIPs"},
		"apiVersion defaults to v1":        {fieldPath: "spec.serviceAccountName"},
		"spec.host converts to nodeName":   {fieldPath: "spec.host"},
		"label key":                        {fieldPath: "metadata.labels['app.kubernetes.io/name']"},
		"annotation key is lower-cased":    {fieldPath: "metadata.annotations['Www.K8s.io/Test']"},
		"subscript key with brackets kept": {fieldPath: "metadata.annotations['a[b]c']", want: []string{`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "a[b]c": name part ` + labelNameMsg}},
		"missing fieldPath": {
			want: []string{"spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Required value"},
		},
		"unsupported apiVersion": {
			apiVersion: "v2", fieldPath: "metadata.name",
			want: []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2`},
		},
		"unknown field": {
			fieldPath: "metadata.whoops",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.whoops": error converting fieldPath: field label not supported: metadata.whoops`},
		},
		"subscript on a plain field": {
			fieldPath: "metadata.name['key']",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name['key']": error converting fieldPath: field label does not support subscript: metadata.name['key']`},
		},
		"labels without subscript": {
			fieldPath: "metadata.labels",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": ` + envFieldPathsList},
		},
		"known pod field not offered to env": {
			fieldPath: "status.phase",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": ` + envFieldPathsList},
		},
		"bad label key": {
			fieldPath: "metadata.labels['invalid~key']",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "invalid~key": name part ` + labelNameMsg},
		},
		"label key is not lower-cased": {
			fieldPath: "metadata.labels['Www.k8s.io/test']",
			want:      []string{`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "Www.k8s.io/test": prefix part ` + dnsSubdomainMsg},
		},
		"empty label key": {
			fieldPath: "metadata.labels['']",
			want: []string{
				`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "": name part must be non-empty`,
				`spec.containers[0].env[0].valueFrom.fieldRef: Invalid value: "": name part ` + labelNameMsg,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			env := []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{APIVersion: tc.apiVersion, FieldPath: tc.fieldPath},
			}}}
			got := render(ValidateEnv(env, envPath))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateEnvResourceFieldRef(t *testing.T) {
	tests := map[string]struct {
		resource string
		divisor  string
		want     []string
	}{
		"cpu":                           {resource: "limits.cpu"},
		"cpu in millicores":             {resource: "requests.cpu", divisor: "1m"},
		"cpu divisor in canonical form": {resource: "requests.cpu", divisor: "1000m"},
		"zero divisor counts as unset":  {resource: "limits.cpu", divisor: "0"},
		"memory in Mi":                  {resource: "limits.memory", divisor: "1Mi"},
		"ephemeral storage in G":        {resource: "requests.ephemeral-storage", divisor: "1G"},
		"huge pages":                    {resource: "limits.hugepages-2Mi", divisor: "1Ki"},
		"huge pages prefix only":        {resource: "requests.hugepages-"},
		"containerName is not checked":  {resource: "limits.memory"},
		"missing resource": {
			want: []string{"spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Required value"},
		},
		"missing resource skips divisor": {
			divisor: "3",
			want:    []string{"spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Required value"},
		},
		"unsupported resource": {
			resource: "limits.nvidia.com/gpu", divisor: "3",
			want: []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.nvidia.com/gpu": ` + envResourcesList},
		},
		"unqualified resource": {
			resource: "cpu",
			want:     []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: "cpu": ` + envResourcesList},
		},
		"bad cpu divisor": {
			resource: "limits.cpu", divisor: "2",
			want: []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor's values 1m and 1 are supported with the cpu resource`},
		},
		"bad memory divisor": {
			resource: "requests.memory", divisor: "1m",
			want: []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "requests.memory": ` + byteDivisorsMsg + "memory resource"},
		},
		"bad ephemeral storage divisor": {
			resource: "limits.ephemeral-storage", divisor: "1.5Gi",
			want: []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.ephemeral-storage": ` + byteDivisorsMsg + "local ephemeral storage resource"},
		},
		"bad huge pages divisor": {
			resource: "requests.hugepages-1Gi", divisor: "2Mi",
			want: []string{`spec.containers[0].env[0].valueFrom.resourceFieldRef.divisor: Invalid value: "requests.hugepages-1Gi": ` + byteDivisorsMsg + "hugepages resource"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			sel := &corev1.ResourceFieldSelector{ContainerName: "ignored", Resource: tc.resource}
			if tc.divisor != "" {
				sel.Divisor = resource.MustParse(tc.divisor)
			}
			env := []corev1.EnvVar{{Name: "A", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: sel}}}
			got := render(ValidateEnv(env, envPath))
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ValidateEnv() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
