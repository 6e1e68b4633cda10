package podcases

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

func secretRef(name, key string) *corev1.SecretKeySelector {
	return &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func cmRef(name, key string) *corev1.ConfigMapKeySelector {
	return &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: name}, Key: key}
}

func envCases() [][]mutation {
	setEnv := func(s *appsv1.StatefulSet, e corev1.EnvVar) { ctr(s).Env = []corev1.EnvVar{{Name: "A", Value: "1"}, e} }
	return [][]mutation{
		// The incident: value and valueFrom on one entry.
		one("env: value and valueFrom (the incident)", func(s *appsv1.StatefulSet) {
			setEnv(s, corev1.EnvVar{Name: "POSTGRES_PASSWORD", Value: "x", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef("pg", "password")}})
		}),
		one("env: valueFrom without a source", func(s *appsv1.StatefulSet) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{}})
		}),
		one("env: valueFrom with two sources", func(s *appsv1.StatefulSet) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef("s", "k"), ConfigMapKeyRef: cmRef("c", "k")}})
		}),
		each("env[1].name", []string{"", "A=B", "é"}, func(s *appsv1.StatefulSet, v string) { setEnv(s, corev1.EnvVar{Name: v, Value: "x"}) }),
		each("env[1].valueFrom.fieldRef.fieldPath", []string{"metadata.foo", "spec.containers", "", "metadata.labels[bad key]", "status.phase"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: v}}})
		}),
		each("env[1].valueFrom.fieldRef.apiVersion", []string{"v2", "apps/v1"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: v, FieldPath: "metadata.name"}}})
		}),
		each("env[1].valueFrom.resourceFieldRef.resource", []string{"", "limits.foo", "cpu", "requests.nvidia.com/gpu"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: v}}})
		}),
		each("env[1].valueFrom.resourceFieldRef.divisor", []string{"3", "1Ki", "2m"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{Resource: "limits.cpu", Divisor: q(v)}}})
		}),
		one("env[1].valueFrom.resourceFieldRef.containerName unknown", func(s *appsv1.StatefulSet) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "nope", Resource: "limits.cpu"}}})
		}),
		each("env[1].valueFrom.configMapKeyRef.key", []string{"", "a b", "..", "a/b"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: cmRef("c", v)}})
		}),
		each("env[1].valueFrom.secretKeyRef.key", []string{"", "a b", "."}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef("s", v)}})
		}),
		each("env[1].valueFrom.secretKeyRef.name", []string{"", "UPPER", "a_b"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef(v, "k")}})
		}),
		each("env[1].valueFrom.configMapKeyRef.name", []string{"", "UPPER"}, func(s *appsv1.StatefulSet, v string) {
			setEnv(s, corev1.EnvVar{Name: "B", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: cmRef(v, "k")}})
		}),
		each("envFrom[0].prefix", []string{"A=", "a=b"}, func(s *appsv1.StatefulSet, v string) {
			ctr(s).EnvFrom = []corev1.EnvFromSource{{Prefix: v, ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}}}
		}),
		one("envFrom[0]: configMapRef and secretRef", func(s *appsv1.StatefulSet) {
			ctr(s).EnvFrom = []corev1.EnvFromSource{{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "c"}}, SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "s"}}}}
		}),
		one("envFrom[0]: no source", func(s *appsv1.StatefulSet) { ctr(s).EnvFrom = []corev1.EnvFromSource{{Prefix: "P_"}} }),
		each("envFrom[0].secretRef.name", []string{"", "UPPER"}, func(s *appsv1.StatefulSet, v string) {
			ctr(s).EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: v}}}}
		}),
		one("initContainers[0].env: value and valueFrom", func(s *appsv1.StatefulSet) {
			spec(s).InitContainers = []corev1.Container{{Name: "init", Image: Image, Env: []corev1.EnvVar{{Name: "P", Value: "x", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: secretRef("s", "k")}}}}}
		}),
	}
}
